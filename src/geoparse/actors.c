/*
 * actors.c - who acted: the security organs and other actors a sentence
 * names, with their aliases merged (MSS = SSM = State Security Ministry =
 * Bowibu -> "Ministry of State Security").
 */
#include "gp_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct actor_pat {
    const char *phrase; /* matched case-insensitively unless cs */
    int cs;             /* case-sensitive (acronyms) */
    const char *name;
} actor_pat;

static const actor_pat actors[] = {
    {"radio signal detection bureau", 0,
     "Radio Signal Detection Bureau (Bureau 11)"},
    {"bureau 11", 0, "Radio Signal Detection Bureau (Bureau 11)"},
    {"defense security bureau", 0, "Defense Security Bureau"},
    {"defence security bureau", 0, "Defense Security Bureau"},
    {"defense security command", 0, "Defense Security Bureau"},
    {"military security command", 0, "Defense Security Bureau"},
    {"province state security bureau", 0, "provincial state security bureau"},
    {"provincial state security bureau", 0,
     "provincial state security bureau"},
    {"state security bureau", 0, "provincial state security bureau"},
    {"ministry of state security", 0, "Ministry of State Security"},
    {"state security ministry", 0, "Ministry of State Security"},
    {"state security department", 0, "Ministry of State Security"},
    {"state security agent*", 0, "Ministry of State Security"},
    {"state security officer*", 0, "Ministry of State Security"},
    {"state security official*", 0, "Ministry of State Security"},
    {"bowibu", 0, "Ministry of State Security"},
    {"MSS", 1, "Ministry of State Security"},
    {"SSM", 1, "Ministry of State Security"},
    {"SSD", 1, "Ministry of State Security"},
    {"ministry of social security", 0, "Ministry of Social Security"},
    {"ministry of people's security", 0, "Ministry of Social Security"},
    {"ministry of people\xe2\x80\x99s security", 0,
     "Ministry of Social Security"},
    {"social security ministry", 0, "Ministry of Social Security"},
    {"people's safety", 0, "Ministry of Social Security"},
    {"people\xe2\x80\x99s safety", 0, "Ministry of Social Security"},
    {"MPS", 1, "Ministry of Social Security"},
    {"MSoS", 1, "Ministry of Social Security"},
    {"chinese police", 0, "Chinese police"},
    {"chinese public security", 0, "Chinese police"},
    {"public security bureau", 0, "Chinese police"},
    {"public security officer*", 0, "Chinese police"},
    {"public security official*", 0, "Chinese police"},
    {"chinese authorities", 0, "Chinese authorities"},
    {"chinese security authorities", 0, "Chinese authorities"},
    {"chinese coast guard", 0, "Chinese authorities"},
    {"border guard*", 0, "border guards"},
    {"border security", 0, "border guards"},
    {"border patrol*", 0, "border guards"},
    {"border defense", 0, "border guards"},
    {"guard post*", 0, "border guards"},
    {"prosecutor*", 0, "prosecutors"},
    {"court", 0, "court"},
    {"courts", 0, "court"},
    {"party committee", 0, "party committee"},
    {"sangmu", 0, "109 Sangmu (task force)"},
    {"police", 0, "Ministry of Social Security"},
    {"policem*", 0, "Ministry of Social Security"},
    {NULL, 0, NULL}};

#define NACTORS (sizeof actors / sizeof actors[0] - 1)
#define AX_NONE 0xFFu
_Static_assert(NACTORS <= GP_ACTORS_MAX, "actor indices fit the index");

static inline int wch(unsigned char c)
{
    return c >= 0x80 || (unsigned)((c | 32) - 'a') < 26u ||
           (unsigned)(c - '0') < 10u;
}

void gp_actor_index_init(gp_actor_index *ix)
{
    memset(ix->head, AX_NONE, sizeof ix->head);
    for (size_t a = NACTORS; a-- > 0;) {
        const char *ph = actors[a].phrase;
        size_t pl = strlen(ph);
        ix->prefix[a] = !actors[a].cs && pl && ph[pl - 1] == '*';
        ix->len[a] = (unsigned char)(pl - ix->prefix[a]);
        unsigned char c = (unsigned char)ph[0];
        c = (unsigned char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
        ix->second[a] = ix->len[a] > 1 ? (unsigned char)ph[1] : 0;
        ix->next[a] = ix->head[c];
        ix->head[c] = (unsigned char)a;
    }
}

/* The first actor named in text[from..n); NULL if none. *pos gets its
 * position. Earlier wins; at the same place the more specific (listed
 * first) wins. */
static const char *first_actor(const gp_actor_index *ix, const char *text,
                               const char *lc, size_t n, size_t from,
                               size_t *pos)
{
    for (size_t i = from; i < n; i++) {
        unsigned a = ix->head[(unsigned char)lc[i]];
        if (a == AX_NONE || (i > from && wch((unsigned char)lc[i - 1])))
            continue;
        for (; a != AX_NONE; a = ix->next[a]) {
            size_t pl = ix->len[a];
            if (i + pl > n)
                continue;
            if (actors[a].cs) {
                if ((ix->second[a] &&
                     ix->second[a] != (unsigned char)text[i + 1]) ||
                    memcmp(text + i, actors[a].phrase, pl) != 0)
                    continue;
                if (i + pl < n && wch((unsigned char)text[i + pl]))
                    continue;
            } else {
                if ((ix->second[a] &&
                     ix->second[a] != (unsigned char)lc[i + 1]) ||
                    memcmp(lc + i, actors[a].phrase, pl) != 0)
                    continue;
                size_t e = i + pl;
                if (ix->prefix[a]) {
                    while (e < n && wch((unsigned char)lc[e]))
                        e++;
                } else if (e < n && wch((unsigned char)lc[e])) {
                    continue;
                }
            }
            *pos = i;
            return actors[a].name;
        }
    }
    return NULL;
}

int gp_actors(const gp_actor_index *ix, const char *text, const char *lc,
              size_t n, char *buf, size_t size, const char **last)
{
    int count = 0, full = 0;
    size_t off = 0;
    buf[0] = '\0';
    *last = NULL;
    while (off < n) {
        size_t p;
        const char *a = first_actor(ix, text, lc, n, off, &p);
        if (!a)
            break;
        off = p + 1;
        *last = a;
        if (full)
            continue;
        /* already listed? (names never contain "; ") */
        int seen = 0;
        size_t al = strlen(a);
        for (const char *q = buf; (q = strstr(q, a)) != NULL; q++)
            if ((q == buf || (q >= buf + 2 && q[-2] == ';')) &&
                (q[al] == '\0' || q[al] == ';')) {
                seen = 1;
                break;
            }
        if (seen)
            continue;
        size_t bl = strlen(buf);
        if (bl + al + 3 > size) {
            full = 1;
            continue;
        }
        snprintf(buf + bl, size - bl, "%s%s", bl ? "; " : "", a);
        count++;
    }
    return count;
}
