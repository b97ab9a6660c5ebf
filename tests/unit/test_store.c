/*
 * test_store.c - the SpatiaLite store: schema as GIS tools see it,
 * all-or-nothing reports, duplicates, reading back, box searches through
 * the spatial index, and clear errors for files that are not stores.
 */
#include "bm_store.h"
#include "bm_test.h"

#include <sqlite3.h>
#include <spatialite.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp_path(const char *name)
{
    static char paths[8][1024];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", BM_TEST_TMP, name);
    return p;
}

static bm_incident inc_at(const char *type, const char *place, double lon,
                          double lat)
{
    bm_incident i;
    memset(&i, 0, sizeof i);
    i.type = (char *)type;
    i.place_name = (char *)place;
    i.surface = (char *)place;
    i.lon = lon;
    i.lat = lat;
    i.precision = BM_PREC_EXACT;
    return i;
}

/* ---- direct SQL for checks -------------------------------------------- */

/* One integer from a query on the file, opened with plain SQLite plus
 * SpatiaLite (read-write: CheckSpatialIndex() logs into the file); -1 on
 * any failure. */
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

/* One text value (copied into buf) or "" on failure. */
static const char *sql_text(const char *path, const char *sql, char *buf,
                            size_t size)
{
    sqlite3 *db = NULL;
    void *cache = spatialite_alloc_connection();
    buf[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        spatialite_init_ex(db, cache, 0);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
            snprintf(buf, size, "%s", (const char *)sqlite3_column_text(q, 0));
        else
            fprintf(stderr, "sql_text(%s): %s\n", sql, sqlite3_errmsg(db));
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    spatialite_cleanup_ex(cache);
    return buf;
}

/* Runs a write statement with plain SQLite (no SpatiaLite). */
static int sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql_exec(%s): %s\n", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}

/* ---- visitors ----------------------------------------------------------- */

typedef struct collected {
    int n;
    int64_t ids[16];
    char places[16][64];
    bm_incident first; /* deep copy of the first visited */
    int stop_after;    /* 0 = never */
} collected;

static int collect(void *user, const bm_incident *inc)
{
    collected *c = user;
    if (c->n == 0)
        bm_incident_copy(&c->first, inc);
    if (c->n < 16) {
        c->ids[c->n] = inc->id;
        snprintf(c->places[c->n], sizeof c->places[0], "%s",
                 inc->place_name ? inc->place_name : "");
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static void collected_free(collected *c) { bm_incident_clear(&c->first); }

static int in_box(bm_store *st, double x0, double y0, double x1, double y1,
                  collected *c)
{
    memset(c, 0, sizeof *c);
    return bm_store_incidents_in_box(st, x0, y0, x1, y1, collect, c);
}

/* ---- tests -------------------------------------------------------------- */

static const bm_store_report report1 = {
    .sha256 = "1111111111111111111111111111111111111111111111111111111111111111",
    .path = "samples/hoeryong.txt",
    .title = "Arrests in Hoeryong and Hyesan",
    .source = "Daily NK",
    .url = "https://example.org/1",
    .date = "2024-01-07",
    .date_precision = BM_DATE_DAY,
    .body = "Authorities arrested ...",
};

static void test_create_add_read(bm_ctx *ctx, const char *path)
{
    bm_store *st = NULL;
    bm_test_remove_db(path);
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st) {
        fprintf(stderr, "open: %s\n", bm_ctx_error(ctx));
        return;
    }
    CHECK_STR(bm_store_backend(st), "spatialite");

    size_t nr = 99, ni = 99;
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == 0 && ni == 0);

    bm_incident inc[2];
    inc[0] = inc_at("arrest", "Hoeryong", 129.746, 42.441);
    inc[0].date = "2024-01-05";
    inc[0].date_precision = BM_DATE_DAY;
    inc[0].actor = "Ministry of State Security";
    inc[0].place_id = "gn:2044091";
    inc[0].surface = "Hoeryŏng";
    inc[0].sentence = "Three people were arrested in Hoeryŏng.";
    inc[0].sentence_offset = 42;
    inc[1] = inc_at("crackdown", "Hyesan", 128.178, 41.402);
    inc[1].precision = BM_PREC_COUNTY;
    inc[1].date = "2024-01";
    inc[1].date_precision = BM_DATE_MONTH;

    int64_t rid = 0;
    CHECK(bm_store_add_report(st, &report1, inc, 2, &rid) == BM_OK);
    CHECK(rid > 0);
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == 1 && ni == 2);

    /* Same sha256 again: nothing written, the stored id, no message. */
    bm_ctx_clear_error(ctx);
    int64_t rid2 = 0;
    bm_store_report again = report1;
    again.title = "Another title, same text";
    CHECK(bm_store_add_report(st, &again, inc, 2, &rid2) == BM_ERR_DUPLICATE);
    CHECK(rid2 == rid);
    CHECK_STR(bm_ctx_error(ctx), "");
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == 1 && ni == 2);

    /* Read back, ordered by id, every field. */
    collected c;
    memset(&c, 0, sizeof c);
    CHECK(bm_store_each_incident(st, collect, &c) == BM_OK);
    CHECK(c.n == 2);
    CHECK(c.ids[0] < c.ids[1]);
    CHECK_STR(c.places[0], "Hoeryong");
    CHECK_STR(c.places[1], "Hyesan");
    CHECK(c.first.id == c.ids[0]);
    CHECK(c.first.report_id == rid);
    CHECK_STR(c.first.report_title, report1.title);
    CHECK_STR(c.first.report_path, report1.path);
    CHECK_STR(c.first.type, "arrest");
    CHECK_STR(c.first.date, "2024-01-05");
    CHECK(c.first.date_precision == BM_DATE_DAY);
    CHECK_STR(c.first.actor, "Ministry of State Security");
    CHECK_STR(c.first.place_id, "gn:2044091");
    CHECK_STR(c.first.surface, "Hoeryŏng");
    CHECK(c.first.precision == BM_PREC_EXACT);
    CHECK(c.first.lon == 129.746 && c.first.lat == 42.441);
    CHECK_STR(c.first.sentence, "Three people were arrested in Hoeryŏng.");
    CHECK(c.first.sentence_offset == 42);
    collected_free(&c);

    /* The second one: precision and month date survive, NULLs stay NULL. */
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    CHECK(bm_store_each_incident(st, collect, &c) == BM_OK);
    CHECK(c.n == 1); /* the visitor stopped early; not an error */
    collected_free(&c);

    /* Box searches. */
    CHECK(in_box(st, 129.5, 42.3, 130.0, 42.6, &c) == BM_OK);
    CHECK(c.n == 1 && strcmp(c.places[0], "Hoeryong") == 0);
    collected_free(&c);
    CHECK(in_box(st, 128.0, 41.0, 130.0, 43.0, &c) == BM_OK);
    CHECK(c.n == 2 && c.ids[0] < c.ids[1]);
    collected_free(&c);
    CHECK(in_box(st, 0.0, 0.0, 1.0, 1.0, &c) == BM_OK);
    CHECK(c.n == 0);
    collected_free(&c);
    /* A point exactly on the edge counts as inside. */
    CHECK(in_box(st, 128.178, 41.402, 128.5, 41.5, &c) == BM_OK);
    CHECK(c.n == 1 && strcmp(c.places[0], "Hyesan") == 0);
    collected_free(&c);
    /* Just outside (by less than the index's float32 rounding) is out. */
    CHECK(in_box(st, 128.1780001, 41.0, 128.5, 41.5, &c) == BM_OK);
    CHECK(c.n == 0);
    collected_free(&c);
    CHECK(in_box(st, 128.0, 41.4020001, 128.5, 41.5, &c) == BM_OK);
    CHECK(c.n == 0);
    collected_free(&c);
    CHECK(in_box(st, 128.0, 41.0, 128.1779999, 41.5, &c) == BM_OK);
    CHECK(c.n == 0);
    collected_free(&c);
    /* Bad boxes are refused. */
    CHECK(in_box(st, 0.0, 10.0, 1.0, 5.0, &c) == BM_ERR_USAGE);
    CHECK(in_box(st, NAN, 10.0, 1.0, 50.0, &c) == BM_ERR_USAGE);

    bm_store_free(st);
}

