/*
 * test_export.c - bm_export: incidents out to GeoJSON, GPKG, CSV, KML,
 * FlatGeobuf and shapefiles (read back with OGR), their ranges, is_main
 * and further evidence (and KML's TimeSpans), redaction, bad ranges on
 * import, failure handling, and reading basemap layers.
 */
#include "bm_export.h"
#include "bm_store.h"
#include "bm_test.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define TMP BM_TEST_TMP "/export"

static const char *HOERYONG_SENTENCE =
    "A woman was arrested in Hoeryŏng (회령) for using a Chinese phone.";

static void remove_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' &&
            (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* Files in dir whose name contains ".tmp-". */
static int count_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-"))
            n++;
    closedir(d);
    return n;
}

static bm_store *make_store(bm_ctx *ctx)
{
    bm_store *st = NULL;
    const char *db = TMP "/incidents.sqlite";
    unlink(db);
    bm_status rc = bm_store_open(ctx, db, &st);
    CHECK(rc == BM_OK);
    if (rc != BM_OK) {
        fprintf(stderr, "store: %s\n", bm_ctx_error(ctx));
        return NULL;
    }

    const char *body = "Report body. 회령 Hoeryŏng, 혜산 Hyesan.";
    char sha[65];
    bm_sha256_hex(body, strlen(body), sha);
    bm_store_report r = {
        .sha256 = sha,
        .path = "samples/test-report.txt",
        .title = "Arrests in Hoeryŏng and Hyesan — 회령",
        .source = "test",
        .url = "https://example.org/report",
        .date = "2024-01-07",
        .date_precision = BM_DATE_DAY,
        .body = body,
    };
    bm_incident inc[2];
    memset(inc, 0, sizeof inc);
    inc[0].type = "arrest";
    inc[0].date = "2024-01-07";
    inc[0].date_precision = BM_DATE_DAY;
    inc[0].actor = "Ministry of State Security";
    inc[0].place_name = "Hoeryŏng";
    inc[0].place_id = "gn:2044091";
    inc[0].surface = "회령";
    inc[0].precision = BM_PREC_EXACT;
    inc[0].lon = 129.75;
    inc[0].lat = 42.4425;
    inc[0].sentence = (char *)HOERYONG_SENTENCE;
    inc[1].type = "smuggling";
    inc[1].date = "2024-01";
    inc[1].date_precision = BM_DATE_MONTH;
    inc[1].place_name = "Hyesan";
    inc[1].place_id = "gn:2044757";
    inc[1].surface = "Hyesan";
    inc[1].precision = BM_PREC_COUNTY;
    inc[1].lon = 128.1778;
    inc[1].lat = 41.4017;
    inc[1].sentence = (char *)"Smugglers in Hyesan paid off border guards.";

    int64_t rid = 0;
    rc = bm_store_add_report(st, &r, inc, 2, &rid);
    CHECK(rc == BM_OK);
    CHECK(rid > 0);
    if (rc != BM_OK)
        fprintf(stderr, "add_report: %s\n", bm_ctx_error(ctx));
    return st;
}

static const char *field(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return NULL;
    return OGR_F_GetFieldAsString(f, i);
}

/* Opens path, checks the two incidents came back intact. */
static void check_read_back(const char *path, const char *format)
{
    char **oo = NULL;
    if (strcmp(format, "CSV") == 0) {
        oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES", "X");
        oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES", "Y");
    }
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, (const char *const *)oo, NULL);
    CSLDestroy(oo);
    CHECK(ds != NULL);
    if (!ds) {
        fprintf(stderr, "%s: cannot open %s\n", format, path);
        return;
    }
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "incidents");
    if (!l && GDALDatasetGetLayerCount(ds) == 1)
        l = GDALDatasetGetLayer(ds, 0); /* CSV: layer named after the file */
    CHECK(l != NULL);
    if (!l) {
        fprintf(stderr, "%s: no incidents layer in %s\n", format, path);
        GDALClose(ds);
        return;
    }
    CHECK(OGR_L_GetFeatureCount(l, TRUE) == 2);

    if (strcmp(format, "GeoJSON") == 0 || strcmp(format, "GPKG") == 0) {
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(l);
        CHECK(srs != NULL);
        if (srs) {
            const char *code = OSRGetAuthorityCode(srs, NULL);
            CHECK_STR(code, "4326");
        }
    }

    OGR_L_ResetReading(l);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    CHECK(f != NULL);
    if (f) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        CHECK(g != NULL);
        if (g) {
            CHECK(wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint);
            CHECK_NEAR(OGR_G_GetX(g, 0), 129.75, 1e-6);
            CHECK_NEAR(OGR_G_GetY(g, 0), 42.4425, 1e-6);
        }
        CHECK_STR(field(f, "event_type"), "arrest");
        CHECK_STR(field(f, "place"), "Hoeryŏng");
        CHECK_STR(field(f, "evidence"), HOERYONG_SENTENCE);
        CHECK_STR(field(f, "report_title"),
                  "Arrests in Hoeryŏng and Hyesan — 회령");
        CHECK_STR(field(f, "event_date"), "2024-01-07");
        CHECK_STR(field(f, "time_precision"),
                  bm_date_precision_name(BM_DATE_DAY));
        CHECK_STR(field(f, "actors"), "Ministry of State Security");
        CHECK_STR(field(f, "place_id"), "gn:2044091");
        CHECK_STR(field(f, "geo_precision"), bm_precision_name(BM_PREC_EXACT));
        CHECK_STR(field(f, "status"), "auto");
        const char *id = field(f, "id");
        CHECK(id && atoll(id) > 0);
        const char *conf = field(f, "confidence");
        CHECK(conf != NULL);
        OGR_F_Destroy(f);
    }
    f = OGR_L_GetNextFeature(l);
    CHECK(f != NULL);
    if (f) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        CHECK(g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint);
        if (g)
            CHECK_NEAR(OGR_G_GetX(g, 0), 128.1778, 1e-6);
        CHECK_STR(field(f, "event_type"), "smuggling");
        CHECK(field(f, "actors") == NULL || strcmp(field(f, "actors"), "") == 0);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

