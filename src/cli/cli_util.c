/*
 * cli_util.c - error and warning printing, progress, small helpers.
 */
#include "cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_fail(bm_ctx *ctx)
{
    const char *msg = bm_ctx_error(ctx);
    fprintf(stderr, "bordermap: %s\n", *msg ? msg : "failed");
    return BM_EXIT_FAIL;
}

int cli_fail_code(bm_ctx *ctx, int code)
{
    cli_fail(ctx);
    return code;
}

int cli_exit_for_store(bm_status s)
{
    switch (s) {
    case BM_OK: return BM_EXIT_OK;
    case BM_ERR_DB:
    case BM_ERR_IO:
    case BM_ERR_INPUT:
    case BM_ERR_NOMEM: return BM_EXIT_DB;
    default: return BM_EXIT_FAIL;
    }
}

int cli_fail_db(bm_ctx *ctx)
{
    cli_fail(ctx);
    return cli_exit_for_store(bm_ctx_status(ctx));
}

int cli_set_mode(bm_ctx *ctx, const char *cmd, const char *text)
{
    int mode = bm_parse_file_mode(text);
    if (mode < 0)
        return cli_usage_error(cmd, "--mode '%s' is not a file mode: octal, "
                               "at most 0777, and the owner must read and "
                               "write (0600, 0640, 0644)", text);
    bm_ctx_set_file_mode(ctx, (unsigned)mode);
    umask(0777u & ~bm_dir_mode((unsigned)mode));
    return 0;
}

int cli_check_output(bm_ctx *ctx, const char *path)
{
    if (bm_file_check_new(ctx, path) != BM_OK)
        return cli_fail_code(ctx, BM_EXIT_OUTPUT);
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bordermap %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'bordermap %s --help'.\n", cmd);
    return BM_EXIT_USAGE;
}

void cli_flush_warnings(bm_ctx *ctx)
{
    for (size_t i = 0; i < bm_ctx_warning_count(ctx); i++)
        fprintf(stderr, "bordermap: warning: %s\n", bm_ctx_warning(ctx, i));
    bm_ctx_clear_warnings(ctx);
}

int cli_parse_format(const char *text, unsigned allowed)
{
    int f = -1;
    if (strcmp(text, "text") == 0)
        f = CLI_TEXT;
    else if (strcmp(text, "json") == 0)
        f = CLI_JSON;
    else if (strcmp(text, "jsonl") == 0)
        f = CLI_JSONL;
    if (f < 0 || !(allowed & (1u << f)))
        return -1;
    return f;
}

static void progress_cb(void *user, const char *stage, size_t done,
                        size_t total, const char *subject)
{
    (void)user;
    if (total)
        fprintf(stderr, "\r\033[K%s %zu/%zu %s", stage, done, total,
                subject ? subject : "");
    else
        fprintf(stderr, "\r\033[K%s %zu %s", stage, done,
                subject ? subject : "");
    if (total && done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

void cli_enable_progress(bm_ctx *ctx, int quiet)
{
    if (!quiet && isatty(STDERR_FILENO))
        bm_ctx_set_progress(ctx, progress_cb, NULL);
}

/* mkdir with the folder mode that goes with the context's file mode (the
 * umask could take search bits away); an existing folder is left as is. */
static int make_dir(bm_ctx *ctx, const char *dir)
{
    unsigned mode = bm_dir_mode(bm_ctx_file_mode(ctx));
    if (mkdir(dir, mode) == 0) {
        (void)chmod(dir, mode);
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    int e = errno;
    bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot create folder: %s", dir,
                strerror(e));
    return -1;
}

int cli_ensure_parent(bm_ctx *ctx, const char *path)
{
    char *copy = strdup(path);
    if (!copy) {
        bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
        return -1;
    }
    char *slash = strrchr(copy, '/');
    if (!slash || slash == copy) {
        free(copy);
        return 0;
    }
    *slash = '\0';
    /* mkdir -p */
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (make_dir(ctx, copy) != 0) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    if (make_dir(ctx, copy) != 0) {
        free(copy);
        return -1;
    }
    free(copy);
    return 0;
}

int cli_set_date_override(cli_report_overrides *ov, const char *cmd,
                          const char *text)
{
    if (!bm_date_parse(text, strlen(text), ov->date_iso, &ov->date_prec))
        return cli_usage_error(cmd, "--date '%s' is not a date (2024-01-18, "
                               "2024-01, \"Jan. 18, 2024\")", text);
    ov->date_arg = text;
    return 0;
}

bm_status cli_geoparse_file(bm_ctx *ctx, const bm_gazetteer *gz,
                            bm_extractor *ex, const char *path,
                            const cli_report_overrides *ov, bm_report **r,
                            bm_mentions *m, bm_incidents *inc)
{
    bm_status s = bm_report_load(ctx, path, r);
    if (s == BM_OK && ov && (ov->date_arg || ov->source))
        s = bm_report_override(ctx, *r, ov->date_arg ? ov->date_iso : NULL,
                               ov->date_prec, ov->source);
    if (s == BM_OK)
        s = bm_geoparse_mentions(ctx, gz, *r, m);
    if (s == BM_OK)
        s = bm_geoparse_incidents_ex(ctx, gz, ex, *r, m, inc);
    return s;
}

void cli_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    json_object *o = json_object_new_string(s);
    fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                JSON_C_TO_STRING_NOSLASHESCAPE),
          f);
    json_object_put(o);
}

