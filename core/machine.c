/* Machine creation and the main loop. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guestmem.h"
#include "history.h"
#include "snapshot.h"
#include "input.h"
#include "loader.h"
#include "machine.h"
#include "net.h"
#include "state.h"
#include "trace.h"
#include "debug_internal.h"
#include "devices/dev_props.h"
#include "devices/virtio.h"

/* Parts that may be absent while kwb is being built up. */
extern const arch_ops riscv64_arch __attribute__((weak));
extern const arch_ops aarch64_arch __attribute__((weak));

/* The machine's own state: virtual time, the round in progress (a state
 * saved at a stop inside a round resumes it), the count of host data
 * pulls (the events are saved by their owners, in queue order). */
static const state_field machine_fields[] = {
	ST_UINT_DEC(machine, round_start),
	ST_UINT_DEC(machine, rounds),
	ST_INT(machine, round_len),
	ST_INT(machine, turn),
	ST_BOOL(machine, slice_started),
	ST_UINT_DEC(machine, slice_icount_start),
	ST_UINT_DEC(machine, input_pulls),
	ST_BOOL(machine, reset_requested),
	ST_END
};
static const state_desc machine_state = { .name = "machine", .version = 1, .fields = machine_fields };

static const char *detect_arch(const kwb_options *opt)
{
	kernel_info ki;
	char err[256];
	const char *probe = opt->kernel;

	if (opt->arch)
		return opt->arch;
	if (!probe)
		kwb_usage_error("no -kernel given and no -arch: cannot tell which machine to build");
	if (loader_probe_kernel(probe, &ki, err, sizeof(err)) < 0)
		kwb_fatal("%s", err);
	if (!ki.arch)
		kwb_usage_error("cannot tell the architecture of %s (not an ELF or Image): use -arch aarch64|riscv64",
				probe);
	return ki.arch;
}

static const arch_ops *find_arch(const char *name)
{
	const arch_ops *a = NULL;

	if (!strcmp(name, "riscv64"))
		a = &riscv64_arch;
	else if (!strcmp(name, "aarch64") || !strcmp(name, "arm64"))
		a = &aarch64_arch;
	else
		kwb_usage_error("unknown architecture '%s' (use aarch64 or riscv64)", name);
	if (!a)
		kwb_fatal("this kwb was built without the %s CPU", name);
	return a;
}

static bool device_enabled(const kwb_options *opt, const board_device *d)
{
	const char *eq;

	if (!d->cond)
		return true;
	eq = strchr(d->cond, '=');
	if (eq && !strncmp(d->cond, "iommu", eq - d->cond))
		return opt->iommu && !strcmp(opt->iommu, eq + 1);
	/* gic-version: 0 is the board default, a GICv2 as on QEMU 7.2;
	 * its=on: an ITS, which only a GICv3 has */
	if (!strcmp(d->cond, "gic-version=2"))
		return opt->gic_version != 3;
	if (!strcmp(d->cond, "gic-version=3"))
		return opt->gic_version == 3;
	if (!strcmp(d->cond, "its=on"))
		return opt->gic_version == 3 && opt->its;
	if (!strcmp(d->cond, "highmem=on") || !strcmp(d->cond, "highmem=off"))
		return opt->highmem == !strcmp(d->cond, "highmem=on");
	for (int i = 0; i < opt->ndevices; i++)
		if (!strncmp(opt->devices[i], d->cond, strlen(d->cond)))
			return true;
	return false;
}

static void create_devices(machine *m)
{
	for (const board_device *d = m->board->devices; d && d->type; d++) {
		const device_type *t;
		if (!device_enabled(m->opt, d))
			continue;
		t = device_type_find(d->type);
		if (!t)
			kwb_fatal("board %s: no device model '%s' in this build", m->board->name, d->type);
		if (m->ndev == (int)ARRAY_SIZE(m->dev_state))
			kwb_fatal("board %s: too many devices", m->board->name);
		m->dev_desc[m->ndev] = d;
		m->dev_state[m->ndev] = t->create(m, d);
		if (t->state) {
			char name[48];
			snprintf(name, sizeof(name), "%s@%llx", d->name, (unsigned long long)d->base);
			state_register(m, name, t->state, m->dev_state[m->ndev]);
		}
		m->ndev++;
	}
}

