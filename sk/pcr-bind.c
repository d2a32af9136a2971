/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCR binding at enrollment (see pcr-bind.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pcr-bind.h"
#include "sk-api.h"
#include "tpm.h"

#define LINE_MAX_LEN	256

int
pcr_bind_selection(const struct sk_config *cfg, uint32_t *mask)
{
	char from_file[LINE_MAX_LEN], err[256];
	const char *v = cfg->pcrs, *what = "SK_TPM_PCRS";

	*mask = 0;
	if (v == NULL) {
		if (config_file_value(cfg, "pcrs", from_file,
		    sizeof(from_file)) != 0)
			return -1;
		if (from_file[0] == '\0')
			return 0;
		v = from_file;
		what = "the pcrs setting";
	}
	if (policy_parse_pcrs(v, mask, err, sizeof(err)) != 0) {
		sk_error("%s=%s is not understood: %s", what, v, err);
		return -1;
	}
	if (policy_pcrs_refused(*mask, err, sizeof(err)) != 0) {
		sk_error("%s=%s: %s", what, v, err);
		*mask = 0;
		return -1;
	}
	return 0;
}

int
pcr_bind_prepare(const struct sk_config *cfg, struct tpm *t, bool with_pin,
    struct pcr_bind *b)
{
	size_t k = 0;
	unsigned i;
	int r;

	memset(b, 0, sizeof(*b));
	if (pcr_bind_selection(cfg, &b->mask) != 0)
		return SSH_SK_ERR_GENERAL;
	if (b->mask != 0 &&
	    (r = tpm_pcr_read(t, b->mask, b->values, &b->values_len)) != 0)
		return r;
	for (i = 0; i < POLICY_PCR_COUNT; i++) {
		if (!(b->mask & (1u << i)))
			continue;
		if (!policy_value_usable(b->values + k)) {
			sk_error("PCR %u (sha256) is all %s: nothing measured "
			    "there that a binding could check; pick another "
			    "PCR", i, b->values[k] == 0 ? "zeros" : "ones");
			return SSH_SK_ERR_GENERAL;
		}
		k += POLICY_DIGEST_LEN;
	}
	/* The PIN goes into the PCR branch; an unbound key's auth value
	 * signs as it always did. */
	b->auth_value = with_pin && b->mask != 0;
	if (key_policy_v3(b->mask, b->values, b->values_len, b->auth_value,
	    &b->policy) != 0) {
		sk_error("cannot compute the key's policy");
		return SSH_SK_ERR_GENERAL;
	}
	return 0;
}

void
pcr_bind_to_handle(const struct pcr_bind *b, struct kh *kh)
{
	kh->version = KH_VERSION_CERTIFY;
	if (b->mask == 0)
		return;
	kh->pcr_mask = b->mask;
	memcpy(kh->pcr_values, b->values, b->values_len);
	kh->pcr_values_len = b->values_len;
	kh->policy = b->auth_value ? KH_POLICY_AUTH_VALUE : 0;
}

void
pcr_bind_announce(const struct pcr_bind *b)
{
	char list[POLICY_PCR_COUNT * 3 + 1];
	const char *drtm = policy_pcrs_warning(b->mask);

	if (b->mask == 0)
		return;
	policy_format_pcrs(b->mask, list, sizeof(list));
	fprintf(stderr, "sk-tpm: the key is bound to PCR%s %s (sha256) of "
	    "this machine: it stops working when %s (a firmware, Secure "
	    "Boot, shim or dbx update may do that); enroll a second key "
	    "first%s%s\n", policy_pcr_count(b->mask) > 1 ? "s" : "", list,
	    policy_pcr_count(b->mask) > 1 ? "one of them changes" :
	    "its value changes", drtm != NULL ? "; warning: " : "",
	    drtm != NULL ? drtm : "");
}
