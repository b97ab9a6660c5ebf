/*
 * cmd_near.c - `bordermap near PLACE|LAT,LON --radius 30km [--db FILE]`
 */
#include "bm_gazetteer.h"
#include "bm_query.h"
#include "bm_store.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap near PLACE|LAT,LON [--radius DIST] [--db FILE]\n"
            "                      [--format text|json]\n"
            "\n"
            "Lists the stored incidents within DIST of a place (looked up in\n"
            "the gazetteer, best candidate) or of a point given as LAT,LON in\n"
            "degrees, nearest first. Distances are geodesic (WGS 84).\n"
            "\n"
            "Options:\n"
            "  -r, --radius DIST  30km (default), 2500m, 12.5 (km), 10mi\n"
            "  --db FILE          database (default " BM_DEFAULT_DB ")\n"
            "  --format FORMAT    text (default) or json\n"
            "  -h, --help         this help\n"
            "\n"
            "Example: bordermap near Hoeryong --radius 30km\n");
}

/* "42.44,129.75" -> lat, lon. 0 when it is not a point. */
static int parse_point(const char *s, double *lat, double *lon)
{
    char *end;
    errno = 0;
    double a = strtod(s, &end);
    if (end == s || *end != ',' || errno)
        return 0;
    const char *t = end + 1;
    while (*t == ' ')
        t++;
    double b = strtod(t, &end);
    if (end == t || *end || errno)
        return 0;
    if (!(a >= -90 && a <= 90 && b >= -180 && b <= 180))
        return 0;
    *lat = a;
    *lon = b;
    return 1;
}

int cmd_near(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *radius_text = "30km";
    int format = CLI_TEXT;
    static const struct option opts[] = {
        {"radius", required_argument, NULL, 'r'},
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    /* no '+': options may follow the place ("near Hoeryong --radius 30km") */
    while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': radius_text = optarg; break;
        case 'd': db = optarg; break;
        case 'f':
            if ((format = cli_parse_format(optarg, 1u << CLI_TEXT |
                                                       1u << CLI_JSON)) < 0)
                return cli_usage_error("near", "unknown format '%s' "
                                       "(text or json)", optarg);
            break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("near", "unknown option or missing value: "
                                   "'%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("near", "no place or LAT,LON given");
    /* A multi-word place may come as several arguments. */
    bm_buf where = {0};
    for (int i = optind; i < argc; i++)
        bm_buf_printf(&where, "%s%s", i > optind ? " " : "", argv[i]);

    double radius;
    if (bm_parse_distance(ctx, radius_text, &radius) != BM_OK) {
        bm_buf_free(&where);
        return cli_usage_error("near", "%s", bm_ctx_error(ctx));
    }

    double lat, lon;
    const char *center_name = where.data;
    bm_gazetteer *gz = NULL;
    if (!parse_point(where.data, &lat, &lon)) {
        bm_candidate cand[1];
        size_t n = 0;
        bm_precision prec;
        if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
            bm_gazetteer_lookup(ctx, gz, where.data, cand, 1, &n) != BM_OK) {
            int rc = cli_fail(ctx);
            bm_gazetteer_free(gz);
            bm_buf_free(&where);
            return rc;
        }
        if (bm_gazetteer_point(gz, cand[0].place, &lon, &lat, &prec) != BM_OK) {
            fprintf(stderr, "bordermap: %s (%s) has no coordinates in the "
                    "gazetteer\n", where.data, cand[0].place->name);
            bm_gazetteer_free(gz);
            bm_buf_free(&where);
            return BM_EXIT_FAIL;
        }
        center_name = cand[0].place->name;
    }

    bm_store *st = NULL;
    bm_near_result res = {0};
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK ||
        bm_query_near(ctx, st, lon, lat, radius, &res) != BM_OK) {
        int rc = cli_fail(ctx);
        bm_store_free(st);
        bm_gazetteer_free(gz);
        bm_buf_free(&where);
        return rc;
    }

    if (format == CLI_JSON) {
        printf("{\"center\": {\"query\": ");
        cli_json_string(stdout, where.data);
        printf(", \"name\": ");
        cli_json_string(stdout, center_name);
        printf(", \"lat\": %.5f, \"lon\": %.5f}, \"radius_m\": %.1f, "
               "\"count\": %zu, \"incidents\": [",
               lat, lon, radius, res.count);
        for (size_t i = 0; i < res.count; i++) {
            const bm_incident *in = &res.hits[i].incident;
            printf("%s\n {\"id\": %lld, \"distance_m\": %.1f, \"type\": ",
                   i ? "," : "", (long long)in->id, res.hits[i].distance_m);
            cli_json_string(stdout, in->type);
            printf(", \"place\": ");
            cli_json_string(stdout, in->place_name);
            printf(", \"lat\": %.5f, \"lon\": %.5f, \"precision\": \"%s\", "
                   "\"date\": ",
                   in->lat, in->lon, bm_precision_name(in->precision));
            cli_json_string(stdout, in->date);
            printf(", \"actor\": ");
            cli_json_string(stdout, in->actor);
            printf(", \"report\": ");
            cli_json_string(stdout, in->report_title);
            printf(", \"report_path\": ");
            cli_json_string(stdout, in->report_path);
            printf(", \"sentence\": ");
            cli_json_string(stdout, in->sentence);
            printf("}");
        }
        printf("\n]}\n");
    } else {
        printf("%zu incident%s within %.1f km of %s (%.4f N, %.4f E):\n",
               res.count, res.count == 1 ? "" : "s", radius / 1000.0,
               center_name, lat, lon);
        for (size_t i = 0; i < res.count; i++) {
            const bm_incident *in = &res.hits[i].incident;
            printf("%7.1f km  %-12s %-14s %-10s %s\n", res.hits[i].distance_m / 1000.0,
                   in->type, in->place_name ? in->place_name : "?",
                   in->date ? in->date : "undated",
                   in->actor ? in->actor : "");
            printf("            \"%.160s%s\"\n", in->sentence ? in->sentence : "",
                   in->sentence && strlen(in->sentence) > 160 ? "..." : "");
            printf("            from: %s\n",
                   in->report_title ? in->report_title : "?");
        }
    }
    bm_near_result_free(&res);
    bm_store_free(st);
    bm_gazetteer_free(gz);
    bm_buf_free(&where);
    return BM_EXIT_OK;
}
