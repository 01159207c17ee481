/* kwb: parse the command line, build the machine, run it. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "difftest.h"
#include "machine.h"
#include "options.h"
#include "target-xml/tdesc.h"

int main(int argc, char **argv)
{
	static kwb_options opt;
	machine *m;

	/* Started with stdin/stdout/stderr closed (CI, daemons): keep the
	 * first files we open from landing on the console's descriptors. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	/* Build-time use: write the gdb target descriptions of an arch. */
	if (argc == 4 && !strcmp(argv[1], "-dump-target-xml"))
		return tdesc_dump(argv[2], argv[3]) ? 1 : 0;
	options_parse(&opt, argc, argv);
	m = machine_create(&opt);
	return opt.difftest ? difftest_run(m) : machine_run(m);
}
