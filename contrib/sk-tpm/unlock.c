/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unlock windows (doc/unlock.md) in the sk-tpm tool: "sk-tpm lock [KEY...]"
 * removes the tickets of the keys named (every ticket when none is), and
 * "sk-tpm list" ends with one line per window, naming its key when it is
 * a resident one. A ticket is removed, never trusted: what is shown is
 * the end its file claims; the TPM decides whether it still opens
 * anything (it does not after a reboot, a suspend or a TPM reset).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "handle.h"
#include "hostkey.h"
#include "resident.h"
#include "sshkey-file.h"
#include "ticket-file.h"
#include "ticket-store.h"

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm lock [KEY...]\n"
"\n"
"Close the unlock windows of the keys named by their private key files\n"
"(ssh-keygen's files), or of every key when none is named: the next\n"
"signature asks for the PIN again. \"sk-tpm list\" shows open windows.\n"
"\n"
"Options:\n"
"  --help       this text\n",
	    f);
}

static void
remove_one(void *ctx, const char *name)
{
	int *n = ctx;

	if (ticket_store_remove(name) == 0)
		(*n)++;
}

/* The ticket of the key in file path removed. CLI_OK or CLI_FAIL. */
static int
lock_key(const char *path)
{
	struct sshkey_sk k;
	struct kh *kh = NULL;
	char why[256], name[TICKET_NAME_LEN];
	int r = CLI_FAIL;

	if (host_key_read(path, &k, why, sizeof(why)) != HOST_KEY_OK ||
	    !k.have_private) {
		cli_error("%s: not a readable sk-ecdsa private key file%s%s",
		    path, why[0] ? ": " : "", why);
		goto out;
	}
	if (kh_decode(k.handle, k.handle_len, &kh) != KH_OK) {
		cli_error("%s: not a key of sk-tpm", path);
		goto out;
	}
	if (kh->version != KH_VERSION_UNLOCK) {
		cli_error("%s: not an unlockable key (enroll with "
		    "SK_TPM_UNLOCK)", path);
		goto out;
	}
	ticket_file_name(kh->policy_ref, name);
	if (ticket_store_remove(name) < 0) {
		cli_error("%s: cannot remove its ticket", path);
		goto out;
	}
	r = CLI_OK;
out:
	kh_free(&kh);
	host_key_free(&k);
	return r;
}

int
cmd_lock(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int ch, i, n = 0, r;

	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			usage(stdout);
			return CLI_OK;
		}
		if (r != 0)
			return r;
	}
	if (optind == argc) {
		(void)ticket_store_each(remove_one, &n);
		return CLI_OK;
	}
	r = CLI_OK;
	for (i = optind; i < argc; i++)
		if (lock_key(argv[i]) != CLI_OK)
			r = CLI_FAIL;
	return r;
}

struct show {
	const struct resident_list *list;
	time_t now;
};

/* The resident credential whose handle has this policyRef, or NULL. */
static const struct resident *
owner_of(const struct resident_list *list, const uint8_t ref[KH_REF_LEN])
{
	const struct kh *kh;
	size_t i;

	for (i = 0; list != NULL && i < list->count; i++) {
		kh = list->items[i].kh;
		if (kh->version == KH_VERSION_UNLOCK &&
		    CRYPTO_memcmp(kh->policy_ref, ref, KH_REF_LEN) == 0)
			return &list->items[i];
	}
	return NULL;
}

static void
show_one(void *ctx, const char *name)
{
	const struct show *s = ctx;
	const struct resident *res;
	struct unlock_ticket t;
	struct cli_shown shown;
	uint8_t buf[TICKET_MAX_LEN + 1];
	char when[64], ref[2 * KH_REF_LEN + 1];
	struct tm tm;
	time_t end;
	size_t len;

	if (ticket_store_read(name, buf, sizeof(buf), &len) != 0 ||
	    ticket_decode(buf, len, &t, NULL) != 0) {
		printf("unlock window: %s unreadable (removed at the next "
		    "signature)\n", name);
		return;
	}
	snprintf(ref, sizeof(ref), "%.*s", 2 * KH_REF_LEN, name);
	end = (time_t)t.end;
	if (localtime_r(&end, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)end);
	printf("unlock window: %s %s %s", ref,
	    end > s->now ? "open until" : "ended", when);
	res = owner_of(s->list, t.policy_ref);
	if (res != NULL && cli_describe(res, &shown) == 0)
		printf("  0x%08x  %s  %s", res->index, shown.application,
		    shown.fingerprint);
	printf("\n");
}

void
unlock_windows_list(const struct resident_list *list)
{
	struct show s = { list, time(NULL) };

	(void)ticket_store_each(show_one, &s);
}
