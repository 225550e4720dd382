/* SPDX-License-Identifier: MIT
 *
 * sim-fault.c: scheduled network faults (sim-fault.h) on top of the network
 * layer's own controls: sim_link_set_params() for link faults and
 * partitions, sim_node_set_up() and sim_process_kill() for crashes.  No
 * hook into the packet path is needed: a partition is the set of links
 * crossing the cut going down, so packets in flight across the cut are lost
 * by the link layer's epoch rule (SIM_DROP_LINK_DOWN), exactly as on a cut
 * cable.  doc/faults.md is the user's description.
 *
 * Composition.  Several faults may act on one link direction at once.  For
 * each direction some fault touches, an override stack remembers the
 * direction's own values beneath the faults (base) and, in start order,
 * what each active fault sets (fields + values).  After every change the
 * effective parameters are recomputed — base, then each override in start
 * order, then "down" if any fault holds the direction down — and set if
 * they differ.  So when a fault ends the direction gets what the remaining
 * faults say, or its own values when none remain.  A change made directly
 * with sim_link_set_params() while faults are active is noticed (the
 * direction differs from what this module last set) and folded into the
 * base for the fields it changed: it survives the faults' end unless a
 * fault overrides that field, in which case the fault's value wins while it
 * lasts.
 *
 * Determinism: every fault is one pending event at a time whose data is
 * the fault's id (no ownership, so nothing leaks when a world is freed with
 * faults pending); faults live in an array indexed by id; the per-direction
 * table is a hash keyed by (link, direction) integers used for lookup only.
 */
#include "config.h"

#include "sim/sim-fault.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim-private.h"

/* Internal field bit: the up flag (held down by link-down, flap and
 * partition faults).  Not part of the public mask. */
#define F_UP (1u << 16)

#define MTU_MIN 68u
#define MTU_MAX 65535u

typedef struct {
    SimLinkId link;
    SimLinkDir dir; /* SIM_DIR_AB or SIM_DIR_BA */
} Hold;

typedef struct {
    SimFaultId fault;
    guint32 fields; /* SIM_FAULT_F_* and/or F_UP */
    SimLinkParams p;
} Override;

typedef struct {
    SimLinkId link;
    SimLinkDir dir;
    SimLinkParams base;    /* the direction's own values beneath the faults */
    SimLinkParams applied; /* what this module last set */
    GArray *overrides;     /* of Override, in start order */
} DirStack;

typedef struct {
    SimFaultId id;
    SimFaultKind kind;
    SimFaultState state;
    SimTime start, end; /* end: SIM_TIME_INFINITE for never */
    SimEventId ev;      /* the one pending event, or SIM_EVENT_ID_NONE */

    /* link faults */
    SimLinkId link;
    SimLinkDir dir;
    SimLinkParams params;
    guint32 fields;
    /* flap */
    SimTime down_ns, period_ns;
    guint32 phases_done;
    bool flap_down;
    /* partition */
    SimNodeId *nodes; /* sorted, unique */
    guint32 n_nodes;
    SimPartitionDir pdir;
    /* crash */
    SimNodeId node;

    GArray *holds; /* of Hold: the directions this fault acts on while active */
} Fault;

typedef struct {
    SimFaultRestartFn fn;
    void *data;
} RestartHook;

typedef struct {
    SimWorld *world;
    GPtrArray *faults;   /* of Fault*, index = id - 1 */
    GHashTable *stacks;  /* (link << 1 | dir) -> DirStack* (lookup only) */
    GHashTable *crashed; /* node -> crash holds (lookup only) */
    GArray *restart_hooks;
    guint32 active;
} FaultWorld;

static const char *const kind_names[] = {
    [SIM_FAULT_LINK_DOWN] = "link-down", [SIM_FAULT_LINK_PARAMS] = "link-params",
    [SIM_FAULT_FLAP] = "flap",           [SIM_FAULT_PARTITION] = "partition",
    [SIM_FAULT_CRASH] = "crash",
};
G_STATIC_ASSERT(G_N_ELEMENTS(kind_names) == SIM_FAULT_N_KINDS);

/* ---- Module state ------------------------------------------------------ */

static void
fault_free(Fault *f)
{
    g_free(f->nodes);
    g_array_unref(f->holds);
    g_free(f);
}

static void
stack_free(DirStack *s)
{
    g_array_unref(s->overrides);
    g_free(s);
}

static void
fault_world_free(SimWorld *world, void *state)
{
    FaultWorld *fw = state;

    (void) world;
    g_ptr_array_unref(fw->faults);
    g_hash_table_unref(fw->stacks);
    g_hash_table_unref(fw->crashed);
    g_array_unref(fw->restart_hooks);
    g_free(fw);
}

static FaultWorld *
fw_peek(const SimWorld *world)
{
    return sim__world_module(world, SIM_MOD_FAULT);
}

static FaultWorld *
fw_get(SimWorld *world)
{
    FaultWorld *fw = fw_peek(world);

    if (fw != NULL)
        return fw;
    fw = g_new0(FaultWorld, 1);
    fw->world = world;
    fw->faults = g_ptr_array_new_with_free_func((GDestroyNotify) fault_free);
    fw->stacks =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) stack_free);
    fw->crashed = g_hash_table_new(g_direct_hash, g_direct_equal);
    fw->restart_hooks = g_array_new(FALSE, FALSE, sizeof(RestartHook));
    sim__world_set_module(world, SIM_MOD_FAULT, fw, fault_world_free);
    return fw;
}

static Fault *
fault_lookup(const FaultWorld *fw, SimFaultId id)
{
    if (fw == NULL || id == SIM_FAULT_ID_NONE || id > fw->faults->len)
        return NULL;
    return g_ptr_array_index(fw->faults, id - 1);
}

/* ---- Parameters, field by field ----------------------------------------- */

