/*
 * cmd_geoparse.c - `bordermap geoparse [--format text|jsonl] FILE...`
 * Shows what ingest would find, without storing anything.
 */
#include "bm_gazetteer.h"
#include "bm_geoparse.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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

/* The time precision as a word, after ACLED's: day (1), week (2: a part
 * of a month), month (3), and season, year, reported (dated only by its
 * report: on or before); NULL undated. */
static const char *time_precision(const bm_incident *x)
{
    if (!x->date || !*x->date)
        return NULL;
    switch (x->date_precision) {
    case BM_DATE_DAY: return "day";
    case BM_DATE_PERIOD: return "week";
    case BM_DATE_MONTH: return "month";
    case BM_DATE_SEASON: return "season";
    case BM_DATE_YEAR: return "year";
    case BM_DATE_REPORTED: return "reported";
    case BM_DATE_NONE: break;
    }
    size_t n = strlen(x->date);
    return n >= 10 ? "day" : n >= 7 ? "month" : "year";
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

/* ---- jsonl output ------------------------------------------------------
 * One report's lines are built in a buffer and written with one fwrite:
 * printf and json-c per field were a tenth of the run time. The text is
 * byte for byte what printf("%zu"/"%.5f"/"%.2f") and cli_json_string()
 * (json-c, plain, slashes not escaped) write. */

typedef struct obuf {
    char *d;
    size_t len, cap;
    int nomem; /* an allocation failed: the report's lines are dropped */
} obuf;

/* Room for n more bytes; 0 when out of memory. */
static int ob_room(obuf *b, size_t n)
{
    if (b->nomem)
        return 0;
    if (b->len + n <= b->cap)
        return 1;
    size_t c = b->cap ? b->cap : 8192;
    while (c < b->len + n)
        c *= 2;
    char *d = realloc(b->d, c);
    if (!d) {
        b->nomem = 1;
        return 0;
    }
    b->d = d;
    b->cap = c;
    return 1;
}

static void ob_put(obuf *b, const char *s, size_t n)
{
    if (ob_room(b, n)) {
        memcpy(b->d + b->len, s, n);
        b->len += n;
    }
}

#define OB_LIT(b, lit) ob_put((b), "" lit, sizeof(lit) - 1)

static void ob_uint(obuf *b, size_t v)
{
    char t[24];
    size_t k = sizeof t;
    do {
        t[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ob_put(b, t + k, sizeof t - k);
}

/* printf("%.*f", decimals, x) for decimals 2 or 5. The value times
 * 10^decimals is rounded here when it is clearly not near a half (the
 * product's rounding error is far below the margin); otherwise, and for
 * large or odd values, snprintf decides. */
static void ob_fixed(obuf *b, double x, int decimals)
{
    static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5};
    double ax = fabs(x);
    if (isfinite(x) && ax < 1e9 && decimals >= 0 && decimals <= 5) {
        double y = ax * scale[decimals];
        double fl = floor(y), fr = y - fl;
        if (fabs(fr - 0.5) > 1e-6) {
            uint64_t r = (uint64_t)fl + (fr > 0.5);
            uint64_t p = (uint64_t)scale[decimals];
            char t[48];
            size_t k = sizeof t;
            uint64_t frac = r % p, ip = r / p;
            for (int i = 0; i < decimals; i++) {
                t[--k] = (char)('0' + frac % 10);
                frac /= 10;
            }
            if (decimals)
                t[--k] = '.';
            do {
                t[--k] = (char)('0' + ip % 10);
                ip /= 10;
            } while (ip);
            if (signbit(x))
                t[--k] = '-';
            ob_put(b, t + k, sizeof t - k);
            return;
        }
    }
    char t[512];
    int n = snprintf(t, sizeof t, "%.*f", decimals, x);
    if (n > 0)
        ob_put(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

/* A JSON string of s[0..n) as json-c writes it (JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE): ", \ and control characters escaped,
 * everything else (UTF-8 included) as is. */
static void ob_json_n(obuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* worst case: every byte becomes \u00XX */
    if (!ob_room(b, n * 6 + 2))
        return;
    char *o = b->d + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        /* eight bytes at a time while none is ", \ or a control
         * character (most text) */
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            const uint64_t ones = 0x0101010101010101ull,
                           high = 0x8080808080808080ull;
            uint64_t q = v ^ (ones * '"'), bs = v ^ (ones * '\\');
            uint64_t hit = ((v - ones * 0x20) & ~v) |
                           ((q - ones) & ~q) | ((bs - ones) & ~bs);
            if (hit & high)
                break;
            memcpy(o, s + i, 8);
            o += 8;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->d);
}

/* cli_json_string(): null for NULL. */
static void ob_json(obuf *b, const char *s)
{
    if (s)
        ob_json_n(b, s, strlen(s));
    else
        OB_LIT(b, "null");
}

/* ", \"key\": " and the value; "" and NULL are null. */
static void ob_field(obuf *b, const char *key_lit, size_t key_len,
                     const char *val)
{
    ob_put(b, key_lit, key_len);
    ob_json(b, val && *val ? val : NULL);
}
#define OB_FIELD(b, key, val)                                                \
    ob_field((b), ", \"" key "\": ", sizeof(", \"" key "\": ") - 1, (val))

static void print_jsonl(obuf *b, const char *path, const bm_report *r,
                        const bm_mentions *m, const bm_incidents *inc)
{
    (void)r;
    /* "{\"file\": <path>" once, copied to every line */
    size_t head0 = b->len;
    OB_LIT(b, "{\"file\": ");
    ob_json(b, path);
    size_t headn = b->len - head0;
    char *head = malloc(headn ? headn : 1);
    if (!head) {
        b->nomem = 1;
        return;
    }
    if (!b->nomem)
        memcpy(head, b->d + head0, headn);
    b->len = head0;
    for (size_t i = 0; i < m->count; i++) {
        const bm_mention *x = &m->items[i];
        const bm_place *p = x->place;
        ob_put(b, head, headn);
        OB_LIT(b, ", \"type\": \"mention\"");
        OB_FIELD(b, "surface", x->surface);
        OB_LIT(b, ", \"start\": ");
        ob_uint(b, x->start);
        OB_LIT(b, ", \"end\": ");
        ob_uint(b, x->end);
        OB_FIELD(b, "place_id", p ? p->id : NULL);
        OB_FIELD(b, "name", p ? p->ascii_name : NULL);
        OB_FIELD(b, "kind", p ? bm_place_kind_name(p->kind) : NULL);
        OB_FIELD(b, "country", p ? p->country : NULL);
        OB_FIELD(b, "admin1", p ? p->admin1 : NULL);
        OB_FIELD(b, "admin2", p ? p->admin2 : NULL);
        if (x->has_point) {
            OB_LIT(b, ", \"lat\": ");
            ob_fixed(b, x->lat, 5);
            OB_LIT(b, ", \"lon\": ");
            ob_fixed(b, x->lon, 5);
        } else {
            OB_LIT(b, ", \"lat\": null, \"lon\": null");
        }
        OB_LIT(b, ", \"confidence\": ");
        ob_fixed(b, x->confidence, 2);
        OB_FIELD(b, "reason", x->reason);
        OB_LIT(b, "}\n");
    }
    for (size_t i = 0; i < inc->count; i++) {
        const bm_incident *x = &inc->items[i];
        ob_put(b, head, headn);
        OB_LIT(b, ", \"type\": \"incident\"");
        if (x->is_main)
            OB_LIT(b, ", \"main\": true");
        else
            OB_LIT(b, ", \"main\": false");
        OB_FIELD(b, "event_type", x->type);
        OB_FIELD(b, "event_date", x->date);
        OB_FIELD(b, "time_precision", time_precision(x));
        OB_FIELD(b, "date_start", x->date_start);
        OB_FIELD(b, "date_end", x->date_end);
        OB_LIT(b, ", \"actors\": [");
        /* canonical names joined with "; " (each cut at 255 bytes, as
         * before) */
        const char *a = x->actor;
        int first = 1;
        while (a && *a) {
            const char *e = strstr(a, "; ");
            size_t n = e ? (size_t)(e - a) : strlen(a);
            if (!first)
                OB_LIT(b, ", ");
            ob_json_n(b, a, n < 255 ? n : 255);
            first = 0;
            a = e ? e + 2 : a + n;
        }
        OB_LIT(b, "]");
        OB_FIELD(b, "place_id", x->place_id);
        OB_FIELD(b, "name", x->place_name);
        OB_FIELD(b, "country", x->country);
        OB_FIELD(b, "admin1", x->admin1);
        OB_FIELD(b, "admin2", x->admin2);
        OB_LIT(b, ", \"lat\": ");
        ob_fixed(b, x->lat, 5);
        OB_LIT(b, ", \"lon\": ");
        ob_fixed(b, x->lon, 5);
        int gp = geo_precision(x->precision);
        if (gp) {
            OB_LIT(b, ", \"geo_precision\": ");
            ob_uint(b, (size_t)gp);
        } else {
            OB_LIT(b, ", \"geo_precision\": null");
        }
        OB_FIELD(b, "evidence", x->sentence);
        OB_LIT(b, ", \"evidence_start\": ");
        ob_uint(b, x->sentence_offset);
        /* the other sentences of a merged incident */
        OB_LIT(b, ", \"evidence_more\": [");
        for (const char *e = x->evidence_more; e && *e;) {
            const char *nl = strchr(e, '\n');
            size_t n = nl ? (size_t)(nl - e) : strlen(e);
            if (e != x->evidence_more)
                OB_LIT(b, ", ");
            ob_json_n(b, e, n);
            e = nl ? nl + 1 : e + n;
        }
        OB_LIT(b, "]");
        OB_LIT(b, ", \"confidence\": ");
        ob_fixed(b, x->confidence, 2);
        OB_LIT(b, "}\n");
    }
    free(head);
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
        char when[96];
        cli_date_label(x, when, sizeof when);
        printf("  %s %-12s at %s (%s), %s, by %s\n      \"%.200s\"\n",
               x->is_main ? "*" : " ", x->type,
               x->place_name ? x->place_name : "?",
               bm_precision_name(x->precision), when,
               x->actor ? x->actor : "unknown actor",
               x->sentence ? x->sentence : "");
        size_t more = 0;
        for (const char *e = x->evidence_more; e && *e; e++)
            more += *e == '\n';
        if (x->evidence_more && *x->evidence_more)
            printf("      (and %zu more sentence%s)\n", more + 1,
                   more ? "s" : "");
    }
    if (inc->count)
        printf("  (* the main incident: what the report is about)\n");
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
    bm_extractor *ex = bm_extractor_new();
    if (!ex) {
        bm_gazetteer_free(gz);
        fprintf(stderr, "bordermap: out of memory\n");
        return BM_EXIT_FAIL;
    }
    int rc = BM_EXIT_OK;
    obuf ob = {0};

    for (int i = optind; i < argc; i++) {
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents inc = {0};
        /* cli_geoparse_file(), without the SHA-256 nothing here shows */
        bm_status s = bm_report_load_ex(ctx, argv[i], BM_REPORT_NO_HASH, &r);
        if (s == BM_OK && (ov.date_arg || ov.source))
            s = bm_report_override(ctx, r, ov.date_arg ? ov.date_iso : NULL,
                                   ov.date_prec, ov.source);
        if (s == BM_OK)
            s = bm_geoparse_mentions(ctx, gz, r, &m);
        if (s == BM_OK)
            s = bm_geoparse_incidents_ex(ctx, gz, ex, r, &m, &inc);
        if (s != BM_OK) {
            fprintf(stderr, "bordermap: %s\n", bm_ctx_error(ctx));
            rc = BM_EXIT_FAIL;
        } else if (format == CLI_JSONL) {
            /* the lines of several reports go out in one write of 64 KiB
             * or more (stdout's own buffer is 4 KiB) */
            size_t keep = ob.len;
            print_jsonl(&ob, argv[i], r, &m, &inc);
            if (ob.nomem) {
                fprintf(stderr, "bordermap: %s: out of memory\n", argv[i]);
                ob.nomem = 0;
                ob.len = keep;
                rc = BM_EXIT_FAIL;
            }
            if (ob.len >= ((size_t)64 << 10)) {
                fwrite(ob.d, 1, ob.len, stdout);
                ob.len = 0;
            }
        } else {
            print_text(argv[i], r, &m, &inc);
        }
        cli_flush_warnings(ctx);
        bm_incidents_free(&inc);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    if (ob.len)
        fwrite(ob.d, 1, ob.len, stdout);
    free(ob.d);
    bm_extractor_free(ex);
    bm_gazetteer_free(gz);
    return rc;
}
