/* SPDX-License-Identifier: MIT
 *
 * out.h: the run's machine- and human-readable outputs beside the text
 * trace — JSON lines, pcap, a message-sequence chart (SVG) and a summary of
 * statistics.  Each writer is a trace sink (sim_trace_add_sink) over the
 * public sim/ API; the wspsim command opens the ones its options ask for
 * before the run and closes them after.  doc/outputs.md documents the
 * formats.
 */
#ifndef WSPSIM_OUT_H
#define WSPSIM_OUT_H

#include <stdio.h>

#include "sim/sim.h"

G_BEGIN_DECLS

/* Errors opening or writing an output file.  Messages name the path and
 * the OS error. */
#define WSPSIM_OUT_ERROR (wspsim_out_error_quark())
GQuark wspsim_out_error_quark(void);

typedef enum {
    WSPSIM_OUT_ERROR_IO,     /* open, write or close failed */
    WSPSIM_OUT_ERROR_FILTER, /* a capture filter names no node or link */
} WspsimOutError;

/*
 * Every writer is opened on a world before the run (it sees the records
 * emitted from then on) and closed after it, before sim_world_free().  A
 * path of "-" means standard output (left open at close).  _close()
 * removes the sink, finishes the file and frees the writer, NULL accepted;
 * it returns FALSE with @error set when writing failed at any point.
 */

/* ---- JSON lines: one object per trace record -------------------------- */

typedef struct WspsimOutJsonl WspsimOutJsonl;

WspsimOutJsonl *wspsim_out_jsonl_open(SimWorld *world, const char *path, GError **error);
bool wspsim_out_jsonl_close(WspsimOutJsonl *out, GError **error);
/* The object of one record, without the newline, appended to @str (for
 * tests and tools that embed the format). */
void wspsim_out_jsonl_format(const SimWorld *world, const SimTraceRecord *rec, GString *str);

/* ---- pcap: every packet put onto a link --------------------------------- */

typedef struct WspsimOutPcap WspsimOutPcap;

WspsimOutPcap *wspsim_out_pcap_open(SimWorld *world, const char *path, GError **error);
/* Restrict the capture (call before the run; several calls add up): @spec
 * is a node name ("router1": packets leaving it or sent toward it) or a
 * link as two node names joined by a colon ("client:router1", either
 * direction).  WSPSIM_OUT_ERROR_FILTER when a name is unknown. */
bool wspsim_out_pcap_add_filter(WspsimOutPcap *out, const char *spec, GError **error);
guint64 wspsim_out_pcap_packet_count(const WspsimOutPcap *out);
bool wspsim_out_pcap_close(WspsimOutPcap *out, GError **error);

/* ---- Message-sequence chart (SVG), written at close ------------------- */

typedef struct WspsimOutMsc WspsimOutMsc;

/* Events beyond this many are counted but not drawn (a note says so). */
#define WSPSIM_OUT_MSC_DEFAULT_MAX_EVENTS 2000u

WspsimOutMsc *wspsim_out_msc_open(SimWorld *world, const char *path, GError **error);
void wspsim_out_msc_set_max_events(WspsimOutMsc *out, guint max_events);
/* Optional title drawn above the chart (e.g. the scenario file name). */
void wspsim_out_msc_set_title(WspsimOutMsc *out, const char *title);
bool wspsim_out_msc_close(WspsimOutMsc *out, GError **error);

/* ---- Statistics --------------------------------------------------------- */

typedef struct WspsimOutStats WspsimOutStats;

/* Starts collecting per-connection counters from the trace (open it before
 * the run: endpoints that close during the run keep their line). */
WspsimOutStats *wspsim_out_stats_new(SimWorld *world);
/* Prints the summary: per link direction (sim_link_get_stats) and per
 * endpoint (bytes, segments, retransmissions).  @stats may be NULL: then
 * only the link table is printed. */
void wspsim_out_stats_print(SimWorld *world, const WspsimOutStats *stats, FILE *out);
void wspsim_out_stats_free(WspsimOutStats *stats);

/* ---- Shared by the writers (internal to runner/) ------------------------ */

/* fopen(@path) ("-": stdout) for writing, binary; GError names the path. */
FILE *wspsim__out_open(const char *path, GError **error);
/* Flush and close (stdout is only flushed); FALSE with @error when that or
 * an earlier write (@write_failed) failed. */
bool wspsim__out_finish(FILE *f, const char *path, bool write_failed, GError **error);

G_END_DECLS

#endif /* WSPSIM_OUT_H */
