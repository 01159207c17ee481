/*
 * Generic timer: the system counter and the EL1 physical and virtual
 * timers of each CPU. The counter is virtual time scaled to CNTFRQ (one
 * tick per 16 ns at 62.5 MHz); CNTVOFF is 0, so CNTVCT = CNTPCT. Each
 * timer's output is a level on its PPI (virtual 27, non-secure physical
 * 30), recomputed on every register write and by one event scheduled at
 * the exact virtual time the counter reaches CVAL -- never polled.
 * EL0 access (CNTKCTL_EL1) is checked by the core before these hooks run.
 */
#include "a64.h"
#include "../../state.h"
#include "../../devices/arm_gic.h"

enum { T_PHYS = 0, T_VIRT = 1 };

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

static const int timer_ppi[2] = { 30, 27 };
static const char *const timer_name[2] = { "cntp", "cntv" };

typedef struct gtimer {
	struct a64_timer *owner;
	int which;
	uint32_t ctl;		/* ENABLE, IMASK (ISTATUS is computed) */
	uint64_t cval;
	int out;
	event ev;
} gtimer;

typedef struct a64_timer {
	a64_cpu *s;
	uint64_t cntkctl;
	gtimer t[2];
} a64_timer;

static uint64_t ticks_at(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * A64_CNTFRQ / 1000000000u);
}

/* First virtual ns at which the counter reads >= ticks (UINT64_MAX: never). */
static uint64_t ns_for(uint64_t ticks)
{
	unsigned __int128 ns = ((unsigned __int128)ticks * 1000000000u + A64_CNTFRQ - 1) / A64_CNTFRQ;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint64_t counter(a64_cpu *s)
{
	return ticks_at(clock_now(s->c.m));
}

static bool istatus(gtimer *t, uint64_t now)
{
	return (t->ctl & CTL_ENABLE) && now >= t->cval;
}

static void update(gtimer *t)
{
	a64_cpu *s = t->owner->s;
	machine *m = s->c.m;
	uint64_t now = counter(s);
	int out = istatus(t, now) && !(t->ctl & CTL_IMASK);

	if (out != t->out) {
		t->out = out;
		arm_gic_set_ppi(m, s->c.index, timer_ppi[t->which], out);
	}
	/* Wake up when the condition will become true; nothing to wait for
	 * if it already is, or the timer is off or masked. */
	if (!out && (t->ctl & (CTL_ENABLE | CTL_IMASK)) == CTL_ENABLE) {
		uint64_t when = ns_for(t->cval);
		if (when != UINT64_MAX) {
			event_schedule(m, &t->ev, when);
			return;
		}
	}
	event_cancel(m, &t->ev);
}

static void timer_fire(void *opaque)
{
	update(opaque);
}

static a64_timer *timer_of(a64_cpu *s)
{
	if (!s->timer) {
		a64_timer *tm = kwb_zalloc(sizeof(*tm));
		tm->s = s;
		for (int i = 0; i < 2; i++) {
			tm->t[i].owner = tm;
			tm->t[i].which = i;
			event_init(&tm->t[i].ev, timer_name[i], timer_fire, &tm->t[i]);
		}
		s->timer = tm;
	}
	return s->timer;
}

void a64_timer_reset(a64_cpu *s)
{
	a64_timer *tm = timer_of(s);

	tm->cntkctl = 0;
	for (int i = 0; i < 2; i++) {
		gtimer *t = &tm->t[i];
		event_cancel(s->c.m, &t->ev);
		t->ctl = 0;
		t->cval = 0;
		if (t->out) {
			t->out = 0;
			arm_gic_set_ppi(s->c.m, s->c.index, timer_ppi[i], 0);
		}
	}
}

/* Which timer and register an encoding names: CRm 2 = phys, 3 = virt;
 * op2 0 = TVAL, 1 = CTL, 2 = CVAL. */
static gtimer *timer_reg(a64_timer *tm, uint32_t enc, int *op2)
{
	unsigned crm = (enc >> 3) & 0xf, crn = (enc >> 7) & 0xf, op1 = (enc >> 11) & 7;

	*op2 = enc & 7;
	if (op1 != 3 || crn != 14 || (crm != 2 && crm != 3) || *op2 > 2)
		return NULL;
	return &tm->t[crm == 2 ? T_PHYS : T_VIRT];
}

bool a64_timer_read(a64_cpu *s, uint32_t enc, uint64_t *value)
{
	a64_timer *tm = timer_of(s);
	gtimer *t;
	int op2;

	switch (enc) {
	case SYSREG_ENC(3, 3, 14, 0, 0): *value = A64_CNTFRQ; return true;
	case SYSREG_ENC(3, 3, 14, 0, 1):
	case SYSREG_ENC(3, 3, 14, 0, 2): *value = counter(s); return true;
	case SYSREG_ENC(3, 0, 14, 1, 0): *value = tm->cntkctl; return true;
	}
	t = timer_reg(tm, enc, &op2);
	if (!t)
		return false;
	if (op2 == 0)
		*value = (uint32_t)(t->cval - counter(s));
	else if (op2 == 1)
		*value = t->ctl | (istatus(t, counter(s)) ? CTL_ISTATUS : 0);
	else
		*value = t->cval;
	return true;
}

bool a64_timer_write(a64_cpu *s, uint32_t enc, uint64_t value)
{
	a64_timer *tm = timer_of(s);
	gtimer *t;
	int op2;

	switch (enc) {
	case SYSREG_ENC(3, 3, 14, 0, 0):	/* CNTFRQ: fixed by the "firmware" */
		return true;
	case SYSREG_ENC(3, 3, 14, 0, 1):
	case SYSREG_ENC(3, 3, 14, 0, 2):
		return false;			/* counters are read-only */
	case SYSREG_ENC(3, 0, 14, 1, 0):
		tm->cntkctl = value & 0x3ff;	/* EL0 enables, event stream */
		s->sys[A64R_CNTKCTL_EL1] = tm->cntkctl;
		return true;
	}
	t = timer_reg(tm, enc, &op2);
	if (!t)
		return false;
	if (op2 == 0)
		t->cval = counter(s) + (uint64_t)(int64_t)(int32_t)value;
	else if (op2 == 1)
		t->ctl = value & (CTL_ENABLE | CTL_IMASK);
	else
		t->cval = value;
	update(t);
	return true;
}

/* Each timer's control, compare value, output level and pending event;
 * CNTKCTL_EL1 (also mirrored in sys[]). */
static const state_field gtimer_fields[] = {
	ST_U32(gtimer, ctl),
	ST_U64(gtimer, cval),
	ST_INT(gtimer, out),
	ST_EVENT(gtimer, ev),
	ST_END
};
static const state_desc gtimer_state = { .name = "aarch64-gtimer", .version = 1, .fields = gtimer_fields };
static const state_field timer_fields[] = {
	ST_U64(a64_timer, cntkctl),
	ST_STRUCT_ARRAY(a64_timer, t, gtimer_state),
	ST_END
};
const state_desc a64_timer_state = { .name = "aarch64-timer", .version = 1, .fields = timer_fields };
