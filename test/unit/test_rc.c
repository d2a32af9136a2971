/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How a response code is judged (sk/tpm/tpm-rc.c): a TPM code is the same
 * code whether the TPM, the kernel's resource manager (layer 11, e.g.
 * 0x000B0143 for a command the chip lacks) or tpm2-abrmd (layer 12)
 * answered it; codes of the TCTI, ESYS and the other layers are none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tpm-internal.h"

static void
test_tpm_layers(void **state)
{
	(void)state;
	assert_int_equal(rc_base(TPM2_RC_COMMAND_CODE), TPM2_RC_COMMAND_CODE);
	/* The kernel RM, for TPM2_CreateLoaded on a chip without it. */
	assert_int_equal(rc_base(0x000b0143u), TPM2_RC_COMMAND_CODE);
	assert_int_equal(rc_base(0x000c0143u), TPM2_RC_COMMAND_CODE);
	/* Format 1: parameter, handle and session numbers dropped. */
	assert_int_equal(rc_base(0x000001d5u), TPM2_RC_SIZE);
	assert_int_equal(rc_base(0x000b09a2u), TPM2_RC_BAD_AUTH);
	/* Warnings. */
	assert_int_equal(rc_base(0x000b0902u), TPM2_RC_OBJECT_MEMORY);
	assert_int_equal(rc_base(0x00000922u), TPM2_RC_RETRY);
	assert_int_equal(rc_base(0x00000920u), TPM2_RC_NV_RATE);
}

static void
test_other_layers(void **state)
{
	(void)state;
	assert_int_equal(rc_base(TSS2_TCTI_RC_IO_ERROR), 0);
	assert_int_equal(rc_base(0x000a0143u), 0);
	assert_int_equal(rc_base(TSS2_ESYS_RC_BAD_SEQUENCE), 0);
	assert_int_equal(rc_base(TSS2_SYS_RC_BAD_SIZE), 0);
	assert_int_equal(rc_base(TSS2_MU_RC_BAD_SIZE), 0);
	assert_true(rc_is_tcti(TSS2_TCTI_RC_IO_ERROR));
	assert_false(rc_is_tcti(0x000b0143u));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tpm_layers),
		cmocka_unit_test(test_other_layers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
