/*
 * store_spatialite.c - the SpatiaLite backend of bm_store; the only file in
 * bordermap that speaks SQL.
 *
 * One SQLite file holds everything. Schema version 4 (PRAGMA user_version
 * = 4, and bordermap_meta.schema_version = '4' so that a bordermap that
 * reads version 1 refuses the file with a clear message):
 *
 *   bordermap_meta(key TEXT PRIMARY KEY, value TEXT)
 *   reports(id, sha256 UNIQUE, path, title, source (the outlet), url,
 *           date (published), date_precision, body, ingested_at)
 *   mentions(id, report_id -> reports ON DELETE CASCADE, start, end (code
 *            points), surface, place_id, place_name, lon, lat, confidence,
 *            reason)
 *   incidents(id, report_id -> reports ON DELETE CASCADE (NULL for an
 *             incident entered by hand), type NOT NULL, date, date_precision,
 *             actor, place_name, place_id, country, admin1, admin2, surface,
 *             precision, lon, lat, sentence, sentence_offset, confidence,
 *             status auto|reviewed|manual, origin, created, updated,
 *             geom POINT 4326 XY, date_start, date_end, is_main 0|1,
 *             evidence_more)   + R*Tree idx_incidents_geom
 *   audit(id, ts, incident_id, report_id, field, old_value, new_value,
 *         command)
 *   suppressed(report_id, origin)   extracted incidents an analyst deleted
 *
 * The columns new in version 4 come after geom in every store, new or
 * migrated: a new store is made as version 3 was and then given them with
 * the same ALTER TABLE statements a migration runs (add_v4_columns).
 *
 * Older files are migrated on open, one version step per transaction (an
 * interrupted chain leaves a whole store of an intermediate version, which
 * the next open takes on from):
 *  - Version 1 (bordermap_meta.schema_version = '1', user_version 0: no
 *    mentions, audit or suppressed tables; incidents without country,
 *    admin1, admin2, confidence, status, origin, created, updated and with
 *    report_id NOT NULL) -> 3: the incidents table is rebuilt (ids kept)
 *    and its spatial index rebuilt (migrate_v1).
 *  - Version 2 (the same tables; incidents.status checked with IN (...))
 *    -> 3: that CHECK is rewritten in the table's SQL text (migrate_v2).
 *  - Version 3 -> 4: the four columns are added and date_start/date_end of
 *    dated rows filled from date and date_precision by bm_date_range()
 *    itself, called from SQL (migrate_v3).
 *
 * Units and encodings:
 *  - lon/lat are WGS 84 degrees; geom = MakePoint(lon, lat, 4326) is written
 *    together with them and is what the spatial index covers. Reads return
 *    the lon/lat columns (exact doubles).
 *  - precision is the bm_precision code (1 town .. 4 country, 9 unknown,
 *    after ACLED's geo_precision); date_precision is
 *    bm_date_precision_name() ("day", ..., "season", "reported") or NULL
 *    for BM_DATE_NONE.
 *  - date_start/date_end are the range of days an incident may mean,
 *    "YYYY-MM-DD" (ISO text, so that they compare as strings); date_start
 *    is NULL for an open range (BM_DATE_REPORTED), both are NULL for an
 *    undated incident. is_main is 1 for a report's main incident (at most
 *    one per report: edits keep it so). evidence_more holds the further
 *    sentences of a merged incident, joined by "\n".
 *  - sentence_offset is in code points; timestamps are UTC ISO 8601
 *    (ingested_at to the second, created/updated/audit ts to the ms).
 *  - origin identifies an extracted incident across re-ingests:
 *    "<sentence_offset>|<type>|<place_id or place_name>" as extracted; it
 *    does not change when an analyst edits the incident.
 *
 * Journal: WAL with synchronous=NORMAL, so that queries read while an
 * ingest writes, and a killed process never leaves a partial report (each
 * report is one transaction). SQLite folds the -wal file back into the
 * database when the last connection closes, so a store is still one file
 * at rest. Writers wait up to BUSY_TIMEOUT_MS for the write lock.
 *
 * Ownership: the sl_store (db handle, SpatiaLite cache, path copy, cached
 * statements) is owned by the bm_store wrapper and released by sl_close().
 * Incidents passed to visitors are borrowed for the call and cleared right
 * after it.
 *
 * Errors: every SQLite failure becomes one message naming the database
 * file, the operation and SQLite's reason, e.g.
 *   "out/x.sqlite: cannot store report 'Title': database is locked".
 * SpatiaLite itself may still print a line to stderr when one of its
 * schema functions fails; that only happens on a failure we also report.
 */
#include "bm_store.h"
#include "rtree_bulk.h"
#include "wal_ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <spatialite.h>

#define SCHEMA_VERSION_INT 4
#define SCHEMA_VERSION "4"
_Static_assert(SCHEMA_VERSION_INT == BM_STORE_SCHEMA_VERSION,
               "bm_store.h and the SpatiaLite backend disagree on the schema");
#define BUSY_TIMEOUT_MS 30000

/* Statements kept prepared for the life of the handle (ingest speed). */
enum {
    Q_FIND_SHA,
    Q_INSERT_REPORT,
    Q_INSERT_INCIDENT,
    Q_INSERT_MENTION,
    Q_ORIGIN_TAKEN,
    Q_COUNT
};

/* SpatiaLite's per-row insert triggers on incidents, which a batch sets
 * aside inside its own transaction (see batch_fast_begin). */
#define N_ROW_TRIGGERS 3
static const char *const row_triggers[N_ROW_TRIGGERS] = {
    "ggi_incidents_geom", /* geometry type and SRID check */
    "tmi_incidents_geom", /* geometry_columns_time.last_insert */
    "gii_incidents_geom", /* R*Tree insert through RTreeAlign() */
};

typedef struct sl_store {
    sqlite3 *db;
    void *cache;   /* spatialite_alloc_connection() */
    char *path;    /* as given, for messages */
    int readonly;
    sqlite3_stmt *q[Q_COUNT]; /* lazily prepared, finalised by sl_free() */
    /* Batch mode (bm_store_begin_batch): reports go into savepoints of one
     * outer transaction, committed every BM_STORE_BATCH_ROWS rows. */
    int batch;
    size_t pending_reports, pending_rows; /* since the last commit */
    double busy_since; /* when the current wait for a lock began (s) */
    /* The CREATE TRIGGER text of row_triggers while the batch's open
     * transaction has them dropped (NULL when they are in place). */
    char *trigger_sql[N_ROW_TRIGGERS];
    /* A batch's checkpointing thread (wal_ckpt.h), from its first
     * transaction to its end; NULL outside batches, or if it could not
     * start (SQLite's automatic checkpoint then does the work). */
    bm_wal_ckpt *ckpt;
} sl_store;
static const bm_store_ops sl_ops;
static void forget_trigger_sql(sl_store *s);
static int batch_commit(sl_store *s);
static int index_tail(sl_store *s, sqlite3_int64 *indexed);

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
    /* An I/O error says what the system said (ENOSPC, EFBIG, EACCES). */
    char io_why[256];
    int sys = db ? sqlite3_system_errno(db) : 0;
    if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) &&
        sys > 0) {
        snprintf(io_why, sizeof io_why, "%s (%s)", why, strerror(sys));
        why = io_why;
    } else if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC ||
               rc == SQLITE_IOERR_TRUNCATE) {
        snprintf(io_why, sizeof io_why, "%s: cannot write the file (disk "
                 "full, a file size limit, or a failing disk); nothing of this "
                 "operation was stored", why);
        why = io_why;
    }
    if ((rc & 0xff) == SQLITE_NOTADB)
        why = "not a SQLite database";
    else if ((rc & 0xff) == SQLITE_CORRUPT)
        why = "the database file is damaged or truncated (SQLite: database "
              "disk image is malformed); restore it from a copy";
    else if ((rc & 0xff) == SQLITE_READONLY)
        why = "the database is read-only: this user cannot write the file "
              "or its folder (SQLite: attempt to write a readonly database)";
    else if ((rc & 0xff) == SQLITE_FULL)
        why = "the disk is full (or a file size limit was reached); nothing "
              "of this operation was stored";
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

/* ---- waiting for locks ---------------------------------------------------
 * Another process holding the write lock makes SQLite call this, until it
 * returns 0 (then SQLITE_BUSY, "database is locked"). It waits up to
 * BUSY_TIMEOUT_MS in all, in short sleeps: a writer that commits and
 * begins again at once frees the lock only for a moment, and the sleeps
 * of sqlite3_busy_timeout() (up to 100 ms each) can miss every such moment
 * until the timeout, which starved one of two back-to-back writers under
 * valgrind. Polling every quarter millisecond catches them (and the writer
 * yields after each commit, see report_commit). */
