/*
 * store_spatialite.c - the SpatiaLite backend of bm_store; the only file in
 * bordermap that speaks SQL.
 *
 * One SQLite file holds everything (schema_version 1):
 *
 *   bordermap_meta(key TEXT PRIMARY KEY, value TEXT)   schema_version = 1
 *   reports(id, sha256 UNIQUE, path, title, source, url, date,
 *           date_precision, body, ingested_at)
 *   incidents(id, report_id -> reports ON DELETE CASCADE, type NOT NULL,
 *             date, date_precision, actor, place_name, place_id, surface,
 *             precision, lon, lat, sentence, sentence_offset,
 *             geom POINT 4326 XY)   + R*Tree idx_incidents_geom
 *
 * Units and encodings:
 *  - lon/lat are WGS 84 degrees; geom = MakePoint(lon, lat, 4326) is written
 *    together with them and is what the spatial index covers. Reads return
 *    the lon/lat columns (exact doubles).
 *  - precision is the bm_precision code (1 town .. 4 country, 9 unknown,
 *    after ACLED's geo_precision); date_precision is
 *    bm_date_precision_name() ("day", ...) or NULL for BM_DATE_NONE.
 *  - sentence_offset is in code points; ingested_at is UTC ISO 8601.
 *
 * Journal: SQLite's default rollback journal, not WAL, so that the store
 * is one self-contained file that can be copied or mailed once bordermap
 * has exited (WAL would leave -wal/-shm companions). Writers wait up to
 * BUSY_TIMEOUT_MS for a lock before failing with "database is locked".
 *
 * Ownership: the sl_store (db handle, SpatiaLite cache, path copy) is owned
 * by the bm_store wrapper and released by sl_close(). Incidents passed to
 * visitors are borrowed for the call and cleared right after it.
 *
 * Errors: every SQLite failure becomes one message naming the database
 * file, the operation and SQLite's reason, e.g.
 *   "out/x.sqlite: cannot store report 'Title': database is locked".
 * SpatiaLite itself may still print a line to stderr when one of its
 * schema functions fails; that only happens on a failure we also report.
 */
#include "bm_store.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>
#include <spatialite.h>

#define SCHEMA_VERSION "1"
#define BUSY_TIMEOUT_MS 5000

typedef struct sl_store {
    sqlite3 *db;
    void *cache;   /* spatialite_alloc_connection() */
    char *path;    /* as given, for messages */
    int readonly;
} sl_store;

static const bm_store_ops sl_ops;

/* ---- errors ------------------------------------------------------------- */

static bm_status status_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOMEM: return BM_ERR_NOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_PERM: return BM_ERR_IO;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return BM_ERR_INPUT;
    default: return BM_ERR_DB;
    }
}

/* Records "<path>: <what>: <sqlite reason>" and returns the matching status.
 * Call before any ROLLBACK, which would overwrite SQLite's message. */
static bm_status sl_fail(bm_ctx *ctx, const char *path, sqlite3 *db, int rc,
                         const char *what_fmt, ...)
    __attribute__((format(printf, 5, 6)));

static bm_status sl_fail(bm_ctx *ctx, const char *path, sqlite3 *db, int rc,
                         const char *what_fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    const char *why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_NOTADB)
        why = "not a SQLite database";
    return bm_ctx_fail(ctx, status_of(rc), "%s: %s: %s", path, what, why);
}

/* A short name for a report in messages: its title, else its path. */
static const char *report_label(const bm_store_report *r)
{
    if (r->title && *r->title)
        return r->title;
    if (r->path && *r->path)
        return r->path;
    return r->sha256 ? r->sha256 : "(untitled)";
}

/* ---- small SQL helpers -------------------------------------------------- */

/* Runs SQL that takes no parameters and returns no rows we need. */
static int exec_sql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Runs a "SELECT f(...)" that returns one integer (SpatiaLite's schema
 * functions answer 1 for success, 0 for failure). */
static int select_int(sqlite3 *db, const char *sql, sqlite3_int64 *value)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *value = sqlite3_column_int64(q, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        *value = 0;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

static int bind_text(sqlite3_stmt *q, int i, const char *s)
{
    return s ? sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC)
             : sqlite3_bind_null(q, i);
}

