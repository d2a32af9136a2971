/*
 * User presence without a button. The provider must not prompt in the
 * ordinary sense (OpenSSH owns the PIN prompts), but presence is a yes/no
 * question that OpenSSH never asks on our behalf; we ask it the way
 * ssh-agent's confirm option does: SSH_ASKPASS with
 * SSH_ASKPASS_PROMPT=confirm, or the controlling terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "presence.h"
#include "sk-api.h"

#define PRESENCE_HELP \
	"enroll with -O no-touch-required (and add no-touch-required to " \
	"authorized_keys), use -O verify-required so the PIN shows presence, " \
	"or set SK_TPM_PRESENCE=assume"

static int
confirm_askpass(const char *askpass, const char *prompt)
{
	pid_t pid;
	int status = 0, devnull;

	if ((pid = fork()) == -1) {
		sk_debug("%s: fork: %s", __func__, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Our stdout belongs to ssh-sk-helper's /dev/null; keep
		 * askpass's answer text away from everything. */
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			if (devnull > STDERR_FILENO)
				close(devnull);
		}
		setenv("SSH_ASKPASS_PROMPT", "confirm", 1);
		execlp(askpass, askpass, prompt, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	sk_debug("%s: askpass status %d", __func__, status);
	return 1;
}

static int
confirm_tty(const char *prompt)
{
	char answer[16];
	ssize_t n;
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (dprintf(fd, "%s [y/N] ", prompt) < 0)
		goto out;
	n = read(fd, answer, sizeof(answer) - 1);
	if (n <= 0)
		goto out;
	answer[n] = '\0';
	r = (answer[0] == 'y' || answer[0] == 'Y') ? 0 : 1;
out:
	close(fd);
	return r;
}

int
presence_confirm(const struct sk_config *cfg, const char *application)
{
	char prompt[256];
	int r;

	if (cfg->presence_assume) {
		sk_debug("presence asserted by SK_TPM_PRESENCE=assume");
		return 0;
	}
	snprintf(prompt, sizeof(prompt),
	    "Allow the TPM key for %s to sign in?", application);
	if (cfg->askpass_usable) {
		r = confirm_askpass(cfg->askpass, prompt);
		if (r == 0)
			return 0;
		if (r == 1) {
			sk_error("user presence was declined");
			return SSH_SK_ERR_GENERAL;
		}
	}
	r = confirm_tty(prompt);
	if (r == 0)
		return 0;
	if (r == 1) {
		sk_error("user presence was declined");
		return SSH_SK_ERR_GENERAL;
	}
	sk_error("this key requires user presence but there is no terminal "
	    "or askpass to confirm it: " PRESENCE_HELP);
	return SSH_SK_ERR_GENERAL;
}
