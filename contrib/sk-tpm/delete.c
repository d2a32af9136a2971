/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm delete: remove one resident credential, chosen by application and
 * user or by NV index, after asking. By index it also removes what list
 * calls unusable (corrupt, foreign, never written), which the library
 * itself never deletes, but never anything outside our range.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "handle.h"
#include "record.h"
#include "resident.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm delete --application APP [--user USER] [--yes] [--tcti TCTI]\n"
"       sk-tpm delete --index INDEX [--yes] [--tcti TCTI]\n"
"\n"
"Remove one resident credential from the TPM, after asking on the\n"
"terminal (or on standard input when there is none).\n"
"\n"
"Options:\n"
"  --application APP  the credential's application, e.g. ssh:work\n"
"  --user USER        its user id, as \"sk-tpm list\" shows it; needed\n"
"                     when the application has several credentials\n"
"                     (--user '' for an empty user id)\n"
"  --index INDEX      the NV index \"sk-tpm list\" shows, e.g. 0x01a5c500;\n"
"                     also removes unusable records of the sk-tpm range\n"
"                     and other programs' indices in it (the question\n"
"                     says so)\n"
"  --yes              do not ask\n"
"  --tcti TCTI        the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help             this text\n"
"\n"
"Removing an index needs the TPM owner password when one is set: put it in\n"
"SK_TPM_OWNER_AUTH. Key files made from the credential stop working.\n",
	    f);
}

/* "0x01a5c5NN" (or without 0x) inside our range. */
static int
parse_index(const struct cli *cli, const char *s, uint32_t *index)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (*s == '\0' || *s == '-' || *s == '+' || *end != '\0' ||
	    errno != 0 || v > 0xffffffffUL)
		return cli_usage_error(cli, "--index %s is not a hexadecimal "
		    "NV index", s);
	if (v < TPM_NV_FIRST || v > TPM_NV_LAST)
		return cli_usage_error(cli, "--index 0x%08lx is outside the "
		    "sk-tpm range 0x%08x..0x%08x", v, TPM_NV_FIRST,
		    TPM_NV_LAST);
	*index = (uint32_t)v;
	return CLI_OK;
}

/* Ask question; true only for an answer of y or yes. The terminal when
 * there is one, so that a pipe into sk-tpm cannot answer by accident;
 * standard input otherwise (scripts, tests). */
static bool
confirm(const char *question)
{
	char line[64];
	FILE *in = NULL, *out = stderr;
	bool yes = false;
	size_t n;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) != -1) {
		if ((in = fdopen(fd, "r+")) == NULL)
			close(fd);
		else
			out = in;
	}
	fprintf(out, "%s [y/N] ", question);
	fflush(out);
	if (fgets(line, sizeof(line), in != NULL ? in : stdin) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		yes = strcasecmp(line, "y") == 0 ||
		    strcasecmp(line, "yes") == 0;
	}
	/* A terminal echoed the answer and its newline; standard input
	 * did not, so end the prompt's line here. */
	if (in == NULL || feof(in))
		fputc('\n', out);
	if (in != NULL)
		fclose(in);
	return yes;
}