static void test_formats(void)
{
    CHECK_STR(bm_export_driver("geojson"), "GeoJSON");
    CHECK_STR(bm_export_driver("GPKG"), "GPKG");
    CHECK_STR(bm_export_driver("csv"), "CSV");
    const char *kml = bm_export_driver("KML");
    CHECK(kml && (strcmp(kml, "LIBKML") == 0 || strcmp(kml, "KML") == 0));
    CHECK(bm_export_driver("shapefile") == NULL);
    CHECK(bm_export_driver(NULL) == NULL);

    CHECK_STR(bm_export_format_for_path("out/a.geojson"), "GeoJSON");
    CHECK_STR(bm_export_format_for_path("a.JSON"), "GeoJSON");
    CHECK_STR(bm_export_format_for_path("x/y.gpkg"), "GPKG");
    CHECK_STR(bm_export_format_for_path("y.kml"), "KML");
    CHECK_STR(bm_export_format_for_path("y.csv"), "CSV");
    CHECK_STR(bm_export_format_for_path("y.shp"), "ESRI Shapefile");
    CHECK_STR(bm_export_format_for_path("y.fgb"), "FlatGeobuf");
    CHECK_STR(bm_export_driver("ESRI Shapefile"), "ESRI Shapefile");
    CHECK_STR(bm_export_driver("flatgeobuf"), "FlatGeobuf");
    CHECK(bm_export_format_for_path("y.dxf") == NULL);
    CHECK(bm_export_format_for_path("dir.gpkg/file") == NULL);
    CHECK(bm_export_format_for_path(".csv") == NULL);
}

