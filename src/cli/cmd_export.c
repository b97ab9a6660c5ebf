/*
 * cmd_export.c - `bordermap export [FILTERS] [--near PLACE|LAT,LON
 * [--radius R]] [--redact] [--db FILE] [--format FMT] -o FILE`
 *
 * Selects incidents through the store's filters (or a radius query), hands
 * them to the OGR plugin, and writes a QGIS style (.qml) beside GeoJSON
 * and GeoPackage outputs.
 */
#include "bm_export.h"
#include "bm_gazetteer.h"
#include "bm_query.h"
#include "bm_store.h"
#include "bm_style.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap export [--db FILE] [--format FMT] [-o FILE]\n"
            "                        [FILTERS] [--near PLACE|LAT,LON "
            "[--radius DIST]]\n"
            "                        [--redact] [--no-qml]\n"
            "\n"
            "Writes the stored incidents (all, or those the filters select)\n"
            "as point features (EPSG:4326, lon/lat) through GDAL/OGR, with\n"
            "the fields id, event_type, event_date (ISO text, also for\n"
            "partial dates), time_precision (day, month, year, period,\n"
            "season, reported), date_start and date_end (the days the event\n"
            "may have happened, YYYY-MM-DD; date_start empty when only the\n"
            "latest is known), place, place_id, admin1, admin2, country,\n"
            "geo_precision, actors, evidence, evidence_more (further\n"
            "sentences, one a line), report_title, outlet, url, confidence,\n"
            "status and is_main (1 for a report's main incident). Shapefiles\n"
            "use the short names time_prec, geo_prec, evid_more and\n"
            "rep_title. KML placemarks carry the days as a TimeSpan too, for\n"
            "the time sliders of Google Earth and QGIS. GeoJSON is RFC 7946\n"
            "(7 decimals, no crs member). QGIS opens the result as is; for\n"
            "GeoJSON and GPKG a QGIS style FILE.qml (same base name) colours\n"
            "and shapes the points by event_type as the briefing style does.\n"
            "An existing file is never replaced without --force; with it,\n"
            "the file is replaced only when the export succeeds. Files are\n"
            "written readable by their owner only (see --mode).\n"
            "\n"
            "Filters:\n"
            "  --since DATE       YYYY, YYYY-MM or YYYY-MM-DD: incidents whose\n"
            "  --until DATE       days all fall on or after since's first day\n"
            "                     and on or before until's last (undated ones\n"
            "                     are left out when either is given; one\n"
            "                     dated only by its report passes --until,\n"
            "                     never --since)\n"
            "  --type TYPE        repeat, or a comma list: arrest,crackdown\n"
            "  --actor TEXT       actors containing TEXT (any case)\n"
            "  --precision P      town, county or province: at least this\n"
            "                     precise\n"
            "  --status S         auto, reviewed or manual\n"
            "  --near PLACE|LAT,LON  only incidents within --radius of a place\n"
            "                     (gazetteer, best candidate) or a point\n"
            "  -r, --radius DIST  with --near: 30km (default), 2500m, 10mi\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE  output (default out/incidents.geojson)\n"
            "  --format FMT       GeoJSON, GPKG, KML, CSV, FlatGeobuf or\n"
            "                     \"ESRI Shapefile\" (default: from the\n"
            "                     output's extension, else GeoJSON)\n"
            "  --redact           leave out what names or quotes the source:\n"
            "                     evidence, evidence_more, report_title,\n"
            "                     outlet and url, and say so in the file's\n"
            "                     metadata (GPKG: BORDERMAP_REDACTED=YES and\n"
            "                     the fields; GeoJSON: its description)\n"
            "  --no-qml           do not write the QGIS style beside the file\n"
            "  --style NAME|FILE  style whose incident colours the .qml uses\n"
            "                     (default briefing)\n"
            "  --db FILE          database (default " BM_DEFAULT_DB ")\n"
            "  --force            replace the output (and its .qml) when it\n"
            "                     exists (without it, an existing .qml is\n"
            "                     kept)\n"
            CLI_WRITE_OPTIONS_HELP
            "  -h, --help         this help\n"
            "\n"
            "Example: bordermap export --near Hoeryong --radius 25km "
            "--since 2024-01 \\\n"
            "             --redact -o out/hoeryong.gpkg\n"
            "\n" CLI_EXIT_CODES_HELP);
}

enum { OPT_DB = 1, OPT_FORMAT, OPT_NEAR, OPT_REDACT, OPT_NO_QML, OPT_STYLE };

