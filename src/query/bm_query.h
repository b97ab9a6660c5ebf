/*
 * bm_query.h - questions analysts ask of the store.
 *
 * Distances are geodesic on the WGS 84 ellipsoid (PROJ's geodesic
 * routines, Karney's algorithm), in metres. Coordinates are (lon, lat)
 * degrees. The store's spatial index narrows the search to a box that
 * surely contains the circle; the exact distance then decides.
 */
#ifndef BM_QUERY_H
#define BM_QUERY_H

#include "bm_core.h"
#include "bm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Geodesic distance in metres between two points (degrees). */
double bm_geodesic_distance(double lon1, double lat1, double lon2,
                            double lat2);

/* The bounding box (degrees) of all points within radius_m metres of
 * (lon, lat); min_lon > max_lon when it crosses the antimeridian. Near a
 * pole the box spans all longitudes. */
void bm_geodesic_box(double lon, double lat, double radius_m, double *min_lon,
                     double *min_lat, double *max_lon, double *max_lat);

typedef struct bm_near_hit {
    bm_incident incident; /* owned by the result */
    double distance_m;
} bm_near_hit;

typedef struct bm_near_result {
    bm_near_hit *hits; /* sorted by distance, then incident id */
    size_t count;
} bm_near_result;

/* Incidents within radius_m metres of (lon, lat). Caller owns *out
 * (bm_near_result_free()). */
bm_status bm_query_near(bm_ctx *ctx, bm_store *st, double lon, double lat,
                        double radius_m, bm_near_result *out);
/* The same, keeping only incidents that also match filter (NULL = all; its
 * box fields are ignored: the search box comes from the radius). The
 * filters run in the store, beside the spatial index; the exact geodesic
 * distance decides last. */
bm_status bm_query_near_filtered(bm_ctx *ctx, bm_store *st, double lon,
                                 double lat, double radius_m,
                                 const bm_store_filter *filter,
                                 bm_near_result *out);
void bm_near_result_free(bm_near_result *r);

#ifdef __cplusplus
}
#endif
#endif
