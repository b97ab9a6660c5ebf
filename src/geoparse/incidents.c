/*
 * incidents.c - sentences, event triggers, and incidents (what, when, who,
 * where) read from a report and its resolved place mentions.
 *
 * An incident is a sentence with an event trigger (arrested, crackdown,
 * bribe, smuggling, ...). Its place is the most precise resolved mention in
 * the sentence (a town or county before a province or a country; a place
 * that only says where the *source* is comes last), else the nearest
 * preceding place in the paragraph, else the report's dominant place.
 * Its date comes from the sentence ("on Jan. 7", "in mid-October", "last
 * Thursday") completed with the report's year, else the report's date.
 * Its actor is the first security organ named in the sentence, else the
 * nearest one before it in the paragraph. One incident per (type, place)
 * is kept, the best few per report.
 */
#include "bm_geoparse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BM_MAX_INCIDENTS 8

/* ---- sentences --------------------------------------------------------- */

static const char *const abbrevs[] = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt",
    "sgt", "capt", "gov", "rep", "sen", "st", "no", "nos", "vol", "vs",
    "inc", "ltd", "co", "corp", "jr", "sr", "dept", "approx", "fig", "pp",
    "p", "cf", "al", "ft", "mt", "ave", "rev", "lieut", "maj", "cmdr",
    "adm", "messrs", "govt", NULL};

/* Is the word that ends just before text[i] (a '.') an abbreviation? */
static int abbrev_before(const char *text, size_t i)
{
    size_t j = i;
    while (j > 0 && isalpha((unsigned char)text[j - 1]))
        j--;
    size_t n = i - j;
    if (n == 0)
        return 0;
    /* initials: "N. Korea", "U.S.", "a.m." */
    if (n == 1 && (isupper((unsigned char)text[j]) ||
                   (j > 0 && text[j - 1] == '.')))
        return 1;
    if (n > 7)
        return 0;
    char w[8];
    for (size_t k = 0; k < n; k++)
        w[k] = (char)tolower((unsigned char)text[j + k]);
    w[n] = '\0';
    /* only as a whole word (not "Korea" ending in "a") */
    if (j > 0 && (isalnum((unsigned char)text[j - 1])))
        return 0;
    for (size_t k = 0; abbrevs[k]; k++)
        if (strcmp(w, abbrevs[k]) == 0)
            return 1;
    return 0;
}

/* Length of a closing quote or bracket at text[i], 0 if none. */
static size_t closer_at(const char *text, size_t len, size_t i)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']')
        return 1;
    if (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
        ((unsigned char)text[i + 2] == 0x9D ||
         (unsigned char)text[i + 2] == 0x99))
        return 3;
    return 0;
}

typedef struct sent_list {
    bm_sentence *v;
    size_t n, cap;
    size_t last_b, last_cp;
} sent_list;

/* bm_utf8_codepoints(): the bytes that do not continue a character,
 * counted eight at a time. */
static size_t count_codepoints(const char *s, size_t n)
{
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        /* continuation bytes are 10xxxxxx */
        uint64_t m = x & ~(x << 1) & 0x8080808080808080ull;
        if (m)
            cont += (size_t)__builtin_popcountll(m);
    }
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return n - cont;
}

static int sent_push(sent_list *L, const char *text, size_t b0, size_t b1,
                     size_t para)
{
    while (b0 < b1 && isspace((unsigned char)text[b0]))
        b0++;
    while (b1 > b0 && isspace((unsigned char)text[b1 - 1]))
        b1--;
    if (b0 == b1)
        return 1;
    bm_sentence *nv = bm_grow(L->v, &L->cap, L->n + 1, sizeof *nv);
    if (!nv)
        return 0;
    L->v = nv;
    bm_sentence *s = &L->v[L->n++];
    /* code points, counted incrementally (sentences come in order), each
     * byte once */
    L->last_cp += count_codepoints(text + L->last_b, b0 - L->last_b);
    s->byte_start = b0;
    s->byte_end = b1;
    s->start = L->last_cp;
    s->end = L->last_cp + count_codepoints(text + b0, b1 - b0);
    s->paragraph = para;
    L->last_b = b1;
    L->last_cp = s->end;
    return 1;
}

bm_status bm_split_sentences(const char *text, size_t len, bm_sentence **out,
                             size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text)
        return BM_ERR_USAGE;
    sent_list L = {0};
    size_t start = 0, para = 0;
    for (size_t i = 0; i < len; i++) {
        /* skip to the next line end or sentence punctuation */
        while (i < len && text[i] != '\n' && text[i] != '.' &&
               text[i] != '!' && text[i] != '?')
            i++;
        if (i == len)
            break;
        char c = text[i];
        if (c == '\n') {
            if (!sent_push(&L, text, start, i, para))
                goto nomem;
            para++;
            start = i + 1;
            continue;
        }
        if (c != '.' && c != '!' && c != '?')
            continue;
        size_t j = i + 1;
        while (j < len && (text[j] == '.' || text[j] == '!' || text[j] == '?'))
            j++;
        size_t cl;
        while (j < len && (cl = closer_at(text, len, j)) > 0)
            j += cl;
        if (j < len && text[j] != ' ' && text[j] != '\n' && text[j] != '\t')
            continue; /* "3.5", "U.S.-China", "dailynk.com" */
        if (c == '.' && j == i + 1 && abbrev_before(text, i))
            continue;
        size_t k = j;
        while (k < len && (text[k] == ' ' || text[k] == '\t'))
            k++;
        if (k < len && text[k] != '\n' &&
            (islower((unsigned char)text[k]) || text[k] == ',' ||
             text[k] == ';'))
            continue; /* "etc. and", "a.m. on" */
        if (!sent_push(&L, text, start, j, para))
            goto nomem;
        start = j;
        i = j - 1;
    }
    if (!sent_push(&L, text, start, len, para))
        goto nomem;
    *out = L.v;
    *n = L.n;
    return BM_OK;
nomem:
    free(L.v);
    return BM_ERR_NOMEM;
}

/* ---- triggers ---------------------------------------------------------- */

typedef struct trigger {
    const char *type;
    const char *phrase; /* lower case; a trailing '*' matches any ending */
    int priority;
} trigger;

