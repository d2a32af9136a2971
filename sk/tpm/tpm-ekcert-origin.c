/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which EK certificate indices are believed. An index the platform defined
 * (TPMA_NV_PLATFORMCREATE: the manufacturer or firmware, through the
 * platform hierarchy) holds the certificate of this TPM's EK; one defined
 * through the owner hierarchy may hold anything, and with an empty owner
 * password any user of the TPM can define 0x01C00002 and plant another
 * TPM's certificate there. Those are skipped, and remembered so that
 * `sk-tpm attest export` can name them.
 */
#include "log.h"
#include "tpm-attest.h"
#include "tpm-internal.h"

bool
ek_index_trusted(struct tpm *t, TPM2_HANDLE index, const TPM2B_NV_PUBLIC *pub)
{
	if (pub->nvPublic.attributes & TPMA_NV_PLATFORMCREATE)
		return true;
	sk_debug("EK index 0x%08x was not defined by the platform "
	    "(TPMA_NV_PLATFORMCREATE clear); skipped", index);
	if (t->ek_skipped_n < TPM_EK_SKIPPED_MAX)
		t->ek_skipped[t->ek_skipped_n++] = index;
	return false;
}

size_t
tpm_ek_skipped(const struct tpm *t, const uint32_t **indices)
{
	*indices = t->ek_skipped;
	return t->ek_skipped_n;
}
