/*
 * test_render.c - briefing maps: files written in each format, pixels where
 * the projection says incidents and sea are, failures that leave earlier
 * files alone.
 */
#include "bm_export.h"
#include "bm_render.h"
#include "bm_style.h"
#include "bm_test.h"

#include <cairo.h>
#include <dirent.h>
#include <geodesic.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define W 1200
#define H 900

static bm_ctx *ctx;

static bm_incident
make_incident(const char *place, const char *type, double lon, double lat,
              const char *date)
{
    bm_incident inc;
    memset(&inc, 0, sizeof inc);
    inc.place_name = (char *)place;
    inc.type = (char *)type;
    inc.lon = lon;
    inc.lat = lat;
    inc.date = (char *)date;
    inc.precision = BM_PREC_EXACT;
    return inc;
}

static long
file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

/* Reads a pixel of an ARGB32 image (opaque where we look). */
static void
pixel(cairo_surface_t *img, int x, int y, int *r, int *g, int *b)
{
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    uint32_t p = *(uint32_t *)(data + (size_t)y * stride + (size_t)x * 4);
    *r = (p >> 16) & 0xff;
    *g = (p >> 8) & 0xff;
    *b = p & 0xff;
}

static int
colour_near(cairo_surface_t *img, int x, int y, bm_rgba want, int tol)
{
    int r, g, b;
    pixel(img, x, y, &r, &g, &b);
    return abs(r - (int)lround(want.r * 255)) <= tol &&
           abs(g - (int)lround(want.g * 255)) <= tol &&
           abs(b - (int)lround(want.b * 255)) <= tol;
}

/* colour_near, saying what was found when it is not */
#define CHECK_COLOUR(img, x, y, want, tol)                                   \
    do {                                                                     \
        CHECK(colour_near(img, x, y, want, tol));                            \
        if (!colour_near(img, x, y, want, tol)) {                            \
            int r_, g_, b_;                                                  \
            pixel(img, x, y, &r_, &g_, &b_);                                 \
            fprintf(stderr, "  pixel %d,%d is #%02x%02x%02x, wanted "        \
                    "#%02x%02x%02x\n", x, y, r_, g_, b_,                     \
                    (int)lround((want).r * 255), (int)lround((want).g * 255), \
                    (int)lround((want).b * 255));                            \
        }                                                                    \
    } while (0)

/* Is there a pixel of colour `want` within `radius` of (x, y)? */
static int
colour_within(cairo_surface_t *img, int x, int y, int radius, bm_rgba want,
              int tol)
{
    for (int dy = -radius; dy <= radius; dy++)
        for (int dx = -radius; dx <= radius; dx++) {
            int px = x + dx, py = y + dy;
            if (px < 0 || py < 0 || px >= cairo_image_surface_get_width(img) ||
                py >= cairo_image_surface_get_height(img))
                continue;
            if (colour_near(img, px, py, want, tol))
                return 1;
        }
    return 0;
}

/* Pixels of colour `want` within `radius` of (x, y). */
static int
colour_count(cairo_surface_t *img, int x, int y, int radius, bm_rgba want,
             int tol)
{
    int n = 0;
    for (int dy = -radius; dy <= radius; dy++)
        for (int dx = -radius; dx <= radius; dx++) {
            int px = x + dx, py = y + dy;
            if (px < 0 || py < 0 || px >= cairo_image_surface_get_width(img) ||
                py >= cairo_image_surface_get_height(img))
                continue;
            n += colour_near(img, px, py, want, tol);
        }
    return n;
}

static int
project(const bm_style *style, const bm_render_opts *opts, double lon,
        double lat, int *x, int *y)
{
    double fx, fy;
    if (bm_render_project(ctx, style, opts, lon, lat, &fx, &fy) != BM_OK)
        return -1;
    *x = (int)floor(fx);
    *y = (int)floor(fy);
    return 0;
}

/* Temp files ("<name>.tmp-XXXXXX") left in the scratch folder. */
static int
leftover_temps(void)
{
    DIR *d = opendir(BM_TEST_TMP);
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strstr(e->d_name, "render") && strstr(e->d_name, ".tmp-"))
            n++;
    closedir(d);
    return n;
}

static void
test_formats(void)
{
    CHECK(bm_render_format_for_path("a/map.png") == BM_RENDER_PNG);
    CHECK(bm_render_format_for_path("MAP.PDF") == BM_RENDER_PDF);
    CHECK(bm_render_format_for_path("x.svg") == BM_RENDER_SVG);
    CHECK(bm_render_format_for_path("x.jpeg") == -1);
    CHECK(bm_render_format_for_path("dir.png/map") == -1);
    CHECK(bm_render_format_for_path("noext") == -1);
    CHECK(bm_render_format_for_path(NULL) == -1);
}

