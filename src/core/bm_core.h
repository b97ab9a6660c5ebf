/*
 * bm_core.h - context, status codes, growable buffers, text helpers and the
 * plain data types every bordermap module shares.
 *
 * Conventions used across bordermap (stated once here, relied on everywhere):
 *  - Coordinates are WGS 84 (EPSG:4326) in decimal degrees, in the order
 *    (lon, lat) in every struct and argument list. Distances are metres.
 *  - Functions return a bm_status and fill out-parameters. On failure they
 *    leave a message in the bm_ctx (bm_ctx_error()) that names the subject
 *    (file, place, database) and, where known, the line.
 *  - Handles are opaque, created with _new/_open and released with _free;
 *    every _free accepts NULL.
 *  - "Caller owns" means the caller releases the value with the named
 *    function; "borrowed" means the value lives as long as its owner and must
 *    not be freed.
 *  - Nothing outside src/cli prints to stdout/stderr or exits.
 */
#ifndef BM_CORE_H
#define BM_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BM_VERSION "0.1.0"

typedef enum bm_status {
    BM_OK = 0,
    BM_ERR_NOMEM,     /* allocation failed */
    BM_ERR_IO,        /* file missing, unreadable or unwritable */
    BM_ERR_INPUT,     /* malformed input: not UTF-8, binary, bad syntax */
    BM_ERR_NOTFOUND,  /* a place, report or layer that does not exist */
    BM_ERR_DB,        /* the database refused an operation */
    BM_ERR_GDAL,      /* GDAL/OGR refused an operation */
    BM_ERR_PROJ,      /* PROJ refused an operation */
    BM_ERR_RENDER,    /* cairo/pango refused an operation */
    BM_ERR_USAGE,     /* a caller passed an invalid argument */
    BM_ERR_DUPLICATE  /* already present (not an error for most callers) */
} bm_status;

/* Short, stable English name of a status ("io", "input", ...). Static. */
const char *bm_status_name(bm_status st);

/* ---- context ------------------------------------------------------------ */

typedef struct bm_ctx bm_ctx;

/* Progress callback: done of total units of the named stage. total may be 0
 * when unknown. Called from the thread that does the work. */
typedef void (*bm_progress_fn)(void *user, const char *stage, size_t done,
                               size_t total, const char *subject);

/* Creates a context. data_dir may be NULL (then bm_ctx_data_dir() searches:
 * $BORDERMAP_DATA, the source tree the program was built from, the
 * installed share directory). Caller owns; release with bm_ctx_free(). */
bm_ctx *bm_ctx_new(const char *data_dir);
void bm_ctx_free(bm_ctx *ctx);

/* Records an error message (printf-style) and returns st, so callers can
 * write `return bm_ctx_fail(ctx, BM_ERR_IO, "%s: %s", path, strerror(e));`.
 * The message replaces any earlier one. */
