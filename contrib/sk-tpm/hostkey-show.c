/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm list and doctor on the host key (hostkey.h): list prints what the
 * file is and whether this TPM made it; the doctor also has the TPM sign a
 * test message with it, as sshd would at a connection (no PIN, no touch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "doctor-checks.h"
#include "flows.h"
#include "hostkey.h"
#include "log.h"
#include "sk-api.h"

/* What a key is, in words both commands use. */
struct hk_shown {
	char application[4 * 1024 + 1];
	char fingerprint[CLI_FP_LEN];
	const char *pin;		/* "pin", "no-pin" or "?" */
	const char *touch;		/* "touch", "no-touch" or "?" */
	int ours;			/* 1, 0, -1 (TPM not asked) */
	const char *why;		/* ours == 0: why not */
};

static int
hk_describe(struct tpm *tpm, const struct sshkey_sk *k, struct hk_shown *s)
{
	memset(s, 0, sizeof(*s));
	cli_safe_text(k->application, s->application, sizeof(s->application));
	if (cli_fingerprint(k->point, k->application, s->fingerprint) != 0)
		return -1;
	s->pin = s->touch = "?";
	s->ours = -1;
	if (!k->have_private)
		return 0;
	s->pin = k->flags & SSH_SK_USER_VERIFICATION_REQD ? "pin" : "no-pin";
	s->touch = k->flags & SSH_SK_USER_PRESENCE_REQD ? "touch" : "no-touch";
	if (tpm != NULL) {
		log_reset();
		s->ours = host_key_is_ours(tpm, k, &s->why);
		log_reset();
	}
	return 0;
}

int
host_key_list(struct tpm *tpm, const char *path)
{
	struct sshkey_sk k;
	struct hk_shown s;
	char why[256], safe_path[4 * 1024 + 1];
	int r;

	cli_safe_text(path, safe_path, sizeof(safe_path));
	r = host_key_read(path, &k, why, sizeof(why));
	if (r == HOST_KEY_ABSENT) {
		host_key_free(&k);
		return CLI_OK;
	}
	if (r != HOST_KEY_OK) {
		host_key_free(&k);
		printf("host key: %s  unreadable: %s\n", safe_path, why);
		return CLI_OK;
	}
	if (hk_describe(tpm, &k, &s) != 0) {
		host_key_free(&k);
		cli_error("cannot compute a fingerprint");
		return CLI_FAIL;
	}
	printf("host key: %s  %s  %s  %s  %s  %s%s\n", safe_path,
	    s.application, s.pin, s.touch, s.fingerprint,
	    !k.have_private ? "(from the .pub: the private file is missing "
	    "or not readable here)" : s.ours < 0 ? "(TPM not asked)" : s.ours ?
	    "this TPM" : "not this TPM: ", s.ours == 0 && s.why != NULL ?
	    s.why : "");
	host_key_free(&k);
	return CLI_OK;
}

/* The TPM signs a test message with the key, as for sshd. */
static int
hk_sign(const struct cli *cli, const struct sshkey_sk *k, char *err,
    size_t errlen)
{
	static const uint8_t data[] = "sk-tpm doctor: host key test";
	struct sk_sign_response *resp = NULL;
	struct sk_config cfg;
	int r;

	log_reset();
	if (config_load(&cfg) != 0) {
		snprintf(err, errlen, "%s", log_last_error() != NULL ?
		    log_last_error() : "the environment is malformed");
		log_reset();
		return -1;
	}
	cfg.tcti = cli->tcti;
	/* As sshd does for host keys: no presence asked. */
	r = sign_run(&cfg, SSH_SK_ECDSA, data, sizeof(data) - 1,
	    k->application, k->handle, k->handle_len,
	    k->flags & ~SSH_SK_USER_PRESENCE_REQD, NULL, &resp);
	if (r != 0)
		library_error(err, errlen, "the signature failed");
	if (resp != NULL) {
		free(resp->sig_r);
		free(resp->sig_s);
		free(resp);
	}
	log_reset();
	return r == 0 ? 0 : -1;
}

void
check_host_key(struct doctor *d, const struct cli *cli, const char *path)
{
	struct tpm *tpm = NULL;
	struct sshkey_sk k;
	struct hk_shown s;
	char why[256], err[512], safe_path[4 * 1024 + 1];
	int r;

	cli_safe_text(path, safe_path, sizeof(safe_path));
	r = host_key_read(path, &k, why, sizeof(why));
	if (r == HOST_KEY_ABSENT) {
		report(d, INFO, "host key: none at %s (\"sk-tpm host-key\" "
		    "makes one)", safe_path);
		goto out;
	}
	if (r != HOST_KEY_OK) {
		report(d, FAIL, "host key: %s: %s", safe_path, why);
		goto out;
	}
	/* Its own connection, closed again before the signature opens
	 * another (a TPM simulator serves one at a time). */
	log_reset();
	if (k.have_private && tpm_open(cli->tcti, &tpm) != 0) {
		report(d, FAIL, "host key: %s: %s", safe_path,
		    library_error(err, sizeof(err), "cannot open the TPM"));
		goto out;
	}
	r = hk_describe(tpm, &k, &s);
	tpm_close(&tpm);
	if (r != 0) {
		report(d, FAIL, "host key: %s: cannot compute its fingerprint",
		    safe_path);
		goto out;
	}
	if (!k.have_private) {
		report(d, INFO, "host key: %s (%s %s, from the .pub): the "
		    "private file is missing or not readable by this account "
		    "(run the doctor as root to check it)", safe_path,
		    s.application, s.fingerprint);
		goto out;
	}
	if (k.flags & SSH_SK_USER_VERIFICATION_REQD) {
		report(d, FAIL, "host key: %s needs a PIN, which sshd cannot "
		    "type; make it again with \"sk-tpm host-key --force\"",
		    safe_path);
		goto out;
	}
	if (s.ours < 0) {
		report(d, FAIL, "host key: %s: cannot read the SRK's Name",
		    safe_path);
		goto out;
	}
	if (s.ours == 0) {
		report(d, FAIL, "host key: %s cannot sign: %s; sshd serves "
		    "its other host keys only", safe_path, s.why);
		goto out;
	}
	if (hk_sign(cli, &k, err, sizeof(err)) != 0) {
		report(d, FAIL, "host key: %s cannot sign: %s", safe_path,
		    err);
		goto out;
	}
	report(d, OK, "host key: %s (%s %s, %s, %s) signed a test message "
	    "as sshd would", safe_path, s.application, s.fingerprint, s.pin,
	    s.touch);
out:
	host_key_free(&k);
}
