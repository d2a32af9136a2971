/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * User presence, the TPM's stand-in for touching a token. Shown by one of:
 * a PIN entered for this very signature (the caller knows), the
 * SK_TPM_PRESENCE=assume assertion, a confirm dialog through SSH_ASKPASS,
 * or a y/N question on the controlling terminal.
 */
#ifndef SK_PRESENCE_H
#define SK_PRESENCE_H

#include <stdbool.h>

struct sk_config;

#include <stddef.h>

/* 0: presence shown; SSH_SK_ERR_GENERAL with an error line otherwise. No
 * question waits longer than cfg->presence_timeout_ms. */
int presence_confirm(const struct sk_config *, const char *application);
/* in as shown to a person: printable ASCII but backslash kept, every other
 * byte as \xNN, long strings cut with "..."; out always terminated. */
void presence_sanitize(const char *in, char *out, size_t outlen);

#endif /* SK_PRESENCE_H */
