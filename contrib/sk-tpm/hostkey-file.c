/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host key's files for list and doctor (hostkey.h): read from disk,
 * strictly parsed by the codec (sk/codec/sshkey-file.c), the private file
 * when this account can read it, else the .pub; and whether its handle is
 * this TPM's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "handle.h"
#include "hostkey.h"

_Static_assert(SSHKEY_SK_POINT_LEN == TPM_EC_POINT_LEN,
    "an sk-ecdsa point is the TPM's P-256 point");

/* A whole small regular file (SSHKEY_FILE_MAX at most; fstat after open):
 * 0, -2 when it does not exist, or -1 with *why. */
static int
slurp(const char *path, char **out, size_t *len, const char **why)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t have = 0;
	int fd, r = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		*why = strerror(errno);
		return errno == ENOENT ? -2 : -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto out;
	}
	if (st.st_size > SSHKEY_FILE_MAX) {
		*why = "too large for a key file";
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		*why = "out of memory";
		goto out;
	}
	while (have < (size_t)st.st_size) {
		n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n < 0 ? strerror(errno) :
			    "shorter than its size";
			goto out;
		}
		have += (size_t)n;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	buf = NULL;
	r = 0;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	close(fd);
	return r;
}

int
host_key_read(const char *path, struct sshkey_sk *out, char *why,
    size_t whylen)
{
	char *text = NULL, *pub = NULL;
	const char *reason = NULL, *pub_reason = NULL;
	size_t len = 0;
	int r, rp;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	r = slurp(path, &text, &len, &reason);
	if (r == 0) {
		if (sshkey_sk_parse_private(text, out, &reason) == 0)
			r = HOST_KEY_OK;
		else
			r = HOST_KEY_BAD;
		OPENSSL_cleanse(text, len);
		goto out;
	}
	if (r == -1 && errno != EACCES && errno != EPERM) {
		r = HOST_KEY_BAD;
		goto out;
	}
	/* Absent, or not ours to read: the public half says what it is. */
	if (asprintf(&pub, "%s.pub", path) == -1) {
		pub = NULL;
		reason = "out of memory";
		r = HOST_KEY_BAD;
		goto out;
	}
	free(text);
	text = NULL;
	rp = slurp(pub, &text, &len, &pub_reason);
	if (rp == -2 && r == -2) {
		r = HOST_KEY_ABSENT;
	} else if (rp != 0) {
		reason = pub_reason;
		r = HOST_KEY_BAD;
	} else if (sshkey_sk_parse_public(text, out, &reason) != 0) {
		r = HOST_KEY_BAD;
	} else {
		r = HOST_KEY_OK;
	}
out:
	if (r == HOST_KEY_BAD)
		snprintf(why, whylen, "%s", reason != NULL ? reason :
		    "unreadable");
	free(text);
	free(pub);
	return r;
}

void
host_key_free(struct sshkey_sk *k)
{
	sshkey_sk_free(k);
}

int
host_key_is_ours(struct tpm *tpm, const struct sshkey_sk *k, const char **why)
{
	struct kh *kh = NULL;
	uint8_t name[KH_NAME_LEN], point[TPM_EC_POINT_LEN];
	int r = 0;

	*why = NULL;
	if (kh_decode(k->handle, k->handle_len, &kh) != 0) {
		*why = "its key handle is not one of sk-tpm's";
		goto out;
	}
	if (tpm_handle_point(kh, point) != 0 ||
	    memcmp(point, k->point, TPM_EC_POINT_LEN) != 0) {
		*why = "its key handle holds another key than its public key";
		goto out;
	}
	if (tpm_srk_name(tpm, name) != 0) {
		r = -1;
		goto out;
	}
	if (memcmp(name, kh->srk_name, KH_NAME_LEN) != 0) {
		*why = "it was made under another TPM's storage key (or this "
		    "TPM was cleared since)";
		goto out;
	}
	r = 1;
out:
	kh_free(&kh);
	return r;
}
