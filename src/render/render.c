/*
 * render.c - briefing maps with cairo (geometry) and pango (all text).
 *
 * Page model. Everything is laid out in device units: pixels for PNG,
 * points for PDF/SVG. With a style page (A4, A3, Letter; landscape or
 * portrait) and no explicit size, one style point is one point on paper:
 * u = dpi/72 device units per point for PNG, 1 for PDF/SVG, and the page
 * is the paper's size. With an explicit size (or a style without a page)
 * the older screen rule holds: one style point is u device units with
 *
 *     u = 4/3 * max(1, min(width / style.width_px, height / style.height_px))
 *
 * so a PNG reads like a 96 dpi screen and a larger page is the same map at
 * a higher resolution. bm_render_project() holds for every format.
 *
 *   +--------------------------------------------------------------+
 *   | classification banner (optional)                              |
 *   | title                                                         |
 *   | subtitle (dates, filters, count)                              |
 *   |      +--------------------------------+  +-----------+        |
 *   | 41N -|  map frame (projected extent)  |  | legend +  |        |
 *   |      |                                |  | scale bar |        |
 *   |      |                                |  | inset     |        |
 *   |      +--------------------------------+  | side list |        |
 *   |       126E      127E      128E           +-----------+        |
 *   | credits                              projection note          |
 *   | classification banner (optional)                              |
 *   +--------------------------------------------------------------+
 *
 * The frame is the bounding box of the projected style extent (edges
 * sampled, as they curve in a conic projection). With opts.fill the
 * extent is widened about its centre to the frame's shape and a side
 * panel holds the legend (with the scale bar, true at the frame's centre,
 * and the north arrow), the inset locator and the numbered list of labels
 * that did not fit. Without fill the frame keeps the extent's shape; the
 * legend goes into a panel when the page has room, else into the frame
 * corner that hides the fewest incidents.
 *
 * Drawing order: paper, sea, basemap layers (style order), graticule,
 * incident markers (or the heatmap), labels (incidents first, then
 * polygon names, line names, towns), furniture, neat line, margins,
 * banners. Small multiples draw the same per panel on a shared scale.
 *
 * Label placement is greedy first-fit against a grid index of placed
 * rectangles (markers, furniture, labels) and leader lines. Incident
 * labels go biggest group first, into the first free position of: 8
 * around the symbol (right, left, above, below, then the diagonals) clear
 * of the lines the style marks `avoid` (borders, major rivers); the same 8
 * crossing them; rings further out in 16 directions with a leader line.
 * A label that fits nowhere is never forced over another: it gets a
 * number at its symbol and its text goes into the side list; if the list
 * is full, a line says how many more there are. Basemap labels that
 * collide are skipped; a town label is also left out when an incident
 * label already names the place. Zoomed-in maps show more ranked features
 * (rank_bonus).
 */
#include "bm_render.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <geodesic.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define DEFAULT_PAGE_W 1200
#define DEFAULT_PAGE_H 900
#define MAX_PAGE 32000 /* cairo image surfaces stop at 32767 */
#define EDGE_SAMPLES 64
#define COORD_CLAMP 1.0e5 /* keep far-off vertices inside cairo's fixed point */

/* ---- small geometry helpers ----------------------------------------------- */

typedef struct rect {
    double x0, y0, x1, y1;
} rect;

static rect
rect_make(double x, double y, double w, double h)
{
    rect r = {x, y, x + w, y + h};
    return r;
}

static int
rect_overlaps(const rect *a, const rect *b, double pad)
{
    return a->x0 < b->x1 + pad && b->x0 < a->x1 + pad && a->y0 < b->y1 + pad &&
           b->y0 < a->y1 + pad;
}

static int
rect_inside(const rect *inner, const rect *outer, double inset)
{
    return inner->x0 >= outer->x0 + inset && inner->x1 <= outer->x1 - inset &&
           inner->y0 >= outer->y0 + inset && inner->y1 <= outer->y1 - inset;
}

static int
rect_contains(const rect *r, double x, double y)
{
    return x >= r->x0 && x <= r->x1 && y >= r->y0 && y <= r->y1;
}

static double
clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the view: projection and page layout ------------------------------- */

typedef struct view {
    PJ_CONTEXT *pjc;
    PJ *pj;               /* EPSG:4326 -> style projection, (lon, lat) in */
    char projlog[512];    /* last PROJ error message */
    double page_w, page_h; /* device units */
    double u;             /* device units per style point */
    rect frame;           /* map frame */
    rect panel;           /* legend panel beside the frame (side_panel) */
    int side_panel;       /* else panel is the room below the frame */
    double header_y;      /* top of the title */
    double band_h;        /* classification banner height (0: none) */
    double footer_y;      /* top of the footer band */
    double px0, py0, px1, py1; /* projected bbox, metres */
    double ex0, ey0, ex1, ey1; /* projected bbox of the extent itself
                                  (before widening to fill the page) */
    double s;             /* device units per projected metre */
} view;

static void
proj_log_cb(void *user, int level, const char *msg)
{
    view *v = user;
    if (level <= PJ_LOG_ERROR && msg)
        snprintf(v->projlog, sizeof v->projlog, "%s", msg);
}

static void
view_free(view *v)
{
    if (v->pj)
        proj_destroy(v->pj);
    if (v->pjc)
        proj_context_destroy(v->pjc);
    v->pj = NULL;
    v->pjc = NULL;
}

/* Projects lon/lat to projected metres; 0 on success. */
static int
view_fwd(const view *v, double lon, double lat, double *X, double *Y)
{
    PJ_COORD c = proj_coord(lon, lat, 0, 0);
    proj_errno_reset(v->pj);
    c = proj_trans(v->pj, PJ_FWD, c);
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || fabs(c.xy.x) > 1e20 ||
        fabs(c.xy.y) > 1e20)
        return -1;
    *X = c.xy.x;
    *Y = c.xy.y;
    return 0;
}

static void
view_to_dev(const view *v, double X, double Y, double *x, double *y)
{
    *x = v->frame.x0 + (X - v->px0) * v->s;
    *y = v->frame.y0 + (v->py1 - Y) * v->s;
}

static int
view_dev(const view *v, double lon, double lat, double *x, double *y)
{
    double X, Y;
    if (view_fwd(v, lon, lat, &X, &Y) != 0)
        return -1;
    view_to_dev(v, X, Y, x, y);
    return 0;
}

/* Device -> lon/lat; 0 on success. */
static int
view_inv(const view *v, double x, double y, double *lon, double *lat)
{
    PJ_COORD c;
    c = proj_coord(v->px0 + (x - v->frame.x0) / v->s,
                   v->py1 - (y - v->frame.y0) / v->s, 0, 0);
    proj_errno_reset(v->pj);
    c = proj_trans(v->pj, PJ_INV, c);
    if (!isfinite(c.lp.lam) || !isfinite(c.lp.phi) || fabs(c.lp.lam) > 1e10)
        return -1;
    *lon = c.lp.lam;
    *lat = c.lp.phi;
    return 0;
}

static const char *
style_subject(const bm_style *style)
{
    if (style->path)
        return style->path;
    if (style->name)
        return style->name;
    return "style";
}

/* Sizes of the bands, in points (multiplied by u). */
#define PT_MARGIN 14.0
#define PT_TITLE 17.0
#define PT_SUBTITLE 10.5
#define PT_LEGEND 9.5
#define PT_LEGEND_HEAD 10.5
#define PT_ATTRIB 7.0
#define PT_GRATICULE 7.5
#define PT_SCALE 7.5
#define PT_PANEL_W 170.0
#define PT_CLASS 9.0
#define PT_GUTTER_LEFT 30.0   /* room for latitude labels */
#define PT_GUTTER_BOTTOM 14.0 /* room for longitude labels */

static bm_status
view_init(bm_ctx *ctx, const bm_style *style, const bm_render_opts *opts,
          view *v)
{
    memset(v, 0, sizeof *v);
    if (!style)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "render: no style given");
    if (!style->projection || !*style->projection)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "%s: style has no projection",
                           style_subject(style));
    if (!(style->min_lon < style->max_lon) ||
        !(style->min_lat < style->max_lat) || style->min_lat < -90 ||
        style->max_lat > 90)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: style extent %g,%g - %g,%g is empty or invalid",
                           style_subject(style), style->min_lon,
                           style->min_lat, style->max_lon, style->max_lat);

    int page_mode = style->page_w_pt > 0 && style->page_h_pt > 0 &&
                    !(opts && (opts->width > 0 || opts->height > 0));
    int w, h;
    if (page_mode) {
        /* a paper page: points on PDF/SVG, pixels at dpi on PNG; one style
         * point is one point on paper */
        int vector = opts && opts->format != BM_RENDER_PNG;
        double dpi = opts && opts->dpi > 0 ? opts->dpi
                     : style->dpi > 0      ? style->dpi
                                           : 150;
        double k = vector ? 1.0 : dpi / 72.0;
        w = (int)lround(style->page_w_pt * k);
        h = (int)lround(style->page_h_pt * k);
        v->u = k;
    } else {
        w = opts && opts->width > 0 ? opts->width
            : style->width_px > 0   ? style->width_px
                                    : DEFAULT_PAGE_W;
        h = opts && opts->height > 0 ? opts->height
            : style->height_px > 0   ? style->height_px
                                     : DEFAULT_PAGE_H;
    }
    if ((opts && (opts->width < 0 || opts->height < 0)) || w < 100 ||
        h < 100 || w > MAX_PAGE || h > MAX_PAGE)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "render: page size %dx%d out of range (100..%d)", w,
                           h, MAX_PAGE);
    v->page_w = w;
    v->page_h = h;
    if (!page_mode) {
        double base_w = style->width_px > 0 ? style->width_px : DEFAULT_PAGE_W;
        double base_h = style->height_px > 0 ? style->height_px : DEFAULT_PAGE_H;
        v->u = 4.0 / 3.0 * fmax(1.0, fmin(w / base_w, h / base_h));
    }

    /* projection */
    v->pjc = proj_context_create();
    if (!v->pjc)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "render: PROJ context");
    proj_log_func(v->pjc, v, proj_log_cb);
    proj_log_level(v->pjc, PJ_LOG_ERROR);
    PJ *raw = proj_create_crs_to_crs(v->pjc, "EPSG:4326", style->projection,
                                     NULL);
    if (!raw) {
        int e = proj_context_errno(v->pjc);
        bm_status st = bm_ctx_fail(
            ctx, BM_ERR_PROJ, "%s: projection \"%s\": %s", style_subject(style),
            style->projection,
            v->projlog[0] ? v->projlog
                          : (e ? proj_context_errno_string(v->pjc, e)
                               : "not understood"));
        view_free(v);
        return st;
    }
    v->pj = proj_normalize_for_visualization(v->pjc, raw);
    proj_destroy(raw);
    if (!v->pj) {
        bm_status st =
            bm_ctx_fail(ctx, BM_ERR_PROJ, "%s: projection \"%s\": %s",
                        style_subject(style), style->projection,
                        v->projlog[0] ? v->projlog : "cannot normalise axes");
        view_free(v);
        return st;
    }

    /* projected bbox of the extent, edges sampled */
    v->px0 = v->py0 = HUGE_VAL;
    v->px1 = v->py1 = -HUGE_VAL;
    for (int edge = 0; edge < 4; edge++) {
        for (int i = 0; i <= EDGE_SAMPLES; i++) {
            double t = (double)i / EDGE_SAMPLES, lon, lat, X, Y;
            switch (edge) {
            case 0: lon = style->min_lon + t * (style->max_lon - style->min_lon);
                    lat = style->min_lat; break;
            case 1: lon = style->min_lon + t * (style->max_lon - style->min_lon);
                    lat = style->max_lat; break;
            case 2: lon = style->min_lon;
                    lat = style->min_lat + t * (style->max_lat - style->min_lat); break;
            default: lon = style->max_lon;
                    lat = style->min_lat + t * (style->max_lat - style->min_lat); break;
            }
            if (view_fwd(v, lon, lat, &X, &Y) != 0) {
                bm_status st = bm_ctx_fail(
                    ctx, BM_ERR_PROJ,
                    "%s: projection \"%s\" cannot project the extent point "
                    "%.4f, %.4f%s%s",
                    style_subject(style), style->projection, lon, lat,
                    v->projlog[0] ? ": " : "", v->projlog);
                view_free(v);
                return st;
            }
            v->px0 = fmin(v->px0, X);
            v->px1 = fmax(v->px1, X);
            v->py0 = fmin(v->py0, Y);
            v->py1 = fmax(v->py1, Y);
        }
    }
    if (!(v->px1 > v->px0) || !(v->py1 > v->py0)) {
        bm_status st = bm_ctx_fail(ctx, BM_ERR_PROJ,
                                   "%s: projection \"%s\" collapses the extent",
                                   style_subject(style), style->projection);
        view_free(v);
        return st;
    }

    v->ex0 = v->px0;
    v->ey0 = v->py0;
    v->ex1 = v->px1;
    v->ey1 = v->py1;

    /* page layout */
    double u = v->u, m = PT_MARGIN * u;
    int has_sub = opts && opts->subtitle && *opts->subtitle;
    const char *cls = opts && opts->classification ? opts->classification
                                                   : style->classification;
    v->band_h = cls && *cls ? PT_CLASS * 1.9 * u : 0;
    v->header_y = m + v->band_h;
    double header_h = PT_TITLE * 1.35 * u + (has_sub ? PT_SUBTITLE * 1.4 * u : 0) +
                      6 * u;
    double footer_h = 2 * PT_ATTRIB * 1.3 * u + 6 * u;
    v->footer_y = v->page_h - v->band_h - m - footer_h + 4 * u;
    rect avail = {m + PT_GUTTER_LEFT * u, v->header_y + header_h,
                  v->page_w - m - 4 * u,
                  v->page_h - v->band_h - m - footer_h - PT_GUTTER_BOTTOM * u};
    double aw = avail.x1 - avail.x0, ah = avail.y1 - avail.y0;
    if (aw < 20 || ah < 20) {
        view_free(v);
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "render: page %dx%d too small for the map", w, h);
    }
    double aspect = (v->px1 - v->px0) / (v->py1 - v->py0);
    double panel_w = PT_PANEL_W * u, gap = 12 * u;
    double fw, fh;
    if (opts && opts->fill && aw - panel_w - gap > 40 * u) {
        /* widen the projected extent (about its centre) to the frame's
         * shape: the whole page is map, the panel beside it */
        fw = aw - panel_w - gap;
        fh = ah;
        double want = fw / fh;
        double cx = (v->px0 + v->px1) / 2, cy = (v->py0 + v->py1) / 2;
        if (want > aspect) {
            double half = (v->py1 - v->py0) * want / 2;
            v->px0 = cx - half;
            v->px1 = cx + half;
        } else {
            double half = (v->px1 - v->px0) / want / 2;
            v->py0 = cy - half;
            v->py1 = cy + half;
        }
        v->side_panel = 1;
        v->frame = rect_make(avail.x0, avail.y0, fw, fh);
        v->panel = rect_make(avail.x0 + fw + gap, avail.y0, panel_w,
                             v->page_h - v->band_h - m - footer_h -
                                 avail.y0);
    } else if (aw - ah * aspect >= panel_w + gap) {
        /* room beside the map: legend panel on the right */
        v->side_panel = 1;
        fh = ah;
        fw = ah * aspect;
        double group = fw + gap + panel_w;
        double x0 = avail.x0 + (aw - group) / 2;
        v->frame = rect_make(x0, avail.y0, fw, fh);
        v->panel = rect_make(x0 + fw + gap, avail.y0, panel_w, fh);
    } else {
        /* top-aligned; spare room below can take the legend */
        fw = fmin(aw, ah * aspect);
        fh = fw / aspect;
        v->frame = rect_make(avail.x0 + (aw - fw) / 2, avail.y0, fw, fh);
        v->panel = rect_make(v->frame.x0, v->frame.y1 + PT_GUTTER_BOTTOM * u + gap,
                             fw, avail.y1 - fh - avail.y0 - gap);
    }
    v->s = fw / (v->px1 - v->px0);
    return BM_OK;
}

/* ---- public helpers -------------------------------------------------------- */

int
bm_render_format_for_path(const char *path)
{
    if (!path)
        return -1;
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash))
        return -1;
    if (strcasecmp(dot, ".png") == 0)
        return BM_RENDER_PNG;
    if (strcasecmp(dot, ".pdf") == 0)
        return BM_RENDER_PDF;
    if (strcasecmp(dot, ".svg") == 0)
        return BM_RENDER_SVG;
    return -1;
}

bm_status
bm_render_project(bm_ctx *ctx, const bm_style *style,
                  const bm_render_opts *opts, double lon, double lat,
                  double *x, double *y)
{
    view v;
    bm_status st = view_init(ctx, style, opts, &v);
    if (st != BM_OK)
        return st;
    double dx, dy;
    if (view_dev(&v, lon, lat, &dx, &dy) != 0) {
        st = bm_ctx_fail(ctx, BM_ERR_PROJ,
                         "projection \"%s\" cannot project %.5f, %.5f",
                         style->projection, lon, lat);
    } else {
        if (x)
            *x = dx;
        if (y)
            *y = dy;
    }
    view_free(&v);
    return st;
}

/* lon/lat bounds of the frame, sampled along its edges. */
static void
view_frame_bounds(const view *v, double *min_lon, double *min_lat,
                  double *max_lon, double *max_lat)
{
    double a = HUGE_VAL, b = HUGE_VAL, c = -HUGE_VAL, d = -HUGE_VAL;
    const rect *f = &v->frame;
    for (int edge = 0; edge < 4; edge++) {
        for (int i = 0; i <= EDGE_SAMPLES; i++) {
            double t = (double)i / EDGE_SAMPLES, x, y, lon, lat;
            switch (edge) {
            case 0: x = f->x0 + t * (f->x1 - f->x0); y = f->y0; break;
            case 1: x = f->x0 + t * (f->x1 - f->x0); y = f->y1; break;
            case 2: x = f->x0; y = f->y0 + t * (f->y1 - f->y0); break;
            default: x = f->x1; y = f->y0 + t * (f->y1 - f->y0); break;
            }
            if (view_inv(v, x, y, &lon, &lat) != 0)
                continue;
            a = fmin(a, lon);
            b = fmin(b, lat);
            c = fmax(c, lon);
            d = fmax(d, lat);
        }
    }
    *min_lon = a;
    *min_lat = b;
    *max_lon = c;
    *max_lat = d;
}

bm_status
bm_render_data_bounds(bm_ctx *ctx, const bm_style *style,
                      const bm_render_opts *opts, double *min_lon,
                      double *min_lat, double *max_lon, double *max_lat)
{
    view v;
    bm_status st = view_init(ctx, style, opts, &v);
    if (st != BM_OK)
        return st;
    double a, b, c, d;
    view_frame_bounds(&v, &a, &b, &c, &d);
    /* never smaller than the extent itself; a little slack for strokes */
    a = fmin(a, style->min_lon) - 0.05;
    b = fmin(b, style->min_lat) - 0.05;
    c = fmax(c, style->max_lon) + 0.05;
    d = fmax(d, style->max_lat) + 0.05;
    if (min_lon)
        *min_lon = a;
    if (min_lat)
        *min_lat = b;
    if (max_lon)
        *max_lon = c;
    if (max_lat)
        *max_lat = d;
    view_free(&v);
    return BM_OK;
}

/* ---- a grid index over boxes ---------------------------------------------- */

/* Uniform grid over the page; each cell lists the boxes (indices into the
 * caller's array) that touch it, so collision tests look at neighbours
 * only. Boxes are given by value and kept by index. */
typedef struct sindex {
    double cell;
    int nx, ny;
    size_t **ids;    /* per cell */
    size_t *n, *cap; /* per cell */
    unsigned *mark;  /* per box: query stamp, to visit each box once */
    size_t capmark;
    unsigned stamp;
} sindex;

static int
sindex_init(sindex *ix, double page_w, double page_h, double cell)
{
    memset(ix, 0, sizeof *ix);
    ix->cell = cell > 1 ? cell : 1;
    ix->nx = (int)ceil(page_w / ix->cell) + 1;
    ix->ny = (int)ceil(page_h / ix->cell) + 1;
    size_t nc = (size_t)ix->nx * (size_t)ix->ny;
    ix->ids = calloc(nc, sizeof *ix->ids);
    ix->n = calloc(nc, sizeof *ix->n);
    ix->cap = calloc(nc, sizeof *ix->cap);
    return ix->ids && ix->n && ix->cap ? 0 : -1;
}

