/*
 * Whether the TCTI we opened reaches the TPM through a resource manager
 * that flushes what a connection holds when it closes: the kernel's
 * /dev/tpmrm<N> and tpm2-abrmd do; a direct device (/dev/tpm0), a
 * simulator (swtpm:, mssim:) or any TCTI we do not know may not, and there
 * every object and session stays flushed explicitly. The answer only ever
 * saves a FlushContext right before the connection closes (tpm-session.c
 * object_release), so an unknown TCTI is taken as direct.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

/* /dev/tpmrm<N>, after following symbolic links. */
static bool
device_is_rm(const char *path)
{
	char real[PATH_MAX];
	const char *base, *p;

	if (path == NULL || *path == '\0')
		return false;	/* the default list starts at /dev/tpmrm0
				 * but goes on to /dev/tpm0 */
	if (realpath(path, real) != NULL)
		path = real;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (strncmp(base, "tpmrm", 5) != 0 || base[5] == '\0')
		return false;
	for (p = base + 5; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

bool
tcti_flushes_on_close(const char *tcti)
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
			return device_is_rm(conf);
		if (strcmp(name, "pcap") != 0)
			return false;
		tcti = conf;
	}
	return false;
}