static const char *date_precision_text(bm_date_precision p)
{
    return p == BM_DATE_NONE ? NULL : bm_date_precision_name(p);
}

static bm_date_precision date_precision_from(const unsigned char *text)
{
    if (!text)
        return BM_DATE_NONE;
    for (int p = BM_DATE_DAY; p <= BM_DATE_PERIOD; p++) {
        const char *name = bm_date_precision_name((bm_date_precision)p);
        if (name && strcmp(name, (const char *)text) == 0)
            return (bm_date_precision)p;
    }
    return BM_DATE_NONE;
}

/* ---- schema ------------------------------------------------------------- */

static const char *const schema_sql[] = {
    "CREATE TABLE bordermap_meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL)",
    "INSERT INTO bordermap_meta(key, value) VALUES ('schema_version', '"
    SCHEMA_VERSION "')",
    "CREATE TABLE reports (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  sha256 TEXT NOT NULL UNIQUE,\n"
    "  path TEXT,\n"
    "  title TEXT,\n"
    "  source TEXT,\n"
    "  url TEXT,\n"
    "  date TEXT,\n"
    "  date_precision TEXT,\n"
    "  body TEXT,\n"
    "  ingested_at TEXT NOT NULL\n"
    "    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
    "CREATE TABLE incidents (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,\n"
    "  type TEXT NOT NULL,\n"
    "  date TEXT,\n"
    "  date_precision TEXT,\n"
    "  actor TEXT,\n"
    "  place_name TEXT,\n"
    "  place_id TEXT,\n"
    "  surface TEXT,\n"
    "  precision INTEGER,\n"
    "  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),\n"
    "  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),\n"
    "  sentence TEXT,\n"
    "  sentence_offset INTEGER)",
    "CREATE INDEX incidents_report_id ON incidents(report_id)",
};

/* Creates the schema in an empty database, in one transaction so that a
 * failure leaves no half-made store. */
static bm_status create_schema(bm_ctx *ctx, sl_store *s)
{
    const char *what = "cannot create the bordermap schema";
    const char *failed = NULL; /* SpatiaLite function that answered 0 */
    bm_status status;
    sqlite3_int64 ok = 0, tables = 0;
    int rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "%s", what);

    /* Another process may have created it between our check and the lock. */
    rc = select_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK)
        goto sql_error;
    if (tables > 0) {
        exec_sql(s->db, "ROLLBACK");
        return BM_OK;
    }

    /* 'WGS84' registers EPSG:4326 and the WGS 84 UTM zones only, not the
     * ~6,000 rows of the full spatial_ref_sys: a new store is ~0.5 MB, not
     * 6.6 MB. Incidents are stored in EPSG:4326. */
    rc = select_int(s->db, "SELECT InitSpatialMetadata('WGS84')", &ok);
    if (rc != SQLITE_OK)
        goto sql_error;
    if (ok != 1) {
        failed = "InitSpatialMetadata('WGS84')";
        goto rollback;
    }
    for (size_t i = 0; i < sizeof schema_sql / sizeof schema_sql[0]; i++) {
        rc = exec_sql(s->db, schema_sql[i]);
        if (rc != SQLITE_OK)
            goto sql_error;
    }
    rc = select_int(s->db,
                    "SELECT AddGeometryColumn('incidents', 'geom', 4326, "
                    "'POINT', 'XY')", &ok);
    if (rc != SQLITE_OK)
        goto sql_error;
    if (ok != 1) {
        failed = "AddGeometryColumn('incidents', 'geom')";
        goto rollback;
    }
    rc = select_int(s->db, "SELECT CreateSpatialIndex('incidents', 'geom')",
                    &ok);
    if (rc != SQLITE_OK)
        goto sql_error;
    if (ok != 1) {
        failed = "CreateSpatialIndex('incidents', 'geom')";
        goto rollback;
    }
    rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK)
        goto sql_error;
    return BM_OK;

sql_error:
    status = sl_fail(ctx, s->path, s->db, rc, "%s", what);
    exec_sql(s->db, "ROLLBACK");
    return status;
