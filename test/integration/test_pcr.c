/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCR-bound keys (issue 12), certified through their policy's Certify
 * branch (issue 19), against swtpm: the provider's real entry
 * points, the simulator's own PCRs (8 and 14, extended from locality 0
 * after a power cycle of the simulator, as an operating system measures
 * into them; PCR 7 as firmware would) and test-side TPM calls that
 * do not use the library. After each test nothing may stay loaded.
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
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest-codec.h"
#include "attest-parse.h"
#include "handle.h"
#include "key-policy.h"
#include "message.h"
#include "pin.h"
#include "policy.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-pcr-util.h"
#include "tpm-policy-util.h"
#include "tpm-util.h"

#define APP		"ssh:"
#define PIN		"424242"
#define WRONG_PIN	"000000"
#define RC_AUTH_UNAVAILABLE	0x12f
#define RC_POLICY_CC		0x0a4	/* format 1, without the session */
#define RC_FMT1_MASK		0x0bf

static const char *tcti;
static const uint8_t data[] = "session id and request";

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	setenv("SK_TPM_CONFIG", "/dev/null", 1);
	unsetenv("SK_TPM_PCRS");
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("SSH_ASKPASS");
	unsetenv("SK_TPM_DEBUG");
	if (tu_reboot() != 0 || tu_pcr_extend(tcti, 8, 0xa1) ||
	    tu_pcr_extend(tcti, 14, 0xb2))
		return -1;
	return tu_da_reset(tcti);
}

static int
teardown(void **state)
{
	(void)state;
	if (tu_count_leftovers(tcti) != 0) {
		fprintf(stderr, "TPM handles left behind: %d\n",
		    tu_count_leftovers(tcti));
		return -1;
	}
	return tu_da_reset(tcti);
}

/* Enroll with SK_TPM_PCRS=pcrs; the enrollment's stderr in *msg. */
static struct sk_enroll_response *
enroll_bound(const char *pcrs, uint8_t flags, const char *pin,
    const char **msg)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 1 };
	const char *err;

	if (pcrs != NULL)
		setenv("SK_TPM_PCRS", pcrs, 1);
	assert_int_equal(stu_capture_start(), 0);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APP, flags, pin, NULL, &e), 0);
	err = stu_capture_stop();
	if (msg != NULL)
		*msg = err;
	unsetenv("SK_TPM_PCRS");
	assert_non_null(e);
	return e;
}

static struct kh *
decode(const struct sk_enroll_response *e)
{
	struct kh *kh = NULL;

	assert_int_equal(kh_decode(e->key_handle, e->key_handle_len, &kh),
	    KH_OK);
	return kh;
}

/* sk_sign; its stderr in *msg when msg is not NULL. */
static int
sign(const struct sk_enroll_response *e, uint8_t flags, const char *pin,
    const char **msg)
{
	struct sk_sign_response *s = NULL;
	const char *err;
	int r;

	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APP, e->key_handle,
	    e->key_handle_len, flags, pin, NULL, &s);
	err = stu_capture_stop();
	if (msg != NULL)
		*msg = err;
	if (r == 0) {
		assert_int_equal(stu_verify(e->public_key, e->public_key_len,
		    s, APP, data, sizeof(data)), 1);
		stu_free_sign(s);
	} else
		assert_null(s);
	return r;
}

/* The key's authPolicy, from the handle's public area. */
static void
auth_policy(const struct kh *kh, uint8_t out[32])
{
	TPM2B_PUBLIC pub;
	size_t off = 0;

	memset(&pub, 0, sizeof(pub));
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Unmarshal(kh->tpm_public,
	    kh->tpm_public_len, &off, &pub), 0);
	assert_int_equal(pub.publicArea.authPolicy.size, 32);
	assert_int_equal(pub.publicArea.objectAttributes &
	    (TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_ADMINWITHPOLICY),
	    TPMA_OBJECT_ADMINWITHPOLICY);
	memcpy(out, pub.publicArea.authPolicy.buffer, 32);
}

/* A version 3 key's policy (key-policy.h): ours, the TPM's trial sessions
 * and the key agree: PolicyOR(PCR branch, Certify branch). */
