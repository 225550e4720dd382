/* SPDX-License-Identifier: MIT
 *
 * scenario.h: the scenario language of the wspsim command (runner/).  A
 * .wsim file goes through three pure steps — lexing, parsing into an AST,
 * checking (names, types, ranges) — and then the interpreter builds a world
 * from it (sim/sim.h) and runs one coroutine actor per script thread, whose
 * WSP calls go through the WSPPROC_TABLE its process got from WSPStartup.
 * doc/wspsim-scenario.5 is the language reference.
 */
#ifndef WSPSIM_SCENARIO_H
#define WSPSIM_SCENARIO_H

#include <stdio.h>

#include "sim/sim.h"

G_BEGIN_DECLS

/* ---- Errors: messages are "file:line:column: message" ---------------- */

#define WSPSIM_SCENARIO_ERROR (wspsim_scenario_error_quark())
GQuark wspsim_scenario_error_quark(void);

typedef enum {
    WSPSIM_SCENARIO_ERROR_SYNTAX,       /* malformed text: token, grammar, indentation */
    WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, /* a host, router or link that was not declared */
    WSPSIM_SCENARIO_ERROR_RANGE,        /* a number, time or size out of its range */
    WSPSIM_SCENARIO_ERROR_IO,           /* missing, unreadable, oversized or binary file */
    WSPSIM_SCENARIO_ERROR_FAILED,       /* valid text the runner cannot honour */
    WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, /* keyword, constant, function or variable */
    WSPSIM_SCENARIO_ERROR_TYPE,         /* an argument of the wrong kind */
} WspsimScenarioError;

/* Limits on what a scenario may ask for, checked before anything is
 * allocated (a fuzzer feeds the parser arbitrary text). */
#define WSPSIM_MAX_FILE_BYTES (16u * 1024 * 1024)
#define WSPSIM_MAX_DEPTH 32u                             /* nested blocks */
#define WSPSIM_MAX_DATA_BYTES (64u * 1024 * 1024)        /* one buffer */
#define WSPSIM_MAX_TIME_NS ((SimTime) 1000000 * SIM_SEC) /* 11.5 days */
#define WSPSIM_MAX_REPEAT ((gint64) 1000000000)
/* Statements a thread may run without simulated time advancing (interp.c). */
#define WSPSIM_BUSY_POLL_LIMIT ((guint64) 1000000)
#define WSPSIM_MAX_INSTANCES 100000u /* actors one template starts */
#define WSPSIM_MAX_ARGS 8u

/* ---- Values ----------------------------------------------------------- */

/* Units a number literal may carry; values are normalised to integers:
 * time in ns, size in bytes, rate in bits/s, ratio in parts per million. */
typedef enum {
    WSPSIM_UNIT_NONE,
    WSPSIM_UNIT_TIME,
    WSPSIM_UNIT_SIZE,
    WSPSIM_UNIT_RATE,
    WSPSIM_UNIT_PPM,
} WspsimUnit;

typedef enum {
    WSPSIM_EX_INT,   /* number or constant expression (i, unit) */
    WSPSIM_EX_BYTES, /* "string" or x"hex" (bytes, len) */
    WSPSIM_EX_FILL,  /* N bytes: a buffer of i pattern bytes */
    WSPSIM_EX_ADDR,  /* 10.0.0.2:80, [::1]:80 (addr) */
    WSPSIM_EX_VAR,   /* a variable (slot) */
    WSPSIM_EX_LIST,  /* [a, b] (items) */
    WSPSIM_EX_QOS,   /* {send: ..., recv: ..., mode: ...} or a template name (qos) */
    WSPSIM_EX_PROC,  /* HOST.PROC: a process of the scenario (name = "host.proc") */
} WspsimExprKind;

/* A QOS written in a scenario (doc/wspsim-scenario.5, QOS VALUES):
 * {[TEMPLATE,] send: SERVICE [rate=N] [bucket=N] [peak=N] [latency=N]
 *  [variation=N] [sdu=N] [min=N], recv: ..., mode: shape|discard|borrow}. */
enum {
    WSPSIM_QF_RATE,      /* TokenRate, bytes/s */
    WSPSIM_QF_BUCKET,    /* TokenBucketSize, bytes */
    WSPSIM_QF_PEAK,      /* PeakBandwidth, bytes/s */
    WSPSIM_QF_LATENCY,   /* Latency, us */
    WSPSIM_QF_VARIATION, /* DelayVariation, us */
    WSPSIM_QF_SDU,       /* MaxSduSize, bytes */
    WSPSIM_QF_MIN,       /* MinimumPolicedSize, bytes */
    WSPSIM_QF_N
};

