/*
 * bm_geoparse.h - report text -> place mentions -> resolved places ->
 * incidents.
 *
 * Reports come in two layouts:
 *  - seed layout: the first non-empty line is the title, the rest the body;
 *  - header layout: "Title:", "Source:", "URL:", "Date:" lines (any order,
 *    case-insensitive keys), a blank line, then the body.
 * Offsets are Unicode code point offsets into the body (Python-style), as
 * the evaluation gold uses. Coordinates are (lon, lat) degrees, WGS 84.
 */
#ifndef BM_GEOPARSE_H
#define BM_GEOPARSE_H

#include "bm_core.h"
#include "bm_gazetteer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A parsed report. All strings owned (bm_report_free()); any header field
 * may be NULL when absent. */
typedef struct bm_report {
    char *path;       /* file it came from */
    char *title;
    char *source;     /* "Daily NK" */
    char *url;
    char *date;       /* ISO date as far as known ("2024-01-18"), or NULL */
    bm_date_precision date_precision;
    char *body;       /* UTF-8, LF line ends */
    size_t body_len;  /* bytes */
    char sha256[65];  /* of the body: the identity used for de-duplication */
    int has_header;   /* 1 for the header layout */
} bm_report;

/* Parses text already read (and checked) by bm_read_text_file(). path is
 * recorded, not read. Fails with BM_ERR_INPUT for an empty report. Caller
 * owns *out. */
bm_status bm_report_parse(bm_ctx *ctx, const char *path, const char *text,
                          size_t len, bm_report **out);
/* Reports larger than this are refused (BM_ERR_INPUT, naming the file):
 * news reports are a few kilobytes, a bigger file is something else. */
#define BM_REPORT_MAX_BYTES (8u << 20)

/* Markdown with YAML front matter: "---" lines around "title:", "source:"
 * (or "outlet:", "publisher:"), "url:" (or "link:"), "date:" (or
 * "published:") keys; the body is the Markdown text after it, unchanged.
 * Without front matter it is read like a .txt report. Caller owns *out. */
bm_status bm_report_parse_markdown(bm_ctx *ctx, const char *path,
                                   const char *text, size_t len,
                                   bm_report **out);
/* HTML through libxml2's HTML parser: the title (og:title, <title>, the
 * first <h1>), outlet (og:site_name), URL (canonical link, og:url) and
 * publication date (article:published_time, <time datetime>, date metas);
 * the body is the article's text (<article>, else <main>, else <body>)
 * without navigation, headers, footers, asides, forms, scripts and
 * styles, one line per paragraph, heading or list item. Caller owns *out. */
bm_status bm_report_parse_html(bm_ctx *ctx, const char *path,
                               const char *text, size_t len, bm_report **out);
/* Reads and parses one file: .html/.htm/.xhtml (or text starting with an
 * HTML doctype or <html>) as HTML, .md/.markdown as Markdown, anything
 * else as a text report. Refuses files over BM_REPORT_MAX_BYTES and text
 * that is binary or not UTF-8, naming the file (and the line). */
bm_status bm_report_load(bm_ctx *ctx, const char *path, bm_report **out);
/* bm_report_load() with options. BM_REPORT_NO_HASH: sha256 is left
 * empty ("") and, for text and Markdown, not computed: for callers that
 * only geoparse and never store. */
#define BM_REPORT_NO_HASH 1u
bm_status bm_report_load_ex(bm_ctx *ctx, const char *path, unsigned flags,
                            bm_report **out);
/* Overrides what the report says about itself: date (an ISO prefix as
 * bm_date_parse() writes it, with its precision) and source (outlet);
 * NULL keeps the report's. */
bm_status bm_report_override(bm_ctx *ctx, bm_report *r, const char *date,
                             bm_date_precision date_precision,
                             const char *source);
void bm_report_free(bm_report *r);

