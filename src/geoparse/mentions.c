/*
 * mentions.c - finding place names in a report body and resolving them.
 *
 * Recognition is gazetteer-driven: the body is cut into words (UTF-8 aware,
 * byte and code point offsets kept), and at every word that could start a
 * name (capitalised, Hangul) the longest run of up to
 * bm_gazetteer_max_words() words whose folded form the gazetteer knows is
 * taken (greedy, left to right). A generic designator that follows ("Musan
 * county", "Onsŏng-gun") joins the surface and hints the kind.
 *
 * Then honest filters, each a general rule rather than a list of strings
 * from any evaluation text:
 *  - common English words that are also place names somewhere ("Bureau",
 *    "Sun", "May", "Mobile") count only when capitalised mid-sentence,
 *    standing alone (not inside a run of capitalised words such as
 *    "Chinese Mobile Phone"), and for a well-known place (country,
 *    province, county, or a city of 100,000+);
 *  - generic nouns ("River", "Market"), designators ("-dong") and
 *    demonyms or combining forms ("Chinese", "North Korean", "Sino-")
 *    never start a name;
 *  - names that are part of an organisation or a publication ("Daily NK",
 *    "Radio Free Asia", "Workers' Party of Korea", "NK News", "South China
 *    Morning Post") are skipped;
 *  - personal names are skipped: Korean surnames ("Kim Jong Suk" is also a
 *    county's name, "Kim Won Hong"), a title before ("President Vladimir
 *    Putin"), a given name followed by a surname ("David Black") unless the
 *    place is a North Korean, Chinese or Russian one of the region; a name
 *    once read as a person's stays one in that report;
 *  - a country counts only where the document uses it as a place at least
 *    once ("in China", "into Russia", "calls to South Korea", "back to the
 *    North"), not only as an actor or attribute ("North Korea's Ministry
 *    ..."); a country inside a border compound ("China-North Korea
 *    border") is part of the border, not a mention of the country;
 *  - lower-case words are tried only for countries (tag lines such as
 *    "russia, north korea, ...").
 *
 * Resolution ranks the gazetteer's candidates with the context: places in
 * North Korea and the border region first, the kind a designator asks for,
 * provinces the document names, and a name already resolved in the same
 * document keeps its referent.
 */
#include "bm_geoparse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* ---- words ------------------------------------------------------------- */

typedef struct tok {
    size_t bs, be;   /* bytes [bs, be) in the body */
    size_t cs, ce;   /* code points */
    int para;        /* line number (paragraph) */
    unsigned char cap;        /* first letter upper/title case */
    unsigned char hangul;     /* first character is Hangul */
    unsigned char allcaps;    /* every letter upper case, 2+ letters */
    unsigned char contig;     /* joined to the previous word by spaces, a
                                 hyphen or an initial's dot only, on the
                                 same line */
    unsigned char hyph;       /* joined to the previous word by a hyphen */
    unsigned char sent_start; /* first word of a sentence or a line */
    unsigned char possessive; /* followed by 's */
    unsigned char alpha;      /* starts with a letter */
    /* the word's folded form (bm_fold), computed on first use: fold_state
     * FOLD_NONE until then; FOLD_CLEAN when folding a run of words equals
     * joining their folds with spaces, FOLD_ODD when it may not (a word
     * starting with a combining mark, or folding to nothing) */
    unsigned char fold_state;
    uint32_t fold_off, fold_len; /* in the fold cache's text */
} tok;

typedef struct toks {
    tok *v;
    size_t n, cap;
} toks;

/* ASCII classes without the locale tables (the program runs in the C
 * locale, where these are what isalnum(), isalpha(), isupper() and
 * tolower() answer). */
static inline int a_upper(int c)
{
    return (unsigned)(c - 'A') < 26u;
}

static inline int a_alpha(int c)
{
    return (unsigned)((c | 32) - 'a') < 26u;
}

static inline int a_alnum(int c)
{
    return a_alpha(c) || (unsigned)(c - '0') < 10u;
}

static inline int a_lower(int c)
{
    return a_upper(c) ? c + 32 : c;
}

static int is_apos(utf8proc_int32_t c)
{
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC ||
           c == 0x02BB || c == '`';
}

static int is_hyphen(utf8proc_int32_t c)
{
    return c == '-' || c == 0x2010 || c == 0x2011;
}

static int is_wordch(utf8proc_int32_t c)
{
    if (c < 0x80) /* ASCII: letters and digits are the word characters */
        return c >= 0 && a_alnum(c);
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_MN && k <= UTF8PROC_CATEGORY_ME) ||
           (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

static int is_letter(utf8proc_int32_t c)
{
    if (c < 0x80)
        return c >= 0 && a_alpha(c);
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static int is_hangul(utf8proc_int32_t c)
{
    return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
           (c >= 0x3130 && c <= 0x318F);
}

static utf8proc_int32_t cp_at(const char *s, size_t len, size_t i,
                              size_t *adv)
{
    if ((unsigned char)s[i] < 0x80) {
        *adv = 1;
        return (unsigned char)s[i];
    }
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), &c);
    if (k <= 0) {
        *adv = 1;
        return 0xFFFD;
    }
    *adv = (size_t)k;
    return c;
}

static int toks_push(toks *t, const tok *w)
{
    if (t->n == t->cap) {
        tok *nv = bm_grow(t->v, &t->cap, t->n + 1, sizeof *nv);
        if (!nv)
            return 0;
        t->v = nv;
    }
    t->v[t->n++] = *w;
    return 1;
}

/* Looks at the separator bytes between two words and fills contig, hyph,
 * sent_start, and advances *para on newlines. */
static void classify_gap(const char *s, size_t len, size_t from, size_t to,
                         const tok *prev, tok *w, int *para)
{
    int spaces = 0, hyphens = 0, other = 0, dot = 0, newline = 0;
    int end_punct = 0; /* last significant char ends a sentence */
    size_t i = from;
    while (i < to) {
        size_t adv;
        utf8proc_int32_t c = cp_at(s, len, i, &adv);
        i += adv;
        if (c == '\n') {
            newline = 1;
            end_punct = 0;
            continue;
        }
        if (c == ' ' || c == '\t' || c == 0xA0 || c == 0x202F) {
            spaces++;
            continue;
        }
        if (is_hyphen(c)) {
            hyphens++;
            continue;
        }
        if (c == '.') {
            dot++;
            end_punct = 1;
            continue;
        }
        if (c == '!' || c == '?' || c == ':') {
            other++;
            end_punct = 1;
            continue;
        }
        /* quotes and brackets keep a preceding sentence end visible */
        if (c == '"' || c == 0x201C || c == 0x201D || c == '(' ||
            c == '[' || c == 0x2018 || c == 0x2019 || c == '\'') {
            other++;
            continue;
        }
        other++;
        end_punct = 0;
    }
    if (newline)
        (*para)++;
    w->para = *para;
    if (!prev) {
        w->sent_start = 1;
        return;
    }
    w->sent_start = newline || end_punct;
    if (newline)
        return;
    /* "N. Korea": an initial's dot keeps the words together. */
    int initial = prev->ce - prev->cs == 1 && prev->cap;
    if (other == 0 && hyphens == 0 && dot == 0 && spaces >= 1 && spaces <= 2)
        w->contig = 1;
    else if (other == 0 && spaces == 0 && hyphens == 1 && dot == 0)
        w->contig = w->hyph = 1;
    else if (other == 0 && hyphens == 0 && dot == 1 && spaces <= 1 && initial)
        w->contig = 1, w->sent_start = 0;
}

