/*
 * export.c - the GDAL/OGR boundary: incidents out to GeoJSON, GeoPackage,
 * KML and CSV; basemap layers in as bm_layers. The only file in bordermap
 * that includes GDAL headers. See bm_export.h for the contract.
 *
 * Every GDAL call in the public functions runs under a pushed error handler
 * that keeps GDAL's last message, so nothing reaches stderr and a failure is
 * reported once, as "<path>: <what>: <gdal message>".
 */
#include "bm_export.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* ---- GDAL set-up and error capture ------------------------------------- */

static pthread_once_t register_once = PTHREAD_ONCE_INIT;

static void register_drivers(void)
{
    GDALAllRegister();
}

static void ensure_registered(void)
{
    pthread_once(&register_once, register_drivers);
}

/* What the pushed handler saw: the last failure (or, when there was none,
 * the last warning), with trailing white space removed. */
typedef struct gdal_errors {
    char msg[1024];
    int failed;   /* a CE_Failure/CE_Fatal was seen */
    int have;     /* msg holds something */
} gdal_errors;

static void CPL_STDCALL capture_error(CPLErr cls, CPLErrorNum num,
                                      const char *msg)
{
    (void)num;
    gdal_errors *e = CPLGetErrorHandlerUserData();
    if (!e || !msg)
        return;
    int failure = cls == CE_Failure || cls == CE_Fatal;
    if (cls == CE_Debug || cls == CE_None)
        return;
    /* A failure always replaces; a warning only fills an empty slot or
     * replaces an earlier warning. */
    if (!failure && e->failed)
        return;
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    size_t n = strlen(e->msg);
    while (n > 0 && (e->msg[n - 1] == '\n' || e->msg[n - 1] == ' ' ||
                     e->msg[n - 1] == '\r'))
        e->msg[--n] = '\0';
    e->have = 1;
    if (failure)
        e->failed = 1;
}

static void errors_begin(gdal_errors *e)
{
    memset(e, 0, sizeof *e);
    ensure_registered();
    CPLPushErrorHandlerEx(capture_error, e);
    CPLErrorReset();
}

static void errors_end(void)
{
    CPLPopErrorHandler();
}

/* Records "<path>: <what>: <gdal message>" (without the last part when GDAL
 * said nothing) and returns st. */
static bm_status gdal_fail(bm_ctx *ctx, bm_status st, const gdal_errors *e,
                           const char *path, const char *what)
{
    if (e && e->have)
        return bm_ctx_fail(ctx, st, "%s: %s: %s", path, what, e->msg);
    return bm_ctx_fail(ctx, st, "%s: %s", path, what);
}

/* ---- formats ------------------------------------------------------------ */

typedef struct export_format {
    const char *name;      /* as accepted, canonical spelling */
    const char *ext;       /* extension for temp files */
} export_format;

enum { FMT_GEOJSON, FMT_GPKG, FMT_KML, FMT_CSV, FMT_COUNT };

static const export_format formats[FMT_COUNT] = {
    [FMT_GEOJSON] = {"GeoJSON", ".geojson"},
    [FMT_GPKG] = {"GPKG", ".gpkg"},
    [FMT_KML] = {"KML", ".kml"},
    [FMT_CSV] = {"CSV", ".csv"},
};

#define ACCEPTED_FORMATS "GeoJSON, GPKG, KML, CSV"

static int format_index(const char *format)
{
    if (!format)
        return -1;
    for (int i = 0; i < FMT_COUNT; i++)
        if (strcasecmp(format, formats[i].name) == 0)
            return i;
    if (strcasecmp(format, "GeoPackage") == 0)
        return FMT_GPKG;
    return -1;
}

/* KML goes through LIBKML when GDAL was built with it (typed schema, UTF-8
 * throughout), else through the plain KML driver. */
static const char *kml_driver(void)
{
    ensure_registered();
    return GDALGetDriverByName("LIBKML") ? "LIBKML" : "KML";
}

const char *bm_export_driver(const char *format)
{
    switch (format_index(format)) {
    case FMT_GEOJSON: return "GeoJSON";
    case FMT_GPKG: return "GPKG";
    case FMT_KML: return kml_driver();
    case FMT_CSV: return "CSV";
    default: return NULL;
    }
}

