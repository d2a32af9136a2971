/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which AK an `sk-tpm attest` command works with (attest-which.h).
 */
#include <stdlib.h>
#include <string.h>

#include "attest-which.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "tpm-attest.h"

int
attest_ak_parse(const char *word)
{
	if (strcmp(word, "es256") == 0)
		return TPM_AK_ES256;
	if (strcmp(word, "rs1") == 0)
		return TPM_AK_RS1;
	return -1;
}

int
attest_ak_configured(void)
{
	struct sk_config cfg;
	const char *v;
	int alg;

	/* Only what config_attest_alg reads: another malformed variable
	 * concerns other commands. */
	memset(&cfg, 0, sizeof(cfg));
	if ((v = getenv("SK_TPM_ATTEST_ALG")) != NULL && *v != '\0')
		cfg.attest_alg = v;
	if ((v = getenv("SK_TPM_CONFIG")) != NULL && *v != '\0')
		cfg.config_file = v;
	if (config_attest_alg(&cfg, &alg) != 0) {
		cli_error("%s", log_last_error() != NULL ? log_last_error() :
		    "the attestation-alg setting is malformed");
		log_reset();
		return -1;
	}
	return alg == SK_ATTEST_RS1 ? TPM_AK_RS1 : TPM_AK_ES256;
}

const char *
attest_ak_word(int kind)
{
	return kind == TPM_AK_RS1 ? "rs1" : "es256";
}

const char *
attest_ak_prefix(int kind)
{
	return kind == TPM_AK_RS1 ? "ak-rs1" : "ak";
}