/* The fields (SIM_FAULT_F_* and F_UP) in which @a and @b differ. */
static guint32
params_diff(const SimLinkParams *a, const SimLinkParams *b)
{
    guint32 m = 0;

    if (a->latency_ns != b->latency_ns)
        m |= SIM_FAULT_F_LATENCY;
    if (a->jitter_ns != b->jitter_ns)
        m |= SIM_FAULT_F_JITTER;
    if (a->loss_ppm != b->loss_ppm)
        m |= SIM_FAULT_F_LOSS;
    if (a->ge_enabled != b->ge_enabled || a->ge_p_good_bad_ppm != b->ge_p_good_bad_ppm ||
        a->ge_p_bad_good_ppm != b->ge_p_bad_good_ppm ||
        a->ge_loss_good_ppm != b->ge_loss_good_ppm || a->ge_loss_bad_ppm != b->ge_loss_bad_ppm)
        m |= SIM_FAULT_F_GE;
    if (a->dup_ppm != b->dup_ppm)
        m |= SIM_FAULT_F_DUP;
    if (a->reorder_ppm != b->reorder_ppm || a->reorder_delay_ns != b->reorder_delay_ns)
        m |= SIM_FAULT_F_REORDER;
    if (a->corrupt_ppm != b->corrupt_ppm)
        m |= SIM_FAULT_F_CORRUPT;
    if (a->rate_bps != b->rate_bps)
        m |= SIM_FAULT_F_RATE;
    if (a->queue_packets != b->queue_packets || a->queue_bytes != b->queue_bytes)
        m |= SIM_FAULT_F_QUEUE;
    if (a->mtu != b->mtu)
        m |= SIM_FAULT_F_MTU;
    if (a->up != b->up)
        m |= F_UP;
    return m;
}

/* Copy the @fields of @src into @dst. */
static void
params_copy_fields(SimLinkParams *dst, const SimLinkParams *src, guint32 fields)
{
    if (fields & SIM_FAULT_F_LATENCY)
        dst->latency_ns = src->latency_ns;
    if (fields & SIM_FAULT_F_JITTER)
        dst->jitter_ns = src->jitter_ns;
    if (fields & SIM_FAULT_F_LOSS)
        dst->loss_ppm = src->loss_ppm;
    if (fields & SIM_FAULT_F_GE) {
        dst->ge_enabled = src->ge_enabled;
        dst->ge_p_good_bad_ppm = src->ge_p_good_bad_ppm;
        dst->ge_p_bad_good_ppm = src->ge_p_bad_good_ppm;
        dst->ge_loss_good_ppm = src->ge_loss_good_ppm;
        dst->ge_loss_bad_ppm = src->ge_loss_bad_ppm;
    }
    if (fields & SIM_FAULT_F_DUP)
        dst->dup_ppm = src->dup_ppm;
    if (fields & SIM_FAULT_F_REORDER) {
        dst->reorder_ppm = src->reorder_ppm;
        dst->reorder_delay_ns = src->reorder_delay_ns;
    }
    if (fields & SIM_FAULT_F_CORRUPT)
        dst->corrupt_ppm = src->corrupt_ppm;
    if (fields & SIM_FAULT_F_RATE)
        dst->rate_bps = src->rate_bps;
    if (fields & SIM_FAULT_F_QUEUE) {
        dst->queue_packets = src->queue_packets;
        dst->queue_bytes = src->queue_bytes;
    }
    if (fields & SIM_FAULT_F_MTU)
        dst->mtu = src->mtu;
    if (fields & F_UP)
        dst->up = src->up;
}

/* The same limits sim_link_set_params() enforces, on the fields in @fields. */
static bool
params_valid(const SimLinkParams *p, guint32 fields)
{
    const SimTime max_delay = G_MAXINT64 / 4;

    if ((fields & SIM_FAULT_F_LATENCY) && p->latency_ns > max_delay)
        return false;
    if ((fields & SIM_FAULT_F_JITTER) && p->jitter_ns > max_delay)
        return false;
    if ((fields & SIM_FAULT_F_LOSS) && p->loss_ppm > SIM_PPM_ONE)
        return false;
    if ((fields & SIM_FAULT_F_GE) &&
        (p->ge_p_good_bad_ppm > SIM_PPM_ONE || p->ge_p_bad_good_ppm > SIM_PPM_ONE ||
         p->ge_loss_good_ppm > SIM_PPM_ONE || p->ge_loss_bad_ppm > SIM_PPM_ONE))
        return false;
    if ((fields & SIM_FAULT_F_DUP) && p->dup_ppm > SIM_PPM_ONE)
        return false;
    if ((fields & SIM_FAULT_F_REORDER) &&
        (p->reorder_ppm > SIM_PPM_ONE || p->reorder_delay_ns > max_delay))
        return false;
    if ((fields & SIM_FAULT_F_CORRUPT) && p->corrupt_ppm > SIM_PPM_ONE)
        return false;
    if ((fields & SIM_FAULT_F_MTU) && (p->mtu < MTU_MIN || p->mtu > MTU_MAX))
        return false;
    return true;
}

/* Durations in the trace: the largest unit that keeps them exact (as the
 * LINK lines print them). */
static void
append_duration(GString *s, SimTime ns)
{
    if (ns == 0)
        g_string_append(s, "0");
    else if (ns % SIM_SEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "s", ns / SIM_SEC);
    else if (ns % SIM_MSEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "ms", ns / SIM_MSEC);
    else if (ns % SIM_USEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "us", ns / SIM_USEC);
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "ns", ns);
}

