/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A resident credential as stored in one TPM NV index: a CBOR map with
 * small unsigned keys, encoded and decoded by the same strict rules as the
 * key handle (handle.h):
 *
 *   0  text   "sk-tpm-rk"          magic
 *   1  uint   format version       REC_VERSION (1)
 *   2  text   application          1..REC_APP_MAX bytes of valid UTF-8,
 *                                  no NUL
 *   3  bytes  user id              0..REC_USER_MAX bytes, any bytes
 *   4  bytes  key handle           1..KH_MAX_LEN bytes: a complete handle
 *                                  (handle.h), opaque here; checked by
 *                                  kh_decode when used
 *
 * At most REC_MAX_LEN bytes in all; every head in its shortest form, so an
 * accepted record re-encodes to exactly its bytes.
 *
 * The application is a text string, and CBOR requires text to be UTF-8:
 * both the encoder and the decoder refuse anything else. ssh-keygen -K
 * turns the application and the user id into file names and messages, and
 * a record may have been planted by any user of the TPM, so both refuse
 * names that turn into paths or terminal controls (rec_name_why): no '/',
 * no C0 control (0x00-0x1f), no DEL (0x7f), and in the application no C1
 * control (U+0080-U+009F) either; a user id may end in zero bytes (FIDO's
 * padding, which OpenSSH trims). The user id is a byte string: other
 * bytes are fine, invalid UTF-8 included, as the provider ABI hands it
 * over (OpenSSH names files after a non-printable user id in hex).
 *
 * The public key and the key's flags are not repeated: both are in the
 * key handle, and TPM NV is scarce. Pure bytes in, struct out.
 */
#ifndef SK_RECORD_H
#define SK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_MAGIC	"sk-tpm-rk"
#define REC_VERSION	1
#define REC_APP_MAX	256
#define REC_USER_MAX	64
#define REC_MAX_LEN	2048	/* also the largest NV index we define */

struct rec {
	uint32_t version;
	char *application;		/* NUL-terminated */
	uint8_t user_id[REC_USER_MAX];
	size_t user_id_len;
	uint8_t *key_handle;
	size_t key_handle_len;
};

/* Result codes: the KH_* codes of codec.h, classified the same way
 * (foreign without the magic "sk-tpm-rk", version, malformed). */
/* A short English phrase for a KH_* code, worded for records. */
const char *rec_strerror(int);

/* Why an application (is_app) or user id may not be stored in a record,
 * or NULL if it may. */
const char *rec_name_why(const uint8_t *, size_t len, bool is_app);

struct rec *rec_new(void);
void rec_free(struct rec **);
int rec_encode(const struct rec *, uint8_t **out, size_t *out_len);
int rec_decode(const uint8_t *buf, size_t len, struct rec **out);

/* The longest key handle a record with an application of app_len bytes
 * and a user id of user_id_len bytes can hold within REC_MAX_LEN; 0 if
 * the lengths are out of bounds. Less than KH_MAX_LEN: enrollment checks
 * a resident key's handle against it before it asks the TPM for more. */
size_t rec_handle_room(size_t app_len, size_t user_id_len);
/* The same within a record of at most max_len bytes (a TPM whose
 * TPM2_PT_NV_INDEX_MAX is below REC_MAX_LEN: 1664 on an SLB9670). */
size_t rec_handle_room_in(size_t app_len, size_t user_id_len,
    size_t max_len);

#endif /* SK_RECORD_H */
