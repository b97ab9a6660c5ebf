/*
 * gazetteer.c - loads gazetteer/places.tsv and names.tsv and answers name
 * lookups (contract: bm_gazetteer.h).
 *
 * Ownership: the two files are read whole and cut in place (tabs and
 * newlines become NULs); every string the API hands out (bm_place fields,
 * bm_candidate.matched) points into those buffers. Folded keys live in one
 * arena. All of it belongs to the bm_gazetteer and is released by
 * bm_gazetteer_free(). Nothing here prints.
 *
 * Index: an open-addressing hash table maps a folded key (bm_fold form) to
 * a chain of entries (place, name form, how the key was derived). Every
 * name form is indexed under its folded form ("full" entry) and, when that
 * ends in a generic designator that was a separate word ("Onsŏng-gun" ->
 * "onsong gun"), also under the base ("onsong", a "base" entry carrying
 * the designator's kind hint). Queries are treated the same way, so
 * "Onsong County" -> base "onsong" + county hint meets "Onsŏng-gun".
 *
 * Units: coordinates are degrees (lon, lat), WGS 84; scores are unitless
 * and comparable within one query only.
 */
#include "bm_gazetteer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- designators --------------------------------------------------------- */

enum hint { HINT_NONE = 0, HINT_PROVINCE, HINT_COUNTY, HINT_TOWN, HINT_CITY };
/* Where a designator is understood on the gazetteer side. Queries strip
 * any of them. */
enum scope { SC_ANY = 0, SC_KOREA, SC_CHINA };

typedef struct desig {
    const char *text; /* folded form, words separated by one space */
    size_t len;       /* strlen(text) */
    unsigned char hint;
    unsigned char scope;
} desig;
#define D(text, hint, scope) {text, sizeof text - 1, hint, scope}

/* Longest first so that the most specific designator is tried first. */
static const desig DESIGS[] = {
    D("korean autonomous prefecture", HINT_COUNTY, SC_ANY),
    D("korean autonomous county", HINT_COUNTY, SC_ANY),
    D("chaoxianzu zizhizhou", HINT_COUNTY, SC_CHINA),
    D("chaoxianzu zizhixian", HINT_COUNTY, SC_CHINA),
    D("autonomous prefecture", HINT_COUNTY, SC_ANY),
    D("autonomous county", HINT_COUNTY, SC_ANY),
    D("special city", HINT_PROVINCE, SC_ANY),
    D("workers district", HINT_TOWN, SC_ANY),
    D("nodongjagu", HINT_TOWN, SC_KOREA),
    D("rodongjagu", HINT_TOWN, SC_KOREA),
    D("prefecture", HINT_COUNTY, SC_ANY),
    D("zizhizhou", HINT_COUNTY, SC_CHINA),
    D("zizhixian", HINT_COUNTY, SC_CHINA),
    D("province", HINT_PROVINCE, SC_ANY),
    D("district", HINT_COUNTY, SC_ANY),
    D("village", HINT_TOWN, SC_ANY),
    D("county", HINT_COUNTY, SC_ANY),
    D("region", HINT_PROVINCE, SC_ANY),
    D("oblast", HINT_PROVINCE, SC_ANY),
    D("guyok", HINT_COUNTY, SC_KOREA),
    D("kuyok", HINT_COUNTY, SC_KOREA),
    D("sheng", HINT_PROVINCE, SC_CHINA),
    D("xiang", HINT_TOWN, SC_CHINA),
    D("city", HINT_CITY, SC_ANY),
    D("town", HINT_TOWN, SC_ANY),
    D("krai", HINT_PROVINCE, SC_ANY),
    D("kray", HINT_PROVINCE, SC_ANY),
    D("dong", HINT_TOWN, SC_KOREA),
    D("tong", HINT_TOWN, SC_KOREA),
    D("diqu", HINT_COUNTY, SC_CHINA),
    D("xian", HINT_COUNTY, SC_CHINA),
    D("zhen", HINT_TOWN, SC_CHINA),
    D("gun", HINT_COUNTY, SC_KOREA),
    D("kun", HINT_COUNTY, SC_KOREA),
    D("eup", HINT_TOWN, SC_KOREA),
    D("shi", HINT_CITY, SC_CHINA),
    D("do", HINT_PROVINCE, SC_KOREA),
    D("si", HINT_CITY, SC_KOREA),
    D("up", HINT_TOWN, SC_KOREA),
    D("ri", HINT_TOWN, SC_KOREA),
    D("ni", HINT_TOWN, SC_KOREA),
    D("gu", HINT_COUNTY, SC_KOREA),
    D("ku", HINT_COUNTY, SC_KOREA),
    D("qu", HINT_COUNTY, SC_CHINA),
};
#define NDESIGS (sizeof DESIGS / sizeof DESIGS[0])
#define MAX_DESIG_WORDS 3

/* Shortest base (bytes) indexed for a gazetteer name: "Ha-ri" must not make
 * "ha" a place. Queries may strip down to 2 bytes. */
#define MIN_INDEX_BASE 3
#define MIN_QUERY_BASE 2

/* If folded text s (len bytes) ends in " <designator>" with a base of at
 * least min_base bytes, returns the base length and sets *d. start is the
 * index in DESIGS to continue from (to enumerate every match). */
static size_t strip_designator(const char *s, size_t len, size_t min_base,
                               size_t *start, const desig **d)
{
    for (size_t i = *start; i < NDESIGS; i++) {
        size_t dl = DESIGS[i].len;
        if (len < dl + 1 + min_base || s[len - 1] != DESIGS[i].text[dl - 1])
            continue;
        size_t base = len - dl - 1;
        if (s[base] != ' ' || memcmp(s + base + 1, DESIGS[i].text, dl) != 0)
            continue;
        *start = i + 1;
        *d = &DESIGS[i];
        return base;
    }
    *start = NDESIGS;
    return 0;
}

/* ---- the gazetteer ----------------------------------------------------------- */

