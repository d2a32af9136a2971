/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The small files of the EK round trip (attest-round.c, attest-ak.c): read
 * whole with a bound, and written private (0600, never through a link);
 * and attest export's public files, never written through a link either.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "attest-io.h"
#include "cli.h"

int
round_read_small(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, max, f);
	/* one byte more than max: too long */
	if (n == max && fgetc(f) != EOF)
		n = max + 1;
	fclose(f);
	if (n > max)
		return -1;
	*len = n;
	return 0;
}

int
round_write_private(const char *path, const uint8_t *buf, size_t len)
{
	struct stat st;
	int fd, ok;

	/* A file that exists already loses its other permissions first. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || fstat(fd, &st) != 0 ||
	    (S_ISREG(st.st_mode) && fchmod(fd, 0600) != 0)) {
		cli_error("%s: cannot write", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	ok = write(fd, buf, len) == (ssize_t)len;
	if (close(fd) != 0 || !ok) {
		cli_error("%s: cannot write", path);
		return -1;
	}
	return 0;
}

FILE *
export_open(const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int fd;

	/* O_NONBLOCK: opening a FIFO for writing would wait for a reader. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0644)) == -1 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || ftruncate(fd, 0) != 0 ||
	    (f = fdopen(fd, "wb")) == NULL) {
		cli_error("%s: cannot write (not a regular file, a symbolic "
		    "link, or no permission)", path);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}