/* The console back end (QEMU's serial_hd(0)); the board's first UART
 * attaches to it as its front end. */
static void open_serial(machine *m)
{
	const char *spec = m->opt->serial ? m->opt->serial : "mon:stdio";
	char err[256] = "";

	if (!strcmp(spec, "none") || m->opt->dumpdtb)
		return;
	if (!strncmp(spec, "chardev:", 8))
		m->serial = chardev_take(m, spec + 8, "-serial", spec);
	else if (!(m->serial = chardev_open(spec, err, sizeof(err))))
		kwb_usage_error("-serial %s: %s", spec, err);
	chardev_set_monitor(m->serial, m);
}

/* Every -device must name something this board builds: PCI devices go to
 * its PCIe host (which knows its models), others must be device models. */
static void check_devices(machine *m)
{
	for (int i = 0; i < m->opt->ndevices; i++) {
		const char *spec = m->opt->devices[i];
		size_t n = strcspn(spec, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)n, spec);
		if (!strcmp(name, "loader"))
			continue;	/* applied at reset (loader_device.c) */
		if ((n > 4 && !strcmp(name + n - 4, "-pci")) || !strcmp(name, "pci-testdev")) {
			if (!machine_device(m, "pcie-ecam"))
				kwb_usage_error("-device %s: the %s %s board has no PCIe host in kwb yet "
						"(virtio-mmio: -device virtio-NAME-device)", name,
						m->arch->name, m->board->name);
			continue;
		}
		if (!strcmp(name, "virtconsole") || !strcmp(name, "virtserialport")) {
			if (!virtio_serial_port_has_bus(m->opt, i))
				kwb_usage_error("-device %s: No 'virtio-serial-bus' bus found for device '%s' "
						"(add -device virtio-serial-device or virtio-serial-pci before it)",
						spec, name);
			continue;
		}
		if (n > 14 && !strncmp(name, "virtio-", 7) && !strcmp(name + n - 7, "-device")) {
			if (!machine_device(m, "virtio-mmio"))
				kwb_usage_error("-device %s: the %s %s board has no virtio-mmio transports",
						name, m->arch->name, m->board->name);
			continue;
		}
		if (!device_type_find(name))
			kwb_usage_error("-device %s: '%s' is not a valid device model name (-device help "
					"lists kwb's)", name, name);
	}
}

static void write_dumpdtb(machine *m)
{
	FILE *f = fopen(m->opt->dumpdtb, "wb");

	if (!m->fdt)
		kwb_fatal("dumpdtb: the board built no device tree");
	if (!f || fwrite(m->fdt, 1, m->dtb_size, f) != m->dtb_size || fclose(f))
		kwb_fatal("dumpdtb: cannot write %s", m->opt->dumpdtb);
	exit(0);
}

