/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The storage key a handle carries is the TPM's, or nothing is sent
 * (issue 8, point 1). A key handle and a resident record whose SRK public
 * area was given another point while the SRK name was kept are refused
 * before any command that carries the key or its auth reaches the TPM:
 * the capture of tpm2-tss's pcap TCTI holds the one Load and the one Sign
 * of the genuine signature and nothing else of the tampered attempts.
 * Before the fix, the tampered handle's session was salted to the
 * attacker's point, the TPM refused it, and the library silently loaded
 * the key again under a derived SRK and signed with the PIN's auth.
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

#include "handle.h"
#include "pcapcount.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

#define APP	"ssh:"
#define PIN	"31415926"
#define FLAGS	(SSH_SK_USER_VERIFICATION_REQD | SSH_SK_RESIDENT_KEY)
#define CC_LOAD	0x157
#define CC_SIGN	0x15d

static const char *tcti;
static char pcap_tcti[512], pcap_path[] = "/tmp/sk-tpm-srkbind.XXXXXX";

/*
 * Give the SRK public area inside buf (a handle, or a record holding one)
 * the point (x, y), keeping every length and the SRK name: the last 68
 * bytes of an ECC TPM2B_PUBLIC are x and y with their 2-byte sizes.
 */
static void
replace_srk_point(uint8_t *buf, size_t len, const struct kh *kh,
    const uint8_t point[65])
{
	uint8_t *srk, *x;

	srk = memmem(buf, len, kh->srk_public, kh->srk_public_len);
	assert_non_null(srk);
	x = srk + kh->srk_public_len - 68;
	assert_int_equal(x[0], 0x00);
	assert_int_equal(x[1], 0x20);
	assert_int_equal(x[34], 0x00);
	assert_int_equal(x[35], 0x20);
	memcpy(x + 2, point + 1, 32);
	memcpy(x + 36, point + 33, 32);
}

static size_t
count_cc(const struct pcap_count *c, uint32_t cc)
{
	size_t i;

	for (i = 0; i < c->ncodes; i++)
		if (c->codes[i].cc == cc)
			return c->codes[i].n;
	return 0;
}

static void
test_srk_point_replaced(void **state)
{
	struct sk_enroll_response *e = NULL, *attacker = NULL;
	struct sk_sign_response *s = NULL;
	struct sk_resident_key **rks = NULL;
	struct pcap_count c;
	struct kh *kh = NULL;
	uint8_t challenge[32] = { 7 }, *copy, *rec = NULL;
	size_t n = 99, rec_len = 0;
	char err[256], codes[512];
	const char *out;
	int r;

	(void)state;
	/* The genuine resident PIN key, and a point standing for the
	 * attacker's key (any valid P-256 point will do). */
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge,
	    sizeof(challenge), APP, FLAGS, PIN, NULL, &e), 0);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge,
	    sizeof(challenge), "ssh:attacker", 0, NULL, NULL, &attacker), 0);
	assert_int_equal(kh_decode(e->key_handle, e->key_handle_len, &kh),
	    KH_OK);
	assert_int_equal(tu_nv_read_first(tcti, &rec, &rec_len), 0);

	setenv("SK_TPM_TCTI", pcap_tcti, 1);
	/* One genuine signature: the capture sees its Load and Sign. */
	assert_int_equal(sk_sign(SSH_SK_ECDSA, (const uint8_t *)"m", 1, APP,
	    e->key_handle, e->key_handle_len, FLAGS, PIN, NULL, &s), 0);
	stu_free_sign(s);
	s = NULL;

	/* The key handle with the attacker's point. */
	copy = malloc(e->key_handle_len);
	assert_non_null(copy);
	memcpy(copy, e->key_handle, e->key_handle_len);
	replace_srk_point(copy, e->key_handle_len, kh, attacker->public_key);
	assert_int_equal(stu_capture_start(), 0);
	r = sk_sign(SSH_SK_ECDSA, (const uint8_t *)"m", 1, APP, copy,
	    e->key_handle_len, FLAGS, PIN, NULL, &s);
	out = stu_capture_stop();
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_null(s);
	if (strstr(out, "altered") == NULL)
		fail_msg("expected \"altered\" in \"%s\"", out);
	assert_int_equal(stu_count_lines(out), 1);
	free(copy);

	/* The resident record with the attacker's point: skipped, so that
	 * ssh-keygen -K never writes a key file for it. */
	replace_srk_point(rec, rec_len, kh, attacker->public_key);
	assert_int_equal(tu_nv_clear(tcti), 0);
	assert_int_equal(tu_nv_write(tcti, 0x01a5c5f0u, rec, rec_len), 0);
	assert_int_equal(sk_load_resident_keys(PIN, NULL, &rks, &n), 0);
	assert_int_equal(n, 0);
	stu_free_resident(rks, n);
	setenv("SK_TPM_TCTI", tcti, 1);

	assert_int_equal(pcap_count_file(pcap_path, &c, err, sizeof(err)), 0);
	fprintf(stderr, "# capture: %zu commands: %s\n", c.commands,
	    pcap_count_codes(&c, codes, sizeof(codes)));
	assert_int_equal(count_cc(&c, CC_LOAD), 1);
	assert_int_equal(count_cc(&c, CC_SIGN), 1);
	assert_int_equal(c.failed, 0);

	free(rec);
	kh_free(&kh);
	stu_free_enroll(attacker);
	stu_free_enroll(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srk_point_replaced),
	};
	int fd, r;

	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	if ((fd = mkstemp(pcap_path)) == -1)
		return 1;
	close(fd);
	snprintf(pcap_tcti, sizeof(pcap_tcti), "pcap:%s", tcti);
	setenv("TCTI_PCAP_FILE", pcap_path, 1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (tu_count_leftovers(tcti) != 0 || tu_nv_clear(tcti) != 0)
		r = 1;
	unlink(pcap_path);
	return r;
}
