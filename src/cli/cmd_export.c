/*
 * cmd_export.c - `bordermap export [--db FILE] [--format GeoJSON] -o FILE`
 */
#include "bm_export.h"
#include "bm_store.h"
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap export [--db FILE] [--format FMT] [-o FILE]\n"
            "\n"
            "Writes every stored incident as a point feature (EPSG:4326,\n"
            "lon/lat) with its type, date, actor, place, precision, source\n"
            "sentence and report, through GDAL/OGR. QGIS opens the result as\n"
            "is. The file is replaced only when the export succeeds.\n"
            "\n"
            "Options:\n"
            "  -o, --output FILE  output (default out/incidents.geojson)\n"
            "  --format FMT       GeoJSON, GPKG, KML or CSV (default: from the\n"
            "                     output's extension, else GeoJSON)\n"
            "  --db FILE          database (default " BM_DEFAULT_DB ")\n"
            "  -h, --help         this help\n");
}

int cmd_export(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *out = "out/incidents.geojson";
    const char *format = NULL;
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 'f': format = optarg; break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("export", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("export", "unexpected argument '%s'",
                               argv[optind]);
    const bm_export_api *ogr = cli_ogr(ctx);
    if (!ogr)
        return cli_fail(ctx);
    if (!format)
        format = ogr->format_for_path(out);
    if (!format)
        format = "GeoJSON";
    if (!ogr->driver(format))
        return cli_usage_error("export", "unknown format '%s' (GeoJSON, "
                               "GPKG, KML or CSV)", format);

    bm_store *st = NULL;
    size_t n = 0;
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK ||
        cli_ensure_parent(ctx, out) != 0 ||
        ogr->export_incidents(ctx, st, out, format, &n) != BM_OK) {
        int rc = cli_fail(ctx);
        bm_store_free(st);
        return rc;
    }
    bm_store_free(st);
    printf("wrote %zu incident%s to %s (%s, EPSG:4326)\n", n, n == 1 ? "" : "s",
           out, ogr->driver(format));
    return BM_EXIT_OK;
}
