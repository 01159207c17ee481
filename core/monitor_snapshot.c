/* savevm, loadvm, delvm, info snapshots, snapshot diff (core/snapshot.h). */
#include "machine.h"
#include "monitor.h"
#include "snapshot.h"

static int need_name(mon_ctx *c, int argc, char **argv)
{
	if (argc == 2)
		return 0;
	mon_printf(c->out, "%s: one snapshot name\n", argv[0]);
	return -1;
}

static int done(mon_ctx *c, int rc, const char *err)
{
	if (rc < 0)
		mon_printf(c->out, "%s\n", err);
	return rc;
}

static int cmd_savevm(mon_ctx *c, int argc, char **argv)
{
	char err[512] = "";

	if (need_name(c, argc, argv))
		return -1;
	return done(c, snapshot_save(c->m, argv[1], err, sizeof(err)), err);
}

static int cmd_loadvm(mon_ctx *c, int argc, char **argv)
{
	char err[512] = "";
	int rc;

	if (need_name(c, argc, argv))
		return -1;
	rc = snapshot_load(c->m, argv[1], err, sizeof(err));
	if (!rc && c->gdb)	/* gdb still has the registers it read before */
		mon_printf(c->out, "loaded %s (gdb: flushregs shows the restored registers)\n", argv[1]);
	return done(c, rc, err);
}

static int cmd_delvm(mon_ctx *c, int argc, char **argv)
{
	char err[512] = "";

	if (need_name(c, argc, argv))
		return -1;
	return done(c, snapshot_delete(c->m, argv[1], err, sizeof(err)), err);
}

static int cmd_info_snapshots(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	snapshot_list(c->m, c->out);
	return 0;
}

static int cmd_snapshot_diff(mon_ctx *c, int argc, char **argv)
{
	char err[512] = "";

	if (argc != 3) {
		mon_printf(c->out, "snapshot diff A B (a name, or now for the running machine)\n");
		return -1;
	}
	return done(c, snapshot_diff(c->m, argv[1], argv[2], c->out, err, sizeof(err)), err);
}

static int cmd_snapshot_digest(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_printf(c->out, "%016llx\n", (unsigned long long)snapshot_digest(c->m));
	return 0;
}

MONITOR_COMMANDS(snapshot_commands) {
	{ "savevm", "NAME", "save the machine (every device, CPU, RAM, disk overlay) as snapshot NAME",
	  cmd_savevm },
	{ "loadvm", "NAME", "restore snapshot NAME (history starts again from it)", cmd_loadvm },
	{ "delvm", "NAME", "delete snapshot NAME", cmd_delvm },
	{ "info snapshots", "", "the snapshots in the snapshot directory", cmd_info_snapshots },
	{ "snapshot diff", "A B", "what differs between snapshots A and B (now: the running machine)",
	  cmd_snapshot_diff },
	{ "snapshot digest", "", "a hash of the whole machine state (tests compare runs)",
	  cmd_snapshot_digest },
	{ 0 }
};
