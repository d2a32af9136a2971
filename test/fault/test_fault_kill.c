/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults (see test_fault.c and fault-harness.h): the simulator killed
 * (SIGKILL) just before a command reaches it, at an enrollment's
 * CreateLoaded, a signature's Load or Sign, and a resident enrollment's
 * NV_Write, then started again from its state: a clean error, and after the
 * restart every key and record from before works; an index defined but
 * never written is skipped, never taken for a record.
 *
 *   with-swtpm.sh --srk -- test_fault_kill /abs/path/libtss2-tcti-fault.so
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

/* swtpm killed just before a command of enroll or sign reaches it. */
static void
killed_during(const char *at, int enroll)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	struct outcome o;
	char what[64], mark[64];

	setenv("SK_FAULT_KILL_CMD", kill_cmd, 1);
	fault_set(at, "kill", NULL);
	snprintf(what, sizeof(what), "swtpm killed at %s", at);
	if (enroll)
		run_enroll(APP, 0, NULL, &e, &o);
	else
		run_sign(keep, APP, &s, &o);
	fault_clear();
	snprintf(mark, sizeof(mark), " %.*s fault kill",
	    (int)strcspn(at, ":"), at);
	assert_int_equal(log_count(mark), 1);
	expect_clean_failure(what, &o, "TPM");
	assert_null(e);
	assert_null(s);
	restart_simulator();
	check_survivors();
}

static void
test_kill_enroll_create(void **state)
{
	(void)state;
	killed_during("CreateLoaded:1", 1);
}

static void
test_kill_sign_load(void **state)
{
	(void)state;
	killed_during("Load:1", 0);
}

static void
test_kill_sign_sign(void **state)
{
	(void)state;
	killed_during("Sign:1", 0);
}

/* swtpm killed at the NV write: the index was defined and cannot be
 * removed while the TPM is gone. It is never a record: after the restart
 * it is skipped and every earlier record still loads. */
static void
test_nv_write_kill(void **state)
{
	struct sk_enroll_response *e = NULL;
	struct outcome o;
	int before, after, found, removed;
	size_t records;

	(void)state;
	records = resident_count(keep_rk->public_key, &found);
	before = tu_count_handles(tcti, NV_RANGE);
	setenv("SK_FAULT_KILL_CMD", kill_cmd, 1);
	fault_set("NV_Write:1", "kill", NULL);
	run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, "killed", &e, &o);
	fault_clear();
	expect_clean_failure("swtpm killed at NV_Write", &o, "TPM");
	assert_null(e);
	restart_simulator();
	after = tu_count_handles(tcti, NV_RANGE);
	assert_int_equal(resident_count(keep_rk->public_key, &found),
	    records);
	assert_true(found);
	check_survivors();
	removed = nv_remove(1, NULL, 0);
	printf("# swtpm killed at NV_Write: NV indices %d -> %d, of them "
	    "%d defined but unwritten (skipped, never a record)\n", before,
	    after, removed);
	assert_int_equal(after - before, removed);
	assert_int_equal(tu_count_handles(tcti, NV_RANGE), before);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill_enroll_create,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_kill_sign_load,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_kill_sign_sign,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_nv_write_kill, fault_setup,
		    fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
