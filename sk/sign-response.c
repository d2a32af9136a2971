/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The signature response OpenSSH frees (flows.h), shared by the two
 * signing flows: sign.c and, for unlockable keys, unlock-sign.c.
 */
#include <stdlib.h>
#include <string.h>

#include "flows.h"
#include "log.h"
#include "sk-api.h"

int
sign_response_new(uint8_t flags, uint32_t counter, const uint8_t r[32],
    const uint8_t s[32], struct sk_sign_response **out)
{
	struct sk_sign_response *resp;

	if ((resp = calloc(1, sizeof(*resp))) == NULL ||
	    (resp->sig_r = malloc(32)) == NULL ||
	    (resp->sig_s = malloc(32)) == NULL) {
		if (resp != NULL) {
			free(resp->sig_r);
			free(resp);
		}
		sk_error("out of memory");
		return SSH_SK_ERR_GENERAL;
	}
	resp->flags = flags;
	resp->counter = counter;
	memcpy(resp->sig_r, r, 32);
	resp->sig_r_len = 32;
	memcpy(resp->sig_s, s, 32);
	resp->sig_s_len = 32;
	*out = resp;
	return 0;
}
