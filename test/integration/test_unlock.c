/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unlockable keys (issue 21, doc/unlock.md) against swtpm, through the
 * provider's real entry points: the window's first signature with the PIN
 * and the next ones without it (flags, OpenSSL verification), a window
 * open at lockout while the right PIN is refused, a forged ticket refused
 * without a dictionary-attack try and removed, and a window after a power
 * cycle. The dictionary-attack parameters are set so that nothing is
 * forgiven by time during a test. After each test nothing may stay
 * loaded.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-pcr-util.h"
#include "tpm-util.h"

#define APP		"ssh:"
#define PIN		"135790"
#define WRONG_PIN	"000000"
#define UV		(SSH_SK_USER_PRESENCE_REQD | SSH_SK_USER_VERIFICATION_REQD)

static const char *tcti;
static char rundir[] = "/tmp/sk-tpm-unlock.XXXXXX";
static const uint8_t data[] = "session id and request";

/* The ticket files in the runtime directory: how many, and the path of
 * the last into path (when not NULL). */
static int
tickets(char *path, size_t len)
{
	char dir[sizeof(rundir) + 8];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/sk-tpm", rundir);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".ticket") != NULL) {
			n++;
			if (path != NULL)
				snprintf(path, len, "%s/%s", dir, e->d_name);
		}
	closedir(d);
	return n;
}

static void
remove_tickets(void)
{
	char path[512];

	while (tickets(path, sizeof(path)) > 0)
		assert_int_equal(unlink(path), 0);
}

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	setenv("SK_TPM_CONFIG", "/dev/null", 1);
	setenv("SK_TPM_PRESENCE", "assume", 1);
	setenv("XDG_RUNTIME_DIR", rundir, 1);
	unsetenv("SK_TPM_UNLOCK");
	unsetenv("SK_TPM_PCRS");
	unsetenv("SSH_ASKPASS");
	unsetenv("SK_TPM_DEBUG");
	remove_tickets();
	return tu_da_reset(tcti);
}

static int
teardown(void **state)
{
	(void)state;
	remove_tickets();
	if (tu_count_leftovers(tcti) != 0) {
		fprintf(stderr, "TPM handles left behind: %d\n",
		    tu_count_leftovers(tcti));
		return -1;
	}
	return tu_da_reset(tcti);
}

static struct sk_enroll_response *
enroll_unlockable(const char *window)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 2 };

	setenv("SK_TPM_UNLOCK", window, 1);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APP, UV, PIN, NULL, &e), 0);
	unsetenv("SK_TPM_UNLOCK");
	assert_non_null(e);
	assert_int_equal(tickets(NULL, 0), 0);
	return e;
}

/* sk_sign; the response's flags in *flags when it signed (verified with
 * OpenSSL); its stderr in *msg when msg is not NULL. */
static int
sign(const struct sk_enroll_response *e, const char *pin, uint8_t *flags,
    const char **msg)
{
	struct sk_sign_response *s = NULL;
	const char *err;
	int r;

	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, UV, pin, NULL, &s);
	err = stu_capture_stop();
	if (msg != NULL)
		*msg = err;
	if (r == 0) {
		assert_int_equal(stu_verify(e->public_key, e->public_key_len,
		    s, APP, data, sizeof(data)), 1);
		if (flags != NULL)
			*flags = s->flags;
		stu_free_sign(s);
	} else
		assert_null(s);
	return r;
}

static void
test_window(void **state)
{
	struct sk_enroll_response *e;
	const char *msg;
	uint8_t flags = 0;

	(void)state;
	e = enroll_unlockable("15m");
	/* No window yet: OpenSSH's first call is answered with a request
	 * for the PIN, silently. */
	assert_int_equal(sign(e, NULL, NULL, &msg), SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(stu_count_sk_lines(msg), 0);
	assert_int_equal(sign(e, PIN, &flags, NULL), 0);
	assert_int_equal(flags, UV);
	assert_int_equal(tickets(NULL, 0), 1);
	/* Inside the window: presence (assumed), no verification. */
	assert_int_equal(sign(e, NULL, &flags, &msg), 0);
	assert_int_equal(flags, SSH_SK_USER_PRESENCE_REQD);
	assert_int_equal(stu_count_lines(msg), 0);
	assert_int_equal(sign(e, NULL, &flags, NULL), 0);
	assert_int_equal(flags, SSH_SK_USER_PRESENCE_REQD);
	stu_free_enroll(e);
}

/* An open window is not gated by the lockout (the TPM checked the PIN when
 * it opened it); the right PIN is refused meanwhile. */
static void
test_lockout(void **state)
{
	struct sk_enroll_response *e;
	const char *msg;
	uint8_t flags = 0;
	int i;

	(void)state;
	e = enroll_unlockable("15m");
	assert_int_equal(sign(e, PIN, NULL, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sign(e, WRONG_PIN, NULL, NULL),
		    SSH_SK_ERR_PIN_REQUIRED);
		assert_int_equal(tu_da_counter(tcti), i + 1);
	}
	assert_int_equal(sign(e, PIN, NULL, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "locked out"));
	assert_int_equal(sign(e, NULL, &flags, NULL), 0);
	assert_int_equal(flags, SSH_SK_USER_PRESENCE_REQD);
	stu_free_enroll(e);
}

/* A ticket whose HMAC was changed: refused by the TPM, no DA try, the
 * file removed, the PIN asked for. */
static void
test_forged(void **state)
{
	struct sk_enroll_response *e;
	char path[512];
	FILE *f;
	long end;
	int c;

	(void)state;
	e = enroll_unlockable("15m");
	assert_int_equal(sign(e, PIN, NULL, NULL), 0);
	assert_int_equal(tickets(path, sizeof(path)), 1);
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, -1, SEEK_END), 0);
	end = ftell(f);
	assert_true((c = fgetc(f)) != EOF);
	assert_int_equal(fseek(f, end, SEEK_SET), 0);
	assert_int_equal(fputc(c ^ 0x01, f), c ^ 0x01);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(sign(e, NULL, NULL, NULL), SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(tu_da_counter(tcti), 0);
	assert_int_equal(tickets(NULL, 0), 0);
	assert_int_equal(sign(e, PIN, NULL, NULL), 0);
	assert_int_equal(sign(e, NULL, NULL, NULL), 0);
	stu_free_enroll(e);
}

/* A power cycle of the simulator (_TPM_Init, Startup(CLEAR)) closes the
 * window: the ticket is refused and removed. */
static void
test_reboot(void **state)
{
	struct sk_enroll_response *e;

	(void)state;
	e = enroll_unlockable("12h");
	assert_int_equal(sign(e, PIN, NULL, NULL), 0);
	assert_int_equal(sign(e, NULL, NULL, NULL), 0);
	assert_int_equal(tu_reboot(), 0);
	assert_int_equal(sign(e, NULL, NULL, NULL), SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(tickets(NULL, 0), 0);
	assert_int_equal(tu_da_counter(tcti), 0);
	stu_free_enroll(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot, setup, teardown),
	};
	char cmd[512];
	int r;

	setenv("TSS2_LOG", "all+NONE", 1);
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	if (mkdtemp(rundir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* Three tries, forgiven only after an hour: the lockout of
	 * test_lockout lasts, and no count decays during a test. */
	snprintf(cmd, sizeof(cmd), "tpm2_dictionarylockout -T '%s' -s -n 3 "
	    "-t 3600 -l 3600 >/dev/null", tcti);
	if (system(cmd) != 0) {
		fprintf(stderr, "tpm2_dictionarylockout failed\n");
		return 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rundir);
	if (system(cmd) != 0)
		r = 1;
	return r;
}