/* "loss=300000ppm latency=100ms" for the fields of a params fault. */
static void
append_fields(GString *s, const SimLinkParams *p, guint32 fields)
{
    if (fields & SIM_FAULT_F_LATENCY) {
        g_string_append(s, " latency=");
        append_duration(s, p->latency_ns);
    }
    if (fields & SIM_FAULT_F_JITTER) {
        g_string_append(s, " jitter=");
        append_duration(s, p->jitter_ns);
    }
    if (fields & SIM_FAULT_F_LOSS)
        g_string_append_printf(s, " loss=%uppm", p->loss_ppm);
    if (fields & SIM_FAULT_F_GE) {
        if (p->ge_enabled)
            g_string_append_printf(s, " ge=%u/%u/%u/%uppm", p->ge_p_good_bad_ppm,
                                   p->ge_p_bad_good_ppm, p->ge_loss_good_ppm, p->ge_loss_bad_ppm);
        else
            g_string_append(s, " ge=off");
    }
    if (fields & SIM_FAULT_F_DUP)
        g_string_append_printf(s, " dup=%uppm", p->dup_ppm);
    if (fields & SIM_FAULT_F_REORDER) {
        g_string_append_printf(s, " reorder=%uppm/", p->reorder_ppm);
        append_duration(s, p->reorder_delay_ns);
    }
    if (fields & SIM_FAULT_F_CORRUPT)
        g_string_append_printf(s, " corrupt=%uppm", p->corrupt_ppm);
    if (fields & SIM_FAULT_F_RATE) {
        if (p->rate_bps == 0)
            g_string_append(s, " rate=inf");
        else
            g_string_append_printf(s, " rate=%" G_GUINT64_FORMAT "bps", p->rate_bps);
    }
    if (fields & SIM_FAULT_F_QUEUE)
        g_string_append_printf(s, " queue=%upkt/%uB", p->queue_packets, p->queue_bytes);
    if (fields & SIM_FAULT_F_MTU)
        g_string_append_printf(s, " mtu=%u", p->mtu);
}

/* ---- Override stacks ---------------------------------------------------- */

static gpointer
stack_key(SimLinkId link, SimLinkDir dir)
{
    return GUINT_TO_POINTER(((guint) link << 1) | (guint) dir);
}

/* Recompute and set the effective parameters of @s's direction; frees @s
 * when no override is left (the direction then has its own values back). */
static void
stack_refresh(FaultWorld *fw, DirStack *s)
{
    SimLinkParams cur, eff;
    SimStatus st;

    st = sim_link_get_params(fw->world, s->link, s->dir, &cur);
    if (st != SIM_OK)
        g_assert_not_reached();
    /* Fields changed behind our back since we last set them belong to the
     * direction's own values. */
    params_copy_fields(&s->base, &cur, params_diff(&cur, &s->applied));
    eff = s->base;
    for (guint i = 0; i < s->overrides->len; i++) {
        const Override *o = &g_array_index(s->overrides, Override, i);

        params_copy_fields(&eff, &o->p, o->fields);
    }
    s->applied = eff;
    if (params_diff(&cur, &eff) != 0) {
        st = sim_link_set_params(fw->world, s->link, s->dir, &eff);
        if (st != SIM_OK)
            g_assert_not_reached();
    }
    if (s->overrides->len == 0)
        g_hash_table_remove(fw->stacks, stack_key(s->link, s->dir));
}

static void
override_push(FaultWorld *fw, Fault *f, SimLinkId link, SimLinkDir dir, guint32 fields,
              const SimLinkParams *p)
{
    DirStack *s = g_hash_table_lookup(fw->stacks, stack_key(link, dir));
    Override o = { .fault = f->id, .fields = fields, .p = *p };
    Hold h = { link, dir };

    if (s == NULL) {
        SimStatus st;

        s = g_new0(DirStack, 1);
        s->link = link;
        s->dir = dir;
        st = sim_link_get_params(fw->world, link, dir, &s->base);
        if (st != SIM_OK)
            g_assert_not_reached();
        s->applied = s->base;
        s->overrides = g_array_new(FALSE, FALSE, sizeof(Override));
        g_hash_table_insert(fw->stacks, stack_key(link, dir), s);
    }
    g_array_append_val(s->overrides, o);
    g_array_append_val(f->holds, h);
    stack_refresh(fw, s);
}

/* Remove every override of @f, in the order they were pushed. */
static void
overrides_release(FaultWorld *fw, Fault *f)
{
    for (guint i = 0; i < f->holds->len; i++) {
        const Hold *h = &g_array_index(f->holds, Hold, i);
        DirStack *s = g_hash_table_lookup(fw->stacks, stack_key(h->link, h->dir));

        g_assert(s != NULL);
        for (guint j = 0; j < s->overrides->len; j++) {
            if (g_array_index(s->overrides, Override, j).fault == f->id) {
                g_array_remove_index(s->overrides, j);
                break;
            }
        }
        stack_refresh(fw, s);
    }
    g_array_set_size(f->holds, 0);
}

/* Hold @link down in @dir (BOTH: AB then BA) on behalf of @f. */
static void
hold_down(FaultWorld *fw, Fault *f, SimLinkId link, SimLinkDir dir)
{
    SimLinkParams down;

    sim_link_params_init(&down);
    down.up = false;
    if (dir == SIM_DIR_AB || dir == SIM_DIR_BOTH)
        override_push(fw, f, link, SIM_DIR_AB, F_UP, &down);
    if (dir == SIM_DIR_BA || dir == SIM_DIR_BOTH)
        override_push(fw, f, link, SIM_DIR_BA, F_UP, &down);
}

/* ---- Trace text ---------------------------------------------------------- */

/* "a<>b", "a>b" or "b>a" for a link and direction. */
static void
append_link(GString *s, const SimWorld *world, SimLinkId link, SimLinkDir dir)
{
    const char *a = sim_node_name(world, sim_link_node(world, link, SIM_DIR_AB));
    const char *b = sim_node_name(world, sim_link_node(world, link, SIM_DIR_BA));

    switch (dir) {
    case SIM_DIR_AB:
        g_string_append_printf(s, "%s>%s", a, b);
        break;
    case SIM_DIR_BA:
        g_string_append_printf(s, "%s>%s", b, a);
        break;
    case SIM_DIR_BOTH:
        g_string_append_printf(s, "%s<>%s", a, b);
        break;
    }
}

static void
append_set(GString *s, const SimWorld *world, const Fault *f)
{
    g_string_append_c(s, '{');
    for (guint32 i = 0; i < f->n_nodes; i++)
        g_string_append_printf(s, "%s%s", i > 0 ? "," : "", sim_node_name(world, f->nodes[i]));
    g_string_append_c(s, '}');
}

static const char *
pdir_text(SimPartitionDir d)
{
    switch (d) {
    case SIM_PARTITION_SYMMETRIC:
        return "symmetric";
    case SIM_PARTITION_FROM_SET:
        return "one-way, from the set";
    case SIM_PARTITION_TO_SET:
        return "one-way, to the set";
    }
    return "?";
}

