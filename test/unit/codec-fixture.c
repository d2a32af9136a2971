/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fixtures of the key-handle and resident-record codec tests (see
 * codec-fixture.h).
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
#include "record.h"

struct kh_sample khfx;
uint64_t khfx_bank;
struct record_fixture recfx;

/* --- key handles ------------------------------------------------------ */

int
khfx_setup(void **state)
{
	(void)state;
	alloc_fail_in = -1;
	khfx_bank = KH_PCR_BANK_SHA256;
	return khs_init(&khfx);
}

int
khfx_setup_pcr(void **state)
{
	(void)state;
	alloc_fail_in = -1;
	khfx_bank = KH_PCR_BANK_SHA256;
	return khs_init_pcr(&khfx);
}

void
khfx_value(struct cb *c, int k)
{
	switch (k) {
	case 0:
		cb_text(c, KH_MAGIC);
		break;
	case 1:
		cb_head(c, M_UINT, khfx.kh.version);
		break;
	case 2:
		cb_head(c, M_UINT, khfx.kh.flags);
		break;
	case 3:
		cb_bytes(c, khfx.kh.tpm_public, khfx.kh.tpm_public_len);
		break;
	case 4:
		cb_bytes(c, khfx.kh.tpm_private, khfx.kh.tpm_private_len);
		break;
	case 5:
		cb_bytes(c, khfx.kh.srk_name, KH_NAME_LEN);
		break;
	case 6:
		cb_bytes(c, khfx.kh.srk_public, khfx.kh.srk_public_len);
		break;
	case 7:
		cb_bytes(c, khfx.kh.app_hash, KH_APP_HASH_LEN);
		break;
	case 8:
		cb_head(c, M_UINT, khfx_bank);
		break;
	case 9:
		cb_head(c, M_UINT, khfx.kh.pcr_mask);
		break;
	case 10:
		cb_bytes(c, khfx.kh.pcr_values, khfx.kh.pcr_values_len);
		break;
	default:
		cb_head(c, M_UINT, khfx.kh.policy);
		break;
	}
}

void
khfx_field(struct cb *c, int k)
{
	cb_field(c, k, khfx_value);
}

void
khfx_range(struct cb *c, uint64_t npairs, int from, int to)
{
	cb_map_range(c, npairs, from, to, khfx_value);
}

void
khfx_map(struct cb *c)
{
	khfx_range(c, 8, 0, 8);
}

void
khfx_with(struct cb *c, int k, void (*emit)(struct cb *))
{
	cb_map_with(c, 8, k, emit, khfx_value);
}

void
assert_kh_equal(const struct kh *a, const struct kh *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->tpm_public_len, b->tpm_public_len);
	assert_memory_equal(a->tpm_public, b->tpm_public, a->tpm_public_len);
	assert_int_equal(a->tpm_private_len, b->tpm_private_len);
	assert_memory_equal(a->tpm_private, b->tpm_private,
	    a->tpm_private_len);
	assert_memory_equal(a->srk_name, b->srk_name, KH_NAME_LEN);
	assert_int_equal(a->srk_public_len, b->srk_public_len);
	assert_memory_equal(a->srk_public, b->srk_public, a->srk_public_len);
	assert_memory_equal(a->app_hash, b->app_hash, KH_APP_HASH_LEN);
}

void
khfx_expect_bytes(const uint8_t *buf, size_t len, int want)
{
	struct kh *kh = (struct kh *)(uintptr_t)1;	/* must be reset */
	int r;

	r = kh_decode(buf, len, &kh);
	if (r != want)
		print_error("kh_decode of %zu bytes: %d (%s), wanted %d\n",
		    len, r, kh_strerror(r), want);
	assert_int_equal(r, want);
	if (want == KH_OK) {
		assert_non_null(kh);
		kh_free(&kh);
	}
	assert_null(kh);
}

void
khfx_expect(const struct cb *c, int want)
{
	khfx_expect_bytes(c->b, c->n, want);
}

/* --- resident records ------------------------------------------------- */

int
recfx_setup(void **state)
{
	size_t i;

	(void)state;
	alloc_fail_in = -1;
	memset(&recfx, 0, sizeof(recfx));
	strcpy(recfx.app, "ssh:test");
	for (i = 0; i < sizeof(recfx.kh); i++)
		recfx.kh[i] = (uint8_t)(i * 13 + 7);
	recfx.rec.version = REC_VERSION;
	recfx.rec.application = recfx.app;
	memcpy(recfx.rec.user_id, "alice", 5);
	recfx.rec.user_id_len = 5;
	recfx.rec.key_handle = recfx.kh;
	recfx.rec.key_handle_len = RECFX_KH_LEN;
	return 0;
}

void
recfx_value(struct cb *c, int k)
{
	switch (k) {
	case 0:
		cb_text(c, REC_MAGIC);
		break;
	case 1:
		cb_head(c, M_UINT, recfx.rec.version);
		break;
	case 2:
		cb_text(c, recfx.rec.application);
		break;
	case 3:
		cb_bytes(c, recfx.rec.user_id, recfx.rec.user_id_len);
		break;
	default:
		cb_bytes(c, recfx.rec.key_handle, recfx.rec.key_handle_len);
		break;
	}
}

void
recfx_field(struct cb *c, int k)
{
	cb_field(c, k, recfx_value);
}

void
recfx_range(struct cb *c, uint64_t npairs, int from, int to)
{
	cb_map_range(c, npairs, from, to, recfx_value);
}

void
recfx_map(struct cb *c)
{
	recfx_range(c, 5, 0, 5);
}

void
recfx_with(struct cb *c, int k, void (*emit)(struct cb *))
{
	cb_map_with(c, 5, k, emit, recfx_value);
}

void
assert_rec_equal(const struct rec *a, const struct rec *b)
{
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->application, b->application);
	assert_int_equal(a->user_id_len, b->user_id_len);
	assert_memory_equal(a->user_id, b->user_id, a->user_id_len);
	assert_int_equal(a->key_handle_len, b->key_handle_len);
	assert_memory_equal(a->key_handle, b->key_handle, a->key_handle_len);
}

void
recfx_expect_bytes(const uint8_t *buf, size_t len, int want)
{
	struct rec *rec = (struct rec *)(uintptr_t)1;	/* must be reset */
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	int r;

	r = rec_decode(buf, len, &rec);
	if (r != want)
		print_error("rec_decode of %zu bytes: %d (%s), wanted %d\n",
		    len, r, kh_strerror(r), want);
	assert_int_equal(r, want);
	if (want == KH_OK) {
		assert_non_null(rec);
		assert_int_equal(rec_encode(rec, &enc, &enc_len), KH_OK);
		assert_int_equal(enc_len, len);
		assert_memory_equal(enc, buf, len);
		free(enc);
		rec_free(&rec);
	}
	assert_null(rec);
}

void
recfx_expect(const struct cb *c, int want)
{
	recfx_expect_bytes(c->b, c->n, want);
}

/* --- both ------------------------------------------------------------- */

uint32_t
fixture_xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}
