/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures for the codec tests, injected with the linker's
 * --wrap=malloc and --wrap=calloc (see CMakeLists.txt): the calls made
 * from the test and the code linked into it statically fail once
 * alloc_fail_in reaches zero. libcbor's own allocations are in its shared
 * library and are not affected.
 */
#ifndef TEST_ALLOCFAIL_H
#define TEST_ALLOCFAIL_H

extern long alloc_fail_in;	/* < 0: never fail */

#endif /* TEST_ALLOCFAIL_H */
