/*
 * zones.c - what each line of a report's body is.
 *
 * A news page copied as text carries more than the report: the headline
 * again, a standfirst, photo captions (often twice, as alt text and as
 * caption, then a credit line), related-article headlines, tag lists,
 * bylines and date lines, share and print buttons, subscription offers,
 * a weather widget. Their places are still place mentions, but only the
 * report's prose states incidents: a caption's "Workers load goods in
 * Dandong" is a picture, a related headline is another story.
 *
 * Each line is judged by its own form (how it starts and ends, its
 * words, a credit or a furniture phrase) and by its neighbours (a line
 * repeated by the next one, a credit line under it); lines above the first
 * paragraph of prose are judged more strictly than lines inside the text.
 */
#include "gp_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *gp_zone_name(gp_zone z)
{
    switch (z) {
    case GP_TEXT: return "text";
    case GP_HEADLINE: return "headline";
    case GP_DECK: return "deck";
    case GP_HEADING: return "heading";
    case GP_CAPTION: return "caption";
    case GP_RELATED: return "related";
    case GP_TAGS: return "tags";
    case GP_BYLINE: return "byline";
    case GP_NOTE: return "note";
    case GP_FURNITURE: return "furniture";
    }
    return "text";
}

/* ---- the form of one line ------------------------------------------------ */

typedef struct lform {
    size_t t0, t1;   /* trimmed bytes */
    size_t words;    /* words with a letter */
    size_t caps;     /* of them, starting with a capital */
    size_t upper;    /* ASCII capitals anywhere */
    size_t sents;    /* sentence ends (". " inside, or at the end) */
    int terminal;    /* ends like a sentence: . ! ? or a closing quote */
    int verbish;     /* has a word that looks like a finite verb */
} lform;

static int is_alpha(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26u;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* U+00A0 (no-break space) counts as space for trimming. */
static size_t trim_left(const char *s, size_t b0, size_t b1)
{
    for (;;) {
        if (b0 < b1 && is_space((unsigned char)s[b0]))
            b0++;
        else if (b0 + 1 < b1 && (unsigned char)s[b0] == 0xC2 &&
                 (unsigned char)s[b0 + 1] == 0xA0)
            b0 += 2;
        else
            return b0;
    }
}

static size_t trim_right(const char *s, size_t b0, size_t b1)
{
    for (;;) {
        if (b1 > b0 && is_space((unsigned char)s[b1 - 1]))
            b1--;
        else if (b1 >= b0 + 2 && (unsigned char)s[b1 - 2] == 0xC2 &&
                 (unsigned char)s[b1 - 1] == 0xA0)
            b1 -= 2;
        else
            return b1;
    }
}

/* Words that, as a whole word, suggest a finite verb in a short line. */
static const char *const finite[] = {
    "is", "are", "was", "were", "has", "have", "had", "will", "would",
    "can", "could", "may", "might", "must", "should", "says", "said",
    "did", "does", "do", NULL};

static int word_in_list(const char *lc, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == lc[0] && strlen(list[i]) == n &&
            memcmp(lc, list[i], n) == 0)
            return 1;
    return 0;
}

