/*
 * test_export.c - bm_export: incidents out to GeoJSON, GPKG, CSV and KML
 * (read back with OGR), failure handling, and reading basemap layers.
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

    bm_ctx_free(ctx);
    return bm_test_done();
}
