/*
 * html.c - an HTML news page -> a bm_report, through libxml2's HTML parser.
 *
 * The page is turned into the header layout ("Title:", "Source:", "URL:",
 * "Date:", a blank line, the text) and read by bm_report_parse(), so that
 * every layout ends in the same body rules. The text is the article's:
 * the first <article>, else <main>, else <body>, leaving out navigation,
 * page headers and footers, asides, forms, scripts, styles and figures'
 * furniture; block elements (paragraphs, headings, list items, table
 * rows, <br>) end a line and white space inside a line is collapsed.
 */
#include "bm_geoparse.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name &&
           strcasecmp((const char *)n->name, name) == 0;
}

static int in_list(const xmlNode *n, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (name_is(n, names[i]))
            return 1;
    return 0;
}

static const char *const skipped[] = {
    "script", "style",  "noscript", "nav",   "header", "footer", "aside",
    "form",   "button", "select",   "iframe", "svg",   "template", "head",
    "object", "embed",  NULL};
static const char *const blocks[] = {
    "p",  "div", "h1", "h2", "h3",  "h4", "h5", "h6",  "li", "tr",
    "br", "section", "blockquote", "pre", "figcaption", "dd", "dt",
    "table", "ul", "ol", "hr", "article", "main", NULL};

static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Does a class or id name the page's furniture ("nav", "menu",
 * "breadcrumb", "share", "related", "comment", "footer", "sidebar")? */
static int furniture(const xmlNode *n)
{
    static const char *const words[] = {"nav", "menu", "breadcrumb",
                                        "share", "social", "related",
                                        "comment", "footer", "sidebar",
                                        "advert", "cookie", "subscribe",
                                        NULL};
    static const char *const attrs[] = {"class", "id", "role", NULL};
    for (size_t a = 0; attrs[a]; a++) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)attrs[a]);
        if (!v)
            continue;
        int hit = 0;
        for (size_t w = 0; words[w] && !hit; w++)
            hit = ci_contains((const char *)v, words[w]);
        /* role="navigation" etc. */
        xmlFree(v);
        if (hit)
            return 1;
    }
    return 0;
}

typedef struct textout {
    bm_buf *b;
    int space;   /* a space is pending */
    int line;    /* at the start of a line */
    bm_status st;
} textout;

static void put_newline(textout *t)
{
    if (!t->line && t->st == BM_OK)
        t->st = bm_buf_puts(t->b, "\n");
    t->line = 1;
    t->space = 0;
}

static void put_text(textout *t, const char *s)
{
    for (; *s && t->st == BM_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            t->space = 1;
            continue;
        }
        /* no-break space U+00A0 is a space too */
        if (c == 0xC2 && (unsigned char)s[1] == 0xA0) {
            t->space = 1;
            s++;
            continue;
        }
        if (t->space && !t->line)
            t->st = bm_buf_puts(t->b, " ");
        t->space = 0;
        t->line = 0;
        t->st = t->st == BM_OK ? bm_buf_append(t->b, s, 1) : t->st;
    }
}

static void walk(const xmlNode *n, textout *t, int depth)
{
    for (; n && t->st == BM_OK; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                put_text(t, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (in_list(n, skipped) || (depth > 0 && furniture(n)))
            continue;
        int block = in_list(n, blocks);
        if (block)
            put_newline(t);
        if (depth < 200)
            walk(n->children, t, depth + 1);
        if (block)
            put_newline(t);
    }
}

static const xmlNode *find_el(const xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (name_is(n, name))
            return n;
        const xmlNode *c = find_el(n->children, name);
        if (c)
            return c;
    }
    return NULL;
}

/* First <meta> whose property or name (or itemprop) is one of keys; its
 * content, caller frees with xmlFree(). */
