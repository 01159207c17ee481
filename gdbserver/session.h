/* State of the gdb server and its one debugger connection (private). */
#ifndef KWB_GDB_SESSION_H
#define KWB_GDB_SESSION_H

#include <stdatomic.h>

#include "core/machine.h"
#include "rsp.h"
#include "symbols/ktasks.h"

/* Payload capacity for replies; binary replies escape into at most this. */
#define GDB_REPLY_CAP RSP_PACKET_SIZE

/* A breakpoint/watchpoint gdb inserted. gdb removes every breakpoint at
 * each stop and inserts them again before resuming; removals wait until
 * the next resume so that round trip changes nothing in the core (no
 * decode/TLB flushes per stop). */
/* Conditions and commands gdb gave a breakpoint (bp_agent.c). */
#define GDB_AGENT_MAX 16
typedef struct gdb_bp_agent {
	struct gdb_server *s;
	int nconds, ncmds;
	uint8_t *cond[GDB_AGENT_MAX], *cmd[GDB_AGENT_MAX];
	size_t cond_len[GDB_AGENT_MAX], cmd_len[GDB_AGENT_MAX];
	bool persist;		/* commands stay after gdb disconnects */
	unsigned long hits;
} gdb_bp_agent;

typedef struct gdb_bp {
	enum bp_type type;
	bool removing;		/* z seen: removed from the core at resume */
	uint64_t addr, kind;
	gdb_bp_agent *agent;	/* NULL: stop unconditionally */
} gdb_bp;

#define GDB_MAX_BPS 4096
#define PATH_MAX_KWB 1024

/* What gdb was told about the kernel image (kernel_image.c). */
typedef struct gdb_image_state {
	char style;		/* 0: gdb read no library list; 's' svr4, 'g' generic */
	bool libs_valid;	/* gdb holds the list it read */
	uint64_t alias_sent, slide_sent;
	bool auxv_read;		/* gdb relocated the main file by this slide */
	uint64_t auxv_slide;
	uint64_t offsets_slide;	/* qOffsets told gdb this slide at connect */
	bool held;		/* a machine stop waits while gdb updates */
	stop_info held_stop;
} gdb_image_state;

typedef struct gdb_server gdb_server;
struct gdb_server {
	machine *m;
	int listen_fd;
	int fd;			/* connected debugger, or -1 */
	bool waiting_line;	/* "waiting for gdb" shown on a terminal, no newline yet */
	char *unix_path;	/* to unlink on exit */

	/* per connection */
	bool attached;		/* it sent a packet (or Ctrl-C): it is a debugger */
	bool no_ack;
	bool running;		/* resumed for gdb: a stop reply is owed */
	bool exit_reported;	/* W sent */
	bool attach_stop;	/* the stop kwb asked for at attach is on its way (T05) */
	bool interrupted;	/* Ctrl-C since the last resume: the next stop is T02 */
	bool guest_exited;	/* guest powered off: kwb quits when gdb leaves */
	int exit_code;
	bool dead;		/* write failed: close at the next chance */
	atomic_bool tx_deferred;	/* serve.c: the reply in tx is not sent yet */
	signed char wait_tcp;	/* wait.c: 1 TCP (the peer's CPU is known), 0 not, -1 not asked */
	bool no_reply;		/* this packet's reply is deferred (resume) */
	int g_cpu, c_cpu;	/* Hg / Hc selection (c_cpu -1: all) */
	enum resume_action actions[KWB_MAX_CPUS];
	bool ranging[KWB_MAX_CPUS];	/* vCont;r: keep stepping in [lo, hi) */
	uint64_t range_lo[KWB_MAX_CPUS], range_hi[KWB_MAX_CPUS];

	gdb_bp *bps;
	int nbps, bpcap;
	bool cpu_listed[KWB_MAX_CPUS];	/* a CPU is a thread once it has run */

	/* Linux tasks as threads (tasks.c) */
	bool tasks_mode;
	bool tasks_want;	/* monitor tasks on|off: from the next stop */
	bool tk_valid;		/* tk is this stop's list (or tk_why says why none) */
	ktasks tk;
	char tk_why[200];
	int g_task;		/* Hg chose this task (index in tk) that no CPU runs; -1 */
	uint64_t step_tid[KWB_MAX_CPUS];	/* the thread gdb stepped on each CPU, 0: none */

	/* session-wide settings (monitor and Qqemu packets) */
	bool phys;		/* memory and Z packets use physical addresses */
	gdb_image_state img;

	char reply[GDB_REPLY_CAP + 64];
	size_t rlen;
	bool reply_full;	/* something did not fit: reply is E */
	uint8_t *tx;		/* last framed packet, for '-' */
	size_t txlen, txcap;
	uint8_t scratch[RSP_PACKET_SIZE];
	rsp_parser rx;
};

