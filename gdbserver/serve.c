/*
 * Serving gdb from an idle-priority thread while it steps.
 *
 * On an idle host most of a step's cost is not work but wake-ups: kwb and
 * gdb each block while the other works, each reply and each packet wakes
 * a task on the other CPU, and on a virtual machine that is an IPI and a
 * halted CPU's exit (README "Speed"). Put on one CPU, the two wake each
 * other there, without an IPI, and neither CPU halts in between.
 *
 * The scheduler puts a woken task where only SCHED_IDLE work runs, and the
 * woken task preempts it at once. So while gdb talks (a reply went out less
 * than the spin window ago), the main thread hands the machine's loop to a
 * serving thread at SCHED_IDLE (core/machine.h, loop_handoff) and waits.
 * The serving thread stays on its CPU for the burst, polls instead of
 * blocking (gdb's packet then wakes nobody), and sends each reply from
 * where it waits between polls (gdb, woken by it, comes to this CPU).
 * When gdb goes quiet it gives the loop back, and the main thread blocks
 * as before: an attached, idle gdb costs nothing.
 *
 * An idle-priority thread gets no CPU while other work wants one. So the
 * main thread watches: if gdb's packet or our reply waits through two
 * checks (SERVE_STARVED_NS apart) with no poll done, it takes the loop
 * back where the serving thread waits between polls (never in the middle
 * of the loop), and serves itself for SERVE_BACKOFF_NS; likewise when the
 * serving thread sees gdb's packet only long after its window.
 *
 * KWB_GDB_SERVE=0 turns it off (for measuring); =force serves whatever
 * the load (for the tests).
 */
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

#define SERVE_POLL_NS 200000u		/* the other polled sources: console, network */
#define SERVE_STARVED_NS 20000000u	/* the main thread's checks */
#define SERVE_STARVED_CHECKS 2
#define SERVE_LATE_NS 1000000u		/* seen this long past the window: starved */
#define SERVE_BACKOFF_NS 1000000000u	/* then the main thread serves this long */
#define SERVE_STACK (8u << 20)

/* Who has the loop. The main thread offers it (OFFERED), the serving
 * thread claims it (RUN), waits between polls in SAFE and gives it back
 * (DONE); the main thread may take it back (MAIN) from OFFERED or SAFE,
 * never from RUN. */
enum { SERVE_MAIN, SERVE_OFFERED, SERVE_RUN, SERVE_SAFE, SERVE_DONE };

static struct {
	bool on, force;
	bool started, failed;
	uint64_t window;		/* gdb's turn longer than this: quiet */
	_Atomic int state;
	_Atomic int cpu;		/* where it serves (-1: not yet) */
	_Atomic uint64_t polls;		/* the serving thread's looks */
	_Atomic uint64_t quiet_at;	/* no packet by then: give the loop back */
	uint64_t backoff_until;		/* starved: the main thread serves until then */
	uint64_t polled_all;		/* the serving thread's last poll of every source */
	cpu_set_t cpus;			/* the serving thread's own, between bursts */
} serve;

static _Thread_local bool serving_thread;

static void futex_wait(_Atomic int *a, int v, uint64_t ns)
{
	struct timespec t = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, ns ? &t : NULL, NULL, 0);
}

