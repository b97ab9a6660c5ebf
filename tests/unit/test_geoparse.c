/*
 * test_geoparse.c - reports (both layouts, dates, bad input), sentences,
 * place mentions (offsets, kinds, designators, false positives) and
 * incidents (type, place, date, actor) on text written for the test.
 *
 * Reference points are the towns' published coordinates (degrees, WGS 84);
 * tolerances are degrees (0.01 degree is about 1 km).
 */
#include "bm_geoparse.h"
#include "bm_test.h"

#include <stdlib.h>

static bm_ctx *ctx;
static bm_gazetteer *gz;

/* Writes data to BM_TEST_TMP/name; returns the path (static buffer). */
static const char *write_tmp(const char *name, const void *data, size_t n)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/geoparse_%s", BM_TEST_TMP, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        return path;
    }
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static bm_report *parse_text(const char *text)
{
    bm_report *r = NULL;
    bm_status st = bm_report_parse(ctx, "test.txt", text, strlen(text), &r);
    if (st != BM_OK)
        fprintf(stderr, "parse failed: %s\n", bm_ctx_error(ctx));
    return r;
}

static const bm_mention *find_mention(const bm_mentions *m,
                                      const char *surface)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->items[i].surface, surface) == 0)
            return &m->items[i];
    return NULL;
}

static const bm_incident *find_incident(const bm_incidents *in,
                                        const char *type,
                                        const char *place_prefix)
{
    for (size_t i = 0; i < in->count; i++)
        if (strcmp(in->items[i].type, type) == 0 && in->items[i].place_name &&
            strncmp(in->items[i].place_name, place_prefix,
                    strlen(place_prefix)) == 0)
            return &in->items[i];
    return NULL;
}

/* ---- dates --------------------------------------------------------------- */

static void check_date(const char *text, const char *want,
                       bm_date_precision prec)
{
    char out[11];
    bm_date_precision p;
    int ok = bm_date_parse(text, strlen(text), out, &p);
    if (!want) {
        if (ok)
            fprintf(stderr, "date '%s' parsed as %s, expected failure\n",
                    text, out);
        CHECK(!ok);
        CHECK(p == BM_DATE_NONE);
        return;
    }
    if (!ok)
        fprintf(stderr, "date '%s' not understood\n", text);
    CHECK(ok);
    CHECK_STR(out, want);
    CHECK(p == prec);
}

static void test_dates(void)
{
    check_date("2024-01-18", "2024-01-18", BM_DATE_DAY);
    check_date("January 18, 2024", "2024-01-18", BM_DATE_DAY);
    check_date("Jan. 18, 2024", "2024-01-18", BM_DATE_DAY);
    check_date("Jan 18 2024", "2024-01-18", BM_DATE_DAY);
    check_date("18 January 2024", "2024-01-18", BM_DATE_DAY);
    check_date("Sept. 3, 2023", "2023-09-03", BM_DATE_DAY);
    check_date("  2024-07  ", "2024-07", BM_DATE_MONTH);
    check_date("March 2021", "2021-03", BM_DATE_MONTH);
    check_date("2019", "2019", BM_DATE_YEAR);
    check_date("2024-01-18T09:30:00+09:00", "2024-01-18", BM_DATE_DAY);
    check_date("2024-02-29", "2024-02-29", BM_DATE_DAY);
    check_date("October 16, 2023, 3:06 p.m. ET", "2023-10-16", BM_DATE_DAY);
    check_date("January 18, 20245", NULL, BM_DATE_NONE);
    check_date("2023-02-29", NULL, BM_DATE_NONE);
    check_date("unknown", NULL, BM_DATE_NONE);
    check_date("", NULL, BM_DATE_NONE);
    check_date("Smarch 3, 2020", NULL, BM_DATE_NONE);
    check_date("2024-13-01", NULL, BM_DATE_NONE);
    CHECK(bm_month_from_word("Oct.", 4) == 10);
    CHECK(bm_month_from_word("SEPT", 4) == 9);
    CHECK(bm_month_from_word("May", 3) == 5);
    CHECK(bm_month_from_word("Ma", 2) == 0);
    CHECK(bm_month_from_word("Marc", 4) == 0);
}

/* ---- reports ------------------------------------------------------------- */

