/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c: PCR selections and policy digests. The digests are checked
 * against values computed independently (Python's hashlib over the
 * TPM 2.0 part 3 formulas); integration.pcr checks them against a TPM
 * trial session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

static void
parses(const char *s, uint32_t want)
{
	char err[128];
	uint32_t m = 0xdeadbeef;

	if (policy_parse_pcrs(s, &m, err, sizeof(err)) != 0)
		print_error("\"%s\": %s\n", s, err);
	assert_int_equal(policy_parse_pcrs(s, &m, err, sizeof(err)), 0);
	assert_int_equal(m, want);
}

static void
refuses(const char *s, const char *why)
{
	char err[128] = "";
	uint32_t m = 0xdeadbeef;

	assert_int_equal(policy_parse_pcrs(s, &m, err, sizeof(err)), -1);
	assert_int_equal(m, 0);
	assert_non_null(strstr(err, why));
}

static void
test_parse(void **state)
{
	(void)state;
	parses("7", 1u << 7);
	parses("7,14", 1u << 7 | 1u << 14);
	parses("sha256:7", 1u << 7);
	parses(" sha256:0, 23 ", 1u | 1u << 23);
	parses("none", 0);
	parses("0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
	    POLICY_PCR_ALL);
	refuses("", "expected a PCR number");
	refuses("sha1:7", "only the sha256 PCR bank");
	refuses("sha384:7", "only the sha256 PCR bank");
	refuses("24", "from 0 to 23");
	refuses("99999999999999999999999", "from 0 to 23");
	refuses("-1", "expected a PCR number");
	refuses("7,7", "listed twice");
	refuses("7;8", "separated by commas");
	refuses("7,", "expected a PCR number");
	refuses("7 8", "separated by commas");
	refuses("x", "expected a PCR number");
	refuses("sha256:", "expected a PCR number");
	refuses("none,7", "expected a PCR number");
	assert_int_equal(policy_parse_pcrs(NULL, &(uint32_t){ 0 }, NULL, 0),
	    -1);
}

static void
test_format_and_count(void **state)
{
	char buf[80];

	(void)state;
	assert_int_equal(policy_pcr_count(0), 0);
	assert_int_equal(policy_pcr_count(1u << 7 | 1u << 14), 2);
	assert_int_equal(policy_pcr_count(POLICY_PCR_ALL), 24);
	policy_format_pcrs(1u << 7 | 1u << 14, buf, sizeof(buf));
	assert_string_equal(buf, "7,14");
	policy_format_pcrs(1u, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	policy_format_pcrs(1u << 7 | 1u << 14, buf, 3);
	assert_string_equal(buf, "7");
}

static const uint8_t kat_pcr[32] = {
	0x00, 0x99, 0x2e, 0xec, 0x9c, 0xea, 0xec, 0x3f, 0x3c, 0x6c, 0x87,
	0xcc, 0x4d, 0x61, 0xee, 0xc4, 0x60, 0xb4, 0x1b, 0xf2, 0xcb, 0x33,
	0x2c, 0x1c, 0x80, 0xac, 0x7b, 0x69, 0x92, 0xe1, 0x29, 0xef,
};
static const uint8_t kat_pcr_auth[32] = {
	0x91, 0x4e, 0xe3, 0x95, 0x74, 0xcd, 0x44, 0x53, 0x23, 0x5f, 0x1e,
	0xdd, 0x78, 0x3b, 0x77, 0x7a, 0x8b, 0xce, 0xbf, 0xd4, 0x20, 0x9d,
	0xc8, 0x8b, 0xc0, 0x4e, 0xba, 0x4b, 0x11, 0xec, 0x6d, 0x14,
};

static void
test_digest(void **state)
{
	uint8_t values[64], d[32];
	uint32_t mask = 1u << 7 | 1u << 16;

	(void)state;
	memset(values, 0x11, 32);
	memset(values + 32, 0x22, 32);
	assert_int_equal(policy_digest(mask, values, 64, false, d), 0);
	assert_memory_equal(d, kat_pcr, 32);
	assert_int_equal(policy_digest(mask, values, 64, true, d), 0);
	assert_memory_equal(d, kat_pcr_auth, 32);
	/* The values must match the selection. */
	assert_int_equal(policy_digest(mask, values, 32, false, d), -1);
	assert_int_equal(policy_digest(0, values, 0, false, d), -1);
	assert_int_equal(policy_digest(1u << 24, values, 32, false, d), -1);
}

static void
test_value_usable(void **state)
{
	uint8_t v[32];

	(void)state;
	memset(v, 0, sizeof(v));
	assert_false(policy_value_usable(v));
	memset(v, 0xff, sizeof(v));
	assert_false(policy_value_usable(v));
	v[31] = 0xfe;
	assert_true(policy_value_usable(v));
	memset(v, 0, sizeof(v));
	v[0] = 1;
	assert_true(policy_value_usable(v));
}

/* PCR 16 and 23 are resettable from locality 0: refused; 17-22 belong to
 * a dynamic launch: warned about; the others neither. */
static void
test_resettable(void **state)
{
	char err[256];
	unsigned i;

	(void)state;
	assert_int_equal(policy_pcrs_refused(1u << 16, err, sizeof(err)), -1);
	assert_string_equal(err, "PCR 16 can be reset by any program "
	    "(TPM2_PCR_Reset from locality 0) and set to any value, so a key "
	    "bound to it guards nothing; bind to PCRs the firmware measures, "
	    "e.g. 7");
	assert_int_equal(policy_pcrs_refused(1u << 7 | 1u << 16 | 1u << 23,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PCRs 16,23 can be reset"));
	assert_non_null(strstr(err, "bound to them"));
	assert_int_equal(policy_pcrs_refused(1u << 23, err, sizeof(err)), -1);
	for (i = 0; i < POLICY_PCR_COUNT; i++) {
		if (i == 16 || i == 23)
			continue;
		assert_int_equal(policy_pcrs_refused(1u << i, err,
		    sizeof(err)), 0);
		if (i >= 17 && i <= 22)
			assert_non_null(strstr(policy_pcrs_warning(1u << i),
			    "PCRs 17-22 belong to a dynamic launch"));
		else
			assert_null(policy_pcrs_warning(1u << i));
	}
	assert_non_null(policy_pcrs_warning(1u << 7 | 1u << 18));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format_and_count),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_value_usable),
		cmocka_unit_test(test_resettable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
