/*
 * A machine: CPUs, the physical bus, devices, virtual time, the DTB, and
 * the loop that runs them. One host thread runs CPU quanta round-robin
 * (fixed quantum, so SMP interleaving is deterministic); devices act only
 * through events on the virtual clock and MMIO callbacks; console and
 * debugger file descriptors are polled between quanta.
 */
#ifndef KWB_MACHINE_H
#define KWB_MACHINE_H

#include "kwb.h"
#include "board.h"
#include "bus.h"
#include "chardev.h"
#include "clock.h"
#include "cpu.h"
#include "debug.h"
#include "msi.h"
#include "options.h"

#define KWB_MAX_CPUS 8
#define KWB_QUANTUM 10000	/* instructions per CPU per round */
#define KWB_MAX_POLL_FDS 8
/* Idle pacing (machine.c, idle()): virtual time may run this far ahead of
 * the host clock while every CPU waits, and the host clock is kept at
 * most KWB_IDLE_CREDIT ahead of virtual time (ns). */
#define KWB_IDLE_LEAD 20000000
#define KWB_IDLE_BATCH 100000000
#define KWB_IDLE_CREDIT 1000000000

enum run_state { RUN_RUNNING, RUN_STOPPED, RUN_SHUTDOWN };

/* A region the loaders placed, for `monitor info roms` and symbols. */
typedef struct loaded_image {
	const char *what;	/* "kernel", "initrd", "dtb", "bios", "bootstub" */
	const char *file;
	paddr_t base;
	uint64_t size;
} loaded_image;

/* Extra fds the loop polls (gdb listener and connection, monitor). */
typedef struct poll_source {
	int fd;
	void (*ready)(void *opaque);
	void *opaque;
} poll_source;

/* Sources with many fds that change between polls (slirp's sockets,
 * chardev sockets): fill adds them with poll_set_add() and may lower the
 * timeout (ns, -1: none); dispatch runs after every poll, even one that
 * timed out, and reads ps->pfd[index].revents. */
typedef struct poll_set {
	struct pollfd *pfd;
	int n, cap;
} poll_set;
typedef struct poll_hook {
	void (*fill)(void *opaque, poll_set *ps, int64_t *timeout_ns);
	void (*dispatch)(void *opaque, poll_set *ps);
	void *opaque;
} poll_hook;
#define KWB_MAX_POLL_HOOKS 16
int poll_set_add(poll_set *ps, int fd, short events);

typedef struct dbg_state dbg_state;

/*
 * While a debugger holds the machine stopped, a client may run the loop on
 * a thread of its own (gdbserver/serve.c). The loop asks handoff() instead
 * of blocking: true when the loop ran on the other thread meanwhile and was
 * given back (machine.loop_status >= 0: the run ended there). That thread
 * calls machine_serve(); while stopped it asks spin() what to do next:
 * give the loop back, poll every source, or serve the one fd it saw
 * readable (no poll of the rest: a step's packet costs one system call
 * less). The loop never runs on two threads at once.
 */
typedef struct loop_handoff {
	bool (*handoff)(void *opaque);
	int (*spin)(void *opaque);	/* LOOP_SPIN_*, or a polled fd that is readable */
	void *opaque;
} loop_handoff;
enum { LOOP_SPIN_YIELD = -2, LOOP_SPIN_POLL = -1 };
#define MACHINE_YIELD (-1)	/* machine_serve: the loop is given back */
/* What a serving thread may run of the guest before it gives the loop
 * back: a step, a short continue; a long one runs on the main thread. */
#define MACHINE_SERVE_RUN_NS 1000000