const char *bm_export_format_for_path(const char *path)
{
    if (!path)
        return NULL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return NULL;
    dot++;
    if (strcasecmp(dot, "geojson") == 0 || strcasecmp(dot, "json") == 0)
        return formats[FMT_GEOJSON].name;
    if (strcasecmp(dot, "gpkg") == 0)
        return formats[FMT_GPKG].name;
    if (strcasecmp(dot, "kml") == 0)
        return formats[FMT_KML].name;
    if (strcasecmp(dot, "csv") == 0)
        return formats[FMT_CSV].name;
    return NULL;
}

/* ---- export ------------------------------------------------------------- */

typedef struct field_def {
    const char *name;
    OGRFieldType type;
} field_def;

/* The order is the column order of CSV and the attribute table. */
enum {
    F_ID, F_REPORT_ID, F_REPORT_TITLE, F_REPORT_PATH, F_TYPE, F_DATE,
    F_DATE_PRECISION, F_ACTOR, F_PLACE_NAME, F_PLACE_ID, F_SURFACE,
    F_PRECISION, F_SENTENCE, F_LON, F_LAT, F_COUNT
};

static const field_def fields[F_COUNT] = {
    [F_ID] = {"id", OFTInteger64},
    [F_REPORT_ID] = {"report_id", OFTInteger64},
    [F_REPORT_TITLE] = {"report_title", OFTString},
    [F_REPORT_PATH] = {"report_path", OFTString},
    [F_TYPE] = {"type", OFTString},
    [F_DATE] = {"date", OFTString},
    [F_DATE_PRECISION] = {"date_precision", OFTString},
    [F_ACTOR] = {"actor", OFTString},
    [F_PLACE_NAME] = {"place_name", OFTString},
    [F_PLACE_ID] = {"place_id", OFTString},
    [F_SURFACE] = {"surface", OFTString},
    [F_PRECISION] = {"precision", OFTString},
    [F_SENTENCE] = {"sentence", OFTString},
    [F_LON] = {"lon", OFTReal},
    [F_LAT] = {"lat", OFTReal},
};

typedef struct export_job {
    bm_ctx *ctx;
    const char *path;      /* the destination, for messages */
    gdal_errors *errs;
    OGRLayerH layer;
    int field_index[F_COUNT];
    size_t written, total;
    bm_status st;          /* first failure inside the visitor */
} export_job;

static void set_string(OGRFeatureH f, int idx, const char *s)
{
    if (idx < 0)
        return;
    if (s)
        OGR_F_SetFieldString(f, idx, s);
    else
        OGR_F_SetFieldNull(f, idx);
}

static int write_incident(void *user, const bm_incident *inc)
{
    export_job *job = user;
    const int *ix = job->field_index;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(job->layer));
    if (!f) {
        job->st = gdal_fail(job->ctx, BM_ERR_GDAL, job->errs, job->path,
                            "cannot create a feature");
        return 1;
    }
    OGR_F_SetFieldInteger64(f, ix[F_ID], (GIntBig)inc->id);
    OGR_F_SetFieldInteger64(f, ix[F_REPORT_ID], (GIntBig)inc->report_id);
    set_string(f, ix[F_REPORT_TITLE], inc->report_title);
    set_string(f, ix[F_REPORT_PATH], inc->report_path);
    set_string(f, ix[F_TYPE], inc->type);
    set_string(f, ix[F_DATE], inc->date);
    set_string(f, ix[F_DATE_PRECISION],
               inc->date_precision == BM_DATE_NONE
                   ? NULL
                   : bm_date_precision_name(inc->date_precision));
    set_string(f, ix[F_ACTOR], inc->actor);
    set_string(f, ix[F_PLACE_NAME], inc->place_name);
    set_string(f, ix[F_PLACE_ID], inc->place_id);
    set_string(f, ix[F_SURFACE], inc->surface);
    set_string(f, ix[F_PRECISION], bm_precision_name(inc->precision));
    set_string(f, ix[F_SENTENCE], inc->sentence);
    OGR_F_SetFieldDouble(f, ix[F_LON], inc->lon);
    OGR_F_SetFieldDouble(f, ix[F_LAT], inc->lat);

    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
    if (!pt) {
        OGR_F_Destroy(f);
        job->st = gdal_fail(job->ctx, BM_ERR_GDAL, job->errs, job->path,
                            "cannot create a point");
        return 1;
    }
    OGR_G_SetPoint_2D(pt, 0, inc->lon, inc->lat);
    OGR_F_SetGeometryDirectly(f, pt);

    OGRErr err = OGR_L_CreateFeature(job->layer, f);
    OGR_F_Destroy(f);
    if (err != OGRERR_NONE) {
        char what[96];
        snprintf(what, sizeof what, "cannot write incident %lld",
                 (long long)inc->id);
        job->st = gdal_fail(job->ctx, BM_ERR_GDAL, job->errs, job->path, what);
        return 1;
    }
    job->written++;
    bm_ctx_progress(job->ctx, "export", job->written, job->total, job->path);
    return 0;
}

