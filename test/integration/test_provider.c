/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The provider against a real TPM simulator (started by with-swtpm.sh):
 * enroll, sign, verify with OpenSSL, and every refusal the issue names.
 * After each test the TPM must hold no transient object and no session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "handle.h"
#include "sk-test-util.h"
#include "sk-api.h"
#include "tpm-util.h"

#define APP		"ssh:"
#define PIN		"424242"
#define WRONG_PIN	"000000"

static const char *tcti;	/* SK_TPM_TCTI of the first simulator */
static const char *tcti2;	/* the second, unrelated simulator */

/* OpenSSL verification (test/common) that does not use the library's
 * code. */
static int
verify(const struct sk_enroll_response *e, const struct sk_sign_response *s,
    const char *app, const uint8_t *data, size_t len)
{
	return stu_verify(e->public_key, e->public_key_len, s, app, data, len);
}

static struct sk_enroll_response *
enroll_ok(const char *app, uint8_t flags, const char *pin)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 1 };

	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    app, flags, pin, NULL, &e), 0);
	assert_non_null(e);
	return e;
}

/* --- fixtures --- */

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("SSH_ASKPASS");
	unsetenv("SSH_ASKPASS_REQUIRE");
	unsetenv("DISPLAY");
	unsetenv("SK_TPM_DEBUG");
	return tu_da_reset(tcti);
}

static int
teardown(void **state)
{
	(void)state;
	/* Nothing may stay loaded in the TPM after any call, on any
	 * path. */
	if (tu_count_leftovers(tcti) != 0) {
		fprintf(stderr, "TPM handles left behind: %d\n",
		    tu_count_leftovers(tcti));
		return -1;
	}
	return tu_da_reset(tcti);
}

/* --- tests --- */

static void
test_api_version(void **state)
{
	(void)state;
	assert_int_equal(sk_api_version(), 0x000a0000);
}

static void
test_enroll_sign_verify(void **state)
{
	struct sk_enroll_response *e;
	struct sk_sign_response *s = NULL, *s2 = NULL;
	const uint8_t data[] = "the session identifier and request";
	const char *err;

	(void)state;
	assert_int_equal(stu_capture_start(), 0);
	e = enroll_ok(APP, 0, NULL);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP,
	    e->key_handle, e->key_handle_len, 0, NULL, NULL, &s), 0);
	err = stu_capture_stop();
	/* Success is silent. */
	assert_string_equal(err, "");
	assert_int_equal(e->flags, 0);
	assert_int_equal(e->public_key[0], 0x04);
	/* Every enrollment attests (test/e2e/attest.sh checks the
	 * contents); no AK certificate is installed here. */
	assert_non_null(e->signature);
	assert_non_null(e->authdata);
	assert_null(e->attestation_cert);
	assert_int_equal(s->flags, 0);
	assert_int_equal(s->sig_r_len, 32);
	assert_int_equal(s->sig_s_len, 32);
	assert_int_equal(verify(e, s, APP, data, sizeof(data)), 1);
	/* The signature does not verify for other data. */
	assert_int_not_equal(verify(e, s, APP, data, sizeof(data) - 1), 1);

	/* The counter never goes backwards. */
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP,
	    e->key_handle, e->key_handle_len, 0, NULL, NULL, &s2), 0);
	assert_true(s2->counter >= s->counter);
	assert_int_equal(verify(e, s2, APP, data, sizeof(data)), 1);
	stu_free_sign(s);
	stu_free_sign(s2);
	stu_free_enroll(e);
}

static void
test_enroll_flags_without_force(void **state)
{
	struct sk_enroll_response *e;

	(void)state;
	e = enroll_ok("ssh:flags", SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_FORCE_OPERATION, NULL);
	assert_int_equal(e->flags, SSH_SK_USER_PRESENCE_REQD);
	stu_free_enroll(e);
}

