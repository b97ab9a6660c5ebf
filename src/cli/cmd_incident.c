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
    json_object_object_add(o, "date_start", jstr(in->date_start));
    json_object_object_add(o, "date_end", jstr(in->date_end));
    json_object_object_add(o, "is_main", json_object_new_boolean(in->is_main));
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
    json_object_object_add(o, "evidence_more", jstr(in->evidence_more));
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
               "report_id,report,outlet,url,sentence,date_start,date_end,"
               "is_main,evidence_more\r\n",
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
        csv_field(f, e->sentence); fputc(',', f);
        csv_field(f, e->date_start); fputc(',', f);
        csv_field(f, e->date_end); fputc(',', f);
        fputs(e->is_main ? "1," : "0,", f);
        csv_field(f, e->evidence_more);
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
    int any_main = 0;
    fprintf(f, "%8s  %-8s  %-19s  %-15s  %-20s  %s\n", "id", "status", "date",
            " type", "place", "actor");
    for (size_t i = 0; i < n; i++) {
        const bm_incident *e = in[i];
        char date[64];
        fprintf(f, "%8lld  %-8s  %-19s  %c%-14s  %-20s  %s\n",
                (long long)e->id, bm_incident_status_name(e->status),
                cli_date_short(e, date, sizeof date), e->is_main ? '*' : ' ',
                e->type, e->place_name ? e->place_name : "?",
                e->actor ? e->actor : "");
        any_main |= e->is_main;
    }
    if (any_main)
        fputs("(* the main incident of its report)\n", f);
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
        "                              [DATE OPTIONS] [--actor A] [--evidence TEXT]\n"
        "                              [--report ID] [--db FILE]\n"
        "       bordermap incident edit ID [--type T] [DATE OPTIONS] [--place P |\n"
        "                              --at LAT,LON] [--actor A] [--evidence TEXT]\n"
        "                              [--main yes|no]\n"
        "                              [--status reviewed|manual|auto] [--db FILE]\n"
        "       bordermap incident delete ID [--db FILE]\n"
        "\n"
        "Reviews the stored incidents. 'add' enters an incident by hand\n"
        "(status manual) at a gazetteer place or at a point. 'edit' corrects\n"
        "any field; an edited extracted incident becomes 'reviewed' (unless\n"
        "--status says otherwise). 'delete' removes one. Every change is\n"
        "written to the audit table (when, which field, old and new value);\n"
        "'show' prints an incident with its date range, whether it is the\n"
        "main incident of its report, its evidence and its history. Reviewed\n"
        "and manual incidents, and deletions, survive 'bordermap ingest\n"
        "--force'. In tables a '*' before the type marks the main incident of\n"
        "its report, and the date is followed by its precision.\n"
        "\n"
        "Filters (list): --since DATE, --until DATE (YYYY, YYYY-MM or\n"
        "YYYY-MM-DD): the whole range of days an incident's date may mean must\n"
        "lie within them, so --since 2024-06 --until 2024-06 keeps the days,\n"
        "parts of the month and the month of June 2024 but not an incident\n"
        "dated only 2024; an incident dated only by its report's date passes\n"
        "--until, never --since; undated incidents pass neither.\n"
        "--type T (repeat or comma list), --actor TEXT (substring, any case),\n"
        "--precision town|county|province (at least this precise),\n"
        "--status auto|reviewed|manual, --report ID.\n"
        "\n"
        "Date options (add, edit):\n"
        "  --date DATE             YYYY-MM-DD, YYYY-MM or YYYY (a day that\n"
        "                          exists); sets the precision (day, month or\n"
        "                          year) and the range (the whole day, month or\n"
        "                          year); --date '' clears the date\n"
        "  --date-precision NAME   day, month, year, period (part of a month:\n"
        "                          date YYYY-MM), season (date YYYY, the year\n"
        "                          of its first month) or reported (the text\n"
        "                          dates nothing: the date is the report's, the\n"
        "                          latest possible day); resets the range\n"
        "  --date-start YYYY-MM-DD narrow the range: its first and last day,\n"
        "  --date-end YYYY-MM-DD   within what the date allows (a season may\n"
        "                          end by the next February)\n"
        "\n"
        "Options:\n"
        "  --format FMT     table (default), json, geojson or csv (json and\n"
        "                   csv carry date_start, date_end, is_main and\n"
        "                   evidence_more)\n"
        "  --db FILE        database (default " BM_DEFAULT_DB ")\n"
        "  --place PLACE    gazetteer name (best candidate); sets the point,\n"
        "                   precision, province and county\n"
        "  --at LAT,LON     a point in degrees (precision town)\n"
        "  --evidence TEXT  the sentence or note the incident rests on\n"
        "  --main yes|no    (edit) whether it is the main incident of its\n"
        "                   report; yes takes that from the report's other\n"
        "                   incidents\n"
        "  -h, --help       this help\n"
        "\n"
        "Examples:\n"
        "  bordermap incident add --place Hoeryong --type arrest --date 2024-01-07\n"
        "  bordermap incident edit 12 --place Musan --status reviewed\n"
        "  bordermap incident edit 12 --date 2024-06 --date-precision period \\\n"
        "      --date-start 2024-06-11 --date-end 2024-06-20 --main yes\n"
        "  bordermap incident list --since 2024-01 --type arrest --format csv\n");
}