static void
sindex_free(sindex *ix)
{
    if (ix->ids) {
        size_t nc = (size_t)ix->nx * (size_t)ix->ny;
        for (size_t i = 0; i < nc; i++)
            free(ix->ids[i]);
    }
    free(ix->ids);
    free(ix->n);
    free(ix->cap);
    free(ix->mark);
    memset(ix, 0, sizeof *ix);
}

static void
sindex_range(const sindex *ix, const rect *b, double pad, int *cx0, int *cy0,
             int *cx1, int *cy1)
{
    double x0 = fmin(b->x0, b->x1) - pad, x1 = fmax(b->x0, b->x1) + pad;
    double y0 = fmin(b->y0, b->y1) - pad, y1 = fmax(b->y0, b->y1) + pad;
    *cx0 = (int)clampd(floor(x0 / ix->cell), 0, ix->nx - 1);
    *cx1 = (int)clampd(floor(x1 / ix->cell), 0, ix->nx - 1);
    *cy0 = (int)clampd(floor(y0 / ix->cell), 0, ix->ny - 1);
    *cy1 = (int)clampd(floor(y1 / ix->cell), 0, ix->ny - 1);
}

/* Adds box id (its bounding box b); -1 when out of memory. */
static int
sindex_add(sindex *ix, const rect *b, size_t id)
{
    if (!ix->ids)
        return 0;
    int cx0, cy0, cx1, cy1;
    sindex_range(ix, b, 0, &cx0, &cy0, &cx1, &cy1);
    for (int cy = cy0; cy <= cy1; cy++)
        for (int cx = cx0; cx <= cx1; cx++) {
            size_t c = (size_t)cy * (size_t)ix->nx + (size_t)cx;
            size_t *p = bm_grow(ix->ids[c], &ix->cap[c], ix->n[c] + 1, sizeof *p);
            if (!p)
                return -1;
            ix->ids[c] = p;
            p[ix->n[c]++] = id;
        }
    if (id >= ix->capmark) {
        size_t nc = ix->capmark ? ix->capmark * 2 : 256;
        while (nc <= id)
            nc *= 2;
        unsigned *m = realloc(ix->mark, nc * sizeof *m);
        if (!m)
            return -1;
        memset(m + ix->capmark, 0, (nc - ix->capmark) * sizeof *m);
        ix->mark = m;
        ix->capmark = nc;
    }
    return 0;
}

typedef int (*sindex_fn)(const rect *item, const void *arg);

/* Calls fn for each box (items[id]) near b grown by pad until fn returns
 * nonzero; returns that value or 0. */
static int
sindex_any(sindex *ix, const rect *items, const rect *b, double pad,
           sindex_fn fn, const void *arg)
{
    if (!ix->ids)
        return 0;
    int cx0, cy0, cx1, cy1;
    sindex_range(ix, b, pad, &cx0, &cy0, &cx1, &cy1);
    if (++ix->stamp == 0) {
        memset(ix->mark, 0, ix->capmark * sizeof *ix->mark);
        ix->stamp = 1;
    }
    for (int cy = cy0; cy <= cy1; cy++)
        for (int cx = cx0; cx <= cx1; cx++) {
            size_t c = (size_t)cy * (size_t)ix->nx + (size_t)cx;
            for (size_t k = 0; k < ix->n[c]; k++) {
                size_t id = ix->ids[c][k];
                if (ix->mark[id] == ix->stamp)
                    continue;
                ix->mark[id] = ix->stamp;
                int rv = fn(&items[id], arg);
                if (rv)
                    return rv;
            }
        }
    return 0;
}

/* ---- the renderer ---------------------------------------------------------- */

/* One place with incidents (incidents at the same point share a group). */
typedef struct inc_group {
    double x, y;      /* device position of the place */
    const char *name; /* borrowed */
    size_t *idx;      /* incident indices */
    size_t n, cap;
    /* Places closer than a marker share one spread: a cluster, led by its
     * first group, centred on the lead's point. */
    size_t lead;      /* index of the cluster's lead group */
    size_t base;      /* this group's first slot in the cluster's spread */
    size_t total;     /* markers in the cluster */
    double cx, cy;    /* cluster centre */
    double radius;    /* of the cluster's outermost ring (0: one marker) */
} inc_group;

typedef struct scale_info {
    double dev_per_km;
    double km;       /* bar length */
    double lat;      /* where it is true */
    double lon;
} scale_info;

typedef struct type_count {
    const char *type; /* borrowed */
    size_t shown;
    size_t first;     /* order of first appearance */
} type_count;

typedef struct renderer {
    bm_ctx *ctx;
    const bm_style *style;
    const bm_render_opts *opts;
    view v;
    cairo_t *cr;
    PangoLayout *layout;
    char *family;      /* font family list */
    int vector;        /* PDF/SVG */
    rect *placed;
    size_t nplaced, capplaced;
    rect *leaders;     /* leader lines as segments (x0,y0)-(x1,y1) */
    size_t nleaders, capleaders;
    sindex placed_ix, leader_ix; /* grids over placed and leaders */
    rect *avoid;       /* segments labels should not cross (borders,
                          rivers: layers with avoid: true) */
    size_t navoid, capavoid;
    sindex avoid_ix;
    rect *labels;      /* label boxes for the result */
    size_t nlabels, caplabels;
    /* incident labels that did not fit: numbered, listed beside the map */
    char **listed;
    size_t nlisted, caplisted;
    /* their numbers at the symbols, reserved while labels are placed and
     * drawn once the side list is drawn: only those it has room for, so
     * that no number on the map points to a line that is not there */
    struct list_number {
        rect box;
        size_t num;
    } *numbers;
    size_t nnumbers, capnumbers;
    size_t numbers_shown, max_number;
    /* towns to label, sorted by importance, kept between the two passes
     * of place_town_labels */
    struct town *towns;
    size_t ntowns;
    size_t labels_placed;
    size_t list_fit;   /* side-list lines drawn */
    struct scale_info scale;
    double marker_scale; /* 0 or 1: style size; small multiples shrink */
    double rank_bonus;   /* detail by scale, see feature_shown_k */
    int nomem;
    int glyph_warnings;
    char *title;       /* expanded ({date}) */
    /* SVG: text goes out as <text> elements (searchable, selectable),
     * collected here and written before </svg>; cairo 1.16's SVG surface
     * would write glyph outlines. */
    int svg_text;
    bm_buf svg_texts;
    double font_px;    /* the layout's font, as text_set left it */
    double font_spacing; /* letter spacing in device units, or 0 */
    int font_bold, font_italic;
    /* incidents */
    inc_group *groups;
    size_t ngroups;
    type_count *types;
    size_t ntypes;
    size_t outside;
    size_t shown;
} renderer;

#define PT(r, x) ((x) * (r)->v.u)
static bm_rgba ink(const renderer *r, double fade);

/* The colour of side-list numbers: dark red on light paper, light red on
 * dark paper. */
static bm_rgba
alert(const renderer *r)
{
    bm_rgba p = r->style->paper;
    double lum = 0.2126 * p.r + 0.7152 * p.g + 0.0722 * p.b;
    return lum < 0.5 ? (bm_rgba){1.0, 0.55, 0.55, 1} : (bm_rgba){0.55, 0.0, 0.0, 1};
}

static void
set_rgba(cairo_t *cr, bm_rgba c)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

static bm_rgba
rgba(double r, double g, double b, double a)
{
    bm_rgba c = {r, g, b, a};
    return c;
}

static void
place_rect(renderer *r, rect box)
{
    rect *p = bm_grow(r->placed, &r->capplaced, r->nplaced + 1, sizeof *p);
    if (!p) {
        r->nomem = 1;
        return;
    }
    r->placed = p;
    r->placed[r->nplaced] = box;
    if (sindex_add(&r->placed_ix, &box, r->nplaced) != 0)
        r->nomem = 1;
    r->nplaced++;
}

/* A label box placed on the map: an obstacle, and kept for the result. */
static void
place_label(renderer *r, rect box)
{
    place_rect(r, box);
    rect *p = bm_grow(r->labels, &r->caplabels, r->nlabels + 1, sizeof *p);
    if (!p) {
        r->nomem = 1;
        return;
    }
    r->labels = p;
    r->labels[r->nlabels++] = box;
}

/* Does the segment a-b cross the box (grown by pad)? Liang-Barsky. */
static int
segment_hits_rect(double ax, double ay, double bx, double by, const rect *r,
                  double pad)
{
    double t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {ax - (r->x0 - pad), (r->x1 + pad) - ax, ay - (r->y0 - pad),
                   (r->y1 + pad) - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1)
                return 0;
            if (t > t0)
                t0 = t;
        } else {
            if (t < t0)
                return 0;
            if (t < t1)
                t1 = t;
        }
    }
    return 1;
}

typedef struct hit_arg {
    const rect *box;
    double pad;
    double x, y;  /* leader start (leader_blocked) */
    double ex, ey;
} hit_arg;

static int
hit_rect(const rect *item, const void *arg)
{
    const hit_arg *a = arg;
    return rect_overlaps(a->box, item, a->pad);
}

static int
hit_segment(const rect *seg, const void *arg)
{
    const hit_arg *a = arg;
    return segment_hits_rect(seg->x0, seg->y0, seg->x1, seg->y1, a->box, a->pad);
}

static int
collides(renderer *r, const rect *box, double pad)
{
    hit_arg a = {box, pad, 0, 0, 0, 0};
    return sindex_any(&r->placed_ix, r->placed, box, pad, hit_rect, &a) ||
           sindex_any(&r->leader_ix, r->leaders, box, pad, hit_segment, &a);
}

/* Does the box cross a border or river the labels avoid? */
static int
crosses_lines(renderer *r, const rect *box)
{
    hit_arg a = {box, 0, 0, 0, 0, 0};
    return sindex_any(&r->avoid_ix, r->avoid, box, 0, hit_segment, &a);
}

/* Where a leader from (x, y) meets the box: its nearest point. */
static void
leader_end(double x, double y, const rect *box, double *ex, double *ey)
{
    *ex = clampd(x, box->x0, box->x1);
    *ey = clampd(y, box->y0, box->y1);
}

static int
hit_leader(const rect *p, const void *arg)
{
    const hit_arg *a = arg;
    if (rect_contains(p, a->x, a->y))
        return 0;
    return segment_hits_rect(a->x, a->y, a->ex, a->ey, p, 0);
}

/* Would a leader from (x, y) to the box cross anything placed, other than
 * the boxes around (x, y) itself (its own markers)? */
static int
leader_blocked(renderer *r, double x, double y, const rect *box)
{
    double ex, ey;
    leader_end(x, y, box, &ex, &ey);
    hit_arg a = {box, 0, x, y, ex, ey};
    rect seg = {x, y, ex, ey};
    return sindex_any(&r->placed_ix, r->placed, &seg, 0, hit_leader, &a);
}

/* ---- text (pango only) ----------------------------------------------------- */

static char *
font_family_list(const char *font)
{
    const char *base = font && *font ? font : "Noto Sans, DejaVu Sans";
    /* Hangul and Han must render whatever the style lists. */
    const char *cjk = strstr(base, "CJK") ? "" : ", Noto Sans CJK KR";
    size_t n = strlen(base) + strlen(cjk) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", base, cjk);
    return s;
}

/* Sets the layout's text and font. size in style points; width_limit in
 * device units (<= 0: none) ellipsizes at the end. */
static void
text_set(renderer *r, const char *text, double size_pt, int bold, int italic,
         double width_limit)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, r->family ? r->family : "Noto Sans");
    pango_font_description_set_absolute_size(
        fd, fmax(1.0, PT(r, size_pt)) * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
                                               : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, italic ? PANGO_STYLE_ITALIC
                                                : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(r->layout, fd);
    pango_font_description_free(fd);
    r->font_px = fmax(1.0, PT(r, size_pt));
    r->font_spacing = 0;
    r->font_bold = bold;
    r->font_italic = italic;
    if (width_limit > 0) {
        pango_layout_set_width(r->layout, (int)(width_limit * PANGO_SCALE));
        pango_layout_set_ellipsize(r->layout, PANGO_ELLIPSIZE_END);
    } else {
        pango_layout_set_width(r->layout, -1);
        pango_layout_set_ellipsize(r->layout, PANGO_ELLIPSIZE_NONE);
    }
    pango_layout_set_alignment(r->layout, PANGO_ALIGN_LEFT);
    pango_layout_set_text(r->layout, text ? text : "", -1);
    /* a character no installed font covers would print as a box */
    int unknown = pango_layout_get_unknown_glyphs_count(r->layout);
    if (unknown > 0 && r->glyph_warnings < 5) {
        r->glyph_warnings++;
        bm_ctx_warn(r->ctx, "map label \"%s\": %d character%s with no glyph "
                    "in the fonts \"%s\"", text, unknown, unknown == 1 ? "" : "s",
                    r->family ? r->family : "");
    }
}

