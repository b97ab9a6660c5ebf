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
#include <fcntl.h>
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

enum { FMT_GEOJSON, FMT_GPKG, FMT_KML, FMT_CSV, FMT_FGB, FMT_SHP,
       FMT_COUNT };

static const export_format formats[FMT_COUNT] = {
    [FMT_GEOJSON] = {"GeoJSON", ".geojson"},
    [FMT_GPKG] = {"GPKG", ".gpkg"},
    [FMT_KML] = {"KML", ".kml"},
    [FMT_CSV] = {"CSV", ".csv"},
    [FMT_FGB] = {"FlatGeobuf", ".fgb"},
    [FMT_SHP] = {"ESRI Shapefile", ".shp"},
};

#define ACCEPTED_FORMATS \
    "GeoJSON, GPKG, KML, CSV, FlatGeobuf, \"ESRI Shapefile\""

/* The files a shapefile is made of, beside the .shp. */
static const char *const shp_sidecars[] = {".shx", ".dbf", ".prj", ".cpg"};
#define N_SHP_SIDECARS (sizeof shp_sidecars / sizeof *shp_sidecars)

static int format_index(const char *format)
{
    if (!format)
        return -1;
    for (int i = 0; i < FMT_COUNT; i++)
        if (strcasecmp(format, formats[i].name) == 0)
            return i;
    if (strcasecmp(format, "GeoPackage") == 0)
        return FMT_GPKG;
    if (strcasecmp(format, "FGB") == 0)
        return FMT_FGB;
    if (strcasecmp(format, "SHP") == 0)
        return FMT_SHP;
    return -1;
}

/* KML is written by GDAL's plain KML driver, which streams placemarks
 * (with a typed <Schema> and ExtendedData, UTF-8). LIBKML builds the whole
 * document in memory and its writer grows quadratically with the
 * placemarks: with GDAL 3.6, 10,000 incidents took 3 min 49 s through
 * LIBKML and 0.5 s through KML. */
static const char *kml_driver(void)
{
    return "KML";
}

