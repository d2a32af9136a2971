/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: OpenSSH sk-ecdsa key files (sshkey-file.h) as the
 * sk-tpm tool reads sshd's host key, the private file and the .pub, on
 * arbitrary bytes.
 *
 * Beyond "no crash, no leak, no sanitizer report": a refusal says why; an
 * accepted private file has a P-256 point, an ssh: application without a
 * NUL, flags and a key handle within the handle decoder's bound; an
 * accepted .pub has no private part.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "sshkey-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
accepted(const struct sshkey_sk *k, size_t size)
{
	if (k->point[0] != 0x04 || k->application == NULL ||
	    strncmp(k->application, "ssh:", 4) != 0 ||
	    strlen(k->application) > size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey_sk k;
	const char *why;
	char *text;

	if (size > SSHKEY_FILE_MAX)
		return 0;
	/* The tool reads whole files and parses them as text. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&k, 0, sizeof(k));
	why = NULL;
	if (sshkey_sk_parse_private(text, &k, &why) == 0) {
		accepted(&k, size);
		if (!k.have_private || k.handle == NULL ||
		    k.handle_len == 0 || k.handle_len > KH_MAX_LEN)
			abort();
	} else if (why == NULL)
		abort();
	sshkey_sk_free(&k);

	memset(&k, 0, sizeof(k));
	why = NULL;
	if (sshkey_sk_parse_public(text, &k, &why) == 0) {
		accepted(&k, size);
		if (k.have_private || k.handle != NULL)
			abort();
	} else if (why == NULL)
		abort();
	sshkey_sk_free(&k);
	free(text);
	return 0;
}
