/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which session authorises each command of a signature, as it crosses the
 * bus (tpm2-tss's pcap TCTI in front of the TCTI the test was given: the
 * simulator, or tpm2-abrmd under test/fault/abrmd.sh):
 *
 *  - a key without a PIN: no StartAuthSession at all; Load and Sign in
 *    password sessions, Load's carrying the SRK's empty auth and Sign's
 *    exactly the auth value derived from the application alone, with the
 *    digest in clear;
 *  - a key with a PIN: Load in a password session with the SRK's empty
 *    auth; one StartAuthSession salted to the SRK at 0x81000001; Sign in
 *    that HMAC session with its parameter, the digest, encrypted (not in
 *    the capture) and continueSession clear; neither the PIN nor
 *    its auth value nor a quarter of it anywhere in the capture;
 *  - a key without a PIN bound to a PCR: one StartAuthSession, unsalted
 *    and unbound, and Sign in that policy session without parameter
 *    encryption (there is nothing secret to encrypt);
 *  - the key's FlushContext is sent to a TPM reached directly and left to
 *    the resource manager (which flushes on close) through tpm2-abrmd.
 * Afterwards the TPM holds nothing either way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "message.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-pcr-util.h"
#include "tpm-util.h"

#define APP		"ssh:"
#define PIN		"5829-session-check-1147"
#define TPM_RS_PW	0x40000009u
#define SRK_HANDLE	0x81000001u
#define TPM_RH_NULL	0x40000007u
#define CC_SAS		0x176u
#define CC_LOAD		0x157u
#define CC_SIGN		0x15du
#define CC_FLUSH	0x165u
#define ATTR_CONTINUE	0x01u
#define ATTR_DECRYPT	0x20u
#define ATTR_ENCRYPT	0x40u
#define MAX_FOUND	8

static const char *tcti;	/* what the library is given */
static const char *direct;	/* the simulator, for the leftover check */
static bool through_rm;

struct capture {
	uint8_t *buf;
	size_t len;
};

/* One authorization of a command: its session handle, attributes and
 * hmac field (the password, for TPM_RS_PW). */
struct auth {
	uint32_t handle;
	uint8_t attrs;
	uint16_t nonce_len;
	const uint8_t *hmac;
	uint16_t hmac_len;
	const uint8_t *params;	/* what follows the authorization area */
	size_t params_len;
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The auth value of sk/pin.h, computed here independently. */
static void
derive_auth(const char *app, const char *pin, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t be[4] = { 0 };

	assert_non_null(ctx);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "sk-tpm auth v1", 15);
	be[3] = (uint8_t)strlen(app);
	EVP_DigestUpdate(ctx, be, 4);
	EVP_DigestUpdate(ctx, app, strlen(app));
	be[3] = pin != NULL ? (uint8_t)strlen(pin) : 0;
	EVP_DigestUpdate(ctx, be, 4);
	if (pin != NULL)
		EVP_DigestUpdate(ctx, pin, strlen(pin));
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/*
 * The commands with code cc in the capture: the pcap TCTI writes every
 * message whole into one packet, so a command is its 10-byte header (tag,
 * size, code) followed by size - 10 bytes, all inside the file.
 */
static size_t
find_commands(const struct capture *c, uint32_t cc, bool sessions,
    const uint8_t **out, size_t max)
{
	size_t i, n = 0;
	uint32_t size;

	for (i = 0; i + 10 <= c->len && n < max; i++) {
		if (be16(c->buf + i) != (sessions ? 0x8002 : 0x8001) ||
		    be32(c->buf + i + 6) != cc)
			continue;
		size = be32(c->buf + i + 2);
		if (size < 10 || size > c->len - i)
			continue;
		out[n++] = c->buf + i;
	}
	return n;
}

/* The single authorization of a command with nhandles handles. */
static void
parse_auth(const uint8_t *cmd, unsigned nhandles, struct auth *a)
{
	uint32_t size = be32(cmd + 2), auth_size;
	const uint8_t *p = cmd + 10 + 4 * nhandles, *end = cmd + size;

	assert_true(p + 4 <= end);
	auth_size = be32(p);
	p += 4;
	assert_true(p + auth_size <= end);
	a->handle = be32(p);
	a->nonce_len = be16(p + 4);
	p += 6 + a->nonce_len;
	a->attrs = p[0];
	a->hmac_len = be16(p + 1);
	a->hmac = p + 3;
	p += 3 + a->hmac_len;
	/* Exactly one session in the area. */
	assert_int_equal(4 + 2 + a->nonce_len + 1 + 2 + a->hmac_len,
	    auth_size);
	a->params = p;
	a->params_len = (size_t)(end - p);
}

static bool
contains(const struct capture *c, const void *needle, size_t len)
{
	return memmem(c->buf, c->len, needle, len) != NULL;
}

/* Sign with pin through the pcap TCTI; the capture and the digest the
 * library had signed. */
static void
sign_captured(const struct sk_enroll_response *e, uint8_t flags,
    const char *pin, struct capture *c, uint8_t digest[32])
{
	static const uint8_t data[] = "what the session check signs";
	struct sk_sign_response *s = NULL;
	char pcap_tcti[512], path[] = "/tmp/sk-tpm-sessions.XXXXXX";
	FILE *f;
	long size;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(pcap_tcti, sizeof(pcap_tcti), "pcap:%s", tcti);
	setenv("SK_TPM_TCTI", pcap_tcti, 1);
	setenv("TCTI_PCAP_FILE", path, 1);
	assert_int_equal(sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP,
	    e->key_handle, e->key_handle_len, flags, pin, NULL, &s), 0);
	setenv("SK_TPM_TCTI", tcti, 1);
	assert_int_equal(stu_verify(e->public_key, e->public_key_len, s, APP,
	    data, sizeof(data)), 1);
	assert_int_equal(message_digest(APP, s->flags, s->counter, data,
	    sizeof(data), digest), 0);
	stu_free_sign(s);

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	assert_true(size > 100);
	c->len = (size_t)size;
	c->buf = malloc(c->len);
	assert_non_null(c->buf);
	assert_int_equal(fread(c->buf, 1, c->len, f), c->len);
	fclose(f);
	unlink(path);
}

