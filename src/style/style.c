/*
 * style.c - map styles from YAML (libyaml's document API).
 *
 * The format is documented at the top of styles/briefing.yaml. Parsing is
 * strict: unknown keys, duplicate keys and values of the wrong type are
 * errors that name the file and the line (libyaml marks are 0-based; the
 * messages are 1-based), so a typo in a style never passes silently.
 */
#include "bm_style.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

/* ---- defaults ------------------------------------------------------------ */

#define DEF_TITLE "Incidents on North Korea's borders with China and Russia"
#define DEF_PROJECTION                                                       \
    "+proj=lcc +lat_1=40 +lat_2=43 +lat_0=41.5 +lon_0=128.5 +datum=WGS84 "   \
    "+units=m +no_defs"
#define DEF_FONT "Noto Sans, Noto Sans CJK KR, DejaVu Sans"
#define DEF_ATTRIBUTION                                                      \
    "Basemap: Natural Earth; GSHHG/WDBII (Wessel & Smith, LGPL). "           \
    "Place names: GeoNames (CC BY 4.0)."

static const bm_rgba DEF_BACKGROUND = {0xc6 / 255.0, 0xdb / 255.0,
                                       0xef / 255.0, 1.0};
static const bm_rgba DEF_HALO = {1.0, 1.0, 1.0, 0.8};
static const bm_rgba DEF_INCIDENT_STROKE = {0x22 / 255.0, 0x22 / 255.0,
                                            0x22 / 255.0, 1.0};
static const bm_rgba DEF_LABEL = {0x33 / 255.0, 0x33 / 255.0, 0x33 / 255.0,
                                  1.0};
static const bm_rgba DEF_LINE = {0x55 / 255.0, 0x55 / 255.0, 0x55 / 255.0,
                                 1.0};
static const bm_rgba DEF_POINT = {0x33 / 255.0, 0x33 / 255.0, 0x33 / 255.0,
                                  1.0};

/* The marker used when a style has neither the type nor "*". */
static const bm_style_incident builtin_incident = {
    (char *)"*", {0.5, 0.5, 0.5, 1.0}, (char *)"circle"};

/* ---- colours --------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int bm_style_parse_color(const char *text, bm_rgba *out)
{
    if (!text || text[0] != '#')
        return -1;
    size_t n = strlen(text + 1);
    if (n != 6 && n != 8)
        return -1;
    double v[4] = {0, 0, 0, 1.0};
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((unsigned char)text[1 + 2 * i]);
        int lo = hexval((unsigned char)text[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        v[i] = (hi * 16 + lo) / 255.0;
    }
    if (out) {
        out->r = v[0];
        out->g = v[1];
        out->b = v[2];
        out->a = v[3];
    }
    return 0;
}

/* ---- freeing ---------------------------------------------------------------- */

static void layer_clear(bm_style_layer *l)
{
    free(l->source);
    free(l->dash);
    free(l->label_field);
    free(l->rank_field);
}

void bm_style_free(bm_style *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->name);
    free(s->title);
    free(s->projection);
    free(s->font);
    free(s->attribution);
    free(s->page);
    free(s->classification);
    for (size_t i = 0; i < s->nlayers; i++)
        layer_clear(&s->layers[i]);
    free(s->layers);
    for (size_t i = 0; i < s->nincidents; i++) {
        free(s->incidents[i].type);
        free(s->incidents[i].shape);
    }
    free(s->incidents);
    free(s);
}

const bm_style_incident *bm_style_for_incident(const bm_style *s,
                                               const char *type)
{
    if (!s)
        return &builtin_incident;
    const bm_style_incident *fallback = NULL;
    for (size_t i = 0; i < s->nincidents; i++) {
        const bm_style_incident *si = &s->incidents[i];
        if (type && strcasecmp(si->type, type) == 0)
            return si;
        if (!fallback && strcmp(si->type, "*") == 0)
            fallback = si;
    }
    return fallback ? fallback : &builtin_incident;
}

/* ---- the parser ------------------------------------------------------------ */

typedef struct parser {
    bm_ctx *ctx;
    const char *path;
    yaml_document_t *doc;
    bm_style *s;
    unsigned long extent_line; /* where 'extent' was given, 0: not given */
} parser;

