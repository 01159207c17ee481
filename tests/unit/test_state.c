/* core/state.h: saving, restoring, printing and comparing described state
 * on real boards (pl031 on aarch64 virt, the CLINT on riscv64 virt), the
 * event queue rebuilt in its saved order, and images from another machine
 * or corrupted ones refused with one line, never a crash. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/options.h"
#include "core/state.h"

#define RTC 0x09010000ull
#define CLINT 0x2000000ull

static machine *board(const char *arch, const char *smp)
{
	char *argv[] = { "kwb", "-arch", (char *)arch, "-M", "virt", "-m", "64M", "-smp", (char *)smp,
			 "-serial", "none", "-bios", "none", NULL };
	kwb_options *opt = kwb_zalloc(sizeof(*opt));

	options_parse(opt, 13, argv);
	return machine_create(opt);
}

static void done(machine *m)
{
	const kwb_options *opt = m->opt;
	machine_free(m);
	free((void *)opt);
}

static uint32_t rd32(machine *m, uint64_t pa)
{
	uint64_t v = 0;
	bus_read(&m->bus, pa, 4, &v);
	return (uint32_t)v;
}

static void wr(machine *m, uint64_t pa, uint64_t v, unsigned size)
{
	bus_write(&m->bus, pa, size, v);
}

static char *info(machine *m, const char *name)
{
	mon_out o = { 0 };
	state_instance *s = state_find(m, name);

	if (!s)
		return NULL;
	state_print(m, s->desc, s->obj, &o);
	return o.buf;
}

static char *monitor(machine *m, const char *line, int *rc)
{
	mon_out o = { 0 };
	mon_ctx c = { .m = m, .out = &o };

	*rc = monitor_run(&c, line);
	return o.buf;
}

static void test_registered(void)
{
	machine *m = board("aarch64", "1");
	char *out;
	int rc;

	CHECK(state_find(m, "pl031@9010000") != NULL);
	CHECK(state_find(m, "nothing") == NULL);
	out = monitor(m, "info state", &rc);
	CHECK(rc == 0 && out && strstr(out, "pl031@9010000"));
	free(out);
	out = monitor(m, "info state pl031", &rc);	/* by type */
	CHECK(rc == 0 && out && strstr(out, "pl031@9010000 (pl031 v1):\noffset = 0x"));
	free(out);
	out = monitor(m, "info state nosuch*", &rc);
	CHECK(rc == -1 && out && strstr(out, "no object matches"));
	free(out);
	done(m);
}

static void test_save_restore_pl031(void)
{
	machine *m = board("aarch64", "1");
	state_buf a = { 0 }, b = { 0 };
	mon_out o = { 0 };
	char err[256] = "", *text;
	uint64_t when;

	wr(m, RTC + 0x04, rd32(m, RTC) + 5, 4);		/* RTCMR: 5 s ahead */
	wr(m, RTC + 0x10, 1, 4);			/* RTCIMSC */
	CHECK(m->events != NULL);
	when = m->events ? m->events->when : 0;
	state_save_all(m, &a);

	wr(m, RTC + 0x04, rd32(m, RTC) + 100, 4);
	wr(m, RTC + 0x10, 0, 4);
	state_save_all(m, &b);
	CHECK_EQ(state_diff_all(a.data, a.len, b.data, b.len, &o), 3);	/* mr, imsc, match */
	CHECK(o.buf && strstr(o.buf, "pl031@9010000.imsc: 0x1 -> 0x0"));
	CHECK(o.buf && strstr(o.buf, "pl031@9010000.mr: "));

	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	CHECK_EQ(rd32(m, RTC + 0x10), 1);
	CHECK(m->events && m->events->when == when && !m->events->next);
	text = info(m, "pl031@9010000");
	CHECK(text && strstr(text, "imsc = 0x1\n") && strstr(text, "match = due at "));
	free(text);
	free(o.buf);
	state_buf_free(&a);
	state_buf_free(&b);
	done(m);
}

/* Several events at equal and different times come back in the same
 * order (firing order among equal times is part of determinism). */
static void test_event_order(void)
{
	machine *m = board("riscv64", "2");
	state_buf a = { 0 };
	char err[256] = "";
	event *order[4];
	int n = 0;

	wr(m, CLINT + 0x4008, 500, 8);		/* hart 1 first: FIFO among equals */
	wr(m, CLINT + 0x4000, 500, 8);
	for (event *e = m->events; e && n < 4; e = e->next)
		order[n++] = e;
	CHECK_EQ(n, 2);
	state_save_all(m, &a);
	wr(m, CLINT + 0x4000, 100, 8);
	wr(m, CLINT + 0x4008, ~0ull, 8);
	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	CHECK(m->events == order[0] && m->events->next == order[1] && !order[1]->next);
	CHECK_EQ(rd32(m, CLINT + 0x4000), 500);
	state_buf_free(&a);
	done(m);
}

static void test_foreign_refused(void)
{
	machine *m1 = board("riscv64", "1"), *m2 = board("riscv64", "2"), *a64 = board("aarch64", "1");
	state_buf a = { 0 };
	char err[256] = "";

	state_save_all(m2, &a);
	CHECK_EQ(state_load_all(m1, a.data, a.len, err, sizeof(err)), -1);
	CHECK(strstr(err, "clint@2000000") != NULL);
	err[0] = 0;
	CHECK_EQ(state_load_all(a64, a.data, a.len, err, sizeof(err)), -1);
	CHECK(err[0] != 0 && !strchr(err, '\n'));
	state_buf_free(&a);
	done(m1);
	done(m2);
	done(a64);
}

