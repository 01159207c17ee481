/*
 * Kernel, firmware, initrd and DTB loaders. Everything a file claims
 * (header sizes, program headers, load addresses) is checked against the
 * file and against guest RAM before a byte is copied, and every refusal is
 * one line naming the file and the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "loader.h"
#include "machine.h"

#define IMAGE_HEADER_SIZE 64
#define ARM64_MAGIC_OFF 0x38
#define RISCV_MAGIC_OFF 0x30
#define RISCV_MAGIC2_OFF 0x38

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) KWB_PRINTF(3, 4);
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *elf_machine_arch(unsigned em)
{
	switch (em) {
	case EM_AARCH64: return "aarch64";
	case EM_RISCV: return "riscv64";
	default: return NULL;
	}
}

/* Checks an ELF's header and program headers against the file; fills
 * arch and the span of its PT_LOAD segments. */
static int probe_elf(const char *path, int fd, uint64_t fsize, kernel_info *ki, char *err,
		     size_t errlen)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum;
	uint64_t lo = UINT64_MAX, hi = 0;
	int ret = -1;

	if (fsize < sizeof(Elf64_Ehdr))
		return fail(err, errlen, "kernel %s: truncated ELF header (%llu bytes, need %zu)",
			    path, (unsigned long long)fsize, sizeof(Elf64_Ehdr));
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		ret = fail(err, errlen, "kernel %s: unreadable ELF: %s", path, elf_errmsg(-1));
	else if (gelf_getclass(e) != ELFCLASS64)
		ret = fail(err, errlen, "kernel %s: 32-bit ELF (e_ident[EI_CLASS]); kwb needs a "
			   "64-bit kernel", path);
	else if (!gelf_getehdr(e, &eh))
		ret = fail(err, errlen, "kernel %s: bad ELF header: %s", path, elf_errmsg(-1));
	else if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		ret = fail(err, errlen, "kernel %s: big-endian ELF (e_ident[EI_DATA]); kwb runs "
			   "little-endian guests only", path);
	else if (!elf_machine_arch(eh.e_machine))
		ret = fail(err, errlen, "kernel %s: ELF e_machine %u is neither aarch64 (%u) nor "
			   "riscv64 (%u)", path, eh.e_machine, EM_AARCH64, EM_RISCV);
	else if (eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize > fsize ||
		 eh.e_phoff > fsize)
		ret = fail(err, errlen, "kernel %s: truncated: program headers (e_phoff 0x%llx, "
			   "e_phnum %u) end past the file's %llu bytes", path,
			   (unsigned long long)eh.e_phoff, eh.e_phnum, (unsigned long long)fsize);
	else if (elf_getphdrnum(e, &phnum) < 0)
		ret = fail(err, errlen, "kernel %s: bad program headers: %s", path,
			   elf_errmsg(-1));
	else
		ret = 0;
	for (size_t i = 0; ret == 0 && i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			ret = fail(err, errlen, "kernel %s: program header %zu unreadable: %s", path,
				   i, elf_errmsg(-1));
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			ret = fail(err, errlen, "kernel %s: PT_LOAD %zu: p_filesz 0x%llx larger "
				   "than p_memsz 0x%llx", path, i,
				   (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
		else if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
			ret = fail(err, errlen, "kernel %s: truncated: PT_LOAD %zu (p_offset 0x%llx "
				   "+ p_filesz 0x%llx) ends past the file's %llu bytes", path, i,
				   (unsigned long long)ph.p_offset,
				   (unsigned long long)ph.p_filesz, (unsigned long long)fsize);
		else if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
			ret = fail(err, errlen, "kernel %s: PT_LOAD %zu: p_paddr 0x%llx + p_memsz "
				   "wraps around", path, i, (unsigned long long)ph.p_paddr);
		if (ret == 0) {
			if (ph.p_paddr < lo)
				lo = ph.p_paddr;
			if (ph.p_paddr + ph.p_memsz > hi)
				hi = ph.p_paddr + ph.p_memsz;
		}
	}
	if (ret == 0 && hi == 0)
		ret = fail(err, errlen, "kernel %s: ELF has no PT_LOAD segment", path);
	if (ret == 0) {
		ki->format = KFMT_ELF;
		ki->arch = elf_machine_arch(eh.e_machine);
		ki->image_size = hi - lo;
	}
	if (e)
		elf_end(e);
	return ret;
}

/* The first bytes of an Image header cut short: text_offset and
 * image_size are there and plausible, the magic is not. */
static bool looks_like_cut_image(const uint8_t *h, uint64_t n)
{
	if (n < 0x18)
		return false;
	uint64_t text_offset = le64(h + 8), image_size = le64(h + 0x10);
	return image_size && !(image_size & 0xfff) && image_size < (1ull << 30) &&
	       !(text_offset & 0xfff) && text_offset < (64ull << 20);
}

/* The arm64 and RISC-V Image headers share their first fields: text_offset
 * at 8, image_size at 0x10, flags at 0x18 (bit 0: big-endian). */
static void read_image_header(kernel_info *ki, const uint8_t *h, enum kernel_format format,
			      const char *arch)
{
	ki->format = format;
	ki->arch = arch;
	ki->text_offset = le64(h + 8);
	ki->image_size = le64(h + 0x10);
	ki->flags = le64(h + 0x18);
	ki->big_endian = ki->flags & 1;
}

static int check_image_size(const kernel_info *ki, const char *path, char *err, size_t errlen)
{
	if (ki->image_size && ki->image_size < ki->file_size)
		return fail(err, errlen, "kernel %s: image_size 0x%llx at 0x10 is smaller "
			    "than the file (%llu bytes)", path, (unsigned long long)ki->image_size,
			    (unsigned long long)ki->file_size);
	return 0;
}

/* ---- gzip-compressed kernels ----
 * QEMU's arm64 boot (hw/arm/boot.c) decompresses a gzip -kernel (Image.gz,
 * what `make Image.gz` and distributions ship) up to 256 MiB and then
 * treats the result as the file. The last decompressed kernel is kept, so
 * probing and loading it inflate once. */
#define GUNZIP_MAX (256ull << 20)

static struct {
	char *path;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	uint8_t *data;
	size_t len;
} gz;

static bool is_gzip(const uint8_t *h, ssize_t n)
{
	return n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8;
}

static int gunzip_kernel(const char *path, int fd, const struct stat *st, char *err,
			 size_t errlen)
{
	z_stream z = { 0 };
	uint8_t *in, *out = NULL;
	size_t cap = 0, len = 0;
	int zr = Z_OK;

	if (gz.path && !strcmp(gz.path, path) && gz.dev == st->st_dev && gz.ino == st->st_ino &&
	    gz.mtime.tv_sec == st->st_mtim.tv_sec && gz.mtime.tv_nsec == st->st_mtim.tv_nsec)
		return 0;
	in = kwb_zalloc(st->st_size);
	if (pread(fd, in, st->st_size, 0) != st->st_size) {
		free(in);
		return fail(err, errlen, "kernel %s: cannot read the gzip data", path);
	}
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(in);
		return fail(err, errlen, "kernel %s: zlib: cannot start inflating", path);
	}
	z.next_in = in;
	z.avail_in = st->st_size;
	while (zr == Z_OK) {
		if (len == cap) {
			if (cap >= GUNZIP_MAX) {
				zr = Z_MEM_ERROR;
				break;
			}
			cap = cap ? 2 * cap : 4u << 20;
			if (cap > GUNZIP_MAX)
				cap = GUNZIP_MAX;
			out = kwb_realloc(out, cap);
		}
		z.next_out = out + len;
		z.avail_out = cap - len;
		zr = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
		if (zr == Z_BUF_ERROR && z.avail_in == 0)
			break;		/* the stream ended early */
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;	/* output full: grow and go on */
	}
	inflateEnd(&z);
	free(in);
	if (zr != Z_STREAM_END) {
		free(out);
		if (zr == Z_MEM_ERROR)
			return fail(err, errlen, "kernel %s: gzip data decompresses to more than %llu "
				    "MiB (QEMU's limit too)", path, GUNZIP_MAX >> 20);
		return fail(err, errlen, "kernel %s: gzip data %s at byte %llu of %llu", path,
			    zr == Z_BUF_ERROR || zr == Z_OK ? "truncated" : "corrupt",
			    (unsigned long long)(st->st_size - z.avail_in),
			    (unsigned long long)st->st_size);
	}
	free(gz.path);
	free(gz.data);
	gz.path = kwb_strdup(path);
	gz.dev = st->st_dev;
	gz.ino = st->st_ino;
	gz.mtime = st->st_mtim;
	gz.data = out;
	gz.len = len;
	return 0;
}