/* Removes the temp file and whatever a driver may have left beside it. */
static void remove_temp(const char *tmp)
{
    static const char *const sidecars[] = {"-journal", "-wal", "-shm"};
    unlink(tmp);
    for (size_t i = 0; i < sizeof sidecars / sizeof *sidecars; i++) {
        char side[4096];
        if ((size_t)snprintf(side, sizeof side, "%s%s", tmp, sidecars[i]) <
            sizeof side)
            unlink(side);
    }
}

/* Makes a fresh, unused name "<path>.tmp-XXXXXX<ext>" in the destination
 * folder. The file is created (to claim the name) then removed, because
 * some drivers (CSV) refuse to create over an existing file. */
static bm_status make_temp_name(bm_ctx *ctx, const char *path, const char *ext,
                                char **out)
{
    bm_buf b = {0};
    if (bm_buf_printf(&b, "%s.tmp-XXXXXX%s", path, ext) != BM_OK) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    }
    int fd = mkstemps(b.data, (int)strlen(ext));
    if (fd < 0) {
        int e = errno;
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot write beside it: %s",
                           path, strerror(e));
    }
    close(fd);
    unlink(b.data);
    *out = bm_buf_take(&b);
    return BM_OK;
}

/* Writes the dataset at tmp. On failure the caller removes tmp. */
static bm_status write_dataset(bm_ctx *ctx, bm_store *st, const char *path,
                               const char *tmp, int fmt, gdal_errors *errs,
                               size_t *written)
{
    const char *drv_name = bm_export_driver(formats[fmt].name);
    GDALDriverH drv = GDALGetDriverByName(drv_name);
    if (!drv) {
        char what[128];
        snprintf(what, sizeof what, "GDAL has no %s driver", drv_name);
        return bm_ctx_fail(ctx, BM_ERR_GDAL, "%s: %s", path, what);
    }

    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                         "cannot create the file");

    bm_status rc = BM_OK;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char **lco = NULL;
    int in_transaction = 0;

    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                       "cannot set up EPSG:4326");
        goto done;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);

    if (fmt == FMT_GEOJSON)
        lco = CSLSetNameValue(lco, "RFC7946", "YES");
    else if (fmt == FMT_CSV) {
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_XY");
        /* Quote only values that need it (by default GDAL also quotes the
         * Integer64 ids, as if they were strings). */
        lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
    }

    OGRLayerH layer = GDALDatasetCreateLayer(ds, "incidents", srs, wkbPoint,
                                             lco);
    if (!layer) {
        rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                       "cannot create layer 'incidents'");
        goto done;
    }

    export_job job = {.ctx = ctx, .path = path, .errs = errs, .layer = layer};
    for (int i = 0; i < F_COUNT; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            char what[96];
            snprintf(what, sizeof what, "cannot create field '%s'",
                     fields[i].name);
            rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path, what);
            goto done;
        }
    }
    /* Drivers may rename fields (launder); look them up as written. */
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int i = 0; i < F_COUNT; i++) {
        job.field_index[i] = OGR_FD_GetFieldIndex(defn, fields[i].name);
        if (job.field_index[i] < 0)
            job.field_index[i] = i;
    }

    size_t nreports = 0, nincidents = 0;
    if (bm_store_count(st, &nreports, &nincidents) == BM_OK)
        job.total = nincidents;

    if (GDALDatasetTestCapability(ds, ODsCTransactions)) {
        if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
            rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                           "cannot start a transaction");
            goto done;
        }
        in_transaction = 1;
    }

    rc = bm_store_each_incident(st, write_incident, &job);
    if (rc == BM_OK && job.st != BM_OK)
        rc = job.st;
    if (rc != BM_OK)
        goto done;

    if (in_transaction) {
        in_transaction = 0;
        if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
            rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                           "cannot commit the features");
            goto done;
        }
    }
    if (written)
        *written = job.written;