/* What the fault acts on: "client<>server", "{server} | rest", "server". */
static void
append_target(GString *s, const SimWorld *world, const Fault *f)
{
    switch (f->kind) {
    case SIM_FAULT_LINK_DOWN:
    case SIM_FAULT_LINK_PARAMS:
    case SIM_FAULT_FLAP:
        append_link(s, world, f->link, f->dir);
        break;
    case SIM_FAULT_PARTITION:
        append_set(s, world, f);
        g_string_append(s, " | rest");
        break;
    case SIM_FAULT_CRASH:
        g_string_append(s, sim_node_name(world, f->node));
        break;
    case SIM_FAULT_N_KINDS:
        g_assert_not_reached();
    }
}

/* One SIM_TR_FAULT record: "<subject> <target><extra> [#id]". */
static void
fault_trace(FaultWorld *fw, const Fault *f, const char *subject, const char *extra)
{
    SimWorld *world = fw->world;
    GString *s;

    if (!sim_trace_enabled(world))
        return;
    s = g_string_new(NULL);
    append_target(s, world, f);
    if (extra != NULL)
        g_string_append(s, extra);
    sim_trace_textf(world, SIM_TR_FAULT, f->kind == SIM_FAULT_CRASH ? f->node : SIM_ID_NONE,
                    SIM_ID_NONE, subject, "%s [#%u]", s->str, f->id);
    g_string_free(s, TRUE);
}

/* ---- Starting and ending --------------------------------------------------- */

static void fault_event(SimWorld *world, void *data);

static void
fault_arm(FaultWorld *fw, Fault *f, SimTime at)
{
    f->ev = sim_event_schedule_at(fw->world, at, fault_event, GUINT_TO_POINTER(f->id));
}

static int
node_cmp(const void *a, const void *b)
{
    SimNodeId x = *(const SimNodeId *) a, y = *(const SimNodeId *) b;

    return x < y ? -1 : x > y;
}

static void
partition_cut(FaultWorld *fw, Fault *f)
{
    SimWorld *world = fw->world;
    size_t n_links = sim_world_link_count(world);

    /* Links in id order, so the holds (and the LINK records) come in a
     * fixed order. */
    for (SimLinkId l = 1; l <= n_links; l++) {
        SimNodeId a = sim_link_node(world, l, SIM_DIR_AB);
        SimNodeId b = sim_link_node(world, l, SIM_DIR_BA);
        bool in_a = bsearch(&a, f->nodes, f->n_nodes, sizeof(SimNodeId), node_cmp) != NULL;
        bool in_b = bsearch(&b, f->nodes, f->n_nodes, sizeof(SimNodeId), node_cmp) != NULL;
        SimLinkDir out_dir; /* the direction leaving the set */

        if (in_a == in_b)
            continue;
        out_dir = in_a ? SIM_DIR_AB : SIM_DIR_BA;
        switch (f->pdir) {
        case SIM_PARTITION_SYMMETRIC:
            hold_down(fw, f, l, SIM_DIR_BOTH);
            break;
        case SIM_PARTITION_FROM_SET:
            hold_down(fw, f, l, out_dir);
            break;
        case SIM_PARTITION_TO_SET:
            hold_down(fw, f, l, out_dir == SIM_DIR_AB ? SIM_DIR_BA : SIM_DIR_AB);
            break;
        }
    }
}

static void
crash_start(FaultWorld *fw, Fault *f)
{
    SimWorld *world = fw->world;
    gpointer key = GUINT_TO_POINTER(f->node);
    guint holds = GPOINTER_TO_UINT(g_hash_table_lookup(fw->crashed, key));
    g_autoptr(GArray) procs = NULL;

    g_hash_table_insert(fw->crashed, key, GUINT_TO_POINTER(holds + 1));
    /* Down first: the transports' node hooks make the sockets vanish
     * without a packet, and whatever the killed processes' exit hooks and
     * unwinding code then try to send goes nowhere (a down node cannot
     * send). */
    sim_node_set_up(world, f->node, false);
    procs = sim_node_processes(world, f->node);
    for (guint i = 0; i < procs->len; i++) {
        SimProcessId pid = g_array_index(procs, SimProcessId, i);

        if (sim_process_is_alive(world, pid))
            sim_process_kill(world, pid);
    }
}

static void
crash_end(FaultWorld *fw, Fault *f)
{
    SimWorld *world = fw->world;
    gpointer key = GUINT_TO_POINTER(f->node);
    guint holds = GPOINTER_TO_UINT(g_hash_table_lookup(fw->crashed, key));

    g_assert(holds > 0);
    if (holds > 1) {
        g_hash_table_insert(fw->crashed, key, GUINT_TO_POINTER(holds - 1));
        return; /* another crash still holds it down */
    }
    g_hash_table_remove(fw->crashed, key);
    sim_node_set_up(world, f->node, true);
    /* A hook may add hooks: walk by index, re-reading the length. */
    for (guint i = 0; i < fw->restart_hooks->len; i++) {
        RestartHook h = g_array_index(fw->restart_hooks, RestartHook, i);

        h.fn(world, f->node, h.data);
    }
}

