/* kwb: parse the command line, build the machine, run it. */
#include "machine.h"
#include "options.h"

int main(int argc, char **argv)
{
	static kwb_options opt;
	machine *m;

	options_parse(&opt, argc, argv);
	m = machine_create(&opt);
	return machine_run(m);
}
