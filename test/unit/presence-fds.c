/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * presence-fds: prints "N TARGET" for each descriptor this process holds,
 * as /proc/self/fd shows it, leaving out the descriptor of that directory
 * itself. The askpass of test_presence.c runs it as a simple command (the
 * shell makes its redirection in the child, then executes this), so what
 * it holds beyond 0-2 is what the askpass inherited from the library.
 *
 * Listing the askpass shell's own /proc/PID/fd instead raced the shell:
 * "ls -l /proc/$$/fd | sed" lets ls run while the shell still holds the
 * pipeline's pipe (it closes its copy only after forking sed), and a glob
 * over /proc/$$/fd opens a directory descriptor in the shell as well.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(void)
{
	char path[64], target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int own, fd;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		perror("presence-fds: /proc/self/fd");
		return 1;
	}
	own = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd == own)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((n = readlink(path, target, sizeof(target) - 1)) == -1)
			n = 0;
		target[n] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return fflush(stdout) == 0 ? 0 : 1;
}
