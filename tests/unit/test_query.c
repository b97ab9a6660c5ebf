/*
 * test_query.c - geodesic distances, search boxes (antimeridian, poles,
 * high latitudes) and near queries against a real store, checked against
 * PROJ's geod program and a brute-force scan.
 */
#include "bm_query.h"
#include "bm_test.h"

#include <geodesic.h>
#include <sqlite3.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HOERYONG_LON 129.746
#define HOERYONG_LAT 42.441
#define HYESAN_LON 128.178
#define HYESAN_LAT 41.402

/* ---- distances ---------------------------------------------------------- */

static void test_distance(void)
{
    /* Reference values from PROJ's command line tool:
     * echo "42.441 129.746 41.402 128.178" | geod +ellps=WGS84 -I +units=m
     * (geod takes lat lon; it prints metres to 3 decimals). */
    CHECK_NEAR(bm_geodesic_distance(HOERYONG_LON, HOERYONG_LAT, HYESAN_LON,
                                    HYESAN_LAT),
               173879.291, 0.01);
    CHECK_NEAR(bm_geodesic_distance(HYESAN_LON, HYESAN_LAT, HOERYONG_LON,
                                    HOERYONG_LAT),
               173879.291, 0.01);
    /* Pyongyang - Vladivostok. */
    CHECK_NEAR(bm_geodesic_distance(125.7625, 39.0392, 131.8869, 43.1155),
               685089.154, 0.01);
    /* Across the antimeridian and over the pole. */
    CHECK_NEAR(bm_geodesic_distance(179.9, 60.0, -179.95, 60.0), 8369.998,
               0.01);
    CHECK_NEAR(bm_geodesic_distance(0.0, 89.95, 180.0, 89.8), 27923.494,
               0.01);
    /* Sydney - New York. */
    CHECK_NEAR(bm_geodesic_distance(151.2, -33.9, -74.0, 40.7),
               15990627.264, 0.01);
    CHECK(bm_geodesic_distance(HOERYONG_LON, HOERYONG_LAT, HOERYONG_LON,
                               HOERYONG_LAT) == 0.0);
}

/* ---- boxes -------------------------------------------------------------- */

typedef struct box {
    double x0, y0, x1, y1;
} box;

static box geobox(double lon, double lat, double r)
{
    box b;
    bm_geodesic_box(lon, lat, r, &b.x0, &b.y0, &b.x1, &b.y1);
    return b;
}

static int box_has(const box *b, double lon, double lat)
{
    if (lat < b->y0 || lat > b->y1)
        return 0;
    if (b->x0 <= b->x1)
        return lon >= b->x0 && lon <= b->x1;
    return lon >= b->x0 || lon <= b->x1;
}

/* Checks that every point of the circle of radius r (and of one at half
 * the radius), sampled every 0.25 degree of azimuth, lies in the box.
 * Returns the number of points outside. Independent of query.c: walks the
 * circle with PROJ's geod_direct. */
static int circle_outside(double lon, double lat, double r, const box *b)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    int outside = 0;
    for (int k = 0; k < 1440; k++) {
        for (int h = 1; h <= 2; h++) {
            double lat2, lon2;
            geod_direct(&g, lat, lon, k * 0.25, r * h / 2.0, &lat2, &lon2,
                        NULL);
            if (!box_has(b, lon2, lat2)) {
                if (outside < 3)
                    fprintf(stderr,
                            "circle (%g, %g, %g m): (%.9f, %.9f) outside "
                            "[%.9f, %.9f]x[%.9f, %.9f]\n",
                            lon, lat, r, lon2, lat2, b->x0, b->x1, b->y0,
                            b->y1);
                outside++;
            }
        }
    }
    return outside;
}

/* Eastward half-width of the box in degrees (handles crossing). */
static double half_width(const box *b, double lon)
{
    double e = b->x1 - lon;
    if (e < 0)
        e += 360.0;
    return e;
}

