/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PIN to auth value, against the formula in pin.h computed outside this
 * code base. The expected values were computed once with Python's hashlib:
 *
 *   def auth(app, pin):
 *       return hashlib.sha256(b"sk-tpm auth v1\x00" +
 *           struct.pack('>I', len(app)) + app +
 *           struct.pack('>I', len(pin)) + pin).hexdigest()
 *
 * and the first one cross-checked with openssl(1) alone:
 *
 *   { printf 'sk-tpm auth v1\0'; printf '\0\0\0\4ssh:';
 *     printf '\0\0\0\006123456'; } | openssl dgst -sha256 -r
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "pin.h"
#include "hexvec.h"

static void
check(const char *application, const char *pin, const char *hex)
{
	uint8_t got[PIN_AUTH_LEN], want[PIN_AUTH_LEN];

	unhex(hex, want, sizeof(want));
	log_reset();
	assert_int_equal(pin_derive_auth(application, pin, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	assert_null(log_last_error());
}

static void
test_vector(void **state)
{
	(void)state;
	check("ssh:", "123456",
	    "ff20e83e9eda63e04356891f1f6dd668eb672b28f55c771461d4f2a24ce42e4f");
}

/* No PIN is the formula with an empty PIN: length 0, no bytes. */
static void
test_no_pin(void **state)
{
	(void)state;
	check("ssh:", NULL,
	    "50feac86388d58ee9f1887228deabc7a6472e3ab5cf19174a30fda1dd2fe0da4");
	check("ssh:", "",
	    "50feac86388d58ee9f1887228deabc7a6472e3ab5cf19174a30fda1dd2fe0da4");
}

static void
test_application_matters(void **state)
{
	uint8_t a[PIN_AUTH_LEN], b[PIN_AUTH_LEN];

	(void)state;
	assert_int_equal(pin_derive_auth("ssh:", "123456", a), 0);
	assert_int_equal(pin_derive_auth("ssh:other", "123456", b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(pin_derive_auth("ssh:", NULL, a), 0);
	assert_int_equal(pin_derive_auth("ssh:other", NULL, b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	/* The length prefixes keep the boundary between application and
	 * PIN: "ssh:1" + "23456" is not "ssh:" + "123456". */
	assert_int_equal(pin_derive_auth("ssh:", "123456", a), 0);
	assert_int_equal(pin_derive_auth("ssh:1", "23456", b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_long_pins(void **state)
{
	char pin[PIN_MAX_LEN + 2];
	uint8_t auth[PIN_AUTH_LEN];

	(void)state;
	memset(pin, 'a', 1000);
	pin[1000] = '\0';
	check("ssh:", pin,
	    "3ece735246bef2cf38f54df6adffdc84d11a2f3d7b51ea374ca48ab2f7907037");
	/* Exactly PIN_MAX_LEN is still fine. */
	memset(pin, '7', PIN_MAX_LEN);
	pin[PIN_MAX_LEN] = '\0';
	check("ssh:", pin,
	    "0cbd8b8d14e2faac2494a663d0393273b1d258d80332e92b3b6f4fdd89a5475f");
	/* One more is refused, not truncated, with an error line. */
	memset(pin, '7', PIN_MAX_LEN + 1);
	pin[PIN_MAX_LEN + 1] = '\0';
	log_reset();
	assert_int_equal(pin_derive_auth("ssh:", pin, auth), -1);
	assert_non_null(log_last_error());
	log_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_no_pin),
		cmocka_unit_test(test_application_matters),
		cmocka_unit_test(test_long_pins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