static xmlChar *meta(const xmlNode *n, const char *const *keys)
{
    for (; n; n = n->next) {
        if (name_is(n, "meta")) {
            static const char *const attrs[] = {"property", "name",
                                                "itemprop", NULL};
            for (size_t a = 0; attrs[a]; a++) {
                xmlChar *v = xmlGetProp(n, (const xmlChar *)attrs[a]);
                if (!v)
                    continue;
                int hit = 0;
                for (size_t k = 0; keys[k] && !hit; k++)
                    hit = strcasecmp((const char *)v, keys[k]) == 0;
                xmlFree(v);
                if (hit) {
                    xmlChar *c = xmlGetProp(n, (const xmlChar *)"content");
                    if (c && *c)
                        return c;
                    xmlFree(c);
                }
            }
        }
        xmlChar *c = meta(n->children, keys);
        if (c)
            return c;
    }
    return NULL;
}

static xmlChar *canonical(const xmlNode *n)
{
    for (; n; n = n->next) {
        if (name_is(n, "link")) {
            xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
            int hit = rel && strcasecmp((const char *)rel, "canonical") == 0;
            xmlFree(rel);
            if (hit)
                return xmlGetProp(n, (const xmlChar *)"href");
        }
        xmlChar *c = canonical(n->children);
        if (c)
            return c;
    }
    return NULL;
}

/* "Key: value" on one line, white space collapsed. */
static void header(textout *t, const char *key, xmlChar *v)
{
    if (!v)
        return;
    if (t->st == BM_OK && *v) {
        t->st = bm_buf_printf(t->b, "%s: ", key);
        t->line = 0;
        t->space = 0;
        put_text(t, (const char *)v);
        put_newline(t);
    }
    xmlFree(v);
}

bm_status bm_report_parse_html(bm_ctx *ctx, const char *path,
                               const char *text, size_t len, bm_report **out)
{
    *out = NULL;
    const char *name = path ? path : "(report)";
    if (len > (size_t)INT32_MAX)
        return bm_ctx_fail(ctx, BM_ERR_INPUT, "%s: too large for HTML", name);
    htmlDocPtr doc = htmlReadMemory(text, (int)len, path, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    if (!doc)
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: not readable as HTML", name);
    const xmlNode *root = xmlDocGetRootElement(doc);
    bm_buf b = {0};
    textout t = {&b, 0, 1, BM_OK};

    static const char *const k_title[] = {"og:title", "twitter:title",
                                          "headline", NULL};
    static const char *const k_site[] = {"og:site_name", "application-name",
                                         "publisher", NULL};
    static const char *const k_url[] = {"og:url", NULL};
    static const char *const k_date[] = {
        "article:published_time", "datePublished", "date", "pubdate",
        "publish-date", "dc.date", "dcterms.created", "sailthru.date", NULL};
    xmlChar *title = meta(root, k_title);
    if (!title) {
        const xmlNode *tn = find_el(root, "title");
        if (!tn)
            tn = find_el(root, "h1");
        if (tn)
            title = xmlNodeGetContent(tn);
    }
    header(&t, "Title", title);
    header(&t, "Source", meta(root, k_site));
    xmlChar *url = canonical(root);
    header(&t, "URL", url ? url : meta(root, k_url));
    xmlChar *date = meta(root, k_date);
    if (!date) {
        const xmlNode *tm = find_el(root, "time");
        if (tm)
            date = xmlGetProp(tm, (const xmlChar *)"datetime");
    }
    if (date) {
        /* "2024-01-18T09:30:00+09:00": the date part */
        char *tp = strchr((char *)date, 'T');
        if (tp && tp - (char *)date == 10)
            *tp = '\0';
    }
    header(&t, "Date", date);
    int has_header = b.len > 0;
    if (t.st == BM_OK && has_header)
        t.st = bm_buf_puts(&b, "\n");
    size_t body_at = b.len;
    t.line = 1;

    const xmlNode *main_el = find_el(root, "article");
    if (!main_el)
        main_el = find_el(root, "main");
    if (!main_el)
        main_el = find_el(root, "body");
    if (main_el)
        walk(main_el->children, &t, 1);
    else
        walk(root, &t, 1);
    xmlFreeDoc(doc);
    if (t.st != BM_OK) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_NOMEM, "%s: out of memory", name);
    }
    if (b.len == body_at) {
        bm_buf_free(&b);
        return bm_ctx_fail(ctx, BM_ERR_INPUT,
                           "%s: the HTML page has no article text", name);
    }
    bm_status st = bm_report_parse(ctx, path, b.data, b.len, out);
    bm_buf_free(&b);
    return st;
}
