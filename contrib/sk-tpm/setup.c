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
"taken: by the standard SRK (exit status 0) or by another key (exit\n"
"status 1, the key is left alone). When the TPM owner hierarchy has a\n"
"password, set SK_TPM_OWNER_AUTH to it; it is sent only inside a salted\n"
"session.\n"
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
	}
	print_name(name);
	printf("\n");
	r = CLI_OK;
out:
	tpm_close(&tpm);
	return r;
}