const char *bm_export_driver(const char *format)
{
    switch (format_index(format)) {
    case FMT_GEOJSON: return "GeoJSON";
    case FMT_GPKG: return "GPKG";
    case FMT_KML: return kml_driver();
    case FMT_CSV: return "CSV";
    case FMT_FGB: return "FlatGeobuf";
    case FMT_SHP: return "ESRI Shapefile";
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
    if (strcasecmp(dot, "fgb") == 0)
        return formats[FMT_FGB].name;
    if (strcasecmp(dot, "shp") == 0)
        return formats[FMT_SHP].name;
    return NULL;
}

/* ---- export ------------------------------------------------------------- */

typedef struct field_def {
    const char *name;
    const char *short_name; /* for shapefiles (dBase names are <= 10 bytes) */
    OGRFieldType type;
    int redacted;           /* left out by --redact */
} field_def;

/* The order is the column order of CSV and the attribute table. Dates stay
 * ISO text ("2024-01-07", "2024-01", "2024"): a field has one type, and an
 * OFTDate cannot hold a month or a year without inventing a day; the range
 * (date_start, date_end) is days, but text too, so that every format
 * writes and reads it alike. */
static const field_def fields[BM_EXPORT_F_COUNT] = {
    [BM_EXPORT_F_ID] = {"id", "id", OFTInteger64, 0},
    [BM_EXPORT_F_EVENT_TYPE] = {"event_type", "event_type", OFTString, 0},
    [BM_EXPORT_F_EVENT_DATE] = {"event_date", "event_date", OFTString, 0},
    [BM_EXPORT_F_TIME_PRECISION] = {"time_precision", "time_prec", OFTString,
                                    0},
    [BM_EXPORT_F_DATE_START] = {"date_start", "date_start", OFTString, 0},
    [BM_EXPORT_F_DATE_END] = {"date_end", "date_end", OFTString, 0},
    [BM_EXPORT_F_PLACE] = {"place", "place", OFTString, 0},
    [BM_EXPORT_F_PLACE_ID] = {"place_id", "place_id", OFTString, 0},
    [BM_EXPORT_F_ADMIN1] = {"admin1", "admin1", OFTString, 0},
    [BM_EXPORT_F_ADMIN2] = {"admin2", "admin2", OFTString, 0},
    [BM_EXPORT_F_COUNTRY] = {"country", "country", OFTString, 0},
    [BM_EXPORT_F_GEO_PRECISION] = {"geo_precision", "geo_prec", OFTString, 0},
    [BM_EXPORT_F_ACTORS] = {"actors", "actors", OFTString, 0},
    [BM_EXPORT_F_EVIDENCE] = {"evidence", "evidence", OFTString, 1},
    [BM_EXPORT_F_EVIDENCE_MORE] = {"evidence_more", "evid_more", OFTString,
                                   1},
    [BM_EXPORT_F_REPORT_TITLE] = {"report_title", "rep_title", OFTString, 1},
    [BM_EXPORT_F_OUTLET] = {"outlet", "outlet", OFTString, 1},
    [BM_EXPORT_F_URL] = {"url", "url", OFTString, 1},
    [BM_EXPORT_F_CONFIDENCE] = {"confidence", "confidence", OFTReal, 0},
    [BM_EXPORT_F_STATUS] = {"status", "status", OFTString, 0},
    [BM_EXPORT_F_IS_MAIN] = {"is_main", "is_main", OFTInteger, 0},
};

typedef struct export_job {
    bm_ctx *ctx;
    const char *path;      /* the destination, for messages */
    gdal_errors *errs;
    OGRLayerH layer;
    int field_index[BM_EXPORT_F_COUNT]; /* -1: not written */
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
    if (ix[BM_EXPORT_F_ID] >= 0)
        OGR_F_SetFieldInteger64(f, ix[BM_EXPORT_F_ID], (GIntBig)inc->id);
    set_string(f, ix[BM_EXPORT_F_EVENT_TYPE], inc->type);
    set_string(f, ix[BM_EXPORT_F_EVENT_DATE], inc->date);
    set_string(f, ix[BM_EXPORT_F_TIME_PRECISION],
               inc->date_precision == BM_DATE_NONE
                   ? NULL
                   : bm_date_precision_name(inc->date_precision));
    char start[11], end[11];
    bm_incident_range(inc, start, end);
    set_string(f, ix[BM_EXPORT_F_DATE_START], start[0] ? start : NULL);
    set_string(f, ix[BM_EXPORT_F_DATE_END], end[0] ? end : NULL);
    set_string(f, ix[BM_EXPORT_F_PLACE], inc->place_name);
    set_string(f, ix[BM_EXPORT_F_PLACE_ID], inc->place_id);
    set_string(f, ix[BM_EXPORT_F_ADMIN1], inc->admin1);
    set_string(f, ix[BM_EXPORT_F_ADMIN2], inc->admin2);
    set_string(f, ix[BM_EXPORT_F_COUNTRY], inc->country);
    set_string(f, ix[BM_EXPORT_F_GEO_PRECISION],
               bm_precision_name(inc->precision));
    set_string(f, ix[BM_EXPORT_F_ACTORS], inc->actor);
    set_string(f, ix[BM_EXPORT_F_EVIDENCE], inc->sentence);
    set_string(f, ix[BM_EXPORT_F_EVIDENCE_MORE], inc->evidence_more);
    set_string(f, ix[BM_EXPORT_F_REPORT_TITLE], inc->report_title);
    set_string(f, ix[BM_EXPORT_F_OUTLET], inc->report_source);
    set_string(f, ix[BM_EXPORT_F_URL], inc->report_url);
    if (ix[BM_EXPORT_F_CONFIDENCE] >= 0)
        OGR_F_SetFieldDouble(f, ix[BM_EXPORT_F_CONFIDENCE], inc->confidence);
    set_string(f, ix[BM_EXPORT_F_STATUS],
               bm_incident_status_name(inc->status));
    if (ix[BM_EXPORT_F_IS_MAIN] >= 0)
        OGR_F_SetFieldInteger(f, ix[BM_EXPORT_F_IS_MAIN], inc->is_main ? 1 : 0);

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
    size_t len = strlen(tmp);
    if (len > 4 && strcmp(tmp + len - 4, ".shp") == 0) {
        for (size_t i = 0; i < N_SHP_SIDECARS; i++) {
            char side[4096];
            if ((size_t)snprintf(side, sizeof side, "%.*s%s", (int)(len - 4),
                                 tmp, shp_sidecars[i]) < sizeof side)
                unlink(side);
        }
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

/* The fields --redact leaves out, in column order: list "a,b,c" and text
 * "a, b and c". */
static void redacted_fields(char *list, size_t list_size, char *text,
                            size_t text_size)
{
    size_t n = 0, k = 0;
    for (int i = 0; i < BM_EXPORT_F_COUNT; i++)
        n += fields[i].redacted != 0;
    list[0] = text[0] = '\0';
    for (int i = 0; i < BM_EXPORT_F_COUNT; i++) {
        if (!fields[i].redacted)
            continue;
        size_t ll = strlen(list), tl = strlen(text);
        snprintf(list + ll, list_size - ll, "%s%s", k ? "," : "",
                 fields[i].name);
        snprintf(text + tl, text_size - tl, "%s%s",
                 k == 0 ? "" : k + 1 == n ? " and " : ", ", fields[i].name);
        k++;
    }
}

/* Writes the dataset at tmp. On failure the caller removes tmp. */
static bm_status write_dataset(bm_ctx *ctx, const bm_incident *items,
                               size_t nitems, const char *path,
                               const char *tmp, int fmt,
                               const bm_export_opts *opts, gdal_errors *errs,
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

    int redact = opts && opts->redact;
    /* the redacted fields, named from the table: "evidence,...,url" for
     * the metadata, "evidence, ... and url" for the description */
    char redacted_list[160] = "", redacted_text[192] = "";
    redacted_fields(redacted_list, sizeof redacted_list, redacted_text,
                    sizeof redacted_text);
    char description[256];
    if (redact)
        snprintf(description, sizeof description,
                 "bordermap incidents; BORDERMAP_REDACTED=YES: %s left out",
                 redacted_text);
    else
        snprintf(description, sizeof description, "bordermap incidents");
    if (fmt == FMT_GEOJSON) {
        lco = CSLSetNameValue(lco, "RFC7946", "YES");
        lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", "7");
        lco = CSLSetNameValue(lco, "DESCRIPTION", description);
    } else if (fmt == FMT_GPKG) {
        lco = CSLSetNameValue(lco, "DESCRIPTION", description);
    } else if (fmt == FMT_SHP) {
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    } else if (fmt == FMT_CSV) {
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

    /* Metadata where the driver keeps it (GPKG: gpkg_metadata; GeoJSON
     * keeps only the DESCRIPTION set above). */
    if (fmt == FMT_GPKG) {
        GDALSetMetadataItem((GDALMajorObjectH)layer, "BORDERMAP_REDACTED",
                            redact ? "YES" : "NO", NULL);
        if (redact)
            GDALSetMetadataItem((GDALMajorObjectH)layer,
                                "BORDERMAP_REDACTED_FIELDS", redacted_list,
                                NULL);
    }

    export_job job = {.ctx = ctx, .path = path, .errs = errs, .layer = layer};
    /* a driver's layer may come with fields of its own (KML: Name and
     * Description): ours follow them */
    int before = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(layer));
    for (int i = 0; i < BM_EXPORT_F_COUNT; i++) {
        job.field_index[i] = -1;
        if (redact && fields[i].redacted)
            continue;
        const char *fname =
            fmt == FMT_SHP ? fields[i].short_name : fields[i].name;
        OGRFieldDefnH fd = OGR_Fld_Create(fname, fields[i].type);
        /* is_main is a boolean where the format has one that GIS show as
         * such and that still reads as 0/1 (GeoPackage) */
        if (i == BM_EXPORT_F_IS_MAIN && fmt == FMT_GPKG)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            char what[96];
            snprintf(what, sizeof what, "cannot create field '%s'", fname);
            rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path, what);
            goto done;
        }
    }
    /* Drivers may rename fields (launder); the fields are created in
     * order, so the i-th created is the i-th written, after the driver's
     * own. */
    {
        int k = before;
        for (int i = 0; i < BM_EXPORT_F_COUNT; i++)
            if (!(redact && fields[i].redacted))
                job.field_index[i] = k++;
    }
    job.total = nitems;

    if (GDALDatasetTestCapability(ds, ODsCTransactions)) {
        if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
            rc = gdal_fail(ctx, BM_ERR_GDAL, errs, path,
                           "cannot start a transaction");
            goto done;
        }
        in_transaction = 1;
    }

    for (size_t i = 0; i < nitems && job.st == BM_OK; i++)
        write_incident(&job, &items[i]);
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

/* Moves tmp (and, for a shapefile, its sidecars) to path, with the
 * context's file mode. When the context does not allow replacing, the main
 * file is claimed first (bm_file_commit refuses an existing one) and only
 * then are the sidecars moved beside it. */
static bm_status move_into_place(bm_ctx *ctx, const char *tmp,
                                 const char *path, int fmt)
{
    int replace = bm_ctx_replace(ctx);
    if (!replace) {
        bm_status st = bm_file_commit(ctx, tmp, path);
        if (st != BM_OK)
            return st;
    }
    if (fmt == FMT_SHP) {
        size_t tl = strlen(tmp), pl = strlen(path);
        for (size_t i = 0; i < N_SHP_SIDECARS; i++) {
            char from[4096], to[4096];
            if ((size_t)snprintf(from, sizeof from, "%.*s%s", (int)(tl - 4),
                                 tmp, shp_sidecars[i]) >= sizeof from ||
                (size_t)snprintf(to, sizeof to, "%.*s%s", (int)(pl - 4), path,
                                 shp_sidecars[i]) >= sizeof to)
                return bm_ctx_fail(ctx, BM_ERR_IO, "%s: name too long", path);
            if (access(from, F_OK) != 0) {
                unlink(to); /* no stale sidecar of an earlier export */
                continue;
            }
            (void)chmod(from, bm_ctx_file_mode(ctx));
            if (rename(from, to) != 0) {
                int e = errno;
                return bm_ctx_fail(ctx, BM_ERR_IO,
                                   "%s: cannot move %s into place: %s", path,
                                   from, strerror(e));
            }
        }
    }
    return replace ? bm_file_commit(ctx, tmp, path) : BM_OK;
}

/* Writes n bytes; 0 on failure. */
static int put(FILE *f, const char *s, size_t n)
{
    return n == 0 || fwrite(s, 1, n, f) == n;
}

/* Writes inc's <TimeSpan> (begin left out when the range is open; nothing
 * when undated), followed by what indents the next element. The range is
 * of whole days: begin is its first day's first second, end its last
 * day's last ("2024-06-15T23:59:59"), because readers take a bare date
 * as its midnight (GDAL's LIBKML reader does, and QGIS's time slider then
 * hides a one-day incident on its own day). */
static int put_timespan(FILE *f, const bm_incident *inc)
{
    char start[11], end[11];
    if (!bm_incident_range(inc, start, end))
        return 1;
    if (start[0])
        return fprintf(f, "<TimeSpan><begin>%sT00:00:00</begin>"
                          "<end>%sT23:59:59</end></TimeSpan>\n\t", start,
                       end) > 0;
    return fprintf(f, "<TimeSpan><end>%sT23:59:59</end></TimeSpan>\n\t",
                   end) > 0;
}

/* KML: each placemark gets its incident's range as a <TimeSpan>, for the
 * time sliders of Google Earth and QGIS. GDAL's streaming KML driver has
 * no way to write one (GDAL 3.6: its options are DOCUMENT_ID, NameField,
 * DescriptionField and AltitudeMode; only LIBKML turns begin/end date
 * fields into TimeSpans, and LIBKML's writer is quadratic), so the
 * finished temporary file is read once more, line by line, and copied to
 * a second one: the i-th <Placemark> gets items[i]'s TimeSpan just before
 * its <ExtendedData> (or its point, or its end), which is where KML 2.2
 * puts a Feature's TimePrimitive (after name and description, before
 * ExtendedData and the geometry). The driver escapes text ("<" is
 * "&lt;"), so these tags in the file are always markup. The copy then
 * replaces tmp. Memory: the longest line. */
static bm_status kml_add_timespans(bm_ctx *ctx, const char *path,
                                   const char *tmp, const bm_incident *items,
                                   size_t n)
{
    static const char *const before[] = {"<ExtendedData>", "<Point>",
                                         "</Placemark>"};
    char *copy = NULL;
    bm_status rc = make_temp_name(ctx, path, ".kml", &copy);
    if (rc != BM_OK)
        return rc;
    FILE *in = fopen(tmp, "rb"), *out = NULL;
    int fd = in ? open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)
                : -1;
    if (fd >= 0 && !(out = fdopen(fd, "wb")))
        close(fd);
    if (!in || !out) {
        int e = errno;
        rc = bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot add the TimeSpans: %s",
                         path, strerror(e));
        goto done;
    }
    char *line = NULL;
    size_t cap = 0, placemarks = 0;
    int pending = 0, ok = 1;
    ssize_t len;
    while (ok && (len = getline(&line, &cap, in)) > 0) {
        const char *p = line, *stop = line + len;
        while (ok && p < stop) {
            const char *hit = NULL;
            size_t hit_len = 0;
            if (!pending) {
                hit = strstr(p, "<Placemark>");
                hit_len = hit ? strlen("<Placemark>") : 0;
            } else {
                for (size_t k = 0; k < sizeof before / sizeof *before; k++) {
                    const char *h = strstr(p, before[k]);
                    if (h && (!hit || h < hit))
                        hit = h;
                }
            }
            if (!hit) {
                ok = put(out, p, (size_t)(stop - p));
                break;
            }
            ok = put(out, p, (size_t)(hit - p) + hit_len);
            p = hit + hit_len;
            if (!pending) {
                pending = 1;
                continue;
            }
            if (placemarks < n)
                ok = ok && put_timespan(out, &items[placemarks]);
            placemarks++;
            pending = 0;
        }
    }
    free(line);
    int read_failed = ferror(in);
    int write_failed = !ok || ferror(out);
    int e = errno;
    if (fclose(out) != 0 && !write_failed) {
        write_failed = 1;
        e = errno;
    }
    out = NULL;
    if (read_failed || write_failed) {
        rc = bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot add the TimeSpans: %s",
                         path, strerror(e ? e : EIO));
        goto done;
    }
    if (placemarks != n) {
        rc = bm_ctx_fail(ctx, BM_ERR_GDAL,
                         "%s: cannot add the TimeSpans: the KML driver wrote "
                         "%zu placemarks for %zu incidents", path, placemarks,
                         n);
        goto done;
    }
    if (rename(copy, tmp) != 0) {
        int re = errno;
        rc = bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot add the TimeSpans: %s",
                         path, strerror(re));
    }