static struct sk_enroll_response *
enroll(uint8_t flags, const char *pin)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 3 };

	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APP, flags, pin, NULL, &e), 0);
	return e;
}

/* Load: one password session with the SRK's empty auth. */
static void
check_load(const struct capture *c)
{
	const uint8_t *cmd[MAX_FOUND];
	struct auth a;

	assert_int_equal(find_commands(c, CC_LOAD, true, cmd, MAX_FOUND), 1);
	parse_auth(cmd[0], 1, &a);
	assert_int_equal(a.handle, TPM_RS_PW);
	assert_int_equal(a.nonce_len, 0);
	assert_int_equal(a.hmac_len, 0);
}

static void
check_flushes(const struct capture *c)
{
	const uint8_t *cmd[MAX_FOUND];
	size_t n = find_commands(c, CC_FLUSH, false, cmd, MAX_FOUND);

	/* The key's, sent only to a TPM without a resource manager. */
	printf("# %s: %zu FlushContext\n", through_rm ? "tpm2-abrmd" :
	    "direct", n);
	assert_int_equal(n, through_rm ? 0 : 1);
}

static void
test_no_pin(void **state)
{
	struct sk_enroll_response *e;
	const uint8_t *cmd[MAX_FOUND];
	uint8_t auth[32], digest[32];
	struct capture c;
	struct auth a;
	size_t i, n;

	(void)state;
	e = enroll(0, NULL);
	sign_captured(e, 0, NULL, &c, digest);
	derive_auth(APP, NULL, auth);

	assert_int_equal(find_commands(&c, CC_SAS, false, cmd, MAX_FOUND), 0);
	check_load(&c);
	/* swtpm may answer a Sign with RETRY: every one sent is checked. */
	n = find_commands(&c, CC_SIGN, true, cmd, MAX_FOUND);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		parse_auth(cmd[i], 1, &a);
		assert_int_equal(a.handle, TPM_RS_PW);
		assert_int_equal(a.nonce_len, 0);
		/* The public auth value (ESYS and the TPM drop trailing
		 * zero bytes). */
		assert_true(a.hmac_len <= 32 && a.hmac_len >= 24);
		assert_memory_equal(a.hmac, auth, a.hmac_len);
		/* The digest, in clear: the capture shows parameters. */
		assert_true(a.params_len >= 34);
		assert_int_equal(be16(a.params), 32);
		assert_memory_equal(a.params + 2, digest, 32);
	}
	check_flushes(&c);
	free(c.buf);
	stu_free_enroll(e);
}

