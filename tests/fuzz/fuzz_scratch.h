/* fuzz_scratch.h - a scratch folder for harnesses that must go through a
 * file: $TMPDIR, else /dev/shm (memory: several times faster than a disk
 * for a file rewritten thousands of times a second), else /tmp. Fills dir
 * (n bytes) with a fresh mkdtemp() folder named after the harness; aborts
 * when none can be made (a harness cannot run without it). */
#ifndef BM_FUZZ_SCRATCH_H
#define BM_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void fuzz_scratch_dir(const char *harness, char *dir, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, n, "%s/bm-fuzz-%s.XXXXXX", tmp, harness);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "fuzz_%s: mkdtemp %s: ", harness, dir);
        perror(NULL);
        abort();
    }
}

#endif