static void test_header_layout(void)
{
    const char *text = "Title: Arrests in Hyesan\n"
                       "source: Daily NK\n"
                       "URL: https://example.org/a?b=c\n"
                       "DATE: Jan. 18, 2024\n"
                       "\n"
                       "Arrests in Hyesan\n\nBody text.\n";
    const char *path = write_tmp("header.txt", text, strlen(text));
    bm_report *r = NULL;
    CHECK(bm_report_load(ctx, path, &r) == BM_OK);
    if (!r)
        return;
    CHECK(r->has_header == 1);
    CHECK_STR(r->title, "Arrests in Hyesan");
    CHECK_STR(r->source, "Daily NK");
    CHECK_STR(r->url, "https://example.org/a?b=c");
    CHECK_STR(r->date, "2024-01-18");
    CHECK(r->date_precision == BM_DATE_DAY);
    CHECK_STR(r->body, "Arrests in Hyesan\n\nBody text.\n");
    CHECK(r->body_len == strlen(r->body));
    CHECK_STR(r->path, path);
    char sha[65];
    bm_sha256_hex(r->body, r->body_len, sha);
    CHECK_STR(r->sha256, sha);
    bm_report_free(r);

    /* keys in any order; an unknown date is no date */
    r = parse_text("Date: unknown\nTitle: T\nSource: RFA\n\nBody.");
    if (r) {
        CHECK(r->has_header);
        CHECK(r->date == NULL);
        CHECK(r->date_precision == BM_DATE_NONE);
        CHECK_STR(r->title, "T");
        CHECK_STR(r->body, "Body.");
        CHECK(r->url == NULL);
    }
    bm_report_free(r);

    /* other keys are skipped; a missing blank line ends the header at
     * the first line that is not "Key: value" */
    r = parse_text("Title: T\nAuthor: Someone\nDate: 2024\nBody starts here.\n");
    if (r) {
        CHECK(r->has_header);
        CHECK_STR(r->date, "2024");
        CHECK(r->date_precision == BM_DATE_YEAR);
        CHECK_STR(r->body, "Body starts here.\n");
    }
    bm_report_free(r);

    /* a month-only date */
    r = parse_text("Title: T\nDate: 2024-09\n\nBody.");
    if (r) {
        CHECK_STR(r->date, "2024-09");
        CHECK(r->date_precision == BM_DATE_MONTH);
    }
    bm_report_free(r);

    /* the same body, header or not: the same identity */
    bm_report *a = parse_text("Title: X\nURL: u\n\nSame body.\n");
    bm_report *b = parse_text("Same body.\n");
    if (a && b)
        CHECK_STR(a->sha256, b->sha256);
    bm_report_free(a);
    bm_report_free(b);
}

static void test_seed_layout(void)
{
    const char *text = "\n  Police raid homes in Musan  \n\nPolice raided homes.\n";
    const char *path = write_tmp("seed.txt", text, strlen(text));
    bm_report *r = NULL;
    CHECK(bm_report_load(ctx, path, &r) == BM_OK);
    if (!r)
        return;
    CHECK(r->has_header == 0);
    CHECK_STR(r->title, "Police raid homes in Musan");
    CHECK_STR(r->body, text); /* the whole file: gold offsets index it */
    CHECK(r->date == NULL);
    CHECK(r->source == NULL);
    bm_report_free(r);

    /* "Note: ..." on line 1 is not a header */
    r = parse_text("Note: this is prose.\n\nMore prose.");
    if (r) {
        CHECK(r->has_header == 0);
        CHECK_STR(r->title, "Note: this is prose.");
    }
    bm_report_free(r);
}

static void test_bad_input(void)
{
    bm_report *r = NULL;
    const char bin[] = "Title: x\n\nab\0cd\n";
    const char *path = write_tmp("binary.txt", bin, sizeof bin - 1);
    CHECK(bm_report_load(ctx, path, &r) == BM_ERR_INPUT);
    CHECK(r == NULL);
    CHECK(strstr(bm_ctx_error(ctx), "geoparse_binary.txt") != NULL);

    const char bad[] = "Hyesan \xC3\x28 Musan\n";
    path = write_tmp("badutf8.txt", bad, sizeof bad - 1);
    CHECK(bm_report_load(ctx, path, &r) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "geoparse_badutf8.txt") != NULL);

    path = write_tmp("empty.txt", "", 0);
    CHECK(bm_report_load(ctx, path, &r) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "geoparse_empty.txt") != NULL);

    const char *hdr = "Title: Only a header\nDate: 2024-01-01\n\n \n\n";
    path = write_tmp("header_only.txt", hdr, strlen(hdr));
    CHECK(bm_report_load(ctx, path, &r) == BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "empty") != NULL);

    CHECK(bm_report_load(ctx, BM_TEST_TMP "/no/such/report.txt", &r) ==
          BM_ERR_IO);
    CHECK(strstr(bm_ctx_error(ctx), "report.txt") != NULL);

    /* invalid UTF-8 handed to the parser directly */
    CHECK(bm_report_parse(ctx, "direct.txt", bad, sizeof bad - 1, &r) ==
          BM_ERR_INPUT);
    CHECK(strstr(bm_ctx_error(ctx), "direct.txt") != NULL);
    bm_report_free(NULL);
}

