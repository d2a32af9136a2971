/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fixtures of the key-handle and resident-record codec tests
 * (test_handle*.c, test_record*.c): a sample handle and a sample record,
 * their bytes as the tests' own CBOR writer (cborgen.h) renders the formats
 * of sk/codec/handle.h and sk/codec/record.h, field by field so that a test can drop,
 * repeat, reorder or replace any of them, and the checks every decode must
 * pass. The programs that split those tests by scenario all start here.
 */
#ifndef TEST_CODEC_FIXTURE_H
#define TEST_CODEC_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "cborgen.h"
#include "handle.h"
#include "kh-sample.h"
#include "record.h"

/* --- key handles ------------------------------------------------------ */

/* The handle under test; khfx.kh borrows khfx.pub, .priv and .srkpub. */
extern struct kh_sample khfx;
/* Key 8 of a version 2 handle as written (the PCR bank). */
extern uint64_t khfx_bank;

/* cmocka setups: khfx as a version 1 handle (khs_init), or as a version 2
 * one (khs_init_pcr) with khfx_bank SHA-256. No allocation fails. */
int khfx_setup(void **);
int khfx_setup_pcr(void **);

/* The value of field k (0 to 11) as khfx has it; key k and that value. */
void khfx_value(struct cb *, int k);
void khfx_field(struct cb *, int k);
/* khfx's fields from..to-1 only, in a map of npairs. */
void khfx_range(struct cb *, uint64_t npairs, int from, int to);
/* The version 1 handle: the 8 fields. */
void khfx_map(struct cb *);
/* The version 1 handle with field k's value replaced by what emit writes. */
void khfx_with(struct cb *, int k, void (*emit)(struct cb *));

void assert_kh_equal(const struct kh *, const struct kh *);
/* kh_decode must return want; on failure it leaves *out NULL and leaks
 * nothing. */
void khfx_expect_bytes(const uint8_t *, size_t, int want);
void khfx_expect(const struct cb *, int want);

/* --- resident records ------------------------------------------------- */

/* The sample record's key handle: the size a real P-256 key's handle
 * under the standard SRK has, opaque to the record codec. */
#define RECFX_KH_LEN	434
/* Where the magic ends: map head, key 0, text head, nine letters. */
#define RECFX_MAGIC_END	12

struct record_fixture {
	char app[REC_APP_MAX + 2];
	uint8_t kh[KH_MAX_LEN + 1];
	struct rec rec;		/* borrows the arrays above */
};

/* The record under test: "ssh:test", user "alice", an opaque handle. */
extern struct record_fixture recfx;

int recfx_setup(void **);

/* The value of field k (0 to 4) as recfx has it; key k and that value. */
void recfx_value(struct cb *, int k);
void recfx_field(struct cb *, int k);
/* recfx's fields from..to-1 only, in a map of npairs. */
void recfx_range(struct cb *, uint64_t npairs, int from, int to);
/* The record: the 5 fields. */
void recfx_map(struct cb *);
/* The record with field k's value replaced by whatever emit writes. */
void recfx_with(struct cb *, int k, void (*emit)(struct cb *));

void assert_rec_equal(const struct rec *, const struct rec *);
/* rec_decode must return want; on failure it leaves *out NULL and leaks
 * nothing; a record it accepts must re-encode to exactly its bytes. */
void recfx_expect_bytes(const uint8_t *, size_t, int want);
void recfx_expect(const struct cb *, int want);

/* --- both ------------------------------------------------------------- */

/* A small deterministic generator (xorshift32), so failures reproduce. */
uint32_t fixture_xorshift(uint32_t *state);

#endif /* TEST_CODEC_FIXTURE_H */