static void test_export(bm_ctx *ctx, bm_store *st)
{
    static const struct {
        const char *format, *file;
    } cases[] = {
        {"GeoJSON", TMP "/incidents.geojson"},
        {"GPKG", TMP "/incidents.gpkg"},
        {"CSV", TMP "/incidents.csv"},
        {"KML", TMP "/incidents.kml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t written = 99;
        bm_status rc =
            bm_export_incidents(ctx, st, cases[i].file, cases[i].format,
                                &written);
        CHECK(rc == BM_OK);
        if (rc != BM_OK) {
            fprintf(stderr, "export %s: %s\n", cases[i].format,
                    bm_ctx_error(ctx));
            continue;
        }
        CHECK(written == 2);
        check_read_back(cases[i].file, cases[i].format);
        /* Exporting again replaces the file. */
        rc = bm_export_incidents(ctx, st, cases[i].file, NULL, &written);
        CHECK(rc == BM_OK);
        CHECK(written == 2);
        check_read_back(cases[i].file, cases[i].format);
    }

    /* The GeoJSON is RFC 7946: no "crs" member, (lon, lat) coordinates. */
    char *text = NULL;
    size_t len = 0;
    CHECK(bm_read_text_file(ctx, TMP "/incidents.geojson", &text, &len) ==
          BM_OK);
    if (text) {
        CHECK(strstr(text, "\"crs\"") == NULL);
        CHECK(strstr(text, "129.75") != NULL);
        CHECK(strstr(text, "회령") != NULL);
        char *c = strstr(text, "\"coordinates\"");
        CHECK(c && strstr(c, "129.75") &&
              strstr(c, "129.75") < strstr(c, "42.4425"));
        free(text);
    }
    CHECK(count_temp_files(TMP) == 0);
}

/* read_layer on the exports: GeoJSON (WGS 84) and a copy reprojected to
 * UTM 52N, which must come back as (lon, lat) and clip by a degree box. */
static void test_read_exports(bm_ctx *ctx)
{
    bm_layer *l = NULL;
    bm_status rc = bm_export_read_layer(ctx, TMP "/incidents.geojson",
                                        "incidents", "place", "id", NAN,
                                        NAN, NAN, NAN, &l);
    CHECK(rc == BM_OK);
    if (l) {
        CHECK(l->kind == BM_GEOM_POINT);
        CHECK(l->nfeatures == 2 && l->nparts == 2);
        if (l->nfeatures == 2) {
            CHECK_STR(l->feature_name[0], "Hoeryŏng");
            CHECK_NEAR(l->feature_rank[1], 2, 1e-9);
            CHECK_NEAR(l->xy[0], 129.75, 1e-6);
            CHECK_NEAR(l->xy[1], 42.4425, 1e-6);
        }
        bm_layer_free(l);
        l = NULL;
    }

    const char *utm = TMP "/incidents-utm.gpkg";
    unlink(utm);
    GDALDatasetH src = GDALOpenEx(TMP "/incidents.gpkg", GDAL_OF_VECTOR, NULL,
                                  NULL, NULL);
    CHECK(src != NULL);
    if (!src)
        return;
    char *argv[] = {(char *)"-t_srs", (char *)"EPSG:32652", NULL};
    GDALVectorTranslateOptions *opt = GDALVectorTranslateOptionsNew(argv,
                                                                    NULL);
    int usage_error = 0;
    GDALDatasetH dst = GDALVectorTranslate(utm, NULL, 1, &src, opt,
                                           &usage_error);
    GDALVectorTranslateOptionsFree(opt);
    GDALClose(src);
    CHECK(dst != NULL);
    if (!dst)
        return;
    GDALClose(dst);

    /* A box around Hoeryong only. */
    rc = bm_export_read_layer(ctx, utm, "incidents", "place", NULL,
                              129.5, 42.2, 130.0, 42.6, &l);
    CHECK(rc == BM_OK);
    if (rc != BM_OK)
        fprintf(stderr, "read utm: %s\n", bm_ctx_error(ctx));
    if (l) {
        CHECK(l->nfeatures == 1);
        if (l->nfeatures == 1) {
            CHECK_STR(l->feature_name[0], "Hoeryŏng");
            CHECK_NEAR(l->xy[0], 129.75, 1e-6);
            CHECK_NEAR(l->xy[1], 42.4425, 1e-6);
        }
        bm_layer_free(l);
    }
    unlink(utm);
}

static void test_failures(bm_ctx *ctx, bm_store *st)
{
    /* Unknown format: usage error listing the accepted ones. */
    bm_status rc = bm_export_incidents(ctx, st, TMP "/x.shp", "Shapefile",
                                       NULL);
    CHECK(rc == BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), "Shapefile") != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "GeoJSON") != NULL);
    rc = bm_export_incidents(ctx, st, TMP "/x.dxf", NULL, NULL);
    CHECK(rc == BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), TMP "/x.dxf") != NULL);

    /* A folder that does not exist. */
    const char *missing = TMP "/no-such-folder/out.geojson";
    size_t written = 7;
    rc = bm_export_incidents(ctx, st, missing, NULL, &written);
    CHECK(rc == BM_ERR_IO || rc == BM_ERR_GDAL);
    CHECK(strstr(bm_ctx_error(ctx), missing) != NULL);
    CHECK(written == 0);
    struct stat sb;
    CHECK(stat(TMP "/no-such-folder", &sb) != 0);

    /* A folder where the file should be. */
    mkdir(TMP "/a-folder.gpkg", 0755);
    rc = bm_export_incidents(ctx, st, TMP "/a-folder.gpkg", NULL, NULL);
    CHECK(rc == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), TMP "/a-folder.gpkg") != NULL);
    rmdir(TMP "/a-folder.gpkg");

    /* A write that fails half-way (file size limit) leaves the earlier file
     * as it was and no temp files. */
    const char *keep = TMP "/keep.gpkg";
    FILE *fp = fopen(keep, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs("earlier export\n", fp);
        fclose(fp);
    }
    struct rlimit old;
    getrlimit(RLIMIT_FSIZE, &old);
    struct rlimit lim = old;
    lim.rlim_cur = 8192;
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    int limited = setrlimit(RLIMIT_FSIZE, &lim) == 0;
    rc = bm_export_incidents(ctx, st, keep, NULL, NULL);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_sig);
    if (limited) {
        CHECK(rc == BM_ERR_GDAL || rc == BM_ERR_IO);
        CHECK(strstr(bm_ctx_error(ctx), keep) != NULL);
        printf("half-way failure: %s\n", bm_ctx_error(ctx));
        char *text = NULL;
        size_t len = 0;
        CHECK(bm_read_text_file(ctx, keep, &text, &len) == BM_OK);
        CHECK(text && strcmp(text, "earlier export\n") == 0);
        free(text);
    }
    CHECK(count_temp_files(TMP) == 0);
    unlink(keep);
}