enum {
    OPT_DB = 2001, OPT_FORMAT, OPT_PLACE, OPT_AT, OPT_DATE, OPT_EVIDENCE,
    OPT_REPORT, OPT_SETACTOR, OPT_DATE_PRECISION, OPT_DATE_START,
    OPT_DATE_END, OPT_MAIN
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

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = value && *value ? strdup(value) : NULL;
}

/* YYYY, YYYY-MM or YYYY-MM-DD of a day, month or year that exists ->
 * its precision; BM_DATE_NONE when malformed or impossible ("2024-13",
 * "2024-02-30"). */
static bm_date_precision date_kind(const char *d)
{
    char a[11], b[11];
    if (!bm_date_range(d, BM_DATE_DAY, a, b))
        return BM_DATE_NONE;
    return bm_date_precision_of(d, BM_DATE_NONE);
}

/* True when d is a day that exists, YYYY-MM-DD. */
static int is_day(const char *d)
{
    return date_kind(d) == BM_DATE_DAY;
}

/* The shape of date a precision wants: its length, or 0 for any ISO
 * prefix (reported). */
static size_t precision_date_len(bm_date_precision p)
{
    switch (p) {
    case BM_DATE_DAY: return 10;
    case BM_DATE_MONTH: case BM_DATE_PERIOD: return 7;
    case BM_DATE_YEAR: case BM_DATE_SEASON: return 4;
    default: return 0;
    }
}

/* The widest range of days the date of an incident allows, for checking
 * --date-start/--date-end: the date's own range (bm_date_range), except
 * that a season (dated by the year of its first month) may end by the
 * next February, as a winter does. lo is "" for an open start. */
static int allowed_range(const bm_incident *e, char lo[11], char hi[11])
{
    if (!bm_date_range(e->date, e->date_precision, lo, hi))
        return 0;
    if (e->date_precision == BM_DATE_SEASON && atoi(e->date) < 9999) {
        int y = atoi(e->date) + 1;
        char day[32];
        snprintf(day, sizeof day, "%04d-02-%02d", y, bm_days_in_month(y, 2));
        snprintf(hi, 11, "%.10s", day);
    }
    return 1;
}

/* Sets e's range to the one bm_date_range() derives from its date and
 * precision (none when undated). */
