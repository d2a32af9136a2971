/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unlock tickets' files (ticket-store.h), on the SRK cache's
 * directory and file primitives.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "srk-cache-file.h"
#include "ticket-store.h"

#define SUFFIX		".ticket"

int
ticket_store_read(const char *name, uint8_t *buf, size_t size, size_t *len)
{
	int dir, r;

	*len = 0;
	if ((dir = srk_cache_dir_open(0)) == -1)
		return -1;
	r = srk_cache_file_read(dir, name, buf, size, len);
	close(dir);
	return r;
}

int
ticket_store_write(const char *name, const uint8_t *data, size_t len)
{
	int dir, r;

	if ((dir = srk_cache_dir_open(1)) == -1)
		return -1;
	r = srk_cache_file_write(dir, name, data, len);
	close(dir);
	return r;
}

int
ticket_store_remove(const char *name)
{
	int dir, r = 0;

	if ((dir = srk_cache_dir_open(0)) == -1)
		return 1;
	if (unlinkat(dir, name, 0) != 0) {
		r = errno == ENOENT ? 1 : -1;
		if (r == -1)
			sk_debug("removing the ticket %s: %s", name,
			    strerror(errno));
	}
	close(dir);
	return r;
}

int
ticket_store_each(void (*fn)(void *, const char *), void *ctx)
{
	DIR *d = NULL;
	struct dirent *e;
	size_t n, s = strlen(SUFFIX);
	int dir, r = -1;

	if ((dir = srk_cache_dir_open(0)) == -1)
		return -1;
	if ((d = fdopendir(dir)) == NULL) {
		close(dir);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n <= s ||
		    strcmp(e->d_name + n - s, SUFFIX) != 0)
			continue;
		fn(ctx, e->d_name);
	}
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	return r;
}
