/*
 * virtio console device (virtio-serial-device / virtio-serial-pci
 * [,max_ports=N][,id=ID]) with its ports, -device virtconsole (a console:
 * Linux's /dev/hvc0, hvc1...) and -device virtserialport (Linux's
 * /dev/vportNpM, name= for /dev/virtio-ports/NAME), each on a -chardev:
 * -device virtconsole,chardev=ID[,name=][,nr=]. As QEMU's: multiport
 * (VIRTIO_CONSOLE_F_MULTIPORT) with 31 ports by default and the control
 * queues' protocol (DEVICE_READY, PORT_ADD, PORT_READY, CONSOLE_PORT,
 * PORT_NAME, PORT_OPEN), EMERG_WRITE to port 0's chardev; a console takes
 * port 0 when free, serial ports count from 1.
 *
 * Queues: port 0 receive/transmit 0 and 1, control receive/transmit 2 and
 * 3, port n then 2 + 2n and 3 + 2n. What the guest writes goes to the
 * port's chardev at once; what the chardev receives comes through its
 * input port (between rounds) into the port's receive buffers while the
 * guest has the port open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio.h"
#include "../chardev.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define VIRTIO_CONSOLE_F_MULTIPORT (1ull << 1)
#define VIRTIO_CONSOLE_F_EMERG_WRITE (1ull << 2)
#define MAX_PORTS 31			/* QEMU's default max_ports */
#define CTRL_RX 2
#define CTRL_TX 3
#define CTRL_MAX 128			/* control messages waiting for buffers */
#define NAME_MAX_LEN 64
#define PEND_MAX 4096			/* host bytes taken but not yet in a buffer */

enum {
	DEVICE_READY = 0, DEVICE_ADD = 1, DEVICE_REMOVE = 2, PORT_READY = 3, CONSOLE_PORT = 4,
	RESIZE = 5, PORT_OPEN = 6, PORT_NAME = 7,
};

typedef struct vport {
	struct vserial *s;
	int nr;
	bool used, console;
	char name[NAME_MAX_LEN];
	chardev *chr;
	/* guest-visible state */
	bool guest_connected;
	uint8_t pending[PEND_MAX];	/* taken from the input port, not yet in a buffer */
	uint32_t npending;
} vport;

typedef struct ctrl_msg {
	uint32_t id;
	uint16_t event, value;
} ctrl_msg;

typedef struct vserial {
	virtio_dev *v;
	int max_ports;
	vport port[MAX_PORTS];
	/* guest-visible state */
	ctrl_msg ctrl[CTRL_MAX];	/* to send, oldest first */
	uint32_t nctrl;
	uint64_t dropped;
} vserial;

static int rxq(int nr) { return nr ? 2 + 2 * nr : 0; }
static int txq(int nr) { return nr ? 3 + 2 * nr : 1; }

static void serial_config(virtio_dev *v, uint8_t *buf)
{
	vserial *s = v->opaque;
	uint32_t max = (uint32_t)s->max_ports;

	memset(buf, 0, 12);		/* cols, rows: 0 (no size offered) */
	memcpy(buf + 4, &max, 4);	/* max_nr_ports */
}

/* EMERG_WRITE: a character to port 0's chardev, before the driver is up. */
static void serial_config_write(virtio_dev *v, uint32_t off, uint64_t val, unsigned size)
{
	vserial *s = v->opaque;
	uint8_t c = (uint8_t)val;

	if (off == 8 && size == 4 && s->port[0].chr)
		chardev_write(s->port[0].chr, &c, 1);
}

static void fill_rx(vport *p);

/* ---- control messages ---- */