/* Loads every basemap layer the style names; missing ones stay NULL. */
static bm_layer **
load_basemap(const bm_style *style, const bm_render_opts *opts)
{
    bm_layer **layers = calloc(style->nlayers ? style->nlayers : 1, sizeof *layers);
    double a, b, c, d;
    CHECK(bm_render_data_bounds(ctx, style, opts, &a, &b, &c, &d) == BM_OK);
    /* the frame of a conic map covers more than the extent */
    CHECK(a <= style->min_lon && b <= style->min_lat && c >= style->max_lon &&
          d >= style->max_lat);
    const char *gpkg = BM_TEST_DATA_DIR "/gazetteer/basemap.gpkg";
    for (size_t i = 0; i < style->nlayers; i++) {
        const bm_style_layer *sl = &style->layers[i];
        bm_status st = bm_export_read_layer(ctx, gpkg, sl->source, sl->label_field,
                                            sl->rank_field, a, b, c, d, &layers[i]);
        if (st != BM_OK)
            fprintf(stderr, "layer %s: %s\n", sl->source, bm_ctx_error(ctx));
        CHECK(st == BM_OK);
    }
    return layers;
}

static void
free_basemap(const bm_style *style, bm_layer **layers)
{
    for (size_t i = 0; i < style->nlayers; i++)
        bm_layer_free(layers[i]);
    free(layers);
}

static void
test_png(const bm_style *style, bm_layer **basemap)
{
    bm_incident inc[3] = {
        make_incident("Hoeryong", "arrest", 129.746, 42.441, "2024-01-07"),
        make_incident("Hyesan", "crackdown", 128.178, 41.402, "2024-02-11"),
        make_incident("Onsong", "bribery", 129.993, 42.957, "2024-03"),
    };
    bm_render_opts opts = {.width = W, .height = H,
                           .subtitle = "Test render: three incidents"};
    const char *path = BM_TEST_TMP "/render_test.png";
    remove(path);
    bm_status st = bm_render_map(ctx, style, basemap, inc, 3, &opts, path);
    if (st != BM_OK)
        fprintf(stderr, "render: %s\n", bm_ctx_error(ctx));
    CHECK(st == BM_OK);
    CHECK(file_size(path) > 10000);

    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    CHECK(cairo_image_surface_get_width(img) == W);
    CHECK(cairo_image_surface_get_height(img) == H);
    cairo_surface_flush(img);

    /* the arrest marker sits on Hoeryong */
    const bm_style_incident *arrest = bm_style_for_incident(style, "arrest");
    const bm_style_incident *crack = bm_style_for_incident(style, "crackdown");
    const bm_style_incident *bribe = bm_style_for_incident(style, "bribery");
    int x, y;
    CHECK(project(style, &opts, 129.746, 42.441, &x, &y) == 0);
    CHECK(x > 0 && x < W && y > 0 && y < H);
    CHECK_COLOUR(img, x, y, arrest->fill, 12);
    CHECK(project(style, &opts, 128.178, 41.402, &x, &y) == 0);
    CHECK_COLOUR(img, x, y, crack->fill, 12);
    CHECK(project(style, &opts, 129.993, 42.957, &x, &y) == 0);
    /* a triangle's centroid sits a little below the point: look close by */
    CHECK(colour_within(img, x, y, 2, bribe->fill, 12));

    /* open sea (East Sea, off the coast, clear of furniture): background */
    CHECK(project(style, &opts, 130.2, 41.5, &x, &y) == 0);
    CHECK_COLOUR(img, x, y, style->background, 3);
    /* inland North Korea (Chagang highlands) and China: land, not sea */
    bm_rgba land = style->layers[0].fill;
    CHECK(project(style, &opts, 126.55, 40.45, &x, &y) == 0);
    CHECK(!colour_near(img, x, y, style->background, 10));
    CHECK_COLOUR(img, x, y, land, 4);
    CHECK(project(style, &opts, 125.3, 42.65, &x, &y) == 0);
    CHECK_COLOUR(img, x, y, land, 4);
    /* outside the frame is white paper (top-left corner of the page) */
    bm_rgba white = {1, 1, 1, 1};
    CHECK_COLOUR(img, 2, 2, white, 0);
    /* the border along the Tumen/Yalu is drawn dark somewhere near Musan
     * (129.2E 42.23N, on the Tumen) */
    CHECK(project(style, &opts, 129.21, 42.25, &x, &y) == 0);
    {
        bm_rgba dark = {0.2, 0.2, 0.2, 1};
        CHECK(colour_within(img, x, y, 6, dark, 40));
    }
    cairo_surface_destroy(img);
}