static void
text_size(renderer *r, double *w, double *h)
{
    PangoRectangle logical;
    pango_layout_get_extents(r->layout, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

/* ---- SVG text ------------------------------------------------------------- */

static int svg_escape(bm_buf *b, const char *t, size_t n)
{
    int ok = 1;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = t[i] == '&'   ? "&amp;"
                        : t[i] == '<' ? "&lt;"
                        : t[i] == '>' ? "&gt;"
                        : t[i] == '"' ? "&quot;"
                                      : NULL;
        if (!e)
            continue;
        ok &= bm_buf_append(b, t + run, i - run) == BM_OK;
        ok &= bm_buf_puts(b, e) == BM_OK;
        run = i + 1;
    }
    ok &= bm_buf_append(b, t + run, n - run) == BM_OK;
    return ok;
}

static int svg_colour(bm_buf *b, const char *attr, bm_rgba c)
{
    int ok = 1;
    ok &= bm_buf_printf(b, " %s=\"#%02x%02x%02x\"", attr,
                  (unsigned)lround(clampd(c.r, 0, 1) * 255),
                  (unsigned)lround(clampd(c.g, 0, 1) * 255),
                  (unsigned)lround(clampd(c.b, 0, 1) * 255)) == BM_OK;
    if (c.a < 1)
        ok &= bm_buf_printf(b, " %s-opacity=\"%.3f\"", attr, clampd(c.a, 0, 1)) == BM_OK;
    return ok;
}

/* The current layout as SVG <text>, one element per line, at the layout's
 * origin (ox, oy) in user space under the current transformation; what as
 * for text_draw_part (1 halo, 2 glyphs, 3 both: the halo painted first). */
static void
svg_text_emit(renderer *r, double ox, double oy, bm_rgba color, int halo,
              int what)
{
    bm_buf *b = &r->svg_texts;
    int ok = 1;
    int want_halo = (what & 1) && halo && r->style->halo_width > 0 &&
                    r->style->halo.a > 0;
    int want_fill = (what & 2) != 0;
    if (!want_halo && !want_fill)
        return;
    cairo_matrix_t m;
    cairo_get_matrix(r->cr, &m);
    const char *text = pango_layout_get_text(r->layout);
    PangoLayoutIter *it = pango_layout_get_iter(r->layout);
    do {
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        if (!line || line->length <= 0)
            continue;
        PangoRectangle lr;
        pango_layout_iter_get_line_extents(it, NULL, &lr);
        double x = ox + (double)lr.x / PANGO_SCALE;
        double y = oy + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        ok &= bm_buf_printf(b, "<text transform=\"matrix(%.6g %.6g %.6g %.6g %.6g "
                      "%.6g)\" x=\"%.3f\" y=\"%.3f\" font-family=\"",
                      m.xx, m.yx, m.xy, m.yy, m.x0, m.y0, x, y) == BM_OK;
        ok &= svg_escape(b, r->family ? r->family : "Noto Sans",
                   strlen(r->family ? r->family : "Noto Sans"));
        if (r->font_spacing > 0)
            ok &= bm_buf_printf(b, "\" letter-spacing=\"%.3f",
                                r->font_spacing) == BM_OK;
        ok &= bm_buf_printf(b, "\" font-size=\"%.3f\"%s%s", r->font_px,
                      r->font_bold ? " font-weight=\"bold\"" : "",
                      r->font_italic ? " font-style=\"italic\"" : "") == BM_OK;
        if (want_fill)
            ok &= svg_colour(b, "fill", color);
        else
            ok &= bm_buf_puts(b, " fill=\"none\"") == BM_OK;
        if (want_halo) {
            ok &= svg_colour(b, "stroke", r->style->halo);
            ok &= bm_buf_printf(b, " stroke-width=\"%.3f\" stroke-linejoin=\"round\""
                          " paint-order=\"stroke\"",
                          2 * PT(r, r->style->halo_width)) == BM_OK;
        }
        ok &= bm_buf_puts(b, " xml:space=\"preserve\">") == BM_OK;
        ok &= svg_escape(b, text + line->start_index, (size_t)line->length);
        ok &= bm_buf_puts(b, "</text>\n") == BM_OK;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    if (!ok)
        r->nomem = 1;
}

/* Draws the current layout with its logical box's top-left at (x, y):
 * what 1 = the halo only, 2 = the glyphs only, 3 = both (halo if asked). */
static void
text_draw_part(renderer *r, double x, double y, bm_rgba color, int halo,
               int what)
{
    cairo_t *cr = r->cr;
    PangoRectangle logical;
    pango_layout_get_extents(r->layout, NULL, &logical);
    double ox = x - (double)logical.x / PANGO_SCALE;
    double oy = y - (double)logical.y / PANGO_SCALE;
    pango_cairo_update_layout(cr, r->layout);
    if (r->svg_text && !pango_layout_is_ellipsized(r->layout)) {
        svg_text_emit(r, ox, oy, color, halo, what);
        return;
    }
    if ((what & 1) && halo && r->style->halo_width > 0 && r->style->halo.a > 0) {
        cairo_new_path(cr);
        cairo_move_to(cr, ox, oy);
        pango_cairo_layout_path(cr, r->layout);
        set_rgba(cr, r->style->halo);
        cairo_set_line_width(cr, 2 * PT(r, r->style->halo_width));
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    }
    if (!(what & 2))
        return;
    /* The glyphs themselves go out as text (searchable in PDF), over the
     * halo stroked from the same glyph run. */
    cairo_new_path(cr);
    cairo_move_to(cr, ox, oy);
    set_rgba(cr, color);
    pango_cairo_show_layout(cr, r->layout);
    cairo_new_path(cr);
}

static void
text_draw(renderer *r, double x, double y, bm_rgba color, int halo)
{
    text_draw_part(r, x, y, color, halo, 3);
}

/* ---- geometry -------------------------------------------------------------- */

/* Detail by scale: a layer's max_rank grows by bonus (the renderer's
 * rank_bonus: one rank per halving of the span drawn below the whole
 * border's 7.2 degrees of longitude, up to 4), so a zoomed-in map shows
 * smaller towns and rivers. */
static int
feature_shown_k(const bm_style_layer *sl, const bm_layer *l, size_t feature,
                double bonus)
{
    if (sl->max_rank < 0 || !l->feature_rank || feature >= l->nfeatures)
        return 1;
    double rank = l->feature_rank[feature];
    return !(rank > sl->max_rank + bonus); /* NaN (no rank) is shown */
}
#define feature_shown(sl, l, f) feature_shown_k(sl, l, f, r->rank_bonus)

/* Projects a layer's vertices into device units. Caller frees. Vertices
 * that cannot be projected are NaN. */
static double *
project_layer(renderer *r, const bm_layer *l)
{
    if (l->nvert == 0)
        return NULL;
    double *xy = malloc(l->nvert * 2 * sizeof *xy);
    if (!xy) {
        r->nomem = 1;
        return NULL;
    }
    memcpy(xy, l->xy, l->nvert * 2 * sizeof *xy);
    proj_errno_reset(r->v.pj);
    proj_trans_generic(r->v.pj, PJ_FWD, xy, 2 * sizeof(double), l->nvert,
                       xy + 1, 2 * sizeof(double), l->nvert, NULL, 0, 0, NULL,
                       0, 0);
    for (size_t i = 0; i < l->nvert; i++) {
        double X = xy[2 * i], Y = xy[2 * i + 1];
        if (!isfinite(X) || !isfinite(Y) || fabs(X) > 1e20 || fabs(Y) > 1e20) {
            xy[2 * i] = xy[2 * i + 1] = NAN;
            continue;
        }
        double x, y;
        view_to_dev(&r->v, X, Y, &x, &y);
        xy[2 * i] = clampd(x, -COORD_CLAMP, COORD_CLAMP);
        xy[2 * i + 1] = clampd(y, -COORD_CLAMP, COORD_CLAMP);
    }
    return xy;
}

/* Device bbox of a part; 0 when it has no projectable vertex. */
static int
part_bbox(const double *dev, const bm_part *p, rect *out)
{
    rect b = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    int any = 0;
    for (size_t i = 0; i < p->count; i++) {
        double x = dev[2 * (p->first + i)], y = dev[2 * (p->first + i) + 1];
        if (isnan(x))
            continue;
        any = 1;
        b.x0 = fmin(b.x0, x);
        b.y0 = fmin(b.y0, y);
        b.x1 = fmax(b.x1, x);
        b.y1 = fmax(b.y1, y);
    }
    *out = b;
    return any;
}

static void
path_part(cairo_t *cr, const double *dev, const bm_part *p, int close)
{
    int pen = 0;
    for (size_t i = 0; i < p->count; i++) {
        double x = dev[2 * (p->first + i)], y = dev[2 * (p->first + i) + 1];
        if (isnan(x)) {
            pen = 0; /* a gap: break the line */
            continue;
        }
        if (!pen) {
            cairo_move_to(cr, x, y);
            pen = 1;
        } else {
            cairo_line_to(cr, x, y);
        }
    }
    if (close && pen)
        cairo_close_path(cr);
}

static void
set_dash(renderer *r, const char *dash)
{
    double d[16];
    int n = 0;
    if (dash) {
        const char *s = dash;
        while (*s && n < 16) {
            char *end;
            double val = strtod(s, &end);
            if (end == s)
                break;
            if (val < 0)
                break;
            d[n++] = PT(r, val);
            s = end;
            while (*s == ',' || *s == ' ')
                s++;
        }
    }
    int positive = 0;
    for (int i = 0; i < n; i++)
        if (d[i] > 0)
            positive = 1;
    cairo_set_dash(r->cr, d, positive ? n : 0, 0);
}

static void
draw_symbol(cairo_t *cr, const char *shape, double x, double y, double size)
{
    double h = size / 2;
    if (shape && strcmp(shape, "square") == 0) {
        double s = h * 0.88;
        cairo_rectangle(cr, x - s, y - s, 2 * s, 2 * s);
    } else if (shape && strcmp(shape, "triangle") == 0) {
        double s = h * 1.15;
        cairo_move_to(cr, x, y - s);
        cairo_line_to(cr, x + s * 0.866, y + s * 0.5);
        cairo_line_to(cr, x - s * 0.866, y + s * 0.5);
        cairo_close_path(cr);
    } else if (shape && strcmp(shape, "diamond") == 0) {
        double s = h * 1.2;
        cairo_move_to(cr, x, y - s);
        cairo_line_to(cr, x + s, y);
        cairo_line_to(cr, x, y + s);
        cairo_line_to(cr, x - s, y);
        cairo_close_path(cr);
    } else {
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, h, 0, 2 * M_PI);
        cairo_close_path(cr);
    }
}

static void
draw_layer(renderer *r, const bm_style_layer *sl, const bm_layer *l)
{
    cairo_t *cr = r->cr;
    const rect *fr = &r->v.frame;
    double *dev = project_layer(r, l);
    if (!dev)
        return;
    bm_geom_kind kind = sl->kind;
    if (kind == BM_GEOM_POLYGON && l->kind != BM_GEOM_POLYGON)
        kind = BM_GEOM_LINE;
    bm_rgba stroke = sl->stroke;
    double width = sl->width > 0 ? PT(r, sl->width) : PT(r, 0.6);

    cairo_save(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    if (kind == BM_GEOM_POLYGON) {
        /* one path per feature: its outer rings and holes, even-odd */
        size_t i = 0;
        while (i < l->nparts) {
            size_t feat = l->parts[i].feature, j = i;
            int visible = 0;
            while (j < l->nparts && l->parts[j].feature == feat) {
                rect b;
                if (part_bbox(dev, &l->parts[j], &b) &&
                    rect_overlaps(&b, fr, 1.0))
                    visible = 1;
                j++;
            }
            if (visible && feature_shown(sl, l, feat)) {
                cairo_new_path(cr);
                for (size_t k = i; k < j; k++)
                    path_part(cr, dev, &l->parts[k], 1);
                if (sl->has_fill) {
                    set_rgba(cr, sl->fill);
                    if (sl->has_stroke)
                        cairo_fill_preserve(cr);
                    else
                        cairo_fill(cr);
                }
                if (sl->has_stroke) {
                    set_rgba(cr, stroke);
                    cairo_set_line_width(cr, width);
                    set_dash(r, sl->dash);
                    cairo_stroke(cr);
                }
                cairo_new_path(cr);
            }
            i = j;
        }
    } else if (kind == BM_GEOM_LINE) {
        if (!sl->has_stroke) { /* e.g. a layer kept only for its names */
            cairo_restore(cr);
            free(dev);
            return;
        }
        cairo_new_path(cr);
        for (size_t i = 0; i < l->nparts; i++) {
            rect b;
            if (!feature_shown(sl, l, l->parts[i].feature) ||
                !part_bbox(dev, &l->parts[i], &b) || !rect_overlaps(&b, fr, width))
                continue;
            path_part(cr, dev, &l->parts[i], l->kind == BM_GEOM_POLYGON);
        }
        set_rgba(cr, stroke);
        cairo_set_line_width(cr, width);
        set_dash(r, sl->dash);
        cairo_stroke(cr);
    } else {
        double size = sl->symbol_size > 0 ? PT(r, sl->symbol_size) : PT(r, 4);
        bm_rgba fill = sl->has_fill ? sl->fill : rgba(0.25, 0.25, 0.25, 1);
        for (size_t i = 0; i < l->nparts; i++) {
            if (!feature_shown(sl, l, l->parts[i].feature))
                continue;
            const bm_part *p = &l->parts[i];
            for (size_t k = 0; k < p->count; k++) {
                double x = dev[2 * (p->first + k)], y = dev[2 * (p->first + k) + 1];
                if (isnan(x) || !rect_contains(fr, x, y))
                    continue;
                cairo_new_path(cr);
                draw_symbol(cr, "circle", x, y, size);
                set_rgba(cr, fill);
                cairo_fill_preserve(cr);
                set_rgba(cr, sl->has_stroke ? sl->stroke : rgba(1, 1, 1, 1));
                cairo_set_line_width(cr, sl->has_stroke && sl->width > 0
                                             ? PT(r, sl->width)
                                             : PT(r, 0.8));
                cairo_stroke(cr);
                if (l->kind != BM_GEOM_POINT)
                    break; /* lines/polygons as points: first vertex only */
            }
        }
    }
    cairo_restore(cr);
    free(dev);
}

/* ---- graticule ------------------------------------------------------------- */

typedef struct grat {
    double step;
    double lon0, lon1, lat0, lat1; /* line range, multiples of step */
} grat;

static void
graticule_setup(renderer *r, grat *g)
{
    double a, b, c, d;
    view_frame_bounds(&r->v, &a, &b, &c, &d);
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(d)) {
        a = r->style->min_lon;
        b = r->style->min_lat;
        c = r->style->max_lon;
        d = r->style->max_lat;
    }
    static const double steps[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30};
    double span = fmax(r->style->max_lon - r->style->min_lon,
                       r->style->max_lat - r->style->min_lat);
    g->step = 30;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (span / steps[i] <= 8.5) {
            g->step = steps[i];
            break;
        }
    }
    g->lon0 = ceil(a / g->step) * g->step;
    g->lon1 = floor(c / g->step) * g->step;
    g->lat0 = ceil(b / g->step) * g->step;
    g->lat1 = floor(d / g->step) * g->step;
}

static void
format_degree(char *buf, size_t n, double v, int is_lon, double step)
{
    const char *hemi = is_lon ? (v < 0 ? "W" : "E") : (v < 0 ? "S" : "N");
    double a = fabs(v);
    if (step >= 1 || fabs(a - round(a)) < 1e-9)
        snprintf(buf, n, "%.0f°%s", a, hemi);
    else
        snprintf(buf, n, "%.4g°%s", a, hemi);
}

