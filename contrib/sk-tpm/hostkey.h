/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm: the machine's TPM host key for sshd. Reading an sk-ecdsa key
 * file as ssh-keygen writes it (hostkey-file.c: the unencrypted private
 * file, else its .pub), and what list and doctor say of it
 * (hostkey-show.c). The command that makes one is hostkey.c.
 */
#ifndef SK_TPM_HOSTKEY_H
#define SK_TPM_HOSTKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sshkey-file.h"
#include "tpm.h"

/* Where sshd's host keys live; ssh-keygen -A's names with the sk type. */
#define HOST_KEY_DEFAULT	"/etc/ssh/ssh_host_ecdsa_sk_key"
/* The application of the keys "sk-tpm host-key" makes. */
#define HOST_KEY_APPLICATION	"ssh:host"

/* host_key_read results. */
#define HOST_KEY_OK		0
#define HOST_KEY_ABSENT		1	/* neither PATH nor PATH.pub */
#define HOST_KEY_BAD		(-1)	/* *why says what */

/*
 * Read the sk-ecdsa key at path (struct sshkey_sk, sshkey-file.h): the
 * private file when this account can read it (unencrypted
 * openssh-key-v1, checked strictly by the codec), else path.pub
 * (have_private false). why (room for whylen) says why a file was
 * refused. host_key_free() releases *out on every result.
 */
int host_key_read(const char *path, struct sshkey_sk *out, char *why,
    size_t whylen);
void host_key_free(struct sshkey_sk *);

/* Whether the key's handle is this TPM's: 1 yes, 0 made under another
 * TPM's SRK (or not a handle of ours at all: *why), -1 the TPM could not
 * be asked (an error line is recorded). */
int host_key_is_ours(struct tpm *, const struct sshkey_sk *, const char **why);

/* hostkey-show.c: "sk-tpm list"'s line for the key at path (nothing when
 * there is none); tpm may be NULL (then not compared). CLI_OK or
 * CLI_FAIL. */
int host_key_list(struct tpm *, const char *path);

#endif /* SK_TPM_HOSTKEY_H */
