/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resident record codec (sk/codec/record.h): round trips, the API and what
 * the encoder refuses. Its decoder's refusals are in test_record_shape.c
 * (bytes that are no well-formed record) and test_record_fields.c (a
 * well-formed map with a bad field). As for key handles, broken records
 * are written by hand with the tests' own CBOR writer (cborgen.h),
 * independent of sk/codec/cbor-strict; the fixture, recfx, and its rendering
 * are shared with those files (codec-fixture.h).
 *
 * Here: exact bytes and round trips at every field's bounds and CBOR head
 * width steps, the largest record, user ids of any bytes, applications in
 * UTF-8, names that would turn into paths or terminal controls; the room a
 * record leaves for a key handle (rec_handle_room) against the largest
 * handle enrollment can make (kh_worst_len); rec_new and rec_free; and
 * allocation failures in both directions.
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
#include "record.h"

/* Encode the fixture: exactly the bytes of record(), decoded back to the
 * same fields. */
static void
round_trip(void)
{
	struct cb c;
	struct rec *rec = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len), KH_OK);
	recfx_map(&c);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(rec_decode(enc, enc_len, &rec), KH_OK);
	assert_non_null(rec);
	assert_rec_equal(rec, &recfx.rec);
	rec_free(&rec);
	assert_null(rec);
	free(enc);
}

static void
test_round_trip(void **state)
{
	(void)state;
	round_trip();
}

/* Field sizes at their bounds and at the CBOR head width steps. */
static void
test_round_trip_sizes(void **state)
{
	static const size_t app_lens[] = { 1, 23, 24, 255, 256 };
	static const size_t user_lens[] = { 0, 1, 23, 24, REC_USER_MAX };
	static const size_t kh_lens[] = {
		1, 23, 24, 255, 256, RECFX_KH_LEN, 1900
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(app_lens) / sizeof(app_lens[0]); i++) {
		memset(recfx.app, 'a', app_lens[i]);
		recfx.app[app_lens[i]] = '\0';
		round_trip();
	}
	recfx_setup(NULL);
	for (i = 0; i < sizeof(user_lens) / sizeof(user_lens[0]); i++) {
		memset(recfx.rec.user_id, 'u', user_lens[i]);
		recfx.rec.user_id_len = user_lens[i];
		round_trip();
	}
	recfx_setup(NULL);
	for (i = 0; i < sizeof(kh_lens) / sizeof(kh_lens[0]); i++) {
		recfx.rec.key_handle_len = kh_lens[i];
		round_trip();
	}
}

/* The largest record: a key handle that brings it to REC_MAX_LEN. One
 * byte more and neither side accepts it. */
static void
test_max_len(void **state)
{
	struct cb c;
	uint8_t *enc = (uint8_t *)(uintptr_t)1;
	size_t enc_len = 1;

	(void)state;
	recfx.rec.key_handle_len = 1;
	recfx_map(&c);
	/* Heads of 1 and 3 bytes: the 1-byte handle's head grows by 2. */
	recfx.rec.key_handle_len = REC_MAX_LEN - c.n - 2 + 1;
	recfx_map(&c);
	assert_int_equal(c.n, REC_MAX_LEN);
	recfx_expect(&c, KH_OK);
	round_trip();
	recfx.rec.key_handle_len++;
	recfx_map(&c);
	assert_int_equal(c.n, REC_MAX_LEN + 1);
	recfx_expect(&c, KH_ERR_MALFORMED);
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
}

/* rec_handle_room is the arithmetic of the encoder: a handle of exactly
 * that many bytes encodes, one more does not, for application and user id
 * lengths on both sides of every CBOR head boundary. At the largest
 * application and user id, the decoder's KH_MAX_LEN does not fit. */
