/*
 * Telling any gdb where the vmlinux code is, with the remote protocol's own
 * means, so that a plain `gdb vmlinux -ex 'target remote ...'` (no kwb
 * helper) names stops before the MMU is on and under KASLR:
 *
 * - The kernel image's physical alias is a shared library: the vmlinux
 *   again, relocated by PA - link VA. gdb asks for the list itself
 *   (qXfer:libraries-svr4:read with the GNU/Linux OS ABI, gdb's default for
 *   a vmlinux; qXfer:libraries:read with `set osabi none`), loads the
 *   symbols a second time there, and every breakpoint on a kernel function
 *   gets a physical location: stops at the alias are named, with source
 *   line and backtrace.
 * - KASLR: gdb relocates the main symbol file (a relocatable arm64 vmlinux
 *   is ET_DYN, a "PIE") by AT_ENTRY - e_entry, AT_ENTRY from
 *   qXfer:auxv:read; qOffsets says the same to gdbs without the GNU/Linux
 *   ABI. When the kernel relocates itself after gdb connected, kwb reports
 *   the vmlinux as exec'd again (stop reason exec): gdb reloads it at the
 *   slid addresses, re-sets every breakpoint and resumes; with `set osabi
 *   none` the slid copy is one more library instead.
 *
 * Such a change is announced as a stop of its own (library: / exec:) while
 * the machine's real stop is held back: gdb updates its symbols, resumes,
 * and gets the held stop at once, now at a pc it can name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "symbols/symbols.h"

#define AT_NULL 0
#define AT_PAGESZ 6
#define AT_ENTRY 9

typedef struct image_view {
	const char *path;
	bool alias;		/* the physical alias exists (PA != link VA) */
	uint64_t alias_off;	/* PA - link VA */
	uint64_t slide;		/* KASLR */
	uint64_t first_vaddr;	/* the first PT_LOAD's address */
	uint64_t entry;		/* e_entry */
} image_view;

static bool view(gdb_server *s, image_view *v)
{
	kwb_symbols *sym = symbols_get(s->m);

	memset(v, 0, sizeof(*v));
	if (!sym || !sym->have_map)
		return false;
	v->path = sym->vm->path;
	v->slide = symbols_slide(s->m);
	v->alias = sym->map.image.pa != sym->map.link_va;
	v->alias_off = sym->map.image.pa - sym->map.link_va;
	v->first_vaddr = sym->vm->nsegments ? sym->vm->segments[0].vaddr : sym->map.link_va;
	v->entry = sym->vm->entry;
	return true;
}

/* Each copy needs a name of its own (gdb tells libraries apart by name): the
 * same file through another path. */
/* gdb may still get an exec (the KASLR reload): arm64 before the kernel
 * relocated itself, or an exec owed. */
bool gdb_image_unsettled(gdb_server *s)
{
	image_view v;

	if (!view(s, &v))
		return false;
	return symbols_relocation_pending(s->m) || (s->img.auxv_read && v.slide != s->img.auxv_slide);
}

bool gdb_image_known(gdb_server *s)
{
	image_view v;

	return view(s, &v);
}

static void lib_name(char *buf, size_t len, const char *path, const char *insert)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path) : 0;

	if (slash)
		snprintf(buf, len, "%.*s/%s%s", dir, path, insert, slash + 1);
	else
		snprintf(buf, len, "%s%s", insert, path);
}

static size_t xml_escape(char *out, size_t len, const char *in)
{
	size_t n = 0;

	for (; *in && n + 7 < len; in++) {
		const char *e = *in == '&' ? "&amp;" : *in == '<' ? "&lt;" : *in == '>' ? "&gt;"
			      : *in == '"' ? "&quot;" : NULL;
		if (e) {
			memcpy(out + n, e, strlen(e));
			n += strlen(e);
		} else {
			out[n++] = *in;
		}
	}
	out[n] = 0;
	return n;
}

static void note_sent(gdb_server *s, const image_view *v, char style)
{
	s->img.style = style;
	s->img.libs_valid = true;
	s->img.alias_sent = v->alias ? v->alias_off : 0;
	s->img.slide_sent = style == 'g' && v->slide != s->img.offsets_slide ? v->slide : 0;
}

/* The physical alias as the copy "DIR/./vmlinux"; generic lists also carry
 * the KASLR copy "DIR/././vmlinux" (svr4 gdbs relocate the main file). */
void gdb_xfer_libraries(gdb_server *s, const char *arg, const char *end, bool svr4)
{
	image_view v;
	char doc[8192], name[PATH_MAX_KWB], esc[3 * PATH_MAX_KWB];
	size_t n = 0;

	if (!view(s, &v)) {
		n = (size_t)snprintf(doc, sizeof(doc), svr4 ? "<library-list-svr4 version=\"1.0\"/>"
					: "<library-list version=\"1.0\"/>");
	} else if (svr4) {
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "<library-list-svr4 version=\"1.0\" main-lm=\"0x1000\">");
		if (v.alias) {
			lib_name(name, sizeof(name), v.path, "./");
			xml_escape(esc, sizeof(esc), name);
			n += (size_t)snprintf(doc + n, sizeof(doc) - n,
					      "<library name=\"%s\" lm=\"0x2000\" l_addr=\"0x%llx\" l_ld=\"0x0\" lmid=\"0x0\"/>",
					      esc, (unsigned long long)v.alias_off);
		}
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</library-list-svr4>");
	} else {
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "<library-list version=\"1.0\">");
		for (int i = 0; i < 2; i++) {
			uint64_t off = i ? v.slide : v.alias_off;

			/* the main file has the slide from qOffsets already */
			if (i ? !v.slide || v.slide == s->img.offsets_slide : !v.alias)
				continue;
			lib_name(name, sizeof(name), v.path, i ? "././" : "./");
			xml_escape(esc, sizeof(esc), name);
			n += (size_t)snprintf(doc + n, sizeof(doc) - n,
					      "<library name=\"%s\"><segment address=\"0x%llx\"/></library>", esc,
					      (unsigned long long)(v.first_vaddr + off));
		}
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "</library-list>");
	}
	if (n >= sizeof(doc)) {
		gdb_reply_str(s, "E01");
		return;
	}
	/* The list gdb has is the one it read from offset 0. */
	if (arg < end && arg[0] == '0' && arg + 1 < end && arg[1] == ',')
		note_sent(s, &v, svr4 ? 's' : 'g');
	gdb_xfer_reply(s, doc, n, arg, end);
}