static void
check_policy(const struct kh *kh, bool auth_value)
{
	struct key_policy p;
	uint8_t trial[32], certify[32], both[32], in_key[32];

	assert_int_equal(kh->version, KH_VERSION_CERTIFY);
	assert_int_equal(key_policy_of(kh, &p), 0);
	assert_true(p.present && p.policy_only);
	assert_int_equal(p.n, 2);
	assert_int_equal(tu_policy_trial(tcti, kh->pcr_mask, auth_value,
	    trial), 0);
	assert_memory_equal(p.branch[p.pcr_branch], trial, 32);
	assert_int_equal(tu_trial_certify_branch(tcti, certify), 0);
	assert_memory_equal(p.branch[p.certify_branch], certify, 32);
	assert_int_equal(tu_trial_or(tcti, trial, certify, both), 0);
	assert_memory_equal(p.digest, both, 32);
	auth_policy(kh, in_key);
	assert_memory_equal(in_key, both, 32);
}

static void
test_bound_key(void **state)
{
	struct sk_enroll_response *e;
	struct kh *kh;
	const char *msg;

	(void)state;
	e = enroll_bound("8", 0, NULL, &msg);
	assert_non_null(strstr(msg, "sk-tpm: the key is bound to PCR 8 "
	    "(sha256)"));
	assert_int_equal(stu_count_lines(msg), 1);
	kh = decode(e);
	assert_int_equal(kh->pcr_mask, 1u << 8);
	assert_int_equal(kh->policy, 0);
	/* Our digests, the TPM's trial sessions and the key agree. */
	check_policy(kh, false);

	assert_int_equal(sign(e, 0, NULL, &msg), 0);
	assert_string_equal(msg, "");

	/* The platform changes: refused with the message, no DA count. */
	assert_int_equal(tu_pcr_extend(tcti, 8, 0x01), 0);
	assert_int_equal(sign(e, 0, NULL, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "sk-tpm: the platform state changed: "
	    "PCR 8 (sha256) is "));
	assert_non_null(strstr(msg, "this key was enrolled with "));
	assert_non_null(strstr(msg, "after an intended firmware or Secure "
	    "Boot update, enroll a new key"));
	assert_int_equal(stu_count_lines(msg), 1);
	assert_int_equal(tu_da_counter(tcti), 0);

	/* The same measurements again: it signs. */
	assert_int_equal(tu_reboot(), 0);
	assert_int_equal(tu_pcr_extend(tcti, 8, 0xa1), 0);
	assert_int_equal(tu_pcr_extend(tcti, 14, 0xb2), 0);
	assert_int_equal(sign(e, 0, NULL, NULL), 0);
	kh_free(&kh);
	stu_free_enroll(e);
}

static void
test_pin_and_pcrs(void **state)
{
	const uint8_t uv = SSH_SK_USER_VERIFICATION_REQD;
	struct sk_enroll_response *e;
	struct kh *kh;
	const char *msg;

	(void)state;
	e = enroll_bound("sha256:8, 14", uv, PIN, &msg);
	assert_non_null(strstr(msg, "bound to PCRs 8,14 (sha256)"));
	kh = decode(e);
	assert_int_equal(kh->pcr_mask, 1u << 8 | 1u << 14);
	assert_int_equal(kh->policy, KH_POLICY_AUTH_VALUE);
	check_policy(kh, true);

	assert_int_equal(sign(e, uv, PIN, NULL), 0);
	/* A wrong PIN still counts against the lockout. */
	assert_int_equal(sign(e, uv, WRONG_PIN, &msg),
	    SSH_SK_ERR_PIN_REQUIRED);
	assert_non_null(strstr(msg, "wrong PIN"));
	assert_int_equal(tu_da_counter(tcti), 1);

	/* The right PIN on a changed platform: refused, not counted. */
	assert_int_equal(tu_pcr_extend(tcti, 14, 0x02), 0);
	assert_int_equal(sign(e, uv, PIN, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "PCR 14 (sha256) is "));
	assert_null(strstr(msg, "PIN"));
	/* Nor is a wrong one: the PIN is never tried. */
	assert_int_equal(sign(e, uv, WRONG_PIN, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "the platform state changed"));
	assert_int_equal(tu_da_counter(tcti), 1);
	kh_free(&kh);
	stu_free_enroll(e);
}