/* A gzip kernel: what the decompressed bytes are. Only an arm64 Image (or
 * an old raw arm64 kernel) is a kernel QEMU boots from gzip; anything else
 * would run compressed or header bytes as code, so it is refused. */
static int probe_gzip(const char *path, int fd, const struct stat *st, kernel_info *ki,
		      char *err, size_t errlen)
{
	const uint8_t *h;

	if (gunzip_kernel(path, fd, st, err, errlen) < 0)
		return -1;
	h = gz.data;
	ki->gzip = true;
	ki->file_size = gz.len;
	if (gz.len >= 4 && !memcmp(h, ELFMAG, SELFMAG))
		return fail(err, errlen, "kernel %s: a gzip-compressed ELF: QEMU would run the "
			    "decompressed ELF header as code; gunzip it and pass the ELF", path);
	if (gz.len >= IMAGE_HEADER_SIZE && (!memcmp(h + RISCV_MAGIC2_OFF, "RSC\x05", 4) ||
					    !memcmp(h + RISCV_MAGIC_OFF, "RISCV\0\0\0", 8))) {
		read_image_header(ki, h, KFMT_RISCV_IMAGE, "riscv64");
		return fail(err, errlen, "kernel %s: a gzip-compressed RISC-V Image: QEMU's "
			    "riscv64 virt does not decompress kernels (it would run the gzip "
			    "bytes); gunzip it and pass the Image", path);
	}
	if (gz.len >= IMAGE_HEADER_SIZE && !memcmp(h + ARM64_MAGIC_OFF, "ARM\x64", 4)) {
		read_image_header(ki, h, KFMT_ARM64_IMAGE, "aarch64");
		if (!ki->image_size)
			ki->text_offset = 0x80000;
		if (ki->big_endian)
			return fail(err, errlen, "kernel %s: big-endian arm64 Image inside the gzip "
				    "data (flags 0x%llx at 0x18, bit 0); kwb runs little-endian "
				    "guests only", path, (unsigned long long)ki->flags);
		return check_image_size(ki, path, err, errlen);
	}
	/* QEMU loads any other decompressed data raw at RAM + 0x80000 (a
	 * pre-3.7 arm64 kernel has no magic); the architecture is unknown. */
	ki->format = KFMT_RAW;
	ki->image_size = gz.len;
	return 0;
}

