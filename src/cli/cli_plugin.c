/*
 * cli_plugin.c - loads the plugins that hold the heavy libraries, only in
 * the commands that need them: bordermap-ogr.so (GDAL/OGR: export, import,
 * render's basemap) and bordermap-render.so (cairo and pango: render), so
 * that the other commands start without loading them.
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

#define OGR_PLUGIN "bordermap-ogr.so"
#define RENDER_PLUGIN "bordermap-render.so"

static void *try_open(const char *dir, const char *name, bm_buf *tried)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >=
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

/* Opens the plugin file name from the first folder that has it: see the
 * search order above. NULL with the context's error set when none can be
 * loaded. The handle stays open for the life of the process. */
static void *plugin_open(bm_ctx *ctx, const char *name, const char *what)
{
    bm_buf tried = {0};
    void *h = NULL;
    const char *env = getenv("BORDERMAP_PLUGIN_DIR");
    if (env && *env)
        h = try_open(env, name, &tried);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (!h && n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            h = try_open(exe, name, &tried);
            if (!h) {
                char dir[PATH_MAX];
                if (snprintf(dir, sizeof dir, "%s/../%s", exe,
                             BM_PLUGIN_INSTALL_DIR) < (int)sizeof dir)
                    h = try_open(dir, name, &tried);
            }
        }
    }
    if (!h) {
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof dir, "%s/%s", BM_INSTALL_PREFIX,
                     BM_PLUGIN_INSTALL_DIR) < (int)sizeof dir)
            h = try_open(dir, name, &tried);
    }
    if (!h)
        bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                    "cannot load the %s plugin %s (looked in %s); set "
                    "BORDERMAP_PLUGIN_DIR to the folder holding it",
                    what, name, tried.data ? tried.data : "nowhere");
    bm_buf_free(&tried);
    return h;
}

/* Checks a plugin's table (NULL: no entry point) against the API version
 * this program was built with; closes the handle when it does not fit. */
static int plugin_fits(bm_ctx *ctx, void *h, const char *name,
                       const int *version, int want)
{
    if (version && *version == want)
        return 1;
    bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                "%s is not the plugin this bordermap expects (API %d, "
                "wanted %d)",
                name, version ? *version : -1, want);
    dlclose(h);
    return 0;
}

const bm_export_api *cli_ogr(bm_ctx *ctx)
{
    static const bm_export_api *api;
    if (api)
        return api;
    void *h = plugin_open(ctx, OGR_PLUGIN, "GDAL/OGR");
    if (!h)
        return NULL;
    const bm_export_api *(*entry)(void) = NULL;
    *(void **)&entry = dlsym(h, "bm_export_plugin_api");
    const bm_export_api *a = entry ? entry() : NULL;
    if (plugin_fits(ctx, h, OGR_PLUGIN, a ? &a->version : NULL,
                    BM_EXPORT_API_VERSION))
        api = a;
    return api;
}

const bm_render_api *cli_render(bm_ctx *ctx)
{
    static const bm_render_api *api;
    if (api)
        return api;
    void *h = plugin_open(ctx, RENDER_PLUGIN, "cairo/pango");
    if (!h)
        return NULL;
    const bm_render_api *(*entry)(void) = NULL;
    *(void **)&entry = dlsym(h, "bm_render_plugin_api");
    const bm_render_api *a = entry ? entry() : NULL;
    if (plugin_fits(ctx, h, RENDER_PLUGIN, a ? &a->version : NULL,
                    BM_RENDER_API_VERSION))
        api = a;
    return api;
}
