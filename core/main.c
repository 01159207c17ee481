/* kwb: parse the command line, build the machine, compose its clients
 * (symbols, traces, the gdb server: core/ knows none of them), run it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chardev.h"
#include "difftest/difftest.h"
#include "machine.h"
#include "options.h"
#include "trace.h"
#include "gdbserver/gdbserver.h"
#include "symbols/symbols.h"
#include "target-xml/tdesc.h"

static const char *pidfile;

static void remove_pidfile(void)
{
	unlink(pidfile);
}

/* -pidfile FILE: our PID, removed on every exit path (kwb_cleanup_add) */
static void write_pidfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
		kwb_fatal("cannot create PID file: %s: %s", path, strerror(errno));
	close(fd);
	pidfile = path;
	kwb_cleanup_add(remove_pidfile);
}

int main(int argc, char **argv)
{
	static kwb_options opt;
	char err[256] = "", spec[300];
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
	symbols_prefetch(&opt);	/* beside machine_create */
	m = machine_create(&opt);
	if (opt.pidfile)
		write_pidfile(opt.pidfile);
	if (symbols_attach(m, err, sizeof(err)) < 0)
		kwb_fatal("%s", err);
	trace_init(m);	/* after the symbols: filters may name functions */
	if (opt.gdb && gdbserver_start(m, chardev_gdb_spec(m, spec, sizeof(spec)), opt.start_stopped, err,
				       sizeof(err)) < 0)
		kwb_fatal("%s", err);
	if (opt.start_stopped)
		machine_start_stopped(m);
	return opt.difftest ? difftest_run(m) : machine_run(m);
}