/* What QGIS and the spatialite shell will see. */
static void test_schema_seen_by_gis(const char *path)
{
    char buf[256];
    CHECK(sql_int(path, "SELECT srid FROM geometry_columns WHERE "
                        "f_table_name = 'incidents' AND "
                        "f_geometry_column = 'geom'") == 4326);
    /* SpatiaLite 4+ layout: geometry_type 1 = POINT, dimension 2 = XY. */
    CHECK(sql_int(path, "SELECT geometry_type FROM geometry_columns WHERE "
                        "f_table_name = 'incidents' AND "
                        "f_geometry_column = 'geom'") == 1);
    CHECK(sql_int(path, "SELECT coord_dimension FROM geometry_columns WHERE "
                        "f_table_name = 'incidents' AND "
                        "f_geometry_column = 'geom'") == 2);
    CHECK(sql_int(path, "SELECT spatial_index_enabled FROM geometry_columns "
                        "WHERE f_table_name = 'incidents' AND "
                        "f_geometry_column = 'geom'") == 1);
    CHECK(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                        "name = 'idx_incidents_geom' AND type = 'table' AND "
                        "sql LIKE '%rtree%'") == 1);
    CHECK(sql_int(path, "SELECT CheckSpatialIndex('incidents', 'geom')") ==
          1);
    CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 2);
    CHECK_STR(sql_text(path,
                       "SELECT AsText(geom) FROM incidents ORDER BY id "
                       "LIMIT 1",
                       buf, sizeof buf),
              "POINT(129.746 42.441)");
    CHECK(sql_int(path, "SELECT ST_SRID(geom) FROM incidents LIMIT 1") ==
          4326);
    CHECK_STR(sql_text(path,
                       "SELECT value FROM bordermap_meta "
                       "WHERE key = 'schema_version'",
                       buf, sizeof buf),
              "4");
    CHECK(sql_int(path, "PRAGMA user_version") == BM_STORE_SCHEMA_VERSION);
    CHECK(BM_STORE_SCHEMA_VERSION == 4);
    /* Version 4: each incident's range of days, main flag and further
     * evidence; the month incident's range derived from its date. */
    CHECK_STR(sql_text(path,
                       "SELECT date_start || '..' || date_end || ' ' || "
                       "is_main || ' ' || coalesce(evidence_more, '-') FROM "
                       "incidents WHERE place_name = 'Hyesan'",
                       buf, sizeof buf),
              "2024-01-01..2024-01-31 0 -");
    /* Metadata written on the report row. */
    CHECK_STR(sql_text(path, "SELECT date_precision FROM reports", buf,
                       sizeof buf),
              "day");
    CHECK(strlen(sql_text(path, "SELECT ingested_at FROM reports", buf,
                          sizeof buf)) == 20);
    CHECK(sql_int(path, "SELECT precision FROM incidents WHERE "
                        "place_name = 'Hyesan'") == BM_PREC_COUNTY);
    /* WAL, so that queries run while an ingest writes. */
    CHECK_STR(sql_text(path, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    /* The v2 tables. */
    CHECK(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = "
                        "'table' AND name IN ('reports', 'mentions', "
                        "'incidents', 'audit', 'suppressed')") == 5);
    CHECK_STR(sql_text(path, "SELECT status FROM incidents LIMIT 1", buf,
                       sizeof buf),
              "auto");
}