static void
test_presence(void **state)
{
	struct sk_enroll_response *e;
	struct sk_sign_response *s = NULL;
	const uint8_t data[] = "x";
	const char *err;
	int r;

	(void)state;
	e = enroll_ok(APP, SSH_SK_USER_PRESENCE_REQD, NULL);

	/* Asserted by the environment. */
	setenv("SK_TPM_PRESENCE", "assume", 1);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 1, APP, e->key_handle,
	    e->key_handle_len, SSH_SK_USER_PRESENCE_REQD, NULL, NULL, &s), 0);
	assert_int_equal(s->flags, SSH_SK_USER_PRESENCE_REQD);
	assert_int_equal(verify(e, s, APP, data, 1), 1);
	stu_free_sign(s);
	s = NULL;
	unsetenv("SK_TPM_PRESENCE");

	/* Confirmed through askpass ("true" says yes)... */
	setenv("SSH_ASKPASS", "/bin/true", 1);
	setenv("SSH_ASKPASS_REQUIRE", "force", 1);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 1, APP, e->key_handle,
	    e->key_handle_len, SSH_SK_USER_PRESENCE_REQD, NULL, NULL, &s), 0);
	assert_int_equal(s->flags, SSH_SK_USER_PRESENCE_REQD);
	stu_free_sign(s);
	s = NULL;

	/* ... and declined ("false" says no). */
	setenv("SSH_ASKPASS", "/bin/false", 1);
	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, 1, APP, e->key_handle,
	    e->key_handle_len, SSH_SK_USER_PRESENCE_REQD, NULL, NULL, &s);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_null(s);
	assert_non_null(strstr(err, "sk-tpm: user presence was declined"));
	assert_int_equal(stu_count_lines(err), 1);
	stu_free_enroll(e);
}

static void
test_pin(void **state)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	uint8_t challenge[32] = { 0 };
	const uint8_t data[] = "login";
	const uint8_t flags = SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_USER_VERIFICATION_REQD;
	const char *err;
	int r;

	(void)state;
	/* First call without a PIN: OpenSSH is asked to prompt, quietly. */
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, flags,
	    NULL, NULL, &e);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_PIN_REQUIRED);
	assert_null(e);
	assert_string_equal(err, "");

	e = enroll_ok(APP, flags, PIN);
	assert_int_equal(e->flags, flags);

	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, flags, NULL, NULL, &s);
	assert_int_equal(r, SSH_SK_ERR_PIN_REQUIRED);
	assert_null(s);

	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, flags, WRONG_PIN, NULL, &s);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_PIN_REQUIRED);
	assert_null(s);
	/* The fixture sets 4 tries: one used, three left. */
	assert_non_null(strstr(err, "sk-tpm: wrong PIN; 3 tries left"));
	assert_int_equal(stu_count_lines(err), 1);
	assert_int_equal(tu_da_counter(tcti), 1);

	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, flags, PIN, NULL, &s);
	assert_int_equal(r, 0);
	/* The TPM checked the PIN, which also shows presence. */
	assert_int_equal(s->flags, flags);
	assert_int_equal(verify(e, s, APP, data, sizeof(data)), 1);
	stu_free_sign(s);
	stu_free_enroll(e);
}

static void
test_lockout(void **state)
{
	struct sk_enroll_response *pinned, *plain;
	struct sk_sign_response *s = NULL;
	const uint8_t flags = SSH_SK_USER_VERIFICATION_REQD;
	const uint8_t data[] = "d";
	const char *err;
	int i, r;

	(void)state;
	pinned = enroll_ok(APP, flags, PIN);
	plain = enroll_ok(APP, 0, NULL);
	for (i = 0; i < 4; i++) {
		r = sk_sign(SSH_SK_ECDSA, data, 1, APP, pinned->key_handle,
		    pinned->key_handle_len, flags, WRONG_PIN, NULL, &s);
		assert_int_equal(r, SSH_SK_ERR_PIN_REQUIRED);
	}
	/* Locked out: even the right PIN is refused, with a clear line and
	 * not with "PIN required", which would invite more guesses. */
	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, 1, APP, pinned->key_handle,
	    pinned->key_handle_len, flags, PIN, NULL, &s);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_null(s);
	assert_non_null(strstr(err, "sk-tpm: the TPM is locked out"));
	assert_non_null(strstr(err, "try again in 2 s"));
	assert_int_equal(stu_count_lines(err), 1);

	/* A key without a PIN is noDA and keeps working. */
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 1, APP, plain->key_handle,
	    plain->key_handle_len, 0, NULL, NULL, &s), 0);
	assert_int_equal(verify(plain, s, APP, data, 1), 1);
	stu_free_sign(s);
	stu_free_enroll(pinned);
	stu_free_enroll(plain);
}