/* With userWithAuth clear, the key's auth value alone is worth nothing:
 * neither an HMAC nor a password session can use it. */
static void
test_user_with_auth_closed(void **state)
{
	struct sk_enroll_response *e;
	struct kh *kh;
	uint8_t auth[32];
	uint32_t rc;

	(void)state;
	e = enroll_bound("8", 0, NULL, NULL);
	kh = decode(e);
	assert_int_equal(pin_derive_auth(APP, NULL, auth), 0);
	rc = tu_sign_with_auth(tcti, kh->tpm_public, kh->tpm_public_len,
	    kh->tpm_private, kh->tpm_private_len, auth, true);
	assert_int_equal(rc & 0xfff, RC_AUTH_UNAVAILABLE);
	rc = tu_sign_with_auth(tcti, kh->tpm_public, kh->tpm_public_len,
	    kh->tpm_private, kh->tpm_private_len, auth, false);
	assert_int_equal(rc & 0xfff, RC_AUTH_UNAVAILABLE);
	/* The same call does sign with an unbound key: the test can tell. */
	stu_free_enroll(e);
	kh_free(&kh);
	e = enroll_bound("none", 0, NULL, NULL);
	kh = decode(e);
	assert_int_equal(kh->version, KH_VERSION_CERTIFY);
	assert_int_equal(kh->pcr_mask, 0);
	rc = tu_sign_with_auth(tcti, kh->tpm_public, kh->tpm_public_len,
	    kh->tpm_private, kh->tpm_private_len, auth, true);
	assert_int_equal(rc, 0);
	kh_free(&kh);
	stu_free_enroll(e);
}

/* The enrollment's attestation certifies this key (issue 19): a
 * statement whose certInfo is a TPM2_Certify naming the key. */
static void
check_certified(const struct sk_enroll_response *e, const struct kh *kh)
{
	struct att_stmt st;
	struct att_certify c;
	uint8_t name[34];

	assert_true(e->signature_len > 0 && e->authdata_len > 0);
	assert_int_equal(att_stmt_decode(e->signature, e->signature_len, &st),
	    KH_OK);
	assert_int_equal(st.pub_area_len, kh->tpm_public_len - 2);
	assert_memory_equal(st.pub_area, kh->tpm_public + 2, st.pub_area_len);
	assert_int_equal(att_certify_parse(st.cert_info, st.cert_info_len,
	    &c), 0);
	assert_int_equal(c.type, 0x8017);	/* TPM_ST_ATTEST_CERTIFY */
	name[0] = 0x00;
	name[1] = 0x0b;
	assert_int_equal(sha256(st.pub_area, st.pub_area_len, name + 2), 0);
	assert_int_equal(c.name_len, sizeof(name));
	assert_memory_equal(c.name, name, sizeof(name));
}

/* A version 3 key's Certify branch: a PCR-bound key is certified at
 * enrollment, and a session that took the Certify branch can run
 * TPM2_Certify (no PIN, whatever the PCRs hold) but the TPM refuses it for
 * TPM2_Sign; the same for a key without a binding, whose authPolicy is
 * that branch alone. No dictionary-attack try is counted. */