machine *machine_create(const kwb_options *opt)
{
	machine *m = kwb_zalloc(sizeof(*m));
	const char *arch = detect_arch(opt);
	uint64_t ram;

	m->opt = opt;
	dev_props_set_globals(opt->globals, opt->nglobals);
	m->arch = find_arch(arch);
	m->board = board_find(m->arch->name, opt->machine ? opt->machine : "virt");
	if (!m->board)
		kwb_usage_error("unknown machine '%s' for %s (try -M virt)",
				opt->machine ? opt->machine : "virt", m->arch->name);
	m->ncpus = opt->smp ? opt->smp : 1;
	if (m->ncpus < 1 || m->ncpus > KWB_MAX_CPUS || m->ncpus > m->board->max_cpus)
		kwb_usage_error("-smp %d: the %s board supports 1 to %d CPUs", m->ncpus, m->board->name,
				m->board->max_cpus < KWB_MAX_CPUS ? m->board->max_cpus : KWB_MAX_CPUS);
	ram = opt->ram_size ? opt->ram_size : m->board->ram_default;
	bus_add_ram(&m->bus, "ram", m->board->ram_base, ram);
	m->dbg = dbg_create(m);
	m->state = RUN_RUNNING;
	m->turn = -1;

	chardevs_open(m);
	open_serial(m);
	if (!opt->dumpdtb)
		chardevs_open_monitor(m);
	state_register(m, "machine", &machine_state, m);
	for (int i = 0; i < m->ncpus; i++) {
		char name[16];
		m->cpus[i] = m->arch->cpu_create(m, i);
		snprintf(name, sizeof(name), "cpu%d", i);
		if (m->arch->state_desc)
			state_register(m, name, m->arch->state_desc(), m->cpus[i]);
	}
	net_init(m);
	create_devices(m);
	check_devices(m);
	if (m->net)
		net_check_peers(m);
	machine_reset(m);
	if (opt->dumpdtb)
		write_dumpdtb(m);
	bus_register_mems(&m->bus, m);
	/* history from the first instruction (the difftest compares, it
	 * never goes back) */
	hist_start(m, opt->difftest ? 0 : opt->rr_budget);
	if (opt->loadvm) {
		char err[512] = "";
		if (snapshot_load(m, opt->loadvm, err, sizeof(err)) < 0)
			kwb_fatal("-loadvm %s: %s", opt->loadvm, err);
	}
	return m;
}

void machine_start_stopped(machine *m)
{
	m->state = RUN_STOPPED;
	dbg_stop_now(m, 0, STOP_INTERRUPT, 0);
}

void machine_on_free(machine *m, void (*fn)(machine *m))
{
	for (int i = 0; i < m->non_free; i++)
		if (m->on_free[i] == fn)
			return;
	if (m->non_free == (int)ARRAY_SIZE(m->on_free))
		kwb_fatal("machine_on_free: too many clients");
	m->on_free[m->non_free++] = fn;
}

void machine_free(machine *m)
{
	/* Last to first, clearing each slot: a CPU's free may look at the
	 * others (shared reservations, decode caches). */
	for (int i = m->ncpus - 1; i >= 0; i--) {
		cpu *c = m->cpus[i];
		m->cpus[i] = NULL;
		if (c && m->arch->cpu_free)
			m->arch->cpu_free(c);
	}
	for (int i = 0; i < m->ndev; i++) {
		const device_type *t = device_type_find(m->dev_desc[i]->type);
		if (t && t->free)
			t->free(m->dev_state[i]);
	}
	net_free(m);
	chardevs_close(m);
	trace_free(m);
	hist_free(m);
	guestmem_free_all(m);
	input_free_all(m);
	state_free_all(m);
	free(m->pollset.pfd);
	while (m->non_free > 0)
		m->on_free[--m->non_free](m);
	bus_free(&m->bus);
	free(m->fdt);
	dbg_free(m);
	free(m);
}

void machine_reset(machine *m)
{
	m->nimages = 0;
	m->reset_requested = false;
	for (int i = 0; i < m->ncpus; i++) {
		m->cpus[i]->powered = (i == 0);
		m->cpus[i]->waiting = false;
		m->arch->cpu_reset(m->cpus[i]);
	}
	for (int i = 0; i < m->ndev; i++) {
		const device_type *t = device_type_find(m->dev_desc[i]->type);
		if (t && t->reset)
			t->reset(m->dev_state[i]);
	}
	m->board->boot(m);
	loader_devices_apply(m);
	m->bus.generation++;
	for (int i = 0; i < m->ncpus; i++) {
		m->arch->flush_tlb(m->cpus[i]);
		m->arch->flush_decode(m->cpus[i]);
	}
}

