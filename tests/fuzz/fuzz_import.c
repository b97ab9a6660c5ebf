/*
 * fuzz_import.c - bytes -> the import path: bm_export_read_incidents(), as
 * `bordermap import` calls it (same known event types), on a GDAL
 * in-memory file (/vsimem/), so nothing touches the disk. Input that
 * starts like JSON is named .geojson, anything else .csv. Only the
 * GeoJSON, GeoJSONSeq and CSV drivers stay registered, so the fuzzer
 * works on our reading of features rather than on every GDAL driver
 * (GDAL is fuzzed upstream). Every incident read must have a type among
 * the known ones and a longitude and latitude.
 */
#include "fuzz.h"
#include "bm_export.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>

/* The event types `bordermap import` accepts (src/cli/cmd_import.c). */
static const char *const known_types[] = {
    "arrest",    "bribery",    "crackdown",    "defection", "detention",
    "execution", "inspection", "killing",      "lecture",   "meeting",
    "propaganda", "repatriation", "smuggling", "surveillance"};
#define N_KNOWN_TYPES (sizeof known_types / sizeof *known_types)

static int g_verbose; /* $BM_FUZZ_VERBOSE: say what each input gave */

static bm_status import(bm_ctx *ctx, const char *path, const void *data,
                        size_t size, bm_incident **out, size_t *n,
                        size_t *skipped, unsigned **masks)
{
    /* An exact-size copy that GDAL reads in place (not taken over). */
    GByte *copy = CPLMalloc(size ? size : 1);
    memcpy(copy, data, size);
    VSILFILE *f = VSIFileFromMemBuffer(path, copy, (vsi_l_offset)size, FALSE);
    if (!f)
        abort();
    VSIFCloseL(f);
    bm_status st = bm_export_read_incidents(ctx, path, known_types,
                                            N_KNOWN_TYPES, out, n, skipped,
                                            masks);
    VSIUnlink(path);
    CPLFree(copy);
    return st;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_verbose = getenv("BM_FUZZ_VERBOSE") != NULL;
    CPLSetConfigOption("CPL_DEBUG", "OFF");
    /* One import registers GDAL's drivers (once per process) ... */
    static const char warm[] =
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
        "\"properties\":{\"event_type\":\"arrest\"},\"geometry\":{\"type\":"
        "\"Point\",\"coordinates\":[129.7,42.4]}}]}";
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_incident *items = NULL;
    size_t n = 0, skipped = 0;
    unsigned *masks = NULL;
    if (!ctx || import(ctx, "/vsimem/fuzz-warm.geojson", warm, strlen(warm),
                       &items, &n, &skipped, &masks) != BM_OK || n != 1) {
        fprintf(stderr, "fuzz_import: cannot read a GeoJSON file: %s\n",
                ctx ? bm_ctx_error(ctx) : "out of memory");
        abort();
    }
    bm_export_free_incidents(items, n);
    free(masks);
    bm_ctx_free(ctx);
    /* ... then all but the three text formats are dropped. */
    static const char *const keep[] = {"GeoJSON", "GeoJSONSeq", "CSV"};
    for (int i = GDALGetDriverCount() - 1; i >= 0; i--) {
        GDALDriverH d = GDALGetDriver(i);
        const char *name = GDALGetDriverShortName(d);
        int kept = 0;
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
            kept |= strcmp(name, keep[k]) == 0;
        if (!kept) {
            GDALDeregisterDriver(d);
            GDALDestroyDriver(d);
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' ||
                        data[i] == '\r'))
        i++;
    int json = i < size && (data[i] == '{' || data[i] == '[' ||
                            data[i] == 0x1e /* GeoJSON text sequence */);
    const char *path = json ? "/vsimem/fuzz.geojson" : "/vsimem/fuzz.csv";

    bm_ctx *ctx = bm_ctx_new(NULL);
    if (!ctx)
        return 0;
    bm_incident *items = NULL;
    size_t n = 0, skipped = 0;
    unsigned *masks = NULL;
    bm_status st = import(ctx, path, data, size, &items, &n, &skipped, &masks);
    if (g_verbose)
        fprintf(stderr, "  %s: %s, %zu read, %zu skipped, %zu warnings%s%s\n",
                path, bm_status_name(st), n, skipped,
                bm_ctx_warning_count(ctx), st ? ": " : "",
                st ? bm_ctx_error(ctx) : "");
    if (st == BM_OK) {
        CHECK(n == 0 || (items && masks));
        for (size_t k = 0; k < n; k++) {
            const bm_incident *x = &items[k];
            CHECK(x->type != NULL);
            int known = 0;
            for (size_t t = 0; t < N_KNOWN_TYPES; t++)
                known |= strcmp(x->type, known_types[t]) == 0;
            CHECK(known);
            CHECK(isfinite(x->lon) && isfinite(x->lat));
            CHECK(x->lon >= -180 && x->lon <= 180 && x->lat >= -90 &&
                  x->lat <= 90);
            CHECK(x->status == BM_STATUS_AUTO ||
                  x->status == BM_STATUS_REVIEWED ||
                  x->status == BM_STATUS_MANUAL);
            /* What `import` does with a feature it adds. */
            bm_incident copy;
            memset(&copy, 0, sizeof copy);
            CHECK(bm_incident_copy(&copy, x) == BM_OK);
            bm_incident_clear(&copy);
        }
    } else {
        CHECK(items == NULL && n == 0 && masks == NULL);
        CHECK(*bm_ctx_error(ctx) != '\0');
    }
    bm_export_free_incidents(items, n);
    free(masks);
    bm_ctx_free(ctx);
    return 0;
}
