/*
 * report.c - reading a report file into a bm_report: header or seed layout,
 * the date in the header, the body and its SHA-256.
 */
#include "bm_geoparse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- dates ------------------------------------------------------------- */

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

int bm_month_from_word(const char *w, size_t n)
{
    char low[16];
    /* the longest form is "september." */
    if (n < 3 || n > 10)
        return 0;
    /* most words: not the initial of a month (j f m a s o n d) */
    switch (w[0] | 32) {
    case 'j': case 'f': case 'm': case 'a': case 's': case 'o': case 'n':
    case 'd':
        break;
    default:
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        /* tolower() of the C locale the program runs in */
        low[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
    }
    low[n] = '\0';
    if (low[n - 1] == '.')
        low[--n] = '\0';
    if (n < 3)
        return 0;
    if (n == 4 && memcmp(low, "sept", 4) == 0)
        return 9;
    static const unsigned char month_len[12] = {7, 8, 5, 5, 3, 4,
                                                4, 6, 9, 7, 8, 8};
    for (int m = 0; m < 12; m++) {
        if (low[0] != month_names[m][0])
            continue;
        size_t full = month_len[m];
        /* Full name, or an abbreviation of at least three letters. */
        if (n <= full && (n == full || n == 3 || (n == 4 && m == 8)) &&
            memcmp(low, month_names[m], n) == 0)
            return m + 1;
    }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* Reads digits at *p (at most max), returns the count read. */
static int read_num(const char **p, const char *end, int max, int *val)
{
    int n = 0, v = 0;
    while (*p < end && n < max && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *val = v;
    return n;
}

static void skip_space(const char **p, const char *end)
{
    while (*p < end && (isspace((unsigned char)**p) || **p == ','))
        (*p)++;
}

/* Reads a run of letters and an optional dot. */
static size_t read_word(const char **p, const char *end)
{
    const char *s = *p;
    while (*p < end && isalpha((unsigned char)**p))
        (*p)++;
    if (*p < end && **p == '.' && *p > s)
        (*p)++;
    return (size_t)(*p - s);
}

static int format_date(int y, int m, int d, char out[11],
                       bm_date_precision *prec)
{
    char tmp[32];
    if (y < 1000 || y > 9999)
        return 0;
    if (m == 0) {
        snprintf(tmp, sizeof tmp, "%04d", y);
        *prec = BM_DATE_YEAR;
    } else if (m < 1 || m > 12) {
        return 0;
    } else if (d == 0) {
        snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
        *prec = BM_DATE_MONTH;
    } else if (d < 1 || d > days_in_month(y, m)) {
        return 0;
    } else {
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
        *prec = BM_DATE_DAY;
    }
    memcpy(out, tmp, 10);
    out[10] = '\0';
    return 1;
}

/* After the year: the end, or a time or zone after a separator
 * ("October 16, 2023, 3:06 p.m. ET"), but not more digits or letters. */
static int date_end(const char *q, const char *end)
{
    return q == end || *q == ',' || *q == ' ' || *q == 'T';
}

int bm_date_parse(const char *text, size_t len, char out[11],
                  bm_date_precision *prec)
{
    out[0] = '\0';
    *prec = BM_DATE_NONE;
    if (!text)
        return 0;
    const char *p = text, *end = text + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (p == end)
        return 0;

    if (isdigit((unsigned char)*p)) {
        const char *q = p;
        int a;
        int na = read_num(&q, end, 4, &a);
        if (na == 4) {
            /* 2024, 2024-01, 2024-01-18, 2024/01/18, 2024-01-18T09:00... */
            int y = a, m = 0, d = 0;
            if (q < end && (*q == '-' || *q == '/' || *q == '.')) {
                char sep = *q++;
                if (read_num(&q, end, 2, &m) == 0)
                    return 0;
                if (q < end && *q == sep) {
                    q++;
                    if (read_num(&q, end, 2, &d) == 0)
                        return 0;
                }
            }
            if (q < end && !(*q == 'T' || *q == ' '))
                return 0;
            return format_date(y, m, d, out, prec);
        }
        /* 18 January 2024, 18 Jan. 2024 */
        if (na >= 1 && na <= 2) {
            int d = a;
            skip_space(&q, end);
            const char *w = q;
            size_t wn = read_word(&q, end);
            int m = bm_month_from_word(w, wn);
            if (!m)
                return 0;
            skip_space(&q, end);
            int y;
            if (read_num(&q, end, 4, &y) != 4 || !date_end(q, end))
                return 0;
            return format_date(y, m, d, out, prec);
        }
        return 0;
    }
    if (isalpha((unsigned char)*p)) {
        /* January 18, 2024; Jan. 18, 2024; January 2024; Sept. 2024 */
        const char *q = p;
        size_t wn = read_word(&q, end);
        int m = bm_month_from_word(p, wn);
        if (!m)
            return 0;
        skip_space(&q, end);
        int a, y, d = 0;
        int na = read_num(&q, end, 4, &a);
        if (na == 4) {
            y = a;
        } else if (na >= 1 && na <= 2) {
            d = a;
            /* 18th, 1st ... */
            while (q < end && isalpha((unsigned char)*q))
                q++;
            skip_space(&q, end);
            if (read_num(&q, end, 4, &y) != 4)
                return 0;
        } else {
            return 0;
        }
        if (!date_end(q, end))
            return 0;
        return format_date(y, m, d, out, prec);
    }
    return 0;
}

/* ---- report ------------------------------------------------------------ */

void bm_report_free(bm_report *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->title);
    free(r->source);
    free(r->url);
    free(r->date);
    free(r->body);
    free(r);
}

static char *dup_trim(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int line_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

enum { KEY_NONE, KEY_TITLE, KEY_SOURCE, KEY_URL, KEY_DATE, KEY_OTHER };

/* Classifies "Key: value" lines; the value goes to val and vlen. A key is a
 * short run of letters (and spaces/hyphens) before a colon. */
static int header_key(const char *s, size_t n, const char **val, size_t *vlen)
{
    size_t i = 0;
    while (i < n && i < 24 &&
           (isalpha((unsigned char)s[i]) || s[i] == ' ' || s[i] == '-'))
        i++;
    if (i == 0 || i >= n || s[i] != ':' || !isalpha((unsigned char)s[0]))
        return KEY_NONE;
    /* a URL ("http:" followed by slashes) is not a key */
    if (i + 1 < n && s[i + 1] == '/')
        return KEY_NONE;
    *val = s + i + 1;
    *vlen = n - i - 1;
    size_t kn = i;
    while (kn && s[kn - 1] == ' ')
        kn--;
    struct {
        const char *k;
        int id;
    } keys[] = {{"title", KEY_TITLE}, {"source", KEY_SOURCE},
                {"url", KEY_URL},     {"date", KEY_DATE},
                {"link", KEY_URL},    {"published", KEY_DATE}};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (strlen(keys[k].k) == kn && strncasecmp(s, keys[k].k, kn) == 0)
            return keys[k].id;
    return KEY_OTHER;
}

static bm_status set_field(char **dst, const char *v, size_t n)
{
    free(*dst);
    *dst = dup_trim(v, n);
    return *dst ? BM_OK : BM_ERR_NOMEM;
}

/* report_parse() flags */
enum {
    RP_CHECKED = 1u, /* the text is known to be UTF-8 without NUL bytes */
    RP_NO_HASH = 2u  /* leave sha256 empty */
};

static bm_status report_parse(bm_ctx *ctx, const char *path, const char *text,
                              size_t len, unsigned flags, bm_report **out)
{
    *out = NULL;
    if (!text)
        return bm_ctx_fail(ctx, BM_ERR_USAGE, "%s: no text",
                           path ? path : "(report)");
    const char *name = path ? path : "(report)";
    size_t bad;
    if (!(flags & RP_CHECKED) && memchr(text, '\0', len))
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: binary data (NUL bytes), not a text report",
                           name);
    if (!(flags & RP_CHECKED) && !bm_utf8_valid(text, len, &bad))
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: invalid UTF-8 at byte %zu", name, bad);

    bm_report *r = calloc(1, sizeof *r);
    if (!r)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", name);
    bm_status st = BM_OK;
    if (path && !(r->path = strdup(path)))
        goto nomem;

    /* Header layout: line 1 is a known key. */
    const char *body = text;
    size_t body_len = len;
    const char *nl = memchr(text, '\n', len);
    size_t l1 = nl ? (size_t)(nl - text) : len;
    const char *v;
    size_t vn;
    int k1 = header_key(text, l1, &v, &vn);
    if (k1 != KEY_NONE && k1 != KEY_OTHER) {
        r->has_header = 1;
        const char *p = text, *end = text + len;
        const char *date_v = NULL;
        size_t date_n = 0;
        body = end;
        while (p < end) {
            const char *e = memchr(p, '\n', (size_t)(end - p));
            size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
            const char *next = e ? e + 1 : end;
            if (line_blank(p, n)) {
                body = next;
                break;
            }
            int k = header_key(p, n, &v, &vn);
            if (k == KEY_NONE) {
                /* no blank line after the header: the body starts here */
                body = p;
                break;
            }
            char **dst = NULL;
            switch (k) {
            case KEY_TITLE: dst = &r->title; break;
            case KEY_SOURCE: dst = &r->source; break;
            case KEY_URL: dst = &r->url; break;
            case KEY_DATE:
                date_v = v;
                date_n = vn;
                break;
            default: break; /* other keys ("Author:") are ignored */
            }
            if (dst && set_field(dst, v, vn) != BM_OK)
                goto nomem;
            p = next;
        }
        body_len = (size_t)(end - body);
        if (date_v) {
            char iso[11];
            bm_date_precision dp;
            char *dv = dup_trim(date_v, date_n);
            if (!dv)
                goto nomem;
            if (bm_date_parse(dv, strlen(dv), iso, &dp)) {
                if (!(r->date = strdup(iso))) {
                    free(dv);
                    goto nomem;
                }
                r->date_precision = dp;
            } else if (*dv && strcasecmp(dv, "unknown") != 0 &&
                       strcasecmp(dv, "n/a") != 0 &&
                       strcasecmp(dv, "none") != 0) {
                bm_ctx_warn(ctx, "%s: cannot read the date \"%s\"; treating "
                                 "it as unknown", name, dv);
            }
            free(dv);
        }
    }

    if (line_blank(body, body_len)) {
        bm_report_free(r);
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: empty report (no body text)",
                           name);
    }
    if (!(r->body = malloc(body_len + 1)))
        goto nomem;
    memcpy(r->body, body, body_len);
    r->body[body_len] = '\0';
    r->body_len = body_len;
    if (!(flags & RP_NO_HASH))
        bm_sha256_hex(r->body, r->body_len, r->sha256);

    if (!r->title) {
        /* First non-empty line of the body. */
        const char *p = r->body, *end = r->body + r->body_len;
        while (p < end) {
            const char *e = memchr(p, '\n', (size_t)(end - p));
            size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
            if (!line_blank(p, n)) {
                if (!(r->title = dup_trim(p, n)))
                    goto nomem;
                break;
            }
            p = e ? e + 1 : end;
        }
    }
    *out = r;
    return st;

nomem:
    bm_report_free(r);
    return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", name);
}

bm_status bm_report_parse(bm_ctx *ctx, const char *path, const char *text,
                          size_t len, bm_report **out)
{
    return report_parse(ctx, path, text, len, 0, out);
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

static int looks_html(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    return (len - i >= 9 && strncasecmp(text + i, "<!doctype", 9) == 0 &&
            len - i >= 14 && strncasecmp(text + i + 10, "html", 4) == 0) ||
           (len - i >= 5 && strncasecmp(text + i, "<html", 5) == 0);
}

/* Is s[0..n) UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF)? ASCII eight bytes at a time. Used where a "no" only
 * means the careful path, which uses bm_utf8_valid(). */
static int utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            if (!(v & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* the lead byte gives the length and the range of the second
         * byte; the others are 80..BF */
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            if (c == 0xE0)
                lo = 0xA0; /* not overlong */
            else if (c == 0xED)
                hi = 0x9F; /* not a surrogate */
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            if (c == 0xF0)
                lo = 0x90; /* not overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* not past U+10FFFF */
        } else {
            return 0;
        }
        if (k > n - i || u[i + 1] < lo || u[i + 1] > hi)
            return 0;
        for (size_t j = 2; j < k; j++)
            if (u[i + j] < 0x80 || u[i + j] > 0xBF)
                return 0;
        i += k;
    }
    return 1;
}

/* The common case of bm_read_text_file(), in fewer system calls: a
 * regular file of at most BM_REPORT_MAX_BYTES, not empty, UTF-8 without
 * NUL bytes, read whole into *out (caller owns) with a BOM dropped and CR
 * LF and lone CR made LF, as bm_read_text_file() would. Returns 0 when
 * anything is unusual (nothing is set then): the caller reads the file
 * the careful way, which names the trouble. */
static int read_plain(const char *path, char **out, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is then
     * refused below); it changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        (uintmax_t)sb.st_size > BM_REPORT_MAX_BYTES) {
        close(fd);
        return 0;
    }
    /* the size fstat gave, in one read as a rule (a file that shrinks
     * meanwhile takes the careful way; one that grows is read as it
     * was) */
    size_t cap = (size_t)sb.st_size;
    char *b = malloc(cap + 1);
    size_t n = 0;
    while (b && n < cap) {
        ssize_t k = read(fd, b + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            free(b);
            b = NULL;
        } else if (k == 0) {
            break;
        } else {
            n += (size_t)k;
        }
    }
    close(fd);
    if (!b || n != cap || memchr(b, '\0', n) || !utf8_ok(b, n)) {
        free(b);
        return 0;
    }
    size_t r = 0, w = 0;
    if (n >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB &&
        (unsigned char)b[2] == 0xBF)
        r = 3;
    if (!memchr(b + r, '\r', n - r)) {
        if (r)
            memmove(b, b + r, n - r);
        w = n - r;
    } else {
        for (; r < n; r++) {
            if (b[r] == '\r') {
                b[w++] = '\n';
                if (r + 1 < n && b[r + 1] == '\n')
                    r++;
            } else {
                b[w++] = b[r];
            }
        }
    }
    b[w] = '\0';
    *out = b;
    *len = w;
    return 1;
}