int loader_probe_kernel(const char *path, kernel_info *ki, char *err, size_t errlen)
{
	uint8_t h[IMAGE_HEADER_SIZE];
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	memset(ki, 0, sizeof(*ki));
	const char *why;
	fd = kwb_open_input(path, false, &why);
	if (fd < 0)
		return fail(err, errlen, "kernel %s: %s", path, why);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fail(err, errlen, "kernel %s: %s", path, strerror(errno));
	}
	ki->file_size = st.st_size;
	if (st.st_size == 0) {
		close(fd);
		return fail(err, errlen, "kernel %s: empty file", path);
	}
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0) {
		ret = fail(err, errlen, "kernel %s: %s", path, strerror(errno));
		goto out;
	}
	if (n < (ssize_t)sizeof(h))
		memset(h + n, 0, sizeof(h) - n);

	if (is_gzip(h, n)) {
		ret = probe_gzip(path, fd, &st, ki, err, errlen);
	} else if (n >= 4 && !memcmp(h, ELFMAG, SELFMAG)) {
		ret = probe_elf(path, fd, st.st_size, ki, err, errlen);
	} else if (n >= IMAGE_HEADER_SIZE && !memcmp(h + ARM64_MAGIC_OFF, "ARM\x64", 4)) {
		read_image_header(ki, h, KFMT_ARM64_IMAGE, "aarch64");
		if (!ki->image_size)	/* before Linux 3.17: fixed offset, size unknown */
			ki->text_offset = 0x80000;
		if (ki->big_endian)
			ret = fail(err, errlen, "kernel %s: big-endian arm64 Image (flags 0x%llx at "
				   "0x18, bit 0); kwb runs little-endian guests only", path,
				   (unsigned long long)ki->flags);
		else
			ret = check_image_size(ki, path, err, errlen);
	} else if (n >= IMAGE_HEADER_SIZE && (!memcmp(h + RISCV_MAGIC2_OFF, "RSC\x05", 4) ||
					      !memcmp(h + RISCV_MAGIC_OFF, "RISCV\0\0\0", 8))) {
		read_image_header(ki, h, KFMT_RISCV_IMAGE, "riscv64");
		if (ki->big_endian)
			ret = fail(err, errlen, "kernel %s: big-endian RISC-V Image (flags 0x%llx "
				   "at 0x18, bit 0)", path, (unsigned long long)ki->flags);
		else
			ret = check_image_size(ki, path, err, errlen);
	} else if (n < IMAGE_HEADER_SIZE && looks_like_cut_image(h, n)) {
		ret = fail(err, errlen, "kernel %s: truncated: %zd bytes, but it starts like a "
			   "kernel Image whose header alone is %d bytes (magic at 0x38)", path, n,
			   IMAGE_HEADER_SIZE);
	} else {
		ki->format = KFMT_RAW;
		ki->image_size = st.st_size;
	}
