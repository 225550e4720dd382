/* SPDX-License-Identifier: MIT
 *
 * sim-rng.h: seeded random streams.  Each consumer (a link direction's loss
 * model, a host's port allocator, ...) owns a stream derived from the master
 * seed and its own stable name, so adding a component never changes another
 * component's draws.  The generator is xoshiro256** seeded through
 * splitmix64; draws that decide outcomes are integers (parts per million),
 * never floating point.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include "sim-types.h"

G_BEGIN_DECLS

typedef struct SimRng {
    guint64 s[4];
} SimRng;

void sim_rng_init(SimRng *rng, guint64 master_seed, const char *stream_name);
guint64 sim_rng_next(SimRng *rng);
/* Uniform in [0, bound); bound > 0.  Unbiased (Lemire's method). */
guint64 sim_rng_below(SimRng *rng, guint64 bound);
/* TRUE with probability ppm / 1,000,000. */
bool sim_rng_chance_ppm(SimRng *rng, guint32 ppm);

#define SIM_PPM_ONE 1000000u

G_END_DECLS

#endif /* SIM_RNG_H */
