/*
 * Clean-ups that must run however kwb ends: at exit (kwb_fatal included)
 * and when SIGINT, SIGTERM, SIGHUP or SIGQUIT ends it (closing a terminal
 * window sends SIGHUP). After them the signal is raised again with its
 * default action, so kwb still dies of it. A signal the parent ignores
 * (nohup) stays ignored.
 */
#include <signal.h>
#include <stdlib.h>

#include "kwb.h"

#define MAX_CLEANUPS 8

static void (*cleanups[MAX_CLEANUPS])(void);
static volatile sig_atomic_t ncleanups;

static void run_cleanups(void)
{
	for (int i = ncleanups - 1; i >= 0; i--)
		if (cleanups[i])
			cleanups[i]();
}

static void on_signal(int sig)
{
	run_cleanups();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal }, old;

	atexit(run_cleanups);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);	/* one clean-up at a time */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

void kwb_cleanup_add(void (*fn)(void))
{
	for (int i = 0; i < ncleanups; i++)
		if (cleanups[i] == fn)
			return;
	if (ncleanups == MAX_CLEANUPS)
		kwb_fatal("too many exit clean-ups");
	if (!ncleanups)
		install();
	cleanups[ncleanups] = fn;
	ncleanups = ncleanups + 1;
}

void kwb_cleanup_remove(void (*fn)(void))
{
	for (int i = 0; i < ncleanups; i++)
		if (cleanups[i] == fn)
			cleanups[i] = NULL;
}
