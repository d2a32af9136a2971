/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures on demand (see allocfail.h).
 */
#include <stddef.h>

#include "allocfail.h"

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__wrap_malloc(size_t);
void *__wrap_calloc(size_t, size_t);

long alloc_fail_in = -1;

static int
should_fail(void)
{
	if (alloc_fail_in < 0)
		return 0;
	return alloc_fail_in-- == 0;
}

void *
__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return should_fail() ? NULL : __real_calloc(n, m);
}