static void
draw_graticule_lines(renderer *r, const grat *g)
{
    cairo_t *cr = r->cr;
    enum { N = 96 };
    double a = g->lon0 - g->step, c = g->lon1 + g->step;
    double b = fmax(-89.9, g->lat0 - g->step), d = fmin(89.9, g->lat1 + g->step);
    cairo_save(cr);
    cairo_new_path(cr);
    for (double lon = g->lon0; lon <= g->lon1 + 1e-9; lon += g->step) {
        int pen = 0;
        for (int i = 0; i <= N; i++) {
            double x, y;
            if (view_dev(&r->v, lon, b + (d - b) * i / N, &x, &y) != 0) {
                pen = 0;
                continue;
            }
            if (pen)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
            pen = 1;
        }
    }
    for (double lat = g->lat0; lat <= g->lat1 + 1e-9; lat += g->step) {
        int pen = 0;
        for (int i = 0; i <= N; i++) {
            double x, y;
            if (view_dev(&r->v, a + (c - a) * i / N, lat, &x, &y) != 0) {
                pen = 0;
                continue;
            }
            if (pen)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
            pen = 1;
        }
    }
    cairo_set_source_rgba(cr, 0.25, 0.3, 0.4, 0.35);
    cairo_set_line_width(cr, PT(r, 0.5));
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Labels where meridians cross the bottom edge and parallels the left
 * edge, outside the frame, with a short tick. */
static void
draw_graticule_labels(renderer *r, const grat *g)
{
    cairo_t *cr = r->cr;
    const rect *f = &r->v.frame;
    enum { N = 192 };
    char buf[32];
    double tick = PT(r, 3);
    double b = fmax(-89.9, g->lat0 - 2 * g->step), d = fmin(89.9, g->lat1 + 2 * g->step);
    double a = g->lon0 - 2 * g->step, c = g->lon1 + 2 * g->step;
    double last_right = -HUGE_VAL;
    set_rgba(cr, ink(r, 1));
    cairo_set_line_width(cr, PT(r, 0.6));
    for (double lon = g->lon0; lon <= g->lon1 + 1e-9; lon += g->step) {
        double px = NAN, py = NAN;
        for (int i = 0; i < N; i++) {
            double x0, y0, x1, y1;
            if (view_dev(&r->v, lon, b + (d - b) * i / N, &x0, &y0) != 0 ||
                view_dev(&r->v, lon, b + (d - b) * (i + 1) / N, &x1, &y1) != 0)
                continue;
            if ((y0 - f->y1) * (y1 - f->y1) <= 0 && y0 != y1) {
                double t = (f->y1 - y0) / (y1 - y0);
                px = x0 + t * (x1 - x0);
                py = f->y1;
                break;
            }
        }
        if (isnan(px) || px < f->x0 + 1 || px > f->x1 - 1)
            continue;
        format_degree(buf, sizeof buf, lon, 1, g->step);
        text_set(r, buf, PT_GRATICULE, 0, 0, 0);
        double w, h;
        text_size(r, &w, &h);
        if (px - w / 2 < last_right + PT(r, 4))
            continue;
        cairo_move_to(cr, px, py);
        cairo_line_to(cr, px, py + tick);
        cairo_stroke(cr);
        text_draw(r, px - w / 2, py + tick, ink(r, 0.9), 0);
        last_right = px + w / 2;
    }
    double last_top = HUGE_VAL;
    for (double lat = g->lat0; lat <= g->lat1 + 1e-9; lat += g->step) {
        double px = NAN, py = NAN;
        for (int i = 0; i < N; i++) {
            double x0, y0, x1, y1;
            if (view_dev(&r->v, a + (c - a) * i / N, lat, &x0, &y0) != 0 ||
                view_dev(&r->v, a + (c - a) * (i + 1) / N, lat, &x1, &y1) != 0)
                continue;
            if ((x0 - f->x0) * (x1 - f->x0) <= 0 && x0 != x1) {
                double t = (f->x0 - x0) / (x1 - x0);
                px = f->x0;
                py = y0 + t * (y1 - y0);
                break;
            }
        }
        if (isnan(py) || py < f->y0 + 1 || py > f->y1 - 1)
            continue;
        format_degree(buf, sizeof buf, lat, 0, g->step);
        text_set(r, buf, PT_GRATICULE, 0, 0, 0);
        double w, h;
        text_size(r, &w, &h);
        if (py + h / 2 > last_top - PT(r, 2))
            continue;
        cairo_move_to(cr, px, py);
        cairo_line_to(cr, px - tick, py);
        cairo_stroke(cr);
        text_draw(r, px - tick - PT(r, 1.5) - w, py - h / 2,
                  ink(r, 0.9), 0);
        last_top = py - h / 2;
    }
}

/* ---- incidents ------------------------------------------------------------- */

static const char *
incident_type(const bm_incident *inc)
{
    return inc->type && *inc->type ? inc->type : "unknown";
}

static bm_status
group_add(inc_group *g, size_t i)
{
    size_t *p = bm_grow(g->idx, &g->cap, g->n + 1, sizeof *p);
    if (!p)
        return BM_ERR_NOMEM;
    g->idx = p;
    g->idx[g->n++] = i;
    return BM_OK;
}

static void
groups_free(renderer *r)
{
    for (size_t i = 0; i < r->ngroups; i++)
        free(r->groups[i].idx);
    free(r->groups);
    free(r->types);
    r->groups = NULL;
    r->types = NULL;
    r->ngroups = r->ntypes = 0;
}

static double marker_size(const renderer *r);
static void spread_offset(const renderer *r, size_t k, size_t n, double *dx,
                          double *dy, double *ring_radius);

/* Groups of more than BIG_GROUP incidents at one place are drawn as one
 * larger symbol with the count, not as a ring per incident. */
#define BIG_GROUP 7

static size_t
group_slots(const inc_group *g)
{
    return g->n > BIG_GROUP ? 1 : g->n;
}

static void
clusters_build(renderer *r)
{
    double near = marker_size(r) * 0.9;
    for (size_t i = 0; i < r->ngroups; i++) {
        inc_group *g = &r->groups[i];
        g->lead = i;
        for (size_t j = 0; j < i; j++) {
            if (fabs(r->groups[j].x - g->x) < near &&
                hypot(r->groups[j].x - g->x, r->groups[j].y - g->y) < near) {
                g->lead = r->groups[j].lead;
                break;
            }
        }
        inc_group *lead = &r->groups[g->lead];
        g->base = lead->total; /* lead->total counts slots handed out */
        lead->total += group_slots(g);
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        inc_group *g = &r->groups[i];
        const inc_group *lead = &r->groups[g->lead];
        double dx, dy;
        g->total = lead->total;
        g->cx = lead->x;
        g->cy = lead->y;
        spread_offset(r, 0, g->total, &dx, &dy, &g->radius);
        if (g->total == 1 && g->n > BIG_GROUP)
            g->radius = marker_size(r) * 0.35;
    }
}

static uint64_t
cell_hash(long long a, long long b)
{
    uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ull ^ ((uint64_t)b + 0x632BE59BD9B4E019ull);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

static bm_status
collect_incidents(renderer *r, const bm_incident *inc, size_t n)
{
    double tol = PT(r, 0.75);
    r->groups = n ? calloc(n, sizeof *r->groups) : NULL;
    r->types = n ? calloc(n, sizeof *r->types) : NULL;
    size_t hcap = 16;
    while (hcap < 2 * n)
        hcap *= 2;
    size_t *hash = calloc(hcap, sizeof *hash); /* group index + 1 */
    if ((n && (!r->groups || !r->types)) || !hash) {
        free(hash);
        return BM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double x, y;
        if (!isfinite(inc[i].lon) || !isfinite(inc[i].lat) ||
            view_dev(&r->v, inc[i].lon, inc[i].lat, &x, &y) != 0 ||
            !rect_contains(&r->v.frame, x, y)) {
            r->outside++;
            continue;
        }
        r->shown++;
        const char *t = incident_type(&inc[i]);
        size_t k;
        for (k = 0; k < r->ntypes; k++)
            if (strcmp(r->types[k].type, t) == 0)
                break;
        if (k == r->ntypes) {
            r->types[k].type = t;
            r->types[k].first = k;
            r->ntypes++;
        }
        r->types[k].shown++;

        long long kx = llround(x / tol), ky = llround(y / tol);
        size_t slot = cell_hash(kx, ky) & (hcap - 1);
        inc_group *g = NULL;
        while (hash[slot]) {
            inc_group *c = &r->groups[hash[slot] - 1];
            if (llround(c->x / tol) == kx && llround(c->y / tol) == ky) {
                g = c;
                break;
            }
            slot = (slot + 1) & (hcap - 1);
        }
        if (!g) {
            hash[slot] = r->ngroups + 1;
            g = &r->groups[r->ngroups++];
            g->x = x;
            g->y = y;
            g->name = inc[i].place_name && *inc[i].place_name ? inc[i].place_name
                      : inc[i].surface && *inc[i].surface     ? inc[i].surface
                                                              : NULL;
        }
        if (group_add(g, i) != BM_OK) {
            free(hash);
            return BM_ERR_NOMEM;
        }
    }
    free(hash);
    clusters_build(r);
    return BM_OK;
}

static int
type_count_cmp(const void *a, const void *b)
{
    const type_count *x = a, *y = b;
    if (x->shown != y->shown)
        return x->shown > y->shown ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static double
marker_size(const renderer *r)
{
    return PT(r, r->style->incident_size > 0 ? r->style->incident_size : 10) *
           (r->marker_scale > 0 ? r->marker_scale : 1);
}

/* Offset of the k-th of n markers at one place: rings of 6, 12, 18 ... */
static void
spread_offset(const renderer *r, size_t k, size_t n, double *dx, double *dy,
              double *ring_radius)
{
    double step = marker_size(r) * 0.62;
    *dx = *dy = 0;
    *ring_radius = 0;
    if (n <= 1)
        return;
    size_t ring = 1, start = 0, cap = 6;
    while (k >= start + cap) {
        start += cap;
        ring++;
        cap = 6 * ring;
    }
    size_t in_ring = n - start < cap ? n - start : cap;
    double angle = -M_PI / 2 + 2 * M_PI * (double)(k - start) / (double)in_ring +
                   (ring % 2 ? 0 : M_PI / in_ring);
    double rad = step * ring;
    *dx = rad * cos(angle);
    *dy = rad * sin(angle);
    /* outermost ring */
    size_t last = 1, s = 0, c = 6;
    while (n > s + c) {
        s += c;
        last++;
        c = 6 * last;
    }
    *ring_radius = step * last;
}

/* The commonest type of a group (first seen on ties). */
static const char *
group_main_type(const inc_group *g, const bm_incident *inc)
{
    const char *best = incident_type(&inc[g->idx[0]]);
    size_t bestn = 0;
    for (size_t k = 0; k < g->n && k < 400; k++) {
        const char *t = incident_type(&inc[g->idx[k]]);
        size_t c = 0;
        for (size_t j = 0; j < g->n; j++)
            c += strcmp(incident_type(&inc[g->idx[j]]), t) == 0;
        if (c > bestn) {
            bestn = c;
            best = t;
        }
    }
    return best;
}

static void
draw_marker(renderer *r, const char *type, double x, double y, double size)
{
    cairo_t *cr = r->cr;
    const bm_style_incident *si = bm_style_for_incident(r->style, type);
    cairo_new_path(cr);
    draw_symbol(cr, si ? si->shape : "circle", x, y, size);
    set_rgba(cr, si ? si->fill : rgba(0.5, 0.5, 0.5, 1));
    cairo_fill_preserve(cr);
    bm_rgba st = r->style->incident_stroke;
    if (st.a <= 0)
        st = rgba(1, 1, 1, 1);
    set_rgba(cr, st);
    cairo_set_line_width(cr, PT(r, 1.2));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
}

static void text_set(renderer *r, const char *text, double size_pt, int bold,
                     int italic, double width_limit);
static void text_size(renderer *r, double *w, double *h);
static void text_draw(renderer *r, double x, double y, bm_rgba color, int halo);

static void
draw_incident_markers(renderer *r, const bm_incident *inc)
{
    double size = marker_size(r);
    for (size_t gi = 0; gi < r->ngroups; gi++) {
        inc_group *g = &r->groups[gi];
        if (g->n > BIG_GROUP) {
            /* one symbol of the commonest type, larger, with the count */
            double dx, dy, ring, big = size * 1.55;
            spread_offset(r, g->base, g->total, &dx, &dy, &ring);
            draw_marker(r, group_main_type(g, inc), g->cx + dx, g->cy + dy, big);
            char buf[32];
            snprintf(buf, sizeof buf, "%zu", g->n);
            text_set(r, buf, r->style->incident_size * 0.8, 1, 0, 0);
            double w, h;
            text_size(r, &w, &h);
            text_draw(r, g->cx + dx - w / 2, g->cy + dy - h / 2,
                      ink(r, 1), 1);
        } else {
            for (size_t k = 0; k < g->n; k++) {
                double dx, dy, ring;
                spread_offset(r, g->base + k, g->total, &dx, &dy, &ring);
                draw_marker(r, incident_type(&inc[g->idx[k]]), g->cx + dx,
                            g->cy + dy, size);
            }
        }
        if (g->lead == gi) {
            double ext = fmax(g->radius + size * 0.62,
                              g->total == 1 && g->n > BIG_GROUP ? size * 0.8 : 0);
            place_rect(r, (rect){g->cx - ext, g->cy - ext, g->cx + ext, g->cy + ext});
        }
    }
}

/* ---- dates ------------------------------------------------------------------ */

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/* "2024-06-01" is the first day of its month; "2024-06-30" the last. */
static int
first_of_month(const char *d)
{
    return strcmp(d + 8, "01") == 0;
}

static int
last_of_month(const char *d)
{
    return atoi(d + 8) == bm_days_in_month(atoi(d), atoi(d + 5));
}

/* A span of days said as briefly as it is true: "2024" or "2023 – 2024"
 * for whole years, "2024-06" or "2024-03 – 2024-07" for whole months, else
 * "2024-06-11 – 2024-06-20"; lo NULL or "" (an open start): "by 2024-06-15".
 * Values that are not days are written as they are. */
static void
span_text(const char *lo, const char *hi, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!hi || !*hi)
        hi = lo;
    if (!hi || !*hi)
        return;
    if (!lo || !*lo) {
        snprintf(buf, size, "by %s", hi);
        return;
    }
    int days = strlen(lo) == 10 && strlen(hi) == 10 && bm_date_valid(lo) &&
               bm_date_valid(hi);
    if (days && strcmp(lo + 4, "-01-01") == 0 && strcmp(hi + 4, "-12-31") == 0) {
        if (strncmp(lo, hi, 4) == 0)
            snprintf(buf, size, "%.4s", lo);
        else
            snprintf(buf, size, "%.4s – %.4s", lo, hi);
    } else if (days && first_of_month(lo) && last_of_month(hi)) {
        if (strncmp(lo, hi, 7) == 0)
            snprintf(buf, size, "%.7s", lo);
        else
            snprintf(buf, size, "%.7s – %.7s", lo, hi);
    } else if (strcmp(lo, hi) == 0)
        snprintf(buf, size, "%s", lo);
    else
        snprintf(buf, size, "%s – %s", lo, hi);
}

/* An incident's date said with its precision: "2024-06-15", "June 2024",
 * "2024", "mid-June 2024", "spring 2024", "by 2024-06-15" (dated only by
 * its report); "" when undated. */
static void
date_text(const bm_incident *in, char *buf, size_t size)
{
    buf[0] = '\0';
    bm_date_precision p = bm_date_precision_of(in->date, in->date_precision);
    const char *d = in->date;
    if (p == BM_DATE_NONE || !bm_date_valid(d))
        return;
    size_t n = strlen(d);
    int y = atoi(d), m = n >= 7 ? atoi(d + 5) : 0;
    char s[11], e[11];
    bm_incident_range(in, s, e);
    switch (p) {
    case BM_DATE_DAY:
    case BM_DATE_MONTH:
    case BM_DATE_YEAR:
    case BM_DATE_REPORTED:
        if (p == BM_DATE_REPORTED)
            snprintf(buf, size, "by ");
        if (n == 10)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s", d);
        else if (n == 7)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s %d",
                     month_names[m - 1], y);
        else
            snprintf(buf + strlen(buf), size - strlen(buf), "%d", y);
        return;
    case BM_DATE_PERIOD:
        /* part of the month its range says (the whole month when none is
         * stored) */
        if (s[0] && strncmp(s, e, 7) == 0 && n == 7 &&
            strncmp(s, d, 7) == 0) {
            int d0 = atoi(s + 8), d1 = atoi(e + 8);
            int last = bm_days_in_month(y, m);
            const char *mn = month_names[m - 1];
            if (d0 == 1 && d1 == last)
                snprintf(buf, size, "%s %d", mn, y);
            else if (d0 == 1 && d1 == 10)
                snprintf(buf, size, "early %s %d", mn, y);
            else if (d0 == 11 && d1 == 20)
                snprintf(buf, size, "mid-%s %d", mn, y);
            else if (d0 == 21 && d1 == last)
                snprintf(buf, size, "late %s %d", mn, y);
            else if (d0 == 1 && d1 == 15)
                snprintf(buf, size, "first half of %s %d", mn, y);
            else if (d0 == 16 && d1 == last)
                snprintf(buf, size, "second half of %s %d", mn, y);
            else
                snprintf(buf, size, "%d–%d %s %d", d0, d1, mn, y);
            return;
        }
        break;
    case BM_DATE_SEASON:
        /* whole months: a season's name, else its months */
        if (s[0] && first_of_month(s) && last_of_month(e)) {
            int y0 = atoi(s), m0 = atoi(s + 5), y1 = atoi(e), m1 = atoi(e + 5);
            static const char *const seasons[] = {"spring", "summer",
                                                  "autumn"};
            if (y0 == y1 && m0 >= 3 && m0 <= 9 && (m0 - 3) % 3 == 0 &&
                m1 == m0 + 2)
                snprintf(buf, size, "%s %d", seasons[(m0 - 3) / 3], y0);
            else if (m0 == 12 && m1 == 2 && y1 == y0 + 1)
                snprintf(buf, size, "winter %d–%02d", y0, y1 % 100);
            else if (y0 == y1 && m0 != m1)
                snprintf(buf, size, "%s–%s %d", month_names[m0 - 1],
                         month_names[m1 - 1], y0);
            else
                break;
            return;
        }
        break;
    case BM_DATE_NONE:
        return;
    }
    span_text(s, e, buf, size);
}

/* "2024-07-08 · arrest · Hoeryong", or for a group
 * "2024-03 – 2024-07 · crackdown ×3, arrest · Hoeryong (4)". A date is
 * said with its precision ("mid-June 2024 · arrest · Hoeryong", "by
 * 2024-06-15"); a group's is the one its incidents share, else the span of
 * their ranges (months when it covers several and more than two
 * incidents). Undated incidents (and dates that are not ISO days, months
 * or years) leave the date out. Caller frees. */
static char *
incident_label(const inc_group *g, const bm_incident *inc)
{
    bm_buf b = {0};
    char coord[64];
    const char *name = g->name;
    if (!name) {
        const bm_incident *in = &inc[g->idx[0]];
        snprintf(coord, sizeof coord, "%.2f°%s %.2f°%s", fabs(in->lat),
                 in->lat < 0 ? "S" : "N", fabs(in->lon), in->lon < 0 ? "W" : "E");
        name = coord;
    }
    /* the date the group's dated incidents share, else their span */
    char text[64] = "", lo[11] = "", hi[11] = "";
    int same = 1, ndated = 0;
    for (size_t k = 0; k < g->n; k++) {
        char t[64], s[11], e[11];
        date_text(&inc[g->idx[k]], t, sizeof t);
        if (!t[0] || !bm_incident_range(&inc[g->idx[k]], s, e))
            continue; /* undated, or not an ISO date: left out */
        if (ndated++ == 0)
            snprintf(text, sizeof text, "%s", t);
        else if (strcmp(text, t) != 0)
            same = 0;
        if (s[0] && (!lo[0] || strcmp(s, lo) < 0))
            snprintf(lo, sizeof lo, "%s", s);
        if (!hi[0] || strcmp(e, hi) > 0)
            snprintf(hi, sizeof hi, "%s", e);
    }
    if (ndated && !same) {
        if (g->n > 2 && lo[0] && strncmp(lo, hi, 7) != 0)
            snprintf(text, sizeof text, "%.7s – %.7s", lo, hi); /* months
                                                                 suffice */
        else
            span_text(lo, hi, text, sizeof text);
    }
    if (text[0])
        bm_buf_printf(&b, "%s · ", text);
    if (g->n == 1) {
        bm_buf_printf(&b, "%s · %s", incident_type(&inc[g->idx[0]]), name);
        return bm_buf_take(&b);
    }
    /* types in order of count, then first appearance */
    size_t nt = 0;
    const char **types = calloc(g->n, sizeof *types);
    size_t *counts = calloc(g->n, sizeof *counts);
    if (!types || !counts) {
        free(types);
        free(counts);
        bm_buf_free(&b);
        return NULL;
    }
    for (size_t k = 0; k < g->n; k++) {
        const char *t = incident_type(&inc[g->idx[k]]);
        size_t j;
        for (j = 0; j < nt; j++)
            if (strcmp(types[j], t) == 0)
                break;
        if (j == nt)
            types[nt++] = t;
        counts[j]++;
    }
    for (size_t i = 1; i < nt; i++) { /* stable insertion sort by count */
        const char *t = types[i];
        size_t c = counts[i], j = i;
        while (j > 0 && counts[j - 1] < c) {
            types[j] = types[j - 1];
            counts[j] = counts[j - 1];
            j--;
        }
        types[j] = t;
        counts[j] = c;
    }
    if (nt > 3) {
        /* a place of many kinds of incident (a dense map): the count of
         * types, without dates, keeps the label short enough to place;
         * the legend and the subtitle carry the rest */
        b.len = 0;
        if (b.data)
            b.data[0] = '\0';
        bm_buf_printf(&b, "%zu types", nt);
    }
    for (size_t j = 0; nt <= 3 && j < nt; j++) {
        if (j)
            bm_buf_puts(&b, ", ");
        if (counts[j] > 1)
            bm_buf_printf(&b, "%s ×%zu", types[j], counts[j]);
        else
            bm_buf_puts(&b, types[j]);
    }
    /* the places: a province-level incident coded at its capital shares
     * the capital's point, and is named as its province, not the town */
    const char *other = NULL;
    size_t nother = 0;
    for (size_t k = 0; k < g->n; k++) {
        const char *p = inc[g->idx[k]].place_name;
        if (!p || !g->name || strcmp(p, g->name) == 0)
            continue;
        size_t j = 0; /* counted once: at its first appearance */
        while (j < k && !(inc[g->idx[j]].place_name &&
                          strcmp(inc[g->idx[j]].place_name, p) == 0))
            j++;
        if (j < k)
            continue;
        if (!other)
            other = p;
        nother++;
    }
    if (nother == 0)
        bm_buf_printf(&b, " · %s (%zu)", name, g->n);
    else if (nother == 1)
        bm_buf_printf(&b, " · %s, %s (%zu)", name, other, g->n);
    else
        bm_buf_printf(&b, " · %s +%zu places (%zu)", name, nother, g->n);
    free(types);
    free(counts);
    return bm_buf_take(&b);
}

/* Tries the 8 positions around (x, y) at distance d for a w x h box.
 * Order: right, left, above, below, upper right, lower right, upper left,
 * lower left. Returns 1 and the box when one fits. */
static int
try_positions(renderer *r, double x, double y, double d, double w, double h,
              double pad, int leader, int lines, rect *out)
{
    double dd = d * 0.75;
    rect c[8] = {
        rect_make(x + d, y - h / 2, w, h),
        rect_make(x - d - w, y - h / 2, w, h),
        rect_make(x - w / 2, y - d - h, w, h),
        rect_make(x - w / 2, y + d, w, h),
        rect_make(x + dd, y - dd - h, w, h),
        rect_make(x + dd, y + dd, w, h),
        rect_make(x - dd - w, y - dd - h, w, h),
        rect_make(x - dd - w, y + dd, w, h),
    };
    for (int i = 0; i < 8; i++) {
        if (!rect_inside(&c[i], &r->v.frame, PT(r, 2)))
            continue;
        if (collides(r, &c[i], pad))
            continue;
        if (leader && leader_blocked(r, x, y, &c[i]))
            continue;
        if (lines && crosses_lines(r, &c[i]))
            continue;
        *out = c[i];
        return 1;
    }
    return 0;
}

/* Second pass for a label that does not fit next to its point (after
 * MapServer's LEADER): rings further out, 16 directions each, the label
 * joined to the point by a leader line. clear_leader: the leader must not
 * cross other labels or markers. */
static int
try_rings(renderer *r, double x, double y, double d, double w, double h,
          int clear_leader, int lines, rect *out)
{
    static const double rings[] = {18, 34, 52, 74, 100, 130};
    for (size_t ri = 0; ri < sizeof rings / sizeof rings[0]; ri++) {
        double rad = d + PT(r, rings[ri]);
        for (int k = 0; k < 16; k++) {
            /* right first, then alternating above/below around the circle */
            int step = (k + 1) / 2, sign = k % 2 ? -1 : 1;
            double a = sign * step * (M_PI / 8);
            double ca = cos(a), sa = sin(a);
            double cx = x + ca * rad + w / 2 * clampd(2 * ca, -1, 1);
            double cy = y + sa * rad + h / 2 * clampd(2 * sa, -1, 1);
            rect box = rect_make(cx - w / 2, cy - h / 2, w, h);
            if (!rect_inside(&box, &r->v.frame, PT(r, 2)) ||
                collides(r, &box, PT(r, 1)))
                continue;
            if (clear_leader && leader_blocked(r, x, y, &box))
                continue;
            if (lines && crosses_lines(r, &box))
                continue;
            *out = box;
            return 1;
        }
    }
    return 0;
}

static void
draw_leader(renderer *r, double x, double y, const rect *box, double from)
{
    double cx, cy;
    leader_end(x, y, box, &cx, &cy);
    double dx = cx - x, dy = cy - y, len = hypot(dx, dy);
    if (len <= from)
        return;
    rect *p = bm_grow(r->leaders, &r->capleaders, r->nleaders + 1, sizeof *p);
    if (!p) {
        r->nomem = 1;
        return;
    }
    r->leaders = p;
    r->leaders[r->nleaders] =
        (rect){x + dx / len * from, y + dy / len * from, cx, cy};
    if (sindex_add(&r->leader_ix, &r->leaders[r->nleaders], r->nleaders) != 0)
        r->nomem = 1;
    r->nleaders++;
    cairo_t *cr = r->cr;
    cairo_new_path(cr);
    cairo_move_to(cr, x + dx / len * from, y + dy / len * from);
    cairo_line_to(cr, cx, cy);
    set_rgba(cr, ink(r, 0.9));
    cairo_set_line_width(cr, PT(r, 0.8));
    cairo_stroke(cr);
}

/* Adds a line to the side list; returns its number (1-based). */
static size_t
list_add(renderer *r, char *text)
{
    char **p = bm_grow(r->listed, &r->caplisted, r->nlisted + 1, sizeof *p);
    if (!p) {
        r->nomem = 1;
        free(text);
        return 0;
    }
    r->listed = p;
    r->listed[r->nlisted++] = text;
    return r->nlisted;
}

/* Incident labels, in order of group size (the biggest places first), each
 * in the first free position of: the 8 around its symbol clear of borders
 * and rivers; the 8 crossing them; rings further out with a leader line
 * (clear leader and lines, clear leader, any). A label that fits nowhere is
 * numbered at its symbol and written in the side list: never dropped, never
 * over another label. */
static void
place_incident_labels(renderer *r, const bm_incident *inc)
{
    double size = marker_size(r);
    double fs = r->style->incident_label_size > 0 ? r->style->incident_label_size
                                                  : 9.5;
    size_t *order = malloc((r->ngroups ? r->ngroups : 1) * sizeof *order);
    if (!order) {
        r->nomem = 1;
        return;
    }
    for (size_t i = 0; i < r->ngroups; i++)
        order[i] = i;
    for (size_t i = 1; i < r->ngroups; i++) { /* stable, by size */
        size_t t = order[i], j = i;
        while (j > 0 && r->groups[order[j - 1]].n < r->groups[t].n) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = t;
    }
    for (size_t oi = 0; oi < r->ngroups; oi++) {
        inc_group *g = &r->groups[order[oi]];
        char *text = incident_label(g, inc);
        if (!text) {
            r->nomem = 1;
            break;
        }
        text_set(r, text, fs, 1, 0, 0);
        double w, h;
        text_size(r, &w, &h);
        double d = g->radius + size / 2 + PT(r, 3), x = g->cx, y = g->cy;
        rect box;
        int leader = 0, ok = 1;
        if (!try_positions(r, x, y, d, w, h, PT(r, 1), 0, 1, &box) &&
            !try_positions(r, x, y, d, w, h, PT(r, 1), 0, 0, &box)) {
            leader = 1;
            if (!try_rings(r, x, y, d, w, h, 1, 1, &box) &&
                !try_rings(r, x, y, d, w, h, 1, 0, &box) &&
                !try_rings(r, x, y, d, w, h, 0, 0, &box))
                ok = 0;
        }
        if (ok) {
            if (leader)
                draw_leader(r, x, y, &box, g->radius + size / 2);
            text_draw(r, box.x0, box.y0, ink(r, 1), 1);
            place_label(r, box);
            r->labels_placed++;
            free(text);
            continue;
        }
        /* the side list: a number at the symbol where one fits */
        size_t num = list_add(r, text);
        if (!num)
            break;
        char nb[32];
        snprintf(nb, sizeof nb, "%zu", num);
        text_set(r, nb, fs, 1, 0, 0);
        text_size(r, &w, &h);
        if (try_positions(r, x, y, d, w, h, PT(r, 0.5), 0, 0, &box)) {
            struct list_number *p =
                bm_grow(r->numbers, &r->capnumbers, r->nnumbers + 1, sizeof *p);
            if (!p) {
                r->nomem = 1;
                break;
            }
            r->numbers = p;
            r->numbers[r->nnumbers].box = box;
            r->numbers[r->nnumbers++].num = num;
            place_label(r, box);
        }
    }
    free(order);
}

/* ---- basemap labels -------------------------------------------------------- */

typedef struct town {
    const char *name;
    double x, y, rank;
    size_t layer, order;
    int state; /* 0: to do; 1: symbol reserved, label to place; 2: done */
} town;

static int
town_cmp(const void *a, const void *b)
{
    const town *x = a, *y = b;
    double rx = isnan(x->rank) ? 1e9 : x->rank, ry = isnan(y->rank) ? 1e9 : y->rank;
    if (rx != ry)
        return rx < ry ? -1 : 1;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Same start of name, ignoring case: "Hyeson" (Natural Earth) and
 * "Hyesan" (the gazetteer) are one town. */
static int
similar_name(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (int i = 0; i < 3; i++) {
        char ca = a[i], cb = b[i];
        if (!ca || !cb)
            return ca == cb;
        if (ca >= 'A' && ca <= 'Z')
            ca = (char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (char)(cb - 'A' + 'a');
        if (ca != cb)
            return 0;
    }
    return 1;
}

/* Whether an incident label already names the town at (x, y): the town
 * lies under the incident markers, or close by with a similar name. */
static int
named_by_incident(const renderer *r, const char *name, double x, double y)
{
    double size = marker_size(r);
    for (size_t i = 0; i < r->ngroups; i++) {
        const inc_group *g = &r->groups[i];
        double d = hypot(g->cx - x, g->cy - y);
        if (d <= g->radius + size * 0.5)
            return 1;
        if (d <= g->radius + size * 2.5 && similar_name(name, g->name))
            return 1;
    }
    return 0;
}

/* Towns of this rank or lower (the towns layer: a million people, or
 * 200,000 in North Korea) are labelled before the rivers. */
#define BIG_TOWN_RANK 3

/* Town labels in two passes around the rivers' labels. The first
 * (after = 0) collects the towns and, in order of importance, labels those
 * of rank up to max_rank, each town's symbol becoming an obstacle for the
 * labels after it: a symbol already under a label (a bigger town's, an
 * incident's) is left unlabelled, so that a cluster of small towns never
 * keeps a city from its name. It then reserves the other towns' symbols
 * (those not under a label), which the rivers' labels avoid; the second
 * pass (after = 1) labels them. */
static void
place_town_labels(renderer *r, bm_layer *const *basemap, double max_rank,
                  int after)
{
    const bm_style *s = r->style;
    if (!after) {
        size_t n = 0, cap = 0;
        town *towns = NULL;
        for (size_t li = 0; li < s->nlayers; li++) {
            const bm_style_layer *sl = &s->layers[li];
            const bm_layer *l = basemap ? basemap[li] : NULL;
            if (!l || sl->kind != BM_GEOM_POINT || l->kind != BM_GEOM_POINT)
                continue;
            for (size_t i = 0; i < l->nparts; i++) {
                const bm_part *p = &l->parts[i];
                if (p->count < 1 || !feature_shown(sl, l, p->feature))
                    continue;
                double x, y;
                if (view_dev(&r->v, l->xy[2 * p->first],
                             l->xy[2 * p->first + 1], &x, &y) != 0 ||
                    !rect_contains(&r->v.frame, x, y))
                    continue;
                const char *name = sl->label_field && l->feature_name &&
                                           p->feature < l->nfeatures
                                       ? l->feature_name[p->feature]
                                       : NULL;
                town *t = bm_grow(towns, &cap, n + 1, sizeof *t);
                if (!t) {
                    r->nomem = 1;
                    free(towns);
                    return;
                }
                towns = t;
                towns[n].name = name;
                towns[n].x = x;
                towns[n].y = y;
                towns[n].rank =
                    l->feature_rank ? l->feature_rank[p->feature] : (double)NAN;
                towns[n].layer = li;
                towns[n].order = n;
                towns[n].state = 0;
                n++;
            }
        }
        if (n > 1)
            qsort(towns, n, sizeof *towns, town_cmp);
        free(r->towns);
        r->towns = towns;
        r->ntowns = n;
    }
    for (int step = 0; step < (after ? 1 : 2); step++) {
        for (size_t i = 0; i < r->ntowns; i++) {
            town *t = &r->towns[i];
            const bm_style_layer *sl = &s->layers[t->layer];
            int big = t->rank <= max_rank; /* false for NaN */
            double sym =
                sl->symbol_size > 0 ? PT(r, sl->symbol_size) : PT(r, 4);
            rect dot = {t->x - sym / 2, t->y - sym / 2, t->x + sym / 2,
                        t->y + sym / 2};
            int label_now;
            if (after) { /* pass 2: the reserved ones */
                if (t->state != 1)
                    continue;
                label_now = 1;
            } else if (step == 0) { /* pass 1: the big towns */
                if (!big || t->state)
                    continue;
                label_now = 1;
            } else { /* pass 1, then: reserve the others' symbols */
                if (t->state)
                    continue;
                label_now = 0;
            }
            if (t->state == 0) {
                if (collides(r, &dot, 0)) {
                    t->state = 2; /* under a label: left unlabelled */
                    continue;
                }
                place_rect(r, dot);
                t->state = 1;
            }
            if (!label_now)
                continue;
            t->state = 2;
            if (!t->name || !*t->name)
                continue;
            if (named_by_incident(r, t->name, t->x, t->y))
                continue; /* the incident label names the place */
            double fs = sl->label_size > 0 ? sl->label_size : 8.5;
            text_set(r, t->name, fs, 0, sl->label_italic, 0);
            double w, h;
            text_size(r, &w, &h);
            rect box;
            if (!try_positions(r, t->x, t->y, sym / 2 + PT(r, 2), w, h,
                               PT(r, 1.5), 0, 0, &box))
                continue;
            bm_rgba col = sl->label_color.a > 0 ? sl->label_color
                                                : rgba(0.2, 0.2, 0.2, 1);
            text_draw(r, box.x0, box.y0, col, 1);
            place_label(r, box);
        }
    }
}

/* Line labels (rivers): along the longest visible run of each named
 * feature, horizontal text rotated to the run's direction, kept upright. */
/* The point and direction at arc length t along a part (device units). */
static int
part_at(const double *dev, const bm_part *p, double t, double *x, double *y,
        double *ang)
{
    double acc = 0;
    for (size_t k = 1; k < p->count; k++) {
        double x0 = dev[2 * (p->first + k - 1)], y0 = dev[2 * (p->first + k - 1) + 1];
        double x1 = dev[2 * (p->first + k)], y1 = dev[2 * (p->first + k) + 1];
        if (isnan(x0) || isnan(x1))
            continue;
        double len = hypot(x1 - x0, y1 - y0);
        if (len <= 0)
            continue;
        if (acc + len >= t || k + 1 == p->count) {
            double u = clampd((t - acc) / len, 0, 1);
            *x = x0 + u * (x1 - x0);
            *y = y0 + u * (y1 - y0);
            *ang = atan2(y1 - y0, x1 - x0);
            return 0;
        }
        acc += len;
    }
    return -1;
}

/* A line label set along the line's course, one character at a time,
 * centred at arc length `at`, on the line's upper side, reading left to
 * right. Fails (draws nothing) where the line bends too sharply under the
 * label, runs too steeply, leaves the frame or meets another label. */
static int
curved_label(renderer *r, const bm_style_layer *sl, const char *name,
             double fs, const double *dev, const bm_part *p, double total,
             double at, double w, double h)
{
    enum { MAXC = 64 };
    const char *starts[MAXC + 1];
    double adv[MAXC], pos[MAXC], cx[MAXC], cy[MAXC], ca[MAXC];
    size_t n = 0;
    for (const char *c = name; *c && n < MAXC; c = g_utf8_next_char(c))
        starts[n++] = c;
    if (n == 0 || n == MAXC)
        return 0;
    starts[n] = name + strlen(name);
    double sum = 0;
    char buf[16];
    for (size_t i = 0; i < n; i++) {
        size_t len = (size_t)(starts[i + 1] - starts[i]);
        if (len >= sizeof buf)
            return 0;
        memcpy(buf, starts[i], len);
        buf[len] = '\0';
        text_set(r, buf, fs, 0, sl->label_italic, 0);
        double cw, chh;
        text_size(r, &cw, &chh);
        adv[i] = cw;
        pos[i] = sum;
        sum += cw;
    }
    (void)w;
    double t0 = at - sum / 2;
    if (t0 < 0 || t0 + sum > total)
        return 0;
    /* reading direction: left to right on the page */
    double xa, ya, xb, yb, aa, ab;
    if (part_at(dev, p, t0, &xa, &ya, &aa) != 0 ||
        part_at(dev, p, t0 + sum, &xb, &yb, &ab) != 0)
        return 0;
    int rev = xb < xa;
    double chord_ang = atan2(rev ? ya - yb : yb - ya, rev ? xa - xb : xb - xa);
    if (fabs(chord_ang) > M_PI / 3)
        return 0; /* too steep to read */
    double off = h / 2 + PT(r, 1);
    rect boxes[MAXC];
    double prev = 0;
    for (size_t i = 0; i < n; i++) {
        double mid = pos[i] + adv[i] / 2;
        double t = rev ? t0 + sum - mid : t0 + mid, x, y, ang;
        if (part_at(dev, p, t, &x, &y, &ang) != 0)
            return 0;
        if (rev)
            ang += M_PI;
        while (ang > M_PI)
            ang -= 2 * M_PI;
        while (ang < -M_PI)
            ang += 2 * M_PI;
        if (i > 0) {
            double d = ang - prev;
            while (d > M_PI)
                d -= 2 * M_PI;
            while (d < -M_PI)
                d += 2 * M_PI;
            if (fabs(d) > M_PI / 9)
                return 0; /* a bend too sharp for the text */
        }
        prev = ang;
        /* the character's centre, lifted off the line */
        cx[i] = x + sin(ang) * off;
        cy[i] = y - cos(ang) * off;
        ca[i] = ang;
        /* lifted off the inner side of a bend, characters crowd */
        if (i > 0 && hypot(cx[i] - cx[i - 1], cy[i] - cy[i - 1]) <
                         0.92 * (adv[i] + adv[i - 1]) / 2)
            return 0;
        double s2 = fabs(sin(ang)), c2 = fabs(cos(ang));
        double bw = adv[i] * c2 + h * s2, bh = adv[i] * s2 + h * c2;
        boxes[i] = rect_make(cx[i] - bw / 2, cy[i] - bh / 2, bw, bh);
        if (!rect_inside(&boxes[i], &r->v.frame, PT(r, 2)))
            return 0;
    }
    /* the label's box (all its characters) must be free: conservative on
     * a bend, and the same box every other label then avoids */
    rect u = boxes[0];
    for (size_t i = 1; i < n; i++) {
        u.x0 = fmin(u.x0, boxes[i].x0);
        u.y0 = fmin(u.y0, boxes[i].y0);
        u.x1 = fmax(u.x1, boxes[i].x1);
        u.y1 = fmax(u.y1, boxes[i].y1);
    }
    if (collides(r, &u, PT(r, 1)))
        return 0;
    bm_rgba col = sl->label_color.a > 0 ? sl->label_color : rgba(0.2, 0.35, 0.6, 1);
    cairo_t *cr = r->cr;
    /* all halos first, then all glyphs: a character's halo must not
     * cover its neighbour */
    for (int pass = 1; pass <= 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            size_t len = (size_t)(starts[i + 1] - starts[i]);
            memcpy(buf, starts[i], len);
            buf[len] = '\0';
            text_set(r, buf, fs, 0, sl->label_italic, 0);
            double cw, chh;
            text_size(r, &cw, &chh);
            cairo_save(cr);
            cairo_translate(cr, cx[i], cy[i]);
            cairo_rotate(cr, ca[i]);
            text_draw_part(r, -cw / 2, -chh / 2, col, 1, pass);
            cairo_restore(cr);
            pango_cairo_update_layout(cr, r->layout);
        }
    }
    place_label(r, u);
    return 1;
}

/* Douglas-Peucker: keeps in keep[] the vertices of v[0..n) (pairs) that
 * a line within tol of all of them needs (first and last always). */
static void
simplify_mark(const double *v, size_t a, size_t b, double tol, char *keep)
{
    if (b <= a + 1)
        return;
    double ax = v[2 * a], ay = v[2 * a + 1], bx = v[2 * b], by = v[2 * b + 1];
    double dx = bx - ax, dy = by - ay, len = hypot(dx, dy), best = -1;
    size_t at = a;
    for (size_t i = a + 1; i < b; i++) {
        double px = v[2 * i] - ax, py = v[2 * i + 1] - ay;
        double d = len > 0 ? fabs(px * dy - py * dx) / len : hypot(px, py);
        if (d > best) {
            best = d;
            at = i;
        }
    }
    if (best > tol) {
        keep[at] = 1;
        simplify_mark(v, a, at, tol, keep);
        simplify_mark(v, at, b, tol, keep);
    }
}

/* A copy of part p's device vertices smoothed for a label to follow
 * (Douglas-Peucker at tol, so that a winding river still reads as one
 * curve); *out is a part over the copy. Caller frees; NULL when memory
 * runs out or a vertex is not projected. */
static double *
label_path(const double *dev, const bm_part *p, double tol, bm_part *out)
{
    double *v = malloc(2 * p->count * sizeof *v);
    char *keep = calloc(p->count, 1);
    if (!v || !keep) {
        free(v);
        free(keep);
        return NULL;
    }
    memcpy(v, dev + 2 * p->first, 2 * p->count * sizeof *v);
    for (size_t i = 0; i < 2 * p->count; i++)
        if (isnan(v[i])) {
            free(v);
            free(keep);
            return NULL;
        }
    keep[0] = keep[p->count - 1] = 1;
    simplify_mark(v, 0, p->count - 1, tol, keep);
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        if (keep[i]) {
            v[2 * n] = v[2 * i];
            v[2 * n + 1] = v[2 * i + 1];
            n++;
        }
    free(keep);
    *out = *p;
    out->first = 0;
    out->count = n;
    return v;
}

static void
place_line_labels(renderer *r, bm_layer *const *basemap)
{
    const bm_style *s = r->style;
    for (size_t li = 0; li < s->nlayers; li++) {
        const bm_style_layer *sl = &s->layers[li];
        const bm_layer *l = basemap ? basemap[li] : NULL;
        if (!l || !sl->label_field || !l->feature_name || l->kind != BM_GEOM_LINE)
            continue;
        double *dev = project_layer(r, l);
        if (!dev)
            continue;
        /* one label per distinct name */
        for (size_t f = 0; f < l->nfeatures; f++) {
            const char *name = l->feature_name[f];
            if (!name || !*name || !feature_shown(sl, l, f))
                continue;
            int dup = 0;
            for (size_t e = 0; e < f && !dup; e++)
                if (l->feature_name[e] && strcmp(l->feature_name[e], name) == 0 &&
                    feature_shown(sl, l, e))
                    dup = 1;
            if (dup)
                continue;
            double fs = sl->label_size > 0 ? sl->label_size : 8;
            text_set(r, name, fs, 0, sl->label_italic, 0);
            double w, h;
            text_size(r, &w, &h);
            /* candidate anchors: vertices along all parts with this name,
             * inside the frame; prefer ones where the run is straight over
             * the label length, centred on the run */
            int placed = 0;
            for (size_t pi = 0; pi < l->nparts && !placed; pi++) {
                const bm_part *p = &l->parts[pi];
                size_t pf = p->feature;
                if (pf >= l->nfeatures || !l->feature_name[pf] ||
                    strcmp(l->feature_name[pf], name) != 0 || p->count < 2)
                    continue;
                /* cumulative length along the part */
                double total = 0;
                for (size_t k = 1; k < p->count; k++) {
                    double x0 = dev[2 * (p->first + k - 1)], y0 = dev[2 * (p->first + k - 1) + 1];
                    double x1 = dev[2 * (p->first + k)], y1 = dev[2 * (p->first + k) + 1];
                    if (!isnan(x0) && !isnan(x1))
                        total += hypot(x1 - x0, y1 - y0);
                }
                if (total < w * 1.5)
                    continue;
                /* try positions at fractions of the length; a long river
                 * is named twice, far apart */
                static const double fr[] = {0.5,  0.3,  0.7,  0.15, 0.85,
                                            0.4,  0.6,  0.1,  0.9,  0.2,
                                            0.8,  0.25, 0.75, 0.35, 0.65,
                                            0.45, 0.55, 0.05, 0.95};
                double first_at = -1;
                for (size_t fi = 0; fi < sizeof fr / sizeof fr[0] && placed < 2;
                     fi++) {
                    double want = total * fr[fi];
                    if (first_at >= 0 &&
                        (fabs(want - first_at) < fmax(total / 3, 6 * w)))
                        continue;
                    if (curved_label(r, sl, name, fs, dev, p, total, want, w, h)) {
                        if (first_at < 0)
                            first_at = want;
                        placed++;
                        continue;
                    }
                    /* too winding here: along the river's smoothed course */
                    bm_part sp;
                    double *sv = label_path(dev, p, h * 0.8, &sp);
                    if (!sv)
                        continue;
                    double stotal = 0;
                    for (size_t k = 1; k < sp.count; k++)
                        stotal += hypot(sv[2 * k] - sv[2 * k - 2],
                                        sv[2 * k + 1] - sv[2 * k - 1]);
                    if (curved_label(r, sl, name, fs, sv, &sp, stotal,
                                     stotal * fr[fi], w, h)) {
                        if (first_at < 0)
                            first_at = want;
                        placed++;
                    }
                    free(sv);
                }
            }
        }
        free(dev);
    }
}

/* Point-in-polygon (even-odd over all the feature's rings). */
static int
inside_feature(const double *dev, const bm_layer *l, size_t p0, size_t p1,
               double x, double y)
{
    int in = 0;
    for (size_t pi = p0; pi < p1; pi++) {
        const bm_part *p = &l->parts[pi];
        for (size_t k = 0, j = p->count - 1; k < p->count; j = k++) {
            double xi = dev[2 * (p->first + k)], yi = dev[2 * (p->first + k) + 1];
            double xj = dev[2 * (p->first + j)], yj = dev[2 * (p->first + j) + 1];
            if (isnan(xi) || isnan(xj))
                continue;
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

/* Distance from (x, y) to the feature's boundary or the frame edge. */
static double
edge_distance(const renderer *r, const double *dev, const bm_layer *l,
              size_t p0, size_t p1, double x, double y)
{
    const rect *f = &r->v.frame;
    double best = fmin(fmin(x - f->x0, f->x1 - x), fmin(y - f->y0, f->y1 - y));
    for (size_t pi = p0; pi < p1; pi++) {
        const bm_part *p = &l->parts[pi];
        for (size_t k = 1; k < p->count; k++) {
            double ax = dev[2 * (p->first + k - 1)], ay = dev[2 * (p->first + k - 1) + 1];
            double bx = dev[2 * (p->first + k)], by = dev[2 * (p->first + k) + 1];
            if (isnan(ax) || isnan(bx))
                continue;
            double vx = bx - ax, vy = by - ay, len2 = vx * vx + vy * vy;
            double t = len2 > 0 ? clampd(((x - ax) * vx + (y - ay) * vy) / len2, 0, 1) : 0;
            double d = hypot(ax + t * vx - x, ay + t * vy - y);
            if (d < best)
                best = d;
        }
    }
    return best;
}

/* Polygon names (countries): at the visible point farthest from the
 * feature's edges (a grid search for the pole of inaccessibility), in
 * spaced capitals. */
static void
place_polygon_labels(renderer *r, bm_layer *const *basemap)
{
    const bm_style *s = r->style;
    const rect *f = &r->v.frame;
    for (size_t li = 0; li < s->nlayers; li++) {
        const bm_style_layer *sl = &s->layers[li];
        const bm_layer *l = basemap ? basemap[li] : NULL;
        if (!l || !sl->label_field || !l->feature_name || l->kind != BM_GEOM_POLYGON)
            continue;
        double *dev = project_layer(r, l);
        if (!dev)
            continue;
        size_t i = 0;
        while (i < l->nparts) {
            size_t feat = l->parts[i].feature, j = i;
            while (j < l->nparts && l->parts[j].feature == feat)
                j++;
            const char *name = feat < l->nfeatures ? l->feature_name[feat] : NULL;
            if (!name || !*name || !feature_shown(sl, l, feat)) {
                i = j;
                continue;
            }
            /* spaced upper case, ASCII letters only (other scripts as is) */
            bm_buf b = {0};
            for (const char *c = name; *c; c++) {
                char ch = *c;
                if (ch >= 'a' && ch <= 'z')
                    ch = (char)(ch - 'a' + 'A');
                bm_buf_append(&b, &ch, 1);
            }
            char *label = bm_buf_take(&b);
            if (!label) {
                r->nomem = 1;
                break;
            }
            double fs = sl->label_size > 0 ? sl->label_size : 11;
            text_set(r, label, fs, 1, sl->label_italic, 0);
            pango_layout_set_attributes(r->layout, NULL);
            PangoAttrList *al = pango_attr_list_new();
            pango_attr_list_insert(al, pango_attr_letter_spacing_new(
                                           (int)(PT(r, fs) * 0.18 * PANGO_SCALE)));
            pango_layout_set_attributes(r->layout, al);
            r->font_spacing = PT(r, fs) * 0.18;
            pango_attr_list_unref(al);
            double w, h;
            text_size(r, &w, &h);
            enum { G = 28 };
            double bestd = 0, bx = 0, by = 0;
            for (int gy = 0; gy < G; gy++) {
                for (int gx = 0; gx < G; gx++) {
                    double x = f->x0 + (gx + 0.5) * (f->x1 - f->x0) / G;
                    double y = f->y0 + (gy + 0.5) * (f->y1 - f->y0) / G;
                    if (!inside_feature(dev, l, i, j, x, y))
                        continue;
                    rect box = rect_make(x - w / 2, y - h / 2, w, h);
                    if (!rect_inside(&box, f, PT(r, 4)) || collides(r, &box, PT(r, 2)))
                        continue;
                    double d = edge_distance(r, dev, l, i, j, x, y);
                    if (d > bestd) {
                        bestd = d;
                        bx = x;
                        by = y;
                    }
                }
            }
            if (bestd > h * 0.8) {
                bm_rgba col = sl->label_color.a > 0 ? sl->label_color
                                                    : rgba(0.35, 0.35, 0.35, 0.8);
                text_draw(r, bx - w / 2, by - h / 2, col, 1);
                place_label(r, rect_make(bx - w / 2, by - h / 2, w, h));
            }
            pango_layout_set_attributes(r->layout, NULL);
            free(label);
            i = j;
        }
        free(dev);
    }
}

/* ---- furniture ------------------------------------------------------------- */

/* lon/lat at the middle of the map frame (the extent's centre when the
 * frame cannot be inverted). */
static void
frame_centre(const renderer *r, double *lon, double *lat)
{
    const rect *f = &r->v.frame;
    if (view_inv(&r->v, (f->x0 + f->x1) / 2, (f->y0 + f->y1) / 2, lon, lat) != 0) {
        *lon = (r->style->min_lon + r->style->max_lon) / 2;
        *lat = (r->style->min_lat + r->style->max_lat) / 2;
    }
}


static void
scale_compute(renderer *r, scale_info *si)
{
    double lonc, latc;
    frame_centre(r, &lonc, &latc);
    double xa, ya, xb, yb, dist;
    struct geod_geodesic geod;
    memset(si, 0, sizeof *si);
    si->lat = latc;
    si->lon = lonc;
    if (view_dev(&r->v, lonc - 0.25, latc, &xa, &ya) != 0 ||
        view_dev(&r->v, lonc + 0.25, latc, &xb, &yb) != 0)
        return;
    geod_init(&geod, 6378137, 1 / 298.257223563);
    geod_inverse(&geod, latc, lonc - 0.25, latc, lonc + 0.25, &dist, NULL, NULL);
    if (!(dist > 0))
        return;
    si->dev_per_km = hypot(xb - xa, yb - ya) / (dist / 1000);
    static const double lens[] = {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000};
    double maxlen = fmin((r->v.frame.x1 - r->v.frame.x0) * 0.24, PT(r, 105));
    si->km = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        if (lens[i] * si->dev_per_km <= maxlen)
            si->km = lens[i];
}

/* Box the scale bar and north arrow need, in device units. */
static void
scale_box_size(renderer *r, const scale_info *si, double *w, double *h)
{
    double bar = si->km * si->dev_per_km;
    *w = bar + PT(r, 20) + PT(r, 26); /* bar, label slack, north arrow */
    *h = PT(r, 36);
}

/* Scale bar (left) and north arrow (right) in box. */
static void
draw_scale_and_north(renderer *r, const scale_info *si, rect box)
{
    cairo_t *cr = r->cr;
    char buf[64];
    double x0 = box.x0 + PT(r, 3), ybar = box.y0 + PT(r, 15);
    double barh = PT(r, 4);
    if (si->km > 0) {
        double bar = si->km * si->dev_per_km;
        int segs = 4;
        if (fmod(si->km, 4) != 0 && fmod(si->km * 10, 4) != 0)
            segs = 2;
        for (int i = 0; i < segs; i++) {
            cairo_rectangle(cr, x0 + bar * i / segs, ybar, bar / segs, barh);
            if (i % 2 == 0)
                set_rgba(cr, ink(r, 1));
            else
                set_rgba(cr, r->style->paper);
            cairo_fill(cr);
        }
        cairo_rectangle(cr, x0, ybar, bar, barh);
        set_rgba(cr, ink(r, 1));
        cairo_set_line_width(cr, PT(r, 0.6));
        cairo_stroke(cr);
        double marks[3] = {0, si->km / 2, si->km};
        for (int i = 0; i < 3; i++) {
            if (i == 2)
                snprintf(buf, sizeof buf, "%g km", marks[i]);
            else
                snprintf(buf, sizeof buf, "%g", marks[i]);
            text_set(r, buf, PT_SCALE, 0, 0, 0);
            double w, h;
            text_size(r, &w, &h);
            double mx = x0 + bar * marks[i] / si->km;
            double tx = i == 2 ? mx - PT(r, 8) : mx - w / 2;
            text_draw(r, tx, ybar - h - PT(r, 0.5), ink(r, 1), 0);
        }
        snprintf(buf, sizeof buf, "scale true at %.1f°%s", fabs(si->lat),
                 si->lat < 0 ? "S" : "N");
        text_set(r, buf, PT_SCALE - 1, 0, 1, 0);
        text_draw(r, x0, ybar + barh + PT(r, 2), ink(r, 0.75), 0);
    }

    /* north arrow, pointing to true north at the map centre */
    double lonc, latc;
    frame_centre(r, &lonc, &latc);
    double xa, ya, xb, yb;
    if (view_dev(&r->v, lonc, latc, &xa, &ya) == 0 &&
        view_dev(&r->v, lonc, latc + 0.1, &xb, &yb) == 0) {
        double ang = atan2(xb - xa, -(yb - ya)); /* from device up, clockwise */
        double cx = box.x1 - PT(r, 10), cy = box.y0 + PT(r, 20), len = PT(r, 10);
        cairo_save(cr);
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, ang);
        cairo_move_to(cr, 0, -len);
        cairo_line_to(cr, len * 0.42, len * 0.55);
        cairo_line_to(cr, 0, len * 0.28);
        cairo_close_path(cr);
        set_rgba(cr, ink(r, 1));
        cairo_fill(cr);
        cairo_move_to(cr, 0, -len);
        cairo_line_to(cr, -len * 0.42, len * 0.55);
        cairo_line_to(cr, 0, len * 0.28);
        cairo_close_path(cr);
        set_rgba(cr, r->style->paper);
        cairo_fill_preserve(cr);
        set_rgba(cr, ink(r, 1));
        cairo_set_line_width(cr, PT(r, 0.6));
        cairo_stroke(cr);
        text_set(r, "N", 8, 1, 0, 0);
        double w, h;
        text_size(r, &w, &h);
        text_draw(r, -w / 2, -len - h, ink(r, 1), 0);
        cairo_restore(cr);
        pango_cairo_update_layout(cr, r->layout);
    }
}

typedef struct legend_info {
    double w, h;
    double scale_w, scale_h; /* scale section at the foot; 0: none */
    scale_info si;
} legend_info;

static double
legend_row_h(const renderer *r)
{
    return fmax(marker_size(r) + PT(r, 4), PT(r, PT_LEGEND * 1.6));
}

/* n with thousands separators ("1,000,000"), for counts a reader reads. */
static void fmt_count(char *out, size_t size, size_t n)
{
    char d[32];
    snprintf(d, sizeof d, "%zu", n);
    size_t nd = strlen(d), o = 0;
    for (size_t i = 0; i < nd && o + 2 < size; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = d[i];
    }
    out[o < size ? o : size - 1] = '\0';
}

static void
legend_measure(renderer *r, legend_info *li, double max_w)
{
    double pad = PT(r, 7), w = 0, h = pad, tw, th;
    text_set(r, "Incidents", PT_LEGEND_HEAD, 1, 0, 0);
    text_size(r, &tw, &th);
    w = tw;
    h += th + PT(r, 3);
    double col = marker_size(r) + PT(r, 8);
    char buf[256];
    for (size_t i = 0; i < r->ntypes; i++) {
        double cw, ch;
        text_set(r, r->types[i].type, PT_LEGEND, 0, 0, 0);
        text_size(r, &tw, &th);
        snprintf(buf, sizeof buf, "%zu", r->types[i].shown);
        text_set(r, buf, PT_LEGEND, 1, 0, 0);
        text_size(r, &cw, &ch);
        w = fmax(w, col + tw + PT(r, 12) + cw);
        h += legend_row_h(r);
    }
    if (r->ntypes == 0) {
        text_set(r, "No incidents on this map", PT_LEGEND - 1.5, 0, 1, 0);
        text_size(r, &tw, &th);
        w = fmax(w, tw);
        h += th + PT(r, 2);
    }
    if (r->outside) {
        fmt_count(buf, sizeof buf, r->outside);
        strncat(buf, " outside the map (not shown)", sizeof buf - strlen(buf) - 1);
        text_set(r, buf, PT_LEGEND - 1.5, 0, 1, 0);
        text_size(r, &tw, &th);
        w = fmax(w, tw);
        h += th + PT(r, 2);
    }
    scale_compute(r, &li->si);
    if (li->si.km > 0) {
        scale_box_size(r, &li->si, &li->scale_w, &li->scale_h);
        w = fmax(w, li->scale_w);
        h += PT(r, 5) + li->scale_h;
    }
    li->w = fmin(w + 2 * pad, max_w);
    li->h = h + pad;
}

static void
draw_legend(renderer *r, const legend_info *li, double x, double y)
{
    cairo_t *cr = r->cr;
    double pad = PT(r, 7), w, h;
    double inner_w = li->w - 2 * pad;
    cairo_rectangle(cr, x, y, li->w, li->h);
    set_rgba(cr, r->style->panel);
    cairo_fill_preserve(cr);
    set_rgba(cr, ink(r, 0.75));
    cairo_set_line_width(cr, PT(r, 0.6));
    cairo_stroke(cr);

    double cy = y + pad;
    text_set(r, "Incidents", PT_LEGEND_HEAD, 1, 0, inner_w);
    text_size(r, &w, &h);
    text_draw(r, x + pad, cy, ink(r, 1), 0);
    cy += h + PT(r, 3);
    double size = marker_size(r), rowh = legend_row_h(r);
    char buf[256];
    for (size_t i = 0; i < r->ntypes; i++) {
        const type_count *t = &r->types[i];
        const bm_style_incident *si = bm_style_for_incident(r->style, t->type);
        double mx = x + pad + size / 2 + PT(r, 1), my = cy + rowh / 2;
        cairo_new_path(cr);
        draw_symbol(cr, si ? si->shape : "circle", mx, my, size);
        set_rgba(cr, si ? si->fill : rgba(0.5, 0.5, 0.5, 1));
        cairo_fill_preserve(cr);
        bm_rgba st = r->style->incident_stroke;
        set_rgba(cr, st.a > 0 ? st : rgba(1, 1, 1, 1));
        cairo_set_line_width(cr, PT(r, 1.2));
        cairo_stroke(cr);
        /* outline so a white stroke still shows on the white box */
        cairo_new_path(cr);
        draw_symbol(cr, si ? si->shape : "circle", mx, my, size + PT(r, 1.2));
        cairo_set_source_rgba(cr, 0, 0, 0, 0.35);
        cairo_set_line_width(cr, PT(r, 0.4));
        cairo_stroke(cr);
        double tx = x + pad + size + PT(r, 8), cw, ch;
        snprintf(buf, sizeof buf, "%zu", t->shown);
        text_set(r, buf, PT_LEGEND, 1, 0, 0);
        text_size(r, &cw, &ch);
        text_draw(r, x + li->w - pad - cw, my - ch / 2, ink(r, 1), 0);
        text_set(r, t->type, PT_LEGEND, 0, 0,
                 x + li->w - pad - cw - PT(r, 8) - tx);
        text_size(r, &w, &h);
        text_draw(r, tx, my - h / 2, ink(r, 1), 0);
        cy += rowh;
    }
    if (r->ntypes == 0) {
        text_set(r, "No incidents on this map", PT_LEGEND - 1.5, 0, 1, inner_w);
        text_size(r, &w, &h);
        text_draw(r, x + pad, cy + PT(r, 2), ink(r, 0.75), 0);
        cy += h + PT(r, 2);
    }
    if (r->outside) {
        fmt_count(buf, sizeof buf, r->outside);
        strncat(buf, " outside the map (not shown)", sizeof buf - strlen(buf) - 1);
        text_set(r, buf, PT_LEGEND - 1.5, 0, 1, inner_w);
        text_size(r, &w, &h);
        text_draw(r, x + pad, cy + PT(r, 2), ink(r, 0.75), 0);
    }
    if (li->scale_h > 0) {
        double sy = y + li->h - pad - li->scale_h;
        cairo_move_to(cr, x + pad, sy - PT(r, 2.5));
        cairo_line_to(cr, x + li->w - pad, sy - PT(r, 2.5));
        set_rgba(cr, ink(r, 0.4));
        cairo_set_line_width(cr, PT(r, 0.5));
        cairo_stroke(cr);
        draw_scale_and_north(r, &li->si,
                             rect_make(x + pad, sy, inner_w, li->scale_h));
    }
}

char *bm_render_expand_title(const char *title, const char *lo,
                             const char *hi)
{
    char range[96] = "";
    span_text(lo, hi, range, sizeof range);
    bm_buf b = {0};
    const char *s = title ? title : "";
    for (;;) {
        const char *p = strstr(s, "{date}");
        if (!p) {
            bm_buf_puts(&b, s);
            break;
        }
        size_t keep = (size_t)(p - s);
        if (!range[0])
            while (keep > 0 && s[keep - 1] == ' ')
                keep--;
        bm_buf_append(&b, s, keep);
        bm_buf_puts(&b, range);
        s = p + 6;
    }
    return bm_buf_take(&b);
}

/* "{date}" in a title becomes the span of the incidents' ranges (the
 * earliest start to the latest end); undated incidents (and dates that
 * are not ISO days, months or years: text edited into the database) are
 * left out of it. */
static char *
expand_title(const char *title, const bm_incident *inc, size_t n)
{
    char lo[11] = "", hi[11] = "";
    for (size_t i = 0; i < n; i++) {
        char s[11], e[11];
        if (!bm_incident_range(&inc[i], s, e))
            continue;
        if (s[0] && (!lo[0] || strcmp(s, lo) < 0))
            snprintf(lo, sizeof lo, "%s", s);
        if (!hi[0] || strcmp(e, hi) > 0)
            snprintf(hi, sizeof hi, "%s", e);
    }
    return bm_render_expand_title(title, lo[0] ? lo : NULL,
                                  hi[0] ? hi : NULL);
}

/* The frame corner for a w x h box that hides least: incidents first,
 * then land (the first filled polygon layer, sampled on a grid), in the
 * order lower right, lower left, upper right, upper left on ties. */
static int
choose_corner(renderer *r, bm_layer *const *basemap, double w, double h,
              double m, rect *out)
{
    const rect *f = &r->v.frame;
    const bm_layer *land = NULL;
    double *dev = NULL;
    for (size_t i = 0; basemap && i < r->style->nlayers && !land; i++) {
        if (basemap[i] && basemap[i]->kind == BM_GEOM_POLYGON &&
            r->style->layers[i].has_fill)
            land = basemap[i];
    }
    if (land)
        dev = project_layer(r, land);
    int best = 0;
    double best_score = HUGE_VAL;
    for (int c = 0; c < 4; c++) {
        double x = (c % 2 == 0) ? f->x1 - m - w : f->x0 + m;
        double y = (c < 2) ? f->y1 - m - h : f->y0 + m;
        rect box = rect_make(x, y, w, h);
        double score = 0;
        for (size_t k = 0; k < r->ngroups; k++) {
            rect pt = {r->groups[k].x, r->groups[k].y, r->groups[k].x,
                       r->groups[k].y};
            if (rect_overlaps(&box, &pt, marker_size(r) / 2))
                score += 1000;
        }
        if (dev) {
            enum { S = 6 };
            int in = 0;
            for (int gy = 0; gy < S; gy++)
                for (int gx = 0; gx < S; gx++)
                    in += inside_feature(dev, land, 0, land->nparts,
                                         x + (gx + 0.5) * w / S,
                                         y + (gy + 0.5) * h / S);
            score += 100.0 * in / (S * S);
        }
        if (score < best_score - 1e-9) {
            best_score = score;
            best = c;
            *out = box;
        }
    }
    free(dev);
    return best;
}

/* A readable name for the projection: the CRS name, else the method
 * ("Lambert Conic Conformal (2SP)"), else the string as given. */
static void
projection_note(const renderer *r, char *buf, size_t n)
{
    const char *given = r->style->projection;
    const char *name = NULL;
    PJ *crs = proj_get_target_crs(r->v.pjc, r->v.pj);
    PJ *conv = NULL;
    if (crs) {
        name = proj_get_name(crs);
        if (!name || !*name || strcmp(name, "unknown") == 0) {
            name = NULL;
            conv = proj_crs_get_coordoperation(r->v.pjc, crs);
            const char *method = NULL;
            if (conv && proj_coordoperation_get_method_info(r->v.pjc, conv, &method,
                                                            NULL, NULL) &&
                method && *method)
                name = method;
        }
    }
    char clean[256];
    if (name) {
        /* PROJ names the axis-normalised CRS "... (with axis order
         * normalized for visualization)": the map reader wants the CRS */
        snprintf(clean, sizeof clean, "%s", name);
        char *cut = strstr(clean, " (with axis order");
        if (cut)
            *cut = '\0';
        name = clean;
    }
    if (name && strncasecmp(given, "EPSG:", 5) == 0)
        snprintf(buf, n, "Projection: %s (%s)", name, given);
    else if (name)
        snprintf(buf, n, "Projection: %s", name);
    else
        snprintf(buf, n, "Projection: %s", given);
    if (conv)
        proj_destroy(conv);
    if (crs)
        proj_destroy(crs);
}

/* ---- lines the labels avoid ------------------------------------------------ */

static void
avoid_add_layer(renderer *r, const bm_style_layer *sl, const bm_layer *l)
{
    double *dev = project_layer(r, l);
    if (!dev)
        return;
    const rect *f = &r->v.frame;
    for (size_t i = 0; i < l->nparts; i++) {
        const bm_part *pt = &l->parts[i];
        if (!feature_shown(sl, l, pt->feature))
            continue;
        if (sl->avoid_max_rank >= 0 && l->feature_rank &&
            pt->feature < l->nfeatures &&
            l->feature_rank[pt->feature] > sl->avoid_max_rank)
            continue;
        for (size_t k = 1; k < pt->count; k++) {
            const double *a = &dev[2 * (pt->first + k - 1)];
            const double *b = &dev[2 * (pt->first + k)];
            if (!isfinite(a[0]) || !isfinite(b[0]))
                continue;
            rect seg = {a[0], a[1], b[0], b[1]};
            rect bb = {fmin(a[0], b[0]), fmin(a[1], b[1]), fmax(a[0], b[0]),
                       fmax(a[1], b[1])};
            if (!rect_overlaps(&bb, f, 2))
                continue;
            rect *p = bm_grow(r->avoid, &r->capavoid, r->navoid + 1, sizeof *p);
            if (!p) {
                r->nomem = 1;
                free(dev);
                return;
            }
            r->avoid = p;
            r->avoid[r->navoid] = seg;
            if (sindex_add(&r->avoid_ix, &bb, r->navoid) != 0)
                r->nomem = 1;
            r->navoid++;
        }
    }
    free(dev);
}

/* ---- side list, inset, banners ---------------------------------------------- */

static bm_rgba
ink(const renderer *r, double fade)
{
    bm_rgba c = r->style->ink;
    if (c.a <= 0)
        c = rgba(0.07, 0.07, 0.07, 1);
    c.a *= fade;
    return c;
}

/* Height the side list wants for n lines at width w. */
static double
side_list_line_h(renderer *r)
{
    double w, h;
    text_set(r, "0", PT_LEGEND - 1.5, 0, 0, 0);
    text_size(r, &w, &h);
    return h * 1.05;
}

/* The numbered list of incident labels that did not fit on the map, in
 * box; as many lines as fit, then a line saying how many more. */
static void
draw_side_list(renderer *r, rect box)
{
    if (r->nlisted == 0 || box.y1 - box.y0 < PT(r, 30))
        return;
    cairo_t *cr = r->cr;
    double pad = PT(r, 6), w, h;
    cairo_rectangle(cr, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    set_rgba(cr, r->style->panel);
    cairo_fill_preserve(cr);
    set_rgba(cr, ink(r, 0.6));
    cairo_set_line_width(cr, PT(r, 0.6));
    cairo_stroke(cr);
    double y = box.y0 + pad, inner = box.x1 - box.x0 - 2 * pad;
    text_set(r, "Labels not placed on the map", PT_LEGEND, 1, 0, inner);
    text_size(r, &w, &h);
    text_draw(r, box.x0 + pad, y, ink(r, 1), 0);
    y += h + PT(r, 2);
    double lh = side_list_line_h(r);
    char buf[128];
    size_t fit = 0;
    double numw = PT(r, 22);
    for (size_t i = 0; i < r->nlisted; i++) {
        /* each entry wraps onto at most two lines; room is kept for the
         * "... more" line unless this is the last entry */
        text_set(r, r->listed[i], PT_LEGEND - 1.5, 0, 0, inner - numw);
        pango_layout_set_wrap(r->layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_height(r->layout, -2);
        double ew, eh;
        text_size(r, &ew, &eh);
        double need = eh + (i + 1 < r->nlisted ? lh : 0);
        if (y + need > box.y1 - pad) {
            pango_layout_set_height(r->layout, -1);
            break;
        }
        text_draw(r, box.x0 + pad + numw, y, ink(r, 0.95), 0);
        pango_layout_set_height(r->layout, -1);
        snprintf(buf, sizeof buf, "%zu", i + 1);
        text_set(r, buf, PT_LEGEND - 1.5, 1, 0, 0);
        double nw, nh;
        text_size(r, &nw, &nh);
        text_draw(r, box.x0 + pad + numw - PT(r, 4) - nw, y,
                  alert(r), 0);
        y += eh + lh * 0.15;
        fit++;
    }
    r->list_fit = fit;
    if (fit < r->nlisted) {
        snprintf(buf, sizeof buf, "… and %zu more unlabelled places",
                 r->nlisted - fit);
        text_set(r, buf, PT_LEGEND - 1.5, 0, 1, inner);
        text_draw(r, box.x0 + pad, y, ink(r, 0.7), 0);
    }
}

/* The side list's numbers at their symbols, for the lines it holds
 * (list_fit), inside the map frame. */
static void
draw_list_numbers(renderer *r, double fs)
{
    const rect *f = &r->v.frame;
    cairo_t *cr = r->cr;
    cairo_save(cr);
    cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
    cairo_clip(cr);
    char nb[32];
    for (size_t i = 0; i < r->nnumbers; i++) {
        if (r->numbers[i].num > r->list_fit)
            continue;
        snprintf(nb, sizeof nb, "%zu", r->numbers[i].num);
        text_set(r, nb, fs, 1, 0, 0);
        text_draw(r, r->numbers[i].box.x0, r->numbers[i].box.y0, alert(r), 1);
        r->numbers_shown++;
        if (r->numbers[i].num > r->max_number)
            r->max_number = r->numbers[i].num;
    }
    cairo_restore(cr);
}

/* Inset locator: the inset layers drawn in the map's projection over a
 * wider box, the map frame outlined in red. */
static void
draw_inset(renderer *r, rect box)
{
    const bm_render_opts *o = r->opts;
    if (!o || !o->inset || o->ninset == 0)
        return;
    cairo_t *cr = r->cr;
    /* area shown: the inset layers' reach */
    double a = HUGE_VAL, b = HUGE_VAL, c = -HUGE_VAL, d = -HUGE_VAL;
    for (size_t i = 0; i < o->ninset; i++) {
        const bm_layer *l = o->inset[i];
        for (size_t k = 0; l && k < l->nvert; k++) {
            a = fmin(a, l->xy[2 * k]);
            c = fmax(c, l->xy[2 * k]);
            b = fmin(b, l->xy[2 * k + 1]);
            d = fmax(d, l->xy[2 * k + 1]);
        }
    }
    if (o->inset_area[0] < o->inset_area[2] &&
        o->inset_area[1] < o->inset_area[3]) {
        a = o->inset_area[0];
        b = o->inset_area[1];
        c = o->inset_area[2];
        d = o->inset_area[3];
    }
    if (!(a < c) || !(b < d))
        return;
    /* projected bbox of that area */
    double X0 = HUGE_VAL, Y0 = HUGE_VAL, X1 = -HUGE_VAL, Y1 = -HUGE_VAL;
    for (int i = 0; i <= 16; i++)
        for (int j = 0; j <= 16; j++) {
            double X, Y;
            if (view_fwd(&r->v, a + (c - a) * i / 16, b + (d - b) * j / 16, &X, &Y) == 0) {
                X0 = fmin(X0, X);
                X1 = fmax(X1, X);
                Y0 = fmin(Y0, Y);
                Y1 = fmax(Y1, Y);
            }
        }
    if (!(X0 < X1) || !(Y0 < Y1))
        return;
    double bw = box.x1 - box.x0, bh = box.y1 - box.y0;
    double sc = fmin(bw / (X1 - X0), bh / (Y1 - Y0));
    double ox = box.x0 + (bw - (X1 - X0) * sc) / 2;
    double oy = box.y0 + (bh - (Y1 - Y0) * sc) / 2;
    rect ib = rect_make(ox, oy, (X1 - X0) * sc, (Y1 - Y0) * sc);
    cairo_save(cr);
    cairo_rectangle(cr, ib.x0, ib.y0, ib.x1 - ib.x0, ib.y1 - ib.y0);
    set_rgba(cr, r->style->background.a > 0 ? r->style->background
                                            : rgba(0.82, 0.89, 0.95, 1));
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t i = 0; i < o->ninset; i++) {
        const bm_layer *l = o->inset[i];
        if (!l)
            continue;
        cairo_new_path(cr);
        for (size_t p = 0; p < l->nparts; p++) {
            const bm_part *pt = &l->parts[p];
            int started = 0;
            for (size_t k = 0; k < pt->count; k++) {
                double X, Y;
                const double *v = &l->xy[2 * (pt->first + k)];
                if (view_fwd(&r->v, v[0], v[1], &X, &Y) != 0)
                    continue;
                double x = ox + (X - X0) * sc, y = oy + (Y1 - Y) * sc;
                if (!started)
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
                started = 1;
            }
            if (l->kind == BM_GEOM_POLYGON && started)
                cairo_close_path(cr);
        }
        if (l->kind == BM_GEOM_POLYGON) {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            set_rgba(cr, r->style->land_inset);
            cairo_fill(cr);
        } else {
            set_rgba(cr, ink(r, 0.55));
            cairo_set_line_width(cr, PT(r, 0.5));
            cairo_stroke(cr);
        }
    }
    /* the map frame */
    const rect *f = &r->v.frame;
    double fx0 = ox + (r->v.px0 - X0) * sc, fx1 = ox + (r->v.px0 + (f->x1 - f->x0) / r->v.s - X0) * sc;
    double fy0 = oy + (Y1 - r->v.py1) * sc, fy1 = oy + (Y1 - (r->v.py1 - (f->y1 - f->y0) / r->v.s)) * sc;
    cairo_rectangle(cr, fx0, fy0, fx1 - fx0, fy1 - fy0);
    cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.18);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 1);
    cairo_set_line_width(cr, PT(r, 1.2));
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_rectangle(cr, ib.x0, ib.y0, ib.x1 - ib.x0, ib.y1 - ib.y0);
    set_rgba(cr, ink(r, 0.8));
    cairo_set_line_width(cr, PT(r, 0.6));
    cairo_stroke(cr);
    double w, h;
    text_set(r, "Locator", PT_SCALE - 0.5, 0, 1, 0);
    text_size(r, &w, &h);
    text_draw(r, ib.x0 + PT(r, 2), ib.y1 - h - PT(r, 1), ink(r, 0.8), 1);
}

static void
draw_banners(renderer *r)
{
    const char *cls = r->opts && r->opts->classification
                          ? r->opts->classification
                          : r->style->classification;
    if (!cls || !*cls || r->v.band_h <= 0)
        return;
    cairo_t *cr = r->cr;
    double bh = r->v.band_h, w, h;
    for (int i = 0; i < 2; i++) {
        double y = i == 0 ? 0 : r->v.page_h - bh;
        cairo_rectangle(cr, 0, y, r->v.page_w, bh);
        set_rgba(cr, r->style->class_bg);
        cairo_fill(cr);
        text_set(r, cls, PT_CLASS, 1, 0, r->v.page_w * 0.9);
        text_size(r, &w, &h);
        text_draw(r, (r->v.page_w - w) / 2, y + (bh - h) / 2,
                  r->style->class_fg, 0);
    }
}

/* ---- heatmap ------------------------------------------------------------------ */

static bm_rgba
heat_color(const bm_style *s, double t)
{
    bm_rgba a = s->heat_low, b = s->heat_mid, c = s->heat_high, o;
    double u;
    if (t < 0.5) {
        u = t * 2;
        o.r = a.r + (b.r - a.r) * u; o.g = a.g + (b.g - a.g) * u;
        o.b = a.b + (b.b - a.b) * u; o.a = a.a + (b.a - a.a) * u;
    } else {
        u = (t - 0.5) * 2;
        o.r = b.r + (c.r - b.r) * u; o.g = b.g + (c.g - b.g) * u;
        o.b = b.b + (c.b - b.b) * u; o.a = b.a + (c.a - b.a) * u;
    }
    return o;
}

static void
blur_1d(const float *in, float *out, int n, int stride, const float *k,
        int rad)
{
    for (int i = 0; i < n; i++) {
        float acc = 0;
        int j0 = i - rad < 0 ? -i : -rad, j1 = i + rad >= n ? n - 1 - i : rad;
        for (int j = j0; j <= j1; j++)
            acc += in[(size_t)(i + j) * (size_t)stride] * k[j + rad];
        out[(size_t)i * (size_t)stride] = acc;
    }
}

/* Kernel density: incidents binned on a grid over the frame (projected in
 * batches), blurred with a Gaussian of sigma = bandwidth (separable), shown
 * as a colour ramp scaled to the peak. Sets *peak_per_100km2. */
static bm_status
draw_heatmap(renderer *r, const bm_incident *inc, const double *pts, size_t n,
             double dev_per_km, double *peak_per_100km2)
{
    const rect *f = &r->v.frame;
    double fw = f->x1 - f->x0, fh = f->y1 - f->y0;
    double bw_dev = r->opts->heat_km * dev_per_km;
    double cs = fmax(fmax(bw_dev / 3, fw / 900), 1.0);
    int nx = (int)ceil(fw / cs), ny = (int)ceil(fh / cs);
    float *g = calloc((size_t)nx * ny, sizeof *g);
    float *t = calloc((size_t)nx * ny, sizeof *t);
    PJ_COORD *buf = malloc(4096 * sizeof *buf);
    if (!g || !t || !buf) {
        free(g);
        free(t);
        free(buf);
        return BM_ERR_NOMEM;
    }
    for (size_t i0 = 0; i0 < n; i0 += 4096) {
        size_t m = n - i0 < 4096 ? n - i0 : 4096;
        for (size_t k = 0; k < m; k++)
            buf[k] = pts ? proj_coord(pts[2 * (i0 + k)], pts[2 * (i0 + k) + 1],
                                      0, 0)
                         : proj_coord(inc[i0 + k].lon, inc[i0 + k].lat, 0, 0);
        proj_trans_array(r->v.pj, PJ_FWD, m, buf);
        for (size_t k = 0; k < m; k++) {
            double x, y;
            double lon = pts ? pts[2 * (i0 + k)] : inc[i0 + k].lon;
            if (!isfinite(buf[k].xy.x) || !isfinite(buf[k].xy.y) ||
                !isfinite(lon)) {
                r->outside++;
                continue;
            }
            view_to_dev(&r->v, buf[k].xy.x, buf[k].xy.y, &x, &y);
            int cx = (int)floor((x - f->x0) / cs), cy = (int)floor((y - f->y0) / cs);
            if (cx < 0 || cy < 0 || cx >= nx || cy >= ny) {
                r->outside++;
                continue;
            }
            g[(size_t)cy * nx + cx] += 1;
            r->shown++;
        }
    }
    free(buf);
    double sigma = fmax(bw_dev / cs, 0.5);
    int rad = (int)ceil(3 * sigma);
    float *k = malloc((size_t)(2 * rad + 1) * sizeof *k);
    if (!k) {
        free(g);
        free(t);
        return BM_ERR_NOMEM;
    }
    double sum = 0;
    for (int i = -rad; i <= rad; i++)
        sum += k[i + rad] = (float)exp(-0.5 * i * i / (sigma * sigma));
    for (int i = 0; i <= 2 * rad; i++)
        k[i] = (float)(k[i] / sum);
    for (int y = 0; y < ny; y++)
        blur_1d(g + (size_t)y * nx, t + (size_t)y * nx, nx, 1, k, rad);
    for (int x = 0; x < nx; x++)
        blur_1d(t + x, g + x, ny, nx, k, rad);
    free(t);
    free(k);
    float peak = 0;
    for (size_t i = 0; i < (size_t)nx * ny; i++)
        peak = fmaxf(peak, g[i]);
    double cell_km = cs / dev_per_km;
    *peak_per_100km2 = peak / (cell_km * cell_km) * 100;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, nx, ny);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        free(g);
        return BM_ERR_NOMEM;
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int y = 0; y < ny; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * stride);
        for (int x = 0; x < nx; x++) {
            double v = peak > 0 ? g[(size_t)y * nx + x] / peak : 0;
            if (v < 0.02) {
                row[x] = 0;
                continue;
            }
            bm_rgba c = heat_color(r->style, v);
            unsigned A = (unsigned)lround(c.a * 255);
            row[x] = A << 24 | (unsigned)lround(c.r * A) << 16 |
                     (unsigned)lround(c.g * A) << 8 | (unsigned)lround(c.b * A);
        }
    }
    cairo_surface_mark_dirty(img);
    free(g);
    cairo_t *cr = r->cr;
    cairo_save(cr);
    cairo_translate(cr, f->x0, f->y0);
    cairo_scale(cr, cs, cs);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
    cairo_rectangle(cr, 0, 0, fw / cs, fh / cs);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return BM_OK;
}