static int tokenize(const char *s, size_t len, toks *out)
{
    size_t i = 0, cp = 0, gap_from = 0;
    int para = 0;
    const tok *prev = NULL;
    while (i < len) {
        size_t adv;
        utf8proc_int32_t c;
        unsigned char b0 = (unsigned char)s[i];
        if (b0 < 0x80) { /* ASCII between words: no decoding */
            if (!a_alnum(b0)) {
                i++;
                cp++;
                continue;
            }
            c = b0;
        } else {
            c = cp_at(s, len, i, &adv);
            if (!is_wordch(c)) {
                i += adv;
                cp++;
                continue;
            }
        }
        tok w;
        memset(&w, 0, sizeof w);
        w.bs = i;
        w.cs = cp;
        w.cap = c < 0x80 ? a_upper(c)
                         : utf8proc_category(c) == UTF8PROC_CATEGORY_LU ||
                               utf8proc_category(c) == UTF8PROC_CATEGORY_LT;
        w.hangul = is_hangul(c);
        w.alpha = is_letter(c);
        int letters = 0, uppers = 0;
        while (i < len) {
            /* a run of ASCII letters and digits: the common case, byte by
             * byte without decoding */
            size_t j = i;
            int lt = 0, up = 0;
            while (j < len) {
                unsigned b = (unsigned char)s[j];
                if (((b | 32) - 'a') < 26u) { /* a letter; upper below 'a' */
                    lt++;
                    up += b < 'a';
                } else if (b - '0' >= 10u) {
                    break;
                }
                j++;
            }
            if (j > i) {
                letters += lt;
                uppers += up;
                cp += j - i;
                i = j;
                continue;
            }
            c = cp_at(s, len, i, &adv);
            if (is_wordch(c)) {
                if (is_letter(c)) {
                    letters++;
                    if (c < 0x80 ? a_upper(c)
                                 : utf8proc_category(c) ==
                                       UTF8PROC_CATEGORY_LU)
                        uppers++;
                }
                i += adv;
                cp++;
                continue;
            }
            if (is_apos(c) && i + adv < len) {
                /* inside a word (Ch'ŏngjin) unless it is a possessive 's */
                size_t adv2;
                utf8proc_int32_t d = cp_at(s, len, i + adv, &adv2);
                if (!is_letter(d))
                    break;
                if (d == 's' || d == 'S') {
                    size_t adv3 = 0;
                    utf8proc_int32_t e =
                        i + adv + adv2 < len
                            ? cp_at(s, len, i + adv + adv2, &adv3)
                            : ' ';
                    if (!is_wordch(e)) {
                        w.possessive = 1;
                        break;
                    }
                }
                i += adv;
                cp++;
                continue;
            }
            break;
        }
        w.be = i;
        w.ce = cp;
        w.allcaps = letters >= 2 && uppers == letters;
        if (prev && w.bs - gap_from == 1 && s[gap_from] == ' ') {
            /* one space (most gaps): what classify_gap() finds */
            w.para = para;
            w.contig = 1;
        } else {
            classify_gap(s, len, gap_from, w.bs, prev, &w, &para);
        }
        if (!toks_push(out, &w))
            return 0;
        prev = &out->v[out->n - 1];
        gap_from = w.be;
    }
    return 1;
}

/* Lower-cased ASCII copy of a word into buf (non-ASCII kept as is). */
static const char *word_lc(const char *s, const tok *w, char *buf, size_t n)
{
    size_t k = w->be - w->bs;
    if (k >= n)
        k = n - 1;
    for (size_t i = 0; i < k; i++)
        buf[i] = (char)a_lower((unsigned char)s[w->bs + i]);
    buf[k] = '\0';
    return buf;
}

static int in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == w[0] && strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* ---- word lists (general English and Korean-romanization facts) -------- */

typedef enum hint {
    HINT_NONE = 0,
    HINT_PROVINCE,
    HINT_COUNTY,
    HINT_CITY,
    HINT_TOWN
} hint;

static const struct {
    const char *w;
    hint h;
} designators[] = {
    {"province", HINT_PROVINCE}, {"do", HINT_PROVINCE},
    {"bukto", HINT_PROVINCE},    {"namdo", HINT_PROVINCE},
    {"oblast", HINT_PROVINCE},   {"krai", HINT_PROVINCE},
    {"kray", HINT_PROVINCE},     {"prefecture", HINT_COUNTY},
    {"county", HINT_COUNTY},     {"gun", HINT_COUNTY},
    {"kun", HINT_COUNTY},        {"district", HINT_COUNTY},
    {"guyok", HINT_COUNTY},      {"guyŏk", HINT_COUNTY},
    {"city", HINT_CITY},         {"si", HINT_CITY},
    {"shi", HINT_CITY},          {"town", HINT_TOWN},
    {"village", HINT_TOWN},      {"up", HINT_TOWN},
    {"ŭp", HINT_TOWN},           {"eup", HINT_TOWN},
    {"dong", HINT_TOWN},         {"ri", HINT_TOWN},
    {"li", HINT_TOWN},           {"gu", HINT_COUNTY},
    {NULL, HINT_NONE}};

/* Korean designators are written joined by a hyphen ("Musan-gun"); the
 * English ones with a space. "do", "up", "ri", "si", "li" are English or
 * Korean words too, so they count only after a hyphen. */
static hint designator_hint(const char *s, const tok *w, int need_hyphen_ok)
{
    char buf[32];
    const char *lc = word_lc(s, w, buf, sizeof buf);
    for (size_t i = 0; designators[i].w; i++) {
        if (designators[i].w[0] != lc[0] ||
            strcmp(lc, designators[i].w) != 0)
            continue;
        int english = strcmp(lc, "province") == 0 || strcmp(lc, "county") == 0 ||
                      strcmp(lc, "city") == 0 || strcmp(lc, "district") == 0 ||
                      strcmp(lc, "town") == 0 || strcmp(lc, "village") == 0 ||
                      strcmp(lc, "prefecture") == 0 ||
                      strcmp(lc, "oblast") == 0 || strcmp(lc, "krai") == 0 ||
                      strcmp(lc, "kray") == 0;
        if (!english && need_hyphen_ok && !w->hyph)
            return HINT_NONE;
        return designators[i].h;
    }
    return HINT_NONE;
}

/* Common English words that are also the name of some place in a world
 * gazetteer. Such a word counts as a place only mid-sentence, capitalised,
 * and for a well-known place. (General vocabulary, not fitted to any text.)
 */
static const char *const common_words[] = {
    /* function words, months, weekdays, directions, generic geography */
    "a", "about", "after", "all", "along", "also", "am", "an", "and", "any",
    "are", "as", "at", "back", "be", "before", "between", "both", "but",
    "by", "do", "down", "each", "even", "for", "from", "had", "has",
    "have", "he", "her", "him", "his", "how", "however", "i", "if", "in",
    "into", "is", "it", "its", "just", "me", "more", "most", "much", "must",
    "my", "no", "not", "now", "of", "on", "once", "one", "only", "or",
    "other", "our", "out", "over", "say", "she", "since", "so", "some",
    "still", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "under", "up", "upon", "us",
    "was", "we", "what", "when", "where", "which", "while", "who", "why",
    "will", "with", "yes", "yet", "you", "your",
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "today", "tomorrow", "yesterday",
    "north", "south", "east", "west", "northern", "southern", "eastern",
    "western", "central", "middle", "upper", "lower", "new", "old", "great",
    "little", "big", "high", "long", "grand", "area", "bay", "beach",
    "border", "camp", "cape", "center", "centre", "city", "coast", "county",
    "cross", "district", "field", "forest", "fort", "harbor", "harbour",
    "hill", "island", "lake", "market", "mine", "mount", "mountain", "park",
    "pass", "point", "port", "province", "river", "rock", "sea", "square",
    "station", "town", "valley", "village", "wall", "water",
    /* institutions, ranks and news words */
    "bank", "base", "bureau", "command", "committee", "court", "general",
    "government", "ministry", "news", "office", "party", "police", "post",
    "power", "president", "republic", "security", "service", "state",
    "union", "unity", "victory", "liberty", "independence", "peace", "war",
    "trade", "work", "worker", "workers", "home", "hope", "love", "star",
    "sun", "sunrise", "red", "white", "black", "green", "gold", "red",
    /* currencies and units */
    "won", "yuan", "dollar", "yen", "kilo",
    /* English words that are also a place name in the gazetteer (found by
     * intersecting its names with an English word list, places that are
     * mostly meant as places left out) */
    "ado", "amen", "anew", "apace", "apex", "archway", "bade", "bale", "ban",
    "bane", "bar", "bard", "basic", "baste", "bat", "bath", "bender",
    "billings", "bled", "bode", "bolder", "bole", "bone", "bottom", "bride",
    "broach", "burs", "bush", "bust", "caller", "can", "cars", "cascade",
    "centennial", "chandler", "chi", "chin", "colon", "colony", "concord",
    "cordon", "corona", "crane", "dab", "dandy", "delta", "derby", "dilly",
    "drug", "dual", "encamp", "enterprise", "erode", "fate", "gale",
    "garland", "genes", "gent", "google", "grad", "grenade", "grins", "ha",
    "hag", "hail", "hang", "harrow", "hims", "hippo", "ho", "honcho",
    "hosanna", "hue", "hull", "human", "hums", "kin", "lag", "lama", "lib",
    "lids", "lime", "limo", "lion", "lira", "log", "logos", "lone", "luck",
    "male", "man", "manga", "manger", "manning", "marina", "mascara",
    "mason", "mesa", "metro", "midland", "midway", "minster", "mobile",
    "mole", "monster", "moron", "name", "natal", "nice", "nix", "ogre",
    "okay", "oral", "orange", "pal", "pale", "palmy", "pan", "paradise",
    "pastas", "peel", "penal", "pert", "pet", "pets", "pier", "pin",
    "pristine", "proctors", "providence", "pun", "queens", "race",
    "reading", "rest", "revel", "rim", "riverside", "roan", "roles", "rose",
    "rouse", "ruse", "saga", "sale", "salt", "same", "sand", "sari",
    "savanna", "senna", "shaping", "sine", "sing", "soli", "solo", "son",
    "sore", "soul", "sour", "split", "spoken", "springs", "stein", "stoke",
    "store", "sues", "sumo", "sunning", "surprise", "swords", "tan",
    "tango", "tape", "tars", "tempi", "terminus", "thorn", "ting", "tiro",
    "tor", "torn", "tors", "tour", "tours", "trident", "trinity", "tub",
    "tuba", "tunes", "turn", "van", "veto", "victor", "vista", "walk", "wan",
    "warren", "woken", "woodlands",
    /* short syllables that romanised names share with English text */
    "bo", "da", "go", "ma", "mo", "na", "ne", "pa", "po", "sa", "se", "ta",
    "te", "ya", "yo", "ok", "nam", "men", NULL};

