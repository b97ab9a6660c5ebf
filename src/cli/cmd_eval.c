/*
 * cmd_eval.c - `bordermap eval [--format text|json] [--check] REPORTS GOLD`
 *
 * Runs the geoparser on every report the gold annotations name and scores
 * it against them: place recognition and resolution (within each gold
 * row's tol_km), in and out of the border region separately, and the main
 * incident's location, type and date. Lists every miss. The counting
 * follows ../shared/tools/score_geoparse.py, so both give the same figures;
 * see docs/geoparse-format.md.
 *
 * Gold: GOLD/mentions.tsv and GOLD/incidents.tsv, tab-separated with a
 * header row; fields may be double-quoted (CSV style, "" for a quote).
 */
#include "bm_gazetteer.h"
#include "bm_geoparse.h"
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- targets (issue 4) --------------------------------------------------- */

#define T_IN_RECALL 0.95
#define T_IN_PRECISION 0.95
#define T_IN_RESOLVED 0.95
#define T_INC_LOCATION 0.90
#define T_INC_TYPE 0.85

/* ---- gold TSV ------------------------------------------------------------ */

typedef struct row {
    char **f;
    size_t n;
} row;

typedef struct table {
    char *text;    /* owned: the file, cut into fields in place */
    char **names;  /* header fields (point into text) */
    size_t ncols;
    row *rows;
    size_t nrows, cap;
} table;

static void table_free(table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i].f);
    free(t->rows);
    free(t->names);
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* Cuts one record starting at *p into fields (in place, NUL-terminated,
 * quotes removed). Returns 0 at the end of the text, -1 on no memory. */
static int next_record(char **p, char ***fields, size_t *nf)
{
    char *s = *p;
    if (!*s)
        return 0;
    size_t cap = 0, n = 0;
    char **f = NULL;
    for (;;) {
        char *start = s, *w = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    break;
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            while (*s && *s != '\t' && *s != '\n')
                *w++ = *s++;
        } else {
            while (*s && *s != '\t' && *s != '\n')
                s++;
            w = s;
        }
        char sep = *s;
        *w = '\0';
        char **g = bm_grow(f, &cap, n + 1, sizeof *f);
        if (!g) {
            free(f);
            return -1;
        }
        f = g;
        f[n++] = start;
        if (sep == '\t') {
            s++;
            continue;
        }
        if (sep == '\n')
            s++;
        break;
    }
    *p = s;
    *fields = f;
    *nf = n;
    return 1;
}

static bm_status table_load(bm_ctx *ctx, const char *path, table *t)
{
    size_t len = 0;
    memset(t, 0, sizeof *t);
    bm_status s = bm_read_text_file(ctx, path, &t->text, &len);
    if (s != BM_OK)
        return s;
    char *p = t->text;
    int r = next_record(&p, &t->names, &t->ncols);
    if (r < 0)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    if (r == 0)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: empty, no header row",
                           path);
    size_t line = 1;
    for (;;) {
        char **f = NULL;
        size_t nf = 0;
        line++;
        r = next_record(&p, &f, &nf);
        if (r < 0)
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        if (r == 0)
            break;
        if (nf == 1 && !f[0][0]) { /* blank line */
            free(f);
            continue;
        }
        row *g = bm_grow(t->rows, &t->cap, t->nrows + 1, sizeof *g);
        if (!g) {
            free(f);
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        }
        t->rows = g;
        t->rows[t->nrows].f = f;
        t->rows[t->nrows].n = nf;
        t->nrows++;
    }
    return BM_OK;
}

static int col(const table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

static const char *cell(const table *t, size_t r, int c)
{
    if (c < 0 || (size_t)c >= t->rows[r].n)
        return "";
    return t->rows[r].f[c];
}

static int num(const char *s, double *v)
{
    char *end;
    if (!s || !*s)
        return 0;
    *v = strtod(s, &end);
    return end != s;
}

/* ---- scoring ------------------------------------------------------------- */

static double hav_km(double la1, double lo1, double la2, double lo2)
{
    const double r = M_PI / 180.0;
    double p1 = la1 * r, p2 = la2 * r, dp = p2 - p1, dl = (lo2 - lo1) * r;
    double h = sin(dp / 2) * sin(dp / 2) +
               cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * 6371.0088 * asin(fmin(1.0, sqrt(h)));
}

/* Lower-case letters and digits only (the scorer's norm()). Caller frees. */
static char *norm(const char *s)
{
    char *f = bm_fold(s ? s : "", s ? strlen(s) : 0);
    if (!f)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; f[i]; i++) {
        unsigned char c = (unsigned char)f[i];
        if (c >= 0x80 || isalnum(c))
            f[w++] = (char)c;
    }
    f[w] = '\0';
    return f;
}