/* Several incidents at one place: markers spread so each colour shows. */
static void
test_colocated(const bm_style *style, bm_layer **basemap)
{
    bm_incident inc[4] = {
        make_incident("Hoeryong", "arrest", 129.746, 42.441, NULL),
        make_incident("Hoeryong", "arrest", 129.746, 42.441, NULL),
        make_incident("Hoeryong", "bribery", 129.746, 42.441, NULL),
        /* outside the map: skipped, counted in the legend note */
        make_incident("Harbin", "arrest", 126.65, 45.75, NULL),
    };
    bm_render_opts opts = {.width = W, .height = H};
    const char *path = BM_TEST_TMP "/render_coloc.png";
    bm_status st = bm_render_map(ctx, style, basemap, inc, 4, &opts, path);
    CHECK(st == BM_OK);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        int x, y;
        CHECK(project(style, &opts, 129.746, 42.441, &x, &y) == 0);
        /* markers are incident_size pt across, 4/3 px per pt at this size */
        double d = style->incident_size * 4.0 / 3.0, area = M_PI * d * d / 4;
        int r = (int)(d * 2);
        int arrests = colour_count(img, x, y, r, bm_style_for_incident(style, "arrest")->fill, 10);
        int bribes = colour_count(img, x, y, r, bm_style_for_incident(style, "bribery")->fill, 10);
        /* Spread, the two arrest circles show their fills whole (about
         * 0.6 of a marker's area each inside the outline); stacked under
         * the bribery triangle next to nothing of them would show. */
        CHECK(arrests > 0.8 * area);
        CHECK(bribes > 0);
        if (arrests <= 0.8 * area || bribes <= 0)
            fprintf(stderr, "  arrest px %d, bribery px %d, marker area %.0f\n",
                    arrests, bribes, area);
    }
    cairo_surface_destroy(img);
}

/* Dates are said with their precision, from the incidents' ranges: in
 * labels ("mid-June 2024", "June 2024", "by 2024-06-15") and in the
 * title's span (earliest start to latest end, as briefly as true). */
static void
test_date_labels(const bm_style *style, bm_layer **basemap)
{
    /* the title's span */
    static const struct {
        const char *lo, *hi, *want;
    } spans[] = {
        {"2024-06-01", "2024-06-30", "T 2024-06"},
        {"2024-03-01", "2024-07-31", "T 2024-03 – 2024-07"},
        {"2024-01-01", "2024-12-31", "T 2024"},
        {"2023-01-01", "2024-12-31", "T 2023 – 2024"},
        {"2024-06-11", "2024-06-20", "T 2024-06-11 – 2024-06-20"},
        {"2024-06-15", "2024-06-15", "T 2024-06-15"},
        {NULL, "2024-06-15", "T by 2024-06-15"},
        {NULL, NULL, "T"},
        {"2024-03", "2024-07", "T 2024-03 – 2024-07"}, /* not days: as is */
    };
    for (size_t i = 0; i < sizeof spans / sizeof *spans; i++) {
        char *t = bm_render_expand_title("T {date}", spans[i].lo, spans[i].hi);
        CHECK_STR(t, spans[i].want);
        free(t);
    }

    struct {
        const char *place, *type, *date;
        bm_date_precision p;
        const char *start, *end, *label;
        double lon, lat;
    } d[] = {
        {"Musan", "arrest", "2024-06-15", BM_DATE_DAY, "2024-06-15",
         "2024-06-15", "2024-06-15 · arrest · Musan", 129.21, 42.23},
        {"Chongjin", "smuggling", "2024-06", BM_DATE_MONTH, "2024-06-01",
         "2024-06-30", "June 2024 · smuggling · Chongjin", 129.78, 41.79},
        {"Kimchaek", "crackdown", "2024-06", BM_DATE_PERIOD, "2024-06-11",
         "2024-06-20", "mid-June 2024 · crackdown · Kimchaek", 129.19, 40.67},
        {"Kilju", "crackdown", "2024-05", BM_DATE_PERIOD, "2024-05-21",
         "2024-05-31", "late May 2024 · crackdown · Kilju", 129.33, 40.96},
        {"Sinuiju", "surveillance", "2024-06-15", BM_DATE_REPORTED, NULL,
         "2024-06-15", "by 2024-06-15 · surveillance · Sinuiju", 124.40,
         40.10},
        {"Rason", "defection", "2023", BM_DATE_SEASON, "2023-12-01",
         "2024-02-29", "winter 2023–24 · defection · Rason", 130.30, 42.25},
        {"Manpo", "defection", "2024", BM_DATE_SEASON, "2024-06-01",
         "2024-08-31", "summer 2024 · defection · Manpo", 126.29, 41.15},
        /* a month stored without a range (an old row): the month */
        {"Hamhung", "bribery", "2024-07", BM_DATE_MONTH, NULL, NULL,
         "July 2024 · bribery · Hamhung", 127.54, 39.92},
    };
    enum { N = sizeof d / sizeof *d };
    bm_incident inc[N];
    for (size_t i = 0; i < N; i++) {
        inc[i] = make_incident(d[i].place, d[i].type, d[i].lon, d[i].lat,
                               d[i].date);
        inc[i].date_precision = d[i].p;
        inc[i].date_start = (char *)d[i].start;
        inc[i].date_end = (char *)d[i].end;
    }
    const char *svg = BM_TEST_TMP "/render_dates.svg";
    bm_render_opts opts = {.width = 1400, .height = 1000, .fill = 1,
                           .title = "Dates {date}"};
    CHECK(bm_render_map(ctx, style, basemap, inc, N, &opts, svg) == BM_OK);
    char *s = slurp(svg);
    CHECK(s != NULL);
    for (size_t i = 0; s && i < N; i++)
        if (!strstr(s, d[i].label)) {
            fprintf(stderr, "label '%s' not in %s\n", d[i].label, svg);
            CHECK(0);
        }
    /* the span: the winter's start to the summer's end, in months */
    CHECK(s && strstr(s, "Dates 2023-12 – 2024-08<"));
    free(s);

    /* two incidents at one place: the date they share, else the span of
     * their ranges */
    bm_incident two[2] = {inc[2], inc[2]};
    two[1].type = (char *)"arrest";
    CHECK(bm_render_map(ctx, style, basemap, two, 2, &opts, svg) == BM_OK);
    s = slurp(svg);
    CHECK(s && strstr(s, "mid-June 2024 · crackdown, arrest · Kimchaek (2)"));
    free(s);
    two[1].date = (char *)"2024-06-25";
    two[1].date_precision = BM_DATE_DAY;
    two[1].date_start = two[1].date_end = (char *)"2024-06-25";
    CHECK(bm_render_map(ctx, style, basemap, two, 2, &opts, svg) == BM_OK);
    s = slurp(svg);
    CHECK(s && strstr(s, "2024-06-11 – 2024-06-25 · crackdown, arrest · "
                         "Kimchaek (2)"));
    CHECK(s && strstr(s, "Dates 2024-06-11 – 2024-06-25<"));
    free(s);
}

