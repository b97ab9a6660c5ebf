/*
 * bm_store.h - where reports and incidents live.
 *
 * bm_store is an interface: a table of operations (bm_store_ops) behind an
 * opaque handle, so that a PostGIS backend can be added beside the
 * embedded SpatiaLite one. Callers use only the bm_store_* functions.
 *
 * SpatiaLite schema (version 4, see store_spatialite.c): reports, mentions,
 * incidents (geom POINT EPSG:4326 registered in geometry_columns with an
 * R*Tree spatial index, so QGIS and the spatialite shell see a spatial
 * layer; each with its date range, whether it is its report's main
 * incident, and further evidence), audit and suppressed. Coordinates are
 * (lon, lat) degrees.
 *
 * Incidents carry a status: auto (extracted), reviewed (extracted, then
 * checked or corrected by an analyst) or manual (entered by an analyst).
 * Every analyst change lands in the audit table.
 */
#ifndef BM_STORE_H
#define BM_STORE_H

#include "bm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_store bm_store;

/* Report metadata as stored. Strings borrowed from the caller on write.
 * source is the outlet ("Daily NK"); date is when it was published. */
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

/* A place mention found in a report, as stored beside its incidents (the
 * store cannot depend on the geoparser, so this is a plain copy). Offsets
 * are code points into the body, [start, end). Strings borrowed; any may
 * be NULL. lon/lat only when has_point. */
typedef struct bm_store_mention {
    size_t start, end;
    const char *surface;
    const char *place_id;
    const char *place_name;
    int has_point;
    double lon, lat;
    double confidence;
    const char *reason; /* why this place was chosen, free text */
} bm_store_mention;

/* What bm_store_add_report2() did. */
typedef struct bm_store_added {
    int64_t report_id; /* the stored report (new or existing) */
    int replaced;      /* the report was stored before and was refreshed */
    size_t added;      /* incidents written */
    size_t kept;       /* reviewed/manual incidents kept (replace only) */
    size_t removed;    /* auto incidents removed (replace only) */
} bm_store_added;

/* Search filters shared by every reading function. Zero-initialise
 * (bm_store_filter f = {0};) and set what you need; strings borrowed.
 *  - since/until: ISO dates "YYYY", "YYYY-MM" or "YYYY-MM-DD" (real days:
 *    "2024-02-30" is refused with BM_ERR_USAGE naming it). They test the
 *    incident's range (bm_incident.date_start/date_end), all of which must
 *    lie within them: since S keeps an incident whose date_start is not
 *    NULL and is on or after the first day of S; until U one whose
 *    date_end is not NULL and is on or before the last day of U. So
 *    since 2024-06 until 2024-06 keeps the days, parts of the month and
 *    the month of June 2024, not an incident dated only "2024"; an
 *    incident dated by its report only (BM_DATE_REPORTED: open start)
 *    passes until, never since; undated incidents pass neither.
 *  - types: any of these types (exact, case-sensitive); ntypes 0 = all.
 *  - actor: substring of the actors, case-insensitive (ASCII letters).
 *  - max_precision: only incidents at least this precise (BM_PREC_EXACT
 *    = towns only, BM_PREC_COUNTY = towns and counties, ...); 0 = all.
 *  - status: 1 + bm_incident_status to keep only that status; 0 = all.
 *  - report_id: only incidents of this report; 0 = all.
 *  - has_box: only incidents whose point lies in the box (degrees;
 *    min_lon > max_lon crosses the antimeridian), through the spatial
 *    index. */
typedef struct bm_store_filter {
    const char *since, *until;
    const char *const *types;
    size_t ntypes;
    const char *actor;
    int max_precision;
    int status;
    int64_t report_id;
    int has_box;
    double min_lon, min_lat, max_lon, max_lat;
} bm_store_filter;