/* Words that make a name part of an organisation or a publication when
 * they directly follow it (possibly after more capitalised words). */
static const char *const org_heads[] = {
    "times", "news", "post", "daily", "herald", "sinmun", "tribune",
    "journal", "broadcasting", "radio", "tv", "television", "trading",
    "company", "corporation", "corp", "inc", "ltd", "university",
    "institute", "network", "agency", "airlines", "airways", "bank",
    "group", "foundation", "association", "today", "gazette", "review",
    "monitor", "weekly", "shimbun", "ilbo", "press", NULL};

/* Demonyms, adjectives and combining forms: never a place by themselves
 * ("Sino-DPRK", "Korean", "Chinese"). */
static const char *const not_places[] = {
    "sino", "russo", "korean", "koreans", "chinese", "russian", "russians",
    "japanese", "american", "americans", "soviet", "inter", "pan", "trans",
    "mongolian", "european", "asian", "western", "eastern", "northern",
    "southern",
    /* generic geographic nouns: part of a name, never one by themselves */
    "river", "rivers", "mountain", "mountains", "mount", "sea", "bay",
    "lake", "island", "islands", "market", "district", "station", "province",
    "provinces", "county", "counties", "city", "town", "village", "border",
    "region", "area", "coast", "valley", "strait", "gulf", "port", "bridge",
    "mine", "camp", "street", "road", "square", "airport", "customs", NULL};

/* Words that make what follows an organisation's name. */
static const char *const org_before[] = {"daily", "free", NULL};

/* Korean surnames: "Kim Jong Suk" is a person unless "County" follows. */
static const char *const surnames[] = {
    "kim", "ri", "lee", "yi", "pak", "park", "choe", "choi", "jang",
    "chang", "jong", "jung", "chung", "ryu", "yoo", "han", "hyon", "hyun",
    "kang", "cho", "jo", "yun", "yoon", "song", "hwang", "an", "ahn", "o",
    "oh", "so", "sin", "shin", "kwon", "ko", "mun", "moon", NULL};

/* Words before a country that show it is used as a place. */
static const char *const locatives[] = {
    "in", "into", "to", "from", "across", "inside", "within", "toward",
    "towards", "near", "at", "via", "through", "throughout", "around",
    "outside", "entered", "enter", "entering", "reach", "reached",
    "reaching", "visit", "visited", "visiting", "bordering", "borders",
    "crossed", "cross", "crossing", "fled", "flee", "fleeing", "escaped",
    "returned", "return", "repatriated", "sent", "smuggled", "back", "out",
    "onto", "over", "between", "throughout", "beyond", "leave", "left",
    "leaving", "of", "contact", "contacting", "contacted", "call",
    "calls", "calling", "phone", "phoning", "phoned", "defect", "defected",
    "defecting", "export", "exported", "exports", "import", "imported",
    "imports", "ship", "shipped", NULL};

static const char *const connectives[] = {"of", "the", "de", "la", "am",
                                          "on", "upon", NULL};

/* ---- resolution -------------------------------------------------------- */

enum { DROP_NO = 0, DROP_YES = 1, DROP_COUNTRY = 2, DROP_PERSON = 3 };

/* What resolution uses of a gazetteer candidate (bm_candidate carries a
 * 112-byte reason besides, which made every raw mention 2.3 kB). */
#define MAX_CAND 16
typedef struct rcand {
    const bm_place *place;
    double score;
} rcand;

typedef struct raw {
    size_t t0, t1;     /* words [t0, t1) incl. designator */
    size_t name_t1;    /* end of the name words (designator excluded) */
    hint h;
    char *folded_name; /* folded name without designator (cache key) */
    rcand cand[MAX_CAND];
    size_t ncand;
    const bm_place *chosen;
    const char *reason; /* static */
    double score, margin;
    int drop;
    int locative;      /* used as a place (for countries) */
    int koreas;        /* "the North" / "the South" for the two Koreas */
} raw;

static int kind_fits(hint h, bm_place_kind k)
{
    switch (h) {
    case HINT_PROVINCE: return k == BM_KIND_PROVINCE;
    case HINT_COUNTY: return k == BM_KIND_COUNTY;
    case HINT_CITY: return k == BM_KIND_COUNTY || k == BM_KIND_TOWN;
    case HINT_TOWN: return k == BM_KIND_TOWN || k == BM_KIND_OTHER;
    default: return 1;
    }
}

static int well_known(const bm_place *p)
{
    return p->kind == BM_KIND_COUNTRY || p->kind == BM_KIND_PROVINCE ||
           p->kind == BM_KIND_COUNTY || p->population >= 100000;
}

typedef struct docctx {
    const char **admin1; /* provinces named in the document */
    size_t nadmin1;
} docctx;

/* The gazetteer's score (it already weighs the designator's kind, the
 * border region, North Korea, population and coordinates) plus what only
 * the document knows: the provinces it names. */
#define SC_DOC_PROVINCE 15.0
#define SC_NO_POINT (-20.0)

static double cand_score(const bm_gazetteer *gz, const rcand *c,
                         const docctx *dc)
{
    const bm_place *p = c->place;
    double s = c->score;
    for (size_t i = 0; i < dc->nadmin1; i++)
        if (p->admin1 && *p->admin1 && strcmp(p->admin1, dc->admin1[i]) == 0 &&
            p->kind != BM_KIND_PROVINCE && p->kind != BM_KIND_COUNTRY) {
            s += SC_DOC_PROVINCE;
            break;
        }
    double lon, lat;
    bm_precision pr;
    if (bm_gazetteer_point(gz, p, &lon, &lat, &pr) != BM_OK)
        s += SC_NO_POINT;
    return s;
}

static int doc_province(const bm_place *p, const docctx *dc)
{
    if (!p->admin1 || !*p->admin1 || p->kind == BM_KIND_PROVINCE ||
        p->kind == BM_KIND_COUNTRY)
        return 0;
    for (size_t i = 0; i < dc->nadmin1; i++)
        if (strcmp(p->admin1, dc->admin1[i]) == 0)
            return 1;
    return 0;
}