static void test_box_simple(void)
{
    box b = geobox(HOERYONG_LON, HOERYONG_LAT, 30000.0);
    CHECK(b.x0 < b.x1);
    CHECK(box_has(&b, HOERYONG_LON, HOERYONG_LAT));
    CHECK(!box_has(&b, HYESAN_LON, HYESAN_LAT));
    CHECK(circle_outside(HOERYONG_LON, HOERYONG_LAT, 30000.0, &b) == 0);
    /* 30 km north is 0.27 degrees of latitude; the box is not much more. */
    CHECK_NEAR(b.y1 - HOERYONG_LAT, 0.2701, 0.001);
    CHECK_NEAR(HOERYONG_LAT - b.y0, 0.2700, 0.001);
    /* and 30 km east at 42.4N is about 0.365 degrees of longitude. */
    CHECK_NEAR(b.x1 - HOERYONG_LON, 0.3650, 0.002);
    CHECK_NEAR(HOERYONG_LON - b.x0, 0.3650, 0.002);

    /* Radius 0: the point itself. */
    b = geobox(10.0, 20.0, 0.0);
    CHECK(box_has(&b, 10.0, 20.0));
    CHECK(b.x1 - b.x0 < 1e-5 && b.y1 - b.y0 < 1e-5);
}

static void test_box_antimeridian(void)
{
    box b = geobox(179.9, 60.0, 50000.0);
    CHECK(b.x0 > b.x1); /* crosses */
    /* 50 km at 60N is about 0.896 degrees of longitude (the radius of the
     * parallel is N cos(lat) = 3197 km there). */
    CHECK_NEAR(b.x0, 179.9 - 0.896, 0.002);
    CHECK_NEAR(b.x1, -180.0 + (179.9 + 0.896 - 180.0), 0.002);
    CHECK(box_has(&b, -179.95, 60.0));
    CHECK(box_has(&b, 179.5, 60.0));
    CHECK(!box_has(&b, 0.0, 60.0));
    CHECK(!box_has(&b, 178.5, 60.0));
    CHECK(circle_outside(179.9, 60.0, 50000.0, &b) == 0);

    /* Same from the west side, and a centre given as 180 / -180. */
    b = geobox(-179.9, 60.0, 50000.0);
    CHECK(b.x0 > b.x1);
    CHECK(circle_outside(-179.9, 60.0, 50000.0, &b) == 0);
    b = geobox(180.0, 0.0, 1000.0);
    CHECK(b.x0 > b.x1);
    CHECK(box_has(&b, -179.995, 0.0) && box_has(&b, 179.995, 0.0));
    b = geobox(-180.0, 0.0, 1000.0);
    CHECK(box_has(&b, -179.995, 0.0) && box_has(&b, 179.995, 0.0));
    CHECK(b.x0 >= -180.0 && b.x0 <= 180.0 && b.x1 >= -180.0 && b.x1 <= 180.0);
}

static void test_box_poles(void)
{
    /* 50 km around a point 11 km from the north pole contains the pole. */
    box b = geobox(0.0, 89.9, 50000.0);
    CHECK(b.x0 == -180.0 && b.x1 == 180.0);
    CHECK(b.y1 == 90.0);
    CHECK_NEAR(b.y0, 89.9 - 0.4483, 0.003);
    CHECK(circle_outside(0.0, 89.9, 50000.0, &b) == 0);
    /* The pole itself, and the south pole. */
    b = geobox(45.0, 90.0, 1000.0);
    CHECK(b.x0 == -180.0 && b.x1 == 180.0 && b.y1 == 90.0 && b.y0 < 90.0);
    b = geobox(45.0, -89.99, 5000.0);
    CHECK(b.x0 == -180.0 && b.x1 == 180.0 && b.y0 == -90.0);
    CHECK(circle_outside(45.0, -89.99, 5000.0, &b) == 0);
    /* Close to the pole but not containing it: the longitude span is wide
     * but not everything, and the top stays below 90. */
    b = geobox(0.0, 89.0, 100000.0);
    CHECK(b.y1 < 90.0);
    CHECK(b.x0 > -180.0 || b.x1 < 180.0);
    CHECK(circle_outside(0.0, 89.0, 100000.0, &b) == 0);
}

/* At high latitude the circle's easternmost point is not due east of the
 * centre (a geodesic heading east curves towards the equator); a box built
 * from azimuth 90 alone would miss part of the circle. */