/* Heatmap legend: the ramp, 0 .. peak incidents per 100 km². */
static double
draw_heat_legend(renderer *r, double x, double y, double w, double peak)
{
    cairo_t *cr = r->cr;
    double tw, th, pad = PT(r, 7);
    char buf[160];
    cairo_rectangle(cr, x, y, w, PT(r, 64));
    set_rgba(cr, r->style->panel);
    cairo_fill_preserve(cr);
    set_rgba(cr, ink(r, 0.6));
    cairo_set_line_width(cr, PT(r, 0.6));
    cairo_stroke(cr);
    snprintf(buf, sizeof buf, "Density (%g km kernel)", r->opts->heat_km);
    text_set(r, buf, PT_LEGEND_HEAD - 1, 1, 0, w - 2 * pad);
    text_size(r, &tw, &th);
    text_draw(r, x + pad, y + pad, ink(r, 1), 0);
    double ry = y + pad + th + PT(r, 4), rw = w - 2 * pad, rh = PT(r, 10);
    cairo_pattern_t *pat = cairo_pattern_create_linear(x + pad, 0, x + pad + rw, 0);
    for (int i = 0; i <= 10; i++) {
        bm_rgba c = heat_color(r->style, fmax(0.02, i / 10.0));
        cairo_pattern_add_color_stop_rgba(pat, i / 10.0, c.r, c.g, c.b, c.a);
    }
    cairo_rectangle(cr, x + pad, ry, rw, rh);
    cairo_set_source(cr, pat);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(pat);
    set_rgba(cr, ink(r, 0.6));
    cairo_stroke(cr);
    text_set(r, "0", PT_SCALE, 0, 0, 0);
    text_size(r, &tw, &th);
    text_draw(r, x + pad, ry + rh + PT(r, 1), ink(r, 1), 0);
    if (peak >= 1000) {
        /* whole numbers with thousands separators, never 7.46e+03 */
        char num[32];
        fmt_count(num, sizeof num, (size_t)llround(peak));
        snprintf(buf, sizeof buf, "%s per 100 km²", num);
    } else {
        snprintf(buf, sizeof buf, "%.3g per 100 km²", peak);
    }
    text_set(r, buf, PT_SCALE, 0, 0, 0);
    text_size(r, &tw, &th);
    text_draw(r, x + pad + rw - tw, ry + rh + PT(r, 1), ink(r, 1), 0);
    char num[32];
    fmt_count(num, sizeof num, r->shown);
    snprintf(buf, sizeof buf, "%s incident%s", num, r->shown == 1 ? "" : "s");
    text_set(r, buf, PT_SCALE, 0, 1, 0);
    text_draw(r, x + pad, ry + rh + th + PT(r, 2), ink(r, 0.8), 0);
    return PT(r, 64);
}