static void test_rollback(bm_ctx *ctx, const char *path)
{
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    size_t nr0 = 0, ni0 = 0, nr = 0, ni = 0;
    CHECK(bm_store_count(st, &nr0, &ni0) == BM_OK);

    bm_store_report r = report1;
    r.sha256 = "2222222222222222222222222222222222222222222222222222222222222222";
    r.title = "Half-bad report";
    bm_incident inc[3];
    inc[0] = inc_at("arrest", "Musan", 129.21, 42.23);
    inc[1] = inc_at("bribery", "Onsong", 129.99, 42.96);
    inc[2] = inc_at(NULL, "Sinuiju", 124.40, 40.10); /* type NOT NULL */

    bm_ctx_clear_error(ctx);
    int64_t rid = -1;
    bm_status s = bm_store_add_report(st, &r, inc, 3, &rid);
    CHECK(s == BM_ERR_DB);
    CHECK(rid == 0);
    const char *msg = bm_ctx_error(ctx);
    CHECK(strstr(msg, path) != NULL);
    CHECK(strstr(msg, "Half-bad report") != NULL);
    CHECK(strstr(msg, "incident 3 of 3") != NULL);
    CHECK(strstr(msg, "NOT NULL") != NULL);
    printf("rollback message: %s\n", msg);
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == nr0 && ni == ni0);
    CHECK(sql_int(path, "SELECT count(*) FROM reports WHERE sha256 LIKE "
                        "'2222%'") == 0);
    CHECK(sql_int(path, "SELECT count(*) FROM incidents WHERE place_name IN "
                        "('Musan', 'Onsong')") == 0);
    CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") ==
          (long long)ni0);

    /* A coordinate that is not a number never lands either. */
    inc[2] = inc_at("arrest", "Nowhere", NAN, 40.0);
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_ERR_DB);
    inc[2] = inc_at("arrest", "Off the map", 200.0, 40.0);
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_ERR_DB);
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == nr0 && ni == ni0);

    /* The store is still usable: no transaction left open. */
    inc[2] = inc_at("smuggling", "Sinuiju", 124.40, 40.10);
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_OK);
    CHECK(rid > 0);
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == nr0 + 1 && ni == ni0 + 3);

    /* A report without incidents is fine. */
    r.sha256 = "3333333333333333333333333333333333333333333333333333333333333333";
    CHECK(bm_store_add_report(st, &r, NULL, 0, &rid) == BM_OK);
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == nr0 + 2 && ni == ni0 + 3);
    bm_store_free(st);
}

