/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unlockable keys' pure code: key handles of format version 4 (round
 * trips, every rule of keys 8 to 13, every truncation), their policy
 * (kh_unlock_policy against the policy-branch primitives), the ticket
 * file's strict decoder and its encoder, file names, and the window's
 * setting (unlock_parse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handle.h"
#include "key-policy.h"
#include "kh-sample.h"
#include "policy-branch.h"
#include "ticket-file.h"
#include "unlock.h"

static struct kh_sample sample;

static int
setup(void **state)
{
	(void)state;
	return khs_init_unlock(&sample);
}

static void
test_handle_round_trip(void **state)
{
	struct kh *kh = NULL;
	uint8_t *enc = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	(void)state;
	assert_int_equal(kh_encode(&sample.kh, &enc, &len), KH_OK);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->version, KH_VERSION_UNLOCK);
	assert_int_equal(kh->flags, sample.kh.flags);
	assert_int_equal(kh->unlock_s, 900);
	assert_int_equal(kh->pcr_mask, 0);
	assert_int_equal(kh->pcr_values_len, 0);
	assert_int_equal(kh->secret_public_len, KHS_SECPUB_LEN);
	assert_memory_equal(kh->secret_public, sample.secpub, KHS_SECPUB_LEN);
	assert_int_equal(kh->secret_private_len, KHS_SECPRIV_LEN);
	assert_memory_equal(kh->secret_private, sample.secpriv,
	    KHS_SECPRIV_LEN);
	assert_memory_equal(kh->policy_ref, sample.kh.policy_ref, KH_REF_LEN);
	/* One encoding: what was read writes back to the same bytes. */
	assert_int_equal(kh_encode(kh, &again, &len2), KH_OK);
	assert_int_equal(len2, len);
	assert_memory_equal(again, enc, len);
	kh_free(&kh);
	free(again);
	free(enc);

	/* Bound to PCRs as well. */
	sample.kh.pcr_mask = 1u << 7;
	sample.kh.pcr_values_len = 32;
	memset(sample.kh.pcr_values, 0x77, 32);
	assert_int_equal(kh_encode(&sample.kh, &enc, &len), KH_OK);
	assert_int_equal(kh_decode(enc, len, &kh), KH_OK);
	assert_int_equal(kh->pcr_mask, 1u << 7);
	assert_memory_equal(kh->pcr_values, sample.kh.pcr_values, 32);
	kh_free(&kh);
	free(enc);
}

/* Every prefix of a valid handle is refused, and so is a byte more. */
static void
test_handle_truncations(void **state)
{
	struct kh *kh = NULL;
	uint8_t *enc = NULL, *longer;
	size_t len = 0, n;

	(void)state;
	assert_int_equal(kh_encode(&sample.kh, &enc, &len), KH_OK);
	for (n = 0; n < len; n++) {
		assert_int_not_equal(kh_decode(enc, n, &kh), KH_OK);
		assert_null(kh);
	}
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, enc, len);
	longer[len] = 0;
	assert_int_equal(kh_decode(longer, len + 1, &kh), KH_ERR_MALFORMED);
	free(longer);
	free(enc);
}

static void
expect_encode(int want)
{
	uint8_t *enc = NULL;
	size_t len = 0;

	assert_int_equal(kh_encode(&sample.kh, &enc, &len), want);
	free(enc);
	assert_int_equal(khs_init_unlock(&sample), 0);
}

/* The rules of version 4 (kh_check), which both directions apply. */
static void
test_handle_rules(void **state)
{
	(void)state;
	sample.kh.flags &= ~(uint32_t)KH_FLAG_PIN;	/* unlock needs a PIN */
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.unlock_s = 0;
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.unlock_s = KH_UNLOCK_MAX + 1;
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.unlock_s = KH_UNLOCK_MAX;
	expect_encode(KH_OK);
	sample.kh.policy = KH_POLICY_AUTH_VALUE;	/* no PolicyAuthValue */
	expect_encode(KH_ERR_MALFORMED);
	sample.secpub[1] ^= 1;				/* bad TPM2B size */
	expect_encode(KH_ERR_MALFORMED);
	sample.secpriv[0] = 0xff;
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.secret_public = NULL;
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.pcr_mask = 1u << 7;			/* values missing */
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.pcr_mask = 1u << 24;			/* no such PCR */
	sample.kh.pcr_values_len = 32;
	expect_encode(KH_ERR_MALFORMED);
	/* Unlock fields in a version 1 or 2 handle. */
	sample.kh.version = KH_VERSION;
	expect_encode(KH_ERR_MALFORMED);
	sample.kh.version = KH_VERSION_CERTIFY;
	expect_encode(KH_ERR_MALFORMED);
	/* Version 5 is nobody's yet. */
	sample.kh.version = 5;
	expect_encode(KH_ERR_VERSION);
}

