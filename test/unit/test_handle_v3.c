/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Key handles of format version 3 (handle.h), which every enrollment
 * makes since issue 19: the keys of version 2, the binding possibly empty.
 * Exact bytes from the tests' own CBOR writer, round trips of a bound and
 * an unbound handle, the rules an unbound one follows, the layouts that
 * are refused, and the policy (key-policy.h) each version's key carries.
 * The fixture is codec-fixture.h's version 2 handle, turned into version 3.
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
#include "key-policy.h"
#include "kh-sample.h"

/* The bound fixture: PCRs 7 and 14 and a PIN. */
static int
setup_bound(void **state)
{
	if (khfx_setup_pcr(state) != 0)
		return -1;
	khfx.kh.version = KH_VERSION_CERTIFY;
	return 0;
}

/* Unbound: selection 0, no values, no policy flags; a PIN key still. */
static int
setup_unbound(void **state)
{
	if (setup_bound(state) != 0)
		return -1;
	khfx.kh.pcr_mask = 0;
	khfx.kh.pcr_values_len = 0;
	khfx.kh.policy = 0;
	return 0;
}

static void
round_trip(void)
{
	struct cb c;
	struct kh *kh = NULL;
	uint8_t *enc = NULL;
	size_t len = 0;

	assert_int_equal(kh_encode(&khfx.kh, &enc, &len), KH_OK);
	khfx_range(&c, 12, 0, 12);
	assert_int_equal(len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->version, KH_VERSION_CERTIFY);
	assert_kh_equal(kh, &khfx.kh);
	assert_int_equal(kh->pcr_mask, khfx.kh.pcr_mask);
	assert_int_equal(kh->pcr_values_len, khfx.kh.pcr_values_len);
	assert_memory_equal(kh->pcr_values, khfx.kh.pcr_values,
	    khfx.kh.pcr_values_len);
	assert_int_equal(kh->policy, khfx.kh.policy);
	kh_free(&kh);
	free(enc);
}

static void
test_round_trip_bound(void **state)
{
	(void)state;
	round_trip();
}

static void
test_round_trip_unbound(void **state)
{
	struct cb c;

	(void)state;
	round_trip();
	/* Its bytes end in keys 8 to 11: 0x000b, 0, h'', 0. */
	khfx_range(&c, 12, 0, 12);
	assert_true(c.n > 8);
	assert_memory_equal(c.b + c.n - 8, "\x08\x0b\x09\x00\x0a\x40"
	    "\x0b\x00", 8);
}

/* What only an unbound version 3 handle may be, and what it may not. */
static void
test_unbound_rules(void **state)
{
	struct cb c;
	uint8_t *enc = NULL;
	size_t len;

	(void)state;
	/* Values without a selection. */
	khfx.kh.pcr_values_len = 32;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	assert_int_equal(kh_encode(&khfx.kh, &enc, &len), KH_ERR_MALFORMED);
	assert_null(enc);
	khfx.kh.pcr_values_len = 0;
	/* PolicyAuthValue without a PCR branch to put it in. */
	khfx.kh.policy = KH_POLICY_AUTH_VALUE;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	assert_int_equal(kh_encode(&khfx.kh, &enc, &len), KH_ERR_MALFORMED);
	khfx.kh.policy = 0;
	/* Another bank, even with nothing selected. */
	khfx_bank = 0x0004;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx_bank = KH_PCR_BANK_SHA256;
	/* Without a PIN. */
	khfx.kh.flags = 0;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_OK);
	/* Version 2 must stay bound: the same bytes under version 2 are
	 * refused. */
	khfx.kh.version = KH_VERSION_PCR;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

/* The binding rules of version 2 hold for a bound version 3 handle. */
static void
test_bound_rules(void **state)
{
	struct cb c;

	(void)state;
	khfx.kh.pcr_values_len = 32;	/* one value for two PCRs */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.pcr_values_len = 64;
	khfx.kh.policy = 0;		/* a PIN key whose policy lacks it */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.policy = 0x02;		/* unknown bit */
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
	khfx.kh.policy = KH_POLICY_AUTH_VALUE;
	khfx.kh.pcr_mask = 1u << 24;
	khfx.kh.pcr_values_len = 32;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_MALFORMED);
}