done:
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    if (rc != BM_OK)
        unlink(copy);
    free(copy);
    return rc;
}

bm_status bm_export_incident_list(bm_ctx *ctx, const bm_incident *items,
                                  size_t n, const char *path,
                                  const char *format,
                                  const bm_export_opts *opts, size_t *written)
{
    if (written)
        *written = 0;
    if ((!items && n) || !path || !*path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "export: incidents and an output path are needed");
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
    if (fmt == FMT_SHP) {
        size_t len = strlen(path);
        if (len < 5 || strcasecmp(path + len - 4, ".shp") != 0)
            return bm_ctx_fail(ctx, BM_ERR_USAGE,
                               "%s: a shapefile's name must end in .shp",
                               path);
    }

    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: is a folder", path);

    char *tmp = NULL;
    bm_status rc = make_temp_name(ctx, path, formats[fmt].ext, &tmp);
    if (rc != BM_OK)
        return rc;

    gdal_errors errs;
    errors_begin(&errs);
    size_t w = 0;
    rc = write_dataset(ctx, items, n, path, tmp, fmt, opts, &errs, &w);
    errors_end();

    if (rc == BM_OK && fmt == FMT_KML)
        rc = kml_add_timespans(ctx, path, tmp, items, n);
    if (rc == BM_OK)
        rc = move_into_place(ctx, tmp, path, fmt);
    if (rc != BM_OK)
        remove_temp(tmp);
    else if (written)
        *written = w;
    free(tmp);
    return rc;
}