static unsigned long line_of(const yaml_node_t *n)
{
    return n ? (unsigned long)n->start_mark.line + 1 : 1;
}

static bm_status fail_at(parser *p, const yaml_node_t *n, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static bm_status fail_at(parser *p, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bm_ctx_fail(p->ctx, BM_ERR_INPUT, "%s:%lu: %s", p->path,
                       line_of(n), msg);
}

static bm_status nomem(parser *p)
{
    return bm_ctx_fail(p->ctx, BM_ERR_NOMEM, "%s: out of memory", p->path);
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a single value";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static const char *scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* A plain empty, "~" or "null" scalar. */
static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE ||
        n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = scalar(n);
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static bm_status need_scalar(parser *p, const yaml_node_t *n, const char *key)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail_at(p, n, "'%s' must be a single value, not %s", key,
                       kind_name(n));
    return BM_OK;
}

static bm_status get_string(parser *p, const yaml_node_t *n, const char *key,
                            int nullable, char **dst)
{
    bm_status rc = need_scalar(p, n, key);
    if (rc != BM_OK)
        return rc;
    if (is_null(n)) {
        if (!nullable)
            return fail_at(p, n, "'%s' needs a value", key);
        free(*dst);
        *dst = NULL;
        return BM_OK;
    }
    char *v = strdup(scalar(n));
    if (!v)
        return nomem(p);
    free(*dst);
    *dst = v;
    return BM_OK;
}

static bm_status get_number(parser *p, const yaml_node_t *n, const char *key,
                            double min, double max, double *dst)
{
    bm_status rc = need_scalar(p, n, key);
    if (rc != BM_OK)
        return rc;
    const char *v = scalar(n);
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || errno == ERANGE || !isfinite(d) ||
        isspace((unsigned char)v[0]))
        return fail_at(p, n, "'%s' must be a number, not '%s'", key, v);
    if (d < min || d > max)
        return fail_at(p, n, "'%s' is %s; it must lie between %g and %g", key,
                       v, min, max);
    *dst = d;
    return BM_OK;
}

static bm_status get_int(parser *p, const yaml_node_t *n, const char *key,
                         int min, int max, int *dst)
{
    double d = 0;
    bm_status rc = get_number(p, n, key, min, max, &d);
    if (rc != BM_OK)
        return rc;
    if (d != floor(d))
        return fail_at(p, n, "'%s' must be a whole number, not '%s'", key,
                       scalar(n));
    *dst = (int)d;
    return BM_OK;
}

static bm_status get_bool(parser *p, const yaml_node_t *n, const char *key,
                          int *dst)
{
    bm_status rc = need_scalar(p, n, key);
    if (rc != BM_OK)
        return rc;
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    const char *v = scalar(n);
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *dst = 1;
            return BM_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *dst = 0;
            return BM_OK;
        }
    }
    return fail_at(p, n, "'%s' must be true or false, not '%s'", key, v);
}

/* A colour, or "none" (has = 0) when allowed. */
static bm_status get_color(parser *p, const yaml_node_t *n, const char *key,
                           bm_rgba *dst, int *has)
{
    bm_status rc = need_scalar(p, n, key);
    if (rc != BM_OK)
        return rc;
    const char *v = scalar(n);
    if (is_null(n))
        /* `fill: #aabbcc` unquoted: YAML reads the colour as a comment. */
        return fail_at(p, n,
                       "'%s' has no colour; quote colours, as in "
                       "%s: \"#rrggbb\" (an unquoted # starts a comment)",
                       key, key);
    if (has && strcasecmp(v, "none") == 0) {
        *has = 0;
        return BM_OK;
    }
    if (bm_style_parse_color(v, dst) != 0)
        return fail_at(p, n,
                       "'%s' is not a colour: '%s' (use \"#rrggbb\" or "
                       "\"#rrggbbaa\"%s)",
                       key, v, has ? " or none" : "");
    if (has)
        *has = 1;
    return BM_OK;
}

