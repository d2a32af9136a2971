/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unlock ticket file (doc/unlock.md): what TPM2_PolicySecret returned
 * when a PIN opened an unlockable key's window, kept in
 * $XDG_RUNTIME_DIR/sk-tpm/ so that later signatures can use it through
 * TPM2_PolicyTicket. Binary, big-endian, fixed order, nothing after:
 *
 *   8   magic        "SKTPMTK" 0x00
 *   1   version      TICKET_VERSION (1)
 *   16  policyRef    the key's (handle field 10): whose window this is
 *   34  P's Name     0x000b || SHA-256 of the PIN object's public area
 *   8   end          Unix time the window ends (for display only: the
 *                    TPM enforces its own clock)
 *   2   timeout size 1..8, then the TPM2B_TIMEOUT's bytes
 *   2   ticket tag   TPM_ST_AUTH_SECRET (0x8023)
 *   4   hierarchy    TPM_RH_OWNER (0x40000001): P lives under the SRK
 *   2   digest size  20..64, then the ticket's HMAC
 *
 * The file is untrusted bytes (anybody running as the user can write it),
 * so the decoder is strict and fuzzed; a forged ticket costs nothing but
 * the TPM's refusal (TPM_RC_TICKET), which spends no DA try. Pure code.
 */
#ifndef SK_TICKET_FILE_H
#define SK_TICKET_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "handle.h"

#define TICKET_MAGIC		"SKTPMTK"	/* 7 bytes and a NUL */
#define TICKET_MAGIC_LEN	8
#define TICKET_VERSION		1
#define TICKET_TAG_SECRET	0x8023u
#define TICKET_RH_OWNER		0x40000001u
#define TICKET_TIMEOUT_MAX	8
#define TICKET_DIGEST_MIN	20
#define TICKET_DIGEST_MAX	64
#define TICKET_MAX_LEN		(TICKET_MAGIC_LEN + 1 + KH_REF_LEN + \
				 KH_NAME_LEN + 8 + 2 + TICKET_TIMEOUT_MAX + \
				 2 + 4 + 2 + TICKET_DIGEST_MAX)

struct unlock_ticket {
	uint8_t policy_ref[KH_REF_LEN];
	uint8_t secret_name[KH_NAME_LEN];
	uint64_t end;			/* Unix seconds */
	uint8_t timeout[TICKET_TIMEOUT_MAX];
	size_t timeout_len;
	uint16_t tag;
	uint32_t hierarchy;
	uint8_t digest[TICKET_DIGEST_MAX];
	size_t digest_len;
};

/* Into buf (TICKET_MAX_LEN bytes); *len set. 0, or -1 for fields out of
 * their bounds. */
int ticket_encode(const struct unlock_ticket *, uint8_t *buf, size_t size,
    size_t *len);
/* 0 with *t filled, or -1 (and *why) for anything but an exact file. */
int ticket_decode(const uint8_t *buf, size_t len, struct unlock_ticket *t,
    const char **why);
/* "HEX-of-policyRef.ticket": a key's file name, 32 + 7 characters. */
#define TICKET_NAME_LEN	(2 * KH_REF_LEN + 8)
void ticket_file_name(const uint8_t ref[KH_REF_LEN],
    char out[TICKET_NAME_LEN]);

#endif /* SK_TICKET_FILE_H */