static void choose(const bm_gazetteer *gz, raw *m, const docctx *dc)
{
    m->chosen = NULL;
    m->reason = "no candidate";
    if (!m->ncand)
        return;
    double best = -1e9, second = -1e9;
    const bm_place *runner = NULL;
    for (size_t i = 0; i < m->ncand; i++) {
        double s = cand_score(gz, &m->cand[i], dc);
        if (s > best) {
            second = best;
            runner = m->chosen;
            best = s;
            m->chosen = m->cand[i].place;
        } else if (s > second) {
            second = s;
            runner = m->cand[i].place;
        }
    }
    m->score = best;
    m->margin = m->ncand > 1 ? best - second : 40.0;
    /* the reason: the first factor that separates the winner */
    const bm_place *p = m->chosen;
    if (m->ncand == 1 || !runner)
        m->reason = "only candidate";
    else if (doc_province(p, dc) && !doc_province(runner, dc))
        m->reason = "in a province the report names";
    else if (m->h != HINT_NONE && kind_fits(m->h, p->kind) &&
             !kind_fits(m->h, runner->kind))
        m->reason = "the designator asks for this kind";
    else if (p->in_region && !runner->in_region)
        m->reason = "in the border region this tool serves";
    else if (strcmp(p->country, "KP") == 0 &&
             strcmp(runner->country, "KP") != 0)
        m->reason = "in North Korea";
    else if (p->kind != runner->kind)
        m->reason = "higher-ranked kind (province, county, town)";
    else if (p->population > runner->population)
        m->reason = "larger population";
    else
        m->reason = "best gazetteer rank";
}

/* ---- the scan ---------------------------------------------------------- */

static int word_is(const char *s, const tok *w, const char *const *list)
{
    char buf[32];
    if (w->be - w->bs >= sizeof buf)
        return 0;
    return in_list(word_lc(s, w, buf, sizeof buf), list);
}

/* A word list's filter: a 4096-bit Bloom filter (two bits a word) over
 * its words' length and first, second and last letters, built per report
 * (a few hundred words: cheaper than what it saves; no global state),
 * that rules most words out, unread, before the list is searched. */
typedef struct wordset {
    const char *const *list;
    uint64_t bits[64];
} wordset;

/* The filter's hash of a word of n >= 1 bytes given its first, second
 * (or first) and last bytes, lower-cased. */
static uint32_t ws_hash(size_t n, unsigned char c0, unsigned char c1,
                        unsigned char cl)
{
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    h ^= c0 * 0x85EBCA77u;
    h = (h ^ (h >> 13)) * 0xC2B2AE3Du;
    h ^= c1 * 0x27D4EB2Fu;
    h = (h ^ (h >> 16)) * 0x2C1B3C6Du;
    h ^= cl * 0x165667B1u;
    h = (h ^ (h >> 15)) * 0x7FEB352Du;
    return h ^ (h >> 16);
}

static void ws_set(wordset *ws, uint32_t h)
{
    ws->bits[(h >> 20) & 63] |= (uint64_t)1 << (h & 63);
    ws->bits[(h >> 26) & 63] |= (uint64_t)1 << ((h >> 6) & 63);
}

static int ws_maybe(const wordset *ws, uint32_t h)
{
    return (ws->bits[(h >> 20) & 63] >> (h & 63) & 1) &&
           (ws->bits[(h >> 26) & 63] >> ((h >> 6) & 63) & 1);
}

static void ws_init(wordset *ws, const char *const *list)
{
    ws->list = list;
    memset(ws->bits, 0, sizeof ws->bits);
    for (size_t i = 0; list[i]; i++) {
        const unsigned char *w = (const unsigned char *)list[i];
        size_t n = strlen(list[i]);
        if (n)
            ws_set(ws, ws_hash(n, w[0], w[n > 1], w[n - 1]));
    }
}

/* word_is(s, w, ws->list), answered faster. */
static int word_in(const wordset *ws, const char *s, const tok *w)
{
    size_t n = w->be - w->bs;
    if (n == 0 || n >= 32)
        return 0;
    const unsigned char *u = (const unsigned char *)s + w->bs;
    if (!ws_maybe(ws, ws_hash(n, (unsigned char)a_lower(u[0]),
                              (unsigned char)a_lower(u[n > 1]),
                              (unsigned char)a_lower(u[n - 1]))))
        return 0;
    char buf[32];
    return in_list(word_lc(s, w, buf, sizeof buf), ws->list);
}

/* Folds the body bytes [b0, b1). */
static char *fold_range(const char *s, size_t b0, size_t b1)
{
    return bm_fold(s + b0, b1 - b0);
}

/* ---- per-report memos ------------------------------------------------- */

/* A string-keyed hash map (open addressing) from byte strings to a
 * uint32_t, living for one report: the gazetteer's lookups are pure
 * functions of the name asked, and a report names the same places many
 * times ("Hyesan" ... "Hyesan"). */
typedef struct strmap {
    struct sm_slot {
        uint32_t hash, off, len, val; /* off: in text; len UINT32_MAX: empty */
    } *slot;
    size_t cap, n;
    char *text;
    size_t tlen, tcap;
} strmap;

static uint32_t sm_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 16777619u;
    }
    return h;
}

static void sm_free(strmap *m)
{
    free(m->slot);
    free(m->text);
    memset(m, 0, sizeof *m);
}

/* The slot for key k (hash h): the key's, or the empty one to put it in. */
static struct sm_slot *sm_find(const strmap *m, const char *k, size_t n,
                               uint32_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct sm_slot *e = &m->slot[i];
        if (e->len == UINT32_MAX)
            return e;
        if (e->hash == h && e->len == n && memcmp(m->text + e->off, k, n) == 0)
            return e;
    }
}

/* 1 and *val when k is in the map, else 0. */
static int sm_get(const strmap *m, const char *k, size_t n, uint32_t h,
                  uint32_t *val)
{
    if (!m->cap)
        return 0;
    const struct sm_slot *e = sm_find(m, k, n, h);
    if (e->len == UINT32_MAX)
        return 0;
    *val = e->val;
    return 1;
}

static int sm_rehash(strmap *m, size_t cap)
{
    struct sm_slot *ns = malloc(cap * sizeof *ns);
    if (!ns)
        return 0;
    for (size_t i = 0; i < cap; i++)
        ns[i].len = UINT32_MAX;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slot[i].len == UINT32_MAX)
            continue;
        size_t j = m->slot[i].hash & (cap - 1);
        while (ns[j].len != UINT32_MAX)
            j = (j + 1) & (cap - 1);
        ns[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = ns;
    m->cap = cap;
    return 1;
}

/* Adds k (not in the map) with val. 0 when out of memory (or past what
 * 32-bit offsets hold: then the caller just asks the gazetteer). */
static int sm_put(strmap *m, const char *k, size_t n, uint32_t h,
                  uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap && !sm_rehash(m, m->cap ? m->cap * 2 : 256))
        return 0;
    if (m->tlen + n >= UINT32_MAX)
        return 0;
    if (m->tlen + n > m->tcap) {
        size_t c = m->tcap ? m->tcap : 4096;
        while (c < m->tlen + n)
            c *= 2;
        char *t = realloc(m->text, c);
        if (!t)
            return 0;
        m->text = t;
        m->tcap = c;
    }
    memcpy(m->text + m->tlen, k, n);
    struct sm_slot *e = sm_find(m, k, n, h);
    e->hash = h;
    e->off = (uint32_t)m->tlen;
    e->len = (uint32_t)n;
    e->val = val;
    m->tlen += n;
    m->n++;
    return 1;
}

/* bm_gazetteer_lookup() of body bytes name[0..n), remembered for the
 * report: the status (BM_OK or the failure, whose message is cleared
 * here) and up to MAX_CAND candidates. Out of memory is returned, never
 * remembered. */
typedef struct lookup_res {
    bm_status st;
    size_t n;
    rcand cand[MAX_CAND];
} lookup_res;

typedef struct lookup_memo {
    strmap map;
    lookup_res *v;
    size_t n, cap;
} lookup_memo;

