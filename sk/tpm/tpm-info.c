/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TPM describing itself, for `sk-tpm doctor`. Read-only: nothing here
 * changes the TPM's state except a transient SRK and a session that are
 * flushed before returning.
 */
#include <string.h>

#include "sk-api.h"
#include "tpm-info.h"
#include "tpm-internal.h"

static void
store_property(void *ctx, const TPMS_TAGGED_PROPERTY *p)
{
	struct tpm_info *info = ctx;

	switch (p->property) {
	case TPM2_PT_FAMILY_INDICATOR:
		info->family = p->value;
		break;
	case TPM2_PT_LEVEL:
		info->level = p->value;
		break;
	case TPM2_PT_REVISION:
		info->revision = p->value;
		break;
	case TPM2_PT_DAY_OF_YEAR:
		info->day_of_year = p->value;
		break;
	case TPM2_PT_YEAR:
		info->year = p->value;
		break;
	case TPM2_PT_MANUFACTURER:
		info->manufacturer = p->value;
		break;
	case TPM2_PT_VENDOR_STRING_1:
	case TPM2_PT_VENDOR_STRING_2:
	case TPM2_PT_VENDOR_STRING_3:
	case TPM2_PT_VENDOR_STRING_4:
		info->vendor[p->property - TPM2_PT_VENDOR_STRING_1] = p->value;
		break;
	case TPM2_PT_FIRMWARE_VERSION_1:
		info->fw1 = p->value;
		break;
	case TPM2_PT_FIRMWARE_VERSION_2:
		info->fw2 = p->value;
		break;
	case TPM2_PT_NV_INDEX_MAX:
		info->nv_index_max = p->value;
		break;
	case TPM2_PT_NV_BUFFER_MAX:
		info->nv_buffer_max = p->value;
		break;
	case TPM2_PT_HR_NV_INDEX:
		info->hr_nv_index = p->value;
		break;
	case TPM2_PT_HR_PERSISTENT:
		info->hr_persistent = p->value;
		break;
	case TPM2_PT_HR_PERSISTENT_AVAIL:
		info->hr_persistent_avail = p->value;
		break;
	default:
		break;
	}
}

int
tpm_info_read(struct tpm *t, struct tpm_info *info)
{
	int r;

	memset(info, 0, sizeof(*info));
	if ((r = props_read(t, TPM2_PT_FAMILY_INDICATOR,
	    TPM2_PT_NV_BUFFER_MAX, store_property, info)) != 0)
		return r;
	return props_read(t, TPM2_PT_HR_NV_INDEX, TPM2_PT_HR_PERSISTENT_AVAIL,
	    store_property, info);
}

