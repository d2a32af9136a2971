/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The environment, read in one place.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

#ifndef SK_TPM_VERSION
#error "SK_TPM_VERSION must come from the CMake project version"
#endif

/* A person answering a dialog; a FIDO token waits about as long for a
 * touch. */
#define PRESENCE_TIMEOUT_MS	60000
/*
 * The longest wait for one TPM answer. The TCG PC Client TPM profile
 * allows an ordinary command 2 s (its "long" duration); only key
 * generation may take longer: ECC keys take well under a second on real
 * chips, the opt-in RS1 AK's RSA-2048 generation (SK_TPM_ATTEST_ALG=rs1)
 * can take seconds on some, which SK_TPM_TIMEOUT raises. A few seconds
 * more leave room for a resource manager's queue.
 */
#define TPM_TIMEOUT_S_DEFAULT	10
#define TPM_TIMEOUT_S_MAX	3600

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && *v != '\0') ? v : NULL;
}

/* SK_TPM_TIMEOUT as seconds, 0 if malformed, the default if unset. */
static int
tpm_timeout_s(void)
{
	const char *v = env_nonempty("SK_TPM_TIMEOUT");
	char *end;
	long s;

	if (v == NULL)
		return TPM_TIMEOUT_S_DEFAULT;
	s = strtol(v, &end, 10);
	if (*end != '\0' || v[0] < '0' || v[0] > '9' || s < 1 ||
	    s > TPM_TIMEOUT_S_MAX)
		return 0;
	return (int)s;
}

int
config_tpm_timeout_ms(void)
{
	int s = tpm_timeout_s();

	return (s > 0 ? s : TPM_TIMEOUT_S_DEFAULT) * 1000;
}

int
config_load(struct sk_config *cfg)
{
	const char *v;

	memset(cfg, 0, sizeof(*cfg));
	v = env_nonempty("SK_TPM_DEBUG");
	cfg->debug = v != NULL && strcmp(v, "0") != 0;
	log_set_debug(cfg->debug);
	/*
	 * tpm2-tss logs WARNING and ERROR lines to stderr for every failed
	 * command; inside ssh-sk-helper that is the user's terminal. Each
	 * tss2 module reads TSS2_LOG the first time it logs, so this must
	 * happen before any tss2 call. With SK_TPM_DEBUG the user's own
	 * TSS2_LOG (or tpm2-tss's default) applies.
	 */
	if (!cfg->debug)
		setenv("TSS2_LOG", "all+NONE", 1);

	cfg->tcti = env_nonempty("SK_TPM_TCTI");
	cfg->owner_auth = env_nonempty("SK_TPM_OWNER_AUTH");
	if (tpm_timeout_s() == 0) {
		sk_error("SK_TPM_TIMEOUT=%s is not understood; use a number "
		    "of seconds from 1 to %d", getenv("SK_TPM_TIMEOUT"),
		    TPM_TIMEOUT_S_MAX);
		return -1;
	}
	cfg->pcrs = env_nonempty("SK_TPM_PCRS");
	cfg->config_file = env_nonempty("SK_TPM_CONFIG");
	cfg->unlock = env_nonempty("SK_TPM_UNLOCK");

	cfg->presence_raw = env_nonempty("SK_TPM_PRESENCE");
	if (cfg->presence_raw != NULL) {
		if (strcmp(cfg->presence_raw, "assume") == 0)
			cfg->presence_assume = true;
		else if (strcmp(cfg->presence_raw, "confirm") != 0) {
			sk_error("SK_TPM_PRESENCE=%s is not understood; use "
			    "\"assume\" or \"confirm\"", cfg->presence_raw);
			return -1;
		}
	}

	/* The EK certificate names the TPM (a serial number): attestations
	 * carry it only when the owner says so. */
	v = env_nonempty("SK_TPM_ATTEST_EK");
	if (v != NULL && strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
		sk_error("SK_TPM_ATTEST_EK=%s is not understood; use 1 (EK "
		    "certificates in attestations) or 0", v);
		return -1;
	}
	cfg->attest_ek = v != NULL && strcmp(v, "1") == 0;
	/* Checked where it is used (config_attest_alg), with the config
	 * file's setting. */
	cfg->attest_alg = env_nonempty("SK_TPM_ATTEST_ALG");

	cfg->presence_timeout_ms = PRESENCE_TIMEOUT_MS;
	cfg->askpass = env_nonempty("SSH_ASKPASS");
	v = env_nonempty("SSH_ASKPASS_REQUIRE");
	cfg->askpass_usable = cfg->askpass != NULL &&
	    (env_nonempty("DISPLAY") != NULL ||
	    env_nonempty("WAYLAND_DISPLAY") != NULL ||
	    (v != NULL && (strcmp(v, "force") == 0 ||
	    strcmp(v, "prefer") == 0)));
	if (v != NULL && strcmp(v, "never") == 0)
		cfg->askpass_usable = false;
	sk_debug("libsk-tpm %s; config: tcti=%s presence=%s askpass=%s",
	    SK_TPM_VERSION,
	    cfg->tcti != NULL ? cfg->tcti : "(default)",
	    cfg->presence_assume ? "assume" : "confirm",
	    cfg->askpass_usable ? "usable" : "no");
	return 0;
}
