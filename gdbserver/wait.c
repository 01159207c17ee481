/*
 * Waiting for the debugger's next packet without paying for sleeps.
 *
 * While gdb steps, a packet comes 10-60 us after kwb's reply (gdb's own
 * work between them). If kwb blocks in poll() meanwhile and the host has
 * nothing else to run, its CPU halts, and so does gdb's CPU while gdb
 * waits for kwb: each half of each round trip then wakes a halted CPU,
 * which on a VM costs more than the work (README "Speed": 6,360 stepi/s on
 * an idle host against 16,000 on a loaded one). So for a short while after
 * each reply (GDB_SPIN_NS):
 * - the machine loop polls without blocking (a poll hook lowering the
 *   timeout to 0), calling sched_yield() each time: gdb woken on this CPU
 *   must not wait for the end of kwb's time slice (without the yield,
 *   stepping on a loaded host fell from 13,000/s to 7,500/s);
 * - a helper thread at SCHED_IDLE priority, pinned to the CPU gdb's last
 *   packet came from (SO_INCOMING_CPU), spins there: that CPU does not
 *   halt, and gdb, woken by the reply, preempts the helper at once (a CPU
 *   running only SCHED_IDLE work counts as idle for placing it). The
 *   helper touches nothing but the atomics below.
 * Nothing spins while the debugger is quiet: an attached, idle gdb costs
 * nothing (issue 19 goal 3). For measuring: KWB_GDB_SPIN_US=N sets the
 * window in microseconds (0: neither), KWB_GDB_WARM=0 leaves the helper
 * out.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "session.h"

#define GDB_SPIN_NS 300000

static uint64_t spin_ns = GDB_SPIN_NS;
static bool warm_on = true;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the helper on gdb's CPU ---- */

static struct {
	_Atomic uint64_t until;		/* spin while mono_ns() < until */
	_Atomic int cpu;		/* where to spin */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool started, sleeping, failed;
} warm = { .cpu = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static void *warm_main(void *arg)
{
	struct sched_param sp = { 0 };
	int pinned = -1;

	(void)arg;
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	for (;;) {
		pthread_mutex_lock(&warm.lock);
		while (mono_ns() >= atomic_load(&warm.until)) {
			warm.sleeping = true;
			pthread_cond_wait(&warm.wake, &warm.lock);
		}
		warm.sleeping = false;
		pthread_mutex_unlock(&warm.lock);
		int cpu = atomic_load(&warm.cpu);
		if (cpu != pinned && cpu >= 0 && cpu < CPU_SETSIZE) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
			pinned = cpu;
		}
		while (mono_ns() < atomic_load(&warm.until))
			__builtin_ia32_pause();
	}
	return NULL;
}

static void warm_until(gdb_server *s, uint64_t until)
{
	int cpu = -1;
	socklen_t len = sizeof(cpu);

	/* Only where the peer's CPU is known (TCP; not unix sockets) and is
	 * not this one (kwb's own loop keeps this CPU busy). */
	if (!warm_on || getsockopt(s->fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) || cpu < 0 ||
	    cpu == sched_getcpu())
		return;
	atomic_store(&warm.cpu, cpu);
	atomic_store(&warm.until, until);
	pthread_mutex_lock(&warm.lock);
	if (!warm.started && !warm.failed) {
		pthread_t t;
		pthread_attr_t a;

		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&a, 64 << 10);
		warm.started = !pthread_create(&t, &a, warm_main, NULL);
		warm.failed = !warm.started;
		pthread_attr_destroy(&a);
	}
	if (warm.sleeping)
		pthread_cond_signal(&warm.wake);
	pthread_mutex_unlock(&warm.lock);
}

/* ---- kwb's own loop ---- */

void gdb_wait_replied(gdb_server *s)
{
	uint64_t until;

	if (!spin_ns || s->fd < 0)
		return;
	until = mono_ns() + spin_ns;
	s->spin_until = until;
	warm_until(s, until);
}

/* While the machine is stopped and a reply went out a moment ago, the
 * loop polls without blocking. */
static void spin_fill(void *opaque, poll_set *ps, int64_t *timeout_ns)
{
	gdb_server *s = opaque;

	(void)ps;
	if (!s->spin_until || s->fd < 0 || !dbg_is_stopped(s->m))
		return;
	if (mono_ns() >= s->spin_until) {
		s->spin_until = 0;
		return;
	}
	sched_yield();
	*timeout_ns = 0;
}

static void spin_dispatch(void *opaque, poll_set *ps)
{
	(void)opaque, (void)ps;
}

void gdb_wait_start(gdb_server *s)
{
	const char *e = getenv("KWB_GDB_SPIN_US");

	if (e)
		spin_ns = strtoull(e, NULL, 10) * 1000;
	e = getenv("KWB_GDB_WARM");
	warm_on = !e || strcmp(e, "0");
	machine_add_poll_hook(s->m, &(poll_hook){ .fill = spin_fill, .dispatch = spin_dispatch, .opaque = s });
}

void gdb_wait_stop(gdb_server *s)
{
	machine_remove_poll_hook(s->m, s);
	s->spin_until = 0;
	atomic_store(&warm.until, 0);
}