/* A dash pattern: "4,2" or [4, 2], stored as "4,2". */
static bm_status get_dash(parser *p, const yaml_node_t *n, char **dst)
{
    bm_buf b = {0};
    bm_status rc = BM_OK;
    if (is_null(n)) {
        free(*dst);
        *dst = NULL;
        return BM_OK;
    }
    if (n->type == YAML_SCALAR_NODE) {
        const char *v = scalar(n);
        const char *q = v;
        int count = 0;
        while (*q) {
            while (*q == ' ')
                q++;
            char *end;
            double d = strtod(q, &end);
            if (end == q || !(d > 0) || !isfinite(d)) {
                bm_buf_free(&b);
                return fail_at(p, n,
                               "'dash' must list positive lengths, as in "
                               "\"4,2\", not '%s'", v);
            }
            rc = bm_buf_printf(&b, "%s%g", count ? "," : "", d);
            count++;
            q = end;
            while (*q == ' ')
                q++;
            if (*q == ',')
                q++;
            else if (*q) {
                bm_buf_free(&b);
                return fail_at(p, n,
                               "'dash' must list positive lengths, as in "
                               "\"4,2\", not '%s'", v);
            }
        }
        if (count == 0) {
            bm_buf_free(&b);
            return fail_at(p, n, "'dash' is empty");
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        int count = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(p->doc, *it);
            double d;
            rc = get_number(p, item, "dash", 1e-6, 1e6, &d);
            if (rc != BM_OK) {
                bm_buf_free(&b);
                return rc;
            }
            rc = bm_buf_printf(&b, "%s%g", count ? "," : "", d);
            count++;
        }
        if (count == 0) {
            bm_buf_free(&b);
            return fail_at(p, n, "'dash' is empty");
        }
    } else {
        return fail_at(p, n, "'dash' must be a list of lengths, not %s",
                       kind_name(n));
    }
    if (rc != BM_OK || !b.data) {
        bm_buf_free(&b);
        return nomem(p);
    }
    free(*dst);
    *dst = bm_buf_take(&b);
    return BM_OK;
}

/* Walks a mapping's keys: each must be a scalar in keys[] (NULL-ended) and
 * appear once. Calls fn(p, index, key node, value node, user). */
typedef bm_status (*key_fn)(parser *p, int index, const char *key,
                            yaml_node_t *value, void *user);

static bm_status walk_mapping(parser *p, yaml_node_t *map, const char *where,
                              const char *const *keys, key_fn fn, void *user)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(p, map, "%s must be a mapping (key: value lines), "
                       "not %s", where, kind_name(map));
    size_t nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    unsigned long seen_line[32] = {0};
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
        yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
        if (!k || !v)
            continue;
        if (k->type != YAML_SCALAR_NODE)
            return fail_at(p, k, "keys in %s must be names, not %s", where,
                           kind_name(k));
        const char *key = scalar(k);
        int idx = -1;
        for (size_t i = 0; i < nkeys; i++)
            if (strcmp(key, keys[i]) == 0) {
                idx = (int)i;
                break;
            }
        if (idx < 0) {
            bm_buf list = {0};
            for (size_t i = 0; i < nkeys; i++)
                bm_buf_printf(&list, "%s%s", i ? ", " : "", keys[i]);
            bm_status rc = fail_at(p, k, "unknown key '%s' in %s (expected "
                                   "one of: %s)", key, where,
                                   list.data ? list.data : "");
            bm_buf_free(&list);
            return rc;
        }
        if (seen_line[idx])
            return fail_at(p, k, "duplicate key '%s' in %s (first at line "
                           "%lu)", key, where, seen_line[idx]);
        seen_line[idx] = line_of(k);
        bm_status rc = fn(p, idx, key, v, user);
        if (rc != BM_OK)
            return rc;
    }
    return BM_OK;
}

/* ---- sections ---------------------------------------------------------------- */

static const char *const extent_keys[] = {"min_lon", "min_lat", "max_lon",
                                          "max_lat", NULL};

static bm_status extent_key(parser *p, int i, const char *key, yaml_node_t *v,
                            void *user)
{
    (void)user;
    bm_style *s = p->s;
    switch (i) {
    case 0: return get_number(p, v, key, -180, 180, &s->min_lon);
    case 1: return get_number(p, v, key, -90, 90, &s->min_lat);
    case 2: return get_number(p, v, key, -180, 180, &s->max_lon);
    default: return get_number(p, v, key, -90, 90, &s->max_lat);
    }
}

static const char *const size_keys[] = {"width", "height", NULL};

