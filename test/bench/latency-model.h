/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A latency model of a laptop-class discrete TPM 2.0: what each command
 * costs in milliseconds of TPM time. The table and its sources are in
 * latency-model.c. Used by the benchmark's TCTI (tcti-latency.c) and by
 * nothing in sk/.
 */
#ifndef SK_BENCH_LATENCY_MODEL_H
#define SK_BENCH_LATENCY_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* Surcharge of a command that carries an HMAC or policy session. */
#define LATENCY_SESSION_MS	18

struct latency_charge {
	char		name[40];	/* "StartAuthSession(salted)" */
	unsigned	ms;		/* base cost and surcharge */
	unsigned	session_ms;	/* of which the surcharge */
	int		modelled;	/* 0: not in the table */
};

/* The cost of the command in cmd[0..len). Never reads outside it. */
void	latency_model_charge(const uint8_t *cmd, size_t len,
	    struct latency_charge *out);

/*
 * Adjust the charge by the TPM's answer rc: a command answered with
 * TPM_RC_RETRY, _YIELDED or _TESTING was not executed (ESYS sends it
 * again), so it costs nothing and is named "NAME(RETRY)".
 */
void	latency_model_answered(struct latency_charge *c, uint32_t rc);

#endif /* SK_BENCH_LATENCY_MODEL_H */
