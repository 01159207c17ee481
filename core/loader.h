/*
 * Loaders: ELF, arm64/RISC-V Image, raw binaries, initrd, DTB. Each checks
 * that the file exists, is not truncated, is for the right architecture
 * and fits in RAM without overlapping what is already placed, and says
 * which file and field is wrong in one line otherwise.
 */
#ifndef KWB_LOADER_H
#define KWB_LOADER_H

#include "kwb.h"

struct machine;

enum kernel_format { KFMT_UNKNOWN = 0, KFMT_ELF, KFMT_ARM64_IMAGE, KFMT_RISCV_IMAGE, KFMT_RAW };

typedef struct kernel_info {
	enum kernel_format format;
	const char *arch;		/* "aarch64" / "riscv64" / NULL */
	uint64_t text_offset;		/* Image header */
	uint64_t image_size;		/* memory needed including BSS (0: unknown) */
	uint64_t flags;
	bool big_endian;
	bool gzip;			/* gzip-compressed file: the fields describe its content */
	uint64_t file_size;		/* of the (decompressed) content */
} kernel_info;

/* Inspect a kernel file (header only). Returns 0, or -1 with err set to a
 * one-line reason naming the file. */
int loader_probe_kernel(const char *path, kernel_info *ki, char *err, size_t errlen);

/* Place a whole file at pa (checked against RAM and earlier images). On
 * error: fatal, one line. Returns the size. */
uint64_t loader_load_raw(struct machine *m, const char *what, const char *path, paddr_t pa,
			 uint64_t max_size);
/* Place a kernel Image or raw kernel at pa as loader_load_raw does, its
 * decompressed content when the file is gzip-compressed (arm64 Image.gz). */
uint64_t loader_load_kernel(struct machine *m, const char *path, paddr_t pa, uint64_t max_size);
/* Load an ELF by its program headers (physical addresses); returns entry. */
uint64_t loader_load_elf(struct machine *m, const char *what, const char *path,
			 paddr_t *lo, paddr_t *hi);
/* Copy a host buffer into guest memory with the same checks. */
void loader_place(struct machine *m, const char *what, const char *file, paddr_t pa,
		  const void *data, uint64_t size);

/* -device loader,... (QEMU's generic loader): files, values and PCs,
 * applied after the board's boot set-up at every reset. */
void loader_devices_apply(struct machine *m);

#endif