static bm_status size_key(parser *p, int i, const char *key, yaml_node_t *v,
                          void *user)
{
    (void)user;
    return get_int(p, v, key, 16, 20000,
                   i == 0 ? &p->s->width_px : &p->s->height_px);
}

static const char *const halo_keys[] = {"color", "width", NULL};

static bm_status halo_key(parser *p, int i, const char *key, yaml_node_t *v,
                          void *user)
{
    (void)user;
    if (i == 0)
        return get_color(p, v, key, &p->s->halo, NULL);
    return get_number(p, v, key, 0, 50, &p->s->halo_width);
}

static const char *const layer_keys[] = {
    "source", "kind", "fill", "stroke", "width", "dash", "label_field",
    "rank_field", "max_rank", "label_size", "label_color", "label_italic",
    "symbol_size", "avoid", "avoid_max_rank", NULL};

static bm_status layer_key(parser *p, int i, const char *key, yaml_node_t *v,
                           void *user)
{
    bm_style_layer *l = user;
    bm_status rc;
    switch (i) {
    case 0:
        return get_string(p, v, key, 0, &l->source);
    case 1:
        rc = need_scalar(p, v, key);
        if (rc != BM_OK)
            return rc;
        if (strcmp(scalar(v), "polygon") == 0)
            l->kind = BM_GEOM_POLYGON;
        else if (strcmp(scalar(v), "line") == 0)
            l->kind = BM_GEOM_LINE;
        else if (strcmp(scalar(v), "point") == 0)
            l->kind = BM_GEOM_POINT;
        else
            return fail_at(p, v, "'kind' must be polygon, line or point, "
                           "not '%s'", scalar(v));
        return BM_OK;
    case 2: return get_color(p, v, key, &l->fill, &l->has_fill);
    case 3: return get_color(p, v, key, &l->stroke, &l->has_stroke);
    case 4: return get_number(p, v, key, 0, 100, &l->width);
    case 5: return get_dash(p, v, &l->dash);
    case 6: return get_string(p, v, key, 1, &l->label_field);
    case 7: return get_string(p, v, key, 1, &l->rank_field);
    case 8: return get_number(p, v, key, -1e300, 1e300, &l->max_rank);
    case 9: return get_number(p, v, key, 0.5, 500, &l->label_size);
    case 10: return get_color(p, v, key, &l->label_color, NULL);
    case 11: return get_bool(p, v, key, &l->label_italic);
    case 12: return get_number(p, v, key, 0, 500, &l->symbol_size);
    case 13: return get_bool(p, v, key, &l->avoid);
    default: return get_number(p, v, key, -1e300, 1e300, &l->avoid_max_rank);
    }
}

/* Tracks which of fill/stroke a layer set, so that kind-dependent
 * defaults apply only to what was left out. */
static bm_status parse_layer(parser *p, yaml_node_t *n, size_t index)
{
    bm_style *s = p->s;
    bm_style_layer *nl = realloc(s->layers, (s->nlayers + 1) * sizeof *nl);
    if (!nl)
        return nomem(p);
    s->layers = nl;
    bm_style_layer *l = &s->layers[s->nlayers++];
    memset(l, 0, sizeof *l);
    l->kind = BM_GEOM_POLYGON;
    l->width = 0.5;
    l->max_rank = -1;
    l->avoid_max_rank = -1;
    l->label_size = 8;
    l->label_color = DEF_LABEL;
    l->symbol_size = 3;
    l->has_fill = -1;   /* unset until the walk */
    l->has_stroke = -1;

    char where[64];
    snprintf(where, sizeof where, "layers[%zu]", index);
    bm_status rc = walk_mapping(p, n, where, layer_keys, layer_key, l);
    if (rc != BM_OK)
        return rc;
    if (!l->source)
        return fail_at(p, n, "%s needs 'source' (a layer name in the "
                       "basemap)", where);
    if (l->has_stroke < 0) {
        l->has_stroke = l->kind == BM_GEOM_LINE;
        if (l->has_stroke)
            l->stroke = DEF_LINE;
    }
    if (l->has_fill < 0) {
        l->has_fill = l->kind == BM_GEOM_POINT;
        if (l->has_fill)
            l->fill = DEF_POINT;
    }
    if (!l->has_fill && !l->has_stroke && !l->label_field)
        bm_ctx_warn(p->ctx, "%s:%lu: layer '%s' draws nothing (no fill, "
                    "stroke or label_field)", p->path, line_of(n), l->source);
    return BM_OK;
}

