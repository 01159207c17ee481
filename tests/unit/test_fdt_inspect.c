/* fdt_inspect: dts printing, paths, lookups, diffs and one-line reports of
 * corrupt blobs, on blobs made here with libfdt and then damaged by hand. */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/fdt_inspect.h"

static uint8_t blob[8192];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* A small tree with every kind of value and phandle references. */
static size_t make_blob(uint8_t *b, size_t cap, bool extra)
{
	static const uint8_t bytes[] = { 1, 2, 0xab };
	fdt32_t cells[4];

	fdt_create(b, cap);
	fdt_add_reservemap_entry(b, 0x80000000, 0x40000);
	fdt_finish_reservemap(b);
	fdt_begin_node(b, "");
	fdt_property_u32(b, "#address-cells", 2);
	fdt_property_string(b, "compatible", "kwb,unit");
	fdt_property_u32(b, "interrupt-parent", 1);
	fdt_begin_node(b, "chosen");
	fdt_property_string(b, "bootargs", extra ? "console=ttyS0 quiet" : "console=ttyS0");
	fdt_property_u64(b, "linux,initrd-start", 0x88200000);
	fdt_end_node(b);
	fdt_begin_node(b, "intc@c000000");
	fdt_property_u32(b, "#interrupt-cells", 1);
	fdt_property_u32(b, "#iommu-cells", 1);
	fdt_property(b, "interrupt-controller", NULL, 0);
	fdt_property_u32(b, "phandle", 1);
	fdt_end_node(b);
	fdt_begin_node(b, "soc");
	fdt_begin_node(b, "uart@10000000");
	fdt_property(b, "compatible", "ns16550a\0simple-bus", 20);
	cells[0] = cpu_to_fdt32(1); cells[1] = cpu_to_fdt32(10);
	cells[2] = cpu_to_fdt32(1); cells[3] = cpu_to_fdt32(11);
	fdt_property(b, "interrupts-extended", cells, 16);
	fdt_property(b, "mac", bytes, sizeof(bytes));
	cells[0] = cpu_to_fdt32(0); cells[1] = cpu_to_fdt32(1);
	cells[2] = cpu_to_fdt32(0); cells[3] = cpu_to_fdt32(0x10000);
	fdt_property(b, "iommu-map", cells, 16);
	fdt_property(b, "msi-parent", cells + 1, 4);	/* no #msi-cells: 0 */
	fdt_property(b, "say", "a \"q\" \\", 8);
	cells[0] = cpu_to_fdt32(7);	/* no such phandle: plain cells */
	fdt_property(b, "clocks", cells, 4);
	fdt_end_node(b);
	fdt_end_node(b);
	if (extra) {
		fdt_begin_node(b, "kwb-test");
		fdt_property_string(b, "compatible", "kwb,test");
		fdt_end_node(b);
	}
	fdt_end_node(b);
	fdt_finish(b);
	return fdt_totalsize(b);
}

static char *print_all(const uint8_t *b, size_t len)
{
	fdt_tree t;
	char err[256];
	mon_out o = { 0 };

	if (fdti_parse(&t, b, len, "fdt at 0x1000", err, sizeof(err))) {
		printf("  parse failed: %s\n", err);
		return NULL;
	}
	fdti_print_dts(&t, &o);
	fdti_free(&t);
	return o.buf;
}

static void test_dts(void)
{
	size_t n = make_blob(blob, sizeof(blob), false);
	char *s = print_all(blob, n);

	CHECK(s);
	if (!s)
		return;
	CHECK(strstr(s, "/dts-v1/;\n"));
	CHECK(strstr(s, "/memreserve/ 0x80000000 0x40000;\n"));
	CHECK(strstr(s, "/ {\n\t#address-cells = <0x2>;\n"));
	CHECK(strstr(s, "\tinterrupt-parent = <&{/intc@c000000}>;\n"));
	CHECK(strstr(s, "\tchosen {\n\t\tbootargs = \"console=ttyS0\";\n"));
	CHECK(strstr(s, "\t\tlinux,initrd-start = <0x0 0x88200000>;\n"));
	CHECK(strstr(s, "\t\tinterrupt-controller;\n"));
	CHECK(strstr(s, "\t\tphandle = <0x1>;\n"));
	CHECK(strstr(s, "\t\t\tcompatible = \"ns16550a\", \"simple-bus\";\n"));
	CHECK(strstr(s, "interrupts-extended = <&{/intc@c000000} 0xa &{/intc@c000000} 0xb>;\n"));
	CHECK(strstr(s, "mac = [01 02 ab];\n"));
	CHECK(strstr(s, "iommu-map = <0x0 &{/intc@c000000} 0x0 0x10000>;\n"));
	CHECK(strstr(s, "msi-parent = <&{/intc@c000000}>;\n"));
	CHECK(strstr(s, "say = \"a \\\"q\\\" \\\\\";\n"));
	CHECK(strstr(s, "clocks = <0x7>;\n"));
	free(s);
}