static bm_status memo_lookup(lookup_memo *LM, bm_ctx *ctx,
                             const bm_gazetteer *gz, const char *name,
                             size_t len, bm_candidate *look, rcand *out,
                             size_t *nout)
{
    uint32_t h = sm_hash(name, len), v;
    if (!sm_get(&LM->map, name, len, h, &v)) {
        char *q = strndup(name, len);
        if (!q)
            return BM_ERR_NOMEM;
        size_t n = 0;
        bm_status ls = bm_gazetteer_lookup(ctx, gz, q, look, MAX_CAND, &n);
        free(q);
        if (ls == BM_ERR_NOMEM)
            return ls;
        if (ls != BM_OK) {
            bm_ctx_clear_error(ctx);
            n = 0;
        }
        lookup_res *nv = bm_grow(LM->v, &LM->cap, LM->n + 1, sizeof *nv);
        if (!nv)
            return BM_ERR_NOMEM;
        LM->v = nv;
        lookup_res *r = &LM->v[LM->n];
        r->st = ls;
        r->n = n;
        for (size_t c = 0; c < n; c++) {
            r->cand[c].place = look[c].place;
            r->cand[c].score = look[c].score;
        }
        if (LM->n >= UINT32_MAX ||
            !sm_put(&LM->map, name, len, h, (uint32_t)LM->n)) {
            /* not remembered: answer this once */
            *nout = n;
            memcpy(out, r->cand, n * sizeof *out);
            return ls;
        }
        v = (uint32_t)LM->n++;
    }
    const lookup_res *r = &LM->v[v];
    *nout = r->n;
    memcpy(out, r->cand, r->n * sizeof *out);
    return r->st;
}

/* ---- folded words and windows ------------------------------------------ */

/* The scan looks up runs ("windows") of up to bm_gazetteer_max_words()
 * words at every word that may start a name. Rather than folding each
 * window's text from scratch, each word is folded once and a window's
 * folded form is its words' folds joined by single spaces, built in a
 * reused buffer. That equals bm_fold() of the window's text because the
 * words of a window are separated only by spaces, one hyphen or an
 * initial's dot (tok.contig), which bm_fold() turns into one space, and
 * nothing folds across them; words for which that could fail (starting
 * with a combining mark, folding to nothing) are folded with the window's
 * text as before. fold_agrees() checks the premise against bm_fold() once
 * per report; if it ever fails, every window is folded from its text. */
enum { FOLD_NONE = 0, FOLD_CLEAN, FOLD_ODD };

typedef struct foldcache {
    char *text;        /* the words' folds, back to back */
    size_t len, cap;
    char *win;         /* the current window's fold, NUL-terminated */
    size_t wcap;
    int joinable;      /* fold_agrees() held */
} foldcache;

static int fc_reserve(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    char *n = realloc(*p, c);
    if (!n)
        return 0;
    *p = n;
    *cap = c;
    return 1;
}

/* ASCII words (letters, digits, inner apostrophes) fold to their lower
 * case without the apostrophes. Returns the folded length, or
 * (size_t)-1 at the first byte that is not ASCII (out then holds junk). */
static size_t fold_ascii_word(const char *w, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 0x80)
            return (size_t)-1;
        if (c != '\'' && c != '`')
            out[k++] = (char)a_lower(c);
    }
    return k;
}

/* Does bm_fold() fold ASCII words and the separators between a window's
 * words as fold_ascii_word() and joining with one space assume? */
static int fold_agrees(void)
{
    static const char probe[] =
        "Ab'c`D09Z x  y-z.w. v\tu\xC2\xA0t\xE2\x80\xAFs\xE2\x80\x90r"
        "\xE2\x80\x91q";
    char *f = bm_fold(probe, sizeof probe - 1);
    int ok = f && strcmp(f, "abcd09z x y z w v u t s r q") == 0;
    char w[16];
    size_t k = fold_ascii_word("Ab'c`D09Z", 9, w);
    ok = ok && k == 7 && memcmp(w, "abcd09z", 7) == 0;
    free(f);
    return ok;
}

/* Folds word w once into the cache. 0 when out of memory. */
static int tok_fold(foldcache *F, const char *s, tok *w)
{
    if (w->fold_state != FOLD_NONE)
        return 1;
    size_t n = w->be - w->bs;
    if (F->len + n * 18 + 64 > UINT32_MAX) { /* past 4 GB: fold as text */
        w->fold_state = FOLD_ODD;
        return 1;
    }
    if (!fc_reserve(&F->text, &F->cap, F->len + n))
        return 0;
    /* ASCII words (most): folded here, in one pass */
    size_t k = fold_ascii_word(s + w->bs, n, F->text + F->len);
    if (k != (size_t)-1) {
        w->fold_off = (uint32_t)F->len;
        w->fold_len = (uint32_t)k;
        F->len += k;
        w->fold_state = k ? FOLD_CLEAN : FOLD_ODD;
        return 1;
    }
    char *f = bm_fold(s + w->bs, n);
    if (!f)
        return 0;
    size_t fl = strlen(f);
    if (!fc_reserve(&F->text, &F->cap, F->len + fl)) {
        free(f);
        return 0;
    }
    if (F->len + fl > UINT32_MAX) {
        free(f);
        w->fold_state = FOLD_ODD;
        return 1;
    }
    memcpy(F->text + F->len, f, fl);
    free(f);
    w->fold_off = (uint32_t)F->len;
    w->fold_len = (uint32_t)fl;
    F->len += fl;
    size_t adv;
    utf8proc_int32_t c = cp_at(s, w->be, w->bs, &adv);
    utf8proc_category_t cat = utf8proc_category(c);
    int mark = cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
    w->fold_state = fl && !mark ? FOLD_CLEAN : FOLD_ODD;
    return 1;
}

/* The folded form of words [i, i+k) (bm_fold() of their text), in F->win
 * until the next call. NULL when out of memory. */
static const char *window_fold(foldcache *F, const char *s, toks *T,
                               size_t i, size_t k)
{
    int join = F->joinable;
    size_t need = 1;
    for (size_t j = i; j < i + k && join; j++) {
        if (!tok_fold(F, s, &T->v[j]))
            return NULL;
        if (T->v[j].fold_state != FOLD_CLEAN)
            join = 0;
        need += T->v[j].fold_len + 1;
    }
    if (!join) {
        char *f = fold_range(s, T->v[i].bs, T->v[i + k - 1].be);
        if (!f)
            return NULL;
        size_t fl = strlen(f);
        if (!fc_reserve(&F->win, &F->wcap, fl + 1)) {
            free(f);
            return NULL;
        }
        memcpy(F->win, f, fl + 1);
        free(f);
        return F->win;
    }
    if (!fc_reserve(&F->win, &F->wcap, need))
        return NULL;
    char *o = F->win;
    for (size_t j = i; j < i + k; j++) {
        if (j > i)
            *o++ = ' ';
        memcpy(o, F->text + T->v[j].fold_off, T->v[j].fold_len);
        o += T->v[j].fold_len;
    }
    *o = '\0';
    return F->win;
}

void bm_mentions_free(bm_mentions *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->items[i].surface);
    free(m->items);
    m->items = NULL;
    m->count = 0;
}

/* Is the name at words [t0, t1) inside a border compound: "China-North
 * Korea border", "Sino-DPRK border", "the China border"? */
static int in_border_compound(const char *s, const toks *T, size_t t0,
                              size_t t1)
{
    static const char *const border[] = {"border", "borders", "frontier",
                                         "borderline", NULL};
    size_t j = t1;
    /* skip "-North Korea" etc. */
    while (j < T->n && j < t1 + 3 && T->v[j].contig && T->v[j].hyph &&
           T->v[j].cap) {
        j++;
        while (j < T->n && j < t1 + 4 && T->v[j].contig && !T->v[j].hyph &&
               T->v[j].cap)
            j++;
    }
    if (j < T->n && T->v[j].contig && word_is(s, &T->v[j], border))
        return 1;
    (void)t0;
    return 0;
}

