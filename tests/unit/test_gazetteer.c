/*
 * test_gazetteer.c - the gazetteer: loading, lookup ranking, designators,
 * points and their precision, errors.
 *
 * Reference points are the towns' published coordinates (degrees, WGS 84);
 * distances are kilometres (great circle).
 */
#include "bm_gazetteer.h"
#include "bm_test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Great-circle distance in km between (lat1, lon1) and (lat2, lon2). */
static double km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088, d2r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) *
                   sin(dlon / 2);
    return 2 * r * asin(sqrt(a));
}

/* Looks name up; checks the top candidate's kind and that its point lies
 * within tol_km of (lat, lon). Returns the top place or NULL. */
static const bm_place *expect(bm_ctx *ctx, const bm_gazetteer *gz,
                              const char *name, bm_place_kind kind,
                              double lat, double lon, double tol_km,
                              bm_precision *prec_out)
{
    bm_candidate c[8];
    size_t n = 0;
    bm_status st = bm_gazetteer_lookup(ctx, gz, name, c, 8, &n);
    if (st != BM_OK || n == 0) {
        fprintf(stderr, "lookup '%s' failed: %s (%s)\n", name,
                bm_status_name(st), bm_ctx_error(ctx));
        CHECK(!"lookup failed");
        return NULL;
    }
    const bm_place *p = c[0].place;
    if (p->kind != kind)
        fprintf(stderr, "'%s' -> %s %s is a %s, expected %s\n", name, p->id,
                p->name, bm_place_kind_name(p->kind),
                bm_place_kind_name(kind));
    CHECK(p->kind == kind);
    double plon = 0, plat = 0;
    bm_precision prec = BM_PREC_UNKNOWN;
    CHECK(bm_gazetteer_point(gz, p, &plon, &plat, &prec) == BM_OK);
    double d = km(plat, plon, lat, lon);
    if (d > tol_km)
        fprintf(stderr, "'%s' -> %s %s at %.4f,%.4f: %.1f km off\n", name,
                p->id, p->name, plat, plon, d);
    CHECK(d <= tol_km);
    if (prec_out)
        *prec_out = prec;
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        CHECK(!"cannot write test file");
        return;
    }
    fputs(text, f);
    fclose(f);
}

#define PLACES_HDR                                                          \
    "id\tname\tascii_name\tname_ko\tkind\tfeature_code\tcountry\tadmin1\t" \
    "admin2\tseat_of\tseat_id\tpopulation\tlat\tlon\tin_region\tsource\t" \
    "license\n"
#define NAMES_HDR "place_id\tname\tlang\n"

