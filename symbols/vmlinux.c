/*
 * vmlinux loading with libelf (mmap'd): symbols, sections, segments. The
 * file is validated before libelf looks at a table so a truncated or
 * foreign file gives one line naming what is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/vmlinux.h"

static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...) KWB_PRINTF(4, 5);
static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "vmlinux %s: ", path);

	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

static const char *machine_arch(int em)
{
	switch (em) {
	case EM_AARCH64: return "aarch64";
	case EM_RISCV: return "riscv64";
	case EM_X86_64: return "x86_64";
	case EM_ARM: return "arm";
	case EM_386: return "i386";
	default: return NULL;
	}
}

static char sym_kind(const GElf_Sym *s, const GElf_Shdr *sh)
{
	char k;

	if (s->st_shndx == SHN_ABS)
		k = 'A';
	else if (!sh)
		k = 'N';
	else if (sh->sh_flags & SHF_EXECINSTR)
		k = 'T';
	else if (sh->sh_type == SHT_NOBITS)
		k = 'B';
	else if (sh->sh_flags & SHF_WRITE)
		k = 'D';
	else
		k = 'R';
	if (GELF_ST_BIND(s->st_info) == STB_WEAK)
		k = k == 'A' ? 'A' : 'W';
	if (GELF_ST_BIND(s->st_info) == STB_LOCAL)
		k += 'a' - 'A';
	return k;
}

/* Lower is better when several symbols share an address. */
static uint8_t sym_rank(const GElf_Sym *s)
{
	int t = GELF_ST_TYPE(s->st_info);
	bool global = GELF_ST_BIND(s->st_info) != STB_LOCAL;
	bool typed = t == STT_FUNC || t == STT_OBJECT;

	if (s->st_shndx == SHN_ABS)
		return 7;
	return (global ? 0 : 2) + (typed && s->st_size ? 0 : 1);
}

static int cmp_sym(const void *a, const void *b)
{
	const ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->lead != y->lead)	/* _stext before __irqentry_text_start */
		return x->lead - y->lead;
	return x->name < y->name ? -1 : x->name > y->name;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* One hash slot per distinct name; symbols sharing a name are chained
 * through same_name (thousands of identical local labels must not make
 * the probe sequences quadratic). */
static void build_hash(vmlinux *v)
{
	uint32_t size = 16;

	while (size < (uint32_t)v->nsyms * 2)
		size <<= 1;
	v->hash = kwb_zalloc(size * sizeof(*v->hash));
	v->same_name = kwb_zalloc((v->nsyms ? v->nsyms : 1) * sizeof(*v->same_name));
	v->hash_mask = size - 1;
	for (int i = 0; i < v->nsyms; i++) {
		const char *name = ksym_name(v, &v->syms[i]);
		uint32_t h = name_hash(name) & v->hash_mask;

		while (v->hash[h] && strcmp(ksym_name(v, &v->syms[v->hash[h] - 1]), name))
			h = (h + 1) & v->hash_mask;
		if (v->hash[h])
			v->same_name[i] = v->hash[h];
		v->hash[h] = i + 1;
	}
}