static void line_form(const char *s, const char *lc, size_t b0, size_t b1,
                      lform *f)
{
    memset(f, 0, sizeof *f);
    f->t0 = trim_left(s, b0, b1);
    f->t1 = trim_right(s, f->t0, b1);
    /* A paragraph of 600 bytes is prose: only how it starts and ends is
     * read (its word counts matter for short lines only). */
    int long_line = f->t1 - f->t0 > 600;
    if (long_line) {
        f->words = f->caps = f->upper = 100;
        f->sents = 3;
    }
    for (size_t i = f->t0; !long_line && i < f->t1;) {
        unsigned char c = (unsigned char)s[i];
        if ((unsigned)(c - 'A') < 26u)
            f->upper++;
        if (!is_alpha(c)) {
            if ((c == '.' || c == '!' || c == '?') && i + 1 < f->t1 &&
                s[i + 1] == ' ' && i > f->t0 && is_alpha((unsigned char)s[i - 1]) &&
                i + 2 < f->t1 && (unsigned)((unsigned char)s[i + 2] - 'A') < 26u)
                f->sents++;
            i++;
            continue;
        }
        size_t j = i;
        while (j < f->t1 && (is_alpha((unsigned char)s[j]) || s[j] == '\'' ||
                             s[j] == '-'))
            j++;
        f->words++;
        if ((unsigned)(c - 'A') < 26u)
            f->caps++;
        i = j;
    }
    /* a finite verb matters only for short lines (captions, decks) */
    for (size_t i = f->t0; f->words <= 25 && i < f->t1 && !f->verbish;) {
        if (!is_alpha((unsigned char)s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < f->t1 && is_alpha((unsigned char)s[j]))
            j++;
        size_t wl = j - i;
        f->verbish = word_in_list(lc + i, wl, finite) ||
                     (wl > 4 && lc[j - 1] == 'd' && lc[j - 2] == 'e');
        i = j;
    }
    if (f->t1 > f->t0) {
        size_t e = f->t1;
        /* closing quotes and brackets after the sentence's end */
        while (e > f->t0) {
            unsigned char c = (unsigned char)s[e - 1];
            if (c == '"' || c == '\'' || c == ')' || c == ']') {
                e--;
                continue;
            }
            if (e >= f->t0 + 3 && (unsigned char)s[e - 3] == 0xE2 &&
                (unsigned char)s[e - 2] == 0x80 &&
                ((unsigned char)s[e - 1] == 0x9D ||
                 (unsigned char)s[e - 1] == 0x99)) {
                e -= 3;
                continue;
            }
            break;
        }
        if (e > f->t0) {
            char c = s[e - 1];
            f->terminal = c == '.' || c == '!' || c == '?' || c == ':';
        }
        if (f->terminal && !long_line)
            f->sents++;
    }
}

/* Does lc[t0..t1) start with the phrase (lower case)? */
static int starts(const char *lc, size_t t0, size_t t1, const char *ph)
{
    if (t1 <= t0 || lc[t0] != ph[0])
        return 0;
    size_t n = strlen(ph);
    return t1 - t0 >= n && memcmp(lc + t0, ph, n) == 0;
}

/* Does lc[t0..t1) contain the phrase as whole words? */
static int has(const char *lc, size_t t0, size_t t1, const char *ph)
{
    size_t n = strlen(ph);
    for (size_t i = t0; i + n <= t1; i++)
        if (lc[i] == ph[0] && memcmp(lc + i, ph, n) == 0 &&
            (i == t0 || !is_alpha((unsigned char)lc[i - 1]) ||
             !is_alpha((unsigned char)ph[0])) &&
            (i + n == t1 || !is_alpha((unsigned char)lc[i + n]) ||
             !is_alpha((unsigned char)ph[n - 1])))
            return 1;
    return 0;
}

static int has_any(const char *lc, size_t t0, size_t t1,
                   const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (has(lc, t0, t1, list[i]))
            return 1;
    return 0;
}

static int starts_any(const char *lc, size_t t0, size_t t1,
                      const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (starts(lc, t0, t1, list[i]))
            return 1;
    return 0;
}

/* ---- phrase classes ------------------------------------------------------- */

/* Whole lines that are buttons and labels of the page. */
static const char *const furniture_lines[] = {
    "email story", "comment on this story", "print story", "share",
    "share this", "share this article", "share on facebook", "tweet",
    "print", "email", "advertisement", "- advertisement -", "sponsored",
    "subscribe", "subscribe now", "sign up", "log in", "login", "menu",
    "search", "home", "top", "back to top", "close", "skip to content",
    "read more", "more", "next", "previous", "comments", "leave a comment",
    "listen", "listen to this article", "audio", "video", "photo",
    "photos", "facebook", "twitter", "telegram", "whatsapp", "kakaotalk",
    "linkedin", "copy link", "font size", "text size", NULL};

/* Phrases that make a line promotional or editorial page matter. */
static const char *const furniture_phrases[] = {
    "subscribe", "subscription", "unlimited access", "newsletter",
    "sign up for", "log in to", "cancel any time", "cancel anytime",
    "all major cards", "all rights reserved", "copyright", "cookies",
    "originally published by", "originally appeared", "reprinted with",
    "republished with", "is reprinted", "was reprinted", "used with permission",
    "click here", "follow us", "support our", "donate", "trial period",
    "searchable archive", "become a member", "to read the full", NULL};

/* How captions and picture credits begin. */
static const char *const caption_starts[] = {
    "file photo", "(file photo", "[file photo", "photo:", "photo by",
    "photos:", "photo :", "image:", "image by", "picture:", "pictured:",
    "pictured ", "above:", "below:", "top:", "caption:", "video:",
    "graphic:", "map:", "satellite image", "a satellite image",
    "(photo", "[photo:", "photo courtesy", "courtesy of", "screenshot",
    "screen capture", "source: google", "![", NULL};

/* Credits that, inside a line, make it a caption. */
static const char *const credits[] = {
    "image:", "/ image", "photo:", "photo courtesy", "image courtesy",
    "courtesy of", "flickr", "creative commons", "getty images",
    "ap photo", "taken by", "photographed", "google earth", "planet labs",
    "maxar", "screenshot", "screen capture", "wikimedia", "(kcna)",
    "kcna/", "/kcna", "(yonhap)", "(afp)", "(reuters)", "(asiapress)",
    "(daily nk)", "/ daily nk", "(rodong sinmun)", "unsplash", NULL};

/* A picture being described. */
static const char *const picture_words[] = {
    "can be seen", "is seen", "are seen", "seen here", "in this photo",
    "in a photo", "in this image", "in this picture", "in this undated",
    "this photo", "photo taken", "photo shows", "image shows",
    "pictured", "file photo", NULL};

/* Lines that say who wrote a report and when. */
static const char *const byline_starts[] = {
    "by ", "by:", "published", "updated", "posted", "last updated",
    "date ", "date:", "written by", "reporting by", "edited by",
    "translated by", "author:", "reporter:", "correspondent:", NULL};

/* How related-article lines begin. */
static const char *const related_starts[] = {
    "related", "read more", "read also", "read:", "see also", "also read",
    "recommended", "more:", "more on ", "more from ", "you may also",
    "you might also", "popular:", "most read", "latest:", "trending:",
    "\xe2\x86\x92", /* → */
    "\xe2\x96\xb6", /* ▶ */
    "\xe2\x96\xba", /* ► */
    "\xe2\x98\x9e", /* ☞ */
    NULL};

/* How section headings begin (bullets Asia Press and others use). */
static const char *const heading_starts[] = {
    "\xe2\x97\x86", /* ◆ */
    "\xe2\x96\xa0", /* ■ */
    "\xe2\x96\xb2", /* ▲ */
    "\xe2\x97\x8f", /* ● */
    "\xe2\x97\x87", /* ◇ */
    "#", NULL};

/* Only month and weekday names, numbers and punctuation: a date line
 * ("Saturday, December 21, 2024", "October 25, 2021", "2017-06-23"). */
static int date_line(const char *lc, size_t t0, size_t t1)
{
    static const char *const names[] = {
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "am", "pm", "a", "m", "p", "et",
        "kst", "utc", "gmt", NULL};
    int digits = 0, words = 0;
    for (size_t i = t0; i < t1;) {
        unsigned char c = (unsigned char)lc[i];
        if (c >= '0' && c <= '9') {
            digits++;
            i++;
            continue;
        }
        if (!is_alpha(c)) {
            if (c >= 0x80)
                return 0;
            i++;
            continue;
        }
        size_t j = i;
        while (j < t1 && is_alpha((unsigned char)lc[j]))
            j++;
        if (!word_in_list(lc + i, j - i, names))
            return 0;
        words++;
        i = j;
    }
    return digits >= 2 && words <= 6;
}

/* "55.7 F", "-3 °C": a weather widget. */
static int weather_line(const char *lc, size_t t0, size_t t1)
{
    size_t i = t0;
    if (i < t1 && lc[i] == '-')
        i++;
    size_t d0 = i;
    while (i < t1 && ((lc[i] >= '0' && lc[i] <= '9') || lc[i] == '.'))
        i++;
    if (i == d0)
        return 0;
    while (i < t1 && lc[i] == ' ')
        i++;
    if (i + 2 <= t1 && (unsigned char)lc[i] == 0xC2 &&
        (unsigned char)lc[i + 1] == 0xB0)
        i += 2;
    return i + 1 == t1 && (lc[i] == 'f' || lc[i] == 'c');
}

/* A short line naming only an outlet or agency: a picture credit
 * ("Yonhap News", "AP", "Daily NK"). */
static int credit_line(const char *lc, const lform *f)
{
    static const char *const agencies[] = {
        "yonhap", "yonhap news", "ap", "afp", "reuters", "daily nk",
        "dailynk", "kcna", "getty images", "asiapress", "news1", "newsis",
        "rodong sinmun", "nk news", "epa", "xinhua", "tass", NULL};
    size_t t0 = f->t0, t1 = f->t1;
    if (t1 > t0 && (lc[t0] == '(' || lc[t0] == '/'))
        t0++;
    while (t1 > t0 && (lc[t1 - 1] == ')' || lc[t1 - 1] == '.'))
        t1--;
    for (size_t i = 0; agencies[i]; i++)
        if (strlen(agencies[i]) == t1 - t0 &&
            memcmp(lc + t0, agencies[i], t1 - t0) == 0)
            return 1;
    return 0;
}

/* The line ends with a parenthesised credit: "... (Daily NK)". */
static int credit_at_end(const char *lc, const lform *f)
{
    if (f->t1 <= f->t0 || lc[f->t1 - 1] != ')')
        return 0;
    size_t o = f->t1 - 1;
    while (o > f->t0 && lc[o] != '(')
        o--;
    if (lc[o] != '(' || f->t1 - o > 80)
        return 0;
    static const char *const words[] = {
        "photo", "image", "flickr", "creative commons", "getty", "afp",
        "reuters", "yonhap", "kcna", "daily nk", "google", "courtesy",
        "file", "asiapress", "air force", "army", "navy", "rodong", NULL};
    return has_any(lc, o, f->t1, words);
}

/* SEOUL, Oct. 12 (Yonhap) -- ...: where the prose starts after a
 * dateline, or t0 when there is none. */
static size_t after_dateline(const char *s, const lform *f)
{
    size_t i = f->t0, caps = 0;
    /* one or more words in capitals */
    while (i < f->t1) {
        size_t j = i;
        while (j < f->t1 && (((unsigned)((unsigned char)s[j] - 'A') < 26u) ||
                             s[j] == '\'' || s[j] == '-' || s[j] == '.'))
            j++;
        if (j - i < 3)
            break;
        caps++;
        i = j;
        if (i < f->t1 && s[i] == ' ' && i + 1 < f->t1 &&
            (unsigned)((unsigned char)s[i + 1] - 'A') < 26u &&
            i + 2 < f->t1 && (unsigned)((unsigned char)s[i + 2] - 'A') < 26u)
            i++;
        else
            break;
    }
    if (!caps)
        return f->t0;
    /* then a date and an agency, within 40 bytes, then a dash */
    size_t lim = i + 48 < f->t1 ? i + 48 : f->t1;
    for (size_t k = i; k < lim; k++) {
        unsigned char c = (unsigned char)s[k];
        size_t dl = 0;
        if (c == '-' && k + 1 < f->t1 && s[k + 1] == '-')
            dl = 2;
        else if (c == '-' && k > i && s[k - 1] == ' ')
            dl = 1;
        else if (c == 0xE2 && k + 2 < f->t1 &&
                 (unsigned char)s[k + 1] == 0x80 &&
                 ((unsigned char)s[k + 2] == 0x94 ||
                  (unsigned char)s[k + 2] == 0x93))
            dl = 3;
        if (!dl)
            continue;
        size_t e = k + dl;
        while (e < f->t1 && s[e] == ' ')
            e++;
        return e < f->t1 ? e : f->t0;
    }
    return f->t0;
}

/* The title as it would open the body: without a leading bracketed tag
 * ("[Photo] ...", "[collector's description; ...] ..."). */
static void title_core(const char *title, const char **t, size_t *n)
{
    *t = title ? title : "";
    *n = strlen(*t);
    while (*n && (**t == ' ' || **t == '\t')) {
        (*t)++;
        (*n)--;
    }
    if (*n && **t == '[') {
        const char *e = memchr(*t, ']', *n);
        if (e) {
            *n -= (size_t)(e + 1 - *t);
            *t = e + 1;
            while (*n && **t == ' ') {
                (*t)++;
                (*n)--;
            }
        }
    }
}

/* Does the line repeat the title (its first 20+ characters, whatever the
 * case, with or without the title's bracketed tag)? */
static int is_headline(const char *s, const lform *f, const char *title)
{
    if (!title || !*title)
        return 0;
    const char *t;
    size_t tn;
    title_core(title, &t, &tn);
    const char *l = s + f->t0;
    size_t ln = f->t1 - f->t0;
    while (ln && (*l == '#' || *l == ' ')) { /* a Markdown heading */
        l++;
        ln--;
    }
    if (ln && *l == '[') {
        const char *e = memchr(l, ']', ln);
        if (e) {
            ln -= (size_t)(e + 1 - l);
            l = e + 1;
            while (ln && *l == ' ') {
                l++;
                ln--;
            }
        }
    }
    size_t k = tn < ln ? tn : ln;
    if (k < 20 && !(k == tn && k == ln && k >= 8))
        return 0;
    return strncasecmp(l, t, k) == 0;
}

/* Is line b the same text as line a (or a with a credit appended)? */
static int same_text(const char *s, const lform *a, const lform *b)
{
    size_t an = a->t1 - a->t0, bn = b->t1 - b->t0;
    if (an < 12 || bn < an)
        return 0;
    /* "X" then "X. Image: Daily NK" */
    if (memcmp(s + a->t0, s + b->t0, an) != 0) {
        /* "X" then "X." */
        if (!(an == bn + 1 || bn == an + 1))
            return 0;
        size_t k = an < bn ? an : bn;
        return memcmp(s + a->t0, s + b->t0, k) == 0;
    }
    return 1;
}

/* ---- phrase classes in one pass ------------------------------------------- */

enum { PC_FURNITURE = 1u, PC_CREDIT = 2u, PC_PICTURE = 4u };

static void pindex_init(gp_phrases *x)
{
    gp_phrases_init(x);
    gp_phrases_add(x, furniture_phrases, PC_FURNITURE);
    gp_phrases_add(x, credits, PC_CREDIT);
    gp_phrases_add(x, picture_words, PC_PICTURE);
}

/* The classes of the phrases lc[t0..t1) holds as whole words (what has()
 * tells for one phrase). */
static unsigned line_classes(const gp_phrases *x, const char *lc, size_t t0,
                             size_t t1)
{
    unsigned m = 0;
    int prev_alpha = 0;
    for (size_t i = t0; i < t1; i++) {
        unsigned char ch = (unsigned char)lc[i];
        int left = !prev_alpha;
        prev_alpha = is_alpha(ch);
        /* phrases start a word, or start with punctuation */
        if ((!left && prev_alpha) || i + 1 >= t1)
            continue;
        for (unsigned k = gp_phrases_first(x, ch, (unsigned char)lc[i + 1]);
             k != GP_PHRASES_NONE; k = x->next[k]) {
            size_t n = x->len[k];
            const char *ph = x->ph[k];
            if (i + n > t1 || lc[i] != ph[0] || lc[i + 1] != ph[1] ||
                memcmp(lc + i, ph, n) != 0)
                continue;
            if (!left && is_alpha((unsigned char)ph[0]))
                continue;
            if (i + n < t1 && is_alpha((unsigned char)lc[i + n]) &&
                is_alpha((unsigned char)ph[n - 1]))
                continue;
            m |= x->cls[k];
        }
    }
    return m;
}

/* ---- zoning --------------------------------------------------------------- */

static gp_zone judge(const char *s, const char *lc, const lform *f,
                     const gp_phrases *px, int top, int seen_headline)
{
    size_t t0 = f->t0, t1 = f->t1;
    /* A paragraph of more than 60 words is prose unless it opens as a
     * note, a related line, a heading or a caption. */
    if (f->words > 60) {
        if (lc[t0] == '*')
            return GP_NOTE;
        if (starts_any(lc, t0, t1, heading_starts))
            return GP_HEADING;
        if (starts_any(lc, t0, t1, caption_starts))
            return GP_CAPTION;
        return GP_TEXT;
    }
    unsigned cls = line_classes(px, lc, t0, t1);
    /* furniture first: whole-line buttons, promotions, widgets */
    if (f->words <= 6) {
        size_t a = t0, b = t1;
        while (a < b && (lc[a] == '-' || lc[a] == ' ' || lc[a] == '|'))
            a++;
        while (b > a && (lc[b - 1] == '-' || lc[b - 1] == ' ' ||
                         lc[b - 1] == '|' || lc[b - 1] == ':'))
            b--;
        for (size_t i = 0; furniture_lines[i]; i++)
            if (strlen(furniture_lines[i]) == b - a &&
                memcmp(lc + a, furniture_lines[i], b - a) == 0)
                return GP_FURNITURE;
    }
    if (weather_line(lc, t0, t1))
        return GP_FURNITURE;
    if (cls & PC_FURNITURE)
        return GP_FURNITURE;
    if (lc[t0] == '*' || starts(lc, t0, t1, "note:") ||
        starts(lc, t0, t1, "editor's note") ||
        starts(lc, t0, t1, "editor\xe2\x80\x99s note"))
        return GP_NOTE;
    if (lc[t0] == '<') {
        const char *e = memchr(lc + t0, '>', t1 - t0 < 60 ? t1 - t0 : 60);
        if (e)
            return GP_RELATED;
    }
    if (starts_any(lc, t0, t1, related_starts) && f->words <= 30)
        return GP_RELATED;
    if (starts_any(lc, t0, t1, heading_starts))
        return GP_HEADING;
    if (starts_any(lc, t0, t1, caption_starts))
        return GP_CAPTION;
    if ((cls & PC_CREDIT) || credit_at_end(lc, f))
        return GP_CAPTION;
    if (f->words <= 50 && f->sents <= 2 && (cls & PC_PICTURE))
        return GP_CAPTION;
    if (f->words <= 12 && date_line(lc, t0, t1))
        return GP_BYLINE;
    if (f->words <= 14 && starts_any(lc, t0, t1, byline_starts) &&
        !f->verbish)
        return GP_BYLINE;
    if (f->words <= 14 && memchr(lc + t0, '|', t1 - t0))
        return GP_BYLINE; /* "Seol Song Ah | 2017-06-23 17:16" */
    if (starts(lc, t0, t1, "tags:") || starts(lc, t0, t1, "keywords:") ||
        starts(lc, t0, t1, "topics:"))
        return GP_TAGS;
    if (!f->terminal && f->words >= 2 && f->upper == 0 && f->words <= 30)
        return GP_TAGS;
    if (f->words <= 5 && credit_line(lc, f))
        return GP_CAPTION;
    if (!f->terminal && f->words <= 20) {
        /* a line of Title Case words: a heading, or in the lines above the
         * text a related headline */
        int titlecase = f->words >= 3 && f->caps * 10 >= f->words * 6;
        if (top) {
            if (titlecase && seen_headline)
                return GP_RELATED;
            return f->verbish && f->words >= 6 ? GP_DECK : GP_CAPTION;
        }
        if (titlecase)
            return GP_HEADING;
    }
    (void)s;
    return GP_TEXT;
}

bm_status gp_zones(const char *title, const char *body, const char *lc,
                   size_t len, gp_line **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0, count = 0;
    gp_line *v = NULL;
    for (size_t b = 0; b <= len;) {
        const char *nl = memchr(body + b, '\n', len - b);
        size_t e = nl ? (size_t)(nl - body) : len;
        gp_line *g = bm_grow(v, &cap, count + 1, sizeof *v);
        if (!g) {
            free(v);
            return BM_ERR_NOMEM;
        }
        v = g;
        v[count].b0 = b;
        v[count].b1 = e;
        v[count].text_b0 = b;
        v[count].zone = GP_TEXT;
        count++;
        if (!nl)
            break;
        b = e + 1;
    }
    lform *F = calloc(count ? count : 1, sizeof *F);
    if (!F) {
        free(v);
        return BM_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++)
        line_form(body, lc, v[i].b0, v[i].b1, &F[i]);

    gp_phrases px;
    pindex_init(&px);
    int top = 1, seen_headline = 0;
    size_t nonblank = 0;
    for (size_t i = 0; i < count; i++) {
        const lform *f = &F[i];
        if (f->t0 == f->t1) {
            v[i].text_b0 = v[i].b1;
            continue;
        }
        nonblank++;
        gp_zone z;
        if (!seen_headline && nonblank <= 4 && f->upper > 0 &&
            body[f->t1 - 1] != ',' && is_headline(body, f, title)) {
            z = GP_HEADLINE;
            seen_headline = 1;
        } else if (after_dateline(body, f) > f->t0) {
            z = GP_TEXT; /* "SEOUL, March 3 (Yonhap) -- ..." */
        } else {
            z = judge(body, lc, f, &px, top, seen_headline);
        }
        v[i].zone = z;
        v[i].text_b0 = f->t0;
        if (z == GP_TEXT) {
            v[i].text_b0 = after_dateline(body, f);
            /* the first paragraph of prose ends the lines above the text */
            if (f->terminal || f->words >= 25)
                top = 0;
        } else if (z == GP_DECK) {
            seen_headline = 1;
        }
    }
    /* A caption told twice (alt text, then caption) or with a credit line
     * under it: both are the picture's. A paragraph of several sentences
     * told twice is the page repeating its text (kept as text). */
    for (size_t i = 0; i < count; i++) {
        if (F[i].t0 == F[i].t1 || v[i].zone == GP_HEADLINE)
            continue;
        size_t j = i + 1;
        while (j < count && F[j].t0 == F[j].t1)
            j++;
        if (j >= count)
            break;
        if (F[i].sents <= 1 && F[i].words <= 60 &&
            same_text(body, &F[i], &F[j]) && v[j].zone != GP_HEADLINE) {
            v[i].zone = GP_CAPTION;
            v[j].zone = GP_CAPTION;
        } else if (F[j].words <= 5 && credit_line(lc, &F[j]) &&
                   F[i].words <= 60 && F[i].sents <= 2 &&
                   v[i].zone != GP_HEADING) {
            v[i].zone = GP_CAPTION;
            v[j].zone = GP_CAPTION;
        }
    }
    free(F);
    *out = v;
    *n = count;
    return BM_OK;
}
