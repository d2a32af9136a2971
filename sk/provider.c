/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The four symbols OpenSSH's ssh-sk-helper looks up. Each entry point
 * checks its arguments, runs one flow and prints at most one line.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flows.h"
#include "log.h"
#include "options.h"
#include "sk-api.h"

#if SSH_SK_VERSION_MAJOR != 0x000a0000
#error "sk-api.h does not describe the ABI this provider implements"
#endif

#define SK_EXPORT	__attribute__((visibility("default")))

SK_EXPORT uint32_t
sk_api_version(void)
{
	return SSH_SK_VERSION_MAJOR;
}

SK_EXPORT int
sk_enroll(uint32_t alg, const uint8_t *challenge, size_t challenge_len,
    const char *application, uint8_t flags, const char *pin,
    struct sk_option **options, struct sk_enroll_response **enroll_response)
{
	struct sk_config cfg;
	struct sk_opts opts;
	int r = SSH_SK_ERR_GENERAL;

	log_reset();
	if (enroll_response == NULL)
		return SSH_SK_ERR_GENERAL;
	*enroll_response = NULL;
	if (config_load(&cfg) != 0)
		goto out;
	if (application == NULL || *application == '\0') {
		sk_error("no application given");
		goto out;
	}
	if ((r = opt_parse(options, &opts)) != 0)
		goto out;
	if (opts.device != NULL)
		cfg.tcti = opts.device;
	r = enroll_run(&cfg, alg, application, flags, pin, challenge,
	    challenge_len, &opts, enroll_response);
out:
	log_flush();
	return r;
}

SK_EXPORT int
sk_sign(uint32_t alg, const uint8_t *data, size_t data_len,
    const char *application, const uint8_t *key_handle, size_t key_handle_len,
    uint8_t flags, const char *pin, struct sk_option **options,
    struct sk_sign_response **sign_response)
{
	struct sk_config cfg;
	struct sk_opts opts;
	int r = SSH_SK_ERR_GENERAL;

	log_reset();
	if (sign_response == NULL)
		return SSH_SK_ERR_GENERAL;
	*sign_response = NULL;
	if (config_load(&cfg) != 0)
		goto out;
	if (application == NULL || key_handle == NULL ||
	    (data == NULL && data_len != 0)) {
		sk_error("sign called without application, key or data");
		goto out;
	}
	if ((r = opt_parse(options, &opts)) != 0)
		goto out;
	if (opts.device != NULL)
		cfg.tcti = opts.device;
	r = sign_run(&cfg, alg, data, data_len, application, key_handle,
	    key_handle_len, flags, pin, sign_response);
out:
	log_flush();
	return r;
}

SK_EXPORT int
sk_load_resident_keys(const char *pin, struct sk_option **options,
    struct sk_resident_key ***rks, size_t *nrks)
{
	struct sk_config cfg;
	struct sk_opts opts;
	int r = SSH_SK_ERR_GENERAL;

	log_reset();
	if (rks == NULL || nrks == NULL)
		return SSH_SK_ERR_GENERAL;
	*rks = NULL;
	*nrks = 0;
	/* Listing needs no PIN: credentials with one still need it to
	 * sign. ssh-keygen asks for one anyway, as for a FIDO token. */
	(void)pin;
	if (config_load(&cfg) != 0)
		goto out;
	if ((r = opt_parse(options, &opts)) != 0)
		goto out;
	if (opts.device != NULL)
		cfg.tcti = opts.device;
	r = resident_keys_run(&cfg, rks, nrks);
out:
	log_flush();
	return r;
}