static void test_box_high_latitude(void)
{
    double lon = 10.0, lat = 80.0, r = 500000.0;
    box b = geobox(lon, lat, r);
    CHECK(circle_outside(lon, lat, r, &b) == 0);

    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    double lat2, lon2;
    geod_direct(&g, lat, lon, 90.0, r, &lat2, &lon2, NULL);
    double due_east = lon2 - lon;
    /* Spherical estimate of the true extent: asin(sin(r/R)/cos(lat)). */
    double R = 6371008.8, d2r = M_PI / 180.0;
    double sphere = asin(sin(r / R) / cos(lat * d2r)) / d2r;
    CHECK(half_width(&b, lon) > due_east + 1.0);
    CHECK_NEAR(half_width(&b, lon), sphere, 0.3);
    /* Symmetric about the centre's meridian. */
    CHECK_NEAR(half_width(&b, lon), lon - b.x0, 1e-9);
}

/* Many random circles: the box always holds the circle, and is tight
 * (no more than a hair beyond the extremes of the sampled circle). */
static void test_box_random(void)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1.0 / 298.257223563);
    unsigned seed = 12345;
    int bad = 0, loose = 0;
    for (int t = 0; t < 300; t++) {
        seed = seed * 1103515245u + 12345u;
        double lon = (seed >> 8) % 360000 / 1000.0 - 180.0;
        seed = seed * 1103515245u + 12345u;
        double lat = (seed >> 8) % 179000 / 1000.0 - 89.5;
        seed = seed * 1103515245u + 12345u;
        double r = 100.0 + (seed >> 8) % 2000000; /* up to 2000 km */
        box b = geobox(lon, lat, r);
        if (circle_outside(lon, lat, r, &b) != 0)
            bad++;
        /* Tightness of the latitude sides: due north / south. */
        double n, s, x;
        geod_direct(&g, lat, lon, 0.0, r, &n, &x, NULL);
        geod_direct(&g, lat, lon, 180.0, r, &s, &x, NULL);
        if (b.y1 < 90.0 && fabs(b.y1 - n) > 1e-6)
            loose++;
        if (b.y0 > -90.0 && fabs(b.y0 - s) > 1e-6)
            loose++;
    }
    CHECK(bad == 0);
    CHECK(loose == 0);
}

/* ---- near queries on a store -------------------------------------------- */

typedef struct place {
    const char *name;
    double lon, lat;
} place;

static const place places[] = {
    {"Hoeryong", HOERYONG_LON, HOERYONG_LAT},
    {"Hyesan", HYESAN_LON, HYESAN_LAT},
    {"Musan", 129.21, 42.23},
    {"Onsong", 129.99, 42.96},
    {"Hoeryong", HOERYONG_LON, HOERYONG_LAT}, /* same point, later id */
    {"Sinuiju", 124.40, 40.10},
    {"Chukotka east", 179.9, 60.0},
    {"Chukotka west", -179.95, 60.0},
    {"Chukotka far", 178.5, 60.0},
    {"Pole near", 0.0, 89.9},
    {"Pole across", 180.0, 89.8},
    {"Pole far", 90.0, 89.7},
};
#define NPLACES (sizeof places / sizeof places[0])

static bm_store *make_store(bm_ctx *ctx, const char *path)
{
    char j[1100];
    unlink(path);
    snprintf(j, sizeof j, "%s-journal", path);
    unlink(j);
    bm_store *st = NULL;
    if (bm_store_open(ctx, path, &st) != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        return NULL;
    }
    bm_incident inc[NPLACES];
    memset(inc, 0, sizeof inc);
    for (size_t i = 0; i < NPLACES; i++) {
        inc[i].type = (char *)"arrest";
        inc[i].place_name = (char *)places[i].name;
        inc[i].lon = places[i].lon;
        inc[i].lat = places[i].lat;
        inc[i].precision = BM_PREC_EXACT;
    }
    bm_store_report r = {.sha256 = "abc", .title = "Query fixture",
                         .path = "fixture.txt"};
    int64_t rid;
    if (bm_store_add_report(st, &r, inc, NPLACES, &rid) != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        bm_store_free(st);
        return NULL;
    }
    return st;
}

static int has_place(const bm_near_result *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->hits[i].incident.place_name &&
            strcmp(r->hits[i].incident.place_name, name) == 0)
            return 1;
    return 0;
}

