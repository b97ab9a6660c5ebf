/*
 * test_store_review.c - schema version 4 of the store: migration from
 * version-1, version-2 and version-3 files, mentions, review (add, edit,
 * delete) with its audit trail, the fields of version 4 (date range, main
 * incident, further evidence) written and read on every path, re-ingest
 * that keeps an analyst's work, filters by date range, stats, and two
 * writers at once.
 */
#include "bm_store.h"
#include "bm_test.h"

#include <sqlite3.h>
#include <spatialite.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs SQL on the file with SpatiaLite loaded; SQLite's rc. */
static int sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    void *cache = spatialite_alloc_connection();
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        spatialite_init_ex(db, cache, 0);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            fprintf(stderr, "sql_exec: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    spatialite_cleanup_ex(cache);
    return rc;
}

static long long sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    long long v = -1;
    void *cache = spatialite_alloc_connection();
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        spatialite_init_ex(db, cache, 0);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        else
            fprintf(stderr, "sql_int(%s): %s\n", sql, sqlite3_errmsg(db));
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    spatialite_cleanup_ex(cache);
    return v;
}

static bm_incident inc_at(const char *type, const char *place, double lon,
                          double lat, size_t offset)
{
    bm_incident i;
    memset(&i, 0, sizeof i);
    i.type = (char *)type;
    i.place_name = (char *)place;
    i.place_id = (char *)place;
    i.lon = lon;
    i.lat = lat;
    i.precision = BM_PREC_EXACT;
    i.sentence_offset = offset;
    i.confidence = 0.8;
    return i;
}

typedef struct ids {
    int n;
    int64_t id[64];
    char type[64][32];
    bm_incident_status status[64];
} ids;

static int collect(void *user, const bm_incident *inc)
{
    ids *c = user;
    if (c->n < 64) {
        c->id[c->n] = inc->id;
        snprintf(c->type[c->n], sizeof c->type[0], "%s", inc->type);
        c->status[c->n] = inc->status;
    }
    c->n++;
    return 0;
}

static int find(bm_store *st, const bm_store_filter *f, ids *c)
{
    memset(c, 0, sizeof *c);
    return bm_store_find(st, f, collect, c);
}

/* ---- migration ---------------------------------------------------------- */

/* The version-1 schema exactly as bordermap 0.1 wrote it. */
static const char v1_sql[] =
    "SELECT InitSpatialMetadata(1, 'WGS84');"
    "CREATE TABLE bordermap_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO bordermap_meta(key, value) VALUES ('schema_version', '1');"
    "CREATE TABLE reports (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL "
    "UNIQUE, path TEXT, title TEXT, source TEXT, url TEXT, date TEXT, "
    "date_precision TEXT, body TEXT, ingested_at TEXT NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"
    "CREATE TABLE incidents (id INTEGER PRIMARY KEY, report_id INTEGER NOT "
    "NULL REFERENCES reports(id) ON DELETE CASCADE, type TEXT NOT NULL, "
    "date TEXT, date_precision TEXT, actor TEXT, place_name TEXT, place_id "
    "TEXT, surface TEXT, precision INTEGER, lon REAL NOT NULL CHECK (lon "
    "BETWEEN -180 AND 180), lat REAL NOT NULL CHECK (lat BETWEEN -90 AND "
    "90), sentence TEXT, sentence_offset INTEGER);"
    "CREATE INDEX incidents_report_id ON incidents(report_id);"
    "SELECT AddGeometryColumn('incidents', 'geom', 4326, 'POINT', 'XY');"
    "SELECT CreateSpatialIndex('incidents', 'geom');"
    "INSERT INTO reports(id, sha256, path, title, ingested_at) VALUES "
    "(1, 'aaaa', 'a.txt', 'Old report', '2023-05-01T10:00:00Z');"
    "INSERT INTO incidents(id, report_id, type, date, date_precision, actor, "
    "place_name, place_id, precision, lon, lat, sentence, sentence_offset, "
    "geom) VALUES "
    "(7, 1, 'arrest', '2023-04', 'month', 'border guards', 'Hoeryong', "
    "'gn:2044091', 1, 129.746, 42.441, 'They were arrested.', 10, "
    "MakePoint(129.746, 42.441, 4326)),"
    "(9, 1, 'bribery', NULL, NULL, NULL, 'Hyesan', 'gn:2043837', 2, "
    "128.178, 41.402, 'Bribes.', 40, MakePoint(128.178, 41.402, 4326));";

static void test_migrate_v1(bm_ctx *ctx)
{
    for (int readonly = 0; readonly <= 1; readonly++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/v1-%d.sqlite", BM_TEST_TMP, readonly);
        bm_test_remove_db(path);
        CHECK(sql_exec(path, v1_sql) == SQLITE_OK);
        CHECK(sql_int(path, "PRAGMA user_version") == 0);
        bm_store *st = NULL;
        bm_status s = readonly ? bm_store_open_existing(ctx, path, 1, &st)
                               : bm_store_open(ctx, path, &st);
        CHECK(s == BM_OK);
        if (s != BM_OK) {
            fprintf(stderr, "migrate: %s\n", bm_ctx_error(ctx));
            continue;
        }
        int v = 0;
        CHECK(bm_store_schema_version(st, &v) == BM_OK && v == 4);
        ids c;
        CHECK(find(st, NULL, &c) == BM_OK);
        CHECK(c.n == 2 && c.id[0] == 7 && c.id[1] == 9);
        CHECK(c.n == 2 && c.status[0] == BM_STATUS_AUTO);
        bm_incident e;
        CHECK(bm_store_get_incident(st, 7, &e) == BM_OK);
        CHECK_STR(e.actor, "border guards");
        CHECK_STR(e.date, "2023-04");
        CHECK_STR(e.report_title, "Old report");
        CHECK_STR(e.created, "2023-05-01T10:00:00Z");
        CHECK(e.lon == 129.746 && e.lat == 42.441);
        /* through version 3 to 4: the month's range, not main */
        CHECK_STR(e.date_start, "2023-04-01");
        CHECK_STR(e.date_end, "2023-04-30");
        CHECK(e.is_main == 0 && e.evidence_more == NULL);
        bm_incident_clear(&e);
        CHECK(bm_store_get_incident(st, 9, &e) == BM_OK);
        CHECK(e.date == NULL && e.date_start == NULL && e.date_end == NULL);
        bm_incident_clear(&e);
        /* The spatial index was rebuilt and answers. */
        CHECK(bm_store_incidents_in_box(st, 129.5, 42.3, 130.0, 42.6, collect,
                                        memset(&c, 0, sizeof c)) == BM_OK);
        CHECK(c.n == 1 && c.id[0] == 7);
        bm_store_free(st);
        CHECK(sql_int(path, "PRAGMA user_version") == 4);
        CHECK(sql_int(path, "SELECT CheckSpatialIndex('incidents', 'geom')") ==
              1);
        CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 2);
        CHECK(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = "
                            "'incidents_v1'") == 0);
        CHECK(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
                            "WHERE integrity_check = 'ok'") == 1);
        /* Opening again is a no-op. */
        st = NULL;
        CHECK(bm_store_open(ctx, path, &st) == BM_OK);
        bm_store_free(st);
        bm_test_remove_db(path);
    }
}

/* The version-3 schema exactly as bordermap 0.3 wrote it (and 0.2, but
 * for the status CHECK, see below). */
