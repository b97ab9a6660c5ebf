/*
 * gazetteer.c - loads gazetteer/places.tsv and names.tsv and answers name
 * lookups (contract: bm_gazetteer.h).
 *
 * Ownership: the two files are read whole and cut in place (tabs and
 * newlines become NULs); every string the API hands out (bm_place fields,
 * bm_candidate.matched) points into those buffers. Buffers, places and
 * the index live in a few large chunks (gz_pool). All of it belongs to
 * the bm_gazetteer and is released by bm_gazetteer_free(). Nothing here
 * prints.
 *
 * Speed: loading is a benchmark target (tests/bench/gazetteer.sh). What
 * it costs, in order: first touches of fresh memory (hence the pool),
 * then hashing each of ~80,000 folded names into the index. The index of
 * romanization keys is built on the first lookup that needs it.
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
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* ---- designators --------------------------------------------------------- */

enum hint {
    HINT_NONE = 0, HINT_PROVINCE, HINT_COUNTY, HINT_TOWN, HINT_CITY,
    HINT_DISTRICT, HINT_RIVER, HINT_MOUNTAIN, HINT_ISLAND
};
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
    D("district", HINT_DISTRICT, SC_ANY),
    D("mountain", HINT_MOUNTAIN, SC_ANY),
    D("village", HINT_TOWN, SC_ANY),
    D("county", HINT_COUNTY, SC_ANY),
    D("island", HINT_ISLAND, SC_ANY),
    D("region", HINT_PROVINCE, SC_ANY),
    D("oblast", HINT_PROVINCE, SC_ANY),
    D("guyok", HINT_DISTRICT, SC_KOREA),
    D("kuyok", HINT_DISTRICT, SC_KOREA),
    D("river", HINT_RIVER, SC_ANY),
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
#define MAX_DESIG_LEN 28 /* strlen("korean autonomous prefecture") */

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
    /* Every designator follows a space within the last MAX_DESIG_LEN + 1
     * bytes: without one there, nothing can match (most names). */
    size_t from = len > MAX_DESIG_LEN + 1 ? len - MAX_DESIG_LEN - 1 : 0;
    if (*start >= NDESIGS || !memchr(s + from, ' ', len - from)) {
        *start = NDESIGS;
        return 0;
    }
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
    LANG_VARIANT, LANG_ALT, LANG_ALIAS
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
    uint32_t off;    /* into the index's text */
    uint32_t len;
    uint32_t hash;
    uint32_t head;   /* first entry */
} gz_key;

typedef struct gz_slot {
    uint32_t hash;   /* of the key, to skip most mismatches unread */
    uint32_t key;    /* key index, NIL empty */
} gz_slot;

/* A hash index from folded keys to chains of entries. Keys keep the order
 * in which they were first added (collect_fuzzy walks them in it). */
typedef struct gz_index {
    char *text;          /* folded keys, NUL-separated */
    size_t textlen, textcap;
    gz_key *keys;
    size_t nkeys, capkeys;
    gz_slot *slots;      /* open addressing; cap a power of two */
    size_t cap;
    gz_entry *entries;
    size_t nentries, capentries;
} gz_index;

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

/* ---- memory ------------------------------------------------------------------ */

/* Everything a gazetteer holds (file texts, places, index) lives in a few
 * large chunks released together. Fresh memory costs a page fault per
 * 4 KiB page on first touch - on this kind of machine more than all the
 * parsing - so big chunks are mapped 2 MiB-aligned, asked for huge pages
 * and populated in one call (Linux; elsewhere, or when refused, pages
 * fault in as usual). Under AddressSanitizer every allocation is its own
 * malloc() so that overflows are still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_MALLOC_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MALLOC_ONLY 1
#endif
#endif
#ifndef POOL_MALLOC_ONLY
#define POOL_MALLOC_ONLY 0
#endif

#define POOL_ALIGN 16
#define POOL_HUGE ((size_t)2 << 20)
#define POOL_MIN_CHUNK ((size_t)64 << 10)

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t maplen; /* bytes mapped at the chunk (0: malloc'd) */
    char pad[POOL_ALIGN - (sizeof(void *) + sizeof(size_t)) % POOL_ALIGN];
} pool_chunk;