static const char *const type_keys[] = {"type", "fill", "shape", NULL};

static bm_status type_key(parser *p, int i, const char *key, yaml_node_t *v,
                          void *user)
{
    bm_style_incident *t = user;
    static const char *const shapes[] = {"circle", "square", "triangle",
                                         "diamond"};
    bm_status rc;
    switch (i) {
    case 0: return get_string(p, v, key, 0, &t->type);
    case 1: return get_color(p, v, key, &t->fill, NULL);
    default:
        rc = need_scalar(p, v, key);
        if (rc != BM_OK)
            return rc;
        for (size_t k = 0; k < 4; k++)
            if (strcmp(scalar(v), shapes[k]) == 0)
                return get_string(p, v, key, 0, &t->shape);
        return fail_at(p, v, "'shape' must be circle, square, triangle or "
                       "diamond, not '%s'", scalar(v));
    }
}

static bm_status parse_types(parser *p, yaml_node_t *n)
{
    bm_style *s = p->s;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(p, n, "'types' must be a list (lines starting with "
                       "'- '), not %s", kind_name(n));
    size_t index = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++, index++) {
        yaml_node_t *item = yaml_document_get_node(p->doc, *it);
        bm_style_incident *ni =
            realloc(s->incidents, (s->nincidents + 1) * sizeof *ni);
        if (!ni)
            return nomem(p);
        s->incidents = ni;
        bm_style_incident *t = &s->incidents[s->nincidents++];
        memset(t, 0, sizeof *t);
        t->fill = builtin_incident.fill;
        char where[64];
        snprintf(where, sizeof where, "incidents.types[%zu]", index);
        bm_status rc = walk_mapping(p, item, where, type_keys, type_key, t);
        if (rc != BM_OK)
            return rc;
        if (!t->type)
            return fail_at(p, item, "%s needs 'type' (an incident type or "
                           "\"*\")", where);
        if (!t->shape && !(t->shape = strdup("circle")))
            return nomem(p);
        for (size_t k = 0; k + 1 < s->nincidents; k++)
            if (strcasecmp(s->incidents[k].type, t->type) == 0)
                return fail_at(p, item, "incident type '%s' is styled "
                               "twice", t->type);
    }
    return BM_OK;
}

static const char *const incident_keys[] = {"size", "label_size", "stroke",
                                            "types", NULL};

static bm_status incident_key(parser *p, int i, const char *key,
                              yaml_node_t *v, void *user)
{
    (void)user;
    bm_style *s = p->s;
    switch (i) {
    case 0: return get_number(p, v, key, 0.5, 500, &s->incident_size);
    case 1: return get_number(p, v, key, 0.5, 500, &s->incident_label_size);
    case 2: return get_color(p, v, key, &s->incident_stroke, NULL);
    default: return parse_types(p, v);
    }
}

int bm_style_paper_size(const char *name, double *w_pt, double *h_pt)
{
    static const struct {
        const char *name;
        double w, h;
    } sizes[] = {{"A4", 595.276, 841.89},
                 {"A3", 841.89, 1190.551},
                 {"Letter", 612, 792}};
    for (size_t i = 0; name && i < sizeof sizes / sizeof sizes[0]; i++)
        if (strcasecmp(name, sizes[i].name) == 0) {
            *w_pt = sizes[i].w;
            *h_pt = sizes[i].h;
            return 0;
        }
    return -1;
}

static const char *const page_keys[] = {"size", "orientation", "dpi", NULL};

static bm_status page_key(parser *p, int i, const char *key, yaml_node_t *v,
                          void *user)
{
    (void)user;
    bm_style *s = p->s;
    bm_status rc;
    if (i == 2)
        return get_number(p, v, key, 18, 2400, &s->dpi);
    if ((rc = need_scalar(p, v, key)) != BM_OK)
        return rc;
    const char *val = scalar(v);
    if (i == 0) {
        double w, h;
        if (bm_style_paper_size(val, &w, &h) != 0)
            return fail_at(p, v, "'%s' is '%s'; it must be A4, A3 or Letter",
                           key, val);
        return get_string(p, v, key, 0, &s->page);
    }
    if (strcmp(val, "landscape") == 0)
        s->landscape = 1;
    else if (strcmp(val, "portrait") == 0)
        s->landscape = 0;
    else
        return fail_at(p, v, "'%s' is '%s'; it must be landscape or portrait",
                       key, val);
    return BM_OK;
}

