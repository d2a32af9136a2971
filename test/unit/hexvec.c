/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test vectors written in hex (hexvec.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"
#include "hexvec.h"

void
unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t n = 0;

	assert_int_equal(strlen(hex), 2 * len);
	assert_int_equal(hex_decode(hex, out, len, &n), 0);
	assert_int_equal(n, len);
}