static const trigger triggers[] = {
    {"execution", "executed", 100},
    {"execution", "execution*", 100},
    /* A trial is the later, more specific stage of an arrest: "arrested
     * and tried" reports the trial (a public trial is a crackdown). */
    {"crackdown", "public trial*", 91},
    {"crackdown", "mass trial*", 91},
    {"crackdown", "open trial*", 91},
    {"crackdown", "tried for", 91},
    {"crackdown", "stood trial", 91},
    {"crackdown", "put on trial", 91},
    {"execution", "firing squad", 100},
    {"killing", "shot dead", 95},
    {"killing", "shot and killed", 95},
    {"killing", "shot to death", 95},
    {"killing", "beaten to death", 95},
    {"killing", "killed", 95},
    {"arrest", "emergency arrest", 90},
    {"arrest", "arrest", 90},
    {"arrest", "arrested", 90},
    {"arrest", "arresting", 90},
    {"arrest", "arrests", 90},
    {"arrest", "apprehend*", 90},
    {"arrest", "detain*", 90},
    {"arrest", "detention", 90},
    {"arrest", "nabbed", 90},
    {"arrest", "taken into custody", 90},
    {"arrest", "rounded up", 90},
    {"repatriation", "repatriat*", 85},
    {"repatriation", "forcibly returned", 85},
    {"repatriation", "deported", 85},
    {"defection", "defected", 52},
    {"defection", "defecting", 52},
    {"defection", "defection", 52},
    {"defection", "defections", 52},
    {"defection", "defect to", 52},
    {"defection", "fled", 52},
    {"defection", "fleeing", 52},
    {"defection", "escaped across", 52},
    {"defection", "escaped to", 52},
    {"defection", "crossed the border", 52},
    {"defection", "crossed the river", 52},
    {"defection", "illegal border crossing*", 52},
    {"smuggling", "smuggl*", 48},
    {"bribery", "bribe*", 47},
    {"bribery", "bribing", 47},
    {"bribery", "kickback*", 47},
    {"surveillance", "signal detection", 65},
    {"surveillance", "radio signal*", 65},
    {"surveillance", "radio wave*", 65},
    {"surveillance", "wiretap*", 65},
    {"surveillance", "monitoring", 65},
    {"surveillance", "surveillance", 65},
    {"surveillance", "intercept*", 65},
    {"surveillance", "eavesdrop*", 65},
    {"surveillance", "listening in", 65},
    {"arrest", "caught", 60},
    {"arrest", "busted", 60},
    {"crackdown", "crackdown*", 55},
    {"crackdown", "crack down", 55},
    {"crackdown", "cracking down", 55},
    {"crackdown", "cracked down", 55},
    {"crackdown", "clampdown*", 55},
    {"crackdown", "raid", 55},
    {"crackdown", "raids", 55},
    {"crackdown", "raided", 55},
    {"crackdown", "raiding", 55},
    {"inspection", "inspection*", 56},
    {"inspection", "inspected", 56},
    {"inspection", "checkpoint*", 45},
    {"crackdown", "clamp down", 55},
    {"crackdown", "clamping down", 55},
    {"crackdown", "clamped down", 55},
    {"crackdown", "tightened", 44},
    {"crackdown", "tightening", 44},
    {"crackdown", "military law", 55},
    {"crackdown", "intensive control*", 55},
    {"crackdown", "sweep", 55},
    {"crackdown", "sweeps", 55},
    {"detention", "sentenced", 50},
    {"detention", "punished", 50},
    {"detention", "labor camp*", 50},
    {"detention", "labour camp*", 50},
    {"detention", "re-education", 50},
    {"detention", "reeducation", 50},
    {"detention", "prison camp*", 50},
    {"lecture", "lecture", 35},
    {"lecture", "lectures", 35},
    {"lecture", "study session*", 35},
    {"meeting", "meeting", 40},
    {"meeting", "convened", 40},
    {NULL, NULL, 0}};

/* Words that, just before a trigger, make it not (yet) an event. */
static const char *const negators[] = {
    "not", "never", "no", "without", "avoid", "avoided", "avoiding", "if",
    "would", "will", "could", "might", "may", "risk", "risks", "face",
    "facing", "unless", "lest", "escape", NULL};

static inline int is_wchar(unsigned char c)
{
    /* isalnum() in the C locale the program runs in, without its table */
    return c >= 0x80 || (unsigned)((c | 32) - 'a') < 26u ||
           (unsigned)(c - '0') < 10u;
}

/* Is one of the (up to) three words before lc[pos] a negator? */
static int negated(const char *lc, size_t pos)
{
    size_t i = pos;
    for (int w = 0; w < 3; w++) {
        while (i > 0 && !is_wchar((unsigned char)lc[i - 1])) {
            if (lc[i - 1] == '.' || lc[i - 1] == ',' || lc[i - 1] == ';')
                return 0;
            i--;
        }
        size_t e = i;
        while (i > 0 && (is_wchar((unsigned char)lc[i - 1]) ||
                         lc[i - 1] == '\''))
            i--;
        if (e == i)
            return 0;
        char word[16];
        size_t k = e - i;
        if (k >= sizeof word)
            continue;
        memcpy(word, lc + i, k);
        word[k] = '\0';
        if (k > 3 && strcmp(word + k - 3, "n't") == 0)
            return 1;
        for (size_t j = 0; negators[j]; j++)
            if (negators[j][0] == word[0] && strcmp(word, negators[j]) == 0)
                return 1;
    }
    return 0;
}

/* Phrase tables indexed by first (lower-case) byte, each bucket in table
 * order, so that a scan tries at each word start only the few phrases that
 * can begin there. Built per report (a few hundred operations) rather than
 * kept in a global. */
#define PH_NONE 0xFFu
#define NTRIGGERS (sizeof triggers / sizeof triggers[0] - 1)

typedef struct phrase_ix {
    unsigned char thead[256], tnext[NTRIGGERS];
    unsigned char tlen[NTRIGGERS], tprefix[NTRIGGERS], tspecial[NTRIGGERS];
    unsigned char ahead[256], anext[64];
    unsigned char alen[64], aprefix[64];
    /* second byte of the phrase (0 when it has only one): tested before
     * the whole phrase is compared */
    unsigned char t1[NTRIGGERS], a1[64];
} phrase_ix;

/* Does the phrase (length pl without its '*', prefix when it had one)
 * match lc[i..n) at position i, the left boundary already checked? Sets
 * *mlen like find_phrase did. */
static inline int phrase_at(const char *lc, size_t n, size_t i,
                            const char *phrase, size_t pl, int prefix,
                            size_t *mlen)
{
    if (i + pl > n || memcmp(lc + i, phrase, pl) != 0)
        return 0;
    size_t e = i + pl;
    if (prefix) {
        while (e < n && (isalpha((unsigned char)lc[e]) || lc[e] == '-'))
            e++;
    } else if (e < n && is_wchar((unsigned char)lc[e])) {
        return 0;
    }
    *mlen = e - i;
    return 1;
}

