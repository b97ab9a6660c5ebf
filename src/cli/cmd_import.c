/*
 * cmd_import.c - `bordermap import PATH [--db FILE]`: reads incidents back
 * from an OGR point layer (the fields `export` writes) through the plugin.
 * Features whose id is stored update that incident (one audit row per
 * changed field; status reviewed); the others are added as manual
 * incidents. A feature that cannot be read is named and skipped.
 */
#include "bm_export.h"
#include "bm_store.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The event types the geoparser extracts and the styles know. */
static const char *const known_types[] = {
    "arrest",    "bribery",    "crackdown",    "defection", "detention",
    "execution", "inspection", "killing",      "lecture",   "meeting",
    "propaganda", "repatriation", "smuggling", "surveillance"};
#define N_KNOWN_TYPES (sizeof known_types / sizeof *known_types)

static void help(FILE *f)
{
    fprintf(f,
            "usage: bordermap import PATH [--db FILE]\n"
            "\n"
            "Reads incidents from a point layer (layer \"incidents\", else\n"
            "the first) of any file GDAL/OGR reads - GeoJSON, GPKG,\n"
            "FlatGeobuf, shapefile, ... - with the fields `bordermap export`\n"
            "writes (event_type is required; shapefile short names are\n"
            "accepted). Points in another CRS are reprojected to EPSG:4326.\n"
            "\n"
            "A feature whose id is stored updates that incident: the fields\n"
            "a feature sets (event_type, event_date, time_precision,\n"
            "date_start, date_end, place, place_id, admin1, admin2,\n"
            "country, geo_precision, actors, evidence, evidence_more,\n"
            "confidence, status, is_main and the point) replace the stored\n"
            "ones, each change gets an audit row, and an extracted incident\n"
            "becomes reviewed; an unchanged feature changes nothing. A\n"
            "feature without id (or with an id not stored) is added as a\n"
            "manual incident. report_title, outlet and url belong to the\n"
            "report and are not changed.\n"
            "\n"
            "date_start and date_end are the days the event may have\n"
            "happened (YYYY-MM-DD; date_start empty when only the latest day\n"
            "is known). A dated feature without them gets the days its\n"
            "event_date means (2024-06: 2024-06-01 to 2024-06-30); a feature\n"
            "whose date changes without them gets those of the new date.\n"
            "\n"
            "A feature without a point, without event_type or with an\n"
            "unknown one, or whose range is not days, runs backwards or lies\n"
            "outside its event_date, is named (file and id) and skipped; the\n"
            "rest still load, and the exit code is then 1.\n"
            "\n"
            "Known event types: arrest, bribery, crackdown, defection,\n"
            "detention, execution, inspection, killing, lecture, meeting,\n"
            "propaganda, repatriation, smuggling, surveillance.\n"
            "\n"
            "Options:\n"
            "  --db FILE   database (default " BM_DEFAULT_DB ")\n"
            "  -h, --help  this help\n");
}

static int same_str(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && strcmp(a, b) == 0;
}

/* A shapefile's text fields hold at most 254 bytes (dBase): a value of
 * nearly that length that begins the stored one is the stored one cut
 * short, not an edit. */
static int cut_short(const char *stored, const char *file)
{
    size_t n = file ? strlen(file) : 0;
    return stored && n >= 240 && n <= 254 && strlen(stored) > n &&
           strncmp(stored, file, n) == 0;
}

/* Replaces *dst by a copy of src when they differ; 1 when changed. */
static int take_str(char **dst, const char *src)
{
    if (same_str(*dst, src) || cut_short(*dst, src))
        return 0;
    free(*dst);
    *dst = src ? strdup(src) : NULL;
    return 1;
}

#define HAS(mask, f) (((mask) >> (f)) & 1u)

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* Gives e the range of in; the number of its ends that differ (the range
 * e had counts as its own when stored without one). */
static size_t take_range(bm_incident *e, const bm_incident *in)
{
    char es[11], ee[11], is[11], ie[11];
    bm_incident_range(e, es, ee);
    bm_incident_range(in, is, ie);
    size_t d = (strcmp(es, is) != 0) + (strcmp(ee, ie) != 0);
    if (d == 0)
        return 0;
    free(e->date_start);
    free(e->date_end);
    e->date_start = dup_or_null(is);
    e->date_end = dup_or_null(ie);
    return d;
}

/* Merges the file's fields into the stored incident e; number of fields
 * that differ. */