static void test_antimeridian(bm_ctx *ctx, const char *path)
{
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    bm_store_report r = report1;
    r.sha256 = "4444444444444444444444444444444444444444444444444444444444444444";
    bm_incident inc[3];
    inc[0] = inc_at("arrest", "East", 179.95, 65.0);
    inc[1] = inc_at("arrest", "West", -179.95, 65.0);
    inc[2] = inc_at("arrest", "Far", 170.0, 65.0);
    int64_t rid;
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_OK);

    collected c;
    /* min_lon > max_lon: the box [179.9, 180] + [-180, -179.9]. */
    CHECK(in_box(st, 179.9, 64.0, -179.9, 66.0, &c) == BM_OK);
    CHECK(c.n == 2);
    CHECK(c.n == 2 && strcmp(c.places[0], "East") == 0 &&
          strcmp(c.places[1], "West") == 0);
    collected_free(&c);
    /* Not crossing: only the eastern one. */
    CHECK(in_box(st, 179.9, 64.0, 180.0, 66.0, &c) == BM_OK);
    CHECK(c.n == 1 && strcmp(c.places[0], "East") == 0);
    collected_free(&c);
    /* A wide crossing box gets all three, in id order. */
    CHECK(in_box(st, 160.0, 64.0, -170.0, 66.0, &c) == BM_OK);
    CHECK(c.n == 3 && c.ids[0] < c.ids[1] && c.ids[1] < c.ids[2]);
    collected_free(&c);
    bm_store_free(st);
}