typedef struct collect_job {
    bm_incident *items;
    size_t n, cap;
    bm_status st;
} collect_job;

static int collect_incident(void *user, const bm_incident *inc)
{
    collect_job *c = user;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        bm_incident *ni = realloc(c->items, cap * sizeof *ni);
        if (!ni) {
            c->st = BM_ERR_NOMEM;
            return 1;
        }
        c->items = ni;
        c->cap = cap;
    }
    memset(&c->items[c->n], 0, sizeof c->items[c->n]);
    if (bm_incident_copy(&c->items[c->n], inc) != BM_OK) {
        bm_incident_clear(&c->items[c->n]);
        c->st = BM_ERR_NOMEM;
        return 1;
    }
    c->n++;
    return 0;
}

bm_status bm_export_incidents(bm_ctx *ctx, bm_store *st, const char *path,
                              const char *format, size_t *written)
{
    if (written)
        *written = 0;
    if (!st || !path || !*path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "export: a store and an output path are needed");
    collect_job c = {0};
    bm_status rc = bm_store_each_incident(st, collect_incident, &c);
    if (rc == BM_OK && c.st != BM_OK)
        rc = bm_ctx_fail(ctx, c.st, "%s: out of memory", path);
    if (rc == BM_OK)
        rc = bm_export_incident_list(ctx, c.items, c.n, path, format, NULL,
                                     written);
    for (size_t i = 0; i < c.n; i++)
        bm_incident_clear(&c.items[i]);
    free(c.items);
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

/* The file to read exists and is not a folder. A GDAL virtual file
 * (/vsimem/, /vsizip/, ...) is left to GDAL, which opens it or says why
 * not. */
static bm_status check_input(bm_ctx *ctx, const char *path)
{
    if (strncmp(path, "/vsi", 4) == 0)
        return BM_OK;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: is a folder", path);
    return BM_OK;
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
    bm_status st = check_input(ctx, path);
    if (st != BM_OK)
        return st;

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

/* ---- reading incidents --------------------------------------------------- */

static int find_field(OGRFeatureDefnH defn, int i)
{
    int idx = OGR_FD_GetFieldIndex(defn, fields[i].name);
    if (idx < 0)
        idx = OGR_FD_GetFieldIndex(defn, fields[i].short_name);
    return idx;
}

/* A field's value as text; a date field (GeoJSON reads a column of ISO
 * days as OFTDate, which OGR writes "2024/01/07") as ISO text. Caller
 * frees. */
static char *field_dup(OGRFeatureH f, int idx)
{
    if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx))
        return NULL;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
    int y, m, d, h, mi, tz;
    float sec;
    if ((t == OFTDate || t == OFTDateTime) &&
        OGR_F_GetFieldAsDateTimeEx(f, idx, &y, &m, &d, &h, &mi, &sec, &tz)) {
        char iso[32];
        if (t == OFTDate || (h == 0 && mi == 0 && sec == 0))
            snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
        else
            snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02.0f", y,
                     m, d, h, mi, (double)sec);
        return strdup(iso);
    }
    const char *s = OGR_F_GetFieldAsString(f, idx);
    return s ? strdup(s) : NULL;
}

