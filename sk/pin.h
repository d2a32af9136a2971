/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From PIN to TPM auth value.
 *
 *   auth = SHA-256("sk-tpm auth v1" || 0x00 ||
 *                  u32be(len(application)) || application ||
 *                  u32be(len(pin)) || pin)
 *
 * with pin empty (length 0) for keys without a PIN. Why derive rather than
 * use the PIN itself: the auth value gets a fixed 32-byte size (TPMs cap
 * auth values at the name digest size, and ESYS would silently hash longer
 * PINs in some calls and reject them in others); and the application enters
 * the auth value, so the TPM itself refuses a handle replayed under another
 * application string. The TPM's dictionary-attack lockout, not the hash,
 * is what stops PIN guessing.
 */
#ifndef SK_PIN_H
#define SK_PIN_H

#include <stddef.h>
#include <stdint.h>

#define PIN_AUTH_LEN	32
#define PIN_MAX_LEN	1024	/* longer PINs are refused, not truncated */

/* pin may be NULL (no PIN). Returns 0 or -1 (error recorded). */
int pin_derive_auth(const char *application, const char *pin,
    uint8_t auth[PIN_AUTH_LEN]);

#endif /* SK_PIN_H */