static void
fault_start(FaultWorld *fw, Fault *f)
{
    GString *extra = g_string_new(NULL);

    f->state = SIM_FAULT_ACTIVE;
    fw->active++;
    if (f->end != SIM_TIME_INFINITE && f->kind != SIM_FAULT_FLAP && f->kind != SIM_FAULT_CRASH) {
        g_string_append(extra, " for ");
        append_duration(extra, f->end - f->start);
    }
    switch (f->kind) {
    case SIM_FAULT_LINK_DOWN:
        fault_trace(fw, f, "link-down", extra->str);
        hold_down(fw, f, f->link, f->dir);
        break;
    case SIM_FAULT_LINK_PARAMS: {
        GString *fields = g_string_new(NULL);

        append_fields(fields, &f->params, f->fields);
        g_string_prepend(extra, fields->str);
        g_string_free(fields, TRUE);
        fault_trace(fw, f, "link-params", extra->str);
        if (f->dir == SIM_DIR_AB || f->dir == SIM_DIR_BOTH)
            override_push(fw, f, f->link, SIM_DIR_AB, f->fields, &f->params);
        if (f->dir == SIM_DIR_BA || f->dir == SIM_DIR_BOTH)
            override_push(fw, f, f->link, SIM_DIR_BA, f->fields, &f->params);
        break;
    }
    case SIM_FAULT_FLAP:
        f->phases_done = 1;
        f->flap_down = true;
        g_string_append_printf(extra, " phase 1 for ");
        append_duration(extra, f->down_ns);
        fault_trace(fw, f, "flap-down", extra->str);
        hold_down(fw, f, f->link, f->dir);
        break;
    case SIM_FAULT_PARTITION:
        g_string_prepend(extra, ")");
        g_string_prepend(extra, pdir_text(f->pdir));
        g_string_prepend(extra, " (");
        fault_trace(fw, f, "partition", extra->str);
        partition_cut(fw, f);
        break;
    case SIM_FAULT_CRASH:
        if (f->end != SIM_TIME_INFINITE) {
            g_string_append(extra, " restart after ");
            append_duration(extra, f->end - f->start);
        }
        fault_trace(fw, f, "crash", extra->str);
        crash_start(fw, f);
        break;
    case SIM_FAULT_N_KINDS:
        g_assert_not_reached();
    }
    g_string_free(extra, TRUE);
    if (f->kind == SIM_FAULT_FLAP)
        fault_arm(fw, f, fw->world->now + f->down_ns);
    else if (f->end != SIM_TIME_INFINITE)
        fault_arm(fw, f, f->end);
}

/* Undo an active fault now; @how is its final state. */
static void
fault_end(FaultWorld *fw, Fault *f, SimFaultState how)
{
    const char *extra = how == SIM_FAULT_CANCELLED ? " (cancelled)" : NULL;

    g_assert(f->state == SIM_FAULT_ACTIVE);
    f->state = how;
    f->end = fw->world->now;
    fw->active--;
    if (f->ev != SIM_EVENT_ID_NONE) {
        sim_event_cancel(fw->world, f->ev);
        f->ev = SIM_EVENT_ID_NONE;
    }
    switch (f->kind) {
    case SIM_FAULT_LINK_DOWN:
        fault_trace(fw, f, "link-up", extra);
        break;
    case SIM_FAULT_LINK_PARAMS:
        fault_trace(fw, f, "link-restore", extra);
        break;
    case SIM_FAULT_FLAP:
        if (f->flap_down) {
            g_autofree char *t = g_strdup_printf(" phase %u%s", f->phases_done,
                                                 extra != NULL           ? extra
                                                 : how == SIM_FAULT_DONE ? " (last)"
                                                                         : "");

            fault_trace(fw, f, "flap-up", t);
        } else {
            fault_trace(fw, f, "flap-end", extra);
        }
        f->flap_down = false;
        break;
    case SIM_FAULT_PARTITION:
        fault_trace(fw, f, "heal", extra);
        break;
    case SIM_FAULT_CRASH:
        if (GPOINTER_TO_UINT(g_hash_table_lookup(fw->crashed, GUINT_TO_POINTER(f->node))) > 1)
            fault_trace(fw, f, "crash-end",
                        how == SIM_FAULT_CANCELLED ? " (cancelled; another crash keeps it down)"
                                                   : " (another crash keeps it down)");
        else
            fault_trace(fw, f, "restart", extra);
        crash_end(fw, f);
        return;
    case SIM_FAULT_N_KINDS:
        g_assert_not_reached();
    }
    overrides_release(fw, f);
}

/* The end of a flap's down phase: up again, then the next phase or done. */
static void
flap_up(FaultWorld *fw, Fault *f)
{
    SimTime next = f->start + (SimTime) f->phases_done * f->period_ns;
    g_autofree char *t = g_strdup_printf(" phase %u", f->phases_done);

    if (next >= f->end) {
        fault_end(fw, f, SIM_FAULT_DONE);
        return;
    }
    fault_trace(fw, f, "flap-up", t);
    overrides_release(fw, f);
    f->flap_down = false;
    fault_arm(fw, f, next);
}

static void
flap_down(FaultWorld *fw, Fault *f)
{
    GString *extra = g_string_new(NULL);

    f->phases_done++;
    f->flap_down = true;
    g_string_append_printf(extra, " phase %u for ", f->phases_done);
    append_duration(extra, f->down_ns);
    fault_trace(fw, f, "flap-down", extra->str);
    g_string_free(extra, TRUE);
    hold_down(fw, f, f->link, f->dir);
    fault_arm(fw, f, fw->world->now + f->down_ns);
}

static void
fault_event(SimWorld *world, void *data)
{
    FaultWorld *fw = fw_peek(world);
    Fault *f = fault_lookup(fw, GPOINTER_TO_UINT(data));

    g_assert(f != NULL);
    f->ev = SIM_EVENT_ID_NONE;
    switch (f->state) {
    case SIM_FAULT_PENDING:
        fault_start(fw, f);
        break;
    case SIM_FAULT_ACTIVE:
        if (f->kind != SIM_FAULT_FLAP)
            fault_end(fw, f, SIM_FAULT_DONE);
        else if (f->flap_down)
            flap_up(fw, f);
        else
            flap_down(fw, f);
        break;
    case SIM_FAULT_DONE:
    case SIM_FAULT_CANCELLED:
        g_assert_not_reached();
    }
}

/* ---- Scheduling ------------------------------------------------------------ */

static Fault *
fault_new(FaultWorld *fw, SimFaultKind kind, SimTime at, SimTime duration)
{
    Fault *f = g_new0(Fault, 1);

    g_ptr_array_add(fw->faults, f);
    f->id = fw->faults->len;
    f->kind = kind;
    f->state = SIM_FAULT_PENDING;
    f->start = at;
    f->end = duration == 0 ? SIM_TIME_INFINITE : at + duration;
    f->holds = g_array_new(FALSE, FALSE, sizeof(Hold));
    return f;
}

/* Common checks of a start time and a duration (0 = forever). */
static bool
times_valid(const SimWorld *world, SimTime at, SimTime duration)
{
    return at >= sim_world_now(world) && at < SIM_TIME_INFINITE &&
           duration < SIM_TIME_INFINITE - at;
}