static int parse_precision(const char *s, bm_precision *out)
{
    static const bm_precision all[] = {BM_PREC_EXACT, BM_PREC_COUNTY,
                                       BM_PREC_PROVINCE, BM_PREC_COUNTRY,
                                       BM_PREC_UNKNOWN};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcasecmp(s, bm_precision_name(all[i])) == 0) {
            *out = all[i];
            return 1;
        }
    return 0;
}

static int parse_date_precision(const char *s, bm_date_precision *out)
{
    int p = bm_date_precision_parse(s);
    if (p < 0)
        return 0;
    *out = (bm_date_precision)p;
    return 1;
}

/* A text field's value, NULL when unset, null or empty. Caller frees. */
static char *field_dup_nonempty(OGRFeatureH f, int idx)
{
    char *s = field_dup(f, idx);
    if (s && !*s) {
        free(s);
        s = NULL;
    }
    return s;
}

/* "YYYY-MM-DD" naming a day of the calendar. */
static int is_day(const char *s)
{
    return s && strlen(s) == 10 && bm_date_valid(s) &&
           atoi(s + 8) <= bm_days_in_month(atoi(s), atoi(s + 5));
}

/* Checks a feature's range (date_start, date_end) against its date, or
 * fills it in from the date when the feature has none. 0, or -1 with why
 * (a sentence for the warning). */
