/*
 * gp_internal.h - the pieces of the incident extractor, shared inside the
 * geoparse module only (not installed, not for other modules):
 *
 *   zones.c    what each line of a body is: the report's prose, or a
 *              caption, related-article line, tag list, byline, page
 *              furniture (only prose yields incidents);
 *   timex.c    date expressions in a sentence, resolved against the
 *              report's date (never inventing a year);
 *   events.c   event triggers as classes of predicates, their modality
 *              (negated, hedged, generic, future, purpose) and the event
 *              type of a sentence (docs/event-codebook.md);
 *   actors.c   the security organs a sentence names;
 *   phrases.c  a small set of phrases found by their first two bytes
 *              (zones' page-matter phrases, events' marker words).
 *
 * Text arguments are UTF-8 bytes; "lc" is the same bytes with ASCII
 * letters lower-cased (same length, same offsets). Offsets are bytes.
 */
#ifndef BM_GP_INTERNAL_H
#define BM_GP_INTERNAL_H

#include "bm_geoparse.h"

#include <stddef.h>

/* ---- phrase sets ---------------------------------------------------------- */

/* Up to GP_PHRASES_MAX phrases (static strings of two bytes or more), each
 * with a class byte, chained by their first two bytes so that a text is
 * read once whatever the number of phrases. Plain data: fill with
 * gp_phrases_init() and gp_phrases_add(); no release. */
#define GP_PHRASES_MAX 128
#define GP_PHRASES_HEAD 1024u
#define GP_PHRASES_NONE 0xFFu
typedef struct gp_phrases {
    unsigned char head[GP_PHRASES_HEAD];
    unsigned char next[GP_PHRASES_MAX]; /* chain, GP_PHRASES_NONE ends */
    const char *ph[GP_PHRASES_MAX];     /* not owned */
    unsigned char len[GP_PHRASES_MAX];
    unsigned char cls[GP_PHRASES_MAX];
    size_t n;
} gp_phrases;
void gp_phrases_init(gp_phrases *ps);

/* Adds the NULL-ended list with class cls (< GP_PHRASES_NONE). Returns
 * how many fitted (the set keeps at most GP_PHRASES_MAX). */
size_t gp_phrases_add(gp_phrases *ps, const char *const *list,
                      unsigned char cls);

/* The first phrase that starts with bytes c0 c1, GP_PHRASES_NONE if none;
 * ps->next[k] gives the one after k. */
static inline unsigned gp_phrases_first(const gp_phrases *ps,
                                        unsigned char c0, unsigned char c1)
{
    return ps->head[((unsigned)c0 * 31u ^ (unsigned)c1 * 7u) &
                    (GP_PHRASES_HEAD - 1u)];
}

/* ---- zones ---------------------------------------------------------------- */

typedef enum gp_zone {
    GP_TEXT = 0,  /* the report's prose */
    GP_HEADLINE,  /* the title repeated at the top of the body */
    GP_DECK,      /* a standfirst: a summary line right after the headline */
    GP_HEADING,   /* a section heading inside the text */
    GP_CAPTION,   /* a photo caption, alt text or picture credit */
    GP_RELATED,   /* a related-article headline or link */
    GP_TAGS,      /* a list of tags or keywords */
    GP_BYLINE,    /* byline, date line, "UPDATED ...", author box */
    GP_NOTE,      /* an editor's footnote ("*Hyesin-dong is ...") */
    GP_FURNITURE  /* page furniture: share and print buttons, adverts,
                     subscription offers, widgets, republication notes */
} gp_zone;

typedef struct gp_line {
    size_t b0, b1;   /* the line's bytes [b0, b1), without its newline */
    size_t text_b0;  /* where its prose starts: after a dateline
                        ("SEOUL, Oct. 12 (Yonhap) -- "), else b0 */
    gp_zone zone;
} gp_line;

/* Is the zone one whose sentences may state incidents? */
static inline int gp_zone_is_prose(gp_zone z)
{
    return z == GP_TEXT || z == GP_HEADLINE || z == GP_DECK;
}

/* Cuts body[0..len) into lines and says what each is; lc is the body
 * lower-cased (ASCII). title may be NULL. *out is caller owned (free());
 * *n counts every line, blank ones too (blank lines are GP_TEXT with b0 ==
 * b1). BM_ERR_NOMEM when out of memory. */
bm_status gp_zones(const char *title, const char *body, const char *lc,
                   size_t len, gp_line **out, size_t *n);

/* "headline", "caption", ... for messages and tests. */
const char *gp_zone_name(gp_zone z);

/* ---- dates ---------------------------------------------------------------- */

/* The report's date as far as it is known (0 for an unknown part). */
typedef struct gp_anchor {
    int y, m, d;
} gp_anchor;

/* What a date expression dates. */
typedef enum gp_date_role {
    GP_DATE_EVENT = 0, /* when something happened (or began) */
    GP_DATE_REPORTING, /* when a source spoke or a report appeared ("told
                          Daily NK on July 7", "said on Monday") */
    GP_DATE_FUTURE,    /* something yet to come ("will be lifted on March
                          7", "the holiday will fall on Feb. 16") */
    GP_DATE_SINCE      /* the start of a state that goes on ("on alert
                          since June 20"): no date of an incident */
} gp_date_role;