void machine_shutdown(machine *m, int code)
{
	m->exit_code = code;
	dbg_report_stop(m, m->current ? m->current->index : 0, STOP_SHUTDOWN, 0);
}

void machine_power_off(machine *m, int code)
{
	int cpu = m->current ? m->current->index : 0;

	if (!m->opt->no_shutdown) {
		machine_shutdown(m, code);
		return;
	}
	fprintf(stderr, "kwb: guest powered off (exit code %d); -no-shutdown: machine held, "
		"attach gdb to inspect it\n", code);
	m->exit_code = code;
	dbg_report_stop(m, cpu, STOP_POWEROFF, 0);
}

void machine_request_reset(machine *m)
{
	if (m->opt->no_reboot) {
		fprintf(stderr, "kwb: guest reset: -no-reboot: exiting\n");
		machine_shutdown(m, 0);
		return;
	}
	m->reset_requested = true;
	machine_kick(m);
}

void machine_kick(machine *m)
{
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			m->cpus[i]->exit_request = true;
}

irq_line machine_irq(machine *m, int n)
{
	if (!m->board->irq)
		kwb_fatal("board %s has no interrupt controller", m->board->name);
	return m->board->irq(m, n);
}

void machine_add_poll(machine *m, int fd, void (*ready)(void *), void *opaque)
{
	if (m->npolls == KWB_MAX_POLL_FDS)
		kwb_fatal("too many file descriptors to poll");
	m->polls[m->npolls++] = (poll_source){ fd, ready, opaque };
}

void machine_remove_poll(machine *m, int fd)
{
	for (int i = 0; i < m->npolls; i++) {
		if (m->polls[i].fd == fd) {
			m->polls[i] = m->polls[--m->npolls];
			return;
		}
	}
}

void machine_add_poll_hook(machine *m, const poll_hook *h)
{
	if (m->nhooks == KWB_MAX_POLL_HOOKS)
		kwb_fatal("too many polled subsystems");
	m->hooks[m->nhooks++] = *h;
}

void machine_remove_poll_hook(machine *m, void *opaque)
{
	for (int i = 0; i < m->nhooks; i++) {
		if (m->hooks[i].opaque == opaque) {
			memmove(&m->hooks[i], &m->hooks[i + 1], (m->nhooks - i - 1) * sizeof(m->hooks[0]));
			m->nhooks--;
			return;
		}
	}
}

int poll_set_add(poll_set *ps, int fd, short events)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 64;
		ps->pfd = kwb_realloc(ps->pfd, ps->cap * sizeof(*ps->pfd));
	}
	ps->pfd[ps->n] = (struct pollfd){ .fd = fd, .events = events };
	return ps->n++;
}

void machine_add_image(machine *m, const char *what, const char *file, paddr_t base, uint64_t size)
{
	if (m->nimages == (int)ARRAY_SIZE(m->images))
		kwb_fatal("too many images loaded");
	m->images[m->nimages++] = (loaded_image){ what, file, base, size };
}

void *machine_device(machine *m, const char *type)
{
	for (int i = 0; i < m->ndev; i++)
		if (!strcmp(m->dev_desc[i]->type, type))
			return m->dev_state[i];
	return NULL;
}

/* ---- the loop ---- */

/* Poll the console, the debugger and the hooks (networks, chardevs);
 * timeout_ns < 0 blocks. Returns the number of fds that were ready. */