static void reset_range(bm_incident *e)
{
    char a[11] = "", b[11] = "";
    if (e->date && e->date_precision != BM_DATE_NONE)
        bm_date_range(e->date, e->date_precision, a, b);
    set_str(&e->date_start, a);
    set_str(&e->date_end, b);
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

/* The date line of 'show': the date, its precision and the range of days
 * it means ("2024-06 (period: 2024-06-11 .. 2024-06-20)", "2024-06-15
 * (reported: on or before 2024-06-15)", "2024-06-15 (day)"). */
static void show_date(const bm_incident *e)
{
    if (!e->date) {
        printf("  date        undated\n");
        return;
    }
    printf("  date        %s", e->date);
    const char *p = e->date_precision != BM_DATE_NONE
                        ? bm_date_precision_name(e->date_precision)
                        : NULL;
    const char *a = e->date_start, *b = e->date_end;
    if (a && b && strcmp(a, b) == 0 && strcmp(a, e->date) == 0)
        printf(" (%s)\n", p ? p : "day");
    else if (a && b)
        printf(" (%s%s%s .. %s)\n", p ? p : "", p ? ": " : "", a, b);
    else if (b)
        printf(" (%s%son or before %s)\n", p ? p : "", p ? ": " : "", b);
    else if (p)
        printf(" (%s)\n", p);
    else
        printf("\n");
}

/* Further evidence sentences ("\n"-joined), one a line under the first. */
static void show_more(const char *more)
{
    const char *label = "  more        ";
    while (more && *more) {
        size_t n = strcspn(more, "\n");
        if (n > 0) {
            printf("%s%.*s\n", label, (int)n, more);
            label = "              ";
        }
        more += n;
        if (*more == '\n')
            more++;
    }
}

static void show_text(const bm_incident *e)
{
    printf("incident %lld  [%s]%s\n", (long long)e->id,
           bm_incident_status_name(e->status),
           e->is_main ? "  main incident of its report" : "");
    printf("  type        %s\n", e->type);
    show_date(e);
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
    show_more(e->evidence_more);
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

/* What the date options of add/edit say. */
typedef struct date_opts {
    const char *date;         /* --date; NULL when not given, "" clears */
    int precision;            /* --date-precision; -1 when not given */
    const char *start, *end;  /* --date-start/--date-end; NULL: not given */
} date_opts;

static const char *date_shape(size_t len)
{
    return len == 10 ? "YYYY-MM-DD" : len == 7 ? "YYYY-MM" : "YYYY";
}

/* Applies the date options to e (as stored, or new): --date sets the
 * date, its precision and the range bm_date_range() gives; a precision
 * alone keeps the date and resets the range; --date-start/--date-end then
 * narrow the range within what the date allows. Returns 0, or
 * BM_EXIT_USAGE after saying why. */
static int apply_dates(bm_incident *e, const date_opts *d)
{
    const char *pname = d->precision > 0
                            ? bm_date_precision_name(
                                  (bm_date_precision)d->precision)
                            : NULL;
    char who[48] = "the new incident";
    if (e->id > 0)
        snprintf(who, sizeof who, "incident %lld", (long long)e->id);
    int reset = 0;
    if (d->date && !*d->date) {
        if (pname || d->start || d->end)
            return cli_usage_error("incident", "--date '' clears the date: "
                                   "give no --date-precision, --date-start "
                                   "or --date-end with it");
        set_str(&e->date, NULL);
        e->date_precision = BM_DATE_NONE;
        reset = 1;
    } else if (d->date) {
        set_str(&e->date, d->date);
        e->date_precision = pname ? (bm_date_precision)d->precision
                                  : date_kind(d->date);
        reset = 1;
    } else if (pname) {
        if (!e->date)
            return cli_usage_error("incident", "--date-precision %s needs a "
                                   "date: %s is undated (give --date)",
                                   pname, who);
        e->date_precision = (bm_date_precision)d->precision;
        reset = 1;
    } else if ((d->start || d->end) && e->date && !e->date_end) {
        reset = 1; /* stored before ranges were: derive one to narrow */
    }
    if (reset && e->date) {
        size_t want = precision_date_len(e->date_precision);
        if (want && strlen(e->date) != want)
            return cli_usage_error(
                "incident", "a date of precision %s is written %s, not '%s'",
                bm_date_precision_name(e->date_precision), date_shape(want),
                e->date);
    }
    if (reset)
        reset_range(e);
    if (!d->start && !d->end)
        return 0;
    if (!e->date)
        return cli_usage_error("incident", "--date-start and --date-end "
                               "narrow the range of a date, and %s is "
                               "undated (give --date)", who);
    char lo[11], hi[11], a[11] = "", b[11] = "";
    if (!allowed_range(e, lo, hi))
        return cli_usage_error("incident", "the stored date '%s' is not a "
                               "valid date; give --date", e->date);
    snprintf(a, sizeof a, "%s", d->start ? d->start
                                : e->date_start ? e->date_start : "");
    snprintf(b, sizeof b, "%s", d->end ? d->end
                                : e->date_end ? e->date_end : "");
    if ((a[0] && lo[0] && strcmp(a, lo) < 0) || (b[0] && strcmp(b, hi) > 0))
        return cli_usage_error(
            "incident", "range %s .. %s lies outside what the date %s (%s) "
            "allows: %s .. %s", a[0] ? a : "(open)", b, e->date,
            bm_date_precision_name(e->date_precision),
            lo[0] ? lo : "(open)", hi);
    if (a[0] && b[0] && strcmp(a, b) > 0)
        return cli_usage_error("incident", "--date-start %s is after the end "
                               "of the range, %s", a, b);
    set_str(&e->date_start, a);
    set_str(&e->date_end, b);
    return 0;
}

/* The id of a report's main incident (0 when none), for 'edit --main'. */
static int main_visit(void *user, const bm_incident *inc)
{
    int64_t *id = user;
    if (inc->is_main) {
        *id = inc->id;
        return 1;
    }
    return 0;
}

int cmd_incident(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB;
    const char *place = NULL, *at = NULL, *date = NULL, *evidence = NULL;
    const char *type = NULL, *actor = NULL, *status_text = NULL;
    int64_t report_id = 0;
    int format = CLI_FMT_TABLE, have_actor = 0, have_evidence = 0;
    int main_opt = -1; /* --main: 1 yes, 0 no, -1 not given */
    date_opts dopt = {NULL, -1, NULL, NULL};
    cli_filter cf;
    memset(&cf, 0, sizeof cf);
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"place", required_argument, NULL, OPT_PLACE},
        {"at", required_argument, NULL, OPT_AT},
        {"date", required_argument, NULL, OPT_DATE},
        {"date-precision", required_argument, NULL, OPT_DATE_PRECISION},
        {"date-start", required_argument, NULL, OPT_DATE_START},
        {"date-end", required_argument, NULL, OPT_DATE_END},
        {"main", required_argument, NULL, OPT_MAIN},
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
        case OPT_DATE_PRECISION:
            dopt.precision = bm_date_precision_parse(optarg);
            if (dopt.precision <= 0) {
                cli_filter_free(&cf);
                return cli_usage_error(
                    "incident", "--date-precision %s%s%s: give day, month, "
                    "year, period, season or reported (to clear the date, "
                    "--date '')", dopt.precision == 0 ? "" : "'",
                    optarg, dopt.precision == 0 ? " sets no precision"
                                                : "' is unknown");
            }
            break;
        case OPT_DATE_START: case OPT_DATE_END:
            if (!is_day(optarg)) {
                cli_filter_free(&cf);
                return cli_usage_error("incident", "bad day '%s' for %s "
                                       "(YYYY-MM-DD, a day that exists)",
                                       optarg, c == OPT_DATE_START
                                                   ? "--date-start"
                                                   : "--date-end");
            }
            if (c == OPT_DATE_START)
                dopt.start = optarg;
            else
                dopt.end = optarg;
            break;
        case OPT_MAIN:
            if (strcmp(optarg, "yes") == 0)
                main_opt = 1;
            else if (strcmp(optarg, "no") == 0)
                main_opt = 0;
            else {
                cli_filter_free(&cf);
                return cli_usage_error("incident", "--main wants yes or no, "
                                       "not '%s'", optarg);
            }
            break;
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
                               "YYYY-MM or YYYY, of a day, month or year "
                               "that exists)", date);
    }
    dopt.date = date;
    if (main_opt >= 0 && strcmp(action, "edit") != 0) {
        cli_filter_free(&cf);
        return cli_usage_error("incident", "--main is for edit (an incident "
                               "is made its report's main one once stored)");
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
            int64_t was_main = 0; /* the main incident --main yes replaces */
            if (type)
                set_str(&e.type, type);
            rc = apply_dates(&e, &dopt);
            if (rc == BM_EXIT_OK && main_opt == 1 && e.report_id <= 0)
                rc = cli_usage_error("incident", "incident %lld belongs to "
                                     "no report, so it cannot be a report's "
                                     "main incident", (long long)id);
            if (rc == BM_EXIT_OK && main_opt == 1 && !e.is_main) {
                bm_store_filter mf;
                memset(&mf, 0, sizeof mf);
                mf.report_id = e.report_id;
                if (bm_store_find(st, &mf, main_visit, &was_main) != BM_OK)
                    rc = cli_fail_db(ctx);
            }
            if (main_opt >= 0)
                e.is_main = main_opt;
            if (have_actor)
                set_str(&e.actor, actor);
            if (have_evidence)
                set_str(&e.sentence, evidence);
            if (rc != BM_EXIT_OK)
                ; /* refused above */
            else if (place)
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
                else {
                    printf("edited incident %lld: %zu field%s changed, status "
                           "%s\n", (long long)id, changed,
                           changed == 1 ? "" : "s",
                           bm_incident_status_name(e.status));
                    if (was_main)
                        printf("incident %lld is no longer the main incident "
                               "of report %lld\n", (long long)was_main,
                               (long long)e.report_id);
                }
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
