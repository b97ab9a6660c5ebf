/*
 * make_synthetic.c - a synthetic incident database for benchmarks and
 * example maps: `make_synthetic DB N [SEED]` stores N incidents (in reports
 * of 100) at towns of the gazetteer near the border, with types and dates
 * drawn at random (fixed seed: the same database every time). Towns are
 * weighted towards the border (north of 40.5 N), as the real reports are.
 */
#include "bm_store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct town {
    char name[96];
    char id[64];
    double lon, lat, w;
} town;

static uint64_t rng_state;
static double rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: make_synthetic DB N [SEED]\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    const char *data = getenv("BORDERMAP_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/gazetteer/places.tsv", data ? data : ".");
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    town *towns = NULL;
    size_t nt = 0, cap = 0;
    char line[8192];
    double wsum = 0;
    while (fgets(line, sizeof line, f)) {
        char *col[20] = {0};
        int k = 0;
        for (char *p = line; k < 20 && p; k++) {
            col[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (k < 15 || strcmp(col[4], "town") != 0)
            continue;
        double lat = atof(col[12]), lon = atof(col[13]);
        if (lon < 124.2 || lon > 131 || lat < 39.7 || lat > 43.3)
            continue;
        if (strcmp(col[6], "KP") != 0 && strcmp(col[6], "CN") != 0)
            continue;
        if (nt == cap) {
            cap = cap ? cap * 2 : 256;
            towns = realloc(towns, cap * sizeof *towns);
        }
        town *t = &towns[nt++];
        snprintf(t->name, sizeof t->name, "%s", col[1]);
        snprintf(t->id, sizeof t->id, "%s", col[0]);
        t->lon = lon;
        t->lat = lat;
        t->w = (lat > 40.5 ? 4.0 : 1.0) * (strcmp(col[6], "KP") == 0 ? 2.0 : 1.0);
        wsum += t->w;
    }
    fclose(f);
    if (nt == 0) {
        fprintf(stderr, "no towns in %s\n", path);
        return 1;
    }
    static const char *types[] = {"arrest", "crackdown", "surveillance",
                                  "bribery", "smuggling", "defection",
                                  "execution", "lecture", "inspection"};
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_store *st = NULL;
    remove(argv[1]);
    if (bm_store_open(ctx, argv[1], &st) != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        return 1;
    }
    bm_incident *inc = calloc(100, sizeof *inc);
    char dates[100][48], sha[80], title[64];
    size_t done = 0, rep = 0;
    while (done < n) {
        size_t m = n - done < 100 ? n - done : 100;
        for (size_t i = 0; i < m; i++) {
            double x = rnd() * wsum;
            size_t t = 0;
            while (t + 1 < nt && x > towns[t].w) {
                x -= towns[t].w;
                t++;
            }
            memset(&inc[i], 0, sizeof inc[i]);
            inc[i].type = (char *)types[(size_t)(rnd() * 9) % 9];
            snprintf(dates[i], sizeof dates[i], "%04d-%02d-%02d",
                     2023 + (int)(rnd() * 2), 1 + (int)(rnd() * 12),
                     1 + (int)(rnd() * 28));
            inc[i].date = dates[i];
            inc[i].date_precision = BM_DATE_DAY;
            inc[i].place_name = towns[t].name;
            inc[i].place_id = towns[t].id;
            inc[i].precision = BM_PREC_EXACT;
            inc[i].lon = towns[t].lon;
            inc[i].lat = towns[t].lat;
            inc[i].sentence = "synthetic";
            inc[i].confidence = 1;
        }
        snprintf(sha, sizeof sha, "%064zx", rep + 1);
        snprintf(title, sizeof title, "Synthetic report %zu", rep + 1);
        bm_store_report r = {.sha256 = sha, .path = "synthetic", .title = title,
                             .source = "synthetic", .body = "synthetic"};
        if (bm_store_add_report(st, &r, inc, m, NULL) != BM_OK) {
            fprintf(stderr, "%s\n", bm_ctx_error(ctx));
            return 1;
        }
        done += m;
        rep++;
    }
    printf("%s: %zu synthetic incidents at %zu towns in %zu reports\n",
           argv[1], done, nt, rep);
    free(inc);
    free(towns);
    bm_store_free(st);
    bm_ctx_free(ctx);
    return 0;
}