/* The .qml written beside out (same base name). Caller owns. */
static char *qml_path(const char *out)
{
    bm_buf path = {0};
    const char *slash = strrchr(out, '/');
    const char *dot = strrchr(out, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - out)
                                                     : strlen(out);
    bm_buf_printf(&path, "%.*s.qml", (int)stem, out);
    return bm_buf_take(&path);
}

/* ---- selecting ---------------------------------------------------------- */

typedef struct incident_list {
    bm_incident *items;
    size_t n, cap;
    int failed;
} incident_list;

static int collect(void *user, const bm_incident *inc)
{
    incident_list *l = user;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        bm_incident *ni = realloc(l->items, cap * sizeof *ni);
        if (!ni) {
            l->failed = 1;
            return 1;
        }
        l->items = ni;
        l->cap = cap;
    }
    memset(&l->items[l->n], 0, sizeof l->items[l->n]);
    if (bm_incident_copy(&l->items[l->n], inc) != BM_OK) {
        bm_incident_clear(&l->items[l->n]);
        l->failed = 1;
        return 1;
    }
    l->n++;
    return 0;
}

static void list_free(incident_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        bm_incident_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_id(const void *a, const void *b)
{
    const bm_incident *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Finds the centre of --near; 0, or an exit code after printing. */
static int near_center(bm_ctx *ctx, const char *where, double *lon,
                       double *lat)
{
    if (cli_parse_point(where, lat, lon))
        return 0;
    bm_gazetteer *gz = NULL;
    bm_candidate cand[1];
    size_t n = 0;
    bm_precision prec;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
        bm_gazetteer_lookup(ctx, gz, where, cand, 1, &n) != BM_OK) {
        bm_gazetteer_free(gz);
        return cli_fail(ctx);
    }
    if (bm_gazetteer_point(gz, cand[0].place, lon, lat, &prec) != BM_OK) {
        fprintf(stderr, "bordermap: %s (%s) has no coordinates in the "
                "gazetteer\n", where, cand[0].place->name);
        bm_gazetteer_free(gz);
        return BM_EXIT_FAIL;
    }
    bm_gazetteer_free(gz);
    return 0;
}

/* ---- the QGIS style ------------------------------------------------------ */

static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void qml_color(char *buf, size_t size, bm_rgba c)
{
    snprintf(buf, size, "%d,%d,%d,%d", (int)(c.r * 255 + 0.5),
             (int)(c.g * 255 + 0.5), (int)(c.b * 255 + 0.5),
             (int)(c.a * 255 + 0.5));
}

static const char *qml_shape(const char *shape)
{
    if (shape && (strcmp(shape, "square") == 0 ||
                  strcmp(shape, "triangle") == 0 ||
                  strcmp(shape, "diamond") == 0))
        return shape;
    return "circle";
}

static void qml_prop(FILE *f, const char *k, const char *v)
{
    fprintf(f, "            <Option type=\"QString\" name=\"%s\" value=\"", k);
    xml_text(f, v);
    fputs("\"/>\n", f);
}

static void qml_symbol(FILE *f, int index, const bm_style_incident *si,
                       const bm_style *style)
{
    char fill[32], stroke[32], size[32];
    qml_color(fill, sizeof fill, si->fill);
    qml_color(stroke, sizeof stroke, style->incident_stroke);
    /* style sizes are points; QGIS gets millimetres */
    snprintf(size, sizeof size, "%.2f",
             (style->incident_size > 0 ? style->incident_size : 7) * 25.4 /
                 72.0);
    fprintf(f,
            "      <symbol type=\"marker\" name=\"%d\" alpha=\"1\" "
            "clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "        <layer class=\"SimpleMarker\" enabled=\"1\" "
            "locked=\"0\" pass=\"0\">\n"
            "          <Option type=\"Map\">\n",
            index);
    qml_prop(f, "color", fill);
    qml_prop(f, "name", qml_shape(si->shape));
    qml_prop(f, "outline_color", stroke);
    qml_prop(f, "outline_style", "solid");
    qml_prop(f, "outline_width", "0.2");
    qml_prop(f, "outline_width_unit", "MM");
    qml_prop(f, "size", size);
    qml_prop(f, "size_unit", "MM");
    fputs("          </Option>\n        </layer>\n      </symbol>\n", f);
}

/* Writes the .qml beside out: one category per event type present (sorted),
 * coloured and shaped as the style marks it. Written to a temp file and
 * renamed, like the export. 0, or an exit code after printing. */
static int write_qml(bm_ctx *ctx, const char *out, const char *style_arg,
                     const bm_incident *items, size_t n, char **qml_out)
{
    char *style_path;
    if (strchr(style_arg, '/') || strstr(style_arg, ".yaml") ||
        strstr(style_arg, ".yml"))
        style_path = strdup(style_arg);
    else {
        char rel[256];
        snprintf(rel, sizeof rel, "styles/%s.yaml", style_arg);
        style_path = bm_ctx_data_path(ctx, rel);
    }
    bm_style *style = NULL;
    if (!style_path || bm_style_load(ctx, style_path, &style) != BM_OK) {
        free(style_path);
        return cli_fail(ctx);
    }
    free(style_path);

    /* the distinct types, sorted */
    const char **types = calloc(n ? n : 1, sizeof *types);
    size_t nt = 0;
    if (!types) {
        bm_style_free(style);
        fprintf(stderr, "bordermap: out of memory\n");
        return BM_EXIT_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nt && strcmp(types[k], items[i].type) != 0)
            k++;
        if (k == nt)
            types[nt++] = items[i].type;
    }
    for (size_t i = 1; i < nt; i++)
        for (size_t j = i; j > 0 && strcmp(types[j - 1], types[j]) > 0; j--) {
            const char *t = types[j];
            types[j] = types[j - 1];
            types[j - 1] = t;
        }

    bm_buf path = {0}, tmp = {0};
    char *qml = qml_path(out);
    bm_buf_puts(&path, qml ? qml : "");
    free(qml);
    bm_buf_printf(&tmp, "%s.tmp-%ld", path.data, (long)getpid());
    FILE *f = fopen(tmp.data, "w");
    int rc = BM_EXIT_OK;
    if (!f) {
        fprintf(stderr, "bordermap: %s: %s\n", tmp.data, strerror(errno));
        rc = BM_EXIT_OUTPUT;
        goto done;
    }
    fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
          "<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n"
          "  <renderer-v2 type=\"categorizedSymbol\" attr=\"event_type\" "
          "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
          "    <categories>\n", f);
    for (size_t i = 0; i < nt; i++) {
        fprintf(f, "      <category symbol=\"%zu\" value=\"", i);
        xml_text(f, types[i]);
        fputs("\" label=\"", f);
        xml_text(f, types[i]);
        fputs("\" render=\"true\"/>\n", f);
    }
    fputs("    </categories>\n    <symbols>\n", f);
    for (size_t i = 0; i < nt; i++)
        qml_symbol(f, (int)i, bm_style_for_incident(style, types[i]), style);
    fputs("    </symbols>\n  </renderer-v2>\n</qgis>\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        fprintf(stderr, "bordermap: %s: cannot write\n", tmp.data);
        unlink(tmp.data);
        rc = BM_EXIT_OUTPUT;
        goto done;
    }
    if (bm_file_commit(ctx, tmp.data, path.data) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_OUTPUT);
        unlink(tmp.data);
        goto done;
    }
    *qml_out = bm_buf_take(&path);