/* Name-form "languages" from names.tsv, most primary first. */
enum lang {
    LANG_NAME = 0, LANG_ASCII, LANG_EN, LANG_KO, LANG_ZH, LANG_RU,
    LANG_VARIANT, LANG_ALT
};

enum how { HOW_FULL = 0, HOW_BASE = 1 };

#define NIL UINT32_MAX

typedef struct gz_entry {
    uint32_t place;
    uint32_t next;     /* next entry of the same key, NIL ends */
    const char *form;  /* the name form as written (borrowed, file buffer) */
    unsigned char how;
    unsigned char hint;
    unsigned char lang;
} gz_entry;

typedef struct gz_key {
    uint32_t off;    /* into gz->arena */
    uint32_t len;
    uint32_t hash;
    uint32_t head;   /* first entry */
} gz_key;

/* Memo of folded code points, used while loading (see fold_name). */
enum { CP_EMPTY = 0, CP_TEXT, CP_SEP, CP_SKIP, CP_COMPLEX };

typedef struct cp_slot {
    uint32_t cp;
    unsigned char kind; /* CP_* */
    unsigned char len;  /* bytes of text */
    char text[10];      /* folded text, CP_TEXT */
} cp_slot;

typedef struct cp_memo {
    cp_slot *slots;
    size_t cap, n; /* cap a power of two */
} cp_memo;

struct bm_gazetteer {
    char *places_text; /* file buffers, cut in place */
    char *names_text;
    bm_place *places;
    size_t nplaces;
    uint32_t *id_slots; /* hash of place ids -> place index (NIL empty) */
    size_t id_cap;
    uint32_t *provinces; /* indices of province rows */
    size_t nprovinces;

    bm_buf arena;       /* folded keys, NUL-separated */
    gz_key *keys;
    size_t nkeys, capkeys;
    uint32_t *key_slots; /* hash of keys -> key index (NIL empty) */
    size_t key_cap;
    gz_entry *entries;
    size_t nentries, capentries;
    size_t max_words;
    int fast_fold;      /* fold_ascii() agrees with bm_fold() */
    cp_memo memo;       /* while loading: folded code points */
};

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static size_t count_words(const char *s, size_t n)
{
    size_t w = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ')
            w++;
    return w;
}

static uint32_t key_find(const bm_gazetteer *gz, const char *s, size_t n)
{
    if (!gz->key_cap)
        return NIL;
    uint32_t h = hash_bytes(s, n);
    size_t mask = gz->key_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t k = gz->key_slots[i];
        if (k == NIL)
            return NIL;
        const gz_key *key = &gz->keys[k];
        if (key->hash == h && key->len == n &&
            memcmp(gz->arena.data + key->off, s, n) == 0)
            return k;
    }
}

static bm_status key_table_grow(bm_gazetteer *gz)
{
    size_t cap = gz->key_cap ? gz->key_cap * 2 : 1u << 16;
    uint32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return BM_ERR_NOMEM;
    memset(slots, 0xFF, cap * sizeof *slots);
    for (size_t k = 0; k < gz->nkeys; k++) {
        size_t i = gz->keys[k].hash & (cap - 1);
        while (slots[i] != NIL)
            i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)k;
    }
    free(gz->key_slots);
    gz->key_slots = slots;
    gz->key_cap = cap;
    return BM_OK;
}

/* Makes room for the given numbers of entries and keys and arena bytes so
 * that building the index rarely reallocates. */
static bm_status index_reserve(bm_gazetteer *gz, size_t entries, size_t keys,
                               size_t bytes)
{
    if (entries > gz->capentries) {
        gz_entry *en = realloc(gz->entries, entries * sizeof *en);
        if (!en)
            return BM_ERR_NOMEM;
        gz->entries = en;
        gz->capentries = entries;
    }
    if (keys > gz->capkeys) {
        gz_key *k = realloc(gz->keys, keys * sizeof *k);
        if (!k)
            return BM_ERR_NOMEM;
        gz->keys = k;
        gz->capkeys = keys;
    }
    while (gz->key_cap < keys * 2)
        if (key_table_grow(gz) != BM_OK)
            return BM_ERR_NOMEM;
    if (bm_buf_append(&gz->arena, "", 0) != BM_OK) /* allocates */
        return BM_ERR_NOMEM;
    if (gz->arena.cap < bytes) {
        char *d = realloc(gz->arena.data, bytes);
        if (!d)
            return BM_ERR_NOMEM;
        gz->arena.data = d;
        gz->arena.cap = bytes;
    }
    return BM_OK;
}

/* Finds or adds the key s[0..n) and returns its index in *out. */
static bm_status key_intern(bm_gazetteer *gz, const char *s, size_t n,
                            uint32_t *out)
{
    uint32_t k = key_find(gz, s, n);
    if (k != NIL) {
        *out = k;
        return BM_OK;
    }
    if ((gz->nkeys + 1) * 2 > gz->key_cap && key_table_grow(gz) != BM_OK)
        return BM_ERR_NOMEM;
    if (gz->nkeys == gz->capkeys) {
        size_t cap = gz->capkeys ? gz->capkeys * 2 : 4096;
        gz_key *keys = realloc(gz->keys, cap * sizeof *keys);
        if (!keys)
            return BM_ERR_NOMEM;
        gz->keys = keys;
        gz->capkeys = cap;
    }
    if (gz->arena.len + n + 1 > UINT32_MAX || gz->nkeys >= NIL - 1)
        return BM_ERR_NOMEM; /* offsets are 32-bit: ~4 GB of names */
    gz_key *key = &gz->keys[gz->nkeys];
    key->off = (uint32_t)gz->arena.len;
    key->len = (uint32_t)n;
    key->hash = hash_bytes(s, n);
    key->head = NIL;
    if (bm_buf_append(&gz->arena, s, n) != BM_OK ||
        bm_buf_append(&gz->arena, "", 1) != BM_OK)
        return BM_ERR_NOMEM;
    size_t mask = gz->key_cap - 1;
    size_t i = key->hash & mask;
    while (gz->key_slots[i] != NIL)
        i = (i + 1) & mask;
    gz->key_slots[i] = (uint32_t)gz->nkeys;
    *out = (uint32_t)gz->nkeys++;
    size_t w = count_words(s, n);
    if (w > gz->max_words)
        gz->max_words = w;
    return BM_OK;
}