static void test_real_data(bm_ctx *ctx)
{
    bm_gazetteer *gz = NULL;
    double t0 = now_ms();
    bm_status st = bm_gazetteer_open(ctx, NULL, &gz);
    double t1 = now_ms();
    if (st != BM_OK)
        fprintf(stderr, "open: %s\n", bm_ctx_error(ctx));
    CHECK(st == BM_OK);
    if (!gz)
        return;
    printf("loaded %zu places in %.1f ms\n", bm_gazetteer_count(gz), t1 - t0);
    CHECK(bm_gazetteer_count(gz) > 8000);

    bm_precision prec;
    const bm_place *p;

    p = expect(ctx, gz, "Hoeryong", BM_KIND_TOWN, 42.441, 129.746, 3, &prec);
    CHECK(prec == BM_PREC_EXACT);
    if (p)
        CHECK_STR(p->id, "gn:2044091");
    expect(ctx, gz, "Hoeryŏng", BM_KIND_TOWN, 42.441, 129.746, 3, NULL);
    expect(ctx, gz, "HOERYONG", BM_KIND_TOWN, 42.441, 129.746, 3, NULL);
    expect(ctx, gz, "회령", BM_KIND_TOWN, 42.441, 129.746, 3, NULL);
    expect(ctx, gz, "Huiryeong", BM_KIND_TOWN, 42.441, 129.746, 3, NULL);

    /* A designator asks for the county; its point is the seat's. */
    p = expect(ctx, gz, "Onsong County", BM_KIND_COUNTY, 42.957, 129.993, 3,
               &prec);
    CHECK(prec == BM_PREC_COUNTY);
    if (p) {
        CHECK_STR(p->id, "adm2:KP.17.2042268");
        const bm_place *seat = bm_gazetteer_get(gz, p->seat_id);
        CHECK(seat != NULL);
        if (seat) {
            CHECK(seat->kind == BM_KIND_TOWN);
            CHECK_NEAR(seat->lat, p->lat, 1e-6);
            CHECK_NEAR(seat->lon, p->lon, 1e-6);
            CHECK_STR(seat->seat_of, p->id);
        }
    }
    expect(ctx, gz, "Onsŏng-gun", BM_KIND_COUNTY, 42.957, 129.993, 3, NULL);
    expect(ctx, gz, "Onsong", BM_KIND_TOWN, 42.957, 129.993, 3, NULL);
    expect(ctx, gz, "Musan county", BM_KIND_COUNTY, 42.226, 129.208, 3,
           &prec);
    CHECK(prec == BM_PREC_COUNTY);
    expect(ctx, gz, "Musan", BM_KIND_TOWN, 42.226, 129.208, 3, NULL);
    expect(ctx, gz, "Musan-up", BM_KIND_TOWN, 42.226, 129.208, 3, NULL);
    /* County asked for by a spelling only its seat town has. */
    expect(ctx, gz, "Hoiryong County", BM_KIND_COUNTY, 42.441, 129.746, 3,
           NULL);

    /* Rason is a province-level city: its point is an interior point of
     * the city's area, ~20 km from Rajin, its seat. */
    expect(ctx, gz, "Rason", BM_KIND_PROVINCE, 42.256, 130.283, 30, &prec);
    CHECK(prec == BM_PREC_PROVINCE);
    expect(ctx, gz, "Rajin-Sonbong", BM_KIND_PROVINCE, 42.256, 130.283, 30,
           NULL);
    expect(ctx, gz, "Hyesan", BM_KIND_TOWN, 41.402, 128.178, 3, NULL);
    expect(ctx, gz, "Hyesan City", BM_KIND_TOWN, 41.402, 128.178, 3, NULL);
    expect(ctx, gz, "Namyang", BM_KIND_TOWN, 42.951, 129.859, 3, NULL);
    expect(ctx, gz, "Shinuiju", BM_KIND_TOWN, 40.101, 124.398, 3, NULL);
    expect(ctx, gz, "Beijing", BM_KIND_TOWN, 39.907, 116.397, 5, NULL);
    expect(ctx, gz, "Vladivostok", BM_KIND_TOWN, 43.106, 131.874, 5, NULL);

    /* Provinces: the point is an interior point, within ~60 km of the
     * provincial capital (Chongjin, Hyesan). */
    p = expect(ctx, gz, "North Hamgyong Province", BM_KIND_PROVINCE, 41.796,
               129.776, 60, &prec);
    CHECK(prec == BM_PREC_PROVINCE);
    if (p)
        CHECK_STR(p->id, "adm1:KP.17");
    p = expect(ctx, gz, "Ryanggang Province", BM_KIND_PROVINCE, 41.402,
               128.178, 60, NULL);
    if (p)
        CHECK_STR(p->id, "adm1:KP.13");
    expect(ctx, gz, "Yangkang", BM_KIND_PROVINCE, 41.402, 128.178, 60, NULL);
    expect(ctx, gz, "North Hamkyung", BM_KIND_PROVINCE, 41.796, 129.776, 60,
           NULL);

    /* A renamed county without coordinates: the province stands in, and
     * the precision says so. */
    p = expect(ctx, gz, "Huchang County", BM_KIND_COUNTY, 41.402, 128.178,
               80, &prec);
    CHECK(prec == BM_PREC_PROVINCE);
    if (p) {
        CHECK_STR(p->id, "adm2:KP.13.2044027");
        CHECK(!p->has_coords);
    }

    p = expect(ctx, gz, "North Korea", BM_KIND_COUNTRY, 40.0, 127.0, 1,
               &prec);
    CHECK(prec == BM_PREC_COUNTRY);
    expect(ctx, gz, "DPRK", BM_KIND_COUNTRY, 40.0, 127.0, 1, NULL);
    expect(ctx, gz, "China", BM_KIND_COUNTRY, 35.0, 105.0, 1, NULL);

    /* Ranking is deterministic and scored best first. */
    bm_candidate a[16], b[16];
    size_t na = 0, nb = 0;
    CHECK(bm_gazetteer_lookup(ctx, gz, "Onsong County", a, 16, &na) == BM_OK);
    CHECK(bm_gazetteer_lookup(ctx, gz, "Onsong County", b, 16, &nb) == BM_OK);
    CHECK(na == nb && na >= 2);
    for (size_t i = 0; i < na && i < nb; i++) {
        CHECK(a[i].place == b[i].place);
        if (i)
            CHECK(a[i - 1].score >= a[i].score);
    }
    /* The town is a candidate too, below the county. */
    int town_seen = 0;
    for (size_t i = 1; i < na; i++)
        town_seen |= strcmp(a[i].place->id, "gn:2042267") == 0;
    CHECK(town_seen);
    /* max limits the output */
    CHECK(bm_gazetteer_lookup(ctx, gz, "Onsong County", a, 1, &na) == BM_OK);
    CHECK(na == 1);

    /* Unknown names. */
    bm_ctx_clear_error(ctx);
    st = bm_gazetteer_lookup(ctx, gz, "Xyzzyville", a, 16, &na);
    CHECK(st == BM_ERR_NOTFOUND);
    CHECK(na == 0);
    CHECK(strstr(bm_ctx_error(ctx), "Xyzzyville") != NULL);
    st = bm_gazetteer_lookup(ctx, gz, " - ", a, 16, &na);
    CHECK(st == BM_ERR_NOTFOUND);
    /* "County" alone is a designator, not a place. */
    CHECK(bm_gazetteer_lookup(ctx, gz, "County", a, 16, &na) ==
          BM_ERR_NOTFOUND);

    /* The scanner's view. */
    CHECK(bm_gazetteer_knows_folded(gz, "hoeryong"));
    CHECK(bm_gazetteer_knows_folded(gz, "onsong county"));
    CHECK(bm_gazetteer_knows_folded(gz, "onsong gun"));
    CHECK(bm_gazetteer_knows_folded(gz, "ryanggang province"));
    CHECK(bm_gazetteer_knows_folded(gz, "회령"));
    CHECK(!bm_gazetteer_knows_folded(gz, "she")); /* airport code dropped */
    CHECK(!bm_gazetteer_knows_folded(gz, "the"));
    CHECK(!bm_gazetteer_knows_folded(gz, "county"));
    CHECK(!bm_gazetteer_knows_folded(gz, ""));
    CHECK(bm_gazetteer_max_words(gz) >= 5);
    CHECK(bm_gazetteer_max_words(gz) < 20);

    p = bm_gazetteer_get(gz, "gn:2044091");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "Hoeryŏng");
        CHECK_STR(p->ascii_name, "Hoeryong");
        CHECK_STR(p->name_ko, "회령");
        CHECK_STR(p->country, "KP");
        CHECK_STR(p->admin1, "North Hamgyong");
        CHECK(p->in_region);
        CHECK(p->population > 40000);
    }
    CHECK(bm_gazetteer_get(gz, "gn:0") == NULL);

    /* Lookup speed (informational). */
    const char *qs[] = {"Hoeryong", "Onsong County", "North Hamgyong Province",
                        "회령", "Beijing", "Xyzzyville"};
    t0 = now_ms();
    size_t reps = 2000;
    for (size_t r = 0; r < reps; r++)
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
            bm_gazetteer_lookup(ctx, gz, qs[i], a, 16, &na);
    t1 = now_ms();
    printf("lookup: %.2f us per name\n",
           (t1 - t0) * 1e3 / (double)(reps * (sizeof qs / sizeof qs[0])));
    t0 = now_ms();
    size_t hits = 0;
    for (size_t r = 0; r < 100000; r++)
        hits += (size_t)bm_gazetteer_knows_folded(gz, r % 2 ? "onsong county"
                                                            : "not a place");
    t1 = now_ms();
    CHECK(hits == 50000);
    printf("knows_folded: %.3f us per call\n", (t1 - t0) * 1e3 / 100000.0);
    bm_gazetteer_free(gz);
}

