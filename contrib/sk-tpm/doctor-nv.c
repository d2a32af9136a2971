/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: NV, where resident credentials live. What the TPM says
 * of its capacity, how many more records fit (it says nothing of free
 * space: measured by defining empty indices and removing them again,
 * tpm-nv-room.c), and the records of the sk-tpm range: how many are
 * usable, skipped, unwritten or another program's.
 */
#include "doctor-checks.h"
#include "record.h"
#include "resident.h"
#include "tpm-info.h"

/* A record of a key for "ssh:" without user id, PIN or PCR binding is
 * 429 bytes; longer applications and PCRs make it larger. */
#define TYPICAL_RECORD	430
/* Each probe is an NV write (and one more to remove it): enough to tell
 * "a few" from "plenty". */
#define ROOM_PROBES	16

static void
check_room(struct doctor *d, struct tpm *tpm)
{
	struct tpm_nv_room room;
	char err[512];

	if (tpm_nv_room(tpm, TYPICAL_RECORD, ROOM_PROBES, &room) != 0) {
		report(d, WARN, "NV room: %s", library_error(err, sizeof(err),
		    "cannot be measured"));
		return;
	}
	if (room.owner_auth)
		report(d, INFO, "NV room: not measured (the owner hierarchy "
		    "has a password)");
	else if (room.full && room.fit == 0)
		report(d, WARN, "NV room: full: no further resident "
		    "credential of %u bytes fits; remove one with \"sk-tpm "
		    "delete\" (replacing one needs room for both copies at "
		    "once)", TYPICAL_RECORD);
	else if (room.full)
		report(d, room.fit < 2 ? WARN : INFO, "NV room: about %u more "
		    "resident credential%s of %u bytes fit (measured: empty "
		    "indices defined until the TPM said NV_SPACE, then "
		    "removed)", room.fit, room.fit == 1 ? "" : "s",
		    TYPICAL_RECORD);
	else if (room.slots)
		report(d, INFO, "NV room: %u more resident credential%s of "
		    "%u bytes fit in NV; that is every free sk-tpm NV slot",
		    room.fit, room.fit == 1 ? "" : "s", TYPICAL_RECORD);
	else
		report(d, OK, "NV room: at least %u more resident "
		    "credentials of %u bytes fit (measured with %u empty "
		    "indices, removed again)", room.fit, TYPICAL_RECORD,
		    room.fit);
}

void
check_nv(struct doctor *d, struct tpm *tpm, const struct tpm_info *info)
{
	report(d, INFO, "NV: %u indices defined (TPM2_PT_HR_NV_INDEX); "
	    "persistent handles: %u used (TPM2_PT_HR_PERSISTENT), %u more "
	    "possible (TPM2_PT_HR_PERSISTENT_AVAIL)", info->hr_nv_index,
	    info->hr_persistent, info->hr_persistent_avail);
	report(d, INFO, "NV: an index holds at most %u bytes "
	    "(TPM2_PT_NV_INDEX_MAX), one write at most %u "
	    "(TPM2_PT_NV_BUFFER_MAX)", info->nv_index_max,
	    info->nv_buffer_max);
	if (info->nv_index_max != 0 && info->nv_index_max < REC_MAX_LEN)
		report(d, WARN, "NV: indices are smaller than the largest "
		    "sk-tpm record (%u bytes); resident keys may not fit",
		    REC_MAX_LEN);
	check_room(d, tpm);
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