/* ---- the whole map --------------------------------------------------------- */

/* Header (title, subtitle) and footer (credits, projection). */
static void
draw_margins(renderer *r)
{
    const view *v = &r->v;
    const bm_style *s = r->style;
    double mg = PT(r, PT_MARGIN), tw, th;
    text_set(r, r->title, PT_TITLE, 1, 0, v->page_w - 2 * mg);
    text_size(r, &tw, &th);
    text_draw(r, mg, v->header_y, ink(r, 1), 0);
    if (r->opts && r->opts->subtitle && *r->opts->subtitle) {
        /* "{count}" is the number of incidents on the map, "{s}" the
         * plural s that goes with it */
        bm_buf b = {0};
        char num[32];
        fmt_count(num, sizeof num, r->shown);
        for (const char *p = r->opts->subtitle; *p;) {
            if (strncmp(p, "{count}", 7) == 0) {
                bm_buf_puts(&b, num);
                p += 7;
            } else if (strncmp(p, "{s}", 3) == 0) {
                bm_buf_puts(&b, r->shown == 1 ? "" : "s");
                p += 3;
            } else {
                bm_buf_append(&b, p, 1);
                p++;
            }
        }
        double y = v->header_y + th;
        text_set(r, b.data ? b.data : "", PT_SUBTITLE, 0, 0, v->page_w - 2 * mg);
        text_draw(r, mg, y, ink(r, 0.75), 0);
        bm_buf_free(&b);
    }
    char proj[512];
    projection_note(r, proj, sizeof proj);
    text_set(r, proj, PT_ATTRIB, 0, 0, (v->page_w - 2 * mg) * 0.3);
    text_size(r, &tw, &th);
    double projw = tw;
    text_draw(r, v->page_w - mg - tw, v->footer_y, ink(r, 0.7), 0);
    if (s->attribution && *s->attribution) {
        text_set(r, s->attribution, PT_ATTRIB, 0, 0,
                 v->page_w - 2 * mg - projw - PT(r, 16));
        pango_layout_set_wrap(r->layout, PANGO_WRAP_WORD);
        pango_layout_set_height(r->layout, -2); /* at most two lines */
        text_draw(r, mg, v->footer_y, ink(r, 0.7), 0);
        pango_layout_set_height(r->layout, -1);
    }
}

