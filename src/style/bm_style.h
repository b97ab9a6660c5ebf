/*
 * bm_style.h - map styles, read from YAML (libyaml).
 *
 * A style names the map extent, the page, the basemap layers to draw
 * (bottom to top) and how incidents are marked. See styles/briefing.yaml
 * for the documented format. A malformed style fails with a message that
 * names the file and line. Colours are "#rrggbb" or "#rrggbbaa"; widths
 * and font sizes are in points (1/72 inch); extents in degrees.
 */
#ifndef BM_STYLE_H
#define BM_STYLE_H

#include "bm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_rgba {
    double r, g, b, a; /* 0..1 */
} bm_rgba;

/* One basemap layer as drawn. */
typedef struct bm_style_layer {
    char *source;      /* layer name in the basemap file */
    bm_geom_kind kind; /* what to draw: polygon fill, line or point */
    int has_fill, has_stroke;
    bm_rgba fill, stroke;
    double width;      /* stroke width, pt */
    char *dash;        /* NULL or "4,2" (pt) */
    char *label_field; /* attribute used as label, or NULL */
    char *rank_field;  /* attribute ranking features, or NULL */
    double max_rank;   /* draw/label only features with rank <= max_rank
                          (rank_field such as scalerank); <0: all */
    double label_size; /* pt */
    bm_rgba label_color;
    int label_italic;
    double symbol_size; /* pt, for points */
    int avoid;          /* incident labels keep off these lines */
    double avoid_max_rank; /* ... only features with rank <= this (<0 or
                              0 with no rank field: all drawn ones) */
} bm_style_layer;

/* How incidents of one type are marked. type "*" is the fallback. */
typedef struct bm_style_incident {
    char *type;
    bm_rgba fill;
    char *shape; /* "circle", "square", "triangle", "diamond" */
} bm_style_incident;

typedef struct bm_style {
    char *path;                 /* file it came from */
    char *name;
    char *title;                /* map title; may contain {date} */
    char *projection;           /* PROJ string or "EPSG:nnnn" */
    double min_lon, min_lat, max_lon, max_lat; /* extent, degrees */
    int width_px, height_px;    /* default raster size */
    char *font;                 /* pango family list: "Noto Sans, Noto Sans CJK KR" */
    bm_rgba background;         /* sea */
    bm_rgba halo;
    double halo_width;          /* pt */
    bm_style_layer *layers;
    size_t nlayers;
    bm_style_incident *incidents;
    size_t nincidents;
    double incident_size;       /* pt */
    double incident_label_size; /* pt */
    bm_rgba incident_stroke;
    char *attribution;          /* drawn at the foot of the map */
    /* Page. page_w_pt > 0: the map is laid out on a paper page of that
     * size in points (A4, A3, Letter; landscape or portrait) and PNGs are
     * rasterised at dpi. 0: no page; width_px x height_px is the size. */
    char *page;                 /* "A4", "A3", "Letter" or NULL */
    int landscape;
    double page_w_pt, page_h_pt;
    double dpi;                 /* PNG resolution on a page (default 150) */
    bm_rgba paper;              /* page around the map frame */
    bm_rgba ink;                /* furniture text and lines */
    bm_rgba panel;              /* legend/inset/side-list box fill */
    bm_rgba land_inset;         /* land in the inset locator */
    char *classification;       /* banner text at top and bottom, or NULL */
    bm_rgba class_fg, class_bg;
    bm_rgba heat_low, heat_mid, heat_high; /* heatmap colour ramp */
} bm_style;

/* Loads a style file. Caller owns *out (bm_style_free()). */
bm_status bm_style_load(bm_ctx *ctx, const char *path, bm_style **out);
void bm_style_free(bm_style *s);

/* The marker for an incident type (falls back to "*", then a built-in
 * grey circle). Borrowed from s. */
const bm_style_incident *bm_style_for_incident(const bm_style *s,
                                               const char *type);

/* Paper sizes in points: "A4", "A3", "Letter" (case-insensitive), portrait
 * (width < height). 0 on success, -1 when the name is unknown. */
int bm_style_paper_size(const char *name, double *w_pt, double *h_pt);

/* Parses "#rrggbb"/"#rrggbbaa". 0 on success. */
int bm_style_parse_color(const char *text, bm_rgba *out);

#ifdef __cplusplus
}
#endif
#endif