static int is_sorted(const bm_near_result *r)
{
    for (size_t i = 1; i < r->count; i++) {
        const bm_near_hit *a = &r->hits[i - 1], *b = &r->hits[i];
        if (a->distance_m > b->distance_m)
            return 0;
        if (a->distance_m == b->distance_m && a->incident.id >= b->incident.id)
            return 0;
    }
    return 1;
}

/* The result must hold exactly the incidents a full scan finds within the
 * radius, each with its exact distance. */
static int matches_scan(const bm_near_result *r, double lon, double lat,
                        double radius)
{
    size_t expect = 0;
    for (size_t i = 0; i < NPLACES; i++) {
        double d = bm_geodesic_distance(lon, lat, places[i].lon,
                                        places[i].lat);
        if (d <= radius)
            expect++;
    }
    if (expect != r->count) {
        fprintf(stderr, "near (%g, %g, %g m): %zu hits, scan finds %zu\n",
                lon, lat, radius, r->count, expect);
        return 0;
    }
    for (size_t i = 0; i < r->count; i++) {
        const bm_incident *inc = &r->hits[i].incident;
        double d = bm_geodesic_distance(lon, lat, inc->lon, inc->lat);
        if (d != r->hits[i].distance_m || d > radius)
            return 0;
    }
    return 1;
}

static void test_near(bm_ctx *ctx)
{
    const char *path = BM_TEST_TMP "/test_query.sqlite";
    bm_store *st = make_store(ctx, path);
    CHECK(st != NULL);
    if (!st)
        return;
    bm_near_result r;

    /* 30 km around Hoeryong: both Hoeryong incidents, not Hyesan. */
    CHECK(bm_query_near(ctx, st, HOERYONG_LON, HOERYONG_LAT, 30000.0, &r) ==
          BM_OK);
    CHECK(r.count == 2);
    CHECK(has_place(&r, "Hoeryong"));
    CHECK(!has_place(&r, "Hyesan"));
    CHECK(!has_place(&r, "Musan"));
    CHECK(is_sorted(&r));
    CHECK(r.count == 2 && r.hits[0].distance_m == 0.0 &&
          r.hits[0].incident.id < r.hits[1].incident.id);
    CHECK(r.count > 0 && r.hits[0].incident.report_title &&
          strcmp(r.hits[0].incident.report_title, "Query fixture") == 0);
    CHECK(matches_scan(&r, HOERYONG_LON, HOERYONG_LAT, 30000.0));
    bm_near_result_free(&r);
    CHECK(r.hits == NULL && r.count == 0);

    /* 200 km: Hyesan too, sorted by distance, with its exact distance. */
    CHECK(bm_query_near(ctx, st, HOERYONG_LON, HOERYONG_LAT, 200000.0, &r) ==
          BM_OK);
    CHECK(r.count == 5);
    CHECK(is_sorted(&r));
    CHECK(has_place(&r, "Hyesan") && has_place(&r, "Musan") &&
          has_place(&r, "Onsong") && !has_place(&r, "Sinuiju"));
    CHECK(r.count == 5 && strcmp(r.hits[4].incident.place_name, "Hyesan") == 0);
    CHECK(r.count == 5 && fabs(r.hits[4].distance_m - 173879.291) < 0.01);
    CHECK(matches_scan(&r, HOERYONG_LON, HOERYONG_LAT, 200000.0));
    bm_near_result_free(&r);

    /* The radius is inclusive. */
    double d = bm_geodesic_distance(HOERYONG_LON, HOERYONG_LAT, HYESAN_LON,
                                    HYESAN_LAT);
    CHECK(bm_query_near(ctx, st, HOERYONG_LON, HOERYONG_LAT, d, &r) == BM_OK);
    CHECK(has_place(&r, "Hyesan"));
    bm_near_result_free(&r);
    CHECK(bm_query_near(ctx, st, HOERYONG_LON, HOERYONG_LAT, d - 0.01, &r) ==
          BM_OK);
    CHECK(!has_place(&r, "Hyesan"));
    bm_near_result_free(&r);

    /* Across the antimeridian. */
    CHECK(bm_query_near(ctx, st, 179.9, 60.0, 50000.0, &r) == BM_OK);
    CHECK(r.count == 2 && has_place(&r, "Chukotka east") &&
          has_place(&r, "Chukotka west"));
    CHECK(is_sorted(&r));
    CHECK(matches_scan(&r, 179.9, 60.0, 50000.0));
    bm_near_result_free(&r);
    CHECK(bm_query_near(ctx, st, -179.99, 60.0, 100000.0, &r) == BM_OK);
    CHECK(r.count == 3 && is_sorted(&r));
    CHECK(matches_scan(&r, -179.99, 60.0, 100000.0));
    bm_near_result_free(&r);

    /* Over the pole: (180, 89.8) is 27.9 km from (0, 89.95) across it. */
    CHECK(bm_query_near(ctx, st, 0.0, 89.95, 30000.0, &r) == BM_OK);
    CHECK(r.count == 2 && has_place(&r, "Pole near") &&
          has_place(&r, "Pole across") && !has_place(&r, "Pole far"));
    CHECK(r.count == 2 && strcmp(r.hits[0].incident.place_name, "Pole near") == 0);
    CHECK(matches_scan(&r, 0.0, 89.95, 30000.0));
    bm_near_result_free(&r);

    /* A sweep of centres and radii against the full scan. */
    int mismatches = 0;
    for (size_t i = 0; i < NPLACES; i++) {
        for (double rad = 1000.0; rad < 3e6; rad *= 3.0) {
            double lon = places[i].lon + 0.01, lat = places[i].lat - 0.01;
            if (bm_query_near(ctx, st, lon, lat, rad, &r) != BM_OK ||
                !matches_scan(&r, lon, lat, rad) || !is_sorted(&r))
                mismatches++;
            bm_near_result_free(&r);
        }
    }
    CHECK(mismatches == 0);

    /* Nothing near the Gulf of Guinea. */
    CHECK(bm_query_near(ctx, st, 0.0, 0.0, 10000.0, &r) == BM_OK);
    CHECK(r.count == 0);
    bm_near_result_free(&r);

    /* Bad arguments. */
    CHECK(bm_query_near(ctx, st, 0.0, 0.0, -1.0, &r) == BM_ERR_USAGE);
    CHECK(bm_query_near(ctx, st, 0.0, 91.0, 10.0, &r) == BM_ERR_USAGE);
    CHECK(bm_query_near(ctx, st, NAN, 0.0, 10.0, &r) == BM_ERR_USAGE);
    CHECK(r.count == 0 && r.hits == NULL);

    bm_store_free(st);
    bm_near_result_free(NULL);
}

