/*
 * test_extract.c - the incident extractor's rooms, against the codebook
 * (docs/event-codebook.md): zones of a page, date expressions, triggers
 * with their modality and role, and whole reports (the main incident,
 * merging, places, dates). Every sentence here was written for the test.
 * Reads the committed gazetteer through BORDERMAP_DATA.
 */
#include "bm_geoparse.h"
#include "bm_test.h"
#include "gp_internal.h"

#include <stdlib.h>

static bm_ctx *ctx;
static bm_gazetteer *gz;

static char *lower(const char *s)
{
    size_t n = strlen(s);
    char *l = malloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        l[i] = (char)((unsigned)(s[i] - 'A') < 26u ? s[i] + 32 : s[i]);
    return l;
}

/* ---- zones ---------------------------------------------------------------- */

static gp_zone zone_of(const gp_line *L, size_t n, const char *body,
                       const char *start)
{
    const char *p = strstr(body, start);
    if (!p)
        return (gp_zone)-1;
    size_t b = (size_t)(p - body);
    for (size_t i = 0; i < n; i++)
        if (L[i].b0 <= b && b < L[i].b1 + 1)
            return L[i].zone;
    return (gp_zone)-1;
}

static void test_zones(void)
{
    const char *title = "[Photo] Guards arrest smugglers in Hyesan";
    const char *body =
        "Guards arrest smugglers in Hyesan\n"
        "smuggling, border guards, ryanggang\n"
        "FILE PHOTO: A market in Sinuiju, seen from Dandong. (Daily NK)\n"
        "Workers load a truck in Manpo.\n"
        "Workers load a truck in Manpo.\n"
        "Trucks wait at a crossing near Hunchun.\n"
        "Yonhap News\n"
        "By Kim Mi-ra\n"
        "Share\n"
        "Print\n"
        "HYESAN, March 3 (Yonhap) -- Border guards arrested three smugglers "
        "in Hyesan on Monday, a source said.\n"
        "<Inside N. Korea> Public execution in Hoeryong draws crowd\n"
        "Related: Crackdown in Musan county\n"
        "Saturday, March 8, 2025\n"
        "Subscribe now for unlimited access to our reporting.\n"
        "55.7 F\n"
        "*Hyesin-dong is a district of Hyesan.\n"
        "The three were held at a local security office.\n";
    gp_line *L = NULL;
    size_t n = 0;
    char *lc = lower(body);
    CHECK(gp_zones(title, body, lc, strlen(body), &L, &n) == BM_OK);
    free(lc);
    CHECK(zone_of(L, n, body, "Guards arrest") == GP_HEADLINE);
    CHECK(zone_of(L, n, body, "smuggling, border") == GP_TAGS);
    CHECK(zone_of(L, n, body, "FILE PHOTO") == GP_CAPTION);
    CHECK(zone_of(L, n, body, "Workers load") == GP_CAPTION); /* twice */
    CHECK(zone_of(L, n, body, "Trucks wait") == GP_CAPTION);  /* credit */
    CHECK(zone_of(L, n, body, "Yonhap News") == GP_CAPTION);
    CHECK(zone_of(L, n, body, "By Kim") == GP_BYLINE);
    CHECK(zone_of(L, n, body, "Share") == GP_FURNITURE);
    CHECK(zone_of(L, n, body, "Print") == GP_FURNITURE);
    CHECK(zone_of(L, n, body, "HYESAN, March") == GP_TEXT);
    CHECK(zone_of(L, n, body, "<Inside") == GP_RELATED);
    CHECK(zone_of(L, n, body, "Related:") == GP_RELATED);
    CHECK(zone_of(L, n, body, "Saturday, March 8") == GP_BYLINE);
    CHECK(zone_of(L, n, body, "Subscribe now") == GP_FURNITURE);
    CHECK(zone_of(L, n, body, "55.7 F") == GP_FURNITURE);
    CHECK(zone_of(L, n, body, "*Hyesin") == GP_NOTE);
    CHECK(zone_of(L, n, body, "The three were") == GP_TEXT);
    /* the dateline is not the prose */
    for (size_t i = 0; i < n; i++)
        if (strncmp(body + L[i].b0, "HYESAN", 6) == 0)
            CHECK(strncmp(body + L[i].text_b0, "Border guards", 13) == 0);
    free(L);
    CHECK_STR(gp_zone_name(GP_CAPTION), "caption");
}

