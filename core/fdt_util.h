/*
 * Small helpers over libfdt's read-write API for building board device
 * trees: nodes named "name@addr", 2-cell reg/addresses, phandles, string
 * lists. Every helper stops kwb with a one-line message naming the node and
 * property on a libfdt error, so board code needs no error paths.
 */
#ifndef KWB_FDT_UTIL_H
#define KWB_FDT_UTIL_H

#include "kwb.h"

/* An empty tree with room to grow (size bytes). */
void *fdtu_create(size_t size);
/* Packs the tree; returns its final size. */
size_t fdtu_finish(void *fdt);

/* Adds "name" (addr == ~0: no unit address) or "name@addr" under parent. */
int fdtu_node(void *fdt, int parent, const char *name);
int fdtu_node_at(void *fdt, int parent, const char *name, paddr_t addr);
/* Offset of a path; fatal when absent. */
int fdtu_path(void *fdt, const char *path);

void fdtu_u32(void *fdt, int node, const char *prop, uint32_t v);
void fdtu_u64(void *fdt, int node, const char *prop, uint64_t v);	/* 2 cells */
void fdtu_cells(void *fdt, int node, const char *prop, const uint32_t *cells, int n);
void fdtu_string(void *fdt, int node, const char *prop, const char *s);
/* A string list: fdtu_strings(fdt, node, "compatible", "a", "b", NULL). */
void fdtu_strings(void *fdt, int node, const char *prop, ...) __attribute__((sentinel));
void fdtu_empty(void *fdt, int node, const char *prop);
/* reg = <base size> with #address-cells = #size-cells = 2. */
void fdtu_reg(void *fdt, int node, paddr_t base, uint64_t size);
/* Appends one more <base size> pair to reg. */
void fdtu_reg_append(void *fdt, int node, paddr_t base, uint64_t size);

/* The node's phandle, allocating and setting one when it has none. */
uint32_t fdtu_phandle(void *fdt, int node);
uint32_t fdtu_phandle_of(void *fdt, const char *path);
/* RISC-V interrupts-extended cells: for each hart, <&intc a &intc b> with
 * the hart's /cpus/cpu@N/interrupt-controller phandle. Returns the count. */
int fdtu_hart_irq_pairs(void *fdt, int nharts, uint32_t a, uint32_t b, uint32_t *cells);

/* Fatal one-line message when ret < 0 ("fdt: <what>: <libfdt error>"). */
int fdtu_check(int ret, const char *what);

#endif
