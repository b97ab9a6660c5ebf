/*
 * core.c - bm_ctx: error messages, warnings, progress and the data
 * directory. See bm_core.h for ownership rules.
 */
#include "bm_core.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct bm_ctx {
    char error[2048];
    bm_status error_status; /* of the last bm_ctx_fail */
    unsigned file_mode;     /* of the files bordermap creates */
    int replace;            /* outputs may replace existing files */
    char **warnings;
    size_t nwarnings, capwarnings;
    bm_progress_fn progress;
    void *progress_user;
    char *data_dir;         /* given or resolved; owned */
    int data_dir_resolved;
};

const char *bm_status_name(bm_status st)
{
    switch (st) {
    case BM_OK: return "ok";
    case BM_ERR_NOMEM: return "out of memory";
    case BM_ERR_IO: return "io";
    case BM_ERR_INPUT: return "input";
    case BM_ERR_NOTFOUND: return "not found";
    case BM_ERR_DB: return "database";
    case BM_ERR_GDAL: return "gdal";
    case BM_ERR_PROJ: return "proj";
    case BM_ERR_RENDER: return "render";
    case BM_ERR_USAGE: return "usage";
    case BM_ERR_DUPLICATE: return "duplicate";
    }
    return "unknown";
}

bm_ctx *bm_ctx_new(const char *data_dir)
{
    bm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->file_mode = BM_DEFAULT_FILE_MODE;
    ctx->replace = 1; /* the program turns this off unless --force */
    if (data_dir) {
        ctx->data_dir = strdup(data_dir);
        if (!ctx->data_dir) {
            free(ctx);
            return NULL;
        }
    }
    return ctx;
}

void bm_ctx_free(bm_ctx *ctx)
{
    if (!ctx)
        return;
    bm_ctx_clear_warnings(ctx);
    free(ctx->warnings);
    free(ctx->data_dir);
    free(ctx);
}

bm_status bm_ctx_vfail(bm_ctx *ctx, bm_status st, const char *fmt, va_list ap)
{
    if (ctx) {
        vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
        ctx->error_status = st;
    }
    return st;
}

bm_status bm_ctx_fail(bm_ctx *ctx, bm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bm_ctx_vfail(ctx, st, fmt, ap);
    va_end(ap);
    return st;
}

const char *bm_ctx_error(const bm_ctx *ctx)
{
    return ctx ? ctx->error : "";
}

bm_status bm_ctx_status(const bm_ctx *ctx)
{
    return ctx ? ctx->error_status : BM_OK;
}

void bm_ctx_clear_error(bm_ctx *ctx)
{
    if (ctx) {
        ctx->error[0] = '\0';
        ctx->error_status = BM_OK;
    }
}

void bm_ctx_warn(bm_ctx *ctx, const char *fmt, ...)
{
    if (!ctx)
        return;
    char **w = bm_grow(ctx->warnings, &ctx->capwarnings, ctx->nwarnings + 1,
                       sizeof *w);
    if (!w)
        return;
    ctx->warnings = w;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *copy = strdup(buf);
    if (copy)
        ctx->warnings[ctx->nwarnings++] = copy;
}

size_t bm_ctx_warning_count(const bm_ctx *ctx)
{
    return ctx ? ctx->nwarnings : 0;
}

const char *bm_ctx_warning(const bm_ctx *ctx, size_t index)
{
    return ctx && index < ctx->nwarnings ? ctx->warnings[index] : NULL;
}

void bm_ctx_clear_warnings(bm_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->nwarnings; i++)
        free(ctx->warnings[i]);
    ctx->nwarnings = 0;
}

void bm_ctx_set_progress(bm_ctx *ctx, bm_progress_fn fn, void *user)
{
    if (!ctx)
        return;
    ctx->progress = fn;
    ctx->progress_user = user;
}

void bm_ctx_progress(bm_ctx *ctx, const char *stage, size_t done, size_t total,
                     const char *subject)
{
    if (ctx && ctx->progress)
        ctx->progress(ctx->progress_user, stage, done, total, subject);
}

/* ---- data directory ------------------------------------------------------ */

static int has_gazetteer(const char *dir)
{
    char path[PATH_MAX];
    struct stat sb;
    if (snprintf(path, sizeof path, "%s/gazetteer/places.tsv", dir) >=
        (int)sizeof path)
        return 0;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* <dir of the executable>/../<datadir> for a relocated install. */
static char *exe_relative_data_dir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/../%s", exe, BM_INSTALL_DATADIR) >=
        (int)sizeof path)
        return NULL;
    return strdup(path);
}

