/*
 * Test vectors written in hex (hexvec.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hexvec.h"

void
unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t i;
	unsigned int v;

	assert_int_equal(strlen(hex), 2 * len);
	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}
