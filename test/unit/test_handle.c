/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The key-handle codec, version 1 (sk/codec/handle.h): round trips, the API and
 * what the encoder refuses. Its decoder's refusals are in
 * test_handle_shape.c (bytes that are no well-formed handle: truncated,
 * padded, foreign, damaged, of the wrong CBOR shape) and
 * test_handle_fields.c (a well-formed map with a bad field); version 2
 * handles in test_handle_pcr.c.
 *
 * Malformed handles are written by hand with the tests' own CBOR writer
 * (cborgen.h) rather than with kh_encode(), so that the encoder's output
 * is checked against an independent rendering of the format in handle.h
 * and the decoder sees shapes the encoder can never produce. The fixture,
 * khfx, and its rendering are shared with those files (codec-fixture.h).
 *
 * Here: exact bytes and round trips over every flag and TPM2B size bound;
 * kh_new, kh_free and kh_strerror; an SRK public area that does not match
 * the SRK name it comes with; handles the encoder will not write; and
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
#include "kh-sample.h"

static void
test_round_trip(void **state)
{
	struct cb c;
	struct kh *kh = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	(void)state;
	assert_int_equal(kh_encode(&khfx.kh, &enc, &enc_len), KH_OK);
	/* Exactly the bytes the format in handle.h describes. */
	khfx_map(&c);
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
	assert_non_null(kh);
	assert_kh_equal(kh, &khfx.kh);
	kh_free(&kh);
	assert_null(kh);
	free(enc);
}

static void
test_round_trip_flags_and_sizes(void **state)
{
	static const uint32_t flags[] = {
		0, KH_FLAG_PRESENCE, KH_FLAG_PIN, KH_FLAG_RESIDENT,
		KH_FLAG_SRK_PERSISTENT, KH_FLAGS_KNOWN
	};
	/* Public and private lengths at their bounds; together they stay
	 * under KH_MAX_LEN. */
	static const size_t sizes[][3] = {
		{ 2, 2, 2 },
		{ KH_PUBLIC_MAX, 2, 2 },
		{ 2, KH_PRIVATE_MAX, 2 },
		{ 2, 2, KH_PUBLIC_MAX },
		{ 23 + 2, 24 + 2, 255 + 2 },	/* CBOR head width steps */
		{ KH_PUBLIC_MAX, KH_PRIVATE_MAX, 200 },
	};
	struct kh *kh;
	uint8_t *enc;
	size_t i, enc_len;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		khfx.kh.flags = flags[i];
		enc = NULL;
		kh = NULL;
		assert_int_equal(kh_encode(&khfx.kh, &enc, &enc_len), KH_OK);
		assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
		assert_kh_equal(kh, &khfx.kh);
		kh_free(&kh);
		free(enc);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(khs_fill(&khfx, sizes[i][0], sizes[i][1],
		    sizes[i][2], 1), 0);
		enc = NULL;
		kh = NULL;
		assert_int_equal(kh_encode(&khfx.kh, &enc, &enc_len), KH_OK);
		assert_true(enc_len <= KH_MAX_LEN);
		assert_int_equal(kh_decode(enc, enc_len, &kh), KH_OK);
		assert_kh_equal(kh, &khfx.kh);
		kh_free(&kh);
		free(enc);
	}
}

static void
test_new_free_strerror(void **state)
{
	static const struct kh zero;
	struct kh *kh;

	(void)state;
	assert_non_null(kh = kh_new());
	assert_memory_equal(kh, &zero, sizeof(zero));
	kh_free(&kh);
	assert_null(kh);
	kh_free(&kh);
	kh_free(NULL);
	assert_string_equal(kh_strerror(KH_ERR_FOREIGN),
	    "not an sk-tpm key handle");
	assert_string_equal(kh_strerror(KH_ERR_VERSION),
	    "sk-tpm key handle of an unsupported format version");
	assert_string_equal(kh_strerror(KH_ERR_MALFORMED),
	    "malformed sk-tpm key handle");
	assert_string_equal(kh_strerror(KH_ERR_NOMEM), "out of memory");
	assert_non_null(kh_strerror(12345));
	assert_non_null(kh_strerror(KH_OK));
}

