/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What doc/pin-and-presence.md says of the signature counter, shown on the
 * simulator: it is the TPM's Clock in seconds, one value for the whole TPM, so every
 * key of the machine reports it, and it moves when the TPM's Clock moves
 * (here advanced by a day with TPM2_ClockSet, which only the owner may
 * do and which never goes back).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

static const char *tcti;

/* The TPM's Clock in milliseconds; with advance_ms, first set it that far
 * ahead. */
static uint64_t
clock_ms(uint64_t advance_ms)
{
	TSS2_TCTI_CONTEXT *tc = NULL;
	ESYS_CONTEXT *esys = NULL;
	TPMS_TIME_INFO *now = NULL;
	uint64_t ms;

	assert_int_equal(Tss2_TctiLdr_Initialize(tcti, &tc), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_Initialize(&esys, tc, NULL), TSS2_RC_SUCCESS);
	assert_int_equal(Esys_ReadClock(esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, &now), TSS2_RC_SUCCESS);
	ms = now->clockInfo.clock;
	Esys_Free(now);
	if (advance_ms > 0) {
		ms += advance_ms;
		assert_int_equal(Esys_ClockSet(esys, ESYS_TR_RH_OWNER,
		    ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, ms),
		    TSS2_RC_SUCCESS);
	}
	Esys_Finalize(&esys);
	Tss2_TctiLdr_Finalize(&tc);
	return ms;
}

static uint32_t
sign_counter(const char *app, const struct sk_enroll_response *e)
{
	struct sk_sign_response *s = NULL;
	uint8_t data[32] = { 7 };
	uint32_t counter;

	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, sizeof(data), app,
	    e->key_handle, e->key_handle_len, 0, NULL, NULL, &s), 0);
	counter = s->counter;
	stu_free_sign(s);
	return counter;
}

static void
test_counter_is_tpm_clock(void **state)
{
	struct sk_enroll_response *a = NULL, *b = NULL;
	uint8_t challenge[32] = { 1 };
	uint64_t before, after;
	uint32_t ca, cb;

	(void)state;
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    "ssh:site-a", 0, NULL, NULL, &a), 0);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    "ssh:site-b", 0, NULL, NULL, &b), 0);

	/* Seconds of the TPM's Clock, for either key. */
	before = clock_ms(0);
	ca = sign_counter("ssh:site-a", a);
	cb = sign_counter("ssh:site-b", b);
	after = clock_ms(0);
	assert_true(ca >= before / 1000 && ca <= after / 1000);
	assert_true(cb >= ca && cb <= after / 1000);

	/* A day of Clock later, both keys report a day more: one value for
	 * the TPM, not per key. */
	before = clock_ms(86400 * 1000ull);
	ca = sign_counter("ssh:site-a", a);
	cb = sign_counter("ssh:site-b", b);
	after = clock_ms(0);
	assert_true(ca >= before / 1000 && ca <= after / 1000);
	assert_true(cb >= ca && cb <= after / 1000);
	assert_true(ca >= 86400);
	stu_free_enroll(a);
	stu_free_enroll(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_is_tpm_clock),
	};
	int r;

	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	unsetenv("SK_TPM_PRESENCE");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (tu_count_leftovers(tcti) != 0)
		r = 1;
	return r;
}
