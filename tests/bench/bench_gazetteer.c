/*
 * bench_gazetteer.c - how fast the gazetteer loads and resolves names.
 * A benchmark, not a test: run tests/bench/gazetteer.sh (Release build).
 * Usage: bench_gazetteer DATA_DIR [RUNS]   (DATA_DIR holds gazetteer/)
 * Prints the median load time (ms) over RUNS loads and the mean lookup
 * time (us) over a mix of spellings (exact, designator, Hangul, variant).
 */
#include "bm_gazetteer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_gazetteer DATA_DIR [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 9;
    if (runs < 1 || runs > 1000)
        runs = 9;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/gazetteer", argv[1]);
    bm_ctx *ctx = bm_ctx_new(argv[1]);
    double *t = calloc((size_t)runs, sizeof *t);
    bm_gazetteer *gz = NULL;
    for (int r = 0; r < runs; r++) {
        bm_gazetteer_free(gz);
        gz = NULL;
        double t0 = now_ms();
        if (bm_gazetteer_open(ctx, dir, &gz) != BM_OK) {
            fprintf(stderr, "bench_gazetteer: %s\n", bm_ctx_error(ctx));
            return 1;
        }
        t[r] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("load: median %.1f ms (min %.1f, max %.1f) over %d runs, "
           "%zu places\n",
           t[runs / 2], t[0], t[runs - 1], runs, bm_gazetteer_count(gz));
    static const char *const qs[] = {
        "Hoeryong", "Hoeryŏng", "회령", "Onsong County", "Musan-gun",
        "North Hamgyong Province", "Ryanggang", "Yangkang", "Sinuiju",
        "Shinuiju", "Chongjin", "Yanji", "Dandong", "Vladivostok", "Beijing",
        "Kangan-dong", "Yalu River", "Sinpa", "Hoiryung", "Cheongjin"};
    size_t nq = sizeof qs / sizeof qs[0], reps = 20000, found = 0;
    bm_candidate c[8];
    double t0 = now_ms();
    for (size_t r = 0; r < reps; r++)
        for (size_t i = 0; i < nq; i++) {
            size_t n = 0;
            if (bm_gazetteer_lookup(ctx, gz, qs[i], c, 8, &n) == BM_OK)
                found += n > 0;
        }
    double us = (now_ms() - t0) * 1e3 / (double)(reps * nq);
    printf("lookup: %.2f us per name (mean over %zu lookups of %zu "
           "spellings; %zu resolved)\n",
           us, reps * nq, nq, found / reps);
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
    free(t);
    return 0;
}
