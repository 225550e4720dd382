/* SPDX-License-Identifier: MIT
 *
 * fuzz-input.h: what every fuzz target shares — a reader that turns the
 * fuzzer's bytes into bounded integers (reading past the end gives zeros,
 * so every input is valid and short inputs stay meaningful), and the check
 * macro that aborts on a broken invariant so libFuzzer (or the replay
 * driver under plain gcc) reports it as a crash.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t left;
} FuzzIn;

static inline FuzzIn
fuzz_in(const uint8_t *data, size_t size)
{
    FuzzIn in = { data, size };

    return in;
}

static inline int
fuzz_more(const FuzzIn *in)
{
    return in->left > 0;
}

static inline uint8_t
fuzz_u8(FuzzIn *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

static inline uint16_t
fuzz_u16(FuzzIn *in)
{
    uint16_t hi = fuzz_u8(in);

    return (uint16_t) (hi << 8 | fuzz_u8(in));
}

static inline uint32_t
fuzz_u32(FuzzIn *in)
{
    uint32_t hi = fuzz_u16(in);

    return hi << 16 | fuzz_u16(in);
}

/* A value in [0, n), n > 0, from as few bytes as n needs. */
static inline uint32_t
fuzz_below(FuzzIn *in, uint32_t n)
{
    if (n <= 256)
        return fuzz_u8(in) % n;
    if (n <= 65536)
        return fuzz_u16(in) % n;
    return fuzz_u32(in) % n;
}

/* Abort with a message when an invariant fails: a crash to the fuzzer. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif /* FUZZ_INPUT_H */
