/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCR selections and policy digests (see policy.h). The digest follows
 * TPM 2.0 part 3: each policy command extends the session's digest,
 *
 *   PolicyPCR:       d = H(d || TPM_CC_PolicyPCR || TPML_PCR_SELECTION ||
 *                          H(values))
 *   PolicyAuthValue: d = H(d || TPM_CC_PolicyAuthValue)
 *
 * with every integer big-endian and d starting as 32 zero bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policy.h"

#define BANK_PREFIX	"sha256:"

static int
fail(char *err, size_t errlen, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}

int
policy_parse_pcrs(const char *s, uint32_t *mask, char *err, size_t errlen)
{
	const char *p, *colon;
	char *end;
	unsigned long n;
	uint32_t m = 0;

	*mask = 0;
	if (s == NULL)
		return fail(err, errlen, "no PCR list");
	while (isspace((unsigned char)*s))
		s++;
	if (strcmp(s, "none") == 0)
		return 0;
	if ((colon = strchr(s, ':')) != NULL) {
		if (strncmp(s, BANK_PREFIX, strlen(BANK_PREFIX)) != 0)
			return fail(err, errlen, "only the sha256 PCR bank "
			    "is supported (e.g. \"sha256:7\")");
		s += strlen(BANK_PREFIX);
	}
	for (p = s;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			return fail(err, errlen, "expected a PCR number "
			    "(e.g. \"7\" or \"7,14\")");
		errno = 0;
		n = strtoul(p, &end, 10);
		if (errno != 0 || n >= POLICY_PCR_COUNT)
			return fail(err, errlen, "PCR numbers go from 0 to 23");
		if (m & (1u << n))
			return fail(err, errlen, "a PCR is listed twice");
		m |= 1u << n;
		for (p = end; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0')
			break;
		if (*p != ',')
			return fail(err, errlen, "PCR numbers are separated "
			    "by commas");
		p++;
	}
	*mask = m;
	return 0;
}

unsigned
policy_pcr_count(uint32_t mask)
{
	unsigned n = 0;

	for (mask &= POLICY_PCR_ALL; mask != 0; mask &= mask - 1)
		n++;
	return n;
}

void
policy_format_pcrs(uint32_t mask, char *buf, size_t len)
{
	size_t off = 0;
	int i, w;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < POLICY_PCR_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		w = snprintf(buf + off, len - off, "%s%d", off ? "," : "", i);
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0';	/* whole numbers only */
			return;
		}
		off += (size_t)w;
	}
}

void
policy_pcr_select(uint32_t mask, uint8_t out[3])
{
	out[0] = mask & 0xff;
	out[1] = (mask >> 8) & 0xff;
	out[2] = (mask >> 16) & 0xff;
}

/* SHA-256 over the concatenation of up to three buffers. */
static int
hash3(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    const uint8_t *c, size_t clen, uint8_t out[POLICY_DIGEST_LEN])
{
	EVP_MD_CTX *ctx;
	unsigned int olen = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    EVP_DigestUpdate(ctx, b, blen) == 1 &&
	    EVP_DigestUpdate(ctx, c, clen) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &olen) == 1 &&
	    olen == POLICY_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
policy_pcr_digest(const uint8_t *values, size_t values_len,
    uint8_t out[POLICY_DIGEST_LEN])
{
	return hash3(values, values_len, NULL, 0, NULL, 0, out);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int
policy_digest(uint32_t mask, const uint8_t *values, size_t values_len,
    bool auth_value, uint8_t out[POLICY_DIGEST_LEN])
{
	/* TPM_CC, then TPML_PCR_SELECTION: count, hash, sizeofSelect,
	 * pcrSelect[3]. */
	uint8_t d[POLICY_DIGEST_LEN], args[4 + 4 + 2 + 1 + 3];
	uint8_t pcr_digest[POLICY_DIGEST_LEN], cc[4];

	if (mask == 0 || (mask & ~POLICY_PCR_ALL) != 0 ||
	    values_len != policy_pcr_count(mask) * POLICY_DIGEST_LEN)
		return -1;
	memset(d, 0, sizeof(d));
	put32(args, POLICY_CC_PCR);
	put32(args + 4, 1);
	args[8] = POLICY_ALG_SHA256 >> 8;
	args[9] = POLICY_ALG_SHA256 & 0xff;
	args[10] = 3;
	policy_pcr_select(mask, args + 11);
	if (policy_pcr_digest(values, values_len, pcr_digest) != 0 ||
	    hash3(d, sizeof(d), args, sizeof(args), pcr_digest,
	    sizeof(pcr_digest), d) != 0)
		return -1;
	if (auth_value) {
		put32(cc, POLICY_CC_AUTH_VALUE);
		if (hash3(d, sizeof(d), cc, sizeof(cc), NULL, 0, d) != 0)
			return -1;
	}
	memcpy(out, d, sizeof(d));
	return 0;
}

bool
policy_value_usable(const uint8_t value[POLICY_DIGEST_LEN])
{
	bool zeros = true, ones = true;
	size_t i;

	for (i = 0; i < POLICY_DIGEST_LEN; i++) {
		zeros = zeros && value[i] == 0x00;
		ones = ones && value[i] == 0xff;
	}
	return !zeros && !ones;
}

int
policy_pcrs_refused(uint32_t mask, char *err, size_t errlen)
{
	char list[POLICY_PCR_COUNT * 3 + 1];

	mask &= POLICY_PCR_RESETTABLE;
	if (mask == 0)
		return 0;
	policy_format_pcrs(mask, list, sizeof(list));
	snprintf(err, errlen, "PCR%s %s can be reset by any program "
	    "(TPM2_PCR_Reset from locality 0) and set to any value, so a key "
	    "bound to %s guards nothing; bind to PCRs the firmware measures, "
	    "e.g. 7", policy_pcr_count(mask) > 1 ? "s" : "", list,
	    policy_pcr_count(mask) > 1 ? "them" : "it");
	return -1;
}

const char *
policy_pcrs_warning(uint32_t mask)
{
	if ((mask & POLICY_PCR_DRTM) == 0)
		return NULL;
	return "PCRs 17-22 belong to a dynamic launch (DRTM: Intel TXT, AMD "
	    "SKINIT): each launch resets them and measures what it starts, "
	    "so the key works only after the same launch";
}
