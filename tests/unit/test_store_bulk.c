/*
 * test_store_bulk.c - the store's two helpers for large batches, on plain
 * SQLite files: the packed R*Tree (rtree_bulk.c) against a brute-force
 * scan, with points given in id order (the _rowid rows written in order,
 * over several groups) and in any other order; the checkpointing thread
 * (wal_ckpt.c) keeping the -wal file bounded while a writer commits.
 */
#include "bm_test.h"
#include "rtree_bulk.h"
#include "wal_ckpt.h"

#include <sqlite3.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static long long int_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    else
        fprintf(stderr, "int_of(%s): %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return v;
}

static uint64_t rnd_state = 88172645463325252ull;
static double rnd(void) /* xorshift64, [0, 1) */
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (double)(rnd_state >> 11) / 9007199254740992.0;
}

/* n points with ids 3, 6, 9, ... (gaps, as after deletions), a third of
 * them on a few shared points; packed from points_sql; then checked. */
static void check_bulk(sqlite3 *db, int n, const char *points_sql)
{
    char *err = NULL;
    CHECK(sqlite3_exec(db,
                       "DROP TABLE IF EXISTS pts; DROP TABLE IF EXISTS rt;"
                       "CREATE TABLE pts(id INTEGER PRIMARY KEY, x REAL, "
                       "y REAL);"
                       "CREATE VIRTUAL TABLE rt USING rtree(pkid, xmin, xmax, "
                       "ymin, ymax);"
                       "BEGIN",
                       NULL, NULL, &err) == SQLITE_OK);
    sqlite3_free(err);
    sqlite3_stmt *ins = NULL;
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO pts VALUES (?1, ?2, ?3)", -1,
                             &ins, NULL) == SQLITE_OK);
    for (int i = 0; i < n; i++) {
        double x, y;
        if (i % 3 == 0) {
            x = 129.0 + (i % 7) * 0.25;
            y = 42.0 + (i % 5) * 0.125;
        } else {
            x = 124.0 + 7.0 * rnd();
            y = 39.5 + 4.0 * rnd();
        }
        sqlite3_bind_int64(ins, 1, 3 * (sqlite3_int64)(i + 1));
        sqlite3_bind_double(ins, 2, x);
        sqlite3_bind_double(ins, 3, y);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_int64 packed = -1;
    CHECK(bm_rtree_bulk_load(db, "rt", points_sql, &packed) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(packed == n);
    CHECK(int_of(db, "SELECT rtreecheck('rt') = 'ok'") == 1);
    CHECK(int_of(db, "SELECT count(*) FROM rt") == n);
    /* every point's _rowid row names a leaf that holds it */
    CHECK(int_of(db, "SELECT count(*) FROM pts JOIN rt_rowid r ON "
                     "r.rowid = pts.id") == n);
    CHECK(int_of(db, "SELECT count(*) FROM pts WHERE NOT EXISTS (SELECT 1 "
                     "FROM rt WHERE pkid = pts.id AND xmin <= pts.x AND "
                     "xmax >= pts.x AND ymin <= pts.y AND ymax >= pts.y)") ==
          0);
    /* box queries through the tree find what a scan finds */
    int wrong = 0;
    for (int k = 0; k < 40; k++) {
        double x0 = 124.0 + 7.0 * rnd(), y0 = 39.5 + 4.0 * rnd();
        double w = 0.05 + rnd(), h = 0.05 + rnd();
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM rt WHERE xmax >= %.17g AND "
                 "xmin <= %.17g AND ymax >= %.17g AND ymin <= %.17g AND "
                 "pkid IN (SELECT id FROM pts WHERE x BETWEEN %.17g AND "
                 "%.17g AND y BETWEEN %.17g AND %.17g)) = (SELECT count(*) "
                 "FROM pts WHERE x BETWEEN %.17g AND %.17g AND y BETWEEN "
                 "%.17g AND %.17g)",
                 x0, x0 + w, y0, y0 + h, x0, x0 + w, y0, y0 + h, x0, x0 + w,
                 y0, y0 + h);
        wrong += int_of(db, sql) != 1;
    }
    CHECK(wrong == 0);
}

static void test_bulk(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bulk.sqlite", BM_TEST_TMP);
    bm_test_remove_db(path);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    /* in id order: _rowid written in order, over three groups */
    check_bulk(db, 150000, "SELECT id, x, y FROM pts ORDER BY id");
    /* in another order: _rowid written leaf by leaf */
    check_bulk(db, 20000, "SELECT id, x, y FROM pts ORDER BY y");
    /* small trees: one leaf (the root), and none */
    check_bulk(db, 7, "SELECT id, x, y FROM pts ORDER BY id");
    check_bulk(db, 0, "SELECT id, x, y FROM pts ORDER BY id");
    sqlite3_close(db);
    bm_test_remove_db(path);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* A writer commits 60 transactions of ~40 pages; with the checkpointer
 * waited for at 100 frames, the -wal file never holds much more than
 * that, and every row is in the database. */
static void test_wal_ckpt(void)
{
    char path[1024], wal[1100];
    snprintf(path, sizeof path, "%s/ckpt.sqlite", BM_TEST_TMP);
    snprintf(wal, sizeof wal, "%s-wal", path);
    bm_test_remove_db(path);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                       "CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)",
                       NULL, NULL, NULL) == SQLITE_OK);
    bm_wal_ckpt *c = NULL;
    CHECK(bm_wal_ckpt_start(path, 100, &c) == SQLITE_OK && c);
    if (!c) {
        sqlite3_close(db);
        return;
    }
    sqlite3_wal_hook(db, bm_wal_ckpt_hook, c);
    long long biggest = 0;
    for (int t = 0; t < 60; t++) {
        CHECK(sqlite3_exec(db,
                           "BEGIN; WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL "
                           "SELECT i + 1 FROM s WHERE i < 40) INSERT INTO "
                           "t(pad) SELECT randomblob(3000) FROM s; COMMIT",
                           NULL, NULL, NULL) == SQLITE_OK);
        long long sz = file_size(wal);
        if (sz > biggest)
            biggest = sz;
    }
    bm_wal_ckpt_wait(c);
    sqlite3_wal_autocheckpoint(db, 1000);
    bm_wal_ckpt_stop(c);
    bm_wal_ckpt_stop(NULL);
    /* 100 frames + one commit (~45 pages) of 4 KB pages, with headers */
    CHECK(biggest > 0 && biggest < 200 * 4120);
    if (biggest >= 200 * 4120)
        fprintf(stderr, "-wal file grew to %lld bytes\n", biggest);
    CHECK(int_of(db, "SELECT count(*) FROM t") == 60 * 40);
    sqlite3_close(db);
    CHECK(file_size(wal) == 0); /* the last close folded it back */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(int_of(db, "SELECT count(*) FROM t") == 60 * 40);
    CHECK(int_of(db, "SELECT count(*) FROM pragma_integrity_check WHERE "
                     "integrity_check = 'ok'") == 1);
    sqlite3_close(db);
    bm_test_remove_db(path);
}

int main(void)
{
    test_bulk();
    test_wal_ckpt();
    return bm_test_done();
}
