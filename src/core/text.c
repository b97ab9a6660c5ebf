/*
 * text.c - buffers, reading text files safely, Unicode folding (utf8proc),
 * hashing (GLib), distance parsing, and the shared incident type.
 */
#include "bm_core.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- buffers ------------------------------------------------------------- */

static bm_status buf_reserve(bm_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return BM_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BM_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *d = realloc(b->data, cap);
    if (!d)
        return BM_ERR_NOMEM;
    b->data = d;
    b->cap = cap;
    return BM_OK;
}

bm_status bm_buf_append(bm_buf *b, const char *s, size_t n)
{
    bm_status st = buf_reserve(b, n);
    if (st != BM_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BM_OK;
}

bm_status bm_buf_puts(bm_buf *b, const char *s)
{
    return bm_buf_append(b, s, strlen(s));
}

bm_status bm_buf_printf(bm_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return BM_ERR_USAGE;
    }
    bm_status st = buf_reserve(b, (size_t)n);
    if (st == BM_OK) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
    return st;
}

void bm_buf_reset(bm_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *bm_buf_take(bm_buf *b)
{
    char *d = b->data;
    if (!d)
        d = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void bm_buf_free(bm_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- UTF-8 --------------------------------------------------------------- */

int bm_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            if (bad_offset)
                *bad_offset = i;
            return 0;
        }
        i += (size_t)n;
    }
    return 1;
}

size_t bm_utf8_codepoints(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

bm_status bm_read_text_file(bm_ctx *ctx, const char *path, char **out,
                            size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    /* Open first, then look at what was opened: no window between a check
     * and the open, and O_NONBLOCK keeps a FIFO from blocking the open. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot read: %s", path,
                           strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot read: %s", path,
                           strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: %s, not a regular file", path,
                           S_ISDIR(sb.st_mode)    ? "is a folder"
                           : S_ISFIFO(sb.st_mode) ? "is a FIFO (named pipe)"
                           : S_ISSOCK(sb.st_mode) ? "is a socket"
                                                  : "is a device");
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot open: %s", path,
                           strerror(e));
    }
    bm_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (bm_buf_append(&b, chunk, n) != BM_OK) {
            fclose(f);
            bm_buf_free(&b);
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: read error: %s", path,
                           strerror(err));
    }
    if (b.len && memchr(b.data, '\0', b.len)) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: binary file (contains NUL bytes), not a text "
                           "report",
                           path);
    }
    size_t bad;
    if (b.len && !bm_utf8_valid(b.data, b.len, &bad)) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (b.data[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s:%zu: invalid UTF-8 at byte %zu (column %zu); "
                           "reports must be UTF-8 text",
                           path, line, bad, col);
    }
    /* Drop a BOM; CRLF and lone CR become LF. */
    char *d = b.data ? b.data : NULL;
    size_t r = 0, w = 0;
    if (d && b.len >= 3 && (unsigned char)d[0] == 0xEF &&
        (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
        r = 3;
    for (; d && r < b.len; r++) {
        if (d[r] == '\r') {
            d[w++] = '\n';
            if (r + 1 < b.len && d[r + 1] == '\n')
                r++;
        } else {
            d[w++] = d[r];
        }
    }
    b.len = w;
    if (d)
        d[w] = '\0';
    if (len)
        *len = b.len;
    *out = bm_buf_take(&b);
    if (!*out)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    return BM_OK;
}

/* Apostrophes and similar marks that romanizations use inside words. */
static int is_apostrophe(utf8proc_int32_t c)
{
    return c == '\'' || c == '`' || c == 0x2018 || c == 0x2019 ||
           c == 0x02BC || c == 0x02BB || c == 0x00B4 || c == 0x02B9 ||
           c == 0x2032;
}

char *bm_fold(const char *s, size_t len)
{
    if (!s)
        return NULL;
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n = utf8proc_map(
        (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &mapped,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
            UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    if (n < 0)
        return NULL;
    bm_buf b = {0};
    int pending_space = 0;
    utf8proc_ssize_t i = 0;
    while (i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(mapped + i, n - i, &c);
        if (k <= 0)
            break;
        const char *src = (const char *)mapped + i;
        i += k;
        if (is_apostrophe(c))
            continue;
        utf8proc_category_t cat = utf8proc_category(c);
        int sep = c == '-' || c == '.' || c == ',' || c == '_' || c == '/' ||
                  c == '(' || c == ')' || c == '"' ||
                  cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_PD ||
                  cat == UTF8PROC_CATEGORY_CC;
        if (sep) {
            pending_space = b.len > 0;
            continue;
        }
        if (pending_space) {
            bm_buf_append(&b, " ", 1);
            pending_space = 0;
        }
        bm_buf_append(&b, src, (size_t)k);
    }
    free(mapped);
    return bm_buf_take(&b);
}

void bm_sha256_hex(const void *data, size_t len, char out[65])
{
    gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                             (const guchar *)data, len);
    if (hex) {
        memcpy(out, hex, 64);
        g_free(hex);
    } else {
        memset(out, '0', 64);
    }
    out[64] = '\0';
}

bm_status bm_parse_distance(bm_ctx *ctx, const char *text, double *metres)
{
    if (!text || !*text)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "empty distance");
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v < 0)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "'%s' is not a distance (try 30km, 2500m or 12.5)",
                           text);
    while (*end == ' ')
        end++;
    double scale;
    if (*end == '\0' || strcmp(end, "km") == 0 || strcmp(end, "KM") == 0 ||
        strcmp(end, "Km") == 0)
        scale = 1000.0;
    else if (strcmp(end, "m") == 0)
        scale = 1.0;
    else if (strcmp(end, "mi") == 0)
        scale = 1609.344;
    else
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "'%s': unknown unit '%s' (use km, m or mi)", text,
                           end);
    *metres = v * scale;
    return BM_OK;
}