static void
test_vector(const bm_style *style, bm_layer **basemap)
{
    bm_incident inc[1] = {
        make_incident("회령 Hoeryong", "arrest", 129.746, 42.441, "2024-01-07")};
    const char *pdf = BM_TEST_TMP "/render_test.pdf";
    const char *svg = BM_TEST_TMP "/render_test.svg";
    bm_render_opts opts = {.width = 800, .height = 600, .title = "Vector {date}"};
    bm_ctx_clear_warnings(ctx);
    CHECK(bm_render_map(ctx, style, basemap, inc, 1, &opts, pdf) == BM_OK);
    CHECK(bm_render_map(ctx, style, basemap, inc, 1, &opts, svg) == BM_OK);
    /* the Hangul label found its glyphs: no warning */
    CHECK(bm_ctx_warning_count(ctx) == 0);
    CHECK(file_size(pdf) > 1000);
    CHECK(file_size(svg) > 1000);
    char *s = slurp(svg);
    CHECK(s && strstr(s, "<svg"));
    CHECK(s && strstr(s, "width=\"800pt\""));
    free(s);
    s = slurp(pdf);
    CHECK(s && strncmp(s, "%PDF", 4) == 0);
    free(s);

    /* a character no font has (U+10FFFD, private use): the map is still
     * drawn, with a warning naming the label */
    bm_incident odd[1] = {
        make_incident("Hoeryong \xf4\x8f\xbf\xbd", "arrest", 129.746, 42.441, NULL)};
    bm_ctx_clear_warnings(ctx);
    CHECK(bm_render_map(ctx, style, basemap, odd, 1, &opts, svg) == BM_OK);
    CHECK(bm_ctx_warning_count(ctx) >= 1);
    if (bm_ctx_warning_count(ctx) >= 1)
        CHECK(strstr(bm_ctx_warning(ctx, 0), "Hoeryong") != NULL);
    bm_ctx_clear_warnings(ctx);
}