/* ---- sentences ----------------------------------------------------------- */

static void test_sentences(void)
{
    const char *t = "Police in Hoery\xC5\x8Fng arrested two men on Jan. 7 in N. "
                    "Korea. The U.S. said nothing! Mr. Kim left, "
                    "“as expected.” He said so.\n"
                    "A new line (no stop)\n\n"
                    "Prices rose 3.5 percent in Sept. and fell.";
    bm_sentence *s = NULL;
    size_t n = 0;
    CHECK(bm_split_sentences(t, strlen(t), &s, &n) == BM_OK);
    CHECK(n == 6);
    if (n == 6) {
        const char *want[] = {
            "Police in Hoery\xC5\x8Fng arrested two men on Jan. 7 in N. Korea.",
            "The U.S. said nothing!",
            "Mr. Kim left, “as expected.”",
            "He said so.",
            "A new line (no stop)",
            "Prices rose 3.5 percent in Sept. and fell."};
        for (size_t i = 0; i < 6; i++) {
            size_t len = s[i].byte_end - s[i].byte_start;
            int same = len == strlen(want[i]) &&
                       memcmp(t + s[i].byte_start, want[i], len) == 0;
            if (!same)
                fprintf(stderr, "sentence %zu: '%.*s'\n", i, (int)len,
                        t + s[i].byte_start);
            CHECK(same);
        }
        /* code points: "ŏ" is two bytes, one code point */
        CHECK(s[0].start == 0);
        CHECK(s[1].byte_start == s[1].start + 1);
        CHECK(s[1].start == s[0].end + 1);
        CHECK(s[0].paragraph == 0);
        CHECK(s[4].paragraph == 1);
        CHECK(s[5].paragraph == 3);
    }
    free(s);
    CHECK(bm_split_sentences("", 0, &s, &n) == BM_OK);
    CHECK(n == 0);
    free(s);
}

/* ---- mentions ------------------------------------------------------------ */

