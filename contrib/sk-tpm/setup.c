/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm setup: make the standard ECC P-256 SRK persistent at 0x81000001,
 * so that signatures no longer derive it (sk/tpm/tpm-setup.c does the work).
 */
#include <stdio.h>

#include "cli.h"
#include "tpm-setup.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm setup [--tcti TCTI]\n"
"\n"
"Make the TCG standard ECC P-256 storage root key (SRK) persistent at\n"
"0x81000001, as systemd's tpm2-setup does. Without it, every signature\n"
"derives the SRK again (about 150 ms on a discrete TPM) or loads a saved\n"
"copy from $XDG_RUNTIME_DIR/sk-tpm. Keys made before keep working: the\n"
"persistent SRK is the same key. Nothing is changed when 0x81000001 is\n"
"taken; setup says by what: the standard SRK, systemd's SRK (which\n"
"sk-tpm uses as it is) or an RSA SRK, probably Windows' (sk-tpm derives\n"
"its own), exit status 0; another program's key, exit status 1. When the\n"
"TPM owner hierarchy has a password, set SK_TPM_OWNER_AUTH to it; it is\n"
"sent only inside a salted session.\n"
"\n"
"Options:\n"
"  --tcti TCTI  the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help       this text\n",
	    f);
}

static void
print_name(const uint8_t name[KH_NAME_LEN])
{
	size_t i;

	for (i = 0; i < KH_NAME_LEN; i++)
		printf("%02x", name[i]);
}

int
cmd_setup(struct cli *cli, int argc, char **argv)
{
	enum tpm_setup_result result;
	uint8_t name[KH_NAME_LEN];
	struct tpm *tpm = NULL;
	int r;

	if ((r = cli_common_only(cli, argc, argv)) == CLI_HELP) {
		usage(stdout);
		return CLI_OK;
	}
	if (r != CLI_OK)
		return r;
	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		return r;
	if (tpm_setup_srk(tpm, &result, name) != 0) {
		r = cli_fail("cannot make the SRK persistent");
		goto out;
	}
	switch (result) {
	case TPM_SETUP_MADE:
		printf("made the standard ECC P-256 SRK persistent at "
		    "0x81000001, Name ");
		break;
	case TPM_SETUP_PRESENT:
		printf("0x81000001 already holds the standard ECC P-256 SRK; "
		    "nothing to do. Name ");
		break;
	case TPM_SETUP_PRESENT_UNCHECKED:
		printf("0x81000001 already holds a key of the standard SRK "
		    "template; nothing done (its Name was not compared with "
		    "this TPM's SRK: the owner hierarchy has a password, set "
		    "SK_TPM_OWNER_AUTH to compare). Name ");
		break;
	case TPM_SETUP_SYSTEMD:
		printf("0x81000001 holds systemd's SRK (systemd-tpm2-setup, "
		    "systemd 255 or later): an ECC P-256 key of the TCG "
		    "template but with an empty unique field, so another key "
		    "than sk-tpm's standard SRK. Nothing done: it stays, "
		    "sk-tpm makes new keys under it, and keys made under "
		    "sk-tpm's own SRK keep working (it is derived for them). "
		    "Name ");
		break;
	case TPM_SETUP_RSA:
		printf("0x81000001 holds an RSA SRK, probably Windows' (a "
		    "dual-boot machine). Nothing done: it stays, and sk-tpm, "
		    "whose keys live under an ECC P-256 SRK, derives its own "
		    "for each signature (or loads a saved copy from "
		    "$XDG_RUNTIME_DIR/sk-tpm); keys work, at the cost of a "
		    "few TPM commands per signature. Name ");
		break;
	case TPM_SETUP_ECC_OTHER:
		cli_error("0x81000001 holds an ECC P-256 storage key that is "
		    "neither sk-tpm's standard SRK nor systemd's (another "
		    "seed or another program's template); setup leaves it "
		    "alone, and sk-tpm makes new keys under it");
		r = CLI_FAIL;
		goto out;
	case TPM_SETUP_FOREIGN:
		cli_error("0x81000001 holds another program's key, not a "
		    "storage root key; setup leaves it alone, and sk-tpm "
		    "derives its own SRK for each signature (keys work, a few "
		    "TPM commands slower)");
		r = CLI_FAIL;
		goto out;
	}
	print_name(name);
	printf("\n");
	r = CLI_OK;
out:
	tpm_close(&tpm);
	return r;
}