static int poll_fds(machine *m, int64_t timeout_ns)
{
	poll_set *ps = &m->pollset;
	poll_source src[KWB_MAX_POLL_FDS];
	poll_hook hooks[KWB_MAX_POLL_HOOKS];
	int ready, serial = -1, serial_fd = m->serial ? chardev_fd(m->serial) : -1;
	int nsrc = m->npolls, nhooks = m->nhooks;
	struct timespec ts;

	chardev_flush_all();
	/* Copy: callbacks may add or remove sources. */
	memcpy(src, m->polls, sizeof(src[0]) * nsrc);
	memcpy(hooks, m->hooks, sizeof(hooks[0]) * nhooks);
	ps->n = 0;
	for (int i = 0; i < nsrc; i++)
		poll_set_add(ps, src[i].fd, POLLIN);
	if (serial_fd >= 0)
		serial = poll_set_add(ps, serial_fd, POLLIN);
	for (int i = 0; i < nhooks; i++)
		hooks[i].fill(hooks[i].opaque, ps, &timeout_ns);
	ts = (struct timespec){ timeout_ns / 1000000000, timeout_ns % 1000000000 };
	ready = ppoll(ps->pfd, ps->n, timeout_ns < 0 ? NULL : &ts, NULL);
	if (ready < 0) {
		ready = 0;
		for (int i = 0; i < ps->n; i++)
			ps->pfd[i].revents = 0;
	}
	for (int i = 0; ready && i < nsrc; i++)
		if (ps->pfd[i].revents)
			src[i].ready(src[i].opaque);
	if (serial >= 0 && ps->pfd[serial].revents)
		chardev_input_ready(m->serial);
	for (int i = 0; i < nhooks; i++)
		hooks[i].dispatch(hooks[i].opaque, ps);
	return ready;
}

/* One polled source found readable by other means: its callback alone. */
static bool serve_fd(machine *m, int fd)
{
	for (int i = 0; i < m->npolls; i++) {
		if (m->polls[i].fd == fd) {
			poll_source src = m->polls[i];	/* it may remove itself */

			src.ready(src.opaque);
			return true;
		}
	}
	return false;
}

static uint64_t total_icount(machine *m)
{
	uint64_t t = 0;
	for (int i = 0; i < m->ncpus; i++)
		t += m->cpus[i]->icount;
	return t;
}

static void end_slice(machine *m)
{
	m->turn++;
	m->slice_started = false;
}

/*
 * Runs cpus[m->turn] for what is left of its slice (or one instruction
 * when gdb steps it, or up to a moment history is heading for). A CPU
 * leaving early for a request (a device, an event newly due before the
 * slice ends) cuts the round at its time, so virtual time stays the
 * instruction count; a debugger stop does not: the slice goes on when
 * the machine resumes, exactly as if it had not stopped.
 */
static void run_slice(machine *m, cpu *c)
{
	enum resume_action act = dbg_action(m, c->index);
	int64_t left = m->round_len - (int64_t)(c->icount - m->slice_icount_start);
	uint64_t icount0 = c->icount, nexc0 = c->nexc;
	int64_t cap = left;
	enum cpu_exit why;
	bool mask = false;

	if (act == RESUME_STEP) {
		c->step_remaining = 1;
		mask = !dbg_step_irq(m);
		cap = 1;
	}
	cap = hist_cap(m, c, cap, &mask);
	if (mask) {
		/* a step with interrupts masked, now or as logged in the past */
		c->step_remaining = 1;
		c->step_mask_irq = true;
	} else {
		c->step_mask_irq = false;
	}
	if (cap > 0) {
		m->current = c;
		m->slice_budget = m->round_len;
		why = m->arch->cpu_run(c, cap);
		m->current = NULL;
	} else {
		why = CPU_EXIT_BUDGET;	/* history stops here before it runs */
	}
	c->waiting = (why == CPU_EXIT_WFI);
	if (why == CPU_EXIT_REQUEST &&
	    (int64_t)(c->icount - m->slice_icount_start) < m->round_len)
		m->round_len = (int64_t)(c->icount - m->slice_icount_start);
	c->step_remaining = 0;
	if (act == RESUME_STEP) {
		if (!dbg_stop_pending(m) && (c->icount != icount0 || c->nexc != nexc0))
			dbg_report_stop(m, c->index, STOP_STEP, 0);
	} else if (mask && dbg_stop_pending(m) && dbg_pending_stop(m)->reason == STOP_STEP) {
		dbg_take_stop(m);	/* a masked step history replayed: no stop */
	}
	/* A CPU back early having retired nothing (a fault loop: a trap
	 * vector that faults on itself) gives up its slice, or the round
	 * would never end: time moves on, events fire, the guards hold. */
	if (why == CPU_EXIT_WFI || why == CPU_EXIT_OFF || why == CPU_EXIT_REQUEST || why == CPU_EXIT_YIELD ||
	    (int64_t)(c->icount - m->slice_icount_start) >= m->round_len ||
	    (why == CPU_EXIT_BUDGET && cap > 0 && c->icount == icount0 && act != RESUME_STEP))
		end_slice(m);
	hist_after_run(m, c);
}

