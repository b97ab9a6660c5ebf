/*
 * fuzz_report.c - bytes -> the report reader, in each layout.
 *
 *  1. In memory: the text layouts (seed and header) through
 *     bm_report_parse(), Markdown with front matter through
 *     bm_report_parse_markdown() and HTML through bm_report_parse_html().
 *  2. From a file, as `ingest` and `geoparse` read reports: the input is
 *     written to fuzz.txt, fuzz.md and fuzz.html in a private scratch
 *     folder (under $TMPDIR, else /dev/shm or /tmp) and read with
 *     bm_report_load(). Its result must be what the careful path gives:
 *     bm_read_text_file() and then the layout's parser (or the HTML one,
 *     which bm_report_load() picks for text that looks like HTML). This
 *     compares the loader's fast path (its own reading and UTF-8 check)
 *     with bm_read_text_file() and bm_utf8_valid().
 *
 * Whatever a reader returns must hold together: a body that is UTF-8 of
 * the stated length, a 64-digit SHA-256, a date that bm_date_parse()
 * would write; a failure leaves a message.
 */
#include "fuzz.h"
#include "bm_geoparse.h"

#include "fuzz_scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef bm_status (*reader)(bm_ctx *, const char *, const char *, size_t,
                            bm_report **);

static const struct {
    const char *name;
    reader fn;
} layouts[] = {{"fuzz.txt", bm_report_parse},
               {"fuzz.md", bm_report_parse_markdown},
               {"fuzz.html", bm_report_parse_html}};
#define N_LAYOUTS (sizeof layouts / sizeof *layouts)

static char g_dir[4096];
static char g_path[N_LAYOUTS][4200];

static void cleanup(void)
{
    for (size_t i = 0; i < N_LAYOUTS; i++)
        unlink(g_path[i]);
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch_dir("report", g_dir, sizeof g_dir);
    for (size_t i = 0; i < N_LAYOUTS; i++)
        snprintf(g_path[i], sizeof g_path[i], "%s/%s", g_dir,
                 layouts[i].name);
    atexit(cleanup);
    return 0;
}

static void check_report(const bm_report *r)
{
    CHECK(r->body != NULL);
    CHECK(strlen(r->body) == r->body_len);
    CHECK(bm_utf8_valid(r->body, r->body_len, NULL));
    CHECK(strlen(r->sha256) == 64);
    const char *fields[] = {r->title, r->source, r->url, r->date};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i])
            CHECK(bm_utf8_valid(fields[i], strlen(fields[i]), NULL));
    if (r->date) {
        char iso[11];
        bm_date_precision p;
        CHECK(bm_date_parse(r->date, strlen(r->date), iso, &p) == 1);
        CHECK(strcmp(iso, r->date) == 0);
        CHECK(p == r->date_precision);
    } else {
        CHECK(r->date_precision == BM_DATE_NONE);
    }
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_report(const bm_report *a, const bm_report *b)
{
    return same_str(a->title, b->title) && same_str(a->source, b->source) &&
           same_str(a->url, b->url) && same_str(a->date, b->date) &&
           a->date_precision == b->date_precision &&
           a->body_len == b->body_len &&
           memcmp(a->body, b->body, a->body_len) == 0 &&
           strcmp(a->sha256, b->sha256) == 0 &&
           a->has_header == b->has_header;
}

/* The parser's result on text, for comparing; fills *st. */
static bm_report *careful(reader fn, const char *path, const char *text,
                          size_t len, bm_status *st)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    CHECK(ctx != NULL);
    bm_report *r = NULL;
    *st = fn(ctx, path, text, len, &r);
    bm_ctx_free(ctx);
    return r;
}

static void from_file(size_t i, const uint8_t *data, size_t size)
{
    const char *path = g_path[i];
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();

    bm_ctx *ctx = bm_ctx_new(NULL);
    CHECK(ctx != NULL);
    bm_report *r = NULL;
    bm_status st = bm_report_load(ctx, path, &r);
    if (st == BM_OK) {
        CHECK(r != NULL);
        check_report(r);
    } else {
        CHECK(r == NULL && *bm_ctx_error(ctx) != '\0');
    }

    /* The careful path: read the text, then parse it. */
    char *text = NULL;
    size_t len = 0;
    bm_status rst = bm_read_text_file(ctx, path, &text, &len);
    if (rst != BM_OK) {
        CHECK(st == rst); /* refused for the same reason */
    } else {
        bm_status cst;
        bm_report *c = careful(layouts[i].fn, path, text, len, &cst);
        int agree = cst == st && (st != BM_OK || same_report(r, c));
        if (!agree && layouts[i].fn != bm_report_parse_html) {
            /* text that looks like HTML is read as HTML */
            bm_report_free(c);
            c = careful(bm_report_parse_html, path, text, len, &cst);
            agree = cst == st && (st != BM_OK || same_report(r, c));
        }
        CHECK(agree);
        bm_report_free(c);
        free(text);
    }
    bm_report_free(r);
    bm_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024) /* reports are a few kilobytes */
        return 0;
    /* An exact-size copy that the readers may not write to. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);

    for (size_t i = 0; i < N_LAYOUTS; i++) {
        bm_ctx *ctx = bm_ctx_new(NULL);
        if (!ctx)
            break;
        bm_report *r = NULL;
        bm_status st = layouts[i].fn(ctx, layouts[i].name, text, size, &r);
        if (st == BM_OK) {
            CHECK(r != NULL);
            check_report(r);
            /* What `geoparse --date/--source` does afterwards. */
            CHECK(bm_report_override(ctx, r, "2024-01", BM_DATE_MONTH,
                                     "fuzz") == BM_OK);
        } else {
            CHECK(r == NULL);
            CHECK(*bm_ctx_error(ctx) != '\0'); /* a failure says why */
        }
        bm_report_free(r);
        bm_ctx_free(ctx);
    }
    free(text);

    for (size_t i = 0; i < N_LAYOUTS; i++)
        from_file(i, data, size);
    return 0;
}
