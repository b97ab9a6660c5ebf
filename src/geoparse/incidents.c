/*
 * incidents.c - the incidents of a report: what happened, where, when and
 * who acted, and which of them the report is about.
 *
 * Following docs/event-codebook.md:
 *  1. Only the report's prose states incidents (zones.c): captions,
 *     related-article lines, tags, bylines and page furniture do not.
 *  2. A sentence states an incident when it has an event trigger that is
 *     not negated, hedged, generic, future or a purpose (events.c); its
 *     type is what the actor did, the offence only when the offence
 *     itself is the news.
 *  3. Its place is the most precise place of the sentence where the
 *     event happened (not where a source is, where an organ sits or where
 *     people went); else the nearest such place before it in the
 *     paragraph, the title's place, the report's main place.
 *  4. Incidents of one kind at one place (or at a place and a place
 *     inside it) are one incident told several times: merged, with every
 *     evidence sentence, at the more precise place.
 *  5. Its date comes from its sentences (timex.c), else from the sentences
 *     that go on telling it, else when a source told of it, else the
 *     report's own date as the latest possible day (BM_DATE_REPORTED);
 *     undated when the report has no date and the text states no year.
 *  6. The main incident is the one the report is about: the event of the
 *     headline, at the headline's place, told in the lead (news state
 *     their main event first). It comes first and is marked is_main.
 */
#include "gp_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BM_MAX_INCIDENTS 8
/* Event sentences read per report: news reports have a few dozen; a
 * larger input (a book, a dump) is read for its first ones only, so that
 * merging stays cheap. */
#define MAX_EVENT_SENTENCES 400
#define HITS_MAX 48
#define DATES_MAX 16

/* ---- places of the report ------------------------------------------------- */

/* The region the program maps (the basemap's box) and, inside it, the
 * border zone: North Korea's provinces along China and Russia and the
 * Chinese and Russian side lie north of about 39.8 N (Sinuiju 40.1 N);
 * Pyongyang (39.0 N), the DMZ and South Korea lie south of it. */
#define REGION_W 123.0
#define REGION_E 134.0
#define REGION_S 38.0
#define REGION_N 46.0
#define BORDER_MIN_LAT 39.8

/* What a mention says of where something happened. */
enum {
    PR_LOCATIVE = 0, /* "in X", "at X", "near X", or plainly named */
    PR_SOURCE,       /* where a source is ("a source in X", "X-based") */
    PR_ORGAN,        /* where an organ sits ("the X Province branch") */
    PR_DESTINATION,  /* where people or goods went ("into China") */
    PR_ORIGIN,       /* where someone came from ("from X") */
    PR_CONTAINER     /* the area around the place named before it
                        ("Hyesan, Ryanggang Province", "X County in Y") */
};

typedef struct mctx {
    const bm_mention *m;
    size_t line;     /* line (paragraph) of the mention */
    gp_zone zone;    /* zone of its line */
    int role;        /* PR_* */
    int in_region;   /* its point lies in the region box */
    int border;      /* ... and in the border zone */
    int in_title;    /* its place is named in the title */
} mctx;

static int point_in_region(double lon, double lat)
{
    return lon >= REGION_W && lon <= REGION_E && lat >= REGION_S &&
           lat <= REGION_N;
}

static int lc_ends_with(const char *lc, size_t pos, const char *w)
{
    size_t n = strlen(w);
    return pos >= n && memcmp(lc + pos - n, w, n) == 0 &&
           (pos == n || !((unsigned)((unsigned char)lc[pos - n - 1] - 'a') <
                          26u));
}

/* What the words around a mention say of its place. */
static int mention_role(const char *lc, size_t len, const bm_mention *m,
                        size_t dateline_end)
{
    size_t b = m->byte_start, e = m->byte_end;
    if (e <= dateline_end)
        return PR_SOURCE;
    /* the word just before it decides which patterns can match: they all
     * end in one of these (or "the") */
    size_t pe = b;
    while (pe > 0 && lc[pe - 1] == ' ')
        pe--;
    size_t pb = pe;
    while (pb > 0 && (unsigned)((unsigned char)lc[pb - 1] - 'a') < 26u)
        pb--;
    size_t pl = pe - pb;
    const char *pw = lc + pb;
#define PREV_IS(lit) (pl == sizeof(lit) - 1 && memcmp(pw, lit, pl) == 0)
    int before_prep = PREV_IS("in") || PREV_IS("from") || PREV_IS("of") ||
                      PREV_IS("at") || PREV_IS("near") || PREV_IS("with") ||
                      PREV_IS("inside") || PREV_IS("the") || PREV_IS("to") ||
                      PREV_IS("into") || PREV_IS("toward") ||
                      PREV_IS("towards") || PREV_IS("for") || PREV_IS("onto");
#undef PREV_IS
    static const char *const source_pre[] = {
        "source in ", "sources in ", "source from ", "sources from ",
        "source based in ", "sources based in ", "source living in ",
        "sources living in ", "informant in ", "source inside ",
        "contact in ", "contacts in ", "resident of ", "partner in ",
        "partners in ", "partner at ", "partners at ", "partner living in ",
        "correspondent in ", "source near ", "source familiar with ",
        "sources familiar with ", "reporter in ", NULL};
    for (size_t k = 0; before_prep && source_pre[k]; k++)
        if (lc_ends_with(lc, b, source_pre[k]))
            return PR_SOURCE;
    static const char *const organ_pre[] = {
        "consulate in ", "consulate general in ", "embassy in ",
        "headquarters in ", "headquartered in ", "office in ",
        "offices in ", NULL};
    for (size_t k = 0; before_prep && organ_pre[k]; k++)
        if (lc_ends_with(lc, b, organ_pre[k]))
            return PR_ORGAN;
    /* "a Hyesan-based source", "an X Province-based source" */
    if (e + 6 <= len && memcmp(lc + e, "-based", 6) == 0)
        return PR_SOURCE;
    /* "the X Province branch of", "X Provincial Party Committee" */
    {
        size_t i = e;
        while (i < len && lc[i] == ' ')
            i++;
        static const char *const organ[] = {
            "branch", "bureau", "committee", "department", "office",
            "court", "ministry", "party", "brigade", "corps", "command",
            "security", "police", "people's", "people\xe2\x80\x99s",
            "state", "prosecutor", "prosecutors", NULL};
        for (size_t k = 0; organ[k]; k++) {
            size_t L = strlen(organ[k]);
            if (i + L <= len && memcmp(lc + i, organ[k], L) == 0 &&
                (i + L == len ||
                 !((unsigned)((unsigned char)lc[i + L] - 'a') < 26u)))
                return PR_ORGAN;
        }
    }
    static const char *const dest[] = {"into ", "to ", "toward ",
                                       "towards ", "for ", "onto ",
                                       "into the ", "to the ", NULL};
    for (size_t k = 0; before_prep && dest[k]; k++)
        if (lc_ends_with(lc, b, dest[k]))
            return PR_DESTINATION;
    if (before_prep &&
        (lc_ends_with(lc, b, "from ") || lc_ends_with(lc, b, "from the ")))
        return PR_ORIGIN;
    return PR_LOCATIVE;
}

/* Is the place a (with its parents) inside place b? */
static int place_within(const bm_gazetteer *gz, const bm_place *a,
                        const bm_place *b)
{
    if (!a || !b || a == b)
        return 0;
    const bm_place *p = a;
    for (int depth = 0; depth < 6 && p && p->parent_id && *p->parent_id;
         depth++) {
        p = bm_gazetteer_get(gz, p->parent_id);
        if (p == b)
            return 1;
    }
    /* a town that is a county's seat lies in that county */
    if (a->seat_of && *a->seat_of && b->id && strcmp(a->seat_of, b->id) == 0)
        return 1;
    return 0;
}

