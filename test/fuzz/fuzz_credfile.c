/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the credential file that `sk-tpm attest activate`
 * reads (cred-file.h), from a CA, over whatever channel, on arbitrary
 * bytes.
 *
 * Beyond "no crash, no leak, no sanitizer report": both parts lie inside
 * the input and within the TPM's maxima, an accepted file rebuilds to
 * exactly its bytes (one encoding per file), and the EK kind is decided
 * from the encrypted secret alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cred-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cred_file c;
	uint8_t out[CRED_FILE_MAX];
	const char *why = NULL;
	size_t len;

	if (cred_file_parse(data, size, &c, &why) != 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (c.id < data || c.id + c.id_len > data + size ||
	    c.secret < data || c.secret + c.secret_len > data + size ||
	    c.id_len == 0 || c.id_len > CRED_ID_MAX ||
	    c.secret_len == 0 || c.secret_len > CRED_SECRET_MAX)
		abort();
	len = cred_file_build(&c, out);
	if (len != size || memcmp(out, data, size) != 0)
		abort();
	switch (cred_ek_kind(&c)) {
	case CRED_EK_RSA2048:
		if (c.secret_len != 256)
			abort();
		break;
	case CRED_EK_RSA3072:
		if (c.secret_len != 384)
			abort();
		break;
	case CRED_EK_P256:
		/* two coordinates of 1 to 32 bytes, each after its size */
		if (c.secret_len < 6 || c.secret_len > 68)
			abort();
		break;
	case CRED_EK_P384:
		/* two of 33 to 48 bytes */
		if (c.secret_len < 70 || c.secret_len > 100)
			abort();
		break;
	case CRED_EK_UNKNOWN:
		break;
	default:
		abort();
	}
	return 0;
}