/* "defectors" is a group of people, not an event: "defect*" triggers are
 * listed explicitly above. Returns the best trigger in the sentence: for
 * each trigger its first occurrence that is not negated, the highest
 * priority winning, the earlier listed on a tie. One pass over the word
 * starts of the sentence. */
static const trigger *best_trigger(const phrase_ix *ix, const char *lc,
                                   size_t n)
{
    int prio[NTRIGGERS];
    unsigned char found[NTRIGGERS];
    memset(found, 0, sizeof found);
    for (size_t i = 0; i < n; i++) {
        unsigned t = ix->thead[(unsigned char)lc[i]];
        if (t == PH_NONE || (i > 0 && is_wchar((unsigned char)lc[i - 1])))
            continue;
        unsigned char c1 = (unsigned char)lc[i + 1]; /* lc[n] is readable */
        for (; t != PH_NONE; t = ix->tnext[t]) {
            size_t ml;
            if (found[t] || (ix->t1[t] && ix->t1[t] != c1) ||
                !phrase_at(lc, n, i, triggers[t].phrase,
                                       ix->tlen[t], ix->tprefix[t], &ml))
                continue;
            if (negated(lc, i))
                continue;
            found[t] = 1;
            int pr = triggers[t].priority;
            /* "a crackdown on smuggling": the crackdown is the event and
             * smuggling its target */
            if (ix->tspecial[t]) {
                size_t e = i + ml;
                while (e < n && lc[e] == ' ')
                    e++;
                if ((n - e >= 3 && memcmp(lc + e, "on ", 3) == 0) ||
                    (n - e >= 8 && memcmp(lc + e, "against ", 8) == 0))
                    pr = 87;
            }
            prio[t] = pr;
        }
    }
    const trigger *best = NULL;
    int best_prio = 0;
    for (size_t t = 0; t < NTRIGGERS; t++)
        if (found[t] && (!best || prio[t] > best_prio)) {
            best = &triggers[t];
            best_prio = prio[t];
        }
    return best;
}

/* The best trigger of sentence si, computed once: T[si] caches it
 * (TRIGGER_UNKNOWN until then, -1 for none). */
#define TRIGGER_UNKNOWN (-2)
static const trigger *sentence_trigger(const phrase_ix *ix, const char *lc,
                                       const bm_sentence *S, int *T,
                                       size_t si)
{
    if (T[si] == TRIGGER_UNKNOWN) {
        const trigger *t = best_trigger(ix, lc + S[si].byte_start,
                                        S[si].byte_end - S[si].byte_start);
        T[si] = t ? (int)(t - triggers) : -1;
    }
    return T[si] < 0 ? NULL : &triggers[T[si]];
}

/* ---- actors ------------------------------------------------------------ */

typedef struct actor_pat {
    const char *phrase; /* matched case-insensitively unless cs */
    int cs;             /* case-sensitive (acronyms) */
    const char *name;
} actor_pat;

static const actor_pat actors[] = {
    {"radio signal detection bureau", 0,
     "Radio Signal Detection Bureau (Bureau 11)"},
    {"bureau 11", 0, "Radio Signal Detection Bureau (Bureau 11)"},
    {"defense security bureau", 0, "Defense Security Bureau"},
    {"defence security bureau", 0, "Defense Security Bureau"},
    {"defense security command", 0, "Defense Security Bureau"},
    {"military security command", 0, "Defense Security Bureau"},
    {"province state security bureau", 0, "provincial state security bureau"},
    {"provincial state security bureau", 0,
     "provincial state security bureau"},
    {"state security bureau", 0, "provincial state security bureau"},
    {"ministry of state security", 0, "Ministry of State Security"},
    {"state security ministry", 0, "Ministry of State Security"},
    {"state security department", 0, "Ministry of State Security"},
    {"state security agent*", 0, "Ministry of State Security"},
    {"state security officer*", 0, "Ministry of State Security"},
    {"state security official*", 0, "Ministry of State Security"},
    {"bowibu", 0, "Ministry of State Security"},
    {"MSS", 1, "Ministry of State Security"},
    {"SSM", 1, "Ministry of State Security"},
    {"SSD", 1, "Ministry of State Security"},
    {"ministry of social security", 0, "Ministry of Social Security"},
    {"ministry of people's security", 0, "Ministry of Social Security"},
    {"ministry of people’s security", 0, "Ministry of Social Security"},
    {"social security ministry", 0, "Ministry of Social Security"},
    {"people's safety", 0, "Ministry of Social Security"},
    {"MSS", 1, "Ministry of State Security"},
    {"MPS", 1, "Ministry of Social Security"},
    {"MSoS", 1, "Ministry of Social Security"},
    {"chinese police", 0, "Chinese police"},
    {"chinese public security", 0, "Chinese police"},
    {"public security bureau", 0, "Chinese police"},
    {"border guard*", 0, "border guards"},
    {"border security", 0, "border guards"},
    {"border patrol*", 0, "border guards"},
    {"guard post*", 0, "border guards"},
    {"prosecutor*", 0, "prosecutors"},
    {"party committee", 0, "party committee"},
    {"sangmu", 0, "109 Sangmu (task force)"},
    {"police", 0, "Ministry of Social Security"},
    {"policem*", 0, "Ministry of Social Security"},
    {NULL, 0, NULL}};

#define NACTORS (sizeof actors / sizeof actors[0] - 1)
_Static_assert(NTRIGGERS < PH_NONE, "trigger indices fit a byte");
_Static_assert(NACTORS <= 64, "actor indices fit phrase_ix");

static void phrase_ix_init(phrase_ix *ix)
{
    memset(ix->thead, PH_NONE, sizeof ix->thead);
    memset(ix->ahead, PH_NONE, sizeof ix->ahead);
    for (size_t t = NTRIGGERS; t-- > 0;) {
        const char *ph = triggers[t].phrase;
        size_t pl = strlen(ph);
        ix->tprefix[t] = pl && ph[pl - 1] == '*';
        ix->tlen[t] = (unsigned char)(pl - ix->tprefix[t]);
        ix->tspecial[t] = strcmp(triggers[t].type, "crackdown") == 0 ||
                          strcmp(triggers[t].type, "inspection") == 0 ||
                          strcmp(triggers[t].type, "surveillance") == 0;
        unsigned char c = (unsigned char)ph[0];
        ix->t1[t] = ix->tlen[t] > 1 ? (unsigned char)ph[1] : 0;
        ix->tnext[t] = ix->thead[c];
        ix->thead[c] = (unsigned char)t;
    }
    for (size_t a = NACTORS; a-- > 0;) {
        const char *ph = actors[a].phrase;
        size_t pl = strlen(ph);
        ix->aprefix[a] = !actors[a].cs && pl && ph[pl - 1] == '*';
        ix->alen[a] = (unsigned char)(pl - ix->aprefix[a]);
        unsigned char c = (unsigned char)tolower((unsigned char)ph[0]);
        ix->a1[a] = ix->alen[a] > 1 ? (unsigned char)ph[1] : 0;
        ix->anext[a] = ix->ahead[c];
        ix->ahead[c] = (unsigned char)a;
    }
}

