/*
 * Waiting for the debugger's next packet without paying for halted CPUs,
 * where the serving thread (serve.c) does not serve: a busy host, or
 * KWB_GDB_SERVE=0.
 *
 * While gdb steps, a packet comes 10-60 us after kwb's reply (gdb's own
 * work between them). kwb blocks in poll() meanwhile and gdb blocks while
 * kwb works; on an idle host each CPU then halts, and each half of each
 * round trip wakes a halted (virtual) CPU, which costs more than the work
 * (README "Speed": 6,360 stepi/s on an idle host against 16,000 on a
 * loaded one, where the CPUs never halt). So for a short while after each
 * reply (GDB_SPIN_NS) two helper threads at SCHED_IDLE priority spin (on
 * a host with more than two CPUs, one pinned to kwb's CPU, one to the CPU
 * gdb's last packet came from, SO_INCOMING_CPU): those CPUs do not halt, and a CPU that runs only
 * SCHED_IDLE work counts as idle when the scheduler places a woken task,
 * which preempts the helper at once. The helpers touch nothing but the
 * atomics below; kwb's own thread still blocks as before.
 *
 * Why not spin in kwb's own thread: on a busy host gdb is often woken on
 * kwb's CPU, and a spinning kwb (even calling sched_yield()) kept it off
 * that CPU for a time slice: stepping beside a `make check` fell from
 * 7,000-13,000/s to 500-700/s. A SCHED_IDLE thread never delays anyone.
 *
 * Nothing spins once the debugger is quiet: an attached, idle gdb costs
 * nothing (issue 19 goal 3). KWB_GDB_SPIN_US=N sets the window in
 * microseconds, 0 turns the helpers off (for measuring).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

#define GDB_SPIN_NS 300000

static uint64_t spin_ns = GDB_SPIN_NS;
/* Pin the helpers to kwb's and gdb's CPUs only where there are more CPUs
 * than helpers: on two, the scheduler spreads them by itself, and pinning
 * (re-pinned as kwb and gdb move) cost 10% of the stepping rate on a busy
 * host. */
static bool pin;

enum { WARM_KWB, WARM_GDB, NWARM };

static struct {
	_Atomic uint64_t until;		/* spin while kwb_host_ns() < until */
	_Atomic int cpu[NWARM];		/* where each helper spins (-1: it sleeps) */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int sleeping;			/* helpers waiting on wake */
	bool started, failed;
} warm = { .cpu = { -1, -1 }, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static bool warm_due(int i)
{
	return atomic_load(&warm.cpu[i]) >= 0 && kwb_host_ns() < atomic_load(&warm.until);
}

static void *warm_main(void *arg)
{
	int i = (int)(intptr_t)arg, pinned = -1;
	struct sched_param sp = { 0 };

	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	for (;;) {
		pthread_mutex_lock(&warm.lock);
		while (!warm_due(i)) {
			warm.sleeping++;
			pthread_cond_wait(&warm.wake, &warm.lock);
			warm.sleeping--;
		}
		pthread_mutex_unlock(&warm.lock);
		int cpu = atomic_load(&warm.cpu[i]);
		if (pin && cpu != pinned && cpu >= 0 && cpu < CPU_SETSIZE) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
			pinned = cpu;
		}
		while (warm_due(i) && (!pin || atomic_load(&warm.cpu[i]) == pinned))
			__builtin_ia32_pause();
	}
	return NULL;
}

static bool warm_start(void)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 << 10);
	for (int i = 0; i < NWARM; i++) {
		pthread_t t;

		if (pthread_create(&t, &a, warm_main, (void *)(intptr_t)i)) {
			pthread_attr_destroy(&a);
			return false;
		}
	}
	pthread_attr_destroy(&a);
	return true;
}

void gdb_wait_replied(gdb_server *s)
{
	int me, peer = -1;
	socklen_t len = sizeof(peer);

	/* the serving thread (serve.c) keeps the CPUs busy itself */
	if (gdb_serve_replied(s) || !spin_ns || s->fd < 0 || !s->wait_tcp)
		return;
	/* TCP only, where the peer's CPU is known (not unix sockets, not the
	 * socketpairs of the tests and the fuzz target). Where the helpers are
	 * not pinned, once per connection: a system call per packet is 3% of
	 * a step. */
	if (pin || s->wait_tcp < 0) {
		me = pin ? sched_getcpu() : 0;
		s->wait_tcp = !getsockopt(s->fd, SOL_SOCKET, SO_INCOMING_CPU, &peer, &len) && peer >= 0 && me >= 0;
		if (!s->wait_tcp)
			return;
	}
	if (!pin)
		me = 0, peer = 1;
	atomic_store(&warm.cpu[WARM_KWB], me);
	atomic_store(&warm.cpu[WARM_GDB], !pin || peer != me ? peer : -1);
	atomic_store(&warm.until, kwb_host_ns() + spin_ns);
	pthread_mutex_lock(&warm.lock);
	if (!warm.started && !warm.failed) {
		warm.started = warm_start();
		warm.failed = !warm.started;
	}
	if (warm.sleeping)
		pthread_cond_broadcast(&warm.wake);
	pthread_mutex_unlock(&warm.lock);
}

void gdb_wait_start(gdb_server *s)
{
	const char *e = getenv("KWB_GDB_SPIN_US");

	if (e)
		spin_ns = strtoull(e, NULL, 10) * 1000;
	pin = sysconf(_SC_NPROCESSORS_ONLN) > NWARM;
	gdb_serve_start(s, spin_ns);
}

void gdb_wait_stop(gdb_server *s)
{
	atomic_store(&warm.until, 0);
	gdb_serve_stop(s);
}
