/*
 * bench_store.c - bordermap's store at scale (issue 5, "Scale, measured").
 * Not a test: tests never time things (DEVELOPERS.md); tests/bench/store.sh
 * drives this program beside ogr2ogr, the spatialite shell and PostGIS.
 *
 *   bench_store gen N CSV
 *       Writes N synthetic incidents to CSV: clustered around the border
 *       region's towns, 60% geocoded to a town's exact point (as real
 *       geocoded incidents are), the rest scattered up to ~40 km around
 *       it. Seeded (xorshift64*, fixed seed): the same rows every run, on
 *       every machine. Columns: id,report,type,date,place_name,place_id,
 *       admin1,precision,confidence,lon,lat (lon/lat printed with %.17g,
 *       so every tool reads back the same doubles). Every 100 rows form
 *       one report.
 *
 *   bench_store ingest CSV DB [--no-batch]
 *       Creates DB and stores the CSV's rows through bm_store, one report
 *       per 100 rows, inside one bm_store batch (or, with --no-batch, one
 *       transaction per report). The time covers reading the CSV, opening
 *       (creating) the store and closing it (WAL checkpoint included).
 *       Prints rows, ingest_s, ingest_rps, maxrss_kb.
 *
 *   bench_store box LON LAT RADIUS_M
 *       Prints the search box bm_query_near uses (min_lon min_lat max_lon
 *       max_lat), for the hand-written R*Tree SQL.
 *
 *   bench_store query DB LON LAT RADIUS_M [RUNS [WARMUP]]
 *       Opens DB read-only once, runs bm_query_near WARMUP times untimed
 *       (default 3), then RUNS times timed (default 30). Prints count,
 *       p50_ms, p95_ms, min_ms, max_ms, maxrss_kb, and (Linux) the
 *       resident memory at the end split into rss_anon_kb (heap) and
 *       rss_file_kb (database pages mapped with mmap).
 */
#include "bm_query.h"
#include "bm_store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct town {
    const char *name, *id, *admin1;
    double lon, lat, weight;
} town;

/* Towns of the border region with a weight (share of the incidents).
 * Coordinates as in the gazetteer to ~1e-4 degrees; only the clustering
 * matters here. */
static const town towns[] = {
    {"Hoeryong", "bm:hoeryong", "North Hamgyong", 129.74601, 42.44113, 6},
    {"Musan", "bm:musan", "North Hamgyong", 129.2333, 42.2306, 5},
    {"Onsong", "bm:onsong", "North Hamgyong", 129.9967, 42.9572, 4},
    {"Hyesan", "bm:hyesan", "Ryanggang", 128.17778, 41.40167, 8},
    {"Sinuiju", "bm:sinuiju", "North Pyongan", 124.39806, 40.10056, 8},
    {"Manpo", "bm:manpo", "Chagang", 126.29028, 41.14528, 3},
    {"Namyang", "bm:namyang", "North Hamgyong", 129.8333, 42.9000, 2},
    {"Chongjin", "bm:chongjin", "North Hamgyong", 129.77583, 41.79556, 6},
    {"Rason", "bm:rason", "Rason", 130.29, 42.25, 3},
    {"Kimchaek", "bm:kimchaek", "North Hamgyong", 129.1997, 40.6697, 2},
    {"Hamhung", "bm:hamhung", "South Hamgyong", 127.53639, 39.91833, 3},
    {"Kanggye", "bm:kanggye", "Chagang", 126.6, 40.97, 2},
    {"Samjiyon", "bm:samjiyon", "Ryanggang", 128.33, 41.82, 1},
    {"Pochon", "bm:pochon", "Ryanggang", 128.43, 41.58, 1},
    {"Kimjongsuk", "bm:kimjongsuk", "Ryanggang", 127.9, 41.55, 1},
    {"Unsong", "bm:unsong", "Ryanggang", 128.3, 41.65, 1},
    {"Saebyol", "bm:saebyol", "North Hamgyong", 130.01, 42.80, 1},
    {"Yonsa", "bm:yonsa", "North Hamgyong", 129.06, 42.58, 0.2},
    {"Taehongdan", "bm:taehongdan", "Ryanggang", 128.85, 42.1, 0.2},
    {"Chasong", "bm:chasong", "Chagang", 126.8, 41.45, 0.5},
};
#define NTOWNS (sizeof towns / sizeof towns[0])
static const char *const types[] = {"arrest", "crackdown", "bribery",
                                    "smuggling", "defection", "execution"};
#define PER_REPORT 100
#define PI 3.14159265358979323846