static void test_read_layer(bm_ctx *ctx)
{
    const char *gpkg = BM_TEST_DATA_DIR "/gazetteer/basemap.gpkg";
    bm_layer *l = NULL;

    /* Polygons in a box around the Tumen. */
    bm_status rc = bm_export_read_layer(ctx, gpkg, "ne10m_admin0_countries",
                                        "name_en", "n_admin1", 128.0, 41.0,
                                        130.0, 43.0, &l);
    CHECK(rc == BM_OK);
    if (rc != BM_OK)
        fprintf(stderr, "read_layer: %s\n", bm_ctx_error(ctx));
    if (l) {
        CHECK(l->kind == BM_GEOM_POLYGON);
        CHECK(l->nfeatures >= 2); /* North Korea, China */
        CHECK(l->nparts >= l->nfeatures);
        CHECK(l->nvert > 100);
        int nk = 0, outer = 0;
        for (size_t i = 0; i < l->nfeatures; i++)
            if (l->feature_name[i] &&
                strcmp(l->feature_name[i], "North Korea") == 0)
                nk = 1;
        for (size_t i = 0; i < l->nparts; i++) {
            if (!l->parts[i].hole)
                outer++;
            CHECK(l->parts[i].feature < l->nfeatures);
            CHECK(l->parts[i].first + l->parts[i].count <= l->nvert);
        }
        CHECK(nk);
        CHECK(outer >= 1);
        /* (lon, lat) order */
        int lonlat = 1;
        for (size_t i = 0; i < l->nvert; i++)
            if (l->xy[2 * i] < 118 || l->xy[2 * i] > 136 ||
                l->xy[2 * i + 1] < 36 || l->xy[2 * i + 1] > 48)
                lonlat = 0;
        CHECK(lonlat);
        bm_layer_free(l);
        l = NULL;
    }

    /* No clip: every country in the file. */
    rc = bm_export_read_layer(ctx, gpkg, "ne10m_admin0_countries", NULL, NULL,
                              NAN, NAN, NAN, NAN, &l);
    CHECK(rc == BM_OK);
    if (l) {
        CHECK(l->nfeatures == 4);
        bm_layer_free(l);
        l = NULL;
    }

    /* Points with names and ranks, all inside the box. */
    rc = bm_export_read_layer(ctx, gpkg, "ne10m_populated_places", "NAME",
                              "SCALERANK", 124.0, 39.6, 131.2, 43.4, &l);
    CHECK(rc == BM_OK);
    if (l) {
        CHECK(l->kind == BM_GEOM_POINT);
        CHECK(l->nfeatures > 10);
        int inside = 1, hyesan = 0;
        for (size_t i = 0; i < l->nparts; i++) {
            double x = l->xy[2 * l->parts[i].first];
            double y = l->xy[2 * l->parts[i].first + 1];
            if (x < 124.0 || x > 131.2 || y < 39.6 || y > 43.4)
                inside = 0;
            CHECK(l->parts[i].count == 1);
        }
        for (size_t i = 0; i < l->nfeatures; i++)
            if (l->feature_name[i] && strcmp(l->feature_name[i], "Hyeson") == 0) {
                hyesan = 1;
                CHECK_NEAR(l->feature_rank[i], 7, 1e-9);
            }
        CHECK(inside);
        CHECK(hyesan);
        bm_layer_free(l);
        l = NULL;
    }

    /* Lines. */
    rc = bm_export_read_layer(ctx, gpkg, "wdbii_f_rivers", NULL, "level",
                              124.0, 39.6, 131.2, 43.4, &l);
    CHECK(rc == BM_OK);
    if (l) {
        CHECK(l->kind == BM_GEOM_LINE);
        CHECK(l->nparts > 5);
        bm_layer_free(l);
        l = NULL;
    }

    /* A layer that is not there. */
    rc = bm_export_read_layer(ctx, gpkg, "no_such_layer", NULL, NULL, NAN, NAN,
                              NAN, NAN, &l);
    CHECK(rc == BM_ERR_NOTFOUND);
    CHECK(l == NULL);
    CHECK(strstr(bm_ctx_error(ctx), gpkg) != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "no_such_layer") != NULL);

    /* A file that is not there. */
    rc = bm_export_read_layer(ctx, TMP "/missing.gpkg", "x", NULL, NULL, NAN,
                              NAN, NAN, NAN, &l);
    CHECK(rc == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), TMP "/missing.gpkg") != NULL);

    /* A file that is not a vector dataset. */
    const char *junk = TMP "/junk.gpkg";
    FILE *fp = fopen(junk, "w");
    if (fp) {
        fputs("not a geopackage\n", fp);
        fclose(fp);
    }
    rc = bm_export_read_layer(ctx, junk, "x", NULL, NULL, NAN, NAN, NAN, NAN,
                              &l);
    CHECK(rc == BM_ERR_GDAL);
    CHECK(strstr(bm_ctx_error(ctx), junk) != NULL);
    unlink(junk);
}

static int collect(void *user, const bm_incident *inc)
{
    bm_incident *items = user;
    size_t i = 0;
    while (items[i].type)
        i++;
    if (i < 4)
        CHECK(bm_incident_copy(&items[i], inc) == BM_OK);
    return 0;
}

/* The list export (redacted, shapefile and FlatGeobuf) and reading the
 * incidents back. */
