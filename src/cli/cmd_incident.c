/*
 * cmd_incident.c - `bordermap incident list|show|add|edit|delete`: the
 * analyst's review of stored incidents; also the incident output formats
 * (table, json, geojson, csv) and filter options shared with `near` and
 * `stats` (declared in cli.h).
 */
#include "bm_gazetteer.h"
#include "bm_store.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared: filters ----------------------------------------------------- */

int cli_filter_option(cli_filter *cf, int opt, const char *arg,
                      const char *cmd)
{
    switch (opt) {
    case CLI_OPT_SINCE: cf->f.since = arg; return 0;
    case CLI_OPT_UNTIL: cf->f.until = arg; return 0;
    case CLI_OPT_ACTOR: cf->f.actor = arg; return 0;
    case CLI_OPT_TYPE: {
        const char *p = arg;
        while (*p) {
            size_t n = strcspn(p, ",");
            if (n > 0) {
                char **t = bm_grow(cf->types, &cf->cap, cf->ntypes + 1,
                                   sizeof *t);
                if (!t)
                    return cli_usage_error(cmd, "out of memory");
                cf->types = t;
                if (!(cf->types[cf->ntypes] = strndup(p, n)))
                    return cli_usage_error(cmd, "out of memory");
                cf->ntypes++;
            }
            p += n;
            if (*p == ',')
                p++;
        }
        cf->f.types = (const char *const *)cf->types;
        cf->f.ntypes = cf->ntypes;
        return 0;
    }
    case CLI_OPT_PRECISION:
        if (strcmp(arg, "town") == 0 || strcmp(arg, "exact") == 0)
            cf->f.max_precision = BM_PREC_EXACT;
        else if (strcmp(arg, "county") == 0)
            cf->f.max_precision = BM_PREC_COUNTY;
        else if (strcmp(arg, "province") == 0)
            cf->f.max_precision = BM_PREC_PROVINCE;
        else if (strcmp(arg, "country") == 0)
            cf->f.max_precision = BM_PREC_COUNTRY;
        else
            return cli_usage_error(cmd, "unknown precision '%s' (town, "
                                   "county, province or country)", arg);
        return 0;
    case CLI_OPT_STATUS: {
        int s = bm_incident_status_parse(arg);
        if (s < 0)
            return cli_usage_error(cmd, "unknown status '%s' (auto, "
                                   "reviewed or manual)", arg);
        cf->f.status = s + 1;
        return 0;
    }
    }
    return cli_usage_error(cmd, "unknown option");
}

void cli_filter_free(cli_filter *cf)
{
    for (size_t i = 0; i < cf->ntypes; i++)
        free(cf->types[i]);
    free(cf->types);
    memset(cf, 0, sizeof *cf);
}

int cli_parse_incident_format(const char *text)
{
    if (strcmp(text, "table") == 0 || strcmp(text, "text") == 0)
        return CLI_FMT_TABLE;
    if (strcmp(text, "json") == 0)
        return CLI_FMT_JSON;
    if (strcmp(text, "geojson") == 0)
        return CLI_FMT_GEOJSON;
    if (strcmp(text, "csv") == 0)
        return CLI_FMT_CSV;
    return -1;
}

/* ---- shared: output ------------------------------------------------------ */

static json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *jnum(double v, int decimals)
{
    if (!isfinite(v))
        return NULL;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return json_object_new_double_s(v, buf);
}