static bm_status report_parse_markdown(bm_ctx *ctx, const char *path,
                                       const char *text, size_t len,
                                       unsigned flags, bm_report **out);

bm_status bm_report_load(bm_ctx *ctx, const char *path, bm_report **out)
{
    return bm_report_load_ex(ctx, path, 0, out);
}

bm_status bm_report_load_ex(bm_ctx *ctx, const char *path, unsigned flags,
                            bm_report **out)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    unsigned rp = flags & BM_REPORT_NO_HASH ? RP_NO_HASH : 0;
    if (read_plain(path, &text, &len)) {
        rp |= RP_CHECKED;
    } else {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
            (uintmax_t)sb.st_size > BM_REPORT_MAX_BYTES)
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s: %jd bytes, larger than a report can be "
                               "(%u MiB); refused", path, (intmax_t)sb.st_size,
                               BM_REPORT_MAX_BYTES >> 20);
        bm_status st = bm_read_text_file(ctx, path, &text, &len);
        if (st != BM_OK)
            return st;
    }
    bm_status st;
    if (has_ext(path, ".html") || has_ext(path, ".htm") ||
        has_ext(path, ".xhtml") || looks_html(text, len)) {
        st = bm_report_parse_html(ctx, path, text, len, out);
        if (st == BM_OK && (rp & RP_NO_HASH))
            (*out)->sha256[0] = '\0'; /* as the flag promises */
    } else if (has_ext(path, ".md") || has_ext(path, ".markdown")) {
        st = report_parse_markdown(ctx, path, text, len, rp & RP_NO_HASH,
                                   out);
    } else {
        st = report_parse(ctx, path, text, len, rp, out);
    }
    free(text);
    return st;
}