static void
test_handle_room(void **state)
{
	static const size_t app_lens[] = { 1, 23, 24, 255, REC_APP_MAX };
	static const size_t user_lens[] = { 0, 23, 24, REC_USER_MAX };
	static uint8_t kh[KH_MAX_LEN + 1];
	static char app[REC_APP_MAX + 1];
	struct rec rec;
	uint8_t *enc = NULL;
	size_t i, j, room, enc_len = 0;

	(void)state;
	memset(kh, 'k', sizeof(kh));
	for (i = 0; i < sizeof(app_lens) / sizeof(app_lens[0]); i++) {
		for (j = 0; j < sizeof(user_lens) / sizeof(user_lens[0]);
		    j++) {
			memset(&rec, 0, sizeof(rec));
			memset(app, 'a', app_lens[i]);
			app[app_lens[i]] = '\0';
			rec.version = REC_VERSION;
			rec.application = app;
			memset(rec.user_id, 'u', user_lens[j]);
			rec.user_id_len = user_lens[j];
			rec.key_handle = kh;
			room = rec_handle_room(app_lens[i], user_lens[j]);
			assert_true(room > 0 && room < KH_MAX_LEN);
			rec.key_handle_len = room;
			assert_int_equal(rec_encode(&rec, &enc, &enc_len),
			    KH_OK);
			assert_true(enc_len == REC_MAX_LEN ||
			    enc_len == REC_MAX_LEN - 1);
			free(enc);
			enc = NULL;
			rec.key_handle_len = room + 1;
			assert_int_equal(rec_encode(&rec, &enc, &enc_len),
			    KH_ERR_MALFORMED);
		}
	}
	assert_int_equal(rec_handle_room(REC_APP_MAX, REC_USER_MAX), 1703);
	assert_int_equal(rec_handle_room(0, 0), 0);
	assert_int_equal(rec_handle_room(REC_APP_MAX + 1, 0), 0);
	assert_int_equal(rec_handle_room(1, REC_USER_MAX + 1), 0);
}

/* kh_worst_len bounds every handle enrollment can make: a handle with
 * fields up to the bounds encodes to at most that many bytes, at every
 * PCR count and whatever PCRs, in every version (enrollment makes only
 * version 3, whose unbound handles are longer than version 1's). A key
 * bound to no PCRs always fits a record (so the check before the TPM can
 * only refuse PCR-bound keys), at the largest application and user id from
 * 20 PCRs on, and with "ssh:" and no user id never. */
static void
test_handle_worst(void **state)
{
	static uint8_t pub[KH_KEY_PUBLIC_BOUND], priv[KH_KEY_PRIVATE_BOUND],
	    srk[KH_PUBLIC_MAX];
	static const size_t pub_lens[] = { 90, KH_KEY_PUBLIC_BOUND };
	static const size_t priv_lens[] = { 126, KH_KEY_PRIVATE_BOUND };
	static const size_t srk_lens[] = { 90, 282, 536, KH_PUBLIC_MAX };
	size_t prev = 0, worst, len, a, b, c;
	uint8_t *enc;
	unsigned n, shift, v;
	struct kh kh;

	(void)state;
	for (n = 0; n <= 24; n++) {
		worst = kh_worst_len(n);
		assert_true(worst > prev && worst <= KH_MAX_LEN);
		prev = worst;
		for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
		for (c = 0; c < 4; c++)
		for (shift = 0; shift + n <= 24; shift += 24 - n + (n == 24))
		for (v = 0; v < 2; v++) {
			memset(&kh, 0, sizeof(kh));
			kh.version = v == 1 ? KH_VERSION_CERTIFY :
			    n > 0 ? KH_VERSION_PCR : KH_VERSION;
			kh.flags = KH_FLAG_RESIDENT | (n > 0 ? KH_FLAG_PIN : 0);
			pub[0] = 0;
			pub[1] = (uint8_t)(pub_lens[a] - 2);
			priv[0] = (uint8_t)((priv_lens[b] - 2) >> 8);
			priv[1] = (uint8_t)(priv_lens[b] - 2);
			srk[0] = (uint8_t)((srk_lens[c] - 2) >> 8);
			srk[1] = (uint8_t)(srk_lens[c] - 2);
			kh.tpm_public = pub;
			kh.tpm_public_len = pub_lens[a];
			kh.tpm_private = priv;
			kh.tpm_private_len = priv_lens[b];
			kh.srk_public = srk;
			kh.srk_public_len = srk_lens[c];
			assert_int_equal(kh_srk_name(srk, srk_lens[c],
			    kh.srk_name), 0);
			if (n > 0) {
				kh.pcr_mask = ((1u << n) - 1) << shift;
				kh.pcr_values_len = 32 * (size_t)n;
				kh.policy = KH_POLICY_AUTH_VALUE;
			}
			enc = NULL;
			assert_int_equal(kh_encode(&kh, &enc, &len), KH_OK);
			assert_true(len <= worst);
			free(enc);
		}
	}
	assert_int_equal(kh_worst_len(25), 0);
	/* 1053 before version 3: an unbound version 3 handle adds keys 8
	 * to 11 (bank, empty selection, no values, no flags). */
	assert_int_equal(kh_worst_len(0), 1061);
	assert_true(kh_worst_len(0) <= rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(19) <= rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(20) > rec_handle_room(REC_APP_MAX,
	    REC_USER_MAX));
	assert_true(kh_worst_len(24) <= rec_handle_room(4, 0));
}