static const char *type_syn(const char *t)
{
    if (t && strcmp(t, "detention") == 0)
        return "arrest";
    return t ? t : "";
}

enum { IN = 0, OUT = 1 };

typedef struct counts {
    size_t gold[2], recognized[2], gold_coord[2], recognized_coord[2],
        right[2], out[2], out_ok[2];
    size_t inc_gold[2], inc_loc_ok[2], inc_type_n[2], inc_type_ok[2];
    size_t inc_date_n[2], inc_date_ok[2];
    /* strict: the report's main incident (the one marked main, else the
     * first) against the gold's first row, as score_geoparse.py counts */
    size_t main_gold, main_type_ok, main_loc_n, main_loc_ok;
    size_t main_dated_gold, main_date_ok;
    size_t out_incidents, out_dated;
    size_t years_unsupported; /* output years no gold row of the report has */
    size_t years_invented;    /* ... that neither the text nor the report's
                                 date states (nor the year after one) */
    size_t reports, reports_missing;
} counts;

typedef struct misses {
    json_object *list; /* array of objects */
} misses;

static void miss(misses *M, const char *doc, const char *what,
                 const char *gold, const char *got, const char *detail)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "doc", json_object_new_string(doc));
    json_object_object_add(o, "miss", json_object_new_string(what));
    json_object_object_add(o, "gold", gold ? json_object_new_string(gold)
                                           : NULL);
    json_object_object_add(o, "got", got ? json_object_new_string(got)
                                         : NULL);
    json_object_object_add(o, "detail", detail ? json_object_new_string(detail)
                                               : NULL);
    json_object_array_add(M->list, o);
}

static int in_box(double lon, double lat)
{
    return lon >= 123 && lon <= 134 && lat >= 38 && lat <= 46;
}

