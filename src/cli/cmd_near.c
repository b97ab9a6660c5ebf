/*
 * cmd_near.c - `bordermap near PLACE|LAT,LON --radius 25km [FILTERS]
 * [--format table|json|geojson|csv] [--db FILE]`
 */
#include "bm_gazetteer.h"
#include "bm_query.h"
#include "bm_store.h"
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap near PLACE|LAT,LON [--radius DIST] [FILTERS]\n"
            "                      [--format FMT] [--db FILE]\n"
            "\n"
            "Lists the stored incidents within DIST of a place (looked up in\n"
            "the gazetteer, best candidate) or of a point given as LAT,LON in\n"
            "degrees, nearest first (ties by incident id). Distances are\n"
            "geodesic on the WGS 84 ellipsoid; the spatial index finds the\n"
            "candidates in a box around the circle.\n"
            "\n"
            "In the table a '*' before the type marks the main incident of\n"
            "its report, and the date is followed by its precision (day,\n"
            "month, year, period, season or reported); json and csv carry\n"
            "date_start, date_end (the range of days the date may mean),\n"
            "is_main and evidence_more.\n"
            "\n"
            "Filters:\n"
            "  --since DATE       YYYY, YYYY-MM or YYYY-MM-DD: the whole range\n"
            "  --until DATE       of days an incident's date may mean must lie\n"
            "                     within them (--since from its first day,\n"
            "                     --until to its last): --since 2024-06\n"
            "                     --until 2024-06 keeps June 2024's days,\n"
            "                     parts of the month and the month, not a\n"
            "                     year-only 2024; a date known only from the\n"
            "                     report passes --until, never --since;\n"
            "                     undated incidents pass neither\n"
            "  --type TYPE        repeat, or a comma list: arrest,crackdown\n"
            "  --actor TEXT       actors containing TEXT (any case)\n"
            "  --precision P      town, county or province: at least this\n"
            "                     precise (county = towns and counties)\n"
            "\n"
            "Options:\n"
            "  -r, --radius DIST  30km (default), 2500m, 12.5 (km), 10mi\n"
            "  --format FMT       table (default), json, geojson or csv\n"
            "  --db FILE          database (default " BM_DEFAULT_DB ")\n"
            "  -h, --help         this help\n"
            "\n"
            "Example: bordermap near Hoeryong --radius 25km --since 2024-01\n");
}


