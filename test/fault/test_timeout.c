/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A TPM that stops answering in the middle of a signature: the simulator
 * gets SIGSTOP just as TPM2_Sign goes out (the fault TCTI's kill mode, in
 * front of the TCTI the library would use). The library must give up
 * after SK_TPM_TIMEOUT seconds with one clean line, and once the
 * simulator runs again (SIGCONT) nothing it loaded may stay in the TPM.
 *
 *   with-swtpm.sh --srk -- abrmd.sh test_timeout /abs/libtss2-tcti-fault.so
 *
 * Through tpm2-abrmd, the configuration doc/security.md documents for this:
 * the broker flushes what a connection held when it closes. The signature runs
 * in a child; a child still running HANG_S seconds after SK_TPM_TIMEOUT
 * (the library waiting without end) is a failure, not a hung test.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk-test-util.h"
#include "sk-api.h"
#include "tpm-util.h"

#define APP		"ssh:"
/* A PIN key: its signature has a session too (StartAuthSession, Load,
 * Sign), so the TPM can stop at each of the three. */
#define PIN		"161803"
#define FLAGS		SSH_SK_USER_VERIFICATION_REQD
#define TIMEOUT_S	3
#define HANG_S		30	/* a hang bound, not a speed test */
#define SETTLE_S	30

static const char *direct;	/* the simulator itself, for checks */
static char swtpm_pid[32];

static int
fail(const char *what)
{
	fprintf(stderr, "test_timeout: FAIL: %s\n", what);
	if (swtpm_pid[0] != '\0')
		(void)kill((pid_t)atol(swtpm_pid), SIGCONT);
	return 1;
}

static int
read_pid(const char *file)
{
	FILE *f = fopen(file, "r");

	if (f == NULL || fgets(swtpm_pid, sizeof(swtpm_pid), f) == NULL) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	swtpm_pid[strcspn(swtpm_pid, "\n")] = '\0';
	return atol(swtpm_pid) > 0 ? 0 : -1;
}

/* The signature, in a child: its result as the exit status, its stderr
 * in err_path. */
static pid_t
sign_in_child(const struct sk_enroll_response *e, const char *err_path)
{
	static const uint8_t data[] = "timeout test";
	struct sk_sign_response *s = NULL;
	pid_t pid;
	int r;

	if ((pid = fork()) != 0)
		return pid;
	if (freopen(err_path, "w", stderr) == NULL)
		_exit(99);
	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, FLAGS, PIN, NULL, &s);
	fflush(stderr);
	_exit(r == 0 ? 0 : -r);
}

