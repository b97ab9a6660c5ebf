/*
 * timex.c - date expressions in a sentence, resolved against the report's
 * date.
 *
 * Understood (case as news write it; month names need their capital, so
 * that "may" and "march" the verbs are not months):
 *   absolute   2024-06-15; June 15, 2024; 15 June 2024; the 15th of June;
 *              June 2024; in 2024; Oct. 1-15; from Oct. 1 to Oct. 15
 *   yearless   on June 15; in June; last June; this June; June this year;
 *              June last year
 *   parts      early/mid/late June, mid-June, the end (beginning, middle,
 *              first or second half) of June; early 2020, mid-2020, late
 *              2020, the end of 2020, the first half of 2020
 *   seasons    this/last/next spring, summer, autumn, fall, winter; the
 *              spring of 2020
 *   relative   yesterday, today, (last|on|this) Monday, last/this/past
 *              week, last/this/next month, earlier this month, early this
 *              month, late last month, last/this year, earlier this year,
 *              N days/weeks/months/years ago, a few days ago
 *
 * A day or month without a year takes the report's year, or the year
 * before when that would put it after the report (news tell the past);
 * an expression of the future ("will fall on", "is scheduled to be lifted
 * on", "next month") takes the year after instead when that would put it
 * before the report. Relative expressions need the report's month or day.
 * Nothing here invents a year: without the report's date and without a
 * year in the text, an expression is found (so its role is known) but
 * left undated (BM_DATE_NONE).
 */
#include "gp_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- days ----------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