/* Adds (place, form) under key s[0..n). One entry per place and key: a
 * better derivation (full over base, then more primary form) replaces a
 * worse one. */
static bm_status index_add(bm_gazetteer *gz, const char *s, size_t n,
                           uint32_t place, const char *form, int how,
                           int hint, int lang)
{
    uint32_t k;
    if (key_intern(gz, s, n, &k) != BM_OK)
        return BM_ERR_NOMEM;
    for (uint32_t e = gz->keys[k].head; e != NIL; e = gz->entries[e].next) {
        gz_entry *en = &gz->entries[e];
        if (en->place != place)
            continue;
        if (how < en->how || (how == en->how && lang < en->lang)) {
            en->form = form;
            en->how = (unsigned char)how;
            en->hint = (unsigned char)hint;
            en->lang = (unsigned char)lang;
        }
        return BM_OK;
    }
    if (gz->nentries == gz->capentries) {
        size_t cap = gz->capentries ? gz->capentries * 2 : 16384;
        gz_entry *en = realloc(gz->entries, cap * sizeof *en);
        if (!en)
            return BM_ERR_NOMEM;
        gz->entries = en;
        gz->capentries = cap;
    }
    gz_entry *en = &gz->entries[gz->nentries];
    en->place = place;
    en->form = form;
    en->how = (unsigned char)how;
    en->hint = (unsigned char)hint;
    en->lang = (unsigned char)lang;
    en->next = gz->keys[k].head;
    gz->keys[k].head = (uint32_t)gz->nentries++;
    return BM_OK;
}

static int country_scope(const char *cc)
{
    if (strcmp(cc, "KP") == 0 || strcmp(cc, "KR") == 0)
        return SC_KOREA;
    if (strcmp(cc, "CN") == 0)
        return SC_CHINA;
    return -1;
}

/* ---- fast folding ------------------------------------------------------------ */

/* Calling utf8proc for each of ~80,000 names costs more than everything
 * else in loading, so names are folded here, one code point at a time,
 * with the answers taken from bm_fold itself:
 *  - ASCII follows bm_fold's per-character rule (lower-case; drop
 *    apostrophes; separators become one space, trimmed), used only after
 *    fold_selfcheck() has confirmed it against bm_fold for every ASCII
 *    character;
 *  - every other code point is folded once with bm_fold inside "a?b" and
 *    remembered (a memo): it maps to text, acts as a separator, or
 *    vanishes (marks, apostrophes).
 * Per-code-point folding equals whole-string folding because bm_fold
 * strips all combining marks before composing, so nothing composes across
 * code points - except Hangul jamo, which compose into syllables: names
 * holding jamo (or anything the probe cannot classify) go through bm_fold
 * whole. */
static int ascii_is_apostrophe(unsigned char c)
{
    return c == '\'' || c == '`';
}

static int ascii_is_separator(unsigned char c)
{
    return c == ' ' || c == '-' || c == '.' || c == ',' || c == '_' ||
           c == '/' || c == '(' || c == ')' || c == '"' || c < 0x20 ||
           c == 0x7F;
}

/* Folds ASCII s[0..n) into out (n + 1 bytes); returns the length. */
static size_t fold_ascii(const char *s, size_t n, char *out)
{
    size_t w = 0;
    int pending = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ascii_is_apostrophe(c))
            continue;
        if (ascii_is_separator(c)) {
            pending = w > 0;
            continue;
        }
        if (pending) {
            out[w++] = ' ';
            pending = 0;
        }
        out[w++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    out[w] = '\0';
    return w;
}

/* 1 when fold_ascii agrees with bm_fold on every ASCII character in
 * every position that matters (alone, start, middle, end, between
 * spaces). */
static int fold_selfcheck(void)
{
    for (int c = 1; c < 0x80; c++) {
        char probes[5][8];
        snprintf(probes[0], 8, "%c", c);
        snprintf(probes[1], 8, "A%cb", c);
        snprintf(probes[2], 8, "%cAb", c);
        snprintf(probes[3], 8, "Ab%c", c);
        snprintf(probes[4], 8, "a %c b", c);
        for (int k = 0; k < 5; k++) {
            char mine[16];
            size_t n = strlen(probes[k]);
            fold_ascii(probes[k], n, mine);
            char *ref = bm_fold(probes[k], n);
            int same = ref && strcmp(ref, mine) == 0;
            free(ref);
            if (!same)
                return 0;
        }
    }
    return 1;
}

static int is_jamo(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
           (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF) ||
           (cp >= 0xFFA0 && cp <= 0xFFDC);
}

/* Classifies cp (bytes s[0..n)) with bm_fold. */
static void cp_classify(cp_slot *slot, uint32_t cp, const char *s, size_t n)
{
    slot->cp = cp;
    slot->kind = CP_COMPLEX;
    slot->len = 0;
    if (is_jamo(cp) || n > 4)
        return;
    char probe[8];
    probe[0] = 'a';
    memcpy(probe + 1, s, n);
    probe[n + 1] = 'b';
    char *r = bm_fold(probe, n + 2);
    if (!r)
        return;
    size_t rn = strlen(r);
    if (strcmp(r, "ab") == 0) {
        slot->kind = CP_SKIP;
    } else if (strcmp(r, "a b") == 0) {
        slot->kind = CP_SEP;
    } else if (rn >= 3 && rn - 2 <= sizeof slot->text && r[0] == 'a' &&
               r[rn - 1] == 'b' && r[1] != ' ' && r[rn - 2] != ' ') {
        slot->kind = CP_TEXT;
        slot->len = (unsigned char)(rn - 2);
        memcpy(slot->text, r + 1, rn - 2);
    }
    free(r);
}

/* The memo slot for cp, classifying it on first sight. NULL when out of
 * memory. */