/* First actor named in text[from..n) (lc is its lower-case copy), as if
 * text+from were the whole text (no word boundary is needed at from);
 * NULL if none. *pos gets the (absolute) position. Earlier wins; at the
 * same place the more specific (listed first) wins. */
static const char *first_actor(const phrase_ix *ix, const char *text,
                               const char *lc, size_t n, size_t from,
                               size_t *pos)
{
    for (size_t i = from; i < n; i++) {
        unsigned a = ix->ahead[(unsigned char)lc[i]];
        /* lower-casing keeps word characters word characters, so one
         * boundary test serves both the exact and the folded phrases */
        if (a == PH_NONE ||
            (i > from && is_wchar((unsigned char)lc[i - 1])))
            continue;
        for (; a != PH_NONE; a = ix->anext[a]) {
            size_t pl = ix->alen[a], ml;
            if (actors[a].cs) {
                if (i + pl > n ||
                    (ix->a1[a] && ix->a1[a] != (unsigned char)text[i + 1]) ||
                    memcmp(text + i, actors[a].phrase, pl) != 0)
                    continue;
                if (i + pl < n && is_wchar((unsigned char)text[i + pl]))
                    continue;
            } else if ((ix->a1[a] && ix->a1[a] != (unsigned char)lc[i + 1]) ||
                       !phrase_at(lc, n, i, actors[a].phrase, pl,
                                  ix->aprefix[a], &ml)) {
                continue;
            }
            *pos = i;
            return actors[a].name;
        }
    }
    return NULL;
}

/* Every actor named in text[0..n), canonical names in order of first
 * appearance, joined with "; " into buf (always NUL-terminated); *last
 * gets the last one named (NULL if none). Returns the number of distinct
 * actors listed. */
static int all_actors(const phrase_ix *ix, const char *text, const char *lc,
                      size_t n, char *buf, size_t size, const char **last)
{
    int count = 0, full = 0;
    size_t off = 0;
    buf[0] = '\0';
    *last = NULL;
    while (off < n) {
        size_t p;
        const char *a = first_actor(ix, text, lc, n, off, &p);
        if (!a)
            break;
        off = p + 1;
        *last = a;
        if (full)
            continue;
        /* already listed? (names never contain "; ") */
        int seen = 0;
        for (const char *q = buf; (q = strstr(q, a)) != NULL; q++) {
            size_t al = strlen(a);
            if ((q == buf || (q >= buf + 2 && q[-2] == ';')) &&
                (q[al] == '\0' || q[al] == ';')) {
                seen = 1;
                break;
            }
        }
        if (seen)
            continue;
        size_t bl = strlen(buf);
        if (bl + strlen(a) + 3 > size) {
            full = 1;
            continue;
        }
        snprintf(buf + bl, size - bl, "%s%s", bl ? "; " : "", a);
        count++;
    }
    return count;
}

/* ---- dates ------------------------------------------------------------- */

typedef struct rdate {
    int y, m, d;       /* of the report; 0 when unknown */
    bm_date_precision prec;
} rdate;

static void report_date(const bm_report *r, rdate *rd)
{
    memset(rd, 0, sizeof *rd);
    if (!r->date)
        return;
    int y = 0, m = 0, d = 0;
    int k = sscanf(r->date, "%d-%d-%d", &y, &m, &d);
    if (k >= 1 && y > 0) {
        rd->y = y;
        rd->m = k >= 2 ? m : 0;
        rd->d = k >= 3 ? d : 0;
        rd->prec = r->date_precision;
    }
}

