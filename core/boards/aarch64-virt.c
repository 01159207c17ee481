/*
 * QEMU's AArch64 `virt` board (no EL2/EL3, PSCI over HVC): the same memory
 * map, interrupt controller (GICv2 with its v2m MSI frame by default, as
 * QEMU 7.2; GICv3 with gic-version=3|max), interrupt numbers, device tree
 * and direct kernel boot protocol as hw/arm/virt.c and hw/arm/boot.c, so
 * Linux sees what it sees under qemu-system-aarch64 -M virt.
 */
#include <stdio.h>
#include <string.h>

#include "../arch/aarch64/aarch64.h"
#include "../devices/arm_gic.h"
#include "../devices/gicv2.h"
#include "../devices/gicv3.h"
#include "../devices/fw_cfg.h"
#include "../devices/pflash.h"
#include "../devices/pcie_ecam.h"
#include "../devices/virtio.h"
#include "../fdt_util.h"
#include "../loader.h"
#include "../machine.h"

#define MiB (1ull << 20)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

#define VIRT_GIC_DIST 0x08000000ull
#define VIRT_GIC_CPU 0x08010000ull
#define VIRT_GIC_V2M 0x08020000ull
#define VIRT_GIC_ITS 0x08080000ull
#define VIRT_GIC_REDIST 0x080a0000ull
#define VIRT_GIC_REDIST_SIZE 0x00f60000ull
#define VIRT_GIC_FRAME 0x10000ull	/* what the DT names for GICD and GICC */
#define VIRT_UART 0x09000000ull
#define VIRT_RTC 0x09010000ull
#define VIRT_FW_CFG 0x09020000ull
#define VIRT_GPIO 0x09030000ull
#define VIRT_SMMU 0x09050000ull
#define VIRT_MEM 0x40000000ull
#define VIRT_FLASH_BANK 0x04000000ull	/* two 64 MiB banks from 0: UEFI, u-boot */
#define GiB (1ull << 30)

#define VIRT_UART_SPI 1
#define VIRT_RTC_SPI 2
#define VIRT_GPIO_SPI 7

/* hw/arm/boot.c: where a raw (non-Image, non-ELF) AArch64 kernel goes,
 * relative to the start of RAM; the boot stub jumps there. */
#define KERNEL64_LOAD_ADDR 0x80000
/* Image: text_offset below this moves the kernel up by 2 MB, leaving the
 * bottom of RAM to the boot stub. */
#define BOOTLOADER_MAX_SIZE 0x1000

/* DT PPI numbers (INTID - 16) of the architected timer: secure phys,
 * non-secure phys, virtual, hypervisor phys (include/hw/arm/virt.h). */
enum { PPI_S_PHYS = 13, PPI_NS_PHYS = 14, PPI_VIRT = 11, PPI_HYP = 10 };
enum { GIC_FDT_SPI = 0, GIC_FDT_PPI = 1, IRQ_LEVEL_HIGH = 4 };

/* QEMU's PCIe windows: 32-bit MMIO at 0x10000000, PIO at 0x3eff0000 and,
 * with highmem=on (QEMU's default), the 512 GiB 64-bit window at 512 GiB. */
static const pcie_windows virt_pcie_low = {
	.mmio_base = 0x10000000, .mmio_size = 0x2eff0000, .pio_base = 0x3eff0000, .pio_size = 0x10000,
};
static const pcie_windows virt_pcie_high = {
	.mmio_base = 0x10000000, .mmio_size = 0x2eff0000, .pio_base = 0x3eff0000, .pio_size = 0x10000,
	.mmio64_base = 0x8000000000ull, .mmio64_size = 0x8000000000ull,
};

