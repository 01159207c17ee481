/* An interrupt line from a device to an interrupt controller input. */
#ifndef KWB_IRQ_H
#define KWB_IRQ_H

typedef struct irq_line {
	void (*set)(void *opaque, int n, int level);
	void *opaque;
	int n;
} irq_line;

static inline void irq_set(const irq_line *l, int level)
{
	if (l && l->set)
		l->set(l->opaque, l->n, level);
}
static inline void irq_pulse(const irq_line *l)
{
	irq_set(l, 1);
	irq_set(l, 0);
}

#endif
