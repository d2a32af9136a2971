/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy-branch.c: PolicyCommandCode, PolicySecret and PolicyOR digests.
 * The expected values were computed with Python's hashlib over the TPM 2.0
 * part 3 formulas; the Certify branch was also read back from a trial
 * session on swtpm (tpm2_policycommandcode TPM2_CC_Certify).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hexvec.h"
#include "policy-branch.h"

static void
certify_branch(void **state)
{
	uint8_t got[32], want[32];

	(void)state;
	unhex("048e9a3ace08583f79f344ff785bbea9"
	    "f07ac7fa3325b3d49a21dd5194c65850", want, sizeof(want));
	assert_int_equal(policy_certify_branch(got), 0);
	assert_memory_equal(got, want, 32);
}

static void
or_of_two(void **state)
{
	uint8_t b[2][32], got[32], want[32];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		b[i / 32][i % 32] = (uint8_t)i;
	unhex("2231c4a1c8caedc61228a4406ba1c79d"
	    "c106358761853fd85502d25557065888", want, sizeof(want));
	assert_int_equal(policy_or(b, 2, got), 0);
	assert_memory_equal(got, want, 32);
	/* One branch is no OR, nine are more than TPML_DIGEST holds. */
	assert_int_equal(policy_or(b, 1, got), -1);
	assert_int_equal(policy_or(b, 9, got), -1);
	assert_int_equal(policy_or(NULL, 2, got), -1);
}

static void
secret(void **state)
{
	uint8_t zero[32], name[34], ref[16], got[32], want[32];

	(void)state;
	memset(zero, 0, sizeof(zero));
	name[0] = 0x00;
	name[1] = 0x0b;
	memset(name + 2, 0x11, 32);
	memset(ref, 0x22, sizeof(ref));
	unhex("e4261adcf7052edcab3e026f08a38067"
	    "9cccafa8bb6e6833f489e919bf061d69", want, sizeof(want));
	assert_int_equal(policy_extend_secret(zero, name, sizeof(name), ref,
	    sizeof(ref), got), 0);
	assert_memory_equal(got, want, 32);
	unhex("f1bc87c1c5c6e5385926797b2ebff033"
	    "c7e0093d3e9f38b68abb33fe93da3e85", want, sizeof(want));
	assert_int_equal(policy_extend_secret(zero, name, sizeof(name), NULL, 0,
	    got), 0);
	assert_memory_equal(got, want, 32);
	/* The running digest may be extended in place. */
	memcpy(got, zero, 32);
	assert_int_equal(policy_extend_secret(got, name, sizeof(name), NULL, 0,
	    got), 0);
	assert_memory_equal(got, want, 32);
	assert_int_equal(policy_extend_secret(zero, name, 3, NULL, 0, got), -1);
	assert_int_equal(policy_extend_secret(zero, name, sizeof(name), NULL, 1,
	    got), -1);
	assert_int_equal(policy_extend_secret(zero, name, sizeof(name), ref, 65,
	    got), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(certify_branch),
		cmocka_unit_test(or_of_two),
		cmocka_unit_test(secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
