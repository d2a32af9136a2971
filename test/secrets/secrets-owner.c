/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_secrets memory, the owner password case (see test_secrets.c). The
 * owner password (SK_TPM_OWNER_AUTH) is the one secret that must sit in
 * this process: the user put it in the environment. With it set on the
 * TPM, a resident enrollment (an NV index defined and written through a
 * salted session with the owner authorization) and the delete of that
 * record the way sk-tpm delete does it; afterwards the password, bare, as
 * a TPM2B either way or its tail, is nowhere but in its environment
 * string, which the scanner must see there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "memscan.h"
#include "record.h"
#include "resident.h"
#include "secret.h"
#include "secrets.h"
#include "sk-api.h"
#include "tpm-util.h"
#include "tpm.h"

#define OWNER_ENV	"SK_TPM_OWNER_AUTH"

/* Change the owner password on the test's TPM in a child process, so that
 * this process never holds the clear value for it. */
static int
owner_change(const struct secret *pw, bool set)
{
	char *clear;
	int status;
	pid_t pid;

	if ((pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		clear = secret_reveal(pw);
		_exit(tu_owner_auth(chores_tcti(), set ? "" : clear,
		    set ? clear : "") == 0 ? 0 : 1);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* SK_TPM_OWNER_AUTH=password through putenv, so that the string handed
 * over is environ's only copy (setenv would leave one in its stack frame). */
static char *
owner_env_put(const struct secret *pw)
{
	size_t nlen = strlen(OWNER_ENV "="), i;
	char *e;

	if ((e = malloc(nlen + pw->len + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	memcpy(e, OWNER_ENV "=", nlen);
	for (i = 0; i < pw->len; i++)
		e[nlen + i] = (char)(pw->masked[i] ^ pw->mask[i]);
	e[nlen + pw->len] = '\0';
	if (putenv(e) != 0) {
		perror("putenv");
		exit(1);
	}
	return e;
}

static void
owner_env_remove(char *e, const struct secret *pw)
{
	unsetenv(OWNER_ENV);
	secret_bury(e, strlen(OWNER_ENV "=") + pw->len + 1);
}

/*
 * What "sk-tpm delete --application app --yes" does (contrib/sk-tpm:
 * cli_open, resident_load, tpm_nv_delete). 0: deleted, 1: no such record,
 * -1: failed.
 */
static int
owner_delete(const char *app)
{
	struct resident_list list;
	struct sk_config cfg;
	struct tpm *tpm = NULL;
	size_t i;
	int r = -1;

	memset(&list, 0, sizeof(list));
	if (config_load(&cfg) != 0 || tpm_open(cfg.tcti, &tpm) != 0 ||
	    tpm_set_owner_auth(tpm, cfg.owner_auth) != 0 ||
	    resident_load(tpm, &list) != 0)
		goto out;
	r = 1;
	for (i = 0; i < list.count; i++) {
		if (strcmp(list.items[i].rec->application, app) != 0)
			continue;
		r = tpm_nv_delete(tpm, list.items[i].index) == 0 ? 0 : -1;
		break;
	}
out:
	resident_list_free(&list);
	tpm_close(&tpm);
	return r;
}

/* Run owner_delete DEEP_PAD bytes further down the stack. */
static int __attribute__((noinline))
owner_delete_deep(const char *app)
{
	volatile uint8_t pad[DEEP_PAD];
	int r;

	pad[0] = 1;
	r = owner_delete(app);
	pad[DEEP_PAD - 1] = pad[0];
	return r;
}

/*
 * With an owner password: a resident enroll (defines and writes an NV index
 * through a salted session with the owner authorization) and the delete of
 * that record. Afterwards the password, bare or as a TPM2B, is nowhere but
 * in its environment string, which the scanner must see there once (whole
 * and prefix).
 */
void
test_owner(const struct secret *pin)
{
	struct secret pw, pw_host, pw_wire, pw_tail, auth;
	/* The PIN first: self_check plants all[0] on the stack, and the PIN
	 * is part of no other pattern. */
	const struct secret *all[] = { pin, &pw, &pw_host, &pw_wire, &pw_tail,
	    &auth };
	const size_t nall = sizeof(all) / sizeof(all[0]);
	struct op res = { "resident enroll (owner password set)", false,
	    OWNER_APP, FLAG_UP | FLAG_UV | FLAG_RK, pin, NULL, 0, 0 };
	const char *when[] = { "after resident enroll, owner password",
	    "after delete, owner password" };
	size_t hits;
	char *env;
	int r, step;

	secret_new_pin(&pw, "owner password");
	secret_new_tpm2b(&pw_host, "owner password as TPM2B_AUTH", &pw,
	    false);
	secret_new_tpm2b(&pw_wire, "owner password as marshalled TPM2B",
	    &pw, true);
	secret_new_tail(&pw_tail, "owner password's last 12 bytes", &pw, 12);
	secret_new_auth(&auth, "owner case key's auth value", OWNER_APP, pin);
	/* The scanner sees the new patterns, and nothing holds them yet. */
	self_check(all, nall);
	if (owner_change(&pw, true) != 0) {
		fail("cannot set an owner password on the test's TPM");
		return;
	}
	env = owner_env_put(&pw);
	scan_skip_environ = true;
	for (step = 0; step < 2; step++) {
		if (step == 0) {
			op_call_deep(&res, NULL);
			expect_rc(&res, 0);
		} else {
			r = owner_delete_deep(OWNER_APP);
			if (r != 0)
				fail("deleting the record with the owner "
				    "password gave %d", r);
			else
				printf("%-40s deleted as expected\n",
				    "delete (owner password set)");
		}
		environ_hits = 0;
		hits = scan_memory(when[step], all, nall);
		printf("  (%zu hits inside the environment string, "
		    "excluded)\n", environ_hits);
		if (hits != 0)
			fail("the owner password or a secret is in memory %s",
			    when[step]);
		/* In SK_TPM_OWNER_AUTH: the password, its 8-byte prefix,
		 * its tail and the tail's prefix. */
		if (environ_hits != 4)
			fail("the scanner saw the owner password %zu times in "
			    "the environment, expected 4", environ_hits);
	}
	scan_skip_environ = false;
	if (owner_delete(OWNER_APP) != 1)
		fail("the owner case's record is still there after delete");
	owner_env_remove(env, &pw);
	if (owner_change(&pw, false) != 0)
		fail("cannot clear the owner password again");
	free(res.kh);
}