done:
    if (in_transaction)
        GDALDatasetRollbackTransaction(ds);
    CSLDestroy(lco);
    if (srs)
        OSRDestroySpatialReference(srs);
    /* Closing flushes (GeoJSON, KML and CSV write much of the file here);
     * a failure while closing counts. */
    int failed_before = errs->failed;
    GDALClose(ds);
    if (rc == BM_OK && !failed_before && errs->failed)
        rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path, "cannot finish the file");
    return rc;
}

bm_status bm_export_incidents(bm_ctx *ctx, bm_store *st, const char *path,
                              const char *format, size_t *written)
{
    if (written)
        *written = 0;
    if (!st || !path || !*path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "export: a store and an output path are needed");
    if (!format) {
        format = bm_export_format_for_path(path);
        if (!format)
            return bm_ctx_fail(ctx, BM_ERR_USAGE,
                               "%s: cannot tell the export format from the "
                               "file name (accepted: " ACCEPTED_FORMATS ")",
                               path);
    }
    int fmt = format_index(format);
    if (fmt < 0)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "unknown export format '%s' (accepted: "
                           ACCEPTED_FORMATS ")", format);

    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: is a folder", path);

    char *tmp = NULL;
    bm_status rc = make_temp_name(ctx, path, formats[fmt].ext, &tmp);
    if (rc != BM_OK)
        return rc;

    gdal_errors errs;
    errors_begin(&errs);
    size_t n = 0;
    rc = write_dataset(ctx, st, path, tmp, fmt, &errs, &n);
    errors_end();

    if (rc == BM_OK && rename(tmp, path) != 0) {
        int e = errno;
        rc = bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot move %s into place: %s",
                         path, tmp, strerror(e));
    }
    if (rc != BM_OK)
        remove_temp(tmp);
    else if (written)
        *written = n;
    free(tmp);
    return rc;
}

/* ---- reading layers ----------------------------------------------------- */

typedef struct read_job {
    bm_ctx *ctx;
    bm_layer *layer;
    size_t feature;
    bm_status st;
    double *xy;        /* scratch for one part */
    size_t cap;
} read_job;

static bm_status add_curve(read_job *job, OGRGeometryH g, int hole)
{
    int n = OGR_G_GetPointCount(g);
    if (n <= 0)
        return BM_OK;
    if ((size_t)n > job->cap) {
        double *nxy = realloc(job->xy, (size_t)n * 2 * sizeof *nxy);
        if (!nxy)
            return bm_ctx_fail(job->ctx, BM_ERR_NOMEM, "out of memory");
        job->xy = nxy;
        job->cap = (size_t)n;
    }
    OGR_G_GetPoints(g, job->xy, 2 * (int)sizeof(double), job->xy + 1,
                    2 * (int)sizeof(double), NULL, 0);
    return bm_layer_add_part(job->layer, job->xy, (size_t)n, job->feature,
                             hole);
}

/* Adds the parts of g that fit the layer's kind: points to point layers,
 * lines to line layers, polygon rings to polygon layers (and, as outlines,
 * to line layers). Collections are walked. */
static bm_status add_geometry(read_job *job, OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    bm_geom_kind kind = job->layer->kind;
    bm_status rc = BM_OK;

    if (OGR_GT_IsNonLinear(t)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (!lin)
            return BM_OK;
        rc = add_geometry(job, lin);
        OGR_G_DestroyGeometry(lin);
        return rc;
    }
    switch (t) {
    case wkbPoint:
        if (kind == BM_GEOM_POINT && !OGR_G_IsEmpty(g)) {
            double xy[2] = {OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)};
            rc = bm_layer_add_part(job->layer, xy, 1, job->feature, 0);
        }
        break;
    case wkbLineString:
    case wkbLinearRing:
        if (kind == BM_GEOM_LINE)
            rc = add_curve(job, g, 0);
        break;
    case wkbPolygon:
    case wkbTriangle:
        if (kind == BM_GEOM_POLYGON || kind == BM_GEOM_LINE) {
            int nr = OGR_G_GetGeometryCount(g);
            for (int i = 0; i < nr && rc == BM_OK; i++)
                rc = add_curve(job, OGR_G_GetGeometryRef(g, i),
                               kind == BM_GEOM_POLYGON && i > 0);
        }
        break;
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
    case wkbPolyhedralSurface:
    case wkbTIN: {
        int n = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < n && rc == BM_OK; i++)
            rc = add_geometry(job, OGR_G_GetGeometryRef(g, i));
        break;
    }
    default:
        break;
    }
    return rc;
}

