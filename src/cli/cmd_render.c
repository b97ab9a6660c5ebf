/*
 * cmd_render.c - `bordermap render [--style NAME] [--region NAME] ... -o FILE`
 *
 * Reads the style, the selected incidents (filtered here by date and type
 * after reading them), the basemap layers for the frame, and hands them to
 * bm_render_map. The extent is, in order: --bbox, --around/--radius,
 * --region, else the box of the incidents selected (padded), else the
 * style's extent.
 */
#include "bm_export.h"
#include "bm_gazetteer.h"
#include "bm_render.h"
#include "bm_store.h"
#include "bm_style.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap render [--db FILE] [--style NAME|FILE] [-o FILE]\n"
            "         [--region NAME | --bbox W,S,E,N | --around PLACE --radius R]\n"
            "         [--since DATE] [--until DATE] [--type T[,T...]]\n"
            "         [--heatmap KM | --by month|year] [--dpi N] [--size WxH]\n"
            "         [--title TEXT] [--subtitle TEXT] [--classification TEXT]\n"
            "\n"
            "Draws a briefing map: land and sea, lakes, the Tumen and Yalu and\n"
            "other rivers, country and province borders, towns, and every\n"
            "selected incident as a symbol per type (grouped with a count where\n"
            "several share a place) with a label \"date · type · place\"; labels\n"
            "never overlap, and those that do not fit are numbered on the map\n"
            "and listed beside it. With a title, a subtitle (dates, filters,\n"
            "count), legend, scale bar true at the map's centre latitude,\n"
            "north arrow, graticule, inset locator, credits and an optional\n"
            "classification banner. The format follows the extension: .png,\n"
            ".pdf or .svg.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE     output (default out/map.png)\n"
            "  --style NAME|FILE     briefing (default, print), screen (dark), or\n"
            "                        a style file\n"
            "  --region NAME         border (whole border), tumen, yalu,\n"
            "                        ryanggang, north-hamgyong\n"
            "  --bbox W,S,E,N        extent in degrees\n"
            "  --around PLACE        centre on a gazetteer place or LAT,LON ...\n"
            "  --radius R            ... showing R around it (default 50km)\n"
            "                        (default extent: fits the incidents shown)\n"
            "  --since DATE          incidents whose days all fall on or after\n"
            "                        DATE's first (YYYY[-MM[-DD]])\n"
            "  --until DATE          incidents whose days all fall on or before\n"
            "                        DATE's last (--since 2024-06 --until 2024-06:\n"
            "                        June's days, parts of June and June itself;\n"
            "                        an incident dated only by its report passes\n"
            "                        --until, never --since)\n"
            "  --type T[,T...]       only these incident types\n"
            "  --heatmap KM          kernel density (Gaussian bandwidth KM km)\n"
            "                        instead of symbols\n"
            "  --by month|year       small multiples: one panel per month or\n"
            "                        year, shared extent and scale; an incident\n"
            "                        goes to the month (year) its days lie\n"
            "                        within; the others (undated, or dated less\n"
            "                        precisely) are counted in the subtitle\n"
            "  --dpi N               PNG resolution on the style's page\n"
            "                        (default: the style's, 150 for briefing)\n"
            "  --size WxH            pixels for PNG, points for PDF/SVG instead\n"
            "                        of the style's page\n"
            "  --title TEXT          map title (default: the style's)\n"
            "  --subtitle TEXT       subtitle (default: dates, filters, count)\n"
            "  --classification TEXT banner at top and bottom (\"\" for none)\n"
            "  --db FILE             database (default " BM_DEFAULT_DB ")\n"
            "  --force               replace the output when it exists\n"
            "  --mode MODE           permissions of the map file (octal;\n"
            "                        default 0600, owner only, or\n"
            "                        $BORDERMAP_MODE)\n"
            "  -h, --help            this help\n"
            "\n"
            "An existing file is never replaced without --force; with it, it\n"
            "is replaced only once the new map is complete.\n"
            "\n" CLI_EXIT_CODES_HELP);
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

/* --since and --until as days: the first day of since, the last of until
 * ("" when not given). */
typedef struct date_filter {
    char since[11], until[11];
} date_filter;