static int days_in(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

/* Day of week, 0 = Sunday (Sakamoto). */
static int weekday(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static void minus_days(int *y, int *m, int *d, int n)
{
    while (n-- > 0) {
        if (--*d == 0) {
            if (--*m == 0) {
                *m = 12;
                --*y;
            }
            *d = days_in(*y, *m);
        }
    }
}

static const char *const weekdays[7] = {"sunday",   "monday", "tuesday",
                                        "wednesday", "thursday", "friday",
                                        "saturday"};

/* Reads the word at lc[i] (letters and dots); returns its length. */
static size_t word_at(const char *lc, size_t n, size_t i)
{
    size_t e = i;
    while (e < n && isalpha((unsigned char)lc[e]))
        e++;
    if (e < n && lc[e] == '.' && e > i)
        e++;
    return e - i;
}

static size_t skip_sp(const char *lc, size_t n, size_t i)
{
    while (i < n && (lc[i] == ' ' || lc[i] == ','))
        i++;
    return i;
}

/* Does the text just before lc[pos] say the date is when something was
 * *reported* ("told Daily NK on", "said on", "reported on")? */
static int reporting_date(const char *lc, size_t pos)
{
    size_t lo = pos > 48 ? pos - 48 : 0;
    static const char *const verbs[] = {"told", "said", "reported",
                                        "report", "added", "explained",
                                        "according", "via telephone",
                                        "taken in", "taken on", "photo",
                                        "published", NULL};
    for (size_t v = 0; verbs[v]; v++) {
        size_t vl = strlen(verbs[v]);
        for (size_t i = lo; i + vl <= pos; i++)
            if (memcmp(lc + i, verbs[v], vl) == 0 &&
                (i == 0 || !isalpha((unsigned char)lc[i - 1])))
                return 1;
    }
    return 0;
}

typedef struct found_date {
    int y, m, d;
    bm_date_precision prec;
    int year_known; /* y comes from the text */
} found_date;

/* Finds the first event date in the sentence. Returns 1 when found. */
static int sentence_date(const char *lc, size_t n, const rdate *rd,
                         found_date *fd)
{
    memset(fd, 0, sizeof *fd);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && isalnum((unsigned char)lc[i - 1]))
            continue;
        /* relative days: "last thursday", "on thursday", "yesterday" */
        if (rd->prec == BM_DATE_DAY && isalpha((unsigned char)lc[i])) {
            size_t wl = word_at(lc, n, i);
            int back = -1;
            if (wl == 9 && memcmp(lc + i, "yesterday", 9) == 0)
                back = 1;
            if (wl == 4 && memcmp(lc + i, "last", 4) == 0) {
                size_t j = skip_sp(lc, n, i + 4);
                size_t w2 = word_at(lc, n, j);
                if (w2 && lc[j + w2 - 1] == '.')
                    w2--;
                for (int k = 0; k < 7; k++)
                    if (w2 == strlen(weekdays[k]) &&
                        memcmp(lc + j, weekdays[k], w2) == 0) {
                        int wd = weekday(rd->y, rd->m, rd->d);
                        back = (wd - k + 7) % 7;
                        if (back == 0)
                            back = 7;
                    }
            }
            if (back > 0 && !reporting_date(lc, i)) {
                fd->y = rd->y;
                fd->m = rd->m;
                fd->d = rd->d;
                minus_days(&fd->y, &fd->m, &fd->d, back);
                fd->prec = BM_DATE_DAY;
                fd->year_known = 1;
                return 1;
            }
        }
        /* "in 2021", "since 2020": a year alone */
        if (isdigit((unsigned char)lc[i]) && i >= 3 &&
            (memcmp(lc + i - 3, "in ", 3) == 0 ||
             (i >= 6 && memcmp(lc + i - 6, "since ", 6) == 0))) {
            int y = 0;
            size_t k = i;
            while (k < n && isdigit((unsigned char)lc[k]) && k - i < 5)
                y = y * 10 + (lc[k++] - '0');
            if (k - i == 4 && (k == n || !isalnum((unsigned char)lc[k])) &&
                y >= 1950 && y <= 2100 && !reporting_date(lc, i) &&
                (!rd->y || y <= rd->y)) {
                fd->y = y;
                fd->prec = BM_DATE_YEAR;
                fd->year_known = 1;
                return 1;
            }
        }
        /* "mid-January", "early March", "late June", "the middle of" */
        int period = 0;
        size_t j = i;
        if (n - i >= 4 && memcmp(lc + i, "mid-", 4) == 0) {
            period = 1;
            j = i + 4;
        } else if (n - i >= 4 && memcmp(lc + i, "mid ", 4) == 0) {
            period = 1;
            j = i + 4;
        } else if (n - i >= 6 && (memcmp(lc + i, "early ", 6) == 0 ||
                                  memcmp(lc + i, "early-", 6) == 0)) {
            period = 1;
            j = i + 6;
        } else if (n - i >= 5 && (memcmp(lc + i, "late ", 5) == 0 ||
                                  memcmp(lc + i, "late-", 5) == 0)) {
            period = 1;
            j = i + 5;
        } else if (n - i >= 14 && memcmp(lc + i, "the middle of ", 14) == 0) {
            period = 2; /* month precision */
            j = i + 14;
        } else if (n - i >= 5 && memcmp(lc + i, "last ", 5) == 0) {
            period = 3; /* "last October" */
            j = i + 5;
        }
        if (!isalpha((unsigned char)lc[j]))
            continue;
        /* month names start with one of these (a cheap test first) */
        if (!strchr("jfmasond", lc[j]))
            continue;
        size_t wl = word_at(lc, n, j);
        int mon = bm_month_from_word(lc + j, wl);
        if (!mon)
            continue;
        /* "may" and "march" are also verbs: need a capital in the text,
         * which the caller's lower-casing hides; require a number or a
         * preposition around them instead. */
        size_t k = skip_sp(lc, n, j + wl);
        int day = 0, year = 0;
        size_t k0 = k;
        while (k < n && isdigit((unsigned char)lc[k]) && k - k0 < 4)
            day = day * 10 + (lc[k++] - '0');
        size_t nd = k - k0;
        if (nd == 4) {
            year = day;
            day = 0;
        } else if (nd >= 1 && nd <= 2) {
            while (k < n && isalpha((unsigned char)lc[k]) && k - k0 < 5)
                k++; /* 7th */
            size_t k2 = skip_sp(lc, n, k);
            size_t k3 = k2;
            int yy = 0;
            while (k3 < n && isdigit((unsigned char)lc[k3]) && k3 - k2 < 4)
                yy = yy * 10 + (lc[k3++] - '0');
            if (k3 - k2 == 4 && (k3 == n || !isdigit((unsigned char)lc[k3])))
                year = yy;
        } else {
            day = 0;
        }
        if (day > 31)
            day = 0;
        int prep = 0;
        if (i >= 3 && (memcmp(lc + i - 3, "in ", 3) == 0 ||
                       memcmp(lc + i - 3, "on ", 3) == 0))
            prep = 1;
        if (i >= 6 && memcmp(lc + i - 6, "since ", 6) == 0)
            prep = 1;
        if (i >= 6 && memcmp(lc + i - 6, "until ", 6) == 0)
            prep = 1;
        if (i >= 5 && memcmp(lc + i - 5, "from ", 5) == 0)
            prep = 1;
        if ((mon == 5 || mon == 3) && !day && !year && !period && !prep)
            continue; /* "may", "march" as verbs */
        if (!day && !year && !period && !prep)
            continue;
        if (reporting_date(lc, i))
            continue;
        int y = year;
        if (!year && rd->y) {
            y = rd->y;
            /* a month after the report's month is last year's */
            if (rd->m && (mon > rd->m || (mon == rd->m && day && rd->d &&
                                          day > rd->d)))
                y--;
            else if (period == 3 && rd->m && mon >= rd->m)
                y--;
        }
        /* A day the month does not have ("February 30", "April 31") is
         * no date, as in bm_date_parse(); a leap day needs its year. */
        if (day && day > days_in(y ? y : 2000, mon))
            continue;
        fd->m = mon;
        fd->d = day;
        if (y) {
            fd->y = y;
            fd->year_known = 1;
        }
        if (day)
            fd->prec = BM_DATE_DAY;
        else if (period == 1)
            fd->prec = BM_DATE_PERIOD;
        else
            fd->prec = BM_DATE_MONTH;
        return 1;
    }
    return 0;
}

/* ---- places ------------------------------------------------------------ */

/* Does the mention only say where a source is ("a source in X", "an X
 * Province-based source")? */
