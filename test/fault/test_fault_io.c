/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults (see test_fault.c and fault-harness.h): the connection to the
 * TPM lost. Before a command reaches the TPM (at CreateLoaded, Load or
 * Sign): a clean error, and the library still flushes what it loaded. After
 * the TPM acted on Load or Sign: what the TPM made under a handle the
 * library never learnt is reported, and a session the TPM already closed is
 * not flushed by hand. Hand flushes the TPM refuses are reported as refused.
 *
 *   with-swtpm.sh --srk -- test_fault_io /abs/path/libtss2-tcti-fault.so
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <tss2/tss2_tpm2_types.h>

#include "fault-harness.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

/* The connection fails for one command while the TPM lives on: the
 * library must still flush what it loaded, so nothing may be left
 * without a restart. */
static void
io_during(const char *at, int enroll, bool loaded)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	struct outcome o;
	char what[64];
	int left;

	fault_set(at, "io", NULL);
	snprintf(what, sizeof(what), "connection lost at %s", at);
	if (enroll)
		run_enroll(APP, 0, NULL, &e, &o);
	else
		run_sign(keep, APP, &s, &o);
	fault_clear();
	expect_clean_failure(what, &o, "lost the connection to the TPM");
	assert_int_equal(o.r, SSH_SK_ERR_DEVICE_NOT_FOUND);
	assert_null(e);
	assert_null(s);
	left = tu_count_leftovers(tcti);
	printf("# %s: %d handles left in the TPM, %d flushed after the "
	    "fault\n", what, left, log_count(" FlushContext ok 0x00000000"));
	assert_int_equal(left, 0);
	/* When something was loaded as the fault hit (the key at Sign), the
	 * library flushed it although ESYS had given up; before a
	 * signature's Load, and at the creation of a key without a PIN
	 * (password session, persistent SRK), nothing is loaded, and nothing
	 * is flushed. */
	if (loaded)
		assert_true(log_count(" FlushContext ok 0x00000000") >= 1);
	else
		assert_int_equal(log_count(" FlushContext "), 0);
	check_survivors();
}

static void
test_io_enroll_create(void **state)
{
	(void)state;
	io_during("CreateLoaded:1", 1, false);
}

static void
test_io_sign_load(void **state)
{
	(void)state;
	io_during("Load:1", 0, false);
}

static void
test_io_sign_sign(void **state)
{
	(void)state;
	io_during("Sign:1", 0, true);
}

/* The TPM executed Load but its answer was lost: the key is loaded under
 * a handle the library never learnt. Without a resource manager nobody
 * can flush it but a tool that flushes everything; with one (tpmrm0,
 * tpm2-abrmd) it goes when the connection closes. The figure is printed,
 * not hidden; the call itself must still fail cleanly. */
static void
test_io_after_load(void **state)
{
	struct sk_sign_response *s = NULL;
	struct outcome o;
	int left, flushed;

	(void)state;
	fault_set("Load:1", "io-after", NULL);
	run_sign(keep, APP, &s, &o);
	fault_clear();
	expect_clean_failure("answer to Load lost", &o,
	    "lost the connection to the TPM");
	assert_int_equal(log_count(" Load dropped 0x00000000"), 1);
	left = tu_count_leftovers(tcti);
	assert_int_equal(tu_count_handles(tcti, TPM2_LOADED_SESSION_FIRST) +
	    tu_count_handles(tcti, TPM2_ACTIVE_SESSION_FIRST), 0);
	flushed = flush_everything();
	printf("# answer to Load lost: %d object(s) left loaded (expected: "
	    "the key the TPM loaded), flushed by the test: %d\n", left,
	    flushed);
	assert_true(left <= 1);
	check_survivors();
}

/*
 * The TPM executed Sign but its answer was lost. Sign was the session's
 * last use, so the TPM has closed the session, and without a resource
 * manager its handle may already be another process's: the library must
 * not flush it by hand. It flushes the key (which only a FlushContext
 * releases), and that is the one FlushContext it sends.
 */
static void
test_io_after_sign(void **state)
{
	struct sk_sign_response *s = NULL;
	struct outcome o;

	(void)state;
	log_reset();
	fault_set("Sign:1", "io-after", NULL);
	/* The PIN key: its Sign uses a session. */
	run_sign(keep_pin, APP, &s, &o);
	fault_clear();
	expect_clean_failure("answer to Sign lost", &o,
	    "lost the connection to the TPM");
	printf("# answer to Sign lost: %d FlushContext(s) sent after it, %d "
	    "refused\n", log_count(" FlushContext "),
	    log_count(" FlushContext ok ") -
	    log_count(" FlushContext ok 0x00000000"));
	assert_int_equal(log_count(" Sign dropped 0x00000000"), 1);
	assert_int_equal(log_count(" FlushContext "), 1);
	assert_int_equal(log_count(" FlushContext ok 0x00000000"), 1);
	assert_int_equal(tu_count_leftovers(tcti), 0);
	check_survivors();
}

/*
 * The connection fails before Sign reaches the TPM; the library flushes
 * the key and the PIN key's session by hand, and the TPM (here the fault
 * TCTI) refuses: the library must not take either flush for done.
 */
static void
test_hand_flush_refused(void **state)
{
	struct sk_sign_response *s = NULL;
	struct outcome o;

	(void)state;
	log_reset();
	fault_set("Sign:1", "io", NULL);
	setenv("SK_FAULT_FLUSH_RC", "0x18b", 1);	/* TPM_RC_HANDLE */
	setenv("SK_TPM_DEBUG", "1", 1);
	run_sign(keep_pin, APP, &s, &o);
	unsetenv("SK_TPM_DEBUG");
	unsetenv("SK_FAULT_FLUSH_RC");
	fault_clear();
	assert_int_not_equal(o.r, 0);
	assert_int_equal(log_count(" FlushContext fault 0x0000018b"), 2);
	if (strstr(o.err, "the TPM did not flush 0x02") == NULL ||
	    strstr(o.err, "the TPM did not flush 0x80") == NULL ||
	    strstr(o.err, "flushed 0x02") != NULL ||
	    strstr(o.err, "flushed 0x80") != NULL)
		fail_msg("a refused flush was not reported as refused:\n%s",
		    o.err);
	printf("# hand flushes refused: reported as refused; %d handles "
	    "(key and session) left, flushed by the test\n",
	    tu_count_leftovers(tcti));
	assert_int_equal(flush_everything(), 2);
	check_survivors();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_io_enroll_create,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_io_sign_load, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_io_sign_sign, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_io_after_load, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_io_after_sign, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_hand_flush_refused,
		    fault_setup, fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