/* An incident passes --since S when its range has a start on or after
 * S's first day, --until U when its range ends on or before U's last day:
 * "--since 2024-06 --until 2024-06" keeps June's days, parts of June and
 * June itself, not an incident dated "2024"; one dated only by its report
 * (an open start) passes --until, never --since; undated ones pass
 * neither. */
static int range_passes(const char *start, const char *end,
                        const date_filter *df)
{
    if (df->since[0] && !(start[0] && strcmp(start, df->since) >= 0))
        return 0;
    if (df->until[0] && !(end[0] && strcmp(end, df->until) <= 0))
        return 0;
    return 1;
}

static int type_passes(const char *t, const char *types);

/* The span of the selection's ranges for the title and the subtitle: the
 * earliest start and the latest end; a date that is not YYYY, YYYY-MM or
 * YYYY-MM-DD (an edited database, say) counts as undated instead of
 * showing as text. */
typedef struct date_span {
    char lo[11], hi[11];
    size_t undated;
} date_span;

static void span_add(date_span *sp, const char *start, const char *end)
{
    if (!end[0]) {
        sp->undated++;
        return;
    }
    if (start[0] && (!sp->lo[0] || strcmp(start, sp->lo) < 0))
        snprintf(sp->lo, sizeof sp->lo, "%s", start);
    if (!sp->hi[0] || strcmp(end, sp->hi) > 0)
        snprintf(sp->hi, sizeof sp->hi, "%s", end);
}

/* Heatmaps read points only (bm_store_each_point): the store selects by
 * the date filters (on the same ranges), the types are applied as the
 * points come, and only lon/lat (pairs, degrees) are kept. */
typedef struct point_ctx {
    double *pts;     /* lon, lat pairs */
    size_t n, cap;   /* points kept; capacity in pairs */
    int failed;
    const char *types;
    date_span *span; /* of the kept ones */
} point_ctx;

static int collect_point(void *user, double lon, double lat, const char *type,
                         const char *date)
{
    point_ctx *pc = user;
    if (!type_passes(type, pc->types))
        return 0;
    double *p = bm_grow(pc->pts, &pc->cap, pc->n + 1, 2 * sizeof *p);
    if (!p) {
        pc->failed = 1;
        return 1;
    }
    pc->pts = p;
    p[2 * pc->n] = lon;
    p[2 * pc->n + 1] = lat;
    /* a point comes with its date only (no precision, no range): the span
     * for the title is the days the date writes */
    char s[11], e[11];
    bm_date_range(date, bm_date_precision_of(date, BM_DATE_NONE), s, e);
    span_add(pc->span, s, e);
    pc->n++;
    return 0;
}

/* Named regions, degrees. */
static const struct region {
    const char *name, *label;
    double w, s, e, n;
} regions[] = {
    {"border", "the whole border", 124.0, 39.6, 131.2, 43.4},
    {"tumen", "Tumen (Musan–Rason–Hunchun)", 128.85, 41.85, 130.95, 43.15},
    {"yalu", "Yalu (Sinuiju–Hyesan)", 124.1, 39.75, 128.5, 42.0},
    {"ryanggang", "Ryanggang", 126.9, 40.55, 129.05, 42.15},
    {"north-hamgyong", "North Hamgyong", 128.3, 40.6, 130.85, 43.05},
};

static const struct region *find_region(const char *name)
{
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (strcasecmp(regions[i].name, name) == 0 ||
            (strcasecmp(name, "whole") == 0 && i == 0) ||
            (strcasecmp(name, "north_hamgyong") == 0 && i == 4))
            return &regions[i];
    return NULL;
}

static int type_passes(const char *t, const char *types)
{
    if (!types)
        return 1;
    size_t lt = t ? strlen(t) : 0;
    for (const char *p = types; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (t && n == lt && strncasecmp(p, t, n) == 0)
            return 1;
        p += n + (c ? 1 : 0);
    }
    return 0;
}


static int parse_point(const char *s, double *lat, double *lon)
{
    char *end;
    double a = strtod(s, &end);
    if (end == s || *end != ',')
        return 0;
    const char *q = end + 1;
    double b = strtod(q, &end);
    if (end == q || *end)
        return 0;
    if (fabs(a) > 90 || fabs(b) > 180)
        return 0;
    *lat = a;
    *lon = b;
    return 1;
}