static void test_mentions(void)
{
    /* Written for this test. Offsets are code points: "ŏ" counts once. */
    const char *body =
        "Police in Hoery\xC5\x8Fng arrested two smugglers on Jan. 7, a source "
        "in Ryanggang Province said. Another was held in Musan county.\n";
    bm_report *r = parse_text(body);
    if (!r)
        return;
    bm_mentions m;
    CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
    CHECK(m.count == 3);

    const bm_mention *h = find_mention(&m, "Hoery\xC5\x8Fng");
    CHECK(h != NULL);
    if (h) {
        CHECK(h->start == 10 && h->end == 18);
        CHECK(h->byte_start == 10 && h->byte_end == 19);
        CHECK(h->place && h->place->kind == BM_KIND_TOWN);
        CHECK(h->place && strcmp(h->place->country, "KP") == 0);
        CHECK(h->has_point);
        CHECK_NEAR(h->lat, 42.441, 0.02);
        CHECK_NEAR(h->lon, 129.746, 0.02);
        CHECK(h->precision == BM_PREC_EXACT);
        CHECK(h->confidence > 0 && h->confidence <= 1);
    }
    const bm_mention *p = find_mention(&m, "Ryanggang Province");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->start == 65 && p->end == 83);
        CHECK(p->place && p->place->kind == BM_KIND_PROVINCE);
        CHECK(p->precision == BM_PREC_PROVINCE);
    }
    const bm_mention *c = find_mention(&m, "Musan county");
    CHECK(c != NULL);
    if (c) {
        CHECK(c->start == 110 && c->end == 122);
        CHECK(c->place && c->place->kind == BM_KIND_COUNTY);
        CHECK(c->has_point);
        CHECK_NEAR(c->lat, 42.226, 0.05);
        CHECK_NEAR(c->lon, 129.208, 0.05);
        CHECK(c->precision == BM_PREC_COUNTY);
    }
    bm_mentions_free(&m);
    bm_report_free(r);

    /* Things that are not places. */
    r = parse_text(
        "May brought no news. North Korea's Ministry of State Security told "
        "Daily NK and Radio Free Asia that the Workers' Party of Korea met. "
        "Chinese and North Korean traders shrugged. A monument to Kim Jong "
        "Suk stands in Hyesan. Security officers from the Bureau came. "
        "Translated by David Black.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        for (size_t i = 0; i < m.count; i++)
            if (strcmp(m.items[i].surface, "Hyesan") != 0)
                fprintf(stderr, "unexpected mention '%s' -> %s\n",
                        m.items[i].surface, m.items[i].place->id);
        CHECK(m.count == 1);
        CHECK(find_mention(&m, "Hyesan") != NULL);
        bm_mentions_free(&m);
        bm_report_free(r);
    }

    /* Countries count where used as places; border compounds do not. */
    r = parse_text("Smugglers crossed the China-North Korea border. Two "
                   "fled to China and South Korea, and one was sent back to "
                   "the North.\nrussia, north korea, tags,\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        const bm_mention *cn = find_mention(&m, "China");
        CHECK(cn != NULL);
        if (cn) {
            CHECK(cn->start == 60); /* "to China", not the border's */
            CHECK(cn->place->kind == BM_KIND_COUNTRY);
            CHECK(cn->precision == BM_PREC_COUNTRY);
        }
        const bm_mention *kr = find_mention(&m, "South Korea");
        CHECK(kr && strcmp(kr->place->country, "KR") == 0);
        const bm_mention *nk = find_mention(&m, "North");
        CHECK(nk && strcmp(nk->place->country, "KP") == 0);
        /* a tag line names a country as a place only when the text also
         * uses it as one: North Korea yes ("the North"), Russia no */
        CHECK(find_mention(&m, "north korea") != NULL);
        CHECK(find_mention(&m, "russia") == NULL);
        CHECK(find_mention(&m, "North Korea") == NULL);
        bm_mentions_free(&m);
        bm_report_free(r);
    }

    /* Designators, Korean forms and document context. */
    r = parse_text("Sources in North Hamgyong Province said guards in "
                   "Onsong-gun and in the city of Hyesan, and Musan, were "
                   "told. Later Onsong was quiet.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        const bm_mention *o = find_mention(&m, "Onsong-gun");
        CHECK(o && o->place->kind == BM_KIND_COUNTY);
        const bm_mention *o2 = find_mention(&m, "Onsong");
        CHECK(o2 && o2->has_point);
        if (o && o2)
            CHECK_NEAR(o2->lat, o->lat, 0.05);
        const bm_mention *mu = find_mention(&m, "Musan");
        CHECK(mu && strcmp(mu->place->country, "KP") == 0);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
}

/* The scan folds each word once and joins the folds of a run of words
 * with single spaces; that must find what folding the run's text finds,
 * whatever separates the words (spaces, a tab, no-break spaces, Unicode
 * hyphens) and however the words are written (diacritics, apostrophes,
 * Hangul, capitals). A name named many times resolves the same way each
 * time (the report's lookups are remembered). */
static void check_same_place(const char *body, const char *surface,
                             const char *want_id_of)
{
    bm_report *r = parse_text(body);
    if (!r)
        return;
    bm_mentions m;
    CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
    const bm_mention *x = find_mention(&m, surface);
    if (!x)
        fprintf(stderr, "no mention '%s' in \"%s\"\n", surface, body);
    CHECK(x != NULL);
    if (x && want_id_of) {
        CHECK(x->place != NULL);
        if (x->place && strcmp(x->place->id, want_id_of) != 0)
            fprintf(stderr, "'%s' -> %s, expected %s\n", surface,
                    x->place->id, want_id_of);
        CHECK(x->place && strcmp(x->place->id, want_id_of) == 0);
    }
    bm_mentions_free(&m);
    bm_report_free(r);
}