json_object *cli_incident_json(const bm_incident *in, const double *distance_m)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(in->id));
    if (distance_m)
        json_object_object_add(o, "distance_m", jnum(*distance_m, 1));
    json_object_object_add(o, "type", jstr(in->type));
    json_object_object_add(o, "date", jstr(in->date));
    json_object_object_add(
        o, "date_precision",
        in->date_precision == BM_DATE_NONE
            ? NULL
            : jstr(bm_date_precision_name(in->date_precision)));
    json_object_object_add(o, "place", jstr(in->place_name));
    json_object_object_add(o, "place_id", jstr(in->place_id));
    json_object_object_add(o, "country", jstr(in->country));
    json_object_object_add(o, "province", jstr(in->admin1));
    json_object_object_add(o, "county", jstr(in->admin2));
    json_object_object_add(o, "surface", jstr(in->surface));
    json_object_object_add(o, "precision",
                           jstr(bm_precision_name(in->precision)));
    json_object_object_add(o, "lat", jnum(in->lat, 6));
    json_object_object_add(o, "lon", jnum(in->lon, 6));
    json_object_object_add(o, "actor", jstr(in->actor));
    json_object_object_add(o, "confidence", jnum(in->confidence, 3));
    json_object_object_add(o, "status",
                           jstr(bm_incident_status_name(in->status)));
    json_object_object_add(o, "report_id",
                           in->report_id ? json_object_new_int64(in->report_id)
                                         : NULL);
    json_object_object_add(o, "report", jstr(in->report_title));
    json_object_object_add(o, "report_path", jstr(in->report_path));
    json_object_object_add(o, "outlet", jstr(in->report_source));
    json_object_object_add(o, "url", jstr(in->report_url));
    json_object_object_add(o, "sentence", jstr(in->sentence));
    json_object_object_add(o, "created", jstr(in->created));
    json_object_object_add(o, "updated", jstr(in->updated));
    return o;
}

static void csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v, int decimals)
{
    if (isfinite(v))
        fprintf(f, "%.*f", decimals, v);
}

static void print_csv(FILE *f, const bm_incident *const *in,
                      const double *dist, size_t n)
{
    fprintf(f, "id,%stype,date,date_precision,place,place_id,country,"
               "province,county,precision,lat,lon,actor,confidence,status,"
               "report_id,report,outlet,url,sentence\r\n",
            dist ? "distance_m," : "");
    for (size_t i = 0; i < n; i++) {
        const bm_incident *e = in[i];
        fprintf(f, "%lld,", (long long)e->id);
        if (dist)
            fprintf(f, "%.1f,", dist[i]);
        csv_field(f, e->type); fputc(',', f);
        csv_field(f, e->date); fputc(',', f);
        if (e->date_precision != BM_DATE_NONE)
            csv_field(f, bm_date_precision_name(e->date_precision));
        fputc(',', f);
        csv_field(f, e->place_name); fputc(',', f);
        csv_field(f, e->place_id); fputc(',', f);
        csv_field(f, e->country); fputc(',', f);
        csv_field(f, e->admin1); fputc(',', f);
        csv_field(f, e->admin2); fputc(',', f);
        csv_field(f, bm_precision_name(e->precision)); fputc(',', f);
        csv_num(f, e->lat, 6); fputc(',', f);
        csv_num(f, e->lon, 6); fputc(',', f);
        csv_field(f, e->actor); fputc(',', f);
        csv_num(f, e->confidence, 3); fputc(',', f);
        csv_field(f, bm_incident_status_name(e->status)); fputc(',', f);
        if (e->report_id)
            fprintf(f, "%lld", (long long)e->report_id);
        fputc(',', f);
        csv_field(f, e->report_title); fputc(',', f);
        csv_field(f, e->report_source); fputc(',', f);
        csv_field(f, e->report_url); fputc(',', f);
        csv_field(f, e->sentence);
        fputs("\r\n", f);
    }
}