static void
test_empty(const bm_style *style, bm_layer **basemap)
{
    const char *path = BM_TEST_TMP "/render_empty.png";
    /* no incidents, and one layer missing */
    bm_layer *saved = basemap[0];
    basemap[0] = NULL;
    CHECK(bm_render_map(ctx, style, basemap, NULL, 0, NULL, path) == BM_OK);
    basemap[0] = saved;
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
    /* default size: the style's page at its dpi (A4 landscape, 150 dpi) */
    CHECK(style->page_w_pt > style->page_h_pt);
    CHECK(cairo_image_surface_get_width(img) ==
          (int)lround(style->page_w_pt * style->dpi / 72));
    CHECK(cairo_image_surface_get_height(img) ==
          (int)lround(style->page_h_pt * style->dpi / 72));
    cairo_surface_destroy(img);
    /* no basemap at all */
    CHECK(bm_render_map(ctx, style, NULL, NULL, 0, NULL, path) == BM_OK);
}

static void
test_errors(const bm_style *style, bm_layer **basemap)
{
    bm_incident inc[1] = {make_incident("Hoeryong", "arrest", 129.746, 42.441, NULL)};
    bm_render_opts opts = {.width = 400, .height = 300};

    /* a folder that does not exist */
    const char *bad = BM_TEST_TMP "/no-such-dir/map.png";
    bm_status st = bm_render_map(ctx, style, basemap, inc, 1, &opts, bad);
    CHECK(st == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), bad) != NULL);

    /* unknown format */
    st = bm_render_map(ctx, style, basemap, inc, 1, &opts, BM_TEST_TMP "/map.gif");
    CHECK(st == BM_ERR_USAGE);
    CHECK(strstr(bm_ctx_error(ctx), "map.gif") != NULL);

    /* a projection PROJ refuses: error names it, earlier file untouched,
     * no temp file left */
    const char *keep = BM_TEST_TMP "/render_keep.png";
    FILE *f = fopen(keep, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("old contents", f);
        fclose(f);
    }
    bm_style broken = *style; /* shallow: only the projection differs */
    broken.projection = "+proj=nosuchthing +ellps=WGS84";
    st = bm_render_map(ctx, &broken, basemap, inc, 1, &opts, keep);
    CHECK(st == BM_ERR_PROJ);
    CHECK(strstr(bm_ctx_error(ctx), "+proj=nosuchthing") != NULL);
    char *s = slurp(keep);
    CHECK_STR(s, "old contents");
    free(s);
    double x, y;
    CHECK(bm_render_project(ctx, &broken, NULL, 129, 42, &x, &y) == BM_ERR_PROJ);

    /* a folder in the way of the target: rename fails, temp removed */
    const char *dirpath = BM_TEST_TMP "/render_isdir.png";
    mkdir(dirpath, 0755);
    st = bm_render_map(ctx, style, basemap, inc, 1, &opts, dirpath);
    CHECK(st == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), dirpath) != NULL);
    rmdir(dirpath);
    CHECK(leftover_temps() == 0);

    /* page sizes out of range */
    bm_render_opts huge = {.width = 40000, .height = 300};
    CHECK(bm_render_map(ctx, style, basemap, inc, 1, &huge,
                        BM_TEST_TMP "/render_huge.png") == BM_ERR_USAGE);
}

/* Hangul and Han must have glyphs in the style's fonts. */
static void
test_fonts(const bm_style *style)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    cairo_t *cr = cairo_create(s);
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string("12px");
    pango_font_description_set_family(fd, style->font);
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_text(layout, "회령시 Hoeryŏng 会宁 Хверён", -1);
    CHECK(pango_layout_get_unknown_glyphs_count(layout) == 0);
    pango_font_description_free(fd);
    g_object_unref(layout);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}

/* ---- label guarantees, scale bar, reference image ------------------------ */

