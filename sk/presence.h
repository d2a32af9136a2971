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

/* 0: presence shown; SSH_SK_ERR_GENERAL with an error line otherwise. */
int presence_confirm(const struct sk_config *, const char *application);

#endif /* SK_PRESENCE_H */
