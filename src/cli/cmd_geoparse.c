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
            "usage: bordermap geoparse [--format text|jsonl] FILE...\n"
            "\n"
            "Finds the place mentions and incidents in each report and prints\n"
            "them; nothing is stored. With --format jsonl every mention and\n"
            "incident is one JSON object a line:\n"
            "  {\"file\", \"type\":\"mention\", \"surface\", \"start\", \"end\",\n"
            "   \"name\", \"place_id\", \"kind\", \"lat\", \"lon\", \"precision\"}\n"
            "  {\"file\", \"type\":\"incident\", \"event_type\", \"event_date\",\n"
            "   \"date_precision\", \"actor\", \"name\", \"lat\", \"lon\",\n"
            "   \"precision\", \"sentence\"}\n"
            "Offsets are Unicode code points into the report's body.\n"
            "\n"
            "Options:\n"
            "  --format FORMAT  text (default) or jsonl\n"
            "  -h, --help       this help\n"
            "\n"
            "A bad file is named on stderr and the rest go on (exit code 1).\n");
}

static void print_jsonl(const char *path, const bm_report *r,
                        const bm_mentions *m, const bm_incidents *inc)
{
    (void)r;
    for (size_t i = 0; i < m->count; i++) {
        const bm_mention *x = &m->items[i];
        printf("{\"file\": ");
        cli_json_string(stdout, path);
        printf(", \"type\": \"mention\", \"surface\": ");
        cli_json_string(stdout, x->surface);
        printf(", \"start\": %zu, \"end\": %zu, \"name\": ", x->start, x->end);
        cli_json_string(stdout, x->place ? x->place->ascii_name : NULL);
        printf(", \"place_id\": ");
        cli_json_string(stdout, x->place ? x->place->id : NULL);
        printf(", \"kind\": ");
        cli_json_string(stdout,
                        x->place ? bm_place_kind_name(x->place->kind) : NULL);
        if (x->has_point)
            printf(", \"lat\": %.5f, \"lon\": %.5f", x->lat, x->lon);
        else
            printf(", \"lat\": null, \"lon\": null");
        printf(", \"precision\": \"%s\", \"confidence\": %.2f}\n",
               bm_precision_name(x->precision), x->confidence);
    }
    for (size_t i = 0; i < inc->count; i++) {
        const bm_incident *x = &inc->items[i];
        printf("{\"file\": ");
        cli_json_string(stdout, path);
        printf(", \"type\": \"incident\", \"event_type\": ");
        cli_json_string(stdout, x->type);
        printf(", \"event_date\": ");
        cli_json_string(stdout, x->date);
        printf(", \"date_precision\": \"%s\", \"actor\": ",
               bm_date_precision_name(x->date_precision));
        cli_json_string(stdout, x->actor);
        printf(", \"name\": ");
        cli_json_string(stdout, x->place_name);
        printf(", \"place_id\": ");
        cli_json_string(stdout, x->place_id);
        printf(", \"lat\": %.5f, \"lon\": %.5f, \"precision\": \"%s\", "
               "\"sentence_offset\": %zu, \"sentence\": ",
               x->lat, x->lon, bm_precision_name(x->precision),
               x->sentence_offset);
        cli_json_string(stdout, x->sentence);
        printf("}\n");
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
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
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
        bm_status s = bm_report_load(ctx, argv[i], &r);
        if (s == BM_OK)
            s = bm_geoparse_mentions(ctx, gz, r, &m);
        if (s == BM_OK)
            s = bm_geoparse_incidents(ctx, gz, r, &m, &inc);
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