static int
boxes_intersect(const double *a, const double *b)
{
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* Dense incidents: no two label boxes intersect, and every group's label
 * is placed or numbered in the side list (none dropped). */
static void
test_label_guarantees(const bm_style *style, bm_layer **basemap)
{
    enum { N = 400 };
    static bm_incident inc[N];
    static char names[N][32];
    static const char *types[] = {"arrest", "crackdown", "surveillance",
                                  "bribery", "defection"};
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        /* a tight cluster at Hoeryong and a spread along the Tumen */
        double lon = i < 150 ? 129.70 + 0.15 * u : 128.3 + 2.4 * u;
        double lat = i < 150 ? 42.40 + 0.10 * v : 41.6 + 1.4 * v;
        snprintf(names[i], sizeof names[i], "Place %d", i % 300);
        inc[i] = make_incident(names[i], types[i % 5], lon, lat,
                               i % 3 ? "2024-05-01" : NULL);
    }
    bm_render_result res;
    memset(&res, 0, sizeof res);
    bm_render_opts opts = {.width = 1000, .height = 700, .fill = 1,
                           .result = &res};
    const char *path = BM_TEST_TMP "/render_dense.png";
    CHECK(bm_render_map(ctx, style, basemap, inc, N, &opts, path) == BM_OK);
    CHECK(res.groups > 100);
    CHECK(res.nboxes > 50);
    CHECK(res.labels_placed + res.labels_listed + res.labels_unlisted ==
          res.groups);
    CHECK(res.labels_listed > 0); /* too dense: the side list is used */
    /* every number at a symbol points to a line the list holds */
    CHECK(res.numbers_shown <= res.labels_listed);
    CHECK(res.max_number <= res.labels_listed);
    size_t bad = 0;
    for (size_t i = 0; i < res.nboxes; i++)
        for (size_t j = i + 1; j < res.nboxes; j++)
            if (boxes_intersect(&res.boxes[4 * i], &res.boxes[4 * j]))
                bad++;
    if (bad)
        fprintf(stderr, "%zu pairs of label boxes intersect\n", bad);
    CHECK(bad == 0);
    /* in the PDF too (points, not pixels) */
    bm_render_result_clear(&res);
    CHECK(bm_render_map(ctx, style, basemap, inc, N, &opts,
                        BM_TEST_TMP "/render_dense.pdf") == BM_OK);
    bad = 0;
    for (size_t i = 0; i < res.nboxes; i++)
        for (size_t j = i + 1; j < res.nboxes; j++)
            bad += boxes_intersect(&res.boxes[4 * i], &res.boxes[4 * j]);
    CHECK(bad == 0);
    bm_render_result_clear(&res);
}

/* The scale bar's length equals the geodesic distance it claims, at the
 * latitude it names, within 0.5 %: measured here with PROJ's geodesic over
 * 0.1 degrees of longitude, not the renderer's own half-degree chord. */
static void
test_scale_bar(bm_style *style)
{
    static const char *const projs[] = {
        "EPSG:5179",
        "+proj=lcc +lat_1=39.5 +lat_2=42.5 +lat_0=41 +lon_0=128 +datum=WGS84 +units=m",
        "EPSG:3857"};
    char *saved = style->projection;
    for (size_t p = 0; p < 3; p++) {
        style->projection = (char *)projs[p];
        for (int fill = 0; fill < 2; fill++) {
            bm_render_result res;
            memset(&res, 0, sizeof res);
            bm_render_opts opts = {.width = 900, .height = 640, .fill = fill,
                                   .result = &res};
            CHECK(bm_render_map(ctx, style, NULL, NULL, 0, &opts,
                                BM_TEST_TMP "/render_scale.png") == BM_OK);
            CHECK(res.scale_km > 0 && res.scale_len > 0);
            double xa, ya, xb, yb;
            CHECK(bm_render_project(ctx, style, &opts, res.scale_lon - 0.05,
                                    res.scale_lat, &xa, &ya) == BM_OK);
            CHECK(bm_render_project(ctx, style, &opts, res.scale_lon + 0.05,
                                    res.scale_lat, &xb, &yb) == BM_OK);
            struct geod_geodesic g;
            double s12;
            geod_init(&g, 6378137, 1 / 298.257223563);
            geod_inverse(&g, res.scale_lat, res.scale_lon - 0.05, res.scale_lat,
                         res.scale_lon + 0.05, &s12, NULL, NULL);
            double expect = res.scale_km * 1000 * hypot(xb - xa, yb - ya) / s12;
            double err = fabs(res.scale_len - expect) / expect;
            if (err > 0.005)
                fprintf(stderr, "%s: scale bar %.2f units for %g km, geodesic "
                        "says %.2f (%.2f %%)\n", projs[p], res.scale_len,
                        res.scale_km, expect, err * 100);
            CHECK(err <= 0.005);
            bm_render_result_clear(&res);
        }
    }
    style->projection = saved;
}

/* Layers of the reference map, built here so the reference does not move
 * when the shipped basemap does. */
