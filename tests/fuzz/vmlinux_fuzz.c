/*
 * A vmlinux given to -symbols or found for gdb: symbols/vmlinux.c (ELF
 * headers, sections, symbol table, segments through libelf) and
 * symbols/kdwarf.c (DWARF types, members and enumerators through
 * libdwarf), with the lookups the monitor and the Linux awareness make.
 * Seeds: tests/fuzz/corpus/vmlinux/ (built from corpus/vmlinux-seed.c).
 * fuzz-options: -max_len=65536
 */
#include "symbols/kdwarf.h"
#include "symbols/vmlinux.h"
#include "tests/fuzz/fuzz.h"

static void count(const ksym *s, void *opaque)
{
	(void)s;
	(*(int *)opaque)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[][2] = {
		{ "task_struct", "tasks" }, { "task_struct", "thread.cpu_context.sp" },
		{ "task_struct", "comm" }, { "task_struct", "c" }, { "thread_struct", "s" },
		{ "list_head", "prev" }, { "nosuch", "x" },
	};
	const char *path = fuzz_file(data, size);
	char err[512], buf[256];
	vmlinux *v = vmlinux_open(path, NULL, err, sizeof(err));
	kdwarf *kd;

	if (v) {
		uint64_t lo, hi, off;
		const ksym *s;
		int n = 0;

		fuzz_accepted++;
		vmlinux_span(v, &lo, &hi);
		for (int i = 0; i < 8; i++) {
			uint64_t a = lo + (hi - lo) / 8 * i;
			vmlinux_sym_at(v, a, &off);
			vmlinux_format(v, a, buf, sizeof(buf));
			vmlinux_section_at(v, a);
		}
		vmlinux_format(v, hi, buf, sizeof(buf));
		vmlinux_format(v, UINT64_MAX, buf, sizeof(buf));
		if ((s = vmlinux_sym_named(v, "init_task")))
			vmlinux_format(v, s->addr + s->size, buf, sizeof(buf));
		vmlinux_sym_named(v, "linux_banner");
		vmlinux_each_named(v, "_stext", count, &n);
		for (int i = 0; i < v->nsyms && i < 32; i++)
			vmlinux_sym_named(v, ksym_name(v, &v->syms[i]));
		vmlinux_free(v);
	}
	if ((kd = kdwarf_open(path, err, sizeof(err)))) {
		uint64_t off, sz;
		int64_t val;

		fuzz_accepted++;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			kdwarf_member(kd, types[i][0], types[i][1], &off, &sz);
		kdwarf_sizeof(kd, "task_struct", &sz);
		kdwarf_enumerator(kd, "SYSTEM_FREEING_INITMEM", &val);
		kdwarf_enumerator(kd, "NOSUCH", &val);
		kdwarf_close(kd);
	}
	return 0;
}
