/*
 * cmd_geoparse.c - `bordermap geoparse [--format text|jsonl] FILE...`
 * Shows what ingest would find, without storing anything.
 */
#include "bm_gazetteer.h"
#include "bm_geoparse.h"
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap geoparse [--format text|jsonl] [--date DATE]\n"
            "                          [--source OUTLET] FILE...\n"
            "\n"
            "Finds the place mentions and incidents in each report (.txt,\n"
            ".md, .html) and prints them; nothing is stored. With --format\n"
            "jsonl every mention and incident is one JSON object a line\n"
            "(docs/geoparse-format.md):\n"
            "  {\"file\", \"type\":\"mention\", \"surface\", \"start\", \"end\",\n"
            "   \"place_id\", \"name\", \"kind\", \"country\", \"admin1\", \"admin2\",\n"
            "   \"lat\", \"lon\", \"confidence\", \"reason\"}\n"
            "  {\"file\", \"type\":\"incident\", \"event_type\", \"event_date\",\n"
            "   \"time_precision\", \"actors\", \"place_id\", \"name\", \"lat\",\n"
            "   \"lon\", \"geo_precision\", \"evidence\", \"confidence\"}\n"
            "Offsets are Unicode code points into the report's body;\n"
            "unresolved mentions have null place and coordinates.\n"
            "\n"
            "Options:\n"
            "  --format FORMAT  text (default) or jsonl\n"
            "  --date DATE      publication date (2024-01-18, \"Jan. 18, 2024\"),\n"
            "                   overrides the report's; relative dates in the\n"
            "                   text are resolved against it\n"
            "  --source OUTLET  outlet (\"Daily NK\"), overrides the report's\n"
            "  -h, --help       this help\n"
            "\n"
            "A bad file is named on stderr and the rest go on (exit code 1).\n");
}

/* ACLED time precision as a word: day, week, month, year; NULL undated. */
static const char *time_precision(const bm_incident *x)
{
    if (!x->date || !*x->date)
        return NULL;
    size_t n = strlen(x->date);
    switch (x->date_precision) {
    case BM_DATE_DAY: return "day";
    case BM_DATE_MONTH: return "month";
    case BM_DATE_YEAR: return "year";
    case BM_DATE_PERIOD: /* a span: its width follows the date written */
        return n >= 10 ? "week" : n >= 7 ? "month" : "year";
    default: return n >= 10 ? "day" : n >= 7 ? "month" : "year";
    }
}

/* ACLED geo_precision: 1 town or site, 2 near a town or part of a region
 * (county), 3 province or larger; 0 unknown. */
static int geo_precision(bm_precision p)
{
    switch (p) {
    case BM_PREC_EXACT: return 1;
    case BM_PREC_COUNTY: return 2;
    case BM_PREC_PROVINCE:
    case BM_PREC_COUNTRY: return 3;
    default: return 0;
    }
}

static void json_field(const char *key, const char *val)
{
    printf(", \"%s\": ", key);
    cli_json_string(stdout, val && *val ? val : NULL);
}