/* The policy is PolicyOR(unlock branch, certify branch), the unlock
 * branch [PolicyPCR] PolicySecret(P's Name, policyRef). */
static void
test_policy(void **state)
{
	uint8_t name[KH_NAME_LEN], want_name[KH_NAME_LEN];
	uint8_t br[2][32], want_br[2][32], pol[32], want[32], start[32];

	(void)state;
	assert_int_equal(kh_unlock_policy(&sample.kh, name, br, pol), 0);
	assert_int_equal(kh_srk_name(sample.secpub, KHS_SECPUB_LEN,
	    want_name), 0);
	assert_memory_equal(name, want_name, KH_NAME_LEN);
	memset(start, 0, sizeof(start));
	assert_int_equal(policy_extend_secret(start, want_name, KH_NAME_LEN,
	    sample.kh.policy_ref, KH_REF_LEN, want_br[0]), 0);
	assert_int_equal(policy_certify_branch(want_br[1]), 0);
	assert_memory_equal(br, want_br, sizeof(br));
	assert_int_equal(policy_or((const uint8_t (*)[32])want_br, 2, want),
	    0);
	assert_memory_equal(pol, want, 32);

	/* Another policyRef, another policy: each key its own window. */
	sample.kh.policy_ref[0] ^= 1;
	assert_int_equal(kh_unlock_policy(&sample.kh, name, br, want), 0);
	assert_memory_not_equal(pol, want, 32);

	/* With a PCR, PolicyPCR comes first in the unlock branch. */
	sample.kh.pcr_mask = 1u << 7;
	sample.kh.pcr_values_len = 32;
	assert_int_equal(policy_digest(1u << 7, sample.kh.pcr_values, 32,
	    false, start), 0);
	assert_int_equal(policy_extend_secret(start, want_name, KH_NAME_LEN,
	    sample.kh.policy_ref, KH_REF_LEN, want_br[0]), 0);
	assert_int_equal(kh_unlock_policy(&sample.kh, name, br, pol), 0);
	assert_memory_equal(br[0], want_br[0], 32);

	/* key_policy_of gives the same: both branches, the unlock one
	 * first, policy sessions only. */
	{
		struct key_policy kp;

		assert_int_equal(key_policy_of(&sample.kh, &kp), 0);
		assert_true(kp.present);
		assert_true(kp.policy_only);
		assert_int_equal(kp.n, 2);
		assert_int_equal(kp.unlock_branch, 0);
		assert_int_equal(kp.certify_branch, 1);
		assert_int_equal(kp.pcr_branch, KEY_POLICY_NO_BRANCH);
		assert_memory_equal(kp.branch, br, sizeof(br));
		assert_memory_equal(kp.digest, pol, 32);
	}

	sample.kh.version = KH_VERSION_PCR;
	assert_int_equal(kh_unlock_policy(&sample.kh, name, br, pol), -1);
	assert_int_equal(khs_init_unlock(&sample), 0);
}

static void
ticket_sample(struct unlock_ticket *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < KH_REF_LEN; i++)
		t->policy_ref[i] = (uint8_t)(0xa0 + i);
	t->secret_name[0] = 0x00;
	t->secret_name[1] = 0x0b;
	for (i = 2; i < KH_NAME_LEN; i++)
		t->secret_name[i] = (uint8_t)i;
	t->end = 0x0102030405060708ull;
	t->timeout_len = 8;
	memset(t->timeout, 0x5a, 8);
	t->tag = TICKET_TAG_SECRET;
	t->hierarchy = TICKET_RH_OWNER;
	t->digest_len = 32;
	memset(t->digest, 0xd1, 32);
}

static void
test_ticket_round_trip(void **state)
{
	struct unlock_ticket t, u;
	uint8_t buf[TICKET_MAX_LEN], again[TICKET_MAX_LEN];
	size_t len, len2;

	(void)state;
	ticket_sample(&t);
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 8 + 1 + 16 + 34 + 8 + 2 + 8 + 2 + 4 + 2 + 32);
	assert_memory_equal(buf, "SKTPMTK\0\1", 9);
	assert_int_equal(ticket_decode(buf, len, &u, NULL), 0);
	assert_memory_equal(u.policy_ref, t.policy_ref, KH_REF_LEN);
	assert_memory_equal(u.secret_name, t.secret_name, KH_NAME_LEN);
	assert_true(u.end == t.end);
	assert_int_equal(u.timeout_len, 8);
	assert_memory_equal(u.timeout, t.timeout, 8);
	assert_int_equal(u.tag, TICKET_TAG_SECRET);
	assert_int_equal(u.hierarchy, TICKET_RH_OWNER);
	assert_int_equal(u.digest_len, 32);
	assert_memory_equal(u.digest, t.digest, 32);
	assert_int_equal(ticket_encode(&u, again, sizeof(again), &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, buf, len);

	/* The extremes of the sizes. */
	t.timeout_len = 1;
	t.digest_len = TICKET_DIGEST_MAX;
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), 0);
	assert_int_equal(ticket_decode(buf, len, &u, NULL), 0);
	assert_int_equal(u.digest_len, TICKET_DIGEST_MAX);
	/* Too small a buffer, fields out of bounds. */
	assert_int_equal(ticket_encode(&t, buf, TICKET_MAX_LEN - 1, &len), -1);
	t.timeout_len = 0;
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), -1);
	ticket_sample(&t);
	t.digest_len = TICKET_DIGEST_MIN - 1;
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), -1);
	ticket_sample(&t);
	t.tag = 0x8025;		/* a PolicySigned ticket */
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), -1);
}