static int check_range(bm_incident *inc, char *why, size_t size)
{
    bm_date_precision p = bm_date_precision_of(inc->date, inc->date_precision);
    char lo[11], hi[11];
    int dated = bm_date_range(inc->date, p, lo, hi);
    if (!inc->date_start && !inc->date_end) {
        if (!dated)
            return 0; /* undated: no range */
        inc->date_start = lo[0] ? strdup(lo) : NULL;
        inc->date_end = strdup(hi);
        if ((lo[0] && !inc->date_start) || !inc->date_end) {
            snprintf(why, size, "out of memory");
            return -1;
        }
        return 0;
    }
    if (inc->date_start && !is_day(inc->date_start)) {
        snprintf(why, size, "date_start '%s' is not a day (YYYY-MM-DD)",
                 inc->date_start);
        return -1;
    }
    if (!inc->date_end) {
        snprintf(why, size, "date_start %s without a date_end",
                 inc->date_start);
        return -1;
    }
    if (!is_day(inc->date_end)) {
        snprintf(why, size, "date_end '%s' is not a day (YYYY-MM-DD)",
                 inc->date_end);
        return -1;
    }
    if (inc->date_start && strcmp(inc->date_start, inc->date_end) > 0) {
        snprintf(why, size, "date_start %s is after date_end %s",
                 inc->date_start, inc->date_end);
        return -1;
    }
    if (!dated) {
        if (inc->date && *inc->date)
            snprintf(why, size, "event_date '%s' is not a date (YYYY, "
                     "YYYY-MM or YYYY-MM-DD)", inc->date);
        else
            snprintf(why, size, "a range (%s..%s) without an event_date",
                     inc->date_start ? inc->date_start : "",
                     inc->date_end);
        return -1;
    }
    /* the days the date allows: a season starts in the date's year and
     * ends by the next February (a winter); a reported date bounds only
     * the end */
    if (p == BM_DATE_SEASON) {
        char feb[8];
        snprintf(feb, sizeof feb, "%04u-02",
                 (unsigned)(atoi(inc->date) + 1) % 10000u);
        char unused[11];
        bm_date_range(feb, BM_DATE_MONTH, unused, hi);
    }
    if ((inc->date_start && lo[0] && strcmp(inc->date_start, lo) < 0) ||
        strcmp(inc->date_end, hi) > 0) {
        snprintf(why, size, "range %s..%s lies outside event_date %s (%s: "
                 "%s..%s)", inc->date_start ? inc->date_start : "",
                 inc->date_end, inc->date, bm_date_precision_name(p), lo,
                 hi);
        return -1;
    }
    return 0;
}

