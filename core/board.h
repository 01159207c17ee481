/*
 * Boards are data: one board description lists the memory map, the devices
 * with their interrupts, and how each contributes to the device tree, so
 * the DTB the kernel is handed always matches what is really there.
 */
#ifndef KWB_BOARD_H
#define KWB_BOARD_H

#include "kwb.h"
#include "irq.h"

struct machine;
struct state_desc;

#define BOARD_MAX_IRQS 4

/* One device instance on a board. */
typedef struct board_device {
	const char *type;	/* device model name, see device_type */
	const char *name;	/* DT node name ("serial", "pl011") */
	paddr_t base;
	uint64_t size;
	int irqs[BOARD_MAX_IRQS];	/* controller input numbers (SPI / PLIC source) */
	int nirqs;
	const char *cond;	/* only when this machine option is set ("iommu=smmuv3"), or NULL */
	uintptr_t param;	/* model-specific */
} board_device;

/* A device model: creates its state, maps it on the bus, wires its IRQs,
 * and writes its DT node. */
typedef struct device_type {
	const char *name;
	void *(*create)(struct machine *m, const board_device *d);
	/* Adds the node under parent_off in the FDT being built; returns the
	 * node offset or a negative libfdt error. May be NULL. */
	int (*fdt)(struct machine *m, const board_device *d, void *state, void *fdt, int parent_off);
	void (*reset)(void *state);
	void (*free)(void *state);
	/* Its state description (core/state.h); the machine registers each
	 * instance as "<name>@<base>". NULL only for stateless devices. */
	const struct state_desc *state;
} device_type;

/* Device types register themselves in a linker section. */
#define DEVICE_TYPE(ident) \
	static const device_type ident; \
	__attribute__((used, section("kwb_dev"))) static const device_type *const ident##_ptr = &ident; \
	static const device_type ident =

const device_type *device_type_find(const char *name);

typedef struct board_desc {
	const char *name;		/* "virt" */
	const char *arch;		/* "riscv64" */
	paddr_t ram_base;
	uint64_t ram_default;
	const board_device *devices;	/* terminated by { .type = NULL } */
	int max_cpus;
	/* Creates the interrupt controller(s) and CPUs' wiring, returns an
	 * irq_line for controller input n (SPI / PLIC source). */
	irq_line (*irq)(struct machine *m, int n);
	/* Root, cpus, memory, chosen and interrupt-controller nodes. */
	int (*fdt_base)(struct machine *m, void *fdt);
	/* Places firmware, kernel, initrd and DTB and sets CPU entry state. */
	void (*boot)(struct machine *m);
	/* Creates the NICs of -nic/-net nic and QEMU's default NIC on its
	 * PCIe host (QEMU's arm virt does; its riscv virt ignores them). */
	bool takes_nics;
} board_desc;

#define BOARD(ident) \
	static const board_desc ident; \
	__attribute__((used, section("kwb_board"))) static const board_desc *const ident##_ptr = &ident; \
	static const board_desc ident =

const board_desc *board_find(const char *arch, const char *name);

#endif