static int source_location(const char *body, size_t len, const bm_mention *m)
{
    size_t lo = m->byte_start > 40 ? m->byte_start - 40 : 0;
    char buf[48];
    size_t n = m->byte_start - lo;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)body[lo + i]);
    buf[n] = '\0';
    static const char *const pre[] = {
        "source in ",      "sources in ",      "source from ",
        "sources from ",   "source based in ", "sources based in ",
        "source living in ", "sources living in ", "informant in ",
        "source inside ",  "contact in ",      "resident of ",
        NULL};
    for (size_t k = 0; pre[k]; k++) {
        size_t pl = strlen(pre[k]);
        if (n >= pl && memcmp(buf + n - pl, pre[k], pl) == 0)
            return 1;
        /* "a source in Hyesan, Ryanggang Province" */
    }
    if (m->byte_end + 7 <= len &&
        strncasecmp(body + m->byte_end, "-based", 6) == 0)
        return 1;
    return 0;
}

typedef struct mctx {
    const bm_mention *m;
    size_t para;      /* line (paragraph) of the mention */
    int source;       /* source location only */
    int in_region;    /* its point lies in the region box */
    int border;       /* ... and in the border zone */
} mctx;

/* The region the program maps (the basemap's box) and, inside it, the
 * border zone: North Korea's provinces along China and Russia and the
 * Chinese and Russian side lie north of about 39.8 N (Sinuiju 40.1 N);
 * Pyongyang (39.0 N), the DMZ and South Korea lie south of it. */
#define REGION_W 123.0
#define REGION_E 134.0
#define REGION_S 38.0
#define REGION_N 46.0
#define BORDER_MIN_LAT 39.8

static int point_in_region(double lon, double lat)
{
    return lon >= REGION_W && lon <= REGION_E && lat >= REGION_S &&
           lat <= REGION_N;
}

/* Ranks a mention as an incident place: lower is better. */
static int place_rank(const mctx *c)
{
    int r = (int)c->m->precision;
    if (r > 4)
        r = 8;
    if (!c->in_region)
        r += 10;
    if (c->source)
        r += 5;
    return r;
}