static const char *const class_keys[] = {"text", "color", "background",
                                          NULL};

static bm_status class_key(parser *p, int i, const char *key, yaml_node_t *v,
                           void *user)
{
    (void)user;
    bm_style *s = p->s;
    switch (i) {
    case 0: return get_string(p, v, key, 1, &s->classification);
    case 1: return get_color(p, v, key, &s->class_fg, NULL);
    default: return get_color(p, v, key, &s->class_bg, NULL);
    }
}

static const char *const colors_keys[] = {"paper", "ink", "panel",
                                          "inset_land", "heat_low",
                                          "heat_mid", "heat_high", NULL};

static bm_status colors_key(parser *p, int i, const char *key,
                            yaml_node_t *v, void *user)
{
    (void)user;
    bm_style *s = p->s;
    bm_rgba *dst[] = {&s->paper, &s->ink, &s->panel, &s->land_inset,
                      &s->heat_low, &s->heat_mid, &s->heat_high};
    return get_color(p, v, key, dst[i], NULL);
}

static const char *const top_keys[] = {
    "name", "title", "projection", "extent", "size", "font", "background",
    "halo", "incidents", "layers", "attribution", "page", "classification",
    "colors", NULL};

static bm_status top_key(parser *p, int i, const char *key, yaml_node_t *v,
                         void *user)
{
    (void)user;
    bm_style *s = p->s;
    switch (i) {
    case 0: return get_string(p, v, key, 0, &s->name);
    case 1: return get_string(p, v, key, 1, &s->title);
    case 2: return get_string(p, v, key, 0, &s->projection);
    case 3:
        p->extent_line = line_of(v);
        return walk_mapping(p, v, "'extent'", extent_keys, extent_key, NULL);
    case 4: return walk_mapping(p, v, "'size'", size_keys, size_key, NULL);
    case 5: return get_string(p, v, key, 0, &s->font);
    case 6: return get_color(p, v, key, &s->background, NULL);
    case 7: return walk_mapping(p, v, "'halo'", halo_keys, halo_key, NULL);
    case 8: return walk_mapping(p, v, "'incidents'", incident_keys,
                                incident_key, NULL);
    case 9: {
        if (v->type != YAML_SEQUENCE_NODE)
            return fail_at(p, v, "'layers' must be a list (lines starting "
                           "with '- '), not %s", kind_name(v));
        size_t index = 0;
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++, index++) {
            bm_status rc = parse_layer(
                p, yaml_document_get_node(p->doc, *it), index);
            if (rc != BM_OK)
                return rc;
        }
        return BM_OK;
    }
    case 10: return get_string(p, v, key, 1, &s->attribution);
    case 11: return walk_mapping(p, v, "'page'", page_keys, page_key, NULL);
    case 12: return walk_mapping(p, v, "'classification'", class_keys,
                                 class_key, NULL);
    default: return walk_mapping(p, v, "'colors'", colors_keys, colors_key,
                                 NULL);
    }
}

/* ---- loading ------------------------------------------------------------------ */

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

/* The file name without folder and extension. */
static char *base_name(const char *path, int *oom)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    char *d = malloc(n + 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    memcpy(d, b, n);
    d[n] = '\0';
    return d;
}

