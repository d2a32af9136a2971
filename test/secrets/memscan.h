/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memory scan of test_secrets: every readable mapping of this process
 * (heap, stack, anonymous maps, libraries' data) read through
 * /proc/self/mem and searched for secrets (secret.h), whole and their first
 * PREFIX_LEN bytes, each hit reported with the bytes around it. The scanner
 * proves it can see: self_check plants copies in the heap and on the stack
 * and must find each.
 */
#ifndef TEST_MEMSCAN_H
#define TEST_MEMSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "secret.h"

/* The owner case: hits inside an environment string are counted in
 * environ_hits instead (the password is there because the user put it
 * there). */
extern bool scan_skip_environ;
extern size_t environ_hits;

/* The scanner's read buffer, mapped once before any scan: 0, or -1. */
int scan_init(void);

/* Scan for the secrets (at most 8) and their prefixes; the hits, each
 * reported, and a summary line naming when. */
size_t scan_memory(const char *when, const struct secret *const *secrets,
    size_t nsecrets);

/* Nothing found before any call; a copy of each secret planted in the heap
 * and of the first on the stack is found exactly once (whole and prefix),
 * and no more once wiped. Failures go to fail(). */
void self_check(const struct secret *const *all, size_t nall);

#endif /* TEST_MEMSCAN_H */
