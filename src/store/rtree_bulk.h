/*
 * rtree_bulk.h - packs a SQLite R*Tree of points in one pass (internal to
 * the store module; store_spatialite.c is its only user).
 *
 * SQLite's rtree module inserts a row at a time, rewriting a node and its
 * ancestors for each: about 9 us a point here, most of an ingest's time.
 * Built from all points at once (Sort-Tile-Recursive packing, Leutenegger
 * et al. 1997), the same tree costs a sort and one write per node. The
 * module's shadow tables are written directly in the format rtree.c
 * documents and reads back (and rtreecheck() accepts):
 *   <name>_node(nodeno, data): a node of the size the root already has,
 *     big-endian: u16 depth (root only; 0 elsewhere), u16 cell count, then
 *     cells of i64 id and 4 x float32 (xmin, xmax, ymin, ymax); node 1 is
 *     the root, whose depth is the tree's height (0: the root is a leaf);
 *   <name>_rowid(rowid, nodeno): the leaf of each point;
 *   <name>_parent(nodeno, parentnode): the parent of every other node.
 * Coordinates are rounded outwards to float32 (min down, max up), as the
 * module rounds them.
 *
 * Memory is bounded by one vertical slice of points (about
 * sqrt(points x cells per node): 23,000 at 1e7), a histogram of x and one
 * entry per leaf, not by the number of points: the points pass through
 * two temporary files in $TMPDIR (32 bytes each), where they are sorted
 * into slices by a histogram of x (see rtree_bulk.c). When the points
 * come in ascending id, the _rowid rows are appended in that order through
 * a third file (16 bytes a point) instead of one seek each.
 */
#ifndef BM_RTREE_BULK_H
#define BM_RTREE_BULK_H

#include <sqlite3.h>

/* Replaces the whole content of the rtree virtual table `rtree` (an
 * existing 2-D rtree: id, xmin, xmax, ymin, ymax) by the points
 * `SELECT id, x, y FROM ...` that points_sql reads, in any order (ids
 * unique, x and y finite degrees; ascending id is fastest). Runs inside the caller's transaction;
 * on failure the caller rolls back. Returns an SQLite result code
 * (SQLITE_FULL when the temporary files do not fit); *points (may be
 * NULL) receives the number of points indexed. */
int bm_rtree_bulk_load(sqlite3 *db, const char *rtree, const char *points_sql,
                       sqlite3_int64 *points);

#endif