/* ---- names of enums ---------------------------------------------------------- */

const char *bm_precision_name(bm_precision p)
{
    switch (p) {
    case BM_PREC_EXACT: return "town";
    case BM_PREC_COUNTY: return "county";
    case BM_PREC_PROVINCE: return "province";
    case BM_PREC_COUNTRY: return "country";
    case BM_PREC_UNKNOWN: return "unknown";
    }
    return "unknown";
}

const char *bm_date_precision_name(bm_date_precision p)
{
    switch (p) {
    case BM_DATE_NONE: return "none";
    case BM_DATE_DAY: return "day";
    case BM_DATE_MONTH: return "month";
    case BM_DATE_YEAR: return "year";
    case BM_DATE_PERIOD: return "period";
    case BM_DATE_SEASON: return "season";
    case BM_DATE_REPORTED: return "reported";
    }
    return "none";
}

int bm_date_precision_parse(const char *name)
{
    if (!name)
        return -1;
    for (int p = BM_DATE_NONE; p <= BM_DATE_PRECISION_LAST; p++)
        if (strcasecmp(name, bm_date_precision_name((bm_date_precision)p)) ==
            0)
            return p;
    return -1;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int bm_days_in_month(int year, int month)
{
    static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 &&
        ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return dm[month - 1];
}

int bm_date_valid(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if ((n != 4 && n != 7 && n != 10) || !digits(s, 4))
        return 0;
    if (n == 4)
        return 1;
    if (s[4] != '-' || !digits(s + 5, 2))
        return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    if (n == 7)
        return 1;
    if (s[7] != '-' || !digits(s + 8, 2))
        return 0;
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    return d >= 1 && d <= 31;
}

/* ---- incidents ----------------------------------------------------------------- */

const char *bm_incident_status_name(bm_incident_status s)
{
    switch (s) {
    case BM_STATUS_AUTO: return "auto";
    case BM_STATUS_REVIEWED: return "reviewed";
    case BM_STATUS_MANUAL: return "manual";
    }
    return "auto";
}

int bm_incident_status_parse(const char *text)
{
    if (!text)
        return -1;
    if (strcmp(text, "auto") == 0)
        return BM_STATUS_AUTO;
    if (strcmp(text, "reviewed") == 0)
        return BM_STATUS_REVIEWED;
    if (strcmp(text, "manual") == 0)
        return BM_STATUS_MANUAL;
    return -1;
}

/* The owned strings of a bm_incident, for clear and copy. */
#define BM_INCIDENT_STRINGS(X)                                                \
    X(report_title) X(report_path) X(report_source) X(report_url) X(type)     \
    X(date) X(actor) X(place_name) X(place_id) X(country) X(admin1)           \
    X(admin2) X(surface) X(sentence) X(evidence_more) X(date_start)          \
    X(date_end) X(created) X(updated)

void bm_incident_clear(bm_incident *inc)
{
    if (!inc)
        return;
#define FREE_FIELD(f) free(inc->f);
    BM_INCIDENT_STRINGS(FREE_FIELD)
#undef FREE_FIELD
    memset(inc, 0, sizeof *inc);
}

static int dup_field(char **dst, const char *src)
{
    if (!src) {
        *dst = NULL;
        return 0;
    }
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

bm_status bm_incident_copy(bm_incident *dst, const bm_incident *src)
{
    *dst = *src;
    /* No field may point at src's strings when a failure clears dst. */
#define NULL_FIELD(f) dst->f = NULL;
    BM_INCIDENT_STRINGS(NULL_FIELD)
#undef NULL_FIELD
    int bad = 0;
#define COPY_FIELD(f) bad |= dup_field(&dst->f, src->f);
    BM_INCIDENT_STRINGS(COPY_FIELD)
#undef COPY_FIELD
    if (bad) {
        bm_incident_clear(dst);
        return BM_ERR_NOMEM;
    }
    return BM_OK;
}

int bm_date_range(const char *date, bm_date_precision p, char start[11],
                  char end[11])
{
    start[0] = end[0] = '\0';
    if (p == BM_DATE_NONE || !bm_date_valid(date))
        return 0;
    size_t n = strlen(date);
    int y = atoi(date);
    int m0 = n >= 7 ? atoi(date + 5) : 1, m1 = n >= 7 ? m0 : 12;
    int d0 = n == 10 ? atoi(date + 8) : 1;
    int d1 = n == 10 ? d0 : bm_days_in_month(y, m1);
    if (d0 > bm_days_in_month(y, m0))
        return 0; /* "2024-02-31" */
    if (p != BM_DATE_REPORTED)
        snprintf(start, 11, "%04d-%02d-%02d", y, m0, d0);
    snprintf(end, 11, "%04d-%02d-%02d", y, m1, d1);
    return 1;
}

bm_date_precision bm_date_precision_of(const char *date, bm_date_precision p)
{
    if (p != BM_DATE_NONE || !bm_date_valid(date))
        return p;
    size_t n = strlen(date);
    return n == 10 ? BM_DATE_DAY : n == 7 ? BM_DATE_MONTH : BM_DATE_YEAR;
}

int bm_incident_range(const bm_incident *inc, char start[11], char end[11])
{
    const char *de = inc->date_end, *ds = inc->date_start;
    if (de && strlen(de) == 10 && bm_date_valid(de)) {
        int ok = ds && strlen(ds) == 10 && bm_date_valid(ds);
        snprintf(start, 11, "%s", ok ? ds : "");
        snprintf(end, 11, "%s", de);
        return 1;
    }
    return bm_date_range(inc->date,
                         bm_date_precision_of(inc->date, inc->date_precision),
                         start, end);
}
