/*
 * Struct layouts and enumerators from the vmlinux DWARF (kdwarf.h).
 */
#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/kdwarf.h"

#define MAX_DEPTH 16		/* typedef/qualifier chains, nested anonymous members */

enum { KD_TYPE = 1, KD_ENUMERATOR = 2 };

typedef struct kd_entry {
	char *name;
	uint8_t kind;
	Dwarf_Off die;		/* KD_TYPE: the defining DIE */
	int64_t value;		/* KD_ENUMERATOR */
} kd_entry;

struct kdwarf {
	int fd;
	Dwarf_Debug dbg;
	bool scanned;		/* every compile unit seen */
	kd_entry *tab;		/* open addressing */
	size_t cap, used;
};

static uint64_t hash_str(const char *s, uint8_t kind)
{
	uint64_t h = 1469598103934665603ull ^ kind;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static kd_entry *find(kdwarf *kd, const char *name, uint8_t kind)
{
	if (!kd->cap)
		return NULL;
	for (size_t i = hash_str(name, kind) & (kd->cap - 1);; i = (i + 1) & (kd->cap - 1)) {
		kd_entry *e = &kd->tab[i];
		if (!e->name)
			return NULL;
		if (e->kind == kind && !strcmp(e->name, name))
			return e;
	}
}

static kd_entry *insert(kdwarf *kd, const char *name, uint8_t kind)
{
	kd_entry *e;

	if (find(kd, name, kind))
		return NULL;	/* the first definition met wins */
	if (2 * (kd->used + 1) > kd->cap) {
		kd_entry *old = kd->tab;
		size_t oldcap = kd->cap;

		kd->cap = kd->cap ? 2 * kd->cap : 4096;
		kd->tab = kwb_zalloc(kd->cap * sizeof(*kd->tab));
		kd->used = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].name) {
				e = insert(kd, old[i].name, old[i].kind);
				e->die = old[i].die;
				e->value = old[i].value;
				free(old[i].name);
			}
		free(old);
	}
	for (size_t i = hash_str(name, kind) & (kd->cap - 1);; i = (i + 1) & (kd->cap - 1))
		if (!kd->tab[i].name) {
			e = &kd->tab[i];
			e->name = kwb_strdup(name);
			e->kind = kind;
			kd->used++;
			return e;
		}
}

/* The lookups below pass no Dwarf_Error: without a handler, libdwarf
 * aborts the whole process on the first malformed attribute of a hostile
 * vmlinux. With one, the call just fails (DW_DLV_ERROR; the error record
 * is freed by dwarf_finish). */
static void ignore_error(Dwarf_Error e, Dwarf_Ptr arg)
{
	(void)e;
	(void)arg;
}

/* libdwarf allocates what the section headers say before it looks at the
 * file: a hostile header asking for 500 GiB must be refused here. Every
 * section with contents lies inside the file, the header table too. */
static const char *elf_sections_in_file(int fd)
{
	Elf *e;
	struct stat st;
	size_t n = 0;
	const char *why = NULL;

	if (fstat(fd, &st) || elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)))
		return "not an ELF file";
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrnum(e, &n))
		why = "not an ELF file";
	for (size_t i = 1; !why && i < n; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			why = "unreadable section header";
		else if (sh.sh_type != SHT_NOBITS &&
			 (sh.sh_offset > (uint64_t)st.st_size || sh.sh_size > (uint64_t)st.st_size - sh.sh_offset))
			why = "a section lies past the end of the file";
	}
	elf_end(e);
	return why;
}

kdwarf *kdwarf_open(const char *path, char *err, size_t errlen)
{
	kdwarf *kd = kwb_zalloc(sizeof(*kd));
	Dwarf_Error de = NULL;
	int r;

	const char *why;
	kd->fd = kwb_open_input(path, false, &why);
	if (kd->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		free(kd);
		return NULL;
	}
	why = elf_sections_in_file(kd->fd);
	if (why) {
		snprintf(err, errlen, "%s: no DWARF debug information: %s", path, why);
		close(kd->fd);
		free(kd);
		return NULL;
	}
	r = dwarf_init_b(kd->fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, ignore_error, NULL, &kd->dbg, &de);
	if (r != DW_DLV_OK) {
		snprintf(err, errlen, "%s: no DWARF debug information%s%s", path, de ? ": " : "",
			 de ? dwarf_errmsg(de) : "");
		if (de)
			dwarf_dealloc(NULL, de, DW_DLA_ERROR);
		close(kd->fd);
		free(kd);
		return NULL;
	}
	return kd;
}

void kdwarf_close(kdwarf *kd)
{
	if (!kd)
		return;
	dwarf_finish(kd->dbg, NULL);
	close(kd->fd);
	for (size_t i = 0; i < kd->cap; i++)
		free(kd->tab[i].name);
	free(kd->tab);
	free(kd);
}

static bool die_name(Dwarf_Die d, char **name)
{
	return dwarf_diename(d, name, NULL) == DW_DLV_OK;
}