typedef struct {
    bool given;       /* the direction was written */
    bool has_service; /* ServiceType written */
    guint32 service;
    guint32 set; /* bit per WSPSIM_QF_ written */
    guint32 v[WSPSIM_QF_N];
} WspsimFlowLit;

typedef struct {
    const char *tmpl; /* a WSPGetQOSByName template to start from, or NULL */
    WspsimFlowLit send, recv;
    gint32 mode; /* TC_NONCONF_* for a QOS_SD_MODE object, -1: none */
    gint64 shaping; /* ShapingRate of a QOS_SHAPING_RATE object (bytes/s), -1: none */
} WspsimQosLit;

typedef struct WspsimExpr {
    WspsimExprKind kind;
    WspsimUnit unit;
    guint32 line, col;
    gint64 i;         /* INT value, FILL count, VAR slot */
    const char *name; /* VAR name; INT constant text (nullable) */
    guint8 *bytes;    /* BYTES (NUL-terminated too) */
    size_t len;
    SimSockAddr addr; /* ADDR */
    bool has_port;
    struct WspsimExpr **items; /* LIST */
    guint n_items;
    WspsimQosLit *qos; /* QOS */
} WspsimExpr;

/* ---- Expectations (after "->") ----------------------------------------- */

typedef enum {
    WSPSIM_XP_ANY,    /* anything, even an error */
    WSPSIM_XP_OK,     /* success, whatever the value */
    WSPSIM_XP_INT,    /* the return value (a count for send, recv, select) */
    WSPSIM_XP_ERROR,  /* failure with this WSA code */
    WSPSIM_XP_DATA,   /* exactly these bytes received */
    WSPSIM_XP_NBYTES, /* this many bytes received */
    WSPSIM_XP_ADDR,   /* the address returned (getsockname) */
    WSPSIM_XP_EVENTS, /* network events, with per-event error codes */
    WSPSIM_XP_SET,    /* read=/write=/except=[...]: select set contents */
    WSPSIM_XP_FROM,   /* from=ADDR: the sender of a datagram */
    WSPSIM_XP_WAIT,   /* wait: signalled, timeout, io_completion, or the index signalled */
    WSPSIM_XP_MSG,    /* a window message MSG(sock, FD_X, error) */
    WSPSIM_XP_QOS,    /* qos={...}: the service types and values written */
    WSPSIM_XP_STATUS, /* status=WSA_QOS_...: the RSVP status object's code */
    WSPSIM_XP_PEERDATA, /* caller="..." (WSPAccept) / callee="..." (WSPJoinLeaf) */
} WspsimExpectKind;

/* WSPSIM_XP_WAIT values other than an index (>= 0). */
#define WSPSIM_WAIT_SIGNALLED (-1)
#define WSPSIM_WAIT_TIMEOUT (-2)
#define WSPSIM_WAIT_IO_COMPLETION (-3)

typedef struct {
    WspsimExpectKind kind;
    guint32 line, col;
    gint64 i;      /* INT value, ERROR code, NBYTES count, SET index 0..2 */
    guint8 *bytes; /* DATA */
    size_t len;
    SimSockAddr addr;     /* ADDR, FROM */
    WspsimExpr *list;     /* SET: a LIST of VARs */
    guint32 ev_mask;      /* EVENTS */
    guint32 ev_err_given; /* bit n: an error code was written for event bit n */
    gint32 ev_err[10];
    WspsimQosLit *qos; /* QOS */
} WspsimExpect;

/* ---- Calls ------------------------------------------------------------ */

/* Kinds of argument a call parameter takes. */
typedef enum {
    WSPSIM_T_INT,     /* number or constants joined with | */
    WSPSIM_T_SOCK,    /* a variable holding a socket */
    WSPSIM_T_DATA,    /* "text", x"hex", N bytes, or a variable holding data */
    WSPSIM_T_ADDR,    /* address with port */
    WSPSIM_T_TIME,    /* duration */
    WSPSIM_T_SOCKS,   /* [s, t, ...] */
    WSPSIM_T_OPTVAL,  /* integer, duration or [on, seconds] */
    WSPSIM_T_BOOL,    /* TRUE/FALSE or 0/1 */
    WSPSIM_T_OV,      /* a variable holding an overlapped request */
    WSPSIM_T_ROUTINE, /* a completion routine: log */
    WSPSIM_T_QOS,     /* a QOS: {...}, a template name, or a variable holding one */
    WSPSIM_T_PROC,    /* a process: HOST.PROC (or a raw process id) */
    WSPSIM_T_INFO,    /* a variable holding a WSAPROTOCOL_INFOW (WSPDuplicateSocket) */
    WSPSIM_T_ENTRY,   /* a catalog entry: tcp, udp, tcp6, udp6, rooted, rooted6 (or its id) */
} WspsimArgType;