static void futex_wake(_Atomic int *a)
{
	syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static bool cas(_Atomic int *a, int from, int to)
{
	return atomic_compare_exchange_strong(a, &from, to);
}

static void pin_to(const cpu_set_t *set)
{
	pthread_setaffinity_np(pthread_self(), sizeof(*set), set);
}

static void *serve_main(void *arg)
{
	machine *m = arg;
	struct sched_param sp = { 0 };

	serving_thread = true;
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	pthread_getaffinity_np(pthread_self(), sizeof(serve.cpus), &serve.cpus);
	for (;;) {
		int st = atomic_load(&serve.state), cpu, r;
		cpu_set_t one;

		if (st != SERVE_OFFERED || !cas(&serve.state, SERVE_OFFERED, SERVE_RUN)) {
			futex_wait(&serve.state, st, 0);
			continue;
		}
		/* this CPU for the burst: gdb, woken from here, comes here */
		cpu = sched_getcpu();
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pin_to(&one);
		atomic_store(&serve.cpu, cpu);
		r = machine_serve(m);
		pin_to(&serve.cpus);
		/* still ours unless the main thread took it back */
		if (atomic_load(&serve.state) == SERVE_RUN) {
			m->loop_status = r;
			atomic_store(&serve.state, SERVE_DONE);
			futex_wake(&serve.state);
		}
	}
	return NULL;
}

static bool serve_start(machine *m)
{
	pthread_attr_t a;
	pthread_t t;
	sigset_t all, old;
	int err;

	/* signals stay the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, SERVE_STACK);
	err = pthread_create(&t, &a, serve_main, m);
	pthread_attr_destroy(&a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return !err;
}

/* gdb's packet waits unread, or our reply waits unsent */
static bool turn_waits(gdb_server *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	return atomic_load(&s->tx_deferred) || (s->fd >= 0 && poll(&p, 1, 0) > 0);
}

static bool usable(uint64_t now)
{
	return serve.force || now >= serve.backoff_until;
}

/* The main thread, stopped for gdb, instead of blocking: true when the
 * serving thread ran the loop meanwhile. */
static bool serve_handoff(void *opaque)
{
	gdb_server *s = opaque;
	machine *m = s->m;
	uint64_t now = kwb_host_ns(), seen = UINT64_MAX;
	cpu_set_t mine, away;
	bool moved = false;
	int starved = 0;

	if (s->fd < 0 || now >= atomic_load(&serve.quiet_at) || !usable(now))
		return false;
	if (!serve.started && !serve.failed) {
		serve.started = serve_start(m);
		serve.failed = !serve.started;
	}
	if (serve.failed)
		return false;
	m->loop_status = MACHINE_YIELD;
	atomic_store(&serve.cpu, -1);
	atomic_store(&serve.state, SERVE_OFFERED);
	futex_wake(&serve.state);
	pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
	for (;;) {
		int st = atomic_load(&serve.state), cpu = atomic_load(&serve.cpu);

		if (st == SERVE_DONE) {
			atomic_store(&serve.state, SERVE_MAIN);
			break;
		}
		/* Wait off the serving CPU: a wake-up of this thread there
		 * would make gdb's next wake-up go to another CPU. */
		if (!moved && cpu >= 0 && CPU_ISSET(cpu, &mine) && CPU_COUNT(&mine) > 1) {
			away = mine;
			CPU_CLR(cpu, &away);
			pin_to(&away);
			moved = true;
		}
		futex_wait(&serve.state, st, SERVE_STARVED_NS);

		uint64_t polls = atomic_load(&serve.polls);
		bool waits = turn_waits(s);

		starved = waits && polls == seen ? starved + 1 : 0;
		if (!starved)
			seen = waits ? polls : UINT64_MAX;
		if (starved >= SERVE_STARVED_CHECKS &&
		    (cas(&serve.state, SERVE_OFFERED, SERVE_MAIN) || cas(&serve.state, SERVE_SAFE, SERVE_MAIN))) {
			serve.backoff_until = kwb_host_ns() + SERVE_BACKOFF_NS;
			break;
		}
	}
	if (moved)
		pin_to(&mine);
	gdb_serve_flush(s);
	return true;
}

/*
 * The serving thread between polls, touching nothing of the machine (SAFE:
 * it may be taken back meanwhile): sends the reply it owes (gdb, woken,
 * takes this CPU at once, better here than in the middle of the loop) and
 * waits for gdb's next packet, at most SERVE_POLL_NS: then the loop reads
 * it, or polls everything. Or it gives the loop back: gdb went quiet, or
 * the loop was taken.
 */
static int serve_spin(void *opaque)
{
	gdb_server *s = opaque;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint64_t now = kwb_host_ns(), until = now + SERVE_POLL_NS, quiet_at;
	int ready = 0;

	atomic_store(&serve.state, SERVE_SAFE);
	gdb_serve_flush(s);
	while (s->fd >= 0 && !(ready = poll(&p, 1, 0))) {
		now = kwb_host_ns();
		if (now >= until || now >= atomic_load(&serve.quiet_at))
			break;
		__builtin_ia32_pause();
	}
	if (!cas(&serve.state, SERVE_SAFE, SERVE_RUN))
		return LOOP_SPIN_YIELD;
	atomic_fetch_add(&serve.polls, 1);
	quiet_at = atomic_load(&serve.quiet_at);
	if (now < quiet_at) {
		/* everything else (console, network) at least every SERVE_POLL_NS */
		if (ready > 0 && p.revents == POLLIN && now - serve.polled_all < SERVE_POLL_NS)
			return p.fd;
		serve.polled_all = now;
		return LOOP_SPIN_POLL;
	}
	/* gdb spoke, but this thread looked only long after: it was kept
	 * off its CPU */
	if (!serve.force && now - quiet_at > SERVE_LATE_NS && turn_waits(s))
		serve.backoff_until = now + SERVE_BACKOFF_NS;
	return LOOP_SPIN_YIELD;
}

bool gdb_serve_replied(gdb_server *s)
{
	uint64_t now;

	(void)s;
	if (!serve.on)
		return false;
	now = kwb_host_ns();
	atomic_store(&serve.quiet_at, now + serve.window);
	return usable(now);
}

bool gdb_serve_defer(gdb_server *s)
{
	(void)s;
	return serving_thread;
}

void gdb_serve_flush(gdb_server *s)
{
	if (atomic_exchange(&s->tx_deferred, false))
		gdb_send_tx(s);
}

void gdb_serve_start(gdb_server *s, uint64_t window_ns)
{
	const char *v = getenv("KWB_GDB_SERVE");

	serve.window = window_ns;
	serve.on = window_ns && !(v && !strcmp(v, "0"));
	serve.force = v && !strcmp(v, "force");
	if (serve.on)
		machine_set_handoff(s->m, &(loop_handoff){ serve_handoff, serve_spin, s });
}

void gdb_serve_stop(gdb_server *s)
{
	machine_set_handoff(s->m, NULL);
}