/* ---- dates ---------------------------------------------------------------- */

/* The first date of text resolved against anchor y-m-d. */
static gp_date date_of(const char *text, int y, int m, int d)
{
    gp_anchor a = {y, m, d};
    gp_date D[8];
    char *lc = lower(text);
    size_t n = gp_find_dates(text, lc, strlen(text), &a, D, 8);
    free(lc);
    gp_date none;
    memset(&none, 0, sizeof none);
    none.prec = (bm_date_precision)-1;
    return n ? D[0] : none;
}

#define CHECK_DATE(text, y, m, d, iso_, prec_, start_, end_, role_)          \
    do {                                                                     \
        gp_date g_ = date_of(text, y, m, d);                                 \
        CHECK_STR(g_.iso, iso_);                                             \
        CHECK((int)g_.prec == (int)(prec_));                             \
        CHECK_STR(g_.start, start_);                                         \
        CHECK_STR(g_.end, end_);                                             \
        CHECK((int)g_.role == (int)(role_));                             \
    } while (0)

static void test_dates(void)
{
    const int EV = GP_DATE_EVENT, REP = GP_DATE_REPORTING,
              FUT = GP_DATE_FUTURE;
    /* absolute */
    CHECK_DATE("Police raided homes on March 15, 2019.", 0, 0, 0,
               "2019-03-15", BM_DATE_DAY, "2019-03-15", "2019-03-15", EV);
    CHECK_DATE("It began on 2 June 2021.", 0, 0, 0, "2021-06-02",
               BM_DATE_DAY, "2021-06-02", "2021-06-02", EV);
    CHECK_DATE("The ban began in 2020.", 0, 0, 0, "2020", BM_DATE_YEAR,
               "2020-01-01", "2020-12-31", EV);
    CHECK_DATE("Detectors were replaced from Oct. 1-15.", 2022, 11, 7,
               "2022-10", BM_DATE_PERIOD, "2022-10-01", "2022-10-15", EV);
    CHECK_DATE("Detectors were replaced from Oct. 1 to Oct. 15.", 2022, 11,
               7, "2022-10", BM_DATE_PERIOD, "2022-10-01", "2022-10-15", EV);
    CHECK_DATE("Markets were shut between June 3 and July 9.", 2021, 8, 1,
               "2021", BM_DATE_SEASON, "2021-06-03", "2021-07-09", EV);
    CHECK_DATE("Guards were purged in June 2023.", 0, 0, 0, "2023-06",
               BM_DATE_MONTH, "2023-06-01", "2023-06-30", EV);
    /* yearless: the report's year, or the one before */
    CHECK_DATE("He was arrested on Feb. 7.", 2024, 3, 5, "2024-02-07",
               BM_DATE_DAY, "2024-02-07", "2024-02-07", EV);
    CHECK_DATE("He was arrested on Nov. 7.", 2024, 3, 5, "2023-11-07",
               BM_DATE_DAY, "2023-11-07", "2023-11-07", EV);
    CHECK_DATE("They fled in mid-June.", 2024, 9, 0, "2024-06",
               BM_DATE_PERIOD, "2024-06-11", "2024-06-20", EV);
    CHECK_DATE("It happened in late December.", 2024, 1, 18, "2023-12",
               BM_DATE_PERIOD, "2023-12-21", "2023-12-31", EV);
    CHECK_DATE("It happened at the end of August.", 2024, 9, 0, "2024-08",
               BM_DATE_PERIOD, "2024-08-21", "2024-08-31", EV);
    CHECK_DATE("It was held last June.", 2024, 6, 20, "2023-06",
               BM_DATE_MONTH, "2023-06-01", "2023-06-30", EV);
    /* relative */
    CHECK_DATE("They were caught last Thursday.", 2024, 1, 18,
               "2024-01-11", BM_DATE_DAY, "2024-01-11", "2024-01-11", EV);
    CHECK_DATE("Two were shot yesterday.", 2024, 3, 1, "2024-02-29",
               BM_DATE_DAY, "2024-02-29", "2024-02-29", EV);
    CHECK_DATE("Arrests came last week.", 2013, 11, 21, "2013-11",
               BM_DATE_PERIOD, "2013-11-11", "2013-11-17", EV);
    CHECK_DATE("Markets closed earlier this month.", 2024, 7, 24, "2024-07",
               BM_DATE_MONTH, "2024-07-01", "2024-07-24", EV);
    CHECK_DATE("A raid came late last month.", 2024, 3, 5, "2024-02",
               BM_DATE_PERIOD, "2024-02-21", "2024-02-29", EV);
    CHECK_DATE("It was arrested last month.", 2017, 10, 27, "2017-09",
               BM_DATE_MONTH, "2017-09-01", "2017-09-30", EV);
    CHECK_DATE("It happened two days ago.", 2024, 3, 5, "2024-03-03",
               BM_DATE_DAY, "2024-03-03", "2024-03-03", EV);
    CHECK_DATE("The camp opened earlier this year.", 2024, 5, 10, "2024",
               BM_DATE_YEAR, "2024-01-01", "2024-05-10", EV);
    CHECK_DATE("Floods came last summer.", 2024, 3, 0, "2023",
               BM_DATE_SEASON, "2023-06-01", "2023-08-31", EV);
    CHECK_DATE("Arrests rose last winter.", 2024, 3, 0, "2023",
               BM_DATE_SEASON, "2023-12-01", "2024-02-29", EV);
    CHECK_DATE("Arrests rose last winter.", 2024, 1, 10, "2022",
               BM_DATE_SEASON, "2022-12-01", "2023-02-28", EV);
    CHECK_DATE("Arrests rose this winter.", 2024, 1, 0, "2023",
               BM_DATE_SEASON, "2023-12-01", "2024-02-29", EV);
    CHECK_DATE("Campaigns grew in early 2020.", 0, 0, 0, "2020",
               BM_DATE_SEASON, "2020-01-01", "2020-04-30", EV);
    /* the future resolves forward */
    CHECK_DATE("The holiday will fall on Feb. 16.", 2024, 11, 3,
               "2025-02-16", BM_DATE_DAY, "2025-02-16", "2025-02-16", FUT);
    CHECK_DATE("The lockdown is scheduled to be lifted on March 7.", 2024,
               2, 10, "2024-03-07", BM_DATE_DAY, "2024-03-07", "2024-03-07",
               FUT);
    CHECK_DATE("A crackdown is planned for next month.", 2024, 12, 5,
               "2025-01", BM_DATE_MONTH, "2025-01-01", "2025-01-31", FUT);
    /* when a source spoke */
    CHECK_DATE("A source told Daily NK on July 7 that ...", 2024, 8, 1,
               "2024-07-07", BM_DATE_DAY, "2024-07-07", "2024-07-07", REP);
    CHECK_DATE("On August 29, a reporting partner in Hoeryong said:", 2024,
               9, 0, "2024-08-29", BM_DATE_DAY, "2024-08-29", "2024-08-29",
               REP);
    CHECK_DATE("The source said that on June 3, police arrested him.", 2024,
               7, 1, "2024-06-03", BM_DATE_DAY, "2024-06-03", "2024-06-03",
               EV);
    CHECK_DATE("Police arrested him on Jan. 7, a source said.", 2024, 2, 1,
               "2024-01-07", BM_DATE_DAY, "2024-01-07", "2024-01-07", EV);
    /* a state that goes on */
    CHECK(date_of("Guards have been on alert since June 20.", 2024, 7, 8)
              .role == GP_DATE_SINCE);
    /* no year without the report's date or the text's: found, undated */
    {
        gp_date g = date_of("He was arrested on Jan. 4.", 0, 0, 0);
        CHECK(g.prec == BM_DATE_NONE);
        CHECK_STR(g.iso, "");
        g = date_of("They were caught last week.", 2024, 5, 0);
        CHECK(g.prec == BM_DATE_NONE); /* a week needs the report's day */
    }
    /* not dates: "may" and "march" the verbs, counts, a bare number */
    CHECK(date_of("They may march to the border with 2,000 people.", 2024, 1,
                  1).prec == (bm_date_precision)-1);
    CHECK(date_of("It may be March before anyone knows.", 2024, 1, 1)
              .prec == (bm_date_precision)-1);
    /* an impossible day is no date */
    CHECK(date_of("It was on February 30.", 2024, 3, 1).prec ==
          (bm_date_precision)-1);
}

