/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Storing the AK certificate (attest-cert.h) for `sk-tpm attest
 * install-cert`, which may run as root with a user's HOME: the directory
 * must be a real directory owned by the caller that no one else may write,
 * the certificate goes to a fresh file mkstemp makes in it (O_EXCL,
 * O_NOFOLLOW: nothing planted there is followed or truncated), which is
 * checked to be in that very directory and renamed over the target; a
 * target that is a symbolic link or anything but the caller's own regular
 * file is refused, not replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest-cert.h"
#include "log.h"

/* mkdir path (mode 0700) unless it exists. */
static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		sk_error("cannot make %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The directory, opened without following a link, if it is the caller's
 * and no one else may write it; -1 with the reason. */
static int
open_own_dir(const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		sk_error("%s: %s", path, errno == ELOOP || errno == ENOTDIR ?
		    "not a directory (a symbolic link?); refusing to write "
		    "there" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		sk_error("%s: owned by uid %u or writable by others; "
		    "refusing to write there as uid %u", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* The target may be replaced: absent, or the caller's regular file. */
static int
target_ok(int dfd, const char *name, const char *path)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		sk_error("%s: %s; not replaced", path, S_ISLNK(st.st_mode) ?
		    "a symbolic link" : "not a regular file of this user");
		return -1;
	}
	return 0;
}

int
ak_cert_install(int ak_kind, const uint8_t *der, size_t der_len)
{
	struct stat fst, lst;
	char path[4096], tmp[4200], *slash;
	const char *base;
	int dfd = -1, fd = -1, r = -1;

	if (ak_cert_user_path(ak_kind, path, sizeof(path)) != 0) {
		sk_error("neither XDG_CONFIG_HOME nor HOME is set");
		return -1;
	}
	/* .../sk-tpm and its parent. */
	slash = strrchr(path, '/');
	*slash = '\0';
	*strrchr(path, '/') = '\0';
	(void)mkdir(path, 0700);
	path[strlen(path)] = '/';
	if (make_dir(path) != 0 || (dfd = open_own_dir(path)) < 0)
		return -1;
	*slash = '/';
	tmp[0] = '\0';
	if (target_ok(dfd, ak_cert_name(ak_kind), path) != 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW)) < 0) {
		sk_error("cannot make a file next to %s: %s", path,
		    strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	/* The new file is in the directory checked above, not in one swapped
	 * in for it since. */
	base = strrchr(tmp, '/') + 1;
	if (fstat(fd, &fst) != 0 || fstatat(dfd, base, &lst,
	    AT_SYMLINK_NOFOLLOW) != 0 || fst.st_dev != lst.st_dev ||
	    fst.st_ino != lst.st_ino || !S_ISREG(fst.st_mode)) {
		sk_error("%s: the directory changed while writing", path);
		goto out;
	}
	if (fchmod(fd, 0644) != 0 ||
	    write(fd, der, der_len) != (ssize_t)der_len || fsync(fd) != 0) {
		sk_error("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (renameat(dfd, base, dfd, ak_cert_name(ak_kind)) != 0) {
		sk_error("cannot install %s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	sk_debug("installed %s", path);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		(void)unlink(tmp);
	close(dfd);
	return r;
}