static void
test_layouts(void **state)
{
	struct cb c;
	int n;

	(void)state;
	/* Only the version 1 fields, or any of 8 to 11 missing. */
	for (n = 8; n < 12; n++) {
		khfx_range(&c, (uint64_t)n, 0, n);
		khfx_expect(&c, KH_ERR_MALFORMED);
		khfx_range(&c, 12, 0, n);
		khfx_expect(&c, KH_ERR_MALFORMED);
	}
	/* A thirteenth pair. */
	khfx_range(&c, 13, 0, 12);
	cb_head(&c, M_UINT, 12);
	cb_head(&c, M_UINT, 0);
	khfx_expect(&c, KH_ERR_MALFORMED);
	/* Every truncation is refused. */
	khfx_range(&c, 12, 0, 12);
	for (n = (int)c.n - 1; n >= 0; n--) {
		struct kh *kh = NULL;

		assert_int_not_equal(kh_decode(c.b, (size_t)n, &kh), KH_OK);
		assert_null(kh);
	}
	/* The next version is reported as such. */
	khfx.kh.version = 4;
	khfx_range(&c, 12, 0, 12);
	khfx_expect(&c, KH_ERR_VERSION);
}

/* The key policy of each handle version (key-policy.h). */
static void
test_key_policy(void **state)
{
	struct key_policy p;
	uint8_t certify[32], pcr[32], branches[2][32], both[32];

	(void)state;
	assert_int_equal(policy_certify_branch(certify), 0);
	assert_int_equal(policy_digest(khfx.kh.pcr_mask, khfx.kh.pcr_values,
	    khfx.kh.pcr_values_len, true, pcr), 0);
	memcpy(branches[0], pcr, 32);
	memcpy(branches[1], certify, 32);
	assert_int_equal(policy_or((const uint8_t (*)[32])branches, 2, both),
	    0);

	/* Version 3, bound: PolicyOR(PCR branch, Certify branch). */
	assert_int_equal(key_policy_of(&khfx.kh, &p), 0);
	assert_true(p.present && p.policy_only);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.pcr_branch, 0);
	assert_int_equal(p.certify_branch, 1);
	assert_memory_equal(p.branch[0], pcr, 32);
	assert_memory_equal(p.branch[1], certify, 32);
	assert_memory_equal(p.digest, both, 32);

	/* Version 2: the PCR policy alone. */
	khfx.kh.version = KH_VERSION_PCR;
	assert_int_equal(key_policy_of(&khfx.kh, &p), 0);
	assert_true(p.present && p.policy_only);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.certify_branch, KEY_POLICY_NO_BRANCH);
	assert_memory_equal(p.digest, pcr, 32);

	/* Version 3, unbound: the Certify branch; the auth value signs. */
	khfx.kh.version = KH_VERSION_CERTIFY;
	khfx.kh.pcr_mask = 0;
	khfx.kh.pcr_values_len = 0;
	khfx.kh.policy = 0;
	assert_int_equal(key_policy_of(&khfx.kh, &p), 0);
	assert_true(p.present && !p.policy_only);
	assert_int_equal(p.n, 0);
	assert_memory_equal(p.digest, certify, 32);

	/* Version 1: none. */
	khfx.kh.version = KH_VERSION;
	assert_int_equal(key_policy_of(&khfx.kh, &p), 0);
	assert_false(p.present || p.policy_only);

	/* key_policy_v3 refuses what no handle can be. */
	assert_int_equal(key_policy_v3(0, pcr, 32, false, &p), -1);
	assert_int_equal(key_policy_v3(0, NULL, 0, true, &p), -1);
	assert_int_equal(key_policy_v3(1u << 7, pcr, 64, false, &p), -1);
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
		cmocka_unit_test_setup(test_round_trip_bound, setup_bound),
		cmocka_unit_test_setup(test_round_trip_unbound, setup_unbound),
		cmocka_unit_test_setup(test_unbound_rules, setup_unbound),
		cmocka_unit_test_setup(test_bound_rules, setup_bound),
		cmocka_unit_test_setup(test_layouts, setup_unbound),
		cmocka_unit_test_setup(test_key_policy, setup_bound),
		cmocka_unit_test_setup(test_alloc_failures, setup_unbound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