bm_status bm_ctx_fail(bm_ctx *ctx, bm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bm_status bm_ctx_vfail(bm_ctx *ctx, bm_status st, const char *fmt, va_list ap);
/* Last message; "" when none. Borrowed from ctx, valid until the next fail. */
const char *bm_ctx_error(const bm_ctx *ctx);
/* The status of the last bm_ctx_fail() (BM_OK when none since the last
 * clear), so that a caller far from the failure can tell a database error
 * from a bad input. */
bm_status bm_ctx_status(const bm_ctx *ctx);
void bm_ctx_clear_error(bm_ctx *ctx);

/* Warnings are non-fatal notes (a skipped file, an unresolved name). They
 * accumulate until bm_ctx_take_warnings(). */
void bm_ctx_warn(bm_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t bm_ctx_warning_count(const bm_ctx *ctx);
/* Borrowed; index < bm_ctx_warning_count(). */
const char *bm_ctx_warning(const bm_ctx *ctx, size_t index);
void bm_ctx_clear_warnings(bm_ctx *ctx);

void bm_ctx_set_progress(bm_ctx *ctx, bm_progress_fn fn, void *user);
void bm_ctx_progress(bm_ctx *ctx, const char *stage, size_t done, size_t total,
                     const char *subject);

/* Directory holding gazetteer/ and styles/. Resolved on first call; NULL
 * (with an error set) when none of the candidates holds
 * gazetteer/places.tsv. Borrowed from ctx. */
const char *bm_ctx_data_dir(bm_ctx *ctx);
/* Joins the data dir with a relative path. Caller owns (free()). NULL when
 * the data dir cannot be found. */
char *bm_ctx_data_path(bm_ctx *ctx, const char *relative);

/* ---- files bordermap writes ----------------------------------------------
 * Every file bordermap creates (a new database and the -wal/-shm files
 * SQLite keeps beside it, exports and their .qml, maps) gets the context's
 * file mode, by default BM_DEFAULT_FILE_MODE: readable and writable by the
 * owner only. An output (export, map) is written to a temporary file beside
 * it and moved into place by bm_file_commit(), which replaces an existing
 * file only when the context allows it. A new context allows it (a library
 * caller asked for that path); the bordermap program does not, unless
 * --force. */
#define BM_DEFAULT_FILE_MODE 0600u
void bm_ctx_set_file_mode(bm_ctx *ctx, unsigned mode);
unsigned bm_ctx_file_mode(const bm_ctx *ctx);
/* The mode for folders bordermap creates: the file mode plus search (x)
 * wherever it grants read (0600 -> 0700, 0644 -> 0755). */
unsigned bm_dir_mode(unsigned file_mode);
void bm_ctx_set_replace(bm_ctx *ctx, int replace);
int bm_ctx_replace(const bm_ctx *ctx);
/* Parses an octal mode ("0644", "644", "0o640"). -1 unless it lies within
 * 0777 and lets the owner read and write (bordermap reopens its files). */
int bm_parse_file_mode(const char *text);
/* Gives the finished temporary file tmp the context's mode and moves it to
 * path (same folder). When the context does not allow replacing, an
 * existing path is left alone and the result is BM_ERR_IO with a message
 * naming it and --force; the check and the move are one atomic step (a
 * hard link), so a file that appears meanwhile is not replaced either.
 * tmp is left for the caller to remove on failure. */
bm_status bm_file_commit(bm_ctx *ctx, const char *tmp, const char *path);
/* BM_OK when path does not exist or the context allows replacing it; else
 * BM_ERR_IO with the message bm_file_commit() would give (an early check,
 * before the work). */
bm_status bm_file_check_new(bm_ctx *ctx, const char *path);

/* ---- buffers ------------------------------------------------------------ */

/* A growable, always NUL-terminated byte buffer. Zero-initialise
 * (bm_buf b = {0};) then append; release with bm_buf_free(). */
typedef struct bm_buf {
    char *data;
    size_t len;
    size_t cap;
} bm_buf;

bm_status bm_buf_append(bm_buf *b, const char *s, size_t n);
bm_status bm_buf_puts(bm_buf *b, const char *s);
bm_status bm_buf_printf(bm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bm_buf_reset(bm_buf *b);
/* Hands the storage to the caller (free()) and empties b. Never NULL unless
 * allocation fails. */
char *bm_buf_take(bm_buf *b);
void bm_buf_free(bm_buf *b);

/* Grows an array of elements of `size` bytes so that it holds at least
 * `need` of them (capacity doubles, from 16). Returns the array to use,
 * with *cap updated; NULL when memory runs out, in which case items and
 * *cap are untouched and still valid. Usage:
 *     T *p = bm_grow(a->v, &a->cap, a->n + 1, sizeof *p);
 *     if (!p) return BM_ERR_NOMEM;
 *     a->v = p; */
void *bm_grow(void *items, size_t *cap, size_t need, size_t size);

/* ---- text --------------------------------------------------------------- */

/* Reads a whole file as text. Fails with BM_ERR_IO (unreadable, a folder,
 * not a regular file: a FIFO, socket or device is refused without being
 * read, so a FIFO never blocks),
 * BM_ERR_INPUT (NUL bytes: "binary", or invalid UTF-8, with the line and
 * byte offset). A UTF-8 BOM is dropped and CRLF becomes LF. *out is caller
 * owned (free()); *len excludes the terminating NUL. */
bm_status bm_read_text_file(bm_ctx *ctx, const char *path, char **out,
                            size_t *len);

/* Checks UTF-8; on failure *bad_offset is the first bad byte. */
int bm_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Folds a name for matching: Unicode NFKD, case folding, combining marks
 * removed (Hoeryŏng -> hoeryong), apostrophes of every kind removed
 * (Ch'ŏngjin -> chongjin), hyphens, dots, commas and runs of white space
 * turned into one space, trimmed. Hangul syllables are kept composed.
 * Caller owns (free()); NULL on allocation failure or invalid UTF-8. */
char *bm_fold(const char *s, size_t len);

/* Number of Unicode code points in the first `bytes` bytes of valid UTF-8
 * (for offsets reported as code points). */
size_t bm_utf8_codepoints(const char *s, size_t bytes);

/* Lower-case hex SHA-256 of the bytes, 64 chars + NUL written to out. */
void bm_sha256_hex(const void *data, size_t len, char out[65]);

/* Parses a distance such as "30km", "30 km", "2500m", "12.5" (km when no
 * unit). Returns metres in *metres. */
bm_status bm_parse_distance(bm_ctx *ctx, const char *text, double *metres);

/* ---- shared data types --------------------------------------------------- */

/* How precisely a point stands for where something happened (after ACLED's
 * geo_precision, with a finer first step). */
typedef enum bm_precision {
    BM_PREC_EXACT = 1,    /* a named town, district or facility */
    BM_PREC_COUNTY = 2,   /* a county/city area, point is its seat */
    BM_PREC_PROVINCE = 3, /* a province, point is an interior point */
    BM_PREC_COUNTRY = 4,  /* a country */
    BM_PREC_UNKNOWN = 9
} bm_precision;
const char *bm_precision_name(bm_precision p); /* "town", "county", ... */

/* How precisely a date is known. Every dated incident also carries the
 * range of days it may mean (bm_incident.date_start/date_end); filters,
 * monthly panels and exports use that range. */
typedef enum bm_date_precision {
    BM_DATE_NONE = 0,  /* no date */
    BM_DATE_DAY,       /* YYYY-MM-DD */
    BM_DATE_MONTH,     /* YYYY-MM */
    BM_DATE_YEAR,      /* YYYY */
    BM_DATE_PERIOD,    /* part of a month ("early/mid/late June", "the
                          first half of June"): the date is YYYY-MM, the
                          range says which part (ACLED time_precision 2) */
    BM_DATE_SEASON,    /* a season ("last spring"): the date is the YYYY
                          of its first month, the range spans its months */
    BM_DATE_REPORTED   /* the text dates nothing: the date is the report's
                          (any ISO prefix) as the latest possible day; the
                          earliest is unknown (an open range) */
} bm_date_precision;
#define BM_DATE_PRECISION_LAST BM_DATE_REPORTED
/* "none", "day", "month", "year", "period", "season", "reported". */
const char *bm_date_precision_name(bm_date_precision p);
/* The precision named by bm_date_precision_name() (case-insensitive);
 * -1 when the name is unknown. */
int bm_date_precision_parse(const char *name);
/* True when s is an ISO date of a day, month or year: "YYYY-MM-DD" (day
 * 01..31), "YYYY-MM" (month 01..12) or "YYYY", digits only. */
int bm_date_valid(const char *s);
/* Days in the month (1..12) of the year, leap years counted; 0 for a
 * month out of range. */
int bm_days_in_month(int year, int month);
/* The range of days a date of this precision may mean when nothing more
 * is known: the first and last day of the period the date writes
 * ("2024-06" -> 2024-06-01 .. 2024-06-30; "2024" -> the year), written as
 * "YYYY-MM-DD" into start and end (11 bytes each). BM_DATE_REPORTED gives
 * an open start ("") and the last day of the date. The extractor knows
 * narrower ranges for BM_DATE_PERIOD and BM_DATE_SEASON and stores them
 * itself. Returns 0 (start and end "") when date is not bm_date_valid()
 * or p is BM_DATE_NONE. */
int bm_date_range(const char *date, bm_date_precision p, char start[11],
                  char end[11]);
/* A date's precision: p, or for a valid date stored without one (an
 * edited database, a hand-made file) the day, month or year its length
 * writes. */
bm_date_precision bm_date_precision_of(const char *date, bm_date_precision p);

/* Where an incident came from and whether a person has looked at it. */
typedef enum bm_incident_status {
    BM_STATUS_AUTO = 0, /* extracted by bordermap, not reviewed */
    BM_STATUS_REVIEWED, /* extracted, then checked (and maybe corrected) */
    BM_STATUS_MANUAL    /* entered by an analyst */
} bm_incident_status;
const char *bm_incident_status_name(bm_incident_status s); /* "auto", ... */
/* Parses "auto"/"reviewed"/"manual"; -1 when unknown. */
int bm_incident_status_parse(const char *text);

/* One incident as stored and exported. All strings owned by the struct
 * (release with bm_incident_clear()); any may be NULL except type. */
typedef struct bm_incident {
    int64_t id;            /* store row id; 0 before storing */
    int64_t report_id;     /* store row id of the report */
    char *report_title;    /* filled by the store on read */
    char *report_path;     /* file the report came from */
    char *report_source;   /* outlet ("Daily NK"); filled by the store */
    char *report_url;      /* filled by the store */
    char *type;            /* "arrest", "crackdown", "bribery", ... */
    char *date;            /* ISO 8601 prefix: "2024-01-07", "2024-01", ... */
    bm_date_precision date_precision;
    char *actor;           /* actors, canonical names joined with "; "
                              ("Ministry of State Security; border guards") */
    char *place_name;      /* the place as an analyst reads it */
    char *place_id;        /* gazetteer id ("gn:2044091") */
    char *country;         /* ISO 3166-1 alpha-2 of the place, "KP" */
    char *admin1;          /* province of the place */
    char *admin2;          /* county of the place */
    char *surface;         /* the place as the report wrote it */
    bm_precision precision;
    double lon, lat;       /* degrees, WGS 84 */
    char *sentence;        /* the evidence: the sentence it was read from */
    size_t sentence_offset; /* code point offset of the sentence in the body */
    char *evidence_more;   /* the other sentences of a merged incident (one
                              kind at one place told several times), in
                              text order, joined by "\n"; NULL when none */
    char *date_start;      /* earliest day it may have happened,
                              "YYYY-MM-DD"; NULL when undated or open
                              (BM_DATE_REPORTED) */
    char *date_end;        /* latest day, "YYYY-MM-DD"; NULL when undated */
    int is_main;           /* 1 for the report's main incident: the event
                              the report is about (one per report) */
    double confidence;     /* 0..1, how sure the extraction is */
    bm_incident_status status;
    char *created, *updated; /* ISO 8601 UTC timestamps; filled by the store */
} bm_incident;

void bm_incident_clear(bm_incident *inc);
/* The range of days an incident may mean: its own date_start/date_end
 * when date_end is a valid day, else what its date and precision mean
 * (bm_date_range() with bm_date_precision_of(): rows stored before ranges
 * were, imports, plain incidents). start is "" when the range is open.
 * Returns 0 (start and end "") when undated. */
int bm_incident_range(const bm_incident *inc, char start[11], char end[11]);
/* Deep copy; dst is overwritten (not cleared first). */
bm_status bm_incident_copy(bm_incident *dst, const bm_incident *src);


/* A layer of geometries read from a file (the basemap), in (lon, lat)
 * degrees. Polygons are rings (outer then holes, each part flagged);
 * lines and points are parts with 1..n vertices. Every feature may carry
 * a name and a numeric rank (scalerank, population) for labelling.
 * Owned by whoever built it; release with bm_layer_free(). */
typedef enum bm_geom_kind { BM_GEOM_POINT, BM_GEOM_LINE, BM_GEOM_POLYGON } bm_geom_kind;

typedef struct bm_part {
    size_t first;   /* index of the first vertex in bm_layer.xy (pairs) */
    size_t count;   /* vertices */
    size_t feature; /* index into the feature arrays */
    int hole;       /* polygon ring that is a hole */
} bm_part;

typedef struct bm_layer {
    char *name;
    bm_geom_kind kind;
    double *xy;           /* lon0, lat0, lon1, lat1, ... */
    size_t nvert;
    bm_part *parts;
    size_t nparts;
    char **feature_name;  /* per feature, may hold NULLs */
    double *feature_rank; /* per feature */
    size_t nfeatures;
    size_t cap_xy, cap_parts, cap_features; /* private: allocated sizes */
} bm_layer;

/* Caller owns (bm_layer_free(), which frees the struct too). */
bm_layer *bm_layer_new(const char *name, bm_geom_kind kind);
/* Appends a part; xy holds count (lon, lat) pairs. */
bm_status bm_layer_add_part(bm_layer *l, const double *xy, size_t count,
                            size_t feature, int hole);
/* Starts a new feature and returns its index in *index. name may be NULL. */
bm_status bm_layer_add_feature(bm_layer *l, const char *name, double rank,
                               size_t *index);
void bm_layer_free(bm_layer *l);

#ifdef __cplusplus
}
#endif
#endif
