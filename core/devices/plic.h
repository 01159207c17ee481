/* The RISC-V PLIC: the virt board's interrupt controller. */
#ifndef KWB_PLIC_H
#define KWB_PLIC_H

#include <stdbool.h>

#include "../irq.h"

struct machine;
typedef struct plic plic;

/* The machine's PLIC (m->irqchip), created on first use so devices can be
 * wired before the PLIC's own MMIO region is mapped. */
plic *plic_get(struct machine *m);
/* The line for source n (1..96). */
irq_line plic_irq(plic *s, int n);

/* Whether context ctx's interrupt output (MEIP for 2h, SEIP for 2h+1)
 * is asserted. */
bool plic_context_output(plic *s, int ctx);

#endif