static const char v3_sql[] =
    "SELECT InitSpatialMetadata('WGS84');"
    "CREATE TABLE bordermap_meta (\n  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL);"
    "INSERT INTO bordermap_meta(key, value) VALUES ('schema_version', '3');"
    "CREATE TABLE reports (\n  id INTEGER PRIMARY KEY,\n"
    "  sha256 TEXT NOT NULL UNIQUE,\n  path TEXT,\n  title TEXT,\n"
    "  source TEXT,\n  url TEXT,\n  date TEXT,\n  date_precision TEXT,\n"
    "  body TEXT,\n  ingested_at TEXT NOT NULL\n"
    "    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"
    "CREATE TABLE incidents (\n  id INTEGER PRIMARY KEY,\n"
    "  report_id INTEGER REFERENCES reports(id) ON DELETE CASCADE,\n"
    "  type TEXT NOT NULL,\n  date TEXT,\n  date_precision TEXT,\n"
    "  actor TEXT,\n  place_name TEXT,\n  place_id TEXT,\n"
    "  country TEXT,\n  admin1 TEXT,\n  admin2 TEXT,\n  surface TEXT,\n"
    "  precision INTEGER,\n"
    "  lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),\n"
    "  lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),\n"
    "  sentence TEXT,\n  sentence_offset INTEGER,\n  confidence REAL,\n"
    "  status TEXT NOT NULL DEFAULT 'auto'\n"
    "    CHECK (status = 'auto' OR status = 'reviewed' OR status = "
    "'manual'),\n"
    "  origin TEXT,\n"
    "  created TEXT NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
    "  updated TEXT NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
    "SELECT AddGeometryColumn('incidents', 'geom', 4326, 'POINT', 'XY');"
    "SELECT CreateSpatialIndex('incidents', 'geom');"
    "CREATE INDEX incidents_report_id ON incidents(report_id, origin);"
    "CREATE TABLE mentions (\n  id INTEGER PRIMARY KEY,\n"
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE "
    "CASCADE,\n  start INTEGER NOT NULL,\n  \"end\" INTEGER NOT NULL,\n"
    "  surface TEXT,\n  place_id TEXT,\n  place_name TEXT,\n  lon REAL,\n"
    "  lat REAL,\n  confidence REAL,\n  reason TEXT);"
    "CREATE INDEX mentions_report_id ON mentions(report_id);"
    "CREATE TABLE audit (\n  id INTEGER PRIMARY KEY,\n"
    "  ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
    "  incident_id INTEGER,\n  report_id INTEGER,\n"
    "  field TEXT NOT NULL,\n  old_value TEXT,\n  new_value TEXT,\n"
    "  command TEXT);"
    "CREATE INDEX audit_incident_id ON audit(incident_id);"
    "CREATE TABLE suppressed (\n"
    "  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE "
    "CASCADE,\n  origin TEXT NOT NULL,\n"
    "  PRIMARY KEY (report_id, origin)) WITHOUT ROWID;"
    "PRAGMA user_version = 3;";

/* Version 2 differed from 3 only in how incidents.status was checked. */
#define CHECK_V2 "CHECK (status IN (''auto'', ''reviewed'', ''manual''))"
#define CHECK_V3                                                             \
    "CHECK (status = ''auto'' OR status = ''reviewed'' OR status = "         \
    "''manual'')"

static void test_migrate_v2(bm_ctx *ctx)
{
    for (int readonly = 0; readonly <= 1; readonly++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/v2-%d.sqlite", BM_TEST_TMP, readonly);
        bm_test_remove_db(path);
        bm_store *st = NULL;
        CHECK(sql_exec(path, v3_sql) == SQLITE_OK);
        CHECK(sql_exec(path,
                       "INSERT INTO reports(id, sha256, title) VALUES "
                       "(1, 'v2v2', 'v2 report');"
                       "INSERT INTO incidents(report_id, type, date, "
                       "date_precision, place_name, lon, lat, origin, geom) "
                       "VALUES (1, 'arrest', '2024-02', 'month', 'Hoeryong', "
                       "129.746, 42.441, '5|arrest|Hoeryong', "
                       "MakePoint(129.746, 42.441, 4326)), "
                       "(1, 'bribery', NULL, NULL, 'Hyesan', 128.178, 41.402, "
                       "'9|bribery|Hyesan', "
                       "MakePoint(128.178, 41.402, 4326));") == SQLITE_OK);
        /* Make it the version-2 file bordermap 0.2 wrote. */
        CHECK(sql_exec(path,
                       "PRAGMA writable_schema = ON;"
                       "UPDATE sqlite_master SET sql = replace(sql, '" CHECK_V3
                       "', '" CHECK_V2 "') WHERE name = 'incidents';"
                       "PRAGMA writable_schema = OFF;"
                       "PRAGMA user_version = 2;"
                       "UPDATE bordermap_meta SET value = '2' "
                       "WHERE key = 'schema_version';") == SQLITE_OK);
        CHECK(sql_int(path, "SELECT instr(sql, 'status IN (') > 0 FROM "
                            "sqlite_master WHERE name = 'incidents'") == 1);

        st = NULL;
        bm_status s = readonly ? bm_store_open_existing(ctx, path, 1, &st)
                               : bm_store_open(ctx, path, &st);
        CHECK(s == BM_OK);
        if (s != BM_OK) {
            fprintf(stderr, "migrate v2: %s\n", bm_ctx_error(ctx));
            continue;
        }
        int v = 0;
        CHECK(bm_store_schema_version(st, &v) == BM_OK && v == 4);
        ids c;
        CHECK(find(st, NULL, &c) == BM_OK);
        CHECK(c.n == 2);
        bm_incident e;
        CHECK(c.n == 2 && bm_store_get_incident(st, c.id[0], &e) == BM_OK);
        CHECK_STR(e.date_start, "2024-02-01");
        CHECK_STR(e.date_end, "2024-02-29"); /* a leap year */
        bm_incident_clear(&e);
        bm_store_free(st);
        CHECK(sql_int(path, "PRAGMA user_version") == 4);
        CHECK(sql_int(path, "SELECT value FROM bordermap_meta "
                            "WHERE key = 'schema_version'") == 4);
        CHECK(sql_int(path, "SELECT instr(sql, 'status IN (') = 0 AND "
                            "instr(sql, 'status = ''manual''') > 0 FROM "
                            "sqlite_master WHERE name = 'incidents'") == 1);
        CHECK(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
                            "WHERE integrity_check = 'ok'") == 1);
        /* The rewritten CHECK still refuses what the old one refused. */
        CHECK(sql_exec(path, "UPDATE incidents SET status = 'reviewed'") ==
              SQLITE_OK);
        CHECK(sql_exec(path, "UPDATE incidents SET status = 'bogus'") ==
              SQLITE_CONSTRAINT);
        CHECK(sql_int(path, "SELECT count(*) FROM incidents WHERE "
                            "status = 'reviewed'") == 2);
        bm_test_remove_db(path);
    }
}

/* Rows of a version-3 store: dated at each precision of version 3, with
 * dates that are not valid, undated, and an analyst's work around them. */