int cmd_near(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB, *radius_text = "30km";
    int format = CLI_FMT_TABLE, rc = BM_EXIT_OK;
    cli_filter cf;
    memset(&cf, 0, sizeof cf);
    static const struct option opts[] = {
        {"radius", required_argument, NULL, 'r'},
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        CLI_FILTER_OPTIONS,
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
            if ((format = cli_parse_incident_format(optarg)) < 0) {
                cli_filter_free(&cf);
                return cli_usage_error("near", "unknown format '%s' (table, "
                                       "json, geojson or csv)", optarg);
            }
            break;
        case CLI_OPT_SINCE: case CLI_OPT_UNTIL: {
            /* checked here, so that a bad date is a usage error naming
             * it (the store would refuse it later, as a failed search) */
            char first[11], last[11];
            if (!bm_date_range(optarg, BM_DATE_DAY, first, last)) {
                cli_filter_free(&cf);
                return cli_usage_error("near", "bad date '%s' for %s (YYYY, "
                                       "YYYY-MM or YYYY-MM-DD, of a day, "
                                       "month or year that exists)", optarg,
                                       c == CLI_OPT_SINCE ? "--since"
                                                          : "--until");
            }
        }
            /* fall through */
        case CLI_OPT_TYPE: case CLI_OPT_ACTOR: case CLI_OPT_PRECISION:
            rc = cli_filter_option(&cf, c, optarg, "near");
            if (rc != BM_EXIT_OK) {
                cli_filter_free(&cf);
                return rc;
            }
            break;
        case 'h': help(stdout); cli_filter_free(&cf); return BM_EXIT_OK;
        default:
            cli_filter_free(&cf);
            return cli_usage_error("near", "unknown option or missing value: "
                                   "'%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        cli_filter_free(&cf);
        return cli_usage_error("near", "no place or LAT,LON given");
    }
    /* A multi-word place may come as several arguments. */
    bm_buf where = {0};
    for (int i = optind; i < argc; i++)
        bm_buf_printf(&where, "%s%s", i > optind ? " " : "", argv[i]);

    double radius;
    if (bm_parse_distance(ctx, radius_text, &radius) != BM_OK) {
        bm_buf_free(&where);
        cli_filter_free(&cf);
        return cli_usage_error("near", "%s", bm_ctx_error(ctx));
    }

    double lat, lon;
    const char *center_name = where.data;
    bm_gazetteer *gz = NULL;
    if (!cli_parse_point(where.data, &lat, &lon)) {
        bm_candidate cand[1];
        size_t n = 0;
        bm_precision prec;
        if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
            bm_gazetteer_lookup(ctx, gz, where.data, cand, 1, &n) != BM_OK) {
            rc = cli_fail(ctx);
            goto done;
        }
        if (bm_gazetteer_point(gz, cand[0].place, &lon, &lat, &prec) != BM_OK) {
            fprintf(stderr, "bordermap: %s (%s) has no coordinates in the "
                    "gazetteer\n", where.data, cand[0].place->name);
            rc = BM_EXIT_FAIL;
            goto done;
        }
        center_name = cand[0].place->name;
    }

    bm_store *st = NULL;
    bm_near_result res = {0};
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_DB);
        goto done;
    }
    if (bm_query_near_filtered(ctx, st, lon, lat, radius, &cf.f, &res) !=
        BM_OK) {
        rc = cli_fail_db(ctx);
        bm_store_free(st);
        goto done;
    }

    if (format == CLI_FMT_TABLE) {
        printf("%zu incident%s within %.1f km of %s (%.4f N, %.4f E):\n",
               res.count, res.count == 1 ? "" : "s", radius / 1000.0,
               center_name, lat, lon);
        int any_main = 0;
        for (size_t i = 0; i < res.count; i++) {
            const bm_incident *in = &res.hits[i].incident;
            char date[64];
            printf("%7.1f km  %c%-12s %-14s %-19s %s\n",
                   res.hits[i].distance_m / 1000.0, in->is_main ? '*' : ' ',
                   in->type, in->place_name ? in->place_name : "?",
                   cli_date_short(in, date, sizeof date),
                   in->actor ? in->actor : "");
            any_main |= in->is_main;
            printf("            \"%.160s%s\"\n",
                   in->sentence ? in->sentence : "",
                   in->sentence && strlen(in->sentence) > 160 ? "..." : "");
            printf("            from: %s  [#%lld, %s]\n",
                   in->report_title ? in->report_title : "(entered by hand)",
                   (long long)in->id, bm_incident_status_name(in->status));
        }
        if (any_main)
            printf("(* the main incident of its report)\n");
    } else {
        const bm_incident **p = calloc(res.count ? res.count : 1, sizeof *p);
        double *d = calloc(res.count ? res.count : 1, sizeof *d);
        if (!p || !d) {
            fprintf(stderr, "bordermap: out of memory\n");
            rc = BM_EXIT_FAIL;
        } else {
            for (size_t i = 0; i < res.count; i++) {
                p[i] = &res.hits[i].incident;
                d[i] = res.hits[i].distance_m;
            }
            json_object *head = NULL;
            if (format == CLI_FMT_JSON) {
                head = json_object_new_object();
                json_object *cen = json_object_new_object();
                json_object_object_add(cen, "query",
                                       json_object_new_string(where.data));
                json_object_object_add(cen, "name",
                                       json_object_new_string(center_name));
                json_object_object_add(cen, "lat", json_object_new_double(lat));
                json_object_object_add(cen, "lon", json_object_new_double(lon));
                json_object_object_add(head, "center", cen);
                json_object_object_add(head, "radius_m",
                                       json_object_new_double(radius));
            }
            cli_print_incidents(stdout, format, head, p, d, res.count);
        }
        free(p);
        free(d);
    }
    bm_near_result_free(&res);
    bm_store_free(st);
done:
    bm_gazetteer_free(gz);
    bm_buf_free(&where);
    cli_filter_free(&cf);
    return rc;
}