static int same_or_within(const bm_gazetteer *gz, const bm_place *a,
                          const bm_place *b)
{
    return a == b || place_within(gz, a, b) || place_within(gz, b, a);
}

/* Ranks a mention as an incident place: lower is better. Rivers and
 * countries say little; an out-of-region place only counts in a report
 * that has none in the region. */
static int place_rank(const mctx *c, int doc_has_region)
{
    const bm_mention *m = c->m;
    int r;
    if (m->place && m->place->kind == BM_KIND_RIVER)
        r = 6;
    else if (m->precision == BM_PREC_COUNTRY)
        r = 8;
    else
        r = (int)m->precision - 1; /* 0 town, 1 county, 2 province */
    if (!c->in_region && doc_has_region)
        r += 10;
    switch (c->role) {
    case PR_SOURCE: r += 12; break;
    case PR_DESTINATION: r += 9; break;
    case PR_ORGAN: r += 4; break;
    case PR_ORIGIN: r += 2; break;
    case PR_CONTAINER: r += 3; break;
    default: break;
    }
    return r;
}

/* Weak: a river, a country, or a place that only says where a source or
 * an organ is. */
static int weak_place(const mctx *c)
{
    const bm_mention *m = c->m;
    return m->precision >= BM_PREC_COUNTRY ||
           (m->place && m->place->kind == BM_KIND_RIVER) ||
           c->role == PR_SOURCE || c->role == PR_DESTINATION;
}



/* ---- candidates ----------------------------------------------------------- */

typedef struct cand {
    const char *type;       /* static */
    const mctx *where;      /* the place */
    int place_stated;       /* named in an evidence sentence */
    int place_fallback;     /* the report's main place, not the text's */
    size_t first_si;        /* sentence of the first evidence */
    size_t primary_si;      /* sentence shown as the evidence */
    size_t trigger_b;       /* trigger's byte offset in primary_si */
    size_t *sents;          /* evidence sentences, in text order */
    size_t nsents, cap;
    int lead_rank;          /* 0 headline or deck, else 1 + the index of
                               its first sentence among the sentences of
                               the text proper */
    int from_title;         /* read from a title that is not in the body */
    char actor[256];        /* filled for the incidents output */
    int actor_here;         /* named in the evidence shown */
    int priority;
    int weak;               /* its only trigger may mean less ("caught") */
    int agent;              /* its only trigger names an agent ("inspectors") */
    int own_text;           /* told as the own event of a sentence of the
                               text proper (not the headline), not only as
                               a second act beside a graver one */
    int earlier;            /* told as an earlier case ("Previously, ...",
                               "Prior to this, ..."): a separate incident */
    double score;
    int dropped;            /* merged into another */
} cand;

static int cand_add_sentence(cand *c, size_t si)
{
    for (size_t i = 0; i < c->nsents; i++)
        if (c->sents[i] == si)
            return 1;
    size_t *g = bm_grow(c->sents, &c->cap, c->nsents + 1, sizeof *g);
    if (!g)
        return 0;
    c->sents = g;
    size_t k = c->nsents++;
    while (k > 0 && c->sents[k - 1] > si) {
        c->sents[k] = c->sents[k - 1];
        k--;
    }
    c->sents[k] = si;
    return 1;
}

static int types_agree(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    if (strcmp(a, b) == 0)
        return 1;
    /* held or sentenced is the later stage of an arrest */
    int ad = strcmp(a, "detention") == 0, bd = strcmp(b, "detention") == 0;
    int aa = strcmp(a, "arrest") == 0, ba = strcmp(b, "arrest") == 0;
    return (ad && ba) || (aa && bd);
}

/* ---- the work ------------------------------------------------------------- */

typedef struct work {
    bm_ctx *ctx;
    const bm_gazetteer *gz;
    const bm_report *r;
    const bm_mentions *m;
    const char *body;
    size_t len;
    char *lc;
    gp_line *L;
    size_t nl;
    bm_sentence *S;
    size_t ns;
    mctx *M;
    const gp_lexicon *lx;   /* borrowed from the extractor */
    const gp_actor_index *ax;
    gp_anchor anchor;
    int doc_has_region;
    const mctx *dominant;
    const char *title_type;  /* the headline's event type, static */
    const char *title_types[8]; /* every kind of act the headline names */
    size_t ntitle_types;
    const mctx *tplace;      /* the title's place, or NULL */
    int title_in_body;       /* the headline line is part of the body */
    size_t *pcount;          /* per mention: mentions of its place */
    const char **sent_type;  /* per sentence: its own event's kind (static),
                                NULL for none or not read yet */
    struct sent_cache *dc;   /* each sentence's dates, found once */
    struct sent_cache *hc;   /* each sentence's triggers, found once */
    cand *C;
    size_t nc, ccap;
} work;

static gp_zone sentence_zone(const work *w, size_t si)
{
    size_t line = w->S[si].paragraph;
    return line < w->nl ? w->L[line].zone : GP_TEXT;
}

static int sentence_is_prose(const work *w, size_t si)
{
    return gp_zone_is_prose(sentence_zone(w, si));
}

/* The mentions of sentence si: [*a, *b) */
static void sentence_mentions(const work *w, size_t si, size_t *a, size_t *b)
{
    const bm_sentence *s = &w->S[si];
    size_t lo = 0, hi = w->m->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->m->items[mid].byte_start < s->byte_start)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < w->m->count && w->m->items[e].byte_end <= s->byte_end)
        e++;
    *a = lo;
    *b = e;
}

static int usable(const mctx *c)
{
    return c->m->has_point && c->m->place;
}

/* A place an act of this kind cannot have happened in as told: a
 * defection is where people left from, the North Korean side, not where
 * they went. */
static int wrong_side(const mctx *c, const char *type)
{
    return strcmp(type, "defection") == 0 && c->m->place->country &&
           strcmp(c->m->place->country, "KP") != 0;
}

static int weak_for(const mctx *c, const char *type)
{
    return weak_place(c) || wrong_side(c, type);
}

static int rank_for(const work *w, const mctx *c, const char *type)
{
    return place_rank(c, w->doc_has_region) + (wrong_side(c, type) ? 9 : 0);
}

/* The place right after the act, governed by its preposition: "arrested
 * in Kunming", "executed at the stadium in Hyesan", "detained near
 * Beijing" (within a few words, no comma between). */
static const mctx *place_after_act(const work *w, size_t a, size_t b,
                                   size_t te, const char *type)
{
    static const char *const preps[] = {"in", "at", "near", "outside",
                                        "around", "inside", "of", "via",
                                        NULL};
    for (size_t i = a; i < b; i++) {
        const mctx *c = &w->M[i];
        size_t ms = c->m->byte_start;
        if (ms < te)
            continue;
        if (ms - te > 48)
            break;
        if (memchr(w->body + te, ',', ms - te) ||
            memchr(w->body + te, ';', ms - te))
            break;
        if (!usable(c) || weak_for(c, type) || c->role != PR_LOCATIVE)
            continue;
        /* the word before the place */
        size_t e = ms;
        while (e > te && w->lc[e - 1] == ' ')
            e--;
        size_t s0 = e;
        while (s0 > te && w->lc[s0 - 1] >= 'a' && w->lc[s0 - 1] <= 'z')
            s0--;
        for (size_t k = 0; preps[k]; k++)
            if (strlen(preps[k]) == e - s0 &&
                memcmp(w->lc + s0, preps[k], e - s0) == 0)
                return c;
        return NULL;
    }
    return NULL;
}

