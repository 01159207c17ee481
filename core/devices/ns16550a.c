/*
 * NS16550A UART (reg-shift 0, byte registers) as on QEMU's virt. Output goes
 * to the serial back end at once, so the transmitter is always empty
 * (LSR.THRE|TEMT); input arrives through the chardev front end into a
 * 16-byte RX FIFO. The interrupt is a level to the PLIC, with the 16550's
 * IIR priorities: line status > received data / timeout > THR empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

enum { RBR_THR_DLL, IER_DLM, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_RDI 0x01	/* received data available */
#define IER_THRI 0x02	/* THR empty */
#define IER_RLSI 0x04	/* receiver line status */
#define IER_MSI 0x08	/* modem status */

#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

#define RX_FIFO 16
#define UART_CLOCK 3686400	/* QEMU's clock-frequency (0x384000) */

typedef struct uart {
	machine *m;
	irq_line irq;
	bool irq_level;
	chardev_frontend fe;
	bool console;		/* owns m->serial (the first UART) */
	bool attached;

	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t lsr_err;		/* OE, cleared by reading LSR */
	bool thr_ipending;		/* THRE interrupt, cleared by IIR read or THR write */
	uint8_t rx[RX_FIFO];
	int rx_head, rx_count;
} uart;

static const uint8_t rx_trigger[4] = { 1, 4, 8, 14 };

static uint8_t uart_iir(uart *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((s->ier & IER_RLSI) && s->lsr_err)
		return fifo | IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_count) {
		/* Below the trigger level real hardware waits four character
		 * times and then reports a timeout; here that is immediate. */
		if ((s->fcr & FCR_ENABLE) && s->rx_count < rx_trigger[s->fcr >> 6])
			return fifo | IIR_TIMEOUT;
		return fifo | IIR_RDI;
	}
	if ((s->ier & IER_THRI) && s->thr_ipending)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

/* Drives the line on every call, high or low, as QEMU's serial does (its
 * PLIC pends a source each time it is driven high); the callers are the
 * places QEMU 7.2's serial.c updates its interrupt. */
static void uart_update(uart *s)
{
	bool level = !(uart_iir(s) & IIR_NONE);

	s->irq_level = level;
	irq_set(&s->irq, level);
}

static int uart_can_receive(void *opaque)
{
	uart *s = opaque;
	int cap = (s->fcr & FCR_ENABLE) ? RX_FIFO : 1;

	return s->rx_count < cap ? cap - s->rx_count : 0;
}

static void rx_push(uart *s, uint8_t c)
{
	int cap = (s->fcr & FCR_ENABLE) ? RX_FIFO : 1;

	if (s->rx_count >= cap) {
		s->lsr_err |= LSR_OE;
		return;
	}
	s->rx[(s->rx_head + s->rx_count++) % RX_FIFO] = c;
}

static void uart_receive(void *opaque, const uint8_t *buf, int len)
{
	uart *s = opaque;

	if (s->mcr & MCR_LOOP)	/* the line is disconnected in loopback */
		return;
	for (int i = 0; i < len; i++) {
		trace_dev(s->m, "ns16550a", "rx 0x%02x%s", buf[i], trace_char(buf[i]));
		rx_push(s, buf[i]);
	}
	uart_update(s);
}

static uint8_t uart_msr(uart *s)
{
	if (s->mcr & MCR_LOOP)	/* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
		return (s->mcr & 1 ? MSR_DSR : 0) | (s->mcr & 2 ? MSR_CTS : 0) |
		       (s->mcr & 4 ? MSR_RI : 0) | (s->mcr & 8 ? MSR_DCD : 0);
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t uart_lsr(uart *s)
{
	return LSR_THRE | LSR_TEMT | s->lsr_err | (s->rx_count ? LSR_DR : 0);
}

/* The back end may be opened after the devices are created: attach on
 * first use. */
static inline void uart_attach(uart *s)
{
	if (unlikely(!s->attached) && s->console && s->m->serial) {
		chardev_attach(s->m->serial, &s->fe);
		s->attached = true;
	}
}

static bool uart_peek(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
	uart *s = opaque;
	bool dlab = s->lcr & LCR_DLAB;

	(void)size;
	switch (off) {
	case RBR_THR_DLL: *value = dlab ? s->dll : (s->rx_count ? s->rx[s->rx_head] : 0); break;
	case IER_DLM: *value = dlab ? s->dlm : s->ier; break;
	case IIR_FCR: *value = uart_iir(s); break;
	case LCR: *value = s->lcr; break;
	case MCR: *value = s->mcr; break;
	case LSR: *value = uart_lsr(s); break;
	case MSR: *value = uart_msr(s); break;
	case SCR: *value = s->scr; break;
	default: *value = 0; break;
	}
	return true;
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
	uart *s = opaque;
	uint64_t v;

	uart_attach(s);
	uart_peek(s, off, size, &v);
	switch (off) {
	case RBR_THR_DLL:
		if (!(s->lcr & LCR_DLAB)) {
			if (s->rx_count) {
				s->rx_head = (s->rx_head + 1) % RX_FIFO;
				s->rx_count--;
			}
			uart_update(s);
		}
		break;
	case IIR_FCR:
		/* Reading IIR while it reports THR empty acknowledges it. */
		if ((v & 0x0f) == IIR_THRI) {
			s->thr_ipending = false;
			uart_update(s);
		}
		break;
	case LSR:
		if (s->lsr_err) {
			s->lsr_err = 0;
			uart_update(s);
		}
		break;
	}
	return v;
}

static void uart_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	uart *s = opaque;
	uint8_t v = (uint8_t)value;
	bool dlab = s->lcr & LCR_DLAB;

	(void)size;
	uart_attach(s);
	switch (off) {
	case RBR_THR_DLL:
		if (dlab) {
			s->dll = v;
			return;
		}
		trace_dev(s->m, "ns16550a", "tx 0x%02x%s%s", v, trace_char(v), s->mcr & MCR_LOOP ? " (loopback)" : "");
		if (s->mcr & MCR_LOOP)
			rx_push(s, v);
		else if (s->m->serial)
			chardev_write(s->m->serial, &v, 1);
		/* The holding register is full for a moment, then sent at
		 * once: empty again (QEMU updates the line at both). */
		s->thr_ipending = false;
		uart_update(s);
		s->thr_ipending = true;
		break;
	case IER_DLM: {
		uint8_t changed = (s->ier ^ v) & 0x0f;
		if (dlab) {
			s->dlm = v;
			return;
		}
		s->ier = v & 0x0f;
		/* Turning THRI on while the THR is empty raises it (Linux's
		 * 8250 start-up checks that it is re-asserted); off, it
		 * forgets it. The line is updated only on a change (QEMU). */
		if (changed & IER_THRI)
			s->thr_ipending = s->ier & IER_THRI;
		if (!changed)
			return;
		break;
	}
	case IIR_FCR:
		if ((v ^ s->fcr) & FCR_ENABLE)
			v |= FCR_CLEAR_RX | FCR_CLEAR_TX;	/* toggling FIFO mode clears both */
		if (v & FCR_CLEAR_RX)
			s->rx_count = 0;
		if (v & FCR_CLEAR_TX)
			s->thr_ipending = true;	/* the transmitter is empty */
		s->fcr = v & 0xc9;
		break;
	case LCR:
		s->lcr = v;
		return;
	case MCR:
		s->mcr = v & 0x1f;	/* no interrupt change (QEMU) */
		return;
	case SCR:
		s->scr = v;
		return;
	default:
		return;
	}
	uart_update(s);
}

