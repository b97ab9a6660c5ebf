/* Unit tests for the core module: folding, text files, distances, buffers,
 * layers, the data-folder search. */
#include "bm_core.h"
#include "bm_test.h"

#include <stdio.h>
#include <stdlib.h>

static void check_fold(const char *in, const char *want)
{
    char *got = bm_fold(in, strlen(in));
    CHECK_STR(got, want);
    free(got);
}

static const char *write_file(const char *name, const char *bytes, size_t n)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", BM_TEST_TMP, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(bytes, 1, n, f);
        fclose(f);
    }
    return path;
}

int main(void)
{
    /* folding: case, diacritics, apostrophes, hyphens; Hangul kept */
    check_fold("Hoeryŏng", "hoeryong");
    check_fold("Ch’ŏngjin", "chongjin");
    check_fold("Ch'ongjin", "chongjin");
    check_fold("  Onsŏng-gun ", "onsong gun");
    check_fold("Hamgyŏng-bukto", "hamgyong bukto");
    check_fold("P’ungsŏ-gun", "pungso gun");
    check_fold("Kŭmya", "kumya");
    check_fold("회령", "회령");
    check_fold("N. Korea", "n korea");
    check_fold("RASON", "rason");
    char bad[] = {'a', (char)0xff, 0};
    CHECK(bm_fold(bad, 2) == NULL);

    /* ISO dates of a day, month or year */
    CHECK(bm_date_valid("2024") && bm_date_valid("2024-02") &&
          bm_date_valid("2024-02-29") && bm_date_valid("0999-12-31"));
    CHECK(!bm_date_valid(NULL) && !bm_date_valid("") &&
          !bm_date_valid("unknown") && !bm_date_valid("2024-13") &&
          !bm_date_valid("2024-00") && !bm_date_valid("2024-01-32") &&
          !bm_date_valid("2024-1-05") && !bm_date_valid("+202") &&
          !bm_date_valid("2024-01-01T00") && !bm_date_valid("20x4"));

    /* distances */
    bm_ctx *ctx = bm_ctx_new(NULL);
    double m = 0;
    CHECK(bm_parse_distance(ctx, "30km", &m) == BM_OK && m == 30000.0);
    CHECK(bm_parse_distance(ctx, "30 km", &m) == BM_OK && m == 30000.0);
    CHECK(bm_parse_distance(ctx, "2500m", &m) == BM_OK && m == 2500.0);
    CHECK(bm_parse_distance(ctx, "12.5", &m) == BM_OK && m == 12500.0);
    CHECK(bm_parse_distance(ctx, "3parsecs", &m) == BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), "parsecs") != NULL);
    CHECK(bm_parse_distance(ctx, "-4km", &m) == BM_ERR_USAGE);

    /* text files: CRLF, BOM, binary, invalid UTF-8 with line, folder */
    char *text = NULL;
    size_t len = 0;
    const char *p = write_file("crlf.txt", "\xEF\xBB\xBFTitle\r\nBody\r\n", 15);
    CHECK(bm_read_text_file(ctx, p, &text, &len) == BM_OK);
    CHECK_STR(text, "Title\nBody\n");
    CHECK(len == 11);
    free(text);
    p = write_file("bin.txt", "ab\0cd", 5);
    CHECK(bm_read_text_file(ctx, p, &text, &len) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "bin.txt") && strstr(bm_ctx_error(ctx), "binary"));
    p = write_file("latin1.txt", "one\ntwo\nthr\xe9\n", 13);
    CHECK(bm_read_text_file(ctx, p, &text, &len) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "latin1.txt:3:") != NULL);
    CHECK(bm_read_text_file(ctx, BM_TEST_TMP, &text, &len) == BM_ERR_IO);
    CHECK(bm_read_text_file(ctx, BM_TEST_TMP "/missing.txt", &text, &len) == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), "missing.txt") != NULL);

    /* code points */
    CHECK(bm_utf8_codepoints("Hoeryŏng x", strlen("Hoeryŏng x")) == 10);

    /* sha256 of "abc" */
    char hex[65];
    bm_sha256_hex("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* buffers */
    bm_buf b = {0};
    for (int i = 0; i < 1000; i++)
        bm_buf_printf(&b, "%d,", i);
    CHECK(b.len == 3890);
    CHECK(strncmp(b.data + b.len - 4, "999,", 4) == 0);
    bm_buf_free(&b);

    /* layers: many parts and features grow correctly */
    bm_layer *l = bm_layer_new("t", BM_GEOM_LINE);
    double xy[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int i = 0; i < 500; i++) {
        size_t fi;
        CHECK(bm_layer_add_feature(l, i % 2 ? "n" : NULL, i, &fi) == BM_OK);
        CHECK(bm_layer_add_part(l, xy, (size_t)(1 + i % 5), fi, 0) == BM_OK);
    }
    CHECK(l->nfeatures == 500 && l->nparts == 500 && l->nvert == 1500);
    CHECK(l->xy[2 * l->parts[499].first + 1] == 2.0);
    bm_layer_free(l);
    bm_layer_free(NULL);

    /* data folder: explicit dir without data is refused with its name */
    bm_ctx *c2 = bm_ctx_new(BM_TEST_TMP);
    CHECK(bm_ctx_data_dir(c2) == NULL);
    CHECK(strstr(bm_ctx_error(c2), BM_TEST_TMP) != NULL);
    bm_ctx_free(c2);
    c2 = bm_ctx_new(BM_TEST_DATA_DIR);
    CHECK_STR(bm_ctx_data_dir(c2), BM_TEST_DATA_DIR);
    char *gp = bm_ctx_data_path(c2, "gazetteer/places.tsv");
    CHECK(gp && strstr(gp, "gazetteer/places.tsv"));
    free(gp);
    bm_ctx_free(c2);

    /* warnings accumulate */
    bm_ctx_warn(ctx, "w%d", 1);
    bm_ctx_warn(ctx, "w%d", 2);
    CHECK(bm_ctx_warning_count(ctx) == 2);
    CHECK_STR(bm_ctx_warning(ctx, 1), "w2");
    bm_ctx_free(ctx);
    bm_ctx_free(NULL);
    return bm_test_done();
}