static void
test_certify_branch(void **state)
{
	const uint8_t uv = SSH_SK_USER_VERIFICATION_REQD;
	struct sk_enroll_response *e;
	struct key_policy p;
	struct kh *kh;
	uint32_t rc;

	(void)state;
	e = enroll_bound("8", uv, PIN, NULL);
	kh = decode(e);
	check_certified(e, kh);
	assert_int_equal(key_policy_of(kh, &p), 0);
	rc = tu_certify_branch_use(tcti, kh->tpm_public, kh->tpm_public_len,
	    kh->tpm_private, kh->tpm_private_len, p.branch[p.pcr_branch],
	    true);
	print_message("Sign in the Certify branch: TPM rc 0x%x\n", rc);
	assert_int_equal(rc & RC_FMT1_MASK, RC_POLICY_CC);
	assert_int_equal(tu_certify_branch_use(tcti, kh->tpm_public,
	    kh->tpm_public_len, kh->tpm_private, kh->tpm_private_len,
	    p.branch[p.pcr_branch], false), 0);
	/* The platform changed: signing is refused, the branch still
	 * certifies. */
	assert_int_equal(tu_pcr_extend(tcti, 8, 0x03), 0);
	assert_int_equal(sign(e, uv, PIN, NULL), SSH_SK_ERR_GENERAL);
	assert_int_equal(tu_certify_branch_use(tcti, kh->tpm_public,
	    kh->tpm_public_len, kh->tpm_private, kh->tpm_private_len,
	    p.branch[p.pcr_branch], false), 0);
	assert_int_equal(tu_da_counter(tcti), 0);
	kh_free(&kh);
	stu_free_enroll(e);

	e = enroll_bound("none", uv, PIN, NULL);
	kh = decode(e);
	assert_int_equal(kh->pcr_mask, 0);
	check_certified(e, kh);
	rc = tu_certify_branch_use(tcti, kh->tpm_public, kh->tpm_public_len,
	    kh->tpm_private, kh->tpm_private_len, NULL, true);
	assert_int_equal(rc & RC_FMT1_MASK, RC_POLICY_CC);
	assert_int_equal(tu_certify_branch_use(tcti, kh->tpm_public,
	    kh->tpm_public_len, kh->tpm_private, kh->tpm_private_len, NULL,
	    false), 0);
	assert_int_equal(sign(e, uv, PIN, NULL), 0);
	assert_int_equal(tu_da_counter(tcti), 0);
	kh_free(&kh);
	stu_free_enroll(e);
}

static void
test_lockout_pcr_only_signs(void **state)
{
	const uint8_t uv = SSH_SK_USER_VERIFICATION_REQD;
	struct sk_enroll_response *pinned, *bound;
	int i;

	(void)state;
	pinned = enroll_bound(NULL, uv, PIN, NULL);
	bound = enroll_bound("14", 0, NULL, NULL);
	for (i = 0; i < 4; i++)
		assert_int_equal(sign(pinned, uv, WRONG_PIN, NULL),
		    SSH_SK_ERR_PIN_REQUIRED);
	assert_int_equal(sign(pinned, uv, PIN, NULL), SSH_SK_ERR_GENERAL);
	/* Locked out, but a PCR-only key has no PIN to guard. */
	assert_int_equal(sign(bound, 0, NULL, NULL), 0);
	stu_free_enroll(pinned);
	stu_free_enroll(bound);
}

/* PCR 7 cannot be reset: extend it as firmware would, change it, then
 * power-cycle and replay the same measurements. */
static void
test_pcr7_reboot(void **state)
{
	struct sk_enroll_response *e;
	uint8_t challenge[32] = { 1 };
	const char *msg;
	int r;

	(void)state;
	assert_int_equal(tu_reboot(), 0);
	/* Nothing measured yet: all zeros, refused at enrollment. */
	setenv("SK_TPM_PCRS", "7", 1);
	e = NULL;
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e);
	msg = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_null(e);
	assert_non_null(strstr(msg, "PCR 7 (sha256) is all zeros"));

	assert_int_equal(tu_pcr_extend(tcti, 7, 0x77), 0);
	e = enroll_bound("7", 0, NULL, NULL);
	assert_int_equal(sign(e, 0, NULL, NULL), 0);
	assert_int_equal(tu_pcr_extend(tcti, 7, 0x66), 0);
	assert_int_equal(sign(e, 0, NULL, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "PCR 7 (sha256) is "));
	assert_int_equal(tu_da_counter(tcti), 0);
	assert_int_equal(tu_reboot(), 0);
	assert_int_equal(tu_pcr_extend(tcti, 7, 0x77), 0);
	assert_int_equal(sign(e, 0, NULL, NULL), 0);
	stu_free_enroll(e);
}

/* PCR 16 and 23 can be reset by any program from locality 0 and then
 * extended to any value: refused even when measured, before anything is
 * made; the same selection was enrolled before. */
