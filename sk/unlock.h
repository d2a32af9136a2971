/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unlock once (doc/unlock.md): a PIN key made unlockable signs without its
 * PIN for a window after the PIN was given, through a ticket the TPM
 * issued and checks itself (tpm-unlock.h).
 *
 * The window: SK_TPM_UNLOCK, else the "unlock" setting of the config file
 * (config-file.h): a duration such as 90s, 15m, 1h or 1h30m, at most 12h;
 * "off" or "0" turns it off. At enrollment it makes a PIN key unlockable
 * with that window; at signing, when set, it replaces the window the key
 * was enrolled with, and "off" opens none (the PIN signs, no ticket).
 */
#ifndef SK_UNLOCK_H
#define SK_UNLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "handle.h"
#include "key-policy.h"
#include "pin.h"
#include "policy.h"
#include "tpm-unlock.h"

struct pcr_bind;
struct sk_sign_response;

/* "15m" and the like into seconds (1..KH_UNLOCK_MAX), 0 for "off"/"0";
 * -1 for anything else. */
int unlock_parse(const char *, uint32_t *seconds);
/* The window asked for: 0 when none; -1 with an error line when the
 * setting is malformed. *given (may be NULL) says whether it was set at
 * all ("off" is set, to 0). */
int unlock_window(const struct sk_config *, uint32_t *seconds, bool *given);

/* What enrollment makes for an unlockable key besides the key itself. */
struct unlock_new {
	uint32_t window;		/* 0: not unlockable */
	struct tpm_secret secret;
	uint8_t policy_ref[KH_REF_LEN];
	struct key_policy policy;	/* the key's (key-policy.h) */
	uint8_t key_auth[PIN_AUTH_LEN];	/* the key's own, public one */
};
/* For a PIN key when a window is asked: create P with the PIN's auth
 * value, pick the policyRef, compute the key's policy (with the PCR
 * binding in *bind, if any). u->window stays 0 otherwise. */
int unlock_prepare(const struct sk_config *, struct tpm *, bool with_pin,
    const char *application, const uint8_t auth[PIN_AUTH_LEN],
    const struct pcr_bind *, struct unlock_new *u);
/* Version 4 fields into a handle already filled by build_handle. */
void unlock_to_handle(const struct unlock_new *, struct kh *);
void unlock_new_reset(struct unlock_new *);

/* sk_sign for a version 4 handle (sign.c has decoded and checked it). */
int unlock_sign_run(const struct sk_config *, const struct kh *,
    const uint8_t *data, size_t data_len, const char *application,
    uint8_t flags, const char *pin, struct sk_sign_response **out);

#endif /* SK_UNLOCK_H */
