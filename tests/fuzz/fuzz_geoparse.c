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

/* A date "YYYY", "YYYY-MM" or "YYYY-MM-DD" naming a month and a day that
 * exist; returns its length. */
static size_t check_iso(const char *d)
{
    static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(d);
    CHECK(n == 4 || n == 7 || n == 10);
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
    return n;
}

/* An incident's date as its precision writes it, and its range: days
 * that exist, start <= end, the start open only for a date known only by
 * its report, the date's own first day not after the range's end. */
static void check_date(const bm_incident *x)
{
    bm_date_precision p = x->date_precision;
    size_t n = check_iso(x->date);
    CHECK(p != BM_DATE_NONE);
    if (p == BM_DATE_DAY)
        CHECK(n == 10);
    else if (p == BM_DATE_YEAR || p == BM_DATE_SEASON)
        CHECK(n == 4);
    else if (p == BM_DATE_MONTH || p == BM_DATE_PERIOD)
        CHECK(n == 7);
    CHECK(x->date_end != NULL);
    CHECK(check_iso(x->date_end) == 10);
    if (p == BM_DATE_REPORTED) {
        CHECK(x->date_start == NULL);
    } else {
        CHECK(x->date_start != NULL);
        CHECK(check_iso(x->date_start) == 10);
        CHECK(strcmp(x->date_start, x->date_end) <= 0);
    }
    CHECK(strncmp(x->date, x->date_end, n) <= 0);
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
            check_date(x);
        else
            CHECK(x->date_precision == BM_DATE_NONE &&
                  x->date_start == NULL && x->date_end == NULL);
        CHECK(x->confidence >= 0 && x->confidence <= 1);
        /* the first incident, and only it, is the report's main one */
        CHECK(x->is_main == (i == 0));
        if (x->evidence_more)
            CHECK(bm_utf8_valid(x->evidence_more, strlen(x->evidence_more),
                                NULL));
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