static void print_jsonl(const char *path, const bm_report *r,
                        const bm_mentions *m, const bm_incidents *inc)
{
    (void)r;
    for (size_t i = 0; i < m->count; i++) {
        const bm_mention *x = &m->items[i];
        const bm_place *p = x->place;
        printf("{\"file\": ");
        cli_json_string(stdout, path);
        printf(", \"type\": \"mention\"");
        json_field("surface", x->surface);
        printf(", \"start\": %zu, \"end\": %zu", x->start, x->end);
        json_field("place_id", p ? p->id : NULL);
        json_field("name", p ? p->ascii_name : NULL);
        json_field("kind", p ? bm_place_kind_name(p->kind) : NULL);
        json_field("country", p ? p->country : NULL);
        json_field("admin1", p ? p->admin1 : NULL);
        json_field("admin2", p ? p->admin2 : NULL);
        if (x->has_point)
            printf(", \"lat\": %.5f, \"lon\": %.5f", x->lat, x->lon);
        else
            printf(", \"lat\": null, \"lon\": null");
        printf(", \"confidence\": %.2f", x->confidence);
        json_field("reason", x->reason);
        printf("}\n");
    }
    for (size_t i = 0; i < inc->count; i++) {
        const bm_incident *x = &inc->items[i];
        printf("{\"file\": ");
        cli_json_string(stdout, path);
        printf(", \"type\": \"incident\"");
        json_field("event_type", x->type);
        json_field("event_date", x->date);
        json_field("time_precision", time_precision(x));
        printf(", \"actors\": [");
        /* canonical names joined with "; " */
        const char *a = x->actor;
        int first = 1;
        while (a && *a) {
            const char *e = strstr(a, "; ");
            size_t n = e ? (size_t)(e - a) : strlen(a);
            char one[256];
            snprintf(one, sizeof one, "%.*s", (int)n, a);
            printf("%s", first ? "" : ", ");
            cli_json_string(stdout, one);
            first = 0;
            a = e ? e + 2 : a + n;
        }
        printf("]");
        json_field("place_id", x->place_id);
        json_field("name", x->place_name);
        json_field("country", x->country);
        json_field("admin1", x->admin1);
        json_field("admin2", x->admin2);
        printf(", \"lat\": %.5f, \"lon\": %.5f", x->lat, x->lon);
        int gp = geo_precision(x->precision);
        if (gp)
            printf(", \"geo_precision\": %d", gp);
        else
            printf(", \"geo_precision\": null");
        json_field("evidence", x->sentence);
        printf(", \"evidence_start\": %zu, \"confidence\": %.2f}\n",
               x->sentence_offset, x->confidence);
    }
}

static void print_text(const char *path, const bm_report *r,
                       const bm_mentions *m, const bm_incidents *inc)
{
    printf("%s\n  title: %s\n", path, r->title ? r->title : "(none)");
    if (r->date)
        printf("  date:  %s (%s)\n", r->date,
               bm_date_precision_name(r->date_precision));
    printf("  places (%zu):\n", m->count);
    for (size_t i = 0; i < m->count; i++) {
        const bm_mention *x = &m->items[i];
        printf("    %5zu  %-26s -> ", x->start, x->surface);
        if (x->place && x->has_point)
            printf("%s (%s) %.4f N %.4f E\n", x->place->ascii_name,
                   bm_precision_name(x->precision), x->lat, x->lon);
        else if (x->place)
            printf("%s (no coordinates)\n", x->place->ascii_name);
        else
            printf("unresolved\n");
    }
    printf("  incidents (%zu):\n", inc->count);
    for (size_t i = 0; i < inc->count; i++) {
        const bm_incident *x = &inc->items[i];
        printf("    %-12s at %s (%s), %s, by %s\n      \"%.200s\"\n", x->type,
               x->place_name ? x->place_name : "?",
               bm_precision_name(x->precision), x->date ? x->date : "undated",
               x->actor ? x->actor : "unknown actor",
               x->sentence ? x->sentence : "");
    }
}

int cmd_geoparse(bm_ctx *ctx, int argc, char **argv)
{
    int format = CLI_TEXT;
    cli_report_overrides ov = {0};
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"date", required_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if ((format = cli_parse_format(optarg, 1u << CLI_TEXT |
                                                       1u << CLI_JSONL)) < 0)
                return cli_usage_error("geoparse", "unknown format '%s' "
                                       "(text or jsonl)", optarg);
            break;
        case 'd':
            if (cli_set_date_override(&ov, "geoparse", optarg))
                return BM_EXIT_USAGE;
            break;
        case 's': ov.source = optarg; break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("geoparse", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("geoparse", "no report given");

    bm_gazetteer *gz = NULL;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK)
        return cli_fail(ctx);
    int rc = BM_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents inc = {0};
        bm_status s = cli_geoparse_file(ctx, gz, argv[i], &ov, &r, &m, &inc);
        if (s != BM_OK) {
            fprintf(stderr, "bordermap: %s\n", bm_ctx_error(ctx));
            rc = BM_EXIT_FAIL;
        } else if (format == CLI_JSONL) {
            print_jsonl(argv[i], r, &m, &inc);
        } else {
            print_text(argv[i], r, &m, &inc);
        }
        cli_flush_warnings(ctx);
        bm_incidents_free(&inc);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    bm_gazetteer_free(gz);
    return rc;
}