static const cp_slot *cp_lookup(cp_memo *m, uint32_t cp, const char *s,
                                size_t n)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        cp_slot *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slots[i].kind == CP_EMPTY)
                continue;
            size_t j = (m->slots[i].cp * 2654435761u) & (cap - 1);
            while (slots[j].kind != CP_EMPTY)
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t mask = m->cap - 1;
    size_t j = (cp * 2654435761u) & mask;
    while (m->slots[j].kind != CP_EMPTY) {
        if (m->slots[j].cp == cp)
            return &m->slots[j];
        j = (j + 1) & mask;
    }
    cp_classify(&m->slots[j], cp, s, n);
    m->n++;
    return &m->slots[j];
}

/* Decodes one code point of valid UTF-8 at s; returns its length. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
              (s[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

/* Folds s[0..n) (valid UTF-8) into out (cap bytes) through the memo.
 * Returns the length, or (size_t)-1 when the name needs bm_fold whole
 * (complex code point, too long, out of memory). */
static size_t fold_memo(cp_memo *m, const char *s, size_t n, char *out,
                        size_t cap)
{
    size_t w = 0;
    int pending = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, &cp);
        if (i + k > n)
            return (size_t)-1;
        const char *text;
        size_t tn;
        char one;
        if (cp < 0x80) {
            if (ascii_is_apostrophe((unsigned char)cp)) {
                i += k;
                continue;
            }
            if (ascii_is_separator((unsigned char)cp)) {
                pending = w > 0;
                i += k;
                continue;
            }
            one = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
            text = &one;
            tn = 1;
        } else {
            const cp_slot *sl = cp_lookup(m, cp, s + i, k);
            if (!sl || sl->kind == CP_COMPLEX)
                return (size_t)-1;
            if (sl->kind == CP_SKIP) {
                i += k;
                continue;
            }
            if (sl->kind == CP_SEP) {
                pending = w > 0;
                i += k;
                continue;
            }
            text = sl->text;
            tn = sl->len;
        }
        if (w + tn + 2 > cap)
            return (size_t)-1;
        if (pending) {
            out[w++] = ' ';
            pending = 0;
        }
        memcpy(out + w, text, tn);
        w += tn;
        i += k;
    }
    out[w] = '\0';
    return w;
}

/* Folds form into buf (cap bytes) when the fast paths apply, else into a
 * malloc'd string stored in *heap. Returns the folded text or NULL when
 * out of memory. */
static const char *fold_name(bm_gazetteer *gz, const char *form, char *buf,
                             size_t cap, char **heap)
{
    size_t n = strlen(form);
    *heap = NULL;
    if (gz->fast_fold && fold_memo(&gz->memo, form, n, buf, cap) != (size_t)-1)
        return buf;
    *heap = bm_fold(form, n);
    return *heap;
}

/* Indexes one name form of a place: full key plus designator-stripped
 * bases. */
static bm_status index_name(bm_gazetteer *gz, uint32_t place,
                            const char *form, int lang)
{
    if (!*form)
        return BM_OK;
    char buf[256], *heap;
    const char *f = fold_name(gz, form, buf, sizeof buf, &heap);
    if (!f)
        return BM_ERR_NOMEM; /* input was validated as UTF-8 on reading */
    size_t n = strlen(f);
    bm_status st = BM_OK;
    if (n) {
        st = index_add(gz, f, n, place, form, HOW_FULL, HINT_NONE, lang);
        int scope = country_scope(gz->places[place].country);
        size_t start = 0;
        const desig *d;
        size_t base;
        while (st == BM_OK &&
               (base = strip_designator(f, n, MIN_INDEX_BASE, &start, &d))) {
            if (d->scope == SC_ANY || d->scope == scope)
                st = index_add(gz, f, base, place, form, HOW_BASE, d->hint,
                               lang);
        }
    }
    free(heap);
    return st;
}

static bm_status id_table_build(bm_gazetteer *gz, size_t nplaces)
{
    size_t cap = 16;
    while (cap < nplaces * 2)
        cap *= 2;
    gz->id_slots = malloc(cap * sizeof *gz->id_slots);
    if (!gz->id_slots)
        return BM_ERR_NOMEM;
    memset(gz->id_slots, 0xFF, cap * sizeof *gz->id_slots);
    gz->id_cap = cap;
    return BM_OK;
}

static uint32_t id_find(const bm_gazetteer *gz, const char *id)
{
    if (!gz->id_cap)
        return NIL;
    size_t n = strlen(id);
    size_t mask = gz->id_cap - 1;
    for (size_t i = hash_bytes(id, n) & mask;; i = (i + 1) & mask) {
        uint32_t p = gz->id_slots[i];
        if (p == NIL)
            return NIL;
        if (strcmp(gz->places[p].id, id) == 0)
            return p;
    }
}

/* Inserts place p; 0 when its id is already there. */
static int id_insert(bm_gazetteer *gz, uint32_t p)
{
    const char *id = gz->places[p].id;
    size_t mask = gz->id_cap - 1;
    for (size_t i = hash_bytes(id, strlen(id)) & mask;; i = (i + 1) & mask) {
        uint32_t q = gz->id_slots[i];
        if (q == NIL) {
            gz->id_slots[i] = p;
            return 1;
        }
        if (strcmp(gz->places[q].id, id) == 0)
            return 0;
    }
}

/* ---- TSV reading ------------------------------------------------------------- */

/* A TSV file cut into lines and fields in place. */
typedef struct tsv {
    const char *path;
    char *p;        /* next unread byte */
    char *end;
    size_t line;    /* number of the line last returned */
    char **fields;
    size_t nfields; /* of the header */
} tsv;

/* Next non-blank line split into fields. Returns 1 with *n fields, 0 at
 * the end. Fields are NUL-terminated in place; at most max are stored, *n
 * counts them all. */
