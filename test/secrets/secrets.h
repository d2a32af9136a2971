/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the scenario files of test_secrets share (see test_secrets.c): the
 * applications and flags of the calls, a call of an entry point with the
 * PIN in clear only for its duration, the failure count, and the scenarios
 * main() runs.
 */
#ifndef TEST_SECRETS_H
#define TEST_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secret.h"
#include "sk-api.h"

#define APP		"ssh:"
#define RES_APP		"ssh:sk-tpm-secrets"
#define LOST_APP	"ssh:sk-tpm-lost"
#define OWNER_APP	"ssh:sk-tpm-owner"
/* The library runs this much deeper in the stack than the scanner, so that
 * the scanner's own frames cannot overwrite what the library left behind. */
#define DEEP_PAD	(64 * 1024)

#define FLAG_UP		SSH_SK_USER_PRESENCE_REQD
#define FLAG_UV		SSH_SK_USER_VERIFICATION_REQD
#define FLAG_RK		SSH_SK_RESIDENT_KEY

/* One entry point call: enroll, or sign with the key of another op. */
struct op {
	const char *what;
	bool sign;
	const char *app;
	uint8_t flags;
	const struct secret *pin;
	/* enroll: the new key's handle is kept here for signing */
	uint8_t *kh;
	size_t kh_len;
	int r;
};

/*
 * The round the memory and log scenarios both run, made fresh by
 * round_new(): a PIN, a wrong PIN, and the auth values they give for APP
 * and the PIN gives for RES_APP (all); an enrollment with the PIN (flags
 * 0x05), a signature with the right and one with the wrong PIN, and a
 * resident enrollment with the PIN (flags 0x25).
 */
#define ROUND_NSECRETS	5
struct round {
	struct secret pin, wrong, auth, wrong_auth, res_auth;
	const struct secret *all[ROUND_NSECRETS];
	struct op enroll, sign, bad, res;
};
void round_new(struct round *);

/* Failures so far; fail() prints one and counts it. */
extern int failures;
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One entry point call with the PIN in clear only for its duration; the
 * same DEEP_PAD bytes further down the stack; its result checked. */
void op_call(struct op *, const struct op *key);
void op_call_deep(struct op *, const struct op *key);
void expect_rc(const struct op *, int want);

/* The TPM for the test's own chores: the simulator itself when the
 * library goes through tpm2-abrmd (test/fault/abrmd.sh), whose GLib-based
 * TCTI does not survive a fork. */
const char *chores_tcti(void);

/* The scenarios: 0 if they passed. */
int test_memory(void);			/* secrets-memory.c */
int test_lost(const char *fault_so);	/* secrets-memory.c */
void test_owner(const struct secret *pin);	/* secrets-owner.c */
void test_unlock(struct round *);	/* secrets-unlock.c */
int test_log(void);			/* secrets-log.c */

#endif /* TEST_SECRETS_H */
