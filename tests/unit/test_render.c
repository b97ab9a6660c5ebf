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
    /* default size: the style's */
    CHECK(cairo_image_surface_get_width(img) == style->width_px);
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

int
main(void)
{
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
        test_empty(style, basemap);
        test_errors(style, basemap);
        test_fonts(style);
        free_basemap(style, basemap);
        bm_style_free(style);
    }
    bm_ctx_free(ctx);
    return bm_test_done();
}