/* The auxiliary vector gdb's svr4 layer reads to relocate a PIE main file:
 * AT_ENTRY is the vmlinux entry where the kernel runs it now. */
void gdb_xfer_auxv(gdb_server *s, const char *arg, const char *end)
{
	image_view v;
	uint8_t doc[48];
	uint64_t vals[6];
	int n = 0;

	if (!view(s, &v)) {
		gdb_reply_str(s, "E00");
		return;
	}
	vals[n++] = AT_PAGESZ;
	vals[n++] = 4096;
	vals[n++] = AT_ENTRY;
	vals[n++] = v.entry + v.slide;
	vals[n++] = AT_NULL;
	vals[n++] = 0;
	for (int i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			doc[8 * i + b] = (uint8_t)(vals[i] >> (8 * b));
	if (arg < end && arg[0] == '0' && arg + 1 < end && arg[1] == ',') {
		s->img.auxv_read = true;
		s->img.auxv_slide = v.slide;
	}
	gdb_xfer_reply(s, (const char *)doc, (size_t)(8 * n), arg, end);
}

/* qOffsets: the KASLR slide for the main symbol file (read at connect). */
void gdb_query_offsets(gdb_server *s)
{
	image_view v;
	unsigned long long off;

	if (!view(s, &v))
		return;		/* no kernel symbols: not supported */
	off = v.slide;
	s->img.offsets_slide = off;
	gdb_reply_printf(s, "Text=%llx;Data=%llx;Bss=%llx", off, off, off);
}

/*
 * Before stop st goes to gdb: when what gdb was told about the image is out
 * of date, send an exec or library stop instead and hold st back for the
 * next resume. Returns true when st was held.
 */
bool gdb_image_hold(gdb_server *s, const stop_info *st)
{
	image_view v;
	bool exec = false, libs = false;
	int c = st->cpu >= 0 && st->cpu < s->m->ncpus ? st->cpu : s->g_cpu;

	if (st->reason == STOP_SHUTDOWN || s->guest_exited || !view(s, &v))
		return false;
	if (s->img.style == 's' || (!s->img.style && s->img.auxv_read))
		exec = s->img.auxv_read && v.slide != s->img.auxv_slide;
	if (s->img.style)
		libs = !s->img.libs_valid || s->img.alias_sent != (v.alias ? v.alias_off : 0) ||
		       (s->img.style == 'g' &&
			s->img.slide_sent != (v.slide == s->img.offsets_slide ? 0 : v.slide));
	/* An exec ends gdb's stepping: wait for a stop that is not a step. */
	if (exec && st->reason == STOP_STEP)
		exec = false;
	if (!exec && !libs)
		return false;
	if (!s->img.held) {
		s->img.held = true;
		s->img.held_stop = *st;
	}
	s->rlen = 0;
	s->reply_full = false;
	if (exec) {
		char hex[2 * PATH_MAX_KWB + 1];
		size_t plen = strlen(v.path);

		if (plen > PATH_MAX_KWB)
			plen = PATH_MAX_KWB;
		for (size_t i = 0; i < plen; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)v.path[i]);
		hex[2 * plen] = 0;
		gdb_reply_printf(s, "T05exec:%s;thread:%llx;", hex, (unsigned long long)gdb_stop_tid(s, st, c));
		/* gdb drops its libraries with the old program and reads the
		 * auxiliary vector again */
		s->img.libs_valid = false;
		s->img.auxv_read = false;
	} else {
		gdb_reply_printf(s, "T05library:;thread:%llx;", (unsigned long long)gdb_stop_tid(s, st, c));
	}
	return true;
}

/* gdb resumed after an exec/library stop: the held stop, or one more
 * event if gdb still lacks something. Returns true when a reply was made
 * (the machine stays stopped). */
bool gdb_image_release(gdb_server *s)
{
	stop_info st;

	if (!s->img.held)
		return false;
	st = s->img.held_stop;
	if (gdb_image_hold(s, &st))
		return true;
	s->img.held = false;
	/* gdb may have set a breakpoint at that pc meanwhile (re-set after
	 * the reload): then it is its own stop, not a foreign one */
	if (st.foreign && (st.reason == STOP_SWBREAK || st.reason == STOP_HWBREAK) &&
	    gdb_has_breakpoint_at(s, dbg_pc(s->m, st.cpu)))
		st.foreign = false;
	s->rlen = 0;
	s->reply_full = false;
	gdb_stop_reply(s, &st);
	return true;
}
