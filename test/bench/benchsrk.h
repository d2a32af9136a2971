/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark's own view of the persistent SRK at 0x81000001, so that it
 * can measure the library with and without one on the same simulator.
 */
#ifndef SK_BENCH_SRK_H
#define SK_BENCH_SRK_H

#define BENCH_SRK_HANDLE	0x81000001U

/* 1 if a persistent object lives at 0x81000001, 0 if not, -1 on error. */
int	bench_srk_present(const char *tcti);

/* Remove it (EvictControl with owner auth, assumed empty). 0 or -1. */
int	bench_srk_evict(const char *tcti);

/* Create the TCG standard ECC P-256 SRK and persist it there. 0 or -1. */
int	bench_srk_persist(const char *tcti);

#endif /* SK_BENCH_SRK_H */