static int tsv_next(tsv *t, char **fields, size_t max, size_t *n)
{
    while (t->p < t->end) {
        char *line = t->p;
        char *nl = memchr(line, '\n', (size_t)(t->end - line));
        char *stop = nl ? nl : t->end;
        t->p = nl ? nl + 1 : t->end;
        t->line++;
        *stop = '\0';
        if (line == stop)
            continue; /* blank line */
        size_t k = 0;
        char *f = line;
        for (;;) {
            char *tab = strchr(f, '\t');
            if (k < max)
                fields[k] = f;
            k++;
            if (!tab)
                break;
            *tab = '\0';
            f = tab + 1;
        }
        *n = k;
        return 1;
    }
    return 0;
}

static int column_of(char **hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return (int)i;
    return -1;
}

/* Reads path, checks the header holds every name in cols and fills col[]
 * with their indices. */
static bm_status tsv_open(bm_ctx *ctx, const char *path, char **text,
                          tsv *t, char **hdr, size_t maxhdr,
                          const char *const *cols, size_t ncols, int *col)
{
    size_t len = 0;
    bm_status st = bm_read_text_file(ctx, path, text, &len);
    if (st != BM_OK)
        return st;
    t->path = path;
    t->p = *text;
    t->end = *text + len;
    t->line = 0;
    size_t n = 0;
    if (!tsv_next(t, hdr, maxhdr, &n))
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:1: empty file, expected a "
                           "header line", path);
    if (n > maxhdr)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%zu: %zu columns, at most "
                           "%zu expected", path, t->line, n, maxhdr);
    t->nfields = n;
    for (size_t i = 0; i < ncols; i++) {
        col[i] = column_of(hdr, n, cols[i]);
        if (col[i] < 0)
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: header lacks the column '%s'", path,
                               t->line, cols[i]);
    }
    return BM_OK;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int parse_kind(const char *s, bm_place_kind *k)
{
    static const char *const names[] = {"country", "province", "county",
                                        "town", "other"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *k = (bm_place_kind)i;
            return 1;
        }
    }
    return 0;
}

static int parse_lang(const char *s)
{
    static const char *const names[] = {"name", "ascii", "en", "ko",
                                        "zh", "ru", "variant", "alt"};
    for (int i = 0; i < 8; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return LANG_ALT; /* unknown tags rank as alternate names */
}

enum {
    PC_ID, PC_NAME, PC_ASCII, PC_KO, PC_KIND, PC_FCODE, PC_COUNTRY,
    PC_ADMIN1, PC_ADMIN2, PC_SEAT_OF, PC_SEAT_ID, PC_POP, PC_LAT, PC_LON,
    PC_IN_REGION, PC_COUNT
};
static const char *const PLACE_COLS[PC_COUNT] = {
    "id", "name", "ascii_name", "name_ko", "kind", "feature_code",
    "country", "admin1", "admin2", "seat_of", "seat_id", "population",
    "lat", "lon", "in_region"};

#define MAX_COLS 64

static bm_status load_places(bm_ctx *ctx, bm_gazetteer *gz,
                             const char *path)
{
    char *hdr[MAX_COLS];
    int col[PC_COUNT];
    tsv t = {0};
    bm_status st = tsv_open(ctx, path, &gz->places_text, &t, hdr, MAX_COLS,
                            PLACE_COLS, PC_COUNT, col);
    if (st != BM_OK)
        return st;
    /* One line per place: the newline count bounds the array. */
    size_t cap = 1;
    for (const char *c = t.p; c < t.end; c++)
        cap += *c == '\n';
    gz->places = calloc(cap, sizeof *gz->places);
    if (!gz->places || id_table_build(gz, cap) != BM_OK)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    char *f[MAX_COLS];
    size_t n;
    while (tsv_next(&t, f, MAX_COLS, &n)) {
        if (n != t.nfields)
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: %zu fields, expected %zu "
                               "(tab-separated, as in the header)",
                               path, t.line, n, t.nfields);
        bm_place *p = &gz->places[gz->nplaces];
        p->id = f[col[PC_ID]];
        p->name = f[col[PC_NAME]];
        p->ascii_name = f[col[PC_ASCII]];
        p->name_ko = f[col[PC_KO]];
        p->feature_code = f[col[PC_FCODE]];
        p->country = f[col[PC_COUNTRY]];
        p->admin1 = f[col[PC_ADMIN1]];
        p->admin2 = f[col[PC_ADMIN2]];
        p->seat_of = f[col[PC_SEAT_OF]];
        p->seat_id = f[col[PC_SEAT_ID]];
        if (!*p->id)
            return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%zu: empty id", path,
                               t.line);
        if (!*p->name)
            return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s:%zu: %s has no name",
                               path, t.line, p->id);
        if (!parse_kind(f[col[PC_KIND]], &p->kind))
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: %s: unknown kind '%s' (country, "
                               "province, county, town or other)",
                               path, t.line, p->id, f[col[PC_KIND]]);
        const char *pop = f[col[PC_POP]];
        if (*pop) {
            double v;
            if (!parse_double(pop, 0, 1e11, &v) || v != floor(v))
                return bm_ctx_fail(ctx, BM_ERR_INPUT,
                                   "%s:%zu: %s: bad population '%s'", path,
                                   t.line, p->id, pop);
            p->population = (long)v;
        }
        const char *lat = f[col[PC_LAT]], *lon = f[col[PC_LON]];
        if (*lat || *lon) {
            if (!parse_double(lat, -90, 90, &p->lat) ||
                !parse_double(lon, -180, 180, &p->lon))
                return bm_ctx_fail(ctx, BM_ERR_INPUT,
                                   "%s:%zu: %s: bad coordinates lat '%s' "
                                   "lon '%s' (decimal degrees, both or "
                                   "neither)",
                                   path, t.line, p->id, lat, lon);
            p->has_coords = 1;
        }
        const char *reg = f[col[PC_IN_REGION]];
        if (*reg && strcmp(reg, "0") != 0 && strcmp(reg, "1") != 0)
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: %s: in_region must be 0 or 1, not "
                               "'%s'",
                               path, t.line, p->id, reg);
        p->in_region = *reg == '1';
        if (!id_insert(gz, (uint32_t)gz->nplaces))
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: place id %s appears twice", path,
                               t.line, p->id);
        gz->nplaces++;
    }
    if (gz->nplaces == 0)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: no places in it", path);
    size_t np = 0;
    for (size_t i = 0; i < gz->nplaces; i++)
        np += gz->places[i].kind == BM_KIND_PROVINCE;
    gz->provinces = malloc((np ? np : 1) * sizeof *gz->provinces);
    if (!gz->provinces)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < gz->nplaces; i++)
        if (gz->places[i].kind == BM_KIND_PROVINCE)
            gz->provinces[gz->nprovinces++] = (uint32_t)i;
    return BM_OK;
}