static void
test_pin(void **state)
{
	struct sk_enroll_response *e;
	const uint8_t *cmd[MAX_FOUND];
	const uint8_t flags = SSH_SK_USER_VERIFICATION_REQD;
	uint8_t auth[32], public_auth[32], digest[32];
	struct capture c;
	struct auth a;
	size_t i, n, salt_len;

	(void)state;
	e = enroll(flags, PIN);
	sign_captured(e, flags, PIN, &c, digest);
	derive_auth(APP, PIN, auth);
	derive_auth(APP, NULL, public_auth);

	/* One session, salted to the SRK: tpmKey, bind, nonceCaller,
	 * encryptedSalt. */
	assert_int_equal(find_commands(&c, CC_SAS, false, cmd, MAX_FOUND), 1);
	assert_int_equal(be32(cmd[0] + 10), SRK_HANDLE);
	assert_int_equal(be32(cmd[0] + 14), TPM_RH_NULL);
	salt_len = be16(cmd[0] + 20 + be16(cmd[0] + 18));
	printf("# PIN key: StartAuthSession salted to 0x%08x, %zu-byte "
	    "encrypted salt\n", be32(cmd[0] + 10), salt_len);
	assert_true(salt_len > 0);

	check_load(&c);
	n = find_commands(&c, CC_SIGN, true, cmd, MAX_FOUND);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		parse_auth(cmd[i], 1, &a);
		/* An HMAC session (0x02......), its HMAC, the command's
		 * parameter (the digest) encrypted, closed by this command.
		 * Sign's response begins with a TPMT_SIGNATURE, which no
		 * session can encrypt (ESYS drops ENCRYPT); the signature is
		 * public anyway. */
		assert_int_equal(a.handle >> 24, 0x02);
		assert_int_equal(a.hmac_len, 32);
		assert_int_equal(a.attrs & (ATTR_DECRYPT | ATTR_ENCRYPT),
		    ATTR_DECRYPT);
		assert_int_equal(a.attrs & ATTR_CONTINUE, 0);
		assert_int_equal(be16(a.params), 32);
	}
	/* The digest went encrypted, and no secret in any form: not the
	 * PIN, not its auth value, not a quarter of it, and not the public
	 * auth either (the PIN key's Sign does not use it). */
	assert_false(contains(&c, digest, 32));
	assert_false(contains(&c, digest, 8));
	assert_false(contains(&c, PIN, strlen(PIN)));
	assert_false(contains(&c, auth, 8));
	assert_false(contains(&c, auth + 8, 8));
	assert_false(contains(&c, auth + 16, 8));
	assert_false(contains(&c, auth + 24, 8));
	assert_false(contains(&c, public_auth, 8));
	/* The capture can see: the key's public point is in it. */
	assert_true(contains(&c, e->public_key + 1, 32));
	check_flushes(&c);
	free(c.buf);
	stu_free_enroll(e);
}

static void
test_no_pin_pcr(void **state)
{
	struct sk_enroll_response *e;
	const uint8_t *cmd[MAX_FOUND];
	uint8_t digest[32];
	struct capture c;
	struct auth a;
	size_t i, n;

	(void)state;
	/* PCR 8, as an operating system measures into it (16 and 23 are
	 * refused: anybody may reset them). */
	assert_int_equal(tu_pcr_extend(direct, 8, 0x5a), 0);
	setenv("SK_TPM_PCRS", "8", 1);
	assert_int_equal(stu_capture_start(), 0);	/* the PCR warning */
	e = enroll(0, NULL);
	(void)stu_capture_stop();
	unsetenv("SK_TPM_PCRS");
	sign_captured(e, 0, NULL, &c, digest);

	/* tpmKey and bind both TPM_RH_NULL, an empty encryptedSalt, a
	 * policy session (type 1) without symmetric algorithm. */
	assert_int_equal(find_commands(&c, CC_SAS, false, cmd, MAX_FOUND), 1);
	assert_int_equal(be32(cmd[0] + 10), TPM_RH_NULL);
	assert_int_equal(be32(cmd[0] + 14), TPM_RH_NULL);
	assert_int_equal(be16(cmd[0] + 20 + be16(cmd[0] + 18)), 0);
	assert_int_equal(cmd[0][22 + be16(cmd[0] + 18)], 0x01);
	assert_int_equal(be16(cmd[0] + 23 + be16(cmd[0] + 18)), 0x0010);
	check_load(&c);
	n = find_commands(&c, CC_SIGN, true, cmd, MAX_FOUND);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		parse_auth(cmd[i], 1, &a);
		assert_int_equal(a.handle >> 24, 0x03);
		assert_int_equal(a.attrs & (ATTR_DECRYPT | ATTR_ENCRYPT), 0);
		assert_int_equal(a.attrs & ATTR_CONTINUE, 0);
		assert_int_equal(be16(a.params), 32);
		assert_memory_equal(a.params + 2, digest, 32);
	}
	check_flushes(&c);
	free(c.buf);
	stu_free_enroll(e);
}

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	return tu_da_reset(direct);
}

static int
teardown(void **state)
{
	double t0 = stu_now();
	int left;

	(void)state;
	/*
	 * A broker flushes once it sees the connection closed, which on a
	 * loaded machine can take a while: wait up to 30 s by the clock (50
	 * tries of 0.1 s were a bound that a slow broker could exceed).
	 */
	while ((left = tu_count_leftovers(direct)) != 0 &&
	    stu_now() - t0 < 30.0)
		usleep(100000);
	if (left != 0) {
		fprintf(stderr, "TPM handles left behind: %d\n", left);
		return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_pin_pcr, setup,
		    teardown),
	};

	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	setenv("SK_TPM_PRESENCE", "assume", 1);
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk "
		    "[-- test/fault/abrmd.sh]\n");
		return 1;
	}
	tcti = strdup(tcti);
	direct = getenv("SK_TPM_TCTI_DIRECT");
	direct = direct != NULL ? strdup(direct) : tcti;
	through_rm = strncmp(tcti, "tabrmd", 6) == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