/* Basemap layers, clipped to the frame (caller clips), and the lines the
 * incident labels avoid. */
static void
draw_basemap(renderer *r, bm_layer *const *basemap)
{
    const bm_style *s = r->style;
    set_rgba(r->cr, s->background.a > 0 ? s->background : rgba(0.82, 0.89, 0.95, 1));
    cairo_paint(r->cr);
    for (size_t i = 0; i < s->nlayers; i++) {
        const bm_layer *l = basemap ? basemap[i] : NULL;
        if (!l)
            continue;
        draw_layer(r, &s->layers[i], l);
        if (s->layers[i].avoid && l->kind != BM_GEOM_POINT)
            avoid_add_layer(r, &s->layers[i], l);
    }
}

static bm_status
draw_map(renderer *r, bm_layer *const *basemap, const bm_incident *inc,
         size_t ninc)
{
    cairo_t *cr = r->cr;
    const view *v = &r->v;
    const rect *f = &v->frame;
    int heat = r->opts && r->opts->heat_km > 0;

    if (!heat) {
        if (collect_incidents(r, inc, ninc) != BM_OK)
            return BM_ERR_NOMEM;
        if (r->ntypes > 1)
            qsort(r->types, r->ntypes, sizeof *r->types, type_count_cmp);
    }

    /* paper */
    set_rgba(cr, r->style->paper);
    cairo_paint(cr);

    /* map body, clipped to the frame */
    cairo_save(cr);
    cairo_rectangle(cr, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0);
    cairo_clip(cr);
    draw_basemap(r, basemap);
    grat g;
    graticule_setup(r, &g);
    draw_graticule_lines(r, &g);

    scale_info si;
    scale_compute(r, &si);
    double peak = 0;
    if (heat) {
        if (si.dev_per_km <= 0 ||
            draw_heatmap(r, r->opts->points ? NULL : inc, r->opts->points,
                         r->opts->points ? r->opts->npoints : ninc,
                         si.dev_per_km, &peak) != BM_OK) {
            cairo_restore(cr);
            return BM_ERR_NOMEM;
        }
    } else {
        draw_incident_markers(r, inc);
    }

    /* furniture inside the frame: legend (unless in a side panel) and the
     * scale bar; corners chosen where they hide the fewest incidents */
    legend_info li;
    memset(&li, 0, sizeof li);
    double fw = f->x1 - f->x0, fh = f->y1 - f->y0;
    double m = PT(r, 8);
    legend_measure(r, &li, v->side_panel ? v->panel.x1 - v->panel.x0 : fw * 0.45);
    if (v->side_panel)
        li.w = v->panel.x1 - v->panel.x0;
    int leg_corner = -1, leg_below = 0;
    rect leg_box = {0, 0, 0, 0};
    if (!v->side_panel && v->panel.y1 - v->panel.y0 >= li.h) {
        leg_below = 1; /* a page taller than the map: legend under it */
    } else if (!v->side_panel) {
        leg_corner = choose_corner(r, basemap, li.w, li.h, m, &leg_box);
        place_rect(r, leg_box);
    }
    /* without a side panel the inset takes the top-left corner when free */
    rect inset_box = {0, 0, 0, 0};
    int inset_in_frame = 0;
    if (!v->side_panel && r->opts && r->opts->ninset) {
        double iw = fmin(PT(r, 120), fw * 0.22);
        inset_box = rect_make(f->x0 + m, f->y0 + m, iw, iw * 0.8);
        if (!collides(r, &inset_box, 0) && leg_corner != 3) {
            inset_in_frame = 1;
            place_rect(r, inset_box);
        }
    }

    /* labels: incidents first (never dropped), then names */
    if (!heat)
        place_incident_labels(r, inc);
    place_polygon_labels(r, basemap);
    place_town_labels(r, basemap, BIG_TOWN_RANK, 0);
    place_line_labels(r, basemap);
    place_town_labels(r, basemap, BIG_TOWN_RANK, 1);

    if (leg_corner >= 0)
        draw_legend(r, &li, leg_box.x0, leg_box.y0);
    if (inset_in_frame)
        draw_inset(r, inset_box);
    cairo_restore(cr); /* frame clip */

    /* neat line */
    cairo_rectangle(cr, f->x0, f->y0, fw, fh);
    set_rgba(cr, ink(r, 1));
    cairo_set_line_width(cr, PT(r, 1.2));
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);
    draw_graticule_labels(r, &g);

    double gap = PT(r, 8);
    if (v->side_panel) {
        double y = v->panel.y0, pw = v->panel.x1 - v->panel.x0;
        if (heat) {
            y += draw_heat_legend(r, v->panel.x0, y, pw, peak) + gap;
            legend_info hl;
            memset(&hl, 0, sizeof hl);
            hl.si = si;
            scale_box_size(r, &si, &hl.scale_w, &hl.scale_h);
            cairo_rectangle(cr, v->panel.x0, y, pw, hl.scale_h + PT(r, 10));
            set_rgba(cr, r->style->panel);
            cairo_fill(cr);
            draw_scale_and_north(r, &si, rect_make(v->panel.x0 + PT(r, 7), y + PT(r, 5),
                                                   pw - PT(r, 14), hl.scale_h));
            y += hl.scale_h + PT(r, 10) + gap;
        } else {
            draw_legend(r, &li, v->panel.x0, y);
            y += li.h + gap;
        }
        double ih = fmin(pw * 0.85, (v->panel.y1 - y) * 0.5);
        if (r->opts && r->opts->ninset && ih > PT(r, 50)) {
            draw_inset(r, rect_make(v->panel.x0, y, pw, ih));
            y += ih + gap;
        }
        if (r->nlisted) {
            double lh = side_list_line_h(r);
            double want = PT(r, 6) * 2 + PT(r, PT_LEGEND) * 1.5 +
                          lh * 2.2 * (double)(r->nlisted + 1);
            draw_side_list(r, rect_make(v->panel.x0, y, pw,
                                        fmin(want, v->panel.y1 - y)));
        }
    } else {
        if (leg_below)
            draw_legend(r, &li, v->panel.x0, v->panel.y0);
        if (r->nlisted) {
            double lh = side_list_line_h(r);
            double want = PT(r, 6) * 2 + PT(r, PT_LEGEND) * 1.5 +
                          lh * (double)(r->nlisted + 1);
            double bw = fmin(PT(r, 220), fw * 0.4);
            double bh = fmin(want, fh * 0.4);
            draw_side_list(r, rect_make(f->x0 + m, f->y1 - m - bh, bw, bh));
        }
    }
    if (r->nnumbers)
        draw_list_numbers(r, r->style->incident_label_size > 0
                                 ? r->style->incident_label_size
                                 : 9.5);

    draw_margins(r);
    draw_banners(r);
    r->scale = si;
    return r->nomem ? BM_ERR_NOMEM : BM_OK;
}

