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
    bm_store_added added;
    memset(&added, 0, sizeof added);
    bm_status s = bm_store_add_report2(st, r, NULL, 0, incidents, n, 0, &added);
    if (report_id)
        *report_id = added.report_id;
    return s;
}

bm_status bm_store_add_report2(bm_store *st, const bm_store_report *r,
                               const bm_store_mention *mentions,
                               size_t nmentions, const bm_incident *incidents,
                               size_t n, int replace, bm_store_added *out)
{
    bm_store_added local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    if (!st)
        return BM_ERR_USAGE;
    if (!r || (n > 0 && !incidents) || (nmentions > 0 && !mentions))
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: add_report without a report or incidents");
    return st->ops->add_report(st, r, mentions, nmentions, incidents, n,
                               replace, out);
}

bm_status bm_store_begin_batch(bm_store *st)
{
    if (!st)
        return BM_ERR_USAGE;
    return st->ops->begin_batch ? st->ops->begin_batch(st) : BM_OK;
}

bm_status bm_store_end_batch(bm_store *st)
{
    if (!st)
        return BM_ERR_USAGE;
    return st->ops->end_batch ? st->ops->end_batch(st) : BM_OK;
}

bm_status bm_store_count(bm_store *st, size_t *reports, size_t *incidents)
{
    if (!st)
        return BM_ERR_USAGE;
    return st->ops->count(st, reports, incidents);
}

static bm_status check_box(bm_store *st, double min_lon, double min_lat,
                           double max_lon, double max_lat)
{
    if (!isfinite(min_lon) || !isfinite(max_lon) || !isfinite(min_lat) ||
        !isfinite(max_lat) || min_lat > max_lat)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: invalid box [%g,%g]x[%g,%g]", min_lon,
                           max_lon, min_lat, max_lat);
    return BM_OK;
}

/* A NULL filter becomes the empty one (*none); a box is checked. */
static bm_status check_filter(bm_store *st, const bm_store_filter **filter,
                              bm_store_filter *none)
{
    memset(none, 0, sizeof *none);
    if (!*filter)
        *filter = none;
    const bm_store_filter *f = *filter;
    if (f->ntypes > 0 && !f->types)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: types missing");
    if (f->has_box)
        return check_box(st, f->min_lon, f->min_lat, f->max_lon, f->max_lat);
    return BM_OK;
}

/* The checks of a reading call with a visitor: a handle, a visitor and a
 * valid filter (NULL becomes *none). */
static bm_status check_visit(bm_store *st, int has_fn,
                             const bm_store_filter **filter,
                             bm_store_filter *none)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!has_fn)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no visitor given");
    return check_filter(st, filter, none);
}

bm_status bm_store_find(bm_store *st, const bm_store_filter *filter,
                        bm_incident_visit_fn fn, void *user)
{
    bm_store_filter none;
    bm_status fs = check_visit(st, fn != NULL, &filter, &none);
    if (fs != BM_OK)
        return fs;
    return st->ops->find(st, filter, fn, user);
}

/* find_kept for backends without one: find, then deep copies. */
typedef struct kept_state {
    bm_store_keep_fn keep;
    void *user;
    bm_store_kept *items;
    size_t n, cap;
    int nomem;
} kept_state;

static int kept_visit(void *user, const bm_incident *inc)
{
    kept_state *ks = user;
    double value = 0.0;
    if (!ks->keep(ks->user, inc->lon, inc->lat, &value))
        return 0;
    bm_store_kept *k = bm_grow(ks->items, &ks->cap, ks->n + 1, sizeof *k);
    if (!k) {
        ks->nomem = 1;
        return 1;
    }
    ks->items = k;
    k = &ks->items[ks->n];
    memset(k, 0, sizeof *k);
    if (bm_incident_copy(&k->incident, inc) != BM_OK) {
        bm_incident_clear(&k->incident);
        ks->nomem = 1;
        return 1;
    }
    k->value = value;
    ks->n++;
    return 0;
}

bm_status bm_store_find_kept(bm_store *st, const bm_store_filter *filter,
                             bm_store_keep_fn keep, void *user,
                             bm_store_kept **out, size_t *n)
{
    if (!out || !n)
        return st ? bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no output")
                  : BM_ERR_USAGE;
    *out = NULL;
    *n = 0;
    if (!st)
        return BM_ERR_USAGE;
    if (!keep)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no keep function");
    bm_store_filter none;
    bm_status fs = check_filter(st, &filter, &none);
    if (fs != BM_OK)
        return fs;
    if (st->ops->find_kept)
        return st->ops->find_kept(st, filter, keep, user, out, n);
    kept_state ks;
    memset(&ks, 0, sizeof ks);
    ks.keep = keep;
    ks.user = user;
    bm_status s = st->ops->find(st, filter, kept_visit, &ks);
    if (s == BM_OK && ks.nomem)
        s = bm_ctx_fail(st->ctx, BM_ERR_NOMEM,
                        "store: out of memory collecting incidents");
    if (s != BM_OK) {
        bm_store_kept_free(ks.items, ks.n);
        return s;
    }
    *out = ks.items;
    *n = ks.n;
    return BM_OK;
}

