/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether the TCTI we opened reaches the TPM through a resource manager
 * that flushes what a connection holds when it closes: the kernel's
 * resource manager and tpm2-abrmd do; a direct device (/dev/tpm0), a
 * simulator (swtpm:, mssim:) or any TCTI we do not know may not, and there
 * every object and session stays flushed explicitly. The answer only ever
 * saves a FlushContext right before the connection closes (tpm-session.c
 * object_release), so whatever we are unsure of is taken as direct.
 *
 * A device is judged by what the kernel says it is, never by its name: a
 * direct TPM given to a container as /dev/tpmrm0 is still direct. Its
 * sysfs class (/sys/dev/char/MAJ:MIN/subsystem, a link to .../class/tpmrm
 * or .../class/tpm) decides; no sysfs, no entry or another class is
 * "unsure", and flushes.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tpm-internal.h"

#define TCTI_LIB_PREFIX	"libtss2-tcti-"

/* The TCTI's short name from "name[:conf]", "libtss2-tcti-name.so.0[:conf]"
 * or a path to such a library; *conf points after the first ':' or NULL. */
static void
tcti_split(const char *tcti, char *name, size_t size, const char **conf)
{
	const char *colon, *base, *p;
	size_t len;

	colon = strchr(tcti, ':');
	*conf = colon != NULL ? colon + 1 : NULL;
	len = colon != NULL ? (size_t)(colon - tcti) : strlen(tcti);
	base = tcti;
	for (p = tcti; p < tcti + len; p++)
		if (*p == '/')
			base = p + 1;
	len -= (size_t)(base - tcti);
	if (len > strlen(TCTI_LIB_PREFIX) &&
	    strncmp(base, TCTI_LIB_PREFIX, strlen(TCTI_LIB_PREFIX)) == 0) {
		base += strlen(TCTI_LIB_PREFIX);
		len -= strlen(TCTI_LIB_PREFIX);
		for (p = base; p < base + len; p++)
			if (strncmp(p, ".so", 3) == 0) {
				len = (size_t)(p - base);
				break;
			}
	}
	if (len >= size)
		len = 0;
	memcpy(name, base, len);
	name[len] = '\0';
}

bool
tcti_device_is_rm(const char *path, const char *sysfs)
{
	char entry[PATH_MAX], link[PATH_MAX];
	const char *base;
	struct stat st;
	ssize_t n;

	if (path == NULL || *path == '\0')
		return false;	/* the default list starts at /dev/tpmrm0
				 * but goes on to /dev/tpm0 */
	if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode)) {
		sk_debug("%s: not a character device; taken as a direct "
		    "TPM", path);
		return false;
	}
	if (snprintf(entry, sizeof(entry), "%s/dev/char/%u:%u/subsystem",
	    sysfs, major(st.st_rdev), minor(st.st_rdev)) >=
	    (int)sizeof(entry))
		return false;
	if ((n = readlink(entry, link, sizeof(link) - 1)) < 0) {
		sk_debug("%s: no %s; taken as a direct TPM", path, entry);
		return false;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base != NULL ? base + 1 : link;
	if (strcmp(base, "tpmrm") != 0) {
		sk_debug("%s: a device of class %s, not tpmrm; taken as a "
		    "direct TPM", path, base);
		return false;
	}
	return true;
}

bool
tcti_flushes_on_close(const char *tcti, const char *sysfs)
{
	char name[64];
	const char *conf;
	int depth;

	/* pcap records what passes through and changes nothing: look at
	 * the TCTI it wraps. */
	for (depth = 0; tcti != NULL && depth < 4; depth++) {
		tcti_split(tcti, name, sizeof(name), &conf);
		if (strcmp(name, "tabrmd") == 0)
			return true;
		if (strcmp(name, "device") == 0)
			return tcti_device_is_rm(conf, sysfs);
		if (strcmp(name, "pcap") != 0)
			return false;
		tcti = conf;
	}
	return false;
}