const char *bm_ctx_data_dir(bm_ctx *ctx)
{
    if (!ctx)
        return NULL;
    if (ctx->data_dir_resolved)
        return ctx->data_dir;
    if (ctx->data_dir) { /* given explicitly: must hold the data */
        if (!has_gazetteer(ctx->data_dir)) {
            bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                        "%s: not a bordermap data folder "
                        "(no gazetteer/places.tsv in it)",
                        ctx->data_dir);
            return NULL;
        }
        ctx->data_dir_resolved = 1;
        return ctx->data_dir;
    }
    const char *env = getenv("BORDERMAP_DATA");
    if (env && *env) {
        if (!has_gazetteer(env)) {
            bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                        "BORDERMAP_DATA=%s: not a bordermap data folder "
                        "(no gazetteer/places.tsv in it)",
                        env);
            return NULL;
        }
        ctx->data_dir = strdup(env);
    } else {
        char *rel = exe_relative_data_dir();
        char installed[PATH_MAX];
        snprintf(installed, sizeof installed, "%s/%s", BM_INSTALL_PREFIX,
                 BM_INSTALL_DATADIR);
        if (rel && has_gazetteer(rel)) {
            ctx->data_dir = rel;
            rel = NULL;
        } else if (has_gazetteer(BM_SOURCE_DIR)) {
            /* running from the build tree */
            ctx->data_dir = strdup(BM_SOURCE_DIR);
        } else if (has_gazetteer(installed)) {
            ctx->data_dir = strdup(installed);
        }
        free(rel);
        if (!ctx->data_dir) {
            bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                        "cannot find bordermap's data (gazetteer/places.tsv): "
                        "looked in %s and %s; set BORDERMAP_DATA or pass "
                        "--data-dir",
                        installed, BM_SOURCE_DIR);
            return NULL;
        }
    }
    if (!ctx->data_dir) {
        bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
        return NULL;
    }
    ctx->data_dir_resolved = 1;
    return ctx->data_dir;
}

char *bm_ctx_data_path(bm_ctx *ctx, const char *relative)
{
    const char *dir = bm_ctx_data_dir(ctx);
    if (!dir)
        return NULL;
    bm_buf b = {0};
    if (bm_buf_printf(&b, "%s/%s", dir, relative) != BM_OK) {
        bm_buf_free(&b);
        return NULL;
    }
    return bm_buf_take(&b);
}

/* ---- files bordermap writes ---------------------------------------------- */

void bm_ctx_set_file_mode(bm_ctx *ctx, unsigned mode)
{
    if (ctx)
        ctx->file_mode = mode & 0777u;
}

unsigned bm_ctx_file_mode(const bm_ctx *ctx)
{
    return ctx ? ctx->file_mode : BM_DEFAULT_FILE_MODE;
}

unsigned bm_dir_mode(unsigned file_mode)
{
    return (file_mode | ((file_mode & 0444u) >> 2)) & 0777u;
}

void bm_ctx_set_replace(bm_ctx *ctx, int replace)
{
    if (ctx)
        ctx->replace = replace != 0;
}

int bm_ctx_replace(const bm_ctx *ctx)
{
    return ctx && ctx->replace;
}

int bm_parse_file_mode(const char *text)
{
    if (!text)
        return -1;
    if (text[0] == '0' && (text[1] == 'o' || text[1] == 'O'))
        text += 2;
    if (!*text || strlen(text) > 4)
        return -1;
    unsigned v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '7')
            return -1;
        v = v * 8 + (unsigned)(*p - '0');
    }
    if (v > 0777u || (v & 0600u) != 0600u)
        return -1;
    return (int)v;
}

static bm_status exists_error(bm_ctx *ctx, const char *path)
{
    return bm_ctx_fail(ctx, BM_ERR_IO,
                       "%s: already exists; not replaced (pass --force to "
                       "replace it)", path);
}

bm_status bm_file_check_new(bm_ctx *ctx, const char *path)
{
    struct stat sb;
    if (!bm_ctx_replace(ctx) && lstat(path, &sb) == 0)
        return exists_error(ctx, path);
    return BM_OK;
}

bm_status bm_file_commit(bm_ctx *ctx, const char *tmp, const char *path)
{
    if (chmod(tmp, bm_ctx_file_mode(ctx)) != 0) {
        int e = errno;
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot set the mode of %s: %s",
                           path, tmp, strerror(e));
    }
    if (bm_ctx_replace(ctx)) {
        if (rename(tmp, path) != 0) {
            int e = errno;
            return bm_ctx_fail(ctx, BM_ERR_IO,
                               "%s: cannot move %s into place: %s", path, tmp,
                               strerror(e));
        }
        return BM_OK;
    }
    /* link() fails with EEXIST when path exists: check and move in one
     * step. File systems without hard links get a check, then rename. */
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return BM_OK;
    }
    int e = errno;
    if (e == EEXIST)
        return exists_error(ctx, path);
    if (e == EPERM || e == ENOTSUP || e == EXDEV ||
        e == EMLINK || e == ENOSYS) {
        struct stat sb;
        if (lstat(path, &sb) == 0)
            return exists_error(ctx, path);
        if (rename(tmp, path) == 0)
            return BM_OK;
        e = errno;
    }
    return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot move %s into place: %s",
                       path, tmp, strerror(e));
}
