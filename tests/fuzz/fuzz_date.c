/*
 * fuzz_date.c - bytes -> bm_date_parse() and bm_month_from_word(). The
 * input is not NUL-terminated (the parser is given a length). A date that
 * is understood must be an ISO prefix of the length its precision says,
 * with a real month and day, and must read back as itself.
 */
#include "fuzz.h"
#include "bm_geoparse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(isdigit((unsigned char)s[i]));
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);

    char out[11];
    memset(out, 'x', sizeof out);
    bm_date_precision p = (bm_date_precision)77;
    int ok = bm_date_parse(text, size, out, &p);
    CHECK(ok == 0 || ok == 1);
    size_t n = strnlen(out, sizeof out);
    CHECK(n < sizeof out);
    if (!ok) {
        CHECK(n == 0 && p == BM_DATE_NONE);
    } else {
        size_t want = p == BM_DATE_YEAR ? 4 : p == BM_DATE_MONTH ? 7
                    : p == BM_DATE_DAY ? 10 : 0;
        CHECK(want != 0 && n == want);
        int y = num(out, 4);
        CHECK(y >= 1000 && y <= 9999);
        if (n >= 7) {
            CHECK(out[4] == '-');
            int m = num(out + 5, 2);
            CHECK(m >= 1 && m <= 12);
        }
        if (n == 10) {
            CHECK(out[7] == '-');
            int d = num(out + 8, 2);
            CHECK(d >= 1 && d <= 31);
        }
        /* What it wrote reads back as itself. */
        char again[11];
        bm_date_precision p2;
        CHECK(bm_date_parse(out, n, again, &p2) == 1);
        CHECK(strcmp(again, out) == 0 && p2 == p);
    }
    /* A NULL text is "not a date". */
    CHECK(bm_date_parse(NULL, size, out, &p) == 0 && out[0] == '\0');

    int m = bm_month_from_word(text, size);
    CHECK(m >= 0 && m <= 12);
    free(text);
    return 0;
}