static bm_status load_names(bm_ctx *ctx, bm_gazetteer *gz, const char *path)
{
    static const char *const cols[] = {"place_id", "name", "lang"};
    char *hdr[MAX_COLS];
    int col[3];
    tsv t = {0};
    bm_status st = tsv_open(ctx, path, &gz->names_text, &t, hdr, MAX_COLS,
                            cols, 3, col);
    if (st != BM_OK)
        return st;
    /* Size the index once: about 1.3 entries and 1.1 keys per name row
     * (designator bases add some), the arena about half the file's size
     * (folded keys without ids and tags). */
    size_t rows = gz->nplaces;
    for (const char *c = t.p; (c = memchr(c, '\n', (size_t)(t.end - c)));
         c++)
        rows++;
    unsigned char *named = calloc(gz->nplaces, 1);
    if (!named || index_reserve(gz, rows + rows / 3, rows + rows / 8,
                                (size_t)(t.end - t.p) / 2) != BM_OK) {
        free(named);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    }
    char *f[MAX_COLS];
    size_t n;
    /* Rows of one place usually follow each other: remember the last. */
    uint32_t last = NIL;
    while (tsv_next(&t, f, MAX_COLS, &n)) {
        if (n != t.nfields) {
            free(named);
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: %zu fields, expected %zu "
                               "(tab-separated, as in the header)",
                               path, t.line, n, t.nfields);
        }
        const char *id = f[col[0]];
        uint32_t p = (last != NIL && strcmp(gz->places[last].id, id) == 0)
                         ? last
                         : id_find(gz, id);
        if (p == NIL) {
            free(named);
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: unknown place id '%s' (not in "
                               "places.tsv)",
                               path, t.line, id);
        }
        last = p;
        named[p] = 1;
        if (index_name(gz, p, f[col[1]], parse_lang(f[col[2]])) != BM_OK) {
            free(named);
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    /* Places names.tsv says nothing about are still found by the names in
     * places.tsv. */
    for (size_t i = 0; i < gz->nplaces; i++) {
        if (named[i])
            continue;
        const bm_place *p = &gz->places[i];
        if (index_name(gz, (uint32_t)i, p->name, LANG_NAME) != BM_OK ||
            index_name(gz, (uint32_t)i, p->ascii_name, LANG_ASCII) != BM_OK ||
            index_name(gz, (uint32_t)i, p->name_ko, LANG_KO) != BM_OK) {
            free(named);
            return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
        }
    }
    free(named);
    return BM_OK;
}

static char *join_path(const char *dir, const char *file)
{
    bm_buf b = {0};
    size_t n = strlen(dir);
    if (bm_buf_append(&b, dir, n) != BM_OK ||
        (n && dir[n - 1] != '/' && bm_buf_append(&b, "/", 1) != BM_OK) ||
        bm_buf_puts(&b, file) != BM_OK) {
        bm_buf_free(&b);
        return NULL;
    }
    return bm_buf_take(&b);
}

bm_status bm_gazetteer_open(bm_ctx *ctx, const char *dir, bm_gazetteer **out)
{
    if (!out)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "bm_gazetteer_open: out is NULL");
    *out = NULL;
    char *owned_dir = NULL;
    if (!dir) {
        owned_dir = bm_ctx_data_path(ctx, "gazetteer");
        if (!owned_dir) {
            if (!*bm_ctx_error(ctx))
                return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
            return BM_ERR_NOTFOUND; /* message left by bm_ctx_data_dir */
        }
        dir = owned_dir;
    }
    bm_gazetteer *gz = calloc(1, sizeof *gz);
    char *pp = join_path(dir, "places.tsv");
    char *np = join_path(dir, "names.tsv");
    bm_status st;
    if (!gz || !pp || !np) {
        st = bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    } else {
        gz->fast_fold = fold_selfcheck();
        st = load_places(ctx, gz, pp);
        if (st == BM_OK)
            st = load_names(ctx, gz, np);
        free(gz->memo.slots); /* only needed while loading */
        gz->memo = (cp_memo){0};
    }
    free(pp);
    free(np);
    free(owned_dir);
    if (st != BM_OK) {
        bm_gazetteer_free(gz);
        return st;
    }
    *out = gz;
    return BM_OK;
}

void bm_gazetteer_free(bm_gazetteer *gz)
{
    if (!gz)
        return;
    free(gz->places_text);
    free(gz->names_text);
    free(gz->places);
    free(gz->id_slots);
    free(gz->provinces);
    bm_buf_free(&gz->arena);
    free(gz->keys);
    free(gz->key_slots);
    free(gz->entries);
    free(gz->memo.slots);
    free(gz);
}

size_t bm_gazetteer_count(const bm_gazetteer *gz)
{
    return gz ? gz->nplaces : 0;
}

const bm_place *bm_gazetteer_get(const bm_gazetteer *gz, const char *id)
{
    if (!gz || !id)
        return NULL;
    uint32_t p = id_find(gz, id);
    return p == NIL ? NULL : &gz->places[p];
}

const char *bm_place_kind_name(bm_place_kind k)
{
    switch (k) {
    case BM_KIND_COUNTRY: return "country";
    case BM_KIND_PROVINCE: return "province";
    case BM_KIND_COUNTY: return "county";
    case BM_KIND_TOWN: return "town";
    case BM_KIND_OTHER: return "other";
    }
    return "other";
}