/* What a call returns, for expectations and "x = call". */
typedef enum {
    WSPSIM_R_STATUS, /* 0 or SOCKET_ERROR */
    WSPSIM_R_INT,    /* a value (a count, an option) */
    WSPSIM_R_SOCKET, /* a new socket */
    WSPSIM_R_DATA,   /* received bytes */
    WSPSIM_R_ADDR,   /* an address */
    WSPSIM_R_SELECT, /* a count and three socket sets */
    WSPSIM_R_EVENTS, /* WSANETWORKEVENTS */
    WSPSIM_R_HANDLE, /* an event object or a window */
    WSPSIM_R_OV,     /* a new overlapped request */
    WSPSIM_R_QOS,    /* a QOS, its RSVP status and shape/discard mode */
    WSPSIM_R_INFO,   /* a WSAPROTOCOL_INFOW for another process */
} WspsimResultKind;

typedef struct {
    const char *name;
    WspsimArgType type;
    bool optional;
} WspsimParam;

typedef struct WspsimCallSpec WspsimCallSpec;

/* One value an argument evaluated to (borrowed from the AST or a variable). */
typedef struct {
    bool present;
    gint64 i;           /* INT, SOCK, TIME, BOOL */
    const guint8 *data; /* DATA */
    size_t len;
    SimSockAddr addr;       /* ADDR */
    const WspsimExpr *list; /* SOCKS, OPTVAL list */
    bool is_time;           /* OPTVAL given as a duration */
    void *ov;               /* OV: the request (struct WspsimOv) */
    const WspsimQosLit *qos; /* QOS written in the call (data/len: a QOS variable's bytes) */
    const char *proc;        /* PROC: "host.proc" (i: a raw process id when NULL) */
} WspsimArg;

/* ---- Statements and the script ------------------------------------------ */

typedef enum {
    WSPSIM_ST_CALL,
    WSPSIM_ST_SLEEP,
    WSPSIM_ST_REPEAT,
    WSPSIM_ST_NOTE,
    WSPSIM_ST_WAIT,   /* wait EV | any [..] | all [..] | message W, with a time-out */
    WSPSIM_ST_CANCEL, /* cancel THREAD: WSPCancelBlockingCall on its behalf */
} WspsimStmtKind;

typedef enum {
    WSPSIM_WAIT_EVENT,   /* one event */
    WSPSIM_WAIT_ANY,     /* the first of a list */
    WSPSIM_WAIT_ALL,     /* all of a list */
    WSPSIM_WAIT_MESSAGE, /* the next message posted to a window */
    WSPSIM_WAIT_PEEK,    /* "expect message": the next message, already posted */
} WspsimWaitKind;

typedef struct WspsimStmt WspsimStmt;

typedef struct {
    WspsimStmt **stmts;
    guint n;
} WspsimBlock;

struct WspsimStmt {
    WspsimStmtKind kind;
    guint32 line, col;
    /* CALL */
    const WspsimCallSpec *spec;
    WspsimExpr *args[WSPSIM_MAX_ARGS]; /* by parameter index; NULL = omitted */
    const char *assign;                /* variable name, or NULL */
    gint assign_slot;
    WspsimExpect *expect;
    guint n_expect;
    char *text;        /* the call as written, for messages */
    char *expect_text; /* what follows "->", as written (nullable) */
    /* SLEEP (and WAIT's time-out; infinite: none) */
    SimTime duration;
    bool alertable, infinite;
    /* WAIT: what (target: an event variable, a list of them, or a window) */
    WspsimWaitKind wait_kind;
    WspsimExpr *target;
    /* CANCEL: the thread's name */
    const char *thread;
    /* REPEAT: count times, with var (slot >= 0) running from .. */
    gint64 count, from;
    const char *var;
    gint var_slot;
    WspsimBlock body;
    /* NOTE */
    char *note;
};

typedef struct {
    char *name;
    bool router;
    GArray *addrs;    /* of SimAddr */
    GArray *prefixes; /* of guint */
    guint32 line, col;
} WspsimHostDecl;

