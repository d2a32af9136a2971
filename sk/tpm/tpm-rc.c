/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TSS2_RC decoding, in one place.
 */
#include <time.h>

#include <tss2/tss2_rc.h>

#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define RC_LAYER_MASK		0x00ff0000u
#define RC_LAYER_TPM		0x00000000u
/* A TPM-format code that a resource manager answered itself, for a
 * command that never reached the TPM: the kernel's (/dev/tpmrm<N>) uses
 * layer 11, which it calls TSS2_RESMGR_TPM_RC_LAYER (drivers/char/tpm,
 * e.g. 0x000B0143 for a command the chip lacks), tpm2-abrmd layer 12,
 * tpm2-tss's TSS2_RESMGR_TPM_RC_LAYER. tpm2-tss names layer 11
 * TSS2_RESMGR_RC_LAYER; tpm2-abrmd's own codes there are small numbers
 * that no TPM code has, so reading them as TPM codes confuses nothing. */
#define RC_LAYER_RM_KERNEL	0x000b0000u
#define RC_LAYER_RM_TPM		0x000c0000u
#define RC_LAYER_TCTI		0x000a0000u
#define RC_FMT1			0x080u

TSS2_RC
rc_base(TSS2_RC rc)
{
	TSS2_RC layer = rc & RC_LAYER_MASK, code = rc & 0xffffu;

	if (layer != RC_LAYER_TPM && layer != RC_LAYER_RM_KERNEL &&
	    layer != RC_LAYER_RM_TPM)
		return 0;
	if (code & RC_FMT1)
		return code & 0x0bfu;
	return code & 0xfffu;
}

bool
rc_nv_rate_wait(TSS2_RC rc, unsigned *tries)
{
	struct timespec ts;
	long ms;

	if (rc_base(rc) != TPM2_RC_NV_RATE || *tries >= RC_NV_RATE_TRIES)
		return false;
	ms = 50L << *tries;
	(*tries)++;
	sk_debug("the TPM limits NV writes (TPM_RC_NV_RATE); trying again "
	    "in %ld ms", ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	return true;
}

bool
rc_is_tcti(TSS2_RC rc)
{
	return (rc & RC_LAYER_MASK) == RC_LAYER_TCTI;
}

int
rc_fail(const char *what, TSS2_RC rc)
{
	if (rc_is_tcti(rc)) {
		sk_error("lost the connection to the TPM during %s (%s)",
		    what, Tss2_RC_Decode(rc));
		return SSH_SK_ERR_DEVICE_NOT_FOUND;
	}
	switch (rc_base(rc)) {
	case TPM2_RC_OBJECT_MEMORY:
	case TPM2_RC_SESSION_MEMORY:
	case TPM2_RC_SESSION_HANDLES:
	case TPM2_RC_OBJECT_HANDLES:
		/* Without a resource manager this is also what programs
		 * using the TPM at the same moment see. */
		sk_error("%s: the TPM is out of object or session slots; "
		    "other programs hold them or left them loaded (reach the "
		    "TPM through a resource manager, /dev/tpmrm0 or "
		    "tpm2-abrmd; leftovers go with tpm2_flushcontext -t -l -s)",
		    what);
		return SSH_SK_ERR_GENERAL;
	case TPM2_RC_RETRY:
	case TPM2_RC_YIELDED:
	case TPM2_RC_TESTING:
		sk_error("%s: the TPM is busy (%s); try again", what,
		    Tss2_RC_Decode(rc));
		return SSH_SK_ERR_GENERAL;
	default:
		break;
	}
	sk_error("%s failed: %s", what, Tss2_RC_Decode(rc));
	return SSH_SK_ERR_GENERAL;
}
