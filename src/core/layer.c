/*
 * layer.c - bm_layer, a plain container of (lon, lat) geometries.
 */
#include "bm_core.h"

#include <stdlib.h>
#include <string.h>

bm_layer *bm_layer_new(const char *name, bm_geom_kind kind)
{
    bm_layer *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->kind = kind;
    if (name && !(l->name = strdup(name))) {
        free(l);
        return NULL;
    }
    return l;
}

void *bm_grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return items;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return NULL;
        c *= 2;
    }
    void *q = realloc(items, c * size);
    if (!q)
        return NULL;
    *cap = c;
    return q;
}

bm_status bm_layer_add_feature(bm_layer *l, const char *name, double rank,
                               size_t *index)
{
    size_t cap = l->cap_features, cap2 = l->cap_features;
    char **names = bm_grow(l->feature_name, &cap, l->nfeatures + 1,
                           sizeof *names);
    if (!names)
        return BM_ERR_NOMEM;
    l->feature_name = names;
    double *ranks = bm_grow(l->feature_rank, &cap2, l->nfeatures + 1,
                            sizeof *ranks);
    if (!ranks)
        return BM_ERR_NOMEM; /* names grew; cap_features stays the smaller */
    l->feature_rank = ranks;
    l->cap_features = cap < cap2 ? cap : cap2;
    char *copy = NULL;
    if (name && !(copy = strdup(name)))
        return BM_ERR_NOMEM;
    l->feature_name[l->nfeatures] = copy;
    l->feature_rank[l->nfeatures] = rank;
    if (index)
        *index = l->nfeatures;
    l->nfeatures++;
    return BM_OK;
}

bm_status bm_layer_add_part(bm_layer *l, const double *xy, size_t count,
                            size_t feature, int hole)
{
    double *xyv = bm_grow(l->xy, &l->cap_xy, (l->nvert + count) * 2,
                          sizeof *xyv);
    if (!xyv)
        return BM_ERR_NOMEM;
    l->xy = xyv;
    bm_part *parts = bm_grow(l->parts, &l->cap_parts, l->nparts + 1,
                             sizeof *parts);
    if (!parts)
        return BM_ERR_NOMEM;
    l->parts = parts;
    memcpy(l->xy + l->nvert * 2, xy, count * 2 * sizeof *xy);
    l->parts[l->nparts].first = l->nvert;
    l->parts[l->nparts].count = count;
    l->parts[l->nparts].feature = feature;
    l->parts[l->nparts].hole = hole;
    l->nparts++;
    l->nvert += count;
    return BM_OK;
}

void bm_layer_free(bm_layer *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nfeatures; i++)
        free(l->feature_name[i]);
    free(l->feature_name);
    free(l->feature_rank);
    free(l->xy);
    free(l->parts);
    free(l->name);
    free(l);
}
