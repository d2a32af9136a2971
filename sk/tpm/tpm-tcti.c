/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A TPM that never answers must not hold ssh (or ssh-agent behind
 * ssh-sk-helper) forever. ESYS's one-call functions wait for every answer
 * without limit, whatever Esys_SetTimeout says: they set their own
 * timeout to "block" around the _Finish loop. So ESYS talks to this TCTI,
 * which passes everything to the real one but turns each wait for an
 * answer into a wait of at most the bound, counted from the command's
 * transmission. Past it, the connection is given up for good (an answer
 * arriving later would be taken for the next command's): this and every
 * later receive and transmit fail with TSS2_TCTI_RC_IO_ERROR, which ESYS
 * passes up as a lost connection, and the first cause recorded is the
 * line saying that the TPM did not answer.
 *
 * The real TCTI must honour receive timeouts. The device TCTI
 * (/dev/tpmrm0), tpm2-abrmd's and the mssim TCTI do; the swtpm TCTI does
 * only from tpm2-tss 4.2 on, before that a stopped simulator still
 * blocks.
 */
#include <stdlib.h>
#include <time.h>

#include <tss2/tss2_tcti.h>

#include "log.h"
#include "tpm-internal.h"

#define BOUNDED_MAGIC	0x736b2d74706d2d62ULL	/* "sk-tpm-b" */

struct bounded {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;	/* first: what ESYS sees */
	TSS2_TCTI_CONTEXT *inner;		/* from Tss2_TctiLdr */
	int32_t bound_ms;
	long long deadline;	/* of the command in flight, in ms */
	bool dead;		/* a command went unanswered */
	uint32_t cc, handle;	/* of the command in flight */
	bool lost;		/* a command delivered went unanswered */
	uint32_t lost_cc, lost_handle;	/* the first such */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static struct bounded *
bounded_cast(TSS2_TCTI_CONTEXT *ctx)
{
	struct bounded *b = (struct bounded *)ctx;

	if (b == NULL || b->common.v1.magic != BOUNDED_MAGIC)
		return NULL;
	return b;
}

static TSS2_RC
bounded_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct bounded *b = bounded_cast(ctx);
	TSS2_RC rc;

	if (b == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (b->dead)
		return TSS2_TCTI_RC_IO_ERROR;
	rc = Tss2_Tcti_Transmit(b->inner, size, cmd);
	if (rc == TSS2_RC_SUCCESS) {
		b->deadline = now_ms() + b->bound_ms;
		b->cc = size >= 10 ? be32(cmd + 6) : 0;
		b->handle = size >= 14 ? be32(cmd + 10) : 0;
	}
	return rc;
}

/* A delivered command's answer will not come: remember the first. */
static TSS2_RC
lost(struct bounded *b, TSS2_RC rc)
{
	if (!b->lost) {
		b->lost = true;
		b->lost_cc = b->cc;
		b->lost_handle = b->handle;
	}
	return rc;
}

static TSS2_RC
bounded_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp,
    int32_t timeout)
{
	struct bounded *b = bounded_cast(ctx);
	long long left;
	int32_t wait;
	TSS2_RC rc;

	if (b == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (b->dead)
		return TSS2_TCTI_RC_IO_ERROR;
	for (;;) {
		left = b->deadline - now_ms();
		if (left < 0)
			left = 0;
		wait = (int32_t)left;
		if (timeout != TSS2_TCTI_TIMEOUT_BLOCK && timeout < wait)
			wait = timeout;
		rc = Tss2_Tcti_Receive(b->inner, size, resp, wait);
		if (rc == TSS2_RC_SUCCESS ||
		    rc == TSS2_TCTI_RC_INSUFFICIENT_BUFFER)
			return rc;
		if ((rc & ~TSS2_RC_LAYER_MASK) != TSS2_BASE_RC_TRY_AGAIN)
			return lost(b, rc);
		if (now_ms() >= b->deadline)
			break;
		/* The caller's own shorter wait is over: its to retry. */
		if (timeout != TSS2_TCTI_TIMEOUT_BLOCK)
			return rc;
	}
	b->dead = true;
	sk_error("the TPM did not answer within %d s; it may be stuck, or "
	    "busy with other programs' commands (SK_TPM_TIMEOUT sets the "
	    "limit)", (int)(b->bound_ms / 1000));
	return lost(b, TSS2_TCTI_RC_IO_ERROR);
}

static void
bounded_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	(void)ctx;	/* tcti_bounded_free() does it all */
}

static TSS2_RC
bounded_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	struct bounded *b = bounded_cast(ctx);

	return b == NULL ? TSS2_TCTI_RC_BAD_CONTEXT :
	    Tss2_Tcti_Cancel(b->inner);
}

static TSS2_RC
bounded_poll_handles(TSS2_TCTI_CONTEXT *ctx, TSS2_TCTI_POLL_HANDLE *handles,
    size_t *num)
{
	struct bounded *b = bounded_cast(ctx);

	return b == NULL ? TSS2_TCTI_RC_BAD_CONTEXT :
	    Tss2_Tcti_GetPollHandles(b->inner, handles, num);
}

static TSS2_RC
bounded_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	struct bounded *b = bounded_cast(ctx);

	return b == NULL ? TSS2_TCTI_RC_BAD_CONTEXT :
	    Tss2_Tcti_SetLocality(b->inner, locality);
}

static TSS2_RC
bounded_make_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *handle,
    uint8_t sticky)
{
	struct bounded *b = bounded_cast(ctx);

	return b == NULL ? TSS2_TCTI_RC_BAD_CONTEXT :
	    Tss2_Tcti_MakeSticky(b->inner, handle, sticky);
}

int
tcti_bounded_wrap(TSS2_TCTI_CONTEXT **tcti, int32_t bound_ms)
{
	struct bounded *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->common.v1.magic = BOUNDED_MAGIC;
	b->common.v1.version = 2;
	b->common.v1.transmit = bounded_transmit;
	b->common.v1.receive = bounded_receive;
	b->common.v1.finalize = bounded_finalize;
	b->common.v1.cancel = bounded_cancel;
	b->common.v1.getPollHandles = bounded_poll_handles;
	b->common.v1.setLocality = bounded_set_locality;
	b->common.makeSticky = bounded_make_sticky;
	b->inner = *tcti;
	b->bound_ms = bound_ms;
	*tcti = (TSS2_TCTI_CONTEXT *)b;
	return 0;
}

bool
tcti_bounded_lost(TSS2_TCTI_CONTEXT *tcti, uint32_t *cc, uint32_t *handle)
{
	struct bounded *b = bounded_cast(tcti);

	if (b == NULL || !b->lost)
		return false;
	*cc = b->lost_cc;
	*handle = b->lost_handle;
	return true;
}

void
tcti_bounded_free(TSS2_TCTI_CONTEXT **tcti)
{
	struct bounded *b = bounded_cast(*tcti);

	if (b == NULL) {
		/* Not wrapped (yet): the loader's own context. */
		if (*tcti != NULL)
			Tss2_TctiLdr_Finalize(tcti);
		return;
	}
	if (b->inner != NULL)
		Tss2_TctiLdr_Finalize(&b->inner);
	b->common.v1.magic = 0;
	free(b);
	*tcti = NULL;
}
