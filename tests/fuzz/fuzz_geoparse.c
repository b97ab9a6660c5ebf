/*
 * fuzz_geoparse.c - text -> report (seed or header layout) -> place
 * mentions -> incidents, against the real gazetteer, loaded once. The data
 * folder is found the way the program finds it: $BORDERMAP_DATA, then the
 * source tree this was built from. Also splits the body into sentences.
 * Every offset handed back must lie inside the body and agree with its
 * byte offset; every point must be a longitude and latitude.
 */
#include "fuzz.h"
#include "bm_geoparse.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loaded once for the life of the process (a fuzzer runs millions of
 * inputs; the gazetteer takes a moment to load). Never freed: it stays
 * reachable, so LeakSanitizer does not count it. */
static bm_ctx *g_ctx;
static bm_gazetteer *g_gz;
static int g_verbose; /* $BM_FUZZ_VERBOSE: say what each input gave */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_verbose = getenv("BM_FUZZ_VERBOSE") != NULL;
    g_ctx = bm_ctx_new(NULL);
    if (!g_ctx || bm_gazetteer_open(g_ctx, NULL, &g_gz) != BM_OK) {
        fprintf(stderr, "fuzz_geoparse: cannot load the gazetteer: %s\n"
                        "(set BORDERMAP_DATA to the folder holding "
                        "gazetteer/places.tsv)\n",
                g_ctx ? bm_ctx_error(g_ctx) : "out of memory");
        abort();
    }
    return 0;
}

static int lonlat(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && lon >= -180 && lon <= 180 &&
           lat >= -90 && lat <= 90;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(s[i] >= '0' && s[i] <= '9');
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* An incident's date: "YYYY", "YYYY-MM" or "YYYY-MM-DD" as its precision
 * says, naming a month and a day that exist. */
static void check_date(const char *d, bm_date_precision p)
{
    static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(d);
    CHECK(n == (p == BM_DATE_DAY ? 10u : p == BM_DATE_YEAR ? 4u : 7u));
    CHECK(p != BM_DATE_NONE);
    int y = digits(d, 4);
    if (n >= 7) {
        CHECK(d[4] == '-');
        int m = digits(d + 5, 2);
        CHECK(m >= 1 && m <= 12);
        if (n == 10) {
            CHECK(d[7] == '-');
            int day = digits(d + 8, 2);
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            CHECK(day >= 1 && day <= (m == 2 && !leap ? 28 : dm[m - 1]));
        }
    }
}

static void check_sentences(const bm_report *r, size_t cps)
{
    bm_sentence *s = NULL;
    size_t n = 0;
    CHECK(bm_split_sentences(r->body, r->body_len, &s, &n) == BM_OK);
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(s[i].byte_start <= s[i].byte_end);
        CHECK(s[i].byte_end <= r->body_len);
        CHECK(s[i].byte_start >= prev_end);
        CHECK(s[i].start <= s[i].end && s[i].end <= cps);
        CHECK(s[i].start == bm_utf8_codepoints(r->body, s[i].byte_start));
        CHECK(s[i].end == bm_utf8_codepoints(r->body, s[i].byte_end));
        prev_end = s[i].byte_end;
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) /* reports are a few kilobytes */
        return 0;
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_report *r = NULL;
    if (!ctx || bm_report_parse(ctx, "fuzz.txt", text, size, &r) != BM_OK)
        goto done;

    size_t cps = bm_utf8_codepoints(r->body, r->body_len);
    check_sentences(r, cps);

    bm_mentions m = {0};
    CHECK(bm_geoparse_mentions(ctx, g_gz, r, &m) == BM_OK);
    for (size_t i = 0; i < m.count; i++) {
        const bm_mention *x = &m.items[i];
        CHECK(x->byte_start < x->byte_end && x->byte_end <= r->body_len);
        CHECK(x->start < x->end && x->end <= cps);
        CHECK(x->start == bm_utf8_codepoints(r->body, x->byte_start));
        CHECK(x->end == bm_utf8_codepoints(r->body, x->byte_end));
        CHECK(x->surface != NULL && x->reason != NULL);
        CHECK(x->confidence >= 0 && x->confidence <= 1);
        if (x->has_point)
            CHECK(lonlat(x->lon, x->lat));
    }

    bm_incidents in = {0};
    CHECK(bm_geoparse_incidents(ctx, g_gz, r, &m, &in) == BM_OK);
    for (size_t i = 0; i < in.count; i++) {
        const bm_incident *x = &in.items[i];
        CHECK(x->type != NULL && *x->type);
        CHECK(lonlat(x->lon, x->lat));
        CHECK(x->sentence_offset <= cps);
        if (x->sentence)
            CHECK(bm_utf8_valid(x->sentence, strlen(x->sentence), NULL));
        if (x->date)
            check_date(x->date, x->date_precision);
        else
            CHECK(x->date_precision == BM_DATE_NONE);
        CHECK(x->confidence >= 0 && x->confidence <= 1);
    }
    if (g_verbose)
        fprintf(stderr, "  %zu mentions, %zu incidents\n", m.count,
                in.count);
    bm_incidents_free(&in);
    bm_mentions_free(&m);
done:
    bm_report_free(r);
    bm_ctx_free(ctx);
    free(text);
    return 0;
}
