/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the seed corpora of fuzz_handle and fuzz_record, so that each
 * fuzzer starts from both sides of every check:
 *
 * - handle/: handles made by kh_encode from the samples the codec unit
 *   tests start from (test/common/kh-sample.h: the sizes a real P-256 key
 *   under the standard SRK has), in every flag combination, plus a few ways
 *   of getting them wrong; version 2 handles (PCR binding) with one,
 *   two and all PCRs, with and without the PIN in the policy; and version
 *   3 handles (every new key's: a Certify branch in the policy), unbound
 *   and bound, plus an unbound one with a PIN in a policy it cannot have;
 * - record/: resident records made by rec_encode (holding one of those
 *   handles, at the bounds of each field), plus records broken in each way
 *   rec_decode must refuse, written with the strict CBOR writer.
 *
 * Each seed is decoded before it is written: a valid- one must decode, a
 * bad- or foreign- one must be refused, else make_seeds stops.
 *
 * The output is checked in under corpus/; to regenerate it (from a
 * -DSK_TPM_FUZZ=ON build; the directories must exist):
 *
 *   build-fuzz/test/fuzz/make_seeds test/fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor-strict.h"
#include "handle.h"
#include "kh-sample.h"
#include "record.h"

static const char *dir;

static void put(const char *, const char *, const uint8_t *, size_t);

/* A version 2 or 3 handle with this binding. */
static void
pcr_seed(struct kh *kh, uint32_t flags, uint32_t mask, uint32_t policy,
    const char *name)
{
	uint8_t *enc;
	size_t len;
	uint32_t m;

	if (strncmp(name, "valid-v3-", 9) == 0)
		kh->version = KH_VERSION_CERTIFY;
	else
		kh->version = KH_VERSION_PCR;
	kh->flags = flags;
	kh->pcr_mask = mask;
	kh->policy = policy;
	for (kh->pcr_values_len = 0, m = mask; m != 0; m &= m - 1)
		kh->pcr_values_len += 32;
	if (kh_encode(kh, &enc, &len) != KH_OK)
		exit(1);
	put("handle", name, enc, len);
	free(enc);
}

/*
 * The decoder must take each seed as its name says: a valid- seed decodes,
 * a bad- or foreign- one is refused. A seed the codec no longer reads as
 * meant would start the fuzzer from the wrong side of a check.
 */
static void
check(const char *sub, const char *name, const uint8_t *p, size_t len)
{
	struct kh *kh = NULL;
	struct rec *rec = NULL;
	int r;

	if (strcmp(sub, "handle") == 0) {
		r = kh_decode(p, len, &kh);
		kh_free(&kh);
	} else {
		r = rec_decode(p, len, &rec);
		rec_free(&rec);
	}
	if ((r == KH_OK) != (strncmp(name, "valid-", 6) == 0)) {
		fprintf(stderr, "make_seeds: %s/%s %s by the decoder (%d)\n",
		    sub, name, r == KH_OK ? "accepted" : "refused", r);
		exit(1);
	}
}

static void
put(const char *sub, const char *name, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	check(sub, name, p, len);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* The handle seeds; leaves a realistic encoded handle in real. */
static void
handle_seeds(uint8_t *real, size_t *real_len)
{
	static const uint32_t flags[] = {
		0, KH_FLAG_PRESENCE, KH_FLAG_PIN,
		KH_FLAG_PRESENCE | KH_FLAG_PIN,
		KH_FLAG_PRESENCE | KH_FLAG_SRK_PERSISTENT, KH_FLAGS_KNOWN
	};
	static struct kh_sample s;
	uint8_t buf[KH_MAX_LEN + 16], *enc;
	char name[64];
	size_t i, len;

	if (khs_init(&s) != 0)
		exit(1);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		s.kh.flags = flags[i];
		if (kh_encode(&s.kh, &enc, &len) != KH_OK)
			exit(1);
		snprintf(name, sizeof(name), "valid-flags-%03x", flags[i]);
		put("handle", name, enc, len);
		free(enc);
	}
	/* Smallest TPM2Bs, then the largest that fit in KH_MAX_LEN. */
	s.kh.flags = KH_FLAG_PRESENCE;
	if (khs_fill(&s, 2, 2, 2, 0) != 0 ||
	    kh_encode(&s.kh, &enc, &len) != KH_OK)
		exit(1);
	put("handle", "valid-minimal", enc, len);
	free(enc);
	if (khs_fill(&s, KH_PUBLIC_MAX, KH_PRIVATE_MAX, 200, 0x44) != 0 ||
	    kh_encode(&s.kh, &enc, &len) != KH_OK)
		exit(1);
	put("handle", "valid-large", enc, len);
	free(enc);

	/* Version 2: the same fields and a PCR binding. */
	if (khs_init_pcr(&s) != 0)
		exit(1);
	pcr_seed(&s.kh, 0, 1u << 7, 0, "valid-pcr-7");
	pcr_seed(&s.kh, KH_FLAG_PIN | KH_FLAG_SRK_PERSISTENT,
	    1u << 7 | 1u << 14, KH_POLICY_AUTH_VALUE, "valid-pcr-pin-7-14");
	pcr_seed(&s.kh, KH_FLAG_PRESENCE, KH_PCR_ALL, 0, "valid-pcr-all");
	if (kh_encode(&s.kh, &enc, &len) != KH_OK)
		exit(1);
	memcpy(buf, enc, len);
	free(enc);
	put("handle", "bad-pcr-truncated", buf, len - 40);

	/* Version 3: the keys of version 2, unbound or bound. */
	pcr_seed(&s.kh, 0, 0, 0, "valid-v3-unbound");
	pcr_seed(&s.kh, KH_FLAG_PIN | KH_FLAG_PRESENCE | KH_FLAG_RESIDENT, 0,
	    0, "valid-v3-unbound-pin");
	pcr_seed(&s.kh, 0, 1u << 7, 0, "valid-v3-pcr-7");
	pcr_seed(&s.kh, KH_FLAG_PIN | KH_FLAG_SRK_PERSISTENT,
	    1u << 7 | 1u << 14, KH_POLICY_AUTH_VALUE, "valid-v3-pin-7-14");
	pcr_seed(&s.kh, KH_FLAG_PIN, 0, 0, "valid-v3-unbound-pin-last");
	if (kh_encode(&s.kh, &enc, &len) != KH_OK)
		exit(1);
	memcpy(buf, enc, len);
	free(enc);
	buf[len - 1] = KH_POLICY_AUTH_VALUE;	/* key 11: no PCR branch */
	put("handle", "bad-v3-unbound-auth-value", buf, len);
	buf[len - 1] = 0x00;
	buf[len - 5] = 0x01;			/* key 9: PCR 0, no value */
	put("handle", "bad-v3-mask-no-values", buf, len);

	/* Back to a realistic handle to break, presence only. */
	if (khs_init(&s) != 0)
		exit(1);
	s.kh.flags = KH_FLAG_PRESENCE;
	if (kh_encode(&s.kh, &enc, &len) != KH_OK)
		exit(1);
	memcpy(buf, enc, len);
	memcpy(real, enc, len);
	*real_len = len;
	free(enc);
	put("handle", "bad-truncated-9", buf, 9);
	put("handle", "bad-truncated-half", buf, len / 2);
	buf[len] = 0x00;
	put("handle", "bad-trailing-byte", buf, len + 1);
	buf[10] = 0x02;				/* version 2 */
	put("handle", "bad-version-2", buf, len);
	buf[10] = 0x03;				/* version 3 */
	put("handle", "bad-version-3", buf, len);
	buf[10] = 0x04;				/* version 4 */
	put("handle", "bad-version-4", buf, len);
	buf[10] = 0x01;
	buf[12] ^= 0x02;			/* unknown flag */
	put("handle", "bad-flag-bit", buf, len);
	buf[12] ^= 0x02;
	buf[0] = 0x88;				/* array, not map */
	put("handle", "bad-array", buf, len);
	buf[0] = 0xbf;				/* indefinite map */
	buf[len] = 0xff;
	put("handle", "bad-indefinite-map", buf, len + 1);
	buf[0] = 0xa8;
	{
		/* A map head declaring 2^28 pairs, then our magic. */
		static const uint8_t huge[] = {
			0xba, 0x10, 0x00, 0x00, 0x00, 0x00,
			0x66, 's', 'k', '-', 't', 'p', 'm', 0x01, 0x01
		};
		/* Self-described CBOR tag around a handle. */
		uint8_t tagged[KH_MAX_LEN + 3];

		put("handle", "bad-huge-map", huge, sizeof(huge));
		tagged[0] = 0xd9;
		tagged[1] = 0xd9;
		tagged[2] = 0xf7;
		memcpy(tagged + 3, buf, len);
		put("handle", "bad-tagged", tagged, len + 3);
	}
	/* Foreign: what sk-dummy or a FIDO token would have written. */
	for (i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i * 97 + 13);
	put("handle", "foreign-32", buf, 32);
	put("handle", "foreign-64", buf, 64);
}

/* A valid record through rec_encode. */
static void
put_record(const char *name, const struct rec *rec)
{
	uint8_t *enc;
	size_t len;

	if (rec_encode(rec, &enc, &len) != KH_OK) {
		fprintf(stderr, "make_seeds: rec_encode %s failed\n", name);
		exit(1);
	}
	put("record", name, enc, len);
	free(enc);
}

/* A record with any contents, as rec_encode would never write it. */
static void
put_raw_record(const char *name, const char *app, size_t app_len,
    const uint8_t *user, size_t user_len, const uint8_t *kh, size_t kh_len)
{
	uint8_t buf[REC_MAX_LEN * 2];
	struct cbor_wr w;

	cwr_init(&w, buf, sizeof(buf));
	cwr_map(&w, 5);
	cwr_uint(&w, 0);
	cwr_text(&w, REC_MAGIC, strlen(REC_MAGIC));
	cwr_uint(&w, 1);
	cwr_uint(&w, REC_VERSION);
	cwr_uint(&w, 2);
	cwr_text(&w, app, app_len);
	cwr_uint(&w, 3);
	cwr_bytes(&w, user, user_len);
	cwr_uint(&w, 4);
	cwr_bytes(&w, kh, kh_len);
	if (w.full)
		exit(1);
	put("record", name, buf, w.off);
}

static void
record_seeds(const uint8_t *real, size_t real_len)
{
	static const char utf8_app[] =
	    "ssh:cl\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x94\x91";
	uint8_t filler[REC_MAX_LEN], buf[REC_MAX_LEN + 16], *enc;
	char app[REC_APP_MAX + 1];
	struct rec rec;
	size_t i, len;

	for (i = 0; i < sizeof(filler); i++)
		filler[i] = (uint8_t)(i * 29 + 3);
	memset(&rec, 0, sizeof(rec));
	rec.version = REC_VERSION;
	rec.application = app;
	rec.key_handle = (uint8_t *)(uintptr_t)real;
	rec.key_handle_len = real_len;

	/* What ssh-keygen -O resident writes: OpenSSH's default user id
	 * is 32 zero bytes. */
	strcpy(app, "ssh:");
	rec.user_id_len = 32;
	put_record("valid-default-user", &rec);
	memcpy(rec.user_id, "alice", 5);
	rec.user_id_len = 5;
	strcpy(app, "ssh:git");
	put_record("valid-user-alice", &rec);
	/* Bytes that are not UTF-8 in the user id, UTF-8 in the
	 * application, each at its bound. */
	for (i = 0; i < REC_USER_MAX; i++)
		rec.user_id[i] = (uint8_t)(0xff - i * 3);
	rec.user_id_len = REC_USER_MAX;
	strcpy(app, utf8_app);
	put_record("valid-utf8-binary-user", &rec);
	memset(app, 'a', REC_APP_MAX);
	app[REC_APP_MAX] = '\0';
	rec.user_id_len = 0;
	put_record("valid-app-256", &rec);
	/* The smallest record, and the largest (REC_MAX_LEN). */
	strcpy(app, "s");
	rec.key_handle = filler;
	rec.key_handle_len = 1;
	put_record("valid-minimal", &rec);
	if (rec_encode(&rec, &enc, &len) != KH_OK)
		exit(1);
	free(enc);
	/* The handle's head grows from 1 to 3 bytes. */
	rec.key_handle_len = REC_MAX_LEN - (len + 2) + 1;
	put_record("valid-max-len", &rec);

	/* Broken, from the realistic one. */
	strcpy(app, "ssh:git");
	rec.key_handle = (uint8_t *)(uintptr_t)real;
	rec.key_handle_len = real_len;
	memcpy(rec.user_id, "alice", 5);
	rec.user_id_len = 5;
	if (rec_encode(&rec, &enc, &len) != KH_OK || len > sizeof(buf) - 1)
		exit(1);
	memcpy(buf, enc, len);
	free(enc);
	put("record", "bad-truncated-12", buf, 12);
	put("record", "bad-truncated-half", buf, len / 2);
	buf[len] = 0x00;
	put("record", "bad-trailing-byte", buf, len + 1);
	buf[13] = 0x02;				/* version 2 */
	put("record", "bad-version-2", buf, len);
	buf[13] = 0x01;
	buf[0] = 0xb8;				/* map head not shortest */
	memmove(buf + 2, buf + 1, len - 1);
	buf[1] = 0x05;
	put("record", "bad-not-shortest", buf, len + 1);
	memmove(buf + 1, buf + 2, len - 1);
	buf[0] = 0xbf;				/* indefinite map */
	buf[len] = 0xff;
	put("record", "bad-indefinite-map", buf, len + 1);
	buf[0] = 0xa5;
	{
		/* A map head declaring 2^28 pairs, then the magic. */
		static const uint8_t huge[] = {
			0xba, 0x10, 0x00, 0x00, 0x00, 0x00, 0x69,
			's', 'k', '-', 't', 'p', 'm', '-', 'r', 'k', 0x01, 0x01
		};
		uint8_t tagged[REC_MAX_LEN + 3];

		put("record", "bad-huge-map", huge, sizeof(huge));
		tagged[0] = 0xd9;
		tagged[1] = 0xd9;
		tagged[2] = 0xf7;
		memcpy(tagged + 3, buf, len);
		put("record", "bad-tagged", tagged, len + 3);
	}
	put_raw_record("bad-app-not-utf8", "ssh:\xff", 5,
	    rec.user_id, 5, real, real_len);
	put_raw_record("bad-app-surrogate", "ssh:\xed\xa0\x80", 7,
	    rec.user_id, 5, real, real_len);
	put_raw_record("bad-app-nul", "ssh:\0git", 8,
	    rec.user_id, 5, real, real_len);
	put_raw_record("bad-app-empty", "", 0, rec.user_id, 5, real,
	    real_len);
	memset(app, 'a', REC_APP_MAX);
	put_raw_record("bad-app-257", app, REC_APP_MAX + 1, rec.user_id, 5,
	    real, real_len);
	put_raw_record("bad-user-65", "ssh:", 4, filler, REC_USER_MAX + 1,
	    real, real_len);
	put_raw_record("bad-kh-empty", "ssh:", 4, rec.user_id, 5, real, 0);

	/* Foreign: a key handle where a record should be, erased NV. */
	put("record", "foreign-key-handle", real, real_len);
	memset(buf, 0xff, 64);
	put("record", "foreign-erased", buf, 64);
}

int
main(int argc, char **argv)
{
	uint8_t real[KH_MAX_LEN];
	size_t real_len;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds CORPUS-DIR\n");
		return 2;
	}
	dir = argv[1];
	handle_seeds(real, &real_len);
	record_seeds(real, real_len);
	return 0;
}