static void test_list_and_read(bm_ctx *ctx, bm_store *st)
{
    bm_incident items[5];
    memset(items, 0, sizeof items);
    CHECK(bm_store_each_incident(st, collect, items) == BM_OK);
    size_t n = 0;
    while (n < 4 && items[n].type)
        n++;
    CHECK(n == 2);

    bm_export_opts redact = {.redact = 1};
    static const char *const files[] = {TMP "/list.geojson", TMP "/list.gpkg",
                                        TMP "/list.fgb", TMP "/list.shp"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        size_t written = 0;
        bm_status rc = bm_export_incident_list(ctx, items, n, files[k], NULL,
                                               k == 1 ? &redact : NULL,
                                               &written);
        CHECK(rc == BM_OK);
        if (rc != BM_OK) {
            fprintf(stderr, "%s: %s\n", files[k], bm_ctx_error(ctx));
            continue;
        }
        CHECK(written == n);
        bm_incident *back = NULL;
        unsigned *masks = NULL;
        size_t nb = 0, skipped = 9;
        static const char *const known[] = {"arrest", "smuggling"};
        rc = bm_export_read_incidents(ctx, files[k], known, 2, &back, &nb,
                                      &skipped, &masks);
        CHECK(rc == BM_OK);
        CHECK(nb == n && skipped == 0);
        for (size_t w = 0; w < bm_ctx_warning_count(ctx); w++)
            fprintf(stderr, "%s: warning: %s\n", files[k],
                    bm_ctx_warning(ctx, w));
        bm_ctx_clear_warnings(ctx);
        for (size_t i = 0; i < nb && i < n; i++) {
            CHECK(back[i].id == items[i].id);
            CHECK_STR(back[i].type, items[i].type);
            CHECK_NEAR(back[i].lon, items[i].lon, 1e-7);
            CHECK_NEAR(back[i].lat, items[i].lat, 1e-7);
            CHECK(back[i].precision == items[i].precision);
            CHECK(back[i].date_precision == items[i].date_precision);
            if (k == 1) { /* redacted */
                CHECK(back[i].sentence == NULL);
                CHECK(!((masks[i] >> BM_EXPORT_F_EVIDENCE) & 1u));
            } else
                CHECK((masks[i] >> BM_EXPORT_F_EVIDENCE) & 1u);
        }
        bm_export_free_incidents(back, nb);
        free(masks);
    }
    /* The shapefile's sidecars moved with it. */
    CHECK(access(TMP "/list.dbf", F_OK) == 0);
    CHECK(access(TMP "/list.prj", F_OK) == 0);
    CHECK(count_temp_files(TMP) == 0);

    /* Redaction is recorded in the GeoPackage's metadata. */
    GDALDatasetH ds = GDALOpenEx(TMP "/list.gpkg", GDAL_OF_VECTOR, NULL, NULL,
                                 NULL);
    CHECK(ds != NULL);
    if (ds) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, "incidents");
        const char *v = l ? GDALGetMetadataItem((GDALMajorObjectH)l,
                                                "BORDERMAP_REDACTED", NULL)
                          : NULL;
        CHECK_STR(v, "YES");
        CHECK(l && OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "url") < 0);
        GDALClose(ds);
    }
    for (size_t i = 0; i < n; i++)
        bm_incident_clear(&items[i]);
}

/* a == b, where NULL is only equal to NULL */
#define CHECK_OPT_STR(a, b)                                                  \
    do {                                                                     \
        const char *o_a_ = (a), *o_b_ = (b);                                 \
        if (!o_b_)                                                           \
            CHECK(o_a_ == NULL);                                             \
        else                                                                 \
            CHECK_STR(o_a_, o_b_);                                           \
    } while (0)

/* Incidents of every date precision: a day (the report's main incident,
 * with further evidence), a month, part of a month, a season across two
 * years, a year, one dated only by its report (an open range), an undated
 * one, and a month stored without a range (filled in on export). */
enum { N_RANGED = 8 };
static const struct ranged {
    const char *type, *date;
    bm_date_precision prec;
    const char *start, *end;          /* as given to the export */
    const char *want_start, *want_end; /* as the file must hold */
    int is_main;
    const char *more;
} ranged[N_RANGED] = {
    {"arrest", "2024-06-15", BM_DATE_DAY, "2024-06-15", "2024-06-15",
     "2024-06-15", "2024-06-15", 1,
     "Two guards were detained too.\nTheir families were questioned."},
    {"smuggling", "2024-06", BM_DATE_MONTH, "2024-06-01", "2024-06-30",
     "2024-06-01", "2024-06-30", 0, NULL},
    {"crackdown", "2024-06", BM_DATE_PERIOD, "2024-06-11", "2024-06-20",
     "2024-06-11", "2024-06-20", 0, NULL},
    {"defection", "2023", BM_DATE_SEASON, "2023-12-01", "2024-02-29",
     "2023-12-01", "2024-02-29", 0, NULL},
    {"bribery", "2024", BM_DATE_YEAR, "2024-01-01", "2024-12-31",
     "2024-01-01", "2024-12-31", 0, NULL},
    {"surveillance", "2024-06-15", BM_DATE_REPORTED, NULL, "2024-06-15",
     NULL, "2024-06-15", 0, NULL},
    {"meeting", NULL, BM_DATE_NONE, NULL, NULL, NULL, NULL, 0, NULL},
    {"arrest", "2024-02", BM_DATE_MONTH, NULL, NULL, "2024-02-01",
     "2024-02-29", 0, NULL},
};

static void make_ranged(bm_incident *items)
{
    memset(items, 0, N_RANGED * sizeof *items);
    for (int i = 0; i < N_RANGED; i++) {
        bm_incident *in = &items[i];
        in->id = 101 + i;
        in->type = (char *)ranged[i].type;
        in->date = (char *)ranged[i].date;
        in->date_precision = ranged[i].prec;
        in->date_start = (char *)ranged[i].start;
        in->date_end = (char *)ranged[i].end;
        in->is_main = ranged[i].is_main;
        in->evidence_more = (char *)ranged[i].more;
        in->sentence = (char *)"An incident.";
        in->report_title = (char *)"Arrests in Hoeryong";
        in->report_source = (char *)"Daily NK";
        in->report_url = (char *)"https://example.org/r";
        in->place_name = (char *)"Hoeryong";
        in->precision = BM_PREC_EXACT;
        in->lon = 129.75 + i * 0.01;
        in->lat = 42.44;
        in->confidence = 0.5;
        in->status = BM_STATUS_AUTO;
    }
}

/* The range, is_main and further evidence through every format: written,
 * read back by OGR under their names (shapefile: short names), read back
 * by bm_export_read_incidents as they were; KML placemarks carry the
 * range as a TimeSpan. */
