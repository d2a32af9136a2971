/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm, the command-line tool: shared between main.c and the command
 * files. What every command uses (cli.c), the commands main.c hands over
 * to, and how a credential is shown (fingerprint.c, safe-text.c). The TPM
 * work itself is the library's (sk-tpm-core); this tool only parses
 * arguments, asks, and prints.
 */
#ifndef SK_TPM_CLI_H
#define SK_TPM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "tpm.h"

/* Exit statuses. */
#define CLI_OK		0
#define CLI_FAIL	1	/* the command failed or found a problem */
#define CLI_USAGE	2	/* bad command line */
/* cli_option(): --help was given. */
#define CLI_HELP	3

struct cli {
	const char *cmd;		/* "list", "delete", "doctor" */
	const char *tcti;		/* --tcti, SK_TPM_TCTI or NULL */
	const char *tcti_source;	/* "--tcti", "SK_TPM_TCTI" or NULL */
	const char *owner_auth;		/* SK_TPM_OWNER_AUTH or NULL */
	const char *config_error;	/* a malformed variable, or NULL */
};

/* Long options every command takes, for its getopt_long table. */
#define CLI_COMMON_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "tcti", required_argument, NULL, 'T' }

/* cli.c: what every command uses */

/* Print "sk-tpm: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: one line pointing at the command's --help; returns
 * CLI_USAGE. */
int cli_usage_error(const struct cli *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The library's recorded error line if there is one, else fallback;
 * returns CLI_FAIL. */
int cli_fail(const char *fallback);
/* Handle an option getopt_long returned that is not the command's own:
 * --tcti (0), --help (CLI_HELP), unknown options and missing arguments
 * (CLI_USAGE, with the error printed). */
int cli_option(struct cli *, int ch, char **argv);
/* Refuse operands after the options; CLI_OK or CLI_USAGE. */
int cli_no_operands(const struct cli *, int argc, char **argv);
/* The command line of a command with only the common options and no
 * operands: CLI_OK to go on, CLI_HELP (usage to print, then exit 0) or
 * CLI_USAGE (error printed). */
int cli_common_only(struct cli *, int argc, char **argv);
/* Open the TPM the way the library does and give it the owner password.
 * CLI_OK, or CLI_FAIL with the error printed. */
int cli_open(const struct cli *, struct tpm **);

/* The commands main.c hands over to, argv[0] being the command's name. */
int cmd_list(struct cli *, int argc, char **argv);
int cmd_delete(struct cli *, int argc, char **argv);
int cmd_doctor(struct cli *, int argc, char **argv);
int cmd_setup(struct cli *, int argc, char **argv);
int cmd_host_key(struct cli *, int argc, char **argv);
int cmd_verify_attestation(struct cli *, int argc, char **argv);
int cmd_attest(struct cli *, int argc, char **argv);
/* unlock.c: "sk-tpm lock", and the unlock windows at the end of list. */
int cmd_lock(struct cli *, int argc, char **argv);
struct resident_list;
void unlock_windows_list(const struct resident_list *);
/* attest-round.c: "challenge" or "activate", argv[0] being it. */
int cmd_attest_round(struct cli *, const char *sub, int argc, char **argv);

/* fingerprint.c: how a credential is shown */

/* "SHA256:" + 43 characters of unpadded base64 + NUL. */
#define CLI_FP_LEN	(7 + 43 + 1)
/* The fingerprint ssh-keygen -l prints for the sk-ecdsa public key with
 * this point and application. 0 or -1. */
int cli_fingerprint(const uint8_t point[TPM_EC_POINT_LEN],
    const char *application, char out[CLI_FP_LEN]);

/* Room for any shown user id: "hex:" + 2 per byte of the longest id. */
#define CLI_USER_LEN	(4 + 2 * REC_USER_MAX + 1)
/* A user id as text when every byte (trailing zero padding aside) is
 * printable ASCII, "hex:..." otherwise, "-" when empty. */
void cli_user_text(const uint8_t *id, size_t len, char *out, size_t outlen);
/* Whether name designates this user id: its bytes, or its shown form. */
bool cli_user_matches(const uint8_t *id, size_t len, const char *name);

struct kh;
struct resident;

/* A PCR binding (issue 12): "sha256:7,14", or "" for a key that is not
 * bound. */
void cli_pcr_text(const struct kh *, char *out, size_t len);

/* One usable credential as every command shows it. */
struct cli_shown {
	char application[4 * REC_APP_MAX + 1];	/* cli_safe_text */
	char user[CLI_USER_LEN];	/* cli_user_text */
	char fingerprint[CLI_FP_LEN];
	bool pin;			/* auth value derived from a PIN */
	bool touch;			/* presence required at enrollment */
	char pcrs[80];			/* cli_pcr_text, "" if not bound */
};
/* 0, or -1 if OpenSSL fails to hash. */
int cli_describe(const struct resident *, struct cli_shown *);

/* safe-text.c: text from outside, safe for a terminal: control
 * characters, backslashes and non-ASCII bytes as \xNN. */
void cli_safe_text(const char *in, char *out, size_t outlen);

#endif /* SK_TPM_CLI_H */
