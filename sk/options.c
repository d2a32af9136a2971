/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ssh-keygen -O options handed to the provider.
 */
#include <string.h>

#include "log.h"
#include "options.h"
#include "sk-api.h"

int
opt_parse(struct sk_option **options, struct sk_opts *out)
{
	size_t i, len;

	memset(out, 0, sizeof(*out));
	if (options == NULL)
		return 0;
	for (i = 0; options[i] != NULL; i++) {
		const struct sk_option *o = options[i];

		if (o->name == NULL || o->value == NULL) {
			sk_error("option %zu has no name or value", i);
			return SSH_SK_ERR_GENERAL;
		}
		if (strcmp(o->name, "device") == 0) {
			/* A TCTI string naming the TPM to use. */
			if (*o->value == '\0') {
				sk_error("-O device= needs a TCTI string, e.g. "
				    "device:/dev/tpmrm0");
				return SSH_SK_ERR_GENERAL;
			}
			out->device = o->value;
		} else if (strcmp(o->name, "user") == 0) {
			len = strnlen(o->value, OPT_USER_MAX + 1);
			if (len > OPT_USER_MAX) {
				sk_error("-O user= is longer than %d bytes",
				    OPT_USER_MAX);
				return SSH_SK_ERR_GENERAL;
			}
			memcpy(out->user_id, o->value, len);
			out->user_id_len = len;
		} else if (o->required) {
			sk_error("option \"%s\" is not supported", o->name);
			return SSH_SK_ERR_UNSUPPORTED;
		} else
			sk_debug("ignoring unknown option \"%s\"", o->name);
	}
	return 0;
}