/* Every prefix, a byte more, and each field off by one bit. */
static void
test_ticket_refusals(void **state)
{
	static const struct {
		size_t off;
		uint8_t x;
	} flips[] = {
		{ 0, 0x01 },		/* magic */
		{ 7, 0x01 },		/* magic's NUL */
		{ 8, 0x03 },		/* version */
		{ 25, 0x01 },		/* Name's algorithm */
		{ 67, 0x10 },		/* timeout size 8 -> 0x1008 */
		{ 68, 0x08 },		/* timeout size 8 -> 0 */
		{ 68, 0x01 },		/* timeout size 8 -> 9 */
		{ 78, 0x06 },		/* tag 0x8023 -> 0x8025 */
		{ 79, 0x80 },		/* hierarchy */
		{ 82, 0x01 },		/* hierarchy's low byte */
		{ 84, 0x60 },		/* digest size 32 -> 64: truncated */
		{ 84, 0x3f },		/* digest size 32 -> 31: a byte over */
		{ 84, 0x34 },		/* digest size 32 -> 20: bytes over */
	};
	struct unlock_ticket t, u;
	uint8_t buf[TICKET_MAX_LEN + 1], bad[TICKET_MAX_LEN + 1];
	const char *why;
	size_t len, n, i;

	(void)state;
	ticket_sample(&t);
	assert_int_equal(ticket_encode(&t, buf, sizeof(buf), &len), 0);
	for (n = 0; n < len; n++) {
		why = NULL;
		assert_int_equal(ticket_decode(buf, n, &u, &why), -1);
		assert_non_null(why);
	}
	buf[len] = 0;
	assert_int_equal(ticket_decode(buf, len + 1, &u, &why), -1);
	assert_string_equal(why, "bytes after the ticket");
	assert_int_equal(ticket_decode(NULL, 0, &u, &why), -1);
	for (i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		memcpy(bad, buf, len);
		bad[flips[i].off] ^= flips[i].x;
		assert_int_equal(ticket_decode(bad, len, &u, NULL), -1);
	}
	/* Longer than any ticket. */
	memset(bad, 0, sizeof(bad));
	assert_int_equal(ticket_decode(bad, TICKET_MAX_LEN + 1, &u, &why), -1);
	assert_string_equal(why, "too long");
}

static void
test_ticket_file_name(void **state)
{
	char name[TICKET_NAME_LEN];

	(void)state;
	ticket_file_name(sample.kh.policy_ref, name);
	assert_string_equal(name,
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf.ticket");
}

static void
test_unlock_parse(void **state)
{
	static const struct {
		const char *in;
		int r;
		uint32_t s;
	} cases[] = {
		{ "15m", 0, 900 }, { "1h", 0, 3600 }, { "90s", 0, 90 },
		{ "90", 0, 90 }, { "1h30m", 0, 5400 }, { "2m5s", 0, 125 },
		{ "12h", 0, 43200 }, { "43200", 0, 43200 }, { "off", 0, 0 },
		{ "0", 0, 0 }, { "12h1s", -1, 0 }, { "43201", -1, 0 },
		{ "13h", -1, 0 }, { "", -1, 0 }, { "m", -1, 0 },
		{ "15x", -1, 0 }, { "-5m", -1, 0 }, { "1m30", -1, 0 },
		{ " 5m", -1, 0 }, { "5m ", -1, 0 }, { "0m", -1, 0 },
		{ "99999999999999999999s", -1, 0 }, { "1d", -1, 0 },
	};
	uint32_t s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = 12345;
		assert_int_equal(unlock_parse(cases[i].in, &s), cases[i].r);
		assert_int_equal(s, cases[i].s);
	}
	assert_int_equal(unlock_parse(NULL, &s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_handle_round_trip, setup),
		cmocka_unit_test_setup(test_handle_truncations, setup),
		cmocka_unit_test_setup(test_handle_rules, setup),
		cmocka_unit_test_setup(test_policy, setup),
		cmocka_unit_test(test_ticket_round_trip),
		cmocka_unit_test(test_ticket_refusals),
		cmocka_unit_test_setup(test_ticket_file_name, setup),
		cmocka_unit_test(test_unlock_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