static void test_small_and_broken(bm_ctx *ctx)
{
    char dir[4096], path[4200];
    bm_gazetteer *gz = NULL;
    bm_status st;

    /* A hand-made gazetteer: designator stripping only at word bounds. */
    snprintf(dir, sizeof dir, "%s/gz_small", BM_TEST_TMP);
    CHECK(mkdir(dir, 0777) == 0 || errno == EEXIST);
    snprintf(path, sizeof path, "%s/places.tsv", dir);
    write_file(path, PLACES_HDR
               "t:1\tKando\tKando\t\ttown\tPPL\tKP\tProv\t\t\t\t\t"
               "42\t129\t1\ttest\tnone\n"
               "\n" /* blank lines are allowed */
               "p:1\tProv\tProv\t\tprovince\tADM1\tKP\tProv\t\t\t\t\t"
               "41.5\t128.5\t1\ttest\tnone\n"
               "c:1\tNowhere-gun\tNowhere-gun\t\tcounty\tADM2\tKP\tProv\t"
               "Nowhere-gun\t\t\t\t\t\t1\ttest\tnone\n"
               "c:2\tLost-gun\tLost-gun\t\tcounty\tADM2\tKP\tNo such\t"
               "\t\t\t\t\t\t1\ttest\tnone\n");
    snprintf(path, sizeof path, "%s/names.tsv", dir);
    write_file(path, NAMES_HDR "t:1\tKando\tname\np:1\tProv-do\tname\n");
    st = bm_gazetteer_open(ctx, dir, &gz);
    if (st != BM_OK)
        fprintf(stderr, "small: %s\n", bm_ctx_error(ctx));
    CHECK(st == BM_OK);
    if (gz) {
        bm_candidate c[4];
        size_t n = 0;
        CHECK(bm_gazetteer_count(gz) == 4);
        /* "Kando" is not "Kan" + "-do". */
        CHECK(bm_gazetteer_lookup(ctx, gz, "Kan", c, 4, &n) ==
              BM_ERR_NOTFOUND);
        CHECK(!bm_gazetteer_knows_folded(gz, "kan"));
        CHECK(bm_gazetteer_lookup(ctx, gz, "Kando", c, 4, &n) == BM_OK);
        /* "Prov-do" is "Prov" + "-do". */
        CHECK(bm_gazetteer_lookup(ctx, gz, "Prov Province", c, 4, &n) ==
              BM_OK);
        CHECK(n >= 1 && c[0].place->kind == BM_KIND_PROVINCE);
        /* Places without names.tsv rows are found by their own names. */
        CHECK(bm_gazetteer_lookup(ctx, gz, "Nowhere County", c, 4, &n) ==
              BM_OK);
        CHECK(n >= 1);
        if (n >= 1) {
            CHECK_STR(c[0].place->id, "c:1");
            double lon, lat;
            bm_precision prec;
            CHECK(bm_gazetteer_point(gz, c[0].place, &lon, &lat, &prec) ==
                  BM_OK);
            CHECK(prec == BM_PREC_PROVINCE);
            CHECK_NEAR(lat, 41.5, 1e-9);
            CHECK_NEAR(lon, 128.5, 1e-9);
        }
        const bm_place *lost = bm_gazetteer_get(gz, "c:2");
        CHECK(lost != NULL);
        if (lost) {
            double lon, lat;
            bm_precision prec;
            CHECK(bm_gazetteer_point(gz, lost, &lon, &lat, &prec) ==
                  BM_ERR_NOTFOUND);
        }
        bm_gazetteer_free(gz);
        gz = NULL;
    }

    /* Malformed places.tsv: a short line 3. */
    snprintf(dir, sizeof dir, "%s/gz_bad", BM_TEST_TMP);
    CHECK(mkdir(dir, 0777) == 0 || errno == EEXIST);
    snprintf(path, sizeof path, "%s/names.tsv", dir);
    write_file(path, NAMES_HDR "t:1\tKando\tname\n");
    snprintf(path, sizeof path, "%s/places.tsv", dir);
    write_file(path, PLACES_HDR
               "t:1\tKando\tKando\t\ttown\tPPL\tKP\t\t\t\t\t\t42\t129\t1\t"
               "x\tx\n"
               "t:2\tBroken\ttown\n");
    bm_ctx_clear_error(ctx);
    st = bm_gazetteer_open(ctx, dir, &gz);
    CHECK(st == BM_ERR_INPUT);
    CHECK(gz == NULL);
    CHECK(strstr(bm_ctx_error(ctx), "places.tsv:3:") != NULL);
    printf("malformed: %s\n", bm_ctx_error(ctx));

    /* Bad coordinates on line 2. */
    write_file(path, PLACES_HDR
               "t:1\tKando\tKando\t\ttown\tPPL\tKP\t\t\t\t\t\t42N\t129\t1\t"
               "x\tx\n");
    st = bm_gazetteer_open(ctx, dir, &gz);
    CHECK(st == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "places.tsv:2:") != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "42N") != NULL);

    /* Missing column in the header. */
    write_file(path, "id\tname\n t:1\tKando\n");
    st = bm_gazetteer_open(ctx, dir, &gz);
    CHECK(st == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "places.tsv:1:") != NULL);

    /* names.tsv naming a place that does not exist. */
    write_file(path, PLACES_HDR
               "t:1\tKando\tKando\t\ttown\tPPL\tKP\t\t\t\t\t\t42\t129\t1\t"
               "x\tx\n");
    snprintf(path, sizeof path, "%s/names.tsv", dir);
    write_file(path, NAMES_HDR "t:1\tKando\tname\nt:9\tGhost\talt\n");
    st = bm_gazetteer_open(ctx, dir, &gz);
    CHECK(st == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "names.tsv:3:") != NULL);
    CHECK(strstr(bm_ctx_error(ctx), "t:9") != NULL);

    /* No such folder. */
    snprintf(dir, sizeof dir, "%s/gz_missing_%d", BM_TEST_TMP, 42);
    st = bm_gazetteer_open(ctx, dir, &gz);
    CHECK(st == BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), "gz_missing_42") != NULL);
}

