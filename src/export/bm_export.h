/*
 * bm_export.h - the GDAL/OGR boundary: writing incidents to the formats
 * analysts exchange, and reading vector layers (the basemap) for drawing.
 * Only this module links GDAL.
 *
 * Output is EPSG:4326 with (lon, lat) axis order (GeoJSON is written as
 * RFC 7946). GDAL errors are caught here and turned into messages that
 * name the file and layer.
 */
#ifndef BM_EXPORT_H
#define BM_EXPORT_H

#include "bm_core.h"
#include "bm_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Format names accepted (case-insensitive): "GeoJSON", "GPKG",
 * "KML", "CSV". Returns NULL for an unknown one. Static string: the GDAL
 * driver name. */
const char *bm_export_driver(const char *format);
/* Guesses a format from a file name's extension (".geojson", ".json",
 * ".gpkg", ".kml", ".csv"); NULL when it cannot. */
const char *bm_export_format_for_path(const char *path);

/* Writes every incident in the store to path as layer "incidents", one
 * point feature each. The file is written beside and renamed into place,
 * so a failure leaves any earlier file intact. *written (may be NULL) gets
 * the feature count. */
bm_status bm_export_incidents(bm_ctx *ctx, bm_store *st, const char *path,
                              const char *format, size_t *written);

/* Reads a layer of a vector dataset (e.g. the basemap GeoPackage) clipped
 * to the box (degrees; pass NaNs for no clip filter) into a bm_layer.
 * name_field and rank_field may be NULL. Caller owns *out. */
bm_status bm_export_read_layer(bm_ctx *ctx, const char *path,
                               const char *layer, const char *name_field,
                               const char *rank_field, double min_lon,
                               double min_lat, double max_lon, double max_lat,
                               bm_layer **out);

/* ---- the plugin ------------------------------------------------------------
 * This module is also built as a plugin (bordermap-ogr.so) that the program
 * loads only when a command needs GDAL. The plugin exports one function,
 * bm_export_plugin_api(), returning this table. */
#define BM_EXPORT_API_VERSION 1

typedef struct bm_export_api {
    int version; /* BM_EXPORT_API_VERSION */
    const char *(*driver)(const char *format);
    const char *(*format_for_path)(const char *path);
    bm_status (*export_incidents)(bm_ctx *ctx, bm_store *st, const char *path,
                                  const char *format, size_t *written);
    bm_status (*read_layer)(bm_ctx *ctx, const char *path, const char *layer,
                            const char *name_field, const char *rank_field,
                            double min_lon, double min_lat, double max_lon,
                            double max_lat, bm_layer **out);
} bm_export_api;

/* The table (static). */
__attribute__((visibility("default"))) const bm_export_api *
bm_export_plugin_api(void);

#ifdef __cplusplus
}
#endif
#endif
