/* Error reporting and allocation helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kwb.h"
#include "chardev.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* One write per message: stderr is unbuffered, and a reader (a test,
	 * a launcher pane) must never see half a line. */
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "kwb: %s", prefix);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (kwb_exit_hook)	/* a fuzz target: formatted, but expected, not news */
		return;
	fflush(stdout);
	fwrite(line, 1, (size_t)n, stderr);
}

void (*kwb_exit_hook)(int status);

void kwb_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	if (kwb_exit_hook)
		kwb_exit_hook(1);
	chardev_restore_all();
	exit(1);
}

void kwb_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	if (kwb_exit_hook)
		kwb_exit_hook(2);
	chardev_restore_all();
	exit(2);
}

void kwb_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void *kwb_zalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);
	if (!p)
		kwb_fatal("out of memory allocating %zu bytes", size);
	return p;
}

void *kwb_realloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		kwb_fatal("out of memory allocating %zu bytes", size);
	return p;
}

char *kwb_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(kwb_zalloc(n), s, n);
}

const char *kwb_file_kind(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	}
	return "not a file";
}

int kwb_open_input(const char *path, bool block_ok, const char **err)
{
	static _Thread_local char why[64];	/* symbols_prefetch opens beside the main thread */
	struct stat st;
	/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*err = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*err = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode))) {
		snprintf(why, sizeof(why), "not a regular file (%s)", kwb_file_kind(st.st_mode));
		*err = why;
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

uint8_t *kwb_read_file(const char *path, size_t *size, const char **err)
{
	int fd = kwb_open_input(path, false, err);
	struct stat st;
	uint8_t *buf;
	size_t done = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		*err = strerror(errno);
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		*err = "file too large to read";
		close(fd);
		return NULL;
	}
	/* what the file held when opened: one that grows meanwhile is cut */
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n ? strerror(errno) : "file shrank while being read";
			free(buf);
			close(fd);
			return NULL;
		}
		done += (size_t)n;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}