/* Fills inc from feature f; 0, or -1 after a warning naming the feature. */
static int read_feature(bm_ctx *ctx, const char *path, OGRFeatureH f,
                        const int *ix, OGRCoordinateTransformationH ct,
                        const char *const *known_types, size_t ntypes,
                        bm_incident *inc, unsigned *mask)
{
    *mask = 0;
    for (int i = 0; i < BM_EXPORT_F_COUNT; i++)
        if (ix[i] >= 0 && OGR_F_IsFieldSet(f, ix[i]))
            *mask |= 1u << i;
    char label[64];
    if (ix[BM_EXPORT_F_ID] >= 0 &&
        OGR_F_IsFieldSetAndNotNull(f, ix[BM_EXPORT_F_ID])) {
        inc->id = (int64_t)OGR_F_GetFieldAsInteger64(f, ix[BM_EXPORT_F_ID]);
        snprintf(label, sizeof label, "feature id %lld", (long long)inc->id);
    } else {
        snprintf(label, sizeof label, "feature %lld (no id)",
                 (long long)OGR_F_GetFID(f));
    }
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g)) {
        bm_ctx_warn(ctx, "%s: %s: no geometry; skipped", path, label);
        return -1;
    }
    if (wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint) {
        bm_ctx_warn(ctx, "%s: %s: geometry is a %s, not a point; skipped",
                    path, label, OGR_G_GetGeometryName(g));
        return -1;
    }
    double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
    if (ct && !OCTTransform(ct, 1, &x, &y, NULL)) {
        bm_ctx_warn(ctx, "%s: %s: cannot convert the point to WGS 84; "
                    "skipped", path, label);
        return -1;
    }
    if (!isfinite(x) || !isfinite(y) || x < -180 || x > 180 || y < -90 ||
        y > 90) {
        bm_ctx_warn(ctx, "%s: %s: point (%g, %g) is not a longitude and "
                    "latitude; skipped", path, label, x, y);
        return -1;
    }
    inc->lon = x;
    inc->lat = y;
    inc->type = field_dup(f, ix[BM_EXPORT_F_EVENT_TYPE]);
    if (!inc->type || !*inc->type) {
        bm_ctx_warn(ctx, "%s: %s: no event_type; skipped", path, label);
        return -1;
    }
    if (ntypes) {
        size_t k = 0;
        while (k < ntypes && strcmp(known_types[k], inc->type) != 0)
            k++;
        if (k == ntypes) {
            bm_ctx_warn(ctx, "%s: %s: unknown event_type '%s'; skipped", path,
                        label, inc->type);
            return -1;
        }
    }
    inc->date = field_dup(f, ix[BM_EXPORT_F_EVENT_DATE]);
    char *tp = field_dup(f, ix[BM_EXPORT_F_TIME_PRECISION]);
    inc->date_precision = BM_DATE_NONE;
    if (tp && !parse_date_precision(tp, &inc->date_precision)) {
        bm_ctx_warn(ctx, "%s: %s: unknown time_precision '%s'; skipped", path,
                    label, tp);
        free(tp);
        return -1;
    }
    free(tp);
    inc->date_start = field_dup_nonempty(f, ix[BM_EXPORT_F_DATE_START]);
    inc->date_end = field_dup_nonempty(f, ix[BM_EXPORT_F_DATE_END]);
    char why[256];
    if (check_range(inc, why, sizeof why) != 0) {
        bm_ctx_warn(ctx, "%s: %s: %s; skipped", path, label, why);
        return -1;
    }
    inc->place_name = field_dup(f, ix[BM_EXPORT_F_PLACE]);
    inc->place_id = field_dup(f, ix[BM_EXPORT_F_PLACE_ID]);
    inc->admin1 = field_dup(f, ix[BM_EXPORT_F_ADMIN1]);
    inc->admin2 = field_dup(f, ix[BM_EXPORT_F_ADMIN2]);
    inc->country = field_dup(f, ix[BM_EXPORT_F_COUNTRY]);
    char *gp = field_dup(f, ix[BM_EXPORT_F_GEO_PRECISION]);
    inc->precision = BM_PREC_UNKNOWN;
    if (gp && !parse_precision(gp, &inc->precision)) {
        bm_ctx_warn(ctx, "%s: %s: unknown geo_precision '%s'; skipped", path,
                    label, gp);
        free(gp);
        return -1;
    }
    free(gp);
    inc->actor = field_dup(f, ix[BM_EXPORT_F_ACTORS]);
    inc->sentence = field_dup(f, ix[BM_EXPORT_F_EVIDENCE]);
    inc->evidence_more = field_dup_nonempty(f, ix[BM_EXPORT_F_EVIDENCE_MORE]);
    inc->report_title = field_dup(f, ix[BM_EXPORT_F_REPORT_TITLE]);
    inc->report_source = field_dup(f, ix[BM_EXPORT_F_OUTLET]);
    inc->report_url = field_dup(f, ix[BM_EXPORT_F_URL]);
    inc->confidence = 1.0;
    if (ix[BM_EXPORT_F_CONFIDENCE] >= 0 &&
        OGR_F_IsFieldSetAndNotNull(f, ix[BM_EXPORT_F_CONFIDENCE]))
        inc->confidence =
            OGR_F_GetFieldAsDouble(f, ix[BM_EXPORT_F_CONFIDENCE]);
    char *stt = field_dup(f, ix[BM_EXPORT_F_STATUS]);
    inc->status = BM_STATUS_MANUAL;
    if (stt) {
        int s = bm_incident_status_parse(stt);
        if (s < 0) {
            bm_ctx_warn(ctx, "%s: %s: unknown status '%s'; skipped", path,
                        label, stt);
            free(stt);
            return -1;
        }
        inc->status = (bm_incident_status)s;
    }
    free(stt);
    char *im = field_dup_nonempty(f, ix[BM_EXPORT_F_IS_MAIN]);
    inc->is_main = 0;
    if (im) {
        if (strcmp(im, "1") == 0 || strcasecmp(im, "true") == 0)
            inc->is_main = 1;
        else if (strcmp(im, "0") != 0 && strcasecmp(im, "false") != 0) {
            bm_ctx_warn(ctx, "%s: %s: is_main '%s' is not 0 or 1; skipped",
                        path, label, im);
            free(im);
            return -1;
        }
    }
    free(im);
    return 0;
}

