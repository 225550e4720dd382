/* SPDX-License-Identifier: MIT
 *
 * sim.h: the public API of the simulated world (the sim/ layer).  spi/ and
 * runner/ include only this header; it carries no Winsock names.
 */
#ifndef SIM_H
#define SIM_H

#include "sim-types.h"
#include "sim-world.h"
#include "sim-rng.h"
#include "sim-actor.h"
#include "sim-net.h"
#include "sim-trace.h"
#include "sim-sock.h"
#include "sim-tcp.h"
#include "sim-udp.h"
#include "sim-fault.h"
#include "sim-qos.h"

#endif /* SIM_H */