static int busy_wait(void *user, int count)
{
    sl_store *s = user;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    if (count == 0)
        s->busy_since = t;
    if ((t - s->busy_since) * 1000.0 >= BUSY_TIMEOUT_MS)
        return 0;
    /* 0.25 ms for the first 2 s of waiting (about 8,000 tries), then 1 ms:
     * one try costs a few microseconds of a file lock. */
    struct timespec d = {0, count < 8000 ? 250000L : 1000000L};
    nanosleep(&d, NULL);
    return 1;
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

/* A stored date_precision; NULL or a name this bordermap does not know is
 * BM_DATE_NONE. */
static bm_date_precision date_precision_from(const unsigned char *text)
{
    int p = bm_date_precision_parse((const char *)text);
    return p > 0 ? (bm_date_precision)p : BM_DATE_NONE;
}

/* The incident to write for e: e itself, or, when e has a date and a
 * precision but no range (date_end NULL: a caller that predates ranges),
 * a shallow copy in *tmp whose range bm_date_range() derives into start
 * and end. What is written and what the audit compares are then the
 * same. */
static const bm_incident *with_range(const bm_incident *e, bm_incident *tmp,
                                     char start[11], char end[11])
{
    if (e->date_end || !e->date || e->date_precision == BM_DATE_NONE)
        return e;
    *tmp = *e;
    /* A day's range is the day itself: no formatting (a batch of such
     * rows, as tests/bench/bench_store.c writes, pays a few compares). */
    if (e->date_precision == BM_DATE_DAY && strlen(e->date) == 10 &&
        bm_date_valid(e->date) &&
        atoi(e->date + 8) <= bm_days_in_month(atoi(e->date),
                                              atoi(e->date + 5))) {
        tmp->date_start = tmp->date_end = e->date;
        return tmp;
    }
    if (!bm_date_range(e->date, e->date_precision, start, end))
        return e;
    tmp->date_start = start[0] ? start : NULL;
    tmp->date_end = end;
    return tmp;
}

#define NOW_MS "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* Prepares (once) and resets a cached statement. */
static int cached(sl_store *s, int which, const char *sql, sqlite3_stmt **out)
{
    if (!s->q[which]) {
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->q[which], NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    sqlite3_reset(s->q[which]);
    sqlite3_clear_bindings(s->q[which]);
    *out = s->q[which];
    return SQLITE_OK;
}

/* "<offset>|<type>|<place>" for an extracted incident. Caller frees. */
/* Writes e's origin into b (emptied first; kept for the next row: an
 * ingest formats one per incident, and printf and malloc were 4% of it).
 * Returns b's text, or NULL when out of memory. */
static const char *origin_into(bm_buf *b, const bm_incident *e)
{
    char num[24];
    size_t k = sizeof num, v = e->sentence_offset;
    do
        num[--k] = (char)('0' + v % 10);
    while ((v /= 10) > 0 && k > 0);
    bm_buf_reset(b);
    const char *place =
        e->place_id ? e->place_id : (e->place_name ? e->place_name : "");
    if (bm_buf_append(b, num + k, sizeof num - k) != BM_OK ||
        bm_buf_append(b, "|", 1) != BM_OK ||
        bm_buf_puts(b, e->type ? e->type : "") != BM_OK ||
        bm_buf_append(b, "|", 1) != BM_OK || bm_buf_puts(b, place) != BM_OK)
        return NULL;
    return b->data;
}

/* ---- schema ------------------------------------------------------------- */

/* The status CHECK is written as three comparisons, not IN (...): SQLite
 * codes an IN list of more than two values as a temporary B-tree built
 * afresh for every row an INSERT or UPDATE writes (open a pager, insert
 * the values, look up, close), which was 30% of an ingest's time. Version
 * 2 had the IN form; migrate_v2 rewrites it in place. */
#define STATUS_CHECK_V2 "CHECK (status IN ('auto', 'reviewed', 'manual'))"
#define STATUS_CHECK                                                         \
    "CHECK (status = 'auto' OR status = 'reviewed' OR status = 'manual')"

static const char incidents_sql[] =
    "CREATE TABLE incidents (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  report_id INTEGER REFERENCES reports(id) ON DELETE CASCADE,\n"
    "  type TEXT NOT NULL,\n"
    "  date TEXT,\n"
    "  date_precision TEXT,\n"
    "  actor TEXT,\n"
    "  place_name TEXT,\n"
    "  place_id TEXT,\n"
    "  country TEXT,\n"
    "  admin1 TEXT,\n"
    "  admin2 TEXT,\n"
    "  surface TEXT,\n"
    "  precision INTEGER,\n"
    "  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),\n"
    "  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),\n"
    "  sentence TEXT,\n"
    "  sentence_offset INTEGER,\n"
    "  confidence REAL,\n"
    "  status TEXT NOT NULL DEFAULT 'auto'\n"
    "    " STATUS_CHECK ",\n"
    "  origin TEXT,\n"
    "  created TEXT NOT NULL DEFAULT (" NOW_MS "),\n"
    "  updated TEXT NOT NULL DEFAULT (" NOW_MS "))";

/* Adds the columns new in version 4, to a new store (after its geometry)
 * and to a migrated one alike. is_main is checked with two comparisons,
 * like status, not IN (0, 1). Each statement is a literal (exec_sql runs
 * constant SQL only; tests/cli/test_security.sh checks it). */
static int add_v4_columns(sqlite3 *db)
{
    int rc = exec_sql(db, "ALTER TABLE incidents ADD COLUMN date_start TEXT");
    if (rc == SQLITE_OK)
        rc = exec_sql(db, "ALTER TABLE incidents ADD COLUMN date_end TEXT");
    if (rc == SQLITE_OK)
        rc = exec_sql(db, "ALTER TABLE incidents ADD COLUMN is_main INTEGER "
                          "NOT NULL DEFAULT 0\n"
                          "  CHECK (is_main = 0 OR is_main = 1)");
    if (rc == SQLITE_OK)
        rc = exec_sql(db,
                      "ALTER TABLE incidents ADD COLUMN evidence_more TEXT");
    return rc;
}

/* Tables and indexes new in version 2 (besides incidents). */
static const char *const v2_extra_sql[] = {
    "CREATE INDEX incidents_report_id ON incidents(report_id, origin)",
    "CREATE TABLE mentions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,\n"
    "  start INTEGER NOT NULL,\n"
    "  \"end\" INTEGER NOT NULL,\n"
    "  surface TEXT,\n"
    "  place_id TEXT,\n"
    "  place_name TEXT,\n"
    "  lon REAL,\n"
    "  lat REAL,\n"
    "  confidence REAL,\n"
    "  reason TEXT)",
    "CREATE INDEX mentions_report_id ON mentions(report_id)",
    "CREATE TABLE audit (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ts TEXT NOT NULL DEFAULT (" NOW_MS "),\n"
    "  incident_id INTEGER,\n"
    "  report_id INTEGER,\n"
    "  field TEXT NOT NULL,\n"
    "  old_value TEXT,\n"
    "  new_value TEXT,\n"
    "  command TEXT)",
    "CREATE INDEX audit_incident_id ON audit(incident_id)",
    "CREATE TABLE suppressed (\n"
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,\n"
    "  origin TEXT NOT NULL,\n"
    "  PRIMARY KEY (report_id, origin)) WITHOUT ROWID",
};

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
    incidents_sql,
};

/* Runs a SpatiaLite schema function that answers 1 on success. On failure
 * *failed names it (rc SQLITE_OK) or rc is SQLite's error. */
static int spatial_call(sqlite3 *db, const char *sql, const char **failed)
{
    sqlite3_int64 ok = 0;
    int rc = select_int(db, sql, &ok);
    if (rc == SQLITE_OK && ok != 1) {
        *failed = sql;
        return SQLITE_ERROR;
    }
    return rc;
}

/* Adds incidents.geom and its spatial index (filled from existing rows). */
static int add_geometry(sqlite3 *db, const char **failed)
{
    int rc = spatial_call(db,
                          "SELECT AddGeometryColumn('incidents', 'geom', "
                          "4326, 'POINT', 'XY')", failed);
    if (rc == SQLITE_OK)
        rc = spatial_call(db, "SELECT CreateSpatialIndex('incidents', 'geom')",
                          failed);
    return rc;
}

/* Fails with SQLite's message, or SpatiaLite's function name, then rolls
 * back. */
static bm_status schema_fail(bm_ctx *ctx, sl_store *s, int rc,
                             const char *failed, const char *what)
{
    bm_status status;
    if (failed)
        status = bm_ctx_fail(ctx, BM_ERR_DB, "%s: %s: SpatiaLite's %s failed",
                             s->path, what, failed);
    else
        status = sl_fail(ctx, s->path, s->db, rc, "%s", what);
    if (!sqlite3_get_autocommit(s->db))
        exec_sql(s->db, "ROLLBACK");
    return status;
}

static bm_status migration_end(bm_ctx *ctx, sl_store *s, int rc,
                               const char *failed, const char *what,
                               int version);

/* Creates the schema in an empty database, in one transaction so that a
 * failure leaves no half-made store. */
static bm_status create_schema(bm_ctx *ctx, sl_store *s)
{
    const char *what = "cannot create the bordermap schema";
    const char *failed = NULL;
    sqlite3_int64 tables = 0;
    int rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "%s", what);

    /* Another process may have created it between our check and the lock. */
    rc = select_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK)
        return schema_fail(ctx, s, rc, NULL, what);
    if (tables > 0) {
        exec_sql(s->db, "ROLLBACK");
        return BM_OK;
    }

    /* 'WGS84' registers EPSG:4326 and the WGS 84 UTM zones only, not the
     * ~6,000 rows of the full spatial_ref_sys: a new store is ~0.5 MB, not
     * 6.6 MB. Incidents are stored in EPSG:4326. */
    rc = spatial_call(s->db, "SELECT InitSpatialMetadata('WGS84')", &failed);
    for (size_t i = 0;
         rc == SQLITE_OK && i < sizeof schema_sql / sizeof schema_sql[0]; i++)
        rc = exec_sql(s->db, schema_sql[i]);
    if (rc == SQLITE_OK)
        rc = add_geometry(s->db, &failed);
    for (size_t i = 0;
         rc == SQLITE_OK && i < sizeof v2_extra_sql / sizeof v2_extra_sql[0];
         i++)
        rc = exec_sql(s->db, v2_extra_sql[i]);
    if (rc == SQLITE_OK)
        rc = add_v4_columns(s->db);
    return migration_end(ctx, s, rc, failed, what, SCHEMA_VERSION_INT);
}

/* Begins a migration's transaction. *go is 0 (and nothing is open) when
 * user_version is no longer from_uv: another process migrated the store
 * meanwhile. */
static bm_status migration_begin(bm_ctx *ctx, sl_store *s,
                                 sqlite3_int64 from_uv, const char *what,
                                 int *go)
{
    *go = 0;
    int rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "%s", what);
    sqlite3_int64 uv = -1;
    rc = select_int(s->db, "PRAGMA user_version", &uv);
    if (rc != SQLITE_OK)
        return schema_fail(ctx, s, rc, NULL, what);
    if (uv != from_uv) {
        exec_sql(s->db, "ROLLBACK");
        return BM_OK;
    }
    *go = 1;
    return BM_OK;
}

/* Records the version a schema change reached: 3 (the step from versions
 * 1 and 2) or this bordermap's. Literal SQL, as everywhere exec_sql runs. */
static int set_version(sqlite3 *db, int version)
{
    int rc;
    if (version == 3) {
        rc = exec_sql(db, "UPDATE bordermap_meta SET value = '3' "
                          "WHERE key = 'schema_version'");
        if (rc == SQLITE_OK)
            rc = exec_sql(db, "PRAGMA user_version = 3");
    } else {
        rc = exec_sql(db, "UPDATE bordermap_meta SET value = '"
                          SCHEMA_VERSION "' WHERE key = 'schema_version'");
        if (rc == SQLITE_OK)
            rc = exec_sql(db, "PRAGMA user_version = " SCHEMA_VERSION);
    }
    return rc;
}

/* Ends a schema change (a migration step, or the schema's creation) whose
 * steps so far gave rc: records the version it reached (3 or
 * SCHEMA_VERSION_INT) and commits, or rolls back. */
static bm_status migration_end(bm_ctx *ctx, sl_store *s, int rc,
                               const char *failed, const char *what,
                               int version)
{
    if (rc == SQLITE_OK)
        rc = set_version(s->db, version);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK)
        return schema_fail(ctx, s, rc, failed, what);
    return BM_OK;
}

/* Version 1 -> 3, in one transaction (the incidents table as version 3
 * made it: incidents_sql, without the columns of version 4). */
static bm_status migrate_v1(bm_ctx *ctx, sl_store *s)
{
    const char *what = "cannot upgrade the store from schema version 1 to 3";
    const char *failed = NULL;
    int go = 0;
    bm_status st = migration_begin(ctx, s, 0, what, &go);
    if (st != BM_OK || !go)
        return st;
    /* Unregister the geometry and its index, set the old table aside. */
    int rc = spatial_call(s->db,
                      "SELECT DisableSpatialIndex('incidents', 'geom')",
                      &failed);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "DROP TABLE IF EXISTS idx_incidents_geom");
    if (rc == SQLITE_OK)
        rc = spatial_call(s->db,
                          "SELECT DiscardGeometryColumn('incidents', 'geom')",
                          &failed);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "DROP INDEX IF EXISTS incidents_report_id");
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "ALTER TABLE incidents RENAME TO incidents_v1");
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, incidents_sql);
    if (rc == SQLITE_OK)
        rc = spatial_call(s->db,
                          "SELECT AddGeometryColumn('incidents', 'geom', "
                          "4326, 'POINT', 'XY')", &failed);
    /* Extracted incidents keep their ids; created/updated are the time
     * their report was ingested. */
    if (rc == SQLITE_OK)
        rc = exec_sql(
            s->db,
            "INSERT INTO incidents(id, report_id, type, date, date_precision, "
            "actor, place_name, place_id, surface, precision, lon, lat, "
            "sentence, sentence_offset, status, origin, created, updated, "
            "geom) "
            "SELECT o.id, o.report_id, o.type, o.date, o.date_precision, "
            "o.actor, o.place_name, o.place_id, o.surface, o.precision, "
            "o.lon, o.lat, o.sentence, o.sentence_offset, 'auto', "
            "coalesce(o.sentence_offset, 0) || '|' || o.type || '|' || "
            "coalesce(o.place_id, o.place_name, ''), "
            "coalesce(r.ingested_at, " NOW_MS "), "
            "coalesce(r.ingested_at, " NOW_MS "), "
            "MakePoint(o.lon, o.lat, 4326) "
            "FROM incidents_v1 AS o LEFT JOIN reports AS r "
            "ON r.id = o.report_id ORDER BY o.id");
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "DROP TABLE incidents_v1");
    if (rc == SQLITE_OK)
        rc = spatial_call(s->db,
                          "SELECT CreateSpatialIndex('incidents', 'geom')",
                          &failed);
    for (size_t i = 0;
         rc == SQLITE_OK && i < sizeof v2_extra_sql / sizeof v2_extra_sql[0];
         i++)
        rc = exec_sql(s->db, v2_extra_sql[i]);
    return migration_end(ctx, s, rc, failed, what, 3);
}

