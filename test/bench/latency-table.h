/* SPDX-License-Identifier: BSD-2-Clause */
/* The benchmark's table, from the rows latency-log.c prints. */
#ifndef SK_BENCH_LATENCY_TABLE_H
#define SK_BENCH_LATENCY_TABLE_H

/* Print the rows in path as a table and a per-command breakdown. */
int	latency_table(const char *path);

#endif /* SK_BENCH_LATENCY_TABLE_H */
