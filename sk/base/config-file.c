/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The config file (config.h): which file, and the value of one setting in
 * it. Lines are "name = value", blank, or comments starting with '#'; a
 * name sk-tpm does not know is an error, so that a misspelt setting is
 * not silently ignored. The settings: "pcrs" (pcr-bind.h),
 * "attestation-alg" (config_attest_alg) and "unlock" (unlock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define LINE_MAX_LEN	256

static const char *const known[] = { "pcrs", "attestation-alg", "unlock" };

/* The config file to read, into path; 0 if there is none. */
static int
config_path(const struct sk_config *cfg, char *path, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (cfg->config_file != NULL) {
		snprintf(path, len, "%s", cfg->config_file);
		return 1;
	}
	if (xdg != NULL && *xdg == '/')
		snprintf(path, len, "%s/sk-tpm/config", xdg);
	else if (home != NULL && *home == '/')
		snprintf(path, len, "%s/.config/sk-tpm/config", home);
	else
		path[0] = '\0';
	if (path[0] != '\0' && access(path, F_OK) == 0)
		return 1;
	snprintf(path, len, "/etc/sk-tpm/config");
	return access(path, F_OK) == 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
is_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i]) == 0)
			return 1;
	return 0;
}

int
config_file_value(const struct sk_config *cfg, const char *name, char *value,
    size_t len)
{
	char path[4096], line[LINE_MAX_LEN], *p, *eq;
	FILE *f = NULL;
	unsigned n = 0;
	int r = -1;

	value[0] = '\0';
	if (!config_path(cfg, path, sizeof(path)))
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		sk_error("cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			sk_error("%s:%u: expected \"name = value\"", path, n);
			goto out;
		}
		*eq = '\0';
		if (!is_known(trim(p))) {
			sk_error("%s:%u: unknown setting \"%s\"", path, n,
			    trim(p));
			goto out;
		}
		if (strcmp(trim(p), name) == 0)
			snprintf(value, len, "%s", trim(eq + 1));
	}
	r = 0;
out:
	if (f != NULL)
		fclose(f);
	return r;
}

int
config_attest_alg(const struct sk_config *cfg, int *alg)
{
	char from_file[LINE_MAX_LEN];
	const char *v = cfg->attest_alg, *what = "SK_TPM_ATTEST_ALG";

	*alg = SK_ATTEST_ES256;
	if (v == NULL) {
		if (config_file_value(cfg, "attestation-alg", from_file,
		    sizeof(from_file)) != 0)
			return -1;
		if (from_file[0] == '\0')
			return 0;
		v = from_file;
		what = "the attestation-alg setting";
	}
	if (strcmp(v, "es256") == 0)
		*alg = SK_ATTEST_ES256;
	else if (strcmp(v, "rs1") == 0)
		*alg = SK_ATTEST_RS1;
	else {
		sk_error("%s=%s is not understood; use es256 (the default) or "
		    "rs1 (an RSA-2048 AK signing with SHA-1, for CAs that "
		    "verify with libfido2)", what, v);
		return -1;
	}
	return 0;
}