/* xorshift64*: the same sequence everywhere. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) /
           9007199254740992.0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Resident memory split as /proc/self/status gives it (Linux): anonymous
 * (heap: what the program allocated) and file-backed (pages of the
 * database mapped with mmap, which the kernel may drop at will). */
static void print_rss_split(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        long kb;
        if (sscanf(line, "RssAnon: %ld", &kb) == 1)
            printf("rss_anon_kb=%ld\n", kb);
        else if (sscanf(line, "RssFile: %ld", &kb) == 1)
            printf("rss_file_kb=%ld\n", kb);
    }
    if (f)
        fclose(f);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- gen ---------------------------------------------------------------- */

static int cmd_gen(long n, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    double wsum = 0;
    for (size_t t = 0; t < NTOWNS; t++)
        wsum += towns[t].weight;
    fprintf(f, "id,report,type,date,place_name,place_id,admin1,precision,"
               "confidence,lon,lat\n");
    for (long i = 0; i < n; i++) {
        double u = urand() * wsum, acc = 0;
        size_t t = 0;
        for (; t < NTOWNS - 1; t++) {
            acc += towns[t].weight;
            if (u < acc)
                break;
        }
        const char *type = types[(size_t)(urand() * 6)];
        double confidence = 0.5 + floor(urand() * 500) / 1000;
        int day = (int)(urand() * 3650);
        int year = 2015 + day / 365, month = 1 + day % 365 / 31 % 12,
            mday = 1 + day % 28;
        double lon, lat;
        int precision;
        if (urand() < 0.6) { /* geocoded to the town's exact point */
            lon = towns[t].lon;
            lat = towns[t].lat;
            precision = 1;
        } else { /* scattered around it, up to ~40 km */
            double r = 0.4 * sqrt(urand()), a = urand() * 2 * PI;
            lon = towns[t].lon + r * cos(a) / cos(towns[t].lat * PI / 180);
            lat = towns[t].lat + r * sin(a);
            precision = 2;
        }
        fprintf(f, "%ld,%ld,%s,%04d-%02d-%02d,%s,%s,%s,%d,%.3f,%.17g,%.17g\n",
                i + 1, i / PER_REPORT + 1, type, year, month, mday,
                towns[t].name, towns[t].id, towns[t].admin1, precision,
                confidence, lon, lat);
    }
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

/* ---- ingest ------------------------------------------------------------- */

/* One CSV row split in place. */
typedef struct row {
    long report;
    char *field[11];
} row;

static int split(char *line, row *r)
{
    size_t k = 0;
    char *p = line;
    r->field[k++] = p;
    for (; *p && *p != '\n'; p++)
        if (*p == ',') {
            *p = '\0';
            if (k == 11)
                return 0;
            r->field[k++] = p + 1;
        }
    *p = '\0';
    if (k != 11)
        return 0;
    r->report = atol(r->field[1]);
    return 1;
}

static int store_report(bm_ctx *ctx, bm_store *st, long report,
                        bm_incident *inc, size_t n)
{
    char sha[65];
    snprintf(sha, sizeof sha, "%064ld", report);
    bm_store_report r = {.sha256 = sha, .title = "synthetic",
                         .path = "synthetic.txt", .source = "bench"};
    if (bm_store_add_report(st, &r, inc, n, NULL) != BM_OK) {
        fprintf(stderr, "bench_store: %s\n", bm_ctx_error(ctx));
        return 0;
    }
    return 1;
}

static int cmd_ingest(const char *csv, const char *db, int batch)
{
    double t0 = now();
    FILE *f = fopen(csv, "r");
    if (!f) {
        perror(csv);
        return 1;
    }
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_store *st = NULL;
    if (bm_store_open(ctx, db, &st) != BM_OK ||
        (batch && bm_store_begin_batch(st) != BM_OK)) {
        fprintf(stderr, "bench_store: %s\n", bm_ctx_error(ctx));
        return 1;
    }
    /* lines[k] holds row k of the current report, split in place; one slot
     * more for the first row of the next report, read before the report
     * is known to be complete. */
    static char lines[PER_REPORT + 1][512];
    bm_incident inc[PER_REPORT];
    size_t k = 0;
    long total = 0, cur = -1;
    char line[512];
    int ok = fgets(line, sizeof line, f) != NULL; /* header */
    while (ok && fgets(line, sizeof line, f)) {
        row r;
        if (k > PER_REPORT) {
            fprintf(stderr, "bench_store: %s: more than %d rows in report %ld\n",
                    csv, PER_REPORT, cur);
            ok = 0;
            break;
        }
        memcpy(lines[k], line, sizeof line);
        if (!split(lines[k], &r)) {
            fprintf(stderr, "bench_store: %s: bad row %ld\n", csv, total + 1);
            ok = 0;
            break;
        }
        if (k > 0 && r.report != cur) {
            /* rows[0..k) belong to report cur; r is the first of the next */
            ok = store_report(ctx, st, cur, inc, k);
            /* the raw line again: lines[k] is already split */
            memcpy(lines[0], line, sizeof line);
            split(lines[0], &r);
            k = 0;
        }
        cur = r.report;
        bm_incident *e = &inc[k];
        memset(e, 0, sizeof *e);
        e->type = r.field[2];
        e->date = r.field[3];
        e->date_precision = BM_DATE_DAY;
        e->place_name = r.field[4];
        e->place_id = r.field[5];
        e->country = "KP";
        e->admin1 = r.field[6];
        e->precision = (bm_precision)atoi(r.field[7]);
        e->confidence = strtod(r.field[8], NULL);
        e->lon = strtod(r.field[9], NULL);
        e->lat = strtod(r.field[10], NULL);
        e->sentence_offset = (size_t)(atol(r.field[0]) % PER_REPORT) * 80;
        k++;
        total++;
    }
    if (ok && k > 0)
        ok = store_report(ctx, st, cur, inc, k);
    fclose(f);
    if (ok && batch && bm_store_end_batch(st) != BM_OK) {
        fprintf(stderr, "bench_store: %s\n", bm_ctx_error(ctx));
        ok = 0;
    }
    bm_store_free(st);
    bm_ctx_free(ctx);
    if (!ok)
        return 1;
    double s = now() - t0;
    printf("rows=%ld\ningest_s=%.3f\ningest_rps=%.0f\nmaxrss_kb=%ld\n", total,
           s, (double)total / s, maxrss_kb());
    return 0;
}

/* ---- query -------------------------------------------------------------- */

static int cmd_query(const char *db, double lon, double lat, double radius,
                     int runs, int warmup)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_store *st = NULL;
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK) {
        fprintf(stderr, "bench_store: %s\n", bm_ctx_error(ctx));
        return 1;
    }
    double *ms = calloc((size_t)runs, sizeof *ms);
    size_t count = 0;
    for (int i = 0; i < warmup + runs; i++) {
        bm_near_result res;
        double t0 = now();
        if (bm_query_near(ctx, st, lon, lat, radius, &res) != BM_OK) {
            fprintf(stderr, "bench_store: %s\n", bm_ctx_error(ctx));
            return 1;
        }
        double t = (now() - t0) * 1000;
        if (i >= warmup)
            ms[i - warmup] = t;
        count = res.count;
        bm_near_result_free(&res);
    }
    qsort(ms, (size_t)runs, sizeof ms[0], cmp_d);
    /* nearest-rank percentiles */
    size_t p50 = (size_t)ceil(0.50 * runs) - 1,
           p95 = (size_t)ceil(0.95 * runs) - 1;
    printf("count=%zu\np50_ms=%.3f\np95_ms=%.3f\nmin_ms=%.3f\nmax_ms=%.3f\n"
           "maxrss_kb=%ld\n",
           count, ms[p50], ms[p95], ms[0], ms[runs - 1], maxrss_kb());
    print_rss_split();
    free(ms);
    bm_store_free(st);
    bm_ctx_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "box") == 0) {
        double x0, y0, x1, y1;
        bm_geodesic_box(atof(argv[2]), atof(argv[3]), atof(argv[4]), &x0, &y0,
                        &x1, &y1);
        printf("%.17g %.17g %.17g %.17g\n", x0, y0, x1, y1);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return cmd_gen(atol(argv[2]), argv[3]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "ingest") == 0)
        return cmd_ingest(argv[2], argv[3],
                          !(argc == 5 && strcmp(argv[4], "--no-batch") == 0));
    if (argc >= 6 && argc <= 8 && strcmp(argv[1], "query") == 0) {
        int runs = argc > 6 ? atoi(argv[6]) : 30;
        int warmup = argc > 7 ? atoi(argv[7]) : 3;
        if (runs < 1 || warmup < 0) {
            fprintf(stderr, "bench_store: RUNS must be >= 1\n");
            return 2;
        }
        return cmd_query(argv[2], atof(argv[3]), atof(argv[4]),
                         atof(argv[5]), runs, warmup);
    }
    fprintf(stderr,
            "usage: bench_store gen N CSV\n"
            "       bench_store ingest CSV DB [--no-batch]\n"
            "       bench_store box LON LAT RADIUS_M\n"
            "       bench_store query DB LON LAT RADIUS_M [RUNS [WARMUP]]\n");
    return 2;
}
