/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: what the chip is. Manufacturer, vendor string, firmware
 * and specification level as the TPM reports them, whether that
 * firmware is known to leak ECDSA keys through timing (TPM-FAIL; the table
 * is tpm_fw_weak_ecdsa() in sk/tpm/tpm-info.c), and whether the chip has
 * TPM2_CreateLoaded (TPM2_CAP_COMMANDS).
 */
#include <stdint.h>

#include "doctor-checks.h"
#include "tpm-info.h"

void
check_identity(struct doctor *d, const struct tpm_info *info)
{
	char manufacturer[5], family[5], vendor[17];
	const char *advisory;
	uint32_t fw1 = info->fw1, fw2 = info->fw2;

	tpm_info_chars(info->manufacturer, manufacturer);
	tpm_info_chars(info->family, family);
	tpm_info_vendor(info, vendor);
	report(d, INFO, "manufacturer: %s (0x%08x)", manufacturer,
	    info->manufacturer);
	report(d, INFO, "vendor: \"%s\"", vendor);
	report(d, INFO, "firmware: %u.%u.%u.%u (TPM2_PT_FIRMWARE_VERSION_1 "
	    "0x%08x, _2 0x%08x)", fw1 >> 16, fw1 & 0xffff, fw2 >> 16,
	    fw2 & 0xffff, fw1, fw2);
	report(d, INFO, "specification: TPM %s, revision %u.%02u, level %u, "
	    "%u day %u", family, info->revision / 100, info->revision % 100,
	    info->level, info->year, info->day_of_year);

	switch (tpm_fw_weak_ecdsa(info->manufacturer, fw1, fw2, &advisory)) {
	case TPM_FW_WEAK:
		report(d, FAIL, "firmware: %s %u.%u is affected by %s; "
		    "ECDSA keys made on it can leak through timing: update "
		    "the TPM firmware, then make new keys", manufacturer,
		    fw1 >> 16, fw1 & 0xffff, advisory);
		break;
	case TPM_FW_MAYBE_WEAK:
		report(d, FAIL, "firmware: %s %u.%u.%u may be affected, check "
		    "INTEL-SA-00241 (%s); update the firmware (BIOS/CSME), "
		    "then make new keys", manufacturer, fw1 >> 16,
		    fw1 & 0xffff, fw2 >> 16, advisory);
		break;
	default:
		report(d, OK, "firmware: not on the list of TPM-FAIL "
		    "(ECDSA timing) affected firmware");
		break;
	}
}

void
check_commands(struct doctor *d, struct tpm *tpm)
{
	char err[512];
	bool has;

	if (tpm_has_create_loaded(tpm, &has) != 0)
		report(d, WARN, "TPM2_CreateLoaded: %s", library_error(err,
		    sizeof(err), "cannot list the TPM's commands"));
	else if (has)
		report(d, OK, "TPM2_CreateLoaded: present (a key is made and "
		    "loaded in one command)");
	else
		report(d, INFO, "TPM2_CreateLoaded: absent (a chip before "
		    "specification revision 1.38); keys are made with Create "
		    "and Load, one command more");
}
