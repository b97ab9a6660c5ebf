/*
 * phrases.c - a small set of phrases found by their first two bytes (see
 * gp_internal.h).
 */
#include "gp_internal.h"

#include <string.h>

void gp_phrases_init(gp_phrases *ps)
{
    memset(ps->head, GP_PHRASES_NONE, sizeof ps->head);
    ps->n = 0;
}

size_t gp_phrases_add(gp_phrases *ps, const char *const *list,
                      unsigned char cls)
{
    size_t added = 0;
    for (; list[added] && ps->n < GP_PHRASES_MAX; added++) {
        const char *ph = list[added];
        size_t k = ps->n++;
        ps->ph[k] = ph;
        ps->len[k] = (unsigned char)strlen(ph);
        ps->cls[k] = cls;
        unsigned h = ((unsigned)(unsigned char)ph[0] * 31u ^
                      (unsigned)(unsigned char)ph[1] * 7u) &
                     (GP_PHRASES_HEAD - 1u);
        ps->next[k] = ps->head[h];
        ps->head[h] = (unsigned char)k;
    }
    return added;
}