static void flush_ctrl(vserial *s)
{
	virtio_dev *v = s->v;

	while (s->nctrl && virtq_ready(v, CTRL_RX)) {
		ctrl_msg *c = &s->ctrl[0];
		const vport *p = c->id < (uint32_t)s->max_ports ? &s->port[c->id] : NULL;
		uint8_t msg[8 + NAME_MAX_LEN + 1];
		size_t len = 8;
		virtq_elem e;

		memcpy(msg, &c->id, 4);
		memcpy(msg + 4, &c->event, 2);
		memcpy(msg + 6, &c->value, 2);
		if (c->event == PORT_NAME && p) {	/* the name follows, NUL-terminated */
			size_t n = strlen(p->name) + 1;
			memcpy(msg + 8, p->name, n);
			len += n;
		}
		if (virtq_pop(v, CTRL_RX, &e) != 1)
			return;
		if (virtq_len(&e, true) < len || virtq_write(v, &e, 0, msg, len)) {
			virtq_push(v, CTRL_RX, &e, 0);
		} else {
			trace_dev(v->m, v->name, "control to guest: port %u event %u value %u", c->id, c->event,
				  c->value);
			virtq_push(v, CTRL_RX, &e, (uint32_t)len);
		}
		memmove(&s->ctrl[0], &s->ctrl[1], (s->nctrl - 1) * sizeof(s->ctrl[0]));
		s->nctrl--;
	}
}

static void send_ctrl(vserial *s, uint32_t id, uint16_t event, uint16_t value)
{
	if (s->nctrl == CTRL_MAX) {
		s->dropped++;		/* a driver that never posts control buffers */
		return;
	}
	s->ctrl[s->nctrl++] = (ctrl_msg){ id, event, value };
	flush_ctrl(s);
}

static void guest_ctrl(vserial *s, const ctrl_msg *c)
{
	vport *p = c->id < (uint32_t)s->max_ports && s->port[c->id].used ? &s->port[c->id] : NULL;

	trace_dev(s->v->m, s->v->name, "control from guest: port %u event %u value %u", c->id, c->event,
		  c->value);
	switch (c->event) {
	case DEVICE_READY:
		if (c->value != 1)
			break;		/* the driver failed: nothing to add */
		for (int i = 0; i < s->max_ports; i++)
			if (s->port[i].used)
				send_ctrl(s, (uint32_t)i, DEVICE_ADD, 1);
		break;
	case PORT_READY:
		if (!p || c->value != 1)
			break;
		if (p->console)
			send_ctrl(s, c->id, CONSOLE_PORT, 1);
		if (p->name[0])
			send_ctrl(s, c->id, PORT_NAME, 1);
		if (p->chr)		/* the host side is there: the port is open */
			send_ctrl(s, c->id, PORT_OPEN, 1);
		break;
	case PORT_OPEN:
		if (p) {
			p->guest_connected = c->value != 0;
			fill_rx(p);
		}
		break;
	}
}

/* ---- data ---- */

/* Host bytes waiting in p->pending into the port's receive buffers. */
static void fill_rx(vport *p)
{
	virtio_dev *v = p->s->v;
	int q = rxq(p->nr);
	virtq_elem e;

	while (p->npending && p->guest_connected && virtq_ready(v, q) && virtq_pop(v, q, &e) == 1) {
		uint64_t room = virtq_len(&e, true);
		uint32_t n = room < p->npending ? (uint32_t)room : p->npending;

		if (virtq_write(v, &e, 0, p->pending, n))
			return;
		memmove(p->pending, p->pending + n, p->npending - n);
		p->npending -= n;
		virtq_push(v, q, &e, n);
	}
}

static void transmit(vport *p)
{
	virtio_dev *v = p->s->v;
	int q = txq(p->nr);
	uint8_t buf[4096];
	virtq_elem e;

	while (virtq_pop(v, q, &e) == 1) {
		uint64_t len = virtq_len(&e, false);

		for (uint64_t off = 0; off < len;) {
			size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);

			if (virtq_read(v, &e, off, buf, n))
				return;
			if (p->chr)
				chardev_write(p->chr, buf, n);
			off += n;
		}
		if (virtq_push(v, q, &e, 0))
			return;
	}
}

