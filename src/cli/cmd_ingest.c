/*
 * cmd_ingest.c - `bordermap ingest [--db FILE] PATH...`
 */
#include "bm_gazetteer.h"
#include "bm_geoparse.h"
#include "bm_store.h"
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap ingest [--db FILE] [--format text|json] [--force] [-q] "
            "PATH...\n"
            "\n"
            "Reads reports (.txt files, or folders searched recursively for\n"
            "them), finds the places and incidents in each and stores them.\n"
            "Both report layouts are read: a title on the first line followed\n"
            "by the text, or a header block (Title:, Source:, URL:, Date:)\n"
            "followed by a blank line and the text.\n"
            "\n"
            "A report already stored (same text) is skipped; with --force it\n"
            "is read again: its place mentions and its automatically found\n"
            "(auto) incidents are replaced, while incidents an analyst\n"
            "reviewed, edited or entered by hand stay as they are, and ones\n"
            "an analyst deleted are not brought back. Each report is stored\n"
            "whole or not at all (one transaction), so an interrupted ingest\n"
            "leaves no partial report, and two ingests may run at once. A\n"
            "bad file is named and skipped and the rest of the batch goes on\n"
            "(the exit code is then 1). A report larger than 8 MiB, a binary\n"
            "file (NUL bytes), a file that is not UTF-8, a FIFO or device, or\n"
            "an empty report is refused; a folder reached again through a\n"
            "symbolic link is not searched twice. When the database refuses a\n"
            "report (disk full, read-only, damaged) the exit code is 3; what\n"
            "it held before stays.\n"
            "\n"
            "Options:\n"
            "  --db FILE        database (default " BM_DEFAULT_DB
            ", created when missing)\n"
            "  --format FORMAT  text (default) or json\n"
            "  --force          re-read reports already stored (see above)\n"
            "  --date DATE      publication date for every report given\n"
            "                   (2024-01-18, 2024-01, \"Jan. 18, 2024\");\n"
            "                   overrides a Date: line; relative dates in the\n"
            "                   text (\"last Thursday\") are read against it\n"
            "  --source OUTLET  outlet for every report given (\"Daily NK\")\n"
            "  --mode MODE      permissions of a database this creates (octal;\n"
            "                   default 0600, owner only, or $BORDERMAP_MODE)\n"
            "  -q, --quiet      no progress\n"
            "  -h, --help       this help\n"
            "\n" CLI_EXIT_CODES_HELP);
}

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list;

static int list_add(file_list *l, const char *path)
{
    char **p = bm_grow(l->paths, &l->cap, l->n + 1, sizeof *p);
    if (!p)
        return -1;
    l->paths = p;
    if (!(l->paths[l->n] = strdup(path)))
        return -1;
    l->n++;
    return 0;
}

static int ends_with_txt(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folders being searched, from the top one down: a folder reached
 * again through a symbolic link is a loop and is not searched twice. */
typedef struct dir_chain {
    dev_t dev;
    ino_t ino;
    const struct dir_chain *up;
} dir_chain;

/* Adds path (a file, or every .txt under a folder, sorted). Problems are
 * recorded as warnings so the batch goes on; *problems counts the paths
 * that could not be searched (they make the exit code 1). */
static void collect(bm_ctx *ctx, const char *path, file_list *l, int top,
                    const dir_chain *up, size_t *problems)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        int e = errno;
        /* An explicit path, or a .txt in a folder, that cannot be reached
         * (missing, a dangling link, a link loop: ELOOP) is listed, so that
         * reading it fails with the reason and counts as failed. */
        if (top || ends_with_txt(path)) {
            list_add(l, path);
        } else {
            bm_ctx_warn(ctx, "%s: skipped: %s", path, strerror(e));
            ++*problems;
        }
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (top || ends_with_txt(path))
            list_add(l, path);
        return;
    }
    for (const dir_chain *c = up; c; c = c->up)
        if (c->dev == sb.st_dev && c->ino == sb.st_ino) {
            bm_ctx_warn(ctx, "%s: skipped: a symbolic link loop (this folder "
                        "is already being searched)", path);
            ++*problems;
            return;
        }
    dir_chain here_link = {sb.st_dev, sb.st_ino, up};
    DIR *d = opendir(path);
    if (!d) {
        bm_ctx_warn(ctx, "%s: cannot open folder: %s", path, strerror(errno));
        ++*problems;
        return;
    }
    file_list here = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        bm_buf b = {0};
        size_t plen = strlen(path);
        while (plen > 1 && path[plen - 1] == '/')
            plen--;
        bm_buf_printf(&b, "%.*s/%s", (int)plen, path, e->d_name);
        if (b.data)
            list_add(&here, b.data);
        bm_buf_free(&b);
    }
    closedir(d);
    if (here.n) /* an empty folder has no array at all */
        qsort(here.paths, here.n, sizeof *here.paths, cmp_str);
    for (size_t i = 0; i < here.n; i++) {
        struct stat s2;
        if (stat(here.paths[i], &s2) != 0 || S_ISDIR(s2.st_mode) ||
            ends_with_txt(here.paths[i]))
            collect(ctx, here.paths[i], l, 0, &here_link, problems);
        free(here.paths[i]);
    }
    free(here.paths);
}

