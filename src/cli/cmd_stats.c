/*
 * cmd_stats.c - `bordermap stats [FILTERS] [--format text|json]`: how many
 * incidents by province, county, type and month.
 */
#include "bm_store.h"
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap stats [FILTERS] [--format text|json] [--db FILE]\n"
            "\n"
            "Counts the stored incidents by province, county, type and month.\n"
            "An incident counts under the month YYYY-MM when the range of days\n"
            "its date may mean lies within that month (a day, part of a month,\n"
            "the month), under the year YYYY when it lies within one year (a\n"
            "year-only date, a season of one year), else apart, as undated or\n"
            "imprecise (undated, dated only by its report, or spanning two\n"
            "years); those without a province or county are counted apart too.\n"
            "Provinces, counties and types come largest first, months in order.\n"
            "\n"
            "Filters: --since DATE, --until DATE, --type T (repeat or comma\n"
            "list), --actor TEXT, --precision town|county|province,\n"
            "--status auto|reviewed|manual (as for 'bordermap incident list').\n"
            "\n"
            "Options:\n"
            "  --format FORMAT  text (default) or json\n"
            "  --db FILE        database (default " BM_DEFAULT_DB ")\n"
            "  -h, --help       this help\n");
}

typedef struct stats_out {
    json_object *root;   /* json: {"total", "province": [...], ...} */
    const char *last_dim;
    size_t total;        /* from the type dimension (every incident has one) */
} stats_out;

static int visit(void *user, const char *dim, const char *key, size_t n)
{
    stats_out *o = user;
    if (strcmp(dim, "type") == 0)
        o->total += n;
    if (o->root) {
        json_object *arr = NULL;
        if (!json_object_object_get_ex(o->root, dim, &arr)) {
            arr = json_object_new_array();
            json_object_object_add(o->root, dim, arr);
        }
        json_object *row = json_object_new_object();
        json_object_object_add(row, "key",
                               key ? json_object_new_string(key) : NULL);
        json_object_object_add(row, "count",
                               json_object_new_int64((int64_t)n));
        json_object_array_add(arr, row);
        return 0;
    }
    if (!o->last_dim || strcmp(o->last_dim, dim) != 0) {
        printf("%sby %s:\n", o->last_dim ? "\n" : "", dim);
        o->last_dim = dim;
    }
    const char *none =
        strcmp(dim, "month") == 0 ? "(undated/imprecise)" : "(none)";
    printf("  %8zu  %s\n", n, key ? key : none);
    return 0;
}

int cmd_stats(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB;
    int json = 0, rc = BM_EXIT_OK;
    cli_filter cf;
    memset(&cf, 0, sizeof cf);
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        CLI_FILTER_OPTIONS,
        CLI_STATUS_OPTION,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0 ||
                     strcmp(optarg, "table") == 0)
                json = 0;
            else {
                cli_filter_free(&cf);
                return cli_usage_error("stats", "unknown format '%s' (text "
                                       "or json)", optarg);
            }
            break;
        case 'h': help(stdout); cli_filter_free(&cf); return BM_EXIT_OK;
        case CLI_OPT_SINCE: case CLI_OPT_UNTIL: case CLI_OPT_TYPE:
        case CLI_OPT_ACTOR: case CLI_OPT_PRECISION: case CLI_OPT_STATUS:
            rc = cli_filter_option(&cf, c, optarg, "stats");
            if (rc != BM_EXIT_OK) {
                cli_filter_free(&cf);
                return rc;
            }
            break;
        default:
            cli_filter_free(&cf);
            return cli_usage_error("stats", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        cli_filter_free(&cf);
        return cli_usage_error("stats", "unexpected argument '%s'",
                               argv[optind]);
    }
    bm_store *st = NULL;
    stats_out o;
    memset(&o, 0, sizeof o);
    if (json) {
        o.root = json_object_new_object();
        static const char *const dims[] = {"province", "county", "type",
                                           "month"};
        for (size_t i = 0; i < 4; i++)
            json_object_object_add(o.root, dims[i], json_object_new_array());
    }
    if (bm_store_open_existing(ctx, db, 1, &st) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_DB);
    } else if (bm_store_stats(st, &cf.f, visit, &o) != BM_OK) {
        rc = cli_fail_db(ctx);
    } else if (json) {
        json_object_object_add(o.root, "total",
                               json_object_new_int64((int64_t)o.total));
        puts(json_object_to_json_string_ext(
            o.root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    } else {
        printf("\n%zu incident%s\n", o.total, o.total == 1 ? "" : "s");
    }
    json_object_put(o.root);
    bm_store_free(st);
    cli_filter_free(&cf);
    return rc;
}
