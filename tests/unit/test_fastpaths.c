/*
 * test_fastpaths.c - the shortcuts the geoparser takes for speed give the
 * answers of the slow paths they stand for:
 *  - bm_gazetteer_scan_folded(): KNOWN is bm_gazetteer_knows_folded_n(),
 *    and MORE is never left out for a word prefix of a known text (the
 *    scan stops growing a window when it is);
 *  - bm_gazetteer_knows_folded_n() reads only the n bytes given;
 *  - bm_report_load_ex() (one read, no SHA-256 on request) reads reports
 *    as bm_read_text_file() + bm_report_parse() do, and fails the same way;
 *  - bm_month_from_word() at its edges.
 * Reads the committed gazetteer/ data through BORDERMAP_DATA; writes
 * scratch reports to BM_TEST_TMP.
 */
#include "bm_gazetteer.h"
#include "bm_geoparse.h"
#include "bm_test.h"

#include <stdlib.h>
#include <string.h>

/* Checks the scan's answer for folded text x against knows_folded, and
 * that every word prefix of a known x may be grown (MORE). Returns the
 * number of disagreements (also counted as failed checks). */
static int check_scan(const bm_gazetteer *gz, const char *x)
{
    size_t n = strlen(x);
    int bad = 0;
    unsigned r = bm_gazetteer_scan_folded(gz, x, n);
    int known = bm_gazetteer_knows_folded_n(gz, x, n);
    if (!!(r & BM_GZ_KNOWN) != known) {
        fprintf(stderr, "scan '%s': KNOWN %d, knows_folded %d\n", x,
                !!(r & BM_GZ_KNOWN), known);
        bad++;
    }
    if (known)
        for (size_t i = 1; i < n; i++)
            if (x[i] == ' ' &&
                !(bm_gazetteer_scan_folded(gz, x, i) & BM_GZ_MORE)) {
                fprintf(stderr, "scan '%.*s' (prefix of known '%s'): no "
                                "MORE\n", (int)i, x, x);
                bad++;
            }
    return bad;
}

static void test_scan(bm_ctx *ctx, const bm_gazetteer *gz)
{
    /* every name form of the gazetteer, folded, alone and with
     * designators of one and of several words; and pairs of them */
    char *path = bm_ctx_data_path(ctx, "gazetteer/names.tsv");
    CHECK(path != NULL);
    char *text = NULL;
    size_t len = 0;
    CHECK(path && bm_read_text_file(ctx, path, &text, &len) == BM_OK);
    free(path);
    if (!text)
        return;
    static const char *const tails[] = {
        "", " county", " province", " gun", " si", " ri",
        " korean autonomous county", " korean autonomous prefecture",
        " special city", " workers district", " chaoxianzu zizhizhou",
        " korean", " korean autonomous", " market", " river bridge"};
    size_t names = 0, checks = 0;
    int bad = 0;
    char prev[256] = "";
    for (char *line = text; line && *line && bad < 20;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t1 && t2 && names++ > 0) { /* skip the header */
            char *f = bm_fold(t1 + 1, (size_t)(t2 - t1 - 1));
            if (f && *f && strlen(f) < 200) {
                for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++) {
                    char x[512];
                    snprintf(x, sizeof x, "%s%s", f, tails[k]);
                    bad += check_scan(gz, x);
                    checks++;
                }
                char x[512];
                snprintf(x, sizeof x, "%s %s", prev, f);
                bad += check_scan(gz, *prev ? x : f);
                snprintf(prev, sizeof prev, "%s", f);
                checks++;
            }
            free(f);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    /* text that is no place, and odd inputs */
    static const char *const other[] = {
        "the", "said", "officials", "ministry of state security", "a",
        "x", "hyesan city district", "onsong county korean", "kim jong un",
        "north korea china", "county", "korean autonomous county"};
    for (size_t k = 0; k < sizeof other / sizeof other[0]; k++)
        bad += check_scan(gz, other[k]);
    CHECK(names > 1000);
    CHECK(checks > 10000);
    CHECK(bad == 0);
    CHECK(bm_gazetteer_scan_folded(gz, "", 0) == 0);
    CHECK(bm_gazetteer_scan_folded(NULL, "hyesan", 6) == 0);
    CHECK(bm_gazetteer_scan_folded(gz, "hyesan", 6) & BM_GZ_KNOWN);
    CHECK(bm_gazetteer_scan_folded(gz, "onsong county", 13) & BM_GZ_KNOWN);
    /* a known name's first word may grow ("changbai korean autonomous
     * county" through "changbai korean") */
    CHECK(bm_gazetteer_scan_folded(gz, "changbai korean", 15) & BM_GZ_MORE);

    /* knows_folded_n reads n bytes only */
    CHECK(bm_gazetteer_knows_folded_n(gz, "hyesanxyz", 6));
    CHECK(!bm_gazetteer_knows_folded_n(gz, "hyesanxyz", 9));
    CHECK(bm_gazetteer_knows_folded_n(gz, "musan county, and", 12));
    CHECK(bm_gazetteer_knows_folded(gz, "musan county"));
    CHECK(!bm_gazetteer_knows_folded_n(gz, "hyesan", 0));
}