static void serial_notify(virtio_dev *v, int q)
{
	vserial *s = v->opaque;

	if (q == CTRL_TX) {
		virtq_elem e;

		while (virtq_pop(v, CTRL_TX, &e) == 1) {
			ctrl_msg c;

			if (virtq_read(v, &e, 0, &c, sizeof(c)) == 0)
				guest_ctrl(s, &c);
			if (virtq_push(v, CTRL_TX, &e, 0))
				return;
		}
	} else if (q == CTRL_RX) {
		flush_ctrl(s);
	} else {
		int nr = q < 2 ? 0 : (q - 2) / 2;

		if (nr < s->max_ports && s->port[nr].used) {
			if (q == txq(nr))
				transmit(&s->port[nr]);
			else
				fill_rx(&s->port[nr]);
		}
	}
}

/* The chardev's input port asks how much the port takes now. */
static int port_can_receive(void *opaque)
{
	vport *p = opaque;

	return p->guest_connected ? (int)(PEND_MAX - p->npending) : 0;
}

static void port_receive(void *opaque, const uint8_t *buf, int len)
{
	vport *p = opaque;
	uint32_t n = (uint32_t)len < PEND_MAX - p->npending ? (uint32_t)len : PEND_MAX - p->npending;

	memcpy(p->pending + p->npending, buf, n);
	p->npending += n;
	fill_rx(p);
}

static void serial_reset(virtio_dev *v)
{
	vserial *s = v->opaque;

	s->nctrl = 0;
	for (int i = 0; i < s->max_ports; i++) {
		s->port[i].guest_connected = false;
		s->port[i].npending = 0;
	}
}

static void serial_free(virtio_dev *v)
{
	free(v->opaque);
}

static const state_field vport_fields[] = {
	ST_BOOL(vport, guest_connected),
	ST_UINT_DEC(vport, npending),
	ST_BYTES(vport, pending),
	ST_END
};
static const state_desc vport_state = { .name = "virtio-serial-port", .version = 1, .fields = vport_fields };

static const state_field ctrl_fields[] = {
	ST_U32(ctrl_msg, id),
	ST_U16(ctrl_msg, event),
	ST_U16(ctrl_msg, value),
	ST_END
};
static const state_desc ctrl_state = { .name = "virtio-serial-ctrl", .version = 1, .fields = ctrl_fields };

static const state_field vserial_fields[] = {
	ST_STRUCT_ARRAY_N(vserial, port, vport_state, max_ports),
	ST_UINT_DEC(vserial, nctrl),
	ST_STRUCT_ARRAY(vserial, ctrl, ctrl_state),
	ST_UINT_DEC(vserial, dropped),
	ST_END
};
static const state_desc vserial_state = { .name = "virtio-serial", .version = 1, .fields = vserial_fields };

static const virtio_model serial_model = {
	.name = "virtio-serial",
	.device_id = 3,
	.pci_class = 0x078000,	/* other communications controller, as QEMU */
	.pci_vectors = 2,	/* QEMU's: the config's and one all queues share */
	.features = VIRTIO_CONSOLE_F_MULTIPORT | VIRTIO_CONSOLE_F_EMERG_WRITE,
	.nqueues = 2 + 2 * MAX_PORTS,
	.queue_max = 128,
	.config_size = 12,
	.config = serial_config,
	.config_write = serial_config_write,
	.notify = serial_notify,
	.reset = serial_reset,
	.free = serial_free,
	.state = &vserial_state,
};