static void test_reopen(bm_ctx *ctx, const char *path)
{
    bm_store *st = NULL;
    size_t nr = 0, ni = 0;
    CHECK(bm_store_open_existing(ctx, path, 1, &st) == BM_OK);
    if (!st)
        return;
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == 4 && ni == 8);
    /* Read-only: writing is refused with the file's name. */
    bm_store_report r = report1;
    r.sha256 = "5555555555555555555555555555555555555555555555555555555555555555";
    int64_t rid;
    CHECK(bm_store_add_report(st, &r, NULL, 0, &rid) != BM_OK);
    CHECK(strstr(bm_ctx_error(ctx), path) != NULL);
    bm_store_free(st);

    st = NULL;
    CHECK(bm_store_open_existing(ctx, path, 0, &st) == BM_OK);
    CHECK(st && bm_store_add_report(st, &r, NULL, 0, &rid) == BM_OK);
    bm_store_free(st);
}

/* in_box must go through the R*Tree: a point missing from the index is
 * not found by a box search even though the row is there. */
static void test_uses_index(bm_ctx *ctx, const char *path)
{
    bm_store *st = NULL;
    collected c;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    CHECK(in_box(st, 128.0, 41.3, 128.3, 41.5, &c) == BM_OK);
    CHECK(c.n == 1 && strcmp(c.places[0], "Hyesan") == 0);
    collected_free(&c);
    bm_store_free(st);

    CHECK(sql_exec(path, "DELETE FROM idx_incidents_geom WHERE pkid = "
                         "(SELECT id FROM incidents WHERE place_name = "
                         "'Hyesan')") == SQLITE_OK);
    st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    CHECK(in_box(st, 128.0, 41.3, 128.3, 41.5, &c) == BM_OK);
    CHECK(c.n == 0);
    collected_free(&c);
    memset(&c, 0, sizeof c);
    CHECK(bm_store_each_incident(st, collect, &c) == BM_OK);
    CHECK(c.n == 8);
    collected_free(&c);
    bm_store_free(st);
}

static void test_bad_files(bm_ctx *ctx)
{
    bm_store *st = NULL;

    /* Missing file. */
    const char *missing = tmp_path("no-such-store.sqlite");
    bm_test_remove_db(missing);
    CHECK(bm_store_open_existing(ctx, missing, 1, &st) == BM_ERR_NOTFOUND);
    CHECK(st == NULL);
    CHECK(strstr(bm_ctx_error(ctx), missing) != NULL);
    CHECK(access(missing, F_OK) != 0); /* not created */

    /* A text file. */
    const char *text = tmp_path("not-a-database.sqlite");
    const char *line = "This is a news report, not a database at all.\n";
    FILE *f = fopen(text, "w");
    CHECK(f != NULL);
    if (f) {
        for (int i = 0; i < 40; i++)
            fputs(line, f);
        fclose(f);
    }
    CHECK(bm_store_open(ctx, text, &st) != BM_OK);
    CHECK(st == NULL);
    CHECK(strstr(bm_ctx_error(ctx), text) != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "not a SQLite database") != NULL);
    printf("not-a-database message: %s\n", bm_ctx_error(ctx));
    CHECK(bm_store_open_existing(ctx, text, 1, &st) != BM_OK);
    CHECK(strstr(bm_ctx_error(ctx), text) != NULL);
    /* And it was left alone. */
    long size = -1;
    f = fopen(text, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fclose(f);
    }
    CHECK(size == 40 * (long)strlen(line));

    /* A SQLite database of something else. */
    const char *other = tmp_path("other.sqlite");
    bm_test_remove_db(other);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(other, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_close(db);
    CHECK(bm_store_open(ctx, other, &st) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), other) != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "not a bordermap store") != NULL);
    CHECK(sql_int(other, "SELECT count(*) FROM sqlite_master") == 1);

    /* A folder. */
    CHECK(bm_store_open(ctx, BM_TEST_TMP, &st) == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), BM_TEST_TMP) != NULL);

    /* A folder that does not exist: no file, clear message. */
    const char *nodir = tmp_path("no-such-dir/x.sqlite");
    CHECK(bm_store_open(ctx, nodir, &st) == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), nodir) != NULL);

    /* PostGIS is not built. */
    CHECK(bm_store_open(ctx, "postgresql://localhost/bm", &st) ==
          BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), "PostGIS") != NULL);

    bm_store_free(NULL);
}