/* Link parameters given in one statement: @set has a bit per field. */
enum {
    WSPSIM_LP_LATENCY = 1 << 0,
    WSPSIM_LP_JITTER = 1 << 1,
    WSPSIM_LP_LOSS = 1 << 2,
    WSPSIM_LP_GE = 1 << 3,
    WSPSIM_LP_DUP = 1 << 4,
    WSPSIM_LP_REORDER = 1 << 5,
    WSPSIM_LP_CORRUPT = 1 << 6,
    WSPSIM_LP_RATE = 1 << 7,
    WSPSIM_LP_QUEUE = 1 << 8,
    WSPSIM_LP_QUEUE_BYTES = 1 << 9,
    WSPSIM_LP_MTU = 1 << 10,
    WSPSIM_LP_UP = 1 << 11,
    WSPSIM_LP_REORDER_DELAY = 1 << 12,
};

typedef struct {
    char *a, *b;
    bool one_way; /* "a -> b": only that direction */
    guint32 set;
    SimLinkParams p;
    guint32 line, col;
} WspsimLinkDecl;

typedef struct {
    char *host, *proc, *name;
    SimTime start;
    SimTime every;    /* template: start of instance k is start + k * every */
    const char *tvar; /* template variable, or NULL */
    gint64 tfrom, tto;
    gint tvar_slot;
    WspsimBlock body;
    guint32 line, col;
    guint proc_index; /* into WspsimScript.procs */
    bool on_restart;  /* runs again, in a fresh process, when its host restarts */
} WspsimThreadDecl;

typedef struct {
    char *host, *name;
    bool templated;
    GPtrArray *vars; /* variable names, by slot (char *, owned) */
    guint32 line, col;
} WspsimProcDecl;

typedef enum {
    WSPSIM_ACT_LINK, /* change link parameters (including up/down); a fault with a period */
    WSPSIM_ACT_NOTE,
    WSPSIM_ACT_FLAP,      /* a link going down and up periodically */
    WSPSIM_ACT_PARTITION, /* nodes cut from the rest (until a heal or for a period) */
    WSPSIM_ACT_HEAL,      /* ends every partition in effect */
    WSPSIM_ACT_CRASH,     /* a node crashes (restarts after a period or a restart) */
    WSPSIM_ACT_RESTART,   /* a crashed node comes back */
    WSPSIM_ACT_FAULT,     /* a provider fault rule for a process */
} WspsimActionKind;

/* What a provider fault does (wspsim-fault.h). */
typedef enum {
    WSPSIM_PF_FAIL,       /* calls of a function fail with a WSA code */
    WSPSIM_PF_SHORT_SEND, /* stream sends accept at most N bytes */
    WSPSIM_PF_SHORT_RECV, /* stream receives return at most N bytes */
    WSPSIM_PF_DELAY,      /* overlapped completions come later */
} WspsimProviderFault;

typedef struct {
    WspsimProviderFault what;
    char *host, *proc; /* NULL host: every process ("all") */
    char *function;    /* FAIL */
    gint64 code;       /* FAIL: the WSA code */
    int trigger;       /* WSPSIM_FAULT_TRIGGER */
    guint32 value;     /* the trigger's N, K or ppm */
    guint32 bytes;     /* SHORT_* */
    SimTime delay;     /* DELAY */
} WspsimProviderFaultDecl;

typedef struct {
    WspsimActionKind kind;
    SimTime at;
    /* A period: "at T for D:" or "from T1 to T2:" (has_period, duration);
     * for a partition or crash without one, the parser fills duration from
     * the heal or restart that ends it (0: it lasts). */
    bool has_period;
    SimTime duration;
    WspsimLinkDecl link; /* LINK, FLAP */
    char *note;
    /* FLAP: down for flap_down every flap_every, flap_count times (0: while
     * the period lasts) */
    SimTime flap_down, flap_every;
    guint32 flap_count;
    /* PARTITION: the set; CRASH, RESTART: nodes[0] */
    char **nodes;
    guint n_nodes;
    int pdir; /* SimPartitionDir */
    WspsimProviderFaultDecl fault;
    guint32 line, col;
} WspsimAction;

typedef struct WspsimScript {
    char *file; /* as named to the parser, for messages */
    bool has_seed;
    guint64 seed;
    bool has_run_until;
    SimTime run_until;
    /* "run poll limit N": statements a thread may run at one simulated
     * instant before it is stopped as a busy-poll (0: the default,
     * WSPSIM_BUSY_POLL_LIMIT) */
    guint64 busy_poll_limit;
    /* "tcp KEY VALUE...": the world's TCP configuration (sim_tcp_set_config),
     * the defaults with what the script changed; has_tcp when it did */
    bool has_tcp;
    SimTcpConfig tcp;
    guint32 tcp_line, tcp_col;
    /* "qos reservable PCT": the share of each link direction's rate QoS
     * admission may reserve (sim_qos_set_reservable_ppm); has_reservable */
    bool has_reservable;
    guint32 reservable_ppm;
    GPtrArray *hosts;   /* of WspsimHostDecl* */
    GPtrArray *links;   /* of WspsimLinkDecl* */
    GPtrArray *procs;   /* of WspsimProcDecl* */
    GPtrArray *threads; /* of WspsimThreadDecl* */
    GPtrArray *shared;  /* "shared NAME": variables every process sees (char *, owned) */
    GPtrArray *actions; /* of WspsimAction* */
    GPtrArray *allocs;  /* every AST node, freed with the script */
    guint64 n_statements;
    /* "provider load PATH": a layered provider module (in allocs) every
     * process starts through, or NULL */
    char *provider;
    guint32 provider_line, provider_col;
} WspsimScript;

