/* Shared by unit tests that check one-line errors: run a function that
 * must exit (kwb_fatal/kwb_usage_error) in a child and collect what it said. */
#ifndef KWB_TEST_CHILD_H
#define KWB_TEST_CHILD_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child that is expected to exit (kwb_fatal/kwb_usage_error);
 * collects the exit status and what it said on stderr. */
typedef struct child_result {
	int status;		/* exit status, or 128+signal */
	char err[16384];
	int lines;		/* newlines in err */
} child_result;

static child_result run_child(void (*fn)(void *), void *arg)
{
	child_result r = { .status = -1 };
	int p[2], ws;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(p) < 0)
		return r;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		if (!freopen("/dev/null", "w", stdout))
			_exit(101);
		fn(arg);
		exit(100);	/* returned instead of exiting */
	}
	close(p[1]);
	for (;;) {
		char sink[512];
		size_t room = sizeof(r.err) - 1 - len;

		n = room ? read(p[0], r.err + len, room) : read(p[0], sink, sizeof(sink));
		if (n <= 0)
			break;
		if (room)
			len += n;
	}
	close(p[0]);
	r.err[len] = 0;
	waitpid(pid, &ws, 0);
	r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	for (size_t i = 0; i < len; i++)
		r.lines += r.err[i] == '\n';
	return r;
}

#endif