out:
	close(fd);
	return ret;
}

/* ---- placing bytes in guest RAM ---- */

/* Loading fails with one line; what the loader holds (a file buffer, a
 * libelf handle) is released first, so a fatal exit leaves nothing for
 * LeakSanitizer. */
#define WHY_LEN 512

/* Whether [pa, pa + size) is RAM; else the reason in why. */
static bool range_ok(machine *m, const char *what, const char *file, paddr_t pa, uint64_t size,
		     char *why)
{
	bus_region *ram = m->bus.ram, *r;

	if (!size || (pa + size >= pa && bus_ram_ptr(&m->bus, pa, size)))
		return true;
	if (pa + size < pa)
		snprintf(why, WHY_LEN, "%s %s: 0x%llx + 0x%llx wraps around the address space", what, file,
			 (unsigned long long)pa, (unsigned long long)size);
	else if ((r = bus_find(&m->bus, pa)) && r->host)
		snprintf(why, WHY_LEN, "%s %s: [0x%llx-0x%llx) does not fit: %s ends at 0x%llx", what, file,
			 (unsigned long long)pa, (unsigned long long)(pa + size), r->name,
			 (unsigned long long)(r->base + r->size));
	else if (ram)
		snprintf(why, WHY_LEN, "%s %s: [0x%llx-0x%llx) is not in RAM (RAM is [0x%llx-0x%llx))", what,
			 file, (unsigned long long)pa, (unsigned long long)(pa + size),
			 (unsigned long long)ram->base, (unsigned long long)(ram->base + ram->size));
	else
		snprintf(why, WHY_LEN, "%s %s: [0x%llx-0x%llx) is not in RAM", what, file,
			 (unsigned long long)pa, (unsigned long long)(pa + size));
	return false;
}