void bm_store_kept_free(bm_store_kept *kept, size_t n)
{
    if (!kept)
        return;
    for (size_t i = 0; i < n; i++)
        bm_incident_clear(&kept[i].incident);
    free(kept);
}

/* each_point for backends without one: find, passing the point on. */
typedef struct point_state {
    bm_point_visit_fn fn;
    void *user;
} point_state;

static int point_visit(void *user, const bm_incident *inc)
{
    point_state *ps = user;
    return ps->fn(ps->user, inc->lon, inc->lat, inc->type, inc->date);
}

bm_status bm_store_each_point(bm_store *st, const bm_store_filter *filter,
                              bm_point_visit_fn fn, void *user)
{
    bm_store_filter none;
    bm_status fs = check_visit(st, fn != NULL, &filter, &none);
    if (fs != BM_OK)
        return fs;
    if (st->ops->each_point)
        return st->ops->each_point(st, filter, fn, user);
    point_state ps = {fn, user};
    return st->ops->find(st, filter, point_visit, &ps);
}

bm_status bm_store_each_incident(bm_store *st, bm_incident_visit_fn fn,
                                 void *user)
{
    return bm_store_find(st, NULL, fn, user);
}

bm_status bm_store_incidents_in_box(bm_store *st, double min_lon,
                                    double min_lat, double max_lon,
                                    double max_lat, bm_incident_visit_fn fn,
                                    void *user)
{
    bm_store_filter f;
    memset(&f, 0, sizeof f);
    f.has_box = 1;
    f.min_lon = min_lon;
    f.min_lat = min_lat;
    f.max_lon = max_lon;
    f.max_lat = max_lat;
    return bm_store_find(st, &f, fn, user);
}

bm_status bm_store_get_incident(bm_store *st, int64_t id, bm_incident *out)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!out)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no output given");
    memset(out, 0, sizeof *out);
    return st->ops->get_incident(st, id, out);
}

bm_status bm_store_add_incident(bm_store *st, const bm_incident *inc,
                                const char *command, int64_t *id)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!inc || !inc->type || !*inc->type)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: an incident needs a type");
    if (!isfinite(inc->lon) || !isfinite(inc->lat) || inc->lon < -180 ||
        inc->lon > 180 || inc->lat < -90 || inc->lat > 90)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: invalid point (lon %g, lat %g)", inc->lon,
                           inc->lat);
    int64_t local;
    return st->ops->add_incident(st, inc, command, id ? id : &local);
}

bm_status bm_store_update_incident(bm_store *st, const bm_incident *inc,
                                   const char *command, size_t *changed)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!inc || !inc->type || !*inc->type)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: an incident needs a type");
    if (!isfinite(inc->lon) || !isfinite(inc->lat) || inc->lon < -180 ||
        inc->lon > 180 || inc->lat < -90 || inc->lat > 90)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE,
                           "store: invalid point (lon %g, lat %g)", inc->lon,
                           inc->lat);
    size_t local;
    return st->ops->update_incident(st, inc, command,
                                    changed ? changed : &local);
}

bm_status bm_store_delete_incident(bm_store *st, int64_t id,
                                   const char *command)
{
    if (!st)
        return BM_ERR_USAGE;
    return st->ops->delete_incident(st, id, command);
}

bm_status bm_store_each_audit(bm_store *st, int64_t incident_id,
                              bm_audit_visit_fn fn, void *user)
{
    if (!st)
        return BM_ERR_USAGE;
    if (!fn)
        return bm_ctx_fail(st->ctx, BM_ERR_USAGE, "store: no visitor given");
    return st->ops->each_audit(st, incident_id, fn, user);
}

bm_status bm_store_stats(bm_store *st, const bm_store_filter *filter,
                         bm_stat_visit_fn fn, void *user)
{
    bm_store_filter none;
    bm_status fs = check_visit(st, fn != NULL, &filter, &none);
    if (fs != BM_OK)
        return fs;
    return st->ops->stats(st, filter, fn, user);
}

bm_status bm_store_schema_version(bm_store *st, int *version)
{
    if (!st || !version)
        return BM_ERR_USAGE;
    return st->ops->schema_version(st, version);
}

const char *bm_store_backend(const bm_store *st)
{
    return st && st->ops ? st->ops->name : "none";
}