/* Version 2 -> 3, in one transaction: the status CHECK of incidents
 * rewritten from IN (...) to the same test as three comparisons. The
 * rows already satisfy it and nothing on disk but the table's SQL text
 * changes, so the text is edited in place, as SQLite's documentation of
 * ALTER TABLE describes for such changes (writable_schema, then a new
 * schema_version so that every connection reads the schema again), not
 * by copying the table. */
static bm_status migrate_v2(bm_ctx *ctx, sl_store *s)
{
    const char *what = "cannot upgrade the store from schema version 2 to 3";
    int go = 0;
    bm_status st = migration_begin(ctx, s, 2, what, &go);
    if (st != BM_OK || !go)
        return st;
    sqlite3_int64 cookie = 0;
    int rc = select_int(s->db, "PRAGMA schema_version", &cookie);
    int defensive = 0;
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
    if (rc == SQLITE_OK && defensive)
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "PRAGMA writable_schema = ON");
    if (rc == SQLITE_OK) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(s->db,
                                "UPDATE sqlite_master SET sql = "
                                "replace(sql, ?1, ?2) WHERE type = 'table' "
                                "AND name = 'incidents'",
                                -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, STATUS_CHECK_V2, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, STATUS_CHECK, -1, SQLITE_STATIC);
            rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK
                                                : sqlite3_errcode(s->db);
        }
        sqlite3_finalize(q);
    }
    if (rc == SQLITE_OK) {
        /* a PRAGMA takes no parameters: the number is printed in */
        char cookie_sql[64];
        snprintf(cookie_sql, sizeof cookie_sql,
                 "PRAGMA schema_version = %lld", (long long)cookie + 1);
        rc = exec_sql(s->db, cookie_sql);
    }
    int off = exec_sql(s->db, "PRAGMA writable_schema = OFF");
    if (rc == SQLITE_OK)
        rc = off;
    if (defensive)
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    return migration_end(ctx, s, rc, NULL, what, 3);
}

/* bordermap_date_range(date, date_precision, which): the first (which 0)
 * or last (1) day that bm_date_range() gives for a stored date and
 * date_precision; NULL when it gives none (no valid date, no or an unknown
 * precision, the open start of BM_DATE_REPORTED). Registered on the
 * connection only while migrate_v3 runs, so that the SQL fills the range
 * by the very rule of the C code. */
static void sql_date_range(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    const char *date = (const char *)sqlite3_value_text(v[0]);
    int p = bm_date_precision_parse((const char *)sqlite3_value_text(v[1]));
    int which = sqlite3_value_int(v[2]);
    char start[11], end[11];
    if (!date || p <= 0 ||
        !bm_date_range(date, (bm_date_precision)p, start, end)) {
        sqlite3_result_null(c);
        return;
    }
    const char *day = which ? end : start;
    if (day[0])
        sqlite3_result_text(c, day, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(c);
}

/* Version 3 -> 4, in one transaction: incidents gain date_start,
 * date_end, is_main (0 for every existing row: which incident a report is
 * about was not recorded) and evidence_more; the range of each dated row
 * is filled from its date and date_precision (rows whose date is not a
 * valid day, month or year keep NULL). */
static bm_status migrate_v3(bm_ctx *ctx, sl_store *s)
{
    const char *what = "cannot upgrade the store from schema version 3 to 4";
    int go = 0;
    bm_status st = migration_begin(ctx, s, 3, what, &go);
    if (st != BM_OK || !go)
        return st;
    int rc = add_v4_columns(s->db);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(
            s->db, "bordermap_date_range", 3,
            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_date_range, NULL,
            NULL, NULL);
    if (rc == SQLITE_OK) {
        rc = exec_sql(s->db,
                      "UPDATE incidents SET "
                      "date_start = bordermap_date_range(date, "
                      "date_precision, 0), "
                      "date_end = bordermap_date_range(date, "
                      "date_precision, 1) WHERE date IS NOT NULL");
        sqlite3_create_function_v2(s->db, "bordermap_date_range", 3,
                                   SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
    }
    return migration_end(ctx, s, rc, NULL, what, 4);
}

/* The schema version of an open database: user_version, or 1 for a
 * version-1 store (user_version 0, bordermap_meta says '1'); 0 when it is
 * not a bordermap store (message set). */
static bm_status read_version(bm_ctx *ctx, sl_store *s, int *version)
{
    sqlite3_int64 uv = 0;
    *version = 0;
    int rc = select_int(s->db, "PRAGMA user_version", &uv);
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot read the schema");
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(
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
    char *end = NULL;
    long meta_l = v ? strtol(v, &end, 10) : 0;
    int meta = v && end != v && *end == '\0' && meta_l > 0 && meta_l < 1000
                   ? (int)meta_l : 0;
    sqlite3_finalize(q);
    *version = uv > 0 ? (int)uv : meta;
    if (*version <= 0)
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: not a bordermap store (schema version '%s')",
                           s->path, v ? v : "(none)");
    return BM_OK;
}

/* Checks that an existing database is a bordermap store of this version. */
static bm_status check_schema(bm_ctx *ctx, sl_store *s)
{
    int version = 0;
    bm_status st = read_version(ctx, s, &version);
    if (st != BM_OK)
        return st;
    if (version > SCHEMA_VERSION_INT)
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: store schema version %d, but this bordermap "
                           "reads version " SCHEMA_VERSION " and older; use a "
                           "newer bordermap", s->path, version);
    if (version < SCHEMA_VERSION_INT)
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: store schema version %d was not upgraded to "
                           "version " SCHEMA_VERSION, s->path, version);
    sqlite3_int64 n = 0;
    int rc = select_int(s->db,
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

static void ckpt_stop(sl_store *s);

static void sl_free(sl_store *s)
{
    if (!s)
        return;
    ckpt_stop(s); /* before the close: the last connection checkpoints */
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    forget_trigger_sql(s);
    if (s->db)
        sqlite3_close(s->db); /* all statements are finalised by now */
    if (s->cache)
        spatialite_cleanup_ex(s->cache);
    free(s->path);
    free(s);
}

static void sl_close(bm_store *st)
{
    sl_store *s = bm_store_data(st);
    /* Reports added in a batch were answered "stored": keep them (and
     * index them). */
    if (s && s->batch && s->db) {
        if (batch_commit(s) != SQLITE_OK) {
            if (!sqlite3_get_autocommit(s->db))
                exec_sql(s->db, "ROLLBACK");
        } else {
            sqlite3_int64 indexed;
            (void)index_tail(s, &indexed); /* else left to the next batch */
        }
    }
    sl_free(s);
}

static void unlink_with_companions(const char *path)
{
    static const char *const ext[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char p[4096];
        if (snprintf(p, sizeof p, "%s%s", path, ext[i]) < (int)sizeof p)
            unlink(p);
    }
}

/* Whether the folder holding path may be written (SQLite makes its -wal
 * and -shm files there). */
static int folder_writable(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK) == 0;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(dir, W_OK) == 0;
}

/* Opens path read-only through a "file:...?immutable=1" URI (the path
 * percent-encoded). */
static int open_immutable(const char *path, sqlite3 **db)
{
    bm_buf uri = {0};
    bm_buf_puts(&uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
            bm_buf_printf(&uri, "%%%02X", *p);
        else
            bm_buf_append(&uri, (const char *)p, 1);
    }
    bm_buf_puts(&uri, "?immutable=1");
    if (!uri.data)
        return SQLITE_NOMEM;
    int rc = sqlite3_open_v2(uri.data, db, SQLITE_OPEN_READONLY |
                                               SQLITE_OPEN_URI, NULL);
    bm_buf_free(&uri);
    return rc;
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
    if (existed && !S_ISREG(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO,
                           "%s: not a regular file, so not a database", path);
    if (!existed) {
        /* Make the file ourselves, with the context's mode (owner only by
         * default) whatever the umask: SQLite gives the -wal and -shm
         * files it keeps beside a database the database's own mode. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      bm_ctx_file_mode(ctx));
        if (fd < 0 && errno != EEXIST) {
            int e = errno;
            return bm_ctx_fail(ctx, BM_ERR_IO,
                               "%s: cannot create database: %s", path,
                               strerror(e));
        }
        if (fd >= 0) {
            (void)fchmod(fd, bm_ctx_file_mode(ctx));
            close(fd);
            made_empty = 1; /* until SQLite says otherwise, below */
        } else {
            existed = 1; /* another process made it just now */
        }
    }

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
    sqlite3_busy_handler(s->db, busy_wait, s);
    /* SQLite quietly opens a file it may not write read-only; say so now
     * rather than at the first write. */
    if (!readonly && sqlite3_db_readonly(s->db, "main") == 1) {
        st = bm_ctx_fail(ctx, BM_ERR_DB,
                         "%s: the database is read-only (the file or its "
                         "folder cannot be written by this user)", path);
        goto fail;
    }

    /* Touch the file before anything else, so that a file that is not a
     * database fails here with a plain message. */
    sqlite3_int64 tables = 0;
    rc = select_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK && readonly && existed &&
        ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) &&
        !folder_writable(path)) {
        /* A WAL database in a folder this user cannot write: SQLite cannot
         * make the -shm file readers share. Read the file as immutable
         * (no locks, no -wal): right for a store at rest, such as a copy
         * on read-only media; a writer elsewhere would not be seen. */
        sqlite3_close(s->db);
        s->db = NULL;
        rc = open_immutable(path, &s->db);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(s->db, 1);
            rc = select_int(s->db, "SELECT count(*) FROM sqlite_master",
                            &tables);
        }
    }
    if (rc != SQLITE_OK) {
        st = sl_fail(ctx, path, s->db, rc, "cannot open database");
        goto fail;
    }
    made_empty = made_empty && tables == 0;

    /* SpatiaLite's SQL functions are needed to write (its triggers call
     * them) and to create or migrate the schema, never to read: bordermap
     * reads plain columns and SQLite's own R*Tree. A read-only connection
     * skips loading them (a noticeable part of a short command's start). */
    if (!readonly) {
        s->cache = spatialite_alloc_connection();
        if (!s->cache) {
            st = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
            goto fail;
        }
        spatialite_init_ex(s->db, s->cache, 0);
        spatialite_set_silent_mode(s->cache);
    }

    rc = exec_sql(s->db, "PRAGMA foreign_keys = ON");
    /* A reader keeps an 8 MB page cache and no file mapping. Measured on
     * this project's benchmark data (tests/bench/store.sh): a 1.2 km query
     * over 1e7 incidents takes 2.0 ms warm in process and the whole `near`
     * command 76 ms (with mmap: 4.0 and 103-109 ms, page faults and the
     * mapping's teardown costing more than read() on virtual machines);
     * a 25 km query over 1e6 incidents (84,000 hits, rows spread over the
     * whole file) 0.86 s as a command, where a 256 MB cache spent 1.7 s
     * allocating and faulting in fresh pages (warm in process it is 424
     * instead of 281 ms). A writer keeps 64 MB, so that its memory stays
     * flat however large the store grows. */
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, readonly ? "PRAGMA cache_size = -8192"
                                      : "PRAGMA cache_size = -65536");
    if (rc == SQLITE_OK && !readonly) {
        /* WAL lets readers go on while one writer writes; NORMAL sync is
         * still atomic and consistent after a crash (a power cut may lose
         * the last transactions, never half of one). */
        rc = exec_sql(s->db, "PRAGMA journal_mode = WAL");
        if (rc == SQLITE_OK)
            rc = exec_sql(s->db, "PRAGMA synchronous = NORMAL");
    }
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
    int version = 0;
    st = read_version(ctx, s, &version);
    if (st != BM_OK)
        goto fail;
    if (version < SCHEMA_VERSION_INT && readonly) {
        /* Upgrade through a writable connection, then read. */
        bm_store *w = NULL;
        st = bm_store_spatialite_open(ctx, path, 0, 0, &w);
        bm_store_free(w);
        if (st != BM_OK)
            goto fail;
    }
    /* One step at a time: 1 -> 3, 2 -> 3, 3 -> 4. A step that finds the
     * store migrated by another process meanwhile does nothing; the
     * version is read again after each. */
    for (int steps = 0; !readonly && version < SCHEMA_VERSION_INT; steps++) {
        if (steps >= 3) {
            st = bm_ctx_fail(ctx, BM_ERR_DB,
                             "%s: store schema version %d could not be "
                             "upgraded to version " SCHEMA_VERSION, path,
                             version);
            goto fail;
        }
        st = version == 1   ? migrate_v1(ctx, s)
             : version == 2 ? migrate_v2(ctx, s)
                            : migrate_v3(ctx, s);
        if (st == BM_OK)
            st = read_version(ctx, s, &version);
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
    if (made_empty)
        unlink_with_companions(path);
    return st;
}

