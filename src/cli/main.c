/*
 * main.c - `bordermap`, git-style subcommands.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    int (*fn)(bm_ctx *, int, char **);
    const char *summary;
} commands[] = {
    {"ingest", cmd_ingest, "read reports, find places and incidents, store them"},
    {"geocode", cmd_geocode, "look names up in the gazetteer"},
    {"geoparse", cmd_geoparse, "show the places and incidents found in reports"},
    {"near", cmd_near, "incidents within a radius of a town or point"},
    {"incident", cmd_incident, "list, show, add, edit or delete incidents"},
    {"stats", cmd_stats, "count incidents by province, county, type, month"},
    {"export", cmd_export, "write incidents as GeoJSON, GPKG, KML, CSV, FlatGeobuf, SHP"},
    {"import", cmd_import, "read incidents back from a GIS file (GeoJSON, GPKG, ...)"},
    {"render", cmd_render, "draw a briefing map (PNG, PDF or SVG)"},
    {"eval", cmd_eval, "score the geoparser against gold annotations"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bordermap [--data-dir DIR] <command> [options] [args]\n"
            "\n"
            "Turns reports about North Korea's borders with China and Russia\n"
            "into evidence on a map.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\n"
            "Options:\n"
            "  --data-dir DIR  folder holding gazetteer/ and styles/\n"
            "                  (default: $BORDERMAP_DATA, else the installed or\n"
            "                  source-tree data)\n"
            "  --mode MODE     permissions of every file written (octal,\n"
            "                  default 0600: owner only; or $BORDERMAP_MODE)\n"
            "  --version       print the version\n"
            "  -h, --help      this help; 'bordermap <command> --help' for a "
            "command's\n"
            "\n"
            "A typical session:\n"
            "  bordermap ingest samples/\n"
            "  bordermap near Hoeryong --radius 30km\n"
            "  bordermap export -o out/incidents.geojson\n"
            "  bordermap render -o out/map.png\n"
            "\n"
            "The default database is " BM_DEFAULT_DB ". Files bordermap\n"
            "writes (the database and its -wal/-shm, exports, maps) are\n"
            "readable by their owner only unless --mode says otherwise, and\n"
            "export and render never replace a file without --force.\n"
            "\n" CLI_EXIT_CODES_HELP);
}

/* A new context with the program's file policy: the mode from --mode or
 * $BORDERMAP_MODE (already checked), no replacing of outputs. */
static bm_ctx *new_ctx(const char *data_dir, int mode)
{
    bm_ctx *ctx = bm_ctx_new(data_dir);
    if (ctx) {
        bm_ctx_set_file_mode(ctx, (unsigned)mode);
        bm_ctx_set_replace(ctx, 0);
    }
    return ctx;
}

int main(int argc, char **argv)
{
    const char *data_dir = NULL;
    /* A file size limit (ulimit -f) must fail a write with EFBIG, which is
     * reported like a full disk, rather than kill the process. */
    signal(SIGXFSZ, SIG_IGN);
    int mode = BM_DEFAULT_FILE_MODE;
    const char *env_mode = getenv("BORDERMAP_MODE");
    if (env_mode && *env_mode && (mode = bm_parse_file_mode(env_mode)) < 0) {
        fprintf(stderr, "bordermap: BORDERMAP_MODE=%s is not a file mode "
                "(octal, at most 0777, owner read and write: 0600, 0644)\n",
                env_mode);
        return BM_EXIT_USAGE;
    }
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("bordermap %s\n", BM_VERSION);
            printf("Data: place names GeoNames (geonames.org, CC BY 4.0); "
                   "Natural Earth (public domain);\n"
                   "GSHHG/WDBII (LGPL-3+); Debian iso-codes (LGPL-2.1+). "
                   "See gazetteer/ATTRIBUTION.\n");
            return BM_EXIT_OK;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return BM_EXIT_OK;
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (strncmp(argv[i], "--data-dir=", 11) == 0) {
            data_dir = argv[i] + 11;
        } else if ((strcmp(argv[i], "--mode") == 0 && i + 1 < argc) ||
                   strncmp(argv[i], "--mode=", 7) == 0) {
            const char *m = argv[i][6] == '=' ? argv[i] + 7 : argv[++i];
            if ((mode = bm_parse_file_mode(m)) < 0) {
                fprintf(stderr, "bordermap: --mode '%s' is not a file mode "
                        "(octal, at most 0777, owner read and write: 0600, "
                        "0644)\n", m);
                return BM_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "bordermap: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return BM_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return BM_EXIT_USAGE;
    }
    /* Anything created along the way (by SQLite, GDAL, cairo) gets no more
     * than the mode; bordermap's own files get exactly it. */
    umask(0777u & ~bm_dir_mode((unsigned)mode));
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 < argc) { /* bordermap help ingest */
            name = argv[i + 1];
            for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
                if (strcmp(commands[k].name, name) == 0) {
                    char *av[] = {argv[i + 1], "--help", NULL};
                    bm_ctx *ctx = new_ctx(data_dir, mode);
                    int rc = commands[k].fn(ctx, 2, av);
                    bm_ctx_free(ctx);
                    return rc;
                }
        } else {
            usage(stdout);
            return BM_EXIT_OK;
        }
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(commands[k].name, name) != 0)
            continue;
        bm_ctx *ctx = new_ctx(data_dir, mode);
        if (!ctx) {
            fprintf(stderr, "bordermap: out of memory\n");
            return BM_EXIT_FAIL;
        }
        int rc = commands[k].fn(ctx, argc - i, argv + i);
        bm_ctx_free(ctx);
        return rc;
    }
    fprintf(stderr, "bordermap: '%s' is not a command. See 'bordermap --help'.\n",
            name);
    return BM_EXIT_USAGE;
}
