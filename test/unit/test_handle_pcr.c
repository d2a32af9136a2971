/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Key handles of format version 2 (a PCR binding, handle.h): exact bytes
 * from the tests' own CBOR writer, round trips, and every rule of keys
 * 8 to 11. Version 1 handles are test_handle.c's; they are unchanged. The
 * fixture is theirs too (codec-fixture.h), set up as a version 2 handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "allocfail.h"
#include "cborgen.h"
#include "codec-fixture.h"
#include "handle.h"
#include "kh-sample.h"

static void
test_exact_bytes_and_round_trip(void **state)
{
	struct cb c;
	struct kh *kh = NULL;
	uint8_t *enc = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(kh_encode(&khfx.kh, &enc, &len), KH_OK);
	khfx_range(&c, 12, 0, 12);
	assert_int_equal(len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->version, KH_VERSION_PCR);
	assert_int_equal(kh->flags, khfx.kh.flags);
	assert_int_equal(kh->pcr_mask, khfx.kh.pcr_mask);
	assert_int_equal(kh->pcr_values_len, 64);
	assert_memory_equal(kh->pcr_values, khfx.kh.pcr_values, 64);
	assert_int_equal(kh->policy, KH_POLICY_AUTH_VALUE);
	assert_memory_equal(kh->tpm_public, khfx.pub, KHS_PUB_LEN_PCR);
	kh_free(&kh);
	free(enc);

	/* Every PCR, no PIN: the largest handle still fits. */
	khfx.kh.flags = 0;
	khfx.kh.policy = 0;
	khfx.kh.pcr_mask = KH_PCR_ALL;
	khfx.kh.pcr_values_len = KH_PCR_VALUES_MAX;
	assert_int_equal(kh_encode(&khfx.kh, &enc, &len), KH_OK);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->pcr_mask, KH_PCR_ALL);
	kh_free(&kh);
	free(enc);
}

/* Each of keys 8 to 11 given a value of the wrong kind or out of range. */
static void
test_binding_rules(void **state)
{
	static void (*const kinds[])(struct cb *) = {
		cb_emit_negint, cb_emit_text, cb_emit_array, cb_emit_map,
		cb_emit_float, cb_emit_null, cb_emit_true, cb_emit_tagged_uint,
	};
	struct cb c;
	size_t i;
	int k;

	(void)state;
	for (k = 8; k < 12; k++)
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			cb_map_with(&c, 12, k, kinds[i], khfx_value);
			khfx_expect(&c, KH_ERR_MALFORMED);
		}
	cb_map_with(&c, 12, 10, cb_emit_uint, khfx_value);
	khfx_expect(&c, KH_ERR_MALFORMED);

	khfx_bank = 0x0004;		/* SHA-1 */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_bank = KH_PCR_BANK_SHA256;
	khfx.kh.pcr_mask = 0;
	khfx.kh.pcr_values_len = 0;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.pcr_mask = 1u << 24;
	khfx.kh.pcr_values_len = 32;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.pcr_mask = 1u << 7 | 1u << 14;
	khfx.kh.pcr_values_len = 32;	/* one value for two PCRs */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.pcr_values_len = 96;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.pcr_values_len = 64;
	khfx.kh.policy = 0x02;		/* unknown bit */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.policy = 0;		/* a PIN key whose policy lacks it */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.flags = 0;		/* and the other way round */
	khfx.kh.policy = KH_POLICY_AUTH_VALUE;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.policy = 0;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_OK);
}

static void
test_layouts(void **state)
{
	struct cb c;
	int n;

	(void)state;
	/* Version 2 with the version 1 fields only, or missing any. */
	for (n = 8; n < 12; n++) {
		khfx_range(&c, (uint64_t)n, 0, n);
		khfx_expect(&c, KH_ERR_MALFORMED);
		khfx_range(&c, 12, 0, n);
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* Version 1 with a binding appended. */
	khfx.kh.version = KH_VERSION;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Keys out of order. */
	khfx.kh.version = KH_VERSION_PCR;
	khfx_range(&c, 12, 0, 8);
	khfx_field(&c, 9);
	khfx_field(&c, 8);
	khfx_field(&c, 10);
	khfx_field(&c, 11);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Every truncation is refused. */
	khfx_range(&c, 12, 0, 12);
	for (n = (int)c.n - 1; n >= 0; n--) {
		struct kh *kh = NULL;

		assert_int_not_equal(kh_decode(c.b, (size_t)n, &kh), KH_OK);
		assert_null(kh);
	}
}

static void
test_alloc_failures(void **state)
{
	struct cb c;
	struct kh *kh;
	long i;

	(void)state;
	khfx_range(&c, 12, 0, 12);
	for (i = 0; i < 8; i++) {
		kh = NULL;
		alloc_fail_in = i;
		if (kh_decode(c.b, c.n, &kh) == KH_OK) {
			alloc_fail_in = -1;
			kh_free(&kh);
			break;
		}
		alloc_fail_in = -1;
		assert_null(kh);
	}
	assert_true(i < 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_exact_bytes_and_round_trip,
		    khfx_setup_pcr),
		cmocka_unit_test_setup(test_binding_rules, khfx_setup_pcr),
		cmocka_unit_test_setup(test_layouts, khfx_setup_pcr),
		cmocka_unit_test_setup(test_alloc_failures, khfx_setup_pcr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
