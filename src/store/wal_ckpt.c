/*
 * wal_ckpt.c - a checkpointing thread for batches; see wal_ckpt.h.
 */
#include "wal_ckpt.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct bm_wal_ckpt {
    sqlite3 *db;
    int limit;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long asked; /* kicks so far */
    unsigned long done;  /* the kick the last finished pass started after */
    int stop;
};

static void *run(void *arg)
{
    bm_wal_ckpt *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->stop && c->done == c->asked)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->done == c->asked) /* stop, and nothing asked */
            break;
        unsigned long gen = c->asked;
        pthread_mutex_unlock(&c->mu);
        /* SQLITE_BUSY (another connection checkpoints) and errors leave
         * the frames to a later pass or to the checkpoint at close. */
        (void)sqlite3_wal_checkpoint_v2(c->db, "main",
                                        SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&c->mu);
        c->done = gen;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int bm_wal_ckpt_start(const char *path, int limit, bm_wal_ckpt **out)
{
    *out = NULL;
    bm_wal_ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    c->limit = limit;
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL);
    /* A connection that has read nothing has not opened the -wal file
     * yet, and a checkpoint on it does nothing. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL,
                          NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(c->db);
        free(c);
        return rc;
    }
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        sqlite3_close(c->db);
        free(c);
        return SQLITE_NOMEM;
    }
    if (pthread_cond_init(&c->cv, NULL) != 0) {
        pthread_mutex_destroy(&c->mu);
        sqlite3_close(c->db);
        free(c);
        return SQLITE_NOMEM;
    }
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        sqlite3_close(c->db);
        free(c);
        return SQLITE_NOMEM;
    }
    *out = c;
    return SQLITE_OK;
}

static void wait_done(bm_wal_ckpt *c)
{
    while (c->done != c->asked)
        pthread_cond_wait(&c->cv, &c->mu);
}

int bm_wal_ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    bm_wal_ckpt *c = arg;
    if (strcmp(name, "main") != 0)
        return SQLITE_OK;
    pthread_mutex_lock(&c->mu);
    c->asked++;
    pthread_cond_broadcast(&c->cv);
    if (frames >= c->limit)
        wait_done(c);
    pthread_mutex_unlock(&c->mu);
    return SQLITE_OK;
}

void bm_wal_ckpt_wait(bm_wal_ckpt *c)
{
    pthread_mutex_lock(&c->mu);
    wait_done(c);
    pthread_mutex_unlock(&c->mu);
}

void bm_wal_ckpt_stop(bm_wal_ckpt *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    sqlite3_close(c->db);
    free(c);
}