bm_status bm_report_override(bm_ctx *ctx, bm_report *r, const char *date,
                             bm_date_precision date_precision,
                             const char *source)
{
    if (date) {
        char *d = strdup(date);
        if (!d)
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory",
                               r->path ? r->path : "(report)");
        free(r->date);
        r->date = d;
        r->date_precision = date_precision;
    }
    if (source) {
        char *s = strdup(source);
        if (!s)
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory",
                               r->path ? r->path : "(report)");
        free(r->source);
        r->source = s;
    }
    return BM_OK;
}

/* ---- Markdown ------------------------------------------------------------ */

/* Appends "Key: value" (value on one line, YAML quotes removed). */
static bm_status header_line(bm_buf *b, const char *key, const char *v,
                             size_t n)
{
    while (n && isspace((unsigned char)*v)) {
        v++;
        n--;
    }
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        v++;
        n -= 2;
    }
    if (!n)
        return BM_OK;
    bm_status st = bm_buf_printf(b, "%s: ", key);
    for (size_t i = 0; st == BM_OK && i < n; i++)
        st = bm_buf_append(b, v[i] == '\n' || v[i] == '\r' ? " " : v + i, 1);
    return st == BM_OK ? bm_buf_puts(b, "\n") : st;
}

bm_status bm_report_parse_markdown(bm_ctx *ctx, const char *path,
                                   const char *text, size_t len,
                                   bm_report **out)
{
    return report_parse_markdown(ctx, path, text, len, 0, out);
}