/* One row of the audit table: a change to one field of one incident. */
typedef struct bm_store_audit {
    int64_t id;
    const char *ts;          /* UTC ISO 8601 with milliseconds */
    int64_t incident_id;     /* 0 for report-level rows (re-ingest) */
    int64_t report_id;       /* 0 when none */
    const char *field;       /* "type", "lat", ..., or "created",
                                "deleted", "reingest" */
    const char *old_value;   /* NULL when there was none */
    const char *new_value;
    const char *command;     /* what made the change ("incident edit") */
} bm_store_audit;

/* Opens (creating when missing, with its schema) a store. uri is a file
 * path for SpatiaLite ("out/bordermap.sqlite"); the parent folder must
 * exist. A store of an earlier schema version is migrated in place, one
 * transaction per version step (an interrupted upgrade leaves a whole
 * store of an intermediate version, which the next open upgrades on).
 * Caller owns *out (bm_store_free()). */
bm_status bm_store_open(bm_ctx *ctx, const char *uri, bm_store **out);
/* Opens an existing store; BM_ERR_NOTFOUND when it does not exist (the
 * message names the file). A read-only store is never migrated: an older
 * schema is then BM_ERR_INPUT with a message saying to open it for
 * writing once. Readers and one writer may work at once (WAL). */
bm_status bm_store_open_existing(bm_ctx *ctx, const char *uri, int readonly,
                                 bm_store **out);
void bm_store_free(bm_store *st);

/* The schema version this bordermap writes (PRAGMA user_version). */
#define BM_STORE_SCHEMA_VERSION 4

/* Stores a report and its incidents in one transaction: either all rows
 * land or none do. When a report with the same sha256 is already stored,
 * nothing is written, *report_id is the stored id and the result is
 * BM_ERR_DUPLICATE (no error message is set). Same as
 * bm_store_add_report2(st, r, NULL, 0, incidents, n, 0, ...). */
bm_status bm_store_add_report(bm_store *st, const bm_store_report *r,
                              const bm_incident *incidents, size_t n,
                              int64_t *report_id);

/* Stores a report with its mentions and incidents in one transaction.
 * Incidents are stored with status auto (their status field is ignored),
 * with their range, is_main and evidence_more as given; an incident with
 * a date and a date_precision but no range (date_end NULL) gets the one
 * bm_date_range() derives (so does one written by bm_store_add_incident()
 * or bm_store_update_incident()).
 * When the sha256 is already stored:
 *  - replace == 0: nothing is written; BM_ERR_DUPLICATE, out->report_id
 *    is the stored report.
 *  - replace != 0: the report's metadata and mentions are rewritten, its
 *    auto incidents are replaced by the new ones, and its reviewed and
 *    manual incidents are kept; a new incident that an analyst already
 *    reviewed (same sentence, type and place as extracted) or deleted is
 *    not added again. When a kept incident is the report's main one, the
 *    new incidents are stored with is_main 0 (the analyst's choice
 *    stands). One audit row ("reingest") records the change.
 * out may be NULL. */
bm_status bm_store_add_report2(bm_store *st, const bm_store_report *r,
                               const bm_store_mention *mentions,
                               size_t nmentions, const bm_incident *incidents,
                               size_t n, int replace, bm_store_added *out);

/* Batch ingest, for loading many reports quickly. Between
 * bm_store_begin_batch() and bm_store_end_batch(), bm_store_add_report2()
 * stores each report inside a savepoint of a longer transaction instead of
 * a transaction of its own:
 *  - a report still lands whole or not at all: a report that fails is
 *    rolled back alone and the batch goes on;
 *  - reports are committed together, whenever about BM_STORE_BATCH_ROWS
 *    rows (reports, mentions, incidents) are pending, and at
 *    bm_store_end_batch(); readers see them once committed, and a crash
 *    loses at most the reports since the last commit (never part of one);
 *  - only when SQLite itself aborts the whole transaction (disk full, I/O
 *    error) are the pending reports lost too: the failing call's message
 *    then says how many.
 * Other writes (bm_store_add_incident, _update_, _delete_) commit the
 * pending reports first. bm_store_free() commits an open batch. Nesting is
 * not counted: begin on an open batch is a no-op. */