/* Under the TCG SRK (KH_SRK_TCG_PUBLIC_LEN), the bound enrollment checks
 * against the TPM's own NV index limit: it holds every handle made under
 * that SRK, is below the bound for any SRK, and on a chip with 1664-byte
 * indices (SLB9670) leaves room for every PCR count beside the largest
 * application and user id, while 640 bytes hold no such record. */
static void
test_handle_worst_tcg_srk(void **state)
{
	static uint8_t pub[KH_KEY_PUBLIC_BOUND], priv[KH_KEY_PRIVATE_BOUND],
	    srk[KH_SRK_TCG_PUBLIC_LEN];
	struct kh kh;
	uint8_t *enc;
	size_t len;
	unsigned n;

	(void)state;
	for (n = 0; n <= 24; n++) {
		assert_true(kh_worst_len_srk(n, KH_SRK_TCG_PUBLIC_LEN) <
		    kh_worst_len(n));
		memset(&kh, 0, sizeof(kh));
		kh.version = KH_VERSION_CERTIFY;
		kh.flags = KH_FLAG_RESIDENT | KH_FLAG_PIN;
		pub[1] = sizeof(pub) - 2;
		priv[0] = (uint8_t)((sizeof(priv) - 2) >> 8);
		priv[1] = (uint8_t)(sizeof(priv) - 2);
		srk[1] = sizeof(srk) - 2;
		kh.tpm_public = pub;
		kh.tpm_public_len = sizeof(pub);
		kh.tpm_private = priv;
		kh.tpm_private_len = sizeof(priv);
		kh.srk_public = srk;
		kh.srk_public_len = sizeof(srk);
		assert_int_equal(kh_srk_name(srk, sizeof(srk), kh.srk_name), 0);
		if (n > 0) {
			kh.pcr_mask = ((1u << n) - 1) << (24 - n);
			kh.pcr_values_len = 32 * (size_t)n;
			kh.policy = KH_POLICY_AUTH_VALUE;
		}
		enc = NULL;
		assert_int_equal(kh_encode(&kh, &enc, &len), KH_OK);
		assert_true(len <= kh_worst_len_srk(n, KH_SRK_TCG_PUBLIC_LEN));
		free(enc);
	}
	assert_int_equal(kh_worst_len_srk(0, KH_PUBLIC_MAX), kh_worst_len(0));
	assert_int_equal(kh_worst_len_srk(0, KH_PUBLIC_MAX + 1), 0);
	assert_true(kh_worst_len_srk(24, KH_SRK_TCG_PUBLIC_LEN) <=
	    rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 1664));
	assert_true(kh_worst_len_srk(0, KH_SRK_TCG_PUBLIC_LEN) >
	    rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 640));
	assert_int_equal(rec_handle_room_in(REC_APP_MAX, REC_USER_MAX, 4096),
	    rec_handle_room(REC_APP_MAX, REC_USER_MAX));
	assert_int_equal(rec_handle_room_in(4, 0, 20), 0);
}

/* The user id is a byte string: any bytes but '/' and control characters
 * (zero padding at the end aside), invalid UTF-8 included. */
static void
test_user_id_any_bytes(void **state)
{
	static const uint8_t odd[] = {
		0xff, 0xfe, 0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00, 0x00
	};
	size_t i;

	(void)state;
	memcpy(recfx.rec.user_id, odd, sizeof(odd));
	recfx.rec.user_id_len = sizeof(odd);
	round_trip();
	for (i = 0; i < REC_USER_MAX; i++)
		recfx.rec.user_id[i] = (uint8_t)(0xff - i);
	recfx.rec.user_id_len = REC_USER_MAX;
	round_trip();
	memset(recfx.rec.user_id, 0, REC_USER_MAX);
	round_trip();
}