static bm_status sl_schema_version(bm_store *st, int *version)
{
    sl_store *s = bm_store_data(st);
    return read_version(bm_store_ctx(st), s, version);
}

/* ---- writing reports ---------------------------------------------------- */

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

static int bind_double_or_null(sqlite3_stmt *q, int i, double v)
{
    return isfinite(v) ? sqlite3_bind_double(q, i, v) : sqlite3_bind_null(q, i);
}

/* Parameters ?2..?17 and ?22..?25 of insert_incident_sql /
 * update_incident_sql. e's range is written as it is (see with_range). */
static int bind_incident_fields(sqlite3_stmt *q, const bm_incident *e)
{
    int rc = bind_text(q, 2, e->type);
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
    if (rc == SQLITE_OK) rc = bind_text(q, 14, e->country);
    if (rc == SQLITE_OK) rc = bind_text(q, 15, e->admin1);
    if (rc == SQLITE_OK) rc = bind_text(q, 16, e->admin2);
    if (rc == SQLITE_OK) rc = bind_double_or_null(q, 17, e->confidence);
    if (rc == SQLITE_OK) rc = bind_text(q, 22, e->date_start);
    if (rc == SQLITE_OK) rc = bind_text(q, 23, e->date_end);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(q, 24, e->is_main ? 1 : 0);
    if (rc == SQLITE_OK) rc = bind_text(q, 25, e->evidence_more);
    return rc;
}

static const char find_sha_sql[] = "SELECT id FROM reports WHERE sha256 = ?1";

static const char insert_report_sql[] =
    "INSERT INTO reports(sha256, path, title, source, url, date, "
    "date_precision, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* geom is ?20: a SpatiaLite point blob built in C (point_blob), the same
 * bytes MakePoint(?10, ?11, 4326) makes, without parsing SQL function
 * arguments for every row. */
/* created and updated are ?21 when bound (a report's incidents share the
 * time it was stored, formatted once), else now. ?22..?25 are the columns
 * of version 4. */
static const char insert_incident_sql[] =
    "INSERT INTO incidents(report_id, type, date, date_precision, actor, "
    "place_name, place_id, surface, precision, lon, lat, sentence, "
    "sentence_offset, country, admin1, admin2, confidence, status, origin, "
    "geom, created, updated, date_start, date_end, is_main, evidence_more) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
    "coalesce(?21, " NOW_MS "), coalesce(?21, " NOW_MS "), "
    "?22, ?23, ?24, ?25)";

/* Now as UTC ISO 8601 to the millisecond, like NOW_MS. */
static void now_ms_text(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* SpatiaLite's internal BLOB for POINT XY in EPSG:4326, little-endian:
 * start 0x00, endianness 0x01, SRID (int32), MBR (4 doubles), 0x7C, class
 * 1 = POINT (int32), x, y (doubles), end 0xFE: 60 bytes. */
enum { POINT_BLOB_SIZE = 60 };

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le_double(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void point_blob(unsigned char b[POINT_BLOB_SIZE], double x, double y)
{
    b[0] = 0x00;
    b[1] = 0x01;
    put_le32(b + 2, 4326);
    put_le_double(b + 6, x);
    put_le_double(b + 14, y);
    put_le_double(b + 22, x);
    put_le_double(b + 30, y);
    b[38] = 0x7C;
    put_le32(b + 39, 1);
    put_le_double(b + 43, x);
    put_le_double(b + 51, y);
    b[59] = 0xFE;
}

/* Binds the point blob of (lon, lat) as parameter i; NULL when either is
 * not a number (the NOT NULL constraint on lon/lat then refuses the row,
 * as MakePoint(NULL, ...) would). The blob is copied by SQLite. */
static int bind_point(sqlite3_stmt *q, int i, double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat))
        return sqlite3_bind_null(q, i);
    unsigned char b[POINT_BLOB_SIZE];
    point_blob(b, lon, lat);
    return sqlite3_bind_blob(q, i, b, POINT_BLOB_SIZE, SQLITE_TRANSIENT);
}


static const char insert_mention_sql[] =
    "INSERT INTO mentions(report_id, start, \"end\", surface, place_id, "
    "place_name, lon, lat, confidence, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/* An extracted incident the analyst has already taken over (reviewed, or
 * kept as manual) or deleted. */
static const char origin_taken_sql[] =
    "SELECT 1 FROM incidents WHERE report_id = ?1 AND origin = ?2 "
    "AND status <> 'auto' "
    "UNION ALL SELECT 1 FROM suppressed WHERE report_id = ?1 AND origin = ?2 "
    "LIMIT 1";

static int insert_audit(sl_store *s, sqlite3_int64 incident_id,
                        sqlite3_int64 report_id, const char *field,
                        const char *old_value, const char *new_value,
                        const char *command)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "INSERT INTO audit(incident_id, report_id, field, old_value, "
        "new_value, command) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if (incident_id > 0)
        sqlite3_bind_int64(q, 1, incident_id);
    if (report_id > 0)
        sqlite3_bind_int64(q, 2, report_id);
    bind_text(q, 3, field);
    bind_text(q, 4, old_value);
    bind_text(q, 5, new_value);
    bind_text(q, 6, command);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs a statement with one int64 parameter; *changes rows changed. */
static int exec_id(sqlite3 *db, const char *sql, sqlite3_int64 id,
                   size_t *changes)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE && changes)
        *changes = (size_t)sqlite3_changes(db);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* ---- report transactions -------------------------------------------------
 * Outside a batch each report is one transaction (BEGIN IMMEDIATE ..
 * COMMIT). In a batch, each report is a savepoint inside an outer
 * transaction that is committed every BM_STORE_BATCH_ROWS rows. */

/* Profiling showed SpatiaLite's three per-row insert triggers on incidents
 * costing ~90% of an ingest: gii_ calls RTreeAlign(), which formats,
 * parses and runs an INSERT into the R*Tree for every row; ggi_ checks the
 * geometry against geometry_columns; tmi_ rewrites
 * geometry_columns_time.last_insert. Inside a batch's transaction (and
 * only there) they are dropped right after BEGIN, the store does their
 * work itself (the blob it writes is always a POINT in EPSG:4326;
 * last_insert once), and they are created again, from their own CREATE
 * TRIGGER text, before COMMIT. DDL is transactional: no other connection
 * ever sees the table without them, and a rollback or a crash brings them
 * back with everything else.
 *
 * The R*Tree is filled once per batch, not per row (SQLite's rtree module
 * takes ~9 us a row, rewriting a node and its ancestors each time): the
 * batch's first transaction records in bordermap_meta 'rtree_from' the
 * first incident id it may add; rows from there on (the tail) are not in
 * the R*Tree until bm_store_end_batch() indexes them: all at once, packed
 * (rtree_bulk.c), when the tail is at least half of the incidents, else
 * through the rtree module. Every spatial search here reads the R*Tree
 * and the tail (a rowid range), so readers see the batch's rows as soon as
 * they are committed, index or not; a crash leaves the tail to the next
 * batch's end. */
#define TAIL_FROM                                                            \
    "(SELECT coalesce((SELECT CAST(value AS INTEGER) FROM bordermap_meta "   \
    "WHERE key = 'rtree_from'), 9223372036854775807))"

/* Records where the batch's unindexed rows begin (the lowest such id of
 * every batch not yet indexed). Outside any savepoint: it goes with the
 * batch's transaction. */
static int mark_tail(sl_store *s)
{
    return exec_sql(s->db,
                    "INSERT INTO bordermap_meta(key, value) SELECT "
                    "'rtree_from', coalesce(max(id), 0) + 1 FROM incidents "
                    "WHERE 1 ON CONFLICT(key) DO UPDATE SET value = "
                    "min(CAST(value AS INTEGER), CAST(excluded.value AS "
                    "INTEGER))");
}

/* Puts the tail into the R*Tree and forgets it, in a transaction of its
 * own (the batch's reports are committed by then). *indexed receives the
 * number of rows indexed.
 *
 * Packed or through the rtree module: packed when the tail is at least
 * half of the rows. Both sizes are read from ids (max(id) is one B-tree
 * descent; count(*) reads every row or index page, which was 4% of a large
 * ingest): rows from 1 to max(id), the tail from rtree_from to max(id).
 * Deleted rows make both too large, so a store with many deletions
 * leans to the rtree module, which is right for any tail. */
static int index_tail(sl_store *s, sqlite3_int64 *indexed)
{
    sqlite3_int64 from = 0, top = 0;
    *indexed = 0;
    int rc = select_int(s->db,
                        "SELECT CAST(value AS INTEGER) FROM bordermap_meta "
                        "WHERE key = 'rtree_from'", &from);
    if (rc != SQLITE_OK || from <= 0)
        return rc; /* no tail */
    rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return rc;
    rc = select_int(s->db, "SELECT coalesce(max(id), 0) FROM incidents", &top);
    sqlite3_int64 tail = top - from + 1;
    if (rc == SQLITE_OK && tail > 0 && 2 * tail >= top) {
        rc = bm_rtree_bulk_load(s->db, "idx_incidents_geom",
                                "SELECT id, lon, lat FROM incidents "
                                "ORDER BY id",
                                indexed);
    } else if (rc == SQLITE_OK && tail > 0) {
        /* INSERT OR REPLACE: an edit may have indexed a row already */
        rc = exec_sql(s->db,
                      "INSERT OR REPLACE INTO idx_incidents_geom(pkid, xmin, "
                      "xmax, ymin, ymax) SELECT id, lon, lon, lat, lat FROM "
                      "incidents WHERE id >= " TAIL_FROM);
        *indexed = sqlite3_changes(s->db);
    }
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db,
                      "DELETE FROM bordermap_meta WHERE key = 'rtree_from'");
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(s->db))
        exec_sql(s->db, "ROLLBACK");
    return rc;
}

static void forget_trigger_sql(sl_store *s)
{
    for (int i = 0; i < N_ROW_TRIGGERS; i++) {
        sqlite3_free(s->trigger_sql[i]);
        s->trigger_sql[i] = NULL;
    }
}

static int batch_fast_begin(sl_store *s)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < N_ROW_TRIGGERS && rc == SQLITE_OK; i++) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT sql FROM sqlite_master WHERE "
                                "type = 'trigger' AND tbl_name = 'incidents' "
                                "AND name = ?1",
                                -1, &q, NULL);
        if (rc != SQLITE_OK)
            break;
        sqlite3_bind_text(q, 1, row_triggers[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) {
            s->trigger_sql[i] =
                sqlite3_mprintf("%s", (const char *)sqlite3_column_text(q, 0));
            rc = s->trigger_sql[i] ? SQLITE_OK : SQLITE_NOMEM;
        } else if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
            rc = SQLITE_OK; /* not there: nothing to set aside */
        }
        sqlite3_finalize(q);
        if (rc == SQLITE_OK && s->trigger_sql[i]) {
            char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"",
                                         row_triggers[i]);
            rc = drop ? exec_sql(s->db, drop) : SQLITE_NOMEM;
            sqlite3_free(drop);
        }
    }
    return rc;
}

/* Puts the triggers back and does tmi_'s work once; before COMMIT. */
static int batch_fast_end(sl_store *s)
{
    int rc = SQLITE_OK, any = 0;
    for (int i = 0; i < N_ROW_TRIGGERS && rc == SQLITE_OK; i++)
        if (s->trigger_sql[i]) {
            rc = exec_sql(s->db, s->trigger_sql[i]);
            any = 1;
        }
    if (rc == SQLITE_OK && any && s->pending_rows > 0)
        rc = exec_sql(s->db,
                      "UPDATE geometry_columns_time SET last_insert = "
                      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE "
                      "Lower(f_table_name) = Lower('incidents') AND "
                      "Lower(f_geometry_column) = Lower('geom')");
    if (rc == SQLITE_OK)
        forget_trigger_sql(s);
    return rc;
}