static const board_device virt_devices[] = {
	/* The interrupt controller first: the others wire their IRQs to it.
	 * GICv2 (QEMU 7.2's default) with GICv2m on SPIs 48..111, or GICv3. */
	{ .type = "gicv2", .name = "intc", .base = VIRT_GIC_DIST, .size = VIRT_GIC_FRAME,
	  .param = VIRT_GIC_CPU, .cond = "gic-version=2" },
	{ .type = "gicv2m", .name = "v2m", .base = VIRT_GIC_V2M, .size = GICV2M_SIZE,
	  .irqs = { 48 }, .nirqs = 1, .param = 64, .cond = "gic-version=2" },
	{ .type = "gicv3", .name = "intc", .base = VIRT_GIC_DIST, .size = GICV3_DIST_SIZE,
	  .param = VIRT_GIC_REDIST, .cond = "gic-version=3" },
	/* its=on (the default with a GICv3, as QEMU): PCI MSIs become LPIs */
	{ .type = "gicv3-its", .name = "its", .base = VIRT_GIC_ITS, .size = 0x20000, .cond = "its=on" },
	/* bank 0 takes -bios; u-boot keeps its environment in bank 1 */
	{ .type = "pflash", .name = "flash", .base = 0, .size = VIRT_FLASH_BANK, .param = 0 | PFLASH_BIOS },
	{ .type = "pflash", .name = "flash", .base = VIRT_FLASH_BANK, .size = VIRT_FLASH_BANK, .param = 1 },
	{ .type = "pl011", .name = "pl011", .base = VIRT_UART, .size = 0x1000,
	  .irqs = { VIRT_UART_SPI }, .nirqs = 1 },
	{ .type = "pl031", .name = "pl031", .base = VIRT_RTC, .size = 0x1000,
	  .irqs = { VIRT_RTC_SPI }, .nirqs = 1 },
	{ .type = "fw_cfg", .name = "fw-cfg", .base = VIRT_FW_CFG, .size = 0x18, .param = FW_CFG_SMBIOS },
	/* QEMU's acpi=off layout: the power button on PL061 line 3 */
	{ .type = "pl061", .name = "pl061", .base = VIRT_GPIO, .size = 0x1000,
	  .irqs = { VIRT_GPIO_SPI }, .nirqs = 1 },
	{ .type = "gpio-key", .name = "gpio-keys", .param = 3 },
	/* Before the PCIe host: its iommu-map points at this node. */
	{ .type = "smmuv3", .name = "smmuv3", .base = VIRT_SMMU, .size = 0x20000,
	  .irqs = { 74, 75, 76, 77 }, .nirqs = 4, .cond = "iommu=smmuv3" },
	/* ECAM at 0x4010000000 (256 buses; QEMU 7.2 puts its high regions at
	 * 256 GiB for any RAM size kwb takes) or, highmem=off, 0x3f000000 (16
	 * buses); INTx on SPIs 3-6; PCI devices come from -device *-pci. */
	{ .type = "pcie-ecam", .name = "pcie", .base = 0x4010000000ull, .size = 0x10000000,
	  .irqs = { 3, 4, 5, 6 }, .nirqs = 4, .param = (uintptr_t)&virt_pcie_high, .cond = "highmem=on" },
	{ .type = "pcie-ecam", .name = "pcie", .base = 0x3f000000, .size = 0x1000000,
	  .irqs = { 3, 4, 5, 6 }, .nirqs = 4, .param = (uintptr_t)&virt_pcie_low, .cond = "highmem=off" },
	/* 32 virtio-mmio transports, 0x200 apart, SPIs 16..47 (after the
	 * PCIe host: their DT nodes come before it, as in QEMU's tree). */
	{ .type = "virtio-mmio", .name = "virtio_mmio", .base = 0x0a000000, .size = 0x200,
	  .irqs = { 16 }, .nirqs = 1, .param = 32 | VIRTIO_MMIO_DT_LOWEST_FIRST },
	{ .type = NULL },
};

/* SPI n of the GIC. The GIC is looked up at signal time, so device
 * creation order does not matter. */
static void spi_set(void *opaque, int n, int level)
{
	arm_gic_set_spi(opaque, n, level);
}