int main(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    CHECK(ctx != NULL);
    if (!ctx)
        return bm_test_done();
    test_real_data(ctx);
    test_small_and_broken(ctx);

    /* Explicit folder works as well as the data dir. */
    bm_gazetteer *gz = NULL;
    CHECK(bm_gazetteer_open(ctx, BM_TEST_DATA_DIR "/gazetteer", &gz) ==
          BM_OK);
    bm_gazetteer_free(gz);
    bm_gazetteer_free(NULL);

    /* Display names spell Korean designators out, by kind. */
    char label[64];
    bm_place pl = {.ascii_name = "Onsong-gun", .kind = BM_KIND_COUNTY};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "Onsong County");
    pl = (bm_place){.ascii_name = "Hyesan-si", .kind = BM_KIND_COUNTY};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "Hyesan City");
    pl = (bm_place){.ascii_name = "Yanggang-do", .kind = BM_KIND_PROVINCE};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "Yanggang Province");
    pl = (bm_place){.ascii_name = "P'yongan-bukto", .kind = BM_KIND_PROVINCE};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "North P'yongan");
    pl = (bm_place){.ascii_name = "Aoji-dong", .kind = BM_KIND_TOWN};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "Aoji-dong");
    pl = (bm_place){.ascii_name = "", .name = "Hoeryŏng", .kind = BM_KIND_TOWN};
    CHECK_STR(bm_place_display_name(&pl, label, sizeof label), "Hoeryŏng");
    CHECK_STR(bm_place_display_name(NULL, label, sizeof label), "");

    CHECK_STR(bm_place_kind_name(BM_KIND_COUNTY), "county");
    CHECK_STR(bm_place_kind_name(BM_KIND_TOWN), "town");
    CHECK_STR(bm_place_kind_name(BM_KIND_COUNTRY), "country");
    bm_ctx_free(ctx);
    return bm_test_done();
}