static void
fill_result(renderer *r, bm_render_result *res)
{
    bm_render_result_clear(res);
    res->page_w = r->v.page_w;
    res->page_h = r->v.page_h;
    res->shown = r->shown;
    res->outside = r->outside;
    res->groups = r->ngroups;
    res->labels_placed = r->labels_placed;
    res->labels_listed = r->list_fit;
    res->labels_unlisted = r->nlisted - r->list_fit;
    res->numbers_shown = r->numbers_shown;
    res->max_number = r->max_number;
    res->scale_km = r->scale.km;
    res->scale_len = r->scale.km * r->scale.dev_per_km;
    res->scale_lat = r->scale.lat;
    res->scale_lon = r->scale.lon;
    if (r->nlabels) {
        res->boxes = malloc(r->nlabels * 4 * sizeof *res->boxes);
        if (res->boxes) {
            for (size_t i = 0; i < r->nlabels; i++) {
                res->boxes[4 * i] = r->labels[i].x0;
                res->boxes[4 * i + 1] = r->labels[i].y0;
                res->boxes[4 * i + 2] = r->labels[i].x1;
                res->boxes[4 * i + 3] = r->labels[i].y1;
            }
            res->nboxes = r->nlabels;
        }
    }
}

void
bm_render_result_clear(bm_render_result *res)
{
    if (!res)
        return;
    free(res->boxes);
    memset(res, 0, sizeof *res);
}

/* ---- small multiples ----------------------------------------------------------- */

/* One panel per opts->panel_names entry on a grid, every panel the same
 * extent at the same scale; markers only (labels would not fit), panel
 * name and count in its corner; legend, scale bar and inset beside. */
static bm_status
draw_multiples(renderer *r, bm_layer *const *basemap, const bm_incident *inc,
               size_t ninc)
{
    cairo_t *cr = r->cr;
    const bm_render_opts *o = r->opts;
    view full = r->v;
    rect area = full.frame;
    size_t np = o->npanels;
    /* the grid whose cells are largest at the map's aspect */
    double aspect = (full.ex1 - full.ex0) / (full.ey1 - full.ey0);
    double gap = PT(r, 8), best = 0;
    int cols = 1, rows = 1;
    for (int c = 1; c <= (int)np; c++) {
        int rr = (int)((np + (size_t)c - 1) / (size_t)c);
        double cw = ((area.x1 - area.x0) - gap * (c - 1)) / c;
        double ch = ((area.y1 - area.y0) - gap * (rr - 1)) / rr;
        double w = fmin(cw, ch * aspect);
        if (w > best) {
            best = w;
            cols = c;
            rows = rr;
        }
    }
    double cw = ((area.x1 - area.x0) - gap * (cols - 1)) / cols;
    double ch = ((area.y1 - area.y0) - gap * (rows - 1)) / rows;
    double pw = fmin(cw, ch * aspect), ph = pw / aspect;
    /* centre the grid in the area */
    area.x0 += ((area.x1 - area.x0) - (pw * cols + gap * (cols - 1))) / 2;
    cw = pw;
    ch = ph;
    r->marker_scale = fmax(0.5, fmin(1.0, sqrt(pw / (full.frame.x1 - full.frame.x0))));

    set_rgba(cr, r->style->paper);
    cairo_paint(cr);

    /* shared types for the legend: every incident in some panel */
    r->types = calloc(ninc ? ninc : 1, sizeof *r->types);
    bm_incident *sub = malloc((ninc ? ninc : 1) * sizeof *sub);
    if (!r->types || !sub) {
        free(sub);
        return BM_ERR_NOMEM;
    }
    size_t tot_shown = 0, tot_out = 0;
    type_count *all = r->types;
    size_t nall = 0;
    for (size_t p = 0; p < np; p++) {
        int col = (int)(p % (size_t)cols), row = (int)(p / (size_t)cols);
        rect cell = rect_make(area.x0 + col * (cw + gap), area.y0 + row * (ch + gap), pw, ph);
        r->v.frame = cell;
        r->v.px0 = full.ex0;
        r->v.px1 = full.ex1;
        r->v.py0 = full.ey0;
        r->v.py1 = full.ey1;
        r->v.s = pw / (full.ex1 - full.ex0);
        size_t ns = 0;
        for (size_t i = 0; i < ninc; i++)
            if (o->panel_of && o->panel_of[i] == p)
                sub[ns++] = inc[i];
        /* per panel incidents (collect_incidents allocates the panel's
         * groups and types; groups_free below releases them) */
        r->types = NULL;
        r->ntypes = 0;
        r->shown = r->outside = 0;
        if (collect_incidents(r, sub, ns) != BM_OK) {
            free(sub);
            groups_free(r);
            r->types = all;
            return BM_ERR_NOMEM;
        }
        cairo_save(cr);
        cairo_rectangle(cr, cell.x0, cell.y0, pw, ph);
        cairo_clip(cr);
        draw_basemap(r, basemap);
        draw_incident_markers(r, sub);
        char buf[128];
        snprintf(buf, sizeof buf, "%s · %zu", o->panel_names[p], r->shown);
        text_set(r, buf, PT_LEGEND_HEAD, 1, 0, pw * 0.9);
        double tw, th;
        text_size(r, &tw, &th);
        cairo_rectangle(cr, cell.x0, cell.y0, tw + PT(r, 8), th + PT(r, 4));
        set_rgba(cr, r->style->panel);
        cairo_fill(cr);
        text_draw(r, cell.x0 + PT(r, 4), cell.y0 + PT(r, 2), ink(r, 1), 0);
        cairo_restore(cr);
        cairo_rectangle(cr, cell.x0, cell.y0, pw, ph);
        set_rgba(cr, ink(r, 1));
        cairo_set_line_width(cr, PT(r, 0.8));
        cairo_stroke(cr);
        /* merge the panel's types into the shared list */
        for (size_t k = 0; k < r->ntypes; k++) {
            size_t j;
            for (j = 0; j < nall; j++)
                if (strcmp(all[j].type, r->types[k].type) == 0)
                    break;
            if (j == nall) {
                all[j].type = r->types[k].type;
                all[j].first = j;
                nall++;
            }
            all[j].shown += r->types[k].shown;
        }
        tot_shown += r->shown;
        tot_out += r->outside;
        groups_free(r); /* frees r->types (the panel's) too */
    }
    free(sub);
    r->types = all;
    r->ntypes = nall;
    r->shown = tot_shown;
    r->outside = tot_out;
    if (nall > 1)
        qsort(r->types, nall, sizeof *r->types, type_count_cmp);
    /* the first panel's view for the scale bar: all panels share it */
    r->v.frame = rect_make(area.x0, area.y0, pw, ph);
    legend_info li;
    memset(&li, 0, sizeof li);
    double panel_w = full.side_panel ? full.panel.x1 - full.panel.x0 : PT(r, 170);
    legend_measure(r, &li, panel_w);
    if (full.side_panel)
        li.w = panel_w;
    double lx = full.side_panel ? full.panel.x0 : area.x1 - li.w;
    double ly = full.side_panel ? full.panel.y0 : area.y1 - li.h;
    draw_legend(r, &li, lx, ly);
    if (full.side_panel && o->ninset) {
        double ih = panel_w * 0.85;
        if (ly + li.h + gap + ih <= full.panel.y1)
            draw_inset(r, rect_make(lx, ly + li.h + gap, panel_w, ih));
    }
    r->scale = li.si;
    r->v = full;
    draw_margins(r);
    draw_banners(r);
    return r->nomem ? BM_ERR_NOMEM : BM_OK;
}

/* ---- output ---------------------------------------------------------------- */

static cairo_status_t
write_cb(void *closure, const unsigned char *data, unsigned int length)
{
    FILE *fp = closure;
    return fwrite(data, 1, length, fp) == length ? CAIRO_STATUS_SUCCESS
                                                 : CAIRO_STATUS_WRITE_ERROR;
}

/* SVG: the document is kept in memory, so that the text layer can go in
 * before its closing tag. */
static cairo_status_t
write_buf_cb(void *closure, const unsigned char *data, unsigned int length)
{
    return bm_buf_append(closure, (const char *)data, length) == BM_OK
               ? CAIRO_STATUS_SUCCESS
               : CAIRO_STATUS_NO_MEMORY;
}

/* Writes cairo's SVG document with the collected <text> elements as the
 * top group, just before </svg>. */
static cairo_status_t
svg_write(FILE *fp, const bm_buf *doc, const bm_buf *texts)
{
    const char *end = NULL;
    for (const char *p = doc->data; p && (p = strstr(p, "</svg>")) != NULL;
         p++)
        end = p;
    if (!end)
        return CAIRO_STATUS_WRITE_ERROR;
    size_t head = (size_t)(end - doc->data);
    static const char open_g[] = "<g id=\"bordermap-text\">\n";
    if (fwrite(doc->data, 1, head, fp) != head ||
        fputs(open_g, fp) == EOF ||
        (texts->len && fwrite(texts->data, 1, texts->len, fp) != texts->len) ||
        fputs("</g>\n", fp) == EOF ||
        fputs(end, fp) == EOF)
        return CAIRO_STATUS_WRITE_ERROR;
    return CAIRO_STATUS_SUCCESS;
}

bm_status
bm_render_map(bm_ctx *ctx, const bm_style *style, bm_layer *const *basemap,
              const bm_incident *incidents, size_t nincidents,
              const bm_render_opts *opts, const char *path)
{
    if (!path || !*path)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "render: no output path");
    if (nincidents && !incidents)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "render: incidents missing");
    int fmt = bm_render_format_for_path(path);
    if (fmt < 0)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "%s: unknown image format (use .png, .pdf or .svg)",
                           path);

    bm_render_opts o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    o.format = fmt;
    opts = &o;
    renderer r;
    memset(&r, 0, sizeof r);
    bm_buf svgdoc = {0};
    r.ctx = ctx;
    r.style = style;
    r.opts = opts;
    r.vector = fmt != BM_RENDER_PNG;
    bm_status st = view_init(ctx, style, opts, &r.v);
    if (st != BM_OK)
        return st;

    /* temp file beside the target */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        view_free(&r.v);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        view_free(&r.v);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot write: %s", path,
                           strerror(e));
    }
    (void)fchmod(fd, bm_ctx_file_mode(ctx));
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        view_free(&r.v);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot write: %s", path,
                           strerror(e));
    }

    const char *title0 = opts && opts->title ? opts->title
                         : style->title          ? style->title
                                                 : "North Korea border incidents";
    r.title = expand_title(title0, incidents, nincidents);
    double W = r.v.page_w, H = r.v.page_h;
    cairo_surface_t *surf;
    if (fmt == BM_RENDER_PNG) {
        surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H);
    } else if (fmt == BM_RENDER_PDF) {
        surf = cairo_pdf_surface_create_for_stream(write_cb, fp, W, H);
        if (cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS) {
            if (r.title)
                cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, r.title);
            cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR,
                                           "bordermap " BM_VERSION);
        }
    } else {
        r.svg_text = 1;
        surf = cairo_svg_surface_create_for_stream(write_buf_cb, &svgdoc, W, H);
        if (cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS)
            cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PT);
    }

    cairo_status_t cst = cairo_surface_status(surf);
    if (!r.title)
        st = BM_ERR_NOMEM;
    if (cst == CAIRO_STATUS_SUCCESS && st == BM_OK) {
        r.cr = cairo_create(surf);
        r.family = font_family_list(style->font);
        r.layout = pango_cairo_create_layout(r.cr);
        cairo_font_options_t *fo = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(fo, r.vector ? CAIRO_HINT_STYLE_NONE
                                                       : CAIRO_HINT_STYLE_SLIGHT);
        cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
        pango_cairo_context_set_font_options(pango_layout_get_context(r.layout), fo);
        pango_layout_context_changed(r.layout);
        cairo_font_options_destroy(fo);

        double fa, fb, fc, fdd;
        view_frame_bounds(&r.v, &fa, &fb, &fc, &fdd);
        if (isfinite(fa) && fc > fa)
            r.rank_bonus = floor(clampd(log2(7.2 / (fc - fa)), 0, 4));
        double cell = PT(&r, 24);
        if (sindex_init(&r.placed_ix, W, H, cell) != 0 ||
            sindex_init(&r.leader_ix, W, H, cell) != 0 ||
            sindex_init(&r.avoid_ix, W, H, cell) != 0)
            st = BM_ERR_NOMEM;
        else if (opts->npanels > 0)
            st = draw_multiples(&r, basemap, incidents, nincidents);
        else
            st = draw_map(&r, basemap, incidents, nincidents);
        if (st == BM_OK && opts->result)
            fill_result(&r, opts->result);
        cst = cairo_status(r.cr);
        g_object_unref(r.layout);
        cairo_destroy(r.cr);
        free(r.family);
        if (st == BM_OK && cst == CAIRO_STATUS_SUCCESS) {
            if (fmt == BM_RENDER_PNG)
                cst = cairo_surface_write_to_png_stream(surf, write_cb, fp);
            else
                cairo_surface_finish(surf);
            if (cst == CAIRO_STATUS_SUCCESS)
                cst = cairo_surface_status(surf);
            if (cst == CAIRO_STATUS_SUCCESS && r.svg_text)
                cst = svg_write(fp, &svgdoc, &r.svg_texts);
        }
    }
    cairo_surface_destroy(surf);
    bm_buf_free(&svgdoc);
    bm_buf_free(&r.svg_texts);
    free(r.title);
    groups_free(&r);
    free(r.placed);
    free(r.leaders);
    free(r.avoid);
    free(r.labels);
    for (size_t i = 0; i < r.nlisted; i++)
        free(r.listed[i]);
    free(r.listed);
    free(r.numbers);
    free(r.towns);
    sindex_free(&r.placed_ix);
    sindex_free(&r.leader_ix);
    sindex_free(&r.avoid_ix);
    view_free(&r.v);

    int werr = 0;
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
        werr = errno;
    if (fclose(fp) != 0 && !werr)
        werr = errno;

    if (st == BM_OK && cst != CAIRO_STATUS_SUCCESS) {
        st = cst == CAIRO_STATUS_WRITE_ERROR
                 ? bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot write: %s", path,
                               werr ? strerror(werr) : cairo_status_to_string(cst))
                 : bm_ctx_fail(ctx, BM_ERR_RENDER, "%s: drawing failed: %s", path,
                               cairo_status_to_string(cst));
    } else if (st == BM_ERR_NOMEM) {
        st = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory while drawing", path);
    } else if (st == BM_OK && werr) {
        st = bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot write: %s", path, strerror(werr));
    }
    if (st == BM_OK)
        st = bm_file_commit(ctx, tmp, path);
    if (st != BM_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

/* ---- the plugin's table -------------------------------------------------- */

static const bm_render_api render_api = {
    .version = BM_RENDER_API_VERSION,
    .format_for_path = bm_render_format_for_path,
    .expand_title = bm_render_expand_title,
    .map = bm_render_map,
    .data_bounds = bm_render_data_bounds,
};

const bm_render_api *bm_render_plugin_api(void)
{
    return &render_api;
}
