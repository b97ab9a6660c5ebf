/*
 * bm_gazetteer.h - the places bordermap knows and the names they go by.
 *
 * Data: <data>/gazetteer/places.tsv and names.tsv, written by
 * gazetteer/build_gazetteer.py (see gazetteer/SOURCES.md). Coordinates are
 * (lon, lat) degrees, WGS 84. A place may lack coordinates (has_coords 0):
 * many North Korean counties are known by name only.
 *
 * Matching is on folded names (bm_fold): case, diacritics, apostrophes and
 * hyphens do not matter. Generic designators are understood on both sides:
 * "Onsong County", "Onsŏng-gun", "Musan-up", "Ryanggang Province",
 * "Hyesan City" all match the base name and hint the kind wanted.
 */
#ifndef BM_GAZETTEER_H
#define BM_GAZETTEER_H

#include "bm_core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bm_place_kind {
    BM_KIND_COUNTRY = 0,
    BM_KIND_PROVINCE, /* first-order division (province, special city) */
    BM_KIND_COUNTY,   /* second-order division (county, city, district) */
    BM_KIND_TOWN,     /* populated place */
    BM_KIND_OTHER,
    BM_KIND_RIVER,    /* point: a vertex on the river, far from its ends */
    BM_KIND_MOUNTAIN,
    BM_KIND_ISLAND,
    BM_KIND_FACILITY, /* bridge, border crossing, port, airfield, mine */
    BM_KIND_DISTRICT  /* neighbourhood (dong), ward (guyok) of a town */
} bm_place_kind;
const char *bm_place_kind_name(bm_place_kind k); /* "country", "province"... */

/* A place record. All fields borrowed from the gazetteer that returned it. */
typedef struct bm_place {
    const char *id;           /* "gn:2044091", "adm2:KP.17.2044094", ... */
    const char *name;         /* display name, e.g. "Hoeryŏng" */
    const char *ascii_name;   /* "Hoeryong" */
    const char *name_ko;      /* Hangul or "" */
    bm_place_kind kind;
    const char *feature_code; /* GeoNames code ("PPLA2", "ADM2") or "" */
    const char *country;      /* ISO 3166-1 alpha-2, "KP" */
    const char *admin1;       /* province name or "" */
    const char *admin2;       /* county name or "" */
    const char *seat_of;      /* for a town: id of the county it is seat of */
    const char *seat_id;      /* for a county: id of its seat town, or "" */
    long population;          /* 0 when unknown */
    int has_coords;
    double lon, lat;          /* degrees; 0,0 when !has_coords */
    int in_region;            /* inside the border-region box */
    /* Added with the v2 data (empty strings for older files): */
    const char *parent_id;    /* next place up: county, province, country,
                                 or the town of a district; "" at the top */
    const char *coord_source; /* where lat/lon come from ("geonames",
                                 "seat town ...", "none: ...") */
} bm_place;

/* The name an English-reading analyst expects on a map or in a table:
 * the ASCII name with a Korean designator spelled out ("Onsong-gun" ->
 * "Onsong County", "Hyesan-si" -> "Hyesan City", "Yanggang-do" ->
 * "Yanggang Province", "P'yongan-bukto" -> "North P'yongan"). Writes into
 * buf (always NUL-terminated) and returns buf. */
char *bm_place_display_name(const bm_place *p, char *buf, size_t size);

/* How a candidate matched, strongest first. */
typedef enum bm_match {
    BM_MATCH_EXACT = 0,  /* a primary name (any script), folded */
    BM_MATCH_ALTERNATE,  /* an alternate name or curated variant */
    BM_MATCH_ALIAS,      /* a former name of a renamed place */
    BM_MATCH_VARIANT,    /* equal after romanization variant rules */
    BM_MATCH_FUZZY       /* within a small edit distance (fallback) */
} bm_match;

/* A ranked candidate for a name. */
typedef struct bm_candidate {
    const bm_place *place; /* borrowed from the gazetteer */
    const char *matched;   /* the name form that matched, borrowed */
    double score;          /* higher is better; comparable within a query */
    bm_match match;        /* how it matched */
    int edits;             /* BM_MATCH_FUZZY: edit distance, else 0 */
    char reason[112];      /* for people: "exact", "alternate name",
                              "alias: renamed Sinpa -> ...", "variant rule:
                              eo->o, k->g", "fuzzy: 1 edit" */
} bm_candidate;