/* 0 = Sunday */
static int weekday_of(long days)
{
    long w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* Writes "YYYY", "YYYY-MM" or "YYYY-MM-DD" (m, d 0: left out) into out
 * (11 bytes). Years are 1..9999 here (tokens read at most four digits). */
static void fmt_iso(char out[11], int y, int m, int d)
{
    char tmp[40];
    if (m && d)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    else if (m)
        snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
    else
        snprintf(tmp, sizeof tmp, "%04d", y);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

static void put_day(char out[11], long days)
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    fmt_iso(out, y, m, d);
}

/* ---- tokens --------------------------------------------------------------- */

enum { TK_WORD, TK_NUM, TK_PUNCT };

typedef struct tok {
    size_t b0, b1;
    int kind;
    int num;       /* TK_NUM: value; ndig digits */
    int ndig;
    int ordinal;   /* "15th" */
    int month;     /* TK_WORD: 1..12 when a month name with its capital */
    int weekday;   /* TK_WORD: 0..6 (Sunday 0) when a weekday, else -1 */
    int cue;       /* may start a date expression (a number, a month, a
                      weekday, a season, a relative word): the patterns
                      are tried only there */
    char c;        /* TK_PUNCT: the byte ('-' also for dashes) */
} tok;


/* 1 for a cue word, 2 for one that starts an expression only with a
 * unit after it ("a few days ago", "last week", "this year"): counts and
 * determiners are common words, tried only when a unit follows. */
static int cue_word(const char *lc, size_t b, size_t n)
{
    /* most words are no cue: rule them out by length and first letter
     * before comparing */
    if (n > 9)
        return 0;
    const char *w = lc + b;
#define CUE(lit, kind)                                                       \
    if (n == sizeof(lit) - 1 && memcmp(w, lit, n) == 0)                      \
        return kind;
    switch (w[0]) {
    case 'y': CUE("yesterday", 1) break;
    case 't':
        CUE("today", 1) CUE("tonight", 1) CUE("tomorrow", 1)
        CUE("this", 2) CUE("two", 2) CUE("three", 2) CUE("ten", 2)
        CUE("twelve", 2) break;
    case 'l': CUE("last", 2) CUE("late", 2) break;
    case 'n': CUE("next", 2) CUE("nine", 2) break;
    case 'p': CUE("past", 2) CUE("previous", 2) break;
    case 'c': CUE("coming", 2) break;
    case 'e':
        CUE("early", 2) CUE("earlier", 2) CUE("eight", 2) CUE("eleven", 2)
        break;
    case 'm': CUE("mid", 2) break;
    case 's':
        CUE("spring", 1) CUE("summer", 1) CUE("several", 2) CUE("six", 2)
        CUE("seven", 2) break;
    case 'a': CUE("autumn", 1) CUE("a", 2) CUE("an", 2) break;
    case 'f': CUE("fall", 1) CUE("few", 2) CUE("four", 2) CUE("five", 2) break;
    case 'w': CUE("winter", 1) break;
    case 'o': CUE("one", 2) break;
    default: break;
    }
#undef CUE
    return 0;
}

/* Words a weak cue needs within three words after it. */
static int unit_word(const char *lc, const tok *t)
{
    static const char *const units[] = {
        "ago", "week", "weeks", "month", "months", "year", "years", "day",
        "days", "spring", "summer", "autumn", "fall", "winter", NULL};
    if (t->kind != TK_WORD)
        return 0;
    if (t->month || t->weekday >= 0)
        return 1;
    size_t n = t->b1 - t->b0;
    for (size_t i = 0; units[i]; i++)
        if (units[i][0] == lc[t->b0] && strlen(units[i]) == n &&
            memcmp(lc + t->b0, units[i], n) == 0)
            return 1;
    return 0;
}

#define TOKS_MAX 320

/* w_is(lc, t, "word"): is token t that word? (a literal: its length is
 * known when compiled) */
#define w_is(lc, t, lit) w_is_n((lc), (t), "" lit, sizeof(lit) - 1)
static int w_is_n(const char *lc, const tok *t, const char *w, size_t n)
{
    if (t->kind != TK_WORD || lc[t->b0] != w[0])
        return 0;
    return t->kind == TK_WORD && t->b1 - t->b0 == n &&
           memcmp(lc + t->b0, w, n) == 0;
}

static const char *const weekday_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday"};

/* Tokenises s[from..n) into at most max tokens; returns the count and
 * sets *next to where it stopped. */
static size_t tokenize(const char *s, const char *lc, size_t n, size_t from,
                       tok *t, size_t max, size_t *next)
{
    size_t k = 0, i = from;
    while (i < n && k < max) {
        unsigned char c = (unsigned char)lc[i];
        if (c == ' ' || c == '\t') {
            i++;
            continue;
        }
        tok *x = &t[k];
        x->num = x->ndig = x->ordinal = x->month = x->cue = 0;
        x->c = 0;
        x->weekday = -1;
        x->b0 = i;
        if ((unsigned)(c - 'a') < 26u) {
            size_t j = i;
            while (j < n && (unsigned)((unsigned char)lc[j] - 'a') < 26u)
                j++;
            x->kind = TK_WORD;
            x->b1 = j;
            size_t wl = j - i;
            /* a month needs its capital in the text */
            if ((unsigned)((unsigned char)s[i] - 'A') < 26u) {
                int mo = bm_month_from_word(lc + i, wl);
                /* "Sept" and "Sep" too; "Mar" and "May" need a capital,
                 * which they have here */
                x->month = mo;
            }
            for (int w = 0; w < 7 && wl >= 3 && wl <= 9; w++) {
                if (lc[i] != weekday_names[w][0])
                    continue;
                size_t L = strlen(weekday_names[w]);
                if ((wl == L && memcmp(lc + i, weekday_names[w], L) == 0 &&
                 (unsigned)((unsigned char)s[i] - 'A') < 26u) ||
                    (wl == 3 && memcmp(lc + i, weekday_names[w], 3) == 0 &&
                     (unsigned)((unsigned char)s[i] - 'A') < 26u))
                    x->weekday = w;
            }
            x->cue = x->month || x->weekday >= 0 || cue_word(lc, i, wl);
            i = j;
        } else if ((unsigned)(c - '0') < 10u) {
            size_t j = i;
            long v = 0;
            while (j < n && (unsigned)((unsigned char)lc[j] - '0') < 10u) {
                if (v < 100000)
                    v = v * 10 + (lc[j] - '0');
                j++;
            }
            x->kind = TK_NUM;
            x->num = (int)v;
            x->ndig = (int)(j - i);
            /* 15th, 1st, 2nd, 3rd */
            if (j + 2 <= n && ((lc[j] == 's' && lc[j + 1] == 't') ||
                               (lc[j] == 'n' && lc[j + 1] == 'd') ||
                               (lc[j] == 'r' && lc[j + 1] == 'd') ||
                               (lc[j] == 't' && lc[j + 1] == 'h')) &&
                (j + 2 == n ||
                 (unsigned)((unsigned char)lc[j + 2] - 'a') >= 26u)) {
                x->ordinal = 1;
                j += 2;
            }
            x->b1 = j;
            x->cue = 1;
            i = j;
        } else {
            size_t len = 1;
            char pc = (char)c;
            if (c == 0xE2 && i + 2 < n && (unsigned char)lc[i + 1] == 0x80 &&
                ((unsigned char)lc[i + 2] == 0x93 ||
                 (unsigned char)lc[i + 2] == 0x94)) {
                len = 3;
                pc = '-';
            } else if (c >= 0x80) {
                while (i + len < n &&
                       ((unsigned char)lc[i + len] & 0xC0) == 0x80)
                    len++;
                pc = '?';
            }
            x->kind = TK_PUNCT;
            x->c = pc;
            x->b1 = i + len;
            i += len;
        }
        k++;
    }
    *next = i;
    return k;
}

/* ---- resolution ----------------------------------------------------------- */

typedef struct ctx {
    const char *s, *lc;
    size_t n;
    const gp_anchor *a;
    int future; /* the expression looks forward */
} ctx;

/* The anchor as days (needs its day). */
static int anchor_days(const gp_anchor *a, long *days)
{
    if (!a->y || !a->m || !a->d)
        return 0;
    *days = days_from_civil(a->y, a->m, a->d);
    return 1;
}

static void set_range_days(gp_date *o, long d0, long d1)
{
    put_day(o->start, d0);
    put_day(o->end, d1);
}

/* A day (y known). */
static void mk_day(gp_date *o, int y, int m, int d)
{
    o->prec = BM_DATE_DAY;
    fmt_iso(o->iso, y, m, d);
    long z = days_from_civil(y, m, d);
    set_range_days(o, z, z);
}

/* Days d0..d1 of a month (part of it, or all). */
static void mk_month(gp_date *o, int y, int m, int d0, int d1,
                     bm_date_precision p)
{
    int last = bm_days_in_month(y, m);
    if (d0 < 1)
        d0 = 1;
    if (d1 > last || d1 < 1)
        d1 = last;
    o->prec = p;
    fmt_iso(o->iso, y, m, 0);
    set_range_days(o, days_from_civil(y, m, d0), days_from_civil(y, m, d1));
}

/* Months m0..m1 of a year (m1 may pass 12 into the next year). */
static void mk_year(gp_date *o, int y, int m0, int m1, bm_date_precision p)
{
    o->prec = p;
    fmt_iso(o->iso, y, 0, 0);
    int y1 = y, mm1 = m1;
    if (mm1 > 12) {
        mm1 -= 12;
        y1++;
    }
    set_range_days(o, days_from_civil(y, m0, 1),
                   days_from_civil(y1, mm1, bm_days_in_month(y1, mm1)));
}

/* The year of a yearless month (and day, 0 when none): the anchor's, moved
 * so that the date is not after the anchor (before it, for an expression
 * of the future). strict: "last June" in June is a year ago. Returns 0
 * when the anchor has no year. */
static int year_for(const ctx *c, int m, int d, int strict)
{
    const gp_anchor *a = c->a;
    if (!a->y)
        return 0;
    int y = a->y;
    if (!a->m)
        return y;
    if (c->future) {
        if (m < a->m || (m == a->m && d && a->d && d < a->d))
            y++;
        return y;
    }
    if (strict && m == a->m)
        return y - 1;
    if (m > a->m || (m == a->m && d && a->d && d > a->d)) {
        /* a few days after the report's date is the report's dating (a
         * date line, a time zone), not a year before */
        if (d && a->d) {
            long late = days_from_civil(y, m, d) -
                        days_from_civil(a->y, a->m, a->d);
            if (late <= 3)
                return y;
        }
        y--;
    }
    return y;
}

/* Part of a month named before it: early, mid, late, the end of, ... */
typedef struct part {
    int d0, d1; /* day range; 0,0 = whole */
    int ntok;   /* tokens it takes before the month */
} part;

/* Reads a part-of-period modifier ending right before token i. */
static part part_before(const ctx *c, const tok *t, size_t i)
{
    part p = {0, 0, 0};
    const char *lc = c->lc;
    if (i >= 1 && t[i - 1].kind == TK_PUNCT && t[i - 1].c == '-' && i >= 2 &&
        w_is(lc, &t[i - 2], "mid")) {
        p.d0 = 11, p.d1 = 20, p.ntok = 2;
        return p;
    }
    if (i >= 1) {
        if (w_is(lc, &t[i - 1], "early")) {
            p.d0 = 1, p.d1 = 10, p.ntok = 1;
            return p;
        }
        if (w_is(lc, &t[i - 1], "mid") || w_is(lc, &t[i - 1], "middle")) {
            p.d0 = 11, p.d1 = 20, p.ntok = 1;
            return p;
        }
        if (w_is(lc, &t[i - 1], "late")) {
            p.d0 = 21, p.d1 = 31, p.ntok = 1;
            return p;
        }
    }
    /* the end / beginning / start / middle / first half of */
    if (i >= 3 && w_is(lc, &t[i - 1], "of") && w_is(lc, &t[i - 3], "the")) {
        const tok *w = &t[i - 2];
        if (w_is(lc, w, "end"))
            p.d0 = 21, p.d1 = 31, p.ntok = 3;
        else if (w_is(lc, w, "beginning") || w_is(lc, w, "start"))
            p.d0 = 1, p.d1 = 10, p.ntok = 3;
        else if (w_is(lc, w, "middle"))
            p.d0 = 11, p.d1 = 20, p.ntok = 3;
    }
    if (!p.ntok && i >= 4 && w_is(lc, &t[i - 1], "of") &&
        w_is(lc, &t[i - 2], "half") && w_is(lc, &t[i - 4], "the")) {
        if (w_is(lc, &t[i - 3], "first"))
            p.d0 = 1, p.d1 = 15, p.ntok = 4;
        else if (w_is(lc, &t[i - 3], "second") ||
                 w_is(lc, &t[i - 3], "latter"))
            p.d0 = 16, p.d1 = 31, p.ntok = 4;
    }
    return p;
}

/* The same part, of a year: months. */
static void part_months(const part *p, int *m0, int *m1)
{
    if (p->d0 == 1 && p->d1 == 10)
        *m0 = 1, *m1 = 4;
    else if (p->d0 == 11)
        *m0 = 5, *m1 = 8;
    else if (p->d0 == 21)
        *m0 = 9, *m1 = 12;
    else if (p->d0 == 1 && p->d1 == 15)
        *m0 = 1, *m1 = 6;
    else if (p->d0 == 16)
        *m0 = 7, *m1 = 12;
    else
        *m0 = 1, *m1 = 12;
}

static int is_year(const tok *t)
{
    return t->kind == TK_NUM && t->ndig == 4 && !t->ordinal &&
           t->num >= 1900 && t->num <= 2100;
}

/* A year right after token *e (", 2024" or "2024"): its value, with *e
 * moved onto it; 0 when none. */
static int year_after(const tok *t, size_t nt, size_t *e)
{
    size_t k = *e + 1;
    if (k < nt && t[k].kind == TK_PUNCT && t[k].c == ',')
        k++;
    if (k < nt && is_year(&t[k])) {
        *e = k;
        return t[k].num;
    }
    return 0;
}

static int is_daynum(const tok *t)
{
    return t->kind == TK_NUM && t->ndig <= 2 && t->num >= 1 && t->num <= 31;
}

/* Words that put a bare month or year in time: "in June", "since 2019". */
static int time_prep(const char *lc, const tok *t)
{
    static const char *const preps[] = {
        "in", "on", "since", "from", "until", "till", "by", "during",
        "through", "throughout", "before", "after", "between", "and", "to",
        "of", "around", "last", "this", "next", "early", "mid", "late",
        "until", "as", "that", "for", "starting", "beginning", "ending",
        "into", NULL};
    if (t->kind == TK_PUNCT)
        return t->c == '-';
    for (size_t i = 0; preps[i]; i++)
        if (w_is_n(lc, t, preps[i], strlen(preps[i])))
            return 1;
    return 0;
}

/* "one".."twelve", "a", "an", "a few", "several", "couple": a count. */
static int count_word(const char *lc, const tok *t, int *v)
{
    static const char *const nums[] = {"zero", "one", "two", "three",
                                       "four", "five", "six", "seven",
                                       "eight", "nine", "ten", "eleven",
                                       "twelve", NULL};
    if (t->kind == TK_NUM && t->ndig <= 3) {
        *v = t->num;
        return 1;
    }
    for (int i = 1; nums[i]; i++)
        if (w_is_n(lc, t, nums[i], strlen(nums[i]))) {
            *v = i;
            return 1;
        }
    if (w_is(lc, t, "a") || w_is(lc, t, "an")) {
        *v = 1;
        return 1;
    }
    return 0;
}

/* ---- role ----------------------------------------------------------------- */

static int is_alpha_b(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26u;
}

/* Does the clause before pos (back to a comma, semicolon, colon, quote or
 * the sentence's start, at most 12 words) hold one of the phrases? */
static int clause_before_has(const char *lc, size_t pos,
                             const char *const *phr)
{
    size_t lo = pos, words = 0;
    while (lo > 0 && words < 12) {
        char c = lc[lo - 1];
        if (c == ',' || c == ';' || c == ':' || c == '"' || c == '(')
            break;
        if ((unsigned char)c == 0x9C && lo >= 3) /* left double quote */
            break;
        if (c == ' ')
            words++;
        lo--;
    }
    /* at each word start, the phrases of its first letter */
    for (size_t i = lo; i < pos; i++) {
        if (!is_alpha_b((unsigned char)lc[i]) ||
            (i > 0 && is_alpha_b((unsigned char)lc[i - 1])))
            continue;
        for (size_t k = 0; phr[k]; k++) {
            if (phr[k][0] != lc[i])
                continue;
            size_t L = strlen(phr[k]);
            if (i + L <= pos && memcmp(lc + i, phr[k], L) == 0 &&
                (i + L == pos || !is_alpha_b((unsigned char)lc[i + L])))
                return 1;
        }
    }
    return 0;
}

static const char *const future_words[] = {
    "will", "shall", "going to", "scheduled to", "scheduled for", "set to",
    "set for", "due to be", "due on", "due in", "slated to", "slated for",
    "plans to", "plan to", "planned to", "planning to", "expected to",
    "is to", "are to", "will be", "would be held", "upcoming", "ahead of",
    "in time for", "falls on", "fall on", "would", NULL};

/* Speech verbs: a date right after one (within a few words, no "that")
 * is when someone spoke. */
static const char *const speech[] = {
    "told", "tells", "said", "says", "reported", "reports", "added",
    "explained", "noted", "confirmed", "stated", "wrote", "posted",
    "according to", "conversation", "interview", "phone call",
    "telephone call", "speaking", "spoke", "informed", "relayed",
    "published", "learned", "revealed", NULL};

int gp_reporting_before(const char *lc, size_t n, size_t pos)
{
    (void)n;
    /* up to six words back, stopping at "that", a comma or a quote */
    size_t i = pos, words = 0;
    while (i > 0 && words < 7) {
        char c = lc[i - 1];
        if (c == ',' || c == ';' || c == '"' || c == ':')
            return 0;
        if ((unsigned char)c == 0x9C || (unsigned char)c == 0x9D)
            return 0;
        if (c == ' ') {
            words++;
            i--;
            continue;
        }
        size_t e = i;
        while (i > 0 && (is_alpha_b((unsigned char)lc[i - 1]) ||
                         lc[i - 1] == '\''))
            i--;
        if (e == i) {
            i--;
            continue;
        }
        size_t wl = e - i;
        if (wl == 4 && memcmp(lc + i, "that", 4) == 0)
            return 0;
        for (size_t k = 0; speech[k]; k++) {
            size_t L = strlen(speech[k]);
            /* single words here; phrases below */
            if (L == wl && memcmp(lc + i, speech[k], L) == 0)
                return 1;
        }
        if (wl == 2 && memcmp(lc + i, "to", 2) == 0 && i >= 10 &&
            memcmp(lc + i - 10, "according ", 10) == 0)
            return 1;
        if ((wl == 4 && memcmp(lc + i, "call", 4) == 0) ||
            (wl == 12 && memcmp(lc + i, "conversation", 12) == 0) ||
            (wl == 9 && memcmp(lc + i, "interview", 9) == 0))
            return 1;
    }
    return 0;
}

/* A sentence that only says who spoke: "On August 29, a reporting partner
 * in Hoeryong said:" (its last word is a speech verb). Its dates are when
 * the speaker spoke when they make all of the first clause ("On August
 * 29,"), not in "Police arrested him on Jan. 7, a source said". */
static int attribution_sentence(const char *lc, size_t n)
{
    size_t e = n;
    while (e > 0 && !is_alpha_b((unsigned char)lc[e - 1]))
        e--;
    size_t b = e;
    while (b > 0 && is_alpha_b((unsigned char)lc[b - 1]))
        b--;
    static const char *const last[] = {"said", "says", "told", "reported",
                                       "added", "explained", "noted",
                                       "stated", NULL};
    for (size_t k = 0; last[k]; k++)
        if (strlen(last[k]) == e - b && memcmp(lc + b, last[k], e - b) == 0)
            return 1;
    return 0;
}

/* Is the date the whole first clause of the sentence: only a preposition
 * (or nothing) before it, a comma right after it? */
static int opens_sentence(const char *lc, size_t n, const gp_date *o)
{
    size_t i = 0;
    while (i < o->b0 && (lc[i] == ' ' || is_alpha_b((unsigned char)lc[i])))
        i++;
    if (i < o->b0 || o->b0 > 6) /* "On ", "In ", "Since " at most */
        return 0;
    size_t j = o->b1;
    while (j < n && lc[j] == ' ')
        j++;
    return j < n && lc[j] == ',';
}

/* The year a season named without one began in: the last one begun by
 * the report's month (the one under way, or the one before it for
 * "last"), "this" the one of the report's year, the next one for "next" or
 * an expression of the future. Winter begins in December. */
static int season_year(const gp_anchor *a, int m0, int lastw, int thisw,
                       int fwd)
{
    int Y = a->y, M = a->m ? a->m : 12;
    int cur; /* year the last begun instance began */
    if (m0 == 12)
        cur = M == 12 ? Y : Y - 1;
    else
        cur = M >= m0 ? Y : Y - 1;
    int ongoing = m0 == 12 ? (M == 12 || M <= 2) : (M >= m0 && M <= m0 + 2);
    if (lastw)
        return ongoing ? cur - 1 : cur;
    if (thisw)
        return m0 == 12 && M <= 2 ? Y - 1 : Y;
    if (fwd)
        return ongoing ? cur : cur + 1;
    return cur;
}

/* ---- patterns ------------------------------------------------------------- */

/* Tries the patterns at token i; on a match fills o (bytes, date) and
 * returns the number of tokens used, else 0. */
static size_t match_at(const ctx *c, const tok *t, size_t nt, size_t i,
                       gp_date *o)
{
    const char *lc = c->lc;
    const gp_anchor *a = c->a;
    memset(o, 0, sizeof *o);
    o->b0 = t[i].b0;
    const tok *x = &t[i];

    /* 2024-06-15, 2024-06 */
    if (is_year(x) && i + 2 < nt && t[i + 1].kind == TK_PUNCT &&
        (t[i + 1].c == '-' || t[i + 1].c == '/') && t[i + 2].kind == TK_NUM &&
        t[i + 2].ndig == 2 && t[i + 2].num >= 1 && t[i + 2].num <= 12 &&
        t[i + 1].b0 == x->b1 && t[i + 2].b0 == t[i + 1].b1) {
        int y = x->num, m = t[i + 2].num;
        if (i + 4 < nt && t[i + 3].kind == TK_PUNCT &&
            t[i + 3].c == t[i + 1].c && is_daynum(&t[i + 4]) &&
            t[i + 4].ndig == 2 && t[i + 4].num <= bm_days_in_month(y, m)) {
            mk_day(o, y, m, t[i + 4].num);
            o->b1 = t[i + 4].b1;
            return 5;
        }
        mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
        o->b1 = t[i + 2].b1;
        return 3;
    }

    /* 15 June (2024), the 15th of June (, 2024) */
    if (is_daynum(x)) {
        size_t j = i + 1;
        if (j < nt && w_is(lc, &t[j], "of"))
            j++;
        if (j < nt && t[j].month) {
            int m = t[j].month, d = x->num;
            size_t e = j;
            if (e + 1 < nt && t[e + 1].kind == TK_PUNCT && t[e + 1].c == '.')
                e++;
            int y = year_after(t, nt, &e);
            if (!y)
                y = year_for(c, m, d, 0);
            if (d > bm_days_in_month(y ? y : 2000, m))
                return 0;
            if (y)
                mk_day(o, y, m, d);
            o->b1 = t[e].b1;
            return e - i + 1;
        }
    }

    /* June 15 (, 2024); June 2024; Oct. 1-15; June alone with a cue */
    if (x->month) {
        int m = x->month;
        size_t j = i + 1;
        if (j < nt && t[j].kind == TK_PUNCT && t[j].c == '.' &&
            t[j].b0 == x->b1)
            j++;
        part p = part_before(c, t, i);
        if (p.ntok)
            o->b0 = t[i - (size_t)p.ntok].b0;
        /* June 15 */
        if (j < nt && is_daynum(&t[j])) {
            int d = t[j].num;
            size_t e = j;
            /* Oct. 1-15: a span of days */
            int d2 = 0;
            if (e + 2 < nt && t[e + 1].kind == TK_PUNCT && t[e + 1].c == '-' &&
                is_daynum(&t[e + 2]) && t[e + 2].num > d) {
                d2 = t[e + 2].num;
                e += 2;
            }
            int y = year_after(t, nt, &e);
            if (!y)
                y = year_for(c, m, d, 0);
            if (d > bm_days_in_month(y ? y : 2000, m) ||
                (d2 && d2 > bm_days_in_month(y ? y : 2000, m)))
                return 0;
            if (y) {
                if (d2)
                    mk_month(o, y, m, d, d2, BM_DATE_PERIOD);
                else
                    mk_day(o, y, m, d);
            }
            o->b1 = t[e].b1;
            return e - i + 1;
        }
        /* June 2024, June of 2024 */
        size_t k = j;
        if (k < nt && w_is(lc, &t[k], "of"))
            k++;
        if (k < nt && is_year(&t[k])) {
            int y = t[k].num;
            if (p.ntok)
                mk_month(o, y, m, p.d0, p.d1, BM_DATE_PERIOD);
            else
                mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
            o->b1 = t[k].b1;
            return k - i + 1;
        }
        /* June this year / June last year */
        if (j + 1 < nt && w_is(lc, &t[j + 1], "year") &&
            (w_is(lc, &t[j], "this") || w_is(lc, &t[j], "last"))) {
            int y = a->y ? a->y - (w_is(lc, &t[j], "last") ? 1 : 0) : 0;
            if (y) {
                if (p.ntok)
                    mk_month(o, y, m, p.d0, p.d1, BM_DATE_PERIOD);
                else
                    mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
            }
            o->b1 = t[j + 1].b1;
            return j + 2 - i;
        }
        /* a month alone: needs a word that puts it in time before it */
        size_t before = i - (size_t)p.ntok;
        int lastw = 0, thisw = 0, nextw = 0;
        if (before >= 1) {
            lastw = w_is(lc, &t[before - 1], "last");
            thisw = w_is(lc, &t[before - 1], "this");
            nextw = w_is(lc, &t[before - 1], "next");
        }
        if (!(p.ntok || (before >= 1 && time_prep(lc, &t[before - 1]))))
            return 0;
        if (lastw || thisw || nextw)
            o->b0 = t[before - 1].b0;
        ctx c2 = *c;
        if (nextw) {
            c2.future = 1;
            o->role = GP_DATE_FUTURE;
        }
        int y = thisw && a->y ? a->y : year_for(&c2, m, 0, lastw);
        if (y) {
            if (p.ntok)
                mk_month(o, y, m, p.d0, p.d1, BM_DATE_PERIOD);
            else
                mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
        }
        o->b1 = t[j - 1].b1;
        return j - i;
    }

    /* in 2019, since 2019, early 2020, mid-2020, the end of 2020 */
    if (is_year(x) && i >= 1) {
        part p = part_before(c, t, i);
        if (!(p.ntok || time_prep(lc, &t[i - 1])))
            return 0;
        /* "2019-2020" or "2,019": not a date here */
        if (i + 1 < nt && t[i + 1].kind == TK_PUNCT &&
            (t[i + 1].c == ',' || t[i + 1].c == '.') && i + 2 < nt &&
            t[i + 2].kind == TK_NUM && t[i + 2].b0 == t[i + 1].b1)
            return 0;
        if (p.ntok) {
            int m0, m1;
            part_months(&p, &m0, &m1);
            mk_year(o, x->num, m0, m1, BM_DATE_SEASON);
            o->b0 = t[i - (size_t)p.ntok].b0;
        } else {
            mk_year(o, x->num, 1, 12, BM_DATE_YEAR);
        }
        o->b1 = x->b1;
        return 1;
    }

    if (x->kind != TK_WORD)
        return 0;

    /* seasons: spring (Mar-May), summer (Jun-Aug), autumn or fall
     * (Sep-Nov), winter (Dec-Feb) */
    {
        static const struct {
            const char *w;
            int m0;
        } seasons[] = {{"spring", 3}, {"summer", 6}, {"autumn", 9},
                       {"fall", 9},   {"winter", 12}};
        for (size_t s = 0; s < 5; s++) {
            if (!w_is_n(lc, x, seasons[s].w, strlen(seasons[s].w)))
                continue;
            int lastw = i >= 1 && w_is(lc, &t[i - 1], "last");
            int thisw = i >= 1 && w_is(lc, &t[i - 1], "this");
            int nextw = i >= 1 && w_is(lc, &t[i - 1], "next");
            int cue = lastw || thisw || nextw ||
                      (i >= 2 && w_is(lc, &t[i - 1], "the") &&
                       time_prep(lc, &t[i - 2])) ||
                      (i >= 1 && (w_is(lc, &t[i - 1], "early") ||
                                  w_is(lc, &t[i - 1], "late")));
            int y = 0;
            size_t e = i;
            size_t k = i + 1;
            if (k < nt && w_is(lc, &t[k], "of"))
                k++;
            if (k < nt && is_year(&t[k])) {
                y = t[k].num;
                e = k;
                cue = 1;
            }
            if (!cue)
                return 0;
            int m0 = seasons[s].m0;
            if (!y && a->y)
                y = season_year(a, m0, lastw, thisw, nextw || c->future);
            if (lastw || thisw || nextw)
                o->b0 = t[i - 1].b0;
            if (nextw)
                o->role = GP_DATE_FUTURE;
            if (y)
                mk_year(o, y, m0, m0 + 2, BM_DATE_SEASON);
            o->b1 = t[e].b1;
            return e - i + 1;
        }
    }

    long ad = 0;
    int have_day = anchor_days(a, &ad);

    /* yesterday, today, tomorrow */
    if (w_is(lc, x, "yesterday") || w_is(lc, x, "today") ||
        w_is(lc, x, "tonight") || w_is(lc, x, "tomorrow")) {
        if (w_is(lc, x, "tomorrow"))
            o->role = GP_DATE_FUTURE;
        if (have_day) {
            long z = ad + (w_is(lc, x, "yesterday") ? -1
                           : w_is(lc, x, "tomorrow") ? 1 : 0);
            int y, m, d;
            civil_from_days(z, &y, &m, &d);
            mk_day(o, y, m, d);
        }
        o->b1 = x->b1;
        return 1;
    }

    /* (last|this|on) Monday */
    if (x->weekday >= 0) {
        int lastw = i >= 1 && w_is(lc, &t[i - 1], "last");
        int nextw = i >= 1 && w_is(lc, &t[i - 1], "next");
        int on = i >= 1 && (w_is(lc, &t[i - 1], "on") ||
                            w_is(lc, &t[i - 1], "this") ||
                            w_is(lc, &t[i - 1], "since") ||
                            w_is(lc, &t[i - 1], "until"));
        if (!lastw && !nextw && !on)
            return 0;
        if (have_day) {
            int wd = weekday_of(ad);
            long z;
            if (nextw || c->future) {
                int fwd = (x->weekday - wd + 7) % 7;
                z = ad + (fwd ? fwd : 7);
            } else {
                int back = (wd - x->weekday + 7) % 7;
                if (lastw && back == 0)
                    back = 7;
                z = ad - back;
            }
            int y, m, d;
            civil_from_days(z, &y, &m, &d);
            mk_day(o, y, m, d);
        }
        if (lastw || nextw)
            o->b0 = t[i - 1].b0;
        if (nextw)
            o->role = GP_DATE_FUTURE;
        o->b1 = x->b1;
        return 1;
    }

    /* N days/weeks/months/years ago; a few days ago */
    {
        int v = 0;
        size_t j = i;
        int few = 0;
        if (w_is(lc, x, "a") && i + 1 < nt && w_is(lc, &t[i + 1], "few")) {
            few = 1;
            j = i + 1;
        } else if (w_is(lc, x, "several") || w_is(lc, x, "few")) {
            few = 1;
        } else if (!count_word(lc, x, &v)) {
            j = (size_t)-1;
        }
        if (j != (size_t)-1 && j + 2 < nt && w_is(lc, &t[j + 2], "ago")) {
            const tok *u = &t[j + 1];
            int unit = w_is(lc, u, "day") || w_is(lc, u, "days")       ? 1
                       : w_is(lc, u, "week") || w_is(lc, u, "weeks")   ? 2
                       : w_is(lc, u, "month") || w_is(lc, u, "months") ? 3
                       : w_is(lc, u, "year") || w_is(lc, u, "years")   ? 4
                                                                       : 0;
            if (!unit)
                return 0;
            o->b1 = t[j + 2].b1;
            if (unit <= 2 && have_day) {
                if (few) {
                    long lo = ad - (unit == 1 ? 7 : 35),
                         hi = ad - (unit == 1 ? 2 : 10);
                    int y, m, d;
                    civil_from_days(lo, &y, &m, &d);
                    o->prec = BM_DATE_PERIOD;
                    fmt_iso(o->iso, y, m, 0);
                    set_range_days(o, lo, hi);
                } else if (unit == 1) {
                    int y, m, d;
                    civil_from_days(ad - v, &y, &m, &d);
                    mk_day(o, y, m, d);
                } else {
                    long mid = ad - 7L * v;
                    int y, m, d;
                    civil_from_days(mid - 3, &y, &m, &d);
                    o->prec = BM_DATE_PERIOD;
                    fmt_iso(o->iso, y, m, 0);
                    set_range_days(o, mid - 3, mid + 3);
                }
            } else if (unit == 3 && a->y && a->m && !few) {
                int y = a->y, m = a->m - v;
                while (m < 1) {
                    m += 12;
                    y--;
                }
                mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
            } else if (unit == 4 && a->y && !few) {
                mk_year(o, a->y - v, 1, 12, BM_DATE_YEAR);
            }
            return j + 3 - i;
        }
    }

    /* (early|late|mid|earlier|later)? (last|this|next|past) (week|month|year) */
    {
        size_t j = i;
        int early = 0, late = 0, mid = 0, earlier = 0;
        if (w_is(lc, x, "early"))
            early = 1;
        else if (w_is(lc, x, "late"))
            late = 1;
        else if (w_is(lc, x, "mid"))
            mid = 1;
        else if (w_is(lc, x, "earlier"))
            earlier = 1;
        if (early || late || mid || earlier) {
            j = i + 1;
            if (mid && j < nt && t[j].kind == TK_PUNCT && t[j].c == '-')
                j++;
        }
        if (j + 1 >= nt)
            return 0;
        int lastw = w_is(lc, &t[j], "last") || w_is(lc, &t[j], "past") ||
                    w_is(lc, &t[j], "previous");
        int thisw = w_is(lc, &t[j], "this");
        int nextw = w_is(lc, &t[j], "next") || w_is(lc, &t[j], "coming");
        if (!lastw && !thisw && !nextw)
            return 0;
        const tok *u = &t[j + 1];
        int unit = w_is(lc, u, "week")    ? 2
                   : w_is(lc, u, "month") ? 3
                   : w_is(lc, u, "year")  ? 4
                                          : 0;
        if (!unit)
            return 0;
        /* "this year's", "last year's": a possessive still dates */
        o->b1 = u->b1;
        int k = lastw ? -1 : nextw ? 1 : 0;
        if (nextw)
            o->role = GP_DATE_FUTURE;
        if (unit == 2) {
            if (!have_day)
                return j + 2 - i;
            int wd = weekday_of(ad);
            long mon = ad - (wd + 6) % 7 + 7L * k; /* its Monday */
            long lo = mon, hi = mon + 6;
            if (k == 0 && hi > ad)
                hi = ad;
            int y, m, d;
            civil_from_days(lo, &y, &m, &d);
            o->prec = BM_DATE_PERIOD;
            fmt_iso(o->iso, y, m, 0);
            set_range_days(o, lo, hi);
            return j + 2 - i;
        }
        if (unit == 3) {
            if (!a->y || !a->m)
                return j + 2 - i;
            int y = a->y, m = a->m + k;
            if (m < 1) {
                m = 12;
                y--;
            } else if (m > 12) {
                m = 1;
                y++;
            }
            if (early)
                mk_month(o, y, m, 1, 10, BM_DATE_PERIOD);
            else if (mid)
                mk_month(o, y, m, 11, 20, BM_DATE_PERIOD);
            else if (late)
                mk_month(o, y, m, 21, 31, BM_DATE_PERIOD);
            else if (k == 0 && a->d)
                mk_month(o, y, m, 1, a->d, BM_DATE_MONTH);
            else
                mk_month(o, y, m, 1, 31, BM_DATE_MONTH);
            return j + 2 - i;
        }
        if (!a->y)
            return j + 2 - i;
        int y = a->y + k;
        if (early)
            mk_year(o, y, 1, 4, BM_DATE_SEASON);
        else if (mid)
            mk_year(o, y, 5, 8, BM_DATE_SEASON);
        else if (late)
            mk_year(o, y, 9, 12, BM_DATE_SEASON);
        else
            mk_year(o, y, 1, 12, BM_DATE_YEAR);
        /* "earlier this year": not after the report */
        if (k == 0 && (earlier || !nextw) && a->m) {
            char end[11];
            fmt_iso(end, a->y, a->m,
                    a->d ? a->d : bm_days_in_month(a->y, a->m));
            if (strcmp(o->end, end) > 0)
                memcpy(o->end, end, 11);
        }
        return j + 2 - i;
    }
}

/* The role of a date found at bytes [b0, b1) of the sentence (a pattern
 * may have set GP_DATE_FUTURE itself: "next month", "tomorrow"). */
static gp_date_role role_of(const ctx *c, const gp_date *o, int attribution)
{
    if (o->role == GP_DATE_FUTURE ||
        clause_before_has(c->lc, o->b0, future_words))
        return GP_DATE_FUTURE;
    if ((attribution && opens_sentence(c->lc, c->n, o)) ||
        gp_reporting_before(c->lc, c->n, o->b0))
        return GP_DATE_REPORTING;
    /* "since June 20", "ever since 2019" */
    size_t i = o->b0;
    while (i > 0 && c->lc[i - 1] == ' ')
        i--;
    if (i >= 5 && memcmp(c->lc + i - 5, "since", 5) == 0 &&
        (i == 5 || !is_alpha_b((unsigned char)c->lc[i - 6])))
        return GP_DATE_SINCE;
    return GP_DATE_EVENT;
}

/* "from Oct. 1 to Oct. 15", "between June 3 and June 9", "June 3-July
 * 2": two dates that bound one span become one date of that span (a part
 * of a month within one month, else a part of a year). Returns the new
 * count. */
static size_t join_spans(const char *lc, size_t n, gp_date *d, size_t k)
{
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        gp_date *a = &d[i];
        if (i + 1 < k && a->prec != BM_DATE_NONE &&
            d[i + 1].prec != BM_DATE_NONE && a->role == d[i + 1].role &&
            (a->prec == BM_DATE_DAY || a->prec == BM_DATE_MONTH) &&
            (d[i + 1].prec == BM_DATE_DAY || d[i + 1].prec == BM_DATE_MONTH) &&
            strcmp(a->start, d[i + 1].end) < 0) {
            const gp_date *b = &d[i + 1];
            /* what lies between them, and before the first */
            size_t g0 = a->b1, g1 = b->b0;
            while (g0 < g1 && lc[g0] == ' ')
                g0++;
            while (g1 > g0 && lc[g1 - 1] == ' ')
                g1--;
            size_t gl = g1 - g0;
            int to = (gl == 2 && memcmp(lc + g0, "to", 2) == 0) ||
                     (gl == 5 && memcmp(lc + g0, "until", 5) == 0) ||
                     (gl == 7 && memcmp(lc + g0, "through", 7) == 0) ||
                     (gl == 3 && memcmp(lc + g0, "and", 3) == 0) ||
                     (gl == 1 && lc[g0] == '-') ||
                     (gl == 3 && (unsigned char)lc[g0] == 0xE2);
            size_t p = a->b0;
            while (p > 0 && lc[p - 1] == ' ')
                p--;
            int from = (p >= 4 && memcmp(lc + p - 4, "from", 4) == 0) ||
                       (p >= 7 && memcmp(lc + p - 7, "between", 7) == 0);
            int and_ok = !(gl == 3 && memcmp(lc + g0, "and", 3) == 0) ||
                         (p >= 7 && memcmp(lc + p - 7, "between", 7) == 0);
            if (to && and_ok && (from || gl <= 3)) {
                gp_date j = *a;
                j.b1 = b->b1;
                memcpy(j.end, b->end, sizeof j.end);
                if (memcmp(j.start, j.end, 7) == 0) {
                    j.prec = BM_DATE_PERIOD;
                    memcpy(j.iso, j.start, 7);
                    j.iso[7] = '\0';
                } else {
                    j.prec = BM_DATE_SEASON;
                    memcpy(j.iso, j.start, 4);
                    j.iso[4] = '\0';
                }
                d[w++] = j;
                i++;
                continue;
            }
        }
        d[w++] = *a;
    }
    (void)n;
    return w;
}