static void test_schema_version(bm_ctx *ctx)
{
    const char *path = tmp_path("version.sqlite");
    bm_store *st = NULL;
    bm_test_remove_db(path);
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    bm_store_free(st);
    st = NULL;
    CHECK(sql_exec(path, "PRAGMA user_version = 99") == SQLITE_OK);
    CHECK(bm_store_open(ctx, path, &st) == BM_ERR_INPUT);
    CHECK(st == NULL);
    CHECK(strstr(bm_ctx_error(ctx), path) != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "version 99") != NULL);
    bm_test_remove_db(path);
}

/* An empty file (as mkstemp leaves) becomes a store. */
static void test_empty_file(bm_ctx *ctx)
{
    const char *path = tmp_path("empty.sqlite");
    bm_test_remove_db(path);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    bm_store *st = NULL;
    CHECK(bm_store_open_existing(ctx, path, 1, &st) == BM_ERR_INPUT);
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    size_t nr = 9, ni = 9;
    CHECK(st && bm_store_count(st, &nr, &ni) == BM_OK && nr == 0 && ni == 0);
    bm_store_free(st);
    bm_test_remove_db(path);
}

/* Batch mode: reports in savepoints of one transaction; a failing report
 * rolls back alone; SpatiaLite's triggers are back after the batch and the
 * spatial index is consistent. */
static int keep_west(void *user, double lon, double lat, double *value)
{
    (void)user;
    *value = lat;
    return lon < 129.5;
}

typedef struct point_tally {
    size_t n, west, typed, stop_at;
} point_tally;

static int tally_point(void *user, double lon, double lat, const char *type,
                       const char *date)
{
    point_tally *t = user;
    (void)date;
    t->n++;
    t->west += lon < 129.5 && lat > 39.0;
    t->typed += type != NULL && *type;
    return t->stop_at && t->n >= t->stop_at;
}

