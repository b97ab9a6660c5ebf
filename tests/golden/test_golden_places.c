/*
 * test_golden_places.c - runs the geoparser on the shipped sample reports
 * and compares with hand annotations (tests/golden/places.tsv and
 * incidents.tsv).
 *
 * usage: test_golden_places PLACES.tsv INCIDENTS.tsv SAMPLES_DIR
 *                           [MIN_RECALL] [MIN_PRECISION]
 *
 * Recall: an expected place counts as found when a mention with the same
 * surface (compared on letters and digits, case-insensitive) lies within
 * its tolerance. Precision, by the place meant: a distinct point the
 * geoparser put out is right when one of the mentions resolved to it has
 * the surface of an expected place of the same report and lies within
 * that place's tolerance (not merely near some expected place: a wrong
 * town would pass within a country's 500 km).
 * Incidents: every sample yields at least one; the first expected incident
 * of a report is its main one (the output's incident marked main must be
 * of an accepted type within tolerance); each other expected incident has
 * a produced one of an accepted type within tolerance. The samples carry
 * no date, so no incident may carry a year (none is invented). Exits
 * non-zero below the thresholds or on a failed incident expectation.
 */
#include "bm_geoparse.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    char *file, *surface, *types;
    double lat, lon, tol;
} row;

typedef struct rows {
    row *v;
    size_t n;
} rows;

static double km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) *
                   sin(dlon / 2);
    return 2 * r * asin(sqrt(a));
}

/* Reads "file<TAB>text<TAB>lat<TAB>lon<TAB>tol[<TAB>note]" rows. */
static int read_rows(const char *path, rows *out, int types_column)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 0;
    }
    char line[2048];
    int header = 1, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        char *cols[6] = {0};
        int nc = 0;
        char *p = line;
        while (nc < 6) {
            cols[nc++] = p;
            char *t = strchr(p, '\t');
            if (!t)
                break;
            *t = '\0';
            p = t + 1;
        }
        if (nc < 5) {
            fprintf(stderr, "%s:%d: expected 5 columns\n", path, lineno);
            fclose(f);
            return 0;
        }
        row *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
        if (!nv) {
            fclose(f);
            return 0;
        }
        out->v = nv;
        row *r = &out->v[out->n++];
        r->file = strdup(cols[0]);
        r->surface = types_column ? NULL : strdup(cols[1]);
        r->types = types_column ? strdup(cols[1]) : NULL;
        r->lat = atof(cols[2]);
        r->lon = atof(cols[3]);
        r->tol = atof(cols[4]);
    }
    fclose(f);
    return 1;
}

static void norm(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80)
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

