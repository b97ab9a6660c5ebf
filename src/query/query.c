/*
 * query.c - geodesic distances, search boxes and "near" queries.
 *
 * Units: angles in degrees, (lon, lat) order in every argument list
 * (PROJ's geodesic.h takes (lat, lon), so the order flips at its calls);
 * distances in metres on the WGS 84 ellipsoid (a = 6378137 m,
 * f = 1/298.257223563), computed with Karney's algorithm (PROJ geodesic.h),
 * accurate to a few nanometres.
 *
 * Ownership: bm_query_near() fills a bm_near_result whose hits own deep
 * copies of their incidents (bm_incident_copy()); release everything with
 * bm_near_result_free(). The store is borrowed.
 */
#include "bm_query.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <geodesic.h>

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)

/* Padding added to every side of a search box, in degrees (about 1 cm):
 * absorbs the rounding of the longitude maximisation below. */
#define BOX_PAD_DEG 1e-7

static void wgs84(struct geod_geodesic *g) { geod_init(g, WGS84_A, WGS84_F); }

static double distance_on(const struct geod_geodesic *g, double lon1,
                          double lat1, double lon2, double lat2)
{
    double s12 = 0.0;
    geod_inverse(g, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

double bm_geodesic_distance(double lon1, double lat1, double lon2,
                            double lat2)
{
    struct geod_geodesic g;
    wgs84(&g);
    return distance_on(&g, lon1, lat1, lon2, lat2);
}

/* Longitude reached (unrolled, so it may pass +-180) going s metres from
 * (lon, lat) at azimuth azi. */
static double unrolled_lon(const struct geod_geodesic *g, double lon,
                           double lat, double azi, double s)
{
    double lat2 = 0.0, lon2 = 0.0;
    geod_gendirect(g, lat, lon, azi, GEOD_LONG_UNROLL, s, &lat2, &lon2, NULL,
                   NULL, NULL, NULL, NULL, NULL);
    return lon2;
}

static double dest_lat(const struct geod_geodesic *g, double lon, double lat,
                       double azi, double s)
{
    double lat2 = 0.0, lon2 = 0.0;
    geod_direct(g, lat, lon, azi, s, &lat2, &lon2, NULL);
    return lat2;
}

/* Largest eastward longitude offset (degrees) of the geodesic circle of
 * radius r around (0, lat). The circle is symmetric about its centre's
 * meridian, so the westward offset is the same. Samples the eastern half
 * every degree of azimuth, then refines the best bracket by golden-section
 * search (the offset is a smooth function of the azimuth with one maximum,
 * where the geodesic arrives heading due east). */
static double max_dlon(const struct geod_geodesic *g, double lat, double r)
{
    int best = 0;
    double best_d = -1.0;
    for (int k = 0; k <= 180; k++) {
        double d = unrolled_lon(g, 0.0, lat, (double)k, r);
        if (d > best_d) {
            best_d = d;
            best = k;
        }
    }
    double lo = best > 0 ? best - 1.0 : 0.0;
    double hi = best < 180 ? best + 1.0 : 180.0;
    const double phi = 0.6180339887498949;
    double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo);
    double f1 = unrolled_lon(g, 0.0, lat, x1, r);
    double f2 = unrolled_lon(g, 0.0, lat, x2, r);
    for (int it = 0; it < 60 && hi - lo > 1e-12; it++) {
        if (f1 < f2) {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + phi * (hi - lo);
            f2 = unrolled_lon(g, 0.0, lat, x2, r);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - phi * (hi - lo);
            f1 = unrolled_lon(g, 0.0, lat, x1, r);
        }
    }
    double d = f1 > f2 ? f1 : f2;
    return d > best_d ? d : best_d;
}

/* Brings a longitude into [-180, 180] (180 stays 180). */
static double wrap_lon(double lon)
{
    lon = fmod(lon, 360.0);
    if (lon > 180.0)
        lon -= 360.0;
    else if (lon < -180.0)
        lon += 360.0;
    return lon;
}

void bm_geodesic_box(double lon, double lat, double radius_m, double *min_lon,
                     double *min_lat, double *max_lon, double *max_lat)
{
    struct geod_geodesic g;
    wgs84(&g);
    if (!(radius_m > 0.0))
        radius_m = 0.0; /* also NaN */
    if (lat > 90.0)
        lat = 90.0;
    if (lat < -90.0)
        lat = -90.0;
    lon = wrap_lon(lon);

    /* Parallels are everywhere at right angles to meridians, so the
     * meridian arc is the shortest way to another parallel: the circle's
     * northern- and southernmost points lie due north and due south. */
    double to_north = distance_on(&g, lon, lat, lon, 90.0);
    double to_south = distance_on(&g, lon, lat, lon, -90.0);
    int north_pole = radius_m >= to_north;
    int south_pole = radius_m >= to_south;
    double n = north_pole ? 90.0 : dest_lat(&g, lon, lat, 0.0, radius_m);
    double s = south_pole ? -90.0 : dest_lat(&g, lon, lat, 180.0, radius_m);
    *max_lat = fmin(90.0, n + BOX_PAD_DEG);
    *min_lat = fmax(-90.0, s - BOX_PAD_DEG);

    if (north_pole || south_pole) {
        *min_lon = -180.0;
        *max_lon = 180.0;
        return;
    }
    double dl = max_dlon(&g, lat, radius_m) + BOX_PAD_DEG;
    if (dl >= 180.0) {
        *min_lon = -180.0;
        *max_lon = 180.0;
        return;
    }
    /* min_lon > max_lon afterwards means the box crosses the antimeridian. */
    *min_lon = wrap_lon(lon - dl);
    *max_lon = wrap_lon(lon + dl);
    if (*min_lon == 180.0)
        *min_lon = -180.0;
    if (*max_lon == -180.0)
        *max_lon = 180.0;
}

/* ---- near --------------------------------------------------------------- */

/* Geocoded incidents pile up on a town's exact point: distances are
 * memoised per point (exact bit patterns of lon and lat) in a small
 * open-addressing table, so each distinct point costs one geod_inverse. */
#define MEMO_SLOTS 4096 /* power of two */

typedef struct point_memo {
    double lon, lat, d;
    int used;
} point_memo;

typedef struct near_state {
    struct geod_geodesic g;
    double lon, lat, radius_m;
    point_memo *memo; /* MEMO_SLOTS entries, or NULL (no memo) */
    size_t memo_used;
} near_state;

static size_t point_hash(double lon, double lat)
{
    uint64_t a, b;
    memcpy(&a, &lon, sizeof a);
    memcpy(&b, &lat, sizeof b);
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (size_t)h & (MEMO_SLOTS - 1);
}

static double near_distance(near_state *ns, double lon, double lat)
{
    if (!ns->memo)
        return distance_on(&ns->g, ns->lon, ns->lat, lon, lat);
    size_t i = point_hash(lon, lat);
    for (size_t probe = 0; probe < 8; probe++, i = (i + 1) & (MEMO_SLOTS - 1)) {
        point_memo *m = &ns->memo[i];
        if (!m->used) {
            double d = distance_on(&ns->g, ns->lon, ns->lat, lon, lat);
            /* keep the table at most half full; past that, just compute */
            if (ns->memo_used < MEMO_SLOTS / 2) {
                m->used = 1;
                m->lon = lon;
                m->lat = lat;
                m->d = d;
                ns->memo_used++;
            }
            return d;
        }
        if (m->lon == lon && m->lat == lat)
            return m->d;
    }
    return distance_on(&ns->g, ns->lon, ns->lat, lon, lat);
}

/* The exact test, on the stored doubles (the spatial index's float32
 * boxes only narrow the candidates). */
static int near_keep(void *user, double lon, double lat, double *value)
{
    near_state *ns = user;
    double d = near_distance(ns, lon, lat);
    *value = d;
    return d <= ns->radius_m;
}

/* Sorting keys, not the ~200-byte incidents: then one move per hit. */
typedef struct hit_key {
    double d;
    int64_t id;
    size_t at;
} hit_key;

static int key_cmp(const void *a, const void *b)
{
    const hit_key *x = a, *y = b;
    if (x->d < y->d)
        return -1;
    if (x->d > y->d)
        return 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Moves the kept incidents into hits ordered by distance, then incident id
 * (their strings change owner, nothing is copied). Frees kept's array
 * (not its incidents) on success. */
static bm_status to_sorted_hits(bm_store_kept *kept, size_t n,
                                bm_near_hit **out)
{
    hit_key *k = malloc(n * sizeof *k);
    bm_near_hit *hits = malloc(n * sizeof *hits);
    if (!k || !hits) {
        free(k);
        free(hits);
        return BM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        k[i].d = kept[i].value;
        k[i].id = kept[i].incident.id;
        k[i].at = i;
    }
    qsort(k, n, sizeof *k, key_cmp);
    for (size_t i = 0; i < n; i++) {
        hits[i].incident = kept[k[i].at].incident;
        hits[i].distance_m = k[i].d;
    }
    free(k);
    free(kept);
    *out = hits;
    return BM_OK;
}

bm_status bm_query_near(bm_ctx *ctx, bm_store *st, double lon, double lat,
                        double radius_m, bm_near_result *out)
{
    return bm_query_near_filtered(ctx, st, lon, lat, radius_m, NULL, out);
}

bm_status bm_query_near_filtered(bm_ctx *ctx, bm_store *st, double lon,
                                 double lat, double radius_m,
                                 const bm_store_filter *filter,
                                 bm_near_result *out)
{
    if (!out)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "near: no result given");
    memset(out, 0, sizeof *out);
    if (!st)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "near: no store given");
    if (!isfinite(lon) || !isfinite(lat) || lat < -90.0 || lat > 90.0)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "near: invalid point (lon %g, lat %g)", lon, lat);
    if (!isfinite(radius_m) || radius_m < 0.0)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "near: invalid radius %g m", radius_m);

    near_state ns;
    memset(&ns, 0, sizeof ns);
    wgs84(&ns.g);
    ns.lon = lon;
    ns.lat = lat;
    ns.radius_m = radius_m;
    ns.memo = calloc(MEMO_SLOTS, sizeof *ns.memo); /* NULL: no memo, fine */

    bm_store_filter f;
    if (filter)
        f = *filter;
    else
        memset(&f, 0, sizeof f);
    f.has_box = 1;
    bm_geodesic_box(lon, lat, radius_m, &f.min_lon, &f.min_lat, &f.max_lon,
                    &f.max_lat);
    bm_store_kept *kept = NULL;
    size_t n = 0;
    bm_status status = bm_store_find_kept(st, &f, near_keep, &ns, &kept, &n);
    free(ns.memo);
    bm_near_hit *hits = NULL;
    if (status == BM_OK && n > 0 && to_sorted_hits(kept, n, &hits) != BM_OK) {
        bm_store_kept_free(kept, n);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM,
                           "near: out of memory collecting incidents");
    }
    if (status != BM_OK) {
        /* The store reports into the ctx it was opened with; pass the
         * message on when that is not ours. */
        bm_ctx *sctx = bm_store_ctx(st);
        if (sctx && sctx != ctx && bm_ctx_error(sctx)[0])
            bm_ctx_fail(ctx, status, "%s", bm_ctx_error(sctx));
        return status;
    }
    out->hits = hits;
    out->count = n;
    return BM_OK;
}

void bm_near_result_free(bm_near_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        bm_incident_clear(&r->hits[i].incident);
    free(r->hits);
    r->hits = NULL;
    r->count = 0;
}