#define BM_STORE_BATCH_ROWS 50000
bm_status bm_store_begin_batch(bm_store *st);
/* Commits the pending reports and leaves batch mode. */
bm_status bm_store_end_batch(bm_store *st);

bm_status bm_store_count(bm_store *st, size_t *reports, size_t *incidents);

/* Visitor over incidents; return non-zero to stop early (not an error).
 * The incident is borrowed for the duration of the call. */
typedef int (*bm_incident_visit_fn)(void *user, const bm_incident *inc);

/* Every incident, ordered by id. */
bm_status bm_store_each_incident(bm_store *st, bm_incident_visit_fn fn,
                                 void *user);

/* Incidents matching the filter (NULL = all), ordered by id. */
bm_status bm_store_find(bm_store *st, const bm_store_filter *filter,
                        bm_incident_visit_fn fn, void *user);

/* Visitor of bm_store_each_point: an incident's point (degrees, lon
 * first), type and date (borrowed for the call; NULL when missing).
 * Return non-zero to stop early (not an error). */
typedef int (*bm_point_visit_fn)(void *user, double lon, double lat,
                                 const char *type, const char *date);

/* The point, type and date of each incident matching the filter (NULL =
 * all), in no particular order, without reading the rest of the row: the
 * fast path of heatmaps and extents over millions of incidents. */
bm_status bm_store_each_point(bm_store *st, const bm_store_filter *filter,
                              bm_point_visit_fn fn, void *user);

/* Incidents whose point lies in the box [min_lon,max_lon]x[min_lat,max_lat]
 * (degrees), found through the spatial index. When min_lon > max_lon the
 * box crosses the antimeridian. */
bm_status bm_store_incidents_in_box(bm_store *st, double min_lon,
                                    double min_lat, double max_lon,
                                    double max_lat, bm_incident_visit_fn fn,
                                    void *user);

/* Decides from a candidate's exact point alone, before the rest of its
 * row is read, whether to keep it; *value (a distance, say) is kept with
 * it. Return non-zero to keep. */
typedef int (*bm_store_keep_fn)(void *user, double lon, double lat,
                                double *value);

typedef struct bm_store_kept {
    bm_incident incident; /* owned by the array's owner */
    double value;         /* as the keep function set it */
} bm_store_kept;

/* The incidents matching filter that keep() accepts, read in full only
 * once kept: the fast path of radius queries (bm_query_near), where the
 * filter's box surrounds the circle and keep() measures the distance.
 * In no particular order (the SpatiaLite backend walks the R*Tree). Caller
 * owns *out (bm_store_kept_free(*out, *n)); *out is NULL when nothing was
 * kept. */
bm_status bm_store_find_kept(bm_store *st, const bm_store_filter *filter,
                             bm_store_keep_fn keep, void *user,
                             bm_store_kept **out, size_t *n);
void bm_store_kept_free(bm_store_kept *kept, size_t n);

/* One incident by id; BM_ERR_NOTFOUND (message names the id and the
 * store) when there is none. Caller owns *out (bm_incident_clear()). */
bm_status bm_store_get_incident(bm_store *st, int64_t id, bm_incident *out);

/* Adds an incident by hand (status manual unless inc->status says
 * reviewed). inc->report_id may be 0 (no report). Records a "created"
 * audit row naming command. When inc->is_main and it has a report, the
 * report's other incidents stop being main (an "is_main" audit row each).
 * *id receives the new id. */
bm_status bm_store_add_incident(bm_store *st, const bm_incident *inc,
                                const char *command, int64_t *id);

/* Rewrites incident inc->id with the fields of inc (type, date,
 * date_precision, actor, place_name, place_id, country, admin1, admin2,
 * surface, precision, lon, lat, sentence, confidence, status, date_start,
 * date_end, is_main, evidence_more), moving its point in the spatial
 * index when lon/lat changed, and records one audit row per changed field
 * (old and new value as text; is_main as "0"/"1"). Sets updated. When
 * inc->is_main, the other incidents of its report stop being main in the
 * same transaction, each with an "is_main" audit row. *changed (may be
 * NULL) receives the number of fields of this incident changed. */