/* Parse @text (@len bytes, need not be NUL-terminated) named @file.  A pure
 * function: no I/O, no global state.  Returns NULL with @error set
 * (WSPSIM_SCENARIO_ERROR, "file:line:column: message") on malformed input.
 * The result is also checked: names resolve, arguments have the right
 * kinds, numbers are in range. */
WspsimScript *wspsim_script_parse(const char *file, const char *text, size_t len, GError **error);
/* Read and parse a file; a missing, unreadable or binary file is
 * WSPSIM_SCENARIO_ERROR_IO. */
WspsimScript *wspsim_script_load(const char *path, GError **error);
void wspsim_script_free(WspsimScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WspsimScript, wspsim_script_free)

/* ---- Tables -------------------------------------------------------------- */

/* Constants by name (AF_INET, WSAESHUTDOWN...), taken from spi/wspsim/. */
bool wspsim_const_lookup(const char *name, size_t len, gint64 *out_value);
/* The WSA error name for a code ("WSAEWOULDBLOCK"), or NULL. */
const char *wspsim_error_name(gint64 code);
/* Every constant, for tests: returns the count, @out_names/@out_values set. */
size_t wspsim_const_table(const char *const **out_names, const gint64 **out_values);
/* The call table. */
const WspsimCallSpec *wspsim_call_lookup(const char *name, size_t len);
const WspsimParam *wspsim_call_params(const WspsimCallSpec *spec, guint *out_n);
WspsimResultKind wspsim_call_result(const WspsimCallSpec *spec);
const char *wspsim_call_name(const WspsimCallSpec *spec);
size_t wspsim_call_count(void);
const WspsimCallSpec *wspsim_call_nth(size_t i);
/* The form of @spec its arguments select (WSPIoctl with SIO_GET_QOS returns
 * a QOS, WSPGetQOSByName without a name enumerates): @spec or a variant. */
const WspsimCallSpec *wspsim_call_refine(const WspsimCallSpec *spec, WspsimExpr *const *args);
/* The names WSPGetQOSByName knows (a bare template name in qos=). */
bool wspsim_qos_template_known(const char *name);

/* ---- Running ------------------------------------------------------------- */

typedef struct {
    bool has_seed; /* overrides the script's */
    guint64 seed;
    FILE *trace;       /* (nullable) text trace destination */
    bool keep_records; /* record every trace line (for determinism checks) */
    bool progress;     /* progress line on stderr (wall clock, display only) */
    bool stats;        /* print statistics to stats_out */
    FILE *stats_out;
    const char *jsonl_path, *pcap_path, *msc_path; /* (nullable) */
    bool no_fingerprint;                           /* benchmarks only: run with tracing off */
} WspsimRunOptions;

typedef struct {
    bool ok;           /* every expectation held, no deadlock */
    GString *failures; /* one line per failure (file:line: ... ) */
    guint64 seed;
    SimTime end_time;
    guint64 fingerprint;
    guint64 records;
    guint64 statements; /* executed */
    GPtrArray *lines;   /* keep_records: every trace line (char *) */
} WspsimRunResult;

void wspsim_run_result_clear(WspsimRunResult *res);

/* Build the world of @script and run it.  FALSE with @error only when the
 * run could not start (an output file, a world the script describes that
 * the simulator refuses); expectation failures and deadlocks are in
 * @out_result. */
bool wspsim_script_run(const WspsimScript *script, const WspsimRunOptions *opts,
                       WspsimRunResult *out_result, GError **error);

/* ---- The command ---------------------------------------------------------- */

/* `wspsim` with @argv (argv[0] is the program name); output to @out and
 * @err.  Returns the exit status: 0 all held, 1 a failure, 2 bad input or
 * usage. */
int wspsim_cli_main(int argc, char **argv, FILE *out, FILE *err);

G_END_DECLS

#endif /* WSPSIM_SCENARIO_H */
