/* kwb: parse the command line, build the machine, run it. */
#include <fcntl.h>
#include <unistd.h>

#include "machine.h"
#include "options.h"

int main(int argc, char **argv)
{
	static kwb_options opt;
	machine *m;

	/* Started with stdin/stdout/stderr closed (CI, daemons): keep the
	 * first files we open from landing on the console's descriptors. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	options_parse(&opt, argc, argv);
	m = machine_create(&opt);
	return machine_run(m);
}