/* Reply building. */
void gdb_reply_str(gdb_server *s, const char *str);
void gdb_reply_printf(gdb_server *s, const char *fmt, ...) KWB_PRINTF(2, 3);
void gdb_reply_hex(gdb_server *s, const void *buf, size_t n);
void gdb_reply_bytes(gdb_server *s, const void *buf, size_t n);
/* Binary data with escapes; returns how many input bytes fitted. */
size_t gdb_reply_bin(gdb_server *s, const void *buf, size_t n);
size_t gdb_reply_room(gdb_server *s);
/* Frame and send the current reply, then clear it. */
void gdb_send_reply(gdb_server *s);

/* Waiting for the next packet (wait.c): after each reply, keep kwb's and
 * gdb's CPUs from halting for a moment. */
void gdb_wait_start(gdb_server *s);
void gdb_wait_replied(gdb_server *s);
/* serve.c: the serving thread. gdb_serve_replied: true when it serves
 * gdb's next packet (no need to keep CPUs awake). It defers its replies to
 * where the loop may be taken (gdb_serve_defer, gdb_serve_flush). */
void gdb_serve_start(gdb_server *s, uint64_t window_ns);
void gdb_serve_stop(gdb_server *s);
bool gdb_serve_replied(gdb_server *s);
bool gdb_serve_defer(gdb_server *s);
void gdb_serve_flush(gdb_server *s);
void gdb_send_tx(gdb_server *s);
void gdb_wait_stop(gdb_server *s);

/* Packet dispatch (gdb_packets.c): handle one payload, leave the reply in
 * s->reply unless s->no_reply. */
void gdb_handle_packet(gdb_server *s, char *pkt, size_t len);
/* The stop reply for s (T/W/X) into s->reply. */
void gdb_stop_reply(gdb_server *s, const stop_info *st);
/* Resume with s->actions; replies at once if nothing can run. */
void gdb_resume(gdb_server *s);
/* The debugger's breakpoints and watchpoints off (detach, dropped connection). */
void gdb_drop_breakpoints(gdb_server *s);
/* Detach (D): breakpoints off, machine running. */
void gdb_detach(gdb_server *s);
/* Quit kwb on the debugger's request (k, vKill). */
void gdb_kill(gdb_server *s);
/* Serve [off,len) of an xfer document ("OFF,LEN" in arg). */
void gdb_xfer_reply(gdb_server *s, const char *doc, size_t doclen, const char *arg, const char *end);
/* Console output to gdb (O packets), now. */
void gdb_send_console(gdb_server *s, const char *text, size_t len);
/* gdb has a code breakpoint (not being removed) at addr. */
bool gdb_has_breakpoint_at(gdb_server *s, uint64_t addr);

/* Breakpoint conditions and commands (bp_agent.c). */
gdb_bp_agent *gdb_bp_agent_parse(gdb_server *s, const char *p, const char *end, bool *bad);
void gdb_bp_agent_free(gdb_bp_agent *a);
bool gdb_bp_agent_hit(void *opaque, machine *m, int cpu, uint64_t pc);

/* A new connection's session state (listen_ready; the rsp fuzz target). */
void gdb_session_reset(gdb_server *s, bool tasks);
/* Tasks as threads (tasks.c). */
void gdb_tasks_invalidate(gdb_server *s);
void gdb_tasks_resume(gdb_server *s, bool stepping);
bool gdb_tasks_active(gdb_server *s);
uint64_t gdb_task_tid(const ktask *t);
uint64_t gdb_cpu_tid(gdb_server *s, int cpu);
/* The thread a stop is reported for. */
uint64_t gdb_stop_tid(gdb_server *s, const stop_info *st, int cpu);
int gdb_task_by_tid(gdb_server *s, uint64_t tid);
const ktask *gdb_sleeping_task(gdb_server *s);
int gdb_task_reg(gdb_server *s, const ktask *t, int idx, uint8_t *buf, int nbytes);
void gdb_task_text(const ktask *t, char *buf, size_t len);

/* The kernel image for gdb (kernel_image.c). */
void gdb_xfer_libraries(gdb_server *s, const char *arg, const char *end, bool svr4);
void gdb_xfer_auxv(gdb_server *s, const char *arg, const char *end);
void gdb_query_offsets(gdb_server *s);
bool gdb_image_known(gdb_server *s);
bool gdb_image_unsettled(gdb_server *s);
bool gdb_image_hold(gdb_server *s, const stop_info *st);
bool gdb_image_release(gdb_server *s);

#endif
