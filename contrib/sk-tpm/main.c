/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm: list, delete and diagnose what libsk-tpm keeps in the TPM.
 * This file reads the global options and the environment, then hands over
 * to one command file (list.c, delete.c, doctor.c, setup.c, attest.c for
 * verify-attestation, attest-cmd.c for attest); what the commands share
 * is in cli.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "log.h"

#ifndef SK_TPM_VERSION
#define SK_TPM_VERSION "unknown"
#endif

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm [--tcti TCTI] COMMAND [OPTIONS]\n"
"       sk-tpm --help | --version\n"
"\n"
"Resident SSH credentials of libsk-tpm in TPM NV, and TPM diagnostics.\n"
"\n"
"Commands:\n"
"  list      show the resident credentials stored in the TPM\n"
"  delete    remove one resident credential\n"
"  doctor    check that this TPM and this account can use sk-tpm\n"
"  setup     make the standard SRK persistent (faster signatures)\n"
"  host-key  make sshd's host key in the TPM (no PIN, no touch)\n"
"  verify-attestation  check an ssh-keygen -O write-attestation file\n"
"  attest    export the AK and EK certificates; install-cert the AK's\n"
"  lock      close unlock windows: the next signature asks for the PIN\n"
"\n"
"Options:\n"
"  --tcti TCTI  the TPM to use, a tpm2-tss TCTI string such as\n"
"               device:/dev/tpmrm0 (overrides SK_TPM_TCTI)\n"
"  --help       this text; \"sk-tpm COMMAND --help\" for a command\n"
"  --version    the version of sk-tpm\n"
"\n"
"Environment: SK_TPM_TCTI, SK_TPM_OWNER_AUTH, SK_TPM_TIMEOUT, SK_TPM_DEBUG.\n"
"See sk-tpm(1).\n",
	    f);
}

static const struct {
	const char *name;
	int (*run)(struct cli *, int, char **);
} commands[] = {
	{ "list", cmd_list },
	{ "delete", cmd_delete },
	{ "doctor", cmd_doctor },
	{ "setup", cmd_setup },
	{ "host-key", cmd_host_key },
	{ "verify-attestation", cmd_verify_attestation },
	{ "attest", cmd_attest },
	{ "lock", cmd_lock },
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char config_error[512];
	struct sk_config cfg;
	struct cli cli;
	const char *name;
	size_t i;
	int ch, first, r;

	memset(&cli, 0, sizeof(cli));
	/*
	 * Before any tpm2-tss call: this silences tpm2-tss's own logging
	 * unless SK_TPM_DEBUG is set. A malformed variable (today only
	 * SK_TPM_PRESENCE, read after the ones used here) concerns signing,
	 * not list or delete; the doctor reports it.
	 */
	if (config_load(&cfg) != 0) {
		snprintf(config_error, sizeof(config_error), "%s",
		    log_last_error() != NULL ? log_last_error() :
		    "the environment is malformed");
		cli.config_error = config_error;
		log_reset();
	}
	cli.tcti = cfg.tcti;
	cli.tcti_source = cfg.tcti != NULL ? "SK_TPM_TCTI" : NULL;
	cli.owner_auth = cfg.owner_auth;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (ch == 'V') {
			printf("sk-tpm %s\n", SK_TPM_VERSION);
			return CLI_OK;
		}
		if ((r = cli_option(&cli, ch, argv)) == CLI_HELP) {
			usage(stdout);
			return CLI_OK;
		}
		if (r != 0)
			return r;
	}
	if (optind >= argc)
		return cli_usage_error(&cli, "no command given");
	name = argv[optind];
	if (strcmp(name, "help") == 0) {
		/* "sk-tpm help delete" is "sk-tpm delete --help". */
		if (optind + 1 >= argc) {
			usage(stdout);
			return CLI_OK;
		}
		name = argv[optind + 1];
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			char help[] = "--help", *hargv[3];

			if (strcmp(name, commands[i].name) != 0)
				continue;
			cli.cmd = commands[i].name;
			hargv[0] = argv[optind + 1];
			hargv[1] = help;
			hargv[2] = NULL;
			/* getopt starts afresh on hargv, not where the
			 * global options left it (past the end of hargv). */
			optind = 0;
			return commands[i].run(&cli, 2, hargv);
		}
		return cli_usage_error(&cli, "unknown command \"%s\"", name);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		cli.cmd = commands[i].name;
		first = optind;
		/* The command parses its own options from argv[0] = its
		 * name; optind = 0 makes getopt start afresh. */
		optind = 0;
		return commands[i].run(&cli, argc - first, argv + first);
	}
	return cli_usage_error(&cli, "unknown command \"%s\"", name);
}
