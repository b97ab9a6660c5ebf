/*
 * cli.h - shared pieces of the bordermap command line. Only src/cli prints
 * or exits. Each subcommand lives in its own cmd_<name>.c and has the shape
 *     int cmd_<name>(bm_ctx *ctx, int argc, char **argv);
 * where argv[0] is the subcommand's name; it returns the process exit code.
 *
 * Exit codes (documented in README.md and `bordermap --help`; scripts rely
 * on them, so they never change meaning):
 *   0  success
 *   1  the work failed for some input: a report or file that cannot be
 *      read or is not a report, an unknown place, a missing incident, a
 *      feature that cannot be imported. In a batch the other inputs were
 *      still done.
 *   2  the command line was wrong (unknown option, bad value)
 *   3  the database: it cannot be opened, created or written (missing,
 *      not a database, damaged or truncated, read-only, busy beyond the
 *      timeout, the disk full while storing). What was stored before is
 *      kept; a report is stored whole or not at all.
 *   4  an output file (export, .qml, map) cannot be written: it exists and
 *      --force was not given, its folder cannot be made or written, the
 *      disk is full. An earlier file of that name is left as it was.
 * When several apply, the highest is returned.
 */
#ifndef BM_CLI_H
#define BM_CLI_H

#include "bm_core.h"
#include "bm_export.h"
#include "bm_geoparse.h"
#include "bm_render.h"
#include "bm_store.h"

#include <stdio.h>

enum {
    BM_EXIT_OK = 0,
    BM_EXIT_FAIL = 1,
    BM_EXIT_USAGE = 2,
    BM_EXIT_DB = 3,
    BM_EXIT_OUTPUT = 4
};

/* The exit-code table for --help texts. */
#define CLI_EXIT_CODES_HELP                                                  \
    "Exit codes: 0 success; 1 some input failed (the rest was done);\n"      \
    "2 wrong command line; 3 database error (cannot open, create or\n"       \
    "write it); 4 an output cannot be written (exists without --force,\n"   \
    "folder or disk).\n"

#define BM_DEFAULT_DB "out/bordermap.sqlite"

typedef enum cli_format { CLI_TEXT, CLI_JSON, CLI_JSONL } cli_format;

int cmd_ingest(bm_ctx *ctx, int argc, char **argv);
int cmd_geocode(bm_ctx *ctx, int argc, char **argv);
int cmd_geoparse(bm_ctx *ctx, int argc, char **argv);
int cmd_near(bm_ctx *ctx, int argc, char **argv);
int cmd_export(bm_ctx *ctx, int argc, char **argv);
int cmd_import(bm_ctx *ctx, int argc, char **argv);
int cmd_render(bm_ctx *ctx, int argc, char **argv);
int cmd_incident(bm_ctx *ctx, int argc, char **argv);
int cmd_stats(bm_ctx *ctx, int argc, char **argv);

/* ---- incident filters and output (cmd_incident.c), for near, incident,
 * stats ---- */
/* getopt_long values of the shared filter options. */
enum {
    CLI_OPT_SINCE = 1001, CLI_OPT_UNTIL, CLI_OPT_TYPE, CLI_OPT_ACTOR,
    CLI_OPT_PRECISION, CLI_OPT_STATUS
};
/* A store filter plus the storage of its --type list. Zero-initialise;
 * release with cli_filter_free(). */
/* The long options of the shared filters, for a getopt_long table; each
 * maps to the CLI_OPT_ value cli_filter_option() takes. --status is listed
 * apart because near does not take it. */
#define CLI_FILTER_OPTIONS                                                   \
    {"since", required_argument, NULL, CLI_OPT_SINCE},                       \
    {"until", required_argument, NULL, CLI_OPT_UNTIL},                       \
    {"type", required_argument, NULL, CLI_OPT_TYPE},                         \
    {"actor", required_argument, NULL, CLI_OPT_ACTOR},                       \
    {"precision", required_argument, NULL, CLI_OPT_PRECISION}
#define CLI_STATUS_OPTION {"status", required_argument, NULL, CLI_OPT_STATUS}

typedef struct cli_filter {
    bm_store_filter f;
    char **types;
    size_t ntypes, cap;
} cli_filter;
/* Applies one filter option (--type may be repeated or a comma list).
 * Returns 0, or an exit code after printing a usage error. */
int cli_filter_option(cli_filter *cf, int opt, const char *arg,
                      const char *cmd);
void cli_filter_free(cli_filter *cf);

enum { CLI_FMT_TABLE, CLI_FMT_JSON, CLI_FMT_GEOJSON, CLI_FMT_CSV };
/* "table" (or "text"), "json", "geojson", "csv"; -1 when unknown. */
int cli_parse_incident_format(const char *text);
/* One incident as a JSON object (caller owns); distance_m may be NULL. */
struct json_object *cli_incident_json(const bm_incident *in,
                                      const double *distance_m);