rollback:
    exec_sql(s->db, "ROLLBACK");
    return bm_ctx_fail(ctx, BM_ERR_DB, "%s: %s: SpatiaLite's %s failed",
                       s->path, what, failed);
}

/* Checks that an existing database is a bordermap store we can read. */
static bm_status check_schema(bm_ctx *ctx, sl_store *s)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "SELECT value FROM bordermap_meta WHERE key = 'schema_version'",
        -1, &q, NULL);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_ERROR) /* no such table */
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s: not a bordermap store (a SQLite database "
                               "without the bordermap_meta table)", s->path);
        return sl_fail(ctx, s->path, s->db, rc, "cannot read the schema");
    }
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        bm_status st =
            rc == SQLITE_DONE
                ? bm_ctx_fail(ctx, BM_ERR_INPUT,
                              "%s: not a bordermap store (no schema_version "
                              "in bordermap_meta)", s->path)
                : sl_fail(ctx, s->path, s->db, rc, "cannot read the schema");
        sqlite3_finalize(q);
        return st;
    }
    const char *v = (const char *)sqlite3_column_text(q, 0);
    if (!v || strcmp(v, SCHEMA_VERSION) != 0) {
        bm_ctx_fail(ctx, BM_ERR_INPUT,
                    "%s: store schema version %s, but this bordermap reads "
                    "version " SCHEMA_VERSION, s->path, v ? v : "(none)");
        sqlite3_finalize(q);
        return BM_ERR_INPUT;
    }
    sqlite3_finalize(q);

    sqlite3_int64 n = 0;
    rc = select_int(s->db,
                    "SELECT count(*) FROM geometry_columns "
                    "WHERE f_table_name = 'incidents' "
                    "AND f_geometry_column = 'geom' AND srid = 4326 "
                    "AND spatial_index_enabled = 1",
                    &n);
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot read the schema");
    if (n != 1)
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: broken bordermap store: incidents.geom is not "
                           "a registered EPSG:4326 column with a spatial "
                           "index", s->path);
    return BM_OK;
}

/* ---- open / close ------------------------------------------------------- */

static void sl_free(sl_store *s)
{
    if (!s)
        return;
    if (s->db)
        sqlite3_close(s->db); /* all statements are finalised by now */
    if (s->cache)
        spatialite_cleanup_ex(s->cache);
    free(s->path);
    free(s);
}

static void sl_close(bm_store *st)
{
    sl_free(bm_store_data(st));
}

bm_status bm_store_spatialite_open(bm_ctx *ctx, const char *path, int create,
                                   int readonly, bm_store **out)
{
    struct stat sb;
    int existed = stat(path, &sb) == 0;
    int made_empty = 0; /* we created the file and it is still empty */
    *out = NULL;
    if (!existed && errno != ENOENT)
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: %s", path, strerror(errno));
    if (!existed && (!create || readonly))
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND, "%s: no such store", path);
    if (existed && S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO,
                           "%s: is a folder, not a database file", path);

    sl_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    }
    s->readonly = readonly;

    int flags = readonly ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE |
                               (create ? SQLITE_OPEN_CREATE : 0);
    bm_status st = BM_OK;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (!existed && (rc & 0xff) == SQLITE_CANTOPEN)
            st = bm_ctx_fail(ctx, BM_ERR_IO,
                             "%s: cannot create database (does its folder "
                             "exist and is it writable?)", path);
        else
            st = sl_fail(ctx, path, s->db, rc, "cannot open database");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);

    /* Touch the file before anything else, so that a file that is not a
     * database fails here with a plain message. */
    sqlite3_int64 tables = 0;
    rc = select_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK) {
        st = sl_fail(ctx, path, s->db, rc, "cannot open database");
        goto fail;
    }
    made_empty = !existed && tables == 0;

    s->cache = spatialite_alloc_connection();
    if (!s->cache) {
        st = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    spatialite_init_ex(s->db, s->cache, 0);
    spatialite_set_silent_mode(s->cache);

    rc = exec_sql(s->db, "PRAGMA foreign_keys = ON");
    if (rc != SQLITE_OK) {
        st = sl_fail(ctx, path, s->db, rc, "cannot open database");
        goto fail;
    }

    if (tables == 0) {
        if (!create || readonly) {
            st = bm_ctx_fail(ctx, BM_ERR_INPUT,
                             "%s: empty database, not a bordermap store",
                             path);
            goto fail;
        }
        st = create_schema(ctx, s);
        if (st != BM_OK)
            goto fail;
    }
    st = check_schema(ctx, s);
    if (st != BM_OK)
        goto fail;

    st = bm_store_wrap(ctx, &sl_ops, s, out);
    if (st != BM_OK)
        goto fail;
    return BM_OK;

fail:
    sl_free(s);
    /* Do not leave behind an empty database we made ourselves. */
    if (made_empty) {
        unlink(path);
        char journal[4096];
        if (snprintf(journal, sizeof journal, "%s-journal", path) <
            (int)sizeof journal)
            unlink(journal);
    }
    return st;
}

