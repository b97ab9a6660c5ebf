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

/* Format names accepted (case-insensitive): "GeoJSON", "GPKG" (or
 * "GeoPackage"), "KML", "CSV", "FlatGeobuf" (or "FGB"), "ESRI Shapefile"
 * (or "SHP"). Returns NULL for an unknown one. Static string: the GDAL
 * driver name. */
const char *bm_export_driver(const char *format);
/* Guesses a format from a file name's extension (".geojson", ".json",
 * ".gpkg", ".kml", ".csv", ".fgb", ".shp"); NULL when it cannot. */
const char *bm_export_format_for_path(const char *path);

/* The attributes of an exported incident, in column order:
 *   id (Integer64), event_type, event_date (ISO text "2024-01-07",
 *   "2024-01" or "2024": a field has one type, and OFTDate cannot hold a
 *   partial date), time_precision (day, month, year, period, season,
 *   reported), date_start and date_end (the range of days the event may
 *   have happened, ISO day text "2024-06-11"; date_start is empty for an
 *   open range (reported), both are empty when undated; an incident
 *   without a stored range gets the one its date and precision mean,
 *   bm_date_range), place, place_id, admin1, admin2, country,
 *   geo_precision (town, county, ...), actors, evidence (the source
 *   sentence), evidence_more (the further sentences of a merged incident,
 *   one a line), report_title, outlet, url, confidence (Real), status
 *   (auto, reviewed, manual), is_main (Integer 0/1, a boolean in GPKG: the
 *   report's main incident).
 * Shapefiles (dBase names are at most 10 bytes) use explicit short names:
 * time_prec, geo_prec, evid_more, rep_title; the others fit.
 * KML placemarks also carry the range as a <TimeSpan> (begin left out
 * when the range is open; none when undated) for the time sliders of
 * Google Earth and QGIS. */
enum {
    BM_EXPORT_F_ID, BM_EXPORT_F_EVENT_TYPE, BM_EXPORT_F_EVENT_DATE,
    BM_EXPORT_F_TIME_PRECISION, BM_EXPORT_F_DATE_START, BM_EXPORT_F_DATE_END,
    BM_EXPORT_F_PLACE, BM_EXPORT_F_PLACE_ID, BM_EXPORT_F_ADMIN1,
    BM_EXPORT_F_ADMIN2, BM_EXPORT_F_COUNTRY, BM_EXPORT_F_GEO_PRECISION,
    BM_EXPORT_F_ACTORS, BM_EXPORT_F_EVIDENCE, BM_EXPORT_F_EVIDENCE_MORE,
    BM_EXPORT_F_REPORT_TITLE, BM_EXPORT_F_OUTLET, BM_EXPORT_F_URL,
    BM_EXPORT_F_CONFIDENCE, BM_EXPORT_F_STATUS, BM_EXPORT_F_IS_MAIN,
    BM_EXPORT_F_COUNT
};

typedef struct bm_export_opts {
    /* Leave out what names or quotes the source: url, outlet, evidence,
     * evidence_more and report_title (a title names the story, and so the
     * source). Recorded in the file where the driver keeps metadata: GPKG
     * (layer metadata BORDERMAP_REDACTED=YES, BORDERMAP_REDACTED_FIELDS
     * "url,outlet,evidence,evidence_more,report_title", and the
     * description in gpkg_contents), GeoJSON (the collection's
     * "description"). KML, CSV, FlatGeobuf (GDAL 3.6) and shapefiles keep
     * no metadata: the fields are simply absent. */
    int redact;
} bm_export_opts;

/* Writes n incidents to path as layer "incidents", one point feature each
 * (EPSG:4326; GeoJSON is RFC 7946 with 7 decimals). opts may be NULL. The
 * file is written beside and renamed into place (a shapefile's .shx, .dbf,
 * .prj and .cpg too), so a failure leaves any earlier file intact.
 * *written (may be NULL) gets the feature count. */
bm_status bm_export_incident_list(bm_ctx *ctx, const bm_incident *items,
                                  size_t n, const char *path,
                                  const char *format,
                                  const bm_export_opts *opts, size_t *written);

/* Reads the point layer "incidents" (else the first layer) of a vector file
 * written by bm_export_incident_list (or by hand with the same field names,
 * long or short) into incidents, reprojecting to EPSG:4326 (lon, lat).
 * A feature without a point geometry, without event_type, with an
 * event_type not among known_types (ntypes 0: any), with an unknown
 * precision/status value, or with a range (date_start, date_end) that is
 * not ISO days, runs backwards, has no event_date or lies outside the
 * days its event_date and time_precision mean (a season may end in the
 * next year's February; a reported date bounds only the end) is skipped
 * with a warning (bm_ctx_warn) naming the file and the feature's id (or
 * FID); the rest load. A dated feature without a range gets
 * bm_date_range()'s (time_precision missing: day, month or year by the
 * date's length). A feature's id is 0 when it has none; status defaults
 * to manual, confidence to 1, is_main to 0.
 * (*field_masks)[i] (field_masks may be NULL) says which fields feature
 * i sets (1u << BM_EXPORT_F_...; a GeoJSON member that is absent is unset,
 * one that is null is set; a range filled in from the date is not set).
 * Caller owns *out (bm_export_free_incidents()) and *field_masks
 * (free()). */
bm_status bm_export_read_incidents(bm_ctx *ctx, const char *path,
                                   const char *const *known_types,
                                   size_t ntypes, bm_incident **out,
                                   size_t *n, size_t *skipped,
                                   unsigned **field_masks);
void bm_export_free_incidents(bm_incident *items, size_t n);

/* Writes every incident in the store to path as layer "incidents", one
 * point feature each, like bm_export_incident_list (no redaction). The
 * file is written beside and renamed into place,
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
#define BM_EXPORT_API_VERSION 3 /* 3: bm_incident's range, is_main and
                                   evidence_more; the fields' order */

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
    /* version 2 */
    bm_status (*export_incident_list)(bm_ctx *ctx, const bm_incident *items,
                                      size_t n, const char *path,
                                      const char *format,
                                      const bm_export_opts *opts,
                                      size_t *written);
    bm_status (*read_incidents)(bm_ctx *ctx, const char *path,
                                const char *const *known_types, size_t ntypes,
                                bm_incident **out, size_t *n, size_t *skipped,
                                unsigned **field_masks);
    void (*free_incidents)(bm_incident *items, size_t n);
} bm_export_api;

/* The table (static). */
__attribute__((visibility("default"))) const bm_export_api *
bm_export_plugin_api(void);

#ifdef __cplusplus
}
#endif
#endif