/* Prints incidents in a format. dist (may be NULL) holds a distance per
 * incident. json_head (consumed, may be NULL) is the object the json format
 * adds "count" and "incidents" to. The table format prints one line per
 * incident (near prints its own table). */
void cli_print_incidents(FILE *f, int format, struct json_object *json_head,
                         const bm_incident *const *in, const double *dist,
                         size_t n);
/* "42.44,129.75" -> lat, lon in degrees; 0 when it is not a point. */
int cli_parse_point(const char *s, double *lat, double *lon);
int cmd_eval(bm_ctx *ctx, int argc, char **argv);

/* Prints "bordermap: <message>" for the context's last error to stderr and
 * returns BM_EXIT_FAIL. */
int cli_fail(bm_ctx *ctx);
/* The same, returning code. */
int cli_fail_code(bm_ctx *ctx, int code);
/* After a store call failed: BM_EXIT_DB for a failure of the database
 * itself (BM_ERR_DB, _IO, _INPUT: damaged, _NOMEM), BM_EXIT_FAIL for one of
 * the request (an unknown incident, a bad filter). Prints the message. */
int cli_fail_db(bm_ctx *ctx);
/* Exit code for a store call's status, without printing. */
int cli_exit_for_store(bm_status s);

/* The options every command that writes files takes. --mode sets the
 * context's file mode; --force lets outputs replace existing files. */
#define CLI_OPT_MODE 1101
#define CLI_OPT_FORCE 1102
#define CLI_WRITE_OPTIONS_HELP                                               \
    "  --mode MODE        permissions of the files written (octal; default\n" \
    "                     0600, owner only, or $BORDERMAP_MODE)\n"
/* Parses a --mode value into the context; 0, or a usage error's code. */
int cli_set_mode(bm_ctx *ctx, const char *cmd, const char *text);
/* Before the work: refuses (BM_EXIT_OUTPUT, printed) when path exists and
 * --force was not given; 0 otherwise. */
int cli_check_output(bm_ctx *ctx, const char *path);
/* Prints "bordermap <cmd>: <message>" and a hint to use --help; returns
 * BM_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints and clears the context's warnings to stderr. */
void cli_flush_warnings(bm_ctx *ctx);

/* Parses --format values; returns -1 for an unknown one. allowed is a
 * mask of (1 << CLI_TEXT) | ... */
int cli_parse_format(const char *text, unsigned allowed);

/* Shows progress on stderr when it is a terminal (and not --quiet). */
void cli_enable_progress(bm_ctx *ctx, int quiet);

/* Makes the parent folder of path when it is missing (like mkdir -p of
 * dirname). 0 on success; on failure sets the ctx error. */
int cli_ensure_parent(bm_ctx *ctx, const char *path);

/* What --date and --source say about every report of a command. */
typedef struct cli_report_overrides {
    const char *date_arg;   /* NULL: none */
    char date_iso[11];
    bm_date_precision date_prec;
    const char *source;     /* NULL: none */
} cli_report_overrides;

/* Parses a --date value into ov; on a bad date prints the usage error for
 * cmd and returns BM_EXIT_USAGE, else 0. */
int cli_set_date_override(cli_report_overrides *ov, const char *cmd,
                          const char *text);

/* Loads the report at path, applies the overrides and finds its mentions
 * and incidents (with ex, made once for many reports; NULL makes one).
 * *r, *m and *inc are the caller's to free (also on failure, where they
 * may be partly filled). */
bm_status cli_geoparse_file(bm_ctx *ctx, const bm_gazetteer *gz,
                            bm_extractor *ex, const char *path,
                            const cli_report_overrides *ov, bm_report **r,
                            bm_mentions *m, bm_incidents *inc);

/* The GDAL/OGR functions, from the plugin loaded on first use (see
 * cli_plugin.c). NULL, with the context's error set, when it cannot be
 * loaded. The table is static. */
const bm_export_api *cli_ogr(bm_ctx *ctx);
/* The cairo/pango functions (bm_render), the same way. */
const bm_render_api *cli_render(bm_ctx *ctx);

/* Writes s as a JSON string literal (with quotes) to f. NULL -> null. */
void cli_json_string(FILE *f, const char *s);
/* An incident's date for people, with its precision: "2024-06-15",
 * "mid-June 2024", "June 2024", "spring 2024", "2024", "by 2024-06-15
 * (report)", "undated". Writes into buf (always NUL-terminated). */
void cli_date_label(const bm_incident *x, char *buf, size_t size);
/* The short form for tables: "2024-06 period", "2024-06-15 reported",
 * "undated" (returns buf, the date itself or a static string). */
const char *cli_date_short(const bm_incident *e, char *buf, size_t size);

#endif