/* Frames in the -wal file at which a batch's commit waits for the
 * checkpointer (wal_ckpt.h): 64 MB of 4 KB pages. */
#define CKPT_LIMIT_FRAMES 16384

static int in_wal_mode(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int wal = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        wal = strcmp((const char *)sqlite3_column_text(q, 0), "wal") == 0;
    sqlite3_finalize(q);
    return wal;
}

/* Hands a batch's checkpoints to a thread of their own; without one
 * (not a WAL file, or no thread), SQLite's automatic checkpoint stays. */
static void ckpt_start(sl_store *s)
{
    const char *file = sqlite3_db_filename(s->db, "main");
    if (s->ckpt || !file || !*file || !in_wal_mode(s->db))
        return;
    if (bm_wal_ckpt_start(file, CKPT_LIMIT_FRAMES, &s->ckpt) == SQLITE_OK)
        sqlite3_wal_hook(s->db, bm_wal_ckpt_hook, s->ckpt);
}

/* Gives checkpoints back to SQLite and stops the thread (it finishes the
 * pass under way). */
static void ckpt_stop(sl_store *s)
{
    if (!s->ckpt)
        return;
    sqlite3_wal_autocheckpoint(s->db, 1000); /* SQLite's hook again */
    bm_wal_ckpt_stop(s->ckpt);
    s->ckpt = NULL;
}

static int report_begin(sl_store *s)
{
    if (!s->batch)
        return exec_sql(s->db, "BEGIN IMMEDIATE");
    if (sqlite3_get_autocommit(s->db)) {
        forget_trigger_sql(s);
        ckpt_start(s);
        int rc = exec_sql(s->db, "BEGIN IMMEDIATE");
        if (rc != SQLITE_OK)
            return rc;
        s->pending_reports = s->pending_rows = 0;
        rc = batch_fast_begin(s);
        if (rc == SQLITE_OK)
            rc = mark_tail(s);
        if (rc != SQLITE_OK) {
            exec_sql(s->db, "ROLLBACK");
            forget_trigger_sql(s);
            return rc;
        }
    }
    return exec_sql(s->db, "SAVEPOINT bm_report");
}

/* Commits the outer transaction of a batch, if one is open. */
static int batch_commit(sl_store *s)
{
    if (sqlite3_get_autocommit(s->db)) {
        forget_trigger_sql(s);
        return SQLITE_OK;
    }
    int rc = batch_fast_end(s);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc == SQLITE_OK)
        s->pending_reports = s->pending_rows = 0;
    return rc;
}

/* The report's rows are written: commit it (or release its savepoint and
 * commit the batch when enough rows are pending). */
static int report_commit(sl_store *s, size_t rows)
{
    if (!s->batch) {
        int rc = exec_sql(s->db, "COMMIT");
        /* Let a writer that waits for the lock (and is ready to run) take
         * it before this one begins its next report: SQLite's locks are
         * not fair, and without a turn a busy machine can starve it. */
        if (rc == SQLITE_OK)
            sched_yield();
        return rc;
    }
    int rc = exec_sql(s->db, "RELEASE bm_report");
    if (rc != SQLITE_OK)
        return rc;
    s->pending_reports++;
    s->pending_rows += rows;
    return s->pending_rows >= BM_STORE_BATCH_ROWS ? batch_commit(s)
                                                  : SQLITE_OK;
}

/* Undoes the report being written. Answers how many earlier reports of the
 * batch were lost with it (SQLite aborted the whole transaction, or the
 * batch's COMMIT failed); 0 outside a batch. */
static size_t report_rollback(sl_store *s)
{
    size_t lost = 0;
    if (!s->batch) {
        if (!sqlite3_get_autocommit(s->db))
            exec_sql(s->db, "ROLLBACK");
        return 0;
    }
    if (!sqlite3_get_autocommit(s->db) &&
        exec_sql(s->db, "ROLLBACK TO bm_report") == SQLITE_OK &&
        exec_sql(s->db, "RELEASE bm_report") == SQLITE_OK)
        return 0;
    /* No savepoint left to roll back to: the outer transaction is gone or
     * must go. */
    if (!sqlite3_get_autocommit(s->db))
        exec_sql(s->db, "ROLLBACK");
    forget_trigger_sql(s); /* the rollback brought them back */
    lost = s->pending_reports;
    s->pending_reports = s->pending_rows = 0;
    return lost;
}

/* Before a write that runs its own transaction: commit a batch's pending
 * reports. */
static int leave_batch_tx(sl_store *s)
{
    return s->batch ? batch_commit(s) : SQLITE_OK;
}

static bm_status sl_begin_batch(bm_store *st)
{
    sl_store *s = bm_store_data(st);
    if (s->readonly)
        return bm_ctx_fail(bm_store_ctx(st), BM_ERR_USAGE,
                           "%s: cannot start a batch: store opened "
                           "read-only", s->path);
    s->batch = 1;
    return BM_OK;
}

static bm_status sl_end_batch(bm_store *st)
{
    sl_store *s = bm_store_data(st);
    if (!s->batch)
        return BM_OK;
    size_t pending = s->pending_reports;
    int rc = batch_commit(s);
    s->batch = 0;
    if (rc != SQLITE_OK) {
        bm_status e = sl_fail(bm_store_ctx(st), s->path, s->db, rc,
                              "cannot commit %zu report%s of the batch",
                              pending, pending == 1 ? "" : "s");
        if (!sqlite3_get_autocommit(s->db))
            exec_sql(s->db, "ROLLBACK");
        forget_trigger_sql(s);
        s->pending_reports = s->pending_rows = 0;
        return e;
    }
    sqlite3_int64 indexed = 0;
    rc = index_tail(s, &indexed);
    ckpt_stop(s);
    if (rc != SQLITE_OK)
        return sl_fail(bm_store_ctx(st), s->path, s->db, rc,
                       "the batch's incidents are stored, but their spatial "
                       "index could not be built (searches still find them; "
                       "the next ingest retries)");
    return BM_OK;
}

static bm_status sl_add_report(bm_store *st, const bm_store_report *r,
                               const bm_store_mention *men, size_t nm,
                               const bm_incident *inc, size_t n, int replace,
                               bm_store_added *out)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    const char *label = report_label(r);
    sqlite3_stmt *q = NULL;
    size_t failed_at = (size_t)-1;
    bm_buf origin_buf = {0};
    const char *origin = NULL;
    int rc;
    /* A kept (reviewed or manual) incident is the report's main one: the
     * analyst's choice stands, new incidents are not main. */
    int kept_main = 0;

    if (!r->sha256 || !*r->sha256)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot store report '%s': no sha256", s->path,
                           label);
    if (s->readonly)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot store report '%s': store opened "
                           "read-only", s->path, label);

    rc = report_begin(s);
    if (rc != SQLITE_OK) {
        bm_status e = sl_fail(ctx, s->path, s->db, rc,
                              "cannot store report '%s'", label);
        if (s->batch && !sqlite3_get_autocommit(s->db))
            report_rollback(s); /* BEGIN worked, the SAVEPOINT did not */
        return e;
    }

    /* Already stored? */
    sqlite3_int64 rid = 0;
    rc = cached(s, Q_FIND_SHA, find_sha_sql, &q);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = bind_text(q, 1, r->sha256);
    if (rc != SQLITE_OK)
        goto sql_error;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        rid = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        goto sql_error;
    sqlite3_reset(q);
    q = NULL;

    if (rid && !replace) {
        out->report_id = rid;
        report_rollback(s);
        return BM_ERR_DUPLICATE;
    }
    if (rid) {
        /* Refresh: new metadata and mentions, auto incidents replaced. */
        out->replaced = 1;
        rc = sqlite3_prepare_v2(s->db,
                                "UPDATE reports SET sha256 = ?1, path = ?2, "
                                "title = ?3, source = ?4, url = ?5, date = ?6, "
                                "date_precision = ?7, body = ?8 WHERE id = ?9",
                                -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = bind_report(q, r);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(q, 9, rid);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK
                                                : sqlite3_errcode(s->db);
        sqlite3_finalize(q);
        q = NULL;
        if (rc == SQLITE_OK)
            rc = exec_id(s->db, "DELETE FROM mentions WHERE report_id = ?1",
                         rid, NULL);
        if (rc == SQLITE_OK)
            rc = exec_id(s->db,
                         "DELETE FROM incidents WHERE report_id = ?1 AND "
                         "status = 'auto'",
                         rid, &out->removed);
        sqlite3_int64 kept = 0;
        if (rc == SQLITE_OK) {
            sqlite3_stmt *c = NULL;
            rc = sqlite3_prepare_v2(
                s->db, "SELECT count(*), coalesce(max(is_main), 0) FROM "
                       "incidents WHERE report_id = ?1",
                -1, &c, NULL);
            if (rc == SQLITE_OK) {
                sqlite3_bind_int64(c, 1, rid);
                if (sqlite3_step(c) == SQLITE_ROW) {
                    kept = sqlite3_column_int64(c, 0);
                    kept_main = sqlite3_column_int(c, 1) != 0;
                } else {
                    rc = sqlite3_errcode(s->db);
                }
            }
            sqlite3_finalize(c);
        }
        out->kept = (size_t)kept;
        if (rc != SQLITE_OK)
            goto sql_error;
    } else {
        rc = cached(s, Q_INSERT_REPORT, insert_report_sql, &q);
        if (rc != SQLITE_OK)
            goto sql_error;
        rc = bind_report(q, r);
        if (rc != SQLITE_OK)
            goto sql_error;
        rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            goto sql_error;
        sqlite3_reset(q);
        q = NULL;
        rid = sqlite3_last_insert_rowid(s->db);
    }

    for (size_t i = 0; i < nm; i++) {
        const bm_store_mention *m = &men[i];
        rc = cached(s, Q_INSERT_MENTION, insert_mention_sql, &q);
        if (rc != SQLITE_OK)
            goto sql_error;
        sqlite3_bind_int64(q, 1, rid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)m->start);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)m->end);
        bind_text(q, 4, m->surface);
        bind_text(q, 5, m->place_id);
        bind_text(q, 6, m->place_name);
        if (m->has_point) {
            bind_double_or_null(q, 7, m->lon);
            bind_double_or_null(q, 8, m->lat);
        }
        bind_double_or_null(q, 9, m->confidence);
        bind_text(q, 10, m->reason);
        rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            goto sql_error;
        sqlite3_reset(q);
        q = NULL;
    }

    char stamp[32];
    now_ms_text(stamp);
    for (size_t i = 0; i < n; i++) {
        failed_at = i;
        origin = origin_into(&origin_buf, &inc[i]);
        if (!origin) {
            rc = SQLITE_NOMEM;
            goto sql_error;
        }
        if (out->replaced) {
            rc = cached(s, Q_ORIGIN_TAKEN, origin_taken_sql, &q);
            if (rc != SQLITE_OK)
                goto sql_error;
            sqlite3_bind_int64(q, 1, rid);
            bind_text(q, 2, origin);
            rc = sqlite3_step(q);
            sqlite3_reset(q);
            q = NULL;
            if (rc == SQLITE_ROW)
                continue; /* an analyst has it already, or deleted it */
            if (rc != SQLITE_DONE)
                goto sql_error;
        }
        rc = cached(s, Q_INSERT_INCIDENT, insert_incident_sql, &q);
        if (rc != SQLITE_OK)
            goto sql_error;
        bm_incident derived;
        char day0[11], day1[11];
        rc = sqlite3_bind_int64(q, 1, rid);
        if (rc == SQLITE_OK)
            rc = bind_incident_fields(
                q, with_range(&inc[i], &derived, day0, day1));
        if (rc == SQLITE_OK && kept_main)
            rc = sqlite3_bind_int(q, 24, 0);
        if (rc == SQLITE_OK)
            rc = bind_text(q, 18, "auto");
        if (rc == SQLITE_OK)
            rc = bind_text(q, 19, origin);
        if (rc == SQLITE_OK)
            rc = bind_point(q, 20, inc[i].lon, inc[i].lat);
        if (rc == SQLITE_OK)
            rc = bind_text(q, 21, stamp);
        if (rc != SQLITE_OK)
            goto sql_error;
        rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            goto sql_error;
        sqlite3_reset(q);
        q = NULL;
        out->added++;
    }
    failed_at = (size_t)-1;
    bm_buf_free(&origin_buf);
    origin = NULL;

    if (out->replaced) {
        char old_v[64], new_v[64];
        snprintf(old_v, sizeof old_v, "%zu auto, %zu kept", out->removed,
                 out->kept);
        snprintf(new_v, sizeof new_v, "%zu auto, %zu kept", out->added,
                 out->kept);
        rc = insert_audit(s, 0, rid, "reingest", old_v, new_v,
                          "ingest --force");
        if (rc != SQLITE_OK)
            goto sql_error;
    }

    rc = report_commit(s, 1 + nm + out->added);
    if (rc != SQLITE_OK)
        goto sql_error;
    out->report_id = rid;
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
    bm_buf_free(&origin_buf);
    if (q)
        sqlite3_reset(q);
    size_t lost = report_rollback(s);
    if (lost > 0) {
        char first[1024];
        snprintf(first, sizeof first, "%s", bm_ctx_error(ctx));
        bm_ctx_fail(ctx, status,
                    "%s (SQLite aborted the batch's transaction: the %zu "
                    "report%s stored before it since the batch's last commit "
                    "were rolled back too)",
                    first, lost, lost == 1 ? "" : "s");
    }
    out->added = out->kept = out->removed = 0;
    out->replaced = 0;
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
    "SELECT i.id, i.report_id, r.title, r.path, r.source, r.url, i.type, "   \
    "i.date, i.date_precision, i.actor, i.place_name, i.place_id, "          \
    "i.country, i.admin1, i.admin2, i.surface, i.precision, i.lon, i.lat, "  \
    "i.sentence, i.sentence_offset, i.confidence, i.status, i.created, "     \
    "i.updated, i.date_start, i.date_end, i.is_main, i.evidence_more "       \
    "FROM incidents AS i LEFT JOIN reports AS r ON r.id = i.report_id "

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
             dup_col(q, 3, &inc->report_path) &&
             dup_col(q, 4, &inc->report_source) &&
             dup_col(q, 5, &inc->report_url) && dup_col(q, 6, &inc->type) &&
             dup_col(q, 7, &inc->date) && dup_col(q, 9, &inc->actor) &&
             dup_col(q, 10, &inc->place_name) &&
             dup_col(q, 11, &inc->place_id) && dup_col(q, 12, &inc->country) &&
             dup_col(q, 13, &inc->admin1) && dup_col(q, 14, &inc->admin2) &&
             dup_col(q, 15, &inc->surface) &&
             dup_col(q, 19, &inc->sentence) &&
             dup_col(q, 23, &inc->created) && dup_col(q, 24, &inc->updated) &&
             dup_col(q, 25, &inc->date_start) &&
             dup_col(q, 26, &inc->date_end) &&
             dup_col(q, 28, &inc->evidence_more);
    if (!ok) {
        bm_incident_clear(inc);
        return BM_ERR_NOMEM;
    }
    inc->date_precision = date_precision_from(sqlite3_column_text(q, 8));
    inc->precision = sqlite3_column_type(q, 16) == SQLITE_NULL
                         ? BM_PREC_UNKNOWN
                         : (bm_precision)sqlite3_column_int(q, 16);
    inc->lon = sqlite3_column_double(q, 17);
    inc->lat = sqlite3_column_double(q, 18);
    sqlite3_int64 off = sqlite3_column_int64(q, 20);
    inc->sentence_offset = off > 0 ? (size_t)off : 0;
    inc->confidence = sqlite3_column_type(q, 21) == SQLITE_NULL
                          ? NAN
                          : sqlite3_column_double(q, 21);
    int status = bm_incident_status_parse(
        (const char *)sqlite3_column_text(q, 22));
    inc->status = status < 0 ? BM_STATUS_AUTO : (bm_incident_status)status;
    inc->is_main = sqlite3_column_int(q, 27) != 0;
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

