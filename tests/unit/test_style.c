/*
 * test_style.c - bm_style: the default briefing style, defaults, colours,
 * and the errors a malformed style gives (file:line).
 */
#include "bm_style.h"
#include "bm_test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#define TMP BM_TEST_TMP "/style"

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "cannot write %s\n", path);
        return;
    }
    fputs(text, fp);
    fclose(fp);
}

static int same_color(bm_rgba c, const char *hex)
{
    bm_rgba h;
    if (bm_style_parse_color(hex, &h) != 0)
        return 0;
    return fabs(c.r - h.r) < 1e-9 && fabs(c.g - h.g) < 1e-9 &&
           fabs(c.b - h.b) < 1e-9 && fabs(c.a - h.a) < 1e-9;
}

static const bm_style_layer *find_layer(const bm_style *s, const char *src)
{
    for (size_t i = 0; i < s->nlayers; i++)
        if (strcmp(s->layers[i].source, src) == 0)
            return &s->layers[i];
    return NULL;
}

static void test_colors(void)
{
    bm_rgba c;
    CHECK(bm_style_parse_color("#ff8000", &c) == 0);
    CHECK_NEAR(c.r, 1.0, 1e-9);
    CHECK_NEAR(c.g, 128 / 255.0, 1e-9);
    CHECK_NEAR(c.b, 0.0, 1e-9);
    CHECK_NEAR(c.a, 1.0, 1e-9);
    CHECK(bm_style_parse_color("#FFFFFF80", &c) == 0);
    CHECK_NEAR(c.a, 128 / 255.0, 1e-9);
    CHECK(bm_style_parse_color("ff8000", &c) != 0);
    CHECK(bm_style_parse_color("#ff800", &c) != 0);
    CHECK(bm_style_parse_color("#ff80000", &c) != 0);
    CHECK(bm_style_parse_color("#gg8000", &c) != 0);
    CHECK(bm_style_parse_color("", &c) != 0);
    CHECK(bm_style_parse_color(NULL, &c) != 0);
}

/* The dark screen style: Lambert conformal conic 39.5/42.5 N, pixels. */
static void test_screen(bm_ctx *ctx)
{
    bm_style *s = NULL;
    CHECK(bm_style_load(ctx, BM_TEST_DATA_DIR "/styles/screen.yaml", &s) ==
          BM_OK);
    if (!s)
        return;
    CHECK_STR(s->name, "screen");
    CHECK(s->projection && strstr(s->projection, "+lat_1=39.5") &&
          strstr(s->projection, "+lat_2=42.5"));
    CHECK(s->page == NULL && s->page_w_pt == 0);
    CHECK(s->width_px == 1920 && s->height_px == 1080);
    CHECK(same_color(s->paper, "#0b1118"));
    CHECK(same_color(s->ink, "#e8edf2"));
    CHECK(s->nincidents >= 10);
    bm_style_free(s);

    /* page sizes */
    double w, h;
    CHECK(bm_style_paper_size("a3", &w, &h) == 0);
    CHECK_NEAR(w, 841.89, 0.01);
    CHECK_NEAR(h, 1190.55, 0.01);
    CHECK(bm_style_paper_size("Letter", &w, &h) == 0);
    CHECK_NEAR(w, 612, 1e-9);
    CHECK(bm_style_paper_size("B5", &w, &h) != 0);
}

