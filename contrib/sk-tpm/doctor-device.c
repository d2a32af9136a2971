/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: /dev/tpmrm0, which the library opens without SK_TPM_TCTI,
 * and whether this account may open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor-checks.h"

#define TPMRM_PATH	"/dev/tpmrm0"
#define TPM0_PATH	"/dev/tpm0"
#define TSS_GROUP	"tss"

/* The kernel's TPM resource manager, which the library opens without
 * SK_TPM_TCTI. A build made for the tests (test/cli, SK_TPM_DOCTOR_TEST)
 * examines a stand-in file instead, to exercise the permission advice. */
const char *
doctor_tpmrm_path(void)
{
#ifdef SK_TPM_DOCTOR_TEST
	const char *p = getenv("SK_TPM_DOCTOR_TPMRM");

	if (p != NULL && *p != '\0')
		return p;
#endif
	return TPMRM_PATH;
}

/* A copy: getpwuid()'s result is overwritten by the next lookup. */
static void
user_name(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());

	snprintf(buf, len, "%s", pw != NULL ? pw->pw_name : "you");
}

static bool
in_group(gid_t gid)
{
	gid_t groups[256];
	int i, n;

	if (getegid() == gid)
		return true;
	if ((n = getgroups((int)(sizeof(groups) / sizeof(groups[0])),
	    groups)) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Listed as a member in the group database (which only takes effect in
 * sessions started after the change). */
static bool
listed_in_group(const struct group *gr, const char *name)
{
	char **m;

	for (m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, name) == 0)
			return true;
	return false;
}

void
check_device(struct doctor *d, char *denied, size_t denied_len)
{
	struct stat st;
	struct passwd *owner;
	struct group *gr, *tss;
	const char *path = doctor_tpmrm_path();
	char me[64];
	int fd;

	denied[0] = '\0';
	user_name(me, sizeof(me));
	if (stat(path, &st) != 0) {
		if (stat(TPM0_PATH, &st) == 0)
			report(d, INFO, "%s: absent, but %s exists: the "
			    "kernel offers no TPM 2.0 resource manager (a TPM "
			    "1.2 chip, or a kernel older than 4.12); sk-tpm "
			    "needs %s or tpm2-abrmd", path, TPM0_PATH,
			    TPMRM_PATH);
		else
			report(d, INFO, "%s: absent: the kernel found no TPM "
			    "2.0 (is it enabled in the firmware setup?)",
			    path);
		return;
	}
	owner = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	report(d, INFO, "%s: present, owner %s, group %s, mode %04o",
	    path, owner != NULL ? owner->pw_name : "?",
	    gr != NULL ? gr->gr_name : "?", (unsigned int)(st.st_mode & 07777));

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) != -1) {
		close(fd);
		report(d, OK, "%s: %s can open it", path, me);
	} else if (errno == EACCES || errno == EPERM) {
		if (gr != NULL && listed_in_group(gr, me) &&
		    !in_group(gr->gr_gid))
			snprintf(denied, denied_len, "%s: permission denied: "
			    "%s was added to group %s after this session "
			    "started; log out and in again", path, me,
			    gr->gr_name);
		else if (gr != NULL && (st.st_mode & 060) == 060)
			snprintf(denied, denied_len, "%s: permission denied "
			    "for %s; add yourself to group %s (sudo usermod "
			    "-aG %s %s), then log in again", path, me,
			    gr->gr_name, gr->gr_name, me);
		else
			snprintf(denied, denied_len, "%s: permission denied "
			    "for %s, and its group may not use it either; "
			    "install the tpm2-tss udev rules (Debian: "
			    "tpm-udev), which give group %s read and write "
			    "access", path, me, TSS_GROUP);
	} else
		snprintf(denied, denied_len, "%s: cannot be opened: %s",
		    path, strerror(errno));

	if ((tss = getgrnam(TSS_GROUP)) == NULL)
		report(d, INFO, "group %s: does not exist on this system",
		    TSS_GROUP);
	else if (in_group(tss->gr_gid))
		report(d, OK, "group %s: %s is a member", TSS_GROUP, me);
	else if (geteuid() == 0)
		report(d, INFO, "group %s: root is not a member (and need "
		    "not be); other users do", TSS_GROUP);
	else
		report(d, INFO, "group %s: %s is not a member", TSS_GROUP, me);
}