typedef struct machine {
	const kwb_options *opt;
	const arch_ops *arch;
	const board_desc *board;
	int ncpus;
	cpu *cpus[KWB_MAX_CPUS];
	cpu *current;		/* CPU running now (for clock_now) */
	bus bus;

	/* virtual time and the round in progress: CPUs run their slices of
	 * a round in index order; a debugger stop suspends the round where
	 * it is and resuming continues it, so stops never change the run */
	uint64_t round_start;	/* virtual ns at the start of this round */
	int64_t slice_budget;	/* the running CPU's slice length (instructions) */
	int64_t round_len;	/* this round's length (cut when a CPU leaves early) */
	uint64_t slice_icount_start;	/* current CPU's icount when its slice began */
	uint64_t rounds;	/* rounds completed (idle time skips count too) */
	int turn;		/* CPU whose slice is running or next; -1: between rounds */
	bool slice_started;	/* cpus[turn]'s slice has begun */
	event *events;		/* sorted by when */
	int64_t pace;		/* idle pacing: host ns + pace = host clock in virtual ns */
	bool pace_on;		/* pace anchored (cleared while stopped) */

	/* devices */
	void *irqchip;		/* board's interrupt controller */
	void *dev_state[64];
	const board_device *dev_desc[64];
	int ndev;
	chardev *serial;
	msi_doorbell msi[MSI_MAX_DOORBELLS];	/* core/msi.h */
	int nmsi;

	/* boot */
	loaded_image images[16];
	int nimages;
	paddr_t dtb_addr;	/* address handed to the kernel */
	uint64_t dtb_size;
	void *fdt;		/* the generated (or user) blob, host copy */
	paddr_t kernel_entry, kernel_base;
	uint64_t kernel_size;
	paddr_t initrd_start, initrd_end;	/* 0/0 when there is no initrd */

	/* control */
	enum run_state state;
	int exit_code;
	bool reset_requested;
	dbg_state *dbg;
	poll_source polls[KWB_MAX_POLL_FDS];
	int npolls;
	void *gdb;		/* gdb server, when enabled */
	void *symbols;		/* vmlinux symbols, when loaded */
	void *trace;		/* trace state, when enabled */
	struct state_registry *state_reg;	/* described objects (core/state.h) */
	poll_hook hooks[KWB_MAX_POLL_HOOKS];
	int nhooks;
	loop_handoff handoff;	/* a serving thread, when a client offers one */
	int loop_status;	/* the serving thread's end of the run, or MACHINE_YIELD */
	struct {
		uint64_t last_poll, deadline_wall, round_icount;
		uint64_t running_since;	/* serving thread: the guest runs since (0: stopped) */
	} loop;
	poll_set pollset;
	struct net_state *net;		/* networks (core/net.c) */
	struct chardev_set *chardevs;	/* -chardev (core/chardev_set.c) */
	struct input_state *input;	/* outside input ports and log (core/input.h) */
	uint64_t input_pulls;	/* host data pulled so far (input_pull) */
	struct history *hist;	/* recorded history (core/history.h), NULL: off */
	struct guestmem_registry *mems;	/* RAM, ROM, disk overlays (core/guestmem.h) */
	void (*on_free[8])(struct machine *m);	/* clients' (machine_on_free) */
	int non_free;
} machine;

/* The machine alone: CPUs, devices, loaded images, history; no client.
 * main.c composes the clients after it (symbols, traces, gdb server). */
machine *machine_create(const kwb_options *opt);
/* -S: stopped before the first instruction (after the clients started). */
void machine_start_stopped(machine *m);
/* A client that keeps state with the machine frees it in fn, called by
 * machine_free (last registered first); registering twice is once. */
void machine_on_free(machine *m, void (*fn)(machine *m));
/* Fires due events (used by the loop). */
void clock_fire_due(machine *m);
void machine_free(machine *m);
void machine_reset(machine *m);
/* Runs until shutdown; returns the exit status. */
int machine_run(machine *m);
/* The serving thread's loop (loop_handoff): MACHINE_YIELD or the exit status. */
int machine_serve(machine *m);
void machine_set_handoff(machine *m, const loop_handoff *h);
/* Guest asked for power-off (code is the exit status) or reset. */
void machine_shutdown(machine *m, int code);
/* The guest asked to power off (PSCI SYSTEM_OFF, the test device): ends
 * the run, or with -no-shutdown stops the machine where it is. */
void machine_power_off(machine *m, int code);
void machine_request_reset(machine *m);
/* Interrupt controller input n, via the board. */
irq_line machine_irq(machine *m, int n);
void machine_add_poll(machine *m, int fd, void (*ready)(void *), void *opaque);
void machine_remove_poll(machine *m, int fd);
void machine_add_poll_hook(machine *m, const poll_hook *h);
void machine_remove_poll_hook(machine *m, void *opaque);
void machine_add_image(machine *m, const char *what, const char *file, paddr_t base, uint64_t size);
/* Makes the CPU loop leave at the next block boundary (a device changed
 * interrupt state, a CPU was powered on, ...). */
void machine_kick(machine *m);
/*
 * With several CPUs, an atomic read-modify-write (RISC-V LR, SC, AMO) in
 * the last MACHINE_ATOMIC_TAIL instructions of a slice ends the slice
 * before it, so that the atomic and the stores that follow it run in one
 * slice. Code often publishes with an atomic and writes what goes with it
 * just after; real CPUs see the half-published state for a few cycles, a
 * slice ending in between shows it to the others for a whole quantum.
 * OpenSBI 1.1's sbi_hsm_hart_start sets a hart's state to START_PENDING
 * (LR/SC) before its next_addr: a hart polling in sbi_hsm_hart_wait then
 * entered Linux at the stale address (Debian's fw_jump.bin, -smp 2).
 * The CPU asks with its icount up to date; true: leave with
 * CPU_EXIT_REQUEST before the instruction (not executed, not counted),
 * which cuts the round there. One CPU, a debugger step: never.
 * (AArch64's exclusives and LSE atomics do not ask yet.)
 */
#define MACHINE_ATOMIC_TAIL 256
bool machine_cut_before_atomic(const machine *m, const cpu *c);
/*
 * Builds the device tree into m->fdt / m->dtb_size: the user's -dtb blob
 * (validated, /chosen bootargs and initrd merged as QEMU does) or a new one
 * from board->fdt_base plus every device's fdt() (under /soc when the base
 * created one, else under /). /chosen gets bootargs and, when
 * m->initrd_end != 0, linux,initrd-start/-end. board->boot calls this after
 * placing the initrd and before placing the DTB.
 */
void machine_build_fdt(machine *m);
/* Find the state of the first device of a type (e.g. "plic"). */
void *machine_device(machine *m, const char *type);

#endif