static void print_geojson(FILE *f, const bm_incident *const *in,
                          const double *dist, size_t n)
{
    /* One feature at a time, so a large answer is never one big tree. */
    fputs("{\"type\": \"FeatureCollection\", \"features\": [", f);
    for (size_t i = 0; i < n; i++) {
        json_object *feat = json_object_new_object();
        json_object_object_add(feat, "type",
                               json_object_new_string("Feature"));
        json_object *geom = json_object_new_object();
        json_object_object_add(geom, "type", json_object_new_string("Point"));
        json_object *xy = json_object_new_array();
        json_object_array_add(xy, jnum(in[i]->lon, 6));
        json_object_array_add(xy, jnum(in[i]->lat, 6));
        json_object_object_add(geom, "coordinates", xy);
        json_object_object_add(feat, "geometry", geom);
        json_object_object_add(feat, "properties",
                               cli_incident_json(in[i], dist ? &dist[i] : NULL));
        fprintf(f, "%s\n", i ? "," : "");
        fputs(json_object_to_json_string_ext(feat, JSON_C_TO_STRING_PLAIN |
                                             JSON_C_TO_STRING_NOSLASHESCAPE),
              f);
        json_object_put(feat);
    }
    fputs("\n]}\n", f);
}

/* json: head (owned, consumed) gets "count" and "incidents". */
static void print_json(FILE *f, json_object *head, const bm_incident *const *in,
                       const double *dist, size_t n)
{
    if (!head)
        head = json_object_new_object();
    json_object_object_add(head, "count", json_object_new_int64((int64_t)n));
    /* Written piecewise like geojson. */
    const char *h = json_object_to_json_string_ext(
        head, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t hl = strlen(h);
    fwrite(h, 1, hl - 1, f); /* without the closing brace */
    fputs(hl > 2 ? ", \"incidents\": [" : "\"incidents\": [", f);
    for (size_t i = 0; i < n; i++) {
        json_object *o = cli_incident_json(in[i], dist ? &dist[i] : NULL);
        fprintf(f, "%s\n ", i ? "," : "");
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                             JSON_C_TO_STRING_NOSLASHESCAPE),
              f);
        json_object_put(o);
    }
    fputs("\n]}\n", f);
    json_object_put(head);
}

static void print_table(FILE *f, const bm_incident *const *in, size_t n)
{
    fprintf(f, "%8s  %-8s  %-10s  %-14s  %-20s  %s\n", "id", "status", "date",
            "type", "place", "actor");
    for (size_t i = 0; i < n; i++) {
        const bm_incident *e = in[i];
        fprintf(f, "%8lld  %-8s  %-10s  %-14s  %-20s  %s\n", (long long)e->id,
                bm_incident_status_name(e->status),
                e->date ? e->date : "undated", e->type,
                e->place_name ? e->place_name : "?", e->actor ? e->actor : "");
    }
}

void cli_print_incidents(FILE *f, int format, json_object *json_head,
                         const bm_incident *const *in, const double *dist,
                         size_t n)
{
    switch (format) {
    case CLI_FMT_JSON: print_json(f, json_head, in, dist, n); return;
    case CLI_FMT_GEOJSON: print_geojson(f, in, dist, n); break;
    case CLI_FMT_CSV: print_csv(f, in, dist, n); break;
    default: print_table(f, in, n); break;
    }
    json_object_put(json_head);
}

/* ---- incident ---------------------------------------------------------- */

