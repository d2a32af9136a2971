/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults (see test_fault.c and fault-harness.h): a busy TPM. TPM_RC_RETRY,
 * YIELDED and TESTING once, at each command of a signature and at an
 * enrollment's CreateLoaded: ESYS resubmits and the call succeeds. The same
 * on every attempt: ESYS gives up, the user is told the TPM is busy, and
 * nothing stays loaded.
 *
 *   with-swtpm.sh --srk -- test_fault_busy /abs/path/libtss2-tcti-fault.so
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

/* TPM_RC_RETRY, YIELDED and TESTING once: ESYS resubmits, the call
 * succeeds. */
static void
test_busy_once(void **state)
{
	static const char *codes[] = { "rc:0x922", "rc:0x908", "rc:0x90a" };
	static const char *sign_sites[] = { "ReadClock:1",
	    "StartAuthSession:1", "Load:1", "Sign:1", "FlushContext:1" };
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	struct outcome o;
	char what[64];
	size_t i, j;
	int survived = 0;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		for (j = 0; j < sizeof(sign_sites) / sizeof(sign_sites[0]);
		    j++) {
			log_reset();
			fault_set(sign_sites[j], codes[i], NULL);
			snprintf(what, sizeof(what), "%s once at %s", codes[i],
			    sign_sites[j]);
			/* Only a PIN key's signature starts a session. */
			run_sign(strncmp(sign_sites[j], "StartAuthSession",
			    16) == 0 ? keep_pin : keep, APP, &s, &o);
			expect_success(what, &o);
			assert_int_equal(log_count(" fault 0x"), 1);
			stu_free_sign(s);
			survived++;
		}
		log_reset();
		fault_set("CreateLoaded:1", codes[i], NULL);
		run_enroll(APP, 0, NULL, &e, &o);
		expect_success("busy once at CreateLoaded", &o);
		assert_int_equal(log_count(" CreateLoaded fault 0x"), 1);
		assert_int_equal(log_count(" CreateLoaded ok 0x00000000"), 1);
		fault_clear();
		run_sign(e, APP, &s, &o);
		expect_success("signing with a key made through a retry", &o);
		stu_free_sign(s);
		stu_free_enroll(e);
		survived++;
	}
	printf("# busy once: %d operations survived a RETRY/YIELDED/TESTING\n",
	    survived);
	assert_int_equal(tu_count_leftovers(tcti), 0);
}

/* Busy on every attempt: ESYS gives up after its resubmissions and the
 * user is told the TPM is busy; nothing stays loaded. */
static void
test_busy_always(void **state)
{
	static const char *codes[] = { "rc:0x922", "rc:0x908", "rc:0x90a" };
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	struct outcome o;
	char what[64];
	size_t i;
	int attempts;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		log_reset();
		fault_set("Sign:1", codes[i], "0");
		snprintf(what, sizeof(what), "%s at every Sign", codes[i]);
		run_sign(keep, APP, &s, &o);
		expect_clean_failure(what, &o, "the TPM is busy");
		attempts = log_count(" Sign fault 0x");
		printf("# %s: %d attempts before giving up\n", what, attempts);
		assert_true(attempts > 1);
		assert_int_equal(log_count(" Sign ok"), 0);
		assert_int_equal(tu_count_leftovers(tcti), 0);

		log_reset();
		fault_set("CreateLoaded:1", codes[i], "0");
		run_enroll(APP, 0, NULL, &e, &o);
		expect_clean_failure("busy at every CreateLoaded", &o,
		    "the TPM is busy");
		assert_null(e);
		assert_int_equal(tu_count_leftovers(tcti), 0);
	}
	check_survivors();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_busy_once, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_busy_always, fault_setup,
		    fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
