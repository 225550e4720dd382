/* SPDX-License-Identifier: MIT
 *
 * sim-rng.c: seeded random streams (xoshiro256** seeded by splitmix64 from
 * the master seed and an FNV-1a hash of the stream's stable name).
 *
 * Why not GRand: every link direction and host owns a stream and draws on
 * the per-packet hot path; xoshiro256** is a few instructions per draw and
 * its output is fixed by its published definition, so golden traces cannot
 * change under a library upgrade.
 */
#include "config.h"

#include "sim/sim-rng.h"

static guint64
splitmix64(guint64 *x)
{
    guint64 z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static guint64
name_hash(const char *name)
{
    guint64 h = 0xcbf29ce484222325ull;

    for (const unsigned char *p = (const unsigned char *) name; *p != '\0'; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/**
 * sim_rng_init:
 * @rng: (out caller-allocates): the stream to set up
 * @master_seed: the world's seed
 * @stream_name: a stable name for the consumer, e.g. "link/a-b/ab/loss"
 *
 * Streams with different names are independent; the same (seed, name) gives
 * the same sequence on every machine.
 */
void
sim_rng_init(SimRng *rng, guint64 master_seed, const char *stream_name)
{
    guint64 x = master_seed ^ name_hash(stream_name ? stream_name : "");

    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static inline guint64
rotl(guint64 x, int k)
{
    return (x << k) | (x >> (64 - k));
}

guint64
sim_rng_next(SimRng *rng)
{
    guint64 *s = rng->s;
    guint64 result = rotl(s[1] * 5, 7) * 9;
    guint64 t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/**
 * sim_rng_below:
 * @rng: a stream
 * @bound: exclusive upper bound, > 0
 *
 * Returns: a uniform integer in [0, @bound), without modulo bias (Lemire's
 * multiply-and-reject).
 */
guint64
sim_rng_below(SimRng *rng, guint64 bound)
{
    g_return_val_if_fail(bound > 0, 0);
    for (;;) {
        unsigned __int128 m = (unsigned __int128) sim_rng_next(rng) * bound;
        guint64 low = (guint64) m;
        if (low >= bound || low >= (-bound) % bound)
            return (guint64) (m >> 64);
    }
}

bool
sim_rng_chance_ppm(SimRng *rng, guint32 ppm)
{
    if (ppm == 0)
        return false;
    if (ppm >= SIM_PPM_ONE)
        return true;
    return sim_rng_below(rng, SIM_PPM_ONE) < ppm;
}
