/*
 * rtree_bulk.c - Sort-Tile-Recursive packing of a SQLite R*Tree of points,
 * written straight into the rtree module's shadow tables. See
 * rtree_bulk.h for the format and the memory bound.
 */
#include "rtree_bulk.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A cell: a point (leaf) or a child node (id = its node number). */
typedef struct cell {
    sqlite3_int64 id;
    float box[4];      /* xmin, xmax, ymin, ymax */
    sqlite3_int64 pos; /* a point's rank in id order (see idmap) */
} cell;

typedef struct idmap idmap;
static int idmap_put(idmap *m, sqlite3_int64 pos, sqlite3_int64 nodeno);

typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *node, *rowid, *parent;
    int size;      /* bytes of a node blob */
    int max_cells; /* cells per node */
    unsigned char *buf;
    sqlite3_int64 next; /* next free node number (1 is the root's) */
    idmap *map; /* where leaves put their points' _rowid rows, or NULL:
                   inserted at once */
} writer;

static float round_down(double d)
{
    float f = (float)d;
    if ((double)f > d)
        f = nextafterf(f, -INFINITY);
    return f;
}

static float round_up(double d)
{
    float f = (float)d;
    if ((double)f < d)
        f = nextafterf(f, INFINITY);
    return f;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put64(unsigned char *p, sqlite3_int64 v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)u;
}

static void put_float(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
}

static int cmp_x(const void *a, const void *b)
{
    const cell *p = a, *q = b;
    float x = p->box[0] + p->box[1], y = q->box[0] + q->box[1];
    return (x > y) - (x < y);
}

static int cmp_y(const void *a, const void *b)
{
    const cell *p = a, *q = b;
    float x = p->box[2] + p->box[3], y = q->box[2] + q->box[3];
    if (x != y)
        return (x > y) - (x < y);
    return (p->id > q->id) - (p->id < q->id);
}

/* The box around cells c[0..n). */
static void bounds(const cell *c, int n, float box[4])
{
    box[0] = c[0].box[0];
    box[1] = c[0].box[1];
    box[2] = c[0].box[2];
    box[3] = c[0].box[3];
    for (int i = 1; i < n; i++) {
        box[0] = fminf(box[0], c[i].box[0]);
        box[1] = fmaxf(box[1], c[i].box[1]);
        box[2] = fminf(box[2], c[i].box[2]);
        box[3] = fmaxf(box[3], c[i].box[3]);
    }
}

