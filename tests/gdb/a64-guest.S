/*
 * Tiny bare-metal AArch64 guest for the gdb tests (ELF -kernel, EL1h, MMU
 * off). CPU 0 loops: counter = ++x19 (a store), reads it back (a load),
 * calls func and cfunc (guest-c.c), and every 16 rounds makes an SVC
 * whose vector just returns, forever. `poweroff` (reached only when the debugger sets pc there)
 * calls PSCI SYSTEM_OFF over HVC; `atomic_inc` (likewise) is an LDAXR/STLXR loop. Other CPUs (if started) sleep in WFI.
 */
	.text
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	adr	x1, stack_top
	mov	sp, x1
	mov	x19, #0
	mov	x0, #0
	.globl loop
loop:
	add	x19, x19, #1
	adr	x2, counter
	str	x19, [x2]
	ldr	x20, [x2]
	bl	func
	mov	x0, #8
	bl	cfunc
	bl	cwait
	tst	x19, #15
	b.ne	no_svc
	.globl trap_point
trap_point:
	svc	#0
no_svc:
	b	loop

	.globl func
func:
	add	x0, x0, #1
	ret

	.globl poweroff
poweroff:
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16
	hvc	#0
1:	b	1b

	/* Reached only when the debugger sets pc here: an exclusive
	 * load/store retry loop, which gdb steps over as one (it reads the
	 * instruction at pc before each step to find such sequences). */
	.globl atomic_inc
atomic_inc:
	adr	x2, atomic_word
	.globl atomic_ldxr
atomic_ldxr:
	ldaxr	x3, [x2]
	add	x3, x3, #1
	stlxr	w4, x3, [x2]
	.globl atomic_retry
atomic_retry:
	cbnz	w4, atomic_ldxr
	.globl atomic_done
atomic_done:
	b	atomic_done

	.globl park
park:
	wfi
	b	park

	.balign 2048
vectors:
	.rept 4
	eret
	.balign 128
	.endr
	/* current EL with SP_ELx: synchronous */
	.globl trap_vec
trap_vec:
	eret
	.balign 128
	.rept 11
	eret
	.balign 128
	.endr

	.data
	.balign 8
	.globl counter
counter:
	.quad	0
	.globl atomic_word
atomic_word:
	.quad	41
	.balign 16
	.space	4096
stack_top:
