/*
 * fuzz_style.c - bytes -> a YAML map style through bm_style_load(). The
 * style reader takes a path (it reads the file as text first: UTF-8
 * check, BOM, line ends), so each input is written to one scratch file in
 * a private folder (under $TMPDIR, else /dev/shm or /tmp) and loaded from
 * there. A style that loads must hold together: a real extent, colours in
 * 0..1, a marker for every incident type.
 */
#include "fuzz.h"
#include "bm_style.h"

#include <math.h>
#include "fuzz_scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[4096];
static char g_path[4200];

static void cleanup(void)
{
    unlink(g_path);
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch_dir("style", g_dir, sizeof g_dir);
    snprintf(g_path, sizeof g_path, "%s/fuzz.yaml", g_dir);
    atexit(cleanup);
    return 0;
}

static int unit(const bm_rgba *c)
{
    return c->r >= 0 && c->r <= 1 && c->g >= 0 && c->g <= 1 && c->b >= 0 &&
           c->b <= 1 && c->a >= 0 && c->a <= 1;
}

static void check_style(const bm_style *s)
{
    /* title and attribution may be NULL: "title: ~" draws no title. */
    CHECK(s->name && s->projection && s->font);
    CHECK(isfinite(s->min_lon) && isfinite(s->max_lon));
    CHECK(isfinite(s->min_lat) && isfinite(s->max_lat));
    CHECK(s->min_lon < s->max_lon && s->min_lat < s->max_lat);
    CHECK(unit(&s->background) && unit(&s->halo) && unit(&s->paper) &&
          unit(&s->ink) && unit(&s->incident_stroke));
    CHECK(s->nlayers == 0 || s->layers);
    for (size_t i = 0; i < s->nlayers; i++) {
        const bm_style_layer *l = &s->layers[i];
        CHECK(l->source != NULL);
        CHECK(unit(&l->fill) && unit(&l->stroke) && unit(&l->label_color));
        CHECK(isfinite(l->width) && isfinite(l->label_size));
    }
    CHECK(s->nincidents == 0 || s->incidents);
    for (size_t i = 0; i < s->nincidents; i++) {
        CHECK(s->incidents[i].type && s->incidents[i].shape);
        CHECK(unit(&s->incidents[i].fill));
    }
    static const char *const types[] = {"arrest", "crackdown", "*", "",
                                        "no such type"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        const bm_style_incident *m = bm_style_for_incident(s, types[i]);
        CHECK(m && m->shape);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) /* styles are a few kilobytes */
        return 0;
    FILE *f = fopen(g_path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();

    bm_ctx *ctx = bm_ctx_new(NULL);
    if (!ctx)
        return 0;
    bm_style *s = NULL;
    bm_status st = bm_style_load(ctx, g_path, &s);
    if (st == BM_OK) {
        CHECK(s != NULL);
        check_style(s);
    } else {
        CHECK(s == NULL);
        CHECK(*bm_ctx_error(ctx) != '\0');
    }
    bm_style_free(s);
    bm_ctx_free(ctx);
    return 0;
}
