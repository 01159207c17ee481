/*
 * QEMU's RISC-V `virt` board: the same memory map, interrupt numbers,
 * device tree and boot protocol (reset ROM at 0x1000 handing a0 = hartid,
 * a1 = DTB, a2 = fw_dynamic info to the firmware at 0x80000000), so that
 * OpenSBI and Linux see what they see under qemu-system-riscv64.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../arch/riscv64/riscv64.h"
#include "../devices/fw_cfg.h"
#include "../devices/pcie_ecam.h"
#include "../devices/plic.h"
#include "../devices/virtio.h"
#include "../fdt_util.h"
#include "../loader.h"
#include "../machine.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

#define VIRT_MROM 0x1000
#define VIRT_MROM_SIZE 0xf000
#define VIRT_DRAM 0x80000000ull
#define VIRT_UART0 0x10000000ull
#define VIRT_UART0_IRQ 10
#define VIRT_FW_CFG 0x10100000ull
#define VIRT_FLASH 0x20000000ull
#define VIRT_FLASH_BANK 0x02000000ull
#define VIRT_FLASH_S_MODE (VIRT_FLASH + VIRT_FLASH_BANK)	/* bank 1: S-mode firmware (EDK2) */

/* QEMU 7.2's default firmware: its own build of OpenSBI's fw_dynamic
 * (Debian's qemu-system-data), else the opensbi package's. */
static const char *const default_bios[] = {
	"/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin",
	"/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin",
};
#define VIRT_MMU "riscv,sv48"	/* QEMU's value; Linux probes satp itself */

/* QEMU's PCIe windows: I/O at 0x3000000, 32-bit MMIO at 0x40000000 and a
 * 16 GiB 64-bit window at the first multiple of 16 GiB above RAM. */
static const pcie_windows virt_pcie = {
	.mmio_base = 0x40000000, .mmio_size = 0x40000000, .pio_base = 0x3000000, .pio_size = 0x10000,
	.mmio64_size = 16 * GiB,
};

static const board_device virt_devices[] = {
	{ .type = "clint", .name = "clint", .base = 0x2000000, .size = 0x10000 },
	{ .type = "plic", .name = "plic", .base = 0xc000000, .size = 0x600000 },
	/* 8 virtio-mmio transports, 0x1000 apart, PLIC sources 1..8 */
	{ .type = "virtio-mmio", .name = "virtio_mmio", .base = 0x10001000, .size = 0x1000,
	  .irqs = { 1 }, .nirqs = 1, .param = 8 },
	/* ECAM at 0x30000000 (256 buses), INTx on PLIC sources 32..35; PCI
	 * devices come from -device *-pci. */
	{ .type = "pcie-ecam", .name = "pci", .base = 0x30000000, .size = 0x10000000,
	  .irqs = { 32, 33, 34, 35 }, .nirqs = 4, .param = (uintptr_t)&virt_pcie },
	{ .type = "sifive_test", .name = "test", .base = 0x100000, .size = 0x1000 },
	{ .type = "ns16550a", .name = "serial", .base = VIRT_UART0, .size = 0x100,
	  .irqs = { VIRT_UART0_IRQ }, .nirqs = 1 },
	/* QEMU's fw_cfg (no SMBIOS on riscv in 7.2) and two 32 MiB flash
	 * banks for -drive if=pflash (the firmware stays OpenSBI in RAM) */
	{ .type = "fw_cfg", .name = "fw-cfg", .base = VIRT_FW_CFG, .size = 0x18 },
	{ .type = "pflash", .name = "flash", .base = VIRT_FLASH, .size = VIRT_FLASH_BANK, .param = 0 },
	{ .type = "pflash", .name = "flash", .base = VIRT_FLASH + VIRT_FLASH_BANK, .size = VIRT_FLASH_BANK,
	  .param = 1 },
	{ .type = NULL },
};

static irq_line virt_irq(machine *m, int n)
{
	return plic_irq(plic_get(m), n);
}