static void help(FILE *f)
{
    fprintf(f,
        "usage: bordermap incident list [FILTERS] [--format FMT] [--db FILE]\n"
        "       bordermap incident show ID [--format text|json] [--db FILE]\n"
        "       bordermap incident add (--place PLACE | --at LAT,LON) --type TYPE\n"
        "                              [--date DATE] [--actor A] [--evidence TEXT]\n"
        "                              [--report ID] [--db FILE]\n"
        "       bordermap incident edit ID [--type T] [--date D] [--place P |\n"
        "                              --at LAT,LON] [--actor A] [--evidence TEXT]\n"
        "                              [--status reviewed|manual|auto] [--db FILE]\n"
        "       bordermap incident delete ID [--db FILE]\n"
        "\n"
        "Reviews the stored incidents. 'add' enters an incident by hand\n"
        "(status manual) at a gazetteer place or at a point. 'edit' corrects\n"
        "any field; an edited extracted incident becomes 'reviewed' (unless\n"
        "--status says otherwise). 'delete' removes one. Every change is\n"
        "written to the audit table (when, which field, old and new value);\n"
        "'show' prints an incident with its history. Reviewed and manual\n"
        "incidents, and deletions, survive 'bordermap ingest --force'.\n"
        "\n"
        "Filters (list): --since DATE, --until DATE (YYYY, YYYY-MM or\n"
        "YYYY-MM-DD; an incident counts from the first day of its date),\n"
        "--type T (repeat or comma list), --actor TEXT (substring, any case),\n"
        "--precision town|county|province (at least this precise),\n"
        "--status auto|reviewed|manual, --report ID.\n"
        "\n"
        "Options:\n"
        "  --format FMT     table (default), json, geojson or csv\n"
        "  --db FILE        database (default " BM_DEFAULT_DB ")\n"
        "  --date DATE      YYYY-MM-DD, YYYY-MM or YYYY\n"
        "  --place PLACE    gazetteer name (best candidate); sets the point,\n"
        "                   precision, province and county\n"
        "  --at LAT,LON     a point in degrees (precision town)\n"
        "  --evidence TEXT  the sentence or note the incident rests on\n"
        "  -h, --help       this help\n"
        "\n"
        "Examples:\n"
        "  bordermap incident add --place Hoeryong --type arrest --date 2024-01-07\n"
        "  bordermap incident edit 12 --place Musan --status reviewed\n"
        "  bordermap incident list --since 2024-01 --type arrest --format csv\n");
}

enum {
    OPT_DB = 2001, OPT_FORMAT, OPT_PLACE, OPT_AT, OPT_DATE, OPT_EVIDENCE,
    OPT_REPORT, OPT_SETACTOR
};

/* "42.44,129.75" -> lat, lon. 0 when it is not a point. */
int cli_parse_point(const char *s, double *lat, double *lon)
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

static int parse_id(const char *s, int64_t *id)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v <= 0)
        return 0;
    *id = v;
    return 1;
}

/* YYYY, YYYY-MM or YYYY-MM-DD -> precision; 0 when malformed. */
static bm_date_precision date_kind(const char *d)
{
    size_t n = strlen(d);
    for (size_t i = 0; i < n; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return BM_DATE_NONE;
    }
    return n == 10 ? BM_DATE_DAY : n == 7 ? BM_DATE_MONTH
                                 : n == 4 ? BM_DATE_YEAR : BM_DATE_NONE;
}

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = value && *value ? strdup(value) : NULL;
}

/* Moves inc to a gazetteer place. Returns an exit code (0 ok). */
static int set_place(bm_ctx *ctx, bm_incident *inc, const char *name)
{
    bm_gazetteer *gz = NULL;
    bm_candidate cand[1];
    size_t n = 0;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
        bm_gazetteer_lookup(ctx, gz, name, cand, 1, &n) != BM_OK || n == 0) {
        int rc = cli_fail(ctx);
        bm_gazetteer_free(gz);
        return rc;
    }
    const bm_place *p = cand[0].place;
    double lon, lat;
    bm_precision prec;
    if (bm_gazetteer_point(gz, p, &lon, &lat, &prec) != BM_OK) {
        fprintf(stderr, "bordermap: %s (%s) has no coordinates in the "
                "gazetteer\n", name, p->name);
        bm_gazetteer_free(gz);
        return BM_EXIT_FAIL;
    }
    char display[256];
    set_str(&inc->place_name, bm_place_display_name(p, display, sizeof display));
    set_str(&inc->place_id, p->id);
    set_str(&inc->country, p->country);
    set_str(&inc->admin1, p->admin1);
    set_str(&inc->admin2, p->admin2);
    set_str(&inc->surface, name);
    inc->lon = lon;
    inc->lat = lat;
    inc->precision = prec;
    bm_gazetteer_free(gz);
    return 0;
}

