/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Secrets held only masked (see secret.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "secret.h"

void
random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) < 0) {
			if (errno == EINTR)
				continue;
			perror("getrandom");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* A random alphanumeric PIN, born masked. */
void
secret_new_pin(struct secret *s, const char *name)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t r[PIN_LEN];
	size_t i;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->len = PIN_LEN;
	random_bytes(s->mask, sizeof(s->mask));
	random_bytes(r, sizeof(r));
	for (i = 0; i < PIN_LEN; i++)
		s->masked[i] = (uint8_t)alnum[r[i] % (sizeof(alnum) - 1)] ^
		    s->mask[i];
	explicit_bzero(r, sizeof(r));
}

/* The PIN in clear, in a heap buffer the caller wipes and frees. */
char *
secret_reveal(const struct secret *s)
{
	char *p;
	size_t i;

	if ((p = malloc(s->len + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	for (i = 0; i < s->len; i++)
		p[i] = (char)(s->masked[i] ^ s->mask[i]);
	p[s->len] = '\0';
	return p;
}

void
secret_bury(char *p, size_t len)
{
	explicit_bzero(p, len);
	free(p);
}

static void
put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * The auth value of sk/pin.h, computed independently of the library:
 * SHA-256("sk-tpm auth v1" || 0x00 || u32be(len app) || app ||
 * u32be(len pin) || pin). A child process computes it and sends back only
 * auth ^ mask, so the clear value never exists in this process.
 */
void
secret_new_auth(struct secret *s, const char *name, const char *app,
    const struct secret *pin)
{
	static const char domain[] = "sk-tpm auth v1";
	uint8_t len_be[4], buf[MAX_SECRET], out[AUTH_LEN];
	unsigned int out_len = 0;
	EVP_MD_CTX *ctx;
	int fd[2], status;
	pid_t pid;
	size_t i;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->len = AUTH_LEN;
	random_bytes(s->mask, sizeof(s->mask));
	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		perror("pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		close(fd[0]);
		for (i = 0; i < pin->len; i++)
			buf[i] = pin->masked[i] ^ pin->mask[i];
		if ((ctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, domain, sizeof(domain)) != 1)
			_exit(1);
		put_u32be(len_be, (uint32_t)strlen(app));
		if (EVP_DigestUpdate(ctx, len_be, 4) != 1 ||
		    EVP_DigestUpdate(ctx, app, strlen(app)) != 1)
			_exit(1);
		put_u32be(len_be, (uint32_t)pin->len);
		if (EVP_DigestUpdate(ctx, len_be, 4) != 1 ||
		    EVP_DigestUpdate(ctx, buf, pin->len) != 1 ||
		    EVP_DigestFinal_ex(ctx, out, &out_len) != 1 ||
		    out_len != AUTH_LEN)
			_exit(1);
		for (i = 0; i < AUTH_LEN; i++)
			out[i] ^= s->mask[i];
		if (write(fd[1], out, AUTH_LEN) != AUTH_LEN)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	n = read(fd[0], s->masked, AUTH_LEN);
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || n != AUTH_LEN) {
		fprintf(stderr, "deriving the expected auth value failed\n");
		exit(1);
	}
}

/* A secret's TPM2B form (u16 size, then the bytes): in memory (host order,
 * TPM2B_AUTH) or marshalled (big-endian). Built from the masked bytes. */
void
secret_new_tpm2b(struct secret *s, const char *name, const struct secret *v,
    bool big_endian)
{
	uint16_t size = (uint16_t)v->len;
	uint8_t hdr[2];

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->len = v->len + 2;
	random_bytes(s->mask, 2);
	if (big_endian) {
		hdr[0] = (uint8_t)(size >> 8);
		hdr[1] = (uint8_t)size;
	} else
		memcpy(hdr, &size, 2);
	s->masked[0] = hdr[0] ^ s->mask[0];
	s->masked[1] = hdr[1] ^ s->mask[1];
	memcpy(s->mask + 2, v->mask, v->len);
	memcpy(s->masked + 2, v->masked, v->len);
}

/* The last len bytes of a secret: what survives of a copy in a block that
 * free() gave its first 16 bytes to the allocator's list pointers (ESYS's
 * resource node keeps the owner password 6 bytes from its start). */
void
secret_new_tail(struct secret *s, const char *name, const struct secret *v,
    size_t len)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->len = len;
	memcpy(s->mask, v->mask + v->len - len, len);
	memcpy(s->masked, v->masked + v->len - len, len);
}

/* Does p hold the first len bytes of s? Unmasks one byte at a time. */
bool
secret_match(const uint8_t *p, const struct secret *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)(p[i] ^ s->masked[i]) != s->mask[i])
			return false;
	return true;
}