static void fdt_cpus(machine *m, void *fdt)
{
	int cpus = fdtu_node(fdt, 0, "cpus"), map, cluster;
	uint32_t cpu_ph[KWB_MAX_CPUS];

	fdtu_u32(fdt, cpus, "#address-cells", 1);
	fdtu_u32(fdt, cpus, "#size-cells", 0);
	fdtu_u32(fdt, cpus, "timebase-frequency", RISCV_TIMEBASE_HZ);
	for (int i = 0; i < m->ncpus; i++) {
		int cpu = fdtu_node_at(fdt, cpus, "cpu", i), intc;
		char isa[128];
		riscv_isa_string(m->cpus[i], isa, sizeof(isa));
		cpu_ph[i] = fdtu_phandle(fdt, cpu);
		fdtu_string(fdt, cpu, "device_type", "cpu");
		fdtu_u32(fdt, cpu, "reg", i);
		fdtu_string(fdt, cpu, "status", "okay");
		fdtu_string(fdt, cpu, "compatible", "riscv");
		fdtu_string(fdt, cpu, "riscv,isa", isa);
		fdtu_string(fdt, cpu, "mmu-type", VIRT_MMU);
		intc = fdtu_node(fdt, cpu, "interrupt-controller");
		fdtu_u32(fdt, intc, "#interrupt-cells", 1);
		fdtu_empty(fdt, intc, "interrupt-controller");
		fdtu_string(fdt, intc, "compatible", "riscv,cpu-intc");
		fdtu_phandle(fdt, intc);
	}
	map = fdtu_node(fdt, cpus, "cpu-map");
	cluster = fdtu_node(fdt, map, "cluster0");
	for (int i = 0; i < m->ncpus; i++) {
		char name[16];
		snprintf(name, sizeof(name), "core%d", i);
		fdtu_u32(fdt, fdtu_node(fdt, cluster, name), "cpu", cpu_ph[i]);
	}
}

/* OpenSBI's event-to-counter map, as QEMU 7.2 writes it: cycles on
 * mcycle or any HPM counter, instructions on minstret or any, the DTLB
 * read/write and ITLB miss events on any HPM counter. */
static void fdt_pmu(machine *m, void *fdt)
{
	int num = riscv_pmu_num(m->cpus[0]), node = fdtu_node(fdt, 0, "pmu");
	/* QEMU's MAKE_32BIT_MASK(3, 0) is every bit from 3 up */
	uint32_t any = num ? ((1u << num) - 1) << 3 : 0xfffffff8u;
	uint32_t map[20] = {
		0x1, 0x1, any | 1u << 0,
		0x2, 0x2, any | 1u << 2,
		0x10019, 0x10019, any,
		0x1001b, 0x1001b, any,
		0x10021, 0x10021, any,
	};

	fdtu_string(fdt, node, "compatible", "riscv,pmu");
	fdtu_cells(fdt, node, "riscv,event-to-mhpmcounters", map, ARRAY_SIZE(map));
}

