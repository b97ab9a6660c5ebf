/*
 * cli_ogr.c - loads the OGR plugin (bordermap-ogr.so) for the commands that
 * need GDAL, so that the others start without loading GDAL's libraries.
 *
 * Search order: $BORDERMAP_PLUGIN_DIR; the executable's folder (the build
 * tree); <executable>/../<libdir>/bordermap (an installed or relocated
 * tree); <prefix>/<libdir>/bordermap.
 */
#include "cli.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGIN_NAME "bordermap-ogr.so"

static void *try_open(const char *dir, bm_buf *tried)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, PLUGIN_NAME) >=
        (int)sizeof path)
        return NULL;
    if (access(path, R_OK) != 0) {
        bm_buf_printf(tried, "%s%s", tried->len ? ", " : "", dir);
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        bm_buf_printf(tried, "%s%s (%s)", tried->len ? ", " : "", path,
                      e ? e : "cannot load");
    }
    return h;
}

const bm_export_api *cli_ogr(bm_ctx *ctx)
{
    /* The handle stays open for the life of the process. */
    static const bm_export_api *api;
    if (api)
        return api;
    bm_buf tried = {0};
    void *h = NULL;
    const char *env = getenv("BORDERMAP_PLUGIN_DIR");
    if (env && *env)
        h = try_open(env, &tried);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (!h && n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            h = try_open(exe, &tried);
            if (!h) {
                char dir[PATH_MAX];
                if (snprintf(dir, sizeof dir, "%s/../%s", exe,
                             BM_PLUGIN_INSTALL_DIR) < (int)sizeof dir)
                    h = try_open(dir, &tried);
            }
        }
    }
    if (!h) {
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof dir, "%s/%s", BM_INSTALL_PREFIX,
                     BM_PLUGIN_INSTALL_DIR) < (int)sizeof dir)
            h = try_open(dir, &tried);
    }
    if (!h) {
        bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                    "cannot load the GDAL/OGR plugin %s (looked in %s); set "
                    "BORDERMAP_PLUGIN_DIR to the folder holding it",
                    PLUGIN_NAME, tried.data ? tried.data : "nowhere");
        bm_buf_free(&tried);
        return NULL;
    }
    bm_buf_free(&tried);
    const bm_export_api *(*entry)(void) = NULL;
    *(void **)&entry = dlsym(h, "bm_export_plugin_api");
    const bm_export_api *a = entry ? entry() : NULL;
    if (!a || a->version != BM_EXPORT_API_VERSION) {
        bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                    "%s is not the plugin this bordermap expects (API %d, "
                    "wanted %d)",
                    PLUGIN_NAME, a ? a->version : -1, BM_EXPORT_API_VERSION);
        dlclose(h);
        return NULL;
    }
    api = a;
    return api;
}