typedef struct gz_pool {
    pool_chunk *chunks;
    char *cur, *end; /* free space of the newest chunk */
} gz_pool;

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* A chunk with at least need usable bytes; it becomes the current one. */
static int pool_add_chunk(gz_pool *p, size_t need)
{
    if (need > SIZE_MAX / 2)
        return 0;
    size_t len = sizeof(pool_chunk) + need;
    pool_chunk *c = NULL;
#if !POOL_MALLOC_ONLY && defined(MAP_ANONYMOUS)
    if (len >= POOL_HUGE / 2) {
        size_t maplen = round_up(len, POOL_HUGE);
        char *raw = mmap(NULL, maplen + POOL_HUGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw != MAP_FAILED) {
            char *a = (char *)round_up((uintptr_t)raw, POOL_HUGE);
            if (a > raw)
                munmap(raw, (size_t)(a - raw));
            if (raw + POOL_HUGE > a)
                munmap(a + maplen, (size_t)(raw + POOL_HUGE - a));
#ifdef MADV_HUGEPAGE
            madvise(a, maplen, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
            madvise(a, maplen, MADV_POPULATE_WRITE); /* best effort */
#endif
            c = (pool_chunk *)(void *)a;
            c->maplen = maplen;
            len = maplen;
        }
    }
#endif
    if (!c) {
        if (!POOL_MALLOC_ONLY && len < POOL_MIN_CHUNK)
            len = POOL_MIN_CHUNK;
        c = malloc(len);
        if (!c)
            return 0;
        c->maplen = 0;
    }
    c->next = p->chunks;
    p->chunks = c;
    p->cur = (char *)(c + 1);
    p->end = (char *)c + len;
    return 1;
}

/* Makes sure the next bytes allocations (in total) come from one chunk. */
static int pool_reserve(gz_pool *p, size_t bytes)
{
    if (POOL_MALLOC_ONLY || (size_t)(p->end - p->cur) >= bytes)
        return 1;
    return pool_add_chunk(p, bytes);
}

/* size bytes, POOL_ALIGN-aligned, not zeroed; NULL when out of memory. */
static void *pool_alloc(gz_pool *p, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size = round_up(size ? size : 1, POOL_ALIGN);
    if (POOL_MALLOC_ONLY || (size_t)(p->end - p->cur) < size) {
        if (!pool_add_chunk(p, size))
            return NULL;
    }
    void *r = p->cur;
    p->cur += size;
    return r;
}

/* Resizes the allocation old (oldsize bytes) to newsize bytes: in place
 * when it is the newest allocation and there is room, else by copying
 * (the old bytes stay until the pool is freed). */
static void *pool_grow(gz_pool *p, void *old, size_t oldsize, size_t newsize)
{
    if (newsize > SIZE_MAX / 2)
        return NULL;
    if (!POOL_MALLOC_ONLY && old &&
        (char *)old + round_up(oldsize ? oldsize : 1, POOL_ALIGN) == p->cur &&
        (size_t)(p->end - (char *)old) >= round_up(newsize, POOL_ALIGN)) {
        p->cur = (char *)old + round_up(newsize ? newsize : 1, POOL_ALIGN);
        return old;
    }
    void *n = pool_alloc(p, newsize);
    if (n && old && oldsize)
        memcpy(n, old, oldsize < newsize ? oldsize : newsize);
    return n;
}

static void pool_free(gz_pool *p)
{
    pool_chunk *c = p->chunks;
    while (c) {
        pool_chunk *next = c->next;
#if !POOL_MALLOC_ONLY && defined(MAP_ANONYMOUS)
        if (c->maplen) {
            munmap(c, c->maplen);
            c = next;
            continue;
        }
#endif
        free(c);
        c = next;
    }
    *p = (gz_pool){0};
}

/* ---- the gazetteer (state) ----------------------------------------------------- */

/* A Korean place's name form, for the romanization-key index that is built
 * on the first lookup needing it (see rom_ensure). */
typedef struct rom_source {
    const char *form;
    uint32_t place;
    uint32_t key;  /* its folded form: a key of the main index */
    unsigned char lang;
} rom_source;

struct bm_gazetteer {
    gz_pool pool;      /* owns everything below but the mutex */
    char *places_text; /* file buffers, cut in place */
    char *names_text;
    bm_place *places;
    signed char *scope; /* per place: country_scope() */
    size_t nplaces;
    uint32_t *id_slots; /* hash of place ids -> place index (NIL empty) */
    size_t id_cap;
    uint32_t *provinces; /* indices of province rows */
    size_t nprovinces;

    gz_index main;      /* folded names and their designator bases */
    size_t max_words;
    int fast_fold;      /* fold_ascii() agrees with bm_fold() */
    cp_memo memo;       /* while loading: folded code points */

    /* Romanization keys of Korean places' names: built lazily, once, by
     * the first lookup that needs variant rules (exact lookups never pay
     * for it). rom_ready is set (release) after rom is complete. */
    rom_source *rom_src;
    size_t nrom_src, caprom_src;
    gz_index rom;
    atomic_int rom_ready;
    pthread_mutex_t rom_lock;

    /* For the geoparser's scan (bm_gazetteer_scan_folded): a Bloom filter
     * over the main keys and their word prefixes, built on first use
     * (under rom_lock, published with scan_ready like rom). */
    uint64_t *scan_bits;
    size_t scan_mask; /* words - 1; words a power of two */
    atomic_int scan_ready;
    /* the first words of the designators of several words ("korean",
     * "korean autonomous", ...), each once: a DESIGS text and a length */
    struct {
        const char *text;
        size_t len;
    } scan_dpfx[16];
    size_t scan_ndpfx;
    /* hashes (hash_bytes, 10 bits) of the last words of all designators
     * and of those first words: a window whose last word is not among
     * them needs neither list */
    uint64_t scan_last[16];
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

static uint32_t key_find_h(const gz_index *ix, const char *s, size_t n,
                           uint32_t h)
{
    if (!ix->cap)
        return NIL;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const gz_slot *sl = &ix->slots[i];
        if (sl->key == NIL)
            return NIL;
        if (sl->hash != h)
            continue;
        const gz_key *key = &ix->keys[sl->key];
        if (key->len == n && memcmp(ix->text + key->off, s, n) == 0)
            return sl->key;
    }
}

static uint32_t key_find(const gz_index *ix, const char *s, size_t n)
{
    return key_find_h(ix, s, n, hash_bytes(s, n));
}

/* Rehashes into a table of cap slots (a power of two). */
static int slots_resize(gz_pool *pool, gz_index *ix, size_t cap)
{
    gz_slot *slots = pool_alloc(pool, cap * sizeof *slots);
    if (!slots)
        return 0;
    memset(slots, 0xFF, cap * sizeof *slots);
    for (size_t k = 0; k < ix->nkeys; k++) {
        size_t i = ix->keys[k].hash & (cap - 1);
        while (slots[i].key != NIL)
            i = (i + 1) & (cap - 1);
        slots[i].hash = ix->keys[k].hash;
        slots[i].key = (uint32_t)k;
    }
    ix->slots = slots;
    ix->cap = cap;
    return 1;
}

/* Sizes an empty index for about keys keys, entries entries and bytes of
 * key text, so that building it rarely grows anything. */
static bm_status index_init(gz_pool *pool, gz_index *ix, size_t keys,
                            size_t entries, size_t bytes)
{
    size_t cap = 1024;
    while (cap * 3 < keys * 4)
        cap *= 2;
    *ix = (gz_index){0};
    ix->entries = pool_alloc(pool, entries * sizeof *ix->entries);
    ix->keys = pool_alloc(pool, keys * sizeof *ix->keys);
    ix->text = pool_alloc(pool, bytes);
    if (!ix->entries || !ix->keys || !ix->text || !slots_resize(pool, ix, cap))
        return BM_ERR_NOMEM;
    ix->capentries = entries;
    ix->capkeys = keys;
    ix->textcap = bytes;
    return BM_OK;
}

/* Grows *arr (cap elements of size bytes) to at least need elements. */
static int array_grow(gz_pool *pool, void **arr, size_t *cap, size_t need,
                      size_t size)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / size)
        return 0;
    void *a = pool_grow(pool, *arr, *cap * size, c * size);
    if (!a)
        return 0;
    *arr = a;
    *cap = c;
    return 1;
}

/* Finds or adds the key s[0..n) and returns its index in *out. */
static bm_status key_intern(gz_pool *pool, gz_index *ix, const char *s,
                            size_t n, uint32_t *out, size_t *max_words)
{
    uint32_t h = hash_bytes(s, n);
    uint32_t k = key_find_h(ix, s, n, h);
    if (k != NIL) {
        *out = k;
        return BM_OK;
    }
    if ((ix->nkeys + 1) * 4 > ix->cap * 3 &&
        !slots_resize(pool, ix, ix->cap ? ix->cap * 2 : 1024))
        return BM_ERR_NOMEM;
    if (ix->textlen + n + 1 > UINT32_MAX || ix->nkeys >= NIL - 1)
        return BM_ERR_NOMEM; /* offsets are 32-bit: ~4 GB of names */
    if (!array_grow(pool, (void **)&ix->keys, &ix->capkeys, ix->nkeys + 1,
                    sizeof *ix->keys) ||
        !array_grow(pool, (void **)&ix->text, &ix->textcap,
                    ix->textlen + n + 1, 1))
        return BM_ERR_NOMEM;
    gz_key *key = &ix->keys[ix->nkeys];
    key->off = (uint32_t)ix->textlen;
    key->len = (uint32_t)n;
    key->hash = h;
    key->head = NIL;
    memcpy(ix->text + ix->textlen, s, n);
    ix->text[ix->textlen + n] = '\0';
    ix->textlen += n + 1;
    size_t mask = ix->cap - 1;
    size_t i = h & mask;
    while (ix->slots[i].key != NIL)
        i = (i + 1) & mask;
    ix->slots[i].hash = h;
    ix->slots[i].key = (uint32_t)ix->nkeys;
    *out = (uint32_t)ix->nkeys++;
    if (max_words) {
        size_t w = count_words(s, n);
        if (w > *max_words)
            *max_words = w;
    }
    return BM_OK;
}

/* Adds (place, form) under key s[0..n) and sets *key to the key's index.
 * One entry per place and key: a better derivation (full over base, then
 * more primary form) replaces a worse one. */