/* ---- writing ------------------------------------------------------------ */

/* Binders answer the first SQLite error (SQLITE_OK when all went well). */
static int bind_report(sqlite3_stmt *q, const bm_store_report *r)
{
    int rc = bind_text(q, 1, r->sha256);
    if (rc == SQLITE_OK) rc = bind_text(q, 2, r->path);
    if (rc == SQLITE_OK) rc = bind_text(q, 3, r->title);
    if (rc == SQLITE_OK) rc = bind_text(q, 4, r->source);
    if (rc == SQLITE_OK) rc = bind_text(q, 5, r->url);
    if (rc == SQLITE_OK) rc = bind_text(q, 6, r->date);
    if (rc == SQLITE_OK)
        rc = bind_text(q, 7, date_precision_text(r->date_precision));
    if (rc == SQLITE_OK) rc = bind_text(q, 8, r->body);
    return rc;
}

static int bind_incident(sqlite3_stmt *q, sqlite3_int64 report_id,
                         const bm_incident *e)
{
    int rc = sqlite3_bind_int64(q, 1, report_id);
    if (rc == SQLITE_OK) rc = bind_text(q, 2, e->type);
    if (rc == SQLITE_OK) rc = bind_text(q, 3, e->date);
    if (rc == SQLITE_OK)
        rc = bind_text(q, 4, date_precision_text(e->date_precision));
    if (rc == SQLITE_OK) rc = bind_text(q, 5, e->actor);
    if (rc == SQLITE_OK) rc = bind_text(q, 6, e->place_name);
    if (rc == SQLITE_OK) rc = bind_text(q, 7, e->place_id);
    if (rc == SQLITE_OK) rc = bind_text(q, 8, e->surface);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(q, 9, (int)e->precision);
    /* NaN binds as NULL and then fails the NOT NULL constraint. */
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(q, 10, e->lon);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(q, 11, e->lat);
    if (rc == SQLITE_OK) rc = bind_text(q, 12, e->sentence);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 13, (sqlite3_int64)e->sentence_offset);
    return rc;
}

static const char insert_report_sql[] =
    "INSERT INTO reports(sha256, path, title, source, url, date, "
    "date_precision, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char insert_incident_sql[] =
    "INSERT INTO incidents(report_id, type, date, date_precision, actor, "
    "place_name, place_id, surface, precision, lon, lat, sentence, "
    "sentence_offset, geom) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, MakePoint(?10, ?11, 4326))";