static const char *place_of(const char *body, const char *surface,
                            char *id, size_t size)
{
    id[0] = '\0';
    bm_report *r = parse_text(body);
    if (!r)
        return id;
    bm_mentions m;
    if (bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK) {
        const bm_mention *x = find_mention(&m, surface);
        if (x && x->place)
            snprintf(id, size, "%s", x->place->id);
        bm_mentions_free(&m);
    }
    bm_report_free(r);
    return id;
}

static void test_scan_windows(void)
{
    char county[128], province[128], town[128];
    place_of("Guards were posted in Musan county last week.\n",
             "Musan county", county, sizeof county);
    CHECK(county[0] != '\0');
    check_same_place("Guards were posted in Musan\xC2\xA0"
                     "county last week.\n",
                     "Musan\xC2\xA0"
                     "county",
                     county);
    check_same_place("Guards were posted in Musan  county last week.\n",
                     "Musan  county", county);
    check_same_place("Guards were posted in Musan\tcounty last week.\n",
                     "Musan\tcounty", county);
    check_same_place("Guards were posted in MUSAN COUNTY last week.\n",
                     "MUSAN COUNTY", county);

    place_of("Sources in North Hamgyong Province said so.\n",
             "North Hamgyong Province", province, sizeof province);
    CHECK(province[0] != '\0');
    check_same_place("Sources in North\xE2\x80\xAFHamgy\xC5\x8Fng Province "
                     "said so.\n",
                     "North\xE2\x80\xAFHamgy\xC5\x8Fng Province", province);
    check_same_place("Sources in North-Hamgyong Province said so.\n",
                     "North-Hamgyong Province", province);

    place_of("Guards in Onsong-gun were told.\n", "Onsong-gun", county,
             sizeof county);
    CHECK(county[0] != '\0');
    check_same_place("Guards in Ons\xC5\x8Fng\xE2\x80\x90gun were told.\n",
                     "Ons\xC5\x8Fng\xE2\x80\x90gun", county);
    check_same_place("Guards in Onsong\xE2\x80\x91gun were told.\n",
                     "Onsong\xE2\x80\x91gun", county);

    place_of("Traders in Chongjin said so.\n", "Chongjin", town,
             sizeof town);
    CHECK(town[0] != '\0');
    check_same_place("Traders in Ch'\xC5\x8Fngjin said so.\n",
                     "Ch'\xC5\x8Fngjin", town);
    check_same_place("Traders in Ch\xE2\x80\x99ongjin said so.\n",
                     "Ch\xE2\x80\x99ongjin", town);

    /* the same name many times, and a long Title Case run */
    bm_report *r = parse_text(
        "Hyesan Market Traders Say Prices In Hyesan Rose Again\n"
        "In Hyesan, prices rose. Hyesan traders said Hyesan was calm, and "
        "Musan too; Hyesan and Musan are border towns.\n");
    if (r) {
        bm_mentions m;
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        const bm_place *first = NULL;
        size_t n = 0;
        for (size_t i = 0; i < m.count; i++) {
            if (strcmp(m.items[i].surface, "Hyesan") != 0)
                continue;
            if (!first)
                first = m.items[i].place;
            CHECK(m.items[i].place == first);
            n++;
        }
        CHECK(n >= 4);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
}

/* ---- incidents ----------------------------------------------------------- */

static void test_incidents(void)
{
    const char *text =
        "Title: Test\nDate: 2024-01-18\n\n"
        "Police in Hoery\xC5\x8Fng arrested two smugglers on Jan. 7, a source "
        "in Ryanggang Province said. Another smuggler was detained in Musan "
        "county last Thursday.\n"
        "Border guards were bribed in mid-December, the source added.\n"
        "The weather was cold.\n";
    bm_report *r = parse_text(text);
    if (!r)
        return;
    bm_mentions m;
    bm_incidents in;
    CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
    CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
    CHECK(in.count == 3);

    const bm_incident *a = find_incident(&in, "arrest", "Hoeryong");
    CHECK(a != NULL);
    if (a) {
        CHECK_STR(a->date, "2024-01-07");
        CHECK(a->date_precision == BM_DATE_DAY);
        CHECK_STR(a->actor, "Ministry of Social Security");
        CHECK(a->precision == BM_PREC_EXACT);
        CHECK_NEAR(a->lat, 42.441, 0.02);
        CHECK_NEAR(a->lon, 129.746, 0.02);
        CHECK(a->sentence_offset == 0);
        CHECK(a->sentence && strncmp(a->sentence, "Police in", 9) == 0);
        CHECK(a->place_id && *a->place_id);
        CHECK_STR(a->surface, "Hoery\xC5\x8Fng");
    }
    /* one incident per (type, place): Musan is a second arrest */
    const bm_incident *b = find_incident(&in, "arrest", "Musan");
    CHECK(b != NULL);
    if (b) {
        CHECK_STR(b->date, "2024-01-11"); /* the Thursday before */
        CHECK(b->date_precision == BM_DATE_DAY);
        CHECK(b->precision == BM_PREC_COUNTY);
        CHECK(b->sentence_offset == 90);
    }
    /* no place in the sentence, none before it in its paragraph: where the
     * source near it is (Ryanggang Province, coded to Hyesan); the year
     * comes from the report (December is last year's), mid-December is a
     * part of the month (11-20) */
    const bm_incident *c = NULL;
    for (size_t i = 0; i < in.count; i++)
        if (strcmp(in.items[i].type, "bribery") == 0)
            c = &in.items[i];
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->date, "2023-12");
        CHECK(c->date_precision == BM_DATE_PERIOD);
        CHECK_STR(c->date_start, "2023-12-11");
        CHECK_STR(c->date_end, "2023-12-20");
        CHECK_STR(c->actor, "border guards");
        CHECK(c->precision == BM_PREC_PROVINCE);
        CHECK_NEAR(c->lat, 41.40, 0.05); /* Hyesan */
    }
    bm_incidents_free(&in);
    bm_mentions_free(&m);
    bm_report_free(r);

    /* negation, hypotheticals and reporting dates */
    r = parse_text("The agent in Hyesan was not arrested. Anyone who talks "
                   "will be punished. A source in Hyesan told Daily NK on "
                   "Jan. 3 that nothing happened.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        /* no arrest, no punishment: at most the low-confidence "other"
         * that stands for a report about Hyesan naming no event */
        CHECK(in.count <= 1);
        for (size_t i = 0; i < in.count; i++) {
            CHECK_STR(in.items[i].type, "other");
            CHECK(in.items[i].confidence < 0.3);
        }
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }

    /* no known kind of event, yet about a place in the region: one
     * low-confidence "other" at that place, in its first sentence */
    r = parse_text("Title: T\n\nAbout 100 workers from Musan left for "
                   "Russia in January. Musan is quiet.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        CHECK(in.count == 1);
        if (in.count) {
            CHECK_STR(in.items[0].type, "other");
            CHECK(in.items[0].confidence < 0.3);
            CHECK(in.items[0].sentence &&
                  strncmp(in.items[0].sentence, "About 100", 9) == 0);
            CHECK(fabs(in.items[0].lat - 42.23) < 0.1);
        }
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }

    /* an event placed only in a province is coded to its capital (ACLED
     * geo_precision 3): North Pyongan -> Sinuiju */
    r = parse_text("Title: T\n\nSmugglers were arrested in North Pyongan "
                   "Province.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        CHECK(in.count == 1);
        if (in.count) {
            CHECK(in.items[0].precision == BM_PREC_PROVINCE);
            CHECK(fabs(in.items[0].lat - 40.10) < 0.05 &&
                  fabs(in.items[0].lon - 124.40) < 0.05);
        }
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }

    /* a dated report whose text gives no date for the event: the
     * report's date is the latest it can have happened (an open range,
     * precision "reported") */
    r = parse_text("Title: T\nDate: 2024-03-05\n\nA crackdown hit Musan "
                   "county.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        CHECK(in.count == 1);
        if (in.count) {
            CHECK_STR(in.items[0].type, "crackdown");
            CHECK_STR(in.items[0].date, "2024-03-05");
            CHECK(in.items[0].date_precision == BM_DATE_REPORTED);
            CHECK(in.items[0].date_start == NULL);
            CHECK_STR(in.items[0].date_end, "2024-03-05");
            CHECK(in.items[0].is_main == 1);
            CHECK(in.items[0].confidence > 0 && in.items[0].confidence <= 1);
            CHECK_STR(in.items[0].country, "KP");
        }
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    /* all actors, aliases merged; relative date against the report's */
    r = parse_text("Title: T\nDate: 2024-03-05\n\nThe MSS and Bowibu "
                   "agents and border guards arrested a smuggler in Hyesan "
                   "on Feb. 7.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        CHECK(in.count == 1);
        if (in.count) {
            CHECK_STR(in.items[0].type, "arrest");
            CHECK_STR(in.items[0].actor,
                      "Ministry of State Security; border guards");
            CHECK_STR(in.items[0].date, "2024-02-07");
        }
        for (size_t i = 0; i < m.count; i++)
            CHECK(m.items[i].reason && *m.items[i].reason);
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    /* an offence that is cracked down on is not the event */
    r = parse_text("Authorities launched a crackdown on smuggling in Musan "
                   "county.\n");
    if (r) {
        CHECK(bm_geoparse_mentions(ctx, gz, r, &m) == BM_OK);
        CHECK(bm_geoparse_incidents(ctx, gz, r, &m, &in) == BM_OK);
        CHECK(in.count == 1);
        if (in.count)
            CHECK_STR(in.items[0].type, "crackdown");
        bm_incidents_free(&in);
        bm_mentions_free(&m);
        bm_report_free(r);
    }
    bm_incidents_free(NULL);
    bm_mentions_free(NULL);
}

static void test_other_formats(void)
{
    bm_report *r = NULL;
    /* Markdown with front matter */
    static const char md[] = "---\ntitle: \"Arrests in Hyesan\"\n"
                             "source: Daily NK\ndate: 2024-01-18\n"
                             "url: https://example.org/a\n---\n"
                             "Agents arrested two people in Hyesan.\n";
    const char *p = write_tmp("r.md", md, sizeof md - 1);
    CHECK(bm_report_load(ctx, p, &r) == BM_OK);
    if (r) {
        CHECK_STR(r->title, "Arrests in Hyesan");
        CHECK_STR(r->source, "Daily NK");
        CHECK_STR(r->date, "2024-01-18");
        CHECK_STR(r->url, "https://example.org/a");
        CHECK_STR(r->body, "Agents arrested two people in Hyesan.\n");
        bm_report_free(r);
        r = NULL;
    }
    /* HTML: the article, not the navigation */
    static const char html[] =
        "<!DOCTYPE html><html><head><title>Page</title>"
        "<meta property=\"og:title\" content=\"Arrests in Hyesan\">"
        "<meta property=\"og:site_name\" content=\"Daily NK\">"
        "<meta property=\"article:published_time\" "
        "content=\"2024-01-18T09:00:00+09:00\">"
        "<link rel=\"canonical\" href=\"https://example.org/a\">"
        "<script>var Musan = 1;</script></head><body>"
        "<nav><a href=\"/\">Home</a> <a>Pyongyang</a></nav>"
        "<article><h1>Arrests in Hyesan</h1><p>Agents   arrested two\n"
        "people in <b>Hyesan</b>.</p><div class=\"related\">Onsong</div>"
        "<p>More&nbsp;text.</p></article><footer>Seoul</footer>"
        "</body></html>";
    p = write_tmp("r.html", html, sizeof html - 1);
    CHECK(bm_report_load(ctx, p, &r) == BM_OK);
    if (r) {
        CHECK_STR(r->title, "Arrests in Hyesan");
        CHECK_STR(r->source, "Daily NK");
        CHECK_STR(r->date, "2024-01-18");
        CHECK_STR(r->url, "https://example.org/a");
        CHECK_STR(r->body, "Arrests in Hyesan\nAgents arrested two people "
                           "in Hyesan.\nMore text.\n");
        bm_report_free(r);
        r = NULL;
    }
    /* overrides */
    r = parse_text("Title: T\nDate: 2020-01-01\n\nText.\n");
    if (r) {
        CHECK(bm_report_override(ctx, r, "2024-02", BM_DATE_MONTH, "RFA") ==
              BM_OK);
        CHECK_STR(r->date, "2024-02");
        CHECK_STR(r->source, "RFA");
        bm_report_free(r);
    }
}

int main(void)
{
    ctx = bm_ctx_new(BM_TEST_DATA_DIR);
    test_dates();
    test_other_formats();
    test_header_layout();
    test_seed_layout();
    test_bad_input();
    test_sentences();
    if (bm_gazetteer_open(ctx, NULL, &gz) != BM_OK) {
        fprintf(stderr, "gazetteer: %s\n", bm_ctx_error(ctx));
        CHECK(!"gazetteer opens");
    } else {
        test_mentions();
        test_scan_windows();
        test_incidents();
    }
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
    return bm_test_done();
}