static void test_ranges(bm_ctx *ctx)
{
    bm_incident items[N_RANGED];
    make_ranged(items);
    static const char *const files[] = {
        TMP "/ranges.geojson", TMP "/ranges.gpkg", TMP "/ranges.fgb",
        TMP "/ranges.shp",     TMP "/ranges.csv",  TMP "/ranges.kml"};
    static const char *const known[] = {"arrest",    "smuggling", "crackdown",
                                        "defection", "bribery",   "surveillance",
                                        "meeting"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        size_t written = 0;
        bm_status rc = bm_export_incident_list(ctx, items, N_RANGED, files[k],
                                               NULL, NULL, &written);
        CHECK(rc == BM_OK);
        if (rc != BM_OK) {
            fprintf(stderr, "%s: %s\n", files[k], bm_ctx_error(ctx));
            continue;
        }
        CHECK(written == N_RANGED);
        int shp = strstr(files[k], ".shp") != NULL;

        /* the fields as OGR sees them */
        char **oo = NULL;
        if (strstr(files[k], ".csv")) {
            oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES", "X");
            oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES", "Y");
        }
        GDALDatasetH ds = GDALOpenEx(files[k], GDAL_OF_VECTOR, NULL,
                                     (const char *const *)oo, NULL);
        CSLDestroy(oo);
        CHECK(ds != NULL);
        if (ds) {
            OGRLayerH l = GDALDatasetGetLayer(ds, 0);
            OGRFeatureDefnH d = l ? OGR_L_GetLayerDefn(l) : NULL;
            int im = d ? OGR_FD_GetFieldIndex(d, "is_main") : -1;
            CHECK(d && OGR_FD_GetFieldIndex(d, "date_start") >= 0);
            CHECK(d && OGR_FD_GetFieldIndex(d, "date_end") >= 0);
            CHECK(d && OGR_FD_GetFieldIndex(d, shp ? "evid_more"
                                                   : "evidence_more") >= 0);
            CHECK(im >= 0);
            if (im >= 0 && !strstr(files[k], ".csv")) {
                OGRFieldDefnH fd = OGR_FD_GetFieldDefn(d, im);
                CHECK(OGR_Fld_GetType(fd) == OFTInteger);
                if (strstr(files[k], ".gpkg"))
                    CHECK(OGR_Fld_GetSubType(fd) == OFSTBoolean);
            }
            /* the main incident (id 101; FlatGeobuf orders features by
             * its spatial index) and its further sentences (a shapefile
             * keeps the line break too) */
            OGRFeatureH f = NULL;
            while (l && (f = OGR_L_GetNextFeature(l)) != NULL) {
                const char *id = field(f, "id");
                if (id && strcmp(id, "101") == 0)
                    break;
                OGR_F_Destroy(f);
            }
            CHECK(f != NULL);
            if (f) {
                CHECK_STR(field(f, "is_main"), "1");
                CHECK_STR(field(f, shp ? "evid_more" : "evidence_more"),
                          ranged[0].more);
                OGR_F_Destroy(f);
            }
            GDALClose(ds);
        }

        bm_incident *back = NULL;
        size_t nb = 0, skipped = 9;
        unsigned *masks = NULL;
        rc = bm_export_read_incidents(ctx, files[k], known, 7, &back, &nb,
                                      &skipped, &masks);
        CHECK(rc == BM_OK);
        CHECK(nb == N_RANGED && skipped == 0);
        for (size_t w = 0; w < bm_ctx_warning_count(ctx); w++)
            fprintf(stderr, "%s: warning: %s\n", files[k],
                    bm_ctx_warning(ctx, w));
        bm_ctx_clear_warnings(ctx);
        for (size_t j = 0; j < nb && nb == N_RANGED; j++) {
            size_t i = (size_t)(back[j].id - 101); /* by id */
            CHECK(i < N_RANGED);
            if (i >= N_RANGED)
                continue;
            unsigned mask = masks ? masks[j] : 0;
            CHECK(back[j].date_precision == ranged[i].prec);
            CHECK_OPT_STR(back[j].date, ranged[i].date);
            CHECK_OPT_STR(back[j].date_start, ranged[i].want_start);
            CHECK_OPT_STR(back[j].date_end, ranged[i].want_end);
            CHECK(back[j].is_main == ranged[i].is_main);
            CHECK_OPT_STR(back[j].evidence_more, ranged[i].more);
            /* the file sets the range (of a dated incident) and is_main */
            if (ranged[i].want_end)
                CHECK((mask >> BM_EXPORT_F_DATE_END) & 1u);
            CHECK((mask >> BM_EXPORT_F_IS_MAIN) & 1u);
        }
        bm_export_free_incidents(back, nb);
        free(masks);
    }

    /* KML: a TimeSpan in each dated placemark, before its ExtendedData
     * (KML 2.2's order); no begin for the open range, none when undated */
    char *kml = NULL;
    size_t len = 0;
    CHECK(bm_read_text_file(ctx, TMP "/ranges.kml", &kml, &len) == BM_OK);
    if (kml) {
        size_t spans = 0, begins = 0;
        for (const char *p = kml; (p = strstr(p, "<TimeSpan>")); p++)
            spans++;
        for (const char *p = kml; (p = strstr(p, "<begin>")); p++)
            begins++;
        CHECK(spans == N_RANGED - 1);
        CHECK(begins == N_RANGED - 2);
        CHECK(strstr(kml, "<Placemark>\n\t<TimeSpan><begin>2024-06-15T00:00:00</begin>"
                          "<end>2024-06-15T23:59:59</end></TimeSpan>\n\t<ExtendedData>"));
        CHECK(strstr(kml, "<TimeSpan><begin>2024-06-11T00:00:00</begin>"
                          "<end>2024-06-20T23:59:59</end></TimeSpan>"));
        CHECK(strstr(kml, "<TimeSpan><begin>2024-02-01T00:00:00</begin>"
                          "<end>2024-02-29T23:59:59</end></TimeSpan>"));
        CHECK(strstr(kml, "<Placemark>\n\t<TimeSpan><end>2024-06-15T23:59:59</end>"
                          "</TimeSpan>"));
        free(kml);
    }
    /* and OGR reads it (LIBKML, when GDAL has it, turns TimeSpans into
     * begin and end fields) */
    GDALDatasetH ds = GDALOpenEx(TMP "/ranges.kml", GDAL_OF_VECTOR, NULL, NULL,
                                 NULL);
    CHECK(ds != NULL);
    if (ds) {
        OGRLayerH l = GDALDatasetGetLayer(ds, 0);
        CHECK(l && OGR_L_GetFeatureCount(l, TRUE) == N_RANGED);
        int bi = l ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "begin") : -1;
        if (bi >= 0) {
            OGRFeatureH f;
            size_t i = 0;
            while ((f = OGR_L_GetNextFeature(l)) != NULL) {
                int y = 0, m = 0, d = 0, h, mi, tz;
                float sec;
                char got[11] = "";
                if (OGR_F_IsFieldSetAndNotNull(f, bi) &&
                    OGR_F_GetFieldAsDateTimeEx(f, bi, &y, &m, &d, &h, &mi,
                                               &sec, &tz))
                    snprintf(got, sizeof got, "%04d-%02d-%02d", y, m, d);
                if (i < N_RANGED)
                    CHECK_STR(got, ranged[i].want_start ? ranged[i].want_start
                                                        : "");
                i++;
                OGR_F_Destroy(f);
            }
        }
        GDALClose(ds);
    }
    CHECK(count_temp_files(TMP) == 0);
}