/* The place where the act h of sentence si happened, from the sentence
 * itself: the place its preposition governs, else the most precise one
 * (nearest the act on a tie); NULL when it names none. */
static const mctx *place_in_sentence(const work *w, size_t si,
                                     const gp_trigger_hit *h)
{
    size_t a, b;
    sentence_mentions(w, si, &a, &b);
    size_t tb = w->S[si].byte_start + h->b0, te = w->S[si].byte_start + h->b1;
    const mctx *best = place_after_act(w, a, b, te, h->type);
    if (best)
        return best;
    int best_rank = 0;
    size_t best_dist = 0;
    for (size_t i = a; i < b; i++) {
        const mctx *c = &w->M[i];
        if (!usable(c))
            continue;
        int rk = rank_for(w, c, h->type);
        size_t d = c->m->byte_start > tb ? c->m->byte_start - tb
                                         : tb - c->m->byte_start;
        if (!best || rk < best_rank || (rk == best_rank && d < best_dist)) {
            best = c;
            best_rank = rk;
            best_dist = d;
        }
    }
    return best;
}

/* The sentence a mention lies in (S is in text order). */
static size_t sentence_of(const work *w, size_t byte)
{
    size_t lo = 0, hi = w->ns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->S[mid].byte_end <= byte)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The nearest good place before sentence si in its paragraph, from the
 * sentences before it that are prose and tell no other kind of event (a
 * place of another event is not this one's). */
static const mctx *place_before(const work *w, size_t si, const char *type)
{
    size_t a, b;
    sentence_mentions(w, si, &a, &b);
    size_t para = w->S[si].paragraph;
    const mctx *best = NULL;
    for (size_t i = a; i-- > 0 && a - i <= 64;) {
        const mctx *c = &w->M[i];
        if (c->line != para)
            break;
        size_t sj = sentence_of(w, c->m->byte_start);
        if (sj < w->ns && w->sent_type[sj] &&
            !types_agree(w->sent_type[sj], type))
            break;
        if (!usable(c) || weak_for(c, type) || !gp_zone_is_prose(c->zone))
            continue;
        if (!best || rank_for(w, c, type) < rank_for(w, best, type))
            best = c;
    }
    return best;
}

/* Where the sources near sentence si are (two sentences either way): a
 * report's sources speak of their own area ("a source in North Hamgyong
 * Province said"), the best clue to an act the text does not place. */
static const mctx *source_near(const work *w, size_t si, const char *type)
{
    size_t s0 = si >= 2 ? si - 2 : 0, s1 = si + 2 < w->ns ? si + 2 : w->ns - 1;
    const mctx *best = NULL;
    for (size_t sj = s0; sj <= s1; sj++) {
        if (!sentence_is_prose(w, sj))
            continue;
        size_t a, b;
        sentence_mentions(w, sj, &a, &b);
        for (size_t i = a; i < b; i++) {
            const mctx *c = &w->M[i];
            if (c->role != PR_SOURCE || !usable(c) || wrong_side(c, type) ||
                c->m->precision >= BM_PREC_COUNTRY ||
                (c->m->place && c->m->place->kind == BM_KIND_RIVER))
                continue;
            if (!best || c->m->precision < best->m->precision)
                best = c;
        }
    }
    return best;
}

/* The title's best place (a mention of a place the title names);
 * computed once by setup() into w->tplace. */
static const mctx *find_title_place(const work *w)
{
    const mctx *best = NULL;
    for (size_t i = 0; i < w->m->count; i++) {
        const mctx *c = &w->M[i];
        if (!c->in_title || !usable(c) || weak_place(c))
            continue;
        if (!best || place_rank(c, w->doc_has_region) <
                         place_rank(best, w->doc_has_region))
            best = c;
    }
    return best;
}

/* Completes the place of an event: the sentence's own place, made more
 * precise by the title's when the title names a place inside it; else the
 * paragraph's, the title's, the report's main place. */
static const mctx *event_place(const work *w, size_t si,
                               const gp_trigger_hit *h, int *stated,
                               int *fallback)
{
    const char *type = h->type;
    const mctx *p = place_in_sentence(w, si, h);
    const mctx *tp = w->tplace;
    *stated = p != NULL && !weak_for(p, type);
    *fallback = 0;
    if (p && !weak_for(p, type)) {
        if (tp && p->m->precision >= BM_PREC_PROVINCE &&
            tp->m->precision < p->m->precision &&
            place_within(w->gz, tp->m->place, p->m->place))
            return tp;
        return p;
    }
    const mctx *q = place_before(w, si, type);
    if (q && (!p || rank_for(w, q, type) < rank_for(w, p, type)))
        return q;
    if (tp && !wrong_side(tp, type) &&
        (!p || rank_for(w, tp, type) < rank_for(w, p, type)))
        return tp;
    const mctx *src = source_near(w, si, type);
    if (src && (!p || p->m->precision >= BM_PREC_COUNTRY ||
                (p->m->place && p->m->place->kind == BM_KIND_RIVER) ||
                p->role == PR_DESTINATION))
        return src;
    if (w->dominant &&
        (!p || rank_for(w, w->dominant, type) < rank_for(w, p, type))) {
        *fallback = 1;
        return w->dominant;
    }
    return p;
}

/* A new, zeroed candidate at the end of w->C; NULL when out of memory. */
static cand *new_cand(work *w)
{
    cand *c = bm_grow(w->C, &w->ccap, w->nc + 1, sizeof *c);
    if (!c)
        return NULL;
    w->C = c;
    c = &w->C[w->nc++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Adds (or merges) the event of sentence si. */
static bm_status add_event(work *w, size_t si, const gp_trigger_hit *h,
                           int lead_rank, int own)
{
    int stated = 0, fallback = 0;
    const mctx *where = event_place(w, si, h, &stated, &fallback);
    if (!where)
        return BM_OK;
    cand *c = new_cand(w);
    if (!c)
        return BM_ERR_NOMEM;
    c->type = h->type;
    c->where = where;
    c->place_stated = stated;
    c->place_fallback = fallback;
    c->first_si = c->primary_si = si;
    c->trigger_b = h->b0;
    c->lead_rank = lead_rank;
    c->priority = h->priority;
    c->weak = h->weak;
    c->agent = h->agent;
    c->own_text = own && !h->agent && sentence_zone(w, si) == GP_TEXT;
    if (!cand_add_sentence(c, si))
        return BM_ERR_NOMEM;
    return BM_OK;
}

/* Merges candidates of one kind at one place, or at a place and a place
 * inside it (the more precise place stays). A candidate whose place is
 * only the report's main place joins any of its kind. */
static bm_status merge_candidates(work *w)
{
    for (size_t i = 0; i < w->nc; i++) {
        cand *a = &w->C[i];
        if (a->dropped)
            continue;
        for (size_t j = i + 1; j < w->nc; j++) {
            cand *b = &w->C[j];
            if (b->dropped || strcmp(a->type, b->type) != 0)
                continue;
            if (a->earlier != b->earlier)
                continue;
            const bm_place *pa = a->where->m->place,
                           *pb = b->where->m->place;
            int join = pa == pb || same_or_within(w->gz, pa, pb) ||
                       (b->place_fallback && !a->place_fallback) ||
                       (a->place_fallback && !b->place_fallback);
            if (!join)
                continue;
            /* the more precise place stays */
            int b_better =
                (a->place_fallback && !b->place_fallback) ||
                (!b->place_fallback &&
                 place_rank(b->where, w->doc_has_region) <
                     place_rank(a->where, w->doc_has_region));
            if (b_better) {
                a->where = b->where;
                a->place_stated = b->place_stated;
                a->place_fallback = b->place_fallback;
            }
            for (size_t k = 0; k < b->nsents; k++)
                if (!cand_add_sentence(a, b->sents[k]))
                    return BM_ERR_NOMEM;
            if (b->lead_rank < a->lead_rank)
                a->lead_rank = b->lead_rank;
            if (b->priority > a->priority)
                a->priority = b->priority;
            a->weak = a->weak && b->weak;
            a->agent = a->agent && b->agent;
            a->own_text = a->own_text || b->own_text;
            /* the evidence shown: the first sentence of the text proper
             * (a headline repeats it) */
            if (sentence_zone(w, a->primary_si) != GP_TEXT &&
                sentence_zone(w, b->primary_si) == GP_TEXT) {
                a->primary_si = b->primary_si;
                a->trigger_b = b->trigger_b;
            }
            if (b->first_si < a->first_si)
                a->first_si = b->first_si;
            free(b->sents);
            b->sents = NULL;
            b->nsents = 0;
            b->dropped = 1;
        }
    }
    return BM_OK;
}

/* ---- dates ---------------------------------------------------------------- */

static void anchor_of(const bm_report *r, gp_anchor *a)
{
    memset(a, 0, sizeof *a);
    if (!r->date || !bm_date_valid(r->date))
        return;
    size_t n = strlen(r->date);
    a->y = atoi(r->date);
    if (n >= 7)
        a->m = atoi(r->date + 5);
    if (n >= 10)
        a->d = atoi(r->date + 8);
}

typedef struct dpick {
    gp_date d;
    int found;
} dpick;

/* What was found in each sentence (its triggers, its dates), found when
 * first asked for and kept: items of elem bytes, all sentences' in one
 * array in the order read. */
typedef struct sent_cache {
    unsigned char *v;
    size_t elem, n, cap;
    size_t *first;        /* per sentence: index of its first item */
    unsigned char *count; /* per sentence: how many */
    unsigned char *known; /* per sentence: read already */
    int nomem;            /* an item could not be kept: the extractor fails */
} sent_cache;

static sent_cache *cache_new(size_t nsent, size_t elem)
{
    sent_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->elem = elem;
    c->first = calloc(nsent ? nsent : 1, sizeof *c->first);
    c->count = calloc(nsent ? nsent : 1, 1);
    c->known = calloc(nsent ? nsent : 1, 1);
    if (!c->first || !c->count || !c->known)
        c->nomem = 1;
    return c;
}

static void cache_free(sent_cache *c)
{
    if (!c)
        return;
    free(c->v);
    free(c->first);
    free(c->count);
    free(c->known);
    free(c);
}

/* Keeps the k items of sentence si; 0, or -1 when out of memory. */
static int cache_put(sent_cache *c, size_t si, const void *items, size_t k)
{
    if (k) {
        unsigned char *g = bm_grow(c->v, &c->cap, c->n + k, c->elem);
        if (!g) {
            c->nomem = 1;
            return -1;
        }
        c->v = g;
        memcpy(c->v + c->n * c->elem, items, k * c->elem);
    }
    c->first[si] = c->n;
    c->count[si] = (unsigned char)k;
    c->n += k;
    c->known[si] = 1;
    return 0;
}

/* The items kept for sentence si and their number; NULL when none. */
static const void *cache_get(const sent_cache *c, size_t si, size_t *n)
{
    *n = c->count[si];
    return *n ? c->v + c->first[si] * c->elem : NULL;
}

/* The triggers of sentence si ([*out, *out + *n)), in text order; none
 * when out of memory (hc->nomem is set and the extractor fails). */
static void hits_of(const work *w, size_t si, const gp_trigger_hit **out,
                    size_t *n)
{
    if (!w->hc->known[si]) {
        const bm_sentence *s = &w->S[si];
        gp_trigger_hit H[HITS_MAX];
        size_t k = gp_find_triggers(w->lx, w->lc + s->byte_start,
                                    s->byte_end - s->byte_start, H,
                                    HITS_MAX);
        if (cache_put(w->hc, si, H, k) != 0) {
            *out = NULL;
            *n = 0;
            return;
        }
    }
    *out = cache_get(w->hc, si, n);
}

/* The dates of sentence si ([*out, *out + *n)); none when out of memory
 * (dc->nomem is set and the extractor fails). */
static void dates_of(const work *w, size_t si, const gp_date **out, size_t *n)
{
    if (!w->dc->known[si]) {
        const bm_sentence *s = &w->S[si];
        gp_date D[DATES_MAX];
        size_t k = gp_find_dates(w->body + s->byte_start,
                                 w->lc + s->byte_start,
                                 s->byte_end - s->byte_start, &w->anchor, D,
                                 DATES_MAX);
        if (cache_put(w->dc, si, D, k) != 0) {
            *out = NULL;
            *n = 0;
            return;
        }
    }
    *out = cache_get(w->dc, si, n);
}

/* Does the date d of sentence si belong to the act whose trigger starts
 * at byte tb (absolute) or to another of its kind? A date belongs to the
 * last act told before it (dates follow their verb: "caught in Changchun
 * in early April were handed over ... last week" dates the catching to
 * April and the handing over to last week), or, when none comes before it
 * ("On Jan. 7, police arrested ..."), to the first act after it. */
static int date_is_acts(const work *w, size_t si, size_t tb,
                        const char *type, const gp_date *d,
                        const gp_trigger_hit *H, size_t nh)
{
    const bm_sentence *s = &w->S[si];
    const gp_trigger_hit *before = NULL, *after = NULL;
    for (size_t k = 0; k < nh; k++) {
        const gp_trigger_hit *h = &H[k];
        int ours = s->byte_start + h->b0 == tb || types_agree(h->type, type);
        if (!ours && (h->role != GP_ROLE_ACT || h->modality))
            continue;
        if (h->b1 <= d->b0)
            before = h; /* hits come in text order: the last one wins */
        else if (!after && h->b0 >= d->b1)
            after = h;
    }
    const gp_trigger_hit *owner = before ? before : after;
    return !owner || s->byte_start + owner->b0 == tb ||
           types_agree(owner->type, type);
}

/* The event date of sentence si nearest to byte tb (absolute), or its
 * first reporting date into *rep. With owned (the act's type), only a
 * date nearer the act at tb, or another of its kind, than any other act
 * of the sentence. */
static void sentence_dates(const work *w, size_t si, size_t tb, dpick *ev,
                           dpick *rep, const char *owned)
{
    const bm_sentence *s = &w->S[si];
    const gp_date *D;
    size_t n;
    dates_of(w, si, &D, &n);
    size_t best_d = 0;
    const gp_trigger_hit *H = NULL;
    size_t nh = 0;
    if (owned && n)
        hits_of(w, si, &H, &nh);
    for (size_t k = 0; k < n; k++) {
        const gp_date *d = &D[k];
        if (d->role == GP_DATE_REPORTING) {
            /* when someone spoke is a day ("told RFA on Monday"), not
             * "said ... this year" */
            if (rep && !rep->found && d->prec == BM_DATE_DAY) {
                rep->d = *d;
                rep->found = 1;
            }
            continue;
        }
        if (d->role != GP_DATE_EVENT)
            continue;
        if (owned && !date_is_acts(w, si, tb, owned, d, H, nh))
            continue;
        size_t at = s->byte_start + d->b0;
        size_t dist = at > tb ? at - tb : tb - at;
        if (!ev->found || dist < best_d) {
            ev->d = *d;
            ev->found = 1;
            best_d = dist;
        }
    }
}

/* Does sentence sj go on telling the event of c (no event of another
 * kind, and no other place)? */
static int continues(const work *w, const cand *c, size_t sj)
{
    if (!sentence_is_prose(w, sj))
        return 0;
    if (w->sent_type[sj] && !types_agree(w->sent_type[sj], c->type))
        return 0;
    size_t a, b;
    sentence_mentions(w, sj, &a, &b);
    for (size_t i = a; i < b; i++) {
        const mctx *x = &w->M[i];
        if (usable(x) && !weak_place(x) &&
            !same_or_within(w->gz, x->m->place, c->where->m->place))
            return 0;
    }
    return 1;
}

static bm_status set_date(bm_incident *inc, const char *iso,
                          bm_date_precision p, const char *start,
                          const char *end)
{
    inc->date = strdup(iso);
    inc->date_precision = p;
    inc->date_start = start && *start ? strdup(start) : NULL;
    inc->date_end = end && *end ? strdup(end) : NULL;
    if (!inc->date || (start && *start && !inc->date_start) ||
        (end && *end && !inc->date_end))
        return BM_ERR_NOMEM;
    return BM_OK;
}

/* Dates the incident: its sentences, the sentences that go on telling
 * it, when a source told of it, the report's date. */
static bm_status date_incident(work *w, const cand *c, bm_incident *inc)
{
    dpick ev = {0}, rep = {0};
    size_t tb = w->S[c->primary_si].byte_start + c->trigger_b;
    sentence_dates(w, c->primary_si, tb, &ev, &rep,
                   c->from_title ? NULL : c->type);
    /* its other sentences, nearest first (earlier cases of the same kind
     * are incidents of their own, never merged into it) */
    size_t maxd = 0;
    for (size_t k = 0; k < c->nsents; k++) {
        size_t sj = c->sents[k], d = sj > c->primary_si ? sj - c->primary_si
                                                        : c->primary_si - sj;
        maxd = d > maxd ? d : maxd;
    }
    for (size_t dist = 1; !ev.found && dist <= maxd; dist++)
        for (size_t k = 0; !ev.found && k < c->nsents; k++) {
            size_t sj = c->sents[k];
            if (sj + dist == c->primary_si || sj == c->primary_si + dist)
                sentence_dates(w, sj, w->S[sj].byte_start, &ev, &rep, NULL);
        }
    /* the next sentences that go on with the story */
    size_t last = c->sents[c->nsents - 1];
    for (size_t sj = c->primary_si + 1;
         !ev.found && sj < w->ns && sj <= last + 3; sj++) {
        if (!continues(w, c, sj))
            break;
        sentence_dates(w, sj, w->S[sj].byte_start, &ev, &rep, NULL);
    }
    if (ev.found && ev.d.prec != BM_DATE_NONE)
        return set_date(inc, ev.d.iso, ev.d.prec, ev.d.start, ev.d.end);
    if (ev.found)
        return BM_OK; /* dated in the text, but no year is known */
    /* when a source told of it: near it, else in the lead */
    for (size_t sj = c->primary_si >= 2 ? c->primary_si - 2 : 0;
         !rep.found && sj < w->ns && sj <= c->primary_si + 2; sj++) {
        dpick none = {0};
        if (sentence_is_prose(w, sj))
            sentence_dates(w, sj, 0, &none, &rep, NULL);
    }
    for (size_t sj = 0; !rep.found && sj < w->ns && sj < 8; sj++) {
        dpick none = {0};
        if (sentence_is_prose(w, sj))
            sentence_dates(w, sj, 0, &none, &rep, NULL);
    }
    if (rep.found)
        return set_date(inc, rep.d.iso, BM_DATE_REPORTED, NULL, rep.d.end);
    /* the report's own date: the latest it can have happened */
    if (w->r->date && bm_date_valid(w->r->date)) {
        char start[11], end[11];
        bm_date_range(w->r->date, BM_DATE_REPORTED, start, end);
        return set_date(inc, w->r->date, BM_DATE_REPORTED, NULL, end);
    }
    return BM_OK;
}

/* ---- output --------------------------------------------------------------- */

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The incident's place from the mention that locates it: id, display
 * name, surface, precision, point and admin names. A province stands for
 * its capital (ACLED geo_precision 3). Returns 0 when out of memory. */
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

/* The text of sentence si, without a dateline. */
static void sentence_text(const work *w, size_t si, size_t *b0, size_t *b1)
{
    const bm_sentence *s = &w->S[si];
    *b0 = s->byte_start;
    *b1 = s->byte_end;
    size_t line = s->paragraph;
    if (line < w->nl && w->L[line].text_b0 > *b0 &&
        w->L[line].text_b0 < *b1)
        *b0 = w->L[line].text_b0;
}

/* Who acted: the organs the evidence shown names, else another of its
 * sentences; else the last organ named before it in its paragraph, else
 * in the report (up to 40 sentences back). */
static void find_actors(const work *w, cand *c)
{
    const char *last;
    const bm_sentence *s = &w->S[c->primary_si];
    c->actor_here =
        !c->from_title &&
        gp_actors(w->ax, w->body + s->byte_start, w->lc + s->byte_start,
                  s->byte_end - s->byte_start, c->actor, sizeof c->actor,
                  &last) > 0;
    for (size_t k = 0; !*c->actor && k < c->nsents; k++) {
        s = &w->S[c->sents[k]];
        gp_actors(w->ax, w->body + s->byte_start, w->lc + s->byte_start,
                  s->byte_end - s->byte_start, c->actor, sizeof c->actor,
                  &last);
    }
    size_t first = c->sents[0];
    char buf[256];
    for (size_t sj = first; !*c->actor && sj-- > 0 && first - sj <= 40;) {
        if (!sentence_is_prose(w, sj))
            continue;
        s = &w->S[sj];
        if (gp_actors(w->ax, w->body + s->byte_start, w->lc + s->byte_start,
                      s->byte_end - s->byte_start, buf, sizeof buf,
                      &last) > 0 &&
            last)
            snprintf(c->actor, sizeof c->actor, "%s", last);
    }
}

static bm_status build_incident(work *w, cand *c, bm_incident *inc)
{
    find_actors(w, c);
    memset(inc, 0, sizeof *inc);
    inc->type = strdup(c->type);
    if (!inc->type || !fill_place(inc, w->gz, c->where->m))
        return BM_ERR_NOMEM;
    if (c->from_title) {
        inc->sentence = strdup(w->r->title);
        inc->sentence_offset = 0;
    } else {
        size_t b0, b1;
        sentence_text(w, c->primary_si, &b0, &b1);
        inc->sentence = dupn(w->body + b0, b1 - b0);
        inc->sentence_offset = w->S[c->primary_si].start +
                               bm_utf8_codepoints(w->body + w->S[c->primary_si].byte_start,
                                                  b0 - w->S[c->primary_si].byte_start);
    }
    if (!inc->sentence)
        return BM_ERR_NOMEM;
    /* the other evidence sentences */
    bm_buf more = {0};
    for (size_t k = 0; k < c->nsents; k++) {
        size_t si = c->sents[k];
        if (si == c->primary_si && !c->from_title)
            continue;
        size_t b0, b1;
        sentence_text(w, si, &b0, &b1);
        if ((more.len && bm_buf_puts(&more, "\n") != BM_OK) ||
            bm_buf_append(&more, w->body + b0, b1 - b0) != BM_OK) {
            bm_buf_free(&more);
            return BM_ERR_NOMEM;
        }
    }
    if (more.len && !(inc->evidence_more = bm_buf_take(&more))) {
        bm_buf_free(&more);
        return BM_ERR_NOMEM;
    }
    bm_buf_free(&more);
    if (*c->actor && !(inc->actor = strdup(c->actor)))
        return BM_ERR_NOMEM;
    bm_status st = date_incident(w, c, inc);
    if (st != BM_OK)
        return st;
    /* Confidence: how much of what/where/when/who the evidence itself
     * states, and how sure the place is. */
    int own_date = inc->date && inc->date_precision != BM_DATE_REPORTED;
    double conf = 0.3 + (c->place_stated ? 0.2 : 0.0) +
                  (c->where->m->precision <= BM_PREC_COUNTY ? 0.1 : 0.0) +
                  (own_date ? 0.1 : 0.0) + (c->actor_here ? 0.1 : 0.0) +
                  (c->priority >= 50 ? 0.1 : 0.0) +
                  (c->nsents > 1 ? 0.05 : 0.0);
    conf *= 0.6 + 0.4 * c->where->m->confidence;
    if (strcmp(c->type, "other") == 0)
        conf *= 0.5;
    inc->confidence = conf > 1 ? 1 : conf;
    inc->status = BM_STATUS_AUTO;
    return BM_OK;
}

/* ---- the main incident ---------------------------------------------------- */

/* Sentences of the text proper that make its lead. */
#define LEAD_SENTENCES 3

static int title_names_type(const work *w, const char *type)
{
    for (size_t i = 0; i < w->ntitle_types; i++)
        if (types_agree(w->title_types[i], type))
            return 1;
    return 0;
}

/* Does the text proper (not the headline or standfirst) tell an act of
 * this kind, as a sentence's own event (not only beside a graver act in
 * its sentence: "arrested and repatriated" tells an arrest)? */
static int text_tells(const work *w, const char *type)
{
    for (size_t i = 0; i < w->nc; i++) {
        const cand *c = &w->C[i];
        if (!c->dropped && !c->from_title && c->own_text &&
            types_agree(c->type, type))
            return 1;
    }
    return 0;
}

/* How surely a candidate is what the report is about.
 *  - The headline names the main event: an act of a kind the headline
 *    names and the text tells comes first (the gravest, if it names
 *    several). A kind the text never tells as an act is a headline's
 *    loose word, not the event.
 *  - Otherwise the lead does: the first sentences of the text (news
 *    state their main event first), the gravest act among them (the
 *    codebook's order: execution, killing, public trial, arrest,
 *    repatriation, detention, then measures, then offences).
 *  - Then a place the text states, told more than once. */
static double main_score(const work *w, const cand *c, int title_told)
{
    double s = (double)c->priority / 10.0;
    if (title_told && title_names_type(w, c->type))
        s += 20;
    if (c->lead_rank <= LEAD_SENTENCES)
        s += 5;
    s -= 0.02 * (c->lead_rank > 100 ? 100 : c->lead_rank);
    const mctx *tp = w->tplace;
    if (tp && same_or_within(w->gz, tp->m->place, c->where->m->place))
        s += 0.5;
    if (c->place_stated)
        s += 0.3;
    if (c->place_fallback)
        s -= 1;
    if (c->where->m->precision >= BM_PREC_COUNTRY)
        s -= 0.5;
    if (c->earlier)
        s -= 3;
    s += 0.1 * (double)(c->nsents > 4 ? 3 : c->nsents - 1);
    return s;
}

static int cmp_score(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->dropped != y->dropped)
        return x->dropped - y->dropped;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->first_si < y->first_si ? -1 : x->first_si > y->first_si;
}

typedef struct place_ref {
    uintptr_t place;
    size_t index;
} place_ref;

static int cmp_place_ref(const void *a, const void *b)
{
    const place_ref *x = a, *y = b;
    if (x->place != y->place)
        return x->place < y->place ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Per mention: how many mentions its place has (w->pcount), and in_title
 * for every mention of a place the title names (not where it is only a
 * source's place). */
static bm_status group_places(work *w)
{
    size_t n = w->m->count;
    place_ref *pr = malloc((n ? n : 1) * sizeof *pr);
    w->pcount = malloc((n ? n : 1) * sizeof *w->pcount);
    if (!pr || !w->pcount) {
        free(pr);
        return BM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        pr[i].place = (uintptr_t)w->m->items[i].place;
        pr[i].index = i;
    }
    qsort(pr, n, sizeof *pr, cmp_place_ref);
    for (size_t a = 0, b; a < n; a = b) {
        int titled = 0;
        for (b = a; b < n && pr[b].place == pr[a].place; b++)
            titled |= w->M[pr[b].index].in_title;
        for (size_t k = a; k < b; k++) {
            w->pcount[pr[k].index] = b - a;
            if (titled && pr[a].place &&
                w->M[pr[k].index].role != PR_SOURCE)
                w->M[pr[k].index].in_title = 1;
        }
    }
    free(pr);
    return BM_OK;
}

/* ---- setting up ----------------------------------------------------------- */

static bm_status setup(work *w)
{
    const char *body = w->body;
    size_t len = w->len;
    w->lc = malloc(len + 1);
    w->M = calloc(w->m->count ? w->m->count : 1, sizeof *w->M);
    if (!w->lc || !w->M)
        return BM_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        w->lc[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
    }
    w->lc[len] = '\0';
    bm_status st = gp_zones(w->r->title, body, w->lc, len, &w->L, &w->nl);
    if (st == BM_OK)
        st = bm_split_sentences(body, len, &w->S, &w->ns);
    if (st != BM_OK)
        return st;
    size_t ns1 = w->ns ? w->ns : 1;
    w->sent_type = calloc(ns1, sizeof *w->sent_type);
    w->dc = cache_new(ns1, sizeof(gp_date));
    w->hc = cache_new(ns1, sizeof(gp_trigger_hit));
    if (!w->sent_type || !w->dc || !w->hc || w->dc->nomem || w->hc->nomem)
        return BM_ERR_NOMEM;
    anchor_of(w->r, &w->anchor);

    /* the title, folded to lower case, for finding its places */
    char *tlc = NULL;
    size_t tl = w->r->title ? strlen(w->r->title) : 0;
    if (tl) {
        tlc = malloc(tl + 1);
        if (!tlc)
            return BM_ERR_NOMEM;
        for (size_t i = 0; i <= tl; i++) {
            unsigned char c = (unsigned char)w->r->title[i];
            tlc[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
        }
    }
    size_t headline_line = (size_t)-1;
    for (size_t i = 0; i < w->nl; i++)
        if (w->L[i].zone == GP_HEADLINE) {
            headline_line = i;
            break;
        }
    w->title_in_body = headline_line != (size_t)-1;

    /* mentions: line, zone, role */
    size_t line = 0;
    for (size_t i = 0; i < w->m->count; i++) {
        mctx *c = &w->M[i];
        const bm_mention *x = &w->m->items[i];
        c->m = x;
        while (line + 1 < w->nl && w->L[line].b1 < x->byte_start)
            line++;
        c->line = line;
        c->zone = line < w->nl ? w->L[line].zone : GP_TEXT;
        size_t dl = line < w->nl && w->L[line].text_b0 > w->L[line].b0
                        ? w->L[line].text_b0
                        : 0;
        c->role = mention_role(w->lc, len, x, dl);
        c->in_region = x->has_point && point_in_region(x->lon, x->lat);
        c->border = c->in_region && x->lat >= BORDER_MIN_LAT;
        if (line == headline_line) {
            c->in_title = 1;
        } else if (!w->title_in_body && tlc && tl <= 1024 && x->surface) {
            /* the title names the same surface */
            size_t sl = strlen(x->surface);
            char *slc = malloc(sl + 1);
            if (!slc) {
                free(tlc);
                return BM_ERR_NOMEM;
            }
            for (size_t k = 0; k <= sl; k++) {
                unsigned char ch = (unsigned char)x->surface[k];
                slc[k] = (char)((unsigned)(ch - 'A') < 26u ? ch + 32 : ch);
            }
            c->in_title = sl >= 3 && strstr(tlc, slc) != NULL;
            free(slc);
        }
        if (x->has_point && c->in_region && gp_zone_is_prose(c->zone) &&
            x->precision <= BM_PREC_PROVINCE)
            w->doc_has_region = 1;
    }
    /* "A, B Province", "A County in B": B is the area around A */
    for (size_t i = 1; i < w->m->count; i++) {
        const bm_mention *a = &w->m->items[i - 1], *b = &w->m->items[i];
        if (!a->place || !b->place || b->byte_start < a->byte_end ||
            b->byte_start - a->byte_end > 4 || w->M[i].role != PR_LOCATIVE)
            continue;
        const char *gap = body + a->byte_end;
        size_t gl = b->byte_start - a->byte_end;
        int in = gl == 4 && memcmp(gap, " in ", 4) == 0;
        int comma = (gl == 2 && memcmp(gap, ", ", 2) == 0) ||
                    (gl == 2 && memcmp(gap, " (", 2) == 0);
        int a_area = a->place->kind == BM_KIND_PROVINCE ||
                     a->place->kind == BM_KIND_COUNTRY;
        int b_area = b->place->kind == BM_KIND_PROVINCE ||
                     b->place->kind == BM_KIND_COUNTRY;
        if (place_within(w->gz, b->place, a->place))
            continue; /* "Ryanggang Province, Kimjongsuk County" */
        if ((in && !a_area) || (comma && b_area && !a_area) ||
            place_within(w->gz, a->place, b->place))
            w->M[i].role = PR_CONTAINER;
    }

    /* How often each place is mentioned, and whether the title names it
     * (then every mention of it counts as the title's): sorted by place,
     * counted per run, so that a report of many mentions never compares
     * each with each. */
    st = group_places(w);
    if (st != BM_OK) {
        free(tlc);
        return st;
    }

    /* the headline's event (a "title" that is a tag list, as the seed
     * layout takes a page's first line, names none) */
    int tags = tlc != NULL;
    for (size_t i = 0; tlc && i < tl; i++)
        if ((unsigned)((unsigned char)w->r->title[i] - 'A') < 26u)
            tags = 0;
    if (tlc && tl && w->r->title[tl - 1] == ',')
        tags = 1;
    if (tags) {
        free(tlc);
        tlc = NULL;
    }
    if (tlc) {
        gp_trigger_hit H[HITS_MAX];
        size_t nh = gp_find_triggers(w->lx, tlc, tl, H, HITS_MAX);
        const gp_trigger_hit *e = gp_sentence_event(H, nh);
        w->title_type = e ? e->type : NULL;
        for (size_t k = 0; k < nh && w->ntitle_types < 8; k++)
            if (!H[k].modality && H[k].role == GP_ROLE_ACT && !H[k].agent)
                w->title_types[w->ntitle_types++] = H[k].type;
        free(tlc);
    }

    w->tplace = find_title_place(w);

    /* The report's main place: the most-mentioned place of the prose in
     * the border zone, towns and counties before provinces; then region
     * places; then anything with a point. */
    int best_level = 99;
    size_t best_count = 0;
    for (size_t i = 0; i < w->m->count; i++) {
        const mctx *c = &w->M[i];
        if (!usable(c) || !gp_zone_is_prose(c->zone) ||
            c->role == PR_DESTINATION ||
            (c->m->place && c->m->place->kind == BM_KIND_RIVER))
            continue;
        int level = c->m->precision <= BM_PREC_COUNTY ? 0
                    : c->m->precision == BM_PREC_PROVINCE ? 1 : 2;
        if (!c->border)
            level += 3;
        if (!c->in_region)
            level += 3;
        if (c->role == PR_SOURCE)
            level += 1;
        if (c->role == PR_ORGAN)
            level += 2;
        if (c->in_title && !weak_place(c))
            level -= 1;
        size_t count = w->pcount[i];
        if (level < best_level || (level == best_level && count > best_count)) {
            best_level = level;
            best_count = count;
            w->dominant = c;
        }
    }
    return BM_OK;
}

static void work_free(work *w)
{
    for (size_t i = 0; i < w->nc; i++)
        free(w->C[i].sents);
    free(w->C);
    free(w->pcount);
    free(w->sent_type);
    cache_free(w->dc);
    cache_free(w->hc);
    free(w->M);
    free(w->S);
    free(w->L);
    free(w->lc);
}

/* ---- the extractor -------------------------------------------------------- */

/* Does sentence si open by saying it tells an earlier case ("Previously,",
 * "Prior to this,", "Earlier,", "Before that,", "In the past,")? */
static int tells_earlier_case(const work *w, size_t si)
{
    static const char *const openers[] = {
        "previously", "prior to this", "prior to that", "earlier,",
        "before that", "before this", "in the past", "in a previous",
        "in an earlier", "last time", NULL};
    size_t b0, b1;
    sentence_text(w, si, &b0, &b1);
    const char *lc = w->lc + b0;
    size_t n = b1 - b0;
    while (n && (*lc == '"' || *lc == ' ' || (unsigned char)*lc == 0xE2)) {
        /* an opening quote: " or U+201C (3 bytes) */
        size_t k = (unsigned char)*lc == 0xE2 && n >= 3 ? 3 : 1;
        lc += k;
        n -= k;
    }
    for (size_t k = 0; openers[k]; k++) {
        size_t L = strlen(openers[k]);
        if (n >= L && memcmp(lc, openers[k], L) == 0)
            return 1;
    }
    return 0;
}

/* Reads every sentence of prose for its event. */
static bm_status read_events(work *w)
{
    int text_sentences = 0, denies_arrest = 0;
    for (size_t si = 0; si < w->ns; si++) {
        gp_zone z = sentence_zone(w, si);
        if (!gp_zone_is_prose(z))
            continue;
        int lead_rank = z == GP_TEXT ? ++text_sentences : 0;
        const gp_trigger_hit *H;
        size_t nh;
        hits_of(w, si, &H, &nh);
        if (w->hc->nomem)
            return BM_ERR_NOMEM;
        for (size_t k = 0; k < nh; k++)
            if ((H[k].modality & GP_MOD_NEGATED) &&
                strcmp(H[k].type, "arrest") == 0)
                denies_arrest = 1;
        const gp_trigger_hit *e = gp_sentence_event(H, nh);
        if (!e)
            continue;
        w->sent_type[si] = e->type;
        if (w->nc >= MAX_EVENT_SENTENCES)
            break;
        /* "other" (works, floods, dispatches) only from the lead, or
         * where the headline is about such a thing */
        if (strcmp(e->type, "other") == 0 && lead_rank > LEAD_SENTENCES &&
            !title_names_type(w, "other"))
            continue;
        size_t first_new = w->nc;
        bm_status st = add_event(w, si, e, lead_rank, 1);
        if (st != BM_OK)
            return st;
        /* A sentence may tell more than one act ("arrested him and
         * demanded a bribe", "shot one and arrested two"): each other kind
         * of act it states plainly is an incident too. */
        for (size_t k = 0; k < nh; k++) {
            const gp_trigger_hit *h = &H[k];
            if (h == e || h->modality || h->role != GP_ROLE_ACT || h->agent ||
                h->priority < 45 || strcmp(h->type, "other") == 0)
                continue;
            int seen = types_agree(h->type, e->type);
            for (size_t j = 0; j < k && !seen; j++)
                seen = &H[j] != e && !H[j].modality &&
                       H[j].role == GP_ROLE_ACT && !H[j].agent &&
                       H[j].priority >= 45 &&
                       strcmp(H[j].type, h->type) == 0;
            if (seen)
                continue;
            if ((st = add_event(w, si, h, lead_rank, 0)) != BM_OK)
                return st;
        }
        if (tells_earlier_case(w, si))
            for (size_t i = first_new; i < w->nc; i++)
                w->C[i].earlier = 1;
    }
    /* "caught" may be seen, not arrested: when the report says someone
     * was not arrested, an arrest known only from "caught" is no arrest's
     * match for gravity */
    if (denies_arrest)
        for (size_t i = 0; i < w->nc; i++)
            if (w->C[i].weak && strcmp(w->C[i].type, "arrest") == 0)
                w->C[i].priority = 50;
    return BM_OK;
}

/* When the headline states an event the body does not name in its own
 * words, the headline is the evidence (at the title's place). */
static bm_status event_from_title(work *w)
{
    if (!w->title_type || w->title_in_body)
        return BM_OK;
    for (size_t i = 0; i < w->nc; i++)
        if (types_agree(w->C[i].type, w->title_type))
            return BM_OK;
    const mctx *where = w->tplace;
    if (!where && w->nc)
        where = w->C[0].where;
    if (!where)
        where = w->dominant;
    if (!where || (!where->in_region && w->doc_has_region))
        return BM_OK;
    cand *c = new_cand(w);
    if (!c)
        return BM_ERR_NOMEM;
    c->type = w->title_type;
    c->where = where;
    c->place_stated = where->in_title;
    c->first_si = c->primary_si = 0;
    c->lead_rank = 0;
    c->from_title = 1;
    c->priority = 50;
    /* the lead names no other sentence for it: the first one is where
     * its date may be told */
    if (w->ns && !cand_add_sentence(c, 0))
        return BM_ERR_NOMEM;
    return BM_OK;
}

/* No sentence names an event of a known kind, yet the report is about a
 * place in the region: one incident of type "other" at its main place, in
 * the first sentence of prose that names it. */
static bm_status other_incident(work *w)
{
    const mctx *where = w->tplace;
    if (!where || weak_place(where))
        where = w->dominant;
    if (!where || !where->in_region)
        return BM_OK;
    size_t si = 0;
    for (size_t i = 0; i < w->m->count; i++)
        if (w->M[i].m->place == where->m->place &&
            gp_zone_is_prose(w->M[i].zone)) {
            while (si + 1 < w->ns &&
                   w->S[si].byte_end <= w->M[i].m->byte_start)
                si++;
            break;
        }
    w->nc = 0;
    cand *c = new_cand(w);
    if (!c)
        return BM_ERR_NOMEM;
    c->type = "other";
    c->where = where;
    c->first_si = c->primary_si = si;
    c->trigger_b = 0;
    c->priority = 0;
    if (!cand_add_sentence(c, si))
        return BM_ERR_NOMEM;
    return BM_OK;
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

struct bm_extractor {
    gp_lexicon *lx;
    gp_actor_index ax;
};

bm_extractor *bm_extractor_new(void)
{
    bm_extractor *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    if (!(ex->lx = gp_lexicon_new())) {
        free(ex);
        return NULL;
    }
    gp_actor_index_init(&ex->ax);
    return ex;
}

void bm_extractor_free(bm_extractor *ex)
{
    if (!ex)
        return;
    gp_lexicon_free(ex->lx);
    free(ex);
}

bm_status bm_geoparse_incidents(bm_ctx *ctx, const bm_gazetteer *gz,
                                const bm_report *r, const bm_mentions *m,
                                bm_incidents *out)
{
    return bm_geoparse_incidents_ex(ctx, gz, NULL, r, m, out);
}

bm_status bm_geoparse_incidents_ex(bm_ctx *ctx, const bm_gazetteer *gz,
                                   bm_extractor *ex, const bm_report *r,
                                   const bm_mentions *m, bm_incidents *out)
{
    out->items = NULL;
    out->count = 0;
    if (!r || !r->body || !m)
        return bm_ctx_fail(ctx, BM_ERR_USAGE,
                           "incidents: no report or no mentions");
    const char *name = r->path ? r->path : "(report)";
    bm_extractor *own = NULL;
    if (!ex && !(ex = own = bm_extractor_new()))
        return bm_ctx_fail(ctx, BM_ERR_NOMEM,
                           "%s: out of memory while reading incidents", name);
    work w;
    memset(&w, 0, sizeof w);
    w.lx = ex->lx;
    w.ax = &ex->ax;
    w.ctx = ctx;
    w.gz = gz;
    w.r = r;
    w.m = m;
    w.body = r->body;
    w.len = r->body_len;
    bm_status st = setup(&w);
    if (st == BM_OK)
        st = read_events(&w);
    if (st == BM_OK)
        st = event_from_title(&w);
    if (st == BM_OK)
        st = merge_candidates(&w);
    if (st == BM_OK && w.nc == 0 && w.ns > 0)
        st = other_incident(&w);
    if (st != BM_OK)
        goto fail;

    int title_told = 0;
    for (size_t i = 0; i < w.ntitle_types && !title_told; i++)
        title_told = text_tells(&w, w.title_types[i]);
    for (size_t i = 0; i < w.nc; i++)
        w.C[i].score =
            w.C[i].dropped ? -1e9 : main_score(&w, &w.C[i], title_told);
    if (w.nc > 1)
        qsort(w.C, w.nc, sizeof *w.C, cmp_score);


    size_t live = 0;
    while (live < w.nc && !w.C[live].dropped)
        live++;
    /* besides the main incident, "other" is no incident of its own */
    size_t keep = 0;
    size_t *pick = malloc((live ? live : 1) * sizeof *pick);
    if (!pick) {
        st = BM_ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < live && keep < BM_MAX_INCIDENTS; i++)
        if (i == 0 || strcmp(w.C[i].type, "other") != 0)
            pick[keep++] = i;
    out->items = calloc(keep ? keep : 1, sizeof *out->items);
    if (!out->items) {
        free(pick);
        st = BM_ERR_NOMEM;
        goto fail;
    }
    for (size_t k = 0; k < keep; k++) {
        st = build_incident(&w, &w.C[pick[k]], &out->items[k]);
        if (st == BM_OK && w.dc->nomem)
            st = BM_ERR_NOMEM;
        out->count = k + 1;
        if (st != BM_OK) {
            free(pick);
            goto fail;
        }
        out->items[k].is_main = k == 0;
    }
    free(pick);
    work_free(&w);
    bm_extractor_free(own);
    return BM_OK;

fail:
    bm_incidents_free(out);
    work_free(&w);
    bm_extractor_free(own);
    return bm_ctx_fail(ctx, st == BM_ERR_NOMEM ? BM_ERR_NOMEM : st,
                       "%s: out of memory while reading incidents", name);
}
