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
    size_t years_unsupported;
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

static void score_doc(const char *doc, const gold *G, const bm_report *r,
                      const bm_mentions *m, const bm_incidents *inc,
                      counts *c, misses *M)
{
    char buf[512], got[512];
    (void)r;
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
    /* years the gold does not support */
    for (size_t j = 0; j < inc->count; j++) {
        const char *od = inc->items[j].date;
        if (!od || strlen(od) < 4 || !isdigit((unsigned char)od[0]))
            continue;
        int found = 0;
        for (size_t i = 0; i < G->inc.nrows && !found; i++)
            found = strcmp(cell(&G->inc, i, G->i_doc), doc) == 0 &&
                    strncmp(cell(&G->inc, i, G->i_date), od, 4) == 0;
        /* The text supports a year it states, or the next one ("last
         * October" in a report dated or written in that next year). */
        if (!found && r && isdigit((unsigned char)od[1]) &&
            isdigit((unsigned char)od[2]) && isdigit((unsigned char)od[3]))
            found = year_supported(r, od);
        if (!found) {
            c->years_unsupported++;
            miss(M, doc, "year not supported", NULL, od,
                 inc->items[j].sentence);
        }
    }
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

int cmd_eval(bm_ctx *ctx, int argc, char **argv)
{
    int format = CLI_TEXT, check = 0;
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"check", no_argument, NULL, 'c'},
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
        case 'h':
            printf(
                "usage: bordermap eval [--format text|json] [--check] "
                "REPORTS_DIR GOLD_DIR\n"
                "\n"
                "Geoparses every report that GOLD_DIR/mentions.tsv and\n"
                "GOLD_DIR/incidents.tsv annotate (REPORTS_DIR/<doc>.txt, .md,\n"
                ".html) and prints, for places in and out of the border\n"
                "region: recognition, recall (resolved within the row's\n"
                "tol_km), resolved-within-tolerance among recognized places,\n"
                "precision; for each report's main incident: location, type\n"
                "and date accuracy; event years the gold does not support;\n"
                "then every miss. Nothing is stored.\n"
                "\n"
                "Options:\n"
                "  --format FORMAT  text (default) or json\n"
                "  --check          exit 1 when a target of issue 4 is missed\n"
                "  -h, --help       this help\n");
            return BM_EXIT_OK;
        default:
            return cli_usage_error("eval", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
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
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK) {
        free(docs);
        table_free(&G.men);
        table_free(&G.inc);
        return cli_fail(ctx);
    }
    counts c;
    memset(&c, 0, sizeof c);
    misses M = {json_object_new_array()};
    int rc = BM_EXIT_OK;
    for (size_t i = 0; i < ndocs; i++) {
        char *rp = find_report(rdir, docs[i]);
        if (!rp) {
            fprintf(stderr, "bordermap eval: %s/%s.txt: no such report (the "
                    "gold annotates it)\n", rdir, docs[i]);
            c.reports_missing++;
            rc = BM_EXIT_FAIL;
            continue;
        }
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents inc = {0};
        s = cli_geoparse_file(ctx, gz, rp, NULL, &r, &m, &inc);
        if (s != BM_OK) {
            fprintf(stderr, "bordermap eval: %s\n", bm_ctx_error(ctx));
            rc = BM_EXIT_FAIL;
        } else {
            c.reports++;
            score_doc(docs[i], &G, r, &m, &inc, &c, &M);
        }
        bm_ctx_clear_warnings(ctx);
        bm_incidents_free(&inc);
        bm_mentions_free(&m);
        bm_report_free(r);
        free(rp);
    }
    bm_gazetteer_free(gz);

    figure figs[] = {
        {"recognition", "recognized", c.recognized, c.gold, 0},
        {"recall", "recall (within tol_km)", c.right, c.gold_coord,
         T_IN_RECALL},
        {"resolved", "recognized within tol_km", c.right,
         c.recognized_coord, T_IN_RESOLVED},
        {"precision", "precision", c.out_ok, c.out, T_IN_PRECISION},
        {"incident_location", "main incident location", c.inc_loc_ok,
         c.inc_gold, T_INC_LOCATION},
        {"incident_type", "main incident type", c.inc_type_ok, c.inc_type_n,
         T_INC_TYPE},
        {"incident_date", "main incident date", c.inc_date_ok, c.inc_date_n,
         0},
    };
    size_t nfig = sizeof figs / sizeof figs[0];
    int missed_target = c.years_unsupported > 0;
    for (size_t i = 0; i < nfig; i++) {
        size_t a = figs[i].a[IN] + (i >= 4 ? figs[i].a[OUT] : 0);
        size_t b = figs[i].b[IN] + (i >= 4 ? figs[i].b[OUT] : 0);
        if (figs[i].target > 0 && !(ratio(a, b) >= figs[i].target))
            missed_target = 1;
    }
    size_t nmiss = json_object_array_length(M.list);

    if (format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reports", json_object_new_int64((int64_t)c.reports));
        json_object_object_add(o, "reports_missing",
                               json_object_new_int64((int64_t)c.reports_missing));
        static const char *const side[2] = {"in_region", "out_of_region"};
        for (int k = 0; k < 2; k++) {
            json_object *so = json_object_new_object();
            for (size_t i = 0; i < nfig; i++) {
                json_object_object_add(so, figs[i].key,
                                       jratio(figs[i].a[k], figs[i].b[k]));
                char nk[64];
                snprintf(nk, sizeof nk, "%s_n", figs[i].key);
                json_object *pair = json_object_new_array();
                json_object_array_add(pair, json_object_new_int64((int64_t)figs[i].a[k]));
                json_object_array_add(pair, json_object_new_int64((int64_t)figs[i].b[k]));
                json_object_object_add(so, nk, pair);
            }
            json_object_object_add(o, side[k], so);
        }
        json_object *all = json_object_new_object();
        for (size_t i = 4; i < nfig; i++)
            json_object_object_add(all, figs[i].key,
                                   jratio(figs[i].a[IN] + figs[i].a[OUT],
                                          figs[i].b[IN] + figs[i].b[OUT]));
        json_object_object_add(o, "all", all);
        json_object_object_add(o, "years_unsupported",
                               json_object_new_int64((int64_t)c.years_unsupported));
        json_object_object_add(o, "targets_met",
                               json_object_new_boolean(!missed_target));
        json_object_object_add(o, "misses", json_object_get(M.list));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        printf("%zu reports scored", c.reports);
        if (c.reports_missing)
            printf(", %zu missing", c.reports_missing);
        printf("; %zu gold places in the region, %zu outside; %zu main "
               "incidents with a place\n\n",
               c.gold[IN], c.gold[OUT], c.inc_gold[IN] + c.inc_gold[OUT]);
        printf("%-28s %-18s %-18s %-18s %s\n", "", "in region",
               "out of region", "all", "target (in region; incidents: all)");
        for (size_t i = 0; i < nfig; i++) {
            char cells[3][40];
            size_t A[3] = {figs[i].a[IN], figs[i].a[OUT],
                           figs[i].a[IN] + figs[i].a[OUT]};
            size_t B[3] = {figs[i].b[IN], figs[i].b[OUT],
                           figs[i].b[IN] + figs[i].b[OUT]};
            for (int k = 0; k < 3; k++) {
                if (B[k])
                    snprintf(cells[k], sizeof cells[k], "%.3f (%zu/%zu)",
                             ratio(A[k], B[k]), A[k], B[k]);
                else
                    snprintf(cells[k], sizeof cells[k], "-");
            }
            char tgt[48] = "";
            if (figs[i].target > 0) {
                size_t ta = i >= 4 ? A[2] : A[0], tb = i >= 4 ? B[2] : B[0];
                snprintf(tgt, sizeof tgt, ">= %.2f %s", figs[i].target,
                         ratio(ta, tb) >= figs[i].target ? "met" : "MISSED");
            }
            printf("%-28s %-18s %-18s %-18s %s\n", figs[i].label, cells[0],
                   cells[1], cells[2], tgt);
        }
        printf("%-28s %-56zu %s\n", "event years not in the text",
               c.years_unsupported,
               c.years_unsupported ? "0 MISSED" : "0 met");
        printf("\nmisses (%zu):\n", nmiss);
        for (size_t i = 0; i < nmiss; i++) {
            json_object *x = json_object_array_get_idx(M.list, i);
            json_object *v;
            const char *doc = "", *what = "", *g = NULL, *got = NULL,
                       *det = NULL;
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
    json_object_put(M.list);
    free(docs);
    table_free(&G.men);
    table_free(&G.inc);
    if (check && missed_target && rc == BM_EXIT_OK)
        rc = BM_EXIT_FAIL;
    return rc;
}
