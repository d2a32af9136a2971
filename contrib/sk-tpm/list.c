/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm list: the resident credentials in TPM NV, one line each, and the
 * indices of our range that hold nothing usable.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "handle.h"
#include "hostkey.h"
#include "record.h"
#include "resident.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm list [--json] [--host-key PATH] [--tcti TCTI]\n"
"\n"
"Show the resident credentials libsk-tpm stored in the TPM, one a line:\n"
"  NV-INDEX  APPLICATION  USER  pin|no-pin  FINGERPRINT  [pcr=BINDING]\n"
"USER is the user id as text, as hex:... when it is not printable, or -\n"
"when empty. FINGERPRINT is what ssh-keygen -l prints for the key.\n"
"pcr=sha256:7,14 ends the line of a key bound to those PCRs (SK_TPM_PCRS\n"
"at enrollment); \"sk-tpm doctor\" says whether they still match;\n"
"\"unlockable\" ends the line of a key enrolled with SK_TPM_UNLOCK.\n"
"Indices of the sk-tpm range without a usable record (corrupt, made under\n"
"another TPM's storage key, or never written) are counted at the end;\n"
"remove them with \"sk-tpm delete --index\".\n"
"The last line describes sshd's TPM host key when its file exists:\n"
"  host key: PATH  APPLICATION  pin|no-pin  touch|no-touch  FINGERPRINT\n"
"  this TPM|not this TPM: WHY\n"
"(\"sk-tpm host-key\" makes it; --json leaves it out).\n"
"Then one line per unlock window (a PIN given for an unlockable key):\n"
"  unlock window: REF open until TIME|ended TIME  [NV-INDEX APPLICATION FP]\n"
"(\"sk-tpm lock\" closes them; --json leaves them out).\n"
"\n"
"Options:\n"
"  --json       one JSON object instead of lines\n"
"  --host-key PATH  the host key file (default " HOST_KEY_DEFAULT ")\n"
"  --tcti TCTI  the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help       this text\n",
	    f);
}

static bool
usable(const struct resident_list *list, uint32_t index)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->items[i].index == index)
			return true;
	return false;
}

/* The indices that are defined but hold no usable record. */
static size_t
unusable(const struct resident_list *list, uint32_t out[TPM_NV_SLOTS])
{
	size_t i, n = 0;

	for (i = 0; i < list->nused; i++)
		if (!usable(list, list->used[i]))
			out[n++] = list->used[i];
	return n;
}

static int
print_text(const struct resident_list *list)
{
	uint32_t bad[TPM_NV_SLOTS];
	struct cli_shown s;
	size_t i, nbad;

	for (i = 0; i < list->count; i++) {
		if (cli_describe(&list->items[i], &s) != 0) {
			cli_error("cannot compute a fingerprint");
			return CLI_FAIL;
		}
		printf("0x%08x  %s  %s  %s  %s%s%s%s\n", list->items[i].index,
		    s.application, s.user, s.pin ? "pin" : "no-pin",
		    s.fingerprint, s.pcrs[0] ? "  pcr=" : "", s.pcrs,
		    list->items[i].kh->version == KH_VERSION_UNLOCK ?
		    "  unlockable" : "");
	}
	if (list->skipped > 0)
		printf("skipped: %zu (corrupt, or made under another TPM's "
		    "storage key; SK_TPM_DEBUG=1 says why)\n", list->skipped);
	if (list->unwritten > 0)
		printf("unwritten: %zu (defined but never written: an "
		    "enrollment cut short)\n", list->unwritten);
	if (list->nforeign > 0) {
		printf("foreign:");
		for (i = 0; i < list->nforeign; i++)
			printf(" 0x%08x", list->foreign[i]);
		printf(" (not sk-tpm records: another program's indices in "
		    "the sk-tpm range; not read)\n");
	}
	if ((nbad = unusable(list, bad)) > 0) {
		printf("unusable indices:");
		for (i = 0; i < nbad; i++)
			printf(" 0x%08x", bad[i]);
		printf(" (remove with \"sk-tpm delete --index\")\n");
	}
	return CLI_OK;
}

/* A JSON string from UTF-8 (the record decoder accepts nothing else):
 * multi-byte characters as they are, control characters as \u00XX. */
static void
json_string(const uint8_t *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			printf("\\u%04x", s[i]);
		else
			putchar(s[i]);
	}
	putchar('"');
}

static int
print_json(const struct resident_list *list)
{
	uint32_t bad[TPM_NV_SLOTS];
	struct cli_shown s;
	const struct rec *rec;
	size_t i, j, nbad;

	printf("{\"credentials\":[");
	for (i = 0; i < list->count; i++) {
		rec = list->items[i].rec;
		if (cli_describe(&list->items[i], &s) != 0) {
			cli_error("cannot compute a fingerprint");
			return CLI_FAIL;
		}
		printf("%s{\"index\":\"0x%08x\",\"application\":",
		    i > 0 ? "," : "", list->items[i].index);
		json_string((const uint8_t *)rec->application,
		    strlen(rec->application));
		printf(",\"user\":");
		json_string((const uint8_t *)s.user, strlen(s.user));
		printf(",\"user_hex\":\"");
		for (j = 0; j < rec->user_id_len; j++)
			printf("%02x", rec->user_id[j]);
		printf("\",\"pin\":%s,\"touch\":%s,\"fingerprint\":\"%s\"",
		    s.pin ? "true" : "false", s.touch ? "true" : "false",
		    s.fingerprint);
		if (s.pcrs[0] != '\0')
			printf(",\"pcrs\":\"%s\"}", s.pcrs);
		else
			printf(",\"pcrs\":null}");
	}
	printf("],\"skipped\":%zu,\"unwritten\":%zu,\"unusable\":[",
	    list->skipped, list->unwritten);
	nbad = unusable(list, bad);
	for (i = 0; i < nbad; i++)
		printf("%s\"0x%08x\"", i > 0 ? "," : "", bad[i]);
	printf("],\"foreign\":[");
	for (i = 0; i < list->nforeign; i++)
		printf("%s\"0x%08x\"", i > 0 ? "," : "", list->foreign[i]);
	printf("]}\n");
	return CLI_OK;
}

int
cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "host-key", required_argument, NULL, 'k' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct resident_list list;
	struct tpm *tpm = NULL;
	const char *host_key = HOST_KEY_DEFAULT;
	bool json = false;
	int ch, r;

	memset(&list, 0, sizeof(list));
	while ((ch = getopt_long(argc, argv, "+:hj", opts, NULL)) != -1) {
		if (ch == 'j') {
			json = true;
			continue;
		}
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

	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		goto out;
	if (resident_load(tpm, &list) != 0) {
		r = cli_fail("cannot read the resident credentials");
		goto out;
	}
	r = json ? print_json(&list) : print_text(&list);
	if (r == CLI_OK && !json)
		unlock_windows_list(&list);
	if (r == CLI_OK && !json)
		r = host_key_list(tpm, host_key);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the list");
		r = CLI_FAIL;
	}
out:
	resident_list_free(&list);
	tpm_close(&tpm);
	return r;
}
