/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict readers of the big-endian structures around a statement
 * (attest-parse.h): OpenSSH's attestation file, and the TPM's TPMT_PUBLIC
 * and TPMS_ATTEST. Each refuses trailing bytes, so that a blob has one
 * reading, and returns pointers into its input.
 */
#include <stdbool.h>
#include <string.h>

#include "attest-parse.h"

/* TPM constants the readers check (TPM 2.0 Part 2). */
#define TPM_ALG_NULL		0x0010

/* A big-endian reader that fails once and stays failed. */
struct be {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static uint64_t
be_n(struct be *b, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (b->bad || b->len - b->off < n) {
		b->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = v << 8 | b->p[b->off + i];
	b->off += n;
	return v;
}

static const uint8_t *
be_blob(struct be *b, size_t n)
{
	const uint8_t *p;

	if (b->bad || b->len - b->off < n) {
		b->bad = true;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

/* A TPM2B: a 16-bit size and that many bytes, at most max. */
static const uint8_t *
be_tpm2b(struct be *b, size_t *len, size_t max)
{
	*len = (size_t)be_n(b, 2);
	if (*len > max)
		b->bad = true;
	return be_blob(b, *len);
}

/* An SSH string: a 32-bit size and that many bytes. */
static const uint8_t *
be_string(struct be *b, size_t *len)
{
	*len = (size_t)be_n(b, 4);
	return be_blob(b, *len);
}

int
att_file_parse(const uint8_t *buf, size_t len, struct att_file *f,
    const char **why)
{
	static const char magic[] = "ssh-sk-attest-v01";
	struct be b = { .p = buf, .len = len };
	const uint8_t *m, *reserved;
	size_t mlen, rlen;

	memset(f, 0, sizeof(*f));
	m = be_string(&b, &mlen);
	if (b.bad || mlen != strlen(magic) || memcmp(m, magic, mlen) != 0) {
		*why = "not an ssh-sk-attest-v01 attestation";
		return -1;
	}
	f->cert = be_string(&b, &f->cert_len);
	f->sig = be_string(&b, &f->sig_len);
	f->authdata = be_string(&b, &f->authdata_len);
	if (be_n(&b, 4) != 0 || (reserved = be_string(&b, &rlen)) == NULL ||
	    rlen != 0 || b.bad || b.off != b.len) {
		memset(f, 0, sizeof(*f));
		*why = b.bad ? "truncated attestation" :
		    "unexpected reserved fields or bytes after the attestation";
		return -1;
	}
	return 0;
}

int
att_public_parse(const uint8_t *buf, size_t len, struct att_public *k)
{
	struct be b = { .p = buf, .len = len };
	const uint8_t *x, *y;
	size_t xl, yl;

	memset(k, 0, sizeof(*k));
	k->type = (uint16_t)be_n(&b, 2);
	k->name_alg = (uint16_t)be_n(&b, 2);
	k->attributes = (uint32_t)be_n(&b, 4);
	k->auth_policy = be_tpm2b(&b, &k->auth_policy_len, 64);
	if (k->type != ATT_TPM_ALG_ECC && k->type != ATT_TPM_ALG_RSA)
		goto bad;
	if ((k->sym_alg = (uint16_t)be_n(&b, 2)) != TPM_ALG_NULL)
		(void)be_n(&b, 4);	/* keyBits, mode */
	if ((k->scheme = (uint16_t)be_n(&b, 2)) != TPM_ALG_NULL)
		k->scheme_hash = (uint16_t)be_n(&b, 2);
	if (k->type == ATT_TPM_ALG_RSA) {
		k->key_bits = (uint16_t)be_n(&b, 2);
		k->exponent = (uint32_t)be_n(&b, 4);
		k->modulus = be_tpm2b(&b, &k->modulus_len, 512);
		if (b.bad || b.off != b.len || k->modulus_len == 0)
			goto bad;
		return 0;
	}
	k->curve = (uint16_t)be_n(&b, 2);
	if ((k->kdf = (uint16_t)be_n(&b, 2)) != TPM_ALG_NULL)
		(void)be_n(&b, 2);
	x = be_tpm2b(&b, &xl, 32);
	y = be_tpm2b(&b, &yl, 32);
	if (b.bad || b.off != b.len)
		goto bad;
	k->point[0] = 0x04;
	memcpy(k->point + 1 + 32 - xl, x, xl);
	memcpy(k->point + 33 + 32 - yl, y, yl);
	return 0;
bad:
	memset(k, 0, sizeof(*k));
	return -1;
}

int
att_certify_parse(const uint8_t *buf, size_t len, struct att_certify *c)
{
	struct be b = { .p = buf, .len = len };

	memset(c, 0, sizeof(*c));
	c->magic = (uint32_t)be_n(&b, 4);
	c->type = (uint16_t)be_n(&b, 2);
	c->signer = be_tpm2b(&b, &c->signer_len, 66);
	c->extra = be_tpm2b(&b, &c->extra_len, 64);
	c->clock = be_n(&b, 8);
	c->reset_count = (uint32_t)be_n(&b, 4);
	c->restart_count = (uint32_t)be_n(&b, 4);
	c->safe = (uint8_t)be_n(&b, 1);
	c->firmware = be_n(&b, 8);
	c->name = be_tpm2b(&b, &c->name_len, 66);
	c->qname = be_tpm2b(&b, &c->qname_len, 66);
	if (b.bad || b.off != b.len) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	return 0;
}