void cli_date_label(const bm_incident *x, char *buf, size_t size)
{
    static const char *const months[12] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    const char *d = x->date;
    if (!d || !bm_date_valid(d)) {
        snprintf(buf, size, "undated");
        return;
    }
    int y = atoi(d), m = strlen(d) >= 7 ? atoi(d + 5) : 0;
    const char *s = x->date_start, *e = x->date_end;
    int d0 = s && strlen(s) == 10 ? atoi(s + 8) : 0;
    int d1 = e && strlen(e) == 10 ? atoi(e + 8) : 0;
    int m0 = s && strlen(s) == 10 ? atoi(s + 5) : 0;
    int m1 = e && strlen(e) == 10 ? atoi(e + 5) : 0;
    switch (x->date_precision) {
    case BM_DATE_MONTH:
        if (m)
            snprintf(buf, size, "%s %d", months[m - 1], y);
        else
            snprintf(buf, size, "%s", d);
        return;
    case BM_DATE_PERIOD:
        if (m && m0 == m && m1 == m && d0 == 1 && d1 == 10)
            snprintf(buf, size, "early %s %d", months[m - 1], y);
        else if (m && m0 == m && m1 == m && d0 == 11 && d1 == 20)
            snprintf(buf, size, "mid-%s %d", months[m - 1], y);
        else if (m && m0 == m && m1 == m && d0 == 21 && d1 >= 28)
            snprintf(buf, size, "late %s %d", months[m - 1], y);
        else if (s && e)
            snprintf(buf, size, "%s .. %s", s, e);
        else
            snprintf(buf, size, "%s (part)", d);
        return;
    case BM_DATE_SEASON: {
        static const char *const seasons[] = {"winter", "", "", "spring", "",
                                              "", "summer", "", "",
                                              "autumn", "", ""};
        if (m0 && (m1 - m0 + 12) % 12 == 2 && d0 == 1 && *seasons[m0 % 12])
            snprintf(buf, size, "%s %d", seasons[m0 % 12], y);
        else if (m0 == 1 && m1 == 4)
            snprintf(buf, size, "early %d", y);
        else if (m0 == 5 && m1 == 8)
            snprintf(buf, size, "mid-%d", y);
        else if (m0 == 9 && m1 == 12)
            snprintf(buf, size, "late %d", y);
        else if (s && e)
            snprintf(buf, size, "%s .. %s", s, e);
        else
            snprintf(buf, size, "%s", d);
        return;
    }
    case BM_DATE_REPORTED:
        snprintf(buf, size, "by %s (report)", d);
        return;
    default:
        snprintf(buf, size, "%s", d);
        return;
    }
}

const char *cli_date_short(const bm_incident *e, char *buf, size_t size)
{
    if (!e->date)
        return "undated";
    if (e->date_precision == BM_DATE_NONE)
        return e->date;
    snprintf(buf, size, "%s %s", e->date,
             bm_date_precision_name(e->date_precision));
    return buf;
}