static SimStatus
link_check(const SimWorld *world, SimLinkId link, SimLinkDir dir)
{
    if (link == SIM_ID_NONE || link > sim_world_link_count(world))
        return SIM_E_NOTFOUND;
    if (dir != SIM_DIR_AB && dir != SIM_DIR_BA && dir != SIM_DIR_BOTH)
        return SIM_E_INVAL;
    return SIM_OK;
}

static SimStatus
fault_commit(FaultWorld *fw, Fault *f, SimFaultId *out_id)
{
    fault_arm(fw, f, f->start);
    if (out_id != NULL)
        *out_id = f->id;
    return SIM_OK;
}

/**
 * sim_fault_schedule_link_down:
 * @world: the world
 * @at_ns: when the link goes down (absolute, >= now)
 * @link: the link
 * @dir: SIM_DIR_AB, SIM_DIR_BA or SIM_DIR_BOTH
 * @duration_ns: how long it stays down; 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * Holds @dir of @link down from @at_ns for @duration_ns.  Going down loses
 * every packet on the wire or queued in that direction (the link layer's
 * rule); packets sent while it is down are dropped at once
 * (SIM_DROP_LINK_DOWN), and routes avoid the link where they can.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for a bad @dir
 *   or times.
 */
SimStatus
sim_fault_schedule_link_down(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                             SimTime duration_ns, SimFaultId *out_id)
{
    FaultWorld *fw;
    Fault *f;
    SimStatus st;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    if ((st = link_check(world, link, dir)) != SIM_OK)
        return st;
    if (!times_valid(world, at_ns, duration_ns))
        return SIM_E_INVAL;
    fw = fw_get(world);
    f = fault_new(fw, SIM_FAULT_LINK_DOWN, at_ns, duration_ns);
    f->link = link;
    f->dir = dir;
    return fault_commit(fw, f, out_id);
}

/**
 * sim_fault_schedule_link_params:
 * @world: the world
 * @at_ns: when the change starts (absolute, >= now)
 * @link: the link
 * @dir: SIM_DIR_AB, SIM_DIR_BA or SIM_DIR_BOTH
 * @params: (transfer none): values for the fields in @fields (copied now;
 *   the other fields are ignored)
 * @fields: a non-empty mask of SIM_FAULT_F_* values
 * @duration_ns: how long the change lasts; 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * Sets the chosen fields from @at_ns and gives them back, when the fault
 * ends, the value they would have without it (the value before it, or a
 * direct change made meanwhile, or the value of another fault still
 * active).  Packets already accepted onto the link keep the delay and fate
 * they were given when sent.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for a bad @dir,
 *   an empty or unknown mask, out-of-range values or bad times.
 */
SimStatus
sim_fault_schedule_link_params(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                               const SimLinkParams *params, guint32 fields, SimTime duration_ns,
                               SimFaultId *out_id)
{
    FaultWorld *fw;
    Fault *f;
    SimStatus st;

    g_return_val_if_fail(world != NULL && params != NULL, SIM_E_INVAL);
    if ((st = link_check(world, link, dir)) != SIM_OK)
        return st;
    if (fields == 0 || (fields & ~(guint32) SIM_FAULT_F_ALL) != 0 ||
        !params_valid(params, fields) || !times_valid(world, at_ns, duration_ns))
        return SIM_E_INVAL;
    fw = fw_get(world);
    f = fault_new(fw, SIM_FAULT_LINK_PARAMS, at_ns, duration_ns);
    f->link = link;
    f->dir = dir;
    f->params = *params;
    f->fields = fields;
    return fault_commit(fw, f, out_id);
}

/**
 * sim_fault_schedule_loss:
 * @world: the world
 * @at_ns: start (absolute)
 * @link: the link
 * @dir: the direction(s)
 * @loss_ppm: Bernoulli loss, 0..1,000,000 parts per million
 * @duration_ns: 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * A loss burst: sim_fault_schedule_link_params() with SIM_FAULT_F_LOSS.
 * The loss applies when Gilbert-Elliott loss is off on the link.
 *
 * Returns: as sim_fault_schedule_link_params().
 */
SimStatus
sim_fault_schedule_loss(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                        guint32 loss_ppm, SimTime duration_ns, SimFaultId *out_id)
{
    SimLinkParams p;

    sim_link_params_init(&p);
    p.loss_ppm = loss_ppm;
    return sim_fault_schedule_link_params(world, at_ns, link, dir, &p, SIM_FAULT_F_LOSS,
                                          duration_ns, out_id);
}

/**
 * sim_fault_schedule_latency:
 * @world: the world
 * @at_ns: start (absolute)
 * @link: the link
 * @dir: the direction(s)
 * @latency_ns: the propagation delay during the spike
 * @duration_ns: 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * A latency spike: sim_fault_schedule_link_params() with
 * SIM_FAULT_F_LATENCY.  Routes are recomputed at both ends of the spike.
 *
 * Returns: as sim_fault_schedule_link_params().
 */
SimStatus
sim_fault_schedule_latency(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                           SimTime latency_ns, SimTime duration_ns, SimFaultId *out_id)
{
    SimLinkParams p;

    sim_link_params_init(&p);
    p.latency_ns = latency_ns;
    return sim_fault_schedule_link_params(world, at_ns, link, dir, &p, SIM_FAULT_F_LATENCY,
                                          duration_ns, out_id);
}

/**
 * sim_fault_schedule_rate:
 * @world: the world
 * @at_ns: start (absolute)
 * @link: the link
 * @dir: the direction(s)
 * @rate_bps: the serialisation rate during the drop (0 = infinite)
 * @duration_ns: 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * A rate drop: sim_fault_schedule_link_params() with SIM_FAULT_F_RATE.
 *
 * Returns: as sim_fault_schedule_link_params().
 */
SimStatus
sim_fault_schedule_rate(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                        guint64 rate_bps, SimTime duration_ns, SimFaultId *out_id)
{
    SimLinkParams p;

    sim_link_params_init(&p);
    p.rate_bps = rate_bps;
    return sim_fault_schedule_link_params(world, at_ns, link, dir, &p, SIM_FAULT_F_RATE,
                                          duration_ns, out_id);
}