static void test_batch(bm_ctx *ctx)
{
    const char *path = tmp_path("test_store_batch.sqlite");
    bm_test_remove_db(path);
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    CHECK(bm_store_begin_batch(st) == BM_OK);
    bm_store_report r = report1;
    bm_incident inc[3];
    inc[0] = inc_at("arrest", "Hoeryong", 129.746, 42.441);
    inc[1] = inc_at("bribery", "Hyesan", 128.178, 41.402);
    inc[2] = inc_at("smuggling", "Sinuiju", 124.40, 40.10);
    int64_t rid = 0;
    CHECK(bm_store_add_report(st, &r, inc, 2, &rid) == BM_OK);
    /* a bad report in the middle of the batch */
    r.sha256 = "2222222222222222222222222222222222222222222222222222222222222222";
    inc[2].type = NULL;
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_ERR_DB);
    CHECK(strstr(bm_ctx_error(ctx), "rolled back too") == NULL);
    inc[2] = inc_at("arrest", "Off the map", 200.0, 40.0);
    CHECK(bm_store_add_report(st, &r, inc, 3, &rid) == BM_ERR_DB);
    /* a duplicate of a report stored earlier in the batch */
    r.sha256 = report1.sha256;
    CHECK(bm_store_add_report(st, &r, inc, 1, &rid) == BM_ERR_DUPLICATE);
    r.sha256 = "3333333333333333333333333333333333333333333333333333333333333333";
    inc[2] = inc_at("smuggling", "Sinuiju", 124.40, 40.10);
    CHECK(bm_store_add_report(st, &r, inc + 2, 1, &rid) == BM_OK);
    size_t nr = 0, ni = 0;
    CHECK(bm_store_count(st, &nr, &ni) == BM_OK);
    CHECK(nr == 2 && ni == 3);
    /* an edit during a batch commits the batch first */
    bm_incident manual = inc_at("arrest", "Musan", 129.21, 42.23);
    int64_t mid = 0;
    CHECK(bm_store_add_incident(st, &manual, "test", &mid) == BM_OK);
    r.sha256 = "4444444444444444444444444444444444444444444444444444444444444444";
    CHECK(bm_store_add_report(st, &r, inc, 1, &rid) == BM_OK);
    CHECK(bm_store_end_batch(st) == BM_OK);
    /* the radius-query path reads the same rows as find */
    bm_store_filter f = {0};
    f.has_box = 1;
    f.min_lon = 120.0;
    f.max_lon = 131.0;
    f.min_lat = 39.0;
    f.max_lat = 43.0;
    bm_store_kept *kept = NULL;
    size_t nk = 0;
    CHECK(bm_store_find_kept(st, &f, keep_west, NULL, &kept, &nk) == BM_OK);
    CHECK(nk == 3); /* Hyesan, Sinuiju, Musan */
    for (size_t i = 0; i < nk; i++) {
        CHECK(kept[i].incident.lon < 129.5);
        CHECK(kept[i].value == kept[i].incident.lat);
        CHECK(kept[i].incident.type != NULL);
        if (kept[i].incident.report_id > 0)
            CHECK_STR(kept[i].incident.report_title, report1.title);
        else
            CHECK(kept[i].incident.report_title == NULL);
    }
    bm_store_kept_free(kept, nk);
    /* the point-only path visits what find visits, filters included */
    point_tally pt = {0};
    CHECK(bm_store_each_point(st, &f, tally_point, &pt) == BM_OK);
    CHECK(pt.n == 5); /* and Hoeryong twice (reports 1 and 4) */
    CHECK(pt.west == 3 && pt.typed == 5);
    const char *arrest[] = {"arrest"};
    bm_store_filter ft = {0};
    ft.types = arrest;
    ft.ntypes = 1;
    memset(&pt, 0, sizeof pt);
    CHECK(bm_store_each_point(st, &ft, tally_point, &pt) == BM_OK);
    CHECK(pt.n == 3); /* Hoeryong twice, Musan (manual) */
    memset(&pt, 0, sizeof pt);
    pt.stop_at = 1;
    CHECK(bm_store_each_point(st, NULL, tally_point, &pt) == BM_OK);
    CHECK(pt.n == 1);
    bm_store_free(st);

    CHECK(sql_int(path, "SELECT count(*) FROM incidents") == 5);
    CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 5);
    CHECK(sql_int(path, "SELECT CheckSpatialIndex('incidents', 'geom')") ==
          1);
    CHECK(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = "
                        "'trigger' AND name IN ('ggi_incidents_geom', "
                        "'tmi_incidents_geom', 'gii_incidents_geom')") == 3);
    CHECK(sql_int(path, "SELECT count(*) FROM incidents WHERE "
                        "hex(geom) <> hex(MakePoint(lon, lat, 4326))") == 0);
    CHECK(sql_int(path, "SELECT count(*) FROM geometry_columns_time WHERE "
                        "f_table_name = 'incidents' AND "
                        "last_insert > '2000'") == 1);
    /* Outside a batch the triggers do the work again. */
    st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    r.sha256 = "5555555555555555555555555555555555555555555555555555555555555555";
    CHECK(st && bm_store_add_report(st, &r, inc, 2, &rid) == BM_OK);
    bm_store_free(st);
    CHECK(sql_int(path, "SELECT count(*) FROM idx_incidents_geom") == 7);
    CHECK(sql_int(path, "SELECT CheckSpatialIndex('incidents', 'geom')") ==
          1);
}

int main(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    const char *path = tmp_path("test_store.sqlite");
    test_create_add_read(ctx, path);
    test_schema_seen_by_gis(path);
    test_rollback(ctx, path);
    test_antimeridian(ctx, path);
    test_reopen(ctx, path);
    test_uses_index(ctx, path);
    test_bad_files(ctx);
    test_schema_version(ctx);
    test_empty_file(ctx);
    test_batch(ctx);
    bm_ctx_free(ctx);
    return bm_test_done();
}