static bool die_flag(Dwarf_Die d, Dwarf_Half at)
{
	Dwarf_Bool has = 0;

	return dwarf_hasattr(d, at, &has, NULL) == DW_DLV_OK && has;
}

static bool die_udata(Dwarf_Die d, Dwarf_Half at, uint64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Unsigned u;
	bool ok;

	if (dwarf_attr(d, at, &a, NULL) != DW_DLV_OK)
		return false;
	ok = dwarf_formudata(a, &u, NULL) == DW_DLV_OK;
	dwarf_dealloc(NULL, a, DW_DLA_ATTR);
	if (ok)
		*v = u;
	return ok;
}

static bool die_sdata(Dwarf_Die d, Dwarf_Half at, int64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Signed s;
	Dwarf_Unsigned u;
	Dwarf_Half form = 0;
	bool ok;

	if (dwarf_attr(d, at, &a, NULL) != DW_DLV_OK)
		return false;
	dwarf_whatform(a, &form, NULL);
	if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
		ok = dwarf_formsdata(a, &s, NULL) == DW_DLV_OK;
		*v = s;
	} else {
		ok = dwarf_formudata(a, &u, NULL) == DW_DLV_OK;
		*v = (int64_t)u;
	}
	dwarf_dealloc(NULL, a, DW_DLA_ATTR);
	return ok;
}

static bool die_ref(Dwarf_Die d, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute a;
	bool ok;

	if (dwarf_attr(d, at, &a, NULL) != DW_DLV_OK)
		return false;
	ok = dwarf_global_formref(a, off, NULL) == DW_DLV_OK;
	dwarf_dealloc(NULL, a, DW_DLA_ATTR);
	return ok;
}

/* A sibling always lies after its predecessor; a DW_AT_sibling pointing
 * back (a hostile vmlinux: the vmlinux fuzz target found it) would make
 * every walk over children endless, so it ends the walk instead. */
static Dwarf_Die next_sibling(kdwarf *kd, Dwarf_Die d)
{
	Dwarf_Die s = NULL;
	Dwarf_Off here = 0, there = 0;

	if (dwarf_siblingof_b(kd->dbg, d, 1, &s, NULL) != DW_DLV_OK)
		s = NULL;
	if (s && (dwarf_dieoffset(d, &here, NULL) != DW_DLV_OK ||
		  dwarf_dieoffset(s, &there, NULL) != DW_DLV_OK || there <= here)) {
		dwarf_dealloc_die(s);
		s = NULL;
	}
	dwarf_dealloc_die(d);
	return s;
}

static Dwarf_Die first_child(Dwarf_Die d)
{
	Dwarf_Die c = NULL;

	return dwarf_child(d, &c, NULL) == DW_DLV_OK ? c : NULL;
}

static void note_enumerators(kdwarf *kd, Dwarf_Die en)
{
	for (Dwarf_Die e = first_child(en); e; e = next_sibling(kd, e)) {
		Dwarf_Half tag = 0;
		char *name;
		int64_t v;
		kd_entry *ent;

		if (dwarf_tag(e, &tag, NULL) == DW_DLV_OK && tag == DW_TAG_enumerator &&
		    die_name(e, &name) && die_sdata(e, DW_AT_const_value, &v) &&
		    (ent = insert(kd, name, KD_ENUMERATOR)))
			ent->value = v;
	}
}

/* One more compile unit: note its struct/union definitions and enumerators.
 * Returns false when there are no more. */
static bool scan_cu(kdwarf *kd)
{
	Dwarf_Unsigned hlen, abbrev, next;
	Dwarf_Half version, asize, osize, xsize, cutype;
	Dwarf_Sig8 sig;
	Dwarf_Unsigned typeoff;
	Dwarf_Die cu = NULL;

	if (kd->scanned)
		return false;
	if (dwarf_next_cu_header_d(kd->dbg, 1, &hlen, &version, &abbrev, &asize, &osize, &xsize, &sig,
				   &typeoff, &next, &cutype, NULL) != DW_DLV_OK) {
		kd->scanned = true;
		return false;
	}
	if (dwarf_siblingof_b(kd->dbg, NULL, 1, &cu, NULL) != DW_DLV_OK)
		return true;
	for (Dwarf_Die d = first_child(cu); d; d = next_sibling(kd, d)) {
		Dwarf_Half tag = 0;
		char *name;
		Dwarf_Off off;
		kd_entry *e;

		if (dwarf_tag(d, &tag, NULL) != DW_DLV_OK)
			continue;
		if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) && die_name(d, &name) &&
		    !die_flag(d, DW_AT_declaration) && dwarf_dieoffset(d, &off, NULL) == DW_DLV_OK &&
		    (e = insert(kd, name, KD_TYPE)))
			e->die = off;
		else if (tag == DW_TAG_enumeration_type)
			note_enumerators(kd, d);
	}
	dwarf_dealloc_die(cu);
	return true;
}

