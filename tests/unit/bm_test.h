/*
 * bm_test.h - a minimal check harness for bordermap's unit tests.
 * Each test program runs its checks and exits non-zero when any failed,
 * printing "N passed, N failed" last (CTest reads the exit code).
 */
#ifndef BM_TEST_H
#define BM_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int bm_test_passed, bm_test_failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            bm_test_passed++;                                                \
        } else {                                                             \
            bm_test_failed++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                      \
    do {                                                                     \
        const char *bm_a_ = (a), *bm_b_ = (b);                               \
        if (bm_a_ && bm_b_ && strcmp(bm_a_, bm_b_) == 0) {                   \
            bm_test_passed++;                                                \
        } else {                                                             \
            bm_test_failed++;                                                \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n",        \
                    __FILE__, __LINE__, #a, bm_a_ ? bm_a_ : "(null)",        \
                    bm_b_ ? bm_b_ : "(null)");                               \
        }                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                \
    do {                                                                     \
        double bm_a_ = (a), bm_b_ = (b);                                     \
        if (fabs(bm_a_ - bm_b_) <= (tol)) {                                  \
            bm_test_passed++;                                                \
        } else {                                                             \
            bm_test_failed++;                                                \
            fprintf(stderr, "%s:%d: %s == %.6f, expected %.6f +- %g\n",      \
                    __FILE__, __LINE__, #a, bm_a_, bm_b_, (double)(tol));    \
        }                                                                    \
    } while (0)

/* Removes an SQLite file and its -journal, -wal and -shm companions. */
static inline void bm_test_remove_db(const char *path)
{
    static const char *const ext[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

/* Call last in main(): prints the tally and gives the exit code. */
static inline int bm_test_done(void)
{
    printf("%d passed, %d failed\n", bm_test_passed, bm_test_failed);
    return bm_test_failed == 0 && bm_test_passed > 0 ? 0 : 1;
}

#endif