typedef struct bm_gazetteer bm_gazetteer;

/* Loads <dir>/places.tsv and <dir>/names.tsv. dir NULL means the context's
 * data dir + "/gazetteer". Caller owns *out (bm_gazetteer_free()). */
bm_status bm_gazetteer_open(bm_ctx *ctx, const char *dir, bm_gazetteer **out);
void bm_gazetteer_free(bm_gazetteer *gz);

size_t bm_gazetteer_count(const bm_gazetteer *gz);
/* Borrowed; NULL when not found. */
const bm_place *bm_gazetteer_get(const bm_gazetteer *gz, const char *id);

/* Ranked candidates for a free-text name ("Onsong County", "회령").
 * Fills up to max candidates into out (caller's array), best first, and
 * sets *n. Returns BM_ERR_NOTFOUND (with a message naming the name) when
 * nothing matches. Places without coordinates are returned too; callers
 * that need a point use bm_gazetteer_point(). */
bm_status bm_gazetteer_lookup(bm_ctx *ctx, const bm_gazetteer *gz,
                              const char *name, bm_candidate *out, size_t max,
                              size_t *n);

/* Lookup options for bm_gazetteer_lookup_ex. */
#define BM_LOOKUP_FUZZY 1u /* fall back to edit distance when nothing else
                              matches (reason "fuzzy: N edits") */

/* bm_gazetteer_lookup with options. bm_gazetteer_lookup(...) is
 * bm_gazetteer_lookup_ex(..., 0, ...): exact and alternate names first;
 * only when none matches, romanization variant rules (eo/o, eu/u, ae/e,
 * k/g, ch/j, p/b, t/d, sh/s, oo/u, l/r, initial r/l/n, -ni/-ri, spacing);
 * with BM_LOOKUP_FUZZY, only when those fail too, names within 1 edit (2
 * for names of 8+ letters; Latin-script names only), and the NOTFOUND
 * message then ends with the closest names ("did you mean: A, B, C?"). */
bm_status bm_gazetteer_lookup_ex(bm_ctx *ctx, const bm_gazetteer *gz,
                                 const char *name, unsigned flags,
                                 bm_candidate *out, size_t max, size_t *n);

/* Up to max places whose names are closest to name by edit distance
 * (distinct names, best first), for "did you mean". Fills out (borrowed
 * places) and *n; *n 0 when nothing is close. */
void bm_gazetteer_suggest(const bm_gazetteer *gz, const char *name,
                          const bm_place **out, size_t max, size_t *n);

/* True when the folded text (bm_fold form) is a name or name+designator the
 * gazetteer knows. Used by the geoparser to scan text; cheap. */
int bm_gazetteer_knows_folded(const bm_gazetteer *gz, const char *folded);
/* The same for folded[0..n) (need not be NUL-terminated). */
int bm_gazetteer_knows_folded_n(const bm_gazetteer *gz, const char *folded,
                                size_t n);

/* For a scan that grows a window of words: what the gazetteer says of the
 * folded text s[0..n) (bm_fold form, words separated by one space).
 * BM_GZ_KNOWN: bm_gazetteer_knows_folded_n() is true. BM_GZ_MORE: a
 * longer text that starts with s and a space may be known; when it is not
 * set, none is, and the scan can stop growing. (BM_GZ_MORE may be set
 * needlessly, never left out wrongly.) The first call builds a filter
 * (about 2 bytes per indexed name; thread-safe). */
#define BM_GZ_KNOWN 1u
#define BM_GZ_MORE 2u
unsigned bm_gazetteer_scan_folded(const bm_gazetteer *gz, const char *s,
                                  size_t n);

/* The longest number of words any indexed folded name has (incl.
 * designators); bounds the geoparser's window. */
size_t bm_gazetteer_max_words(const bm_gazetteer *gz);

/* A point for the place: its own coordinates, or for a county without them
 * its seat's, or for a county/province its parent's. Sets *precision to
 * what the point honestly stands for. BM_ERR_NOTFOUND when none. */
bm_status bm_gazetteer_point(const bm_gazetteer *gz, const bm_place *p,
                             double *lon, double *lat,
                             bm_precision *precision);

#ifdef __cplusplus
}
#endif
#endif