bool machine_cut_before_atomic(const machine *m, const cpu *c)
{
	int64_t used;

	/* only in the machine's rounds (not a unit test's direct run) */
	if (m->ncpus < 2 || m->current != c || !m->slice_started || c->step_remaining > 0)
		return false;
	used = (int64_t)(c->icount - m->slice_icount_start);
	return used > 0 && m->round_len - used < MACHINE_ATOMIC_TAIL;
}

/* Ends the round: time moves on by its length and due events fire. */
static void end_round(machine *m)
{
	m->round_start += m->round_len;
	m->rounds++;
	m->turn = -1;
	clock_fire_due(m);
}

/* Runs the round in progress from cpus[m->turn] on, until it is complete
 * or a stop is pending (the round then resumes from where it stopped). */
static void run_round(machine *m)
{
	/* (history may move the machine elsewhere between two slices) */
	while (m->turn >= 0 && m->turn < m->ncpus && !dbg_stop_pending(m)) {
		cpu *c = m->cpus[m->turn];

		if (hist_arrived(m))
			return;
		if (!m->slice_started && !c->powered) {
			/* a powered-off CPU asked to step cannot: done */
			if (dbg_action(m, c->index) == RESUME_STEP)
				dbg_report_stop(m, c->index, STOP_STEP, 0);
			end_slice(m);
			continue;
		}
		if (hist_held(m, c)) {
			/* it sits out (the rest of) its slice */
			end_slice(m);
			continue;
		}
		if (!m->slice_started) {
			m->slice_started = true;
			m->slice_icount_start = c->icount;
			c->exit_request = false;
		}
		run_slice(m, c);
	}
	if (m->turn >= m->ncpus)
		end_round(m);
}

static bool all_waiting(machine *m)
{
	for (int i = 0; i < m->ncpus; i++) {
		cpu *c = m->cpus[i];
		if (c->powered && !c->waiting && dbg_action(m, i) != RESUME_STOPPED)
			return false;
	}
	return true;
}

/*
 * Every CPU waits for an interrupt. The rule (deterministic: it decides
 * only when, in host time, the next event fires, never which):
 * - an event is due and virtual time is not ahead of the host clock (the
 *   wall time the machine has been running, plus KWB_IDLE_LEAD): skip to
 *   it at once, so a guest that sleeps while it boots loses no time;
 * - an event is due but virtual time would run ahead: sleep until the host
 *   clock reaches it, so an idle guest's clock keeps pace with the wall
 *   and costs only its own timer ticks;
 * - nothing is due: sleep until the console, the debugger or another
 *   polled source has input.
 * Input that arrives while sleeping is delivered at the next round
 * boundary (this one: no time passed), like input arriving between two
 * rounds. History re-executing the past never sleeps. Returns false when
 * the -timeout deadline passed.
 */