bm_status bm_store_update_incident(bm_store *st, const bm_incident *inc,
                                   const char *command, size_t *changed);

/* Deletes an incident, recording a "deleted" audit row that keeps the
 * whole incident as JSON-ish text; re-ingesting its report does not bring
 * an extracted incident back. BM_ERR_NOTFOUND when there is none. */
bm_status bm_store_delete_incident(bm_store *st, int64_t id,
                                   const char *command);

/* Audit rows, oldest first; incident_id 0 = all. Borrowed for the call. */
typedef int (*bm_audit_visit_fn)(void *user, const bm_store_audit *a);
bm_status bm_store_each_audit(bm_store *st, int64_t incident_id,
                              bm_audit_visit_fn fn, void *user);

/* Counts of incidents matching the filter (NULL = all), by dimension:
 * "province" (admin1), "county" (admin2), "type", "month" (by the range:
 * "YYYY-MM" when it lies within one month, "YYYY" when within one year).
 * key is NULL for incidents without a value (no province; undated, an
 * open range, or a range over two years). Within a dimension, rows come
 * by count descending, then key; months in order, NULL last. */
typedef int (*bm_stat_visit_fn)(void *user, const char *dimension,
                                const char *key, size_t count);
bm_status bm_store_stats(bm_store *st, const bm_store_filter *filter,
                         bm_stat_visit_fn fn, void *user);

/* The store's schema version (PRAGMA user_version for SpatiaLite). */
bm_status bm_store_schema_version(bm_store *st, int *version);

/* Backend name ("spatialite"), static. */
const char *bm_store_backend(const bm_store *st);

/* ---- for backend implementers --------------------------------------------- */
/* Every operation receives arguments already checked by store.c (non-NULL
 * handle and visitors, valid boxes). */
typedef struct bm_store_ops {
    const char *name;
    bm_status (*add_report)(bm_store *st, const bm_store_report *r,
                            const bm_store_mention *mentions, size_t nm,
                            const bm_incident *incidents, size_t n,
                            int replace, bm_store_added *out);
    bm_status (*count)(bm_store *st, size_t *reports, size_t *incidents);
    bm_status (*find)(bm_store *st, const bm_store_filter *filter,
                      bm_incident_visit_fn fn, void *user);
    bm_status (*get_incident)(bm_store *st, int64_t id, bm_incident *out);
    bm_status (*add_incident)(bm_store *st, const bm_incident *inc,
                              const char *command, int64_t *id);
    bm_status (*update_incident)(bm_store *st, const bm_incident *inc,
                                 const char *command, size_t *changed);
    bm_status (*delete_incident)(bm_store *st, int64_t id,
                                 const char *command);
    bm_status (*each_audit)(bm_store *st, int64_t incident_id,
                            bm_audit_visit_fn fn, void *user);
    bm_status (*stats)(bm_store *st, const bm_store_filter *filter,
                       bm_stat_visit_fn fn, void *user);
    bm_status (*schema_version)(bm_store *st, int *version);
    void (*close)(bm_store *st);
    /* Optional (NULL: batches are plain per-report transactions). */
    bm_status (*begin_batch)(bm_store *st);
    bm_status (*end_batch)(bm_store *st);
    /* Optional (NULL: bm_store_find_kept() runs find and copies). */
    bm_status (*find_kept)(bm_store *st, const bm_store_filter *filter,
                           bm_store_keep_fn keep, void *user,
                           bm_store_kept **out, size_t *n);
    /* Optional (NULL: bm_store_each_point() runs find). */
    bm_status (*each_point)(bm_store *st, const bm_store_filter *filter,
                            bm_point_visit_fn fn, void *user);
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