/* A handle that kept its SRK name but carries another SRK public area (an
 * attacker's point) is refused as altered, by the decoder and the encoder;
 * so is one whose name changed under an unchanged public area. */
static void
test_srk_name_binding(void **state)
{
	struct cb c;
	struct kh *kh = (struct kh *)(uintptr_t)1, bad;
	uint8_t *enc = NULL, other[KHS_SRKPUB_LEN];
	size_t enc_len = 0;

	(void)state;
	memcpy(other, khfx.srkpub, KHS_SRKPUB_LEN);
	other[KHS_SRKPUB_LEN - 1] ^= 0x01;		/* the last byte of Y */
	bad = khfx.kh;
	bad.srk_public = other;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_ALTERED);
	assert_null(enc);
	khfx.kh.srk_public = other;
	khfx_map(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_ALTERED);
	assert_null(kh);
	khfx.kh.srk_public = khfx.srkpub;
	khfx.kh.srk_name[KH_NAME_LEN - 1] ^= 0x80;
	khfx_map(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_ERR_ALTERED);
	assert_null(kh);
	assert_non_null(strstr(kh_strerror(KH_ERR_ALTERED), "altered"));
	khfx.kh.srk_name[KH_NAME_LEN - 1] ^= 0x80;
	khfx_map(&c);
	assert_int_equal(kh_decode(c.b, c.n, &kh), KH_OK);
	kh_free(&kh);
}

static void
test_encode_refuses(void **state)
{
	struct kh bad;
	uint8_t *enc = NULL;
	size_t enc_len = 0;

	(void)state;
	bad = khfx.kh;
	bad.version = 4;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_VERSION);
	assert_null(enc);
	/* Version 2 without a binding, or version 1 with one. */
	bad = khfx.kh;
	bad.version = KH_VERSION_PCR;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = khfx.kh;
	bad.pcr_mask = 1u << 7;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	bad = khfx.kh;
	bad.flags |= 0x02;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = khfx.kh;
	bad.tpm_public = NULL;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = khfx.kh;
	bad.tpm_private_len--;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = khfx.kh;
	bad.srk_public_len = KH_PUBLIC_MAX + 1;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	bad = khfx.kh;
	bad.srk_name[1] = 0x0c;
	assert_int_equal(kh_encode(&bad, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_int_equal(kh_encode(NULL, &enc, &enc_len), KH_ERR_MALFORMED);
	assert_null(enc);
	assert_int_equal(enc_len, 0);
}

/* Fail the first, second, ... allocation of a decode and an encode until
 * one succeeds: each failure is reported as such, nothing leaks. */
static void
test_alloc_failures(void **state)
{
	struct cb c;
	struct kh *kh;
	uint8_t *enc;
	size_t enc_len;
	long n;
	int r, failures = 0;

	(void)state;
	khfx_map(&c);
	for (n = 0;; n++) {
		kh = NULL;
		alloc_fail_in = n;
		r = kh_decode(c.b, c.n, &kh);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(kh);
		failures++;
	}
	assert_kh_equal(kh, &khfx.kh);
	kh_free(&kh);
	/* kh_new and three byte strings at least. */
	assert_true(failures >= 4);
	for (n = 0;; n++) {
		enc = NULL;
		enc_len = 0;
		alloc_fail_in = n;
		r = kh_encode(&khfx.kh, &enc, &enc_len);
		alloc_fail_in = -1;
		if (r == KH_OK)
			break;
		assert_int_equal(r, KH_ERR_NOMEM);
		assert_null(enc);
		assert_int_equal(enc_len, 0);
	}
	assert_int_equal(enc_len, c.n);
	assert_memory_equal(enc, c.b, c.n);
	free(enc);
	assert_true(n >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, khfx_setup),
		cmocka_unit_test_setup(test_round_trip_flags_and_sizes,
		    khfx_setup),
		cmocka_unit_test_setup(test_new_free_strerror, khfx_setup),
		cmocka_unit_test_setup(test_srk_name_binding, khfx_setup),
		cmocka_unit_test_setup(test_encode_refuses, khfx_setup),
		cmocka_unit_test_setup(test_alloc_failures, khfx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