static char *style_by_name(bm_ctx *ctx, const char *name)
{
    struct stat sb;
    if (strchr(name, '/') || strstr(name, ".yaml") || strstr(name, ".yml") ||
        stat(name, &sb) == 0)
        return strdup(name);
    char rel[256];
    snprintf(rel, sizeof rel, "styles/%s.yaml", name);
    return bm_ctx_data_path(ctx, rel);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is the point inside the area the shipped basemap covers (the border
 * region, lon 123-134 E, lat 38-46 N)? */
static int in_basemap_area(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && lon >= 123.0 && lon <= 134.0 &&
           lat >= 38.0 && lat <= 46.0;
}

int cmd_render(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *out = "out/map.png", *style_arg = NULL;
    const char *title = NULL, *subtitle = NULL, *classification = NULL;
    const char *region_name = NULL, *bbox_text = NULL, *around = NULL;
    const char *radius_text = NULL, *since = NULL, *until = NULL;
    const char *types = NULL, *by = NULL;
    double heat_km = 0, dpi = 0;
    int width = 0, height = 0;
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"style", required_argument, NULL, 's'},
        {"size", required_argument, NULL, 'z'},
        {"title", required_argument, NULL, 't'},
        {"subtitle", required_argument, NULL, 'u'},
        {"classification", required_argument, NULL, 'c'},
        {"region", required_argument, NULL, 'R'},
        {"bbox", required_argument, NULL, 'b'},
        {"around", required_argument, NULL, 'a'},
        {"radius", required_argument, NULL, 'r'},
        {"since", required_argument, NULL, 'S'},
        {"until", required_argument, NULL, 'U'},
        {"type", required_argument, NULL, 'T'},
        {"heatmap", required_argument, NULL, 'H'},
        {"by", required_argument, NULL, 'B'},
        {"dpi", required_argument, NULL, 'D'},
        {"force", no_argument, NULL, CLI_OPT_FORCE},
        {"mode", required_argument, NULL, CLI_OPT_MODE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 's': style_arg = optarg; break;
        case 't': title = optarg; break;
        case 'u': subtitle = optarg; break;
        case 'c': classification = optarg; break;
        case 'R': region_name = optarg; break;
        case 'b': bbox_text = optarg; break;
        case 'a': around = optarg; break;
        case 'r': radius_text = optarg; break;
        case 'S': since = optarg; break;
        case 'U': until = optarg; break;
        case 'T': types = optarg; break;
        case 'B': by = optarg; break;
        case 'H': {
            char *end;
            heat_km = strtod(optarg, &end);
            if (end != optarg && strcasecmp(end, "km") == 0)
                end += 2;
            if (end == optarg || *end || !(heat_km >= 0.5 && heat_km <= 500))
                return cli_usage_error("render", "--heatmap wants a bandwidth "
                                       "in km between 0.5 and 500, not '%s'",
                                       optarg);
            break;
        }
        case 'D': {
            char *end;
            dpi = strtod(optarg, &end);
            if (end == optarg || *end || !(dpi >= 18 && dpi <= 1200))
                return cli_usage_error("render", "--dpi wants a number "
                                       "between 18 and 1200, not '%s'", optarg);
            break;
        }
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
        case CLI_OPT_FORCE: bm_ctx_set_replace(ctx, 1); break;
        case CLI_OPT_MODE:
            if (cli_set_mode(ctx, "render", optarg))
                return BM_EXIT_USAGE;
            break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("render", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("render", "unexpected argument '%s'",
                               argv[optind]);
    /* cairo and pango live in a plugin, loaded here */
    const bm_render_api *draw = cli_render(ctx);
    if (!draw)
        return cli_fail(ctx);
    if (draw->format_for_path(out) < 0)
        return cli_usage_error("render", "'%s': the output must end in .png, "
                               ".pdf or .svg", out);
    if ((region_name != NULL) + (bbox_text != NULL) + (around != NULL) > 1)
        return cli_usage_error("render", "give one of --region, --bbox and "
                               "--around");
    if (radius_text && !around)
        return cli_usage_error("render", "--radius goes with --around PLACE");
    const struct region *region = NULL;
    if (region_name && !(region = find_region(region_name)))
        return cli_usage_error("render", "unknown region '%s' (border, tumen, "
                               "yalu, ryanggang, north-hamgyong)", region_name);
    double bw = 0, bs = 0, be = 0, bn = 0;
    if (bbox_text) {
        char tail;
        if (sscanf(bbox_text, "%lf,%lf,%lf,%lf%c", &bw, &bs, &be, &bn, &tail) != 4 ||
            !(bw < be) || !(bs < bn) || bw < -180 || be > 180 || bs < -85 ||
            bn > 85)
            return cli_usage_error("render", "--bbox wants W,S,E,N in degrees "
                                   "with W < E and S < N, e.g. "
                                   "128.9,41.8,130.9,43.2, not '%s'", bbox_text);
    }
    /* the filters as days: since's first, until's last ("2024-02-30" is
     * no day) */
    date_filter df;
    memset(&df, 0, sizeof df);
    char unused[11];
    if (since && !bm_date_range(since,
                                bm_date_precision_of(since, BM_DATE_NONE),
                                df.since, unused))
        return cli_usage_error("render", "--since wants YYYY, YYYY-MM or "
                               "YYYY-MM-DD, not '%s'", since);
    if (until && !bm_date_range(until,
                                bm_date_precision_of(until, BM_DATE_NONE),
                                unused, df.until))
        return cli_usage_error("render", "--until wants YYYY, YYYY-MM or "
                               "YYYY-MM-DD, not '%s'", until);
    if (by && strcmp(by, "month") != 0 && strcmp(by, "year") != 0)
        return cli_usage_error("render", "--by wants month or year, not '%s'",
                               by);
    if (by && heat_km > 0)
        return cli_usage_error("render", "--by and --heatmap do not go "
                               "together");

    int rc = BM_EXIT_OK;
    char *style_path = NULL, *basemap_path = NULL;
    bm_style *style = NULL;
    bm_store *st = NULL;
    bm_layer **layers = NULL;
    bm_layer *inset[2] = {NULL, NULL};
    collect_ctx col = {0};
    point_ctx pc = {0}; /* heatmaps: points only */
    bm_incident *sel = NULL;
    size_t nsel = 0, undated = 0;
    char **panel_names = NULL;
    size_t npanels = 0, *panel_of = NULL;
    bm_buf sub = {0}, what = {0};
    char *heat_title = NULL;
    bm_gazetteer *gz = NULL;

    /* Refuse an existing output before any work (and again, atomically,
     * when the map is moved into place). */
    if ((rc = cli_check_output(ctx, out)) != 0)
        goto done;
    style_path = style_by_name(ctx, style_arg ? style_arg : "briefing");
    if (!style_path) {
        rc = cli_fail(ctx);
        goto done;
    }
    basemap_path = bm_ctx_data_path(ctx, "gazetteer/basemap.gpkg");
    if (!basemap_path || bm_style_load(ctx, style_path, &style) != BM_OK) {
        rc = cli_fail(ctx);
        goto done;
    }
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_DB);
        goto done;
    }
    size_t stored = 0;
    date_span span;
    memset(&span, 0, sizeof span);
    if (heat_km > 0) {
        /* points only: a heatmap of millions of incidents; the store
         * selects by the same ranges as the marker map does below */
        size_t nreports = 0;
        bm_store_filter hf = {.since = since, .until = until};
        pc.types = types;
        pc.span = &span;
        if (bm_store_count(st, &nreports, &stored) != BM_OK ||
            bm_store_each_point(st, &hf, collect_point, &pc) != BM_OK) {
            rc = cli_fail_db(ctx);
            goto done;
        }
        col.failed = pc.failed;
        nsel = pc.n;
    } else if (bm_store_each_incident(st, collect, &col) != BM_OK) {
        rc = cli_fail_db(ctx);
        goto done;
    } else {
        stored = col.n;
        /* filters: keep the passing incidents in place, at the front */
        for (size_t i = 0; i < col.n; i++) {
            bm_incident *in = &col.items[i];
            char s0[11], e0[11];
            bm_incident_range(in, s0, e0);
            if (range_passes(s0, e0, &df) && type_passes(in->type, types)) {
                if (i != nsel) {
                    bm_incident t = col.items[nsel];
                    col.items[nsel] = *in;
                    *in = t;
                }
                nsel++;
                span_add(&span, s0, e0);
            }
        }
    }
    if (col.failed) {
        fprintf(stderr, "bordermap: out of memory reading incidents\n");
        rc = BM_EXIT_FAIL;
        goto done;
    }
    sel = col.items;

    /* extent */
    const char *extent_note = NULL;
    char around_note[256] = "";
    if (region) {
        style->min_lon = region->w;
        style->min_lat = region->s;
        style->max_lon = region->e;
        style->max_lat = region->n;
        extent_note = region->label;
    } else if (bbox_text) {
        style->min_lon = bw;
        style->min_lat = bs;
        style->max_lon = be;
        style->max_lat = bn;
        extent_note = bbox_text;
    } else if (around) {
        double lat, lon, radius = 50000;
        const char *cname = around;
        if (radius_text && bm_parse_distance(ctx, radius_text, &radius) != BM_OK) {
            rc = cli_usage_error("render", "%s", bm_ctx_error(ctx));
            goto done;
        }
        if (!parse_point(around, &lat, &lon)) {
            bm_candidate cand[1];
            size_t n = 0;
            bm_precision prec;
            if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
                bm_gazetteer_lookup(ctx, gz, around, cand, 1, &n) != BM_OK) {
                rc = cli_fail(ctx);
                goto done;
            }
            if (n == 0 || bm_gazetteer_point(gz, cand[0].place, &lon, &lat,
                                             &prec) != BM_OK) {
                fprintf(stderr, "bordermap: render: '%s' has no coordinates "
                        "in the gazetteer\n", around);
                rc = BM_EXIT_FAIL;
                goto done;
            }
            cname = cand[0].place->name;
        }
        double dlat = radius / 111320.0;
        double dlon = radius / (111320.0 * fmax(0.05, cos(lat * M_PI / 180)));
        style->min_lon = lon - dlon;
        style->max_lon = lon + dlon;
        style->min_lat = fmax(-85, lat - dlat);
        style->max_lat = fmin(85, lat + dlat);
        snprintf(around_note, sizeof around_note, "%.0f km around %s",
                 radius / 1000, cname);
        extent_note = around_note;
    } else if (nsel > 0) {
        /* The map fits the incidents shown, those in the basemap's area
         * (the border region) when there are any: an arrest in Kunming
         * told by a report on Dandong would otherwise shrink the border to
         * a corner of an empty map. The legend counts those left outside. */
        size_t inside = 0;
        for (size_t i = 0; i < nsel; i++) {
            double lon = pc.pts ? pc.pts[2 * i] : sel[i].lon;
            double lat = pc.pts ? pc.pts[2 * i + 1] : sel[i].lat;
            inside += in_basemap_area(lon, lat);
        }
        double w = HUGE_VAL, s = HUGE_VAL, e = -HUGE_VAL, n = -HUGE_VAL;
        for (size_t i = 0; i < nsel; i++) {
            double lon = pc.pts ? pc.pts[2 * i] : sel[i].lon;
            double lat = pc.pts ? pc.pts[2 * i + 1] : sel[i].lat;
            if (!isfinite(lon) || !isfinite(lat) ||
                (inside && !in_basemap_area(lon, lat)))
                continue;
            w = fmin(w, lon);
            e = fmax(e, lon);
            s = fmin(s, lat);
            n = fmax(n, lat);
        }
        if (w <= e) {
            /* pad a fifth each way, at least 0.6 x 0.4 degrees across */
            double pw = fmax((e - w) * 0.2, (0.6 - (e - w)) / 2);
            double ph = fmax((n - s) * 0.2, (0.4 - (n - s)) / 2);
            style->min_lon = w - fmax(pw, 0.08);
            style->max_lon = e + fmax(pw, 0.08);
            style->min_lat = fmax(-85, s - fmax(ph, 0.06));
            style->max_lat = fmin(85, n + fmax(ph, 0.06));
        }
    }

    /* small multiples: one panel per month or year, the one an incident's
     * range lies within; an undated incident, and one whose range spans
     * more (a year in a map by month, a season across months, an open
     * range), is in no panel and counted */
    size_t coarse = 0;
    if (by) {
        size_t keylen = strcmp(by, "month") == 0 ? 7 : 4;
        panel_of = calloc(nsel ? nsel : 1, sizeof *panel_of);
        panel_names = calloc(nsel ? nsel : 1, sizeof *panel_names);
        if (!panel_of || !panel_names) {
            rc = BM_EXIT_FAIL;
            goto done;
        }
        char (*keys)[8] = calloc(nsel ? nsel : 1, sizeof *keys);
        if (!keys) {
            rc = BM_EXIT_FAIL;
            goto done;
        }
        for (size_t i = 0; i < nsel; i++) {
            char s0[11], e0[11];
            if (!bm_incident_range(&sel[i], s0, e0)) {
                undated++;
                continue;
            }
            if (!s0[0] || strncmp(s0, e0, keylen) != 0) {
                coarse++;
                continue;
            }
            snprintf(keys[i], sizeof keys[i], "%.*s", (int)keylen, s0);
            size_t k;
            for (k = 0; k < npanels; k++)
                if (strcmp(panel_names[k], keys[i]) == 0)
                    break;
            if (k == npanels) {
                panel_names[k] = strdup(keys[i]);
                if (!panel_names[k]) {
                    free(keys);
                    rc = BM_EXIT_FAIL;
                    goto done;
                }
                npanels++;
            }
        }
        qsort(panel_names, npanels, sizeof *panel_names, cmp_str);
        for (size_t i = 0; i < nsel; i++) {
            panel_of[i] = (size_t)-1;
            for (size_t k = 0; keys[i][0] && k < npanels; k++)
                if (strcmp(panel_names[k], keys[i]) == 0)
                    panel_of[i] = k;
        }
        free(keys);
        if (npanels == 0) {
            fprintf(stderr, "bordermap: render: --by %s: none of the %zu "
                    "selected incidents is dated to the %s (%zu undated, "
                    "%zu dated less precisely)\n", by, nsel, by, undated,
                    coarse);
            rc = BM_EXIT_FAIL;
            goto done;
        }
    }

    /* subtitle: dates, filters, count */
    if (!subtitle) {
        const char *lo = span.lo[0] ? span.lo : NULL;
        const char *hi = span.hi[0] ? span.hi : NULL;
        size_t nundated = span.undated;
        /* the span of dates is not said twice when the title has it */
        const char *t0 = title ? title : style->title;
        int title_dated = t0 && strstr(t0, "{date}") && hi;
        char *when = NULL;
        if (since && until)
            when = draw->expand_title("{date}", df.since, df.until);
        else if (since || until)
            bm_buf_printf(&sub, "%s – %s · ", since ? since : "…",
                          until ? until : "…");
        else if (!title_dated && hi)
            when = draw->expand_title("{date}", lo, hi);
        else if (!title_dated)
            bm_buf_puts(&sub, "undated · ");
        if (when && *when)
            bm_buf_printf(&sub, "%s · ", when);
        free(when);
        bm_buf_puts(&sub, "{count} incident{s} on the map");
        if (nundated && hi && !by)
            bm_buf_printf(&sub, " (%zu undated)", nundated);
        if (types)
            bm_buf_printf(&sub, " · types: %s", types);
        if (extent_note)
            bm_buf_printf(&sub, " · %s", extent_note);
        if (heat_km > 0)
            bm_buf_printf(&sub, " · kernel density, bandwidth %g km", heat_km);
        if (by)
            bm_buf_printf(&sub, " · one panel per %s", by);
        if (by && (undated || coarse)) {
            bm_buf_puts(&sub, " (");
            if (undated)
                bm_buf_printf(&sub, "%zu undated", undated);
            if (coarse)
                bm_buf_printf(&sub, "%s%zu dated less precisely than a %s",
                              undated ? ", " : "", coarse, by);
            bm_buf_puts(&sub, ": not shown)");
        }
        if (stored != nsel)
            bm_buf_printf(&sub, " · %zu of %zu stored match", nsel, stored);
        subtitle = sub.data;
    }

    /* a heatmap's points carry no dates: "{date}" in the title is the
     * selection's span, filled in here */
    const char *title0 = title ? title : style->title;
    if (heat_km > 0 && title0) { /* NULL: the renderer's own, undated */
        heat_title = draw->expand_title(title0, span.lo[0] ? span.lo : NULL,
                                        span.hi[0] ? span.hi : NULL);
        if (!heat_title) {
            rc = BM_EXIT_FAIL;
            goto done;
        }
        title = heat_title;
    }
    bm_render_opts ro = {.width = width, .height = height, .title = title,
                         .subtitle = subtitle, .dpi = dpi, .fill = 1,
                         .classification = classification,
                         .heat_km = heat_km,
                         .points = pc.pts,
                         .npoints = pc.n,
                         .format = draw->format_for_path(out)};
    if (by) {
        ro.panel_of = panel_of;
        ro.panel_names = (const char *const *)panel_names;
        ro.npanels = npanels;
    }

    /* basemap for the frame (beyond the extent where the page is wider) */
    double a, b, cc, d;
    if (draw->data_bounds(ctx, style, &ro, &a, &b, &cc, &d) != BM_OK) {
        rc = cli_fail(ctx);
        goto done;
    }
    const bm_export_api *ogr = cli_ogr(ctx);
    if (!ogr) {
        rc = cli_fail(ctx);
        goto done;
    }
    layers = calloc(style->nlayers ? style->nlayers : 1, sizeof *layers);
    if (!layers) {
        rc = BM_EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < style->nlayers; i++) {
        const bm_style_layer *sl = &style->layers[i];
        bm_ctx_progress(ctx, "basemap", i, style->nlayers, sl->source);
        if (ogr->read_layer(ctx, basemap_path, sl->source,
                                 sl->label_field, sl->rank_field, a - 0.3,
                                 b - 0.3, cc + 0.3, d + 0.3,
                                 &layers[i]) != BM_OK) {
            /* a missing layer is drawn without, and said */
            fprintf(stderr, "bordermap: warning: %s\n", bm_ctx_error(ctx));
            layers[i] = NULL;
        }
    }
    /* inset locator: the peninsula and its neighbours (Natural Earth
     * 1:50m); a basemap without those layers: its 1:10m ones, as far as
     * they reach */
    static const char *const inset_src[2][2] = {
        {"ne50m_land", "ne50m_country_outlines"},
        {"ne10m_land", "ne10m_admin0_boundary_lines"}};
    static const double locator[4] = {116, 32.5, 138, 47};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 2; i++)
            if (ogr->read_layer(ctx, basemap_path, inset_src[k][i], NULL,
                                NULL, locator[0], locator[1], locator[2],
                                locator[3], &inset[i]) != BM_OK)
                inset[i] = NULL;
        if (inset[0])
            break;
        bm_layer_free(inset[1]);
        inset[1] = NULL;
    }
    ro.inset = inset;
    ro.ninset = 2;
    memcpy(ro.inset_area, locator, sizeof locator);

    if (cli_ensure_parent(ctx, out) != 0 ||
        draw->map(ctx, style, layers, pc.pts ? NULL : sel,
                      pc.pts ? 0 : nsel, &ro, out) != BM_OK) {
        /* a file that cannot be written (exists, folder, disk) is 4; a
         * drawing that fails is 1 */
        rc = cli_fail_code(ctx, bm_ctx_status(ctx) == BM_ERR_IO
                                    ? BM_EXIT_OUTPUT
                                    : BM_EXIT_FAIL);
        goto done;
    }
    cli_flush_warnings(ctx);
    printf("wrote %s: %zu incident%s selected of %zu (style %s)\n", out, nsel,
           nsel == 1 ? "" : "s", stored, style->name ? style->name : style_path);

done:
    if (layers && style)
        for (size_t i = 0; i < style->nlayers; i++)
            bm_layer_free(layers[i]);
    free(layers);
    bm_layer_free(inset[0]);
    bm_layer_free(inset[1]);
    for (size_t i = 0; i < col.n; i++)
        bm_incident_clear(&col.items[i]);
    free(col.items);
    free(pc.pts);
    free(heat_title);
    for (size_t i = 0; i < npanels; i++)
        free(panel_names[i]);
    free(panel_names);
    free(panel_of);
    bm_buf_free(&sub);
    bm_buf_free(&what);
    bm_gazetteer_free(gz);
    bm_store_free(st);
    bm_style_free(style);
    free(style_path);
    free(basemap_path);
    return rc;
}
