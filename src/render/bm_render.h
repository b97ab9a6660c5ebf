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

/* A title with "{date}" replaced by the span lo – hi, said as briefly as
 * it is true: ISO days ("2024-06-11 – 2024-06-20"; one when they are
 * equal), whole months as "2024-03 – 2024-07" or "2024-06", whole years
 * as "2024"; other text as it is. lo NULL or "" with hi set (an open
 * start) gives "by <hi>"; with neither, "{date}" is dropped with the
 * space before it, never replaced by today's date. bm_render_map fills a
 * title's "{date}" so from its incidents' ranges (bm_incident date_start
 * and date_end, else the days their date means). Caller frees; NULL when
 * memory runs out. */
char *bm_render_expand_title(const char *title, const char *lo,
                             const char *hi);

/* What a drawing did, for callers and tests (bm_render_opts.result). */
typedef struct bm_render_result {
    double page_w, page_h;  /* device units: pixels (PNG) or points */
    size_t shown, outside;  /* incidents inside / outside the frame */
    size_t groups;          /* places with incidents (one marker group each) */
    size_t labels_placed;   /* incident labels set on the map */
    size_t labels_listed;   /* numbered on the map, text in the side list */
    size_t labels_unlisted; /* side list full: counted in a note, no number */
    size_t numbers_shown;   /* side-list numbers drawn at their symbols
                               (each for a line the list holds) */
    size_t max_number;      /* the highest of them (0: none) */
    double *boxes;          /* every label box placed on the map (incident,
                               town, river, country, list numbers), 4
                               doubles x0,y0,x1,y1 each, device units;
                               owned by the result */
    size_t nboxes;
    double scale_km;        /* scale bar length, km (0: no bar) */
    double scale_len;       /* its length, device units */
    double scale_lon, scale_lat; /* where it is true: the frame's centre */
} bm_render_result;

/* Frees what a result holds and zeroes it; NULL is fine. */
void bm_render_result_clear(bm_render_result *res);

typedef struct bm_render_opts {
    int width, height;  /* pixels for PNG; points for PDF/SVG. 0: the
                           style's page (A4... at dpi) or size */
    const char *title;  /* NULL: style's title */
    const char *subtitle; /* NULL: none; "{count}" becomes the number of
                             incidents on the map, "{s}" its plural s */
    int format;         /* bm_render_format the layout is for (pixels or
                           points); bm_render_map takes it from the path */
    double dpi;         /* PNG on a style page: 0 = the style's dpi */
    int fill;           /* widen the extent to fill the page; legend, inset
                           locator and side list go in a panel beside it */
    const char *classification; /* banner text; NULL: style's; "": none */
    double heat_km;     /* > 0: kernel density heatmap, Gaussian bandwidth
                           in km, instead of markers and labels */
    /* Heatmap input as bare points: npoints (lon, lat) pairs in degrees,
     * borrowed. When set (with heat_km > 0) the heatmap is drawn from
     * them and bm_render_map's incidents may be none: 16 bytes a point
     * instead of an incident each, for heatmaps of millions. */
    const double *points;
    size_t npoints;
    /* Inset locator: layers (lon/lat) drawn small with the map's extent
     * outlined: polygons filled as land, lines as borders. Borrowed. */
    bm_layer *const *inset;
    size_t ninset;
    /* The locator's area (lon0, lat0, lon1, lat1 in degrees); all zero:
     * as far as the inset layers reach. */
    double inset_area[4];
    /* Small multiples: npanels > 0 draws one panel per name on a shared
     * extent and scale; incident i goes into panel panel_of[i] (or none
     * when >= npanels). Borrowed. */
    const size_t *panel_of;
    const char *const *panel_names;
    size_t npanels;
    bm_render_result *result; /* NULL, or filled by bm_render_map (caller
                                 clears it with bm_render_result_clear) */
} bm_render_opts;

/* Draws the map and writes it to path (format from its extension). The
 * file is written beside and renamed into place. basemap[i] corresponds to
 * style->layers[i] and may be NULL (layer missing: skipped). Incident
 * labels (and the side list) say a date with its precision: "2024-06-15",
 * "June 2024", "2024", "mid-June 2024", "summer 2024", "by 2024-06-15"
 * (dated only by its report); a group's date is the one its incidents
 * share, else the span of their ranges. */
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

/* ---- the render plugin ---------------------------------------------------- */
/* The program loads this module as a plugin (bordermap-render.so) only in
 * the commands that draw: cairo, pango and their ~40 shared libraries
 * would otherwise cost every command's start-up ~11 ms. The table holds
 * the functions above; version grows when it changes. */
#define BM_RENDER_API_VERSION 2 /* 2: bm_incident carries a range, is_main
                                   and evidence_more */
typedef struct bm_render_api {
    int version; /* BM_RENDER_API_VERSION */
    int (*format_for_path)(const char *path);
    char *(*expand_title)(const char *title, const char *lo, const char *hi);
    bm_status (*map)(bm_ctx *ctx, const bm_style *style,
                     bm_layer *const *basemap, const bm_incident *incidents,
                     size_t nincidents, const bm_render_opts *opts,
                     const char *path);
    bm_status (*data_bounds)(bm_ctx *ctx, const bm_style *style,
                             const bm_render_opts *opts, double *min_lon,
                             double *min_lat, double *max_lon,
                             double *max_lat);
} bm_render_api;

/* The table (static). */
__attribute__((visibility("default"))) const bm_render_api *
bm_render_plugin_api(void);

#ifdef __cplusplus
}
#endif
#endif
