/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Secrets after the call, against swtpm through the real libsk-tpm.so:
 *
 *   test_secrets memory	no PIN and no auth value anywhere in this
 *				process's memory once an entry point returned
 *				(secrets-memory.c; the owner password case:
 *				secrets-owner.c)
 *   test_secrets lost FAULT	what survives a connection lost after the
 *				TPM acted (secrets-memory.c)
 *   test_secrets log		none in any line SK_TPM_DEBUG=1 and
 *				TSS2_LOG=all+TRACE produce (secrets-log.c)
 *
 * The PIN is random and made at run time, so neither it nor a prefix of it
 * can sit in any file this process maps. The test holds every secret only
 * XOR-masked and compares byte by byte against mask ^ masked, so that a hit
 * can only come from a copy somebody else made; the auth value is derived
 * in a child process, so this process never holds it in clear at all. The
 * PIN exists in clear only in the heap buffer handed to the library, and
 * the test wipes that itself right after each call (secret.h). The scanner
 * proves it can see: it must find a copy planted in the heap and on the
 * stack before the library is ever called (memscan.h; the log search,
 * logscan.h, likewise).
 *
 * The owner password (SK_TPM_OWNER_AUTH) is the one secret that must sit in
 * this process: the user put it in the environment. That case excludes
 * exactly the bytes of the environ[i] strings from the hits (and requires
 * the scanner to see the password there, once); any other copy fails.
 *
 * What this found, and what now keeps it at zero: ESYS frees two records
 * unwiped that held an auth value (a session's sessionValue, and its copy
 * of TPM2_Create's inSensitive), which sk/tpm/tpm-session.c overwrites through
 * ESYS before every session ends; tpm2-tss 4.x's OpenSSL code leaves freed
 * copies of every HMAC key (session key and auth value), so on 4.x ESYS's
 * HMACs are computed by sk/tpm/tpm-crypto.c in memory it wipes; and tpm2-tss's
 * esys and esys_crypto modules print auth values at debug level, which
 * sk/base/log.c keeps them from under SK_TPM_DEBUG=1.
 *
 * This file: the entry point calls every scenario makes, and main().
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscan.h"
#include "secret.h"
#include "secrets.h"
#include "sk-api.h"
#include "sk-test-util.h"

int failures;

void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	failures++;
}

/* One entry point call with the PIN in clear only for its duration. */
void
op_call(struct op *op, const struct op *key)
{
	static const uint8_t data[] = "data to be signed";
	uint8_t challenge[32] = { 0 };
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	char *pin;

	/* No PIN: OpenSSH's first call (an unlockable key's window). */
	pin = op->pin != NULL ? secret_reveal(op->pin) : NULL;
	if (op->sign)
		op->r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), op->app,
		    key->kh, key->kh_len, op->flags, pin, NULL, &s);
	else
		op->r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
		    op->app, op->flags, pin, NULL, &e);
	if (pin != NULL)
		secret_bury(pin, op->pin->len);
	if (e != NULL) {
		op->kh = e->key_handle;
		op->kh_len = e->key_handle_len;
		e->key_handle = NULL;
	}
	stu_free_enroll(e);
	stu_free_sign(s);
}

/* Run op_call DEEP_PAD bytes further down the stack. */
void __attribute__((noinline))
op_call_deep(struct op *op, const struct op *key)
{
	volatile uint8_t pad[DEEP_PAD];

	pad[0] = 1;
	op_call(op, key);
	pad[DEEP_PAD - 1] = pad[0];
}

void
expect_rc(const struct op *op, int want)
{
	if (op->r != want)
		fail("%s returned %d, expected %d", op->what, op->r, want);
	else
		printf("%-40s returned %d as expected\n", op->what, op->r);
	fflush(stdout);
}

/* The TPM for the test's own chores: the simulator itself when the
 * library goes through tpm2-abrmd (test/fault/abrmd.sh), whose GLib-based
 * TCTI does not survive a fork. */
void
round_new(struct round *rd)
{
	const struct op enroll = { "enroll (PIN, flags 0x05)", false, APP,
	    FLAG_UP | FLAG_UV, &rd->pin, NULL, 0, 0 };
	const struct op sign = { "sign (right PIN)", true, APP,
	    FLAG_UP | FLAG_UV, &rd->pin, NULL, 0, 0 };
	const struct op bad = { "sign (wrong PIN)", true, APP,
	    FLAG_UP | FLAG_UV, &rd->wrong, NULL, 0, 0 };
	const struct op res = { "resident enroll (PIN, flags 0x25)", false,
	    RES_APP, FLAG_UP | FLAG_UV | FLAG_RK, &rd->pin, NULL, 0, 0 };

	secret_new_pin(&rd->pin, "PIN");
	secret_new_pin(&rd->wrong, "wrong PIN");
	secret_new_auth(&rd->auth, "auth value", APP, &rd->pin);
	secret_new_auth(&rd->wrong_auth, "wrong PIN's auth value", APP,
	    &rd->wrong);
	secret_new_auth(&rd->res_auth, "resident key's auth value", RES_APP,
	    &rd->pin);
	rd->all[0] = &rd->pin;
	rd->all[1] = &rd->wrong;
	rd->all[2] = &rd->auth;
	rd->all[3] = &rd->wrong_auth;
	rd->all[4] = &rd->res_auth;
	rd->enroll = enroll;
	rd->sign = sign;
	rd->bad = bad;
	rd->res = res;
}

const char *
chores_tcti(void)
{
	const char *direct = getenv("SK_TPM_TCTI_DIRECT");

	return direct != NULL ? direct : getenv("SK_TPM_TCTI");
}

int
main(int argc, char **argv)
{
	int r;

	if ((argc != 2 || (strcmp(argv[1], "memory") != 0 &&
	    strcmp(argv[1], "log") != 0)) && (argc != 3 ||
	    strcmp(argv[1], "lost") != 0)) {
		fprintf(stderr, "usage: %s memory|log|lost FAULT-TCTI.so\n",
		    argv[0]);
		return 2;
	}
	if (getenv("SK_TPM_TCTI") == NULL) {
		fprintf(stderr, "%s: run me through test/with-swtpm.sh\n",
		    argv[0]);
		return 2;
	}
	/* Presence comes from the PIN; nothing may prompt. */
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("SSH_ASKPASS");
	if (scan_init() != 0)
		return 1;
	if (strcmp(argv[1], "memory") == 0) {
		/* Quiet: the library's output is not under test here. */
		setenv("TSS2_LOG", "all+NONE", 1);
		r = test_memory();
	} else if (strcmp(argv[1], "lost") == 0) {
		setenv("TSS2_LOG", "all+NONE", 1);
		r = test_lost(argv[2]);
	} else
		r = test_log();
	printf("%s: %s\n", argv[1], r == 0 && failures == 0 ? "PASS" :
	    "FAIL");
	return r == 0 && failures == 0 ? 0 : 1;
}
