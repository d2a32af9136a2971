/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sk_option array OpenSSH passes to sk_enroll and sk_load_resident_keys
 * ("device" and "user", from ssh-keygen -O). NULL means no options.
 */
#ifndef SK_OPTIONS_H
#define SK_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct sk_option;

#define OPT_USER_MAX	64	/* bytes of a user id, without NUL */

struct sk_opts {
	const char *device;	/* a TCTI string, borrowed from the array */
	uint8_t user_id[OPT_USER_MAX];
	size_t user_id_len;	/* 0: no user given */
};

/* Parse options into *out. Unknown options are ignored unless marked
 * required (then SSH_SK_ERR_UNSUPPORTED). Returns 0 or an SSH_SK_ERR_*
 * code with an error line recorded. */
int opt_parse(struct sk_option **options, struct sk_opts *out);

#endif /* SK_OPTIONS_H */