static void test_find_and_paths(void)
{
	size_t n = make_blob(blob, sizeof(blob), false);
	fdt_tree t;
	char err[256], path[128];
	mon_out o = { 0 };
	int node;

	CHECK_EQ(fdti_parse(&t, blob, n, "x", err, sizeof(err)), 0);
	CHECK_EQ(fdti_find(&t, "/"), 0);
	node = fdti_find(&t, "/soc/uart");	/* no unit address: the unique match */
	CHECK(node > 0);
	fdti_path(&t, node, path, sizeof(path));
	CHECK(!strcmp(path, "/soc/uart@10000000"));
	CHECK_EQ(fdti_find(&t, "/soc/uart@10000000"), node);
	CHECK_EQ(fdti_find(&t, "/soc/nope"), -1);
	CHECK_EQ(fdti_find(&t, "chosen"), -1);
	CHECK(fdti_prop_find(&t, node, "mac") >= 0);
	CHECK_EQ(fdti_prop_find(&t, node, "nope"), -1);
	fdti_print_paths(&t, &o);
	CHECK(o.buf && !strcmp(o.buf, "/\n/chosen\n/intc@c000000\n/soc\n/soc/uart@10000000\n"));
	free(o.buf);
	o = (mon_out){ 0 };
	fdti_print_node(&t, fdti_find(&t, "/chosen"), &o);
	CHECK(o.buf && !strncmp(o.buf, "chosen {\n\tbootargs = \"console=ttyS0\";\n", 38));
	CHECK(o.buf && strstr(o.buf, "\n};\n"));
	free(o.buf);
	fdti_free(&t);
}

static void test_diff(void)
{
	static uint8_t other[8192];
	size_t n = make_blob(blob, sizeof(blob), false), m = make_blob(other, sizeof(other), true);
	fdt_tree a, b;
	char err[256];
	mon_out o = { 0 };

	CHECK_EQ(fdti_parse(&a, blob, n, "a", err, sizeof(err)), 0);
	CHECK_EQ(fdti_parse(&b, other, m, "b", err, sizeof(err)), 0);
	CHECK_EQ(fdti_diff(&a, &b, "mem", "file", &o), 2);
	CHECK(o.buf && strstr(o.buf, "--- mem\n+++ file\n"));
	CHECK(o.buf && strstr(o.buf, "@@ /chosen @@\n-\t\tbootargs = \"console=ttyS0\";\n"
			      "+\t\tbootargs = \"console=ttyS0 quiet\";\n"));
	CHECK(o.buf && strstr(o.buf, "@@ / @@\n+\tkwb-test {\n+\t\tcompatible = \"kwb,test\";\n+\t};\n"));
	free(o.buf);
	o = (mon_out){ 0 };
	CHECK_EQ(fdti_diff(&a, &a, "mem", "mem", &o), 0);
	free(o.buf);
	fdti_free(&a);
	fdti_free(&b);
}

/* Damages a fresh copy with fn, expects a parse failure naming why. */
static void expect_bad(const char *why, void (*fn)(uint8_t *b, size_t *n), const char *want)
{
	size_t n = make_blob(blob, sizeof(blob), false);
	fdt_tree t;
	char err[256] = "";

	fn(blob, &n);
	if (fdti_parse(&t, blob, n, "fdt at 0x9fe00000", err, sizeof(err)) == 0) {
		printf("FAIL: corrupt: %s: parsed\n", why);
		check_case_failed = 1;
		fdti_free(&t);
	} else if (!strstr(err, want) || strncmp(err, "fdt at 0x9fe00000: ", 19) || strchr(err, '\n')) {
		printf("FAIL: corrupt: %s: message '%s', expected '%s'\n", why, err, want);
		check_case_failed = 1;
	}
}

static uint32_t struct_off(const uint8_t *b) { return get32(b + 8); }