static bm_status index_add(gz_pool *pool, gz_index *ix, size_t *max_words,
                           const char *s, size_t n, uint32_t place,
                           const char *form, int how, int hint, int lang,
                           uint32_t *key)
{
    uint32_t k;
    if (key_intern(pool, ix, s, n, &k, max_words) != BM_OK)
        return BM_ERR_NOMEM;
    if (key)
        *key = k;
    for (uint32_t e = ix->keys[k].head; e != NIL; e = ix->entries[e].next) {
        gz_entry *en = &ix->entries[e];
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
    if (ix->nentries >= NIL - 1 ||
        !array_grow(pool, (void **)&ix->entries, &ix->capentries,
                    ix->nentries + 1, sizeof *ix->entries))
        return BM_ERR_NOMEM;
    gz_entry *en = &ix->entries[ix->nentries];
    en->place = place;
    en->form = form;
    en->how = (unsigned char)how;
    en->hint = (unsigned char)hint;
    en->lang = (unsigned char)lang;
    en->next = ix->keys[k].head;
    ix->keys[k].head = (uint32_t)ix->nentries++;
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
static const cp_slot *cp_lookup(gz_pool *pool, cp_memo *m, uint32_t cp,
                                const char *s, size_t n)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8192;
        cp_slot *slots = pool_alloc(pool, cap * sizeof *slots);
        if (!slots)
            return NULL;
        memset(slots, 0, cap * sizeof *slots);
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slots[i].kind == CP_EMPTY)
                continue;
            size_t j = (m->slots[i].cp * 2654435761u) & (cap - 1);
            while (slots[j].kind != CP_EMPTY)
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
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
static size_t fold_memo(gz_pool *pool, cp_memo *m, const char *s, size_t n,
                        char *out,
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
            const cp_slot *sl = cp_lookup(pool, m, cp, s + i, k);
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
    if (gz->fast_fold &&
        fold_memo(&gz->pool, &gz->memo, form, n, buf, cap) != (size_t)-1)
        return buf;
    *heap = bm_fold(form, n);
    return *heap;
}


/* ---- romanization variant keys ------------------------------------------ */

/* Korean place names reach English text in McCune-Reischauer (with or
 * without breves and apostrophes), Revised Romanization and ad-hoc forms.
 * The "romanization key" of a folded ASCII name collapses the
 * differences between them; names of Korean places are indexed under it
 * too (prefix RK_PREFIX, so keys never meet folded text), and a query
 * that matches no name directly is tried under its key. Each rule that
 * fired sets a bit, so a match can say which rules it needed. */
enum {
    R_EO = 1u << 0, R_EU = 1u << 1, R_AE = 1u << 2, R_OO = 1u << 3,
    R_EE = 1u << 4, R_SH = 1u << 5, R_CH = 1u << 6, R_K = 1u << 7,
    R_P = 1u << 8, R_T = 1u << 9, R_L = 1u << 10, R_INIT = 1u << 11,
    R_NI = 1u << 12, R_UNG = 1u << 13, R_DOUBLE = 1u << 14,
    R_SPACE = 1u << 15, R_NRULES = 16
};
static const char *const RULE_NAMES[R_NRULES] = {
    "eo→o", "eu→u", "ae→e", "oo→u", "ee→i", "sh→s", "ch→j", "k→g",
    "p→b", "t→d", "l→r", "initial r/l/n", "-ni→-ri", "ung→ong",
    "double consonant", "spacing"};
#define RK_PREFIX '\x01'

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
           c == 'w' || c == 'y';
}

/* Writes RK_PREFIX + the key of folded ASCII s[0..n) into out (cap >= 2n
 * + 2). Returns the key length (with prefix), 0 when s holds anything but
 * lower-case ASCII letters, digits and spaces. */
static size_t rom_key(const char *s, size_t n, char *out, size_t cap,
                      unsigned *mask)
{
    char tmp[256];
    size_t w = 0;
    unsigned m = 0;
    if (n == 0 || n >= sizeof tmp || cap < n + 2)
        return 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if ((unsigned char)c >= 0x80 || (c >= 'A' && c <= 'Z'))
            return 0;
        if (c == ' ') {
            m |= R_SPACE;
            i++;
            continue;
        }
        int wstart = i == 0 || s[i - 1] == ' ';
        char d = i + 1 < n ? s[i + 1] : '\0';
        char e = i + 2 < n ? s[i + 2] : '\0';
        int wend2 = i + 2 >= n || s[i + 2] == ' ';
        if (wstart && (c == 'r' || c == 'l' || c == 'n') &&
            (d == 'i' || d == 'y') && i + 2 < n && e != ' ') {
            m |= R_INIT; /* Ryanggang / Yanggang, Rim / Im */
            i++;
            continue;
        }
        if (wstart && c == 'r') { /* Rodong / Nodong */
            m |= R_INIT;
            tmp[w++] = 'n';
            i++;
            continue;
        }
        if (c == 'e' && d == 'o') { m |= R_EO; tmp[w++] = 'o'; i += 2; continue; }
        if (c == 'e' && d == 'u') { m |= R_EU; tmp[w++] = 'u'; i += 2; continue; }
        if (c == 'a' && d == 'e') { m |= R_AE; tmp[w++] = 'e'; i += 2; continue; }
        if (c == 'o' && d == 'o') { m |= R_OO; tmp[w++] = 'u'; i += 2; continue; }
        if (c == 'e' && d == 'e') { m |= R_EE; tmp[w++] = 'i'; i += 2; continue; }
        if (c == 's' && d == 'h') { m |= R_SH; tmp[w++] = 's'; i += 2; continue; }
        if (c == 't' && d == 'c' && e == 'h') {
            m |= R_CH; tmp[w++] = 'j'; i += 3; continue;
        }
        if (c == 'c' && d == 'h') { m |= R_CH; tmp[w++] = 'j'; i += 2; continue; }
        if (c == 'j') { tmp[w++] = 'j'; i++; continue; }
        if ((c == 'k' || c == 'p' || c == 't') && d == 'h') {
            m |= c == 'k' ? R_K : c == 'p' ? R_P : R_T;
            tmp[w++] = c == 'k' ? 'g' : c == 'p' ? 'b' : 'd';
            i += 2;
            continue;
        }
        if (c == 'k') { m |= R_K; tmp[w++] = 'g'; i++; continue; }
        if (c == 'p') { m |= R_P; tmp[w++] = 'b'; i++; continue; }
        if (c == 't') { m |= R_T; tmp[w++] = 'd'; i++; continue; }
        if (c == 'l') { m |= R_L; tmp[w++] = 'r'; i++; continue; }
        if (c == 'n' && d == 'i' && wend2 && w > 0 && !is_vowel(tmp[w - 1])) {
            m |= R_NI; /* Songnim-ni / Songnim-ri */
            tmp[w++] = 'r';
            i++;
            continue;
        }
        tmp[w++] = c;
        i++;
    }
    /* second pass: ung -> ong, doubled consonants */
    size_t k = 0;
    out[k++] = RK_PREFIX;
    for (size_t i = 0; i < w; i++) {
        char c = tmp[i];
        if (c == 'u' && i + 2 < w + 1 && i + 1 < w && tmp[i + 1] == 'n' &&
            i + 2 < w && tmp[i + 2] == 'g') {
            m |= R_UNG;
            c = 'o';
        }
        if (k > 1 && c == out[k - 1] && !is_vowel(c) && c != 'n' &&
            !(c >= '0' && c <= '9')) {
            m |= R_DOUBLE;
            continue;
        }
        out[k++] = c;
    }
    out[k] = '\0';
    if (mask)
        *mask = m;
    return k > 1 ? k : 0;
}

/* "eo→o, k→g" for the rules that differ between two masks. */
static void rule_text(unsigned m, char *buf, size_t size)
{
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < R_NRULES; i++) {
        if (!(m & (1u << i)))
            continue;
        int k = snprintf(buf + w, size - w, "%s%s", w ? ", " : "",
                         RULE_NAMES[i]);
        if (k < 0 || (size_t)k >= size - w)
            break;
        w += (size_t)k;
    }
}

