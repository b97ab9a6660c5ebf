/*
 * bm_store.h - where reports and incidents live.
 *
 * bm_store is an interface: a table of operations (bm_store_ops) behind an
 * opaque handle, so that a PostGIS backend can be added beside the
 * embedded SpatiaLite one. Callers use only the bm_store_* functions.
 *
 * SpatiaLite schema (see store_spatialite.c): reports(id, sha256 UNIQUE,
 * path, title, source, url, date, date_precision, body, ingested_at) and
 * incidents(id, report_id, type, date, date_precision, actor, place_name,
 * place_id, surface, precision, lon, lat, sentence, sentence_offset,
 * geom POINT EPSG:4326) with geom registered in geometry_columns and an
 * R*Tree spatial index (CreateSpatialIndex), so QGIS and the spatialite
 * shell see a spatial layer. Coordinates are (lon, lat) degrees.
 */
#ifndef BM_STORE_H
#define BM_STORE_H

#include "bm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_store bm_store;

/* Report metadata as stored. Strings borrowed from the caller on write. */
typedef struct bm_store_report {
    const char *sha256;
    const char *path;
    const char *title;
    const char *source;
    const char *url;
    const char *date;
    bm_date_precision date_precision;
    const char *body;
} bm_store_report;

/* Opens (creating when missing, with its schema) a store. uri is a file
 * path for SpatiaLite ("out/bordermap.sqlite"); the parent folder must
 * exist. Caller owns *out (bm_store_free()). */
bm_status bm_store_open(bm_ctx *ctx, const char *uri, bm_store **out);
/* Opens an existing store read-only; BM_ERR_NOTFOUND when it does not
 * exist (the message names the file). */
bm_status bm_store_open_existing(bm_ctx *ctx, const char *uri, int readonly,
                                 bm_store **out);
void bm_store_free(bm_store *st);

/* Stores a report and its incidents in one transaction: either all rows
 * land or none do. When a report with the same sha256 is already stored,
 * nothing is written, *report_id is the stored id and the result is
 * BM_ERR_DUPLICATE (no error message is set). */
bm_status bm_store_add_report(bm_store *st, const bm_store_report *r,
                              const bm_incident *incidents, size_t n,
                              int64_t *report_id);

bm_status bm_store_count(bm_store *st, size_t *reports, size_t *incidents);

/* Visitor over incidents; return non-zero to stop early (not an error).
 * The incident is borrowed for the duration of the call. */
typedef int (*bm_incident_visit_fn)(void *user, const bm_incident *inc);

/* Every incident, ordered by id. */
bm_status bm_store_each_incident(bm_store *st, bm_incident_visit_fn fn,
                                 void *user);

/* Incidents whose point lies in the box [min_lon,max_lon]x[min_lat,max_lat]
 * (degrees), found through the spatial index. When min_lon > max_lon the
 * box crosses the antimeridian. */
bm_status bm_store_incidents_in_box(bm_store *st, double min_lon,
                                    double min_lat, double max_lon,
                                    double max_lat, bm_incident_visit_fn fn,
                                    void *user);

/* Backend name ("spatialite"), static. */
const char *bm_store_backend(const bm_store *st);

/* ---- for backend implementers --------------------------------------------- */
typedef struct bm_store_ops {
    const char *name;
    bm_status (*add_report)(bm_store *st, const bm_store_report *r,
                            const bm_incident *incidents, size_t n,
                            int64_t *report_id);
    bm_status (*count)(bm_store *st, size_t *reports, size_t *incidents);
    bm_status (*each_incident)(bm_store *st, bm_incident_visit_fn fn,
                               void *user);
    bm_status (*in_box)(bm_store *st, double min_lon, double min_lat,
                        double max_lon, double max_lat,
                        bm_incident_visit_fn fn, void *user);
    void (*close)(bm_store *st);
} bm_store_ops;

/* Wraps a backend's private data in a handle (store.c). ops must be
 * static; close() releases data. Caller owns *out (bm_store_free()). */
bm_status bm_store_wrap(bm_ctx *ctx, const bm_store_ops *ops, void *data,
                        bm_store **out);
/* The backend's private data and the context the store was opened with.
 * Borrowed. */
void *bm_store_data(const bm_store *st);
bm_ctx *bm_store_ctx(const bm_store *st);

/* The SpatiaLite backend (store_spatialite.c). path is a file path.
 * create: create the file and its schema when missing (else a missing
 * file is BM_ERR_NOTFOUND); readonly: open without write access. */
bm_status bm_store_spatialite_open(bm_ctx *ctx, const char *path, int create,
                                   int readonly, bm_store **out);

#ifdef __cplusplus
}
#endif
#endif