void
tpm_info_chars(uint32_t value, char out[5])
{
	size_t i, n = 0;
	int c;

	for (i = 0; i < 4; i++) {
		c = (value >> (24 - 8 * i)) & 0xff;
		if (c == 0)
			continue;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

void
tpm_info_vendor(const struct tpm_info *info, char out[17])
{
	size_t i, j, n = 0;
	int c;

	/* Vendors pad inside the words ("SW  " " TPM"), so trim only the
	 * ends of the whole string. */
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			c = (info->vendor[i] >> (24 - 8 * j)) & 0xff;
			if (c == 0)
				continue;
			if (n == 0 && c == ' ')
				continue;
			out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

int
tpm_has_create_loaded(struct tpm *t, bool *has)
{
	const TPM2_CC cc = TPM2_CC_CreateLoaded;
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	*has = false;
	/* The list starts at the command asked for: one entry answers. */
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_COMMANDS, cc, 1, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("listing the TPM's commands", rc);
	*has = cap->data.command.count >= 1 &&
	    (cap->data.command.commandAttributes[0] &
	    TPMA_CC_COMMANDINDEX_MASK) == (cc & TPMA_CC_COMMANDINDEX_MASK);
	Esys_Free(cap);
	return 0;
}

int
tpm_has_p256(struct tpm *t, bool *has)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	TSS2_RC rc;

	*has = false;
	/* The list starts at the curve asked for: one entry answers. */
	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, TPM2_CAP_ECC_CURVES, TPM2_ECC_NIST_P256, 1, &more,
	    &cap);
	if (rc != TSS2_RC_SUCCESS)
		return rc_fail("listing the TPM's ECC curves", rc);
	*has = cap->data.eccCurves.count >= 1 &&
	    cap->data.eccCurves.eccCurves[0] == TPM2_ECC_NIST_P256;
	Esys_Free(cap);
	return 0;
}

int
tpm_salted_session_check(struct tpm *t, bool *persistent)
{
	struct srk srk = SRK_INIT;
	ESYS_TR session = ESYS_TR_NONE;
	int r;

	*persistent = false;
	if ((r = hold_srk(t, &srk)) != 0)
		goto out;
	*persistent = srk.persistent;
	if ((r = session_start(t, srk.handle, &session)) != 0)
		goto out;
	r = 0;
out:
	session_flush(t, &session);
	srk_close(t, &srk);
	return r;
}

/*
 * TPM-FAIL (Moghimi et al., USENIX Security 2020; disclosed November
 * 2019): ECDSA signing time leaks the nonce length, enough to recover a
 * key from a few thousand timed signatures, locally and in one case over
 * a network.
 *
 * Intel PTT reports the CSME version: FW1 = major << 16 | minor, FW2 =
 * build << 16 | hotfix (11.8.50.3399 is 0x000b0008, 0x00320d47). Intel
 * lists CSME 11.x and 12.0 as affected and fixed in the releases below;
 * a version line without a fix of its own (11.0-11.7, 11.9, 11.10...)
 * was meant to move to the next fixed line. Other Intel numbering (SPS,
 * TXE) is not decoded here, so the verdict is only "may be affected".
 */
static const struct {
	uint16_t major, minor, build;
} intel_fixed[] = {
	{ 11, 8, 70 },
	{ 11, 11, 70 },
	{ 11, 22, 70 },
	{ 12, 0, 45 },
};

#define INTEL_ADVISORY \
	"TPM-FAIL, CVE-2019-11090, INTEL-SA-00241 (fixed in Intel CSME " \
	"11.8.70, 11.11.70, 11.22.70, 12.0.45)"

/* ST33TPHF2E*: FW1 = major << 16 | minor; ST's advisory lists these as
 * affected. */
static const struct {
	uint16_t major, minor;
} st_affected[] = {
	{ 71, 0 }, { 71, 4 }, { 71, 12 },
	{ 73, 0 }, { 73, 4 }, { 73, 5 }, { 73, 8 }, { 73, 9 },
	{ 74, 0 }, { 74, 4 }, { 74, 5 }, { 74, 8 }, { 74, 9 }, { 74, 16 },
};

#define ST_ADVISORY \
	"TPM-FAIL, CVE-2019-16863 (fixed in ST33 firmware 71.16, 73.20, " \
	"73.21, 73.64, 73.65, 74.20, 74.21, 74.64, 74.65)"

static enum tpm_fw_verdict
intel_verdict(uint32_t fw1, uint32_t fw2)
{
	uint32_t major = fw1 >> 16, minor = fw1 & 0xffff, build = fw2 >> 16;
	size_t i;

	for (i = 0; i < sizeof(intel_fixed) / sizeof(intel_fixed[0]); i++) {
		if (intel_fixed[i].major != major ||
		    intel_fixed[i].minor < minor)
			continue;
		/* The first fixed line at or above this one. */
		if (intel_fixed[i].minor > minor)
			return TPM_FW_MAYBE_WEAK;
		return build < intel_fixed[i].build ? TPM_FW_MAYBE_WEAK :
		    TPM_FW_NOT_KNOWN_WEAK;
	}
	/* 11.23 and later, 12.1 and later, 13 and later, or before 11. */
	return TPM_FW_NOT_KNOWN_WEAK;
}

static enum tpm_fw_verdict
st_verdict(uint32_t fw1)
{
	uint32_t major = fw1 >> 16, minor = fw1 & 0xffff;
	size_t i;

	for (i = 0; i < sizeof(st_affected) / sizeof(st_affected[0]); i++)
		if (st_affected[i].major == major &&
		    st_affected[i].minor == minor)
			return TPM_FW_WEAK;
	return TPM_FW_NOT_KNOWN_WEAK;
}

enum tpm_fw_verdict
tpm_fw_weak_ecdsa(uint32_t manufacturer, uint32_t fw1, uint32_t fw2,
    const char **advisory)
{
	enum tpm_fw_verdict v = TPM_FW_NOT_KNOWN_WEAK;
	const char *adv = NULL;

	if (manufacturer == TPM_MANUFACTURER_INTEL) {
		v = intel_verdict(fw1, fw2);
		adv = INTEL_ADVISORY;
	} else if (manufacturer == TPM_MANUFACTURER_STM) {
		v = st_verdict(fw1);
		adv = ST_ADVISORY;
	}
	if (advisory != NULL)
		*advisory = v == TPM_FW_NOT_KNOWN_WEAK ? NULL : adv;
	return v;
}
