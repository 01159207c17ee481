/* C part of the gdb test guests (built -g -O0): source-level stepping,
 * where gdb uses range stepping (vCont;r) for `next`. */
long csum = 1;
volatile long spin;	/* set by a debugger: cwait's loop never ends */

void cfunc(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++)
		s += i * 3 + (s >> 1);
	csum = s;
}

/* One line that loops while the debugger wants: `next` over it range-steps
 * until Ctrl-C. */
void cwait(void)
{
	while (spin) csum++;
}
