/*
 * test_spellings.c - the spelling table: every spelling in
 * tests/data/spellings.tsv must resolve (bm_gazetteer_lookup_ex with
 * BM_LOOKUP_FUZZY, as `bordermap geocode` does) to a best candidate whose
 * point lies within the row's tolerance (km, great-circle) of the
 * expected one. Prints each failure with what it got.
 */
#include "bm_gazetteer.h"
#include "bm_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BM_SPELLINGS
#define BM_SPELLINGS BM_TEST_DATA_DIR "/tests/data/spellings.tsv"
#endif

static double km_between(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088, d = M_PI / 180.0;
    double a = sin((lat2 - lat1) * d / 2), b = sin((lon2 - lon1) * d / 2);
    double h = a * a + cos(lat1 * d) * cos(lat2 * d) * b * b;
    return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

static void test_spellings(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_gazetteer *gz = NULL;
    CHECK(bm_gazetteer_open(ctx, BM_TEST_DATA_DIR "/gazetteer", &gz) ==
          BM_OK);
    FILE *f = fopen(BM_SPELLINGS, "r");
    CHECK(f != NULL);
    if (!f || !gz) {
        bm_gazetteer_free(gz);
        bm_ctx_free(ctx);
        return;
    }
    char line[1024];
    int rows = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        char *name = strtok_r(line, "\t", &save);
        char *slat = strtok_r(NULL, "\t", &save);
        char *slon = strtok_r(NULL, "\t", &save);
        char *stol = strtok_r(NULL, "\t", &save);
        if (!name || !slat || !slon || !stol) {
            fprintf(stderr, "spellings.tsv: bad row '%s'\n", line);
            bad++;
            continue;
        }
        rows++;
        double lat = atof(slat), lon = atof(slon), tol = atof(stol);
        bm_candidate c[1];
        size_t n = 0;
        bm_status st =
            bm_gazetteer_lookup_ex(ctx, gz, name, BM_LOOKUP_FUZZY, c, 1, &n);
        double plon = 0, plat = 0;
        bm_precision pr;
        if (st != BM_OK || n == 0 ||
            bm_gazetteer_point(gz, c[0].place, &plon, &plat, &pr) != BM_OK) {
            fprintf(stderr, "  '%s': not resolved (%s)\n", name,
                    bm_ctx_error(ctx));
            bad++;
            continue;
        }
        double d = km_between(lat, lon, plat, plon);
        if (d > tol) {
            fprintf(stderr,
                    "  '%s': best %s [%s] at %.4f,%.4f is %.0f km from "
                    "%.4f,%.4f (tolerance %g km; %s)\n",
                    name, c[0].place->name, c[0].place->id, plat, plon, d,
                    lat, lon, tol, c[0].reason);
            bad++;
        }
    }
    fclose(f);
    fprintf(stderr, "spellings: %d rows, %d wrong\n", rows, bad);
    CHECK(rows >= 150);
    CHECK(bad == 0);
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
}

int main(void)
{
    test_spellings();
    return bm_test_done();
}