static int org_context(const char *s, const toks *T, size_t t0, size_t t1)
{
    /* Daily NK, Radio Free Asia */
    if (t0 > 0 && T->v[t0].contig && word_is(s, &T->v[t0 - 1], org_before) &&
        T->v[t0 - 1].cap)
        return 1;
    /* Workers' Party of Korea */
    if (t0 >= 2 && T->v[t0].contig && T->v[t0 - 1].contig) {
        char b1[32], b2[32];
        const char *w1 = word_lc(s, &T->v[t0 - 1], b1, sizeof b1);
        const char *w2 = word_lc(s, &T->v[t0 - 2], b2, sizeof b2);
        if (strcmp(w1, "of") == 0 &&
            (strcmp(w2, "party") == 0 || strcmp(w2, "university") == 0 ||
             strcmp(w2, "bank") == 0 || strcmp(w2, "voice") == 0))
            return 1;
    }
    /* NK News, South China Morning Post, Korea Times */
    for (size_t j = t1; j < T->n && j < t1 + 3; j++) {
        const tok *w = &T->v[j];
        if (!w->contig || !(w->cap || w->allcaps) || w->hyph)
            break;
        if (word_is(s, w, org_heads))
            return 1;
    }
    return 0;
}

/* Words that may follow a place name inside a longer name of a site
 * ("Hyesan Station", "Musan Mine"): not a person's surname. */
static const char *const site_words[] = {
    "station", "mine", "mines", "market", "airport", "airfield", "bridge",
    "port", "customs", "road", "street", "river", "mountain", "mountains",
    "hotel", "stadium", "square", "park", "gate", "dam", "lake", "island",
    "hospital", "school", "office", "prison", "camp", "railway", "line",
    "valley", "plain", "bay", "sea", "strait", "harbour", "harbor", "pass",
    "reservoir", "factory", "complex", "zone", "area", "region", "border",
    "farm", "highway", "canal", "crossing", "checkpoint", "terminal",
    "branch", "incident", "workers", "youth", "people", "provincial",
    "county", "city", "province", "district", "town", "village", "and",
    "or", "to", "in", "on", NULL};

/* Titles and roles written before a person's name. */
static const char *const titles[] = {
    "president", "minister", "leader", "chairman", "premier", "secretary",
    "director", "general", "commander", "mr", "mrs", "ms", "dr", "prof",
    "professor", "ambassador", "envoy", "lieutenant", "colonel", "captain",
    "sergeant", "reporter", "correspondent", "journalist", "spokesman",
    "spokeswoman", "spokesperson", "analyst", "researcher", "by", "king",
    "queen", "prince", "pope", "saint", "st", "comrade", NULL};

/* Is the line of word t mostly capitalised (a Title Case headline)? */
static int title_case_line(const toks *T, size_t t)
{
    int para = T->v[t].para;
    size_t a = t, b = t;
    while (a > 0 && T->v[a - 1].para == para)
        a--;
    while (b + 1 < T->n && T->v[b + 1].para == para)
        b++;
    size_t words = 0, caps = 0;
    for (size_t i = a; i <= b; i++) {
        if (!T->v[i].alpha)
            continue;
        words++;
        if (T->v[i].cap)
            caps++;
    }
    return words >= 4 && caps * 10 >= words * 7;
}

/* A person's name, not a place: "Kim Jong Suk" (also a county's name),
 * "Kim Won Hong" ("Hong"), "Vladimir Putin", "David Black". */
static int person_context(const bm_gazetteer *gz, const char *s,
                          const toks *T, size_t t0, size_t name_t1, hint h,
                          const bm_place *top)
{
    if (h != HINT_NONE)
        return 0;
    if (name_t1 - t0 >= 2 && word_is(s, &T->v[t0], surnames))
        return 1;
    /* up to two capitalised words before, one of them a surname */
    for (size_t k = 1; k <= 2 && k <= t0; k++) {
        const tok *w = &T->v[t0 - k + 1];
        const tok *pw = &T->v[t0 - k];
        if (!w->contig || w->hyph || !pw->cap)
            break;
        if (word_is(s, pw, surnames))
            return 1;
    }
    if (name_t1 >= T->n)
        return 0;
    const tok *nx = &T->v[name_t1];
    if (!nx->contig || nx->hyph || !nx->cap || nx->allcaps)
        return 0;
    if (word_is(s, nx, site_words) || designator_hint(s, nx, 1) != HINT_NONE)
        return 0;
    /* a surname that opens a capitalised run: "Jang Song Thaek" */
    if (name_t1 - t0 == 1 && word_is(s, &T->v[t0], surnames))
        return 1;
    if (name_t1 - t0 != 1)
        return 0;
    /* a title before: "President Vladimir Putin", "leader Kim Jong Un" */
    if (t0 > 0 && T->v[t0].contig && word_is(s, &T->v[t0 - 1], titles))
        return 1;
    /* a given name: a capitalised word after it, not a Title Case
     * headline, and not one of the region's places */
    if (title_case_line(T, t0))
        return 0;
    if (top && top->in_region && top->country &&
        (strcmp(top->country, "KP") == 0 || strcmp(top->country, "CN") == 0 ||
         strcmp(top->country, "RU") == 0))
        return 0;
    (void)gz;
    return 1;
}

static int country_locative(const char *s, const toks *T, size_t t0)
{
    if (t0 == 0 || T->v[t0].sent_start)
        return 0;
    const tok *p = &T->v[t0 - 1];
    char buf[32];
    const char *w = word_lc(s, p, buf, sizeof buf);
    /* "back to the North" */
    if (strcmp(w, "the") == 0 && t0 >= 2 && !p->sent_start) {
        p = &T->v[t0 - 2];
        w = word_lc(s, p, buf, sizeof buf);
    }
    if (p->para != T->v[t0].para)
        return 0;
    if (in_list(w, locatives))
        return 1;
    /* "the border with China", "border regions with North Korea" */
    if (strcmp(w, "with") == 0) {
        for (size_t k = 2; k <= 4 && k <= t0; k++) {
            char b2[32];
            const char *w2 = word_lc(s, &T->v[t0 - k], b2, sizeof b2);
            if (strncmp(w2, "border", 6) == 0)
                return 1;
        }
    }
    return 0;
}

/* Does word j continue a window of words that ends at j - 1 (see the
 * scan below)? */
static int continues_window(const char *s, const toks *T, size_t j,
                            int lower_start)
{
    const tok *w = &T->v[j];
    if (!w->contig || T->v[j - 1].possessive)
        return 0;
    if (lower_start)
        return !w->cap && !w->hangul;
    return w->cap || w->hangul || designator_hint(s, w, 1) != HINT_NONE ||
           word_is(s, w, connectives);
}

