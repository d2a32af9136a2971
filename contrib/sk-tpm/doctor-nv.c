/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: NV, where resident credentials live. What the TPM says
 * of its capacity (it says nothing of free space), and the records of the
 * sk-tpm range: how many are usable, skipped, unwritten or another
 * program's.
 */
#include "doctor-checks.h"
#include "record.h"
#include "resident.h"
#include "tpm-info.h"

void
check_nv(struct doctor *d, const struct tpm_info *info)
{
	report(d, INFO, "NV: %u indices defined (TPM2_PT_HR_NV_INDEX); "
	    "persistent handles: %u used (TPM2_PT_HR_PERSISTENT), %u more "
	    "possible (TPM2_PT_HR_PERSISTENT_AVAIL)", info->hr_nv_index,
	    info->hr_persistent, info->hr_persistent_avail);
	report(d, INFO, "NV: an index holds at most %u bytes "
	    "(TPM2_PT_NV_INDEX_MAX), one write at most %u "
	    "(TPM2_PT_NV_BUFFER_MAX)", info->nv_index_max,
	    info->nv_buffer_max);
	report(d, INFO, "NV: free space is unknown: TPM 2.0 defines no "
	    "property for it; storing a credential says so when NV is full");
	if (info->nv_index_max != 0 && info->nv_index_max < REC_MAX_LEN)
		report(d, WARN, "NV: indices are smaller than the largest "
		    "sk-tpm record (%u bytes); resident keys may not fit",
		    REC_MAX_LEN);
}

int
check_residents(struct doctor *d, struct tpm *tpm, struct resident_list *out)
{
	struct resident_list list;
	char err[512];

	if (resident_load(tpm, &list) != 0) {
		report(d, FAIL, "resident credentials: %s", library_error(err,
		    sizeof(err), "cannot be read"));
		return -1;
	}
	if (list.nforeign > 0)
		report(d, WARN, "resident credentials: %zu usable, %zu "
		    "skipped (corrupt or from another TPM), %zu unwritten, "
		    "%zu foreign (another program's NV indices, not read); "
		    "see \"sk-tpm list\"; %zu of %u sk-tpm NV slots in use",
		    list.count, list.skipped, list.unwritten, list.nforeign,
		    list.nused, TPM_NV_SLOTS);
	else if (list.skipped > 0 || list.unwritten > 0)
		report(d, WARN, "resident credentials: %zu usable, %zu "
		    "skipped (corrupt or from another TPM), %zu unwritten; "
		    "see \"sk-tpm list\"; %zu of %u sk-tpm NV slots in use",
		    list.count, list.skipped, list.unwritten, list.nused,
		    TPM_NV_SLOTS);
	else
		report(d, OK, "resident credentials: %zu (0 skipped, 0 "
		    "unwritten); %zu of %u sk-tpm NV slots in use",
		    list.count, list.nused, TPM_NV_SLOTS);
	*out = list;
	return 0;
}
