/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TPM-FAIL firmware table of `sk-tpm doctor` (tpm_fw_weak_ecdsa) and
 * the decoding of character properties (tpm_info_chars, tpm_info_vendor).
 * Pure functions: no TPM.
 *
 * Sources of the versions: Intel INTEL-SA-00241 (CVE-2019-11090; CSME
 * fixed in 11.8.70, 11.11.70, 11.22.70, 12.0.45) and ST's TPM-FAIL
 * advisory (CVE-2019-16863; ST33 firmware list in tpm-info.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tpm-info.h"

#define INTC	TPM_MANUFACTURER_INTEL
#define STM	TPM_MANUFACTURER_STM

/* FW1 = major << 16 | minor, FW2 = build << 16 | patch */
#define FW1(major, minor)	((uint32_t)(major) << 16 | (minor))
#define FW2(build, patch)	((uint32_t)(build) << 16 | (patch))

static enum tpm_fw_verdict
intel(unsigned major, unsigned minor, unsigned build)
{
	return tpm_fw_weak_ecdsa(INTC, FW1(major, minor), FW2(build, 1),
	    NULL);
}

static enum tpm_fw_verdict
st(unsigned major, unsigned minor)
{
	return tpm_fw_weak_ecdsa(STM, FW1(major, minor), 0, NULL);
}

/* The example from the doctor's documentation: 11.8.50.3399. */
static void
test_intel_example(void **state)
{
	const char *adv = NULL;

	(void)state;
	assert_int_equal(tpm_fw_weak_ecdsa(INTC, 0x000b0008, 0x00320d47,
	    &adv), TPM_FW_MAYBE_WEAK);
	assert_non_null(adv);
	assert_non_null(strstr(adv, "INTEL-SA-00241"));
	assert_non_null(strstr(adv, "CVE-2019-11090"));
}

static void
test_intel_fixed_lines(void **state)
{
	(void)state;
	/* One build before each fix, the fix, and one after. */
	assert_int_equal(intel(11, 8, 69), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 8, 70), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(11, 8, 92), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(11, 11, 69), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 11, 70), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(11, 22, 65), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 22, 70), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(12, 0, 44), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(12, 0, 45), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(12, 0, 90), TPM_FW_NOT_KNOWN_WEAK);
}

static void
test_intel_lines_without_fix(void **state)
{
	(void)state;
	/* Older lines of 11.x had no fix of their own: still affected,
	 * whatever the build number. */
	assert_int_equal(intel(11, 0, 999), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 7, 100), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 10, 100), TPM_FW_MAYBE_WEAK);
	assert_int_equal(intel(11, 20, 100), TPM_FW_MAYBE_WEAK);
}

static void
test_intel_unaffected(void **state)
{
	(void)state;
	/* Newer than every fixed line, or outside 11.x/12.0. */
	assert_int_equal(intel(11, 23, 1), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(12, 1, 1), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(13, 0, 1), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(15, 0, 1), TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(intel(10, 0, 1), TPM_FW_NOT_KNOWN_WEAK);
}

static void
test_st_affected(void **state)
{
	static const unsigned v[][2] = {
		{ 71, 0 }, { 71, 4 }, { 71, 12 }, { 73, 0 }, { 73, 4 },
		{ 73, 8 }, { 73, 5 }, { 73, 9 }, { 74, 0 }, { 74, 4 },
		{ 74, 8 }, { 74, 16 }, { 74, 5 }, { 74, 9 },
	};
	const char *adv;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		adv = NULL;
		assert_int_equal(tpm_fw_weak_ecdsa(STM, FW1(v[i][0], v[i][1]),
		    0, &adv), TPM_FW_WEAK);
		assert_non_null(adv);
		assert_non_null(strstr(adv, "CVE-2019-16863"));
	}
}

