/*
 * wal_ckpt.h - checkpoints a WAL database from a second thread while a
 * batch goes on writing (internal to the store module; store_spatialite.c
 * is its only user).
 *
 * SQLite's automatic checkpoint runs inside the writer's COMMIT: the
 * writer stops inserting while the committed pages are read back from the
 * -wal file, written to the database and both files synced (about 15% of
 * a large ingest). A checkpointer has its own connection and thread and
 * runs PASSIVE checkpoints (SQLite: "as many frames as possible without
 * waiting for any database readers or writers") whenever it is kicked,
 * on the machine's other core, while the writer fills its next
 * transaction.
 *
 * The writer installs bm_wal_ckpt_hook() as its connection's WAL hook
 * (which replaces the automatic checkpoint). After each commit the hook
 * kicks the checkpointer; once the -wal file holds `limit` frames or
 * more, it also waits for that pass to end, so that the writer's next
 * transaction finds every frame copied back and SQLite starts the -wal
 * file over (it does so only then). The -wal file stays near `limit`
 * frames plus one commit; a reader holding an old snapshot can keep a
 * pass from copying everything, as with any checkpoint, and the file then
 * grows until the reader is done, as it would without the thread.
 *
 * Checkpoints are crash-safe whoever runs them: a crash at any point
 * leaves what SQLite's own checkpoint would.
 *
 * Ownership: bm_wal_ckpt_start() gives the caller a handle to free with
 * bm_wal_ckpt_stop() (NULL accepted), which waits for the pass under way,
 * stops the thread and closes its connection. The path is copied.
 */
#ifndef BM_WAL_CKPT_H
#define BM_WAL_CKPT_H

#include <sqlite3.h>

typedef struct bm_wal_ckpt bm_wal_ckpt;

/* Opens a second connection to the database file `path` (read-write, no
 * extensions) and starts its thread; `limit` is in WAL frames (pages).
 * Returns an SQLite result code; *out is NULL on failure (the caller
 * keeps SQLite's automatic checkpoint then). */
int bm_wal_ckpt_start(const char *path, int limit, bm_wal_ckpt **out);

/* A WAL hook (sqlite3_wal_hook) for the writer's connection; arg is the
 * bm_wal_ckpt. Always returns SQLITE_OK: a failed pass leaves the frames
 * to the next one, or to the checkpoint at close. */
int bm_wal_ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames);

/* Waits until a pass started after the last kick has ended. */
void bm_wal_ckpt_wait(bm_wal_ckpt *c);

/* Waits for the pass under way, stops the thread and closes its
 * connection. NULL is accepted. */
void bm_wal_ckpt_stop(bm_wal_ckpt *c);

#endif
