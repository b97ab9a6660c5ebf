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

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

bm_status bm_layer_add_feature(bm_layer *l, const char *name, double rank,
                               size_t *index)
{
    size_t cap = l->cap_features, cap2 = l->cap_features;
    if (grow((void **)&l->feature_name, &cap, l->nfeatures + 1,
             sizeof *l->feature_name) ||
        grow((void **)&l->feature_rank, &cap2, l->nfeatures + 1,
             sizeof *l->feature_rank))
        return BM_ERR_NOMEM;
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
    if (grow((void **)&l->xy, &l->cap_xy, (l->nvert + count) * 2,
             sizeof *l->xy) ||
        grow((void **)&l->parts, &l->cap_parts, l->nparts + 1,
             sizeof *l->parts))
        return BM_ERR_NOMEM;
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