static void bad_magic(uint8_t *b, size_t *n) { (void)n; put32(b, 0x12345678); }
static void huge_total(uint8_t *b, size_t *n) { (void)n; put32(b + 4, 0x7fffffff); }
static void short_read(uint8_t *b, size_t *n) { (void)b; *n -= 9; }
static void short_header(uint8_t *b, size_t *n) { (void)b; *n = 20; }
static void struct_oob(uint8_t *b, size_t *n) { (void)n; put32(b + 36, get32(b + 4)); }
static void strings_oob(uint8_t *b, size_t *n) { (void)n; put32(b + 12, get32(b + 4) - 2); }
static void old_version(uint8_t *b, size_t *n) { (void)n; put32(b + 20, 3); }
static void rsv_oob(uint8_t *b, size_t *n) { (void)n; put32(b + 16, get32(b + 4)); }
static void bad_token(uint8_t *b, size_t *n) { (void)n; put32(b + struct_off(b) + 8, 0x77); }
static void first_prop_len(uint8_t *b, size_t *n)
{
	(void)n;	/* root "" name: token, name pad, then PROP len */
	put32(b + struct_off(b) + 12, 0x100000);
}
static void first_prop_name(uint8_t *b, size_t *n) { (void)n; put32(b + struct_off(b) + 16, 0xfffff); }
static void unterminated_strings(uint8_t *b, size_t *n)
{
	(void)n;	/* the strings block without its last NUL */
	b[get32(b + 12) + get32(b + 32) - 1] = 'x';
}
static void no_end(uint8_t *b, size_t *n)
{
	(void)n;	/* FDT_END turned into a NOP: the block ends without it */
	put32(b + struct_off(b) + get32(b + 36) - 4, 4);
}
static void end_inside(uint8_t *b, size_t *n) { (void)n; put32(b + struct_off(b) + 8, 9); }
static void extra_end_node(uint8_t *b, size_t *n)
{
	(void)n;
	put32(b + struct_off(b) + get32(b + 36) - 4, 2);
}
static void unterminated_name(uint8_t *b, size_t *n)
{
	/* The struct block ends inside the name "chosen". */
	const uint8_t *p = memmem(b + struct_off(b), *n - struct_off(b), "chosen", 7);
	put32(b + 36, (uint32_t)(p - b) - struct_off(b) + 3);
}

static void test_corrupt(void)
{
	expect_bad("magic", bad_magic, "bad magic 0x12345678 (expected 0xd00dfeed)");
	expect_bad("totalsize", huge_total, "totalsize 2147483647 is absurd");
	expect_bad("short", short_read, "bytes readable");
	expect_bad("header", short_header, "header truncated");
	expect_bad("struct", struct_oob, "struct block");
	expect_bad("strings", strings_oob, "strings block");
	expect_bad("version", old_version, "unsupported version 3");
	expect_bad("rsvmap", rsv_oob, "off_mem_rsvmap");
	expect_bad("token", bad_token, "bad token 0x00000077 at struct offset 0x8");
	expect_bad("prop len", first_prop_len, "property length 1048576 at struct offset 0x8 runs past");
	expect_bad("prop name", first_prop_name, "property name offset 0xfffff");
	expect_bad("strings nul", unterminated_strings, "unterminated");
	expect_bad("no end", no_end, "without FDT_END");
	expect_bad("end inside", end_inside, "FDT_END at struct offset 0x8 inside a node");
	expect_bad("end node", extra_end_node, "after the root node");
	expect_bad("node name", unterminated_name, "unterminated or too long");
}

static void test_depth(void)
{
	fdt_tree t;
	char err[256] = "";
	char name[16];

	fdt_create(blob, sizeof(blob));
	fdt_finish_reservemap(blob);
	fdt_begin_node(blob, "");
	for (int i = 0; i < FDTI_MAX_DEPTH + 2; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		fdt_begin_node(blob, name);
	}
	for (int i = 0; i < FDTI_MAX_DEPTH + 3; i++)
		fdt_end_node(blob);
	fdt_finish(blob);
	CHECK_EQ(fdti_parse(&t, blob, fdt_totalsize(blob), "fdt at 0x0", err, sizeof(err)), -1);
	CHECK(strstr(err, "nested deeper than 64"));
}

static void test_header_only(void)
{
	char err[256];
	size_t n = make_blob(blob, sizeof(blob), false);

	CHECK_EQ(fdti_check_header(blob, FDTI_HEADER_SIZE, "h", err, sizeof(err)), n);
	CHECK_EQ(fdti_check_header(blob, 0, "h", err, sizeof(err)), 0);
	CHECK(!strcmp(err, "h: not readable"));
	/* Version 16 has no size_dt_struct: the struct block runs to the end. */
	put32(blob + 20, 16);
	put32(blob + 36, 0);
	{
		fdt_tree t;
		CHECK_EQ(fdti_parse(&t, blob, n, "v16", err, sizeof(err)), 0);
		CHECK_EQ(t.nnodes, 5);
		fdti_free(&t);
	}
}

int main(void)
{
	RUN(test_dts);
	RUN(test_find_and_paths);
	RUN(test_diff);
	RUN(test_corrupt);
	RUN(test_depth);
	RUN(test_header_only);
	return CHECK_DONE();
}
