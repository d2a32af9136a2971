/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the SRK context cache's file decoder
 * (sk/tpm/tpm-srk-cache.c) on arbitrary bytes: the file lives in the user's
 * runtime directory, where anything the user runs can write it.
 *
 * Beyond "no crash, no sanitizer report": an accepted file has the shape
 * the library writes, and re-encodes to exactly its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srk-cache-file.h"
#include "tpm-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t enc[SRK_CACHE_FILE_MAX];
	TPMS_CONTEXT ctx;
	TPM2B_NAME name;
	size_t len;

	if (srk_cache_decode(data, size, &name, &ctx) != 0)
		return 0;
	if (name.size != KH_NAME_LEN || ctx.hierarchy != TPM2_RH_OWNER ||
	    (ctx.savedHandle >> TPM2_HR_SHIFT) != TPM2_HT_TRANSIENT ||
	    ctx.contextBlob.size == 0)
		abort();
	if (srk_cache_encode(&name, &ctx, enc, sizeof(enc), &len) != 0 ||
	    len != size || memcmp(enc, data, size) != 0)
		abort();
	return 0;
}