/* Truncations and random corruptions: refused or loaded, never a crash
 * (run under make asan). */
static void test_corrupt_images(void)
{
	machine *m = board("riscv64", "2");
	state_buf a = { 0 };
	char err[256];
	uint64_t rng = 88172645463325252ull;
	uint8_t *copy;

	wr(m, CLINT + 0x4000, 1234, 8);
	state_save_all(m, &a);
	copy = malloc(a.len);
	wr(m, CLINT + 0x4000, 999, 8);
	for (size_t cut = 0; cut < a.len; cut++) {
		memcpy(copy, a.data, cut);
		CHECK_EQ(state_load_all(m, copy, cut, err, sizeof(err)), -1);
	}
	CHECK_EQ(rd32(m, CLINT + 0x4000), 999);		/* a refused image changes nothing */
	for (int i = 0; i < 2000; i++) {
		memcpy(copy, a.data, a.len);
		for (int k = 0; k < 3; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			copy[rng % a.len] ^= (uint8_t)(rng >> 32);
		}
		state_load_all(m, copy, a.len, err, sizeof(err));
	}
	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	CHECK_EQ(rd32(m, CLINT + 0x4000), 1234);
	free(copy);
	state_buf_free(&a);
	done(m);
}

extern const device_type *const __start_kwb_dev[] __attribute__((weak));
extern const device_type *const __stop_kwb_dev[] __attribute__((weak));

/* Principle 1: every device model is born with its description. */
static void test_every_device_described(void)
{
	int n = 0;

	for (const device_type *const *t = __start_kwb_dev; t && t < __stop_kwb_dev; t++, n++)
		if (!(*t)->state) {
			printf("FAIL: %s: device type %s has no state description\n", check_case, (*t)->name);
			check_case_failed = 1;
		}
	CHECK(n >= 8);
}

/* A machine with every kind of object (CPUs, GIC, SMMU, PCIe functions,
 * virtio back ends): saved, loaded and saved again gives the same image,
 * and the event queue is what it was (an event nobody describes would be
 * lost by the load). */
static void check_roundtrip(machine *m)
{
	state_buf a = { 0 }, b = { 0 };
	char err[256] = "";
	event *before[16], *after[16];
	int nb = 0, na = 0;

	for (event *e = m->events; e && nb < 16; e = e->next)
		before[nb++] = e;
	state_save_all(m, &a);
	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	for (event *e = m->events; e && na < 16; e = e->next)
		after[na++] = e;
	CHECK_EQ(na, nb);
	for (int i = 0; i < na && i < nb; i++)
		CHECK(before[i] == after[i]);
	state_save_all(m, &b);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	state_buf_free(&a);
	state_buf_free(&b);
}

static void test_whole_machines(void)
{
	char *a64[] = { "kwb", "-arch", "aarch64", "-M", "virt,iommu=smmuv3,gic-version=3", "-m", "64M", "-smp", "2",
			"-serial", "none", "-device", "virtio-rng-pci,seed=7", "-nic", "none", NULL };
	kwb_options *opt = kwb_zalloc(sizeof(*opt));
	machine *m;
	char *out;
	int rc;

	options_parse(opt, 15, a64);
	m = machine_create(opt);
	wr(m, RTC + 0x04, rd32(m, RTC) + 5, 4);		/* an event in the queue */
	wr(m, RTC + 0x10, 1, 4);
	out = monitor(m, "info state", &rc);
	CHECK(out && strstr(out, "cpu1 ") && strstr(out, "intc@8000000") && strstr(out, "smmuv3@9050000") &&
	      strstr(out, "virtio-rng-pci@00:01.0") && strstr(out, "virtio-rng@00:01.0") &&
	      strstr(out, "pl011@9000000") && strstr(out, "pcie@"));
	free(out);
	out = monitor(m, "info state cpu1", &rc);
	CHECK(rc == 0 && out && strstr(out, "\nSCTLR_EL1 = 0x") && strstr(out, "timer.t[1].cval = "));
	free(out);
	out = monitor(m, "info gic", &rc);
	CHECK(rc == 0 && out && strstr(out, "cpu[1].pmr = ") && strstr(out, "cpu1: mpidr 0x80000001 IRQ low"));
	free(out);
	check_roundtrip(m);
	done(m);
	m = board("aarch64", "2");			/* QEMU's default: GICv2 and its v2m frame */
	out = monitor(m, "info gic", &rc);
	CHECK(rc == 0 && out && strstr(out, "cpu[1].pmr = ") && strstr(out, "cpu1: IRQ low FIQ low"));
	free(out);
	check_roundtrip(m);
	done(m);
	m = board("riscv64", "2");
	wr(m, CLINT + 0x4000, 500, 8);
	out = monitor(m, "info state cpu0", &rc);
	CHECK(rc == 0 && out && strstr(out, "mstatus = 0x") && strstr(out, "\npc = 0x"));
	free(out);
	check_roundtrip(m);
	done(m);
}

int main(void)
{
	RUN(test_registered);
	RUN(test_save_restore_pl031);
	RUN(test_event_order);
	RUN(test_foreign_refused);
	RUN(test_corrupt_images);
	RUN(test_every_device_described);
	RUN(test_whole_machines);
	return CHECK_DONE();
}
