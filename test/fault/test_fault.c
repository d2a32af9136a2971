/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults against the real libsk-tpm.so and a real swtpm (started by
 * test/with-swtpm.sh --srk): the fault TCTI (tcti-fault.c) sits between the
 * library and the simulator and makes one chosen command fail.
 *
 *   test_fault /abs/path/libtss2-tcti-fault.so
 *
 * For every fault: the call returns a clean SSH_SK_ERR_* within a bounded
 * time, prints exactly one "sk-tpm:" line and nothing else, and afterwards
 * the keys and resident records made before the fault still sign, verify
 * (OpenSSL) and load, and the TPM holds no transient object and no session
 * (the harness: fault-harness.h). The faults are split by scenario over
 * test_fault_busy.c (busy answers), test_fault_io.c (a lost connection),
 * test_fault_nv.c (NV writes that fail), test_fault_kill.c (the simulator
 * killed) and test_fault_sweep.c (a fault at each command in turn).
 *
 * Here, what the library sends, as the fault TCTI counts it in passing: the
 * commands of a signature with and without a PIN and of an enrollment, and
 * a TPM without TPM2_CreateLoaded, whose keys are made by Create and Load.
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

#include "fault-harness.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

/* The fault TCTI passes everything through and counts: a signature is
 * the commands tpm-key.c promises, four for a key without a PIN and a
 * salted session more for one with a PIN. */
static void
test_passthrough(void **state)
{
	struct sk_sign_response *s = NULL;
	struct outcome o;

	(void)state;
	setenv("SK_TPM_TCTI", fault_tcti, 1);
	run_sign(keep, APP, &s, &o);
	expect_success("signing through the fault TCTI", &o);
	stu_free_sign(s);
	printf("# one signature:\n%s", log_read());
	assert_int_equal(log_count(" ok 0x00000000"), 4);
	assert_int_equal(log_count(" ReadClock ok"), 1);
	assert_int_equal(log_count(" StartAuthSession ok"), 0);
	assert_int_equal(log_count(" Load ok"), 1);
	assert_int_equal(log_count(" Sign ok"), 1);
	assert_int_equal(log_count(" FlushContext ok"), 1);

	log_reset();
	run_sign(keep_pin, APP, &s, &o);
	expect_success("signing with a PIN through the fault TCTI", &o);
	stu_free_sign(s);
	printf("# one signature with a PIN:\n%s", log_read());
	/* swtpm may answer Sign with RETRY once; ESYS sends it again. */
	assert_int_equal(log_count(" ok 0x00000000"), 5);
	assert_int_equal(log_count(" StartAuthSession ok"), 1);
	assert_int_equal(log_count(" Load ok"), 1);
	assert_int_equal(log_count(" Sign ok 0x00000000"), 1);
	assert_int_equal(log_count(" FlushContext ok"), 1);
}

/*
 * An enrollment sends no command twice but the resident records' second
 * listing that settles concurrent enrollments: the SRK is read once (for
 * the records' check and the key's creation), the key stays loaded from its
 * CreateLoaded for Certify (no Load), the only CreatePrimary is the AK's
 * (persistent SRK), and only a PIN key's creation pays for a salted
 * session, which its Certify then reuses.
 */
static void
test_enroll_commands(void **state)
{
	/* Successes: swtpm answers Certify with RETRY now and then. */
	static const char *once[] = { " ReadPublic ok 0x00000000",
	    " CreateLoaded ok 0x00000000", " CreatePrimary ok 0x00000000",
	    " Certify ok 0x00000000" };
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 5 };
	uint32_t nv_keep[256];
	size_t nkeep, i;
	struct outcome o;
	int pin;

	(void)state;
	nkeep = nv_snapshot(nv_keep, 256);
	for (pin = 0; pin < 2; pin++) {
		log_reset();
		setenv("SK_TPM_TCTI", fault_tcti, 1);
		if (pin) {
			assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge,
			    sizeof(challenge), APP,
			    SSH_SK_USER_VERIFICATION_REQD, "fault-pin-0815",
			    NULL, &e), 0);
		} else {
			run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, "commands", &e,
			    &o);
			expect_success("resident enrollment", &o);
		}
		setenv("SK_TPM_TCTI", tcti, 1);
		printf("# %s enrollment:\n%s", pin ? "PIN key" :
		    "resident no-PIN key", log_read());
		assert_true(e->signature_len > 0);
		for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
			assert_int_equal(log_count(once[i]), 1);
		assert_int_equal(log_count(" Load "), 0);
		assert_int_equal(log_count(" Create "), 0);
		assert_int_equal(log_count(" StartAuthSession "), pin);
		/* Records, identity and NV limits, the SRK (the EK
		 * indices are not listed: no SK_TPM_ATTEST_EK); a resident
		 * enrollment lists the records a second time after storing
		 * its own, to settle with concurrent ones
		 * (resident-settle.c), knowing the SRK's Name by then. */
		assert_int_equal(log_count(" GetCapability "), pin ? 2 : 4);
		assert_int_equal(log_count(" NV_DefineSpace "), pin ? 0 : 1);
		stu_free_enroll(e);
		e = NULL;
	}
	assert_true(nv_remove(0, nv_keep, nkeep) >= 0);
	assert_int_equal(tu_count_leftovers(tcti), 0);
}

/*
 * A TPM without TPM2_CreateLoaded (before part 3 revision 1.38) answers it
 * with TPM_RC_COMMAND_CODE: the key is made by Create and Load in the same
 * salted session, which then certifies it. A PIN key, so that the session
 * carries the auth value through all three.
 */
static void
test_no_create_loaded(void **state)
{
	static const char *pin = "fault-pin-4711";
	static const uint8_t data[] = "fallback";
	const uint8_t flags = SSH_SK_USER_VERIFICATION_REQD;
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	uint8_t challenge[32] = { 9 };

	(void)state;
	log_reset();
	fault_set("CreateLoaded:1", "rc:0x143", NULL);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APP, flags, pin, NULL, &e), 0);
	fault_clear();
	printf("# CreateLoaded refused:\n%s", log_read());
	assert_int_equal(log_count(" CreateLoaded fault 0x00000143"), 1);
	assert_int_equal(log_count(" Create ok 0x00000000"), 1);
	assert_int_equal(log_count(" Load ok 0x00000000"), 1);
	assert_int_equal(log_count(" StartAuthSession ok"), 1);
	assert_int_equal(log_count(" Certify ok 0x00000000"), 1);
	/* Attested, and the key works. */
	assert_true(e->signature_len > 0 && e->authdata_len > 0);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP,
	    e->key_handle, e->key_handle_len, flags, pin, NULL, &s), 0);
	assert_int_equal(stu_verify(e->public_key, e->public_key_len, s, APP,
	    data, sizeof(data)), 1);
	assert_int_equal(tu_count_leftovers(tcti), 0);
	stu_free_sign(s);
	stu_free_enroll(e);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_passthrough, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_no_create_loaded,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_enroll_commands,
		    fault_setup, fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