static int kind_of_type(OGRwkbGeometryType t, bm_geom_kind *kind)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint:
        *kind = BM_GEOM_POINT;
        return 1;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        *kind = BM_GEOM_LINE;
        return 1;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
    case wkbTriangle:
    case wkbTIN:
    case wkbPolyhedralSurface:
        *kind = BM_GEOM_POLYGON;
        return 1;
    default:
        return 0;
    }
}

/* The kind of a layer declared as generic geometry: that of its first
 * feature with a geometry. */
static bm_geom_kind sniff_kind(OGRLayerH layer)
{
    bm_geom_kind kind = BM_GEOM_POLYGON;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        int found = 0;
        while (g && !found) {
            OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
            if (kind_of_type(t, &kind))
                found = 1;
            else if (t == wkbGeometryCollection &&
                     OGR_G_GetGeometryCount(g) > 0)
                g = OGR_G_GetGeometryRef(g, 0);
            else
                g = NULL;
        }
        OGR_F_Destroy(f);
        if (found)
            break;
    }
    OGR_L_ResetReading(layer);
    return kind;
}

/* A transformation from the layer's CRS to (lon, lat) WGS 84, or NULL when
 * the layer is in WGS 84 degrees already or has no CRS. */
static OGRCoordinateTransformationH to_wgs84(OGRSpatialReferenceH layer_srs,
                                             OGRSpatialReferenceH *wgs84_out)
{
    *wgs84_out = NULL;
    if (!layer_srs)
        return NULL;
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
    if (!wgs84)
        return NULL;
    if (OSRImportFromEPSG(wgs84, 4326) != OGRERR_NONE) {
        OSRDestroySpatialReference(wgs84);
        return NULL;
    }
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    const char *same_opts[] = {"CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                               NULL};
    /* Same CRS and data stored as (lon, lat): nothing to do. */
    int nmap = 0;
    const int *map = OSRGetDataAxisToSRSAxisMapping(layer_srs, &nmap);
    int lonlat_data = OSRIsGeographic(layer_srs) && nmap >= 2 && map &&
                      ((OSREPSGTreatsAsLatLong(layer_srs) && map[0] == 2) ||
                       (!OSREPSGTreatsAsLatLong(layer_srs) && map[0] == 1));
    if (lonlat_data && OSRIsSameEx(layer_srs, wgs84, same_opts)) {
        OSRDestroySpatialReference(wgs84);
        return NULL;
    }
    OGRCoordinateTransformationH ct =
        OCTNewCoordinateTransformation(layer_srs, wgs84);
    if (!ct) {
        OSRDestroySpatialReference(wgs84);
        return NULL;
    }
    *wgs84_out = wgs84;
    return ct;
}

bm_status bm_export_read_layer(bm_ctx *ctx, const char *path,
                               const char *layer_name, const char *name_field,
                               const char *rank_field, double min_lon,
                               double min_lat, double max_lon, double max_lat,
                               bm_layer **out)
{
    *out = NULL;
    if (!path || !layer_name)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "read layer: a file and a layer name are needed");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: is a folder", path);

    gdal_errors errs;
    errors_begin(&errs);
    bm_status rc = BM_OK;
    OGRCoordinateTransformationH ct = NULL, ct_back = NULL;
    OGRSpatialReferenceH wgs84 = NULL;
    read_job job = {.ctx = ctx};

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    if (!ds) {
        rc = gdal_fail(ctx, BM_ERR_GDAL, &errs, path,
                       "cannot open as a vector dataset");
        goto done;
    }
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, layer_name);
    if (!layer) {
        bm_buf names = {0};
        int n = GDALDatasetGetLayerCount(ds);
        for (int i = 0; i < n && i < 40; i++)
            bm_buf_printf(&names, "%s%s", i ? ", " : "",
                          OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        rc = bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                         "%s: no layer '%s' (layers: %s)", path, layer_name,
                         names.data ? names.data : "none");
        bm_buf_free(&names);
        goto done;
    }

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int name_idx = -1, rank_idx = -1;
    if (name_field && *name_field) {
        name_idx = OGR_FD_GetFieldIndex(defn, name_field);
        if (name_idx < 0)
            bm_ctx_warn(ctx, "%s: layer '%s' has no field '%s' for names",
                        path, layer_name, name_field);
    }
    if (rank_field && *rank_field) {
        rank_idx = OGR_FD_GetFieldIndex(defn, rank_field);
        if (rank_idx < 0)
            bm_ctx_warn(ctx, "%s: layer '%s' has no field '%s' for ranks",
                        path, layer_name, rank_field);
    }

    bm_geom_kind kind;
    if (!kind_of_type(OGR_L_GetGeomType(layer), &kind))
        kind = sniff_kind(layer);

    ct = to_wgs84(OGR_L_GetSpatialRef(layer), &wgs84);

    if (!isnan(min_lon) && !isnan(min_lat) && !isnan(max_lon) &&
        !isnan(max_lat)) {
        double x0 = min_lon, y0 = min_lat, x1 = max_lon, y1 = max_lat;
        int ok = 1;
        if (ct) {
            ct_back = OCTNewCoordinateTransformation(
                wgs84, OGR_L_GetSpatialRef(layer));
            ok = ct_back && OCTTransformBounds(ct_back, min_lon, min_lat,
                                               max_lon, max_lat, &x0, &y0,
                                               &x1, &y1, 21);
        }
        if (ok)
            OGR_L_SetSpatialFilterRect(layer, x0, y0, x1, y1);
        else
            bm_ctx_warn(ctx, "%s: layer '%s': cannot clip to the box; "
                        "reading all of it", path, layer_name);
    }

    job.layer = bm_layer_new(layer_name, kind);
    if (!job.layer) {
        rc = bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
        goto done;
    }

    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while (rc == BM_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!g || OGR_G_IsEmpty(g)) {
            OGR_F_Destroy(f);
            continue;
        }
        OGRGeometryH owned = NULL;
        if (ct) {
            owned = OGR_G_Clone(g);
            if (!owned || OGR_G_Transform(owned, ct) != OGRERR_NONE) {
                if (owned)
                    OGR_G_DestroyGeometry(owned);
                OGR_F_Destroy(f);
                rc = gdal_fail(ctx, BM_ERR_GDAL, &errs, path,
                               "cannot convert to WGS 84");
                break;
            }
            g = owned;
        }
        const char *name = NULL;
        if (name_idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, name_idx)) {
            name = OGR_F_GetFieldAsString(f, name_idx);
            if (name && !*name)
                name = NULL;
        }
        double rank = 0;
        if (rank_idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, rank_idx))
            rank = OGR_F_GetFieldAsDouble(f, rank_idx);

        rc = bm_layer_add_feature(job.layer, name, rank, &job.feature);
        if (rc == BM_OK)
            rc = add_geometry(&job, g);
        if (rc != BM_OK)
            bm_ctx_fail(ctx, rc, "%s: layer '%s': cannot store feature %zu: %s",
                        path, layer_name, job.layer->nfeatures,
                        bm_status_name(rc));
        if (owned)
            OGR_G_DestroyGeometry(owned);
        OGR_F_Destroy(f);
    }
    if (rc == BM_OK && errs.failed)
        rc = gdal_fail(ctx, BM_ERR_GDAL, &errs, path, "cannot read the layer");

done:
    free(job.xy);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (ct_back)
        OCTDestroyCoordinateTransformation(ct_back);
    if (wgs84)
        OSRDestroySpatialReference(wgs84);
    if (ds)
        GDALClose(ds);
    errors_end();
    if (rc != BM_OK) {
        bm_layer_free(job.layer);
        return rc;
    }
    *out = job.layer;
    return BM_OK;
}

/* ---- plugin entry ------------------------------------------------------------ */

const bm_export_api *bm_export_plugin_api(void)
{
    static const bm_export_api api = {
        BM_EXPORT_API_VERSION, bm_export_driver, bm_export_format_for_path,
        bm_export_incidents, bm_export_read_layer};
    return &api;
}
