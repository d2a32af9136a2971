/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * User presence without a button. The provider must not prompt in the
 * ordinary sense (OpenSSH owns the PIN prompts), but presence is a yes/no
 * question that OpenSSH never asks on our behalf; we ask it the way
 * ssh-agent's confirm option does: SSH_ASKPASS with
 * SSH_ASKPASS_PROMPT=confirm, or the controlling terminal.
 *
 * The application in the question comes from a key handle or an NV
 * record, which may be hostile: it is shown with every byte outside
 * printable ASCII escaped, so that it cannot drive the terminal or the
 * dialog. An answer counts only as OpenSSH's own ask_permission() counts
 * it, and no question waits longer than cfg->presence_timeout_ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "log.h"
#include "presence.h"
#include "sk-api.h"

#define PRESENCE_HELP \
	"enroll with -O no-touch-required (and add no-touch-required to " \
	"authorized_keys), use -O verify-required so the PIN shows presence, " \
	"or set SK_TPM_PRESENCE=assume"
/* Bytes of the application shown before "..." (escapes count as 4). */
#define APP_SHOWN_MAX	160
/* What OpenSSH reads of an askpass's answer. */
#define ANSWER_MAX	1024

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left_ms(long deadline)
{
	long left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

void
presence_sanitize(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (outlen == 0)
		return;
	for (; *p != '\0'; p++) {
		if (o + 8 >= outlen || o >= APP_SHOWN_MAX) {
			if (o + 4 <= outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			out[o++] = (char)*p;
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 0xf];
		}
	}
	out[o] = '\0';
}

/* Every descriptor above stderr, in the child between fork and exec. */
static void
close_from_3(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	closefrom(STDERR_FILENO + 1);
#else
	long fd, max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = STDERR_FILENO + 1; fd < max; fd++)
		(void)close((int)fd);
#endif
}

/* Wait for pid until the deadline, then kill it; always reaped. */
static int
reap(pid_t pid, long deadline, int *status)
{
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return 0;
		if (got == -1 && errno != EINTR)
			return -1;
		if (left_ms(deadline) == 0)
			break;
		(void)poll(NULL, 0, 20);
	}
	sk_debug("%s: askpass still running at the deadline; killed", __func__);
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 1;
}

/*
 * OpenSSH's ask_permission(): yes when the askpass exits 0 and the first
 * line of its output is empty or "yes" (any case). Anything else, such as
 * a PIN typed into a dialog that asked for one, is no.
 * 0: yes, 1: no, 2: no answer in time, -1: askpass could not be started.
 */
static int
confirm_askpass(const char *askpass, const char *prompt, int timeout_ms)
{
	char answer[ANSWER_MAX], sink[256];
	struct pollfd pfd;
	size_t have = 0;
	ssize_t n;
	pid_t pid;
	long deadline = now_ms() + timeout_ms;
	int p[2] = { -1, -1 }, status = 0, devnull, r = -1, reaped;

	if (pipe2(p, O_CLOEXEC) == -1) {
		sk_debug("%s: pipe: %s", __func__, strerror(errno));
		goto out;
	}
	if ((pid = fork()) == -1) {
		sk_debug("%s: fork: %s", __func__, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* stdin from /dev/null, stdout to us, stderr as ours; no
		 * other descriptor of ssh-sk-helper's (nor the TPM's). */
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(devnull, STDIN_FILENO) == -1 ||
		    dup2(p[1], STDOUT_FILENO) == -1)
			_exit(127);
		close_from_3();
		setenv("SSH_ASKPASS_PROMPT", "confirm", 1);
		execlp(askpass, askpass, prompt, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	p[1] = -1;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		n = poll(&pfd, 1, left_ms(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* the deadline, or an error */
		if (have < sizeof(answer) - 1)
			n = read(p[0], answer + have,
			    sizeof(answer) - 1 - have);
		else
			n = read(p[0], sink, sizeof(sink));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EOF */
		if (have < sizeof(answer) - 1)
			have += (size_t)n;
	}
	answer[have] = '\0';
	answer[strcspn(answer, "\r\n")] = '\0';
	if ((reaped = reap(pid, deadline, &status)) == -1)
		goto out;
	if (reaped == 1)
		r = 2;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    (answer[0] == '\0' || strcasecmp(answer, "yes") == 0))
		r = 0;
	else {
		sk_debug("%s: askpass status %d, %zu bytes of answer",
		    __func__, status, strlen(answer));
		r = 1;
	}
out:
	OPENSSL_cleanse(answer, sizeof(answer));
	OPENSSL_cleanse(sink, sizeof(sink));
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	return r;
}

/* 0: yes, 1: no, 2: no answer in time, -1: no terminal. */
static int
confirm_tty(const char *prompt, int timeout_ms)
{
	char answer[16];
	struct pollfd pfd;
	ssize_t n;
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	/* Whatever was typed before the question is no answer to it. */
	(void)tcflush(fd, TCIFLUSH);
	if (dprintf(fd, "%s [y/N] ", prompt) < 0)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) != 1) {
		(void)dprintf(fd, "\n");
		r = 2;
		goto out;
	}
	r = 1;
	n = read(fd, answer, sizeof(answer) - 1);
	if (n <= 0)
		goto out;
	answer[n] = '\0';
	r = (answer[0] == 'y' || answer[0] == 'Y') ? 0 : 1;
out:
	OPENSSL_cleanse(answer, sizeof(answer));
	close(fd);
	return r;
}

static int
answered(int r, const struct sk_config *cfg)
{
	if (r == 1)
		sk_error("user presence was declined");
	else
		sk_error("user presence was not confirmed within %d s",
		    cfg->presence_timeout_ms / 1000);
	return SSH_SK_ERR_GENERAL;
}

int
presence_confirm(const struct sk_config *cfg, const char *application)
{
	char prompt[256], app[APP_SHOWN_MAX + 8];
	int r;

	if (cfg->presence_assume) {
		sk_debug("presence asserted by SK_TPM_PRESENCE=assume");
		return 0;
	}
	presence_sanitize(application, app, sizeof(app));
	snprintf(prompt, sizeof(prompt),
	    "Allow the TPM key for %s to sign in?", app);
	if (cfg->askpass_usable) {
		r = confirm_askpass(cfg->askpass, prompt,
		    cfg->presence_timeout_ms);
		if (r == 0)
			return 0;
		if (r > 0)
			return answered(r, cfg);
	}
	r = confirm_tty(prompt, cfg->presence_timeout_ms);
	if (r == 0)
		return 0;
	if (r > 0)
		return answered(r, cfg);
	sk_error("this key requires user presence but there is no terminal "
	    "or askpass to confirm it: " PRESENCE_HELP);
	return SSH_SK_ERR_GENERAL;
}
