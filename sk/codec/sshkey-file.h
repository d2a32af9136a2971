/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict reader of OpenSSH's sk-ecdsa key files (sshkey-file.c): the
 * unencrypted private file ssh-keygen writes and its .pub, as text. For
 * the sk-tpm tool's look at sshd's host key.
 */
#ifndef SK_SSHKEY_FILE_H
#define SK_SSHKEY_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSHKEY_SK_POINT_LEN	65	/* 0x04 || X || Y, P-256 */
#define SSHKEY_FILE_MAX		(64 * 1024)	/* longest text accepted */

struct sshkey_sk {
	uint8_t point[SSHKEY_SK_POINT_LEN];
	char *application;		/* NUL-terminated, malloc'ed */
	bool have_private;		/* the fields below are set */
	uint8_t flags;			/* the key file's flags byte */
	uint8_t *handle;		/* the key handle, malloc'ed */
	size_t handle_len;
};

/*
 * Parse NUL-terminated text into *k (zeroed by the caller): the private
 * file (have_private set), or the .pub file. 0, or -1 with *why saying
 * what is wrong. sshkey_sk_free() releases *k either way.
 */
int sshkey_sk_parse_private(const char *text, struct sshkey_sk *k,
    const char **why);
int sshkey_sk_parse_public(const char *text, struct sshkey_sk *k,
    const char **why);
void sshkey_sk_free(struct sshkey_sk *);

#endif /* SK_SSHKEY_FILE_H */
