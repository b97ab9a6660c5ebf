/*
 * fuzz.h - what every fuzz harness shares: the libFuzzer entry points
 * (defined by each harness; called by libFuzzer or by fuzz_main.c for the
 * corpus replay under CTest) and CHECK, which stops the run at a broken
 * invariant so that the fuzzer keeps the input.
 */
#ifndef BM_FUZZ_H
#define BM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c))                                                             \
            __builtin_trap();                                                 \
    } while (0)

#endif
