/*
 * sentences.c - cutting a text into sentences: at ". ", "! ", "? " (also
 * before a closing quote) when the next word starts a sentence, and at
 * every line end; abbreviations ("Jan.", "Mr.", "U.S.", "N. Korea",
 * "No. 3") do not end a sentence.
 */
#include "bm_geoparse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const abbrevs[] = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt",
    "sgt", "capt", "gov", "rep", "sen", "st", "no", "nos", "vol", "vs",
    "inc", "ltd", "co", "corp", "jr", "sr", "dept", "approx", "fig", "pp",
    "p", "cf", "al", "ft", "mt", "ave", "rev", "lieut", "maj", "cmdr",
    "adm", "messrs", "govt", NULL};

/* Is the word that ends just before text[i] (a '.') an abbreviation? */
static int abbrev_before(const char *text, size_t i)
{
    size_t j = i;
    while (j > 0 && isalpha((unsigned char)text[j - 1]))
        j--;
    size_t n = i - j;
    if (n == 0)
        return 0;
    /* initials: "N. Korea", "U.S.", "a.m." */
    if (n == 1 && (isupper((unsigned char)text[j]) ||
                   (j > 0 && text[j - 1] == '.')))
        return 1;
    if (n > 7)
        return 0;
    char w[8];
    for (size_t k = 0; k < n; k++)
        w[k] = (char)tolower((unsigned char)text[j + k]);
    w[n] = '\0';
    /* only as a whole word (not "Korea" ending in "a") */
    if (j > 0 && (isalnum((unsigned char)text[j - 1])))
        return 0;
    for (size_t k = 0; abbrevs[k]; k++)
        if (strcmp(w, abbrevs[k]) == 0)
            return 1;
    return 0;
}

/* Length of a closing quote or bracket at text[i], 0 if none. */
static size_t closer_at(const char *text, size_t len, size_t i)
{
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']')
        return 1;
    if (c == 0xE2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
        ((unsigned char)text[i + 2] == 0x9D ||
         (unsigned char)text[i + 2] == 0x99))
        return 3;
    return 0;
}

typedef struct sent_list {
    bm_sentence *v;
    size_t n, cap;
    size_t last_b, last_cp;
} sent_list;

/* bm_utf8_codepoints(): the bytes that do not continue a character,
 * counted eight at a time. */
static size_t count_codepoints(const char *s, size_t n)
{
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        /* continuation bytes are 10xxxxxx */
        uint64_t m = x & ~(x << 1) & 0x8080808080808080ull;
        if (m)
            cont += (size_t)__builtin_popcountll(m);
    }
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return n - cont;
}

static int sent_push(sent_list *L, const char *text, size_t b0, size_t b1,
                     size_t para)
{
    while (b0 < b1 && isspace((unsigned char)text[b0]))
        b0++;
    while (b1 > b0 && isspace((unsigned char)text[b1 - 1]))
        b1--;
    if (b0 == b1)
        return 1;
    bm_sentence *nv = bm_grow(L->v, &L->cap, L->n + 1, sizeof *nv);
    if (!nv)
        return 0;
    L->v = nv;
    bm_sentence *s = &L->v[L->n++];
    /* code points, counted incrementally (sentences come in order), each
     * byte once */
    L->last_cp += count_codepoints(text + L->last_b, b0 - L->last_b);
    s->byte_start = b0;
    s->byte_end = b1;
    s->start = L->last_cp;
    s->end = L->last_cp + count_codepoints(text + b0, b1 - b0);
    s->paragraph = para;
    L->last_b = b1;
    L->last_cp = s->end;
    return 1;
}

bm_status bm_split_sentences(const char *text, size_t len, bm_sentence **out,
                             size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text)
        return BM_ERR_USAGE;
    sent_list L = {0};
    size_t start = 0, para = 0;
    for (size_t i = 0; i < len; i++) {
        /* skip to the next line end or sentence punctuation */
        while (i < len && text[i] != '\n' && text[i] != '.' &&
               text[i] != '!' && text[i] != '?')
            i++;
        if (i == len)
            break;
        char c = text[i];
        if (c == '\n') {
            if (!sent_push(&L, text, start, i, para))
                goto nomem;
            para++;
            start = i + 1;
            continue;
        }
        if (c != '.' && c != '!' && c != '?')
            continue;
        size_t j = i + 1;
        while (j < len && (text[j] == '.' || text[j] == '!' || text[j] == '?'))
            j++;
        size_t cl;
        while (j < len && (cl = closer_at(text, len, j)) > 0)
            j += cl;
        if (j < len && text[j] != ' ' && text[j] != '\n' && text[j] != '\t')
            continue; /* "3.5", "U.S.-China", "dailynk.com" */
        if (c == '.' && j == i + 1 && abbrev_before(text, i))
            continue;
        size_t k = j;
        while (k < len && (text[k] == ' ' || text[k] == '\t'))
            k++;
        if (k < len && text[k] != '\n' &&
            (islower((unsigned char)text[k]) || text[k] == ',' ||
             text[k] == ';'))
            continue; /* "etc. and", "a.m. on" */
        if (!sent_push(&L, text, start, j, para))
            goto nomem;
        start = j;
        i = j - 1;
    }
    if (!sent_push(&L, text, start, len, para))
        goto nomem;
    *out = L.v;
    *n = L.n;
    return BM_OK;
nomem:
    free(L.v);
    return BM_ERR_NOMEM;
}