static irq_line virt_irq(machine *m, int n)
{
	return (irq_line){ .set = spi_set, .opaque = m, .n = n };
}

/* "arm,cortex-a57" for -cpu cortex-a57, as QEMU's dtb_compatible. */
static void cpu_compatible(machine *m, char *buf, size_t len)
{
	const char *model = m->opt->cpu_model;

	if (!model || !strcmp(model, "max") || !strcmp(model, "host"))
		snprintf(buf, len, "%s", model ? "arm,arm-v8" : "arm,cortex-a57");
	else
		snprintf(buf, len, "arm,%s", model);
}

static void fdt_cpus(machine *m, void *fdt)
{
	int cpus = fdtu_node(fdt, 0, "cpus");
	char compat[64];

	cpu_compatible(m, compat, sizeof(compat));
	fdtu_u32(fdt, cpus, "#address-cells", 1);
	fdtu_u32(fdt, cpus, "#size-cells", 0);
	/* libfdt adds each node in front of its siblings: go backwards. */
	for (int i = m->ncpus - 1; i >= 0; i--) {
		uint32_t aff = (uint32_t)(a64_mpidr(m->cpus[i]) & 0xffffff);
		int cpu = fdtu_node_at(fdt, cpus, "cpu", aff);

		fdtu_string(fdt, cpu, "device_type", "cpu");
		fdtu_string(fdt, cpu, "compatible", compat);
		fdtu_u32(fdt, cpu, "reg", aff);
		if (m->ncpus > 1)
			fdtu_string(fdt, cpu, "enable-method", "psci");
	}
}

static bool gic_v3(machine *m)
{
	return m->opt->gic_version == 3;
}

/* The GICv2 node (arm,cortex-a15-gic: GICD, GICC) or the GICv3 one
 * (GICD, one redistributor region); v2m and ITS add their child nodes. */
static void fdt_gic(machine *m, void *fdt, int node)
{
	fdtu_string(fdt, node, "compatible", gic_v3(m) ? "arm,gic-v3" : "arm,cortex-a15-gic");
	fdtu_u32(fdt, node, "#interrupt-cells", 3);
	fdtu_empty(fdt, node, "interrupt-controller");
	fdtu_u32(fdt, node, "#address-cells", 2);
	fdtu_u32(fdt, node, "#size-cells", 2);
	fdtu_empty(fdt, node, "ranges");
	if (gic_v3(m)) {
		fdtu_u32(fdt, node, "#redistributor-regions", 1);
		fdtu_reg(fdt, node, VIRT_GIC_DIST, GICV3_DIST_SIZE);
		/* QEMU names its whole redistributor space (123 frames) */
		fdtu_reg_append(fdt, node, VIRT_GIC_REDIST, VIRT_GIC_REDIST_SIZE);
	} else {
		fdtu_reg(fdt, node, VIRT_GIC_DIST, VIRT_GIC_FRAME);
		fdtu_reg_append(fdt, node, VIRT_GIC_CPU, VIRT_GIC_FRAME);
	}
}

/* The flags cell of a PPI: a GICv2 DT also names the CPUs it goes to
 * (bits 15:8), as QEMU's virt does. */
static uint32_t ppi_flags(machine *m, uint32_t trigger)
{
	return gic_v3(m) ? trigger : trigger | (((1u << m->ncpus) - 1) << 8);
}

static void fdt_timer(machine *m, void *fdt)
{
	static const uint32_t ppis[4] = { PPI_S_PHYS, PPI_NS_PHYS, PPI_VIRT, PPI_HYP };
	uint32_t irqs[12];
	int node = fdtu_node(fdt, 0, "timer");

	for (int i = 0; i < 4; i++) {
		irqs[3 * i] = GIC_FDT_PPI;
		irqs[3 * i + 1] = ppis[i];
		irqs[3 * i + 2] = ppi_flags(m, IRQ_LEVEL_HIGH);
	}
	fdtu_strings(fdt, node, "compatible", "arm,armv8-timer", "arm,armv7-timer", NULL);
	fdtu_cells(fdt, node, "interrupts", irqs, 12);
	fdtu_empty(fdt, node, "always-on");
}

