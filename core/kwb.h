/* Common definitions shared by every part of kwb. */
#ifndef KWB_H
#define KWB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KWB_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define KWB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KWB_NORETURN __attribute__((noreturn))

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

/* Print "kwb: <msg>" to stderr and exit with status 1 (2 for usage errors). */
KWB_NORETURN void kwb_fatal(const char *fmt, ...) KWB_PRINTF(1, 2);
KWB_NORETURN void kwb_usage_error(const char *fmt, ...) KWB_PRINTF(1, 2);
/* Fuzz targets only (tests/fuzz/fuzz.h): called instead of exit() by the
 * two above, with messages unprinted; it must not return (longjmp). */
extern void (*kwb_exit_hook)(int status);
void kwb_warn(const char *fmt, ...) KWB_PRINTF(1, 2);
/* Allocation that never returns NULL (exits with a message instead). */
void *kwb_zalloc(size_t size);
void *kwb_realloc(void *p, size_t size);
char *kwb_strdup(const char *s);
/* Run fn at exit and when SIGINT, SIGTERM, SIGHUP or SIGQUIT ends kwb
 * (newest first, then the signal's default action); fn must be
 * async-signal-safe. core/cleanup.c */
void kwb_cleanup_add(void (*fn)(void));
void kwb_cleanup_remove(void (*fn)(void));
/* Open a file kwb reads guest input from (kernel, firmware, initrd, DTB,
 * config, vmlinux, disk): a regular file (block_ok: or a block device)
 * only, checked before anything could block on a FIFO or read an endless
 * device. Returns a blocking fd, or -1 and *err (static text: "not a
 * regular file (a FIFO)"). */
int kwb_open_input(const char *path, bool block_ok, const char **err);
/* "a FIFO", "a directory", ... for st_mode */
const char *kwb_file_kind(unsigned mode);
/* Read a whole regular file (kwb_open_input); returns NULL and sets *err
 * (static text) on failure. */
uint8_t *kwb_read_file(const char *path, size_t *size, const char **err);

/* The host's monotonic clock in ns (wall time for guards, pacing, slirp
 * and the gdb server's windows; never virtual time). */
static inline uint64_t kwb_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t sext(uint64_t v, unsigned bits)
{
	return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}
static inline uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & (hi - lo == 63 ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

#endif
