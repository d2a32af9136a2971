/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How sk-tpm shows a credential (contrib/sk-tpm/fingerprint.c): the
 * fingerprint against ssh-keygen's own, user ids, terminal-safe text.
 *
 * The vectors were made once from a P-256 point of `openssl ecparam
 * -genkey`: the public key line
 *   sk-ecdsa-sha2-nistp256@openssh.com base64(string type, string
 *   "nistp256", string point, string application)
 * was written with Python and fingerprinted by OpenSSH 9.2's
 * `ssh-keygen -l -f`. The command-line tests (list.sh) check the same
 * against keys enrolled in a TPM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static const uint8_t point[TPM_EC_POINT_LEN] = {
	0x04, 0x79, 0x92, 0x9e, 0x52, 0xfd, 0x17, 0x75, 0x24, 0x75, 0xe8,
	0x72, 0x70, 0x43, 0xc9, 0xc8, 0x8a, 0xd6, 0x95, 0x59, 0xfd, 0xe4,
	0x80, 0x5f, 0x81, 0x0a, 0x30, 0x24, 0x9e, 0xda, 0x4b, 0x03, 0xab,
	0x37, 0xa1, 0xcb, 0x44, 0xc2, 0x18, 0x1a, 0x67, 0x5f, 0xd6, 0x75,
	0x6d, 0x32, 0x71, 0x09, 0xe1, 0xf6, 0xd0, 0xf2, 0xd6, 0xc3, 0x23,
	0xa7, 0xc5, 0x29, 0xbb, 0xa6, 0xf7, 0xe3, 0xb5, 0x8e, 0x4b,
};

static void
test_fingerprint_vectors(void **state)
{
	char fp[CLI_FP_LEN];

	(void)state;
	assert_int_equal(cli_fingerprint(point, "ssh:", fp), 0);
	assert_string_equal(fp,
	    "SHA256:BzsHskkPF8RW02EpoQylGJcagDztPJKFuo126MxBYoU");
	assert_int_equal(cli_fingerprint(point, "ssh:test", fp), 0);
	assert_string_equal(fp,
	    "SHA256:P3IBKVlD0ZksqaYjhub5G9kfqgmJb5HF63MFiWNMnNM");
	/* 43 characters, no padding. */
	assert_int_equal(strlen(fp), CLI_FP_LEN - 1);
}

static void
test_user_text(void **state)
{
	static const uint8_t alice[] = "alice";
	static const uint8_t padded[32] = { 'b', 'o', 'b' };
	static const uint8_t binary[] = { 0x00, 0xff, 0x41 };
	static const uint8_t zeros[32] = { 0 };
	char out[CLI_USER_LEN];

	(void)state;
	cli_user_text(alice, 5, out, sizeof(out));
	assert_string_equal(out, "alice");
	/* FIDO-style zero padding is not part of the name. */
	cli_user_text(padded, sizeof(padded), out, sizeof(out));
	assert_string_equal(out, "bob");
	cli_user_text(binary, sizeof(binary), out, sizeof(out));
	assert_string_equal(out, "hex:00ff41");
	cli_user_text(zeros, sizeof(zeros), out, sizeof(out));
	assert_string_equal(out, "-");
	cli_user_text(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "-");
	/* Truncation stays within the buffer. */
	cli_user_text(binary, sizeof(binary), out, 7);
	assert_string_equal(out, "hex:00");
}

static void
test_user_matches(void **state)
{
	static const uint8_t alice[] = "alice";
	static const uint8_t padded[32] = { 'b', 'o', 'b' };
	static const uint8_t binary[] = { 0x00, 0xff, 0x41 };

	(void)state;
	assert_true(cli_user_matches(alice, 5, "alice"));
	assert_false(cli_user_matches(alice, 5, "alic"));
	assert_false(cli_user_matches(alice, 5, "alice2"));
	assert_false(cli_user_matches(alice, 5, ""));
	assert_true(cli_user_matches(padded, sizeof(padded), "bob"));
	/* What list shows works as --user. */
	assert_true(cli_user_matches(binary, sizeof(binary), "hex:00ff41"));
	assert_false(cli_user_matches(binary, sizeof(binary), "hex:00ff"));
	/* An empty id is --user ''; "-" only shows it. */
	assert_true(cli_user_matches(NULL, 0, ""));
	assert_false(cli_user_matches(NULL, 0, "-"));
}

static void
test_safe_text(void **state)
{
	char out[64];

	(void)state;
	cli_safe_text("ssh:work", out, sizeof(out));
	assert_string_equal(out, "ssh:work");
	cli_safe_text("ssh:\x1b[2Jx\\y\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "ssh:\\x1b[2Jx\\x5cy\\xc3\\xa9");
	/* Never a partial escape at the end. */
	cli_safe_text("ab\x01", out, 5);
	assert_string_equal(out, "ab");
	cli_safe_text("abcdef", out, 4);
	assert_string_equal(out, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_vectors),
		cmocka_unit_test(test_user_text),
		cmocka_unit_test(test_user_matches),
		cmocka_unit_test(test_safe_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