/* ---- triggers ------------------------------------------------------------- */

/* The event of the sentence ("" for none) and, through *mod, the
 * modality of its first trigger of type. */
static const char *event_of(const gp_lexicon *lx, const char *s)
{
    gp_trigger_hit H[48];
    char *lc = lower(s);
    size_t n = gp_find_triggers(lx, lc, strlen(s), H, 48);
    const gp_trigger_hit *e = gp_sentence_event(H, n);
    free(lc);
    return e ? e->type : "";
}

static void test_triggers(void)
{
    gp_lexicon *lx = gp_lexicon_new();
    CHECK(lx != NULL);
    /* typed by what the state did */
    CHECK_STR(event_of(lx, "Police arrested two men for smuggling copper."),
              "arrest");
    CHECK_STR(event_of(lx, "Authorities launched a crackdown on smuggling."),
              "crackdown");
    CHECK_STR(event_of(lx, "The city was placed under lockdown after a "
                           "smuggling case."), "crackdown");
    CHECK_STR(event_of(lx, "Nine residents were arrested and publicly tried."),
              "crackdown");
    CHECK_STR(event_of(lx, "Officials closed the markets in Chongjin."),
              "crackdown");
    CHECK_STR(event_of(lx, "The MSS offered a bounty for informants."),
              "crackdown");
    CHECK_STR(event_of(lx, "An inspection team audited the customs office."),
              "inspection");
    CHECK_STR(event_of(lx, "Guards shot a man crossing the river."),
              "killing");
    CHECK_STR(event_of(lx, "Two brokers were executed by firing squad."),
              "execution");
    CHECK_STR(event_of(lx, "China repatriated 60 escapees through Dandong."),
              "repatriation");
    CHECK_STR(event_of(lx, "A soldier defected across the Tumen."),
              "defection");
    CHECK_STR(event_of(lx, "Smuggling surged along the Yalu this spring."),
              "smuggling");
    CHECK_STR(event_of(lx, "Radio wave detectors were installed."),
              "surveillance");
    CHECK_STR(event_of(lx, "Residents attended a lecture on espionage."),
              "lecture");
    /* no incident: negated, hedged, future, purpose, generic, aftermath */
    CHECK_STR(event_of(lx, "No one was arrested."), "");
    CHECK_STR(event_of(lx, "The man was not detained."), "");
    CHECK_STR(event_of(lx, "The suspect escaped arrest."), "");
    CHECK_STR(event_of(lx, "Police were unable to find him."), "");
    CHECK_STR(event_of(lx, "The man who was to be arrested is still at "
                           "large."), "");
    CHECK_STR(event_of(lx, "A guard murdered a smuggler; the arrest of the "
                           "guard has not come, he is on the run."),
              "killing");
    /* an arrest named while its subject is at large did not happen; one
     * told in the past did (someone else was caught) */
    CHECK_STR(event_of(lx, "The arrest of the broker is still pending, and "
                           "he remains on the run."), "");
    CHECK_STR(event_of(lx, "Police detained his wife, but the broker "
                           "himself is still at large."), "arrest");
    CHECK_STR(event_of(lx, "Guards caught two of the smugglers; the third "
                           "evaded capture."), "arrest");
    CHECK_STR(event_of(lx, "Violators could face execution."), "");
    CHECK_STR(event_of(lx, "Those caught smuggling may be punished."), "");
    CHECK_STR(event_of(lx, "Authorities will launch a crackdown."), "");
    CHECK_STR(event_of(lx, "Kim ordered the arrest of the guard."), "");
    CHECK_STR(event_of(lx, "They took measures to stop smuggling."), "");
    CHECK_STR(event_of(lx, "It is an effort to prevent defections."), "");
    CHECK_STR(event_of(lx, "Smuggling is rampant on the border."), "");
    CHECK_STR(event_of(lx, "Such crossings are rare."), "");
    CHECK_STR(event_of(lx, "Border guards often take bribes."), "");
    CHECK_STR(event_of(lx, "Anyone who defects will be punished."), "");
    CHECK_STR(event_of(lx, "He used to smuggle gold."), "");
    CHECK_STR(event_of(lx, "Workers left amid a strict lockdown."), "");
    CHECK_STR(event_of(lx, "Is this a new crackdown?"), "");
    CHECK_STR(event_of(lx, "He was held in a detention center."), "");
    CHECK_STR(event_of(lx, "They used an old smuggling route."), "");
    CHECK_STR(event_of(lx, "Smugglers and defectors gathered."), "");
    /* an ordered measure is the measure */
    CHECK_STR(event_of(lx, "The MSS issued an order directing units to apply "
                           "military law."), "crackdown");
    gp_lexicon_free(lx);
}

