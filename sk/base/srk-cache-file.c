/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SRK context cache's directory and files (srk-cache-file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "srk-cache-file.h"

#define CACHE_DIR	"sk-tpm"

/* Owned by us and writable by nobody else (mask: the bits others must
 * not have). */
static int
ours(int fd, const char *what, mode_t mask)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		sk_debug("srk cache: %s: %s", what, strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & mask) != 0) {
		sk_debug("srk cache: %s is not ours alone (owner %u, mode "
		    "%04o); not used", what, (unsigned int)st.st_uid,
		    (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
srk_cache_dir_open(int create)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	int bfd = -1, dfd = -1, r = -1;

	if (base == NULL || base[0] != '/') {
		sk_debug("srk cache: XDG_RUNTIME_DIR is not set; not used");
		goto out;
	}
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd == -1) {
		sk_debug("srk cache: XDG_RUNTIME_DIR %s: %s", base,
		    strerror(errno));
		goto out;
	}
	if (ours(bfd, "XDG_RUNTIME_DIR", 022) != 0)
		goto out;
	if (create && mkdirat(bfd, CACHE_DIR, 0700) != 0 && errno != EEXIST) {
		sk_debug("srk cache: making %s/%s: %s", base, CACHE_DIR,
		    strerror(errno));
		goto out;
	}
	dfd = openat(bfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd == -1) {
		if (errno != ENOENT)
			sk_debug("srk cache: %s/%s: %s", base, CACHE_DIR,
			    strerror(errno));
		goto out;
	}
	if (ours(dfd, CACHE_DIR, 077) != 0)
		goto out;
	r = dfd;
	dfd = -1;
out:
	if (dfd != -1)
		close(dfd);
	if (bfd != -1)
		close(bfd);
	return r;
}

int
srk_cache_file_read(int dir, const char *name, uint8_t *buf, size_t size,
    size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, r = -1;

	*len = 0;
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		sk_debug("srk cache: %s: %s", name, strerror(errno));
		return -1;
	}
	if (ours(fd, name, 077) != 0)
		goto out;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)size) {
		sk_debug("srk cache: %s is not a cache file", name);
		goto out;
	}
	while (off < size) {
		n = read(fd, buf + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sk_debug("srk cache: reading %s: %s", name,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	*len = off;
	r = 0;
out:
	close(fd);
	return r;
}

int
srk_cache_file_write(int dir, const char *name, const uint8_t *data,
    size_t len)
{
	char tmp[256];
	uint32_t nonce;
	size_t off = 0;
	ssize_t n;
	int fd = -1, r = -1;

	if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		nonce = 0;
	if (snprintf(tmp, sizeof(tmp), ".%s.%ld.%08x", name, (long)getpid(),
	    nonce) >= (int)sizeof(tmp))
		return -1;
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		sk_debug("srk cache: creating %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sk_debug("srk cache: writing %s: %s", tmp,
			    n < 0 ? strerror(errno) : "no progress");
			goto out;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		fd = -1;
		sk_debug("srk cache: closing %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(dir, tmp, dir, name) != 0) {
		sk_debug("srk cache: renaming to %s: %s", name,
		    strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd != -1)
		close(fd);
	if (r != 0)
		(void)unlinkat(dir, tmp, 0);
	return r;
}