static int audit_print(void *user, const bm_store_audit *a)
{
    json_object *arr = user;
    if (arr) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "ts", jstr(a->ts));
        json_object_object_add(o, "field", jstr(a->field));
        json_object_object_add(o, "old", jstr(a->old_value));
        json_object_object_add(o, "new", jstr(a->new_value));
        json_object_object_add(o, "command", jstr(a->command));
        json_object_array_add(arr, o);
        return 0;
    }
    printf("  %s  %-14s %s -> %s  (%s)\n", a->ts, a->field,
           a->old_value ? a->old_value : "(none)",
           a->new_value ? a->new_value : "(none)",
           a->command ? a->command : "");
    return 0;
}

typedef struct inc_list {
    bm_incident *v;
    size_t n, cap;
    int nomem;
} inc_list;

static int list_visit(void *user, const bm_incident *inc)
{
    inc_list *l = user;
    bm_incident *p = bm_grow(l->v, &l->cap, l->n + 1, sizeof *p);
    if (!p) {
        l->nomem = 1;
        return 1;
    }
    l->v = p;
    if (bm_incident_copy(&l->v[l->n], inc) != BM_OK) {
        l->nomem = 1;
        return 1;
    }
    l->n++;
    return 0;
}

static void inc_list_free(inc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        bm_incident_clear(&l->v[i]);
    free(l->v);
}

static void show_text(const bm_incident *e)
{
    printf("incident %lld  [%s]\n", (long long)e->id,
           bm_incident_status_name(e->status));
    printf("  type        %s\n", e->type);
    printf("  date        %s%s%s%s\n", e->date ? e->date : "undated",
           e->date_precision ? " (" : "",
           e->date_precision ? bm_date_precision_name(e->date_precision) : "",
           e->date_precision ? ")" : "");
    printf("  place       %s%s%s%s\n", e->place_name ? e->place_name : "?",
           e->place_id ? " [" : "", e->place_id ? e->place_id : "",
           e->place_id ? "]" : "");
    printf("  province    %s\n  county      %s\n",
           e->admin1 ? e->admin1 : "", e->admin2 ? e->admin2 : "");
    printf("  point       %.6f N, %.6f E (%s)\n", e->lat, e->lon,
           bm_precision_name(e->precision));
    printf("  actors      %s\n", e->actor ? e->actor : "");
    if (isfinite(e->confidence))
        printf("  confidence  %.2f\n", e->confidence);
    printf("  evidence    %s\n", e->sentence ? e->sentence : "");
    if (e->report_id)
        printf("  report      %lld: %s%s%s\n", (long long)e->report_id,
               e->report_title ? e->report_title : "",
               e->report_source ? " - " : "",
               e->report_source ? e->report_source : "");
    if (e->report_url)
        printf("  url         %s\n", e->report_url);
    printf("  created     %s\n  updated     %s\n", e->created ? e->created : "",
           e->updated ? e->updated : "");
    printf("history:\n");
}

