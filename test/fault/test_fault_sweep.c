/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TPM faults (see test_fault.c and fault-harness.h): one fault swept over
 * every command of an operation in turn (a signature with and without a
 * PIN, an enrollment, a resident enrollment): the connection lost, and
 * TPM_RC_FAILURE. Each call succeeds with a working result or fails
 * cleanly, nothing stays loaded, and a resident enrollment adds an NV index
 * only when it succeeds. Then the answer to each command of a signature
 * lost after the TPM acted: what is left is counted and flushed.
 *
 *   with-swtpm.sh --srk -- test_fault_sweep /abs/path/libtss2-tcti-fault.so
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

enum op {
	OP_SIGN,
	OP_SIGN_PIN,
	OP_ENROLL,
	OP_RESIDENT,
};

static const char *op_names[] = { "sign", "sign with a PIN", "enroll",
    "resident enroll" };

/* Run op through the fault TCTI as it is set up; 0 if it succeeded and
 * its result works. */
static int
run_op(enum op op, const char *tag, struct outcome *o)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	struct outcome check;
	int ok = -1;

	switch (op) {
	case OP_SIGN:
	case OP_SIGN_PIN:
		/* verifies */
		run_sign(op == OP_SIGN ? keep : keep_pin, APP, &s, o);
		ok = o->r == 0 ? 0 : -1;
		break;
	case OP_ENROLL:
	case OP_RESIDENT:
		if (op == OP_ENROLL)
			run_enroll(APP, 0, NULL, &e, o);
		else
			run_enroll(RK_APP, SSH_SK_RESIDENT_KEY, tag, &e, o);
		if (o->r != 0)
			break;
		/* A key made through the faulty path must work. */
		setenv("SK_TPM_TCTI", tcti, 1);
		run_sign(e, op == OP_ENROLL ? APP : RK_APP, &s, &check);
		setenv("SK_TPM_TCTI", fault_tcti, 1);
		expect_success("signing with a key enrolled in a sweep",
		    &check);
		ok = 0;
		break;
	}
	stu_free_sign(s);
	stu_free_enroll(e);
	return ok;
}

/*
 * The fault at the 1st, 2nd, ... command of op in turn. Each call either
 * succeeds (the fault hit a command whose failure does not matter, such as
 * a final flush that the library then retries) and its result works, or
 * fails cleanly; either way nothing stays loaded and a resident enroll
 * adds an NV index only when it succeeds.
 */
static void
sweep(enum op op, const char *mode)
{
	struct outcome o;
	char at[32], tag[64], what[96];
	int commands, i, ok = 0, failed = 0, nv_before, left, refused = 0;
	uint32_t nv_keep[256];
	size_t nkeep;

	/* Every run starts from the same NV contents, so that a resident
	 * enroll sends the same commands each time: a record stored by one
	 * run is removed before the next. */
	nkeep = nv_snapshot(nv_keep, 256);
	log_reset();
	setenv("SK_TPM_TCTI", fault_tcti, 1);
	snprintf(tag, sizeof(tag), "sweep-%s-count", mode);
	assert_int_equal(run_op(op, tag, &o), 0);
	commands = stu_count_lines(log_read());
	assert_true(commands > 0);
	assert_true(nv_remove(0, nv_keep, nkeep) >= 0);
	for (i = 1; i <= commands; i++) {
		nv_before = tu_count_handles(tcti, NV_RANGE);
		assert_int_equal(nv_before, (int)nkeep);
		snprintf(at, sizeof(at), "any:%d", i);
		snprintf(tag, sizeof(tag), "sweep-%s-%d", mode, i);
		snprintf(what, sizeof(what), "%s, %s at command %d",
		    op_names[op], mode, i);
		log_reset();
		fault_set(at, mode, NULL);
		if (run_op(op, tag, &o) == 0) {
			ok++;
			expect_success(what, &o);
		} else {
			failed++;
			expect_clean_failure(what, &o, NULL);
		}
		assert_int_equal(log_count(" fault "), 1);
		fault_clear();
		left = tu_count_leftovers(tcti);
		/* Only a TPM that answers FlushContext itself with an error
		 * keeps what it was asked to flush; nobody can help that. */
		if (left == 1 && strncmp(mode, "rc:", 3) == 0 &&
		    log_count(" FlushContext fault ") == 1) {
			refused++;
			assert_int_equal(flush_everything(), 1);
		} else if (left != 0)
			fail_msg("%s: %d handles left in the TPM", what, left);
		assert_int_equal(tu_count_handles(tcti, NV_RANGE), nv_before +
		    (op == OP_RESIDENT && o.r == 0 ? 1 : 0));
		assert_true(nv_remove(0, nv_keep, nkeep) >= 0);
	}
	printf("# sweep: %s with %s at each of its %d commands: %d clean "
	    "errors, %d successes, 0 handles left", op_names[op], mode,
	    commands, failed, ok);
	if (refused > 0)
		printf(" (but %d object(s) whose FlushContext the TPM "
		    "refused)", refused);
	printf("\n");
	check_survivors();
}

static void
test_sweep_io(void **state)
{
	(void)state;
	sweep(OP_SIGN, "io");
	sweep(OP_SIGN_PIN, "io");
	sweep(OP_ENROLL, "io");
	sweep(OP_RESIDENT, "io");
}

static void
test_sweep_tpm_failure(void **state)
{
	(void)state;
	/* TPM_RC_FAILURE: the TPM refuses whatever it is asked. */
	sweep(OP_SIGN, "rc:0x101");
	sweep(OP_SIGN_PIN, "rc:0x101");
	sweep(OP_ENROLL, "rc:0x101");
	sweep(OP_RESIDENT, "rc:0x101");
}

/*
 * The answer to each command of a signature lost after the TPM acted.
 * What the TPM created in that command (the key at Load, a PIN key's
 * session at StartAuthSession) has a handle the library never learnt;
 * without a resource manager it stays. Reported, then flushed by the test.
 */
static void
sweep_io_after(enum op op)
{
	struct outcome o;
	char at[32], what[64];
	int commands, i, left, total = 0;

	log_reset();
	setenv("SK_TPM_TCTI", fault_tcti, 1);
	assert_int_equal(run_op(op, NULL, &o), 0);
	commands = stu_count_lines(log_read());
	for (i = 1; i <= commands; i++) {
		snprintf(at, sizeof(at), "any:%d", i);
		snprintf(what, sizeof(what), "%s, answer %d lost",
		    op_names[op], i);
		log_reset();
		fault_set(at, "io-after", NULL);
		if (run_op(op, NULL, &o) == 0)
			expect_success(what, &o);
		else
			expect_clean_failure(what, &o, NULL);
		fault_clear();
		left = tu_count_leftovers(tcti);
		printf("# %s: %d handle(s) left\n", what, left);
		assert_true(left <= 1);
		total += left;
		assert_int_equal(flush_everything(), left);
	}
	printf("# sweep: %s with the answer to each of its %d commands "
	    "lost: %d handle(s) left in all (unknowable to the client)\n",
	    op_names[op], commands, total);
	check_survivors();
}

static void
test_sweep_io_after(void **state)
{
	(void)state;
	sweep_io_after(OP_SIGN);
	sweep_io_after(OP_SIGN_PIN);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep_io, fault_setup,
		    fault_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_tpm_failure,
		    fault_setup, fault_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_io_after,
		    fault_setup, fault_teardown),
	};
	int r;

	if ((r = fault_start(argc, argv)) != 0)
		return r;
	return fault_finish(cmocka_run_group_tests(tests, fault_group_setup,
	    fault_group_teardown));
}