static char *write_file(const char *name, const char *bytes, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", BM_TEST_TMP, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(bytes, 1, n, f);
    fclose(f);
    return path;
}

/* load_ex(NO_HASH) and load give the same report but the hash; both the
 * same as reading the file and parsing its text. */
static void same_report(bm_ctx *ctx, const char *name, const char *bytes,
                        size_t n)
{
    const char *path = write_file(name, bytes, n);
    CHECK(path != NULL);
    if (!path)
        return;
    bm_report *a = NULL, *b = NULL, *c = NULL;
    char *text = NULL;
    size_t len = 0;
    CHECK(bm_report_load_ex(ctx, path, BM_REPORT_NO_HASH, &a) == BM_OK);
    CHECK(bm_report_load(ctx, path, &b) == BM_OK);
    CHECK(bm_read_text_file(ctx, path, &text, &len) == BM_OK);
    size_t nl = strlen(name);
    int md = nl > 3 && strcmp(name + nl - 3, ".md") == 0;
    int html = nl > 5 && strcmp(name + nl - 5, ".html") == 0;
    CHECK(text &&
          (md     ? bm_report_parse_markdown(ctx, path, text, len, &c)
           : html ? bm_report_parse_html(ctx, path, text, len, &c)
                  : bm_report_parse(ctx, path, text, len, &c)) == BM_OK);
    free(text);
    if (a && b && c) {
        CHECK(a->body_len == c->body_len && b->body_len == c->body_len);
        CHECK_STR(a->body, c->body);
        CHECK_STR(b->body, c->body);
        CHECK_STR(a->title, c->title);
        CHECK(!a->date == !c->date && (!a->date || !strcmp(a->date, c->date)));
        CHECK(a->has_header == c->has_header);
        CHECK(!a->source == !c->source);
        CHECK_STR(a->sha256, "");
        CHECK_STR(b->sha256, c->sha256);
        CHECK(strlen(b->sha256) == 64);
    }
    bm_report_free(a);
    bm_report_free(b);
    bm_report_free(c);
}

/* load_ex and load fail alike, with the message of the careful path. */
static void same_failure(bm_ctx *ctx, const char *name, const char *bytes,
                         size_t n, const char *expect_part)
{
    const char *path = write_file(name, bytes, n);
    CHECK(path != NULL);
    if (!path)
        return;
    bm_report *a = NULL, *b = NULL;
    bm_status sa = bm_report_load_ex(ctx, path, BM_REPORT_NO_HASH, &a);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", bm_ctx_error(ctx));
    bm_status sb = bm_report_load(ctx, path, &b);
    CHECK(sa != BM_OK && sa == sb);
    CHECK_STR(msg, bm_ctx_error(ctx));
    if (!strstr(msg, expect_part))
        fprintf(stderr, "%s: message '%s' lacks '%s'\n", name, msg,
                expect_part);
    CHECK(strstr(msg, expect_part) != NULL);
    CHECK(a == NULL && b == NULL);
    bm_report_free(a);
    bm_report_free(b);
}

#define SAME_FAILURE(name, lit, part)                                        \
    same_failure(ctx, name, lit, sizeof lit - 1, part)

