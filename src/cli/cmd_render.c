/*
 * cmd_render.c - `bordermap render [--db FILE] [--style FILE] -o out/map.png`
 */
#include "bm_export.h"
#include "bm_render.h"
#include "bm_store.h"
#include "bm_style.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap render [--db FILE] [--style FILE] [-o FILE]\n"
            "                        [--size WxH] [--title TEXT]\n"
            "\n"
            "Draws a briefing map of the border region: land and sea, country\n"
            "and province borders, the Tumen and Yalu, main towns, and every\n"
            "stored incident as a symbol with a label, with a legend, scale\n"
            "and attribution. The format follows the extension: .png, .pdf or\n"
            ".svg.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE  output (default out/map.png)\n"
            "  --style FILE       style (default: styles/briefing.yaml in the\n"
            "                     data folder)\n"
            "  --size WxH         pixels for PNG, points for PDF/SVG\n"
            "                     (default: the style's)\n"
            "  --title TEXT       map title (default: the style's)\n"
            "  --db FILE          database (default " BM_DEFAULT_DB ")\n"
            "  -h, --help         this help\n");
}

typedef struct collect_ctx {
    bm_incident *items;
    size_t n, cap;
    int failed;
} collect_ctx;

static int collect(void *user, const bm_incident *inc)
{
    collect_ctx *c = user;
    bm_incident *p = bm_grow(c->items, &c->cap, c->n + 1, sizeof *p);
    if (!p) {
        c->failed = 1;
        return 1;
    }
    c->items = p;
    if (bm_incident_copy(&c->items[c->n], inc) != BM_OK) {
        c->failed = 1;
        return 1;
    }
    c->n++;
    return 0;
}

int cmd_render(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *out = "out/map.png", *style_path = NULL;
    const char *title = NULL;
    int width = 0, height = 0;
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"style", required_argument, NULL, 's'},
        {"size", required_argument, NULL, 'z'},
        {"title", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 's': style_path = optarg; break;
        case 't': title = optarg; break;
        case 'z': {
            char *end;
            long w = strtol(optarg, &end, 10), h = 0;
            if (*end == 'x' || *end == 'X')
                h = strtol(end + 1, &end, 10);
            if (*end || w < 100 || h < 100 || w > 20000 || h > 20000)
                return cli_usage_error("render", "--size wants WxH between "
                                       "100 and 20000, e.g. 1600x1200, not "
                                       "'%s'", optarg);
            width = (int)w;
            height = (int)h;
            break;
        }
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("render", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("render", "unexpected argument '%s'",
                               argv[optind]);
    if (bm_render_format_for_path(out) < 0)
        return cli_usage_error("render", "'%s': the output must end in .png, "
                               ".pdf or .svg", out);

    int rc = BM_EXIT_OK;
    char *default_style = NULL, *basemap_path = NULL;
    bm_style *style = NULL;
    bm_store *st = NULL;
    bm_layer **layers = NULL;
    collect_ctx col = {0};

    if (!style_path) {
        default_style = bm_ctx_data_path(ctx, "styles/briefing.yaml");
        if (!default_style) {
            rc = cli_fail(ctx);
            goto done;
        }
        style_path = default_style;
    }
    basemap_path = bm_ctx_data_path(ctx, "gazetteer/basemap.gpkg");
    if (!basemap_path || bm_style_load(ctx, style_path, &style) != BM_OK ||
        bm_store_open_existing(ctx, db, 1, &st) != BM_OK ||
        bm_store_each_incident(st, collect, &col) != BM_OK) {
        rc = cli_fail(ctx);
        goto done;
    }
    if (col.failed) {
        fprintf(stderr, "bordermap: out of memory reading incidents\n");
        rc = BM_EXIT_FAIL;
        goto done;
    }
    layers = calloc(style->nlayers ? style->nlayers : 1, sizeof *layers);
    if (!layers) {
        rc = BM_EXIT_FAIL;
        goto done;
    }
    /* Read a margin around the extent so lines run off the frame. */
    double pad = 1.0;
    for (size_t i = 0; i < style->nlayers; i++) {
        const bm_style_layer *sl = &style->layers[i];
        bm_ctx_progress(ctx, "basemap", i, style->nlayers, sl->source);
        if (bm_export_read_layer(ctx, basemap_path, sl->source,
                                 sl->label_field, sl->rank_field,
                                 style->min_lon - pad, style->min_lat - pad,
                                 style->max_lon + pad, style->max_lat + pad,
                                 &layers[i]) != BM_OK) {
            /* a missing layer is drawn without, and said */
            fprintf(stderr, "bordermap: warning: %s\n", bm_ctx_error(ctx));
            layers[i] = NULL;
        }
    }
    bm_render_opts ro = {width, height, title, NULL};
    if (cli_ensure_parent(ctx, out) != 0 ||
        bm_render_map(ctx, style, layers, col.items, col.n, &ro, out) != BM_OK) {
        rc = cli_fail(ctx);
        goto done;
    }
    cli_flush_warnings(ctx);
    printf("wrote %s: %zu incident%s on the map (style %s)\n", out, col.n,
           col.n == 1 ? "" : "s", style_path);

done:
    if (layers && style)
        for (size_t i = 0; i < style->nlayers; i++)
            bm_layer_free(layers[i]);
    free(layers);
    for (size_t i = 0; i < col.n; i++)
        bm_incident_clear(&col.items[i]);
    free(col.items);
    bm_store_free(st);
    bm_style_free(style);
    free(default_style);
    free(basemap_path);
    return rc;
}