static void test_briefing(bm_ctx *ctx)
{
    bm_style *s = NULL;
    const char *path = BM_TEST_DATA_DIR "/styles/briefing.yaml";
    bm_status rc = bm_style_load(ctx, path, &s);
    CHECK(rc == BM_OK);
    if (!s) {
        fprintf(stderr, "briefing: %s\n", bm_ctx_error(ctx));
        return;
    }
    CHECK_STR(s->path, path);
    CHECK_STR(s->name, "briefing");
    CHECK(s->title && strstr(s->title, "{date}") != NULL);
    CHECK_STR(s->projection, "EPSG:5179");
    /* A4 landscape at 150 dpi */
    CHECK_STR(s->page, "A4");
    CHECK(s->landscape == 1);
    CHECK_NEAR(s->page_w_pt, 841.89, 0.01);
    CHECK_NEAR(s->page_h_pt, 595.276, 0.01);
    CHECK_NEAR(s->dpi, 150, 1e-9);
    CHECK(s->classification == NULL);
    CHECK_NEAR(s->min_lon, 124.0, 1e-9);
    CHECK_NEAR(s->min_lat, 39.6, 1e-9);
    CHECK_NEAR(s->max_lon, 131.2, 1e-9);
    CHECK_NEAR(s->max_lat, 43.4, 1e-9);
    CHECK(s->width_px == 1600);
    CHECK(s->height_px == 1200);
    CHECK(s->font && strstr(s->font, "Noto Sans CJK KR") != NULL);
    CHECK(same_color(s->background, "#c6dbef"));
    CHECK(same_color(s->halo, "#ffffffcc"));
    CHECK_NEAR(s->halo_width, 2, 1e-9);
    CHECK_NEAR(s->incident_size, 7, 1e-9);
    CHECK(same_color(s->incident_stroke, "#222222"));
    CHECK(s->attribution && strstr(s->attribution, "Natural Earth") != NULL);
    CHECK(s->attribution && strstr(s->attribution, "GeoNames") != NULL);

    /* Layers, bottom to top. */
    CHECK(s->nlayers == 9);
    if (s->nlayers > 0) {
        const bm_style_layer *land = &s->layers[0];
        CHECK_STR(land->source, "gshhg_f_land");
        CHECK(land->kind == BM_GEOM_POLYGON);
        CHECK(land->has_fill && !land->has_stroke);
    }
    const bm_style_layer *l = find_layer(s, "ne10m_admin1_lines");
    CHECK(l != NULL);
    if (l) {
        CHECK(l->kind == BM_GEOM_LINE);
        CHECK_STR(l->dash, "3,2");
        CHECK(l->has_stroke);
    }
    l = find_layer(s, "wdbii_f_rivers");
    CHECK(l != NULL);
    if (l) {
        CHECK(l->kind == BM_GEOM_LINE);
        CHECK_STR(l->rank_field, "level");
        CHECK_NEAR(l->max_rank, 3, 1e-9);
        CHECK(l->dash == NULL);
    }
    l = find_layer(s, "ne10m_rivers_lake_centerlines");
    CHECK(l != NULL);
    if (l) {
        CHECK(!l->has_stroke);
        CHECK_STR(l->label_field, "name");
        CHECK(l->label_italic);
    }
    l = find_layer(s, "wdbii_f_borders");
    CHECK(l != NULL);
    if (l)
        CHECK(l->width > 1.0);
    l = find_layer(s, "towns");
    CHECK(l != NULL);
    if (l) {
        CHECK(l->kind == BM_GEOM_POINT);
        CHECK_STR(l->label_field, "NAME");
        CHECK_STR(l->rank_field, "RANK");
        CHECK_NEAR(l->max_rank, 8, 1e-9);
        CHECK(l->has_fill);
        CHECK_NEAR(l->symbol_size, 3, 1e-9);
    }
    CHECK(s->layers[s->nlayers - 1].kind == BM_GEOM_POINT);

    /* Incident markers. */
    static const char *const types[] = {
        "arrest", "crackdown", "bribery", "smuggling", "defection",
        "surveillance", "execution", "inspection", "lecture", "propaganda"};
    const size_t ntypes = sizeof types / sizeof *types;
    const bm_style_incident *star = bm_style_for_incident(s, "no-such-type");
    CHECK(star && strcmp(star->type, "*") == 0);
    for (size_t i = 0; i < ntypes; i++) {
        const bm_style_incident *a = bm_style_for_incident(s, types[i]);
        CHECK_STR(a->type, types[i]);
        CHECK(a->shape != NULL);
        for (size_t j = 0; j < i; j++) {
            const bm_style_incident *b = bm_style_for_incident(s, types[j]);
            /* Every pair differs in colour or shape, and from "*". */
            CHECK(memcmp(&a->fill, &b->fill, sizeof a->fill) != 0 ||
                  strcmp(a->shape, b->shape) != 0);
        }
        CHECK(memcmp(&a->fill, &star->fill, sizeof a->fill) != 0);
    }
    const bm_style_incident *arrest = bm_style_for_incident(s, "ARREST");
    CHECK_STR(arrest->type, "arrest");
    CHECK(same_color(arrest->fill, "#882255"));
    CHECK_STR(arrest->shape, "circle");
    CHECK_STR(bm_style_for_incident(s, NULL)->type, "*");

    bm_style_free(s);
}