/* Whether [pa, pa + size) overlaps no image placed before; else why. */
static bool no_overlap(machine *m, const char *what, const char *file, paddr_t pa, uint64_t size,
		       char *why)
{
	for (int i = 0; i < m->nimages; i++) {
		const loaded_image *im = &m->images[i];

		if (size && im->size && pa < im->base + im->size && im->base < pa + size) {
			snprintf(why, WHY_LEN, "%s %s [0x%llx-0x%llx) overlaps %s %s [0x%llx-0x%llx)", what,
				 file, (unsigned long long)pa, (unsigned long long)(pa + size),
				 im->what, im->file ? im->file : "(generated)",
				 (unsigned long long)im->base, (unsigned long long)(im->base + im->size));
			return false;
		}
	}
	return true;
}

/* Copy data to [pa, pa + size) after the checks; false with why. */
static bool place(machine *m, const char *what, const char *file, paddr_t pa, const void *data,
		  uint64_t size, char *why)
{
	if (!range_ok(m, what, file, pa, size, why) || !no_overlap(m, what, file, pa, size, why))
		return false;
	if (size && bus_copy_to(&m->bus, pa, data, size) != BUS_OK) {
		snprintf(why, WHY_LEN, "%s %s: cannot write [0x%llx-0x%llx)", what, file,
			 (unsigned long long)pa, (unsigned long long)(pa + size));
		return false;
	}
	machine_add_image(m, what, file, pa, size);
	return true;
}

void loader_place(machine *m, const char *what, const char *file, paddr_t pa, const void *data,
		  uint64_t size)
{
	char why[WHY_LEN];

	if (!place(m, what, file, pa, data, size, why))
		kwb_fatal("%s", why);
}

uint64_t loader_load_raw(machine *m, const char *what, const char *path, paddr_t pa,
			 uint64_t max_size)
{
	const char *err;
	char why[WHY_LEN] = "";
	size_t size;
	uint8_t *buf = kwb_read_file(path, &size, &err);

	if (!buf)
		kwb_fatal("%s %s: %s", what, path, err);
	if (!size)
		snprintf(why, sizeof(why), "%s %s: empty file", what, path);
	else if (max_size && size > max_size)
		snprintf(why, sizeof(why), "%s %s: %zu bytes do not fit in the %llu bytes available at 0x%llx",
			 what, path, size, (unsigned long long)max_size, (unsigned long long)pa);
	else
		place(m, what, path, pa, buf, size, why);
	free(buf);
	if (why[0])
		kwb_fatal("%s", why);
	return size;
}

uint64_t loader_load_kernel(machine *m, const char *path, paddr_t pa, uint64_t max_size)
{
	kernel_info ki;
	char err[512];

	if (loader_probe_kernel(path, &ki, err, sizeof(err)) < 0)
		kwb_fatal("%s", err);
	if (!ki.gzip)
		return loader_load_raw(m, "kernel", path, pa, max_size);
	if (max_size && gz.len > max_size)
		kwb_fatal("kernel %s: %zu bytes (decompressed) do not fit in the %llu bytes available "
			  "at 0x%llx", path, gz.len, (unsigned long long)max_size, (unsigned long long)pa);
	loader_place(m, "kernel", path, pa, gz.data, gz.len);
	return gz.len;
}