static bool idle(machine *m, uint64_t deadline_wall)
{
	uint64_t now = kwb_host_ns();
	int64_t sleep_ns = -1;
	bool past = hist_replaying(m);

	/* host clock in virtual ns: anchored at the first idle after a stop,
	 * never more than KWB_IDLE_CREDIT ahead of virtual time */
	if (!m->pace_on || (int64_t)(now + m->pace - m->round_start) > KWB_IDLE_CREDIT)
		m->pace = m->round_start + (m->pace_on ? KWB_IDLE_CREDIT : 0) - now;
	m->pace_on = true;
	if (m->events) {
		uint64_t host = now + m->pace + KWB_IDLE_LEAD;
		/* when it must wait, it waits a batch longer: the ticks due
		 * meanwhile then run back to back, one wake-up for many */
		sleep_ns = m->events->when > host ? (int64_t)(m->events->when - host) + KWB_IDLE_BATCH : 0;
	}
	if (past && m->events)
		sleep_ns = 0;
	if (deadline_wall) {
		if (now >= deadline_wall)
			return false;
		if (sleep_ns < 0 || (uint64_t)sleep_ns > deadline_wall - now)
			sleep_ns = (int64_t)(deadline_wall - now);
	}
	if (sleep_ns && poll_fds(m, sleep_ns))
		return true;	/* input or the debugger: look again */
	if (m->events && (past || m->events->when <= m->round_start ||
			  kwb_host_ns() + m->pace + KWB_IDLE_LEAD >= m->events->when)) {
		if (m->events->when > m->round_start)
			m->round_start = m->events->when;
		m->rounds++;
		for (int i = 0; i < m->ncpus; i++)
			m->cpus[i]->waiting = false;	/* re-check interrupts */
		clock_fire_due(m);
	}
	poll_fds(m, 0);
	return true;
}

/* Between rounds: history's checkpoints and arrivals, outside input, then
 * a new round (or idle time). Returns false when the -timeout passed. */
/* Returns 0, or the status of the test guard that ends the run (3, 4). */
static int start_round(machine *m, uint64_t deadline_wall)
{
	int64_t q = KWB_QUANTUM;

	hist_boundary(m);
	if (dbg_stop_pending(m) || hist_arrived(m))
		return 0;
	input_deliver(m);
	if (all_waiting(m)) {
		/* Every CPU waits and no event is armed: no instruction would
		 * run again until outside input, so the limit could never be
		 * reached. */
		if (m->opt->max_insns && !m->events && !input_replaying(m))
			return 3;
		return idle(m, deadline_wall) ? 0 : 4;
	}
	if (m->events && m->events->when - m->round_start < (uint64_t)q)
		q = m->events->when > m->round_start ? (int64_t)(m->events->when - m->round_start) : 1;
	m->round_len = q;
	m->turn = 0;
	m->slice_started = false;
	return 0;
}

static void handle_stop(machine *m)
{
	const stop_info *s = dbg_take_stop(m);

	if (s->reason == STOP_SHUTDOWN && !dbg_has_listener(m)) {
		m->state = RUN_SHUTDOWN;
		return;
	}
	m->state = RUN_STOPPED;
	hist_on_stop(m, s);
	dbg_notify_stop(m, s);
	if (s->reason == STOP_SHUTDOWN && !dbg_has_listener(m))
		m->state = RUN_SHUTDOWN;
}

/* A test guard ends the run: -icount-limit (status 3), -timeout (4). */
static int guard_exit(machine *m, int status, const char *what)
{
	if (status == 3)
		fprintf(stderr, "kwb: instruction limit (-icount-limit %llu) %s\n",
			(unsigned long long)m->opt->max_insns, what);
	else
		fprintf(stderr, "kwb: wall-clock timeout (-timeout %g) %s\n", m->opt->timeout, what);
	chardev_restore_all();
	return status;
}

/*
 * The loop, on the main thread (serving false) or on a client's serving
 * thread (loop_handoff): that one never blocks, gives the loop back when
 * its spin() says so while stopped, and after MACHINE_SERVE_RUN_NS of
 * guest time running (a continue, not a step).
 */
