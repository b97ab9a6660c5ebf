/*
 * bm_render.h - briefing maps drawn with cairo, text set with pango.
 * Only this module links cairo and pango.
 *
 * The map is drawn in the style's projection (PROJ), the extent given in
 * degrees. Basemap layers arrive as bm_layer values (lon, lat degrees) read
 * by the caller (bm_export_read_layer), in the style's layer order.
 */
#ifndef BM_RENDER_H
#define BM_RENDER_H

#include "bm_core.h"
#include "bm_style.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bm_render_format {
    BM_RENDER_PNG,
    BM_RENDER_PDF,
    BM_RENDER_SVG
} bm_render_format;

/* From a file name's extension (.png/.pdf/.svg); -1 when unknown. */
int bm_render_format_for_path(const char *path);

typedef struct bm_render_opts {
    int width, height;  /* pixels for PNG; points for PDF/SVG. 0: style's */
    const char *title;  /* NULL: style's title */
    const char *subtitle; /* NULL: none */
} bm_render_opts;

/* Draws the map and writes it to path (format from its extension). The
 * file is written beside and renamed into place. basemap[i] corresponds to
 * style->layers[i] and may be NULL (layer missing: skipped). */
bm_status bm_render_map(bm_ctx *ctx, const bm_style *style,
                        bm_layer *const *basemap, const bm_incident *incidents,
                        size_t nincidents, const bm_render_opts *opts,
                        const char *path);

/* Where (lon, lat) lands on the page bm_render_map draws for this style and
 * opts (opts may be NULL): device units from the page's top-left corner,
 * i.e. pixels for PNG, points for PDF/SVG. The layout depends only on the
 * style, the page size and whether a subtitle is given, never on the
 * incidents or layers. Fails with BM_ERR_PROJ (message names the projection)
 * when the projection is unusable or the point cannot be projected. x or y
 * may be NULL. */
bm_status bm_render_project(bm_ctx *ctx, const bm_style *style,
                            const bm_render_opts *opts, double lon,
                            double lat, double *x, double *y);

/* The lon/lat box the map frame covers, never smaller than the style's
 * extent. In a conic projection the frame (the bounding box of the
 * projected extent) reaches beyond the extent at its corners: read basemap
 * layers with this box (bm_export_read_layer) so those corners are not
 * left empty. Any out-parameter may be NULL. */
bm_status bm_render_data_bounds(bm_ctx *ctx, const bm_style *style,
                                const bm_render_opts *opts, double *min_lon,
                                double *min_lat, double *max_lon,
                                double *max_lat);

#ifdef __cplusplus
}
#endif
#endif