/* ---- lookup ----------------------------------------------------------------- */

/* Score parts. A match on the whole folded name beats one through a
 * stripped designator; the kind a designator asks for outweighs both;
 * region, North Korea, primary names, population and having a point break
 * the remaining ties, in that order of weight. */
#define SC_FULL_FULL 100.0 /* query == name */
#define SC_FULL_BASE 80.0  /* query == name minus its designator */
#define SC_BASE_FULL 72.0  /* query minus designator == name */
#define SC_BASE_BASE 70.0  /* both stripped */
#define SC_SAME_HINT 3.0   /* ... with designators of the same kind */
#define SC_KIND_HINT 40.0  /* the kind the query's designator asks for */
#define SC_SEAT_HINT 10.0  /* county asked for, a county seat found */
#define SC_VIA_SEAT (-2.0) /* county found through its seat town's name */
#define SC_REGION 10.0
#define SC_KP 8.0
#define SC_PRIMARY 6.0
#define SC_VARIANT 5.0
#define SC_POP 1.5 /* per decade of population */
#define SC_COORDS 4.0

typedef struct cand {
    uint32_t place;
    double score;
    const char *form;
    const char *id; /* for a deterministic order on equal scores */
} cand;

typedef struct cand_list {
    cand *items;
    size_t n, cap;
} cand_list;

static int is_seat_town(const bm_place *p)
{
    return p->kind == BM_KIND_TOWN &&
           (*p->seat_of || strncmp(p->feature_code, "PPLA", 4) == 0 ||
            strcmp(p->feature_code, "PPLC") == 0);
}

static double place_score(const bm_place *p, double match, int lang,
                          int qhint)
{
    double s = match;
    switch (qhint) {
    case HINT_PROVINCE:
        if (p->kind == BM_KIND_PROVINCE)
            s += SC_KIND_HINT;
        break;
    case HINT_COUNTY:
        if (p->kind == BM_KIND_COUNTY)
            s += SC_KIND_HINT;
        else if (is_seat_town(p))
            s += SC_SEAT_HINT;
        break;
    case HINT_TOWN:
        if (p->kind == BM_KIND_TOWN)
            s += SC_KIND_HINT;
        break;
    case HINT_CITY:
        if (p->kind == BM_KIND_TOWN || p->kind == BM_KIND_COUNTY)
            s += SC_KIND_HINT;
        break;
    default:
        /* A bare name most often means the town (the finer point). */
        if (p->kind == BM_KIND_TOWN)
            s += 2.0;
        else if (p->kind == BM_KIND_COUNTY)
            s += 1.0;
        break;
    }
    if (lang <= LANG_RU)
        s += SC_PRIMARY;
    else if (lang == LANG_VARIANT)
        s += SC_VARIANT;
    if (p->in_region)
        s += SC_REGION;
    if (strcmp(p->country, "KP") == 0)
        s += SC_KP;
    if (p->population > 0)
        s += SC_POP * log10(1.0 + (double)p->population);
    if (p->has_coords)
        s += SC_COORDS;
    return s;
}

static int cand_add(cand_list *l, uint32_t place, double score,
                    const char *form)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].place == place) {
            if (score > l->items[i].score) {
                l->items[i].score = score;
                l->items[i].form = form;
            }
            return 1;
        }
    }
    cand *c = bm_grow(l->items, &l->cap, l->n + 1, sizeof *c);
    if (!c)
        return 0;
    l->items = c;
    l->items[l->n++] = (cand){place, score, form, NULL};
    return 1;
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    return strcmp(x->id, y->id);
}

/* Adds every entry under key s[0..n) to l. query_stripped: s is the query
 * minus a designator of kind dhint. */
static int collect(const bm_gazetteer *gz, const char *s, size_t n,
                   int query_stripped, int dhint, int qhint, cand_list *l)
{
    uint32_t k = key_find(gz, s, n);
    if (k == NIL)
        return 1;
    for (uint32_t e = gz->keys[k].head; e != NIL; e = gz->entries[e].next) {
        const gz_entry *en = &gz->entries[e];
        double m;
        if (!query_stripped)
            m = en->how == HOW_FULL ? SC_FULL_FULL : SC_FULL_BASE;
        else if (en->how == HOW_FULL)
            m = SC_BASE_FULL;
        else
            m = SC_BASE_BASE + (en->hint == dhint ? SC_SAME_HINT : 0.0);
        const bm_place *p = &gz->places[en->place];
        if (!cand_add(l, en->place, place_score(p, m, en->lang, qhint),
                      en->form))
            return 0;
        /* "Hoiryong County": the town matched, its county is wanted. */
        if (qhint == HINT_COUNTY && p->kind == BM_KIND_TOWN && *p->seat_of) {
            uint32_t c = id_find(gz, p->seat_of);
            if (c != NIL &&
                !cand_add(l, c,
                          place_score(&gz->places[c], m + SC_VIA_SEAT,
                                      en->lang, qhint),
                          en->form))
                return 0;
        }
    }
    return 1;
}

bm_status bm_gazetteer_lookup(bm_ctx *ctx, const bm_gazetteer *gz,
                              const char *name, bm_candidate *out, size_t max,
                              size_t *n)
{
    if (n)
        *n = 0;
    if (!gz || !name || !n || (max && !out))
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "bm_gazetteer_lookup: NULL argument");
    size_t len = strlen(name);
    size_t bad;
    if (!bm_utf8_valid(name, len, &bad))
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "place name is not valid UTF-8 (byte %zu)", bad);
    char *q = bm_fold(name, len);
    if (!q)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    size_t qn = strlen(q);
    if (qn == 0) {
        free(q);
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                           "'%s': not a place name (nothing to match)", name);
    }
    /* The query's own designator, if any: the longest that leaves a base. */
    int qhint = HINT_NONE;
    size_t start = 0;
    const desig *d;
    if (strip_designator(q, qn, MIN_QUERY_BASE, &start, &d))
        qhint = d->hint;

    cand_list l = {0};
    int ok = collect(gz, q, qn, 0, HINT_NONE, qhint, &l);
    start = 0;
    size_t base;
    while (ok && (base = strip_designator(q, qn, MIN_QUERY_BASE, &start, &d)))
        ok = collect(gz, q, base, 1, d->hint, qhint, &l);
    free(q);
    if (!ok) {
        free(l.items);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    }
    if (l.n == 0) {
        free(l.items);
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                           "'%s': no such place in the gazetteer", name);
    }
    for (size_t i = 0; i < l.n; i++)
        l.items[i].id = gz->places[l.items[i].place].id;
    qsort(l.items, l.n, sizeof *l.items, cand_cmp);
    size_t k = l.n < max ? l.n : max;
    for (size_t i = 0; i < k; i++) {
        out[i].place = &gz->places[l.items[i].place];
        out[i].matched = l.items[i].form;
        out[i].score = l.items[i].score;
    }
    *n = k;
    free(l.items);
    return BM_OK;
}