static bm_style *style_defaults(const char *path)
{
    bm_style *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    int oom = 0;
    s->path = dup_or_null(path, &oom);
    s->title = dup_or_null(DEF_TITLE, &oom);
    s->projection = dup_or_null(DEF_PROJECTION, &oom);
    s->font = dup_or_null(DEF_FONT, &oom);
    s->attribution = dup_or_null(DEF_ATTRIBUTION, &oom);
    s->min_lon = 124.0;
    s->min_lat = 39.6;
    s->max_lon = 131.2;
    s->max_lat = 43.4;
    s->width_px = 1600;
    s->height_px = 1200;
    s->background = DEF_BACKGROUND;
    s->halo = DEF_HALO;
    s->halo_width = 2.0;
    s->incident_size = 7.0;
    s->incident_label_size = 8.0;
    s->incident_stroke = DEF_INCIDENT_STROKE;
    s->dpi = 150;
    s->landscape = 1;
    s->paper = (bm_rgba){1, 1, 1, 1};
    s->ink = (bm_rgba){0.07, 0.07, 0.07, 1};
    s->panel = (bm_rgba){1, 1, 1, 0.92};
    s->land_inset = (bm_rgba){0.80, 0.78, 0.72, 1};
    s->class_fg = (bm_rgba){1, 1, 1, 1};
    s->class_bg = (bm_rgba){0.0, 0.48, 0.2, 1}; /* green: unclassified */
    s->heat_low = (bm_rgba){1.0, 0.93, 0.63, 0.0};
    s->heat_mid = (bm_rgba){0.99, 0.55, 0.24, 0.6};
    s->heat_high = (bm_rgba){0.74, 0.0, 0.15, 0.85};
    if (oom) {
        bm_style_free(s);
        return NULL;
    }
    return s;
}

static bm_status yaml_syntax_error(bm_ctx *ctx, const char *path,
                                   const yaml_parser_t *yp)
{
    const char *problem = yp->problem ? yp->problem : "cannot parse";
    unsigned long line = (unsigned long)yp->problem_mark.line + 1;
    if (yp->error == YAML_READER_ERROR)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: %s at byte %zu", path,
                           problem, yp->problem_offset);
    if (yp->context)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%lu: %s (%s at line %lu)",
                           path, line, problem, yp->context,
                           (unsigned long)yp->context_mark.line + 1);
    return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%lu: %s", path, line, problem);
}

bm_status bm_style_load(bm_ctx *ctx, const char *path, bm_style **out)
{
    *out = NULL;
    if (!path || !*path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "style: no file given");

    char *text = NULL;
    size_t len = 0;
    bm_status rc = bm_read_text_file(ctx, path, &text, &len);
    if (rc != BM_OK)
        return rc;

    yaml_parser_t yp;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&yp)) {
        free(text);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    }
    yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);

    if (!yaml_parser_load(&yp, &doc)) {
        rc = yaml_syntax_error(ctx, path, &yp);
        yaml_parser_delete(&yp);
        free(text);
        return rc;
    }

    bm_style *s = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || is_null(root)) {
        rc = bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:1: empty style", path);
        goto done;
    }
    /* One document per file; a second one is most likely a stray "---". */
    {
        yaml_document_t extra;
        if (!yaml_parser_load(&yp, &extra)) {
            rc = yaml_syntax_error(ctx, path, &yp);
            goto done;
        }
        yaml_node_t *xroot = yaml_document_get_root_node(&extra);
        unsigned long xline = xroot ? line_of(xroot) : 0;
        yaml_document_delete(&extra);
        if (xroot) {
            rc = bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%lu: a second YAML "
                             "document; a style file holds one", path, xline);
            goto done;
        }
    }

    s = style_defaults(path);
    if (!s) {
        rc = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    parser p = {.ctx = ctx, .path = path, .doc = &doc, .s = s};
    rc = walk_mapping(&p, root, "the style", top_keys, top_key, NULL);
    if (rc != BM_OK)
        goto done;
    if (s->page && bm_style_paper_size(s->page, &s->page_w_pt,
                                       &s->page_h_pt) == 0 &&
        s->landscape) {
        double t = s->page_w_pt;
        s->page_w_pt = s->page_h_pt;
        s->page_h_pt = t;
    }

    if (!s->name) {
        int oom = 0;
        s->name = base_name(path, &oom);
        if (oom) {
            rc = nomem(&p);
            goto done;
        }
    }
    if (!(s->min_lon < s->max_lon) || !(s->min_lat < s->max_lat)) {
        rc = bm_ctx_fail(ctx, BM_ERR_INPUT,
                         "%s:%lu: 'extent' is empty: lon %g..%g, lat %g..%g "
                         "(min must be below max)",
                         path, p.extent_line ? p.extent_line : 1, s->min_lon,
                         s->max_lon, s->min_lat, s->max_lat);
        goto done;
    }

done:
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    free(text);
    if (rc != BM_OK) {
        bm_style_free(s);
        return rc;
    }
    *out = s;
    return BM_OK;
}