static bm_status sl_add_report(bm_store *st, const bm_store_report *r,
                               const bm_incident *inc, size_t n,
                               int64_t *report_id)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    const char *label = report_label(r);
    sqlite3_stmt *q = NULL;
    size_t failed_at = (size_t)-1;
    int rc;

    if (report_id)
        *report_id = 0;
    if (!r->sha256 || !*r->sha256)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot store report '%s': no sha256", s->path,
                           label);
    if (s->readonly)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot store report '%s': store opened "
                           "read-only", s->path, label);

    rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot store report '%s'",
                       label);

    /* Already stored? Then write nothing. */
    rc = sqlite3_prepare_v2(s->db, "SELECT id FROM reports WHERE sha256 = ?1",
                            -1, &q, NULL);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = bind_text(q, 1, r->sha256);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (report_id)
            *report_id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        exec_sql(s->db, "ROLLBACK");
        return BM_ERR_DUPLICATE;
    }
    if (rc != SQLITE_DONE)
        goto sql_error;
    sqlite3_finalize(q);
    q = NULL;

    rc = sqlite3_prepare_v2(s->db, insert_report_sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = bind_report(q, r);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        goto sql_error;
    sqlite3_finalize(q);
    q = NULL;
    sqlite3_int64 rid = sqlite3_last_insert_rowid(s->db);

    rc = sqlite3_prepare_v2(s->db, insert_incident_sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        goto sql_error;
    for (size_t i = 0; i < n; i++) {
        failed_at = i;
        rc = bind_incident(q, rid, &inc[i]);
        if (rc != SQLITE_OK)
            goto sql_error;
        rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            goto sql_error;
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    failed_at = (size_t)-1;
    sqlite3_finalize(q);
    q = NULL;

    rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK)
        goto sql_error;
    if (report_id)
        *report_id = rid;
    return BM_OK;

sql_error: {
    bm_status status;
    if (failed_at != (size_t)-1)
        status = sl_fail(ctx, s->path, s->db, rc,
                         "cannot store report '%s' (incident %zu of %zu, "
                         "%s at %s)", label, failed_at + 1, n,
                         inc[failed_at].type ? inc[failed_at].type : "no type",
                         inc[failed_at].place_name ? inc[failed_at].place_name
                                                   : "no place");
    else
        status = sl_fail(ctx, s->path, s->db, rc, "cannot store report '%s'",
                         label);
    sqlite3_finalize(q);
    if (!sqlite3_get_autocommit(s->db))
        exec_sql(s->db, "ROLLBACK");
    return status;
}
}

/* ---- reading ------------------------------------------------------------ */

static bm_status sl_count(bm_store *st, size_t *reports, size_t *incidents)
{
    sl_store *s = bm_store_data(st);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT count(*) FROM reports), "
                                "(SELECT count(*) FROM incidents)",
                                -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            if (reports)
                *reports = (size_t)sqlite3_column_int64(q, 0);
            if (incidents)
                *incidents = (size_t)sqlite3_column_int64(q, 1);
            sqlite3_finalize(q);
            return BM_OK;
        }
    }
    bm_status status = sl_fail(bm_store_ctx(st), s->path, s->db, rc,
                               "cannot count reports and incidents");
    sqlite3_finalize(q);
    return status;
}

#define SELECT_INCIDENT                                                      \
    "SELECT i.id, i.report_id, r.title, r.path, i.type, i.date, "            \
    "i.date_precision, i.actor, i.place_name, i.place_id, i.surface, "       \
    "i.precision, i.lon, i.lat, i.sentence, i.sentence_offset "              \
    "FROM incidents AS i JOIN reports AS r ON r.id = i.report_id "

static int dup_col(sqlite3_stmt *q, int col, char **out)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    if (!t) {
        *out = NULL;
        return sqlite3_errcode(sqlite3_db_handle(q)) != SQLITE_NOMEM;
    }
    *out = strdup((const char *)t);
    return *out != NULL;
}

/* Fills inc from the current row of a SELECT_INCIDENT statement. */
static bm_status row_to_incident(sqlite3_stmt *q, bm_incident *inc)
{
    memset(inc, 0, sizeof *inc);
    inc->id = sqlite3_column_int64(q, 0);
    inc->report_id = sqlite3_column_int64(q, 1);
    int ok = dup_col(q, 2, &inc->report_title) &&
             dup_col(q, 3, &inc->report_path) && dup_col(q, 4, &inc->type) &&
             dup_col(q, 5, &inc->date) && dup_col(q, 7, &inc->actor) &&
             dup_col(q, 8, &inc->place_name) &&
             dup_col(q, 9, &inc->place_id) && dup_col(q, 10, &inc->surface) &&
             dup_col(q, 14, &inc->sentence);
    if (!ok) {
        bm_incident_clear(inc);
        return BM_ERR_NOMEM;
    }
    inc->date_precision = date_precision_from(sqlite3_column_text(q, 6));
    inc->precision = sqlite3_column_type(q, 11) == SQLITE_NULL
                         ? BM_PREC_UNKNOWN
                         : (bm_precision)sqlite3_column_int(q, 11);
    inc->lon = sqlite3_column_double(q, 12);
    inc->lat = sqlite3_column_double(q, 13);
    sqlite3_int64 off = sqlite3_column_int64(q, 15);
    inc->sentence_offset = off > 0 ? (size_t)off : 0;
    return BM_OK;
}

