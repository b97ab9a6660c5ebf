/*
 * bench_heatmap.c - times a kernel-density heatmap of N incidents (default
 * 1,000,000) over the briefing basemap: `bench_heatmap OUT.png [N] [KM]`.
 * Incidents are drawn around 60 centres near the border (fixed seed). Prints
 * the seconds spent in bm_render_map (basemap reading excluded, it is the
 * same for every map) and in total. Not a test: run by
 * tests/bench/bench_render.sh.
 */
#include "bm_export.h"
#include "bm_render.h"
#include "bm_style.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 7;
static double rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_heatmap OUT.png [N] [KM]\n");
        return 2;
    }
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    double km = argc > 3 ? atof(argv[3]) : 15;
    double t0 = now();
    bm_ctx *ctx = bm_ctx_new(NULL);
    char *style_path = bm_ctx_data_path(ctx, "styles/briefing.yaml");
    char *basemap = bm_ctx_data_path(ctx, "gazetteer/basemap.gpkg");
    bm_style *style = NULL;
    if (!style_path || !basemap || bm_style_load(ctx, style_path, &style) != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        return 1;
    }
    bm_incident *inc = calloc(n, sizeof *inc);
    double cx[60], cy[60];
    for (int i = 0; i < 60; i++) {
        cx[i] = 124.5 + rnd() * 6.3;
        cy[i] = 40.0 + rnd() * 3.0;
    }
    for (size_t i = 0; i < n; i++) {
        int c = (int)(rnd() * 60) % 60;
        double r = 0.12 * sqrt(-2 * log(rnd())), a = 2 * M_PI * rnd();
        inc[i].lon = cx[c] + r * cos(a);
        inc[i].lat = cy[c] + r * sin(a) * 0.75;
        inc[i].type = "arrest";
    }
    bm_render_opts ro = {.fill = 1, .heat_km = km, .subtitle = "benchmark"};
    double a, b, c, d;
    bm_render_data_bounds(ctx, style, &ro, &a, &b, &c, &d);
    bm_layer **layers = calloc(style->nlayers, sizeof *layers);
    for (size_t i = 0; i < style->nlayers; i++)
        if (bm_export_read_layer(ctx, basemap, style->layers[i].source,
                                 style->layers[i].label_field,
                                 style->layers[i].rank_field, a, b, c, d,
                                 &layers[i]) != BM_OK)
            layers[i] = NULL;
    double t1 = now();
    bm_status st = bm_render_map(ctx, style, layers, inc, n, &ro, argv[1]);
    double t2 = now();
    if (st != BM_OK) {
        fprintf(stderr, "%s\n", bm_ctx_error(ctx));
        return 1;
    }
    printf("heatmap of %zu incidents, bandwidth %g km: render %.3f s, "
           "with basemap reading %.3f s\n", n, km, t2 - t1, t2 - t0);
    for (size_t i = 0; i < style->nlayers; i++)
        bm_layer_free(layers[i]);
    free(layers);
    free(inc);
    bm_style_free(style);
    free(style_path);
    free(basemap);
    bm_ctx_free(ctx);
    return 0;
}