static void
expect_refusal(const uint8_t *kh, size_t len, const char *app,
    const char *needle)
{
	struct sk_sign_response *s = NULL;
	const uint8_t data[] = "d";
	const char *err;
	int r;

	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, 1, app, kh, len, 0, NULL, NULL, &s);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_null(s);
	if (strstr(err, needle) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", needle, err);
	assert_int_equal(stu_count_lines(err), 1);
}

static void
test_other_tpm_refused(void **state)
{
	struct sk_enroll_response *e;

	(void)state;
	setenv("SK_TPM_TCTI", tcti2, 1);
	e = enroll_ok(APP, 0, NULL);
	setenv("SK_TPM_TCTI", tcti, 1);
	expect_refusal(e->key_handle, e->key_handle_len, APP,
	    "made on another TPM");
	stu_free_enroll(e);
}

static void
test_tampered_handle_refused(void **state)
{
	struct sk_enroll_response *e;
	struct kh *kh = NULL;
	uint8_t *copy = NULL;
	size_t i, len;
	uint8_t garbage[100];

	(void)state;
	e = enroll_ok(APP, 0, NULL);
	len = e->key_handle_len;

	/* Flip a bit near the end of the wrapped private area (its
	 * encrypted sensitive data), keeping the CBOR well-formed: the TPM's
	 * integrity check must refuse it. */
	assert_int_equal(kh_decode(e->key_handle, len, &kh), KH_OK);
	kh->tpm_private[kh->tpm_private_len - 5] ^= 0x01;
	assert_int_equal(kh_encode(kh, &copy, &len), KH_OK);
	kh_free(&kh);
	expect_refusal(copy, len, APP, "altered");

	/* Truncated. */
	len = e->key_handle_len;
	expect_refusal(e->key_handle, len - 1, APP, "malformed");
	/* Foreign bytes: a handle some other provider wrote. */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 37 + 11);
	expect_refusal(garbage, sizeof(garbage), APP, "not made by sk-tpm");
	/* Replayed under another application. */
	expect_refusal(e->key_handle, len, "ssh:other",
	    "made for another application");
	free(copy);
	stu_free_enroll(e);
}

static void
test_srk_persistent_and_transient(void **state)
{
	struct sk_enroll_response *made_persistent, *made_transient;
	struct sk_sign_response *s = NULL;
	const uint8_t data[] = "srk";

	(void)state;
	/* The fixture persisted the SRK. */
	assert_int_equal(tu_count_handles(tcti, 0x81000000u), 1);
	made_persistent = enroll_ok(APP, 0, NULL);
	assert_int_equal(tu_srk_evict(tcti), 0);
	made_transient = enroll_ok(APP, 0, NULL);

	/* Without a persistent SRK both load under the derived one... */
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 3, APP,
	    made_persistent->key_handle, made_persistent->key_handle_len, 0,
	    NULL, NULL, &s), 0);
	assert_int_equal(verify(made_persistent, s, APP, data, 3), 1);
	stu_free_sign(s);
	assert_int_equal(tu_srk_persist(tcti), 0);
	/* ... and with one, both load under it. */
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 3, APP,
	    made_transient->key_handle, made_transient->key_handle_len, 0,
	    NULL, NULL, &s), 0);
	assert_int_equal(verify(made_transient, s, APP, data, 3), 1);
	stu_free_sign(s);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, 3, APP,
	    made_persistent->key_handle, made_persistent->key_handle_len, 0,
	    NULL, NULL, &s), 0);
	stu_free_sign(s);
	stu_free_enroll(made_persistent);
	stu_free_enroll(made_transient);
}