/* A date expression found in a sentence and resolved. */
typedef struct gp_date {
    size_t b0, b1;          /* its bytes in the sentence */
    gp_date_role role;
    bm_date_precision prec; /* BM_DATE_NONE: understood but no year known
                               (the report has no date and the text
                               states none): the caller leaves it undated */
    char iso[11];           /* "YYYY-MM-DD", "YYYY-MM" or "YYYY"; "" when
                               prec is BM_DATE_NONE */
    char start[11], end[11]; /* the range of days it may mean */
} gp_date;

/* Finds up to max date expressions in the sentence s[0..n) (lc its
 * lower-cased copy) and resolves each against the anchor: a day or month
 * without a year takes the anchor's year, the year before when that would
 * put it after the anchor (a future expression: the year after when that
 * would put it before). Relative expressions ("last week", "earlier this
 * month", "two days ago", "last Thursday") need the anchor's month or day.
 * Returns the number found, in text order. */
size_t gp_find_dates(const char *s, const char *lc, size_t n,
                     const gp_anchor *a, gp_date *out, size_t max);

/* Writes the ISO date and range for a resolved day/month/year. Internal
 * to timex.c and its tests. */

/* ---- events --------------------------------------------------------------- */

/* Modality of a trigger: why it does not state an event that happened. */
enum {
    GP_MOD_NEGATED = 1u,  /* "not arrested", "no arrests", "unable to find" */
    GP_MOD_HEDGED = 2u,   /* "may be arrested", "could face execution" */
    GP_MOD_FUTURE = 4u,   /* "will be punished", "plans to crack down" */
    GP_MOD_PURPOSE = 8u,  /* "measures to stop smuggling", "in order to" */
    GP_MOD_GENERIC = 16u, /* "smuggling is rampant", "such crossings are
                             rare", "violators face ...", "often" */
    GP_MOD_QUESTION = 32u /* the sentence asks */
};

/* Role of a trigger in its sentence. */
enum {
    GP_ROLE_ACT = 0,   /* the predicate: what was done */
    GP_ROLE_OFFENCE,   /* the reason or charge: "arrested for smuggling" */
    GP_ROLE_TARGET     /* what an act is aimed at: "a crackdown on
                          smuggling" */
};

typedef struct gp_trigger_hit {
    size_t b0, b1;     /* bytes in the sentence */
    const char *type;  /* static: "arrest", "crackdown", ... */
    int priority;      /* higher wins within a sentence (codebook order) */
    unsigned modality; /* GP_MOD_* */
    int role;          /* GP_ROLE_* */
    int state_act;     /* an act of the state (arrest, crackdown, ...)
                          rather than an offence (smuggling, defection) */
    int agent;         /* names an agent or instrument ("detectors",
                          "inspectors"), not the act itself */
    int weak;          /* may mean less than its type ("caught" may be
                          seen, not arrested) */
    int sub;           /* in a clause subordinate to the sentence's own act
                          ("since a soldier deserted", "prompting
                          searches"): real, but not the sentence's event */
} gp_trigger_hit;

/* The event lexicon, indexed for fast scanning. Built once per extractor
 * run (a few hundred operations); caller owned (gp_lexicon_free()). */
typedef struct gp_lexicon gp_lexicon;
gp_lexicon *gp_lexicon_new(void);
void gp_lexicon_free(gp_lexicon *lx);

/* Finds every trigger in the sentence lc[0..n) (lower-cased bytes) with
 * its modality and role, in text order. Returns the number written (at
 * most max). */
size_t gp_find_triggers(const gp_lexicon *lx, const char *lc, size_t n,
                        gp_trigger_hit *out, size_t max);

/* The event of a sentence: among its triggers that are not modal, the act
 * of the main clause of highest priority (else a subordinate clause's);
 * an offence or target alone is no event. NULL when the sentence states
 * none. */
const gp_trigger_hit *gp_sentence_event(const gp_trigger_hit *hits,
                                        size_t n);

/* Does the sentence lc[0..n) say, at byte pos, what a speaker did (told,
 * said, reported, according to)? Used for reporting dates. */
int gp_reporting_before(const char *lc, size_t n, size_t pos);

/* ---- actors --------------------------------------------------------------- */

/* The security organs and other actors reports name, indexed by first
 * byte. Fill with gp_actor_index_init(); plain data, no release. */
#define GP_ACTORS_MAX 64
typedef struct gp_actor_index {
    unsigned char head[256], next[GP_ACTORS_MAX];
    unsigned char len[GP_ACTORS_MAX], prefix[GP_ACTORS_MAX];
    unsigned char second[GP_ACTORS_MAX];
} gp_actor_index;
void gp_actor_index_init(gp_actor_index *ix);

/* Every actor text[0..n) names (lc its lower-cased copy), canonical names
 * in order of first appearance joined with "; " into buf (always
 * NUL-terminated); *last gets the last one named (static, NULL if none).
 * Returns how many distinct actors were listed. */
int gp_actors(const gp_actor_index *ix, const char *text, const char *lc,
              size_t n, char *buf, size_t size, const char **last);

#endif
