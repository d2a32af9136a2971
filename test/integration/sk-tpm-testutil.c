/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Simulator chores for the shell fixtures, done with ESYS rather than
 * tpm2-tools: tpm2_createprimary cannot express the TCG SRK template's
 * zero-filled unique field, so a persistent SRK it made would not be the
 * standard one.
 *
 *   sk-tpm-testutil persist-srk | evict-srk | leftovers | da-reset
 *   sk-tpm-testutil owner-auth OLD NEW
 *   sk-tpm-testutil nv-fill FREE
 *
 * The TPM comes from SK_TPM_TCTI. "leftovers" prints the number of
 * transient objects and sessions and exits 1 if there are any.
 * "owner-auth" changes the owner password through a password session:
 * both passwords cross in clear (a control for capture tests).
 * "nv-fill" fills NV until about FREE bytes are left (tpm-nv-fill.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpm-util.h"

int
main(int argc, char **argv)
{
	const char *tcti = getenv("SK_TPM_TCTI");
	int n;

	if (argc == 4 && tcti != NULL && strcmp(argv[1], "owner-auth") == 0) {
		setenv("TSS2_LOG", "all+NONE", 0);
		return tu_owner_auth(tcti, argv[2], argv[3]) == 0 ? 0 : 1;
	}
	if (argc == 3 && tcti != NULL && strcmp(argv[1], "nv-fill") == 0) {
		setenv("TSS2_LOG", "all+NONE", 0);
		return tu_nv_fill(tcti, strtoul(argv[2], NULL, 10)) == 0 ?
		    0 : 1;
	}
	if (argc != 2 || tcti == NULL) {
		fprintf(stderr, "usage: SK_TPM_TCTI=... sk-tpm-testutil "
		    "persist-srk|evict-srk|leftovers|da-reset | "
		    "owner-auth OLD NEW | nv-fill FREE\n");
		return 2;
	}
	setenv("TSS2_LOG", "all+NONE", 0);
	if (strcmp(argv[1], "persist-srk") == 0)
		return tu_srk_persist(tcti) == 0 ? 0 : 1;
	if (strcmp(argv[1], "evict-srk") == 0)
		return tu_srk_evict(tcti) == 0 ? 0 : 1;
	if (strcmp(argv[1], "da-reset") == 0)
		return tu_da_reset(tcti) == 0 ? 0 : 1;
	if (strcmp(argv[1], "leftovers") == 0) {
		if ((n = tu_count_leftovers(tcti)) < 0)
			return 2;
		printf("%d\n", n);
		return n == 0 ? 0 : 1;
	}
	fprintf(stderr, "sk-tpm-testutil: unknown command %s\n", argv[1]);
	return 2;
}