uint64_t loader_load_elf(machine *m, const char *what, const char *path, paddr_t *lo_out,
			 paddr_t *hi_out)
{
	kernel_info ki;
	char err[512];
	GElf_Ehdr eh;
	size_t phnum, fsize;
	uint64_t lo = UINT64_MAX, hi = 0, entry = 0;
	bool entry_found = false;
	int fd;
	Elf *e;
	const uint8_t *raw = NULL;

	if (loader_probe_kernel(path, &ki, err, sizeof(err)) < 0) {
		/* the probe says "kernel"; say what this file is for */
		const char *rest = strchr(err, ' ');
		kwb_fatal("%s%s", what, rest ? rest : err);
	}
	if (ki.format != KFMT_ELF)
		kwb_fatal("%s %s: not an ELF file", what, path);
	if (m->arch && m->arch->name && strcmp(m->arch->name, ki.arch))
		kwb_fatal("%s %s: ELF for %s (e_machine), but the machine is %s", what, path,
			  ki.arch, m->arch->name);

	const char *open_err;
	char why[WHY_LEN] = "";
	fd = kwb_open_input(path, false, &open_err);
	if (fd < 0)
		kwb_fatal("%s %s: %s", what, path, open_err);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) < 0 ||
	    !(raw = (const uint8_t *)elf_rawfile(e, &fsize))) {
		snprintf(why, sizeof(why), "%s %s: unreadable ELF: %s", what, path, elf_errmsg(-1));
		goto out;
	}
	entry = eh.e_entry;

	/* First pass: every segment in RAM, none overlapping another or an
	 * earlier image. The probe already checked them against the file. */
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (!bus_ram_ptr(&m->bus, ph.p_paddr, ph.p_memsz)) {
			bus_region *ram = m->bus.ram;
			snprintf(why, sizeof(why), "%s %s: PT_LOAD %zu at p_paddr 0x%llx (0x%llx bytes) is not in RAM"
				 " [0x%llx-0x%llx)%s", what, path, i,
				 (unsigned long long)ph.p_paddr, (unsigned long long)ph.p_memsz,
				 (unsigned long long)(ram ? ram->base : 0),
				 (unsigned long long)(ram ? ram->base + ram->size : 0),
				 ph.p_vaddr >= (1ull << 47) ? "; a vmlinux links at virtual "
				 "addresses: boot the Image and give vmlinux to -symbols/gdb" : "");
			goto out;
		}
		if (!no_overlap(m, what, path, ph.p_paddr, ph.p_memsz, why))
			goto out;
		for (size_t j = 0; j < i; j++) {
			GElf_Phdr q;

			if (gelf_getphdr(e, (int)j, &q) && q.p_type == PT_LOAD && q.p_memsz &&
			    ph.p_paddr < q.p_paddr + q.p_memsz && q.p_paddr < ph.p_paddr + ph.p_memsz) {
				snprintf(why, sizeof(why), "%s %s: PT_LOAD %zu [0x%llx-0x%llx) overlaps PT_LOAD %zu",
					 what, path, i, (unsigned long long)ph.p_paddr,
					 (unsigned long long)(ph.p_paddr + ph.p_memsz), j);
				goto out;
			}
		}
		if (ph.p_paddr < lo)
			lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > hi)
			hi = ph.p_paddr + ph.p_memsz;
		if (!entry_found && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			entry = eh.e_entry - ph.p_vaddr + ph.p_paddr;
			entry_found = true;
		}
	}
	/* Second pass: copy, then zero the BSS tail. */
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		uint8_t *dst = bus_ram_ptr(&m->bus, ph.p_paddr, ph.p_memsz);
		/* checked by the probe, but the file may have changed since */
		if (!dst || ph.p_filesz > ph.p_memsz || ph.p_offset > fsize ||
		    ph.p_filesz > fsize - ph.p_offset) {
			snprintf(why, sizeof(why), "%s %s: PT_LOAD %zu changed while loading", what, path, i);
			goto out;
		}
		if (ph.p_filesz && bus_copy_to(&m->bus, ph.p_paddr, raw + ph.p_offset,
					       ph.p_filesz) != BUS_OK) {
			snprintf(why, sizeof(why), "%s %s: cannot write PT_LOAD %zu", what, path, i);
			goto out;
		}
		bus_will_write(&m->bus, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	if (why[0])
		kwb_fatal("%s", why);
	machine_add_image(m, what, path, lo, hi - lo);
	if (lo_out)
		*lo_out = lo;
	if (hi_out)
		*hi_out = hi;
	return entry;
}
