/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libtss2-tcti-latency.so: a TCTI for the latency benchmark. It wraps
 * another TCTI, passes every command through unchanged and charges each
 * one the TPM time that the latency model (latency-model.c) gives it:
 *
 *   SK_TPM_TCTI=/abs/path/libtss2-tcti-latency.so:swtpm:host=127.0.0.1,port=P
 *   tpm2-abrmd --tcti=/abs/path/libtss2-tcti-latency.so:swtpm:host=...,port=P
 *
 * In front of tpm2-abrmd's TPM connection it sees what the TPM itself
 * executes, the broker's context swaps included.
 *
 * Configured by the environment, read when the TCTI is initialised:
 *   SK_LATENCY_LOG	a file to which one line per answered command is
 *			appended: "PID NAME MS SESSION-MS MODELLED RC", where
 *			MS is the modelled time (SESSION-MS of it for an HMAC
 *			or policy session), MODELLED 0 marks a command missing
 *			from the model and RC is the TPM's response code.
 *			Appends are atomic, so processes may share the file.
 *   SK_LATENCY_SLEEP	"1": also sleep the modelled time after each
 *			response, so that wall-clock figures show it too.
 *
 * Test code only: never installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tss2/tss2_tcti.h>

#include "latency-model.h"
#include "tcti-proxy.h"

struct latency {
	struct tcti_proxy	 proxy;	/* first: what callers see */
	char			 log_path[512];
	int			 sleep;
	int			 pending;	/* a command is out */
	struct latency_charge	 charge;	/* of that command */
};

static TSS2_RC latency_transmit(TSS2_TCTI_CONTEXT *, size_t,
    const uint8_t *);
static TSS2_RC latency_receive(TSS2_TCTI_CONTEXT *, size_t *, uint8_t *,
    int32_t);

static const struct tcti_proxy_kind latency_kind = {
	"latency", latency_transmit, latency_receive
};

static struct latency *
latency_cast(TSS2_TCTI_CONTEXT *ctx)
{
	return (struct latency *)tcti_proxy_cast(ctx, &latency_kind);
}

static void
account(struct latency *l, uint32_t rc)
{
	struct latency_charge *c = &l->charge;
	struct timespec ts;
	char line[160];
	int fd, n;

	latency_model_answered(c, rc);
	if (l->log_path[0] != '\0') {
		n = snprintf(line, sizeof(line), "%ld %s %u %u %d 0x%08"
		    PRIx32 "\n", (long)getpid(), c->name, c->ms,
		    c->session_ms, c->modelled, rc);
		if (n > 0 && (size_t)n < sizeof(line) &&
		    (fd = open(l->log_path, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0600)) != -1) {
			/* One write per line: O_APPEND keeps writers apart. */
			if (write(fd, line, (size_t)n) != n)
				(void)0;
			close(fd);
		}
	}
	if (l->sleep) {
		ts.tv_sec = c->ms / 1000;
		ts.tv_nsec = (long)(c->ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}

static TSS2_RC
latency_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct latency *l = latency_cast(ctx);
	TSS2_RC rc;

	if (l == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (cmd == NULL || size < TCTI_PROXY_HEADER_LEN)
		return TSS2_TCTI_RC_BAD_VALUE;
	latency_model_charge(cmd, size, &l->charge);
	rc = Tss2_Tcti_Transmit(l->proxy.child, size, cmd);
	l->pending = rc == TSS2_RC_SUCCESS;
	return rc;
}

static TSS2_RC
latency_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp,
    int32_t timeout)
{
	struct latency *l = latency_cast(ctx);
	TSS2_RC rc;

	if (l == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	rc = Tss2_Tcti_Receive(l->proxy.child, size, resp, timeout);
	if (resp == NULL || rc == TSS2_TCTI_RC_TRY_AGAIN ||
	    rc == TSS2_TCTI_RC_INSUFFICIENT_BUFFER)
		return rc;	/* the response is still to come */
	/* The TPM did the work whether or not it said yes. */
	if (l->pending && rc == TSS2_RC_SUCCESS && size != NULL &&
	    *size >= TCTI_PROXY_HEADER_LEN)
		account(l, tcti_proxy_be32(resp + 6));
	l->pending = 0;
	return rc;
}

static TSS2_RC
latency_init(TSS2_TCTI_CONTEXT *ctx, size_t *size, const char *conf)
{
	struct latency *l = (struct latency *)ctx;
	const char *v;
	TSS2_RC rc;
	int query;

	rc = tcti_proxy_check(ctx, size, sizeof(*l), conf, &query);
	if (rc != TSS2_RC_SUCCESS || query)
		return rc;
	memset(l, 0, sizeof(*l));
	if ((v = getenv("SK_LATENCY_LOG")) != NULL && *v != '\0') {
		if (strlen(v) >= sizeof(l->log_path)) {
			fprintf(stderr, "tcti-latency: SK_LATENCY_LOG is too "
			    "long\n");
			return TSS2_TCTI_RC_BAD_VALUE;
		}
		memcpy(l->log_path, v, strlen(v) + 1);
	}
	l->sleep = (v = getenv("SK_LATENCY_SLEEP")) != NULL &&
	    strcmp(v, "1") == 0;
	return tcti_proxy_open(&l->proxy, &latency_kind, conf);
}

static const TSS2_TCTI_INFO latency_info = {
	.version = 2,
	.name = "latency",
	.description = "sk-tpm benchmark TCTI: wraps a TCTI and charges each "
	    "command its modelled TPM time",
	.config_help = "the configuration string of the TCTI to wrap, e.g. "
	    "swtpm:host=127.0.0.1,port=2321",
	.init = latency_init,
};

const TSS2_TCTI_INFO *Tss2_Tcti_Info(void);

__attribute__((visibility("default"))) const TSS2_TCTI_INFO *
Tss2_Tcti_Info(void)
{
	return &latency_info;
}