bm_status bm_geoparse_mentions(bm_ctx *ctx, const bm_gazetteer *gz,
                               const bm_report *r, bm_mentions *out)
{
    out->items = NULL;
    out->count = 0;
    if (!gz || !r || !r->body)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "geoparse: no gazetteer or no report body");
    const char *s = r->body;
    size_t len = r->body_len;
    const char *name = r->path ? r->path : "(report)";
    toks T = {0};
    /* about one word in six bytes of English: most reports need no
     * growing of the array */
    T.cap = len / 5 + 16;
    T.v = malloc(T.cap * sizeof *T.v);
    if (!T.v || !tokenize(s, len, &T)) {
        free(T.v);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", name);
    }
    size_t maxw = bm_gazetteer_max_words(gz);
    if (maxw == 0)
        maxw = 1;
    if (maxw > 8)
        maxw = 8;

    raw *R = NULL;
    size_t nr = 0, capr = 0;
    bm_status st = BM_OK;
    foldcache F = {0};
    F.joinable = fold_agrees();
    bm_candidate look[MAX_CAND];
    wordset np_set;
    ws_init(&np_set, not_places);
    lookup_memo LM = {0};
    strmap persons = {0}; /* folded names read as a person's */

    for (size_t i = 0; i < T.n;) {
        const tok *w0 = &T.v[i];
        int lower_start = !w0->cap && !w0->hangul;
        /* lower-case words are tried only for country names in tag lines
         * ("russia, north korea, ..."): letters, 4+ of them, 1-2 words */
        if (lower_start && (!w0->alpha || w0->ce - w0->cs < 4)) {
            i++;
            continue;
        }
        if (word_in(&np_set, s, w0) ||
            (w0->hyph && designator_hint(s, w0, 1) != HINT_NONE)) {
            i++;
            continue;
        }
        size_t best_k = 0;
        char *best_fold = NULL;
        /* Korea news says "the North" and "the South" for the two Koreas
         * ("sent back to the North"); not "the North Korean ...". */
        const char *koreas = NULL;
        if (w0->cap && !w0->sent_start && i > 0 && w0->contig &&
            word_is(s, &T.v[i - 1], (const char *const[]){"the", NULL}) &&
            !(i + 1 < T.n && T.v[i + 1].contig &&
              (T.v[i + 1].cap || T.v[i + 1].hyph))) {
            if (word_is(s, w0, (const char *const[]){"north", NULL}))
                koreas = "North Korea";
            else if (word_is(s, w0, (const char *const[]){"south", NULL}))
                koreas = "South Korea";
        }
        if (koreas) {
            best_k = 1;
            best_fold = bm_fold(koreas, strlen(koreas));
            if (!best_fold) {
                st = BM_ERR_NOMEM;
                break;
            }
        }
        /* The windows [i, i+k) worth a look: the words after the first
         * continue it (joined to the one before; lower case after lower
         * case, else capitalised, Hangul, a designator or a connective)
         * and no possessive comes inside ("Namyang's Workers'"). Every
         * shorter window of a valid one is valid too. The longest known
         * window wins. */
        size_t kmax = lower_start ? 2 : maxw;
        int slow = 0;
        if (!koreas && F.joinable) {
            /* Grown word by word, while the gazetteer says a longer
             * window may still be known (bm_gazetteer_scan_folded): most
             * start words stop after one look. The window's fold is its
             * words' folds joined by spaces (see window_fold). */
            size_t wl = 0, best_len = 0;
            for (size_t k = 1;; k++) {
                tok *w = &T.v[i + k - 1];
                if (!tok_fold(&F, s, w) ||
                    !fc_reserve(&F.win, &F.wcap, wl + w->fold_len + 2)) {
                    st = BM_ERR_NOMEM;
                    break;
                }
                if (w->fold_state != FOLD_CLEAN) {
                    slow = 1; /* a word that may not join: as below */
                    break;
                }
                if (k > 1)
                    F.win[wl++] = ' ';
                memcpy(F.win + wl, F.text + w->fold_off, w->fold_len);
                wl += w->fold_len;
                F.win[wl] = '\0'; /* a C string for strndup() below */
                unsigned c = bm_gazetteer_scan_folded(gz, F.win, wl);
                if (c & BM_GZ_KNOWN) {
                    best_k = k;
                    best_len = wl;
                }
                if (!(c & BM_GZ_MORE) || k >= kmax || i + k >= T.n ||
                    !continues_window(s, &T, i + k, lower_start))
                    break;
            }
            if (st != BM_OK)
                break;
            if (slow) {
                best_k = 0;
            } else if (best_k &&
                       !(best_fold = strndup(F.win, best_len))) {
                st = BM_ERR_NOMEM;
                break;
            }
        }
        if (!koreas && (slow || !F.joinable)) {
            /* every window folded from its text, longest first */
            size_t kv = 1;
            while (kv < kmax && i + kv < T.n &&
                   continues_window(s, &T, i + kv, lower_start))
                kv++;
            for (size_t k = kv; k >= 1; k--) {
                const char *f = window_fold(&F, s, &T, i, k);
                if (!f) {
                    st = BM_ERR_NOMEM;
                    break;
                }
                if (*f && bm_gazetteer_knows_folded(gz, f)) {
                    best_k = k;
                    if (!(best_fold = strdup(f)))
                        st = BM_ERR_NOMEM;
                    break;
                }
            }
        }
        if (st != BM_OK)
            break;
        if (!best_k) {
            i++;
            continue;
        }
        /* The last words of the match may be a designator already. */
        size_t t1 = i + best_k, name_t1 = t1;
        hint h = HINT_NONE;
        if (best_k >= 2) {
            hint hl = designator_hint(s, &T.v[t1 - 1], 1);
            if (hl != HINT_NONE) {
                h = hl;
                name_t1 = t1 - 1;
            }
        }
        if (h == HINT_NONE && t1 < T.n && T.v[t1].contig && !koreas &&
            !T.v[t1 - 1].possessive) {
            hint hn = designator_hint(s, &T.v[t1], 1);
            if (hn != HINT_NONE) {
                h = hn;
                t1++;
            }
        }
        raw *nv = bm_grow(R, &capr, nr + 1, sizeof *nv);
        if (!nv) {
            free(best_fold);
            st = BM_ERR_NOMEM;
            break;
        }
        R = nv;
        raw *m = &R[nr];
        memset(m, 0, sizeof *m);
        m->t0 = i;
        m->t1 = t1;
        m->name_t1 = name_t1;
        m->h = h;
        m->koreas = koreas != NULL;
        if (name_t1 == i + best_k) {
            m->folded_name = best_fold;
        } else {
            const char *nf = window_fold(&F, s, &T, i, name_t1 - i);
            m->folded_name = nf ? strdup(nf) : NULL;
            free(best_fold);
        }
        if (!m->folded_name) {
            st = BM_ERR_NOMEM;
            break;
        }
        nr++;

        /* Candidates: look the surface (with designator) up. */
        size_t n = 0;
        bm_status ls =
            koreas ? memo_lookup(&LM, ctx, gz, koreas, strlen(koreas), look,
                                 m->cand, &n)
                   : memo_lookup(&LM, ctx, gz, s + T.v[i].bs,
                                 T.v[t1 - 1].be - T.v[i].bs, look, m->cand,
                                 &n);
        if (ls != BM_OK && ls != BM_ERR_NOMEM && h != HINT_NONE) {
            /* the designator did not fit any form: the bare name */
            ls = memo_lookup(&LM, ctx, gz, s + T.v[i].bs,
                             T.v[name_t1 - 1].be - T.v[i].bs, look, m->cand,
                             &n);
        }
        if (ls == BM_ERR_NOMEM) {
            st = ls;
            break;
        }
        if (ls != BM_OK)
            n = 0;
        m->ncand = n;
        if (n == 0)
            m->drop = 1;

        /* Filters. */
        const bm_place *top = n ? m->cand[0].place : NULL;
        int single = name_t1 - i == 1;
        if (!m->drop && lower_start) {
            /* lower-case text: a country in a tag line ("north korea") */
            int any_country = 0;
            for (size_t c = 0; c < n; c++)
                if (m->cand[c].place->kind == BM_KIND_COUNTRY)
                    any_country = 1;
            if (!any_country || h != HINT_NONE)
                m->drop = 1;
            else
                m->h = HINT_NONE;
        }
        if (!m->drop && koreas) {
            if (!top || top->kind != BM_KIND_COUNTRY)
                m->drop = 1;
        } else if (!m->drop && single && h == HINT_NONE) {
            int known = 0;
            for (size_t c = 0; c < n; c++)
                if (well_known(m->cand[c].place))
                    known = 1;
            /* inside a run of capitalised words it is part of a longer
             * name ("Chinese Mobile Phone", "Taebong Gold Mine") */
            int run = (i > 0 && w0->contig && !w0->sent_start &&
                       T.v[i - 1].cap) ||
                      (t1 < T.n && T.v[t1].contig && T.v[t1].cap);
            /* (the long list is searched only when its answer matters) */
            if ((w0->sent_start || !known || !w0->cap || w0->allcaps || run) &&
                word_is(s, w0, common_words))
                m->drop = 1;
        }
        /* A single capitalised word that opens a sentence and is also a
         * common word is dropped above; all-caps short words are mostly
         * abbreviations of organisations. */
        if (!m->drop && single && w0->allcaps && (w0->ce - w0->cs) <= 3 &&
            top && top->kind != BM_KIND_COUNTRY)
            m->drop = 1;
        if (!m->drop && org_context(s, &T, i, t1))
            m->drop = 1;
        if (!m->drop && person_context(gz, s, &T, i, name_t1, h, top))
            m->drop = DROP_PERSON;
        /* a name seen as a person's earlier in the report stays one
         * ("reporter Seol Song Ah ... [Seol]:") */
        if (!m->drop && single && h == HINT_NONE) {
            size_t fl = strlen(m->folded_name);
            uint32_t v;
            if (sm_get(&persons, m->folded_name, fl,
                       sm_hash(m->folded_name, fl), &v))
                m->drop = DROP_PERSON;
        }
        if (m->drop == DROP_PERSON) {
            /* remember the name (the set only grows, as the earlier
             * raw mentions' drops did) */
            size_t fl = strlen(m->folded_name);
            uint32_t hh = sm_hash(m->folded_name, fl), v;
            if (!sm_get(&persons, m->folded_name, fl, hh, &v) &&
                !sm_put(&persons, m->folded_name, fl, hh, 1)) {
                st = BM_ERR_NOMEM;
                break;
            }
        }
        if (m->drop) {
            /* let a shorter name inside start at the next word */
            i++;
            continue;
        }
        i = t1;
    }
    if (st != BM_OK)
        goto done;

    /* Keep only mentions with candidates; resolve in two passes. */
    {
        docctx dc = {0};
        const char **adm = calloc(nr ? nr : 1, sizeof *adm);
        if (!adm) {
            st = BM_ERR_NOMEM;
            goto done;
        }
        dc.admin1 = adm;
        strmap first_of = {0}; /* folded name -> first kept raw mention */
        for (size_t k = 0; k < nr; k++) {
            raw *m = &R[k];
            if (m->drop)
                continue;
            choose(gz, m, &dc);
            if (m->chosen && m->chosen->kind == BM_KIND_PROVINCE &&
                m->chosen->admin1 && *m->chosen->admin1) {
                size_t a = 0;
                while (a < dc.nadmin1 && strcmp(adm[a], m->chosen->admin1))
                    a++;
                if (a == dc.nadmin1)
                    adm[dc.nadmin1++] = m->chosen->admin1;
            }
        }
        for (size_t k = 0; k < nr; k++) {
            raw *m = &R[k];
            if (m->drop)
                continue;
            choose(gz, m, &dc);
            /* same bare name earlier in the document: same referent (the
             * first kept mention of the name, found through a map) */
            size_t fl = strlen(m->folded_name);
            uint32_t hh = sm_hash(m->folded_name, fl), e;
            int seen = sm_get(&first_of, m->folded_name, fl, hh, &e);
            if (m->h == HINT_NONE && seen) {
                for (size_t c = 0; c < m->ncand; c++)
                    if (m->cand[c].place == R[e].chosen) {
                        m->chosen = R[e].chosen;
                        m->margin = R[e].margin;
                        m->reason = "same name earlier in the report";
                        break;
                    }
            }
            if (!seen && m->chosen &&
                (k >= UINT32_MAX ||
                 !sm_put(&first_of, m->folded_name, fl, hh, (uint32_t)k))) {
                sm_free(&first_of);
                free(adm);
                st = BM_ERR_NOMEM;
                goto done;
            }
        }
        sm_free(&first_of);
        free(adm);
    }

    /* Countries: only where used as a place at least once. */
    for (size_t k = 0; k < nr; k++) {
        raw *m = &R[k];
        if (m->drop || !m->chosen || m->chosen->kind != BM_KIND_COUNTRY)
            continue;
        if (in_border_compound(s, &T, m->t0, m->t1) ||
            (m->t0 > 0 && T.v[m->t0].hyph &&
             in_border_compound(s, &T, m->t0, m->t1))) {
            m->drop = 1;
            continue;
        }
        m->locative = country_locative(s, &T, m->t0);
    }
    /* lists: "to South Korea, China and Russia" */
    for (size_t k = 1; k < nr; k++) {
        raw *m = &R[k];
        if (m->drop || !m->chosen || m->chosen->kind != BM_KIND_COUNTRY ||
            m->locative)
            continue;
        for (size_t e = k; e-- > 0;) {
            if (R[e].drop)
                continue;
            const raw *p = &R[e];
            /* only ",", "and", "or", "as well as" between */
            size_t gap_b0 = T.v[p->t1 - 1].be, gap_b1 = T.v[m->t0].bs;
            int ok = gap_b1 - gap_b0 <= 8 && T.v[m->t0].para == T.v[p->t0].para;
            for (size_t b = gap_b0; ok && b < gap_b1; b++) {
                char c = s[b];
                if (!(c == ' ' || c == ',' || c == 'a' || c == 'n' ||
                      c == 'd' || c == 'o' || c == 'r'))
                    ok = 0;
            }
            if (ok && p->chosen && p->chosen->kind == BM_KIND_COUNTRY &&
                p->locative)
                m->locative = 1;
            break;
        }
    }
    /* the places some kept mention uses as a place (what is dropped below
     * never is one: it is not locative) */
    strmap used = {0};
    for (size_t e = 0; e < nr; e++) {
        if (R[e].drop || !R[e].chosen || !R[e].locative)
            continue;
        const char *key = (const char *)&R[e].chosen;
        uint32_t hh = sm_hash(key, sizeof R[e].chosen), v;
        if (!sm_get(&used, key, sizeof R[e].chosen, hh, &v) &&
            !sm_put(&used, key, sizeof R[e].chosen, hh, 1)) {
            sm_free(&used);
            st = BM_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t k = 0; k < nr; k++) {
        raw *m = &R[k];
        if (m->drop || !m->chosen || m->chosen->kind != BM_KIND_COUNTRY ||
            m->locative)
            continue;
        const char *key = (const char *)&m->chosen;
        uint32_t v;
        int any = sm_get(&used, key, sizeof m->chosen,
                         sm_hash(key, sizeof m->chosen), &v);
        if (!any)
            m->drop = DROP_COUNTRY; /* never used as a place here */
    }
    sm_free(&used);

    /* Emit. */
    {
        size_t keep = 0;
        for (size_t k = 0; k < nr; k++)
            if (!R[k].drop && R[k].chosen)
                keep++;
        out->items = calloc(keep ? keep : 1, sizeof *out->items);
        if (!out->items) {
            st = BM_ERR_NOMEM;
            goto done;
        }
        for (size_t k = 0; k < nr; k++) {
            raw *m = &R[k];
            if (m->drop || !m->chosen)
                continue;
            bm_mention *o = &out->items[out->count];
            o->byte_start = T.v[m->t0].bs;
            o->byte_end = T.v[m->t1 - 1].be;
            o->start = T.v[m->t0].cs;
            o->end = T.v[m->t1 - 1].ce;
            o->surface = strndup(s + o->byte_start, o->byte_end - o->byte_start);
            if (!o->surface) {
                st = BM_ERR_NOMEM;
                goto done;
            }
            o->place = m->chosen;
            bm_precision pr = BM_PREC_UNKNOWN;
            if (bm_gazetteer_point(gz, m->chosen, &o->lon, &o->lat, &pr) ==
                BM_OK) {
                o->has_point = 1;
                o->precision = pr;
            } else {
                o->lon = o->lat = 0;
                o->precision = BM_PREC_UNKNOWN;
            }
            double conf = 0.55 + 0.2 * (m->margin > 20 ? 1.0 : m->margin / 20);
            if (m->h != HINT_NONE && kind_fits(m->h, m->chosen->kind))
                conf += 0.15;
            if (m->chosen->in_region)
                conf += 0.1;
            if (!o->has_point)
                conf -= 0.2;
            if (conf > 1)
                conf = 1;
            if (conf < 0.05)
                conf = 0.05;
            o->confidence = conf;
            o->reason = m->reason ? m->reason : "best gazetteer rank";
            out->count++;
        }
    }

done:
    sm_free(&LM.map);
    sm_free(&persons);
    free(LM.v);
    free(F.text);
    free(F.win);
    for (size_t k = 0; k < nr; k++)
        free(R[k].folded_name);
    free(R);
    free(T.v);
    if (st != BM_OK) {
        bm_mentions_free(out);
        return bm_ctx_fail(ctx, st, "%s: out of memory while geoparsing",
                           name);
    }
    return BM_OK;
}
