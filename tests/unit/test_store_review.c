/*
 * test_store_review.c - schema version 3 of the store: migration from
 * version-1 and version-2 files, mentions, review (add, edit, delete) with its audit
 * trail, re-ingest that keeps an analyst's work, filters, stats, and two
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
        CHECK(bm_store_schema_version(st, &v) == BM_OK && v == 3);
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
        bm_incident_clear(&e);
        /* The spatial index was rebuilt and answers. */
        CHECK(bm_store_incidents_in_box(st, 129.5, 42.3, 130.0, 42.6, collect,
                                        memset(&c, 0, sizeof c)) == BM_OK);
        CHECK(c.n == 1 && c.id[0] == 7);
        bm_store_free(st);
        CHECK(sql_int(path, "PRAGMA user_version") == 3);
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
        CHECK(bm_store_open(ctx, path, &st) == BM_OK);
        bm_store_report r = {.sha256 = "v2v2", .title = "v2 report"};
        bm_incident inc[2] = {inc_at("arrest", "Hoeryong", 129.746, 42.441, 5),
                              inc_at("bribery", "Hyesan", 128.178, 41.402, 9)};
        CHECK(bm_store_add_report(st, &r, inc, 2, NULL) == BM_OK);
        bm_store_free(st);
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
        CHECK(bm_store_schema_version(st, &v) == BM_OK && v == 3);
        ids c;
        CHECK(find(st, NULL, &c) == BM_OK);
        CHECK(c.n == 2);
        bm_store_free(st);
        CHECK(sql_int(path, "PRAGMA user_version") == 3);
        CHECK(sql_int(path, "SELECT value FROM bordermap_meta "
                            "WHERE key = 'schema_version'") == 3);
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
    CHECK(changed == 6); /* place_name, lon, lat, date, date_precision, status */
    bm_incident_clear(&e);
    audit_rows ar;
    memset(&ar, 0, sizeof ar);
    CHECK(bm_store_each_audit(st, id_arrest, audit_collect, &ar) == BM_OK);
    CHECK(ar.n == 6);
    int saw_lat = 0;
    for (int i = 0; i < ar.n && i < 32; i++)
        if (strcmp(ar.field[i], "lat") == 0)
            saw_lat = strcmp(ar.old_value[i], "42.441") == 0 &&
                      strcmp(ar.new_value[i], "42.23") == 0;
    CHECK(saw_lat);
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
    inc[0].date = "2024-01-07"; inc[0].actor = "Ministry of State Security";
    inc[1].date = "2024-01";    inc[1].actor = "border guards";
    inc[2].date = "2024";       inc[2].actor = "Border Guards; police";
    inc[3].date = "2023-12-31"; inc[3].precision = BM_PREC_COUNTY;
    inc[4].date = NULL;         inc[4].precision = BM_PREC_PROVINCE;
    inc[5].date = "2024-02-01";
    inc[0].admin1 = inc[1].admin1 = inc[2].admin1 = "North Hamgyong";
    inc[3].admin1 = inc[4].admin1 = "Yanggang";
    bm_store_report r = rep;
    CHECK(bm_store_add_report(st, &r, inc, 6, NULL) == BM_OK);

    ids c;
    bm_store_filter f;
#define COUNT(setup)                                                         \
    (memset(&f, 0, sizeof f), setup, find(st, &f, &c) == BM_OK ? c.n : -1)
    CHECK(COUNT((void)0) == 6);
    /* since: by the earliest day of the period. */
    CHECK(COUNT(f.since = "2024-01-01") == 4);   /* A, B, C, F */
    CHECK(COUNT(f.since = "2024-01") == 4);
    CHECK(COUNT(f.since = "2024-01-02") == 2);   /* A, F */
    CHECK(COUNT(f.until = "2023") == 1);         /* D */
    CHECK(COUNT(f.until = "2024-01") == 4);      /* A, B, C, D */
    CHECK(COUNT(f.until = "2024-01-06") == 3);   /* B, C, D */
    CHECK(COUNT((f.since = "2024-01-01", f.until = "2024-01-31")) == 3);
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
    test_review(ctx);
    test_filters(ctx);
    test_two_writers(ctx);
    bm_ctx_free(ctx);
    return bm_test_done();
}
