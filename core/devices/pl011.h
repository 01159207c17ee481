/* Arm PrimeCell PL011 UART (see pl011.c). */
#ifndef KWB_PL011_H
#define KWB_PL011_H

#include "../kwb.h"
#include "../bus.h"
#include "../irq.h"

typedef struct pl011 pl011;

/* tx is called for every byte the guest sends. */
pl011 *pl011_new(irq_line irq, void (*tx)(void *opaque, uint8_t byte), void *opaque);
void pl011_reset(pl011 *u);
void pl011_free(pl011 *u);
extern const mmio_ops pl011_ops;	/* opaque: pl011 * */

/* The chardev front end: room in the RX FIFO, and delivery. */
int pl011_can_receive(void *opaque);
void pl011_receive(void *opaque, const uint8_t *buf, int len);

#endif
