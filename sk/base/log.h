/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diagnostics. The provider runs inside ssh-sk-helper whose stderr is the
 * user's terminal, so by default it prints nothing on success and exactly
 * one line on failure. sk_error() records that line (the first cause wins,
 * later ones are debug detail); the entry point prints it once with
 * log_flush(). SK_TPM_DEBUG=1 makes sk_debug() print as it goes.
 * Never pass a PIN or an auth value to these functions.
 */
#ifndef SK_LOG_H
#define SK_LOG_H

#include <stdbool.h>

void log_set_debug(bool);
bool log_debug_enabled(void);

void sk_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Forget any recorded error line (start of an operation). */
void log_reset(void);
/* Print the recorded error line, if any, as "sk-tpm: ..." and forget it. */
void log_flush(void);
/* The recorded line or NULL; for the command-line tool and tests. */
const char *log_last_error(void);

#endif /* SK_LOG_H */