static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int load_symbols(vmlinux *v, Elf *e, Elf_Scn *symscn, const GElf_Shdr *symsh,
			const GElf_Shdr *shdrs, size_t nshdr, char *err, size_t errlen)
{
	Elf_Scn *strscn = elf_getscn(e, symsh->sh_link);
	Elf_Data *sd, *td;
	size_t count;

	if (!strscn || symsh->sh_link >= nshdr || shdrs[symsh->sh_link].sh_type != SHT_STRTAB) {
		fail(err, errlen, v->path, "section .symtab: bad string table link %u", symsh->sh_link);
		return -1;
	}
	sd = elf_getdata(symscn, NULL);
	td = elf_getdata(strscn, NULL);
	if (!sd || !td || !td->d_size) {
		fail(err, errlen, v->path, "cannot read the symbol table: %s", elf_errmsg(-1));
		return -1;
	}
	v->strtab_size = td->d_size;
	v->strtab = kwb_zalloc(td->d_size + 1);	/* +1: always terminated */
	memcpy(v->strtab, td->d_buf, td->d_size);
	count = symsh->sh_entsize ? symsh->sh_size / symsh->sh_entsize : 0;
	v->syms = kwb_zalloc((count ? count : 1) * sizeof(*v->syms));
	for (size_t i = 1; i < count; i++) {
		GElf_Sym s;
		const char *name;
		int type;

		if (!gelf_getsym(sd, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE ||
		    s.st_name == 0 || s.st_name >= v->strtab_size)
			continue;
		name = v->strtab + s.st_name;
		/* mapping symbols ($x, $d) and assembler locals */
		if (name[0] == '$' || (name[0] == '.' && name[1] == 'L'))
			continue;
		v->syms[v->nsyms++] = (ksym){
			.addr = s.st_value, .size = s.st_size, .name = s.st_name,
			.kind = sym_kind(&s, s.st_shndx < nshdr && s.st_shndx != SHN_ABS
					 ? &shdrs[s.st_shndx] : NULL),
			.rank = sym_rank(&s),
			.lead = (uint8_t)strspn(name, "_"),
		};
	}
	qsort(v->syms, v->nsyms, sizeof(*v->syms), cmp_sym);
	build_hash(v);
	return 0;
}

static void take_sample(vmlinux *v, const uint8_t *file)
{
	const ksym *s = vmlinux_sym_named(v, "linux_banner");
	uint64_t va = s ? s->addr : (v->nsegments ? v->segments[0].vaddr : 0);
	const ksection *sec = vmlinux_section_at(v, va);
	uint64_t n;

	if (!sec || sec->nobits)
		return;
	n = sec->addr + sec->size - va;
	if (n > sizeof(v->sample))
		n = sizeof(v->sample);
	if (!in_file(sec->offset + (va - sec->addr), n, v->file_size))
		return;
	memcpy(v->sample, file + sec->offset + (va - sec->addr), n);
	v->sample_va = va;
	v->sample_len = n;
}

static int parse(vmlinux *v, Elf *e, const char *arch, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	size_t nshdr, shstrndx, nphdr, rawsize;
	GElf_Shdr *shdrs = NULL;
	Elf_Scn *symscn = NULL;
	const uint8_t *raw;
	const char *have;
	int symidx = -1, ret = -1;

	if (elf_kind(e) != ELF_K_ELF || !(raw = (const uint8_t *)elf_rawfile(e, &rawsize))) {
		fail(err, errlen, v->path, "not an ELF file");
		return -1;
	}
	if (!gelf_getehdr(e, &eh)) {
		fail(err, errlen, v->path, "truncated ELF header");
		return -1;
	}
	v->elf_class = gelf_getclass(e) == ELFCLASS64 ? 64 : 32;
	v->elf_machine = eh.e_machine;
	v->entry = eh.e_entry;
	have = machine_arch(eh.e_machine);
	if (v->elf_class != 64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		fail(err, errlen, v->path, "ELF class/data is %d-bit %s, a 64-bit little-endian kernel is needed",
		     v->elf_class, eh.e_ident[EI_DATA] == ELFDATA2LSB ? "little-endian" : "big-endian");
		return -1;
	}
	if (arch && (!have || strcmp(have, arch))) {
		fail(err, errlen, v->path, "e_machine is %s (%d), but this machine is %s",
		     have ? have : "unknown", eh.e_machine, arch);
		return -1;
	}
	v->arch = have;
	if (!in_file(eh.e_shoff, (uint64_t)(eh.e_shnum ? eh.e_shnum : 1) * eh.e_shentsize, v->file_size) ||
	    elf_getshdrnum(e, &nshdr) || elf_getshdrstrndx(e, &shstrndx) ||
	    !in_file(eh.e_shoff, (uint64_t)nshdr * eh.e_shentsize, v->file_size) ||
	    !in_file(eh.e_phoff, (uint64_t)eh.e_phnum * eh.e_phentsize, v->file_size)) {
		fail(err, errlen, v->path, "truncated: section/program headers lie past the end of the file");
		return -1;
	}
	if (elf_getphdrnum(e, &nphdr))
		nphdr = 0;

	/* program headers: PT_LOAD segments */
	v->segments = kwb_zalloc((nphdr ? nphdr : 1) * sizeof(*v->segments));
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		v->segments[v->nsegments++] = (ksegment){ ph.p_vaddr, ph.p_paddr, ph.p_filesz,
							  ph.p_memsz, ph.p_offset, ph.p_flags };
	}
	if (!v->nsegments) {
		fail(err, errlen, v->path, "no PT_LOAD segment");
		return -1;
	}

	/* section headers, checked against the file size */
	shdrs = kwb_zalloc((nshdr ? nshdr : 1) * sizeof(*shdrs));
	for (size_t i = 0; i < nshdr; i++) {
		Elf_Scn *s = elf_getscn(e, i);
		if (!s || !gelf_getshdr(s, &shdrs[i])) {
			fail(err, errlen, v->path, "bad section header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		if (shdrs[i].sh_type != SHT_NOBITS && !in_file(shdrs[i].sh_offset, shdrs[i].sh_size, v->file_size)) {
			fail(err, errlen, v->path, "truncated: section %zu (offset 0x%llx size 0x%llx) runs past the end (0x%llx)",
			     i, (unsigned long long)shdrs[i].sh_offset, (unsigned long long)shdrs[i].sh_size,
			     (unsigned long long)v->file_size);
			goto out;
		}
		if (shdrs[i].sh_type == SHT_SYMTAB && symidx < 0) {
			symidx = (int)i;
			symscn = s;
		}
	}
	/* Section names: only from a real string table (its copy ends in a
	 * NUL); names outside what was copied are "?". */
	size_t shstrsz = 0;
	if (shstrndx < nshdr && shdrs[shstrndx].sh_type == SHT_STRTAB)
		shstrsz = shdrs[shstrndx].sh_size;
	v->shstrtab = kwb_zalloc(shstrsz + 1);
	if (shstrsz)
		memcpy(v->shstrtab, raw + shdrs[shstrndx].sh_offset, shstrsz);
	v->sections = kwb_zalloc((nshdr ? nshdr : 1) * sizeof(*v->sections));
	for (size_t i = 0; i < nshdr; i++) {
		GElf_Shdr *sh = &shdrs[i];
		if (!(sh->sh_flags & SHF_ALLOC) || !sh->sh_size)
			continue;
		v->sections[v->nsections++] = (ksection){
			.name = sh->sh_name < shstrsz ? v->shstrtab + sh->sh_name : "?",
			.addr = sh->sh_addr, .size = sh->sh_size, .offset = sh->sh_offset,
			.flags = sh->sh_flags, .nobits = sh->sh_type == SHT_NOBITS,
		};
	}
	if (symidx < 0) {
		fail(err, errlen, v->path, "no symbol table (.symtab): was it stripped?");
		goto out;
	}
	if (shdrs[symidx].sh_entsize != sizeof(Elf64_Sym)) {
		fail(err, errlen, v->path, "section .symtab: entry size %llu",
		     (unsigned long long)shdrs[symidx].sh_entsize);
		goto out;
	}
	if (load_symbols(v, e, symscn, &shdrs[symidx], shdrs, nshdr, err, errlen))
		goto out;
	take_sample(v, raw);
	ret = 0;
out:
	free(shdrs);
	return ret;
}

vmlinux *vmlinux_open(const char *path, const char *arch, char *err, size_t errlen)
{
	vmlinux *v;
	struct stat st;
	Elf *e;
	int fd, r;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		fail(err, errlen, path, "libelf: %s", elf_errmsg(-1));
		return NULL;
	}
	const char *why;
	fd = kwb_open_input(path, false, &why);
	if (fd < 0) {
		fail(err, errlen, path, "%s", why);
		return NULL;
	}
	if (fstat(fd, &st)) {
		fail(err, errlen, path, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		fail(err, errlen, path, st.st_size < 4 ? "not an ELF file (%lld bytes)"
		     : "truncated: %lld bytes, shorter than an ELF header", (long long)st.st_size);
		close(fd);
		return NULL;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		fail(err, errlen, path, "not a readable ELF file: %s", elf_errmsg(-1));
		close(fd);
		return NULL;
	}
	v = kwb_zalloc(sizeof(*v));
	v->path = kwb_strdup(path);
	v->file_size = (uint64_t)st.st_size;
	r = parse(v, e, arch, err, errlen);
	elf_end(e);
	close(fd);
	if (r) {
		vmlinux_free(v);
		return NULL;
	}
	return v;
}

void vmlinux_free(vmlinux *v)
{
	if (!v)
		return;
	free(v->path);
	free(v->syms);
	free(v->hash);
	free(v->same_name);
	free(v->strtab);
	free(v->shstrtab);
	free(v->sections);
	free(v->segments);
	free(v);
}

const ksection *vmlinux_section_at(const vmlinux *v, uint64_t addr)
{
	for (int i = 0; i < v->nsections; i++)
		if (addr - v->sections[i].addr < v->sections[i].size)
			return &v->sections[i];
	return NULL;
}

void vmlinux_span(const vmlinux *v, uint64_t *lo, uint64_t *hi)
{
	*lo = ~0ull;
	*hi = 0;
	for (int i = 0; i < v->nsegments; i++) {
		const ksegment *s = &v->segments[i];
		if (s->vaddr < *lo)
			*lo = s->vaddr;
		if (s->vaddr + s->memsz > *hi)
			*hi = s->vaddr + s->memsz;
	}
}

const ksym *vmlinux_sym_at(const vmlinux *v, uint64_t addr, uint64_t *off)
{
	int lo = 0, hi = v->nsyms - 1, found = -1;
	uint64_t at;

	if (!vmlinux_section_at(v, addr))
		return NULL;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (v->syms[mid].addr <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (found < 0)
		return NULL;
	/* the best-ranked symbol at that address comes first */
	at = v->syms[found].addr;
	while (found > 0 && v->syms[found - 1].addr == at)
		found--;
	if (off)
		*off = addr - at;
	return &v->syms[found];
}

int vmlinux_each_named(const vmlinux *v, const char *name,
		       void (*fn)(const ksym *s, void *opaque), void *opaque)
{
	uint32_t h = name_hash(name) & v->hash_mask;
	int n = 0;

	while (v->hash[h] && strcmp(ksym_name(v, &v->syms[v->hash[h] - 1]), name))
		h = (h + 1) & v->hash_mask;
	for (uint32_t i = v->hash[h]; i; i = v->same_name[i - 1]) {
		n++;
		if (fn)
			fn(&v->syms[i - 1], opaque);
	}
	return n;
}

static void keep_best(const ksym *s, void *opaque)
{
	const ksym **best = opaque;

	if (!*best || s->rank < (*best)->rank)
		*best = s;
}

const ksym *vmlinux_sym_named(const vmlinux *v, const char *name)
{
	const ksym *best = NULL;

	vmlinux_each_named(v, name, keep_best, &best);
	return best;
}

bool vmlinux_format(const vmlinux *v, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const ksym *s = v ? vmlinux_sym_at(v, addr, &off) : NULL;

	if (!s) {
		if (len)
			buf[0] = 0;
		return false;
	}
	if (off)
		snprintf(buf, len, "%s+0x%llx", ksym_name(v, s), (unsigned long long)off);
	else
		snprintf(buf, len, "%s", ksym_name(v, s));
	return true;
}