/* Levenshtein distance of a[0..an) and b[0..bn), or bound + 1 when it
 * exceeds bound. */
static size_t edit_distance(const char *a, size_t an, const char *b,
                            size_t bn, size_t bound)
{
    if ((an > bn ? an - bn : bn - an) > bound || an > 63 || bn > 63)
        return bound + 1;
    size_t row[64];
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t diag = row[0], best;
        row[0] = i;
        best = row[0];
        for (size_t j = 1; j <= bn; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > bound)
            return bound + 1;
    }
    return row[bn] > bound ? bound + 1 : row[bn];
}

/* Indexes one name form of a place: full key plus designator-stripped
 * bases. Korean places' forms are also remembered for the romanization
 * index (rom_build), which adds them under their romanization keys. */
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
        uint32_t full;
        st = index_add(&gz->pool, &gz->main, &gz->max_words, f, n, place,
                       form, HOW_FULL, HINT_NONE, lang, &full);
        int scope = gz->scope[place];
        size_t start = 0;
        const desig *d;
        size_t base;
        while (st == BM_OK &&
               (base = strip_designator(f, n, MIN_INDEX_BASE, &start, &d))) {
            if (d->scope == SC_ANY || d->scope == scope)
                st = index_add(&gz->pool, &gz->main, &gz->max_words, f, base,
                               place, form, HOW_BASE, d->hint, lang, NULL);
        }
        if (scope == SC_KOREA && lang != LANG_KO && st == BM_OK) {
            if (array_grow(&gz->pool, (void **)&gz->rom_src, &gz->caprom_src,
                           gz->nrom_src + 1, sizeof *gz->rom_src))
                gz->rom_src[gz->nrom_src++] =
                    (rom_source){form, place, full, (unsigned char)lang};
            else
                st = BM_ERR_NOMEM;
        }
    }
    free(heap);
    return st;
}

/* Builds the romanization index: every remembered Korean name form under
 * the romanization key of its folded form and of each designator-stripped
 * base, in load order (so that each key's entries are exactly those, in
 * the order, that indexing them at load would give). */
static bm_status rom_build(bm_gazetteer *gz)
{
    size_t n0 = gz->nrom_src ? gz->nrom_src : 1;
    bm_status st = index_init(&gz->pool, &gz->rom, n0 + n0 / 2,
                              n0 + n0 / 2, 16 * n0);
    for (size_t i = 0; st == BM_OK && i < gz->nrom_src; i++) {
        const rom_source *rs = &gz->rom_src[i];
        const gz_key *fk = &gz->main.keys[rs->key];
        const char *f = gz->main.text + fk->off;
        size_t n = fk->len;
        int scope = gz->scope[rs->place];
        char key[520];
        size_t kn = rom_key(f, n, key, sizeof key, NULL);
        if (kn)
            st = index_add(&gz->pool, &gz->rom, NULL, key, kn, rs->place,
                           rs->form, HOW_FULL, HINT_NONE, rs->lang, NULL);
        size_t start = 0, base;
        const desig *d;
        while (st == BM_OK &&
               (base = strip_designator(f, n, MIN_INDEX_BASE, &start, &d))) {
            if (d->scope != SC_ANY && d->scope != scope)
                continue;
            kn = rom_key(f, base, key, sizeof key, NULL);
            if (kn)
                st = index_add(&gz->pool, &gz->rom, NULL, key, kn, rs->place,
                               rs->form, HOW_BASE, d->hint, rs->lang, NULL);
        }
    }
    if (st != BM_OK)
        gz->rom = (gz_index){0}; /* its memory stays in the pool */
    return st;
}

/* The romanization index, built on first use. Lookups take a const
 * gazetteer and may run in several threads: the build is serialized and
 * published with rom_ready. BM_ERR_NOMEM when it cannot be built (a later
 * call tries again). */
static bm_status rom_ensure(const bm_gazetteer *cgz, const gz_index **out)
{
    bm_gazetteer *gz = (bm_gazetteer *)cgz; /* lazily filled cache */
    bm_status st = BM_OK;
    if (!atomic_load_explicit(&gz->rom_ready, memory_order_acquire)) {
        pthread_mutex_lock(&gz->rom_lock);
        if (!atomic_load_explicit(&gz->rom_ready, memory_order_relaxed)) {
            st = rom_build(gz);
            if (st == BM_OK)
                atomic_store_explicit(&gz->rom_ready, 1,
                                      memory_order_release);
        }
        pthread_mutex_unlock(&gz->rom_lock);
    }
    *out = &gz->rom;
    return st;
}