bm_status bm_export_read_incidents(bm_ctx *ctx, const char *path,
                                   const char *const *known_types,
                                   size_t ntypes, bm_incident **out,
                                   size_t *n, size_t *skipped,
                                   unsigned **field_masks)
{
    *out = NULL;
    *n = 0;
    if (skipped)
        *skipped = 0;
    if (field_masks)
        *field_masks = NULL;
    unsigned *masks = NULL;
    if (!path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "import: a file is needed");
    bm_status st = check_input(ctx, path);
    if (st != BM_OK)
        return st;

    gdal_errors errs;
    errors_begin(&errs);
    bm_status rc = BM_OK;
    OGRCoordinateTransformationH ct = NULL;
    OGRSpatialReferenceH wgs84 = NULL;
    bm_incident *items = NULL;
    size_t count = 0, cap = 0, bad = 0;

    /* A CSV export holds the point in X and Y columns (GEOMETRY=AS_XY),
     * which GDAL's CSV driver reads as a point only when told to, and
     * writes a value it does not have as an empty cell. */
    static const char *const csv_open[] = {
        "X_POSSIBLE_NAMES=X,lon,longitude", "Y_POSSIBLE_NAMES=Y,lat,latitude",
        "EMPTY_STRING_AS_NULL=YES", NULL};
    const char *fmt = bm_export_format_for_path(path);
    int csv = fmt && strcmp(fmt, formats[FMT_CSV].name) == 0;
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, csv ? csv_open : NULL, NULL);
    if (!ds) {
        rc = gdal_fail(ctx, BM_ERR_GDAL, &errs, path,
                       "cannot open as a vector dataset");
        goto done;
    }
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "incidents");
    if (!layer && GDALDatasetGetLayerCount(ds) > 0)
        layer = GDALDatasetGetLayer(ds, 0);
    if (!layer) {
        rc = bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: no layer to import", path);
        goto done;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int ix[BM_EXPORT_F_COUNT];
    for (int i = 0; i < BM_EXPORT_F_COUNT; i++)
        ix[i] = find_field(defn, i);
    if (ix[BM_EXPORT_F_EVENT_TYPE] < 0) {
        rc = bm_ctx_fail(ctx, BM_ERR_INPUT,
                         "%s: layer '%s' has no event_type field", path,
                         OGR_L_GetName(layer));
        goto done;
    }
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(layer);
    ct = to_wgs84(lsrs, &wgs84);

    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 64;
            bm_incident *ni = realloc(items, nc * sizeof *ni);
            if (ni)
                items = ni;
            unsigned *nm = ni ? realloc(masks, nc * sizeof *nm) : NULL;
            if (nm)
                masks = nm;
            if (!ni || !nm) {
                OGR_F_Destroy(f);
                rc = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
                goto done;
            }
            cap = nc;
        }
        bm_incident *inc = &items[count];
        memset(inc, 0, sizeof *inc);
        if (read_feature(ctx, path, f, ix, ct, known_types, ntypes, inc,
                         &masks[count]) == 0)
            count++;
        else {
            bm_incident_clear(inc);
            bad++;
        }
        OGR_F_Destroy(f);
    }
    if (errs.failed)
        rc = gdal_fail(ctx, BM_ERR_GDAL, &errs, path, "cannot read the layer");

done:
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (wgs84)
        OSRDestroySpatialReference(wgs84);
    if (ds)
        GDALClose(ds);
    errors_end();
    if (rc != BM_OK) {
        bm_export_free_incidents(items, count);
        free(masks);
        return rc;
    }
    if (field_masks)
        *field_masks = masks;
    else
        free(masks);
    *out = items;
    *n = count;
    if (skipped)
        *skipped = bad;
    return BM_OK;
}

void bm_export_free_incidents(bm_incident *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bm_incident_clear(&items[i]);
    free(items);
}

/* ---- plugin entry ------------------------------------------------------------ */

const bm_export_api *bm_export_plugin_api(void)
{
    static const bm_export_api api = {
        BM_EXPORT_API_VERSION,     bm_export_driver,
        bm_export_format_for_path, bm_export_incidents,
        bm_export_read_layer,      bm_export_incident_list,
        bm_export_read_incidents,  bm_export_free_incidents};
    return &api;
}