/* ---- reports -------------------------------------------------------------- */

static int extract(const char *text, bm_mentions *m, bm_incidents *in,
                   bm_report **rp)
{
    bm_report *r = NULL;
    if (bm_report_parse(ctx, "t.txt", text, strlen(text), &r) != BM_OK) {
        fprintf(stderr, "parse: %s\n", bm_ctx_error(ctx));
        return 0;
    }
    if (bm_geoparse_mentions(ctx, gz, r, m) != BM_OK ||
        bm_geoparse_incidents(ctx, gz, r, m, in) != BM_OK) {
        fprintf(stderr, "geoparse: %s\n", bm_ctx_error(ctx));
        bm_report_free(r);
        return 0;
    }
    *rp = r;
    return 1;
}

static void done(bm_mentions *m, bm_incidents *in, bm_report *r)
{
    bm_incidents_free(in);
    bm_mentions_free(m);
    bm_report_free(r);
}

static const bm_incident *main_of(const bm_incidents *in)
{
    for (size_t i = 0; i < in->count; i++)
        if (in->items[i].is_main)
            return &in->items[i];
    return NULL;
}

static void test_reports(void)
{
    bm_mentions m;
    bm_incidents in;
    bm_report *r;
    const bm_incident *x;

    /* The headline's act, told again by the text, is the main incident,
     * though the lead names a graver background act first; captions and
     * related lines yield nothing. */
    if (extract("Title: Authorities lock down Manpo after smuggling case\n"
                "Source: Daily NK\nDate: 2024-02-20\n\n"
                "Authorities lock down Manpo after smuggling case\n"
                "FILE PHOTO: Guards executed a man in Sinuiju. (Daily NK)\n"
                "Related: Two brokers executed in Hoeryong\n"
                "Last year guards shot a smuggler near Chasong, residents "
                "recall. Authorities placed Manpo under lockdown on Feb. 3 "
                "after a smuggling case, a source in Chagang Province told "
                "Daily NK on Feb. 10. The lockdown of Manpo is to last a "
                "month.\n", &m, &in, &r)) {
        x = main_of(&in);
        CHECK(x != NULL && x == &in.items[0]);
        if (x) {
            CHECK_STR(x->type, "crackdown");
            CHECK_NEAR(x->lat, 41.155, 0.02); /* Manpo */
            CHECK_NEAR(x->lon, 126.289, 0.02);
            CHECK_STR(x->date, "2024-02-03");
            CHECK(x->date_precision == BM_DATE_DAY);
        }
        for (size_t i = 0; i < in.count; i++) {
            CHECK(strcmp(in.items[i].type, "execution") != 0);
            CHECK(!in.items[i].place_name ||
                  !strstr(in.items[i].place_name, "Sinuiju"));
        }
        size_t mains = 0;
        for (size_t i = 0; i < in.count; i++)
            mains += in.items[i].is_main;
        CHECK(mains == 1);
        done(&m, &in, r);
    }

    /* A headline's loose word ("Detectors close in") is not the event: the
     * gravest act of the lead is (an arrest). */
    if (extract("Title: Phone use falls as detectors close in\n"
                "Date: 2023-05-02\n\n"
                "New signal detectors reached the border this spring. Seven "
                "people were arrested in Hoeryong after making calls to "
                "China, a source said on April 30.\n", &m, &in, &r)) {
        x = main_of(&in);
        CHECK(x && strcmp(x->type, "arrest") == 0);
        CHECK(x && x->place_name && strstr(x->place_name, "Hoeryong"));
        /* dated only by when the source spoke */
        CHECK(x && x->date_precision == BM_DATE_REPORTED);
        CHECK(x && x->date && strcmp(x->date, "2023-04-30") == 0);
        CHECK(x && x->date_start == NULL);
        done(&m, &in, r);
    }

    /* One kind of act at a province and at a town inside it: one incident
     * at the town, both sentences its evidence. */
    if (extract("Title: Gold smugglers arrested\nDate: 2021-07-09\n\n"
                "The Ryanggang Province branch of the MSS arrested a gold "
                "smuggler. Agents arrested the woman in Hyesan in "
                "mid-June.\n", &m, &in, &r)) {
        size_t arrests = 0;
        for (size_t i = 0; i < in.count; i++)
            arrests += strcmp(in.items[i].type, "arrest") == 0;
        CHECK(arrests == 1);
        x = main_of(&in);
        CHECK(x && x->place_name && strstr(x->place_name, "Hyesan"));
        CHECK(x && x->precision == BM_PREC_EXACT);
        CHECK(x && x->evidence_more && strstr(x->evidence_more, "mid-June"));
        CHECK(x && x->date && strcmp(x->date, "2021-06") == 0);
        CHECK(x && x->date_precision == BM_DATE_PERIOD);
        done(&m, &in, r);
    }

    /* A defection is placed on the North Korean side it left; a date in a
     * report without a date has no year. */
    if (extract("Title: Soldier defects to China\nDate: unknown\n\n"
                "A border guard stationed in Musan County deserted on "
                "Sept. 30, fleeing across the river to Helong in "
                "China.\n", &m, &in, &r)) {
        x = main_of(&in);
        CHECK(x && strcmp(x->type, "defection") == 0);
        CHECK(x && x->country && strcmp(x->country, "KP") == 0);
        CHECK(x && x->date == NULL);
        done(&m, &in, r);
    }

    /* The place the act's preposition governs, out of the region too;
     * the country's mention and the place a source is are not it. */
    if (extract("Title: China arrests defectors\nDate: 2013-11-21\n\n"
                "Chinese police arrested 13 defectors in Kunming last week, "
                "a source in Shenyang said.\n", &m, &in, &r)) {
        x = main_of(&in);
        CHECK(x && x->place_name && strstr(x->place_name, "Kunming"));
        CHECK(x && x->date && strcmp(x->date, "2013-11") == 0);
        done(&m, &in, r);
    }

    /* Nothing of a known kind: one "other" at the report's place, low
     * confidence, dated by the report only as the latest day. */
    if (extract("Title: Quiet week in Onsong\nDate: 2022-03-04\n\n"
                "Onsong county was quiet this week, residents say.\n", &m,
                &in, &r)) {
        CHECK(in.count == 1);
        if (in.count) {
            CHECK_STR(in.items[0].type, "other");
            CHECK(in.items[0].confidence < 0.3);
            CHECK(in.items[0].is_main);
        }
        done(&m, &in, r);
    }
}

int main(void)
{
    ctx = bm_ctx_new(NULL);
    if (!ctx || bm_gazetteer_open(ctx, NULL, &gz) != BM_OK) {
        fprintf(stderr, "cannot load the gazetteer: %s\n",
                ctx ? bm_ctx_error(ctx) : "out of memory");
        return 1;
    }
    test_zones();
    test_dates();
    test_triggers();
    test_reports();
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
    return bm_test_done();
}