static const char v3_rows_sql[] =
    "INSERT INTO reports(id, sha256, path, title, date, date_precision, "
    "ingested_at) VALUES (1, 'v3v3', 'v3.txt', 'v3 report', '2024-07-01', "
    "'day', '2024-07-02T08:00:00Z');"
    "INSERT INTO mentions(report_id, start, \"end\", surface, place_id) "
    "VALUES (1, 10, 18, 'Hoeryong', 'gn:2044091');"
    "INSERT INTO incidents(id, report_id, type, date, date_precision, actor, "
    "place_name, precision, lon, lat, sentence, sentence_offset, confidence, "
    "status, origin, created, updated, geom) VALUES "
    "(3, 1, 'arrest', '2024-06-15', 'day', 'MSS', 'Hoeryong', 1, 129.746, "
    "42.441, 'Three were held.', 10, 0.9, 'auto', '10|arrest|Hoeryong', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(129.746, 42.441, 4326)),"
    "(4, 1, 'bribery', '2024-06', 'month', NULL, 'Musan', 2, 129.21, 42.23, "
    "NULL, 20, 0.7, 'reviewed', '20|bribery|Musan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-03T09:00:00.000Z', "
    "MakePoint(129.21, 42.23, 4326)),"
    "(5, 1, 'crackdown', '2024', 'year', NULL, 'Onsong', 2, 129.99, 42.96, "
    "NULL, 30, 0.5, 'auto', '30|crackdown|Onsong', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(129.99, 42.96, 4326)),"
    "(6, 1, 'smuggling', '2023-02', 'period', NULL, 'Hyesan', 2, 128.178, "
    "41.402, NULL, 40, 0.5, 'auto', '40|smuggling|Hyesan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(128.178, 41.402, 4326)),"
    "(7, 1, 'defection', NULL, NULL, NULL, 'Hyesan', 2, 128.178, 41.402, "
    "NULL, 50, 0.5, 'auto', '50|defection|Hyesan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(128.178, 41.402, 4326)),"
    "(8, 1, 'arrest', '2024-02-30', 'day', NULL, 'Musan', 1, 129.21, 42.23, "
    "NULL, 60, 0.5, 'auto', '60|arrest|Musan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(129.21, 42.23, 4326)),"
    "(9, 1, 'arrest', '2023-13', 'month', NULL, 'Musan', 1, 129.21, 42.23, "
    "NULL, 70, 0.5, 'auto', '70|arrest|Musan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(129.21, 42.23, 4326)),"
    "(10, 1, 'arrest', '2024-05', NULL, NULL, 'Musan', 1, 129.21, 42.23, "
    "NULL, 80, 0.5, 'auto', '80|arrest|Musan', "
    "'2024-07-02T08:00:00.000Z', '2024-07-02T08:00:00.000Z', "
    "MakePoint(129.21, 42.23, 4326)),"
    "(11, NULL, 'execution', '2024-01-07', 'day', 'court', '42.00000, "
    "129.00000', 1, 129.0, 42.0, 'Seen by a witness.', 0, 1.0, 'manual', "
    "NULL, '2024-07-04T10:00:00.000Z', '2024-07-04T10:00:00.000Z', "
    "MakePoint(129.0, 42.0, 4326));"
    "INSERT INTO audit(ts, incident_id, report_id, field, old_value, "
    "new_value, command) VALUES "
    "('2024-07-03T09:00:00.000Z', 4, 1, 'status', 'auto', 'reviewed', "
    "'incident edit'),"
    "('2024-07-04T10:00:00.000Z', 11, NULL, 'created', NULL, 'execution', "
    "'incident add');"
    "INSERT INTO suppressed(report_id, origin) VALUES (1, "
    "'90|arrest|Onsong');";

/* The range an incident read back has, as "start..end" ("-" for NULL). */
static const char *range_of(bm_store *st, int64_t id, char buf[32])
{
    bm_incident e;
    if (bm_store_get_incident(st, id, &e) != BM_OK)
        return "(missing)";
    snprintf(buf, 32, "%s..%s", e.date_start ? e.date_start : "-",
             e.date_end ? e.date_end : "-");
    bm_incident_clear(&e);
    return buf;
}

/* The incidents table's column names, in order, joined by ','. */
static void columns_of(const char *path, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT group_concat(name, ',') FROM (SELECT name "
                           "FROM pragma_table_info('incidents') ORDER BY cid)",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void test_migrate_v3(bm_ctx *ctx)
{
    /* the columns of a store made new, for comparison */
    char fresh_path[1024], fresh[1024], migrated[1024];
    snprintf(fresh_path, sizeof fresh_path, "%s/v4-new.sqlite", BM_TEST_TMP);
    bm_test_remove_db(fresh_path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, fresh_path, &st) == BM_OK);
    bm_store_free(st);
    columns_of(fresh_path, fresh, sizeof fresh);
    CHECK(strstr(fresh, ",geom,date_start,date_end,is_main,evidence_more") !=
          NULL);
    bm_test_remove_db(fresh_path);

    for (int readonly = 0; readonly <= 1; readonly++) {
        char path[1024], buf[32];
        snprintf(path, sizeof path, "%s/v3-%d.sqlite", BM_TEST_TMP, readonly);
        bm_test_remove_db(path);
        CHECK(sql_exec(path, v3_sql) == SQLITE_OK);
        CHECK(sql_exec(path, v3_rows_sql) == SQLITE_OK);
        CHECK(sql_int(path, "PRAGMA user_version") == 3);
        CHECK(sql_int(path, "SELECT count(*) FROM incidents") == 9);
        st = NULL;
        bm_status s = readonly ? bm_store_open_existing(ctx, path, 1, &st)
                               : bm_store_open(ctx, path, &st);
        CHECK(s == BM_OK);
        if (s != BM_OK) {
            fprintf(stderr, "migrate v3: %s\n", bm_ctx_error(ctx));
            continue;
        }
        int v = 0;
        CHECK(bm_store_schema_version(st, &v) == BM_OK && v == 4);
        /* ranges by the rule of bm_date_range() */
        CHECK_STR(range_of(st, 3, buf), "2024-06-15..2024-06-15");
        CHECK_STR(range_of(st, 4, buf), "2024-06-01..2024-06-30");
        CHECK_STR(range_of(st, 5, buf), "2024-01-01..2024-12-31");
        CHECK_STR(range_of(st, 6, buf), "2023-02-01..2023-02-28");
        CHECK_STR(range_of(st, 7, buf), "-..-");  /* undated */
        CHECK_STR(range_of(st, 8, buf), "-..-");  /* no 30 February */
        CHECK_STR(range_of(st, 9, buf), "-..-");  /* no month 13 */
        CHECK_STR(range_of(st, 10, buf), "-..-"); /* no precision */
        CHECK_STR(range_of(st, 11, buf), "2024-01-07..2024-01-07");
        /* the rest as it was */
        bm_incident e;
        CHECK(bm_store_get_incident(st, 4, &e) == BM_OK);
        CHECK(e.status == BM_STATUS_REVIEWED && e.date_precision ==
              BM_DATE_MONTH && e.is_main == 0 && e.evidence_more == NULL);
        CHECK_STR(e.date, "2024-06");
        CHECK_STR(e.updated, "2024-07-03T09:00:00.000Z");
        CHECK_STR(e.report_title, "v3 report");
        bm_incident_clear(&e);
        CHECK(bm_store_get_incident(st, 11, &e) == BM_OK);
        CHECK(e.status == BM_STATUS_MANUAL && e.report_id == 0);
        CHECK_STR(e.actor, "court");
        CHECK_STR(e.sentence, "Seen by a witness.");
        CHECK_STR(e.created, "2024-07-04T10:00:00.000Z");
        bm_incident_clear(&e);
        /* the new range filters work on migrated rows */
        bm_store_filter f;
        memset(&f, 0, sizeof f);
        f.since = "2024-06";
        f.until = "2024-06";
        ids c;
        CHECK(find(st, &f, &c) == BM_OK && c.n == 2 && c.id[0] == 3 &&
              c.id[1] == 4);
        /* and the spatial index */
        CHECK(bm_store_incidents_in_box(st, 129.7, 42.4, 129.8, 42.5, collect,
                                        memset(&c, 0, sizeof c)) == BM_OK);
        CHECK(c.n == 1 && c.id[0] == 3);
        bm_store_free(st);

        CHECK(sql_int(path, "PRAGMA user_version") == 4);
        CHECK(sql_int(path, "SELECT value FROM bordermap_meta "
                            "WHERE key = 'schema_version'") == 4);
        CHECK(sql_int(path, "SELECT count(*) FROM incidents") == 9);
        CHECK(sql_int(path, "SELECT count(*) FROM incidents "
                            "WHERE is_main <> 0") == 0);
        CHECK(sql_int(path, "SELECT count(*) FROM audit") == 2);
        CHECK(sql_int(path, "SELECT count(*) FROM mentions") == 1);
        CHECK(sql_int(path, "SELECT count(*) FROM suppressed") == 1);
        CHECK(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
                            "WHERE integrity_check = 'ok'") == 1);
        CHECK(sql_int(path, "SELECT CheckSpatialIndex('incidents', 'geom')") ==
              1);
        CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 9);
        /* the same columns, in the same order, as a new store */
        columns_of(path, migrated, sizeof migrated);
        CHECK_STR(migrated, fresh);
        /* is_main is 0 or 1, checked without an IN list */
        CHECK(sql_int(path, "SELECT instr(sql, 'is_main = 0 OR is_main = 1') "
                            "> 0 AND instr(sql, 'IN (') = 0 FROM sqlite_master "
                            "WHERE name = 'incidents'") == 1);
        CHECK(sql_exec(path, "UPDATE incidents SET is_main = 2 WHERE id = 3") ==
              SQLITE_CONSTRAINT);
        CHECK(sql_exec(path, "UPDATE incidents SET is_main = 1 WHERE id = 3") ==
              SQLITE_OK);
        /* Opening again is a no-op. */
        st = NULL;
        CHECK(bm_store_open(ctx, path, &st) == BM_OK);
        bm_store_free(st);
        CHECK(sql_int(path, "SELECT is_main FROM incidents WHERE id = 3") == 1);
        bm_test_remove_db(path);
    }
}