static int virt_fdt_base(machine *m, void *fdt)
{
	int node;
	char path[64];

	fdtu_u32(fdt, 0, "#address-cells", 2);
	fdtu_u32(fdt, 0, "#size-cells", 2);
	fdtu_string(fdt, 0, "compatible", "riscv-virtio");
	fdtu_string(fdt, 0, "model", "riscv-virtio,qemu");

	node = fdtu_node(fdt, 0, "chosen");
	snprintf(path, sizeof(path), "/soc/serial@%llx", (unsigned long long)VIRT_UART0);
	fdtu_string(fdt, node, "stdout-path", path);

	node = fdtu_node_at(fdt, 0, "memory", m->bus.ram->base);
	fdtu_string(fdt, node, "device_type", "memory");
	fdtu_reg(fdt, node, m->bus.ram->base, m->bus.ram->size);

	/* Power-off and reboot through the SiFive test device; its fdt()
	 * fills in regmap in place (no node moves), as the test device's
	 * phandle does not exist yet. */
	static const struct { const char *name, *compatible; uint32_t value; } syscon[] = {
		{ "poweroff", "syscon-poweroff", 0x5555 },
		{ "reboot", "syscon-reboot", 0x7777 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(syscon); i++) {
		node = fdtu_node(fdt, 0, syscon[i].name);
		fdtu_u32(fdt, node, "value", syscon[i].value);
		fdtu_u32(fdt, node, "offset", 0);
		fdtu_u32(fdt, node, "regmap", 0);
		fdtu_string(fdt, node, "compatible", syscon[i].compatible);
	}

	fdt_cpus(m, fdt);
	fdt_pmu(m, fdt);

	node = fdtu_node(fdt, 0, "soc");
	fdtu_u32(fdt, node, "#address-cells", 2);
	fdtu_u32(fdt, node, "#size-cells", 2);
	fdtu_string(fdt, node, "compatible", "simple-bus");
	fdtu_empty(fdt, node, "ranges");
	return 0;
}

/* The reset ROM: every hart starts here. a0 = mhartid, a1 = DTB address,
 * a2 = the fw_dynamic info that follows the code, then it jumps to the
 * first stage (firmware, or the kernel with -bios none). */
static void place_reset_rom(machine *m, paddr_t start, paddr_t dtb, paddr_t next)
{
	enum { FW_DYNAMIC_MAGIC = 0x4942534f, FW_DYNAMIC_VERSION = 2, NEXT_MODE_S = 1 };
	uint32_t rom[10 + 12] = {
		0x00000297,	/* auipc t0, 0 */
		0x02828613,	/* addi  a2, t0, 40: the fw_dynamic info */
		0xf1402573,	/* csrr  a0, mhartid */
		0x0202b583,	/* ld    a1, 32(t0) */
		0x0182b283,	/* ld    t0, 24(t0) */
		0x00028067,	/* jr    t0 */
		(uint32_t)start, (uint32_t)(start >> 32),
		(uint32_t)dtb, (uint32_t)(dtb >> 32),
		/* struct fw_dynamic_info: magic, version, next_addr, next_mode,
		 * options, boot_hart (unsigned long each) */
		FW_DYNAMIC_MAGIC, 0, FW_DYNAMIC_VERSION, 0,
		(uint32_t)next, (uint32_t)(next >> 32), NEXT_MODE_S, 0,
		0, 0, 0, 0,
	};

	if (!bus_find(&m->bus, VIRT_MROM))
		bus_add_rom(&m->bus, "mrom", VIRT_MROM, VIRT_MROM_SIZE);
	loader_place(m, "bootstub", "(reset vector)", VIRT_MROM, rom, sizeof(rom));
}

/* Returns the end of what it loaded; sets *entry. */
static paddr_t load_firmware(machine *m, const char *bios, paddr_t *entry)
{
	kernel_info ki;
	char err[512];

	if (!bios || !strcmp(bios, "default")) {
		for (unsigned i = 0; i < ARRAY_SIZE(default_bios) && (!bios || access(bios, R_OK)); i++)
			bios = default_bios[i];
		if (access(bios, R_OK))
			kwb_fatal("-bios: neither %s nor %s found: install qemu-system-data or opensbi, or "
				  "pass -bios FILE or -bios none", default_bios[0], default_bios[1]);
	}
	if (loader_probe_kernel(bios, &ki, err, sizeof(err)))
		kwb_fatal("-bios: %s", err);
	if (ki.format == KFMT_ELF) {
		paddr_t lo, hi;
		if (ki.arch && strcmp(ki.arch, "riscv64"))
			kwb_fatal("-bios %s: an %s ELF, this is a riscv64 board", bios, ki.arch);
		*entry = loader_load_elf(m, "bios", bios, &lo, &hi);
		return hi;
	}
	*entry = VIRT_DRAM;
	return VIRT_DRAM + loader_load_raw(m, "bios", bios, VIRT_DRAM, 0);
}

/* Loads -kernel at base (ELF: where its program headers say); returns the
 * end of the memory it needs, BSS included. */
static paddr_t load_kernel(machine *m, const char *path, paddr_t base, bool firmware)
{
	kernel_info ki;
	char err[512];
	uint64_t size;

	if (loader_probe_kernel(path, &ki, err, sizeof(err)))
		kwb_fatal("-kernel: %s", err);
	if (ki.arch && strcmp(ki.arch, "riscv64"))
		kwb_fatal("-kernel %s: an %s kernel, but this is the riscv64 virt board", path, ki.arch);
	if (ki.gzip)	/* QEMU's riscv64 virt would run the compressed bytes */
		kwb_fatal("-kernel %s: gzip-compressed: the riscv64 virt board (as QEMU's) does not "
			  "decompress kernels; gunzip it and pass the Image", path);
	if (ki.format == KFMT_ELF) {
		paddr_t lo, hi;
		m->kernel_entry = loader_load_elf(m, "kernel", path, &lo, &hi);
		m->kernel_base = lo;
		m->kernel_size = hi - lo;
		return hi;
	}
	/* An Image asks for RAM base + text_offset; with firmware below it,
	 * never lower than the 2 MB boundary after the firmware. */
	paddr_t ram_end = m->bus.ram->base + m->bus.ram->size;
	if (ki.format == KFMT_RISCV_IMAGE && firmware && ki.text_offset &&
	    ki.text_offset > base - VIRT_DRAM) {
		if (ki.text_offset >= ram_end - VIRT_DRAM)
			kwb_fatal("-kernel %s: text_offset 0x%llx at 0x8 is past the end of RAM (0x%llx)", path,
				  (unsigned long long)ki.text_offset, (unsigned long long)ram_end);
		base = VIRT_DRAM + ki.text_offset;
	}
	size = loader_load_raw(m, "kernel", path, base, 0);
	m->kernel_entry = m->kernel_base = base;
	m->kernel_size = ki.image_size > size ? ki.image_size : size;
	/* base is in RAM (the load checked it): compare sizes, no wrap past 2^64 */
	if (m->kernel_size > ram_end - base)
		kwb_fatal("-kernel %s: needs 0x%llx bytes from 0x%llx (image_size 0x%llx at 0x10) but RAM "
			  "ends at 0x%llx", path, (unsigned long long)m->kernel_size, (unsigned long long)base,
			  (unsigned long long)ki.image_size, (unsigned long long)(m->bus.ram->base + m->bus.ram->size));
	return base + m->kernel_size;
}

static bool has_flash_image(const kwb_options *o, int unit)
{
	for (int i = 0; i < o->ndrives; i++)
		if (o->drives[i].pflash && o->drives[i].unit == unit)
			return true;
	return false;
}

/*
 * Flash images change the boot as on QEMU 7.2: with one in bank 0 the
 * reset vector jumps to it (M-mode firmware in flash; -bios still loads
 * into RAM); with one in bank 1 (S-mode firmware such as EDK2) the
 * fw_dynamic next stage is bank 1 and -kernel, -initrd, -append go to
 * fw_cfg for that firmware to load instead of into RAM.
 */
static void virt_boot(machine *m)
{
	const kwb_options *o = m->opt;
	paddr_t ram_end = m->bus.ram->base + m->bus.ram->size;
	paddr_t start = VIRT_DRAM, fw_end = VIRT_DRAM, kernel_end = 0, dtb, next = 0;
	bool firmware = !o->bios || strcmp(o->bios, "none");
	bool s_mode_flash = has_flash_image(o, 1);

	m->kernel_entry = m->kernel_base = m->kernel_size = 0;
	m->initrd_start = m->initrd_end = 0;
	if (firmware)
		fw_end = load_firmware(m, o->bios, &start);
	if (s_mode_flash) {
		if (o->kernel)
			fw_cfg_add_kernel(m, o->kernel, o->initrd, o->append, true);
		next = VIRT_FLASH_S_MODE;
	} else if (o->kernel) {
		/* Firmware expects the next stage at the next 2 MB boundary
		 * (fw_jump: 0x80200000; fw_dynamic is told in its info);
		 * without firmware the kernel runs from the start of RAM in
		 * M-mode. */
		kernel_end = load_kernel(m, o->kernel, firmware ? ALIGN_UP(fw_end, 2 * MiB) : VIRT_DRAM,
					 firmware);
		/* -bios none: QEMU's reset vector jumps to the RAM base, not
		 * to an ELF's entry (kwb does the same, and says so). */
		if (!firmware && !has_flash_image(o, 0) && m->kernel_entry != VIRT_DRAM)
			fprintf(stderr, "kwb: -bios none: the harts start at the RAM base 0x%llx as on QEMU, "
				"not at -kernel's entry 0x%llx\n", (unsigned long long)VIRT_DRAM,
				(unsigned long long)m->kernel_entry);
	}
	if (o->initrd && !s_mode_flash) {
		/* Far enough above the kernel that unpacking it does not
		 * clobber the initrd: halfway into small RAMs, else 128 MB. */
		uint64_t ram_size = m->bus.ram->size;
		paddr_t base = (o->kernel ? m->kernel_entry : VIRT_DRAM) +
			       (ram_size / 2 < 128 * MiB ? ram_size / 2 : 128 * MiB);
		uint64_t size;
		if (base < kernel_end)
			base = ALIGN_UP(kernel_end, 4096);
		if (base >= ram_end)
			kwb_fatal("-initrd %s: no RAM left for it above the kernel (RAM ends at "
				  "0x%llx; try a larger -m)", o->initrd, (unsigned long long)ram_end);
		size = loader_load_raw(m, "initrd", o->initrd, base, ram_end - base);
		m->initrd_start = base;
		m->initrd_end = base + size;
	}
	machine_build_fdt(m);

	/* As far up as possible so nothing overwrites it, 2 MB aligned, and
	 * below 3 GB so 32-bit code can reach it. */
	if (m->dtb_size > m->bus.ram->size)
		kwb_fatal("device tree: %llu bytes do not fit in RAM", (unsigned long long)m->dtb_size);
	dtb = ALIGN_DOWN((ram_end < 3 * GiB ? ram_end : 3 * GiB) - m->dtb_size, 2 * MiB);
	if (dtb < m->bus.ram->base)
		dtb = m->bus.ram->base;
	if (m->kernel_size && dtb < m->kernel_base + m->kernel_size &&
	    m->kernel_base < dtb + m->dtb_size)
		kwb_fatal("device tree at 0x%llx would lie inside the kernel's memory [0x%llx-0x%llx) "
			  "(BSS included): -m %lluM is too small", (unsigned long long)dtb,
			  (unsigned long long)m->kernel_base,
			  (unsigned long long)(m->kernel_base + m->kernel_size),
			  (unsigned long long)(m->bus.ram->size >> 20));
	loader_place(m, "dtb", o->dtb ? o->dtb : "(generated)", dtb, m->fdt, m->dtb_size);
	m->dtb_addr = dtb;

	/* fw_dynamic's next stage: bank 1, else the kernel's entry; none
	 * without -kernel (0, as QEMU: the firmware cannot know one) */
	if (o->kernel && !s_mode_flash)
		next = m->kernel_entry;
	if (has_flash_image(o, 0))
		start = VIRT_FLASH;
	place_reset_rom(m, start, dtb, next);
	/* Every hart runs the reset ROM; the firmware parks the others. */
	for (int i = 0; i < m->ncpus; i++) {
		riscv_set_boot(m->cpus[i], VIRT_MROM, (uint64_t)i, dtb);
		m->cpus[i]->powered = true;
	}
}

BOARD(riscv64_virt) {
	.name = "virt",
	.arch = "riscv64",
	.ram_base = VIRT_DRAM,
	.ram_default = 128 * MiB,
	.devices = virt_devices,
	.max_cpus = KWB_MAX_CPUS,
	.irq = virt_irq,
	.fdt_base = virt_fdt_base,
	.boot = virt_boot,
};