void bm_incidents_free(bm_incidents *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        bm_incident_clear(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

typedef struct cand_inc {
    bm_incident inc;
    double rank;
    size_t order;
} cand_inc;

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int cmp_cand(const void *a, const void *b)
{
    const cand_inc *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct place_ref {
    uintptr_t place;
    size_t index;
} place_ref;

static int cmp_place_ref(const void *a, const void *b)
{
    const place_ref *x = a, *y = b;
    return x->place < y->place ? -1 : x->place > y->place;
}

static int type_weight(const char *type)
{
    static const struct {
        const char *t;
        int w;
    } tw[] = {{"execution", 4},    {"killing", 4},      {"arrest", 4},
              {"repatriation", 3}, {"crackdown", 3},    {"inspection", 3},
              {"surveillance", 3}, {"detention", 3},    {"defection", 2},
              {"smuggling", 2},    {"bribery", 2},      {"lecture", 1},
              {"meeting", 1}};
    for (size_t i = 0; i < sizeof tw / sizeof tw[0]; i++)
        if (strcmp(tw[i].t, type) == 0)
            return tw[i].w;
    return 1;
}

/* The incident's place from the mention that locates it: id, display
 * name, surface, precision, point and admin names. A province stands for its
 * capital (ACLED geo_precision 3). Returns 0 when out of memory. */
static int fill_place(bm_incident *inc, const bm_gazetteer *gz,
                      const bm_mention *wm)
{
    const bm_place *wp = wm->place;
    char label[256];
    inc->place_name = strdup(bm_place_display_name(wp, label, sizeof label));
    inc->place_id = wp->id ? strdup(wp->id) : NULL;
    inc->surface = wm->surface ? strdup(wm->surface) : NULL;
    inc->precision = wm->precision;
    inc->lon = wm->lon;
    inc->lat = wm->lat;
    if (wm->precision == BM_PREC_PROVINCE && wp->seat_id && *wp->seat_id) {
        const bm_place *cap = bm_gazetteer_get(gz, wp->seat_id);
        double clon, clat;
        bm_precision pr;
        if (cap && bm_gazetteer_point(gz, cap, &clon, &clat, &pr) == BM_OK) {
            inc->lon = clon;
            inc->lat = clat;
        }
    }
    if (wp->country && *wp->country)
        inc->country = strdup(wp->country);
    if (wp->admin1 && *wp->admin1)
        inc->admin1 = strdup(wp->admin1);
    if (wp->admin2 && *wp->admin2)
        inc->admin2 = strdup(wp->admin2);
    return inc->place_name && (!wp->id || inc->place_id) &&
           (!wm->surface || inc->surface) &&
           (!(wp->country && *wp->country) || inc->country) &&
           (!(wp->admin1 && *wp->admin1) || inc->admin1) &&
           (!(wp->admin2 && *wp->admin2) || inc->admin2);
}

bm_status bm_geoparse_incidents(bm_ctx *ctx, const bm_gazetteer *gz,
                                const bm_report *r, const bm_mentions *m,
                                bm_incidents *out)
{
    out->items = NULL;
    out->count = 0;
    if (!r || !r->body || !m)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "incidents: no report or no mentions");
    const char *name = r->path ? r->path : "(report)";
    const char *body = r->body;
    size_t len = r->body_len;

    bm_sentence *S = NULL;
    size_t ns = 0;
    char *lc = NULL;
    mctx *M = NULL;
    cand_inc *C = NULL;
    int *T = NULL;
    size_t *pcount = NULL;
    size_t nc = 0;
    phrase_ix ix;
    phrase_ix_init(&ix);
    bm_status st = bm_split_sentences(body, len, &S, &ns);
    if (st != BM_OK)
        goto fail;
    lc = malloc(len + 1);
    M = calloc(m->count ? m->count : 1, sizeof *M);
    C = calloc(ns ? ns : 1, sizeof *C);
    T = malloc((ns ? ns : 1) * sizeof *T);
    if (!lc || !M || !C || !T) {
        st = BM_ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < ns; i++)
        T[i] = TRIGGER_UNKNOWN;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        /* tolower() of the C locale the program runs in */
        lc[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
    }
    lc[len] = '\0';

    /* Mentions usable as places, and whether the doc has a region place. */
    int doc_has_region = 0;
    size_t para = 0, scanned = 0;
    for (size_t i = 0; i < m->count; i++) {
        M[i].m = &m->items[i];
        /* mentions come in text order: count lines incrementally */
        for (; scanned < m->items[i].byte_start && scanned < len; scanned++)
            if (body[scanned] == '\n')
                para++;
        M[i].para = para;
        M[i].source = source_location(body, len, &m->items[i]);
        M[i].in_region = m->items[i].has_point &&
                         point_in_region(m->items[i].lon, m->items[i].lat);
        M[i].border = M[i].in_region && m->items[i].lat >= BORDER_MIN_LAT;
        if (m->items[i].has_point && M[i].in_region &&
            m->items[i].precision <= BM_PREC_PROVINCE)
            doc_has_region = 1;
    }

    /* How often each mention's place is mentioned: sorted by place, counted
     * per run (a report of many mentions must not compare each with each). */
    {
        place_ref *pr = malloc((m->count ? m->count : 1) * sizeof *pr);
        pcount = malloc((m->count ? m->count : 1) * sizeof *pcount);
        if (!pr || !pcount) {
            free(pr);
            st = BM_ERR_NOMEM;
            goto fail;
        }
        for (size_t i = 0; i < m->count; i++) {
            pr[i].place = (uintptr_t)m->items[i].place;
            pr[i].index = i;
        }
        qsort(pr, m->count, sizeof *pr, cmp_place_ref);
        for (size_t a = 0, b; a < m->count; a = b) {
            for (b = a + 1; b < m->count && pr[b].place == pr[a].place; b++)
                ;
            for (size_t k = a; k < b; k++)
                pcount[pr[k].index] = b - a;
        }
        free(pr);
    }

    /* Dominant place: the most-mentioned border place, towns and counties
     * before provinces; then region places; then anything with a point. */
    const mctx *dominant = NULL;
    {
        int best_count = 0, best_level = 99;
        for (size_t i = 0; i < m->count; i++) {
            const bm_mention *a = M[i].m;
            if (!a->has_point || !a->place || M[i].source)
                continue;
            int level = a->precision <= BM_PREC_COUNTY ? 0
                        : a->precision == BM_PREC_PROVINCE ? 1 : 2;
            if (!M[i].border)
                level += 3;
            if (!M[i].in_region)
                level += 3;
            int count = (int)pcount[i];
            if (level < best_level ||
                (level == best_level && count > best_count)) {
                best_level = level;
                best_count = count;
                dominant = &M[i];
            }
        }
    }

    rdate rd;
    report_date(r, &rd);

    /* The title's kind of event, when the title is not the body's first
     * line (the seed layout keeps it in the header). */
    const trigger *title_tr = NULL;
    int title_in_body = 0;
    if (r->title && *r->title) {
        size_t tl = strlen(r->title);
        size_t k = tl < 40 ? tl : 40;
        char head[41];
        memcpy(head, r->title, k);
        head[k] = '\0';
        title_in_body = k >= 12 && strstr(body, head) != NULL;
        if (!title_in_body) {
            char *tlc = malloc(tl + 1);
            if (!tlc) {
                st = BM_ERR_NOMEM;
                goto fail;
            }
            for (size_t i = 0; i <= tl; i++) {
                unsigned char c = (unsigned char)r->title[i];
                tlc[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
            }
            title_tr = best_trigger(&ix, tlc, tl);
            free(tlc);
        }
    }

    size_t lo = 0; /* first mention not before the current sentence */
    const char *para_actor = NULL, *doc_actor = NULL;
    for (size_t si = 0; si < ns; si++) {
        const bm_sentence *s = &S[si];
        const char *slc = lc + s->byte_start;
        size_t sn = s->byte_end - s->byte_start;
        while (lo < m->count && M[lo].m->byte_start < s->byte_start)
            lo++;
        /* who: the organ named in the sentence, else the last one named
         * before it in the paragraph, else in the report */
        if (si == 0 || s->paragraph != S[si - 1].paragraph)
            para_actor = NULL;
        char actors_here[256];
        const char *last = NULL;
        int actor_here = all_actors(&ix, body + s->byte_start, slc, sn,
                                    actors_here, sizeof actors_here,
                                    &last) > 0;
        const char *actor = actor_here ? actors_here
                            : para_actor ? para_actor
                                         : doc_actor;
        if (actor_here)
            para_actor = doc_actor = last;

        /* tag lines ("russia, north korea, surveillance,") are not prose */
        int upper = 0;
        for (size_t b = 0; b < sn && !upper; b++)
            if (isupper((unsigned char)body[s->byte_start + b]) ||
                (unsigned char)body[s->byte_start + b] >= 0xEA)
                upper = 1;
        if (!upper)
            continue;
        const trigger *tr = sentence_trigger(&ix, lc, S, T, si);
        if (!tr)
            continue;

        /* where */
        const mctx *where = NULL;
        for (size_t i = lo; i < m->count; i++) {
            const bm_mention *a = M[i].m;
            if (a->byte_start >= s->byte_end)
                break;
            if (!a->has_point || a->byte_end > s->byte_end)
                continue;
            if (!where || place_rank(&M[i]) < place_rank(where))
                where = &M[i];
        }
        int outside_only = where && !where->in_region && doc_has_region;
        if (outside_only && where->m->precision != BM_PREC_COUNTRY)
            continue; /* an event elsewhere (Seoul, Beijing) */
        if (outside_only)
            where = NULL;
        /* a country, or only where the source is: look for better */
        if (!where || where->source ||
            where->m->precision >= BM_PREC_COUNTRY) {
            /* the nearest best place before it in the same paragraph */
            const mctx *prev = NULL;
            for (size_t i = lo; i-- > 0;) {
                if (M[i].para != s->paragraph)
                    break;
                if (!M[i].m->has_point || !M[i].in_region)
                    continue;
                if (!prev || place_rank(&M[i]) < place_rank(prev))
                    prev = &M[i];
            }
            if (prev && (!where || place_rank(prev) < place_rank(where)))
                where = prev;
            /* nothing, or only a country: the report's main place */
            if (!where)
                where = dominant;
            else if (dominant && where->m->precision >= BM_PREC_COUNTRY &&
                     place_rank(dominant) < place_rank(where))
                where = dominant;
        }
        if (!where)
            continue;
        const bm_mention *wm = where->m;
        const bm_place *wp = wm->place;

        /* duplicate (type, place)? keep the first */
        int dup = 0;
        for (size_t k = 0; k < nc; k++)
            if (strcmp(C[k].inc.type, tr->type) == 0 &&
                C[k].inc.place_id && wp->id &&
                strcmp(C[k].inc.place_id, wp->id) == 0)
                dup = 1;
        if (dup)
            continue;

        cand_inc *ci = &C[nc];
        memset(ci, 0, sizeof *ci);
        bm_incident *inc = &ci->inc;
        inc->type = strdup(tr->type);
        int place_ok = fill_place(inc, gz, wm);
        inc->sentence = dupn(body + s->byte_start, sn);
        inc->sentence_offset = s->start;
        if (!inc->type || !place_ok || !inc->sentence) {
            nc++;
            st = BM_ERR_NOMEM;
            goto fail;
        }

        /* when */
        found_date fd;
        char iso[11] = "";
        int has_text_date = sentence_date(slc, sn, &rd, &fd);
        int own_date = has_text_date;
        /* Undated in its own sentence (a headline, a lead without a
         * date): the first of the next few sentences that tells the same
         * event (same kind of trigger, or the same place) may date it. */
        for (size_t sj = si + 1; !has_text_date && sj < ns && sj <= si + 6;
             sj++) {
            const bm_sentence *t2 = &S[sj];
            const char *tlc = lc + t2->byte_start;
            size_t tn = t2->byte_end - t2->byte_start;
            const trigger *tt = sentence_trigger(&ix, lc, S, T, sj);
            int same = tt && strcmp(tt->type, tr->type) == 0;
            if (same && sentence_date(tlc, tn, &rd, &fd))
                has_text_date = 1;
        }
        if (has_text_date && fd.year_known) {
            char tmp[40];
            if (fd.prec == BM_DATE_DAY)
                snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", fd.y, fd.m, fd.d);
            else if (fd.prec == BM_DATE_YEAR)
                snprintf(tmp, sizeof tmp, "%04d", fd.y);
            else
                snprintf(tmp, sizeof tmp, "%04d-%02d", fd.y, fd.m);
            snprintf(iso, sizeof iso, "%.10s", tmp);
            inc->date_precision = fd.prec;
        }
        /* The text gives no date for it: undated. The report's own date
         * says when it was written, not when the event happened (often
         * months or years before), so it is not used as the event's. */
        if (*iso && !(inc->date = strdup(iso))) {
            nc++;
            st = BM_ERR_NOMEM;
            goto fail;
        }

        /* who (found above) */
        if (actor && !(inc->actor = strdup(actor))) {
            nc++;
            st = BM_ERR_NOMEM;
            goto fail;
        }

        /* Rank: how specific the incident is (its place and date are
         * stated in its sentence, the place is fine-grained, the organ is
         * named), and the lead (title and first event sentences), which
         * states the main incident. */
        int place_in_sentence = wm->byte_start >= s->byte_start &&
                                wm->byte_end <= s->byte_end;
        double prec_pts = wm->precision == BM_PREC_EXACT    ? 1.5
                          : wm->precision == BM_PREC_COUNTY ? 1.0
                          : wm->precision == BM_PREC_PROVINCE ? 0.5
                                                              : 0.0;
        /* Confidence: how much of what/where/when/who the sentence itself
         * states, and how sure the place is. */
        {
            double conf = 0.3 + (place_in_sentence ? 0.2 : 0.0) +
                          (wm->precision <= BM_PREC_COUNTY ? 0.1 : 0.0) +
                          (own_date ? 0.1 : has_text_date ? 0.05 : 0.0) +
                          (actor_here ? 0.1 : 0.0) +
                          (tr->priority >= 50 ? 0.1 : 0.0);
            conf *= 0.6 + 0.4 * wm->confidence;
            inc->confidence = conf > 1 ? 1 : conf;
            inc->status = BM_STATUS_AUTO;
        }
        /* The headline states the main event (news write it first): the
         * headline's own sentence, or, when the title is not part of the
         * body, an event of the headline's kind. */
        int headline = 0;
        if (r->title && *r->title) {
            size_t tl = strlen(r->title);
            size_t k = sn < tl ? sn : tl;
            headline = k >= 12 &&
                       strncmp(body + s->byte_start, r->title, k) == 0;
        }
        if (!headline && title_tr && title_tr->type == tr->type &&
            !title_in_body)
            headline = 1;
        ci->order = nc;
        ci->rank = (headline ? 2.5 : 0.0) +
                   (place_in_sentence ? 1.5 : 0.0) + prec_pts +
                   (own_date ? 1.5 : 0.0) + (actor_here ? 0.5 : 0.0) +
                   type_weight(tr->type) * 0.25 +
                   (nc == 0 ? 2.0 : nc == 1 ? 1.0 : 0.0) -
                   (where->source ? 1.0 : 0.0);
        nc++;
    }

    /* No sentence names an event of a known kind, yet the report is about
     * a place in the region: one incident of type "other" at its main
     * place, in the first sentence that names it, with a low confidence.
     * Every report about the region yields at least one incident. */
    if (nc == 0 && ns > 0 && dominant && dominant->in_region &&
        dominant->m->place) {
        const bm_mention *wm = dominant->m;
        const bm_mention *first = wm;
        for (size_t i = 0; i < m->count; i++)
            if (m->items[i].place == wm->place) {
                first = &m->items[i];
                break;
            }
        size_t si = 0;
        while (si + 1 < ns && S[si].byte_end <= first->byte_start)
            si++;
        const bm_sentence *s = &S[si];
        bm_incident *inc = &C[0].inc;
        memset(&C[0], 0, sizeof C[0]);
        nc = 1;
        inc->type = strdup("other");
        int place_ok = fill_place(inc, gz, wm);
        inc->sentence = dupn(body + s->byte_start,
                             s->byte_end - s->byte_start);
        inc->sentence_offset = s->start;
        if (!inc->type || !place_ok || !inc->sentence) {
            st = BM_ERR_NOMEM;
            goto fail;
        }
        if (doc_actor && !(inc->actor = strdup(doc_actor))) {
            st = BM_ERR_NOMEM;
            goto fail;
        }
        inc->confidence = 0.2 * (0.6 + 0.4 * wm->confidence);
        inc->status = BM_STATUS_AUTO;
    }

    qsort(C, nc, sizeof *C, cmp_cand);
    size_t keep = nc < BM_MAX_INCIDENTS ? nc : BM_MAX_INCIDENTS;
    out->items = calloc(keep ? keep : 1, sizeof *out->items);
    if (!out->items) {
        st = BM_ERR_NOMEM;
        goto fail;
    }
    for (size_t k = 0; k < nc; k++) {
        if (k < keep)
            out->items[out->count++] = C[k].inc; /* moves the strings */
        else
            bm_incident_clear(&C[k].inc);
    }
    free(pcount);
    free(T);
    free(C);
    free(M);
    free(lc);
    free(S);
    return BM_OK;

fail:
    for (size_t k = 0; C && k < nc; k++)
        bm_incident_clear(&C[k].inc);
    free(pcount);
    free(T);
    free(C);
    free(M);
    free(lc);
    free(S);
    return bm_ctx_fail(ctx, st, "%s: out of memory while reading incidents",
                       name);
}