/* QEMU's PMU node: PPI 7, level high (GICv2 adds the CPU mask). */
static void fdt_pmu(machine *m, void *fdt)
{
	int node = fdtu_node(fdt, 0, "pmu");

	fdtu_string(fdt, node, "compatible", "arm,armv8-pmuv3");
	fdtu_cells(fdt, node, "interrupts", (uint32_t[]){ GIC_FDT_PPI, 7, ppi_flags(m, IRQ_LEVEL_HIGH) }, 3);
}

static void fdt_psci(void *fdt)
{
	int node = fdtu_node(fdt, 0, "psci");

	fdtu_strings(fdt, node, "compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL);
	fdtu_string(fdt, node, "method", "hvc");
	fdtu_u32(fdt, node, "cpu_suspend", 0xc4000001);
	fdtu_u32(fdt, node, "cpu_off", 0x84000002);
	fdtu_u32(fdt, node, "cpu_on", 0xc4000003);
	fdtu_u32(fdt, node, "migrate", 0xc4000005);
}

/* Root, memory, chosen (stdout; bootargs and initrd come from
 * machine_build_fdt), clock, PSCI, CPUs, timer and the GIC. Devices add
 * their own nodes under the root. */
static int virt_fdt_base(machine *m, void *fdt)
{
	int node, gic;
	char path[64];

	fdtu_string(fdt, 0, "compatible", "linux,dummy-virt");
	fdtu_u32(fdt, 0, "#address-cells", 2);
	fdtu_u32(fdt, 0, "#size-cells", 2);

	node = fdtu_node(fdt, 0, "chosen");
	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)VIRT_UART);
	fdtu_string(fdt, node, "stdout-path", path);

	node = fdtu_node_at(fdt, 0, "memory", m->bus.ram->base);
	fdtu_string(fdt, node, "device_type", "memory");
	fdtu_reg(fdt, node, m->bus.ram->base, m->bus.ram->size);

	gic = fdtu_node_at(fdt, 0, "intc", VIRT_GIC_DIST);
	fdt_gic(m, fdt, gic);
	fdt_timer(m, fdt);
	fdt_cpus(m, fdt);
	fdt_psci(fdt);
	fdt_pmu(m, fdt);

	node = fdtu_node(fdt, 0, "apb-pclk");
	fdtu_string(fdt, node, "compatible", "fixed-clock");
	fdtu_u32(fdt, node, "#clock-cells", 0);
	fdtu_u32(fdt, node, "clock-frequency", 24000000);
	fdtu_string(fdt, node, "clock-output-names", "clk24mhz");
	fdtu_phandle(fdt, node);

	/* gic's offset moved as nodes were added in front of it: look it up. */
	fdtu_u32(fdt, 0, "interrupt-parent", fdtu_phandle_of(fdt, "/intc@8000000"));
	return 0;
}

/* Loads -kernel; returns the end of the memory it needs (BSS included)
 * and sets m->kernel_entry/base/size. */
