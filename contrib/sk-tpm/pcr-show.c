/*
 * How PCR-bound credentials (issue 12) are shown: the binding, as
 * "sk-tpm list" and the doctor print it.
 */
#include <stdio.h>

#include "cli.h"
#include "handle.h"
#include "policy.h"

void
cli_pcr_text(const struct kh *kh, char *out, size_t len)
{
	char list[POLICY_PCR_COUNT * 3 + 1];

	if (len == 0)
		return;
	out[0] = '\0';
	if (kh->pcr_mask == 0)
		return;
	policy_format_pcrs(kh->pcr_mask, list, sizeof(list));
	snprintf(out, len, "sha256:%s", list);
}