/* ---- filters ------------------------------------------------------------ */

/* The first (last = 0) or last (last = 1) day of the period an ISO date
 * "YYYY", "YYYY-MM" or "YYYY-MM-DD" writes, as YYYY-MM-DD; 0 when it is
 * not a valid date ("2024-13", "2024-02-30"). */
static int filter_day(const char *in, int last, char out[11])
{
    char start[11], end[11];
    if (!bm_date_range(in, BM_DATE_DAY, start, end))
        return 0;
    memcpy(out, last ? end : start, 11);
    return 1;
}

typedef struct where_args {
    char since[11], until[11];
    char *actor_like; /* owned */
} where_args;

/* Appends " AND ..." conditions for f to b (alias i for incidents). */
static bm_status build_where(bm_store *st, const bm_store_filter *f,
                             bm_buf *b, where_args *a)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    memset(a, 0, sizeof *a);
    bm_buf_puts(b, " WHERE 1");
    if (f->has_box) {
        /* the R*Tree, and the rows of a batch not indexed yet */
        if (f->min_lon <= f->max_lon)
            bm_buf_puts(b, " AND i.id IN (SELECT pkid FROM idx_incidents_geom"
                           " WHERE xmin <= :x1 AND xmax >= :x0"
                           " AND ymin <= :y1 AND ymax >= :y0"
                           " UNION ALL SELECT id FROM incidents"
                           " WHERE id >= " TAIL_FROM ")"
                           " AND i.lon BETWEEN :x0 AND :x1");
        else /* across the antimeridian: [x0, 180] and [-180, x1] */
            bm_buf_puts(b, " AND i.id IN (SELECT pkid FROM idx_incidents_geom"
                           " WHERE xmin <= 180 AND xmax >= :x0"
                           " AND ymin <= :y1 AND ymax >= :y0"
                           " UNION SELECT pkid FROM idx_incidents_geom"
                           " WHERE xmin <= :x1 AND xmax >= -180"
                           " AND ymin <= :y1 AND ymax >= :y0"
                           " UNION ALL SELECT id FROM incidents"
                           " WHERE id >= " TAIL_FROM ")"
                           " AND (i.lon >= :x0 OR i.lon <= :x1)");
        /* The R*Tree keeps float32 bounds rounded outwards: the exact
         * lon/lat test decides. */
        bm_buf_puts(b, " AND i.lat BETWEEN :y0 AND :y1");
    }
    /* By the incident's range: all of it on or after since's first day,
     * all of it on or before until's last day. A NULL end of the range
     * (undated; the open start of a date only reported) never passes. */
    if (f->since) {
        if (!filter_day(f->since, 0, a->since))
            return bm_ctx_fail(ctx, BM_ERR_USAGE,
                               "%s: invalid date '%s' for since (YYYY, "
                               "YYYY-MM or YYYY-MM-DD)", s->path, f->since);
        bm_buf_puts(b, " AND i.date_start >= :since");
    }
    if (f->until) {
        if (!filter_day(f->until, 1, a->until))
            return bm_ctx_fail(ctx, BM_ERR_USAGE,
                               "%s: invalid date '%s' for until (YYYY, "
                               "YYYY-MM or YYYY-MM-DD)", s->path, f->until);
        bm_buf_puts(b, " AND i.date_end <= :until");
    }
    if (f->ntypes > 0) {
        bm_buf_puts(b, " AND i.type IN (");
        for (size_t i = 0; i < f->ntypes; i++)
            bm_buf_printf(b, "%s:t%zu", i ? ", " : "", i);
        bm_buf_puts(b, ")");
    }
    if (f->actor && *f->actor) {
        bm_buf like = {0};
        bm_buf_puts(&like, "%");
        for (const char *p = f->actor; *p; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                bm_buf_append(&like, "\\", 1);
            bm_buf_append(&like, p, 1);
        }
        bm_buf_puts(&like, "%");
        a->actor_like = bm_buf_take(&like);
        bm_buf_puts(b, " AND i.actor LIKE :actor ESCAPE '\\'");
    }
    if (f->max_precision > 0)
        bm_buf_puts(b, " AND i.precision <= :prec");
    if (f->status > 0)
        bm_buf_puts(b, " AND i.status = :status");
    if (f->report_id > 0)
        bm_buf_puts(b, " AND i.report_id = :report");
    if (!b->data)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", s->path);
    return BM_OK;
}

static void bind_named_double(sqlite3_stmt *q, const char *name, double v)
{
    int i = sqlite3_bind_parameter_index(q, name);
    if (i > 0)
        sqlite3_bind_double(q, i, v);
}

static void bind_named_text(sqlite3_stmt *q, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(q, name);
    if (i > 0)
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_where(sqlite3_stmt *q, const bm_store_filter *f,
                       const where_args *a)
{
    if (f->has_box) {
        bind_named_double(q, ":x0", f->min_lon);
        bind_named_double(q, ":x1", f->max_lon);
        bind_named_double(q, ":y0", f->min_lat);
        bind_named_double(q, ":y1", f->max_lat);
    }
    if (f->since)
        bind_named_text(q, ":since", a->since);
    if (f->until)
        bind_named_text(q, ":until", a->until);
    for (size_t i = 0; i < f->ntypes; i++) {
        char name[32];
        snprintf(name, sizeof name, ":t%zu", i);
        bind_named_text(q, name, f->types[i]);
    }
    if (a->actor_like)
        bind_named_text(q, ":actor", a->actor_like);
    int i = sqlite3_bind_parameter_index(q, ":prec");
    if (i > 0)
        sqlite3_bind_int(q, i, f->max_precision);
    if (f->status > 0)
        bind_named_text(q, ":status",
                        bm_incident_status_name(
                            (bm_incident_status)(f->status - 1)));
    i = sqlite3_bind_parameter_index(q, ":report");
    if (i > 0)
        sqlite3_bind_int64(q, i, f->report_id);
}

/* head (a SELECT ... FROM incidents AS i), the filter's WHERE and tail
 * (NULL: none), prepared and bound. */
static bm_status prepare_filtered(bm_store *st, const char *head,
                                  const bm_store_filter *f, const char *tail,
                                  const char *what, sqlite3_stmt **out)
{
    sl_store *s = bm_store_data(st);
    bm_buf sql = {0};
    where_args a;
    *out = NULL;
    bm_buf_puts(&sql, head);
    bm_status status = build_where(st, f, &sql, &a);
    if (status != BM_OK) {
        free(a.actor_like);
        bm_buf_free(&sql);
        return status;
    }
    if (tail)
        bm_buf_puts(&sql, tail);
    if (!sql.data) {
        free(a.actor_like);
        return bm_ctx_fail(bm_store_ctx(st), BM_ERR_NOMEM, "%s: out of memory",
                           s->path);
    }
    int rc = sqlite3_prepare_v2(s->db, sql.data, -1, out, NULL);
    bm_buf_free(&sql);
    if (rc != SQLITE_OK) {
        free(a.actor_like);
        return sl_fail(bm_store_ctx(st), s->path, s->db, rc, "%s", what);
    }
    bind_where(*out, f, &a);
    free(a.actor_like);
    return BM_OK;
}

static bm_status sl_find(bm_store *st, const bm_store_filter *f,
                         bm_incident_visit_fn fn, void *user)
{
    const char *what = f->has_box ? "cannot search incidents in a box"
                                  : "cannot read incidents";
    sqlite3_stmt *q = NULL;
    bm_status status =
        prepare_filtered(st, SELECT_INCIDENT, f, " ORDER BY i.id", what, &q);
    if (status != BM_OK)
        return status;
    return visit_rows(st, q, fn, user, what);
}

/* The point, type and date only: four columns of the incidents table. */
static bm_status sl_each_point(bm_store *st, const bm_store_filter *f,
                               bm_point_visit_fn fn, void *user)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    const char *what = "cannot read incident points";
    sqlite3_stmt *q = NULL;
    bm_status status = prepare_filtered(
        st, "SELECT i.lon, i.lat, i.type, i.date FROM incidents i", f, NULL,
        what, &q);
    if (status != BM_OK)
        return status;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (fn(user, sqlite3_column_double(q, 0), sqlite3_column_double(q, 1),
               (const char *)sqlite3_column_text(q, 2),
               (const char *)sqlite3_column_text(q, 3)))
            break;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        status = sl_fail(ctx, s->path, s->db, rc, "%s", what);
    sqlite3_finalize(q);
    return status;
}