done:
    bm_buf_free(&path);
    bm_buf_free(&tmp);
    free(types);
    bm_style_free(style);
    return rc;
}

/* ---- the command ---------------------------------------------------------- */

int cmd_export(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *out = "out/incidents.geojson";
    const char *format = NULL, *near = NULL, *radius_text = NULL;
    const char *style_arg = "briefing";
    int redact = 0, no_qml = 0, rc = BM_EXIT_OK;
    cli_filter cf;
    memset(&cf, 0, sizeof cf);
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, OPT_DB},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"near", required_argument, NULL, OPT_NEAR},
        {"radius", required_argument, NULL, 'r'},
        {"redact", no_argument, NULL, OPT_REDACT},
        {"no-qml", no_argument, NULL, OPT_NO_QML},
        {"style", required_argument, NULL, OPT_STYLE},
        {"force", no_argument, NULL, CLI_OPT_FORCE},
        {"mode", required_argument, NULL, CLI_OPT_MODE},
        CLI_FILTER_OPTIONS,
        CLI_STATUS_OPTION,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_DB: db = optarg; break;
        case OPT_FORMAT: format = optarg; break;
        case OPT_NEAR: near = optarg; break;
        case 'r': radius_text = optarg; break;
        case OPT_REDACT: redact = 1; break;
        case OPT_NO_QML: no_qml = 1; break;
        case OPT_STYLE: style_arg = optarg; break;
        case CLI_OPT_FORCE: bm_ctx_set_replace(ctx, 1); break;
        case CLI_OPT_MODE:
            if (cli_set_mode(ctx, "export", optarg)) {
                cli_filter_free(&cf);
                return BM_EXIT_USAGE;
            }
            break;
        case CLI_OPT_SINCE: case CLI_OPT_UNTIL: case CLI_OPT_TYPE:
        case CLI_OPT_ACTOR: case CLI_OPT_PRECISION: case CLI_OPT_STATUS:
            rc = cli_filter_option(&cf, c, optarg, "export");
            if (rc != BM_EXIT_OK) {
                cli_filter_free(&cf);
                return rc;
            }
            break;
        case 'h': help(stdout); cli_filter_free(&cf); return BM_EXIT_OK;
        default:
            cli_filter_free(&cf);
            return cli_usage_error("export", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        cli_filter_free(&cf);
        return cli_usage_error("export", "unexpected argument '%s'",
                               argv[optind]);
    }
    if (radius_text && !near) {
        cli_filter_free(&cf);
        return cli_usage_error("export", "--radius needs --near");
    }
    double radius = 0;
    if (near && bm_parse_distance(ctx, radius_text ? radius_text : "30km",
                                  &radius) != BM_OK) {
        cli_filter_free(&cf);
        return cli_usage_error("export", "%s", bm_ctx_error(ctx));
    }
    const bm_export_api *ogr = cli_ogr(ctx);
    if (!ogr) {
        cli_filter_free(&cf);
        return cli_fail(ctx);
    }
    if (!format)
        format = ogr->format_for_path(out);
    if (!format)
        format = "GeoJSON";
    if (!ogr->driver(format)) {
        cli_filter_free(&cf);
        return cli_usage_error("export", "unknown format '%s' (GeoJSON, "
                               "GPKG, KML, CSV, FlatGeobuf or \"ESRI "
                               "Shapefile\")", format);
    }

    /* Refuse an existing output before any work (and again, atomically,
     * when the file is moved into place). */
    const char *drv_name = ogr->driver(format);
    int qml_too = !no_qml && (strcmp(drv_name, "GeoJSON") == 0 ||
                              strcmp(drv_name, "GPKG") == 0);
    if ((rc = cli_check_output(ctx, out)) != 0) {
        cli_filter_free(&cf);
        return rc;
    }
    /* The .qml is a companion: when one is there already (another export
     * of the same name, or the analyst's own style) it is kept, and said,
     * rather than failing the export. */
    if (qml_too && !bm_ctx_replace(ctx)) {
        char *qml = qml_path(out);
        if (qml && access(qml, F_OK) == 0) {
            fprintf(stderr, "bordermap: %s exists: kept, not rewritten "
                    "(--force rewrites it)\n", qml);
            qml_too = 0;
        }
        free(qml);
    }

    double lon = 0, lat = 0;
    if (near && (rc = near_center(ctx, near, &lon, &lat)) != 0) {
        cli_filter_free(&cf);
        return rc;
    }

    bm_store *st = NULL;
    incident_list list = {0};
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_DB);
        goto done;
    }
    if (near) {
        bm_near_result res = {0};
        if (bm_query_near_filtered(ctx, st, lon, lat, radius, &cf.f, &res) !=
            BM_OK) {
            rc = cli_fail_db(ctx);
            goto done;
        }
        for (size_t i = 0; i < res.count && !list.failed; i++)
            collect(&list, &res.hits[i].incident);
        bm_near_result_free(&res);
        qsort(list.items, list.n, sizeof *list.items, cmp_id);
    } else if (bm_store_find(st, &cf.f, collect, &list) != BM_OK) {
        rc = cli_fail_db(ctx);
        goto done;
    }
    if (list.failed) {
        fprintf(stderr, "bordermap: out of memory\n");
        rc = BM_EXIT_FAIL;
        goto done;
    }

    bm_export_opts eo = {.redact = redact};
    size_t n = 0;
    if (cli_ensure_parent(ctx, out) != 0 ||
        ogr->export_incident_list(ctx, list.items, list.n, out, format, &eo,
                                  &n) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_OUTPUT);
        goto done;
    }
    const char *drv = ogr->driver(format);
    printf("wrote %zu incident%s to %s (%s, EPSG:4326%s)\n", n,
           n == 1 ? "" : "s", out, drv, redact ? ", redacted" : "");
    if (qml_too) {
        char *qml = NULL;
        rc = write_qml(ctx, out, style_arg, list.items, list.n, &qml);
        if (rc == BM_EXIT_OK)
            printf("wrote the QGIS style %s\n", qml);
        free(qml);
    }
done:
    cli_flush_warnings(ctx);
    list_free(&list);
    bm_store_free(st);
    cli_filter_free(&cf);
    return rc;
}