static bm_layer **
ref_layers(void)
{
    bm_layer **l = calloc(4, sizeof *l);
    size_t f;
    l[0] = bm_layer_new("land", BM_GEOM_POLYGON);
    double land[] = {128.0, 41.5, 130.65, 41.5, 130.65, 42.3, 130.3, 42.7,
                     130.1, 43.3, 128.0, 43.3, 128.0, 41.5};
    bm_layer_add_feature(l[0], NULL, 0, &f);
    bm_layer_add_part(l[0], land, 7, f, 0);
    l[1] = bm_layer_new("border", BM_GEOM_LINE);
    double border[] = {128.6, 42.0, 129.0, 42.1, 129.4, 42.45, 129.75, 42.45,
                       129.9, 42.95, 130.25, 42.7, 130.6, 42.3};
    bm_layer_add_feature(l[1], NULL, 0, &f);
    bm_layer_add_part(l[1], border, 7, f, 0);
    l[2] = bm_layer_new("river", BM_GEOM_LINE);
    bm_layer_add_feature(l[2], "Tumen", 0, &f);
    bm_layer_add_part(l[2], border, 7, f, 0);
    l[3] = bm_layer_new("towns", BM_GEOM_POINT);
    static const struct { const char *n; double lon, lat; } t[] = {
        {"Musan", 129.21, 42.23}, {"Hoeryŏng", 129.75, 42.44},
        {"Onsŏng", 129.99, 42.96}, {"延吉 Yanji", 129.51, 42.89},
        {"Sonbong", 130.40, 42.34}};
    for (size_t i = 0; i < 5; i++) {
        double xy[2] = {t[i].lon, t[i].lat};
        bm_layer_add_feature(l[3], t[i].n, 0, &f);
        bm_layer_add_part(l[3], xy, 1, f, 0);
    }
    return l;
}

/* A reference image drawn with pinned fonts (the test's fontconfig sees only
 * Noto Sans and Noto Sans CJK, see main) compared pixel by pixel: a pixel
 * differs when a channel is off by more than 40 of 255; at most 0.02 % (54 pixels) may
 * differ. BM_UPDATE_REF=1 rewrites the reference. */
static void
test_reference_image(void)
{
    bm_style *style = NULL;
    CHECK(bm_style_load(ctx, BM_TEST_DATA_DIR "/tests/data/ref/ref_style.yaml",
                        &style) == BM_OK);
    if (!style)
        return;
    bm_layer **l = ref_layers();
    bm_incident inc[] = {
        make_incident("회령 Hoeryong", "arrest", 129.75, 42.44, "2024-03-02"),
        make_incident("회령 Hoeryong", "bribery", 129.75, 42.44, "2024-04-11"),
        make_incident("Musan", "crackdown", 129.21, 42.23, "2024-05-20"),
        make_incident("Onsong", "surveillance", 129.99, 42.96, NULL),
        make_incident("Namyang", "arrest", 129.85, 42.93, "2024-06-01"),
    };
    const char *out = BM_TEST_TMP "/ref_actual.png";
    bm_render_opts opts = {.width = 600, .height = 450, .fill = 1,
                           .subtitle = "2024-03-02 – 2024-06-01 · 5 incidents",
                           .classification = "UNCLASSIFIED // TEST"};
    CHECK(bm_render_map(ctx, style, l, inc, 5, &opts, out) == BM_OK);
    const char *ref = BM_TEST_DATA_DIR "/tests/data/ref/ref_600x450.png";
    if (getenv("BM_UPDATE_REF")) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", out, ref);
        CHECK(system(cmd) == 0);
        fprintf(stderr, "reference image rewritten: %s\n", ref);
    }
    cairo_surface_t *a = cairo_image_surface_create_from_png(out);
    cairo_surface_t *b = cairo_image_surface_create_from_png(ref);
    CHECK(cairo_surface_status(a) == CAIRO_STATUS_SUCCESS);
    CHECK(cairo_surface_status(b) == CAIRO_STATUS_SUCCESS);
    if (cairo_surface_status(a) == CAIRO_STATUS_SUCCESS &&
        cairo_surface_status(b) == CAIRO_STATUS_SUCCESS) {
        int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
        CHECK(w == cairo_image_surface_get_width(b));
        CHECK(h == cairo_image_surface_get_height(b));
        if (w == cairo_image_surface_get_width(b) &&
            h == cairo_image_surface_get_height(b)) {
            size_t differ = 0;
            cairo_surface_flush(a);
            cairo_surface_flush(b);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    uint32_t pa = *(uint32_t *)(cairo_image_surface_get_data(a) +
                                                (size_t)y * cairo_image_surface_get_stride(a) + 4 * (size_t)x);
                    uint32_t pb = *(uint32_t *)(cairo_image_surface_get_data(b) +
                                                (size_t)y * cairo_image_surface_get_stride(b) + 4 * (size_t)x);
                    for (int c = 0; c < 32; c += 8)
                        if (abs((int)((pa >> c) & 255) - (int)((pb >> c) & 255)) > 40) {
                            differ++;
                            break;
                        }
                }
            double frac = (double)differ / ((double)w * h);
            fprintf(stderr, "reference image: %zu pixels differ\n", differ);
            if (frac > 0.0002)
                fprintf(stderr, "reference image: %.3f %% of pixels differ "
                        "(limit 0.02 %%); see %s against %s\n", frac * 100, out, ref);
            CHECK(frac <= 0.0002);
        }
    }
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    for (int i = 0; i < 4; i++)
        bm_layer_free(l[i]);
    free(l);
    bm_style_free(style);
}

