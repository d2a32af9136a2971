/*
 * Key handles of format version 2 (a PCR binding, handle.h): exact bytes
 * from the tests' own CBOR writer, round trips, and every rule of keys
 * 8 to 11. Version 1 handles are test_handle.c's; they are unchanged.
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
#include "handle.h"

#define PUB_LEN		124
#define PRIV_LEN	128
#define SRKPUB_LEN	122

static struct {
	uint8_t pub[PUB_LEN], priv[PRIV_LEN], srkpub[SRKPUB_LEN];
	struct kh kh;
	uint64_t bank;		/* key 8 as written */
} fx;

static void
value(struct cb *c, int k)
{
	switch (k) {
	case 0:
		cb_text(c, KH_MAGIC);
		break;
	case 1:
		cb_head(c, M_UINT, fx.kh.version);
		break;
	case 2:
		cb_head(c, M_UINT, fx.kh.flags);
		break;
	case 3:
		cb_bytes(c, fx.kh.tpm_public, fx.kh.tpm_public_len);
		break;
	case 4:
		cb_bytes(c, fx.kh.tpm_private, fx.kh.tpm_private_len);
		break;
	case 5:
		cb_bytes(c, fx.kh.srk_name, KH_NAME_LEN);
		break;
	case 6:
		cb_bytes(c, fx.kh.srk_public, fx.kh.srk_public_len);
		break;
	case 7:
		cb_bytes(c, fx.kh.app_hash, KH_APP_HASH_LEN);
		break;
	case 8:
		cb_head(c, M_UINT, fx.bank);
		break;
	case 9:
		cb_head(c, M_UINT, fx.kh.pcr_mask);
		break;
	case 10:
		cb_bytes(c, fx.kh.pcr_values, fx.kh.pcr_values_len);
		break;
	default:
		cb_head(c, M_UINT, fx.kh.policy);
		break;
	}
}

static void
tpm2b(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	p[0] = (uint8_t)((len - 2) >> 8);
	p[1] = (uint8_t)(len - 2);
	for (i = 2; i < len; i++)
		p[i] = (uint8_t)(seed + i * 3);
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	tpm2b(fx.pub, PUB_LEN, 1);
	tpm2b(fx.priv, PRIV_LEN, 2);
	tpm2b(fx.srkpub, SRKPUB_LEN, 3);
	fx.kh.version = KH_VERSION_PCR;
	fx.kh.flags = KH_FLAG_PIN | KH_FLAG_SRK_PERSISTENT;
	fx.kh.tpm_public = fx.pub;
	fx.kh.tpm_public_len = PUB_LEN;
	fx.kh.tpm_private = fx.priv;
	fx.kh.tpm_private_len = PRIV_LEN;
	fx.kh.srk_public = fx.srkpub;
	fx.kh.srk_public_len = SRKPUB_LEN;
	if (kh_srk_name(fx.kh.srk_public, fx.kh.srk_public_len,
	    fx.kh.srk_name) != 0)
		return -1;
	for (i = 0; i < KH_APP_HASH_LEN; i++)
		fx.kh.app_hash[i] = (uint8_t)i;
	fx.kh.pcr_mask = 1u << 7 | 1u << 14;
	for (i = 0; i < 64; i++)
		fx.kh.pcr_values[i] = (uint8_t)(0x80 + i);
	fx.kh.pcr_values_len = 64;
	fx.kh.policy = KH_POLICY_AUTH_VALUE;
	fx.bank = KH_PCR_BANK_SHA256;
	alloc_fail_in = -1;
	return 0;
}

static void
expect(const struct cb *c, int want)
{
	struct kh *kh = NULL;

	assert_int_equal(kh_decode(c->b, c->n, &kh), want);
	if (want == KH_OK)
		kh_free(&kh);
	assert_null(kh);
}

static void
test_exact_bytes_and_round_trip(void **state)
{
	struct cb c;
	struct kh *kh = NULL;
	uint8_t *enc = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(kh_encode(&fx.kh, &enc, &len), KH_OK);
	cb_map_range(&c, 12, 0, 12, value);
	assert_int_equal(len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->version, KH_VERSION_PCR);
	assert_int_equal(kh->flags, fx.kh.flags);
	assert_int_equal(kh->pcr_mask, fx.kh.pcr_mask);
	assert_int_equal(kh->pcr_values_len, 64);
	assert_memory_equal(kh->pcr_values, fx.kh.pcr_values, 64);
	assert_int_equal(kh->policy, KH_POLICY_AUTH_VALUE);
	assert_memory_equal(kh->tpm_public, fx.pub, PUB_LEN);
	kh_free(&kh);
	free(enc);

	/* Every PCR, no PIN: the largest handle still fits. */
	fx.kh.flags = 0;
	fx.kh.policy = 0;
	fx.kh.pcr_mask = KH_PCR_ALL;
	fx.kh.pcr_values_len = KH_PCR_VALUES_MAX;
	assert_int_equal(kh_encode(&fx.kh, &enc, &len), KH_OK);
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
			cb_map_with(&c, 12, k, kinds[i], value);
			expect(&c, KH_ERR_MALFORMED);
		}
	cb_map_with(&c, 12, 10, cb_emit_uint, value);
	expect(&c, KH_ERR_MALFORMED);

	fx.bank = 0x0004;		/* SHA-1 */
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.bank = KH_PCR_BANK_SHA256;
	fx.kh.pcr_mask = 0;
	fx.kh.pcr_values_len = 0;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.pcr_mask = 1u << 24;
	fx.kh.pcr_values_len = 32;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.pcr_mask = 1u << 7 | 1u << 14;
	fx.kh.pcr_values_len = 32;	/* one value for two PCRs */
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.pcr_values_len = 96;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.pcr_values_len = 64;
	fx.kh.policy = 0x02;		/* unknown bit */
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.policy = 0;		/* a PIN key whose policy lacks it */
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.flags = 0;		/* and the other way round */
	fx.kh.policy = KH_POLICY_AUTH_VALUE;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	fx.kh.policy = 0;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_OK);
}

static void
test_layouts(void **state)
{
	struct cb c;
	int n;

	(void)state;
	/* Version 2 with the version 1 fields only, or missing any. */
	for (n = 8; n < 12; n++) {
		cb_map_range(&c, (uint64_t)n, 0, n, value);
		expect(&c, KH_ERR_MALFORMED);
		cb_map_range(&c, 12, 0, n, value);
		expect(&c, KH_ERR_MALFORMED);
	}
	/* Version 1 with a binding appended. */
	fx.kh.version = KH_VERSION;
	cb_map_range(&c, 12, 0, 12, value);
	expect(&c, KH_ERR_MALFORMED);
	/* Keys out of order. */
	fx.kh.version = KH_VERSION_PCR;
	cb_map_range(&c, 12, 0, 8, value);
	cb_field(&c, 9, value);
	cb_field(&c, 8, value);
	cb_field(&c, 10, value);
	cb_field(&c, 11, value);
	expect(&c, KH_ERR_MALFORMED);
	/* Every truncation is refused. */
	cb_map_range(&c, 12, 0, 12, value);
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
	cb_map_range(&c, 12, 0, 12, value);
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
		cmocka_unit_test_setup(test_exact_bytes_and_round_trip, setup),
		cmocka_unit_test_setup(test_binding_rules, setup),
		cmocka_unit_test_setup(test_layouts, setup),
		cmocka_unit_test_setup(test_alloc_failures, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
