/*
 * cmd_geocode.c - `bordermap geocode NAME...`
 */
#include "bm_gazetteer.h"
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap geocode [--limit N] [--format text|json] NAME...\n"
            "\n"
            "Looks each NAME up in the gazetteer and lists the candidates,\n"
            "best first, with coordinates (lat, lon in degrees), kind and\n"
            "parents. Spelling variants, diacritics, Hangul and designators\n"
            "(\"Onsong County\", \"Musan-gun\", \"Ryanggang Province\") are "
            "understood;\nwhen no name matches, romanization variant rules "
            "(eo/o, k/g, ch/j, ...)\nand then edit distance are tried. Each "
            "candidate says why it matched\n(exact, alternate name, alias, "
            "variant rule, fuzzy).\n"
            "\n"
            "Options:\n"
            "  -n, --limit N    candidates per name (default 5)\n"
            "  --format FORMAT  text (default) or json\n"
            "  -h, --help       this help\n"
            "\n"
            "Exit code 1 when a name has no candidate.\n");
}

static void print_point(const bm_gazetteer *gz, const bm_place *p,
                        int json)
{
    double lon, lat;
    bm_precision prec;
    if (bm_gazetteer_point(gz, p, &lon, &lat, &prec) == BM_OK) {
        if (json)
            printf(", \"lat\": %.5f, \"lon\": %.5f, \"precision\": \"%s\"",
                   lat, lon, bm_precision_name(prec));
        else
            printf("  %9.5f %10.5f  %-8s", lat, lon, bm_precision_name(prec));
    } else {
        if (json)
            printf(", \"lat\": null, \"lon\": null, \"precision\": \"unknown\"");
        else
            printf("  %9s %10s  %-8s", "-", "-", "none");
    }
}

int cmd_geocode(bm_ctx *ctx, int argc, char **argv)
{
    int format = CLI_TEXT;
    long limit = 5;
    static const struct option opts[] = {
        {"limit", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': {
            char *end;
            limit = strtol(optarg, &end, 10);
            if (*end || limit < 1 || limit > 100)
                return cli_usage_error("geocode",
                                       "--limit wants 1..100, not '%s'", optarg);
            break;
        }
        case 'f':
            if ((format = cli_parse_format(optarg, 1u << CLI_TEXT |
                                                       1u << CLI_JSON)) < 0)
                return cli_usage_error("geocode", "unknown format '%s' "
                                       "(text or json)", optarg);
            break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("geocode", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("geocode", "no name given");

    bm_gazetteer *gz = NULL;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK)
        return cli_fail(ctx);

    int rc = BM_EXIT_OK;
    bm_candidate cand[100];
    if (format == CLI_JSON)
        printf("[");
    for (int i = optind; i < argc; i++) {
        size_t n = 0;
        bm_status s = bm_gazetteer_lookup_ex(ctx, gz, argv[i],
                                             BM_LOOKUP_FUZZY, cand,
                                             (size_t)limit, &n);
        if (s != BM_OK && s != BM_ERR_NOTFOUND) {
            rc = cli_fail(ctx);
            break;
        }
        if (s == BM_ERR_NOTFOUND) {
            n = 0;
            rc = BM_EXIT_FAIL;
            fprintf(stderr, "bordermap: %s\n", bm_ctx_error(ctx));
        }
        if (format == CLI_JSON) {
            printf("%s\n {\"query\": ", i > optind ? "," : "");
            cli_json_string(stdout, argv[i]);
            if (s == BM_ERR_NOTFOUND) {
                printf(", \"error\": ");
                cli_json_string(stdout, bm_ctx_error(ctx));
            }
            printf(", \"candidates\": [");
            for (size_t k = 0; k < n; k++) {
                const bm_place *p = cand[k].place;
                printf("%s\n  {\"id\": ", k ? "," : "");
                cli_json_string(stdout, p->id);
                printf(", \"name\": ");
                cli_json_string(stdout, p->name);
                printf(", \"matched\": ");
                cli_json_string(stdout, cand[k].matched);
                printf(", \"kind\": \"%s\"", bm_place_kind_name(p->kind));
                print_point(gz, p, 1);
                printf(", \"country\": ");
                cli_json_string(stdout, p->country);
                printf(", \"admin1\": ");
                cli_json_string(stdout, *p->admin1 ? p->admin1 : NULL);
                printf(", \"admin2\": ");
                cli_json_string(stdout, *p->admin2 ? p->admin2 : NULL);
                printf(", \"population\": %ld, \"score\": %.3f, \"reason\": ",
                       p->population, cand[k].score);
                cli_json_string(stdout, cand[k].reason);
                printf("}");
            }
            printf("]}");
        } else if (n) {
            printf("%s:\n", argv[i]);
            printf("  %-2s %-28s  %9s %10s  %-8s %-8s %s\n", "#", "name", "lat",
                   "lon", "point", "kind", "in");
            for (size_t k = 0; k < n; k++) {
                const bm_place *p = cand[k].place;
                /* pad by characters, not bytes: names carry ŏ, ŭ, Hangul */
                size_t w = bm_utf8_codepoints(p->name, strlen(p->name));
                printf("  %-2zu %s%*s", k + 1, p->name,
                       w < 28 ? (int)(28 - w) : 0, "");
                print_point(gz, p, 0);
                printf(" %-8s %s%s%s%s%s  [%s]  %s\n",
                       bm_place_kind_name(p->kind),
                       *p->admin2 ? p->admin2 : "", *p->admin2 ? ", " : "",
                       *p->admin1 ? p->admin1 : "", *p->admin1 ? ", " : "",
                       p->country, p->id, cand[k].reason);
            }
        }
    }
    if (format == CLI_JSON)
        printf("\n]\n");
    bm_gazetteer_free(gz);
    return rc;
}