/* The one credential for application (and user, when given). */
static int
find_by_application(const struct resident_list *list, const char *app,
    const char *user, const struct resident **found)
{
	const struct resident *res;
	char safe[4 * REC_APP_MAX + 1], usafe[4 * CLI_USER_LEN + 1];
	size_t i, n = 0;

	*found = NULL;
	for (i = 0; i < list->count; i++) {
		res = &list->items[i];
		if (strcmp(res->rec->application, app) != 0)
			continue;
		if (user != NULL && !cli_user_matches(res->rec->user_id,
		    res->rec->user_id_len, user))
			continue;
		*found = res;
		n++;
	}
	cli_safe_text(app, safe, sizeof(safe));
	if (user != NULL)
		cli_safe_text(user, usafe, sizeof(usafe));
	if (n == 0) {
		cli_error("no resident credential for application %s%s%s%s%s",
		    safe, user != NULL ? " and user \"" : "",
		    user != NULL ? usafe : "", user != NULL ? "\"" : "",
		    strncmp(app, "ssh:", 4) != 0 ?
		    " (OpenSSH applications start with ssh:)" : "");
		return CLI_FAIL;
	}
	if (n > 1) {
		*found = NULL;
		cli_error("%zu resident credentials match application %s%s; "
		    "choose one with %s (see \"sk-tpm list\")", n, safe,
		    user != NULL ? " and that user" : "",
		    user != NULL ? "--index" : "--user or --index");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* Whether the index still holds exactly the record res was read from (the
 * encoding is unique, so re-encoding gives its bytes). */
static bool
unchanged(struct tpm *tpm, const struct resident *res)
{
	uint8_t *now = NULL, *then = NULL;
	size_t now_len = 0, then_len = 0;
	bool same;

	same = tpm_nv_read(tpm, res->index, &now, &now_len) == 0 &&
	    rec_encode(res->rec, &then, &then_len) == KH_OK &&
	    now_len == then_len && memcmp(now, then, now_len) == 0;
	free(now);
	free(then);
	return same;
}

int
cmd_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "application", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "index", required_argument, NULL, 'i' },
		{ "yes", no_argument, NULL, 'y' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *app = NULL, *user = NULL, *index_arg = NULL;
	const struct resident *res = NULL;
	struct resident_list list;
	struct cli_shown s;
	struct tpm *tpm = NULL;
	char what[2 * sizeof(s) + 64], question[sizeof(what) + 32];
	uint32_t index = 0;
	bool yes = false, defined = false, foreign = false;
	size_t i;
	int ch, r;

	memset(&list, 0, sizeof(list));
	while ((ch = getopt_long(argc, argv, "+:hy", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			app = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'i':
			index_arg = optarg;
			break;
		case 'y':
			yes = true;
			break;
		default:
			if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
				usage(stdout);
				return CLI_OK;
			}
			if (r != 0)
				return r;
		}
	}
	if ((r = cli_no_operands(cli, argc, argv)) != CLI_OK)
		return r;
	if ((app == NULL) == (index_arg == NULL))
		return cli_usage_error(cli, "name the credential with either "
		    "--application or --index");
	if (user != NULL && app == NULL)
		return cli_usage_error(cli, "--user goes with --application");
	if (app != NULL && *app == '\0')
		return cli_usage_error(cli, "--application is empty");
	if (index_arg != NULL &&
	    (r = parse_index(cli, index_arg, &index)) != CLI_OK)
		return r;

	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		goto out;
	r = CLI_FAIL;
	if (resident_load(tpm, &list) != 0) {
		r = cli_fail("cannot read the resident credentials");
		goto out;
	}
	if (app != NULL) {
		if ((r = find_by_application(&list, app, user, &res)) !=
		    CLI_OK)
			goto out;
		r = CLI_FAIL;
		index = res->index;
	} else {
		for (i = 0; i < list.nused; i++)
			if (list.used[i] == index)
				defined = true;
		if (!defined) {
			cli_error("NV index 0x%08x is not defined (see "
			    "\"sk-tpm list\")", index);
			goto out;
		}
		for (i = 0; i < list.count; i++)
			if (list.items[i].index == index)
				res = &list.items[i];
		for (i = 0; i < list.nforeign; i++)
			if (list.foreign[i] == index)
				foreign = true;
	}

	if (res != NULL) {
		if (cli_describe(res, &s) != 0) {
			cli_error("cannot compute a fingerprint");
			goto out;
		}
		snprintf(what, sizeof(what), "resident credential 0x%08x "
		    "(application %s, user %s, %s)", index, s.application,
		    s.user, s.fingerprint);
	} else if (foreign)
		snprintf(what, sizeof(what), "NV index 0x%08x (NOT an sk-tpm "
		    "record: another program defined it in the sk-tpm range; "
		    "that program may still need it)", index);
	else
		snprintf(what, sizeof(what), "NV index 0x%08x (no usable "
		    "sk-tpm record: corrupt, from another TPM, or never "
		    "written)", index);
	snprintf(question, sizeof(question), "Delete %s?", what);
	if (!yes && !confirm(question)) {
		cli_error("not deleted");
		goto out;
	}
	/* The answer may have taken a while: remove only what was shown. */
	if (res != NULL && !unchanged(tpm, res)) {
		cli_error("NV index 0x%08x changed while you were asked; not "
		    "deleted (see \"sk-tpm list\")", index);
		goto out;
	}
	if (tpm_nv_delete(tpm, index) != 0) {
		r = cli_fail("cannot remove the NV index");
		goto out;
	}
	printf("deleted %s\n", what);
	r = CLI_OK;
out:
	resident_list_free(&list);
	tpm_close(&tpm);
	return r;
}