int bm_gazetteer_knows_folded(const bm_gazetteer *gz, const char *folded)
{
    if (!gz || !folded || !*folded)
        return 0;
    size_t n = strlen(folded);
    if (key_find(gz, folded, n) != NIL)
        return 1;
    size_t start = 0, base;
    const desig *d;
    while ((base = strip_designator(folded, n, MIN_QUERY_BASE, &start, &d)))
        if (key_find(gz, folded, base) != NIL)
            return 1;
    return 0;
}

size_t bm_gazetteer_max_words(const bm_gazetteer *gz)
{
    /* Any indexed name may be followed by a designator of up to
     * MAX_DESIG_WORDS words ("Changbai Korean Autonomous County"). */
    return gz ? gz->max_words + MAX_DESIG_WORDS : 0;
}

/* ---- points ----------------------------------------------------------------- */

static bm_precision own_precision(bm_place_kind k)
{
    switch (k) {
    case BM_KIND_COUNTRY: return BM_PREC_COUNTRY;
    case BM_KIND_PROVINCE: return BM_PREC_PROVINCE;
    case BM_KIND_COUNTY: return BM_PREC_COUNTY;
    case BM_KIND_TOWN:
    case BM_KIND_OTHER: return BM_PREC_EXACT;
    }
    return BM_PREC_UNKNOWN;
}

static const bm_place *parent_province(const bm_gazetteer *gz,
                                       const bm_place *p)
{
    if (!*p->admin1)
        return NULL;
    for (size_t i = 0; i < gz->nprovinces; i++) {
        const bm_place *q = &gz->places[gz->provinces[i]];
        if (q != p && strcmp(q->country, p->country) == 0 &&
            (strcmp(q->admin1, p->admin1) == 0 ||
             strcmp(q->name, p->admin1) == 0))
            return q;
    }
    return NULL;
}

static const bm_place *parent_country(const bm_gazetteer *gz,
                                      const bm_place *p)
{
    char id[32];
    snprintf(id, sizeof id, "country:%s", p->country);
    const bm_place *c = bm_gazetteer_get(gz, id);
    return c && c != p && c->kind == BM_KIND_COUNTRY ? c : NULL;
}

bm_status bm_gazetteer_point(const bm_gazetteer *gz, const bm_place *p,
                             double *lon, double *lat,
                             bm_precision *precision)
{
    if (!gz || !p || !lon || !lat || !precision)
        return BM_ERR_USAGE;
    *precision = BM_PREC_UNKNOWN;
    if (p->has_coords) {
        *lon = p->lon;
        *lat = p->lat;
        *precision = own_precision(p->kind);
        return BM_OK;
    }
    if (p->kind == BM_KIND_COUNTY && *p->seat_id) {
        const bm_place *s = bm_gazetteer_get(gz, p->seat_id);
        if (s && s->has_coords) {
            *lon = s->lon;
            *lat = s->lat;
            *precision = BM_PREC_COUNTY;
            return BM_OK;
        }
    }
    /* The parent's point stands for the parent's area: say so. */
    if (p->kind != BM_KIND_PROVINCE && p->kind != BM_KIND_COUNTRY) {
        const bm_place *prov = parent_province(gz, p);
        if (prov && prov->has_coords) {
            *lon = prov->lon;
            *lat = prov->lat;
            *precision = BM_PREC_PROVINCE;
            return BM_OK;
        }
    }
    if (p->kind == BM_KIND_PROVINCE) {
        const bm_place *c = parent_country(gz, p);
        if (c && c->has_coords) {
            *lon = c->lon;
            *lat = c->lat;
            *precision = BM_PREC_COUNTRY;
            return BM_OK;
        }
    }
    return BM_ERR_NOTFOUND;
}

/* ---- display names ---------------------------------------------------------- */

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && strncasecmp(s + n - k, suffix, k) == 0;
}

char *bm_place_display_name(const bm_place *p, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!p)
        return buf;
    const char *base = p->ascii_name && *p->ascii_name ? p->ascii_name : p->name;
    size_t n = strlen(base);
    static const struct {
        const char *suffix;
        const char *before, *after;
        int kinds; /* bit per bm_place_kind */
    } rules[] = {
        {"-bukto", "North ", "", 1 << BM_KIND_PROVINCE},
        {"-namdo", "South ", "", 1 << BM_KIND_PROVINCE},
        {"-do", "", " Province", 1 << BM_KIND_PROVINCE},
        {"-gun", "", " County", 1 << BM_KIND_COUNTY},
        {"-kun", "", " County", 1 << BM_KIND_COUNTY},
        {"-guyok", "", " District", 1 << BM_KIND_COUNTY},
        {"-si", "", " City", 1 << BM_KIND_COUNTY},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (!(rules[i].kinds & (1 << p->kind)) ||
            !ends_with_ci(base, n, rules[i].suffix))
            continue;
        snprintf(buf, size, "%s%.*s%s", rules[i].before,
                 (int)(n - strlen(rules[i].suffix)), base, rules[i].after);
        return buf;
    }
    snprintf(buf, size, "%s", base);
    return buf;
}
