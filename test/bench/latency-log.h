/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading what tcti-latency.c appended to SK_LATENCY_LOG: the commands of
 * one operation (the lines after a mark) summed up by the latency model,
 * and printed as one tab-separated row that latency-table.c turns into the
 * benchmark's table.
 */
#ifndef SK_BENCH_LATENCY_LOG_H
#define SK_BENCH_LATENCY_LOG_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define LATENCY_MAX_NAMES	48
#define LATENCY_SEQ_LEN		2048

struct latency_name {
	char		name[40];
	unsigned	unit;		/* ms of one such command */
	size_t		n;
	unsigned long	ms;		/* of all n */
	int		modelled;
};

struct latency_sum {
	size_t		commands;
	unsigned long	ms;
	size_t		unmodelled;	/* not in the model */
	size_t		failed;		/* answered with an error */
	size_t		nnames;
	/* In the order first seen. */
	struct latency_name names[LATENCY_MAX_NAMES];
	/* "ReadClock 3, Sign 63, ...": the commands in order. */
	char		seq[LATENCY_SEQ_LEN];
};

/* The log's size now: where the next operation's lines will start. */
off_t	latency_log_mark(const char *path);

/*
 * Wait until nothing has been appended for a moment (a resource manager
 * flushes a closed connection's sessions after its client has gone), then
 * sum the lines from mark on. Returns 0, or -1 with a reason on stderr.
 */
int	latency_log_sum(const char *path, off_t mark,
	    struct latency_sum *out);

/* Add b to a (a's sequence is kept). */
void	latency_sum_add(struct latency_sum *a, const struct latency_sum *b);

/* "Sign 1x63, ContextLoad 3x35, ..." into buf. */
char	*latency_breakdown(const struct latency_sum *s, size_t runs,
	    char *buf, size_t len);

/*
 * One row: "row CONFIG IMPL OP MS CMDS BREAKDOWN SEQUENCE", tab-separated,
 * MS and CMDS per run (total over runs). s is the total of runs runs; last
 * is one of them, whose sequence is printed.
 */
void	latency_row(FILE *f, const char *config, const char *impl,
	    const char *op, const struct latency_sum *s, size_t runs,
	    const struct latency_sum *last);

#endif /* SK_BENCH_LATENCY_LOG_H */