static void test_defaults(bm_ctx *ctx)
{
    const char *path = TMP "/minimal.yaml";
    write_file(path,
               "# only a name and one layer\n"
               "layers:\n"
               "  - source: coast\n"
               "    kind: line\n"
               "  - {source: towns, kind: point, dash: [4, 2.5]}\n");
    bm_style *s = NULL;
    bm_status rc = bm_style_load(ctx, path, &s);
    CHECK(rc == BM_OK);
    if (!s) {
        fprintf(stderr, "minimal: %s\n", bm_ctx_error(ctx));
        return;
    }
    CHECK_STR(s->name, "minimal");
    CHECK(s->width_px == 1600 && s->height_px == 1200);
    CHECK(s->min_lon < 125 && s->max_lon > 130);
    CHECK(s->min_lat < 40 && s->max_lat > 43);
    CHECK(s->min_lon >= 123 && s->max_lon <= 132);
    CHECK_STR(s->font, "Noto Sans, Noto Sans CJK KR, DejaVu Sans");
    CHECK(s->projection && strstr(s->projection, "+proj=lcc") != NULL);
    CHECK(s->title != NULL);
    CHECK(s->nincidents == 0);
    const bm_style_incident *m = bm_style_for_incident(s, "arrest");
    CHECK(m != NULL);
    CHECK_STR(m->shape, "circle");
    CHECK(s->nlayers == 2);
    if (s->nlayers == 2) {
        CHECK(s->layers[0].kind == BM_GEOM_LINE);
        CHECK(s->layers[0].has_stroke && !s->layers[0].has_fill);
        CHECK(s->layers[0].max_rank < 0);
        CHECK(s->layers[0].label_field == NULL);
        CHECK(s->layers[1].kind == BM_GEOM_POINT);
        CHECK(s->layers[1].has_fill);
        CHECK_STR(s->layers[1].dash, "4,2.5");
    }
    bm_style_free(s);

    /* The built-in marker when there is no style at all. */
    m = bm_style_for_incident(NULL, "arrest");
    CHECK(m != NULL && strcmp(m->type, "*") == 0);
    bm_style_free(NULL);
}

/* Loads text from a scratch file; checks the status and that the message
 * holds each of the NULL-ended needles. */
static void expect_error(bm_ctx *ctx, const char *name, const char *text,
                         bm_status want, ...)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TMP, name);
    write_file(path, text);
    bm_style *s = NULL;
    bm_status rc = bm_style_load(ctx, path, &s);
    CHECK(rc == want);
    CHECK(s == NULL);
    const char *msg = bm_ctx_error(ctx);
    printf("%s -> %s\n", name, msg);
    CHECK(strstr(msg, path) != NULL);
    va_list ap;
    va_start(ap, want);
    const char *needle;
    while ((needle = va_arg(ap, const char *)) != NULL) {
        if (strstr(msg, needle)) {
            bm_test_passed++;
        } else {
            bm_test_failed++;
            fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", name, msg,
                    needle);
        }
    }
    va_end(ap);
    bm_style_free(s);
}