/* ---- review and re-ingest ----------------------------------------------- */

static const bm_store_report rep = {
    .sha256 = "9999999999999999999999999999999999999999999999999999999999999999",
    .path = "r.txt", .title = "Review fixture", .source = "Daily NK",
    .url = "https://example.org/r", .date = "2024-01-10",
    .date_precision = BM_DATE_DAY, .body = "...",
};

typedef struct audit_rows {
    int n;
    char field[32][32];
    char old_value[32][128];
    char new_value[32][128];
} audit_rows;

static int audit_collect(void *user, const bm_store_audit *a)
{
    audit_rows *r = user;
    if (r->n < 32) {
        snprintf(r->field[r->n], 32, "%s", a->field);
        snprintf(r->old_value[r->n], 128, "%s",
                 a->old_value ? a->old_value : "(null)");
        snprintf(r->new_value[r->n], 128, "%s",
                 a->new_value ? a->new_value : "(null)");
        CHECK(a->ts && strlen(a->ts) == 24);
    }
    r->n++;
    return 0;
}

static void test_review(bm_ctx *ctx)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/review.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;

    bm_incident inc[3] = {
        inc_at("arrest", "Hoeryong", 129.746, 42.441, 10),
        inc_at("bribery", "Musan", 129.21, 42.23, 50),
        inc_at("crackdown", "Onsong", 129.99, 42.96, 90),
    };
    inc[0].country = "KP";
    inc[0].admin1 = "North Hamgyong";
    inc[0].admin2 = "Hoeryong";
    bm_store_mention men[2] = {
        {.start = 12, .end = 20, .surface = "Hoeryŏng", .place_id = "gn:1",
         .place_name = "Hoeryŏng", .has_point = 1, .lon = 129.746,
         .lat = 42.441, .confidence = 0.9, .reason = "only candidate"},
        {.start = 52, .end = 57, .surface = "Musan", .has_point = 0,
         .confidence = 0.2, .reason = "unresolved"},
    };
    bm_store_added a;
    CHECK(bm_store_add_report2(st, &rep, men, 2, inc, 3, 0, &a) == BM_OK);
    CHECK(a.report_id > 0 && a.added == 3 && !a.replaced);
    int64_t rid = a.report_id;
    CHECK(sql_int(path, "SELECT count(*) FROM mentions") == 2);
    CHECK(sql_int(path, "SELECT count(*) FROM mentions WHERE lon IS NULL") ==
          1);

    ids c;
    CHECK(find(st, NULL, &c) == BM_OK && c.n == 3);
    int64_t id_arrest = c.id[0], id_bribery = c.id[1], id_crack = c.id[2];
    bm_incident e;
    CHECK(bm_store_get_incident(st, id_arrest, &e) == BM_OK);
    CHECK_STR(e.country, "KP");
    CHECK_STR(e.admin1, "North Hamgyong");
    CHECK_STR(e.report_source, "Daily NK");
    CHECK_STR(e.report_url, "https://example.org/r");
    CHECK(e.confidence == 0.8 && e.status == BM_STATUS_AUTO);
    CHECK(e.created && e.updated);

    /* Edit: move it, fix the date, mark reviewed. */
    free(e.place_name);
    e.place_name = strdup("Musan");
    e.lon = 129.21;
    e.lat = 42.23;
    free(e.date);
    e.date = strdup("2024-01-05");
    e.date_precision = BM_DATE_DAY;
    e.status = BM_STATUS_REVIEWED;
    size_t changed = 0;
    CHECK(bm_store_update_incident(st, &e, "incident edit", &changed) ==
          BM_OK);
    /* place_name, lon, lat, date, date_precision, status, and the range
     * the store derives for a date given without one */
    CHECK(changed == 8);
    bm_incident_clear(&e);
    audit_rows ar;
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id_arrest, audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 8);
    int saw_lat = 0, saw_range = 0;
    for (int i = 0; i < ar.n && i < 32; i++) {
        if (strcmp(ar.field[i], "lat") == 0)
            saw_lat = strcmp(ar.old_value[i], "42.441") == 0 &&
                      strcmp(ar.new_value[i], "42.23") == 0;
        if (strcmp(ar.field[i], "date_start") == 0 ||
            strcmp(ar.field[i], "date_end") == 0)
            saw_range += strcmp(ar.old_value[i], "(null)") == 0 &&
                         strcmp(ar.new_value[i], "2024-01-05") == 0;
    }
    CHECK(saw_lat);
    CHECK(saw_range == 2);
    /* The spatial index follows the move. */
    CHECK(bm_store_incidents_in_box(st, 129.7, 42.4, 129.8, 42.5, collect,
                                    memset(&c, 0, sizeof c)) == BM_OK);
    CHECK(c.n == 0);
    CHECK(bm_store_incidents_in_box(st, 129.2, 42.2, 129.3, 42.3, collect,
                                    memset(&c, 0, sizeof c)) == BM_OK);
    CHECK(c.n == 2);
    /* Editing nothing changes nothing. */
    CHECK(bm_store_get_incident(st, id_arrest, &e) == BM_OK);
    CHECK(bm_store_update_incident(st, &e, "incident edit", &changed) ==
          BM_OK && changed == 0);
    bm_incident_clear(&e);

    /* Delete the bribery (a false positive). */
    CHECK(bm_store_delete_incident(st, id_bribery, "incident delete") ==
          BM_OK);
    CHECK(bm_store_get_incident(st, id_bribery, &e) == BM_ERR_NOTFOUND);
    CHECK(strstr(bm_ctx_error(ctx), path) != NULL);
    CHECK(bm_store_delete_incident(st, id_bribery, "x") == BM_ERR_NOTFOUND);
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id_bribery, audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 1 && strcmp(ar.field[0], "deleted") == 0 &&
          strstr(ar.old_value[0], "bribery at Musan") != NULL);

    /* A manual incident on the same report, and one on no report. */
    bm_incident m = inc_at("smuggling", "Hoeryong", 129.75, 42.44, 0);
    m.report_id = rid;
    int64_t id_manual = 0, id_loose = 0;
    CHECK(bm_store_add_incident(st, &m, "incident add", &id_manual) == BM_OK);
    m.report_id = 0;
    CHECK(bm_store_add_incident(st, &m, "incident add", &id_loose) == BM_OK);
    CHECK(bm_store_get_incident(st, id_loose, &e) == BM_OK);
    CHECK(e.status == BM_STATUS_MANUAL && e.report_id == 0 &&
          e.report_title == NULL);
    bm_incident_clear(&e);
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id_manual, audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 1 && strcmp(ar.field[0], "created") == 0);

    /* Same content again without replace: nothing. */
    CHECK(bm_store_add_report2(st, &rep, men, 2, inc, 3, 0, &a) ==
          BM_ERR_DUPLICATE);
    CHECK(a.report_id == rid);

    /* Re-ingest with replace: the extractor now finds a fourth incident. */
    bm_incident inc2[4] = {inc[0], inc[1], inc[2],
                           inc_at("execution", "Musan", 129.21, 42.23, 130)};
    CHECK(bm_store_add_report2(st, &rep, men, 1, inc2, 4, 1, &a) == BM_OK);
    CHECK(a.replaced && a.report_id == rid);
    CHECK(a.removed == 1); /* the crackdown, still auto */
    CHECK(a.kept == 2);    /* the reviewed arrest and the manual one */
    CHECK(a.added == 2);   /* crackdown again and the execution */
    CHECK(sql_int(path, "SELECT count(*) FROM mentions") == 1);
    CHECK(find(st, NULL, &c) == BM_OK);
    CHECK(c.n == 5); /* arrest (reviewed), 2 manual, crackdown, execution */
    int arrests = 0, briberies = 0, reviewed_kept = 0;
    for (int i = 0; i < c.n; i++) {
        arrests += strcmp(c.type[i], "arrest") == 0;
        briberies += strcmp(c.type[i], "bribery") == 0;
        reviewed_kept += c.id[i] == id_arrest &&
                         c.status[i] == BM_STATUS_REVIEWED;
        CHECK(c.id[i] != id_crack); /* replaced: a new row */
    }
    CHECK(arrests == 1 && briberies == 0 && reviewed_kept == 1);
    CHECK(bm_store_get_incident(st, id_arrest, &e) == BM_OK);
    CHECK_STR(e.place_name, "Musan");
    CHECK_STR(e.date, "2024-01-05");
    bm_incident_clear(&e);
    CHECK(sql_int(path, "SELECT count(*) FROM audit WHERE field = "
                        "'reingest'") == 1);
    /* And again: stable. */
    CHECK(bm_store_add_report2(st, &rep, men, 1, inc2, 4, 1, &a) == BM_OK);
    CHECK(find(st, NULL, &c) == BM_OK && c.n == 5);

    /* Bad input. */
    bm_incident bad = inc_at("arrest", "x", 200.0, 0.0, 0);
    CHECK(bm_store_add_incident(st, &bad, "t", NULL) == BM_ERR_USAGE);
    bad = inc_at(NULL, "x", 1.0, 0.0, 0);
    CHECK(bm_store_add_incident(st, &bad, "t", NULL) == BM_ERR_USAGE);
    bm_store_free(st);

    /* Read-only stores refuse changes with the file named. */
    st = NULL;
    CHECK(bm_store_open_existing(ctx, path, 1, &st) == BM_OK);
    CHECK(bm_store_delete_incident(st, id_arrest, "x") == BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), path) != NULL);
    bm_store_free(st);
    bm_test_remove_db(path);
}

