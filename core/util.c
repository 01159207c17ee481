/* Error reporting and allocation helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kwb.h"
#include "chardev.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* One write per message: stderr is unbuffered, and a reader (a test,
	 * a launcher pane) must never see half a line. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "kwb: %s", prefix);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fflush(stdout);
	fwrite(line, 1, (size_t)n, stderr);
}

void kwb_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	chardev_restore_all();
	exit(1);
}

void kwb_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
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

uint8_t *kwb_read_file(const char *path, size_t *size, const char **err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f) {
		*err = strerror(errno);
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = "not a regular file";
		fclose(f);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		*err = "file too large to read";
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		*err = "read error";
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = st.st_size;
	return buf;
}