size_t gp_find_dates(const char *s, const char *lc, size_t n,
                     const gp_anchor *a, gp_date *out, size_t max)
{
    tok t[TOKS_MAX];
    ctx c = {s, lc, n, a, 0};
    int attribution = attribution_sentence(lc, n);
    size_t found = 0, from = 0;
    /* Windows of tokens: a pattern starting in the first TOKS_MAX - 16
     * tokens of a window may read 16 tokens ahead; the next window starts
     * where those end, so every token is a possible start once. */
    while (from < n && found < max) {
        size_t next;
        size_t nt = tokenize(s, lc, n, from, t, TOKS_MAX, &next);
        if (nt == 0)
            break;
        size_t limit = next >= n ? nt : nt - 16;
        for (size_t i = 0; i < limit && found < max;) {
            if (!t[i].cue) {
                i++;
                continue;
            }
            if (t[i].cue == 2) {
                int unit = 0;
                for (size_t j = i + 1; j < nt && j <= i + 3 && !unit; j++)
                    unit = unit_word(lc, &t[j]);
                if (!unit) {
                    i++;
                    continue;
                }
            }
            gp_date o;
            /* the year a future verb governs: resolve forward */
            c.future = 0;
            size_t used = match_at(&c, t, nt, i, &o);
            if (used) {
                o.role = role_of(&c, &o, attribution);
                if (o.role == GP_DATE_FUTURE && o.prec != BM_DATE_NONE) {
                    gp_date f;
                    c.future = 1;
                    if (match_at(&c, t, nt, i, &f)) {
                        f.role = GP_DATE_FUTURE;
                        o = f;
                    }
                    c.future = 0;
                }
                if (o.prec == BM_DATE_NONE)
                    o.iso[0] = o.start[0] = o.end[0] = '\0';
                out[found++] = o;
                i += used;
            } else {
                i++;
            }
        }
        if (next >= n)
            break;
        from = t[limit].b0;
    }
    return join_spans(lc, n, out, found);
}