static size_t merge(bm_incident *e, const bm_incident *in, unsigned mask)
{
    size_t d = 0;
    d += take_str(&e->type, in->type);
    size_t dated = 0;
    if (HAS(mask, BM_EXPORT_F_EVENT_DATE))
        dated += take_str(&e->date, in->date);
    if (HAS(mask, BM_EXPORT_F_TIME_PRECISION) &&
        e->date_precision != in->date_precision) {
        e->date_precision = in->date_precision;
        dated++;
    }
    d += dated;
    /* The range: the file's when it has one; else, when the date changed,
     * the one the new date means (the reader filled it in); else the
     * stored one stays (a narrower "mid-June" survives a file without
     * ranges). */
    if (HAS(mask, BM_EXPORT_F_DATE_START) || HAS(mask, BM_EXPORT_F_DATE_END) ||
        dated)
        d += take_range(e, in);
    if (HAS(mask, BM_EXPORT_F_IS_MAIN) && !e->is_main != !in->is_main) {
        e->is_main = in->is_main ? 1 : 0;
        d++;
    }
    if (HAS(mask, BM_EXPORT_F_PLACE))
        d += take_str(&e->place_name, in->place_name);
    if (HAS(mask, BM_EXPORT_F_PLACE_ID))
        d += take_str(&e->place_id, in->place_id);
    if (HAS(mask, BM_EXPORT_F_ADMIN1))
        d += take_str(&e->admin1, in->admin1);
    if (HAS(mask, BM_EXPORT_F_ADMIN2))
        d += take_str(&e->admin2, in->admin2);
    if (HAS(mask, BM_EXPORT_F_COUNTRY))
        d += take_str(&e->country, in->country);
    if (HAS(mask, BM_EXPORT_F_GEO_PRECISION) && e->precision != in->precision) {
        e->precision = in->precision;
        d++;
    }
    if (HAS(mask, BM_EXPORT_F_ACTORS))
        d += take_str(&e->actor, in->actor);
    if (HAS(mask, BM_EXPORT_F_EVIDENCE))
        d += take_str(&e->sentence, in->sentence);
    if (HAS(mask, BM_EXPORT_F_EVIDENCE_MORE))
        d += take_str(&e->evidence_more, in->evidence_more);
    if (HAS(mask, BM_EXPORT_F_CONFIDENCE) &&
        fabs(e->confidence - in->confidence) > 1e-9) {
        e->confidence = in->confidence;
        d++;
    }
    /* GeoJSON keeps 7 decimals (about 1 cm): closer than that is the same
     * point. */
    if (fabs(e->lon - in->lon) > 5e-7 || fabs(e->lat - in->lat) > 5e-7) {
        e->lon = in->lon;
        e->lat = in->lat;
        d++;
    }
    if (HAS(mask, BM_EXPORT_F_STATUS) && e->status != in->status) {
        e->status = in->status;
        d++;
    }
    return d;
}

int cmd_import(bm_ctx *ctx, int argc, char **argv)
{
    const char *db = BM_DEFAULT_DB;
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h': help(stdout); return BM_EXIT_OK;
        default:
            return cli_usage_error("import", "unknown option or missing "
                                   "value: '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("import", "no file given");
    if (optind + 1 < argc)
        return cli_usage_error("import", "unexpected argument '%s'",
                               argv[optind + 1]);
    const char *path = argv[optind];

    const bm_export_api *ogr = cli_ogr(ctx);
    if (!ogr)
        return cli_fail(ctx);
    bm_incident *items = NULL;
    size_t n = 0, skipped = 0;
    unsigned *masks = NULL;
    if (ogr->read_incidents(ctx, path, known_types, N_KNOWN_TYPES, &items, &n,
                            &skipped, &masks) != BM_OK) {
        cli_flush_warnings(ctx);
        return cli_fail(ctx);
    }
    cli_flush_warnings(ctx);

    bm_store *st = NULL;
    int rc = BM_EXIT_OK;
    size_t updated = 0, unchanged = 0, added = 0, failed = 0;
    size_t db_failed = 0;
    if (bm_store_open_existing(ctx, db, 0, &st) != BM_OK) {
        rc = cli_fail_code(ctx, BM_EXIT_DB);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const bm_incident *in = &items[i];
        bm_incident e;
        memset(&e, 0, sizeof e);
        int exists = in->id > 0 && bm_store_get_incident(st, in->id, &e) ==
                                       BM_OK;
        if (exists) {
            if (merge(&e, in, masks[i]) == 0) {
                unchanged++;
            } else {
                if (e.status == BM_STATUS_AUTO)
                    e.status = BM_STATUS_REVIEWED; /* a person changed it */
                size_t changed = 0;
                if (bm_store_update_incident(st, &e, "import", &changed) !=
                    BM_OK) {
                    fprintf(stderr, "bordermap: %s: feature id %lld: %s\n",
                            path, (long long)in->id, bm_ctx_error(ctx));
                    failed++;
                    if (cli_exit_for_store(bm_ctx_status(ctx)) == BM_EXIT_DB)
                        db_failed++;
                } else {
                    printf("updated incident %lld: %zu field%s changed\n",
                           (long long)in->id, changed,
                           changed == 1 ? "" : "s");
                    updated++;
                }
            }
        } else {
            bm_incident_clear(&e);
            if (bm_incident_copy(&e, in) != BM_OK) {
                fprintf(stderr, "bordermap: out of memory\n");
                failed++;
                bm_incident_clear(&e);
                continue;
            }
            e.id = 0;
            e.report_id = 0;
            e.status = BM_STATUS_MANUAL;
            int64_t new_id = 0;
            if (bm_store_add_incident(st, &e, "import", &new_id) != BM_OK) {
                fprintf(stderr, "bordermap: %s: feature %zu: %s\n", path,
                        i + 1, bm_ctx_error(ctx));
                failed++;
                if (cli_exit_for_store(bm_ctx_status(ctx)) == BM_EXIT_DB)
                    db_failed++;
            } else {
                if (in->id > 0)
                    printf("added incident %lld (id %lld in the file is not "
                           "stored)\n", (long long)new_id, (long long)in->id);
                else
                    printf("added incident %lld: %s at %s\n",
                           (long long)new_id, e.type,
                           e.place_name ? e.place_name : "?");
                added++;
            }
        }
        bm_incident_clear(&e);
    }
    printf("%s: %zu feature%s read, %zu updated, %zu unchanged, %zu added, "
           "%zu skipped, %zu failed\n", path, n + skipped,
           n + skipped == 1 ? "" : "s", updated, unchanged, added, skipped,
           failed);
    if (db_failed)
        rc = BM_EXIT_DB;
    else if (skipped || failed)
        rc = BM_EXIT_FAIL;
done:
    bm_store_free(st);
    ogr->free_incidents(items, n);
    free(masks);
    return rc;
}