static void
test_ed25519_refused(void **state)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 0 };
	const char *err;
	int r;

	(void)state;
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ED25519, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e);
	err = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_UNSUPPORTED);
	assert_null(e);
	assert_string_equal(err, "sk-tpm: ed25519-sk is not supported: TPM 2.0 "
	    "chips have no Ed25519; use -t ecdsa-sk\n");
}

static void
test_no_tpm(void **state)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 0 };
	const char *err;
	int r;

	(void)state;
	/* Port 1 on loopback: nothing listens there. */
	setenv("SK_TPM_TCTI", "swtpm:host=127.0.0.1,port=1", 1);
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e);
	err = stu_capture_stop();
	setenv("SK_TPM_TCTI", tcti, 1);
	assert_int_equal(r, SSH_SK_ERR_DEVICE_NOT_FOUND);
	assert_null(e);
	assert_non_null(strstr(err, "sk-tpm: cannot reach the TPM"));
	assert_int_equal(stu_count_lines(err), 1);
}

/* PIN and auth value never cross the bus in clear. */
static void
test_bus_capture(void **state)
{
	struct sk_enroll_response *e;
	struct sk_sign_response *s = NULL;
	const char *pin = "7391-bus-secret-5823";
	const uint8_t flags = SSH_SK_USER_VERIFICATION_REQD;
	char pcap_tcti[300], path[] = "/tmp/sk-tpm-pcap.XXXXXX";
	uint8_t auth[32], *buf;
	EVP_MD_CTX *ctx;
	uint8_t be[4];
	FILE *f;
	long size;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(pcap_tcti, sizeof(pcap_tcti), "pcap:%s", tcti);
	setenv("SK_TPM_TCTI", pcap_tcti, 1);
	setenv("TCTI_PCAP_FILE", path, 1);
	e = enroll_ok(APP, flags, pin);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, (const uint8_t *)"m", 1, APP,
	    e->key_handle, e->key_handle_len, flags, pin, NULL, &s), 0);
	assert_int_equal(verify(e, s, APP, (const uint8_t *)"m", 1), 1);
	setenv("SK_TPM_TCTI", tcti, 1);

	/* The documented derivation, computed here independently. */
	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "sk-tpm auth v1", 15);
	be[0] = be[1] = be[2] = 0;
	be[3] = (uint8_t)strlen(APP);
	EVP_DigestUpdate(ctx, be, 4);
	EVP_DigestUpdate(ctx, APP, strlen(APP));
	be[3] = (uint8_t)strlen(pin);
	EVP_DigestUpdate(ctx, be, 4);
	EVP_DigestUpdate(ctx, pin, strlen(pin));
	EVP_DigestFinal_ex(ctx, auth, NULL);
	EVP_MD_CTX_free(ctx);

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	assert_true(size > 1000);
	buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	unlink(path);
	/* The capture works: the new public key is in it, in clear. */
	assert_non_null(memmem(buf, (size_t)size, e->public_key + 1, 32));
	assert_null(memmem(buf, (size_t)size, pin, strlen(pin)));
	assert_null(memmem(buf, (size_t)size, auth, sizeof(auth)));
	/* Not even a quarter of the auth value. */
	assert_null(memmem(buf, (size_t)size, auth, 8));
	assert_null(memmem(buf, (size_t)size, auth + 24, 8));
	free(buf);
	stu_free_sign(s);
	stu_free_enroll(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_api_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enroll_sign_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enroll_flags_without_force,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_presence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_tpm_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tampered_handle_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_srk_persistent_and_transient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ed25519_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_tpm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_capture, setup,
		    teardown),
	};

	/* This test talks to the TPM itself too, and tpm2-tss reads its log
	 * level once per process; keep those checks quiet so that only the
	 * library's own lines reach the captured stderr. */
	setenv("TSS2_LOG", "all+NONE", 1);
	tcti = getenv("SK_TPM_TCTI");
	tcti2 = getenv("SK_TPM_TCTI_2");
	if (tcti == NULL || tcti2 == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --second "
		    "--srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	tcti2 = strdup(tcti2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