/* ---- radius searches ---------------------------------------------------- */

/* The candidates of a radius search: the incident's own columns only (the
 * report's are looked up once per report, below), lon/lat first so that
 * keep() decides before any string is read or copied. */
#define SELECT_KEPT                                                          \
    "SELECT i.lon, i.lat, i.id, i.report_id, i.type, i.date, "               \
    "i.date_precision, i.actor, i.place_name, i.place_id, i.country, "      \
    "i.admin1, i.admin2, i.surface, i.precision, i.sentence, "              \
    "i.sentence_offset, i.confidence, i.status, i.created, i.updated, "     \
    "i.date_start, i.date_end, i.is_main, i.evidence_more "

/* The report columns of the last report seen: incidents of one report have
 * neighbouring ids, so rows in id order hit this nearly always. */
typedef struct report_memo {
    sqlite3_stmt *q; /* SELECT title, path, source, url ... */
    int64_t id;      /* 0 = none yet */
    char *col[4];    /* title, path, source, url; sqlite3_malloc'd */
} report_memo;

static void report_memo_clear(report_memo *m)
{
    for (int i = 0; i < 4; i++) {
        sqlite3_free(m->col[i]);
        m->col[i] = NULL;
    }
    m->id = 0;
}

static int report_memo_get(sl_store *s, report_memo *m, int64_t id)
{
    if (m->id == id)
        return SQLITE_OK;
    report_memo_clear(m);
    int rc = SQLITE_OK;
    if (!m->q)
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT title, path, source, url FROM reports "
                                "WHERE id = ?1",
                                -1, &m->q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_reset(m->q);
    sqlite3_bind_int64(m->q, 1, id);
    rc = sqlite3_step(m->q);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < 4; i++) {
            const unsigned char *t = sqlite3_column_text(m->q, i);
            if (t && !(m->col[i] = sqlite3_mprintf("%s", (const char *)t))) {
                report_memo_clear(m);
                return SQLITE_NOMEM;
            }
        }
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK; /* no such report (NULL report_id): no columns */
    }
    sqlite3_reset(m->q);
    if (rc == SQLITE_OK)
        m->id = id;
    return rc;
}

static int dup_text(const char *t, char **out)
{
    *out = t ? strdup(t) : NULL;
    return !t || *out;
}

/* Fills inc from the current row of a SELECT_KEPT statement (lon/lat were
 * read already). Answers an SQLite code. */
static int kept_row(sl_store *s, sqlite3_stmt *q, report_memo *m,
                    bm_incident *inc)
{
    memset(inc, 0, sizeof *inc);
    inc->lon = sqlite3_column_double(q, 0);
    inc->lat = sqlite3_column_double(q, 1);
    inc->id = sqlite3_column_int64(q, 2);
    inc->report_id = sqlite3_column_int64(q, 3);
    if (inc->report_id > 0) {
        int rc = report_memo_get(s, m, inc->report_id);
        if (rc != SQLITE_OK)
            return rc;
    }
    int ok = 1;
    if (inc->report_id > 0)
        ok = dup_text(m->col[0], &inc->report_title) &&
             dup_text(m->col[1], &inc->report_path) &&
             dup_text(m->col[2], &inc->report_source) &&
             dup_text(m->col[3], &inc->report_url);
    ok = ok && dup_col(q, 4, &inc->type) && dup_col(q, 5, &inc->date) &&
         dup_col(q, 7, &inc->actor) && dup_col(q, 8, &inc->place_name) &&
         dup_col(q, 9, &inc->place_id) && dup_col(q, 10, &inc->country) &&
         dup_col(q, 11, &inc->admin1) && dup_col(q, 12, &inc->admin2) &&
         dup_col(q, 13, &inc->surface) && dup_col(q, 15, &inc->sentence) &&
         dup_col(q, 19, &inc->created) && dup_col(q, 20, &inc->updated) &&
         dup_col(q, 21, &inc->date_start) && dup_col(q, 22, &inc->date_end) &&
         dup_col(q, 24, &inc->evidence_more);
    if (!ok) {
        bm_incident_clear(inc);
        return SQLITE_NOMEM;
    }
    inc->date_precision = date_precision_from(sqlite3_column_text(q, 6));
    inc->precision = sqlite3_column_type(q, 14) == SQLITE_NULL
                         ? BM_PREC_UNKNOWN
                         : (bm_precision)sqlite3_column_int(q, 14);
    sqlite3_int64 off = sqlite3_column_int64(q, 16);
    inc->sentence_offset = off > 0 ? (size_t)off : 0;
    inc->confidence = sqlite3_column_type(q, 17) == SQLITE_NULL
                          ? NAN
                          : sqlite3_column_double(q, 17);
    int status = bm_incident_status_parse(
        (const char *)sqlite3_column_text(q, 18));
    inc->status = status < 0 ? BM_STATUS_AUTO : (bm_incident_status)status;
    inc->is_main = sqlite3_column_int(q, 23) != 0;
    return SQLITE_OK;
}

static bm_status sl_find_kept(bm_store *st, const bm_store_filter *f,
                              bm_store_keep_fn keep, void *user,
                              bm_store_kept **out, size_t *n)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    const char *what = f->has_box ? "cannot search incidents in a box"
                                  : "cannot read incidents";
    bm_buf sql = {0};
    where_args a;
    /* A box that does not cross the antimeridian drives the search from
     * the R*Tree (CROSS JOIN keeps that loop order): each candidate's row
     * is fetched by rowid; the caller sorts by distance. Other searches
     * use build_where's form. */
    int drive = f->has_box && f->min_lon <= f->max_lon;
    bm_store_filter rest = *f;
    if (drive) {
        rest.has_box = 0;
        /* the R*Tree below the tail, and the tail (rows of a batch not
         * indexed yet), each row once; in id order, so that the rows are
         * read in file order, each page once (a 25 km query over 1e6
         * incidents, cold: 0.22 s instead of 0.65 s) */
        bm_buf_puts(&sql, SELECT_KEPT
                    "FROM (SELECT pkid FROM idx_incidents_geom"
                    " WHERE xmin <= :bx1 AND xmax >= :bx0"
                    " AND ymin <= :by1 AND ymax >= :by0"
                    " AND pkid < " TAIL_FROM
                    " UNION ALL SELECT id FROM incidents"
                    " WHERE id >= " TAIL_FROM " ORDER BY 1) AS x "
                    "CROSS JOIN incidents AS i");
    } else {
        bm_buf_puts(&sql, SELECT_KEPT "FROM incidents AS i");
    }
    bm_status status = build_where(st, &rest, &sql, &a);
    if (status != BM_OK) {
        free(a.actor_like);
        bm_buf_free(&sql);
        return status;
    }
    if (drive)
        /* The R*Tree keeps float32 bounds rounded outwards: the exact
         * lon/lat test decides. */
        bm_buf_puts(&sql, " AND i.id = x.pkid"
                          " AND i.lon BETWEEN :bx0 AND :bx1"
                          " AND i.lat BETWEEN :by0 AND :by1");
    if (!sql.data) {
        free(a.actor_like);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", s->path);
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql.data, -1, &q, NULL);
    bm_buf_free(&sql);
    if (rc != SQLITE_OK) {
        free(a.actor_like);
        return sl_fail(ctx, s->path, s->db, rc, "%s", what);
    }
    bind_where(q, &rest, &a);
    free(a.actor_like);
    if (drive) {
        bind_named_double(q, ":bx0", f->min_lon);
        bind_named_double(q, ":bx1", f->max_lon);
        bind_named_double(q, ":by0", f->min_lat);
        bind_named_double(q, ":by1", f->max_lat);
    }

    report_memo memo;
    memset(&memo, 0, sizeof memo);
    bm_store_kept *items = NULL;
    size_t count = 0, cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        double value = 0.0;
        if (!keep(user, sqlite3_column_double(q, 0),
                  sqlite3_column_double(q, 1), &value))
            continue;
        bm_store_kept *k = bm_grow(items, &cap, count + 1, sizeof *k);
        if (!k) {
            rc = SQLITE_NOMEM;
            break;
        }
        items = k;
        rc = kept_row(s, q, &memo, &items[count].incident);
        if (rc != SQLITE_OK)
            break;
        items[count++].value = value;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else if (rc == SQLITE_NOMEM)
        status = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: %s: out of memory",
                             s->path, what);
    else
        status = sl_fail(ctx, s->path, s->db, rc, "%s", what);
    sqlite3_finalize(q);
    sqlite3_finalize(memo.q);
    report_memo_clear(&memo);
    if (rc != SQLITE_OK) {
        bm_store_kept_free(items, count);
        return status;
    }
    *out = items;
    *n = count;
    return BM_OK;
}

static int take_first(void *user, const bm_incident *inc)
{
    bm_incident *out = user;
    if (bm_incident_copy(out, inc) != BM_OK)
        memset(out, 0, sizeof *out);
    return 1;
}

static bm_status sl_get_incident(bm_store *st, int64_t id, bm_incident *out)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, SELECT_INCIDENT "WHERE i.id = ?1", -1,
                                &q, NULL);
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot read incident %lld",
                       (long long)id);
    sqlite3_bind_int64(q, 1, id);
    memset(out, 0, sizeof *out);
    bm_status status = visit_rows(st, q, take_first, out, "cannot read an "
                                                          "incident");
    if (status != BM_OK)
        return status;
    if (out->id == 0)
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND, "%s: no incident %lld",
                           s->path, (long long)id);
    if (!out->type) {
        bm_incident_clear(out);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", s->path);
    }
    return BM_OK;
}

/* ---- review ------------------------------------------------------------- */

/* The incident as one line of text, for "created"/"deleted" audit rows. */
static char *incident_summary(const bm_incident *e)
{
    bm_buf b = {0};
    bm_buf_printf(&b, "%s at %s (lat %.6f, lon %.6f)", e->type,
                  e->place_name ? e->place_name : "?", e->lat, e->lon);
    if (e->date)
        bm_buf_printf(&b, " on %s", e->date);
    if (e->actor)
        bm_buf_printf(&b, " by %s", e->actor);
    bm_buf_printf(&b, " [%s%s]", bm_incident_status_name(e->status),
                  e->is_main ? ", main" : "");
    return bm_buf_take(&b);
}

/* Keeps one main incident per report: every incident of report_id but id
 * that is main stops being so, each with an audit row (is_main 1 -> 0)
 * naming command. Inside the caller's transaction. */
static int demote_other_mains(sl_store *s, sqlite3_int64 report_id,
                              sqlite3_int64 id, const char *command)
{
#define OTHER_MAINS "WHERE report_id = ?1 AND is_main = 1 AND id <> ?2"
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id FROM incidents " OTHER_MAINS,
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(q, 1, report_id);
    sqlite3_bind_int64(q, 2, id);
    int any = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = insert_audit(s, sqlite3_column_int64(q, 0), report_id, "is_main",
                          "1", "0", command);
        if (rc != SQLITE_OK)
            break;
        any = 1;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_OK ? SQLITE_ERROR : rc;
    if (!any)
        return SQLITE_OK;
    q = NULL;
    rc = sqlite3_prepare_v2(s->db,
                            "UPDATE incidents SET is_main = 0, updated = "
                            NOW_MS " " OTHER_MAINS,
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, report_id);
        sqlite3_bind_int64(q, 2, id);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK
                                            : sqlite3_errcode(s->db);
    }
    sqlite3_finalize(q);
    return rc;
#undef OTHER_MAINS
}