/* Redaction leaves out what names or quotes the source: evidence,
 * evidence_more, report_title, outlet, url; the GeoPackage says which. */
static void test_redact_fields(bm_ctx *ctx)
{
    bm_incident items[N_RANGED];
    make_ranged(items);
    bm_export_opts redact = {.redact = 1};
    static const char *const files[] = {TMP "/red.gpkg", TMP "/red.geojson",
                                        TMP "/red.shp", TMP "/red.kml"};
    static const char *const gone[] = {"evidence", "evidence_more",
                                       "evid_more", "report_title",
                                       "rep_title", "outlet", "url"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        CHECK(bm_export_incident_list(ctx, items, N_RANGED, files[k], NULL,
                                      &redact, NULL) == BM_OK);
        GDALDatasetH ds = GDALOpenEx(files[k], GDAL_OF_VECTOR, NULL, NULL,
                                     NULL);
        CHECK(ds != NULL);
        if (!ds)
            continue;
        OGRLayerH l = GDALDatasetGetLayer(ds, 0);
        OGRFeatureDefnH d = l ? OGR_L_GetLayerDefn(l) : NULL;
        CHECK(d != NULL);
        for (size_t i = 0; d && i < sizeof gone / sizeof *gone; i++)
            if (OGR_FD_GetFieldIndex(d, gone[i]) >= 0) {
                fprintf(stderr, "%s: redacted field %s is there\n", files[k],
                        gone[i]);
                CHECK(0);
            }
        CHECK(d && OGR_FD_GetFieldIndex(d, "date_start") >= 0);
        CHECK(d && OGR_FD_GetFieldIndex(d, "is_main") >= 0);
        if (k == 0 && l)
            CHECK_STR(GDALGetMetadataItem((GDALMajorObjectH)l,
                                          "BORDERMAP_REDACTED_FIELDS", NULL),
                      "evidence,evidence_more,report_title,outlet,url");
        GDALClose(ds);
    }
    char *text = NULL;
    size_t len = 0;
    CHECK(bm_read_text_file(ctx, TMP "/red.geojson", &text, &len) == BM_OK);
    if (text) {
        CHECK(strstr(text, "Arrests in Hoeryong") == NULL);
        CHECK(strstr(text, "Their families") == NULL);
        CHECK(strstr(text, "BORDERMAP_REDACTED=YES: evidence, evidence_more, "
                           "report_title, outlet and url left out") != NULL);
        free(text);
    }
}

/* A range that is not days, runs backwards, has no date or lies outside
 * its date is named (file and id) and the feature skipped; a date without
 * a range gets the one it means, also from a GeoJSON column OGR reads as
 * dates. */
