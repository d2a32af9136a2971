/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The harness of the TPM fault programs (see fault-harness.h): the fault
 * TCTI armed and its log read, the library called and its outcome judged,
 * the keys made before any fault and checked after each, and the program's
 * start (environment, fault TCTI, the script that kills the simulator).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault-harness.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

const char *tcti;
char fault_tcti[1024];
char kill_cmd[256];
static char log_path[256];		/* SK_FAULT_LOG */
static char dir[] = "/tmp/sk-tpm-fault.XXXXXX";
static const char *restart_cmd;		/* SWTPM_RESTART */

struct sk_enroll_response *keep;
struct sk_enroll_response *keep_rk;
struct sk_enroll_response *keep_pin;

static char opt_name[] = "user", opt_value[64];
static struct sk_option opt_user = { opt_name, opt_value, 0 };
static struct sk_option *user_opts[] = { &opt_user, NULL };

/* --- the fault TCTI --- */

void
fault_set(const char *at, const char *mode, const char *times)
{
	setenv("SK_TPM_TCTI", fault_tcti, 1);
	setenv("SK_FAULT_AT", at, 1);
	setenv("SK_FAULT_MODE", mode, 1);
	if (times != NULL)
		setenv("SK_FAULT_TIMES", times, 1);
	else
		unsetenv("SK_FAULT_TIMES");
}

void
fault_clear(void)
{
	unsetenv("SK_FAULT_AT");
	unsetenv("SK_FAULT_MODE");
	unsetenv("SK_FAULT_TIMES");
	setenv("SK_TPM_TCTI", tcti, 1);
}

/* The fault log, read whole (small). */
char *
log_read(void)
{
	static char buf[65536];
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	if ((f = fopen(log_path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Lines of the log containing needle. */
int
log_count(const char *needle)
{
	const char *p = log_read();
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

void
log_reset(void)
{
	FILE *f = fopen(log_path, "w");

	assert_non_null(f);
	fclose(f);
}

/* --- library calls, timed, with their stderr --- */

void
run_enroll_pin(const char *app, uint8_t flags, const char *pin,
    const char *user, struct sk_enroll_response **e, struct outcome *o)
{
	uint8_t challenge[32] = { 7 };
	double t0;

	*e = NULL;
	if (user != NULL)
		snprintf(opt_value, sizeof(opt_value), "%s", user);
	assert_int_equal(stu_capture_start(), 0);
	t0 = stu_now();
	o->r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), app,
	    flags, pin, user != NULL ? user_opts : NULL, e);
	o->secs = stu_now() - t0;
	snprintf(o->err, sizeof(o->err), "%s", stu_capture_stop());
}

void
run_enroll(const char *app, uint8_t flags, const char *user,
    struct sk_enroll_response **e, struct outcome *o)
{
	run_enroll_pin(app, flags, NULL, user, e, o);
}

/* keep_pin is signed with its PIN, every other key without one. */
void
run_sign(const struct sk_enroll_response *e, const char *app,
    struct sk_sign_response **s, struct outcome *o)
{
	static const uint8_t data[] = "fault test data";
	const char *pin = e == keep_pin ? PIN : NULL;
	double t0;

	*s = NULL;
	assert_int_equal(stu_capture_start(), 0);
	t0 = stu_now();
	o->r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), app, e->key_handle,
	    e->key_handle_len, pin != NULL ? SSH_SK_USER_VERIFICATION_REQD : 0,
	    pin, NULL, s);
	o->secs = stu_now() - t0;
	snprintf(o->err, sizeof(o->err), "%s", stu_capture_stop());
	if (o->r == 0 && stu_verify(e->public_key, e->public_key_len, *s, app,
	    data, sizeof(data)) != 1)
		fail_msg("a signature made through the fault TCTI does not "
		    "verify");
}

/* A clean failure: an SSH_SK_ERR_* a caller understands, in bounded
 * time, exactly one line on stderr and that line from the library. */
void
expect_clean_failure(const char *what, const struct outcome *o,
    const char *needle)
{
	printf("# %s: %d after %.2f s: %s", what, o->r, o->secs, o->err);
	if (o->r != SSH_SK_ERR_GENERAL && o->r != SSH_SK_ERR_DEVICE_NOT_FOUND)
		fail_msg("%s: returned %d", what, o->r);
	if (o->secs >= FAULT_BOUND_S)
		fail_msg("%s: took %.1f s", what, o->secs);
	if (stu_count_lines(o->err) != 1 || stu_count_sk_lines(o->err) != 1)
		fail_msg("%s: expected one \"sk-tpm:\" line, got \"%s\"", what,
		    o->err);
	if (needle != NULL && strstr(o->err, needle) == NULL)
		fail_msg("%s: expected \"%s\" in \"%s\"", what, needle, o->err);
}

void
expect_success(const char *what, const struct outcome *o)
{
	if (o->r != 0 || o->err[0] != '\0')
		fail_msg("%s: returned %d, said \"%s\"", what, o->r, o->err);
	if (o->secs >= FAULT_BOUND_S)
		fail_msg("%s: took %.1f s", what, o->secs);
}

/* --- what must survive every fault --- */

size_t
resident_count(const uint8_t *want_point, int *found)
{
	struct sk_resident_key **rks = NULL;
	size_t n = 0, i;

	assert_int_equal(sk_load_resident_keys(NULL, NULL, &rks, &n), 0);
	*found = 0;
	for (i = 0; i < n; i++)
		if (memcmp(rks[i]->key.public_key, want_point, 65) == 0)
			*found = 1;
	stu_free_resident(rks, n);
	return n;
}

void
check_survivors(void)
{
	struct sk_sign_response *s = NULL;
	struct outcome o;
	int found;

	fault_clear();
	run_sign(keep, APP, &s, &o);
	expect_success("signing with a key made before the fault", &o);
	stu_free_sign(s);
	run_sign(keep_rk, RK_APP, &s, &o);
	expect_success("signing with the resident key", &o);
	stu_free_sign(s);
	run_sign(keep_pin, APP, &s, &o);
	expect_success("signing with the PIN key", &o);
	stu_free_sign(s);
	(void)resident_count(keep_rk->public_key, &found);
	assert_true(found);
	if (tu_count_leftovers(tcti) != 0)
		fail_msg("the TPM holds %d transient objects or sessions",
		    tu_count_leftovers(tcti));
}

void
restart_simulator(void)
{
	double t0 = stu_now();

	if (system(restart_cmd) != 0)
		fail_msg("%s failed", restart_cmd);
	printf("# simulator restarted in %.1f s\n", stu_now() - t0);
	/* A TPM that lost power without an orderly shutdown after a
	 * DA-protected key (keep_pin) was used counts that as a failed
	 * authorization; the tests kill it several times in a row, and the
	 * fixture allows 4 tries. */
	if (tu_da_reset(tcti) != 0)
		fail_msg("resetting the dictionary-attack counter failed");
}

/* --- fixtures --- */

int
fault_group_setup(void **state)
{
	struct outcome o;

	(void)state;
	fault_clear();
	run_enroll(APP, 0, NULL, &keep, &o);
	if (o.r != 0)
		return -1;
	run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, "keep", &keep_rk, &o);
	if (o.r != 0)
		return -1;
	run_enroll_pin(APP, SSH_SK_USER_VERIFICATION_REQD, PIN, NULL,
	    &keep_pin, &o);
	return o.r;
}