static bm_status report_parse_markdown(bm_ctx *ctx, const char *path,
                                       const char *text, size_t len,
                                       unsigned flags, bm_report **out)
{
    *out = NULL;
    const char *name = path ? path : "(report)";
    if (len < 4 || memcmp(text, "---", 3) != 0 ||
        (text[3] != '\n' && text[3] != '\r'))
        return report_parse(ctx, path, text, len, flags, out);
    bm_buf b = {0};
    bm_status st = BM_OK;
    const char *p = text + 4, *end = text + len, *body = NULL;
    while (p < end && st == BM_OK) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
        const char *next = e ? e + 1 : end;
        if ((n == 3 || (n == 4 && p[3] == '\r')) &&
            (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0)) {
            body = next;
            break;
        }
        const char *colon = memchr(p, ':', n);
        if (colon && p[0] != ' ' && p[0] != '#') {
            size_t kn = (size_t)(colon - p);
            const char *v = colon + 1;
            size_t vn = n - kn - 1;
            static const struct {
                const char *k, *to;
            } keys[] = {{"title", "Title"},     {"source", "Source"},
                        {"outlet", "Source"},   {"publisher", "Source"},
                        {"site", "Source"},     {"url", "URL"},
                        {"link", "URL"},        {"canonical_url", "URL"},
                        {"date", "Date"},       {"published", "Date"},
                        {"pubdate", "Date"},    {"published_at", "Date"}};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (strlen(keys[k].k) == kn &&
                    strncasecmp(p, keys[k].k, kn) == 0) {
                    st = header_line(&b, keys[k].to, v, vn);
                    break;
                }
        }
        p = next;
    }
    if (st == BM_OK && !body) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: front matter opened with \"---\" is never "
                           "closed", name);
    }
    if (st == BM_OK && !b.len) { /* no known key: the body alone */
        bm_buf_free(&b);
        return report_parse(ctx, path, body, (size_t)(end - body), flags,
                            out);
    }
    if (st == BM_OK)
        st = bm_buf_puts(&b, "\n");
    if (st == BM_OK)
        st = bm_buf_append(&b, body, (size_t)(end - body));
    if (st != BM_OK) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", name);
    }
    st = report_parse(ctx, path, b.data, b.len, flags, out);
    bm_buf_free(&b);
    return st;
}