static int machine_loop(machine *m, bool serving)
{
	const loop_handoff *h = &m->handoff;

	while (m->state != RUN_SHUTDOWN) {
		uint64_t now_wall;

		if (m->reset_requested && m->turn < 0) {
			machine_reset(m);
			if (dbg_has_listener(m))
				dbg_report_stop(m, 0, STOP_RESET, 0);
		}
		if (dbg_stop_pending(m)) {
			handle_stop(m);
			continue;
		}
		if (m->state == RUN_STOPPED) {
			/* stopped (a debugger, -S): only -timeout can end it */
			now_wall = kwb_host_ns();
			m->loop.running_since = 0;
			if (m->loop.deadline_wall && now_wall >= m->loop.deadline_wall)
				return guard_exit(m, 4, "reached while stopped");
			if (serving) {
				/* spin() sends what is owed and waits for input */
				int fd = h->spin(h->opaque);

				if (fd == LOOP_SPIN_YIELD)
					return MACHINE_YIELD;
				if (!(fd >= 0 && serve_fd(m, fd)) && !poll_fds(m, 0))
					continue;
			} else if (h->handoff && h->handoff(h->opaque)) {
				if (m->loop_status != MACHINE_YIELD)
					return m->loop_status;
				continue;
			} else {
				poll_fds(m, m->loop.deadline_wall ? (int64_t)(m->loop.deadline_wall - now_wall) : -1);
			}
			m->pace_on = false;	/* time stopped is no credit */
			/* that poll was this round's: a step resumed by it
			 * replies without polling again first */
			m->loop.last_poll = kwb_host_ns();
			continue;
		}
		if (serving) {
			now_wall = kwb_host_ns();
			if (!m->loop.running_since)
				m->loop.running_since = now_wall;
			else if (now_wall - m->loop.running_since > MACHINE_SERVE_RUN_NS)
				return MACHINE_YIELD;
		}
		if (m->turn < 0) {
			int guard = start_round(m, m->loop.deadline_wall);
			if (guard == 3)
				return guard_exit(m, 3, "cannot be reached: every CPU waits and no event is armed");
			if (guard == 4)
				return guard_exit(m, 4, "reached while every CPU waits");
			if (m->turn < 0) {
				m->loop.last_poll = kwb_host_ns();
				continue;
			}
			m->loop.round_icount = total_icount(m);
		}
		run_round(m);
		/* A whole round retired nothing (every CPU in a fault loop) and
		 * no event could change that: the limit cannot be reached. */
		if (m->opt->max_insns && m->turn < 0 && !m->events && !dbg_stop_pending(m) &&
		    !hist_replaying(m) && total_icount(m) == m->loop.round_icount)
			return guard_exit(m, 3, "cannot be reached: no instruction retires (a fault loop) and no event is armed");

		if (m->opt->max_insns && total_icount(m) >= m->opt->max_insns)
			return guard_exit(m, 3, "reached");
		now_wall = kwb_host_ns();
		if (now_wall - m->loop.last_poll > 1000000) {
			m->loop.last_poll = now_wall;
			poll_fds(m, 0);
			if (m->loop.deadline_wall && now_wall > m->loop.deadline_wall)
				return guard_exit(m, 4, "reached");
		}
	}
	chardev_restore_all();
	return m->exit_code;
}

int machine_run(machine *m)
{
	uint64_t start = kwb_host_ns();

	m->loop.last_poll = start;
	m->loop.deadline_wall = m->opt->timeout > 0 ? start + (uint64_t)(m->opt->timeout * 1e9) : 0;
	m->loop_status = MACHINE_YIELD;
	return machine_loop(m, false);
}

void machine_set_handoff(machine *m, const loop_handoff *h)
{
	m->handoff = h ? *h : (loop_handoff){ 0 };
}

int machine_serve(machine *m)
{
	return machine_loop(m, true);
}