int cmd_ingest(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB;
    int format = CLI_TEXT, quiet = 0, force = 0;
    cli_report_overrides ov = {0};
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"force", no_argument, NULL, 'F'},
        {"date", required_argument, NULL, 'D'},
        {"source", required_argument, NULL, 'S'},
        {"mode", required_argument, NULL, CLI_OPT_MODE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
            if ((format = cli_parse_format(optarg, 1u << CLI_TEXT |
                                                       1u << CLI_JSON)) < 0)
                return cli_usage_error("ingest", "unknown format '%s' "
                                       "(text or json)", optarg);
            break;
        case 'q': quiet = 1; break;
        case 'F': force = 1; break;
        case 'D':
            if (cli_set_date_override(&ov, "ingest", optarg))
                return BM_EXIT_USAGE;
            break;
        case 'S': ov.source = optarg; break;
        case CLI_OPT_MODE:
            if (cli_set_mode(ctx, "ingest", optarg))
                return BM_EXIT_USAGE;
            break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("ingest", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("ingest", "no reports given");

    cli_enable_progress(ctx, quiet || format == CLI_JSON);
    file_list files = {0};
    size_t problems = 0;
    for (int i = optind; i < argc; i++)
        collect(ctx, argv[i], &files, 1, NULL, &problems);
    cli_flush_warnings(ctx);
    if (files.n == 0) {
        fprintf(stderr, "bordermap ingest: no .txt reports found\n");
        free(files.paths);
        return BM_EXIT_FAIL;
    }

    bm_gazetteer *gz = NULL;
    bm_store *st = NULL;
    bm_extractor *ex = bm_extractor_new();
    int open_rc = BM_EXIT_OK;
    if (!ex) {
        fprintf(stderr, "bordermap: out of memory\n");
        open_rc = BM_EXIT_FAIL;
    } else if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK)
        open_rc = cli_fail(ctx);
    else if (cli_ensure_parent(ctx, db) != 0 ||
             bm_store_open(ctx, db, &st) != BM_OK)
        open_rc = cli_fail_code(ctx, BM_EXIT_DB);
    if (open_rc != BM_EXIT_OK) {
        int rc = open_rc;
        bm_extractor_free(ex);
        bm_gazetteer_free(gz);
        for (size_t i = 0; i < files.n; i++)
            free(files.paths[i]);
        free(files.paths);
        return rc;
    }

    size_t stored = 0, dups = 0, failed = 0, total_inc = 0, refreshed = 0;
    size_t db_failed = 0; /* of failed: refused by the database */
    if (format == CLI_JSON)
        printf("{\"database\": ");
    if (format == CLI_JSON) {
        cli_json_string(stdout, db);
        printf(", \"files\": [");
    }
    for (size_t i = 0; i < files.n; i++) {
        const char *path = files.paths[i];
        bm_ctx_progress(ctx, "ingest", i, files.n, path);
        bm_report *r = NULL;
        bm_mentions m = {0};
        bm_incidents inc = {0};
        int64_t rid = 0;
        bm_store_added added;
        memset(&added, 0, sizeof added);
        bm_store_mention *sm = NULL;
        bm_status s = cli_geoparse_file(ctx, gz, ex, path, &ov, &r, &m, &inc);
        if (s == BM_OK) {
            bm_store_report sr = {r->sha256, r->path, r->title, r->source,
                                  r->url, r->date, r->date_precision,
                                  r->body};
            sm = calloc(m.count ? m.count : 1, sizeof *sm);
            if (!sm)
                s = bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", path);
            for (size_t k = 0; sm && k < m.count; k++) {
                const bm_mention *mk = &m.items[k];
                sm[k].start = mk->start;
                sm[k].end = mk->end;
                sm[k].surface = mk->surface;
                sm[k].place_id = mk->place ? mk->place->id : NULL;
                sm[k].place_name = mk->place ? mk->place->name : NULL;
                sm[k].has_point = mk->has_point;
                sm[k].lon = mk->lon;
                sm[k].lat = mk->lat;
                sm[k].confidence = mk->confidence;
                sm[k].reason = mk->reason;
            }
            if (sm) {
                s = bm_store_add_report2(st, &sr, sm, m.count, inc.items,
                                         inc.count, force, &added);
                if (cli_exit_for_store(s) == BM_EXIT_DB)
                    db_failed++;
            }
            rid = added.report_id;
        }
        const char *status = s == BM_OK ? (added.replaced ? "refreshed"
                                                          : "stored")
                             : s == BM_ERR_DUPLICATE ? "already stored"
                                                     : "failed";
        if (s == BM_OK && added.replaced) {
            refreshed++;
            total_inc += added.added;
        } else if (s == BM_OK) {
            stored++;
            total_inc += added.added;
        } else if (s == BM_ERR_DUPLICATE) {
            dups++;
        } else {
            failed++;
        }
        if (format == CLI_JSON) {
            printf("%s\n  {\"path\": ", i ? "," : "");
            cli_json_string(stdout, path);
            printf(", \"status\": \"%s\"", status);
            if (s == BM_OK || s == BM_ERR_DUPLICATE) {
                printf(", \"report_id\": %lld, \"title\": ", (long long)rid);
                cli_json_string(stdout, r->title);
                printf(", \"places\": %zu", m.count);
            }
            if (s == BM_OK) {
                printf(", \"incidents\": [");
                for (size_t k = 0; k < inc.count; k++) {
                    printf("%s{\"type\": ", k ? ", " : "");
                    cli_json_string(stdout, inc.items[k].type);
                    printf(", \"place\": ");
                    cli_json_string(stdout, inc.items[k].place_name);
                    printf(", \"date\": ");
                    cli_json_string(stdout, inc.items[k].date);
                    printf("}");
                }
                printf("]");
            }
            if (s != BM_OK && s != BM_ERR_DUPLICATE) {
                printf(", \"error\": ");
                cli_json_string(stdout, bm_ctx_error(ctx));
            }
            printf("}");
        } else if (s == BM_OK && added.replaced) {
            printf("refreshed %s: report %lld, %zu auto incident%s replaced "
                   "by %zu, %zu reviewed or manual kept\n", path,
                   (long long)rid, added.removed,
                   added.removed == 1 ? "" : "s", added.added, added.kept);
        } else if (s == BM_OK) {
            printf("stored   %s: %zu place mention%s, %zu incident%s", path,
                   m.count, m.count == 1 ? "" : "s", inc.count,
                   inc.count == 1 ? "" : "s");
            /* the main incident first, marked; then the others */
            for (size_t k = 0; k < inc.count && k < 4; k++)
                printf("%s%s%s in %s", k ? ", " : " (",
                       inc.items[k].is_main ? "main: " : "",
                       inc.items[k].type,
                       inc.items[k].place_name ? inc.items[k].place_name : "?");
            printf("%s\n", inc.count ? (inc.count > 4 ? ", ...)" : ")") : "");
        } else if (s == BM_ERR_DUPLICATE) {
            printf("skipped  %s: already stored (report %lld)\n", path,
                   (long long)rid);
        } else {
            fprintf(stderr, "bordermap: %s\n", bm_ctx_error(ctx));
        }
        cli_flush_warnings(ctx);
        free(sm);
        bm_incidents_free(&inc);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    bm_ctx_progress(ctx, "ingest", files.n, files.n, "");
    size_t nrep = 0, ninc = 0;
    if (bm_store_count(st, &nrep, &ninc) != BM_OK) {
        fprintf(stderr, "bordermap: %s\n", bm_ctx_error(ctx));
        db_failed++;
    }
    if (format == CLI_JSON)
        printf("\n], \"stored\": %zu, \"already_stored\": %zu, \"failed\": %zu, "
               "\"refreshed\": %zu, "
               "\"new_incidents\": %zu, \"reports_in_db\": %zu, "
               "\"incidents_in_db\": %zu}\n",
               stored, dups, failed, refreshed, total_inc, nrep, ninc);
    else
        printf("%zu stored, %zu already stored, %zu failed", stored, dups,
               failed);
    if (format != CLI_JSON && refreshed)
        printf(", %zu refreshed", refreshed);
    if (format != CLI_JSON)
        printf("; %s now holds %zu report%s and %zu incident%s\n", db,
               nrep, nrep == 1 ? "" : "s", ninc, ninc == 1 ? "" : "s");

    bm_store_free(st);
    bm_extractor_free(ex);
    bm_gazetteer_free(gz);
    for (size_t i = 0; i < files.n; i++)
        free(files.paths[i]);
    free(files.paths);
    return db_failed ? BM_EXIT_DB
           : failed || problems ? BM_EXIT_FAIL
                                : BM_EXIT_OK;
}
