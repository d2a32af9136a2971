/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From PIN to TPM auth value (the formula and its reasons are in pin.h).
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "pin.h"

#define PIN_DOMAIN	"sk-tpm auth v1"

static int
update_sized(EVP_MD_CTX *ctx, const void *buf, size_t len)
{
	uint8_t be[4];

	be[0] = (uint8_t)(len >> 24);
	be[1] = (uint8_t)(len >> 16);
	be[2] = (uint8_t)(len >> 8);
	be[3] = (uint8_t)len;
	if (EVP_DigestUpdate(ctx, be, sizeof(be)) != 1)
		return -1;
	if (len > 0 && EVP_DigestUpdate(ctx, buf, len) != 1)
		return -1;
	return 0;
}

int
pin_derive_auth(const char *application, const char *pin,
    uint8_t auth[PIN_AUTH_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	unsigned int len = 0;
	size_t pin_len = 0;
	int r = -1;

	if (pin != NULL && (pin_len = strnlen(pin, PIN_MAX_LEN + 1)) >
	    PIN_MAX_LEN) {
		sk_error("PIN longer than %d bytes", PIN_MAX_LEN);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, PIN_DOMAIN, sizeof(PIN_DOMAIN)) != 1 ||
	    update_sized(ctx, application, strlen(application)) != 0 ||
	    update_sized(ctx, pin, pin_len) != 0 ||
	    EVP_DigestFinal_ex(ctx, auth, &len) != 1 || len != PIN_AUTH_LEN) {
		sk_error("deriving the auth value failed in OpenSSL");
		OPENSSL_cleanse(auth, PIN_AUTH_LEN);
		goto out;
	}
	r = 0;
out:
	/* EVP_MD_CTX_free wipes the hash state, which saw the PIN. */
	EVP_MD_CTX_free(ctx);
	return r;
}