static void test_errors(bm_ctx *ctx)
{
    /* Bad indentation on line 3. */
    expect_error(ctx, "indent.yaml",
                 "name: broken\n"
                 "title: A map\n"
                 "  font: Noto Sans\n"
                 "size: {width: 10, height: 10}\n",
                 BM_ERR_INPUT, "indent.yaml:3:", NULL);

    /* Unknown key (a typo) names the key and its line. */
    expect_error(ctx, "unknown.yaml",
                 "name: typo\n"
                 "layers:\n"
                 "  - source: gshhg_f_land\n"
                 "    fil: \"#ffffff\"\n",
                 BM_ERR_INPUT, "unknown.yaml:4:", "'fil'", "fill", NULL);
    expect_error(ctx, "unknown-top.yaml",
                 "name: typo\n"
                 "\n"
                 "backgruond: \"#ffffff\"\n",
                 BM_ERR_INPUT, "unknown-top.yaml:3:", "backgruond", NULL);

    /* Bad colour names the value. */
    expect_error(ctx, "colour.yaml",
                 "name: colour\n"
                 "background: \"#12345\"\n",
                 BM_ERR_INPUT, "colour.yaml:2:", "#12345", NULL);
    expect_error(ctx, "colour2.yaml",
                 "incidents:\n"
                 "  types:\n"
                 "    - {type: arrest, fill: red}\n",
                 BM_ERR_INPUT, "colour2.yaml:3:", "'red'", NULL);
    /* An unquoted colour is a YAML comment: say so. */
    expect_error(ctx, "unquoted.yaml",
                 "name: x\n"
                 "background: #aabbcc\n",
                 BM_ERR_INPUT, "unquoted.yaml:2:", "quote", NULL);

    /* Wrong types. */
    expect_error(ctx, "type.yaml",
                 "size:\n"
                 "  width: wide\n",
                 BM_ERR_INPUT, "type.yaml:2:", "width", "wide", NULL);
    expect_error(ctx, "type2.yaml",
                 "layers:\n"
                 "  source: gshhg_f_land\n",
                 BM_ERR_INPUT, "type2.yaml:2:", "layers", "list", NULL);
    expect_error(ctx, "type3.yaml",
                 "extent: [1, 2, 3, 4]\n",
                 BM_ERR_INPUT, "type3.yaml:1:", "extent", NULL);
    expect_error(ctx, "page.yaml",
                 "name: p\n"
                 "page:\n"
                 "  size: A5\n",
                 BM_ERR_INPUT, "page.yaml:3:", "size", "A5", NULL);
    expect_error(ctx, "orient.yaml",
                 "page:\n"
                 "  size: A3\n"
                 "  orientation: sideways\n",
                 BM_ERR_INPUT, "orient.yaml:3:", "orientation", "sideways",
                 NULL);
    expect_error(ctx, "dpi.yaml",
                 "page:\n"
                 "  dpi: 5000\n",
                 BM_ERR_INPUT, "dpi.yaml:2:", "dpi", NULL);
    expect_error(ctx, "colors.yaml",
                 "colors:\n"
                 "  paper: \"#fff\"\n",
                 BM_ERR_INPUT, "colors.yaml:2:", "paper", NULL);
    expect_error(ctx, "class.yaml",
                 "classification:\n"
                 "  txt: SECRET\n",
                 BM_ERR_INPUT, "class.yaml:2:", "txt", NULL);
    expect_error(ctx, "avoid.yaml",
                 "layers:\n"
                 "  - source: x\n"
                 "    avoid: maybe\n",
                 BM_ERR_INPUT, "avoid.yaml:3:", "avoid", NULL);
    expect_error(ctx, "kind.yaml",
                 "layers:\n"
                 "  - source: x\n"
                 "    kind: area\n",
                 BM_ERR_INPUT, "kind.yaml:3:", "area", NULL);
    expect_error(ctx, "shape.yaml",
                 "incidents:\n"
                 "  types:\n"
                 "    - type: arrest\n"
                 "      shape: star\n",
                 BM_ERR_INPUT, "shape.yaml:4:", "star", NULL);
    expect_error(ctx, "bool.yaml",
                 "layers:\n"
                 "  - source: x\n"
                 "    label_italic: sometimes\n",
                 BM_ERR_INPUT, "bool.yaml:3:", "sometimes", NULL);
    expect_error(ctx, "nosource.yaml",
                 "layers:\n"
                 "  - kind: line\n"
                 "    stroke: \"#000000\"\n",
                 BM_ERR_INPUT, "nosource.yaml:2:", "source", NULL);
    expect_error(ctx, "dup.yaml",
                 "name: a\n"
                 "title: b\n"
                 "name: c\n",
                 BM_ERR_INPUT, "dup.yaml:3:", "duplicate", "'name'", NULL);
    expect_error(ctx, "duptype.yaml",
                 "incidents:\n"
                 "  types:\n"
                 "    - {type: arrest, fill: \"#000000\"}\n"
                 "    - {type: Arrest, fill: \"#ffffff\"}\n",
                 BM_ERR_INPUT, "duptype.yaml:4:", "Arrest", NULL);
    expect_error(ctx, "extent.yaml",
                 "extent: {min_lon: 131, max_lon: 124}\n",
                 BM_ERR_INPUT, "extent.yaml:1:", "extent", NULL);
    expect_error(ctx, "range.yaml",
                 "extent: {min_lat: 95}\n",
                 BM_ERR_INPUT, "range.yaml:1:", "min_lat", NULL);
    expect_error(ctx, "dash.yaml",
                 "layers:\n"
                 "  - {source: x, kind: line, dash: \"3,x\"}\n",
                 BM_ERR_INPUT, "dash.yaml:2:", "3,x", NULL);
    expect_error(ctx, "scalar.yaml", "just a string\n", BM_ERR_INPUT,
                 "scalar.yaml:1:", NULL);
    expect_error(ctx, "empty.yaml", "# nothing here\n", BM_ERR_INPUT,
                 "empty", NULL);
    expect_error(ctx, "twodocs.yaml", "name: a\n---\nname: b\n",
                 BM_ERR_INPUT, "twodocs.yaml:3:", NULL);

    /* A file that is not there. */
    bm_style *s = NULL;
    bm_status rc = bm_style_load(ctx, TMP "/missing.yaml", &s);
    CHECK(rc == BM_ERR_IO);
    CHECK(s == NULL);
    CHECK(strstr(bm_ctx_error(ctx), TMP "/missing.yaml") != NULL);
}

int main(void)
{
    mkdir(BM_TEST_TMP, 0755);
    mkdir(TMP, 0755);
    bm_ctx *ctx = bm_ctx_new(BM_TEST_DATA_DIR);
    CHECK(ctx != NULL);
    if (!ctx)
        return bm_test_done();
    test_colors();
    test_briefing(ctx);
    test_screen(ctx);
    test_defaults(ctx);
    test_errors(ctx);
    bm_ctx_free(ctx);
    return bm_test_done();
}