static paddr_t load_kernel(machine *m, const char *path)
{
	paddr_t ram = m->bus.ram->base, ram_end = ram + m->bus.ram->size, base;
	kernel_info ki;
	char err[512];
	uint64_t size;

	if (loader_probe_kernel(path, &ki, err, sizeof(err)))
		kwb_fatal("-kernel: %s", err);
	if (ki.arch && strcmp(ki.arch, "aarch64"))
		kwb_fatal("-kernel %s: an %s kernel, but this is the aarch64 virt board", path, ki.arch);
	switch (ki.format) {
	case KFMT_ELF: {
		paddr_t lo, hi;
		m->kernel_entry = loader_load_elf(m, "kernel", path, &lo, &hi);
		m->kernel_base = lo;
		m->kernel_size = hi - lo;
		return hi;
	}
	case KFMT_ARM64_IMAGE: {
		/* image_size == 0: a pre-3.17 kernel, text_offset is 0x80000. */
		uint64_t off = ki.image_size ? ki.text_offset : 0x80000;
		if (off < BOOTLOADER_MAX_SIZE)
			off += 2 * MiB;
		base = ram + off;
		break;
	}
	case KFMT_RAW:
		/* Not an Image nor an ELF: QEMU loads it at RAM + 0x80000 and
		 * the boot stub jumps there with x0 = DTB. */
		base = ram + KERNEL64_LOAD_ADDR;
		break;
	default:
		kwb_fatal("-kernel %s: not an arm64 Image, an AArch64 ELF or a raw binary", path);
	}
	if (base >= ram_end)
		kwb_fatal("-kernel %s: load address 0x%llx is past the end of RAM (0x%llx)", path,
			  (unsigned long long)base, (unsigned long long)ram_end);
	size = loader_load_kernel(m, path, base, ram_end - base);
	m->kernel_entry = m->kernel_base = base;
	m->kernel_size = ki.image_size > size ? ki.image_size : size;
	if (m->kernel_size > ram_end - base)	/* base < ram_end: no wrap past 2^64 */
		kwb_fatal("-kernel %s: needs 0x%llx bytes from 0x%llx (image_size 0x%llx at 0x10) but RAM "
			  "ends at 0x%llx", path, (unsigned long long)m->kernel_size, (unsigned long long)base,
			  (unsigned long long)ki.image_size, (unsigned long long)(m->bus.ram->base + m->bus.ram->size));
	return base + m->kernel_size;
}

/* hw/arm/boot.c's bootloader_aarch64: x0 = DTB, x1..x3 = 0, jump to the
 * kernel. Written at the start of RAM. */
static void place_boot_stub(machine *m, paddr_t at, paddr_t dtb, paddr_t entry)
{
	uint32_t stub[10] = {
		0x580000c0,	/* ldr x0, dtb */
		0xaa1f03e1,	/* mov x1, xzr */
		0xaa1f03e2,	/* mov x2, xzr */
		0xaa1f03e3,	/* mov x3, xzr */
		0x58000084,	/* ldr x4, entry */
		0xd61f0080,	/* br  x4 */
		(uint32_t)dtb, (uint32_t)(dtb >> 32),
		(uint32_t)entry, (uint32_t)(entry >> 32),
	};
	loader_place(m, "bootstub", "(boot stub)", at, stub, sizeof(stub));
}

/*
 * Firmware in flash (-bios FILE, or an image for bank 0 with -drive
 * if=pflash), as hw/arm/boot.c boots it: the CPU starts at 0 at EL1
 * (no EL2/EL3: QEMU's virtualization=off, secure=off) with every register
 * zero, the device tree waits at the start of RAM, and -kernel, -initrd
 * and -append go to fw_cfg for the firmware to load (the bootargs also in
 * /chosen). False: no firmware, boot the kernel directly.
 */
static bool firmware_boot(machine *m)
{
	const kwb_options *o = m->opt;
	paddr_t ram = m->bus.ram->base;
	bool flash0 = false;

	for (int i = 0; i < o->ndrives; i++)
		flash0 |= o->drives[i].pflash && o->drives[i].unit == 0;
	if (!flash0 && (!o->bios || !strcmp(o->bios, "none")))
		return false;
	if (o->kernel)
		fw_cfg_add_kernel(m, o->kernel, o->initrd, o->append, true);
	else if (o->initrd)
		kwb_usage_error("-initrd %s without -kernel: firmware gets an initrd only with a kernel "
				"(as QEMU)", o->initrd);
	machine_build_fdt(m);
	if (m->dtb_size > m->bus.ram->size)
		kwb_fatal("device tree: %llu bytes do not fit in RAM", (unsigned long long)m->dtb_size);
	loader_place(m, "dtb", o->dtb ? o->dtb : "(generated)", ram, m->fdt, m->dtb_size);
	m->dtb_addr = ram;
	a64_set_boot(m->cpus[0], 0, 0);
	m->cpus[0]->powered = true;
	for (int i = 1; i < m->ncpus; i++)
		m->cpus[i]->powered = false;
	return true;
}