/* ---- the fields of version 4 ------------------------------------------- */

/* Sets an incident's date, precision and range (strings borrowed). */
static void dated(bm_incident *i, const char *date, bm_date_precision p,
                  const char *start, const char *end)
{
    i->date = (char *)date;
    i->date_precision = p;
    i->date_start = (char *)start;
    i->date_end = (char *)end;
}

typedef struct copies {
    int n;
    bm_incident v[16];
} copies;

static int copy_visit(void *user, const bm_incident *inc)
{
    copies *c = user;
    if (c->n < 16 && bm_incident_copy(&c->v[c->n], inc) == BM_OK)
        c->n++;
    return 0;
}

static void copies_free(copies *c)
{
    for (int i = 0; i < c->n; i++)
        bm_incident_clear(&c->v[i]);
    c->n = 0;
}

static int keep_all(void *user, double lon, double lat, double *value)
{
    (void)user;
    (void)lat;
    *value = lon;
    return 1;
}

/* The four fields as "start|end|main|more" ("-" for NULL). */
static const char *fields4(const bm_incident *e, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|%d|%s", e->date_start ? e->date_start : "-",
             e->date_end ? e->date_end : "-", e->is_main,
             e->evidence_more ? e->evidence_more : "-");
    return buf;
}

static const char *const want4[4] = {
    "2024-06-11|2024-06-20|1|Second sentence.\nThird sentence.",
    "-|2024-06-15|0|-",
    "2023-12-01|2024-02-29|0|-",
    "2024-03-01|2024-03-31|0|-", /* derived from date and precision */
};

static void check_four(const copies *c, int first)
{
    char buf[160];
    CHECK(c->n >= first + 4);
    for (int i = 0; i < 4 && first + i < c->n; i++)
        CHECK_STR(fields4(&c->v[first + i], buf, sizeof buf), want4[i]);
}

/* How many incidents of report rid are main, and the id of the last. */
static long long mains(const char *path, int64_t rid, int64_t *which)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incidents WHERE "
             "report_id = %lld AND is_main = 1", (long long)rid);
    long long n = sql_int(path, sql);
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM incidents "
             "WHERE report_id = %lld AND is_main = 1", (long long)rid);
    *which = sql_int(path, sql);
    return n;
}

static int audit_has(const audit_rows *ar, const char *field,
                     const char *old_value, const char *new_value)
{
    for (int i = 0; i < ar->n && i < 32; i++)
        if (strcmp(ar->field[i], field) == 0 &&
            strcmp(ar->old_value[i], old_value) == 0 &&
            strcmp(ar->new_value[i], new_value) == 0)
            return 1;
    return 0;
}

