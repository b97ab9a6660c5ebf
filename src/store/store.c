/*
 * store.c - the bm_store interface: picks a backend from the uri and
 * dispatches the public bm_store_* calls through its bm_store_ops table.
 *
 * Ownership: a bm_store owns its backend data (released by ops->close()
 * from bm_store_free()); the bm_ctx is borrowed and must outlive the store.
 * Backends set error messages in that ctx; this file only checks arguments.
 */
#include "bm_store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bm_store {
    const bm_store_ops *ops;
    bm_ctx *ctx;   /* borrowed */
    void *data;    /* backend private, released by ops->close() */
};

bm_status bm_store_wrap(bm_ctx *ctx, const bm_store_ops *ops, void *data,
                        bm_store **out)
{
    bm_store *st = calloc(1, sizeof *st);
    if (!st)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory opening store");
    st->ops = ops;
    st->ctx = ctx;
    st->data = data;
    *out = st;
    return BM_OK;
}

void *bm_store_data(const bm_store *st) { return st ? st->data : NULL; }

bm_ctx *bm_store_ctx(const bm_store *st) { return st ? st->ctx : NULL; }

/* True when uri names a PostgreSQL database rather than a file. */
static int is_postgres_uri(const char *uri)
{
    return strncmp(uri, "postgresql://", 13) == 0 ||
           strncmp(uri, "postgres://", 11) == 0 ||
           strncmp(uri, "PG:", 3) == 0;
}

static bm_status open_any(bm_ctx *ctx, const char *uri, int create,
                          int readonly, bm_store **out)
{
    if (!out)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "store: no output handle");
    *out = NULL;
    if (!uri || !*uri)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "store: no database given");
    if (is_postgres_uri(uri))
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: PostGIS backend not built yet; give a "
                           "SpatiaLite file path instead", uri);
    return bm_store_spatialite_open(ctx, uri, create, readonly, out);
}

bm_status bm_store_open(bm_ctx *ctx, const char *uri, bm_store **out)
{
    return open_any(ctx, uri, 1, 0, out);
}

bm_status bm_store_open_existing(bm_ctx *ctx, const char *uri, int readonly,
                                 bm_store **out)
{
    return open_any(ctx, uri, 0, readonly, out);
}

void bm_store_free(bm_store *st)
{
    if (!st)
        return;
    if (st->ops && st->ops->close)
        st->ops->close(st);
    free(st);
}

bm_status bm_store_add_report(bm_store *st, const bm_store_report *r,
                              const bm_incident *incidents, size_t n,
                              int64_t *report_id)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!r || (n > 0 && !incidents))
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: add_report without a report or incidents");
    return st->ops->add_report(st, r, incidents, n, report_id);
}

bm_status bm_store_count(bm_store *st, size_t *reports, size_t *incidents)
{
    if (!st)
        return BM_ERR_USAGE;
    return st->ops->count(st, reports, incidents);
}

bm_status bm_store_each_incident(bm_store *st, bm_incident_visit_fn fn,
                                 void *user)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!fn)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no visitor given");
    return st->ops->each_incident(st, fn, user);
}

bm_status bm_store_incidents_in_box(bm_store *st, double min_lon,
                                    double min_lat, double max_lon,
                                    double max_lat, bm_incident_visit_fn fn,
                                    void *user)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!fn)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no visitor given");
    if (!isfinite(min_lon) || !isfinite(max_lon) || !isfinite(min_lat) ||
        !isfinite(max_lat) || min_lat > max_lat)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: invalid box [%g,%g]x[%g,%g]", min_lon,
                           max_lon, min_lat, max_lat);
    return st->ops->in_box(st, min_lon, min_lat, max_lon, max_lat, fn, user);
}

const char *bm_store_backend(const bm_store *st)
{
    return st && st->ops ? st->ops->name : "none";
}