/* The application: UTF-8 of 1 to 4 bytes a character is fine. */
static void
test_application_utf8(void **state)
{
	static const char *const good[] = {
		"ssh:", "ssh:\xc3\xa9t\xc3\xa9",	/* é */
		"ssh:\xe2\x82\xac",			/* € */
		"ssh:\xf0\x9f\x94\x91",			/* U+1F511 */
		"ssh:\xef\xbf\xbf\xf4\x8f\xbf\xbf",	/* U+FFFF, U+10FFFF */
		"\xc2\xa0",				/* U+00A0 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		strcpy(recfx.app, good[i]);
		round_trip();
	}
}

/* Names that would turn into paths or terminal controls in ssh-keygen -K's
 * file names and messages: refused by the encoder and the decoder. */
static void
test_names_refused(void **state)
{
	static const char *const bad_app[] = {
		"ssh:../x", "ssh:a/b", "/", "ssh:\x1b[31mred", "ssh:\x7f",
		"ssh:\t", "ssh:\xc2\x9b" "31m",		/* CSI as U+009B */
	};
	static const char *const bad_user[] = {
		"../x", "a/b", "\x1b]0;title\x07", "a\nb", "\x7f",
	};
	static const uint8_t nul_inside[] = { 'a', 0x00, 'b' };
	uint8_t *enc = NULL;
	size_t i, enc_len = 0;
	struct cb c;

	(void)state;
	for (i = 0; i < sizeof(bad_app) / sizeof(bad_app[0]); i++) {
		strcpy(recfx.app, bad_app[i]);
		assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		assert_null(enc);
		recfx_map(&c);
		recfx_expect(&c, KH_ERR_MALFORMED);
		assert_non_null(rec_name_why((const uint8_t *)bad_app[i],
		    strlen(bad_app[i]), true));
	}
	strcpy(recfx.app, "ssh:");
	for (i = 0; i < sizeof(bad_user) / sizeof(bad_user[0]); i++) {
		memcpy(recfx.rec.user_id, bad_user[i], strlen(bad_user[i]));
		recfx.rec.user_id_len = strlen(bad_user[i]);
		assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
		    KH_ERR_MALFORMED);
		recfx_map(&c);
		recfx_expect(&c, KH_ERR_MALFORMED);
	}
	memcpy(recfx.rec.user_id, nul_inside, sizeof(nul_inside));
	recfx.rec.user_id_len = sizeof(nul_inside);
	assert_int_equal(rec_encode(&recfx.rec, &enc, &enc_len),
	    KH_ERR_MALFORMED);
	recfx.rec.user_id_len = 2;		/* "a", then padding */
	round_trip();
}

static void
test_new_free(void **state)
{
	static const struct rec zero;
	struct rec *rec;

	(void)state;
	assert_non_null(rec = rec_new());
	assert_memory_equal(rec, &zero, sizeof(zero));
	rec_free(&rec);
	assert_null(rec);
	rec_free(&rec);
	rec_free(NULL);
}

/* Fail each allocation of a decode and an encode in turn: reported as
 * such, nothing leaked (see the valgrind and ASan runs). */
static void
test_alloc_failures(void **state)
{
	struct cb c;
	struct rec *rec;
	uint8_t *enc;
	size_t enc_len;
	long n;
	int r, failures = 0;

	(void)state;
	recfx_map(&c);
	for (n = 0;; n++) {
		rec = NULL;
		alloc_fail_in = n;
		r = rec_decode(c.b, c.n, &rec);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(rec);
		failures++;
	}
	assert_rec_equal(rec, &recfx.rec);
	rec_free(&rec);
	/* The struct, the application, the key handle. */
	assert_int_equal(failures, 3);
	for (n = 0;; n++) {
		enc = NULL;
		enc_len = 0;
		alloc_fail_in = n;
		r = rec_encode(&recfx.rec, &enc, &enc_len);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
	assert_int_equal(n, 1);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	free(enc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, recfx_setup),
		cmocka_unit_test_setup(test_round_trip_sizes, recfx_setup),
		cmocka_unit_test_setup(test_max_len, recfx_setup),
		cmocka_unit_test(test_handle_room),
		cmocka_unit_test(test_handle_worst),
		cmocka_unit_test(test_handle_worst_tcg_srk),
		cmocka_unit_test_setup(test_user_id_any_bytes, recfx_setup),
		cmocka_unit_test_setup(test_application_utf8, recfx_setup),
		cmocka_unit_test_setup(test_names_refused, recfx_setup),
		cmocka_unit_test_setup(test_new_free, recfx_setup),
		cmocka_unit_test_setup(test_alloc_failures, recfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
