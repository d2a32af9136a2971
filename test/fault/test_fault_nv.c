/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults (see test_fault.c and fault-harness.h): a resident enrollment
 * whose NV storage fails. NV_Write refused (TPM_RC_NV_UNAVAILABLE), rate
 * limited (TPM_RC_NV_RATE) or its connection lost, and NV_DefineSpace on a
 * full TPM (TPM_RC_NV_SPACE): a clean error naming the cause, no record and
 * no index left, and the records from before still load.
 *
 *   with-swtpm.sh --srk -- test_fault_nv /abs/path/libtss2-tcti-fault.so
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

/* A resident enroll whose NV write fails (times as SK_FAULT_TIMES, faults
 * the NV_Write commands that get the fault): no record and no index may
 * remain, and the records from before still load. */
static void
nv_write_fails(const char *mode, const char *times, int faults,
    const char *needle)
{
	struct sk_enroll_response *e = NULL;
	struct outcome o;
	char what[64];
	int before, after, found;
	size_t records;

	records = resident_count(keep_rk->public_key, &found);
	before = tu_count_handles(tcti, NV_RANGE);
	fault_set("NV_Write:1", mode, times);
	snprintf(what, sizeof(what), "NV_Write fails (%s)", mode);
	run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, "lost", &e, &o);
	fault_clear();
	expect_clean_failure(what, &o, needle);
	assert_null(e);
	assert_int_equal(log_count(" NV_Write fault"), faults);
	after = tu_count_handles(tcti, NV_RANGE);
	printf("# %s: NV indices %d -> %d\n", what, before, after);
	assert_int_equal(after, before);
	/* Defined, then taken away again. */
	assert_int_equal(log_count(" NV_DefineSpace ok 0x00000000"), 1);
	assert_int_equal(log_count(" NV_UndefineSpace ok 0x00000000"), 1);
	assert_int_equal(resident_count(keep_rk->public_key, &found),
	    records);
	assert_true(found);
	check_survivors();
}

static void
test_nv_write_refused(void **state)
{
	(void)state;
	/* TPM_RC_NV_UNAVAILABLE */
	nv_write_fails("rc:0x923", NULL, 1, "writing an NV index");
}

static void
test_nv_write_rate(void **state)
{
	(void)state;
	/* TPM_RC_NV_RATE, for good: waited out 6 times (3 s), then given
	 * up (once is waited out: chip.matrix-retry) */
	nv_write_fails("rc:0x920", "0", 7, "limiting NV writes");
}

static void
test_nv_write_io(void **state)
{
	(void)state;
	nv_write_fails("io", NULL, 1, "lost the connection to the TPM");
}

static void
test_nv_full(void **state)
{
	struct sk_enroll_response *e = NULL;
	struct outcome o;
	int before;

	(void)state;
	before = tu_count_handles(tcti, NV_RANGE);
	fault_set("NV_DefineSpace:1", "rc:0x14b", NULL);
	run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, "full", &e, &o);
	fault_clear();
	expect_clean_failure("NV_DefineSpace: TPM_RC_NV_SPACE", &o,
	    "the TPM's NV memory is full");
	assert_null(e);
	assert_int_equal(tu_count_handles(tcti, NV_RANGE), before);
	check_survivors();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nv_write_refused,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_nv_write_rate, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_nv_write_io, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_nv_full, fault_setup,
		    fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