static void test_new_fields(bm_ctx *ctx)
{
    char path[1024], buf[160];
    snprintf(path, sizeof path, "%s/fields4.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    bm_incident inc[4] = {
        inc_at("arrest", "Hoeryong", 129.746, 42.441, 10),
        inc_at("bribery", "Musan", 129.21, 42.23, 50),
        inc_at("crackdown", "Onsong", 129.99, 42.96, 90),
        inc_at("smuggling", "Hyesan", 128.178, 41.402, 130),
    };
    dated(&inc[0], "2024-06", BM_DATE_PERIOD, "2024-06-11", "2024-06-20");
    inc[0].is_main = 1;
    inc[0].evidence_more = "Second sentence.\nThird sentence.";
    dated(&inc[1], "2024-06-15", BM_DATE_REPORTED, NULL, "2024-06-15");
    dated(&inc[2], "2023", BM_DATE_SEASON, "2023-12-01", "2024-02-29");
    dated(&inc[3], "2024-03", BM_DATE_MONTH, NULL, NULL);
    bm_store_report r = rep;
    r.sha256 = "f4f4";
    bm_store_added a;
    CHECK(bm_store_add_report2(st, &r, NULL, 0, inc, 4, 0, &a) == BM_OK);
    int64_t rid = a.report_id;

    /* find, get and the radius path read what was written */
    copies c = {0};
    CHECK(bm_store_find(st, NULL, copy_visit, &c) == BM_OK && c.n == 4);
    check_four(&c, 0);
    CHECK(c.n == 4 && c.v[1].date_precision == BM_DATE_REPORTED &&
          c.v[2].date_precision == BM_DATE_SEASON &&
          c.v[0].date_precision == BM_DATE_PERIOD);
    int64_t id[4];
    for (int i = 0; i < 4; i++)
        id[i] = i < c.n ? c.v[i].id : 0;
    copies_free(&c);
    bm_incident e;
    CHECK(bm_store_get_incident(st, id[0], &e) == BM_OK);
    CHECK_STR(fields4(&e, buf, sizeof buf), want4[0]);
    bm_incident_clear(&e);
    bm_store_filter f;
    memset(&f, 0, sizeof f);
    f.has_box = 1;
    f.min_lon = 128;
    f.max_lon = 130.5;
    f.min_lat = 41;
    f.max_lat = 43;
    bm_store_kept *kept = NULL;
    size_t nk = 0;
    CHECK(bm_store_find_kept(st, &f, keep_all, NULL, &kept, &nk) == BM_OK);
    CHECK(nk == 4);
    for (size_t i = 0; i < nk; i++)
        for (int k = 0; k < 4; k++)
            if (kept[i].incident.id == id[k])
                CHECK_STR(fields4(&kept[i].incident, buf, sizeof buf),
                          want4[k]);
    bm_store_kept_free(kept, nk);
    CHECK(sql_int(path, "SELECT count(*) FROM incidents WHERE date_start IS "
                        "NULL AND date_precision = 'reported'") == 1);

    /* update: one audit row per changed field */
    CHECK(bm_store_get_incident(st, id[0], &e) == BM_OK);
    free(e.date_end);
    e.date_end = strdup("2024-06-25");
    free(e.evidence_more);
    e.evidence_more = NULL;
    e.status = BM_STATUS_REVIEWED;
    size_t changed = 0;
    CHECK(bm_store_update_incident(st, &e, "incident edit", &changed) ==
          BM_OK);
    CHECK(changed == 3);
    bm_incident_clear(&e);
    audit_rows ar;
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id[0], audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 3);
    CHECK(audit_has(&ar, "date_end", "2024-06-20", "2024-06-25"));
    CHECK(audit_has(&ar, "evidence_more", "Second sentence.\nThird sentence.",
                    "(null)"));
    CHECK(audit_has(&ar, "status", "auto", "reviewed"));
    CHECK(bm_store_get_incident(st, id[0], &e) == BM_OK);
    CHECK_STR(fields4(&e, buf, sizeof buf), "2024-06-11|2024-06-25|1|-");
    bm_incident_clear(&e);

    /* one main incident per report: making another main takes it from
     * the first, with an audit row */
    int64_t which = 0;
    CHECK(mains(path, rid, &which) == 1 && which == id[0]);
    CHECK(bm_store_get_incident(st, id[1], &e) == BM_OK);
    e.is_main = 1;
    free(e.date_start);
    e.date_start = strdup("2024-06-01"); /* a reported range narrowed */
    CHECK(bm_store_update_incident(st, &e, "incident edit", &changed) ==
          BM_OK);
    CHECK(changed == 2);
    bm_incident_clear(&e);
    CHECK(mains(path, rid, &which) == 1 && which == id[1]);
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id[1], audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 2 && audit_has(&ar, "is_main", "0", "1") &&
          audit_has(&ar, "date_start", "(null)", "2024-06-01"));
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id[0], audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 4 && audit_has(&ar, "is_main", "1", "0"));
    CHECK(bm_store_get_incident(st, id[0], &e) == BM_OK);
    CHECK(e.is_main == 0 && e.status == BM_STATUS_REVIEWED);
    bm_incident_clear(&e);
    /* an incident added by hand as main takes it too */
    bm_incident m = inc_at("execution", "Hoeryong", 129.75, 42.44, 0);
    m.report_id = rid;
    m.is_main = 1;
    dated(&m, "2024-06-02", BM_DATE_DAY, NULL, NULL);
    int64_t id_manual = 0;
    CHECK(bm_store_add_incident(st, &m, "incident add", &id_manual) == BM_OK);
    CHECK(mains(path, rid, &which) == 1 && which == id_manual);
    CHECK_STR(range_of(st, id_manual, buf), "2024-06-02..2024-06-02");
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id[1], audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 3 && audit_has(&ar, "is_main", "1", "0"));
    /* one not on a report may be marked, and takes nothing */
    m.report_id = 0;
    int64_t id_loose = 0;
    CHECK(bm_store_add_incident(st, &m, "incident add", &id_loose) == BM_OK);
    CHECK(mains(path, rid, &which) == 1 && which == id_manual);

    /* re-ingest (--force): the reviewed and manual incidents are kept with
     * their fields; the analyst's main incident stands, so the new main
     * one the extractor gives is stored as not main */
    bm_incident again[4] = {inc[0], inc[1], inc[2], inc[3]};
    again[0].is_main = 0;
    again[1].is_main = 1;
    CHECK(bm_store_add_report2(st, &r, NULL, 0, again, 4, 1, &a) == BM_OK);
    CHECK(a.replaced && a.kept == 2 && a.removed == 3 && a.added == 3);
    CHECK(mains(path, rid, &which) == 1 && which == id_manual);
    CHECK(bm_store_get_incident(st, id[0], &e) == BM_OK);
    CHECK_STR(fields4(&e, buf, sizeof buf), "2024-06-11|2024-06-25|0|-");
    CHECK(e.status == BM_STATUS_REVIEWED);
    bm_incident_clear(&e);
    memset(&f, 0, sizeof f);
    f.report_id = rid;
    f.status = 1 + BM_STATUS_AUTO;
    CHECK(bm_store_find(st, &f, copy_visit, &c) == BM_OK && c.n == 3);
    for (int i = 0; i < c.n; i++) {
        CHECK(c.v[i].is_main == 0);
        if (strcmp(c.v[i].type, "bribery") == 0)
            CHECK_STR(fields4(&c.v[i], buf, sizeof buf), want4[1]);
        if (strcmp(c.v[i].type, "crackdown") == 0)
            CHECK_STR(fields4(&c.v[i], buf, sizeof buf), want4[2]);
    }
    copies_free(&c);
    /* without a kept main incident, the extractor's is stored as main */
    CHECK(bm_store_get_incident(st, id_manual, &e) == BM_OK);
    e.is_main = 0;
    CHECK(bm_store_update_incident(st, &e, "incident edit", &changed) ==
          BM_OK && changed == 1);
    bm_incident_clear(&e);
    CHECK(mains(path, rid, &which) == 0);
    CHECK(bm_store_add_report2(st, &r, NULL, 0, again, 4, 1, &a) == BM_OK);
    CHECK(mains(path, rid, &which) == 1);
    CHECK(bm_store_get_incident(st, which, &e) == BM_OK);
    CHECK_STR(e.type, "bribery");
    CHECK(e.status == BM_STATUS_AUTO);
    bm_incident_clear(&e);

    /* the batch path writes the same */
    bm_store_report r2 = rep;
    r2.sha256 = "f4f4-batch";
    CHECK(bm_store_begin_batch(st) == BM_OK);
    CHECK(bm_store_add_report2(st, &r2, NULL, 0, inc, 4, 0, &a) == BM_OK);
    CHECK(bm_store_end_batch(st) == BM_OK);
    memset(&f, 0, sizeof f);
    f.report_id = a.report_id;
    CHECK(bm_store_find(st, &f, copy_visit, &c) == BM_OK && c.n == 4);
    check_four(&c, 0);
    copies_free(&c);
    bm_store_free(st);
    CHECK(sql_int(path, "SELECT count(*) FROM pragma_integrity_check "
                        "WHERE integrity_check = 'ok'") == 1);
    bm_test_remove_db(path);
}

