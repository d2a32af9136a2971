/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: a checklist of everything libsk-tpm needs from this TPM
 * and this account, each line tagged [ok], [info], [warn] or [FAIL]. Any
 * FAIL makes the exit status 1. It changes nothing: the transient SRKs and
 * the session it makes are flushed again, and the empty NV indices that
 * measure the room left are removed again. This file is the command: how the
 * TPM is reached, then the checks in order (doctor-checks.h), which write
 * to the checklist (doctor-report.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "doctor-checks.h"
#include "hostkey.h"
#include "log.h"
#include "resident.h"
#include "tpm-info.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm doctor [--host-key PATH] [--tcti TCTI]\n"
"\n"
"Check that this TPM and this account can use libsk-tpm: how the TPM is\n"
"reached, manufacturer and firmware (and whether the firmware is known to\n"
"leak ECDSA keys, TPM-FAIL), TPM2_CreateLoaded, the storage root key and\n"
"whose it is, NIST P-256, salted sessions, the dictionary-attack lockout\n"
"and lockout password, NV capacity and how many more records fit\n"
"(measured with empty NV indices, removed again), resident records\n"
"(with the current values of the PCRs they are bound to, and whether\n"
"they match), sshd's TPM host key (signing a test message with it, as\n"
"sshd does) and, without SK_TPM_TCTI, the permissions on /dev/tpmrm0.\n"
"Exit status 0 when healthy, 1 when a line says FAIL.\n"
"\n"
"Options:\n"
"  --host-key PATH  sshd's TPM host key (default " HOST_KEY_DEFAULT ")\n"
"  --tcti TCTI  the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help       this text\n",
	    f);
}

int
cmd_doctor(struct cli *cli, int argc, char **argv)
{
	struct doctor d;
	struct tpm_info info;
	struct resident_list list;
	struct tpm *tpm = NULL;
	char denied[1024], err[512];
	static const struct option opts[] = {
		{ "host-key", required_argument, NULL, 'k' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *reached, *host_key = HOST_KEY_DEFAULT;
	int ch, r, reachable = 0;

	memset(&d, 0, sizeof(d));
	denied[0] = '\0';
	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (ch == 'k') {
			host_key = optarg;
			continue;
		}
		if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			usage(stdout);
			return CLI_OK;
		}
		if (r != 0)
			return r;
	}
	if ((r = cli_no_operands(cli, argc, argv)) != CLI_OK)
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
	reachable = 1;
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
	check_commands(&d, tpm);
	check_srk(&d, tpm);
	check_crypto(&d, tpm);
	check_lockout(&d, tpm);
	check_nv(&d, tpm, &info);
	if (check_residents(&d, tpm, &list) == 0) {
		check_pcrs(&d, tpm, &list);
		resident_list_free(&list);
	}
out:
	tpm_close(&tpm);
	if (reachable)
		check_host_key(&d, cli, host_key);
	return doctor_verdict(&d);
}