static const char *uart_reg_name(void *opaque, uint64_t off)
{
	static const char *const names[8][2] = {
		{ "RBR/THR", "DLL" }, { "IER", "DLM" }, { "IIR/FCR", "IIR/FCR" }, { "LCR", "LCR" },
		{ "MCR", "MCR" }, { "LSR", "LSR" }, { "MSR", "MSR" }, { "SCR", "SCR" },
	};
	uart *s = opaque;
	return off < 8 ? names[off][!!(s->lcr & LCR_DLAB)] : NULL;
}

static const mmio_ops uart_ops = {
	.read = uart_read, .write = uart_write, .peek = uart_peek, .reg_name = uart_reg_name,
};

static void uart_reset(void *state)
{
	uart *s = state;

	s->ier = s->lcr = s->mcr = s->scr = s->fcr = s->lsr_err = 0;
	s->dll = 12;	/* 19200 baud at UART_CLOCK, a sane default divisor */
	s->dlm = 0;
	s->thr_ipending = false;
	s->rx_head = s->rx_count = 0;
	uart_update(s);
	trace_dev(s->m, "ns16550a", "reset");
}

static void *uart_create(machine *m, const board_device *d)
{
	uart *s = kwb_zalloc(sizeof(*s));

	s->m = m;
	if (d->nirqs > 0)
		s->irq = machine_irq(m, d->irqs[0]);
	s->dll = 12;
	s->fe = (chardev_frontend){ .can_receive = uart_can_receive, .receive = uart_receive,
				    .opaque = s };
	/* The first UART owns the console (QEMU's serial_hd(0)). */
	s->console = !machine_device(m, "ns16550a");
	uart_attach(s);
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &uart_ops, s);
	return s;
}

static int uart_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	/* Phandle first: setting one moves the nodes after it. */
	int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	uint32_t plic_ph = plic >= 0 ? fdtu_phandle(fdt, plic) : 0;
	int node = fdtu_node_at(fdt, parent, d->name, d->base);

	(void)m;
	(void)state;
	fdtu_string(fdt, node, "compatible", "ns16550a");
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_u32(fdt, node, "clock-frequency", UART_CLOCK);
	if (d->nirqs > 0 && plic_ph) {
		fdtu_u32(fdt, node, "interrupt-parent", plic_ph);
		fdtu_u32(fdt, node, "interrupts", (uint32_t)d->irqs[0]);
	}
	return node;
}

/* rx[rx_head..] holds rx_count bytes (a ring); irq_level is the level
 * last driven to the PLIC. */
static const state_field uart_fields[] = {
	ST_U8(uart, ier),
	ST_U8(uart, lcr),
	ST_U8(uart, mcr),
	ST_U8(uart, scr),
	ST_U8(uart, fcr),
	ST_U8(uart, dll),
	ST_U8(uart, dlm),
	ST_U8(uart, lsr_err),
	ST_BOOL(uart, thr_ipending),
	ST_UINT_ARRAY(uart, rx),
	ST_INT(uart, rx_head),
	ST_INT(uart, rx_count),
	ST_BOOL(uart, irq_level),
	ST_END
};
static const state_desc uart_state = { .name = "ns16550a", .version = 1, .fields = uart_fields };

DEVICE_TYPE(ns16550a_type) {
	.name = "ns16550a",
	.create = uart_create,
	.fdt = uart_fdt,
	.reset = uart_reset,
	.free = free,
	.state = &uart_state,
};