static void test_load(bm_ctx *ctx)
{
    static const char plain[] = "Smugglers caught in Hyesan\n\nThe Ministry "
                                "of State Security arrested three people "
                                "in Hyesan, Ryanggang Province.\n";
    same_report(ctx, "plain.txt", plain, sizeof plain - 1);
    static const char crlf[] = "Title: CRLF report\r\nDate: 2024-01-18\r\n"
                               "\r\nArrests in Musan.\r\nA lone CR\rends "
                               "here in Hoeryŏng.\r\n";
    same_report(ctx, "crlf.txt", crlf, sizeof crlf - 1);
    static const char bom[] = "\xEF\xBB\xBFTitle with a BOM\nOnsŏng-gun "
                              "and 회령 \xF0\x9F\x98\x80 in the text.\n";
    same_report(ctx, "bom.txt", bom, sizeof bom - 1);
    static const char md[] = "---\ntitle: \"A Markdown report\"\ndate: "
                             "2024-02-03\n---\n\nSmuggling in **Sinuiju**.\n";
    same_report(ctx, "front.md", md, sizeof md - 1);
    static const char html[] =
        "<!DOCTYPE html><html><head><title>An HTML report</title></head>"
        "<body><nav>Home</nav><article><h1>Arrests in Hoeryong</h1><p>The "
        "police detained two people in Onsong County.</p></article>"
        "</body></html>";
    same_report(ctx, "page.html", html, sizeof html - 1);

    SAME_FAILURE("empty.txt", "", "empty report");
    SAME_FAILURE("bomonly.txt", "\xEF\xBB\xBF", "empty report");
    SAME_FAILURE("nul.txt", "Title\nHye\0san\n", "NUL");
    SAME_FAILURE("bad.txt", "Title\nHyesan \xFF\n", "UTF-8");
    SAME_FAILURE("overlong.txt", "Title\n\xC0\xAF\n", "UTF-8");
    SAME_FAILURE("surrogate.txt", "Title\n\xED\xA0\x80\n", "UTF-8");
    SAME_FAILURE("past.txt", "Title\n\xF4\x90\x80\x80\n", "UTF-8");
    SAME_FAILURE("cut.txt", "Title\nMusan\xE2\x80", "UTF-8");
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no-such-report.txt", BM_TEST_TMP);
    bm_report *r = NULL;
    CHECK(bm_report_load_ex(ctx, missing, BM_REPORT_NO_HASH, &r) ==
          BM_ERR_IO);
    CHECK(r == NULL);
    CHECK(bm_report_load_ex(ctx, BM_TEST_TMP, 0, &r) != BM_OK);
    CHECK(r == NULL);
}

static void test_months(void)
{
    static const struct {
        const char *w;
        int m;
    } cases[] = {{"January", 1}, {"jan", 1},   {"Jan.", 1},  {"SEPT.", 9},
                 {"Sept", 9},    {"sep", 9},   {"September.", 9},
                 {"Septembe", 0}, {"May", 5},  {"mayo", 0},  {"Dec", 12},
                 {"dece", 0},    {"DECEMBER", 12}, {"ja", 0}, {"Ja.", 0},
                 {"Novembers", 0}, {"septembers", 0}, {"octobe", 0},
                 {"Oct", 10},    {"said", 0},  {"Xmas", 0},  {"\xC3\xA9t\xC3\xA9", 0},
                 {"augu", 0},    {"aug.", 8},  {"", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int m = bm_month_from_word(cases[i].w, strlen(cases[i].w));
        if (m != cases[i].m)
            fprintf(stderr, "month '%s': %d, expected %d\n", cases[i].w, m,
                    cases[i].m);
        CHECK(m == cases[i].m);
    }
}

int main(void)
{
    bm_ctx *ctx = bm_ctx_new(NULL);
    bm_gazetteer *gz = NULL;
    CHECK(ctx && bm_gazetteer_open(ctx, NULL, &gz) == BM_OK);
    if (gz)
        test_scan(ctx, gz);
    test_load(ctx);
    test_months();
    bm_gazetteer_free(gz);
    bm_ctx_free(ctx);
    return bm_test_done();
}
