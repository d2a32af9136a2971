/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tpm2-tools credential file (cred-file.h).
 */
#include <string.h>

#include "cred-file.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static size_t
get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

int
cred_file_parse(const uint8_t *buf, size_t len, struct cred_file *c,
    const char **why)
{
	const uint8_t *p = buf, *end = buf + len;

	memset(c, 0, sizeof(*c));
	if (len < 8 || get32(p) != CRED_MAGIC) {
		*why = "not a credential file (no 0xBADCC0DE magic)";
		return -1;
	}
	if (get32(p + 4) != CRED_VERSION) {
		*why = "credential file of an unknown version";
		return -1;
	}
	p += 8;
	if (end - p < 2 || (c->id_len = get16(p)) == 0 ||
	    c->id_len > CRED_ID_MAX || (size_t)(end - p - 2) < c->id_len) {
		*why = "credential file: bad or truncated credential blob";
		return -1;
	}
	c->id = p + 2;
	p += 2 + c->id_len;
	if (end - p < 2 || (c->secret_len = get16(p)) == 0 ||
	    c->secret_len > CRED_SECRET_MAX ||
	    (size_t)(end - p - 2) < c->secret_len) {
		*why = "credential file: bad or truncated encrypted secret";
		return -1;
	}
	c->secret = p + 2;
	p += 2 + c->secret_len;
	if (p != end) {
		*why = "credential file: bytes after the encrypted secret";
		return -1;
	}
	return 0;
}

static uint8_t *
put(uint8_t *p, const uint8_t *data, size_t len)
{
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	memcpy(p + 2, data, len);
	return p + 2 + len;
}

size_t
cred_file_build(const struct cred_file *c, uint8_t *out)
{
	uint8_t *p = out;

	if (c->id_len == 0 || c->id_len > CRED_ID_MAX ||
	    c->secret_len == 0 || c->secret_len > CRED_SECRET_MAX)
		return 0;
	p[0] = 0xba;
	p[1] = 0xdc;
	p[2] = 0xc0;
	p[3] = 0xde;
	p[4] = p[5] = p[6] = 0;
	p[7] = CRED_VERSION;
	p = put(p + 8, c->id, c->id_len);
	p = put(p, c->secret, c->secret_len);
	return (size_t)(p - out);
}

/*
 * An ECC seed is the ephemeral point, TPMS_ECC_POINT: x and y as TPM2B of
 * at most the curve's size each (32 bytes for P-256, 48 for P-384). Makers
 * that write a coordinate as its shortest big-endian form drop its leading
 * zero bytes (tpm2_makecredential through OpenSSL's BN_bn2bin: about one
 * point in 128 has a coordinate a byte short), and the TPM reads such a
 * point as the same number. So a coordinate's length tells its curve: 1 to
 * 32 bytes P-256, 33 to 48 P-384, and both must tell the same. A P-384
 * coordinate of 32 bytes or fewer (16 leading zero bytes, a chance of
 * 2^-128) is not told apart and not expected.
 */
static int
coord_curve(size_t len)
{
	if (len >= 1 && len <= 32)
		return CRED_EK_P256;
	if (len >= 33 && len <= 48)
		return CRED_EK_P384;
	return CRED_EK_UNKNOWN;
}

int
cred_ek_kind(const struct cred_file *c)
{
	size_t xl, yl;
	int kind;

	if (c->secret_len == 256)
		return CRED_EK_RSA2048;
	if (c->secret_len == 384)
		return CRED_EK_RSA3072;
	if (c->secret_len < 2 + 1 + 2 + 1 || c->secret_len > 2 + 48 + 2 + 48)
		return CRED_EK_UNKNOWN;
	xl = get16(c->secret);
	if ((kind = coord_curve(xl)) == CRED_EK_UNKNOWN ||
	    2 + xl + 2 > c->secret_len)
		return CRED_EK_UNKNOWN;
	yl = get16(c->secret + 2 + xl);
	if (coord_curve(yl) != kind || 2 + xl + 2 + yl != c->secret_len)
		return CRED_EK_UNKNOWN;
	return kind;
}