int cmd_incident(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB;
    const char *place = NULL, *at = NULL, *date = NULL, *evidence = NULL;
    const char *type = NULL, *actor = NULL, *status_text = NULL;
    int64_t report_id = 0;
    int format = CLI_FMT_TABLE, have_actor = 0, have_evidence = 0;
    cli_filter cf;
    memset(&cf, 0, sizeof cf);
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"place", required_argument, NULL, OPT_PLACE},
        {"at", required_argument, NULL, OPT_AT},
        {"date", required_argument, NULL, OPT_DATE},
        {"evidence", required_argument, NULL, OPT_EVIDENCE},
        {"note", required_argument, NULL, OPT_EVIDENCE},
        {"report", required_argument, NULL, OPT_REPORT},
        CLI_FILTER_OPTIONS,
        CLI_STATUS_OPTION,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c, rc = BM_EXIT_OK;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_FORMAT:
            if ((format = cli_parse_incident_format(optarg)) < 0) {
                cli_filter_free(&cf);
                return cli_usage_error("incident", "unknown format '%s' "
                                       "(table, json, geojson or csv)", optarg);
            }
            break;
        case OPT_PLACE: place = optarg; break;
        case OPT_AT: at = optarg; break;
        case OPT_DATE: date = optarg; break;
        case OPT_EVIDENCE: evidence = optarg; have_evidence = 1; break;
        case OPT_REPORT:
            if (!parse_id(optarg, &report_id)) {
                cli_filter_free(&cf);
                return cli_usage_error("incident", "bad report id '%s'",
                                       optarg);
            }
            cf.f.report_id = report_id;
            break;
        case CLI_OPT_TYPE:
            type = optarg;
            rc = cli_filter_option(&cf, c, optarg, "incident");
            break;
        case CLI_OPT_ACTOR:
            actor = optarg;
            have_actor = 1;
            rc = cli_filter_option(&cf, c, optarg, "incident");
            break;
        case CLI_OPT_STATUS:
            status_text = optarg;
            rc = cli_filter_option(&cf, c, optarg, "incident");
            break;
        case CLI_OPT_SINCE: case CLI_OPT_UNTIL: case CLI_OPT_PRECISION:
            rc = cli_filter_option(&cf, c, optarg, "incident");
            break;
        case 'h': help(stdout); cli_filter_free(&cf); return BM_EXIT_OK;
        default:
            cli_filter_free(&cf);
            return cli_usage_error("incident", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
        if (rc != BM_EXIT_OK) {
            cli_filter_free(&cf);
            return rc;
        }
    }
    if (optind >= argc) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "no action given (list, show, add, "
                               "edit or delete)");
    }
    const char *action = argv[optind];
    int64_t id = 0;
    int is_list = strcmp(action, "list") == 0;
    int is_add = strcmp(action, "add") == 0;
    int needs_id = strcmp(action, "show") == 0 || strcmp(action, "edit") == 0 ||
                   strcmp(action, "delete") == 0;
    if (!is_list && !is_add && !needs_id) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "unknown action '%s' (list, show, "
                               "add, edit or delete)", action);
    }
    if (needs_id && (optind + 1 >= argc || !parse_id(argv[optind + 1], &id))) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "%s needs an incident id", action);
    }
    if (optind + (needs_id ? 2 : 1) < argc) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "unexpected argument '%s'",
                               argv[optind + (needs_id ? 2 : 1)]);
    }
    if (date && *date && date_kind(date) == BM_DATE_NONE) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "bad date '%s' (YYYY-MM-DD, "
                               "YYYY-MM or YYYY)", date);
    }
    double at_lat = 0, at_lon = 0;
    if (at && !cli_parse_point(at, &at_lat, &at_lon)) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "bad point '%s' (LAT,LON in "
                               "degrees)", at);
    }
    if (place && at) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "give --place or --at, not both");
    }
    if (is_add && (!type || (!place && !at))) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "add needs --type and --place or "
                               "--at");
    }
    if (type && strchr(type, ',') && !is_list) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "one --type for %s", action);
    }

    int readonly = is_list || strcmp(action, "show") == 0;
    bm_store *st = NULL;
    if ((readonly ? bm_store_open_existing(ctx, db, 1, &st)
                  : (is_add ? (cli_ensure_parent(ctx, db) == 0
                                   ? bm_store_open(ctx, db, &st)
                                   : BM_ERR_IO)
                            : bm_store_open_existing(ctx, db, 0, &st))) !=
        BM_OK) {
        cli_filter_free(&cf);
        return cli_fail_code(ctx, BM_EXIT_DB);
    }

    char command[64];
    snprintf(command, sizeof command, "incident %s", action);
    if (is_list) {
        inc_list l = {0};
        if (bm_store_find(st, &cf.f, list_visit, &l) != BM_OK) {
            rc = cli_fail_db(ctx);
        } else if (l.nomem) {
            fprintf(stderr, "bordermap: out of memory listing incidents\n");
            rc = BM_EXIT_FAIL;
        } else {
            const bm_incident **p = calloc(l.n ? l.n : 1, sizeof *p);
            for (size_t i = 0; p && i < l.n; i++)
                p[i] = &l.v[i];
            if (p)
                cli_print_incidents(stdout, format, NULL, p, NULL, l.n);
            free(p);
        }
        inc_list_free(&l);
    } else if (strcmp(action, "show") == 0) {
        bm_incident e;
        if (bm_store_get_incident(st, id, &e) != BM_OK) {
            rc = cli_fail_db(ctx);
        } else if (format == CLI_FMT_JSON) {
            json_object *o = cli_incident_json(&e, NULL);
            json_object *hist = json_object_new_array();
            bm_store_each_audit(st, id, audit_print, hist);
            json_object_object_add(o, "history", hist);
            puts(json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
            bm_incident_clear(&e);
        } else {
            show_text(&e);
            if (bm_store_each_audit(st, id, audit_print, NULL) != BM_OK)
                rc = cli_fail_db(ctx);
            bm_incident_clear(&e);
        }
    } else if (is_add || strcmp(action, "edit") == 0) {
        bm_incident e;
        memset(&e, 0, sizeof e);
        if (!is_add && bm_store_get_incident(st, id, &e) != BM_OK) {
            rc = cli_fail_db(ctx);
        } else {
            bm_incident_status was = e.status;
            if (is_add) {
                e.confidence = 1.0;
                e.report_id = report_id;
                e.precision = BM_PREC_EXACT;
            }
            if (type)
                set_str(&e.type, type);
            if (date) {
                set_str(&e.date, date);
                e.date_precision = *date ? date_kind(date) : BM_DATE_NONE;
            }
            if (have_actor)
                set_str(&e.actor, actor);
            if (have_evidence)
                set_str(&e.sentence, evidence);
            if (place)
                rc = set_place(ctx, &e, place);
            else if (at) {
                char buf[64];
                snprintf(buf, sizeof buf, "%.5f, %.5f", at_lat, at_lon);
                set_str(&e.place_name, buf);
                set_str(&e.place_id, NULL);
                set_str(&e.surface, NULL);
                set_str(&e.admin1, NULL);
                set_str(&e.admin2, NULL);
                e.lon = at_lon;
                e.lat = at_lat;
                e.precision = BM_PREC_EXACT;
            }
            if (status_text)
                e.status = (bm_incident_status)bm_incident_status_parse(
                    status_text);
            else if (!is_add && was == BM_STATUS_AUTO)
                e.status = BM_STATUS_REVIEWED; /* a person looked at it */
            if (rc == BM_EXIT_OK && is_add) {
                int64_t new_id = 0;
                if (bm_store_add_incident(st, &e, command, &new_id) != BM_OK)
                    rc = cli_fail_db(ctx);
                else
                    printf("added incident %lld: %s at %s (%.5f N, %.5f E)\n",
                           (long long)new_id, e.type,
                           e.place_name ? e.place_name : "?", e.lat, e.lon);
            } else if (rc == BM_EXIT_OK) {
                size_t changed = 0;
                if (bm_store_update_incident(st, &e, command, &changed) !=
                    BM_OK)
                    rc = cli_fail_db(ctx);
                else
                    printf("edited incident %lld: %zu field%s changed, status "
                           "%s\n", (long long)id, changed,
                           changed == 1 ? "" : "s",
                           bm_incident_status_name(e.status));
            }
        }
        bm_incident_clear(&e);
    } else { /* delete */
        if (bm_store_delete_incident(st, id, command) != BM_OK)
            rc = cli_fail_db(ctx);
        else
            printf("deleted incident %lld\n", (long long)id);
    }
    bm_store_free(st);
    cli_filter_free(&cf);
    return rc;
}