static kd_entry *lookup(kdwarf *kd, const char *name, uint8_t kind)
{
	kd_entry *e;

	while (!(e = find(kd, name, kind)))
		if (!scan_cu(kd))
			return NULL;
	return e;
}

static Dwarf_Die die_at(kdwarf *kd, Dwarf_Off off)
{
	Dwarf_Die d = NULL;

	return dwarf_offdie_b(kd->dbg, off, 1, &d, NULL) == DW_DLV_OK ? d : NULL;
}

/* The type a DIE's DW_AT_type names, through typedefs and qualifiers. */
static Dwarf_Die resolved_type(kdwarf *kd, Dwarf_Die d)
{
	Dwarf_Off off;
	Dwarf_Die t = NULL;

	for (int i = 0; i < MAX_DEPTH && die_ref(d, DW_AT_type, &off); i++) {
		Dwarf_Half tag = 0;

		if (t)
			dwarf_dealloc_die(t);
		if (!(t = die_at(kd, off)) || dwarf_tag(t, &tag, NULL) != DW_DLV_OK)
			return t;
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type)
			return t;
		d = t;
	}
	return t;
}

/* sizeof a type DIE: byte_size, or an array's element size times count. */
static bool type_size(kdwarf *kd, Dwarf_Die t, uint64_t *size)
{
	Dwarf_Half tag = 0;
	uint64_t n = 1, elem;
	Dwarf_Die et;
	bool ok;

	if (die_udata(t, DW_AT_byte_size, size))
		return true;
	if (dwarf_tag(t, &tag, NULL) != DW_DLV_OK || tag != DW_TAG_array_type)
		return false;
	for (Dwarf_Die s = first_child(t); s; s = next_sibling(kd, s)) {
		uint64_t cnt, ub;

		if (die_udata(s, DW_AT_count, &cnt))
			n *= cnt;
		else if (die_udata(s, DW_AT_upper_bound, &ub))
			n *= ub + 1;
		else
			n = 0;	/* flexible array */
	}
	et = resolved_type(kd, t);
	ok = et && type_size(kd, et, &elem);
	if (et)
		dwarf_dealloc_die(et);
	*size = n * (ok ? elem : 0);
	return ok;
}

/* Find member `name` in struct/union `su`, looking through anonymous
 * members; on success *off is its offset and *type its type DIE. */
static bool find_member(kdwarf *kd, Dwarf_Die su, const char *name, size_t nlen, uint64_t *off,
			Dwarf_Die *type, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	for (Dwarf_Die m = first_child(su); m; m = next_sibling(kd, m)) {
		Dwarf_Half tag = 0;
		char *mname = NULL;
		uint64_t moff = 0;
		Dwarf_Die t;

		if (dwarf_tag(m, &tag, NULL) != DW_DLV_OK || tag != DW_TAG_member)
			continue;
		die_udata(m, DW_AT_data_member_location, &moff);	/* unions: none, 0 */
		if (die_name(m, &mname)) {
			if (strlen(mname) != nlen || memcmp(mname, name, nlen))
				continue;
			*off = moff;
			*type = resolved_type(kd, m);
			dwarf_dealloc_die(m);
			return *type != NULL;
		}
		/* anonymous struct/union: its members are ours */
		t = resolved_type(kd, m);
		if (t && find_member(kd, t, name, nlen, off, type, depth + 1)) {
			*off += moff;
			dwarf_dealloc_die(t);
			dwarf_dealloc_die(m);
			return true;
		}
		if (t)
			dwarf_dealloc_die(t);
	}
	return false;
}

bool kdwarf_member(kdwarf *kd, const char *type, const char *path, uint64_t *off, uint64_t *size)
{
	kd_entry *e = kd ? lookup(kd, type, KD_TYPE) : NULL;
	Dwarf_Die cur;
	uint64_t total = 0;
	bool ok;

	if (!e || !(cur = die_at(kd, e->die)))
		return false;
	while (*path) {
		size_t n = strcspn(path, ".");
		uint64_t moff;
		Dwarf_Die t;

		if (!find_member(kd, cur, path, n, &moff, &t, 0)) {
			dwarf_dealloc_die(cur);
			return false;
		}
		dwarf_dealloc_die(cur);
		cur = t;
		total += moff;
		path += n + (path[n] == '.');
	}
	ok = type_size(kd, cur, size);
	dwarf_dealloc_die(cur);
	*off = total;
	return ok;
}

bool kdwarf_sizeof(kdwarf *kd, const char *type, uint64_t *size)
{
	kd_entry *e = kd ? lookup(kd, type, KD_TYPE) : NULL;
	Dwarf_Die d;
	bool ok;

	if (!e || !(d = die_at(kd, e->die)))
		return false;
	ok = type_size(kd, d, size);
	dwarf_dealloc_die(d);
	return ok;
}

bool kdwarf_enumerator(kdwarf *kd, const char *name, int64_t *value)
{
	kd_entry *e = kd ? lookup(kd, name, KD_ENUMERATOR) : NULL;

	if (e)
		*value = e->value;
	return e != NULL;
}