/* ---- filters and stats -------------------------------------------------- */

typedef struct stat_rows {
    int n;
    char line[64][96];
} stat_rows;

static int stat_collect(void *user, const char *dim, const char *key,
                        size_t n)
{
    stat_rows *r = user;
    if (r->n < 64)
        snprintf(r->line[r->n], 96, "%s %s %zu", dim, key ? key : "-", n);
    r->n++;
    return 0;
}

static int has_line(const stat_rows *r, const char *line)
{
    for (int i = 0; i < r->n && i < 64; i++)
        if (strcmp(r->line[i], line) == 0)
            return 1;
    return 0;
}

static void test_filters(bm_ctx *ctx)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/filters.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    bm_incident inc[6] = {
        inc_at("arrest", "A", 129.7, 42.4, 1),
        inc_at("arrest", "B", 129.7, 42.4, 2),
        inc_at("bribery", "C", 129.7, 42.4, 3),
        inc_at("crackdown", "D", 128.2, 41.4, 4),
        inc_at("crackdown", "E", 128.2, 41.4, 5),
        inc_at("smuggling", "F", 124.4, 40.1, 6),
    };
    /* ranges left to the store to derive from date and precision */
    dated(&inc[0], "2024-01-07", BM_DATE_DAY, NULL, NULL);
    dated(&inc[1], "2024-01", BM_DATE_MONTH, NULL, NULL);
    dated(&inc[2], "2024", BM_DATE_YEAR, NULL, NULL);
    dated(&inc[3], "2023-12-31", BM_DATE_DAY, NULL, NULL);
    dated(&inc[5], "2024-02-01", BM_DATE_DAY, NULL, NULL);
    inc[0].actor = "Ministry of State Security";
    inc[1].actor = "border guards";
    inc[2].actor = "Border Guards; police";
    inc[3].precision = BM_PREC_COUNTY;
    inc[4].precision = BM_PREC_PROVINCE; /* undated */
    inc[0].admin1 = inc[1].admin1 = inc[2].admin1 = "North Hamgyong";
    inc[3].admin1 = inc[4].admin1 = "Yanggang";
    bm_store_report r = rep;
    CHECK(bm_store_add_report(st, &r, inc, 6, NULL) == BM_OK);

    ids c;
    bm_store_filter f;
#define COUNT(setup)                                                         \
    (memset(&f, 0, sizeof f), setup, find(st, &f, &c) == BM_OK ? c.n : -1)
    CHECK(COUNT((void)0) == 6);
    /* since/until: the whole range within */
    CHECK(COUNT(f.since = "2024-01-01") == 4);   /* A, B, C, F */
    CHECK(COUNT(f.since = "2024-01") == 4);
    CHECK(COUNT(f.since = "2024-01-02") == 2);   /* A, F */
    CHECK(COUNT(f.until = "2023") == 1);         /* D */
    CHECK(COUNT(f.until = "2024-01") == 3);      /* A, B, D (not C: 2024) */
    CHECK(COUNT(f.until = "2024-01-06") == 1);   /* D */
    CHECK(COUNT((f.since = "2024-01-01", f.until = "2024-01-31")) == 2);
    CHECK(COUNT(f.since = "2024-1") == -1);
    CHECK(strstr(bm_ctx_error(ctx), "2024-1") != NULL);
    const char *types[] = {"arrest", "smuggling"};
    CHECK(COUNT((f.types = types, f.ntypes = 2)) == 3);
    CHECK(COUNT((f.types = types, f.ntypes = 1)) == 2);
    CHECK(COUNT(f.actor = "BORDER") == 2);
    CHECK(COUNT(f.actor = "state sec") == 1);
    CHECK(COUNT(f.actor = "%") == 0);
    CHECK(COUNT(f.max_precision = BM_PREC_EXACT) == 4);
    CHECK(COUNT(f.max_precision = BM_PREC_COUNTY) == 5);
    CHECK(COUNT((f.has_box = 1, f.min_lon = 129, f.max_lon = 130,
                 f.min_lat = 42, f.max_lat = 43, f.types = types,
                 f.ntypes = 1)) == 2);
    CHECK(COUNT(f.status = 1 + BM_STATUS_MANUAL) == 0);
    CHECK(COUNT(f.status = 1 + BM_STATUS_AUTO) == 6);

    stat_rows sr;
    memset(&sr, 0, sizeof sr);
    CHECK(bm_store_stats(st, NULL, stat_collect, &sr) == BM_OK);
    CHECK(has_line(&sr, "province North Hamgyong 3"));
    CHECK(has_line(&sr, "province Yanggang 2"));
    CHECK(has_line(&sr, "province - 1"));
    CHECK(has_line(&sr, "type arrest 2"));
    CHECK(has_line(&sr, "type crackdown 2"));
    CHECK(has_line(&sr, "month 2024-01 2"));
    CHECK(has_line(&sr, "month 2024 1"));
    CHECK(has_line(&sr, "month - 1"));
    memset(&sr, 0, sizeof sr);
    memset(&f, 0, sizeof f);
    f.since = "2024";
    CHECK(bm_store_stats(st, &f, stat_collect, &sr) == BM_OK);
    CHECK(has_line(&sr, "type arrest 2") && !has_line(&sr, "type crackdown 2"));
    bm_store_free(st);
    bm_test_remove_db(path);
}

/* The place names of the incidents a filter finds, in id order, joined by
 * ','. */
typedef struct name_list {
    char text[256];
} name_list;

static int name_visit(void *user, const bm_incident *inc)
{
    name_list *l = user;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%s", n ? "," : "",
             inc->place_name);
    return 0;
}

static const char *names(bm_store *st, const char *since, const char *until,
                         name_list *l)
{
    bm_store_filter f;
    memset(&f, 0, sizeof f);
    f.since = since;
    f.until = until;
    memset(l, 0, sizeof *l);
    if (bm_store_find(st, &f, name_visit, l) != BM_OK)
        snprintf(l->text, sizeof l->text, "(error)");
    return l->text;
}

/* since/until by the range: every case of the rule, on incidents whose
 * range the extractor gave (a part of a month, a season over the new
 * year, a date known only from the report). */