static void test_bad_ranges(bm_ctx *ctx)
{
    const char *path = TMP "/bad-ranges.geojson";
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
#define FEAT(id, props)                                                     \
    "{\"type\":\"Feature\",\"properties\":{\"id\":" #id                     \
    ",\"event_type\":\"arrest\"," props "},\"geometry\":{\"type\":"         \
    "\"Point\",\"coordinates\":[129.75,42.44]}}"
    fputs("{\"type\":\"FeatureCollection\",\"features\":[\n"
          FEAT(1, "\"event_date\":\"2024-06\",\"time_precision\":\"month\","
                  "\"date_start\":\"2024-05-28\",\"date_end\":\"2024-06-10\"")
          ",\n"
          FEAT(2, "\"event_date\":\"2024-06\",\"time_precision\":\"period\","
                  "\"date_start\":\"2024-06-11\",\"date_end\":\"2024-06-31\"")
          ",\n"
          FEAT(3, "\"event_date\":\"2024-06\",\"time_precision\":\"period\","
                  "\"date_start\":\"2024-06-20\",\"date_end\":\"2024-06-11\"")
          ",\n"
          FEAT(4, "\"date_start\":\"2024-06-11\",\"date_end\":\"2024-06-20\"")
          ",\n"
          FEAT(5, "\"event_date\":\"2024\",\"time_precision\":\"season\","
                  "\"date_start\":\"2024-12-01\",\"date_end\":\"2025-03-31\"")
          ",\n"
          FEAT(6, "\"event_date\":\"2024-06-15\",\"time_precision\":"
                  "\"reported\",\"date_end\":\"2024-06-16\"")
          ",\n"
          FEAT(7, "\"event_date\":\"2024-06\",\"time_precision\":\"period\","
                  "\"date_start\":\"2024-06-21\",\"date_end\":\"2024-06-30\"")
          ",\n"
          FEAT(8, "\"event_date\":\"2023\",\"time_precision\":\"season\","
                  "\"date_start\":\"2023-12-01\",\"date_end\":\"2024-02-29\"")
          ",\n"
          FEAT(9, "\"event_date\":\"2024-06\",\"time_precision\":\"month\"")
          ",\n"
          FEAT(10, "\"event_date\":\"2024-06-15\",\"time_precision\":"
                   "\"reported\",\"is_main\":2")
          "]}\n",
          f);
#undef FEAT
    fclose(f);
    bm_incident *back = NULL;
    size_t nb = 0, skipped = 0;
    bm_ctx_clear_warnings(ctx);
    bm_status rc = bm_export_read_incidents(ctx, path, NULL, 0, &back, &nb,
                                            &skipped, NULL);
    CHECK(rc == BM_OK);
    CHECK(nb == 3 && skipped == 7);
    static const char *const want[] = {
        "feature id 1: range 2024-05-28..2024-06-10 lies outside event_date "
        "2024-06",
        "feature id 2: date_end '2024-06-31' is not a day",
        "feature id 3: date_start 2024-06-20 is after date_end 2024-06-11",
        "feature id 4: a range (2024-06-11..2024-06-20) without an event_date",
        "feature id 5: range 2024-12-01..2025-03-31 lies outside event_date "
        "2024 (season",
        "feature id 6: range ..2024-06-16 lies outside event_date 2024-06-15 "
        "(reported",
        "feature id 10: is_main '2' is not 0 or 1"};
    size_t nw = bm_ctx_warning_count(ctx);
    CHECK(nw == sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want && i < nw; i++) {
        const char *w = bm_ctx_warning(ctx, i);
        if (!strstr(w, want[i]) || !strstr(w, path)) {
            fprintf(stderr, "warning %zu: %s\n  wanted: %s\n", i, w, want[i]);
            CHECK(0);
        }
    }
    bm_ctx_clear_warnings(ctx);
    if (nb == 3) {
        CHECK(back[0].id == 7);
        CHECK_STR(back[0].date_start, "2024-06-21");
        CHECK(back[1].id == 8);
        CHECK_STR(back[1].date_end, "2024-02-29");
        /* a date without a range: the days it means */
        CHECK(back[2].id == 9);
        CHECK_STR(back[2].date_start, "2024-06-01");
        CHECK_STR(back[2].date_end, "2024-06-30");
    }
    bm_export_free_incidents(back, nb);

    /* a column of ISO days comes back as text, not OGR's "2024/06/15" */
    path = TMP "/days.geojson";
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
          "\"Feature\",\"properties\":{\"id\":1,\"event_type\":\"arrest\","
          "\"event_date\":\"2024-06-15\",\"time_precision\":\"day\","
          "\"date_start\":\"2024-06-15\",\"date_end\":\"2024-06-15\"},"
          "\"geometry\":{\"type\":\"Point\",\"coordinates\":[129.75,42.44]}}"
          "]}\n",
          f);
    fclose(f);
    rc = bm_export_read_incidents(ctx, path, NULL, 0, &back, &nb, &skipped,
                                  NULL);
    CHECK(rc == BM_OK && nb == 1 && skipped == 0);
    if (nb == 1) {
        CHECK_STR(back[0].date, "2024-06-15");
        CHECK_STR(back[0].date_start, "2024-06-15");
    }
    bm_export_free_incidents(back, nb);
    bm_ctx_clear_warnings(ctx);
}

int main(void)
{
    mkdir(BM_TEST_TMP, 0755);
    mkdir(TMP, 0755);
    remove_files(TMP);

    bm_ctx *ctx = bm_ctx_new(BM_TEST_DATA_DIR);
    CHECK(ctx != NULL);
    if (!ctx)
        return bm_test_done();

    test_formats();
    bm_store *st = make_store(ctx);
    if (st) {
        test_export(ctx, st);
        test_read_exports(ctx);
        test_failures(ctx, st);
        test_list_and_read(ctx, st);
        bm_store_free(st);
    }
    test_read_layer(ctx);
    test_ranges(ctx);
    test_redact_fields(ctx);
    test_bad_ranges(ctx);

    bm_ctx_free(ctx);
    return bm_test_done();
}