/* Finds REPORTS/<doc>.{txt,md,html,htm}. Caller frees; NULL if none. */
static char *find_report(const char *dir, const char *doc)
{
    static const char *const ext[] = {".txt", ".md", ".html", ".htm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(dir) + strlen(doc) + strlen(ext[i]) + 2;
        char *p = malloc(n);
        if (!p)
            return NULL;
        snprintf(p, n, "%s/%s%s", dir, doc, ext[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            return p;
        free(p);
    }
    return NULL;
}

typedef struct gold {
    table men, inc;
    int m_doc, m_surface, m_start, m_kind, m_referent, m_lat, m_lon, m_tol,
        m_inreg;
    int i_doc, i_ref, i_lat, i_lon, i_prec, i_date, i_type;
} gold;

/* Whether the report (its date or text) states the year, as a whole
 * 4-digit number. */
static int has_year(const bm_report *r, int year)
{
    char y[8];
    snprintf(y, sizeof y, "%04d", year);
    if (r->date && strncmp(r->date, y, 4) == 0)
        return 1;
    for (const char *p = r->body; p && (p = strstr(p, y)) != NULL; p++) {
        int before = p > r->body && isdigit((unsigned char)p[-1]);
        int after = isdigit((unsigned char)p[4]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

/* The text supports the year of iso ("YYYY..." , four digits checked by
 * the caller) when it states that year or the next one ("last October" in
 * a report of the next year). */
static int year_supported(const bm_report *r, const char *iso)
{
    int year = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 +
               (iso[2] - '0') * 10 + (iso[3] - '0');
    return has_year(r, year) || has_year(r, year + 1);
}

/* The tolerance for a main incident's place: 5, 15, 60 km for ACLED
 * geo_precision 1, 2, 3 (15 when not given). */
static double main_tol(const char *prec)
{
    return strcmp(prec, "1") == 0   ? 5.0
           : strcmp(prec, "2") == 0 ? 15.0
           : strcmp(prec, "3") == 0 ? 60.0
                                    : 15.0;
}

/* Strict figures: the output's main incident (marked main, else the
 * first) against the gold's first row of the report. */
static void score_main(const char *doc, const gold *G, const bm_incidents *inc,
                       counts *c, misses *M)
{
    const bm_incident *o = NULL;
    for (size_t j = 0; j < inc->count && !o; j++)
        if (inc->items[j].is_main)
            o = &inc->items[j];
    if (!o && inc->count)
        o = &inc->items[0];
    for (size_t j = 0; j < inc->count; j++) {
        c->out_incidents++;
        if (inc->items[j].date && *inc->items[j].date)
            c->out_dated++;
    }
    for (size_t i = 0; i < G->inc.nrows; i++) {
        if (strcmp(cell(&G->inc, i, G->i_doc), doc) != 0)
            continue;
        const char *gtype = cell(&G->inc, i, G->i_type);
        const char *gdate = cell(&G->inc, i, G->i_date);
        const char *ref = cell(&G->inc, i, G->i_ref);
        char got[512];
        c->main_gold++;
        if (!o) {
            miss(M, doc, "no main incident", ref, NULL, NULL);
            break;
        }
        if (strcmp(type_syn(gtype), type_syn(o->type)) == 0)
            c->main_type_ok++;
        else
            miss(M, doc, "main type", gtype, o->type, o->sentence);
        double glat, glon;
        if (num(cell(&G->inc, i, G->i_lat), &glat) &&
            num(cell(&G->inc, i, G->i_lon), &glon)) {
            c->main_loc_n++;
            double d = hav_km(o->lat, o->lon, glat, glon);
            if (d <= main_tol(cell(&G->inc, i, G->i_prec))) {
                c->main_loc_ok++;
            } else {
                snprintf(got, sizeof got, "%s (%.0f km off)",
                         o->place_name ? o->place_name : "?", d);
                miss(M, doc, "main place", ref, got, o->sentence);
            }
        }
        if (strlen(gdate) >= 7) {
            c->main_dated_gold++;
            const char *od = o->date ? o->date : "";
            if (strlen(od) >= 7 && strncmp(od, gdate, 7) == 0)
                c->main_date_ok++;
            else
                miss(M, doc, "main month", gdate, *od ? od : "(undated)",
                     o->sentence);
        }
        break; /* the first row is the main incident */
    }
}

/* Output years: those no gold row of the report carries (the scorer's
 * figure), and those the report does not state at all (invented). */
static void score_years(const char *doc, const gold *G, const bm_report *r,
                        const bm_incidents *inc, counts *c, misses *M)
{
    for (size_t j = 0; j < inc->count; j++) {
        const char *od = inc->items[j].date;
        if (!od || strlen(od) < 4 || !isdigit((unsigned char)od[0]) ||
            !isdigit((unsigned char)od[1]) || !isdigit((unsigned char)od[2]) ||
            !isdigit((unsigned char)od[3]))
            continue;
        int found = 0;
        for (size_t i = 0; i < G->inc.nrows && !found; i++) {
            const char *gd = cell(&G->inc, i, G->i_date);
            found = strcmp(cell(&G->inc, i, G->i_doc), doc) == 0 &&
                    strlen(gd) >= 4 && strncmp(gd, od, 4) == 0;
        }
        if (found)
            continue;
        c->years_unsupported++;
        if (r && year_supported(r, od)) {
            miss(M, doc, "year not in gold", NULL, od,
                 inc->items[j].sentence);
        } else {
            c->years_invented++;
            miss(M, doc, "year invented", NULL, od, inc->items[j].sentence);
        }
    }
}

static void score_doc(const char *doc, const gold *G, const bm_report *r,
                      const bm_mentions *m, const bm_incidents *inc,
                      counts *c, misses *M)
{
    char buf[512], got[512];
    /* recognition and resolution */
    for (size_t i = 0; i < G->men.nrows; i++) {
        if (strcmp(cell(&G->men, i, G->m_doc), doc) != 0 ||
            strcmp(cell(&G->men, i, G->m_kind), "region") == 0)
            continue;
        const char *surface = cell(&G->men, i, G->m_surface);
        const char *referent = cell(&G->men, i, G->m_referent);
        int k = strcmp(cell(&G->men, i, G->m_inreg), "1") == 0 ? IN : OUT;
        double start = -1, glat, glon, tol;
        int has_start = num(cell(&G->men, i, G->m_start), &start);
        size_t glen = bm_utf8_codepoints(surface, strlen(surface));
        int has_pt = num(cell(&G->men, i, G->m_lat), &glat) &&
                     num(cell(&G->men, i, G->m_lon), &glon);
        if (!num(cell(&G->men, i, G->m_tol), &tol) || tol == 0)
            tol = 5.0;
        char *gn = norm(surface);
        int recognized = 0, right = 0;
        const bm_mention *first = NULL;
        for (size_t j = 0; j < m->count; j++) {
            const bm_mention *x = &m->items[j];
            int match = has_start && (double)x->start < start + (double)glen &&
                        (double)x->end > start;
            if (!match && gn) {
                char *on = norm(x->surface);
                match = on && strcmp(on, gn) == 0;
                free(on);
            }
            if (!match)
                continue;
            recognized = 1;
            if (!first)
                first = x;
            if (has_pt && x->has_point &&
                hav_km(x->lat, x->lon, glat, glon) <= tol)
                right = 1;
        }
        free(gn);
        c->gold[k]++;
        if (recognized)
            c->recognized[k]++;
        if (!has_pt)
            continue;
        c->gold_coord[k]++;
        if (recognized)
            c->recognized_coord[k]++;
        if (right) {
            c->right[k]++;
        } else if (recognized) {
            if (first->has_point)
                snprintf(got, sizeof got, "%s (%.4f, %.4f)",
                         first->place ? first->place->ascii_name : "?",
                         first->lat, first->lon);
            else
                snprintf(got, sizeof got, "%s (unresolved)", first->surface);
            snprintf(buf, sizeof buf, "%s: %s", k == IN ? "in region"
                                                        : "out of region",
                     surface);
            miss(M, doc, "wrong place", referent, got, buf);
        } else {
            snprintf(buf, sizeof buf, "%s: \"%s\" at %.0f",
                     k == IN ? "in region" : "out of region", surface, start);
            miss(M, doc, "missed place", referent, NULL, buf);
        }
    }
    /* precision: distinct output points */
    for (size_t j = 0; j < m->count; j++) {
        const bm_mention *x = &m->items[j];
        if (!x->has_point)
            continue;
        int dup = 0;
        for (size_t q = 0; q < j && !dup; q++)
            dup = m->items[q].has_point &&
                  round(m->items[q].lat * 1000) == round(x->lat * 1000) &&
                  round(m->items[q].lon * 1000) == round(x->lon * 1000);
        if (dup)
            continue;
        int ok = 0;
        for (size_t i = 0; i < G->men.nrows && !ok; i++) {
            double glat, glon, tol;
            if (strcmp(cell(&G->men, i, G->m_doc), doc) != 0 ||
                !num(cell(&G->men, i, G->m_lat), &glat) ||
                !num(cell(&G->men, i, G->m_lon), &glon))
                continue;
            if (!num(cell(&G->men, i, G->m_tol), &tol) || tol == 0)
                tol = 5.0;
            ok = hav_km(x->lat, x->lon, glat, glon) <= tol;
        }
        int k = in_box(x->lon, x->lat) ? IN : OUT;
        c->out[k]++;
        if (ok) {
            c->out_ok[k]++;
        } else {
            snprintf(got, sizeof got, "%s (%.4f, %.4f)",
                     x->place ? x->place->ascii_name : "?", x->lat, x->lon);
            snprintf(buf, sizeof buf, "%s: \"%s\" at %zu",
                     k == IN ? "in region" : "out of region", x->surface,
                     x->start);
            miss(M, doc, "spurious place", NULL, got, buf);
        }
    }
    /* the main incident: the first gold row of the doc */
    for (size_t i = 0; i < G->inc.nrows; i++) {
        if (strcmp(cell(&G->inc, i, G->i_doc), doc) != 0)
            continue;
        double glat, glon;
        const char *referent = cell(&G->inc, i, G->i_ref);
        const char *gdate = cell(&G->inc, i, G->i_date);
        const char *gtype = cell(&G->inc, i, G->i_type);
        int has_pt = num(cell(&G->inc, i, G->i_lat), &glat) &&
                     num(cell(&G->inc, i, G->i_lon), &glon);
        int k = !has_pt || in_box(glon, glat) ? IN : OUT;
        const bm_incident *best = NULL;
        double bestd = 0;
        if (has_pt) {
            const char *pr = cell(&G->inc, i, G->i_prec);
            double tol = strcmp(pr, "1") == 0   ? 5.0
                         : strcmp(pr, "2") == 0 ? 15.0
                         : strcmp(pr, "3") == 0 ? 60.0
                                                : 15.0;
            for (size_t j = 0; j < inc->count; j++) {
                double d = hav_km(inc->items[j].lat, inc->items[j].lon, glat,
                                  glon);
                if (!best || d < bestd) {
                    best = &inc->items[j];
                    bestd = d;
                }
            }
            c->inc_gold[k]++;
            if (best && bestd <= tol) {
                c->inc_loc_ok[k]++;
            } else {
                if (best)
                    snprintf(got, sizeof got, "%s (%.0f km off)",
                             best->place_name ? best->place_name : "?",
                             bestd);
                miss(M, doc, "incident place", referent, best ? got : NULL,
                     best ? NULL : "no incident found");
            }
            if (best) {
                c->inc_type_n[k]++;
                if (strcmp(type_syn(gtype), type_syn(best->type)) == 0)
                    c->inc_type_ok[k]++;
                else
                    miss(M, doc, "incident type", gtype, best->type,
                         best->sentence);
            }
        }
        /* date: of the incident nearest the gold place, else the first */
        const bm_incident *d = best ? best : inc->count ? &inc->items[0]
                                                        : NULL;
        if (d) {
            const char *odate = d->date ? d->date : "";
            c->inc_date_n[k]++;
            if (strcmp(odate, gdate) == 0)
                c->inc_date_ok[k]++;
            else
                miss(M, doc, "incident date", *gdate ? gdate : "(undated)",
                     *odate ? odate : "(undated)", d->sentence);
        }
        break;
    }
    score_main(doc, G, inc, c, M);
    score_years(doc, G, r, inc, c, M);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : NAN;
}

static json_object *jratio(size_t a, size_t b)
{
    return b ? json_object_new_double((double)a / (double)b) : NULL;
}

typedef struct figure {
    const char *key, *label;
    size_t *a, *b; /* [2] each */
    double target; /* for IN; 0 when none */
} figure;

/* Targets of the strict figures (issue 17): on reports the project has
 * never seen. */
#define T_MAIN_TYPE 0.85
#define T_MAIN_LOCATION 0.90
#define T_MAIN_MONTH 0.80

/* The half of the development set a report belongs to: a hash of its
 * name (FNV-1a, bit 8), so that halves mix outlets and years and never
 * change. 1 or 2. */
static int doc_half(const char *doc)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)doc; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (int)((h >> 8) & 1u) + 1;
}

/* The scorer's flat figures (score_geoparse.py's keys). */
static json_object *flat_json(const counts *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "reports", json_object_new_int64((int64_t)c->reports));
    json_object_object_add(o, "in_recall", jratio(c->right[IN], c->gold_coord[IN]));
    json_object_object_add(o, "in_recognition", jratio(c->recognized[IN], c->gold[IN]));
    json_object_object_add(o, "in_precision", jratio(c->out_ok[IN], c->out[IN]));
    json_object_object_add(o, "out_recall", jratio(c->right[OUT], c->gold_coord[OUT]));
    json_object_object_add(o, "out_precision", jratio(c->out_ok[OUT], c->out[OUT]));
    json_object_object_add(o, "incident_location",
                           jratio(c->inc_loc_ok[IN] + c->inc_loc_ok[OUT],
                                  c->inc_gold[IN] + c->inc_gold[OUT]));
    json_object_object_add(o, "incident_type",
                           jratio(c->inc_type_ok[IN] + c->inc_type_ok[OUT],
                                  c->inc_type_n[IN] + c->inc_type_n[OUT]));
    json_object_object_add(o, "main_location", jratio(c->main_loc_ok, c->main_loc_n));
    json_object_object_add(o, "main_type", jratio(c->main_type_ok, c->main_gold));
    json_object_object_add(o, "main_date_month",
                           jratio(c->main_date_ok, c->main_dated_gold));
    json_object_object_add(o, "incidents_dated_share",
                           jratio(c->out_dated, c->out_incidents));
    json_object_object_add(o, "years_unsupported",
                           json_object_new_int64((int64_t)c->years_unsupported));
    json_object_object_add(o, "years_invented",
                           json_object_new_int64((int64_t)c->years_invented));
    return o;
}

/* "0.913 (21/23)" or "-" into buf. */
static const char *cellf(char *buf, size_t n, size_t a, size_t b)
{
    if (b)
        snprintf(buf, n, "%.3f (%zu/%zu)", ratio(a, b), a, b);
    else
        snprintf(buf, n, "-");
    return buf;
}

/* The strict figures, one line each, for the columns given. */
static void print_strict(const counts *const *cols, const char *const *names,
                         size_t ncols, int with_targets)
{
    char b[64];
    printf("%-28s", "");
    for (size_t k = 0; k < ncols; k++)
        printf(" %-18s", names[k]);
    printf("%s\n", with_targets ? " target (unseen reports)" : "");
    struct {
        const char *label;
        size_t off_a, off_b;
        double target;
    } rows[] = {
        {"main incident type", offsetof(counts, main_type_ok),
         offsetof(counts, main_gold), T_MAIN_TYPE},
        {"main incident place", offsetof(counts, main_loc_ok),
         offsetof(counts, main_loc_n), T_MAIN_LOCATION},
        {"main incident month", offsetof(counts, main_date_ok),
         offsetof(counts, main_dated_gold), T_MAIN_MONTH},
        {"incidents dated", offsetof(counts, out_dated),
         offsetof(counts, out_incidents), 0},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        printf("%-28s", rows[r].label);
        double last = NAN;
        for (size_t k = 0; k < ncols; k++) {
            size_t a = *(const size_t *)((const char *)cols[k] + rows[r].off_a);
            size_t bb = *(const size_t *)((const char *)cols[k] + rows[r].off_b);
            printf(" %-18s", cellf(b, sizeof b, a, bb));
            last = ratio(a, bb);
        }
        if (with_targets && rows[r].target > 0)
            printf(" >= %.2f %s", rows[r].target,
                   last >= rows[r].target ? "met" : "MISSED");
        printf("\n");
    }
    printf("%-28s", "event years not in the gold");
    for (size_t k = 0; k < ncols; k++)
        printf(" %-18zu", cols[k]->years_unsupported);
    printf("\n%-28s", "event years invented");
    for (size_t k = 0; k < ncols; k++)
        printf(" %-18zu", cols[k]->years_invented);
    printf("%s\n", with_targets ? (cols[ncols - 1]->years_invented
                                       ? " 0 MISSED" : " 0 met")
                                : "");
}

static void print_places(const counts *c)
{
    figure figs[] = {
        {"recognition", "recognized", (size_t *)c->recognized,
         (size_t *)c->gold, 0},
        {"recall", "recall (within tol_km)", (size_t *)c->right,
         (size_t *)c->gold_coord, T_IN_RECALL},
        {"resolved", "recognized within tol_km", (size_t *)c->right,
         (size_t *)c->recognized_coord, T_IN_RESOLVED},
        {"precision", "precision", (size_t *)c->out_ok, (size_t *)c->out,
         T_IN_PRECISION},
        {"incident_location", "any incident near the main",
         (size_t *)c->inc_loc_ok, (size_t *)c->inc_gold, 0},
        {"incident_type", "  and its type", (size_t *)c->inc_type_ok,
         (size_t *)c->inc_type_n, 0},
    };
    char b[3][64];
    printf("%-28s %-18s %-18s %-18s %s\n", "", "in region", "out of region",
           "all", "target (in region)");
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        size_t A[3] = {figs[i].a[IN], figs[i].a[OUT],
                       figs[i].a[IN] + figs[i].a[OUT]};
        size_t B[3] = {figs[i].b[IN], figs[i].b[OUT],
                       figs[i].b[IN] + figs[i].b[OUT]};
        char tgt[48] = "";
        if (figs[i].target > 0)
            snprintf(tgt, sizeof tgt, ">= %.2f %s", figs[i].target,
                     ratio(A[0], B[0]) >= figs[i].target ? "met" : "MISSED");
        printf("%-28s %-18s %-18s %-18s %s\n", figs[i].label,
               cellf(b[0], sizeof b[0], A[0], B[0]),
               cellf(b[1], sizeof b[1], A[1], B[1]),
               cellf(b[2], sizeof b[2], A[2], B[2]), tgt);
    }
}

static void print_misses(json_object *list)
{
    size_t nmiss = json_object_array_length(list);
    printf("\nmisses (%zu):\n", nmiss);
    for (size_t i = 0; i < nmiss; i++) {
        json_object *x = json_object_array_get_idx(list, i);
        json_object *v;
        const char *doc = "", *what = "", *g = NULL, *got = NULL, *det = NULL;
        if (json_object_object_get_ex(x, "doc", &v)) doc = json_object_get_string(v);
        if (json_object_object_get_ex(x, "miss", &v)) what = json_object_get_string(v);
        if (json_object_object_get_ex(x, "gold", &v) && v) g = json_object_get_string(v);
        if (json_object_object_get_ex(x, "got", &v) && v) got = json_object_get_string(v);
        if (json_object_object_get_ex(x, "detail", &v) && v) det = json_object_get_string(v);
        printf("  %-6s %-18s", doc, what);
        if (g)
            printf(" gold: %s", g);
        if (got)
            printf("%s got: %s", g ? ";" : "", got);
        if (det)
            printf("  [%.160s]", det);
        printf("\n");
    }
}

static int targets_missed(const counts *c)
{
    return c->years_invented > 0 ||
           !(ratio(c->main_type_ok, c->main_gold) >= T_MAIN_TYPE) ||
           !(ratio(c->main_loc_ok, c->main_loc_n) >= T_MAIN_LOCATION) ||
           (c->main_dated_gold &&
            !(ratio(c->main_date_ok, c->main_dated_gold) >= T_MAIN_MONTH));
}

static void help(void)
{
    printf(
        "usage: bordermap eval [--format text|json] [--half 1|2 | --split]\n"
        "                      [--check] REPORTS_DIR GOLD_DIR\n"
        "\n"
        "Geoparses every report that GOLD_DIR/mentions.tsv and\n"
        "GOLD_DIR/incidents.tsv annotate (REPORTS_DIR/<doc>.txt, .md,\n"
        ".html) and prints what ../shared/tools/score_geoparse.py prints:\n"
        "the strict figures of each report's main incident (the one marked\n"
        "main, else the first: its type, its place within 5/15/60 km for\n"
        "geo_precision 1/2/3, its month where the gold dates it), the share\n"
        "of dated incidents, event years no gold row carries and years the\n"
        "report does not state (invented); then places in and out of the\n"
        "border region (recognition, recall within each row's tol_km,\n"
        "precision); then every miss. Nothing is stored.\n"
        "\n"
        "Options:\n"
        "  --format FORMAT  text (default) or json (the scorer's keys)\n"
        "  --half 1|2       score one half of the reports (a fixed split by\n"
        "                   a hash of their names): develop on one, report\n"
        "                   the other\n"
        "  --split          score both halves and all, side by side\n"
        "  --check          exit 1 when a target is missed (main type >= %.2f,\n"
        "                   place >= %.2f, month >= %.2f, no invented year)\n"
        "  -h, --help       this help\n",
        T_MAIN_TYPE, T_MAIN_LOCATION, T_MAIN_MONTH);
}

int cmd_eval(bm_ctx *ctx, int argc, char **argv)
{
    int format = CLI_TEXT, check = 0, half = 0, split = 0;
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"check", no_argument, NULL, 'c'},
        {"half", required_argument, NULL, 'H'},
        {"split", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if ((format = cli_parse_format(optarg, 1u << CLI_TEXT |
                                                       1u << CLI_JSON)) < 0)
                return cli_usage_error("eval", "unknown format '%s' "
                                       "(text or json)", optarg);
            break;
        case 'c': check = 1; break;
        case 'H':
            if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
                return cli_usage_error("eval", "--half wants 1 or 2, not "
                                       "'%s'", optarg);
            half = optarg[0] - '0';
            break;
        case 's': split = 1; break;
        case 'h': help(); return BM_EXIT_OK;
        default:
            return cli_usage_error("eval", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (half && split)
        return cli_usage_error("eval", "--half and --split exclude each "
                               "other");
    if (argc - optind != 2)
        return cli_usage_error("eval", "expected REPORTS_DIR GOLD_DIR");
    const char *rdir = argv[optind], *gdir = argv[optind + 1];

    gold G;
    memset(&G, 0, sizeof G);
    char path[4096];
    snprintf(path, sizeof path, "%s/mentions.tsv", gdir);
    bm_status s = table_load(ctx, path, &G.men);
    if (s == BM_OK) {
        snprintf(path, sizeof path, "%s/incidents.tsv", gdir);
        s = table_load(ctx, path, &G.inc);
    }
    if (s == BM_OK) {
        G.m_doc = col(&G.men, "doc");
        G.m_surface = col(&G.men, "surface");
        G.m_start = col(&G.men, "start_char");
        G.m_kind = col(&G.men, "kind");
        G.m_referent = col(&G.men, "referent");
        G.m_lat = col(&G.men, "lat");
        G.m_lon = col(&G.men, "lon");
        G.m_tol = col(&G.men, "tol_km");
        G.m_inreg = col(&G.men, "in_region");
        G.i_doc = col(&G.inc, "doc");
        G.i_ref = col(&G.inc, "primary_referent");
        G.i_lat = col(&G.inc, "lat");
        G.i_lon = col(&G.inc, "lon");
        G.i_prec = col(&G.inc, "geo_precision");
        G.i_date = col(&G.inc, "event_date");
        G.i_type = col(&G.inc, "event_type");
        if (G.m_doc < 0 || G.m_surface < 0 || G.m_start < 0 ||
            G.m_lat < 0 || G.m_lon < 0 || G.m_inreg < 0 || G.i_doc < 0 ||
            G.i_lat < 0 || G.i_lon < 0 || G.i_type < 0)
            s = bm_ctx_fail(ctx, BM_ERR_INPUT,
                            "%s: gold tables lack a needed column (doc, "
                            "surface, start_char, lat, lon, in_region, "
                            "event_type)", gdir);
    }
    if (s != BM_OK) {
        table_free(&G.men);
        table_free(&G.inc);
        return cli_fail(ctx);
    }

    /* the documents: every doc either table names, in first-seen order */
    const char **docs = NULL;
    size_t ndocs = 0, dcap = 0;
    const table *tabs[2] = {&G.men, &G.inc};
    int dcols[2] = {G.m_doc, G.i_doc};
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < tabs[t]->nrows; i++) {
            const char *d = cell(tabs[t], i, dcols[t]);
            int seen = !*d;
            for (size_t j = 0; j < ndocs && !seen; j++)
                seen = strcmp(docs[j], d) == 0;
            if (seen)
                continue;
            const char **g = bm_grow(docs, &dcap, ndocs + 1, sizeof *g);
            if (!g) {
                free(docs);
                table_free(&G.men);
                table_free(&G.inc);
                bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
                return cli_fail(ctx);
            }
            docs = g;
            docs[ndocs++] = d;
        }

    bm_gazetteer *gz = NULL;
    bm_extractor *ex = NULL;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK ||
        !(ex = bm_extractor_new())) {
        if (gz && !ex)
            bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
        bm_gazetteer_free(gz);
        free(docs);
        table_free(&G.men);
        table_free(&G.inc);
        return cli_fail(ctx);
    }
    /* c[0]: what is scored (all, or the half asked for); c[1], c[2]: the
     * two halves (--split) */
    counts c[3];
    memset(c, 0, sizeof c);
    misses M = {json_object_new_array()};
    int rc = BM_EXIT_OK;
    for (size_t i = 0; i < ndocs; i++) {
        int h = doc_half(docs[i]);
        if (half && h != half)
            continue;
        char *rp = find_report(rdir, docs[i]);
        if (!rp) {
            fprintf(stderr, "bordermap eval: %s/%s.txt: no such report (the "
                    "gold annotates it)\n", rdir, docs[i]);
            c[0].reports_missing++;
            rc = BM_EXIT_FAIL;
            continue;
        }
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents inc = {0};
        s = cli_geoparse_file(ctx, gz, ex, rp, NULL, &r, &m, &inc);
        if (s != BM_OK) {
            fprintf(stderr, "bordermap eval: %s\n", bm_ctx_error(ctx));
            rc = BM_EXIT_FAIL;
        } else {
            c[0].reports++;
            score_doc(docs[i], &G, r, &m, &inc, &c[0], &M);
            if (split) {
                misses none = {json_object_new_array()};
                c[h].reports++;
                score_doc(docs[i], &G, r, &m, &inc, &c[h], &none);
                json_object_put(none.list);
            }
        }
        bm_ctx_clear_warnings(ctx);
        bm_incidents_free(&inc);
        bm_mentions_free(&m);
        bm_report_free(r);
        free(rp);
    }
    bm_extractor_free(ex);
    bm_gazetteer_free(gz);

    int missed = targets_missed(&c[0]);
    if (format == CLI_JSON) {
        json_object *o = flat_json(&c[0]);
        json_object_object_add(o, "reports_missing",
                               json_object_new_int64((int64_t)c[0].reports_missing));
        if (half)
            json_object_object_add(o, "half", json_object_new_int(half));
        if (split) {
            json_object *hs = json_object_new_object();
            json_object_object_add(hs, "1", flat_json(&c[1]));
            json_object_object_add(hs, "2", flat_json(&c[2]));
            json_object_object_add(o, "halves", hs);
        }
        json_object_object_add(o, "targets_met",
                               json_object_new_boolean(!missed));
        json_object_object_add(o, "misses", json_object_get(M.list));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        printf("%zu reports scored", c[0].reports);
        if (half)
            printf(" (half %d of the set)", half);
        if (c[0].reports_missing)
            printf(", %zu missing", c[0].reports_missing);
        printf("; %zu gold places in the region, %zu outside; %zu main "
               "incidents\n\n",
               c[0].gold[IN], c[0].gold[OUT], c[0].main_gold);
        if (split) {
            const counts *cols[3] = {&c[1], &c[2], &c[0]};
            static const char *const names[3] = {"half 1", "half 2", "all"};
            print_strict(cols, names, 3, 1);
        } else {
            const counts *cols[1] = {&c[0]};
            static const char *const names[1] = {"strict"};
            print_strict(cols, names, 1, 1);
        }
        printf("\n");
        print_places(&c[0]);
        print_misses(M.list);
    }
    json_object_put(M.list);
    free(docs);
    table_free(&G.men);
    table_free(&G.inc);
    if (check && missed && rc == BM_EXIT_OK)
        rc = BM_EXIT_FAIL;
    return rc;
}
