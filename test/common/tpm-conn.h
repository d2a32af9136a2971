/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One ESYS connection of the test helpers (tpm-util.c, tpm-pcr-util.c,
 * test/fault/fault-tpm.c): a TCTI loaded by name and an ESYS context on it.
 */
#ifndef TEST_TPM_CONN_H
#define TEST_TPM_CONN_H

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

struct tu_conn {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
};

int tu_conn_open(const char *tcti, struct tu_conn *);
void tu_conn_close(struct tu_conn *);

/* The indices of sk-tpm's NV range (0x01a5c500 to 0x01a5c5ff), at most
 * max of them: how many, or -1. */
int tu_nv_indices(struct tu_conn *, TPM2_HANDLE *out, int max);

#endif /* TEST_TPM_CONN_H */