/* ---- random data with filters against a brute-force scan ---------------- */

/* A date with its precision and the range of days it means. */
typedef struct rnd_date {
    const char *date;
    bm_date_precision precision;
    const char *start, *end; /* NULL: undated, or an open start */
} rnd_date;

typedef struct rnd_inc {
    double lon, lat;
    const char *type, *actor;
    const rnd_date *date;
    int precision;
    int64_t id;
} rnd_inc;

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

typedef struct scan_hit {
    double d;
    int64_t id;
} scan_hit;

static int scan_cmp(const void *a, const void *b)
{
    const scan_hit *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* How the random incidents are stored: one report at a time (the rtree
 * module indexes each row), in a batch (the R*Tree packed at its end), or
 * with the second half left as a batch's unindexed tail (a batch killed
 * before its end): every way, searches must find the same. */
enum { STORE_PLAIN, STORE_BATCH, STORE_TAIL };

static int exec_on(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}

static long long int_on(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void test_near_random(bm_ctx *ctx, int mode)
{
    const char *path = mode == STORE_PLAIN ? BM_TEST_TMP "/test_query_random.sqlite"
                       : mode == STORE_BATCH
                           ? BM_TEST_TMP "/test_query_random_batch.sqlite"
                           : BM_TEST_TMP "/test_query_random_tail.sqlite";
    static const char *const ext[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < 4; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
    bm_store *st = NULL;
    CHECK(bm_store_open(ctx, path, &st) == BM_OK);
    if (!st)
        return;
    enum { N = 4000 };
    static rnd_inc r[N];
    static bm_incident inc[N];
    static const char *const types[] = {"arrest", "bribery", "crackdown",
                                        "smuggling", "defection"};
    static const rnd_date dates[] = {
        {"2023", BM_DATE_YEAR, "2023-01-01", "2023-12-31"},
        {"2023-11", BM_DATE_MONTH, "2023-11-01", "2023-11-30"},
        {"2023-12-30", BM_DATE_DAY, "2023-12-30", "2023-12-30"},
        {"2024-01", BM_DATE_MONTH, "2024-01-01", "2024-01-31"},
        {"2024-01-01", BM_DATE_DAY, "2024-01-01", "2024-01-01"},
        {"2024-01-15", BM_DATE_DAY, "2024-01-15", "2024-01-15"},
        {"2024-02-29", BM_DATE_DAY, "2024-02-29", "2024-02-29"},
        {"2024", BM_DATE_YEAR, "2024-01-01", "2024-12-31"},
        {NULL, BM_DATE_NONE, NULL, NULL},
        {"2024-01", BM_DATE_PERIOD, "2024-01-11", "2024-01-20"},
        {"2024-01-15", BM_DATE_REPORTED, NULL, "2024-01-15"},
        {"2023", BM_DATE_SEASON, "2023-12-01", "2024-02-29"},
    };
    enum { NDATES = sizeof dates / sizeof dates[0] };
    static const char *const actors[] = {"Ministry of State Security",
                                         "border guards", "police; MSS",
                                         NULL};
    static const double towns[][2] = {{129.746, 42.441}, {129.21, 42.23},
                                      {129.99, 42.96}, {128.178, 41.402},
                                      {124.40, 40.10}};
    srand(12345);
    memset(inc, 0, sizeof inc);
    for (int i = 0; i < N; i++) {
        rnd_inc *x = &r[i];
        if (rand() % 3 == 0) { /* a town's exact point, like geocoded data */
            int t = rand() % 5;
            x->lon = towns[t][0];
            x->lat = towns[t][1];
        } else {
            x->lon = 124.0 + 7.0 * rand() / (double)RAND_MAX;
            x->lat = 39.5 + 4.0 * rand() / (double)RAND_MAX;
        }
        x->type = types[rand() % 5];
        x->date = &dates[rand() % NDATES];
        x->actor = actors[rand() % 4];
        x->precision = 1 + rand() % 3;
        inc[i].type = (char *)x->type;
        inc[i].date = (char *)x->date->date;
        inc[i].date_precision = x->date->precision;
        inc[i].date_start = (char *)x->date->start;
        inc[i].date_end = (char *)x->date->end;
        inc[i].actor = (char *)x->actor;
        inc[i].precision = (bm_precision)x->precision;
        inc[i].lon = x->lon;
        inc[i].lat = x->lat;
        inc[i].sentence_offset = (size_t)i;
    }
    bm_store_report rep = {.sha256 = "random", .title = "random"};
    if (mode != STORE_PLAIN)
        CHECK(bm_store_begin_batch(st) == BM_OK);
    CHECK(bm_store_add_report(st, &rep, inc, N, NULL) == BM_OK);
    if (mode != STORE_PLAIN)
        CHECK(bm_store_end_batch(st) == BM_OK);
    /* Ids were given in order from 1. */
    for (int i = 0; i < N; i++)
        r[i].id = i + 1;
    /* the packed tree is one the rtree module accepts, holding every row */
    CHECK(int_on(path, "SELECT rtreecheck('idx_incidents_geom') = 'ok'") == 1);
    CHECK(int_on(path, "SELECT count(*) FROM idx_incidents_geom") == N);
    CHECK(int_on(path, "SELECT count(*) FROM bordermap_meta WHERE key = "
                       "'rtree_from'") == 0);
    if (mode == STORE_TAIL) {
        bm_store_free(st);
        st = NULL;
        CHECK(exec_on(path, "DELETE FROM idx_incidents_geom WHERE pkid > 2000;"
                            "INSERT INTO bordermap_meta(key, value) VALUES "
                            "('rtree_from', '2001')") == SQLITE_OK);
        CHECK(bm_store_open_existing(ctx, path, 1, &st) == BM_OK);
        if (!st)
            return;
    }

    static scan_hit expect[N];
    int mismatches = 0, nonempty = 0;
    for (int q = 0; q < 200; q++) {
        double lon, lat;
        if (q % 2) {
            int t = rand() % 5;
            lon = towns[t][0];
            lat = towns[t][1];
        } else {
            lon = 124.0 + 7.0 * rand() / (double)RAND_MAX;
            lat = 39.5 + 4.0 * rand() / (double)RAND_MAX;
        }
        double radius = 1000.0 + 80000.0 * rand() / (double)RAND_MAX;
        bm_store_filter f;
        memset(&f, 0, sizeof f);
        const char *ftypes[2];
        /* the first day of since, the last of until */
        const char *since = "", *until = "";
        if (rand() % 2) {
            int k = rand() % 3;
            f.since = k == 0 ? "2024-01" : k == 1 ? "2023-12-30" : "2023-12";
            since = k == 0 ? "2024-01-01" : k == 1 ? "2023-12-30"
                                                   : "2023-12-01";
        }
        if (rand() % 3 == 0) {
            int k = rand() % 3;
            f.until = k == 0 ? "2024-01-15" : k == 1 ? "2024" : "2024-02";
            until = k == 0 ? "2024-01-15" : k == 1 ? "2024-12-31"
                                                   : "2024-02-29";
        }
        if (rand() % 3 == 0) {
            ftypes[0] = types[rand() % 5];
            ftypes[1] = types[rand() % 5];
            f.types = ftypes;
            f.ntypes = 1 + rand() % 2;
        }
        if (rand() % 4 == 0)
            f.actor = (rand() % 2) ? "BORDER" : "mss";
        if (rand() % 4 == 0)
            f.max_precision = 1 + rand() % 2;

        size_t ne = 0;
        for (int i = 0; i < N; i++) {
            const rnd_inc *x = &r[i];
            /* the whole range within since..until; a NULL end never
             * passes */
            if (f.since &&
                (!x->date->start || strcmp(x->date->start, since) < 0))
                continue;
            if (f.until && (!x->date->end || strcmp(x->date->end, until) > 0))
                continue;
            if (f.ntypes) {
                int ok = 0;
                for (size_t k = 0; k < f.ntypes; k++)
                    ok |= strcmp(x->type, f.types[k]) == 0;
                if (!ok)
                    continue;
            }
            if (f.actor && !ci_contains(x->actor, f.actor))
                continue;
            if (f.max_precision && x->precision > f.max_precision)
                continue;
            double d = bm_geodesic_distance(lon, lat, x->lon, x->lat);
            if (d <= radius)
                expect[ne++] = (scan_hit){d, x->id};
        }
        qsort(expect, ne, sizeof expect[0], scan_cmp);
        bm_near_result res;
        if (bm_query_near_filtered(ctx, st, lon, lat, radius, &f, &res) !=
            BM_OK) {
            mismatches++;
            continue;
        }
        int same = res.count == ne;
        for (size_t i = 0; same && i < ne; i++)
            same = res.hits[i].incident.id == expect[i].id &&
                   res.hits[i].distance_m == expect[i].d;
        if (!same) {
            fprintf(stderr, "random query %d: %zu hits, scan %zu\n", q,
                    res.count, ne);
            mismatches++;
        }
        nonempty += ne > 0;
        bm_near_result_free(&res);
    }
    CHECK(mismatches == 0);
    CHECK(nonempty > 50);
    bm_store_free(st);
    if (mode == STORE_TAIL) {
        /* the next batch indexes the tail it finds */
        st = NULL;
        CHECK(bm_store_open(ctx, path, &st) == BM_OK);
        bm_store_report rep2 = {.sha256 = "random 2", .title = "random 2"};
        CHECK(st && bm_store_begin_batch(st) == BM_OK);
        CHECK(st && bm_store_add_report(st, &rep2, inc, 10, NULL) == BM_OK);
        CHECK(st && bm_store_end_batch(st) == BM_OK);
        bm_store_free(st);
        CHECK(int_on(path, "SELECT rtreecheck('idx_incidents_geom') = 'ok'") ==
              1);
        CHECK(int_on(path, "SELECT count(*) FROM idx_incidents_geom") ==
              N + 10);
        CHECK(int_on(path, "SELECT count(*) FROM bordermap_meta WHERE key = "
                           "'rtree_from'") == 0);
    }
}

int main(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    test_distance();
    test_box_simple();
    test_box_antimeridian();
    test_box_poles();
    test_box_high_latitude();
    test_box_random();
    test_near(ctx);
    test_near_random(ctx, STORE_PLAIN);
    test_near_random(ctx, STORE_BATCH);
    test_near_random(ctx, STORE_TAIL);
    bm_ctx_free(ctx);
    return bm_test_done();
}