static int step_reset(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Writes node nodeno holding cells c[0..n); for a leaf (level 0) also the
 * cells' _rowid rows, for an inner node the children's _parent rows. */
static int write_node(writer *w, sqlite3_int64 nodeno, int level, int depth,
                      const cell *c, int n)
{
    memset(w->buf, 0, (size_t)w->size);
    put16(w->buf, (unsigned)depth);
    put16(w->buf + 2, (unsigned)n);
    for (int i = 0; i < n; i++) {
        unsigned char *p = w->buf + 4 + 24 * i;
        put64(p, c[i].id);
        for (int k = 0; k < 4; k++)
            put_float(p + 8 + 4 * k, c[i].box[k]);
    }
    sqlite3_bind_int64(w->node, 1, nodeno);
    sqlite3_bind_blob(w->node, 2, w->buf, w->size, SQLITE_STATIC);
    int rc = step_reset(w->node);
    for (int i = 0; rc == SQLITE_OK && i < n; i++) {
        if (level == 0 && w->map) {
            rc = idmap_put(w->map, c[i].pos, nodeno);
            continue;
        }
        sqlite3_stmt *q = level == 0 ? w->rowid : w->parent;
        sqlite3_bind_int64(q, 1, c[i].id);
        sqlite3_bind_int64(q, 2, nodeno);
        rc = step_reset(q);
    }
    return rc;
}

/* Cuts c[0..n) (one slice, sorted by y) into nodes of the next level up,
 * appending a cell for each to *up. */
static int pack_slice(writer *w, int level, cell *c, size_t n, cell **up,
                      size_t *nup, size_t *cap)
{
    qsort(c, n, sizeof *c, cmp_y);
    for (size_t i = 0; i < n; i += (size_t)w->max_cells) {
        int k = (int)(n - i < (size_t)w->max_cells ? n - i
                                                   : (size_t)w->max_cells);
        if (*nup == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            cell *g = realloc(*up, nc * sizeof *g);
            if (!g)
                return SQLITE_NOMEM;
            *up = g;
            *cap = nc;
        }
        cell *parent = &(*up)[(*nup)++];
        parent->id = w->next++;
        bounds(c + i, k, parent->box);
        int rc = write_node(w, parent->id, level, 0, c + i, k);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Slices per level: ceil(sqrt(nodes)), so that slices hold whole nodes
 * and are about as many as the nodes in each. */
static size_t slice_cells(size_t n, int max_cells)
{
    size_t nodes = (n + (size_t)max_cells - 1) / (size_t)max_cells;
    size_t slices = (size_t)ceil(sqrt((double)nodes));
    if (slices == 0)
        slices = 1;
    size_t per = (nodes + slices - 1) / slices;
    return (per ? per : 1) * (size_t)max_cells;
}

static int prepare(sqlite3 *db, const char *fmt, const char *name,
                   sqlite3_stmt **q)
{
    char *sql = sqlite3_mprintf(fmt, name);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = sqlite3_prepare_v2(db, sql, -1, q, NULL);
    sqlite3_free(sql);
    return rc;
}

static int exec_fmt(sqlite3 *db, const char *fmt, const char *name)
{
    char *sql = sqlite3_mprintf(fmt, name);
    if (!sql)
        return SQLITE_NOMEM;
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    return rc;
}

/* ---- the leaf level, out of core -------------------------------------------
 * Points (24 bytes each) go to a temporary file as SQLite returns them
 * (pass 1, with the range of x). A histogram of x over 65,536 buckets
 * (pass 2) ranks every point by x up to its bucket, which decides its
 * slice; the points of one bucket fill slices in the order they come, so
 * a run of equal x (a town's exact point) still splits evenly. Pass 3
 * copies each point into its slice's region of a second file, through a
 * small buffer per slice; then each slice is read, sorted by y and cut
 * into leaves. Memory: the histogram, the buffers and one slice. */

#define HIST_BUCKETS 65536
#define SLICE_BUF 128

typedef struct rec {
    sqlite3_int64 id;
    double x, y;
    sqlite3_int64 pos; /* rank in the order SQLite returned the points */
} rec;


/* An unlinked temporary file in $TMPDIR (else /tmp); -1 on failure. */
static int temp_fd(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/bordermap-rtree-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int write_all(int fd, const void *p, size_t len, off_t at)
{
    const char *c = p;
    while (len > 0) {
        ssize_t k = pwrite(fd, c, len, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return errno == ENOSPC ? SQLITE_FULL : SQLITE_IOERR;
        c += k;
        len -= (size_t)k;
        at += k;
    }
    return SQLITE_OK;
}

static int read_all(int fd, void *p, size_t len, off_t at)
{
    char *c = p;
    while (len > 0) {
        ssize_t k = pread(fd, c, len, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return SQLITE_IOERR;
        c += k;
        len -= (size_t)k;
        at += k;
    }
    return SQLITE_OK;
}

static size_t bucket_of(double x, double x0, double scale)
{
    double b = (x - x0) * scale;
    if (!(b > 0))
        return 0;
    if (b >= HIST_BUCKETS - 1)
        return HIST_BUCKETS - 1;
    return (size_t)b;
}

/* Reads the file of points a in chunks, calling fn on each. */
static int each_rec(int fd, size_t n, rec *chunk, size_t nchunk,
                    int (*fn)(void *, const rec *), void *user)
{
    for (size_t i = 0; i < n; i += nchunk) {
        size_t k = n - i < nchunk ? n - i : nchunk;
        int rc = read_all(fd, chunk, k * sizeof *chunk,
                          (off_t)(i * sizeof *chunk));
        for (size_t j = 0; rc == SQLITE_OK && j < k; j++)
            rc = fn(user, &chunk[j]);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

typedef struct scatter {
    double x0, scale;
    size_t *hist;   /* pass 2: counts; pass 3: next rank in the bucket */
    size_t per, nslices;
    rec *buf;       /* SLICE_BUF records per slice */
    size_t *nbuf;   /* records waiting in each buffer */
    size_t *filled; /* records written to each slice */
    int fd;         /* the slices' file */
} scatter;

static int count_rec(void *user, const rec *r)
{
    scatter *sc = user;
    sc->hist[bucket_of(r->x, sc->x0, sc->scale)]++;
    return SQLITE_OK;
}

static int flush_slice(scatter *sc, size_t k)
{
    int rc = write_all(sc->fd, sc->buf + k * SLICE_BUF,
                       sc->nbuf[k] * sizeof(rec),
                       (off_t)((k * sc->per + sc->filled[k]) * sizeof(rec)));
    sc->filled[k] += sc->nbuf[k];
    sc->nbuf[k] = 0;
    return rc;
}

static int place_rec(void *user, const rec *r)
{
    scatter *sc = user;
    size_t rank = sc->hist[bucket_of(r->x, sc->x0, sc->scale)]++;
    size_t k = rank / sc->per;
    if (k >= sc->nslices)
        k = sc->nslices - 1;
    sc->buf[k * SLICE_BUF + sc->nbuf[k]++] = *r;
    return sc->nbuf[k] == SLICE_BUF ? flush_slice(sc, k) : SQLITE_OK;
}

/* ---- _rowid in id order -----------------------------------------------------
 * A leaf knows its points' node number only once it is cut, slice by
 * slice, in x order; inserted then, the points' _rowid rows land all over
 * that table's B-tree (a seek and a page rewrite each, most of the
 * packing's time). When SQLite returned the points in ascending id, a
 * point's rank (pos) in that order is also its row's place in _rowid: the
 * leaves put (pos, node) pairs into groups of IDMAP_GROUP consecutive
 * ranks (a region of a third file each, through a small buffer per
 * group); then each group is read back, its nodes put in rank order, the
 * ids read from the points' file (in the same order) and the rows
 * appended in ascending rowid. Memory: one buffer per group and one
 * group. */

#define IDMAP_GROUP 65536

typedef struct pair {
    sqlite3_int64 pos, nodeno;
} pair;

struct idmap {
    int fd;
    size_t n, ngroups;
    pair *buf;      /* SLICE_BUF pairs per group */
    size_t *nbuf;   /* pairs waiting in each buffer */
    size_t *filled; /* pairs written to each group */
};

static size_t group_size(const idmap *m, size_t g)
{
    size_t first = g * IDMAP_GROUP;
    return m->n - first < IDMAP_GROUP ? m->n - first : IDMAP_GROUP;
}

static int idmap_flush(idmap *m, size_t g)
{
    int rc = write_all(m->fd, m->buf + g * SLICE_BUF,
                       m->nbuf[g] * sizeof(pair),
                       (off_t)((g * IDMAP_GROUP + m->filled[g]) *
                               sizeof(pair)));
    m->filled[g] += m->nbuf[g];
    m->nbuf[g] = 0;
    return rc;
}

static int idmap_put(idmap *m, sqlite3_int64 pos, sqlite3_int64 nodeno)
{
    if (pos < 0 || (size_t)pos >= m->n)
        return SQLITE_CORRUPT;
    size_t g = (size_t)pos / IDMAP_GROUP;
    if (m->filled[g] + m->nbuf[g] >= group_size(m, g))
        return SQLITE_CORRUPT; /* a rank twice */
    m->buf[g * SLICE_BUF + m->nbuf[g]++] = (pair){pos, nodeno};
    return m->nbuf[g] == SLICE_BUF ? idmap_flush(m, g) : SQLITE_OK;
}

/* Appends the _rowid rows, group by group; fa: the points in rank order. */
static int idmap_write(idmap *m, sqlite3_stmt *rowid, int fa)
{
    int rc = SQLITE_OK;
    for (size_t g = 0; rc == SQLITE_OK && g < m->ngroups; g++)
        if (m->nbuf[g])
            rc = idmap_flush(m, g);
    pair *pr = malloc(IDMAP_GROUP * sizeof *pr);
    sqlite3_int64 *node = malloc(IDMAP_GROUP * sizeof *node);
    rec *pts = malloc(IDMAP_GROUP * sizeof *pts);
    if (rc == SQLITE_OK && (!pr || !node || !pts))
        rc = SQLITE_NOMEM;
    for (size_t g = 0; rc == SQLITE_OK && g < m->ngroups; g++) {
        size_t first = g * IDMAP_GROUP, k = group_size(m, g);
        if (m->filled[g] != k) {
            rc = SQLITE_CORRUPT; /* a point in no leaf */
            break;
        }
        rc = read_all(m->fd, pr, k * sizeof *pr, (off_t)(first * sizeof *pr));
        if (rc == SQLITE_OK)
            rc = read_all(fa, pts, k * sizeof *pts,
                          (off_t)(first * sizeof *pts));
        for (size_t i = 0; rc == SQLITE_OK && i < k; i++)
            node[(size_t)pr[i].pos - first] = pr[i].nodeno;
        for (size_t i = 0; rc == SQLITE_OK && i < k; i++) {
            sqlite3_bind_int64(rowid, 1, pts[i].id);
            sqlite3_bind_int64(rowid, 2, node[i]);
            rc = step_reset(rowid);
        }
    }
    free(pr);
    free(node);
    free(pts);
    return rc;
}

static float round_down(double d);
static float round_up(double d);

/* Reads the points from q, counts them (*npoints) and writes the leaf
 * level; a cell for each leaf goes to *level. No points: an empty root. */
static int leaves(writer *w, sqlite3_stmt *q, cell **level, size_t *nlevel,
                  size_t *caplevel, size_t *npoints)
{
    int rc = SQLITE_OK;
    int fa = temp_fd(), fb = temp_fd();
    size_t nchunk = 4096, n = 0;
    rec *chunk = malloc(nchunk * sizeof *chunk);
    scatter sc;
    memset(&sc, 0, sizeof sc);
    cell *slice = NULL;
    rec *srec = NULL;
    idmap map;
    memset(&map, 0, sizeof map);
    map.fd = -1;
    int ascending = 1;
    sqlite3_int64 last_id = 0;
    if (fa < 0 || fb < 0)
        rc = SQLITE_CANTOPEN;
    if (rc == SQLITE_OK && !chunk)
        rc = SQLITE_NOMEM;

    /* pass 1: SQLite -> file a, and the range of x */
    double x0 = INFINITY, x1 = -INFINITY;
    size_t k = 0;
    while (rc == SQLITE_OK) {
        int s = sqlite3_step(q);
        if (s == SQLITE_ROW) {
            rec *r = &chunk[k++];
            r->id = sqlite3_column_int64(q, 0);
            r->x = sqlite3_column_double(q, 1);
            r->y = sqlite3_column_double(q, 2);
            r->pos = (sqlite3_int64)n;
            if (n > 0 && r->id <= last_id)
                ascending = 0;
            last_id = r->id;
            x0 = fmin(x0, r->x);
            x1 = fmax(x1, r->x);
            n++;
        } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
            rc = s;
        }
        if (rc == SQLITE_OK && k > 0 && (k == nchunk || s != SQLITE_ROW)) {
            rc = write_all(fa, chunk, k * sizeof *chunk,
                           (off_t)((n - k) * sizeof *chunk));
            k = 0;
        }
        if (s != SQLITE_ROW)
            break;
    }
    *npoints = n;
    if (rc == SQLITE_OK && n == 0)
        rc = write_node(w, 1, 0, 0, NULL, 0); /* an empty root leaf */
    if (rc != SQLITE_OK || n == 0)
        goto done;
    /* A tree of one leaf is its root. */
    w->next = n <= (size_t)w->max_cells ? 1 : 2;
    size_t per = slice_cells(n, w->max_cells); /* points per slice */

    /* pass 2: the histogram of x */
    sc.x0 = x0;
    sc.scale = x1 > x0 ? (HIST_BUCKETS - 1) / (x1 - x0) : 0;
    sc.per = per;
    sc.nslices = (n + per - 1) / per;
    sc.fd = fb;
    if (rc == SQLITE_OK) {
        sc.hist = calloc(HIST_BUCKETS, sizeof *sc.hist);
        sc.buf = malloc(sc.nslices * SLICE_BUF * sizeof *sc.buf);
        sc.nbuf = calloc(sc.nslices, sizeof *sc.nbuf);
        sc.filled = calloc(sc.nslices, sizeof *sc.filled);
        if (!sc.hist || !sc.buf || !sc.nbuf || !sc.filled)
            rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK)
        rc = each_rec(fa, n, chunk, nchunk, count_rec, &sc);
    /* counts -> the rank of each bucket's first point */
    for (size_t b = 0, sum = 0; rc == SQLITE_OK && b < HIST_BUCKETS; b++) {
        size_t c = sc.hist[b];
        sc.hist[b] = sum;
        sum += c;
    }
    /* pass 3: each point into its slice */
    if (rc == SQLITE_OK)
        rc = each_rec(fa, n, chunk, nchunk, place_rec, &sc);
    for (size_t s = 0; rc == SQLITE_OK && s < sc.nslices; s++)
        if (sc.nbuf[s])
            rc = flush_slice(&sc, s);

    /* each slice: by y, into leaves */
    if (rc == SQLITE_OK) {
        srec = malloc(per * sizeof *srec);
        slice = malloc(per * sizeof *slice);
        if (!srec || !slice)
            rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK && ascending && n > 0) {
        map.n = n;
        map.ngroups = (n + IDMAP_GROUP - 1) / IDMAP_GROUP;
        map.fd = temp_fd();
        map.buf = malloc(map.ngroups * SLICE_BUF * sizeof *map.buf);
        map.nbuf = calloc(map.ngroups, sizeof *map.nbuf);
        map.filled = calloc(map.ngroups, sizeof *map.filled);
        if (map.fd < 0)
            rc = SQLITE_CANTOPEN;
        else if (!map.buf || !map.nbuf || !map.filled)
            rc = SQLITE_NOMEM;
        else
            w->map = &map;
    }
    for (size_t s = 0; rc == SQLITE_OK && s < sc.nslices; s++) {
        size_t m = sc.filled[s];
        rc = read_all(fb, srec, m * sizeof *srec,
                      (off_t)(s * per * sizeof *srec));
        for (size_t i = 0; rc == SQLITE_OK && i < m; i++) {
            slice[i].id = srec[i].id;
            slice[i].pos = srec[i].pos;
            slice[i].box[0] = round_down(srec[i].x);
            slice[i].box[1] = round_up(srec[i].x);
            slice[i].box[2] = round_down(srec[i].y);
            slice[i].box[3] = round_up(srec[i].y);
        }
        if (rc == SQLITE_OK)
            rc = pack_slice(w, 0, slice, m, level, nlevel, caplevel);
    }
    if (rc == SQLITE_OK && w->map)
        rc = idmap_write(&map, w->rowid, fa);
done:
    w->map = NULL;
    free(map.buf);
    free(map.nbuf);
    free(map.filled);
    if (map.fd >= 0)
        close(map.fd);
    free(chunk);
    free(sc.hist);
    free(sc.buf);
    free(sc.nbuf);
    free(sc.filled);
    free(srec);
    free(slice);
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return rc;
}

int bm_rtree_bulk_load(sqlite3 *db, const char *rtree, const char *points_sql,
                       sqlite3_int64 *points)
{
    writer w;
    memset(&w, 0, sizeof w);
    w.db = db;
    sqlite3_stmt *q = NULL;
    cell *level = NULL, *next = NULL;
    size_t nlevel = 0, caplevel = 0, nnext = 0, capnext = 0;
    if (points)
        *points = 0;

    /* the node size the module chose when the table was made */
    int rc = prepare(db, "SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1",
                     rtree, &q);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            w.size = sqlite3_column_int(q, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_CORRUPT; /* an rtree always has its root */
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    w.max_cells = (w.size - 4) / 24;
    if (rc == SQLITE_OK && w.max_cells < 4)
        rc = SQLITE_CORRUPT;
    if (rc == SQLITE_OK)
        w.buf = malloc((size_t)w.size);
    if (rc == SQLITE_OK && !w.buf)
        rc = SQLITE_NOMEM;

    if (rc == SQLITE_OK)
        rc = exec_fmt(db, "DELETE FROM \"%w_node\"", rtree);
    if (rc == SQLITE_OK)
        rc = exec_fmt(db, "DELETE FROM \"%w_rowid\"", rtree);
    if (rc == SQLITE_OK)
        rc = exec_fmt(db, "DELETE FROM \"%w_parent\"", rtree);
    if (rc == SQLITE_OK)
        rc = prepare(db, "INSERT INTO \"%w_node\"(nodeno, data) VALUES (?1, ?2)",
                     rtree, &w.node);
    if (rc == SQLITE_OK)
        rc = prepare(db, "INSERT INTO \"%w_rowid\"(rowid, nodeno) "
                         "VALUES (?1, ?2)", rtree, &w.rowid);
    if (rc == SQLITE_OK)
        rc = prepare(db, "INSERT INTO \"%w_parent\"(nodeno, parentnode) "
                         "VALUES (?1, ?2)", rtree, &w.parent);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, points_sql, -1, &q, NULL);

    /* leaves: the points are cut into vertical slices of about equal
     * counts, each cut by y into nodes */
    size_t n = 0;
    if (rc == SQLITE_OK)
        rc = leaves(&w, q, &level, &nlevel, &caplevel, &n);
    sqlite3_finalize(q);
    q = NULL;

    /* inner levels, packed the same way in memory, until one node holds
     * them all: the root */
    int depth = 0;
    while (rc == SQLITE_OK && nlevel > 1) {
        depth++;
        if (nlevel <= (size_t)w.max_cells) {
            rc = write_node(&w, 1, depth, depth, level, (int)nlevel);
            break;
        }
        qsort(level, nlevel, sizeof *level, cmp_x);
        size_t per_up = slice_cells(nlevel, w.max_cells);
        nnext = 0;
        for (size_t i = 0; rc == SQLITE_OK && i < nlevel; i += per_up)
            rc = pack_slice(&w, depth, level + i,
                            nlevel - i < per_up ? nlevel - i : per_up, &next,
                            &nnext, &capnext);
        cell *t = level;
        level = next;
        next = t;
        size_t tc = caplevel;
        caplevel = capnext;
        capnext = tc;
        nlevel = nnext;
    }
    if (points && rc == SQLITE_OK)
        *points = (sqlite3_int64)n;
    sqlite3_finalize(w.node);
    sqlite3_finalize(w.rowid);
    sqlite3_finalize(w.parent);
    free(w.buf);
    free(level);
    free(next);
    return rc;
}