int
fault_group_teardown(void **state)
{
	(void)state;
	stu_free_enroll(keep);
	stu_free_enroll(keep_rk);
	stu_free_enroll(keep_pin);
	return 0;
}

int
fault_setup(void **state)
{
	(void)state;
	fault_clear();
	log_reset();
	return 0;
}

int
fault_teardown(void **state)
{
	int left;

	(void)state;
	fault_clear();
	/* A test that fails with handles left must not fail the next ones
	 * too. */
	if ((left = tu_count_leftovers(tcti)) != 0) {
		fprintf(stderr, "%d handles left in the TPM; flushed %d\n",
		    left, flush_everything());
		return -1;
	}
	return 0;
}

/* --- the program --- */

int
fault_start(int argc, char **argv)
{
	const char *pid_file, *port;
	char path[512];
	struct stat st;
	FILE *f;

	setvbuf(stdout, NULL, _IONBF, 0);
	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("SK_TPM_ATTEST_EK");
	tcti = getenv("SK_TPM_TCTI");
	restart_cmd = getenv("SWTPM_RESTART");
	pid_file = getenv("SWTPM_PIDFILE");
	port = getenv("SWTPM_PORT");
	if (argc != 2 || tcti == NULL || restart_cmd == NULL ||
	    pid_file == NULL || port == NULL) {
		fprintf(stderr, "usage: with-swtpm.sh --srk -- %s "
		    "/abs/path/libtss2-tcti-fault.so\n", argv[0]);
		return 2;
	}
	tcti = strdup(tcti);
	snprintf(fault_tcti, sizeof(fault_tcti), "%s:%s", argv[1], tcti);
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(log_path, sizeof(log_path), "%s/fault.log", dir);
	setenv("SK_FAULT_LOG", log_path, 1);

	/*
	 * The kill: SIGKILL to the simulator (its pid file, kept current by
	 * with-swtpm.sh and its restart helper), then wait until its port
	 * refuses connections. A process killed before its parent reaps it
	 * stays a zombie, so the port is the reliable sign.
	 */
	snprintf(path, sizeof(path), "%s", pid_file);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: no simulator pid file %s\n", argv[0],
		    path);
		return 2;
	}
	snprintf(kill_cmd, sizeof(kill_cmd), "%s/kill-swtpm", dir);
	if ((f = fopen(kill_cmd, "w")) == NULL)
		return 2;
	fprintf(f, "#!/bin/bash\n"
	    "kill -KILL \"$(cat '%s')\" || exit 1\n"
	    "for _ in $(seq 100); do\n"
	    "\t(exec 3<>/dev/tcp/127.0.0.1/%s) 2>/dev/null || exit 0\n"
	    "\tsleep 0.05\n"
	    "done\n"
	    "exit 1\n", path, port);
	fclose(f);
	chmod(kill_cmd, 0700);
	return 0;
}

int
fault_finish(int r)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		r = 1;
	return r;
}