static int type_ok(const char *types, const char *type)
{
    if (strcmp(types, "*") == 0)
        return 1;
    size_t tl = strlen(type);
    for (const char *p = types; *p;) {
        const char *e = strchr(p, '|');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == tl && strncmp(p, type, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PLACES.tsv INCIDENTS.tsv SAMPLES_DIR "
                        "[MIN_RECALL] [MIN_PRECISION]\n", argv[0]);
        return 2;
    }
    double min_recall = argc > 4 ? atof(argv[4]) : 0.85;
    double min_precision = argc > 5 ? atof(argv[5]) : 0.85;
    rows P = {0}, I = {0};
    if (!read_rows(argv[1], &P, 0) || !read_rows(argv[2], &I, 1))
        return 2;

    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_gazetteer *gz = NULL;
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK) {
        fprintf(stderr, "gazetteer: %s\n", bm_ctx_error(ctx));
        return 1;
    }
    DIR *d = opendir(argv[3]);
    if (!d) {
        fprintf(stderr, "%s: cannot open folder\n", argv[3]);
        return 1;
    }
    size_t expected = 0, found = 0, out_n = 0, out_ok = 0, files = 0;
    int failures = 0;
    struct dirent *de;
    char **names = NULL;
    size_t nn = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0) {
            names = realloc(names, (nn + 1) * sizeof *names);
            names[nn++] = strdup(de->d_name);
        }
    }
    closedir(d);
    for (size_t i = 0; i + 1 < nn; i++) /* sort for stable output */
        for (size_t j = i + 1; j < nn; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }

    for (size_t fi = 0; fi < nn; fi++) {
        const char *name = names[fi];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[3], name);
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents in = {0};
        if (bm_report_load(ctx, path, &r) != BM_OK ||
            bm_geoparse_mentions(ctx, gz, r, &m) != BM_OK ||
            bm_geoparse_incidents(ctx, gz, r, &m, &in) != BM_OK) {
            fprintf(stderr, "%s: %s\n", name, bm_ctx_error(ctx));
            failures++;
            bm_report_free(r);
            continue;
        }
        files++;
        /* recall */
        for (size_t k = 0; k < P.n; k++) {
            const row *e = &P.v[k];
            if (strcmp(e->file, name) != 0)
                continue;
            expected++;
            char a[256], b[256];
            norm(e->surface, a, sizeof a);
            int hit = 0;
            for (size_t j = 0; j < m.count && !hit; j++) {
                norm(m.items[j].surface, b, sizeof b);
                if (strcmp(a, b) == 0 && m.items[j].has_point &&
                    km(m.items[j].lat, m.items[j].lon, e->lat, e->lon) <=
                        e->tol)
                    hit = 1;
            }
            if (hit)
                found++;
            else
                printf("  %s: missed %s\n", name, e->surface);
        }
        /* precision over distinct points */
        for (size_t j = 0; j < m.count; j++) {
            const bm_mention *x = &m.items[j];
            if (!x->has_point)
                continue;
            int seen = 0;
            for (size_t q = 0; q < j && !seen; q++)
                if (m.items[q].has_point &&
                    fabs(m.items[q].lat - x->lat) < 1e-4 &&
                    fabs(m.items[q].lon - x->lon) < 1e-4)
                    seen = 1;
            if (seen)
                continue;
            out_n++;
            int ok = 0;
            for (size_t q = j; q < m.count && !ok; q++) {
                const bm_mention *y = &m.items[q];
                if (!y->has_point || fabs(y->lat - x->lat) >= 1e-4 ||
                    fabs(y->lon - x->lon) >= 1e-4)
                    continue;
                char a[256], b[256];
                norm(y->surface, b, sizeof b);
                for (size_t k = 0; k < P.n && !ok; k++) {
                    if (strcmp(P.v[k].file, name) != 0)
                        continue;
                    norm(P.v[k].surface, a, sizeof a);
                    ok = strcmp(a, b) == 0 &&
                         km(y->lat, y->lon, P.v[k].lat, P.v[k].lon) <=
                             P.v[k].tol;
                }
            }
            if (ok)
                out_ok++;
            else
                printf("  %s: spurious %s -> %s\n", name, x->surface,
                       x->place ? x->place->id : "?");
        }
        /* incidents */
        if (in.count == 0) {
            printf("  %s: no incident\n", name);
            failures++;
        }
        int first = 1;
        for (size_t k = 0; k < I.n; k++) {
            const row *e = &I.v[k];
            if (strcmp(e->file, name) != 0)
                continue;
            int hit = 0;
            if (first) {
                /* the report's main incident */
                const bm_incident *mi = NULL;
                for (size_t j = 0; j < in.count && !mi; j++)
                    if (in.items[j].is_main)
                        mi = &in.items[j];
                hit = mi && type_ok(e->types, mi->type) &&
                      km(mi->lat, mi->lon, e->lat, e->lon) <= e->tol;
                if (!hit)
                    printf("  %s: the main incident is %s at %s, expected "
                           "%s within %.0f km of %.4f,%.4f\n", name,
                           mi ? mi->type : "none",
                           mi && mi->place_name ? mi->place_name : "?",
                           e->types, e->tol, e->lat, e->lon);
                first = 0;
                if (!hit)
                    failures++;
                continue;
            }
            for (size_t j = 0; j < in.count && !hit; j++)
                if (type_ok(e->types, in.items[j].type) &&
                    km(in.items[j].lat, in.items[j].lon, e->lat, e->lon) <=
                        e->tol)
                    hit = 1;
            if (!hit) {
                printf("  %s: no %s incident within %.0f km of %.4f,%.4f\n",
                       name, e->types, e->tol, e->lat, e->lon);
                failures++;
            }
        }
        /* the samples have no date: no year may appear */
        for (size_t j = 0; j < in.count; j++)
            if (in.items[j].date) {
                printf("  %s: incident dated %s, but the report states no "
                       "year\n", name, in.items[j].date);
                failures++;
            }
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    double recall = expected ? (double)found / (double)expected : 0;
    double precision = out_n ? (double)out_ok / (double)out_n : 0;
    printf("golden places: %zu reports, recall %.3f (%zu/%zu), precision "
           "%.3f (%zu/%zu); thresholds %.2f/%.2f; incident failures %d\n",
           files, recall, found, expected, precision, out_ok, out_n,
           min_recall, min_precision, failures);
    int rc = files == 0 || expected == 0 || recall < min_recall ||
             precision < min_precision || failures > 0;
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    for (size_t k = 0; k < P.n; k++) {
        free(P.v[k].file);
        free(P.v[k].surface);
    }
    for (size_t k = 0; k < I.n; k++) {
        free(I.v[k].file);
        free(I.v[k].types);
    }
    free(P.v);
    free(I.v);
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
    return rc;
}