/* -device virtconsole|virtserialport,chardev=ID[,name=N][,nr=N][,bus=SER.0] */
static void add_port(machine *m, vserial *s, const char *spec)
{
	dev_props p;
	bool console = !strncmp(spec, "virtconsole", 11);
	const char *id, *name;
	uint64_t nr;
	vport *port;

	dev_props_parse(&p, spec);
	id = dev_prop(&p, "chardev");
	name = dev_prop(&p, "name");
	nr = dev_prop_uint(&p, "nr", UINT64_MAX, 0, (uint64_t)s->max_ports - 1);
	if (nr == UINT64_MAX) {
		/* QEMU: a console takes port 0 when free; otherwise the first free from 1 */
		nr = console && !s->port[0].used ? 0 : 1;
		while ((int)nr < s->max_ports && s->port[nr].used)
			nr++;
		if ((int)nr == s->max_ports)
			kwb_usage_error("-device %s: virtio-serial-bus: Maximum port limit for this device "
					"reached", spec);
	} else if (s->port[nr].used) {
		kwb_usage_error("-device %s: virtio-serial-bus: A port already exists at id %u", spec,
				(unsigned)nr);
	} else if (nr == 0 && !console) {
		kwb_usage_error("-device %s: virtio-serial-bus: Port number 0 on virtio-serial devices "
				"reserved for virtconsole devices for backward compatibility", spec);
	}
	if (name && strlen(name) >= NAME_MAX_LEN)
		kwb_usage_error("-device %s: name too long", spec);
	port = &s->port[nr];
	port->used = true;
	port->console = console;
	if (name)
		snprintf(port->name, sizeof(port->name), "%s", name);
	if (id) {
		chardev_frontend fe = { .can_receive = port_can_receive, .receive = port_receive,
					.opaque = port };
		port->chr = chardev_take(m, id, "-device", spec);
		chardev_attach(port->chr, &fe);
	}
	dev_props_done(&p);
}

static bool is_serial_bus(const char *spec)
{
	return !strncmp(spec, "virtio-serial-", 14);
}

/* The ports that belong to the virtio-serial at devices[me]: bus=ID.0, or
 * no bus= and after it before the next virtio-serial (QEMU's bus search). */
static void add_ports(machine *m, vserial *s, const char *me, const char *my_id)
{
	const kwb_options *o = m->opt;
	int first = -1;

	for (int i = 0; i < o->ndevices; i++)
		if (o->devices[i] == me)
			first = i;
	for (int i = 0; i < o->ndevices; i++) {
		const char *spec = o->devices[i], *bus;
		dev_props p;
		bool mine;

		if (strncmp(spec, "virtconsole", 11) && strncmp(spec, "virtserialport", 14))
			continue;
		dev_props_parse(&p, spec);
		bus = dev_prop(&p, "bus");
		if (bus)
			mine = my_id && !strncmp(bus, my_id, strlen(my_id)) && !strcmp(bus + strlen(my_id), ".0");
		else {
			mine = first >= 0 && i > first;
			for (int k = first + 1; mine && k < i; k++)
				if (is_serial_bus(o->devices[k]))
					mine = false;
		}
		dev_props_free(&p);
		if (mine)
			add_port(m, s, spec);
	}
}

virtio_dev *virtio_serial_create(machine *m, const char *devname, dev_props *p,
				 const virtio_transport *tr, void *tr_opaque)
{
	vserial *s = kwb_zalloc(sizeof(*s));
	const char *id = dev_prop(p, "id");

	s->max_ports = (int)dev_prop_uint(p, "max_ports", MAX_PORTS, 1, MAX_PORTS);
	for (int i = 0; i < MAX_PORTS; i++) {
		s->port[i].s = s;
		s->port[i].nr = i;
	}
	s->v = virtio_dev_new(m, devname, &serial_model, s, 0, tr, tr_opaque);
	s->v->nqueues = 2 + 2 * s->max_ports;
	add_ports(m, s, p->spec, id);
	return s->v;
}

/* check_devices: a port needs a virtio-serial before it or named by bus= */
bool virtio_serial_port_has_bus(const kwb_options *o, int index)
{
	for (int i = 0; i < index; i++)
		if (is_serial_bus(o->devices[i]))
			return true;
	return strstr(o->devices[index], ",bus=") != NULL;
}