static void
test_st_fixed(void **state)
{
	static const unsigned v[][2] = {
		{ 71, 16 }, { 73, 20 }, { 73, 21 }, { 73, 64 }, { 73, 65 },
		{ 74, 20 }, { 74, 21 }, { 74, 64 }, { 74, 65 },
		/* not in the advisory at all */
		{ 1, 0 }, { 71, 1 }, { 75, 0 },
	};
	const char *adv;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		adv = "unchanged";
		assert_int_equal(tpm_fw_weak_ecdsa(STM, FW1(v[i][0], v[i][1]),
		    0, &adv), TPM_FW_NOT_KNOWN_WEAK);
		assert_null(adv);
	}
	/* FW2 does not matter for ST. */
	assert_int_equal(tpm_fw_weak_ecdsa(STM, FW1(73, 4), 0xffffffff, NULL),
	    TPM_FW_WEAK);
	assert_int_equal(st(73, 20), TPM_FW_NOT_KNOWN_WEAK);
}

static void
test_other_manufacturers(void **state)
{
	const char *adv = "unchanged";

	(void)state;
	/* The same numbers from another vendor mean nothing. */
	assert_int_equal(tpm_fw_weak_ecdsa(TPM_MANUFACTURER_IBM, FW1(73, 4),
	    0, &adv), TPM_FW_NOT_KNOWN_WEAK);
	assert_null(adv);
	assert_int_equal(tpm_fw_weak_ecdsa(0x49465800 /* "IFX" */,
	    FW1(11, 8), FW2(50, 3399), NULL), TPM_FW_NOT_KNOWN_WEAK);
	/* ST's numbers under Intel's name, and the reverse. */
	assert_int_equal(tpm_fw_weak_ecdsa(INTC, FW1(73, 4), 0, NULL),
	    TPM_FW_NOT_KNOWN_WEAK);
	assert_int_equal(tpm_fw_weak_ecdsa(STM, FW1(11, 8), FW2(50, 1),
	    NULL), TPM_FW_NOT_KNOWN_WEAK);
	/* "STM" without the trailing space is not ST's registered ID. */
	assert_int_equal(tpm_fw_weak_ecdsa(0x53544d00, FW1(73, 4), 0, NULL),
	    TPM_FW_NOT_KNOWN_WEAK);
}

static void
test_chars(void **state)
{
	char out[5];

	(void)state;
	tpm_info_chars(0x49424d00, out);	/* swtpm */
	assert_string_equal(out, "IBM");
	tpm_info_chars(TPM_MANUFACTURER_STM, out);
	assert_string_equal(out, "STM");
	tpm_info_chars(TPM_MANUFACTURER_INTEL, out);
	assert_string_equal(out, "INTC");
	tpm_info_chars(0x322e3000, out);	/* TPM2_PT_FAMILY_INDICATOR */
	assert_string_equal(out, "2.0");
	tpm_info_chars(0x41011b42, out);
	assert_string_equal(out, "A??B");
	tpm_info_chars(0, out);
	assert_string_equal(out, "");
}

static void
test_vendor(void **state)
{
	struct tpm_info info;
	char out[17];

	(void)state;
	memset(&info, 0, sizeof(info));
	info.vendor[0] = 0x53572020;	/* swtpm: "SW  " " TPM" */
	info.vendor[1] = 0x2054504d;
	tpm_info_vendor(&info, out);
	assert_string_equal(out, "SW   TPM");
	info.vendor[0] = 0x20202041;	/* leading and trailing blanks */
	info.vendor[1] = 0x42434420;
	info.vendor[2] = 0x45464748;
	info.vendor[3] = 0x49200000;
	tpm_info_vendor(&info, out);
	assert_string_equal(out, "ABCD EFGHI");
	memset(&info, 0, sizeof(info));
	tpm_info_vendor(&info, out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_example),
		cmocka_unit_test(test_intel_fixed_lines),
		cmocka_unit_test(test_intel_lines_without_fix),
		cmocka_unit_test(test_intel_unaffected),
		cmocka_unit_test(test_st_affected),
		cmocka_unit_test(test_st_fixed),
		cmocka_unit_test(test_other_manufacturers),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_vendor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