/* SIGSTOP just as the command at goes out; SIGCONT after the call. */
static int
stop_at(const char *at, const struct sk_enroll_response *e)
{
	char err_path[] = "/tmp/sk-tpm-timeout.XXXXXX", line[512] = "";
	char rest[512];
	double t0, t1, secs = 0;
	pid_t child;
	int status = 0, fd, left = -1, done = 0;
	FILE *f;

	setenv("SK_FAULT_AT", at, 1);
	if ((fd = mkstemp(err_path)) == -1)
		return fail("mkstemp");
	close(fd);

	t0 = stu_now();
	if ((child = sign_in_child(e, err_path)) == -1)
		return fail("fork");
	while (!done && (secs = stu_now() - t0) < TIMEOUT_S + HANG_S) {
		if (waitpid(child, &status, WNOHANG) == child)
			done = 1;
		else
			usleep(20000);
	}
	if (!done) {
		(void)kill((pid_t)atol(swtpm_pid), SIGCONT);
		(void)kill(child, SIGKILL);
		(void)waitpid(child, &status, 0);
		unlink(err_path);
		return fail("the signature was still waiting for the stopped "
		    "TPM 30 s after SK_TPM_TIMEOUT");
	}
	if ((f = fopen(err_path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		if (fgets(rest, sizeof(rest), f) != NULL)
			return fail("more than one line on stderr");
		fclose(f);
	}
	unlink(err_path);
	printf("# TPM stopped at %s, SK_TPM_TIMEOUT=%d: the call returned "
	    "%d after %.1f s: %s", at, TIMEOUT_S,
	    WIFEXITED(status) ? -WEXITSTATUS(status) : -1000, secs, line);
	if (!WIFEXITED(status) || (WEXITSTATUS(status) !=
	    -SSH_SK_ERR_DEVICE_NOT_FOUND && WEXITSTATUS(status) !=
	    -SSH_SK_ERR_GENERAL))
		return fail("not a clean SSH_SK_ERR_*");
	if (strncmp(line, "sk-tpm: the TPM did not answer within 3 s",
	    41) != 0)
		return fail("not the line about the TPM not answering");
	if (secs < TIMEOUT_S - 0.5)
		return fail("returned before the TPM could have answered");

	/* Running again: the broker gets the TPM's late answer, sees the
	 * connection gone and flushes what it held. */
	if (kill((pid_t)atol(swtpm_pid), SIGCONT) != 0)
		return fail("SIGCONT");
	/* Bounded by the clock, not by a count of tries. */
	t1 = stu_now();
	while ((left = tu_count_leftovers(direct)) != 0 &&
	    stu_now() - t1 < SETTLE_S)
		usleep(100000);
	printf("# after SIGCONT: %d transient objects and sessions left in "
	    "the TPM (%.1f s later)\n", left, stu_now() - t1);
	if (left != 0)
		return fail("the TPM still holds what the signature loaded");

	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t challenge[32] = { 9 };
	struct sk_enroll_response *e = NULL;
	static const char *sites[] = { "StartAuthSession:1", "Load:1",
	    "Sign:1" };
	char fault_tcti[1024], kill_cmd[512];
	const char *tcti, *pid_file;
	pid_t child;
	int status = 0, i;

	setvbuf(stdout, NULL, _IONBF, 0);
	tcti = getenv("SK_TPM_TCTI");
	direct = getenv("SK_TPM_TCTI_DIRECT");
	pid_file = getenv("SWTPM_PIDFILE");
	if (argc != 2 || tcti == NULL || direct == NULL || pid_file == NULL) {
		fprintf(stderr, "usage: with-swtpm.sh --srk -- abrmd.sh "
		    "test_timeout /abs/path/libtss2-tcti-fault.so\n");
		return 2;
	}
	if (read_pid(pid_file) != 0)
		return fail("no simulator pid");
	unsetenv("SK_TPM_DEBUG");
	unsetenv("SK_TPM_PRESENCE");
	setenv("TSS2_LOG", "all+NONE", 1);

	/* A key, made with the TPM answering. Directly: GLib, under the
	 * broker's TCTI, does not survive a fork, so this process leaves the
	 * broker to its children. */
	setenv("SK_TPM_TCTI", direct, 1);
	if (sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, FLAGS,
	    PIN, NULL, &e) != 0)
		return fail("enrollment");
	if (tu_count_leftovers(direct) != 0)
		return fail("leftovers after the enrollment");

	snprintf(fault_tcti, sizeof(fault_tcti), "%s:%s", argv[1], tcti);
	snprintf(kill_cmd, sizeof(kill_cmd), "kill -STOP %s", swtpm_pid);
	setenv("SK_FAULT_MODE", "kill", 1);
	setenv("SK_FAULT_KILL_CMD", kill_cmd, 1);
	setenv("SK_TPM_TIMEOUT", "3", 1);
	for (i = 0; i < (int)(sizeof(sites) / sizeof(sites[0])); i++) {
		setenv("SK_TPM_TCTI", fault_tcti, 1);
		if (stop_at(sites[i], e) != 0)
			return 1;
	}

	/* And the key still signs. */
	unsetenv("SK_FAULT_AT");
	setenv("SK_TPM_TCTI", tcti, 1);
	if ((child = sign_in_child(e, "/dev/null")) == -1 ||
	    waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return fail("signing after the TPM came back");
	stu_free_enroll(e);
	printf("# PASS\n");
	return 0;
}
