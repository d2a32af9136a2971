/*
 * sk-tpm doctor: a checklist of everything libsk-tpm needs from this TPM
 * and this account, each line tagged [ok], [info], [warn] or [FAIL]. Any
 * FAIL makes the exit status 1. Read-only: the one transient SRK and one
 * session it makes are flushed again. This file is the command: how the
 * TPM is reached, then the checks in order (doctor-checks.h), which write
 * to the checklist (doctor-report.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "doctor-checks.h"
#include "log.h"
#include "resident.h"
#include "tpm-info.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm doctor [--tcti TCTI]\n"
"\n"
"Check that this TPM and this account can use libsk-tpm: how the TPM is\n"
"reached, manufacturer and firmware (and whether the firmware is known to\n"
"leak ECDSA keys, TPM-FAIL), the storage root key, NIST P-256, salted\n"
"sessions, the dictionary-attack lockout, NV capacity, resident records\n"
"(with the current values of the PCRs they are bound to, and whether\n"
"they match) and, without SK_TPM_TCTI, the permissions on /dev/tpmrm0.\n"
"Exit status 0 when healthy, 1 when a line says FAIL.\n"
"\n"
"Options:\n"
"  --tcti TCTI  the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help       this text\n",
	    f);
}

static void
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

static void
check_lockout(struct doctor *d, struct tpm *tpm)
{
	struct tpm_da_state da;
	char err[512], recover[128];

	if (tpm_read_da_state(tpm, &da) != 0) {
		report(d, FAIL, "dictionary attack: %s", library_error(err,
		    sizeof(err), "cannot read the lockout state"));
		return;
	}
	if (da.interval > 0)
		snprintf(recover, sizeof(recover), "one failure is forgiven "
		    "every %u s", da.interval);
	else
		snprintf(recover, sizeof(recover), "failures are never "
		    "forgiven by time (interval 0)");
	if (da.in_lockout)
		report(d, FAIL, "dictionary attack: in lockout (lockout "
		    "counter %u, max tries %u): keys with a PIN cannot be "
		    "used; %s, or the holder of the lockout password can run "
		    "tpm2_dictionarylockout -c", da.counter, da.max_tries,
		    recover);
	else if (da.counter > 0)
		report(d, WARN, "dictionary attack: lockout counter %u, max "
		    "tries %u, interval %u s, recovery %u s: %u wrong "
		    "authorizations counted; %s", da.counter, da.max_tries,
		    da.interval, da.recovery, da.counter, recover);
	else
		report(d, OK, "dictionary attack: not in lockout; lockout "
		    "counter %u, max tries %u, interval %u s, recovery %u s",
		    da.counter, da.max_tries, da.interval, da.recovery);
}

static void
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

/* 0 with *list to free, or -1 (reported) when the records cannot be
 * read. */
static int
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

int
cmd_doctor(struct cli *cli, int argc, char **argv)
{
	struct doctor d;
	struct tpm_info info;
	struct resident_list list;
	struct tpm *tpm = NULL;
	char denied[1024], err[512];
	const char *reached;
	int r;

	memset(&d, 0, sizeof(d));
	denied[0] = '\0';
	if ((r = cli_common_only(cli, argc, argv)) == CLI_HELP) {
		usage(stdout);
		return CLI_OK;
	}
	if (r != CLI_OK)
		return r;

	if (cli->config_error != NULL)
		report(&d, FAIL, "environment: %s", cli->config_error);
	if (cli->tcti != NULL) {
		report(&d, INFO, "TPM: %s names \"%s\"", cli->tcti_source,
		    cli->tcti);
		report(&d, INFO, "%s: not checked (%s chooses the TPM)",
		    doctor_tpmrm_path(), cli->tcti_source);
	} else {
		report(&d, INFO, "TPM: no SK_TPM_TCTI: trying %s, then "
		    "tpm2-abrmd (never a simulator)", doctor_tpmrm_path());
		check_device(&d, denied, sizeof(denied));
	}

	log_reset();
	if (tpm_open(cli->tcti, &tpm) != 0) {
		if (denied[0] != '\0')
			report(&d, FAIL, "%s", denied);
		report(&d, FAIL, "TPM: %s", library_error(err, sizeof(err),
		    "cannot be reached"));
		report(&d, INFO, "the other checks need a TPM");
		goto out;
	}
	reached = tpm_tcti_name(tpm);
	report(&d, OK, "TPM: reached through %s", reached);
	if (denied[0] != '\0') {
		/* tpm2-abrmd served; other programs may still need the
		 * device. */
		if (strcmp(reached, "tabrmd") == 0)
			report(&d, WARN, "%s", denied);
		else
			report(&d, FAIL, "%s", denied);
	}

	if (tpm_info_read(tpm, &info) != 0) {
		report(&d, FAIL, "properties: %s", library_error(err,
		    sizeof(err), "cannot be read"));
		goto out;
	}
	check_identity(&d, &info);
	check_srk(&d, tpm);
	check_crypto(&d, tpm);
	check_lockout(&d, tpm);
	check_nv(&d, &info);
	if (check_residents(&d, tpm, &list) == 0) {
		check_pcrs(&d, tpm, &list);
		resident_list_free(&list);
	}
out:
	tpm_close(&tpm);
	return doctor_verdict(&d);
}