/* Heatmap and small multiples draw, and count what they show. */
static void
test_heat_and_panels(const bm_style *style, bm_layer **basemap)
{
    enum { N = 2000 };
    static bm_incident inc[N];
    static size_t panel_of[N];
    for (int i = 0; i < N; i++) {
        inc[i] = make_incident("x", i % 2 ? "arrest" : "crackdown",
                               129.0 + (i % 40) * 0.03, 42.0 + (i / 40) * 0.02,
                               i % 2 ? "2023-05-01" : "2024-02-01");
        panel_of[i] = i % 2 ? 0 : 1;
    }
    bm_render_result res;
    memset(&res, 0, sizeof res);
    bm_render_opts opts = {.width = 900, .height = 640, .fill = 1,
                           .heat_km = 10, .result = &res};
    CHECK(bm_render_map(ctx, style, basemap, inc, N, &opts,
                        BM_TEST_TMP "/render_heat.png") == BM_OK);
    CHECK(res.shown == N);
    bm_render_result_clear(&res);
    const char *names[] = {"2023", "2024"};
    bm_render_opts po = {.width = 900, .height = 640, .fill = 1,
                         .panel_of = panel_of, .panel_names = names,
                         .npanels = 2, .result = &res};
    CHECK(bm_render_map(ctx, style, basemap, inc, N, &po,
                        BM_TEST_TMP "/render_panels.pdf") == BM_OK);
    CHECK(res.shown == N);
    CHECK(res.scale_km > 0);
    bm_render_result_clear(&res);
}

/* Fontconfig sees only the Noto fonts of fonts-noto-core and
 * fonts-noto-cjk (links in a scratch folder), with fixed rendering
 * settings, so text pixels do not depend on what else is installed. */
static void
pin_fonts(void)
{
    static const char *const files[] = {
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-BoldItalic.ttf",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"};
    mkdir(BM_TEST_TMP "/fonts", 0755);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char link[1024];
        snprintf(link, sizeof link, BM_TEST_TMP "/fonts/%s", strrchr(files[i], '/') + 1);
        unlink(link);
        if (symlink(files[i], link) != 0)
            perror(link);
    }
    FILE *f = fopen(BM_TEST_TMP "/fonts.conf", "w");
    if (!f)
        return;
    fprintf(f,
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
            "<fontconfig>\n  <dir>" BM_TEST_TMP "/fonts</dir>\n"
            "  <cachedir>" BM_TEST_TMP "/fc-cache</cachedir>\n"
            "  <match target=\"font\">\n"
            "    <edit name=\"antialias\" mode=\"assign\"><bool>true</bool></edit>\n"
            "    <edit name=\"hinting\" mode=\"assign\"><bool>false</bool></edit>\n"
            "    <edit name=\"hintstyle\" mode=\"assign\"><const>hintnone</const></edit>\n"
            "    <edit name=\"rgba\" mode=\"assign\"><const>none</const></edit>\n"
            "    <edit name=\"embeddedbitmap\" mode=\"assign\"><bool>false</bool></edit>\n"
            "  </match>\n</fontconfig>\n");
    fclose(f);
    setenv("FONTCONFIG_FILE", BM_TEST_TMP "/fonts.conf", 1);
}

int
main(void)
{
    pin_fonts();
    ctx = bm_ctx_new(BM_TEST_DATA_DIR);
    test_formats();

    bm_style *style = NULL;
    bm_status st = bm_style_load(ctx, BM_TEST_DATA_DIR "/styles/briefing.yaml", &style);
    if (st != BM_OK)
        fprintf(stderr, "style: %s\n", bm_ctx_error(ctx));
    CHECK(st == BM_OK);
    if (st == BM_OK) {
        bm_render_opts opts = {.width = W, .height = H,
                               .subtitle = "Test render: three incidents"};
        bm_layer **basemap = load_basemap(style, &opts);
        test_png(style, basemap);
        test_colocated(style, basemap);
        test_vector(style, basemap);
        test_date_labels(style, basemap);
        test_empty(style, basemap);
        test_errors(style, basemap);
        test_fonts(style);
        test_label_guarantees(style, basemap);
        test_heat_and_panels(style, basemap);
        test_scale_bar(style);
        free_basemap(style, basemap);
        bm_style_free(style);
    }
    test_reference_image();
    bm_ctx_free(ctx);
    return bm_test_done();
}