static void virt_boot(machine *m)
{
	const kwb_options *o = m->opt;
	paddr_t ram = m->bus.ram->base, ram_end = ram + m->bus.ram->size;
	paddr_t kernel_end = ram, initrd, dtb, pc = ram;
	uint64_t initrd_size = 0, half = m->bus.ram->size / 2;

	m->kernel_entry = m->kernel_base = m->kernel_size = 0;
	m->initrd_start = m->initrd_end = 0;
	/* highmem=off: everything below 4 GiB, RAM counted in whole GiB (QEMU) */
	if (!o->highmem && ram + ALIGN_UP(m->bus.ram->size, GiB) > 4 * GiB)
		kwb_fatal("Addressing limited to 32 bits, but memory exceeds it by %llu bytes "
			  "(-M virt,highmem=off takes at most -m 3G)",
			  (unsigned long long)(ram + ALIGN_UP(m->bus.ram->size, GiB) - 4 * GiB));
	if (o->virtualization)
		kwb_usage_error("-M virt,virtualization=on: EL2 is not emulated, kernels are entered at "
				"EL1 with PSCI over HVC");
	if (firmware_boot(m))
		return;
	if (o->kernel)
		kernel_end = load_kernel(m, o->kernel);

	/* initrd: RAM + min(RAM/2, 128 MB), raised above the kernel. */
	initrd = ram + (half < 128 * MiB ? half : 128 * MiB);
	if (initrd < kernel_end)
		initrd = ALIGN_UP(kernel_end, 4096);
	if (o->initrd) {
		if (initrd >= ram_end)
			kwb_fatal("-initrd %s: no RAM left for it above the kernel (RAM ends at 0x%llx; "
				  "try a larger -m)", o->initrd, (unsigned long long)ram_end);
		initrd_size = loader_load_raw(m, "initrd", o->initrd, initrd, ram_end - initrd);
		m->initrd_start = initrd;
		m->initrd_end = initrd + initrd_size;
	}

	machine_build_fdt(m);
	/* 2 MB aligned after the initrd: early kernels map the FDT as one
	 * aligned 2 MB block. */
	dtb = ALIGN_UP(initrd + initrd_size, 2 * MiB);
	if (dtb + m->dtb_size > ram_end)
		kwb_fatal("device tree: no room at 0x%llx for %llu bytes below the end of RAM (0x%llx); "
			  "try a larger -m", (unsigned long long)dtb, (unsigned long long)m->dtb_size,
			  (unsigned long long)ram_end);
	loader_place(m, "dtb", o->dtb ? o->dtb : "(generated)", dtb, m->fdt, m->dtb_size);
	m->dtb_addr = dtb;

	/* The stub, unless an ELF kernel sits where it would go. */
	if (o->kernel && !(m->kernel_base < ram + 40 && m->kernel_base + m->kernel_size > ram))
		place_boot_stub(m, ram, dtb, m->kernel_entry);
	else if (o->kernel)
		pc = m->kernel_entry;

	/* CPU 0 at EL1h, MMU off, DAIF masked; the others wait for CPU_ON. */
	a64_set_boot(m->cpus[0], pc, dtb);
	m->cpus[0]->powered = true;
	for (int i = 1; i < m->ncpus; i++)
		m->cpus[i]->powered = false;
}

BOARD(aarch64_virt) {
	.name = "virt",
	.arch = "aarch64",
	.ram_base = VIRT_MEM,
	.ram_default = 128 * MiB,
	.devices = virt_devices,
	.max_cpus = GICV2_MAX_CPUS,	/* GICv2's limit (GICv3's is the same here) */
	.irq = virt_irq,
	.fdt_base = virt_fdt_base,
	.boot = virt_boot,
	.takes_nics = true,
};