/* Steps q to the end (or until fn asks to stop), handing each row to fn.
 * Finalises q. */
static bm_status visit_rows(bm_store *st, sqlite3_stmt *q,
                            bm_incident_visit_fn fn, void *user,
                            const char *what)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    bm_status status = BM_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        bm_incident inc;
        status = row_to_incident(q, &inc);
        if (status != BM_OK) {
            bm_ctx_fail(ctx, status, "%s: %s: out of memory", s->path, what);
            break;
        }
        int stop = fn(user, &inc);
        bm_incident_clear(&inc);
        if (stop)
            break;
    }
    if (status == BM_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = sl_fail(ctx, s->path, s->db, rc, "%s", what);
    sqlite3_finalize(q);
    return status;
}

static bm_status sl_each_incident(bm_store *st, bm_incident_visit_fn fn,
                                  void *user)
{
    sl_store *s = bm_store_data(st);
    const char *what = "cannot read incidents";
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, SELECT_INCIDENT "ORDER BY i.id", -1,
                                &q, NULL);
    if (rc != SQLITE_OK)
        return sl_fail(bm_store_ctx(st), s->path, s->db, rc, "%s", what);
    return visit_rows(st, q, fn, user, what);
}

/* The R*Tree stores float32 bounds rounded outwards, so it may offer a few
 * points just outside the box; the lon/lat test afterwards is exact. Two
 * longitude ranges (?1..?2 and ?3..?4) cover a box across the antimeridian;
 * otherwise both are the same range. */
static const char in_box_sql[] =
    SELECT_INCIDENT
    "WHERE i.id IN ("
    "  SELECT pkid FROM idx_incidents_geom"
    "   WHERE xmin <= ?2 AND xmax >= ?1 AND ymin <= ?6 AND ymax >= ?5"
    "  UNION"
    "  SELECT pkid FROM idx_incidents_geom"
    "   WHERE xmin <= ?4 AND xmax >= ?3 AND ymin <= ?6 AND ymax >= ?5)"
    " AND i.lat BETWEEN ?5 AND ?6"
    " AND (i.lon BETWEEN ?1 AND ?2 OR i.lon BETWEEN ?3 AND ?4)"
    " ORDER BY i.id";

static bm_status sl_in_box(bm_store *st, double min_lon, double min_lat,
                           double max_lon, double max_lat,
                           bm_incident_visit_fn fn, void *user)
{
    sl_store *s = bm_store_data(st);
    const char *what = "cannot search incidents in a box";
    double a0 = min_lon, a1 = max_lon, b0 = min_lon, b1 = max_lon;
    if (min_lon > max_lon) { /* across the antimeridian */
        a1 = 180.0;
        b0 = -180.0;
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, in_box_sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sl_fail(bm_store_ctx(st), s->path, s->db, rc, "%s", what);
    sqlite3_bind_double(q, 1, a0);
    sqlite3_bind_double(q, 2, a1);
    sqlite3_bind_double(q, 3, b0);
    sqlite3_bind_double(q, 4, b1);
    sqlite3_bind_double(q, 5, min_lat);
    sqlite3_bind_double(q, 6, max_lat);
    return visit_rows(st, q, fn, user, what);
}

static const bm_store_ops sl_ops = {
    .name = "spatialite",
    .add_report = sl_add_report,
    .count = sl_count,
    .each_incident = sl_each_incident,
    .in_box = sl_in_box,
    .close = sl_close,
};
