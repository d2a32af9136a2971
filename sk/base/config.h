/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every environment variable the library reads, read once per operation in
 * one place. ssh-sk-helper inherits the environment of its client (for
 * ssh-agent: the agent's start-up environment).
 */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct sk_config {
	const char *tcti;		/* SK_TPM_TCTI, or NULL */
	const char *owner_auth;		/* SK_TPM_OWNER_AUTH, or NULL */
	const char *pcrs;		/* SK_TPM_PCRS, or NULL (pcr-bind.h) */
	const char *config_file;	/* SK_TPM_CONFIG, or NULL */
	bool debug;			/* SK_TPM_DEBUG=1 */
	bool presence_assume;		/* SK_TPM_PRESENCE=assume */
	bool attest_ek;			/* SK_TPM_ATTEST_EK=1: EK certificates
					 * in attestations (attest.h) */
	const char *attest_alg;		/* SK_TPM_ATTEST_ALG, or NULL */
	const char *presence_raw;	/* SK_TPM_PRESENCE as given, or NULL */
	const char *askpass;		/* SSH_ASKPASS, or NULL */
	bool askpass_usable;		/* DISPLAY/WAYLAND_DISPLAY set or
					 * SSH_ASKPASS_REQUIRE=force|prefer */
	int presence_timeout_ms;	/* longest wait for a presence answer */
	const char *unlock;		/* SK_TPM_UNLOCK, or NULL (unlock.h) */
};

/* Fill *cfg from the environment, switch debug logging on or off and
 * silence tpm2-tss's own logging unless debugging. Returns 0, or -1 with an
 * error recorded for a malformed value. */
int config_load(struct sk_config *cfg);
/* The config file (config-file.c): $SK_TPM_CONFIG if set, else
 * $XDG_CONFIG_HOME/sk-tpm/config (~/.config/sk-tpm/config), else
 * /etc/sk-tpm/config; the first that exists is read. The value of the
 * setting name into value ("" when unset, or when there is no file); 0,
 * or -1 with an error line for an unreadable or malformed file. */
int config_file_value(const struct sk_config *, const char *name,
    char *value, size_t len);

/* The attestation key's algorithm: SK_TPM_ATTEST_ALG, else the
 * "attestation-alg" setting of the config file, else es256. es256: an ECC
 * P-256 AK, statement alg -7; rs1: an RSA-2048 AK signing with
 * RSASSA-PKCS1-v1_5 and SHA-1, alg -65535, the only "tpm" statement
 * libfido2 verifies (doc/attestation.md). 0, or -1 with an error line. */
#define SK_ATTEST_ES256	0
#define SK_ATTEST_RS1	1
int config_attest_alg(const struct sk_config *, int *alg);

/* SK_TPM_TIMEOUT in ms: the longest wait for one TPM answer (a malformed
 * value, which config_load() refuses, gives the default). */
int config_tpm_timeout_ms(void);

#endif /* SK_CONFIG_H */
