/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the unlock ticket file's decoder
 * (sk/codec/ticket-file.c) on arbitrary bytes: the file lives in the
 * user's runtime directory, where anything the user runs can write it.
 *
 * Beyond "no crash, no sanitizer report": an accepted file has the shape
 * the library writes, and re-encodes to exactly its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ticket-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t enc[TICKET_MAX_LEN];
	struct unlock_ticket t;
	size_t len;

	if (ticket_decode(data, size, &t, NULL) != 0)
		return 0;
	if (t.tag != TICKET_TAG_SECRET || t.hierarchy != TICKET_RH_OWNER ||
	    t.timeout_len == 0 || t.timeout_len > TICKET_TIMEOUT_MAX ||
	    t.digest_len < TICKET_DIGEST_MIN ||
	    t.digest_len > TICKET_DIGEST_MAX)
		abort();
	if (ticket_encode(&t, enc, sizeof(enc), &len) != 0 || len != size ||
	    memcmp(enc, data, size) != 0)
		abort();
	return 0;
}
