/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm: what every command shares (cli.h). Error lines on stderr, the
 * options every command takes (--tcti, --help) and the usage errors of
 * the rest, and opening the TPM as the library does, with the owner
 * password. main.c hands over to a command; the commands come here.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sk-tpm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->cmd != NULL)
		cli_error("%s; see \"sk-tpm %s --help\"", msg, cli->cmd);
	else
		cli_error("%s; see \"sk-tpm --help\"", msg);
	return CLI_USAGE;
}

int
cli_fail(const char *fallback)
{
	fflush(stdout);
	if (log_last_error() != NULL)
		log_flush();
	else
		cli_error("%s", fallback);
	return CLI_FAIL;
}

int
cli_option(struct cli *cli, int ch, char **argv)
{
	const char *arg;
	size_t len;

	switch (ch) {
	case 'T':
		if (*optarg == '\0')
			return cli_usage_error(cli,
			    "--tcti needs a TCTI string");
		cli->tcti = optarg;
		cli->tcti_source = "--tcti";
		return 0;
	case 'h':
		return CLI_HELP;
	default:
		break;
	}
	/* getopt_long leaves the offending word behind optind; for a long
	 * option that is the only reliable name (optopt holds its value). */
	arg = optind > 0 ? argv[optind - 1] : "";
	if (strncmp(arg, "--", 2) == 0) {
		len = strcspn(arg, "=");
		if (ch == ':')
			return cli_usage_error(cli, "%.*s needs an argument",
			    (int)len, arg);
		return cli_usage_error(cli, "unknown option %.*s", (int)len,
		    arg);
	}
	if (ch == ':')
		return cli_usage_error(cli, "-%c needs an argument", optopt);
	return cli_usage_error(cli, "unknown option -%c", optopt);
}

int
cli_no_operands(const struct cli *cli, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument \"%s\"",
		    argv[optind]);
	return CLI_OK;
}

int
cli_common_only(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int ch, r;

	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1)
		if ((r = cli_option(cli, ch, argv)) != 0)
			return r;
	return cli_no_operands(cli, argc, argv);
}

int
cli_open(const struct cli *cli, struct tpm **tpm)
{
	*tpm = NULL;
	if (tpm_open(cli->tcti, tpm) != 0)
		return cli_fail("cannot open the TPM");
	if (tpm_set_owner_auth(*tpm, cli->owner_auth) != 0) {
		tpm_close(tpm);
		return cli_fail("cannot use SK_TPM_OWNER_AUTH");
	}
	return CLI_OK;
}