/* A place mention found in a body. */
typedef struct bm_mention {
    size_t start, end;       /* code point offsets into the body, [start,end) */
    size_t byte_start, byte_end;
    char *surface;           /* text as written, incl. a designator */
    const bm_place *place;   /* resolved place (borrowed from gazetteer) or NULL */
    int has_point;
    double lon, lat;
    bm_precision precision;
    double confidence;       /* 0..1 */
    const char *reason;      /* why this place: static text ("only
                                candidate", "province named in the
                                report", ...); never NULL */
} bm_mention;

typedef struct bm_mentions {
    bm_mention *items;
    size_t count;
} bm_mentions;

/* Finds and resolves place mentions in r->body. Caller owns *out
 * (bm_mentions_free()). */
bm_status bm_geoparse_mentions(bm_ctx *ctx, const bm_gazetteer *gz,
                               const bm_report *r, bm_mentions *out);
void bm_mentions_free(bm_mentions *m);

typedef struct bm_incidents {
    bm_incident *items;
    size_t count;
} bm_incidents;

/* Extracts the incidents of the report (what, when, who, where, the
 * evidence sentences) from its text and resolved mentions, following
 * docs/event-codebook.md. Each incident has a point and a date range when
 * dated; the first is the report's main incident (is_main). Caller owns
 * *out (bm_incidents_free()). */
bm_status bm_geoparse_incidents(bm_ctx *ctx, const bm_gazetteer *gz,
                                const bm_report *r, const bm_mentions *m,
                                bm_incidents *out);

/* What the extractor reads with (its lexicons of event triggers, actors
 * and modality words, indexed), built once and reused for many reports:
 * building it costs about as much as reading a short report. Caller owns
 * (bm_extractor_free(), which accepts NULL); NULL when out of memory. One
 * thread at a time. */
typedef struct bm_extractor bm_extractor;
bm_extractor *bm_extractor_new(void);
void bm_extractor_free(bm_extractor *ex);
/* bm_geoparse_incidents() with an extractor made for many reports (ex
 * NULL: one is made for the call). */
bm_status bm_geoparse_incidents_ex(bm_ctx *ctx, const bm_gazetteer *gz,
                                   bm_extractor *ex, const bm_report *r,
                                   const bm_mentions *m, bm_incidents *out);
void bm_incidents_free(bm_incidents *list);


/* ---- helpers (added by the geoparse module) ------------------------------ */

/* Parses a date as reports write it: "2024-01-18", "2024-01", "2024",
 * "January 18, 2024", "Jan. 18, 2024", "Sept. 2024", "18 January 2024".
 * Writes the ISO prefix ("2024-01-18", "2024-01", "2024") to out and its
 * precision to *prec. Returns 1 when understood, 0 otherwise ("unknown",
 * "", nonsense, impossible days), then out is "" and *prec BM_DATE_NONE. */
int bm_date_parse(const char *text, size_t len, char out[11],
                  bm_date_precision *prec);

/* Month number 1..12 for an English month name or abbreviation ("Jan",
 * "Jan.", "Sept.", "October"); 0 otherwise. Case-insensitive. */
int bm_month_from_word(const char *word, size_t len);

/* A sentence of a text: [byte_start, byte_end) and code points
 * [start, end), trimmed of surrounding white space. paragraph counts lines
 * (every newline starts a new paragraph). */
typedef struct bm_sentence {
    size_t byte_start, byte_end;
    size_t start, end;
    size_t paragraph;
} bm_sentence;

/* Splits text into sentences: ends at ". ", "! ", "? " (also before a
 * closing quote) when the next word starts a sentence, and at every line
 * end; abbreviations ("Jan.", "Mr.", "U.S.", "N. Korea", "No. 3") do not
 * end a sentence. *out is caller owned (free()); *n may be 0. Returns
 * BM_ERR_NOMEM when allocation fails (no context, so no message). */
bm_status bm_split_sentences(const char *text, size_t len, bm_sentence **out,
                             size_t *n);

#ifdef __cplusplus
}
#endif
#endif
