/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unlockable keys in the TPM (doc/unlock.md): the PIN object P made at
 * enrollment (tpm-unlock.c), and the two ways such a key signs
 * (tpm-ticket.c): with the PIN through TPM2_PolicySecret, which also
 * returns a ticket, and later without it through TPM2_PolicyTicket.
 */
#ifndef SK_TPM_UNLOCK_H
#define SK_TPM_UNLOCK_H

#include <stdint.h>

#include "handle.h"
#include "ticket-file.h"
#include "tpm.h"

/* tpm_sign_ticket: the TPM refused the ticket (expired, made before a
 * reset or restart, forged, another key's): not an error, no DA try. */
#define TPM_TICKET_REFUSED	1

/* The PIN object: marshalled TPM2B_PUBLIC and TPM2B_PRIVATE (malloc'ed)
 * and its Name. */
struct tpm_secret {
	uint8_t *public;
	size_t public_len;
	uint8_t *private;
	size_t private_len;
	uint8_t name[KH_NAME_LEN];
};
void tpm_secret_reset(struct tpm_secret *);

/* Create P under the SRK (the held one while holding): a DA-protected
 * keyed-hash data object with auth value auth, which crosses the bus only
 * inside a session salted to the SRK. */
int tpm_create_secret(struct tpm *, const uint8_t auth[TPM_AUTH_LEN],
    struct tpm_secret *out);

/* Sign with the PIN: load P and the key, PolicySecret(P, policyRef,
 * expiration -window_s) in a policy session ([PolicyPCR] first), PolicyOR,
 * Sign. The ticket and timeout the TPM returned go to *ticket (its
 * policyRef, Name and end filled too); window_s 0 asks for none. Errors
 * as tpm_sign's (SSH_SK_ERR_PIN_REQUIRED for a wrong PIN, counted by the
 * TPM). */
int tpm_sign_unlock(struct tpm *, const struct kh *,
    const uint8_t auth[TPM_AUTH_LEN], uint32_t window_s,
    const uint8_t digest[32], uint8_t r[32], uint8_t s[32],
    struct unlock_ticket *ticket);

/* Sign without the PIN: load the key, [PolicyPCR], PolicyTicket, PolicyOR,
 * Sign. TPM_TICKET_REFUSED when the TPM does not take the ticket. */
int tpm_sign_ticket(struct tpm *, const struct kh *,
    const struct unlock_ticket *, const uint8_t digest[32], uint8_t r[32],
    uint8_t s[32]);

#endif /* SK_TPM_UNLOCK_H */