static bm_status sl_add_incident(bm_store *st, const bm_incident *inc,
                                 const char *command, int64_t *id)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    const char *what = "cannot add an incident";
    if (s->readonly)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "%s: %s: store opened read-only",
                           s->path, what);
    bm_incident_status status =
        inc->status == BM_STATUS_REVIEWED ? BM_STATUS_REVIEWED
                                          : BM_STATUS_MANUAL;
    char *summary = NULL;
    sqlite3_stmt *q = NULL;
    int rc = leave_batch_tx(s);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, insert_incident_sql, -1, &q, NULL);
    bm_incident derived;
    char day0[11], day1[11];
    const bm_incident *w = with_range(inc, &derived, day0, day1);
    if (rc == SQLITE_OK) {
        if (inc->report_id > 0)
            sqlite3_bind_int64(q, 1, inc->report_id);
        rc = bind_incident_fields(q, w);
        if (rc == SQLITE_OK)
            rc = bind_text(q, 18, bm_incident_status_name(status));
        if (rc == SQLITE_OK)
            rc = bind_point(q, 20, inc->lon, inc->lat);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(q);
            if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    sqlite3_int64 new_id = sqlite3_last_insert_rowid(s->db);
    /* the report's main incident now: no other one is */
    if (rc == SQLITE_OK && inc->is_main && inc->report_id > 0)
        rc = demote_other_mains(s, inc->report_id, new_id, command);
    if (rc == SQLITE_OK) {
        bm_incident copy = *inc;
        copy.status = status;
        summary = incident_summary(&copy);
        rc = summary ? insert_audit(s, new_id, inc->report_id, "created", NULL,
                                    summary, command)
                     : SQLITE_NOMEM;
        free(summary);
    }
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        bm_status e = sl_fail(ctx, s->path, s->db, rc, "%s (%s at %s)", what,
                              inc->type, inc->place_name ? inc->place_name
                                                         : "a point");
        if (!sqlite3_get_autocommit(s->db))
            exec_sql(s->db, "ROLLBACK");
        return e;
    }
    *id = new_id;
    return BM_OK;
}

/* A field as audit text: strings as they are, numbers formatted. */
typedef struct field_text {
    const char *name;
    const char *value; /* borrowed or points into buf */
    char buf[40];
} field_text;

enum { NFIELDS = 20 };

static void fields_of(const bm_incident *e, field_text f[NFIELDS])
{
    memset(f, 0, sizeof(field_text) * NFIELDS);
    static const char *const names[NFIELDS] = {
        "type",    "date",   "date_precision", "actor",  "place_name",
        "place_id", "country", "admin1",        "admin2", "surface",
        "precision", "lon",   "lat",            "sentence", "confidence",
        "status", "date_start", "date_end", "is_main", "evidence_more"};
    for (int i = 0; i < NFIELDS; i++)
        f[i].name = names[i];
    f[0].value = e->type;
    f[1].value = e->date;
    f[2].value = date_precision_text(e->date_precision);
    f[3].value = e->actor;
    f[4].value = e->place_name;
    f[5].value = e->place_id;
    f[6].value = e->country;
    f[7].value = e->admin1;
    f[8].value = e->admin2;
    f[9].value = e->surface;
    f[10].value = bm_precision_name(e->precision);
    snprintf(f[11].buf, sizeof f[11].buf, "%.15g", e->lon);
    f[11].value = f[11].buf;
    snprintf(f[12].buf, sizeof f[12].buf, "%.15g", e->lat);
    f[12].value = f[12].buf;
    f[13].value = e->sentence;
    if (isfinite(e->confidence)) {
        snprintf(f[14].buf, sizeof f[14].buf, "%.15g", e->confidence);
        f[14].value = f[14].buf;
    }
    f[15].value = bm_incident_status_name(e->status);
    f[16].value = e->date_start;
    f[17].value = e->date_end;
    f[18].value = e->is_main ? "1" : "0";
    f[19].value = e->evidence_more;
}

static int same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static const char update_incident_sql[] =
    "UPDATE incidents SET type = ?2, date = ?3, date_precision = ?4, "
    "actor = ?5, place_name = ?6, place_id = ?7, surface = ?8, "
    "precision = ?9, lon = ?10, lat = ?11, sentence = ?12, "
    "sentence_offset = ?13, country = ?14, admin1 = ?15, admin2 = ?16, "
    "confidence = ?17, status = ?18, date_start = ?22, date_end = ?23, "
    "is_main = ?24, evidence_more = ?25, updated = " NOW_MS ", "
    "geom = CASE WHEN lon = ?10 AND lat = ?11 THEN geom "
    "ELSE MakePoint(?10, ?11, 4326) END WHERE id = ?1";

static bm_status sl_update_incident(bm_store *st, const bm_incident *inc,
                                    const char *command, size_t *changed)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    *changed = 0;
    if (s->readonly)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot edit incident %lld: store opened "
                           "read-only", s->path, (long long)inc->id);
    int rc = leave_batch_tx(s);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot edit incident %lld",
                       (long long)inc->id);
    bm_incident old;
    bm_status status = sl_get_incident(st, inc->id, &old);
    if (status != BM_OK) {
        exec_sql(s->db, "ROLLBACK");
        return status;
    }
    bm_incident derived;
    char day0[11], day1[11];
    const bm_incident *w = with_range(inc, &derived, day0, day1);
    field_text a[NFIELDS], b[NFIELDS];
    fields_of(&old, a);
    fields_of(w, b);
    sqlite3_stmt *q = NULL;
    /* the report's main incident now: no other one is */
    if (inc->is_main && old.report_id > 0)
        rc = demote_other_mains(s, old.report_id, inc->id, command);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, update_incident_sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, inc->id);
        rc = bind_incident_fields(q, w);
        if (rc == SQLITE_OK)
            rc = bind_text(q, 18, bm_incident_status_name(inc->status));
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(q);
            if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    for (int i = 0; rc == SQLITE_OK && i < NFIELDS; i++) {
        int same = same_text(a[i].value, b[i].value);
        if (i == 11)
            same = old.lon == inc->lon;
        else if (i == 12)
            same = old.lat == inc->lat;
        if (same)
            continue;
        rc = insert_audit(s, inc->id, old.report_id, a[i].name, a[i].value,
                          b[i].value, command);
        (*changed)++;
    }
    bm_incident_clear(&old);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        bm_status e = sl_fail(ctx, s->path, s->db, rc,
                              "cannot edit incident %lld", (long long)inc->id);
        if (!sqlite3_get_autocommit(s->db))
            exec_sql(s->db, "ROLLBACK");
        *changed = 0;
        return e;
    }
    return BM_OK;
}

static bm_status sl_delete_incident(bm_store *st, int64_t id,
                                    const char *command)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    if (s->readonly)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: cannot delete incident %lld: store opened "
                           "read-only", s->path, (long long)id);
    int rc = leave_batch_tx(s);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot delete incident %lld",
                       (long long)id);
    bm_incident old;
    bm_status status = sl_get_incident(st, id, &old);
    if (status != BM_OK) {
        exec_sql(s->db, "ROLLBACK");
        return status;
    }
    char *summary = incident_summary(&old);
    rc = summary ? insert_audit(s, id, old.report_id, "deleted", summary, NULL,
                                command)
                 : SQLITE_NOMEM;
    free(summary);
    /* An extracted incident stays deleted when its report is re-read. */
    if (rc == SQLITE_OK && old.report_id > 0) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(
            s->db,
            "INSERT OR IGNORE INTO suppressed(report_id, origin) "
            "SELECT report_id, origin FROM incidents "
            "WHERE id = ?1 AND origin IS NOT NULL",
            -1, &q, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, id);
            rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK
                                                : sqlite3_errcode(s->db);
        }
        sqlite3_finalize(q);
    }
    bm_incident_clear(&old);
    if (rc == SQLITE_OK)
        rc = exec_id(s->db, "DELETE FROM incidents WHERE id = ?1", id, NULL);
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        bm_status e = sl_fail(ctx, s->path, s->db, rc,
                              "cannot delete incident %lld", (long long)id);
        if (!sqlite3_get_autocommit(s->db))
            exec_sql(s->db, "ROLLBACK");
        return e;
    }
    return BM_OK;
}

static bm_status sl_each_audit(bm_store *st, int64_t incident_id,
                               bm_audit_visit_fn fn, void *user)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        incident_id > 0
            ? "SELECT id, ts, incident_id, report_id, field, old_value, "
              "new_value, command FROM audit WHERE incident_id = ?1 "
              "ORDER BY id"
            : "SELECT id, ts, incident_id, report_id, field, old_value, "
              "new_value, command FROM audit ORDER BY id",
        -1, &q, NULL);
    if (rc != SQLITE_OK)
        return sl_fail(ctx, s->path, s->db, rc, "cannot read the audit table");
    if (incident_id > 0)
        sqlite3_bind_int64(q, 1, incident_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        bm_store_audit a;
        a.id = sqlite3_column_int64(q, 0);
        a.ts = (const char *)sqlite3_column_text(q, 1);
        a.incident_id = sqlite3_column_int64(q, 2);
        a.report_id = sqlite3_column_int64(q, 3);
        a.field = (const char *)sqlite3_column_text(q, 4);
        a.old_value = (const char *)sqlite3_column_text(q, 5);
        a.new_value = (const char *)sqlite3_column_text(q, 6);
        a.command = (const char *)sqlite3_column_text(q, 7);
        if (fn(user, &a)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    bm_status status = BM_OK;
    if (rc != SQLITE_DONE)
        status = sl_fail(ctx, s->path, s->db, rc,
                         "cannot read the audit table");
    sqlite3_finalize(q);
    return status;
}

/* ---- stats -------------------------------------------------------------- */

static bm_status sl_stats(bm_store *st, const bm_store_filter *f,
                          bm_stat_visit_fn fn, void *user)
{
    sl_store *s = bm_store_data(st);
    bm_ctx *ctx = bm_store_ctx(st);
    static const struct {
        const char *name, *expr, *order;
    } dims[] = {
        {"province", "i.admin1", "n DESC, k"},
        {"county", "i.admin2", "n DESC, k"},
        {"type", "i.type", "n DESC, k"},
        /* the month the whole range lies in, else its year, else none */
        {"month",
         "CASE WHEN substr(i.date_start, 1, 7) = substr(i.date_end, 1, 7) "
         "THEN substr(i.date_start, 1, 7) "
         "WHEN substr(i.date_start, 1, 4) = substr(i.date_end, 1, 4) "
         "THEN substr(i.date_start, 1, 4) END",
         "k IS NULL, k"},
    };
    bm_status status = BM_OK;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0] && status == BM_OK;
         d++) {
        bm_buf sql = {0};
        where_args a;
        bm_buf_printf(&sql, "SELECT %s AS k, count(*) AS n FROM incidents AS i",
                      dims[d].expr);
        status = build_where(st, f, &sql, &a);
        if (status != BM_OK) {
            free(a.actor_like);
            bm_buf_free(&sql);
            break;
        }
        bm_buf_printf(&sql, " GROUP BY k ORDER BY %s", dims[d].order);
        sqlite3_stmt *q = NULL;
        int rc = sqlite3_prepare_v2(s->db, sql.data, -1, &q, NULL);
        bm_buf_free(&sql);
        if (rc == SQLITE_OK) {
            bind_where(q, f, &a);
            int stop = 0;
            while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW)
                stop = fn(user, dims[d].name,
                          (const char *)sqlite3_column_text(q, 0),
                          (size_t)sqlite3_column_int64(q, 1));
            if (stop)
                rc = SQLITE_DONE;
        }
        free(a.actor_like);
        if (rc != SQLITE_DONE)
            status = sl_fail(ctx, s->path, s->db, rc,
                             "cannot count incidents by %s", dims[d].name);
        sqlite3_finalize(q);
    }
    return status;
}

static const bm_store_ops sl_ops = {
    .name = "spatialite",
    .add_report = sl_add_report,
    .count = sl_count,
    .find = sl_find,
    .get_incident = sl_get_incident,
    .add_incident = sl_add_incident,
    .update_incident = sl_update_incident,
    .delete_incident = sl_delete_incident,
    .each_audit = sl_each_audit,
    .stats = sl_stats,
    .schema_version = sl_schema_version,
    .close = sl_close,
    .begin_batch = sl_begin_batch,
    .end_batch = sl_end_batch,
    .find_kept = sl_find_kept,
    .each_point = sl_each_point,
};