/**
 * sim_fault_schedule_flap:
 * @world: the world
 * @at_ns: the first down phase's start (absolute, >= now)
 * @link: the link
 * @dir: the direction(s)
 * @down_ns: length of each down phase, > 0
 * @period_ns: from one phase's start to the next, > @down_ns
 * @count: number of down phases; 0 = no limit
 * @until_ns: only phases starting before this time (absolute); 0 = no limit
 * @out_id: (out) (nullable): the fault's id
 *
 * Phase k (from 0) holds the link down from @at_ns + k * @period_ns for
 * @down_ns.  At least one of @count and @until_ns must limit it.  The fault
 * is active from the first phase's start to the last phase's end.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for a bad @dir,
 *   no limit, @until_ns <= @at_ns, or bad durations.
 */
SimStatus
sim_fault_schedule_flap(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                        SimTime down_ns, SimTime period_ns, guint32 count, SimTime until_ns,
                        SimFaultId *out_id)
{
    FaultWorld *fw;
    Fault *f;
    SimStatus st;
    guint64 phases = G_MAXUINT64;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    if ((st = link_check(world, link, dir)) != SIM_OK)
        return st;
    if (down_ns == 0 || period_ns <= down_ns || (count == 0 && until_ns == 0) ||
        (until_ns != 0 && until_ns <= at_ns) || !times_valid(world, at_ns, 0))
        return SIM_E_INVAL;
    if (count != 0)
        phases = count;
    if (until_ns != 0)
        phases = MIN(phases, (until_ns - at_ns - 1) / period_ns + 1);
    /* The last phase must end within SimTime. */
    if ((phases - 1) > (SIM_TIME_INFINITE - 1 - at_ns - down_ns) / period_ns)
        return SIM_E_INVAL;
    fw = fw_get(world);
    f = fault_new(fw, SIM_FAULT_FLAP, at_ns, 0);
    f->link = link;
    f->dir = dir;
    f->down_ns = down_ns;
    f->period_ns = period_ns;
    /* end: just after the last phase's start, so flap_up() knows when to
     * stop; reported (and reset on finishing) as the last phase's end. */
    f->end = at_ns + (phases - 1) * period_ns + down_ns;
    return fault_commit(fw, f, out_id);
}

/**
 * sim_fault_schedule_partition:
 * @world: the world
 * @at_ns: when the partition starts (absolute, >= now)
 * @nodes: (array length=n_nodes): the set cut from the rest
 * @n_nodes: its size, >= 1
 * @dir: which way packets stop crossing
 * @duration_ns: until the heal; 0 = until cancelled
 * @out_id: (out) (nullable): the fault's id
 *
 * At @at_ns, every link with exactly one end in the set goes down in the
 * direction(s) @dir names (the cut is computed then, in link id order; a
 * link added later is not cut).  In-flight rule: a partition is those links
 * going down, so packets already on a cut direction (queued, transmitting
 * or propagating) are dropped when they would have arrived, with reason
 * link-down; packets that have not reached the cut yet (on an earlier hop of
 * a multi-hop route) are dropped when they reach it.  At the heal the links
 * come back (unless another fault still holds them down).
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node; E_INVAL for an empty
 *   set, a set holding every node, a bad @dir or bad times.
 */
SimStatus
sim_fault_schedule_partition(SimWorld *world, SimTime at_ns, const SimNodeId *nodes, size_t n_nodes,
                             SimPartitionDir dir, SimTime duration_ns, SimFaultId *out_id)
{
    FaultWorld *fw;
    Fault *f;
    size_t n_world;
    SimNodeId *set;
    guint32 n = 0;

    g_return_val_if_fail(world != NULL && (nodes != NULL || n_nodes == 0), SIM_E_INVAL);
    if (n_nodes == 0)
        return SIM_E_INVAL;
    n_world = sim_world_node_count(world);
    for (size_t i = 0; i < n_nodes; i++) {
        if (nodes[i] == SIM_ID_NONE || nodes[i] > n_world)
            return SIM_E_NOTFOUND;
    }
    if (dir != SIM_PARTITION_SYMMETRIC && dir != SIM_PARTITION_FROM_SET &&
        dir != SIM_PARTITION_TO_SET)
        return SIM_E_INVAL;
    if (!times_valid(world, at_ns, duration_ns))
        return SIM_E_INVAL;
    set = g_memdup2(nodes, n_nodes * sizeof(SimNodeId));
    qsort(set, n_nodes, sizeof(SimNodeId), node_cmp);
    for (size_t i = 0; i < n_nodes; i++) {
        if (n == 0 || set[n - 1] != set[i])
            set[n++] = set[i];
    }
    if (n == n_world) {
        g_free(set);
        return SIM_E_INVAL; /* no "rest" to cut from */
    }
    fw = fw_get(world);
    f = fault_new(fw, SIM_FAULT_PARTITION, at_ns, duration_ns);
    f->nodes = set;
    f->n_nodes = n;
    f->pdir = dir;
    return fault_commit(fw, f, out_id);
}

/**
 * sim_fault_schedule_crash:
 * @world: the world
 * @at_ns: when the node crashes (absolute, >= now)
 * @node: the node
 * @restart_after_ns: time until it restarts; 0 = never
 * @out_id: (out) (nullable): the fault's id
 *
 * At @at_ns the node goes down (sim_node_set_up()): the transports' node
 * hooks make its sockets vanish without sending anything (peers see a reset
 * when they next reach the restarted host, or time out), packets reaching
 * it are dropped (node-down), and it cannot send.  Then every live process
 * on it is killed (sim_process_kill()): exit hooks run, and its actors'
 * waits end with SIM_WAIT_KILLED so pending operations end.  At the restart
 * it comes up with no sockets and no live process, and the restart hooks
 * run (sim_fault_add_restart_hook()).  Overlapping crashes of one node keep
 * it down until the last one ends.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node; E_INVAL for bad times.
 */
