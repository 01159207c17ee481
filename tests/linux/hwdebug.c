/*
 * Run as /init of an initramfs by aarch64-linux.test on arm64-full (kwb and
 * QEMU alike): the guest's own debug hardware and PMU driven by Linux.
 * - perf breakpoint events (PERF_TYPE_BREAKPOINT): a write watchpoint, a
 *   read/write watchpoint and an execute breakpoint on this process, each
 *   counting its hits (Linux's hw_breakpoint through DBGW/DBGB registers);
 * - ptrace(PTRACE_SINGLESTEP) on a child (MDSCR_EL1.SS, PSTATE.SS);
 * - perf hardware events (the PMUv3 driver): instructions and cycles of a
 *   loop.
 * Prints "KWB-HW: ..." lines, then powers off.
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long watched[4];

static int perf_open(unsigned type, uint64_t config, unsigned bp_type, void *addr, unsigned len)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.size = sizeof(a);
	a.config = config;
	a.bp_type = bp_type;
	a.bp_addr = (uintptr_t)addr;
	a.bp_len = len;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(__NR_perf_event_open, &a, 0, -1, -1, 0);
}

static long long count(int fd)
{
	long long n = -1;

	if (fd < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	close(fd);
	return n;
}

__attribute__((noinline)) static long target(long x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

static void breakpoints(void)
{
	int w = perf_open(PERF_TYPE_BREAKPOINT, 0, HW_BREAKPOINT_W, (void *)&watched[1], HW_BREAKPOINT_LEN_8);
	int rw = perf_open(PERF_TYPE_BREAKPOINT, 0, HW_BREAKPOINT_RW, (void *)&watched[2], HW_BREAKPOINT_LEN_4);
	int x = perf_open(PERF_TYPE_BREAKPOINT, 0, HW_BREAKPOINT_X, (void *)target, HW_BREAKPOINT_LEN_4);
	long sum = 0;

	if (w < 0 || rw < 0 || x < 0)
		perror("KWB-HW: perf_event_open breakpoint");
	for (int i = 0; i < 5; i++)
		watched[1] = i;		/* 5 writes */
	watched[0] = 7;			/* a neighbour: not counted */
	for (int i = 0; i < 3; i++)
		sum += watched[2];	/* 3 reads */
	watched[2] = 1;			/* and a write */
	for (int i = 0; i < 4; i++)
		sum += target(i);	/* 4 calls */
	printf("KWB-HW: write watchpoint hits %lld\n", count(w));
	printf("KWB-HW: read/write watchpoint hits %lld\n", count(rw));
	printf("KWB-HW: execute breakpoint hits %lld (sum %ld)\n", count(x), sum);
}

static void single_step(void)
{
	pid_t pid = fork();
	int st, steps = 0;

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		for (volatile int i = 0; i < 1000; i++)
			;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	while (steps < 20) {
		if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0)
			break;
		waitpid(pid, &st, 0);
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
			break;
		steps++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("KWB-HW: single-stepped %d instructions\n", steps);
}

static void pmu(void)
{
	int ins = perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0, NULL, 0);
	int cyc = perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, NULL, 0);
	volatile long s = 0;

	if (ins < 0 || cyc < 0)
		perror("KWB-HW: perf_event_open hardware");
	for (long i = 0; i < 1000000; i++)
		s += i;
	long long ni = count(ins), nc = count(cyc);
	printf("KWB-HW: instructions %s, cycles %s\n", ni >= 1000000 ? "counted" : "missing",
	       nc >= 1000000 ? "counted" : "missing");
	printf("KWB-HW: EL0 instructions %lld, EL0 cycles %lld\n", ni, nc);
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("KWB-HW: start\n");
	breakpoints();
	single_step();
	pmu();
	printf("KWB-HW: done\n");
	reboot(RB_POWER_OFF);
	return 0;
}
