/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Upgrade promise: key handles and resident records written by a released
 * version keep working. For each fixture (test/fixtures/vX.Y.Z, made by
 * make-fixture.sh with that version), with swtpm started from a copy of
 * the fixture's TPM state: sign with each stored key handle through the
 * real libsk-tpm.so (as ssh-sk-helper calls it) and verify the signature
 * with OpenSSL against the stored public point; load the resident record
 * and check that it gives back the stored handle, application, user and
 * public key, and that the handle signs.
 *
 *   with-swtpm.sh --state-from FIXTURE/tpm -- test_fixtures FIXTURE/keys.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "sk-api.h"
#include "sk-test-util.h"

#define FIXTURE_PIN	"2468"		/* of the key "uv" (make-fixture.sh) */
#define RK_APP		"ssh:fixture"
#define RK_USER		"fixture"

struct fkey {
	char name[16];
	unsigned int flags;
	char app[64];
	uint8_t handle[2048];
	size_t handle_len;
	uint8_t point[65];
};

static int failures;

static void
check(int ok, const char *what, const char *name)
{
	printf("%s: %s: %s\n", ok ? "ok" : "FAIL", name, what);
	if (!ok)
		failures++;
}

static int
read_keys(const char *path, struct fkey *keys, size_t max, size_t *n)
{
	char hhex[4200], phex[140];
	size_t plen;
	FILE *f;
	int r = -1;

	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	while (*n < max) {
		struct fkey *k = &keys[*n];
		int got = fscanf(f, "%15s %x %63s %4199s %139s", k->name,
		    &k->flags, k->app, hhex, phex);

		if (got == EOF)
			break;
		if (got != 5 || hex_decode(hhex, k->handle, sizeof(k->handle),
		    &k->handle_len) != 0 || hex_decode(phex, k->point,
		    sizeof(k->point), &plen) != 0 || plen != sizeof(k->point))
			goto out;
		(*n)++;
	}
	r = *n > 0 ? 0 : -1;
out:
	fclose(f);
	if (r != 0)
		fprintf(stderr, "%s: malformed fixture line %zu\n", path, *n + 1);
	return r;
}

/* Sign a message with a stored handle; 1 if OpenSSL verifies it. */
static int
sign_verify(const char *name, const char *app, const uint8_t *handle,
    size_t handle_len, uint8_t flags, const char *pin, const uint8_t *point)
{
	static const uint8_t msg[] = "sk-tpm upgrade fixture";
	struct sk_sign_response *s = NULL;
	int r, ok;

	r = sk_sign(SSH_SK_ECDSA, msg, sizeof(msg), app, handle, handle_len,
	    flags, pin, NULL, &s);
	check(r == 0 && s != NULL, "sk_sign with the stored handle", name);
	if (r != 0 || s == NULL)
		return 0;
	ok = stu_verify(point, 65, s, app, msg, sizeof(msg)) == 1;
	check(ok, "OpenSSL verifies the signature under the stored key", name);
	if (flags & SSH_SK_USER_VERIFICATION_REQD)
		check((s->flags & 0x05) == 0x05,
		    "signature flags user presence and verification", name);
	stu_free_sign(s);
	return ok;
}

int
main(int argc, char **argv)
{
	struct fkey keys[8];
	struct sk_resident_key **rks = NULL;
	const struct fkey *rk = NULL;
	size_t n, nrks = 0, i;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: test_fixtures FIXTURE/keys.txt\n");
		return 2;
	}
	if (read_keys(argv[1], keys, sizeof(keys) / sizeof(keys[0]), &n) != 0)
		return 1;
	printf("fixture %s: %zu keys\n", argv[1], n);

	for (i = 0; i < n; i++) {
		const char *pin = (keys[i].flags &
		    SSH_SK_USER_VERIFICATION_REQD) ? FIXTURE_PIN : NULL;

		sign_verify(keys[i].name, keys[i].app, keys[i].handle,
		    keys[i].handle_len, (uint8_t)keys[i].flags, pin,
		    keys[i].point);
		if (keys[i].flags & SSH_SK_RESIDENT_KEY)
			rk = &keys[i];
	}
	check(rk != NULL, "the fixture has a resident key", "rk");
	if (rk == NULL)
		return 1;

	r = sk_load_resident_keys(NULL, NULL, &rks, &nrks);
	check(r == 0 && nrks == 1, "sk_load_resident_keys finds the record",
	    rk->name);
	if (r == 0 && nrks == 1) {
		const struct sk_resident_key *k = rks[0];
		int user_ok = k->user_id_len >= strlen(RK_USER) &&
		    memcmp(k->user_id, RK_USER, strlen(RK_USER)) == 0;

		for (i = strlen(RK_USER); user_ok && i < k->user_id_len; i++)
			user_ok = k->user_id[i] == 0;
		check(strcmp(k->application, rk->app) == 0 &&
		    strcmp(rk->app, RK_APP) == 0, "application", rk->name);
		check(user_ok, "user id", rk->name);
		check(k->key.public_key_len == 65 &&
		    memcmp(k->key.public_key, rk->point, 65) == 0,
		    "public key", rk->name);
		check(k->key.key_handle_len == rk->handle_len &&
		    memcmp(k->key.key_handle, rk->handle, rk->handle_len) == 0,
		    "the record holds the stored key handle", rk->name);
		sign_verify("rk (from the record)", k->application,
		    k->key.key_handle, k->key.key_handle_len,
		    (uint8_t)rk->flags, NULL, k->key.public_key);
	}
	stu_free_resident(rks, nrks);

	printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL",
	    failures);
	return failures == 0 ? 0 : 1;
}