static void test_date_filters(bm_ctx *ctx)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/ranges.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    enum { N = 10 };
    static const char *const place[N] = {"day", "month", "period", "year",
                                         "reported", "undated", "july",
                                         "winter", "eve", "spring"};
    bm_incident inc[N];
    for (int i = 0; i < N; i++)
        inc[i] = inc_at("arrest", place[i], 129.7, 42.4, (size_t)i);
    dated(&inc[0], "2024-06-15", BM_DATE_DAY, "2024-06-15", "2024-06-15");
    dated(&inc[1], "2024-06", BM_DATE_MONTH, "2024-06-01", "2024-06-30");
    dated(&inc[2], "2024-06", BM_DATE_PERIOD, "2024-06-11", "2024-06-20");
    dated(&inc[3], "2024", BM_DATE_YEAR, "2024-01-01", "2024-12-31");
    dated(&inc[4], "2024-06-20", BM_DATE_REPORTED, NULL, "2024-06-20");
    /* inc[5] undated */
    dated(&inc[6], "2024-07-01", BM_DATE_DAY, "2024-07-01", "2024-07-01");
    dated(&inc[7], "2023", BM_DATE_SEASON, "2023-12-01", "2024-02-29");
    dated(&inc[8], "2023-12-31", BM_DATE_DAY, "2023-12-31", "2023-12-31");
    dated(&inc[9], "2024", BM_DATE_SEASON, "2024-03-01", "2024-05-31");
    bm_store_report r = rep;
    CHECK(bm_store_add_report(st, &r, inc, N, NULL) == BM_OK);

    name_list l;
    /* a map of June 2024: its day, part of the month and month; not the
     * year-only incident, not the one dated only by its report */
    CHECK_STR(names(st, "2024-06", "2024-06", &l), "day,month,period");
    /* the old rule (an incident is the first day of its date) kept the
     * month, the part of it and the year here: their ranges do not end
     * by June 15 (nor does the report's date, June 20) */
    CHECK_STR(names(st, NULL, "2024-06-15", &l), "day,winter,eve,spring");
    /* nor do they begin on or after it */
    CHECK_STR(names(st, "2024-06-15", NULL, &l), "day,july");
    /* an open start passes until, never since */
    CHECK_STR(names(st, NULL, "2024-06", &l), "day,month,period,reported,"
                                              "winter,eve,spring");
    CHECK_STR(names(st, "2000", NULL, &l), "day,month,period,year,july,"
                                           "winter,eve,spring");
    CHECK_STR(names(st, "2024", "2024", &l), "day,month,period,year,july,"
                                             "spring");
    /* a season over the new year is in neither year alone */
    CHECK_STR(names(st, "2023", "2023", &l), "eve");
    CHECK_STR(names(st, "2023-12", "2024-02", &l), "winter,eve");
    /* dates that do not exist are refused, named */
    CHECK_STR(names(st, "2024-02-30", NULL, &l), "(error)");
    CHECK(strstr(bm_ctx_error(ctx), "2024-02-30") != NULL);
    CHECK_STR(names(st, NULL, "2024-13", &l), "(error)");
    CHECK(strstr(bm_ctx_error(ctx), "2024-13") != NULL);
    /* February of a leap year ends on the 29th */
    CHECK_STR(names(st, "2023-12-01", "2024-02", &l), "winter,eve");
    CHECK_STR(names(st, "2023-12-01", "2024-02-28", &l), "eve");

    /* month keys: the month the range lies in, else its year, else none */
    stat_rows sr;
    memset(&sr, 0, sizeof sr);
    CHECK(bm_store_stats(st, NULL, stat_collect, &sr) == BM_OK);
    CHECK(has_line(&sr, "month 2024-06 3")); /* day, month, period */
    CHECK(has_line(&sr, "month 2024 2"));    /* year, spring */
    CHECK(has_line(&sr, "month 2024-07 1"));
    CHECK(has_line(&sr, "month 2023-12 1"));
    CHECK(has_line(&sr, "month - 3"));       /* reported, undated, winter */
    int months = 0;
    for (int i = 0; i < sr.n && i < 64; i++)
        months += strncmp(sr.line[i], "month ", 6) == 0;
    CHECK(months == 5);
    /* in order, NULL last */
    int k2023 = -1, k2024 = -1, k06 = -1, knull = -1;
    for (int i = 0; i < sr.n && i < 64; i++) {
        if (strcmp(sr.line[i], "month 2023-12 1") == 0) k2023 = i;
        if (strcmp(sr.line[i], "month 2024 2") == 0) k2024 = i;
        if (strcmp(sr.line[i], "month 2024-06 3") == 0) k06 = i;
        if (strcmp(sr.line[i], "month - 3") == 0) knull = i;
    }
    CHECK(k2023 < k2024 && k2024 < k06 && k06 < knull);
    bm_store_free(st);
    bm_test_remove_db(path);
}

/* ---- two writers -------------------------------------------------------- */

/* Adds reports first..last-1 (3 incidents each); exit code 0 when every one
 * was stored or already there. */
static int writer(const char *path, int first, int last)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_store *st = NULL;
    int bad = 0;
    if (bm_store_open(ctx, path, &st) != BM_OK) {
        fprintf(stderr, "writer: %s\n", bm_ctx_error(ctx));
        bm_ctx_free(ctx);
        return 1;
    }
    for (int i = first; i < last; i++) {
        char sha[65];
        snprintf(sha, sizeof sha, "%064d", i);
        bm_store_report r = {.sha256 = sha, .title = "concurrent"};
        bm_incident inc[3] = {
            inc_at("arrest", "A", 129.0 + i * 0.001, 42.0, 1),
            inc_at("arrest", "B", 129.0, 42.0 + i * 0.001, 2),
            inc_at("bribery", "C", 129.5, 42.5, 3),
        };
        bm_status s = bm_store_add_report(st, &r, inc, 3, NULL);
        if (s != BM_OK && s != BM_ERR_DUPLICATE) {
            fprintf(stderr, "writer: %s\n", bm_ctx_error(ctx));
            bad++;
        }
    }
    bm_store_free(st);
    bm_ctx_free(ctx);
    return bad ? 1 : 0;
}

static void test_two_writers(bm_ctx *ctx)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/concurrent.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK); /* create first */
    bm_store_free(st);
    fflush(NULL);
    pid_t a = fork();
    if (a == 0)
        _exit(writer(path, 0, 300));
    pid_t b = fork();
    if (b == 0)
        _exit(writer(path, 100, 400));
    /* A reader at the same time sees whole reports only. */
    int torn = 0;
    for (int k = 0; k < 20; k++) {
        long long n = sql_int(path, "SELECT count(*) FROM incidents");
        long long r = sql_int(path, "SELECT count(*) FROM reports");
        long long odd = sql_int(path, "SELECT count(*) FROM (SELECT report_id "
                                      "FROM incidents GROUP BY report_id "
                                      "HAVING count(*) <> 3)");
        if (odd != 0 || n < 0 || r < 0)
            torn++;
        usleep(5000);
    }
    CHECK(torn == 0);
    int sa = -1, sb = -1;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    CHECK(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    CHECK(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    CHECK(sql_int(path, "SELECT count(*) FROM reports") == 400);
    CHECK(sql_int(path, "SELECT count(DISTINCT sha256) FROM reports") == 400);
    CHECK(sql_int(path, "SELECT count(*) FROM incidents") == 1200);
    CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 1200);
    CHECK(sql_int(path, "SELECT count(*) FROM pragma_integrity_check WHERE "
                        "integrity_check = 'ok'") == 1);
    bm_test_remove_db(path);
}

int main(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    test_migrate_v1(ctx);
    test_migrate_v2(ctx);
    test_migrate_v3(ctx);
    test_review(ctx);
    test_new_fields(ctx);
    test_filters(ctx);
    test_date_filters(ctx);
    test_two_writers(ctx);
    bm_ctx_free(ctx);
    return bm_test_done();
}