static void
test_resettable_refused(void **state)
{
	static const char *const lists[] = { "16", "23", "sha256:7, 23" };
	struct sk_enroll_response *e;
	uint8_t challenge[32] = { 1 };
	const char *msg;
	size_t i;
	int r;

	(void)state;
	assert_int_equal(tu_pcr_extend(tcti, 16, 0xa1), 0);
	assert_int_equal(tu_pcr_extend(tcti, 23, 0xb2), 0);
	assert_int_equal(tu_pcr_extend(tcti, 7, 0x77), 0);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		setenv("SK_TPM_PCRS", lists[i], 1);
		e = NULL;
		assert_int_equal(stu_capture_start(), 0);
		r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP,
		    0, NULL, NULL, &e);
		msg = stu_capture_stop();
		assert_int_equal(r, SSH_SK_ERR_GENERAL);
		assert_null(e);
		assert_int_equal(stu_count_lines(msg), 1);
		assert_non_null(strstr(msg, "can be reset by any program "
		    "(TPM2_PCR_Reset from locality 0) and set to any value"));
		assert_non_null(strstr(msg, i == 0 ? "PCR 16 " : "PCR 23 "));
	}
	unsetenv("SK_TPM_PCRS");
	assert_int_equal(tu_pcr_reset(tcti, 16), 0);
	assert_int_equal(tu_pcr_reset(tcti, 23), 0);
}

/* PCR 17 after a dynamic launch (extended from locality 3, as a measured
 * launch does): bound with a warning in the enrollment's line; the key
 * signs until the next boot, which leaves PCR 17 all ones again. */
static void
test_drtm_warned(void **state)
{
	struct sk_enroll_response *e;
	const char *msg;

	(void)state;
	assert_int_equal(tu_pcr_extend_at(tcti, 17, 0x17, 3), 0);
	e = enroll_bound("8,17", 0, NULL, &msg);
	assert_int_equal(stu_count_lines(msg), 1);
	assert_non_null(strstr(msg, "sk-tpm: the key is bound to PCRs 8,17 "
	    "(sha256)"));
	assert_non_null(strstr(msg, "; warning: PCRs 17-22 belong to a "
	    "dynamic launch (DRTM: Intel TXT, AMD SKINIT): each launch "
	    "resets them and measures what it starts, so the key works only "
	    "after the same launch"));
	assert_int_equal(sign(e, 0, NULL, NULL), 0);
	assert_int_equal(tu_reboot(), 0);
	assert_int_equal(tu_pcr_extend(tcti, 8, 0xa1), 0);
	assert_int_equal(sign(e, 0, NULL, &msg), SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "PCR 17 (sha256) is "));
	stu_free_enroll(e);
}

static void
test_selection_sources(void **state)
{
	struct sk_enroll_response *e;
	uint8_t challenge[32] = { 1 };
	char path[] = "/tmp/sk-tpm-pcr-config.XXXXXX";
	struct kh *kh;
	const char *msg;
	FILE *f;
	int fd, r;

	(void)state;
	/* Bad lists and banks: one clear line, nothing made. */
	setenv("SK_TPM_PCRS", "sha1:7", 1);
	e = NULL;
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e);
	msg = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "only the sha256 PCR bank"));
	assert_int_equal(stu_count_lines(msg), 1);
	setenv("SK_TPM_PCRS", "7,24", 1);
	assert_int_equal(stu_capture_start(), 0);
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e);
	msg = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_non_null(strstr(msg, "SK_TPM_PCRS=7,24 is not understood"));
	unsetenv("SK_TPM_PCRS");

	/* A default in the config file; the environment wins. */
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "# sk-tpm defaults\n\npcrs = 8\n");
	fclose(f);
	setenv("SK_TPM_CONFIG", path, 1);
	e = enroll_bound(NULL, 0, NULL, NULL);
	kh = decode(e);
	assert_int_equal(kh->pcr_mask, 1u << 8);
	kh_free(&kh);
	stu_free_enroll(e);
	e = enroll_bound("none", 0, NULL, &msg);
	assert_string_equal(msg, "");
	kh = decode(e);
	assert_int_equal(kh->version, KH_VERSION_CERTIFY);
	assert_int_equal(kh->pcr_mask, 0);
	assert_int_equal(sign(e, 0, NULL, NULL), 0);
	kh_free(&kh);
	stu_free_enroll(e);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bound_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pin_and_pcrs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_user_with_auth_closed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_certify_branch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lockout_pcr_only_signs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcr7_reboot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resettable_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drtm_warned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_selection_sources, setup,
		    teardown),
	};

	setenv("TSS2_LOG", "all+NONE", 1);
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