static bm_status id_table_build(bm_gazetteer *gz, size_t nplaces)
{
    size_t cap = 16;
    while (cap < nplaces * 2)
        cap *= 2;
    gz->id_slots = pool_alloc(&gz->pool, cap * sizeof *gz->id_slots);
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
    /* One pass over the bytes: lines here are short (tens of bytes), where
     * a call per field and per line costs more than looking. */
    while (t->p < t->end) {
        char *line = t->p, *c = line, *end = t->end;
        size_t k = 0;
        if (max)
            fields[0] = line;
        for (; c < end && *c != '\n'; c++) {
            if (*c == '\t') {
                *c = '\0';
                if (++k < max)
                    fields[k] = c + 1;
            }
        }
        t->p = c < end ? c + 1 : end;
        t->line++;
        *c = '\0'; /* the newline, or the byte after the buffer's end */
        if (c == line)
            continue; /* blank line */
        *n = k + 1;
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

/* Reads path whole into pool memory, as bm_read_text_file() does (same
 * checks, same messages: no NUL bytes, valid UTF-8; a BOM dropped, CRLF
 * and lone CR made LF), but with one read into a buffer of the file's
 * size from the pool instead of growing a buffer 64 KiB at a time. */
static bm_status gz_read_file(bm_ctx *ctx, gz_pool *pool, const char *path,
                              char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot read: %s", path,
                           strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: is a folder, not a file",
                           path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: cannot open: %s", path,
                           strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        sb.st_size = 0; /* size unknown: grow as it comes */
    size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096, n = 0;
    char *d = pool_alloc(pool, cap);
    int err = d ? 0 : ENOMEM;
    while (!err) {
        char extra[4096];
        int full = n + 1 >= cap; /* then only probe for more (growth) */
        ssize_t r = full ? read(fd, extra, sizeof extra)
                         : read(fd, d + n, cap - 1 - n);
        if (r < 0) {
            if (errno != EINTR)
                err = errno;
            continue;
        }
        if (r == 0)
            break;
        if (full) { /* the file grew since fstat: make room */
            size_t ncap = cap * 2 + (size_t)r;
            char *bigger = pool_grow(pool, d, n, ncap);
            if (!bigger) {
                err = ENOMEM;
                break;
            }
            d = bigger;
            cap = ncap;
            memcpy(d + n, extra, (size_t)r);
        }
        n += (size_t)r;
    }
    close(fd);
    if (err == ENOMEM)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    if (err)
        return bm_ctx_fail(ctx, BM_ERR_IO, "%s: read error: %s", path,
                           strerror(err));
    d[n] = '\0';
    if (n && memchr(d, '\0', n))
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: binary file (contains NUL bytes), not a text "
                           "report",
                           path);
    /* UTF-8: skip ASCII eight bytes at a time; check each stretch of
     * other bytes (up to the next ASCII byte, where no sequence can
     * continue) with bm_utf8_valid. */
    for (size_t i = 0; i < n;) {
        uint64_t w;
        if (i + 8 <= n) {
            memcpy(&w, d + i, 8);
            if (!(w & 0x8080808080808080u)) {
                i += 8;
                continue;
            }
        }
        if ((unsigned char)d[i] < 0x80) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (unsigned char)d[j] >= 0x80)
            j++;
        size_t bad;
        if (!bm_utf8_valid(d + i, j - i, &bad)) {
            bad += i;
            size_t line = 1, col = 1;
            for (size_t k = 0; k < bad; k++) {
                if (d[k] == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return bm_ctx_fail(ctx, BM_ERR_INPUT,
                               "%s:%zu: invalid UTF-8 at byte %zu (column "
                               "%zu); reports must be UTF-8 text",
                               path, line, bad, col);
        }
        i = j;
    }
    /* Drop a BOM; CRLF and lone CR become LF. */
    size_t r = 0;
    if (n >= 3 && (unsigned char)d[0] == 0xEF &&
        (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
        r = 3;
    char *cr = memchr(d + r, '\r', n - r);
    if (r || cr) {
        size_t w = 0;
        for (; r < n; r++) {
            if (d[r] == '\r') {
                d[w++] = '\n';
                if (r + 1 < n && d[r + 1] == '\n')
                    r++;
            } else {
                d[w++] = d[r];
            }
        }
        n = w;
        d[n] = '\0';
    }
    *out = d;
    *len = n;
    return BM_OK;
}

/* Reads path, checks the header holds every name in cols and fills col[]
 * with their indices. */
static bm_status tsv_open(bm_ctx *ctx, gz_pool *pool, const char *path,
                          char **text, tsv *t, char **hdr, size_t maxhdr,
                          const char *const *cols, size_t ncols, int *col)
{
    size_t len = 0;
    bm_status st = gz_read_file(ctx, pool, path, text, &len);
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
    static const char *const names[] = {
        "country", "province", "county", "town", "other",
        "river", "mountain", "island", "facility", "district"};
    for (int i = 0; i < 10; i++) {
        if (s[0] == names[i][0] && strcmp(s, names[i]) == 0) {
            *k = (bm_place_kind)i;
            return 1;
        }
    }
    return 0;
}

static int parse_lang(const char *s)
{
    static const char *const names[] = {"name", "ascii", "en", "ko", "zh",
                                        "ru", "variant", "alt", "alias"};
    for (int i = 0; i < 9; i++)
        if (s[0] == names[i][0] && strcmp(s, names[i]) == 0)
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
    bm_status st = tsv_open(ctx, &gz->pool, path, &gz->places_text, &t, hdr,
                            MAX_COLS, PLACE_COLS, PC_COUNT, col);
    if (st != BM_OK)
        return st;
    /* Columns added later; absent in older files. */
    int opt[2] = {column_of(hdr, t.nfields, "parent_id"),
                  column_of(hdr, t.nfields, "coord_source")};
    /* One line per place: the newline count bounds the array. */
    size_t cap = 1;
    for (const char *c = t.p; (c = memchr(c, '\n', (size_t)(t.end - c)));
         c++)
        cap++;
    size_t idcap = 16;
    while (idcap < cap * 2)
        idcap *= 2;
    if (!pool_reserve(&gz->pool, cap * (sizeof *gz->places + 1) +
                                     idcap * sizeof *gz->id_slots + 256) ||
        !(gz->places = pool_alloc(&gz->pool, cap * sizeof *gz->places)) ||
        !(gz->scope = pool_alloc(&gz->pool, cap)) ||
        id_table_build(gz, cap) != BM_OK)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
    memset(gz->places, 0, cap * sizeof *gz->places);
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
        p->parent_id = opt[0] >= 0 ? f[opt[0]] : "";
        p->coord_source = opt[1] >= 0 ? f[opt[1]] : "";
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
        gz->scope[gz->nplaces] = (signed char)country_scope(p->country);
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
    gz->provinces = pool_alloc(&gz->pool, (np ? np : 1) * sizeof *gz->provinces);
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
    bm_status st = tsv_open(ctx, &gz->pool, path, &gz->names_text, &t, hdr,
                            MAX_COLS, cols, 3, col);
    if (st != BM_OK)
        return st;
    /* Size the index once, in one chunk: about 1.05 entries and 0.85 keys
     * per name row (designator bases add some, shared names take some),
     * the key text about half the file's size (folded keys without ids
     * and tags). Estimates only: everything grows when needed. */
    size_t rows = gz->nplaces;
    for (const char *c = t.p; (c = memchr(c, '\n', (size_t)(t.end - c)));
         c++)
        rows++;
    size_t nent = rows + rows / 8, nkeys = rows,
           bytes = (size_t)(t.end - t.p) / 2 + 64;
    size_t slots = 1024;
    while (slots * 3 < nkeys * 4)
        slots *= 2;
    unsigned char *named = calloc(gz->nplaces, 1);
    if (!named ||
        !pool_reserve(&gz->pool, nent * sizeof(gz_entry) +
                                     nkeys * sizeof(gz_key) +
                                     slots * sizeof(gz_slot) + bytes + 256) ||
        index_init(&gz->pool, &gz->main, nkeys, nent, bytes) != BM_OK) {
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
    if (gz) {
        atomic_init(&gz->rom_ready, 0);
        atomic_init(&gz->scan_ready, 0);
        pthread_mutex_init(&gz->rom_lock, NULL);
    }
    char *pp = join_path(dir, "places.tsv");
    char *np = join_path(dir, "names.tsv");
    bm_status st;
    if (!gz || !pp || !np) {
        st = bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    } else {
        /* Both files in one chunk (sizes are only a hint here; reading
         * reports any trouble). */
        struct stat sp, sn;
        size_t bytes = 256;
        if (stat(pp, &sp) == 0 && S_ISREG(sp.st_mode))
            bytes += (size_t)sp.st_size + POOL_ALIGN;
        if (stat(np, &sn) == 0 && S_ISREG(sn.st_mode))
            bytes += (size_t)sn.st_size + POOL_ALIGN;
        pool_reserve(&gz->pool, bytes); /* may fail: allocations retry */
        gz->fast_fold = fold_selfcheck();
        st = load_places(ctx, gz, pp);
        if (st == BM_OK)
            st = load_names(ctx, gz, np);
        gz->memo = (cp_memo){0}; /* only needed while loading */
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
    pool_free(&gz->pool);
    pthread_mutex_destroy(&gz->rom_lock);
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
    case BM_KIND_RIVER: return "river";
    case BM_KIND_MOUNTAIN: return "mountain";
    case BM_KIND_ISLAND: return "island";
    case BM_KIND_FACILITY: return "facility";
    case BM_KIND_DISTRICT: return "district";
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
#define SC_VARIANT_RULE (-30.0) /* matched through romanization rules */
#define SC_FUZZY 40.0           /* matched within edit distance ... */
#define SC_FUZZY_EDIT 8.0       /* ... less this per edit */

typedef struct cand {
    uint32_t place;
    double score;
    const char *form;
    const char *id; /* for a deterministic order on equal scores */
    unsigned char match; /* bm_match */
    unsigned char lang;
    unsigned char edits;
    unsigned mask;       /* BM_MATCH_VARIANT: the query's rule bits */
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
        if (p->kind == BM_KIND_TOWN || p->kind == BM_KIND_DISTRICT)
            s += SC_KIND_HINT;
        break;
    case HINT_CITY:
        if (p->kind == BM_KIND_TOWN || p->kind == BM_KIND_COUNTY)
            s += SC_KIND_HINT;
        break;
    case HINT_DISTRICT:
        if (p->kind == BM_KIND_DISTRICT)
            s += SC_KIND_HINT;
        else if (p->kind == BM_KIND_COUNTY || p->kind == BM_KIND_TOWN)
            s += SC_KIND_HINT / 2;
        break;
    case HINT_RIVER:
        if (p->kind == BM_KIND_RIVER)
            s += SC_KIND_HINT;
        break;
    case HINT_MOUNTAIN:
        if (p->kind == BM_KIND_MOUNTAIN)
            s += SC_KIND_HINT;
        break;
    case HINT_ISLAND:
        if (p->kind == BM_KIND_ISLAND)
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
    else if (lang == LANG_VARIANT || lang == LANG_ALIAS)
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

static int cand_add(cand_list *l, const cand *c)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].place == c->place) {
            if (c->score > l->items[i].score)
                l->items[i] = *c;
            return 1;
        }
    }
    cand *it = bm_grow(l->items, &l->cap, l->n + 1, sizeof *it);
    if (!it)
        return 0;
    l->items = it;
    l->items[l->n++] = *c;
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

static unsigned char match_of_lang(int lang)
{
    if (lang == LANG_ALIAS)
        return BM_MATCH_ALIAS;
    return lang <= LANG_RU ? BM_MATCH_EXACT : BM_MATCH_ALTERNATE;
}

/* Adds every entry under key s[0..n) to l. query_stripped: s is the query
 * minus a designator of kind dhint. variant: s is a romanization key
 * (the query's rule bits in mask); the match is weaker. */
static int collect(const bm_gazetteer *gz, const gz_index *ix, const char *s,
                   size_t n, int query_stripped, int dhint, int qhint,
                   int variant, unsigned mask, cand_list *l)
{
    uint32_t k = key_find(ix, s, n);
    if (k == NIL)
        return 1;
    for (uint32_t e = ix->keys[k].head; e != NIL; e = ix->entries[e].next) {
        const gz_entry *en = &ix->entries[e];
        double m;
        if (!query_stripped)
            m = en->how == HOW_FULL ? SC_FULL_FULL : SC_FULL_BASE;
        else if (en->how == HOW_FULL)
            m = SC_BASE_FULL;
        else
            m = SC_BASE_BASE + (en->hint == dhint ? SC_SAME_HINT : 0.0);
        if (variant)
            m += SC_VARIANT_RULE;
        const bm_place *p = &gz->places[en->place];
        cand c = {en->place, place_score(p, m, en->lang, qhint), en->form,
                  NULL,
                  variant ? (unsigned char)BM_MATCH_VARIANT
                          : match_of_lang(en->lang),
                  en->lang, 0, mask};
        if (!cand_add(l, &c))
            return 0;
        /* "Hoiryong County": the town matched, its county is wanted. */
        if (qhint == HINT_COUNTY && p->kind == BM_KIND_TOWN && *p->seat_of) {
            uint32_t ci = id_find(gz, p->seat_of);
            if (ci != NIL) {
                cand cc = c;
                cc.place = ci;
                cc.score = place_score(&gz->places[ci], m + SC_VIA_SEAT,
                                       en->lang, qhint);
                if (!cand_add(l, &cc))
                    return 0;
            }
        }
    }
    return 1;
}

/* Edit-distance scan over every folded key (not romanization keys) for
 * query q[0..qn): adds places within bound edits. */
static int collect_fuzzy(const bm_gazetteer *gz, const char *q, size_t qn,
                         size_t bound, int qhint, cand_list *l)
{
    const gz_index *ix = &gz->main;
    for (size_t k = 0; k < ix->nkeys; k++) {
        const gz_key *key = &ix->keys[k];
        const char *ks = ix->text + key->off;
        if (ks[0] == RK_PREFIX)
            continue;
        size_t d = edit_distance(q, qn, ks, key->len, bound);
        if (d == 0 || d > bound)
            continue;
        for (uint32_t e = key->head; e != NIL; e = ix->entries[e].next) {
            const gz_entry *en = &ix->entries[e];
            double m = SC_FUZZY - SC_FUZZY_EDIT * (double)d -
                       (en->how == HOW_BASE ? 2.0 : 0.0);
            cand c = {en->place,
                      place_score(&gz->places[en->place], m, en->lang, qhint),
                      en->form, NULL, BM_MATCH_FUZZY, en->lang,
                      (unsigned char)d, 0};
            if (!cand_add(l, &c))
                return 0;
        }
    }
    return 1;
}

/* The reason text of a candidate. */
static void cand_reason(const cand *c, const bm_place *p, bm_candidate *out)
{
    char *r = out->reason;
    size_t size = sizeof out->reason;
    switch (c->match) {
    case BM_MATCH_EXACT:
        snprintf(r, size, "exact");
        break;
    case BM_MATCH_ALTERNATE:
        snprintf(r, size, "alternate name");
        break;
    case BM_MATCH_ALIAS: {
        char disp[64];
        bm_place_display_name(p, disp, sizeof disp);
        snprintf(r, size, "alias: renamed %s → %s", c->form, disp);
        break;
    }
    case BM_MATCH_VARIANT: {
        /* the rules that apply to one side only */
        unsigned fm = 0;
        char *ff = bm_fold(c->form, strlen(c->form));
        if (ff) {
            char key[520];
            size_t fn = strlen(ff), start = 0, base;
            const desig *d;
            if (!rom_key(ff, fn, key, sizeof key, &fm) &&
                (base = strip_designator(ff, fn, MIN_INDEX_BASE, &start, &d)))
                rom_key(ff, base, key, sizeof key, &fm);
            free(ff);
        }
        char rules[80];
        rule_text((c->mask ^ fm) ? (c->mask ^ fm) : c->mask, rules,
                  sizeof rules);
        snprintf(r, size, "variant rule: %s", *rules ? rules : "spelling");
        break;
    }
    case BM_MATCH_FUZZY:
        snprintf(r, size, "fuzzy: %u edit%s", c->edits,
                 c->edits == 1 ? "" : "s");
        break;
    }
}

/* Suggestions: distinct display names of the closest places. */
static size_t suggest(const bm_gazetteer *gz, const char *q, size_t qn,
                      const bm_place **out, size_t max)
{
    if (!max || qn == 0)
        return 0;
    size_t bound = qn < 4 ? 1 : qn < 8 ? 2 : 3;
    cand_list l = {0};
    if (!collect_fuzzy(gz, q, qn, bound, HINT_NONE, &l)) {
        free(l.items);
        return 0;
    }
    /* closest first, then the usual ranking */
    for (size_t i = 0; i < l.n; i++) {
        l.items[i].id = gz->places[l.items[i].place].id;
        l.items[i].score -= 100.0 * l.items[i].edits;
    }
    if (l.n) /* items is NULL when nothing was close */
        qsort(l.items, l.n, sizeof *l.items, cand_cmp);
    size_t k = 0;
    for (size_t i = 0; i < l.n && k < max; i++) {
        const bm_place *p = &gz->places[l.items[i].place];
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            dup |= strcmp(out[j]->ascii_name, p->ascii_name) == 0;
        if (!dup)
            out[k++] = p;
    }
    free(l.items);
    return k;
}

void bm_gazetteer_suggest(const bm_gazetteer *gz, const char *name,
                          const bm_place **out, size_t max, size_t *n)
{
    if (n)
        *n = 0;
    if (!gz || !name || !n || !out)
        return;
    size_t bad;
    if (!bm_utf8_valid(name, strlen(name), &bad))
        return;
    char *q = bm_fold(name, strlen(name));
    if (!q)
        return;
    size_t qn = strlen(q), start = 0;
    const desig *d;
    size_t base = strip_designator(q, qn, MIN_QUERY_BASE, &start, &d);
    *n = suggest(gz, q, base ? base : qn, out, max);
    free(q);
}

bm_status bm_gazetteer_lookup(bm_ctx *ctx, const bm_gazetteer *gz,
                              const char *name, bm_candidate *out, size_t max,
                              size_t *n)
{
    return bm_gazetteer_lookup_ex(ctx, gz, name, 0, out, max, n);
}

bm_status bm_gazetteer_lookup_ex(bm_ctx *ctx, const bm_gazetteer *gz,
                                 const char *name, unsigned flags,
                                 bm_candidate *out, size_t max, size_t *n)
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
    /* ASCII names (most) fold without utf8proc where fold_ascii agrees
     * with bm_fold (fold_selfcheck at load) */
    size_t ascii_n = 0;
    if (gz->fast_fold)
        while (ascii_n < len && (unsigned char)name[ascii_n] < 0x80)
            ascii_n++;
    char *q;
    size_t qn = 0;
    if (gz->fast_fold && ascii_n == len) {
        if ((q = malloc(len + 1)) != NULL)
            qn = fold_ascii(name, len, q);
    } else if ((q = bm_fold(name, len)) != NULL) {
        qn = strlen(q);
    }
    if (!q)
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    if (qn == 0) {
        free(q);
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                           "'%s': not a place name (nothing to match)", name);
    }
    /* The query's own designator, if any: the longest that leaves a base. */
    int qhint = HINT_NONE;
    size_t start = 0, qbase = 0;
    const desig *d;
    if ((qbase = strip_designator(q, qn, MIN_QUERY_BASE, &start, &d)))
        qhint = d->hint;

    cand_list l = {0};
    /* 1. names as written (folded), with and without designators */
    int ok = collect(gz, &gz->main, q, qn, 0, HINT_NONE, qhint, 0, 0, &l);
    start = 0;
    size_t base;
    while (ok && (base = strip_designator(q, qn, MIN_QUERY_BASE, &start, &d)))
        ok = collect(gz, &gz->main, q, base, 1, d->hint, qhint, 0, 0, &l);
    /* 2. romanization variants */
    if (ok && l.n == 0) {
        char key[520];
        unsigned mask = 0;
        const gz_index *rom = NULL;
        ok = rom_ensure(gz, &rom) == BM_OK;
        size_t kn = rom_key(q, qn, key, sizeof key, &mask);
        if (ok && kn)
            ok = collect(gz, rom, key, kn, 0, HINT_NONE, qhint, 1, mask, &l);
        start = 0;
        while (ok &&
               (base = strip_designator(q, qn, MIN_QUERY_BASE, &start, &d))) {
            kn = rom_key(q, base, key, sizeof key, &mask);
            if (kn)
                ok = collect(gz, rom, key, kn, 1, d->hint, qhint, 1, mask,
                             &l);
        }
    }
    /* 3. edit distance, as a fallback */
    int ascii = 1;
    for (size_t i = 0; i < qn; i++)
        ascii &= (unsigned char)q[i] < 0x80;
    /* Edit distance means something for letters, not for Hangul or Han
     * syllables (one edit = a different word). */
    if (ok && l.n == 0 && (flags & BM_LOOKUP_FUZZY) && ascii) {
        size_t fn = qbase ? qbase : qn;
        size_t letters = 0;
        for (size_t i = 0; i < fn; i++)
            letters += q[i] != ' ';
        if (letters >= 5)
            ok = collect_fuzzy(gz, q, fn, letters >= 8 ? 2 : 1, qhint, &l);
    }
    if (!ok) {
        free(q);
        free(l.items);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "out of memory");
    }
    if (l.n == 0) {
        /* Suggestions cost a scan of every name: only for people. */
        const bm_place *sg[3];
        size_t ns = (flags & BM_LOOKUP_FUZZY) && ascii
                        ? suggest(gz, q, qbase ? qbase : qn, sg, 3)
                        : 0;
        free(q);
        free(l.items);
        if (ns == 0)
            return bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                               "no place named '%s' in the gazetteer", name);
        char names[3][64];
        for (size_t i = 0; i < ns; i++)
            bm_place_display_name(sg[i], names[i], sizeof names[i]);
        return bm_ctx_fail(ctx, BM_ERR_NOTFOUND,
                           "no place named '%s'; did you mean: %s%s%s%s%s?",
                           name, names[0], ns > 1 ? ", " : "",
                           ns > 1 ? names[1] : "", ns > 2 ? ", " : "",
                           ns > 2 ? names[2] : "");
    }
    free(q);
    for (size_t i = 0; i < l.n; i++)
        l.items[i].id = gz->places[l.items[i].place].id;
    qsort(l.items, l.n, sizeof *l.items, cand_cmp);
    size_t k = l.n < max ? l.n : max;
    for (size_t i = 0; i < k; i++) {
        const bm_place *p = &gz->places[l.items[i].place];
        out[i].place = p;
        out[i].matched = l.items[i].form;
        out[i].score = l.items[i].score;
        out[i].match = (bm_match)l.items[i].match;
        out[i].edits = l.items[i].edits;
        cand_reason(&l.items[i], p, &out[i]);
    }
    *n = k;
    free(l.items);
    return BM_OK;
}

int bm_gazetteer_knows_folded(const bm_gazetteer *gz, const char *folded)
{
    if (!gz || !folded || !*folded)
        return 0;
    return bm_gazetteer_knows_folded_n(gz, folded, strlen(folded));
}

int bm_gazetteer_knows_folded_n(const bm_gazetteer *gz, const char *folded,
                                size_t n)
{
    if (!gz || !folded || !n)
        return 0;
    const gz_index *ix = &gz->main;
    /* Romanization keys never meet folded text; asked for one, answer
     * from their index as one index holding both would. */
    if (folded[0] == RK_PREFIX && rom_ensure(gz, &ix) != BM_OK)
        return 0;
    if (key_find(ix, folded, n) != NIL)
        return 1;
    size_t start = 0, base;
    const desig *d;
    while ((base = strip_designator(folded, n, MIN_QUERY_BASE, &start, &d)))
        if (key_find(ix, folded, base) != NIL)
            return 1;
    return 0;
}

/* ---- the geoparser's scan ------------------------------------------------------ */

/* The scan filter is a blocked Bloom filter: each string sets (and a test
 * reads) three bits of one 64-bit word chosen by its key hash
 * (hash_bytes), about 16 bits per string. It holds every key of the main
 * index and every word prefix of one ("changbai korean" of "changbai
 * korean autonomous county"): no false negatives, a few per cent false
 * positives, which only cost an exact look. */
static uint64_t scan_word_bits(uint32_t h, size_t mask, size_t *word)
{
    uint32_t m = h; /* lowbias32: spreads FNV's bits */
    m ^= m >> 16;
    m *= 0x7feb352du;
    m ^= m >> 15;
    m *= 0x846ca68bu;
    m ^= m >> 16;
    *word = (size_t)(((uint64_t)h * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    return (uint64_t)1 << (m & 63) | (uint64_t)1 << ((m >> 6) & 63) |
           (uint64_t)1 << ((m >> 12) & 63);
}

static void scan_add(uint64_t *bits, size_t mask, uint32_t h)
{
    size_t w;
    uint64_t b = scan_word_bits(h, mask, &w);
    bits[w] |= b;
}

static int scan_has(const uint64_t *bits, size_t mask, uint32_t h)
{
    size_t w;
    uint64_t b = scan_word_bits(h, mask, &w);
    return (bits[w] & b) == b;
}

static bm_status scan_build(bm_gazetteer *gz)
{
    const gz_index *ix = &gz->main;
    size_t n = 0; /* strings: a key and its word prefixes, one a word */
    for (size_t k = 0; k < ix->nkeys; k++)
        n += count_words(ix->text + ix->keys[k].off, ix->keys[k].len);
    size_t words = 64;
    while (words * 4 < n && words < SIZE_MAX / 16)
        words *= 2;
    uint64_t *bits = pool_alloc(&gz->pool, words * sizeof *bits);
    if (!bits)
        return BM_ERR_NOMEM;
    memset(bits, 0, words * sizeof *bits);
    size_t mask = words - 1;
    for (size_t k = 0; k < ix->nkeys; k++) {
        const char *t = ix->text + ix->keys[k].off;
        size_t len = ix->keys[k].len;
        uint32_t h = 2166136261u; /* hash_bytes(), a prefix at each space */
        for (size_t i = 0; i < len; i++) {
            if (t[i] == ' ')
                scan_add(bits, mask, h);
            h ^= (unsigned char)t[i];
            h *= 16777619u;
        }
        scan_add(bits, mask, h);
    }
    gz->scan_ndpfx = 0;
    memset(gz->scan_last, 0, sizeof gz->scan_last);
    for (size_t i = 0; i < NDESIGS; i++) {
        const char *t = DESIGS[i].text;
        size_t w0 = 0; /* start of the current word of t */
        for (size_t p = 1; p <= DESIGS[i].len; p++) {
            if (p < DESIGS[i].len && t[p] != ' ')
                continue;
            uint32_t lh = hash_bytes(t + w0, p - w0) & 1023u;
            gz->scan_last[lh >> 6] |= (uint64_t)1 << (lh & 63);
            w0 = p + 1;
            if (p == DESIGS[i].len)
                break;
            size_t j = 0;
            while (j < gz->scan_ndpfx && (gz->scan_dpfx[j].len != p ||
                                          memcmp(gz->scan_dpfx[j].text, t,
                                                 p) != 0))
                j++;
            if (j < gz->scan_ndpfx)
                continue;
            if (j == sizeof gz->scan_dpfx / sizeof gz->scan_dpfx[0])
                return BM_ERR_USAGE; /* more than the table holds */
            gz->scan_dpfx[j].text = t;
            gz->scan_dpfx[j].len = p;
            gz->scan_ndpfx++;
        }
    }
    gz->scan_bits = bits;
    gz->scan_mask = mask;
    return BM_OK;
}

/* The scan filter, built on first use as rom is; NULL when it cannot be
 * built (then nothing is ruled out). */
static const uint64_t *scan_ensure(const bm_gazetteer *cgz)
{
    bm_gazetteer *gz = (bm_gazetteer *)cgz; /* lazily filled cache */
    if (!atomic_load_explicit(&gz->scan_ready, memory_order_acquire)) {
        pthread_mutex_lock(&gz->rom_lock);
        if (!atomic_load_explicit(&gz->scan_ready, memory_order_relaxed) &&
            scan_build(gz) == BM_OK)
            atomic_store_explicit(&gz->scan_ready, 1, memory_order_release);
        pthread_mutex_unlock(&gz->rom_lock);
        if (!atomic_load_explicit(&gz->scan_ready, memory_order_acquire))
            return NULL;
    }
    return gz->scan_bits;
}

/* Is key s[0..n) (hash h) in the main index? The filter answers most
 * misses. */
static int main_has(const bm_gazetteer *gz, const uint64_t *bits,
                    const char *s, size_t n, uint32_t h)
{
    if (bits && !scan_has(bits, gz->scan_mask, h))
        return 0;
    return key_find_h(&gz->main, s, n, h) != NIL;
}

unsigned bm_gazetteer_scan_folded(const bm_gazetteer *gz, const char *s,
                                  size_t n)
{
    if (!gz || !s || !n)
        return 0;
    if (s[0] == RK_PREFIX) /* not folded text: no shortcut */
        return (bm_gazetteer_knows_folded_n(gz, s, n) ? BM_GZ_KNOWN : 0) |
               BM_GZ_MORE;
    const uint64_t *bits = scan_ensure(gz);
    /* hash_bytes(s, n), and where the last word starts, in one pass */
    uint32_t h = 2166136261u;
    size_t sp = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            sp = i + 1;
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    /* s is a key or a key's word prefix (or a false positive) */
    int maybe = !bits || scan_has(bits, gz->scan_mask, h);
    unsigned r = maybe ? BM_GZ_MORE : 0;
    if (maybe && key_find_h(&gz->main, s, n, h) != NIL)
        return BM_GZ_KNOWN | BM_GZ_MORE;
    /* What follows needs a designator after a space, and the last word
     * one of the designators' words. */
    if (sp == 0)
        return r;
    uint32_t lh = hash_bytes(s + sp, n - sp) & 1023u;
    if (bits && !(gz->scan_last[lh >> 6] >> (lh & 63) & 1))
        return r;
    /* known: a key followed by a designator (bm_gazetteer_knows_folded) */
    size_t start = 0, base;
    const desig *d;
    while ((base = strip_designator(s, n, MIN_QUERY_BASE, &start, &d)))
        if (main_has(gz, bits, s, base, hash_bytes(s, base))) {
            r |= BM_GZ_KNOWN;
            break;
        }
    if (r & BM_GZ_MORE)
        return r;
    /* more: a key followed by the first words of a designator of several
     * ("changbai korean" of "changbai korean autonomous county") */
    if (!bits) /* no filter: nothing was ruled out */
        return r | BM_GZ_MORE;
    for (size_t i = 0; i < gz->scan_ndpfx; i++) {
        const char *t = gz->scan_dpfx[i].text;
        size_t p = gz->scan_dpfx[i].len;
        if (n < p + 1 + MIN_QUERY_BASE || s[n - p - 1] != ' ' ||
            s[n - 1] != t[p - 1] || memcmp(s + n - p, t, p) != 0)
            continue;
        base = n - p - 1;
        if (main_has(gz, bits, s, base, hash_bytes(s, base)))
            return r | BM_GZ_MORE;
    }
    return r;
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
    case BM_KIND_OTHER:
    case BM_KIND_MOUNTAIN:
    case BM_KIND_ISLAND:
    case BM_KIND_FACILITY:
    case BM_KIND_DISTRICT: return BM_PREC_EXACT;
    case BM_KIND_RIVER: return BM_PREC_PROVINCE; /* one vertex of a river
                                                    hundreds of km long */
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
    /* A district (or feature) without a point: its town's, which stands
     * for the town's area. */
    if (p->parent_id && *p->parent_id && p->kind != BM_KIND_PROVINCE &&
        p->kind != BM_KIND_COUNTRY && p->kind != BM_KIND_COUNTY) {
        const bm_place *up = bm_gazetteer_get(gz, p->parent_id);
        if (up && up != p && up->has_coords &&
            (up->kind == BM_KIND_TOWN || up->kind == BM_KIND_COUNTY)) {
            *lon = up->lon;
            *lat = up->lat;
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