SimStatus
sim_fault_schedule_crash(SimWorld *world, SimTime at_ns, SimNodeId node, SimTime restart_after_ns,
                         SimFaultId *out_id)
{
    FaultWorld *fw;
    Fault *f;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    if (node == SIM_ID_NONE || node > sim_world_node_count(world))
        return SIM_E_NOTFOUND;
    if (!times_valid(world, at_ns, restart_after_ns))
        return SIM_E_INVAL;
    fw = fw_get(world);
    f = fault_new(fw, SIM_FAULT_CRASH, at_ns, restart_after_ns);
    f->node = node;
    return fault_commit(fw, f, out_id);
}

/**
 * sim_fault_cancel:
 * @world: the world
 * @id: a fault id
 *
 * A pending fault is removed (traced as "cancel"); an active one ends now as
 * if its time were up (its end record says "(cancelled)"): links come back,
 * parameters are restored, a partition heals, a crashed node restarts.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown id; E_ALREADY for a fault
 *   already done or cancelled.
 */
SimStatus
sim_fault_cancel(SimWorld *world, SimFaultId id)
{
    FaultWorld *fw;
    Fault *f;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    fw = fw_peek(world);
    f = fault_lookup(fw, id);
    if (f == NULL)
        return SIM_E_NOTFOUND;
    switch (f->state) {
    case SIM_FAULT_PENDING:
        sim_event_cancel(world, f->ev);
        f->ev = SIM_EVENT_ID_NONE;
        f->state = SIM_FAULT_CANCELLED;
        fault_trace(fw, f, "cancel", f->kind == SIM_FAULT_CRASH ? NULL : " (never started)");
        return SIM_OK;
    case SIM_FAULT_ACTIVE:
        fault_end(fw, f, SIM_FAULT_CANCELLED);
        return SIM_OK;
    case SIM_FAULT_DONE:
    case SIM_FAULT_CANCELLED:
        break;
    }
    return SIM_E_ALREADY;
}

/**
 * sim_fault_add_restart_hook:
 * @world: the world
 * @fn: called after a crashed node is up again
 * @data: (transfer none) (nullable): handed to @fn
 *
 * Hooks run in registration order, after the node is up and after the
 * "restart" trace record, from the event that restarts it.
 */
void
sim_fault_add_restart_hook(SimWorld *world, SimFaultRestartFn fn, void *data)
{
    RestartHook h = { fn, data };

    g_return_if_fail(world != NULL && fn != NULL);
    g_array_append_val(fw_get(world)->restart_hooks, h);
}

/**
 * sim_fault_remove_restart_hook:
 * @world: the world
 * @fn: a hook added with sim_fault_add_restart_hook()
 * @data: the same data
 *
 * Removes the first matching registration; nothing if none matches.
 */
void
sim_fault_remove_restart_hook(SimWorld *world, SimFaultRestartFn fn, void *data)
{
    FaultWorld *fw;

    g_return_if_fail(world != NULL);
    fw = fw_peek(world);
    if (fw == NULL)
        return;
    for (guint i = 0; i < fw->restart_hooks->len; i++) {
        RestartHook *h = &g_array_index(fw->restart_hooks, RestartHook, i);

        if (h->fn == fn && h->data == data) {
            g_array_remove_index(fw->restart_hooks, i);
            return;
        }
    }
}

/* ---- Queries ---------------------------------------------------------------- */

const char *
sim_fault_kind_name(SimFaultKind kind)
{
    return (guint) kind < SIM_FAULT_N_KINDS ? kind_names[kind] : "?";
}

const char *
sim_fault_state_name(SimFaultState state)
{
    switch (state) {
    case SIM_FAULT_PENDING:
        return "pending";
    case SIM_FAULT_ACTIVE:
        return "active";
    case SIM_FAULT_DONE:
        return "done";
    case SIM_FAULT_CANCELLED:
        return "cancelled";
    }
    return "?";
}

static void
info_fill(const Fault *f, SimFaultInfo *out)
{
    memset(out, 0, sizeof *out);
    out->id = f->id;
    out->kind = f->kind;
    out->state = f->state;
    out->start_ns = f->start;
    out->end_ns = f->end;
    out->link = f->link;
    out->dir = f->dir;
    out->node = f->node;
    out->pdir = f->pdir;
    out->n_nodes = f->n_nodes;
    out->phases_done = f->phases_done;
    out->links_cut = f->kind == SIM_FAULT_PARTITION ? f->holds->len : 0;
}

/**
 * sim_fault_get_info:
 * @world: the world
 * @id: a fault id
 * @out_info: (out caller-allocates): its description and state now
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown id.
 */
SimStatus
sim_fault_get_info(const SimWorld *world, SimFaultId id, SimFaultInfo *out_info)
{
    const Fault *f;

    g_return_val_if_fail(world != NULL && out_info != NULL, SIM_E_INVAL);
    f = fault_lookup(fw_peek(world), id);
    if (f == NULL)
        return SIM_E_NOTFOUND;
    info_fill(f, out_info);
    return SIM_OK;
}

/**
 * sim_fault_list:
 * @world: the world
 *
 * Returns: (transfer full): every fault scheduled in @world, in id order,
 *   as SimFaultInfo.
 */
GArray *
sim_fault_list(const SimWorld *world)
{
    const FaultWorld *fw;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(SimFaultInfo));

    g_return_val_if_fail(world != NULL, out);
    fw = fw_peek(world);
    if (fw == NULL)
        return out;
    g_array_set_size(out, fw->faults->len);
    for (guint i = 0; i < fw->faults->len; i++)
        info_fill(g_ptr_array_index(fw->faults, i), &g_array_index(out, SimFaultInfo, i));
    return out;
}

size_t
sim_fault_count(const SimWorld *world)
{
    const FaultWorld *fw;

    g_return_val_if_fail(world != NULL, 0);
    fw = fw_peek(world);
    return fw != NULL ? fw->faults->len : 0;
}

size_t
sim_fault_active_count(const SimWorld *world)
{
    const FaultWorld *fw;

    g_return_val_if_fail(world != NULL, 0);
    fw = fw_peek(world);
    return fw != NULL ? fw->active : 0;
}

bool
sim_fault_node_crashed(const SimWorld *world, SimNodeId node)
{
    const FaultWorld *fw;

    g_return_val_if_fail(world != NULL, false);
    fw = fw_peek(world);
    return fw != NULL && g_hash_table_contains(fw->crashed, GUINT_TO_POINTER(node));
}
