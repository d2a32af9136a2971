/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Enrollment side of PCR binding (issue 12): which PCRs the user asked
 * for (SK_TPM_PCRS, else the "pcrs" setting of the config file), their
 * current values and the policy of the new key (key-policy.h), which
 * every new key has: a version 3 key's always admits TPM2_Certify.
 *
 * The config file is $SK_TPM_CONFIG if set, else
 * $XDG_CONFIG_HOME/sk-tpm/config (~/.config/sk-tpm/config), else
 * /etc/sk-tpm/config; the first that exists is read (config_file_value,
 * config.h). Its line "pcrs = LIST" reads as SK_TPM_PCRS.
 * The environment wins; "none" turns a default off. PCRs 16 and 23, which
 * anybody can reset, are refused; 17-22 (a dynamic launch's) warned about
 * (policy.h).
 */
#ifndef SK_PCR_BIND_H
#define SK_PCR_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "handle.h"
#include "key-policy.h"
#include "policy.h"

struct tpm;

struct pcr_bind {
	uint32_t mask;			/* 0: not bound */
	uint8_t values[POLICY_VALUES_MAX];
	size_t values_len;
	bool auth_value;		/* PIN in the PCR branch */
	struct key_policy policy;	/* the new key's, bound or not */
};

/* The selection asked for, or mask 0; -1 with an error line if the
 * setting is malformed. */
int pcr_bind_selection(const struct sk_config *, uint32_t *mask);

/* Fill *b for a new key: read the PCRs, refuse unusable ones, compute the
 * policy. With no selection, b->mask is 0, the TPM is not asked and the
 * policy is the Certify branch alone. */
int pcr_bind_prepare(const struct sk_config *, struct tpm *, bool with_pin,
    struct pcr_bind *b);

/* Put the binding into a handle, which becomes version 3. */
void pcr_bind_to_handle(const struct pcr_bind *, struct kh *);

/* Tell the user on stderr what the key is bound to and what will disable
 * it (the one line an enrollment prints on success). */
void pcr_bind_announce(const struct pcr_bind *);

#endif /* SK_PCR_BIND_H */
