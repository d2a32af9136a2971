/*
 * Secrets after the call, against swtpm through the real libsk-tpm.so:
 *
 *   test_secrets memory	no PIN and no auth value anywhere in this
 *				process's memory once an entry point returned
 *   test_secrets log		none in any line SK_TPM_DEBUG=1 and
 *				TSS2_LOG=all+TRACE produce
 *
 * The PIN is random and made at run time, so neither it nor a prefix of it
 * can sit in any file this process maps. The test holds every secret only
 * XOR-masked and compares byte by byte against mask ^ masked, so that a hit
 * can only come from a copy somebody else made; the auth value is derived
 * in a child process, so this process never holds it in clear at all. The
 * PIN exists in clear only in the heap buffer handed to the library, and
 * the test wipes that itself right after each call. The scanner proves it
 * can see: it must find a copy planted in the heap and on the stack before
 * the library is ever called.
 *
 * The owner password (SK_TPM_OWNER_AUTH) is the one secret that must sit in
 * this process: the user put it in the environment. That case excludes
 * exactly the bytes of the environ[i] strings from the hits (and requires
 * the scanner to see the password there, once); any other copy fails.
 *
 * What this found, and what now keeps it at zero: ESYS frees two records
 * unwiped that held an auth value (a session's sessionValue, and its copy
 * of TPM2_Create's inSensitive), which sk/tpm-session.c overwrites through
 * ESYS before every session ends; tpm2-tss 4.x's OpenSSL code leaves freed
 * copies of every HMAC key (session key and auth value), so on 4.x ESYS's
 * HMACs are computed by sk/tpm-crypto.c in memory it wipes; and tpm2-tss's
 * esys and esys_crypto modules print auth values at debug level, which
 * sk/log.c keeps them from under SK_TPM_DEBUG=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-pcr-util.h"
#include "tpm-util.h"
#include "tpm.h"

#define APP		"ssh:"
#define RES_APP		"ssh:sk-tpm-secrets"
#define LOST_APP	"ssh:sk-tpm-lost"
#define OWNER_APP	"ssh:sk-tpm-owner"
#define OWNER_ENV	"SK_TPM_OWNER_AUTH"
#define PIN_LEN		24
#define AUTH_LEN	32
#define PREFIX_LEN	8
#define MAX_SECRET	64
#define SCAN_CHUNK	(1024 * 1024)
/* The library runs this much deeper in the stack than the scanner, so that
 * the scanner's own frames cannot overwrite what the library left behind. */
#define DEEP_PAD	(64 * 1024)

#define FLAG_UP		SSH_SK_USER_PRESENCE_REQD
#define FLAG_UV		SSH_SK_USER_VERIFICATION_REQD
#define FLAG_RK		SSH_SK_RESIDENT_KEY

/* A secret known only as mask and mask ^ secret. */
struct secret {
	char name[48];
	size_t len;
	uint8_t mask[MAX_SECRET];
	uint8_t masked[MAX_SECRET];
};

/* What one scan looks for: a secret, whole or its first bytes. */
struct pattern {
	const struct secret *s;
	size_t len;
	size_t hits;
};

static int failures;
/* The scanner's read buffer, skipped by the scan itself. */
static uint8_t *scan_buf;
static size_t scan_buf_len;
/* The owner case: hits inside an environment string are counted here
 * instead (the password is there because the user put it there). */
static bool scan_skip_environ;
static size_t environ_hits;

extern char **environ;

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	failures++;
}

static void
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
static void
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
static char *
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

static void
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
static void
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

/* Does p hold the first len bytes of s? Unmasks one byte at a time. */
static bool
match_at(const uint8_t *p, const struct secret *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)(p[i] ^ s->masked[i]) != s->mask[i])
			return false;
	return true;
}

/* Does [p, p + len) lie inside the bytes of one environ[i] string? */
static bool
in_environ(uintptr_t p, size_t len)
{
	char **e;
	uintptr_t a;

	for (e = environ; e != NULL && *e != NULL; e++) {
		a = (uintptr_t)*e;
		if (p >= a && p + len <= a + strlen(*e))
			return true;
	}
	return false;
}

/* --- the memory scan ------------------------------------------------- */

static void
report_hit(const struct pattern *pat, uintptr_t addr, const char *map_line,
    uintptr_t map_start, const uint8_t *chunk, size_t chunk_len, size_t off)
{
	size_t i, from, to;
	char ctx[200];
	int n = 0;

	/* Context without the secret itself: what surrounds it tells whose
	 * buffer it is (a TPM2B size, a chunk header, a command header). */
	from = off >= 16 ? off - 16 : 0;
	to = off + pat->len + 16 <= chunk_len ? off + pat->len + 16 :
	    chunk_len;
	for (i = from; i < to && n < (int)sizeof(ctx) - 8; i++) {
		if (i == off) {
			n += snprintf(ctx + n, sizeof(ctx) - (size_t)n,
			    "<%zu bytes> ", pat->len);
			i = off + pat->len - 1;
			continue;
		}
		n += snprintf(ctx + n, sizeof(ctx) - (size_t)n, "%02x ",
		    chunk[i]);
	}
	printf("  hit: %s (%zu bytes) at %#" PRIxPTR " (+%#" PRIxPTR
	    " in %s)\n       context: %s\n", pat->s->name, pat->len, addr,
	    addr - map_start, map_line, ctx);
}

/* Scan [start, end) of one mapping through /proc/self/mem. */
static void
scan_range(int mem, uintptr_t start, uintptr_t end, uintptr_t map_start,
    const char *map_line, struct pattern *pats, size_t npats,
    size_t *bytes)
{
	uintptr_t at = start;
	size_t overlap = MAX_SECRET - 1, want, got, i, k;
	ssize_t n;

	while (at < end) {
		want = end - at < scan_buf_len ? end - at : scan_buf_len;
		n = pread(mem, scan_buf, want, (off_t)at);
		if (n <= 0) {
			/* An unreadable page (a guard page, an I/O
			 * mapping): skip it. */
			at = (at & ~(uintptr_t)4095) + 4096;
			continue;
		}
		got = (size_t)n;
		*bytes += got;
		for (i = 0; i < got; i++) {
			for (k = 0; k < npats; k++) {
				if (i + pats[k].len > got)
					continue;
				if (!match_at(scan_buf + i, pats[k].s,
				    pats[k].len))
					continue;
				if (scan_skip_environ &&
				    in_environ(at + i, pats[k].len)) {
					environ_hits++;
					continue;
				}
				pats[k].hits++;
				report_hit(&pats[k], at + i, map_line,
				    map_start, scan_buf, got, i);
			}
		}
		/* Re-read the tail so that a secret across the chunk
		 * boundary is seen whole. */
		if (at + got >= end || got <= overlap)
			at += got;
		else
			at += got - overlap;
	}
	explicit_bzero(scan_buf, scan_buf_len);
}

/*
 * Every readable mapping of this process: heap, stack, anonymous maps,
 * libraries' data. [vvar] and [vsyscall] cannot be read this way.
 */
static size_t
scan_memory(const char *when, const struct secret *const *secrets,
    size_t nsecrets)
{
	struct pattern pats[16];
	size_t npats = 0, i, total = 0, bytes = 0, mappings = 0;
	uintptr_t start, end, skip_a, skip_b;
	char line[512], perms[8], path[400];
	FILE *maps;
	int mem;

	for (i = 0; i < nsecrets && npats + 2 <= 16; i++) {
		pats[npats++] = (struct pattern){ secrets[i], secrets[i]->len,
		    0 };
		pats[npats++] = (struct pattern){ secrets[i], PREFIX_LEN, 0 };
	}
	if ((maps = fopen("/proc/self/maps", "r")) == NULL ||
	    (mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC)) < 0) {
		perror("/proc/self");
		exit(1);
	}
	skip_a = (uintptr_t)scan_buf;
	skip_b = skip_a + scan_buf_len;
	while (fgets(line, sizeof(line), maps) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		path[0] = '\0';
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s "
		    "%399[^\n]", &start, &end, perms, path) < 3)
			continue;
		if (perms[0] != 'r' || strcmp(path, "[vvar]") == 0 ||
		    strcmp(path, "[vsyscall]") == 0)
			continue;
		mappings++;
		/* The scanner's own buffer holds copies of whatever it read
		 * last; it is wiped after every range. */
		if (skip_a < end && skip_b > start) {
			if (start < skip_a)
				scan_range(mem, start, skip_a, start, line,
				    pats, npats, &bytes);
			if (skip_b < end)
				scan_range(mem, skip_b, end, start, line,
				    pats, npats, &bytes);
		} else
			scan_range(mem, start, end, start, line, pats, npats,
			    &bytes);
	}
	fclose(maps);
	close(mem);
	for (i = 0; i < npats; i++)
		total += pats[i].hits;
	printf("scan %-34s %zu hits (%zu mappings, %zu KiB)\n", when, total,
	    mappings, bytes / 1024);
	fflush(stdout);
	return total;
}

/* --- calling the library -------------------------------------------- */

struct op {
	const char *what;
	bool sign;
	const char *app;
	uint8_t flags;
	const struct secret *pin;
	/* enroll: the new key's handle is kept here for signing */
	uint8_t *kh;
	size_t kh_len;
	int r;
};

/* One entry point call with the PIN in clear only for its duration. */
static void
op_call(struct op *op, const struct op *key)
{
	static const uint8_t data[] = "data to be signed";
	uint8_t challenge[32] = { 0 };
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	char *pin;

	pin = secret_reveal(op->pin);
	if (op->sign)
		op->r = sk_sign(SSH_SK_ECDSA, data, sizeof(data), op->app,
		    key->kh, key->kh_len, op->flags, pin, NULL, &s);
	else
		op->r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
		    op->app, op->flags, pin, NULL, &e);
	secret_bury(pin, op->pin->len);
	if (e != NULL) {
		op->kh = e->key_handle;
		op->kh_len = e->key_handle_len;
		e->key_handle = NULL;
	}
	stu_free_enroll(e);
	stu_free_sign(s);
}

/* Run op_call DEEP_PAD bytes further down the stack. */
static void __attribute__((noinline))
op_call_deep(struct op *op, const struct op *key)
{
	volatile uint8_t pad[DEEP_PAD];

	pad[0] = 1;
	op_call(op, key);
	pad[DEEP_PAD - 1] = pad[0];
}

static void
expect_rc(const struct op *op, int want)
{
	if (op->r != want)
		fail("%s returned %d, expected %d", op->what, op->r, want);
	else
		printf("%-40s returned %d as expected\n", op->what, op->r);
	fflush(stdout);
}

/* --- self-check of the scanner -------------------------------------- */

static void __attribute__((noinline))
plant_on_stack(const struct secret *s, const struct secret *const *all,
    size_t nall, size_t *hits)
{
	volatile uint8_t copy[MAX_SECRET];
	size_t i;

	for (i = 0; i < s->len; i++)
		copy[i] = s->masked[i] ^ s->mask[i];
	*hits = scan_memory("(self-check: planted on the stack)", all, nall);
	explicit_bzero((void *)(uintptr_t)copy, sizeof(copy));
}

static void
self_check(const struct secret *const *all, size_t nall)
{
	size_t hits, i, k;
	uint8_t *copy;

	if (scan_memory("before any call", all, nall) != 0)
		fail("secrets in memory before the library was called: the "
		    "test itself leaves copies");
	for (k = 0; k < nall; k++) {
		const struct secret *one[] = { all[k] };

		if ((copy = malloc(all[k]->len)) == NULL)
			exit(1);
		for (i = 0; i < all[k]->len; i++)
			copy[i] = all[k]->masked[i] ^ all[k]->mask[i];
		hits = scan_memory("(self-check: planted in the heap)", one,
		    1);
		/* The whole secret and its prefix, once each. */
		if (hits != 2)
			fail("self-check: a copy of %s planted in the heap "
			    "gave %zu hits, expected 2", all[k]->name, hits);
		explicit_bzero(copy, all[k]->len);
		free(copy);
	}
	plant_on_stack(all[0], all, nall, &hits);
	if (hits != 2)
		fail("self-check: a copy of %s planted on the stack gave %zu "
		    "hits, expected 2", all[0]->name, hits);
	if (scan_memory("(self-check: wiped again)", all, nall) != 0)
		fail("self-check: planted copies survived their wiping");
}

/* --- the owner password -------------------------------------------- */

/* A secret's TPM2B form (u16 size, then the bytes): in memory (host order,
 * TPM2B_AUTH) or marshalled (big-endian). Built from the masked bytes. */
static void
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
static void
secret_new_tail(struct secret *s, const char *name, const struct secret *v,
    size_t len)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->len = len;
	memcpy(s->mask, v->mask + v->len - len, len);
	memcpy(s->masked, v->masked + v->len - len, len);
}

/* The TPM for the test's own chores: the simulator itself when the
 * library goes through tpm2-abrmd (test/fault/abrmd.sh), whose GLib-based
 * TCTI does not survive a fork. */
static const char *
chores_tcti(void)
{
	const char *direct = getenv("SK_TPM_TCTI_DIRECT");

	return direct != NULL ? direct : getenv("SK_TPM_TCTI");
}

/* Change the owner password on the test's TPM in a child process, so that
 * this process never holds the clear value for it. */
static int
owner_change(const struct secret *pw, bool set)
{
	char *clear;
	int status;
	pid_t pid;

	if ((pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		clear = secret_reveal(pw);
		_exit(tu_owner_auth(chores_tcti(), set ? "" : clear,
		    set ? clear : "") == 0 ? 0 : 1);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* SK_TPM_OWNER_AUTH=password through putenv, so that the string handed
 * over is environ's only copy (setenv would leave one in its stack frame). */
static char *
owner_env_put(const struct secret *pw)
{
	size_t nlen = strlen(OWNER_ENV "="), i;
	char *e;

	if ((e = malloc(nlen + pw->len + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	memcpy(e, OWNER_ENV "=", nlen);
	for (i = 0; i < pw->len; i++)
		e[nlen + i] = (char)(pw->masked[i] ^ pw->mask[i]);
	e[nlen + pw->len] = '\0';
	if (putenv(e) != 0) {
		perror("putenv");
		exit(1);
	}
	return e;
}

static void
owner_env_remove(char *e, const struct secret *pw)
{
	unsetenv(OWNER_ENV);
	secret_bury(e, strlen(OWNER_ENV "=") + pw->len + 1);
}

/*
 * What "sk-tpm delete --application app --yes" does (contrib/sk-tpm:
 * cli_open, resident_load, tpm_nv_delete). 0: deleted, 1: no such record,
 * -1: failed.
 */
static int
owner_delete(const char *app)
{
	struct resident_list list;
	struct sk_config cfg;
	struct tpm *tpm = NULL;
	size_t i;
	int r = -1;

	memset(&list, 0, sizeof(list));
	if (config_load(&cfg) != 0 || tpm_open(cfg.tcti, &tpm) != 0 ||
	    tpm_set_owner_auth(tpm, cfg.owner_auth) != 0 ||
	    resident_load(tpm, &list) != 0)
		goto out;
	r = 1;
	for (i = 0; i < list.count; i++) {
		if (strcmp(list.items[i].rec->application, app) != 0)
			continue;
		r = tpm_nv_delete(tpm, list.items[i].index) == 0 ? 0 : -1;
		break;
	}
out:
	resident_list_free(&list);
	tpm_close(&tpm);
	return r;
}

/* Run owner_delete DEEP_PAD bytes further down the stack. */
static int __attribute__((noinline))
owner_delete_deep(const char *app)
{
	volatile uint8_t pad[DEEP_PAD];
	int r;

	pad[0] = 1;
	r = owner_delete(app);
	pad[DEEP_PAD - 1] = pad[0];
	return r;
}

/*
 * With an owner password: a resident enroll (defines and writes an NV index
 * through a salted session with the owner authorization) and the delete of
 * that record. Afterwards the password, bare or as a TPM2B, is nowhere but
 * in its environment string, which the scanner must see there once (whole
 * and prefix).
 */
static void
test_owner(const struct secret *pin)
{
	struct secret pw, pw_host, pw_wire, pw_tail, auth;
	/* The PIN first: self_check plants all[0] on the stack, and the PIN
	 * is part of no other pattern. */
	const struct secret *all[] = { pin, &pw, &pw_host, &pw_wire, &pw_tail,
	    &auth };
	const size_t nall = sizeof(all) / sizeof(all[0]);
	struct op res = { "resident enroll (owner password set)", false,
	    OWNER_APP, FLAG_UP | FLAG_UV | FLAG_RK, pin, NULL, 0, 0 };
	const char *when[] = { "after resident enroll, owner password",
	    "after delete, owner password" };
	size_t hits;
	char *env;
	int r, step;

	secret_new_pin(&pw, "owner password");
	secret_new_tpm2b(&pw_host, "owner password as TPM2B_AUTH", &pw,
	    false);
	secret_new_tpm2b(&pw_wire, "owner password as marshalled TPM2B",
	    &pw, true);
	secret_new_tail(&pw_tail, "owner password's last 12 bytes", &pw, 12);
	secret_new_auth(&auth, "owner case key's auth value", OWNER_APP, pin);
	/* The scanner sees the new patterns, and nothing holds them yet. */
	self_check(all, nall);
	if (owner_change(&pw, true) != 0) {
		fail("cannot set an owner password on the test's TPM");
		return;
	}
	env = owner_env_put(&pw);
	scan_skip_environ = true;
	for (step = 0; step < 2; step++) {
		if (step == 0) {
			op_call_deep(&res, NULL);
			expect_rc(&res, 0);
		} else {
			r = owner_delete_deep(OWNER_APP);
			if (r != 0)
				fail("deleting the record with the owner "
				    "password gave %d", r);
			else
				printf("%-40s deleted as expected\n",
				    "delete (owner password set)");
		}
		environ_hits = 0;
		hits = scan_memory(when[step], all, nall);
		printf("  (%zu hits inside the environment string, "
		    "excluded)\n", environ_hits);
		if (hits != 0)
			fail("the owner password or a secret is in memory %s",
			    when[step]);
		/* In SK_TPM_OWNER_AUTH: the password, its 8-byte prefix,
		 * its tail and the tail's prefix. */
		if (environ_hits != 4)
			fail("the scanner saw the owner password %zu times in "
			    "the environment, expected 4", environ_hits);
	}
	scan_skip_environ = false;
	if (owner_delete(OWNER_APP) != 1)
		fail("the owner case's record is still there after delete");
	owner_env_remove(env, &pw);
	if (owner_change(&pw, false) != 0)
		fail("cannot clear the owner password again");
	free(res.kh);
}

/* --- the tests -------------------------------------------------------- */

static int
test_memory(void)
{
	struct secret pin, wrong, auth, wrong_auth, res_auth;
	const struct secret *all[] = { &pin, &wrong, &auth, &wrong_auth,
	    &res_auth };
	const size_t nall = sizeof(all) / sizeof(all[0]);
	struct op enroll = { "enroll (PIN, flags 0x05)", false, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op sign = { "sign (right PIN)", true, APP, FLAG_UP | FLAG_UV,
	    &pin, NULL, 0, 0 };
	struct op bad = { "sign (wrong PIN)", true, APP, FLAG_UP | FLAG_UV,
	    &wrong, NULL, 0, 0 };
	struct op res = { "resident enroll (PIN, flags 0x25)", false,
	    RES_APP, FLAG_UP | FLAG_UV | FLAG_RK, &pin, NULL, 0, 0 };
	struct op pcr_enroll = { "", false, APP, FLAG_UP | FLAG_UV, &pin,
	    NULL, 0, 0 };

	secret_new_pin(&pin, "PIN");
	secret_new_pin(&wrong, "wrong PIN");
	secret_new_auth(&auth, "auth value", APP, &pin);
	secret_new_auth(&wrong_auth, "wrong PIN's auth value", APP, &wrong);
	secret_new_auth(&res_auth, "resident key's auth value", RES_APP,
	    &pin);

	self_check(all, nall);

	op_call_deep(&enroll, NULL);
	expect_rc(&enroll, 0);
	if (enroll.kh == NULL)
		return 1;
	if (scan_memory("after enroll", all, nall) != 0)
		fail("secrets left in memory after sk_enroll");

	op_call_deep(&sign, &enroll);
	expect_rc(&sign, 0);
	if (scan_memory("after sign", all, nall) != 0)
		fail("secrets left in memory after sk_sign");

	op_call_deep(&bad, &enroll);
	expect_rc(&bad, SSH_SK_ERR_PIN_REQUIRED);
	if (scan_memory("after sign with a wrong PIN", all, nall) != 0)
		fail("secrets left in memory after a wrong-PIN sk_sign");

	op_call_deep(&res, NULL);
	expect_rc(&res, 0);
	if (scan_memory("after resident enroll", all, nall) != 0)
		fail("secrets left in memory after a resident sk_enroll");

	/* A key bound to PCR 8 (issue 12): the PIN goes through a policy
	 * session (PolicyAuthValue) instead of an HMAC session. */
	if (tu_pcr_extend(chores_tcti(), 8, 0x16) != 0)
		fail("cannot extend PCR 8");
	setenv("SK_TPM_CONFIG", "/dev/null", 1);
	setenv("SK_TPM_PCRS", "8", 1);
	pcr_enroll.what = "enroll (PIN, bound to PCR 8)";
	op_call_deep(&pcr_enroll, NULL);
	unsetenv("SK_TPM_PCRS");
	expect_rc(&pcr_enroll, 0);
	if (pcr_enroll.kh == NULL)
		return 1;
	if (scan_memory("after a PCR-bound enroll", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound sk_enroll");
	sign.what = "sign (PCR-bound key, right PIN)";
	op_call_deep(&sign, &pcr_enroll);
	expect_rc(&sign, 0);
	if (scan_memory("after a PCR-bound sign", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound sk_sign");
	bad.what = "sign (PCR-bound key, wrong PIN)";
	op_call_deep(&bad, &pcr_enroll);
	expect_rc(&bad, SSH_SK_ERR_PIN_REQUIRED);
	if (scan_memory("after a PCR-bound sign, wrong PIN", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound wrong PIN");

	test_owner(&pin);

	free(enroll.kh);
	free(res.kh);
	free(pcr_enroll.kh);
	return failures == 0 ? 0 : 1;
}

/*
 * The connection lost after the TPM acted on Sign, then on CreateLoaded
 * (the fault TCTI, fault_tcti): ESYS then refuses every command on its
 * context, including the refused ones that overwrite its copies
 * (tpm-session.c), so the copies README names survive in its freed memory:
 * the session value (holding the key's auth value) after Sign, the saved
 * CreateLoaded input (holding the new key's auth value) after CreateLoaded.
 * At most one copy of each; never the PIN.
 */
static int
test_lost(const char *fault_so)
{
	struct secret pin, auth, lost_auth;
	const struct secret *pins[] = { &pin };
	const struct secret *auths[] = { &auth };
	const struct secret *lost_auths[] = { &lost_auth };
	struct op enroll = { "enroll (PIN, flags 0x05)", false, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op sign = { "sign, answer to Sign lost", true, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op lost = { "enroll, answer to CreateLoaded lost", false, LOST_APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	char tcti[1024];
	size_t hits;

	secret_new_pin(&pin, "PIN");
	secret_new_auth(&auth, "auth value", APP, &pin);
	secret_new_auth(&lost_auth, "auth value (lost Create)", LOST_APP,
	    &pin);
	op_call_deep(&enroll, NULL);
	expect_rc(&enroll, 0);
	if (enroll.kh == NULL)
		return 1;
	snprintf(tcti, sizeof(tcti), "%s:%s", fault_so,
	    getenv("SK_TPM_TCTI"));
	setenv("SK_TPM_TCTI", tcti, 1);
	setenv("SK_FAULT_MODE", "io-after", 1);

	setenv("SK_FAULT_AT", "Sign:1", 1);
	op_call_deep(&sign, &enroll);
	expect_rc(&sign, SSH_SK_ERR_DEVICE_NOT_FOUND);
	if (scan_memory("after the lost Sign: the PIN", pins, 1) != 0)
		fail("the PIN is in memory after a lost Sign");
	hits = scan_memory("after the lost Sign: the auth value", auths, 1);
	printf("after the lost Sign: %zu cop%s of the auth value (README: "
	    "at most one, the session value)\n", hits / 2,
	    hits / 2 == 1 ? "y" : "ies");
	if (hits > 2)
		fail("more copies of the auth value than README says");

	setenv("SK_FAULT_AT", "CreateLoaded:1", 1);
	op_call_deep(&lost, NULL);
	expect_rc(&lost, SSH_SK_ERR_DEVICE_NOT_FOUND);
	if (scan_memory("after the lost Create: the PIN", pins, 1) != 0)
		fail("the PIN is in memory after a lost Create");
	hits = scan_memory("after the lost Create: the new auth value",
	    lost_auths, 1);
	printf("after the lost Create: %zu cop%s of the new key's auth value "
	    "(README: at most one, the saved CreateLoaded input)\n", hits / 2,
	    hits / 2 == 1 ? "y" : "ies");
	if (hits > 2)
		fail("more copies of the auth value than README says");
	free(enroll.kh);
	return failures == 0 ? 0 : 1;
}

/* --- the log ---------------------------------------------------------- */

struct log_needle {
	const struct secret *s;
	size_t len;		/* bytes of the secret (whole or prefix) */
	size_t hits;
};

static void
hex_of(const struct secret *s, size_t len, bool upper, char *out)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	const char *digits = upper ? up : lo;
	uint8_t b;
	size_t i;

	for (i = 0; i < len; i++) {
		b = s->masked[i] ^ s->mask[i];
		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 15];
	}
	out[2 * len] = '\0';
}

/* Offset of the first copy of s's first len bytes in hay, or -1. */
static ssize_t
masked_find(const uint8_t *hay, size_t hay_len, const struct secret *s,
    size_t len)
{
	size_t i;

	for (i = 0; i + len <= hay_len; i++)
		if (match_at(hay + i, s, len))
			return (ssize_t)i;
	return -1;
}

/* Which line of the log says where a hit came from. */
static void
print_line_of(const char *log, size_t log_len, size_t at)
{
	size_t start = at, end = at;

	if (log == NULL || at >= log_len)
		return;
	while (start > 0 && log[start - 1] != '\n')
		start--;
	while (end < log_len && log[end] != '\n' && end - start < 160)
		end++;
	printf("      in or after: %.*s\n", (int)(end - start), log + start);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * tpm2-tss's hex dumps look like "0000: 8001000000160000  ...." (3.x) or
 * a tab and the hex digits (older and newer LOGBLOB formats): collect the
 * bytes of consecutive dump lines into one buffer, so that a secret split
 * over two lines is seen whole.
 */
static size_t
decode_dumps(const char *log, uint8_t *out, size_t *origin, size_t max,
    size_t *lines)
{
	const char *p = log, *q, *eol, *header = log;
	size_t n = 0;
	int hi, lo;

	*lines = 0;
	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		q = NULL;
		if (eol - p > 6 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0 &&
		    hexval(p[2]) >= 0 && hexval(p[3]) >= 0 && p[4] == ':' &&
		    p[5] == ' ')
			q = p + 6;
		else if (eol - p > 2 && p[0] == '\t' && hexval(p[1]) >= 0)
			q = p + 1;
		if (q != NULL) {
			(*lines)++;
			for (; q + 1 < eol &&
			    (hi = hexval(q[0])) >= 0 &&
			    (lo = hexval(q[1])) >= 0 && n < max; q += 2) {
				if (origin != NULL)
					origin[n] = (size_t)(header - log);
				out[n++] = (uint8_t)(hi << 4 | lo);
			}
		} else
			header = p;
		p = *eol != '\0' ? eol + 1 : eol;
	}
	return n;
}

/* Every way a secret could show in text: raw, hex (either case), and raw
 * inside the decoded hex dumps (origin: each dump byte's header line). */
static size_t
log_search(const char *what, const uint8_t *log, size_t log_len,
    const uint8_t *dumps, const size_t *origin, size_t dumps_len,
    const struct secret *const *secrets, size_t nsecrets)
{
	char hex[2 * MAX_SECRET + 1];
	const char *text = origin != NULL ? (const char *)log : NULL;
	const uint8_t *h;
	size_t i, len, hits = 0;
	ssize_t at;
	int l, u;

	for (i = 0; i < nsecrets; i++) {
		const struct secret *s = secrets[i];
		size_t lens[2] = { s->len, PREFIX_LEN };

		for (l = 0; l < 2; l++) {
			len = lens[l];
			if ((at = masked_find(log, log_len, s, len)) >= 0) {
				printf("  %s: %s (%zu bytes) raw in the log\n",
				    what, s->name, len);
				print_line_of(text, log_len, (size_t)at);
				hits++;
			}
			if ((at = masked_find(dumps, dumps_len, s, len)) >=
			    0) {
				printf("  %s: %s (%zu bytes) in a tpm2-tss hex "
				    "dump\n", what, s->name, len);
				if (origin != NULL)
					print_line_of(text, log_len,
					    origin[at]);
				hits++;
			}
			for (u = 0; u < 2; u++) {
				hex_of(s, len, u == 1, hex);
				h = log_len >= 2 * len ? memmem(log, log_len,
				    hex, 2 * len) : NULL;
				explicit_bzero(hex, sizeof(hex));
				if (h == NULL)
					continue;
				printf("  %s: %s (%zu bytes) as %s hex in the "
				    "log\n", what, s->name, len, u ?
				    "upper-case" : "lower-case");
				print_line_of(text, log_len,
				    (size_t)(h - log));
				hits++;
			}
		}
	}
	return hits;
}

static char *
slurp(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	rewind(f);
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap * 2 + 65536 + 1;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(1);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static size_t
count_prefix(const char *log, const char *prefix)
{
	const char *p = log;
	size_t n = 0, plen = strlen(prefix);

	while (*p != '\0') {
		if (strncmp(p, prefix, plen) == 0)
			n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/*
 * The checker must see a secret planted the ways it looks for them: in one
 * of our debug lines, as hex and inside a hex dump split over two lines.
 */
static void
log_self_check(const struct secret *pin, const struct secret *auth)
{
	const struct secret *both[] = { pin, auth };
	char text[1024], hex[2 * MAX_SECRET + 1], *clear;
	uint8_t dumps[256];
	size_t n, dumps_len, lines, hits;

	clear = secret_reveal(pin);
	n = (size_t)snprintf(text, sizeof(text), "sk-tpm[debug]: pin %s\n",
	    clear);
	secret_bury(clear, pin->len);
	hits = log_search("self-check", (uint8_t *)text, n, dumps, NULL, 0,
	    both, 2);
	if (hits == 0)
		fail("log self-check: a PIN in a debug line was not found");
	explicit_bzero(text, sizeof(text));

	hex_of(auth, auth->len, false, hex);
	/* 16 bytes per dump line, then the rest on the next; then the same
	 * in the tab format, 8 bytes per line. */
	n = (size_t)snprintf(text, sizeof(text), "trace:esys:x.c:1:f() "
	    "blob (size=32):\n0000: %.32s  ................\n0010: %.32s  "
	    "................\ndebug:esys:x.c:2:g() blob (size=32):\n\t%.16s"
	    "\n\t%.16s\n\t%.16s\n\t%.16s\n", hex, hex + 32, hex, hex + 16,
	    hex + 32, hex + 48);
	explicit_bzero(hex, sizeof(hex));
	dumps_len = decode_dumps(text, dumps, NULL, sizeof(dumps), &lines);
	hits = log_search("self-check", (uint8_t *)text, n, dumps, NULL,
	    dumps_len, both, 2);
	if (lines != 6 || dumps_len != 64 || hits == 0)
		fail("log self-check: an auth value in a two-line hex dump "
		    "was not found (%zu lines, %zu bytes decoded)", lines,
		    dumps_len);
	explicit_bzero(text, sizeof(text));
	explicit_bzero(dumps, sizeof(dumps));
}

static int
test_log(void)
{
	struct secret pin, wrong, auth, wrong_auth, res_auth;
	const struct secret *all[] = { &pin, &wrong, &auth, &wrong_auth,
	    &res_auth };
	struct op enroll = { "enroll (PIN, flags 0x05)", false, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op sign = { "sign (right PIN)", true, APP, FLAG_UP | FLAG_UV,
	    &pin, NULL, 0, 0 };
	struct op bad = { "sign (wrong PIN)", true, APP, FLAG_UP | FLAG_UV,
	    &wrong, NULL, 0, 0 };
	struct op res = { "resident enroll (PIN, flags 0x25)", false,
	    RES_APP, FLAG_UP | FLAG_UV | FLAG_RK, &pin, NULL, 0, 0 };
	uint8_t *dumps;
	size_t *origin;
	size_t log_len, dumps_len, dump_lines, ours, tss, hits;
	FILE *capture, *copy;
	char *log;
	const char *keep;
	int saved;

	secret_new_pin(&pin, "PIN");
	secret_new_pin(&wrong, "wrong PIN");
	secret_new_auth(&auth, "auth value", APP, &pin);
	secret_new_auth(&wrong_auth, "wrong PIN's auth value", APP, &wrong);
	secret_new_auth(&res_auth, "resident key's auth value", RES_APP,
	    &pin);
	log_self_check(&pin, &auth);

	/* Before the first tss2 call: each module reads TSS2_LOG once. */
	setenv("SK_TPM_DEBUG", "1", 1);
	setenv("TSS2_LOG", "all+TRACE", 1);
	fflush(stderr);
	if ((capture = tmpfile()) == NULL || (saved = dup(2)) < 0 ||
	    dup2(fileno(capture), 2) < 0) {
		perror("capturing stderr");
		return 1;
	}
	op_call(&enroll, NULL);
	if (enroll.kh != NULL) {
		op_call(&sign, &enroll);
		op_call(&bad, &enroll);
	}
	op_call(&res, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	expect_rc(&enroll, 0);
	if (enroll.kh == NULL)
		return 1;
	expect_rc(&sign, 0);
	expect_rc(&bad, SSH_SK_ERR_PIN_REQUIRED);
	expect_rc(&res, 0);

	log = slurp(capture, &log_len);
	fclose(capture);
	/* For a post-mortem of a failure: where exactly the secret shows. */
	if ((keep = getenv("SK_TPM_SECRETS_LOG")) != NULL &&
	    (copy = fopen(keep, "w")) != NULL) {
		fwrite(log, 1, log_len, copy);
		fclose(copy);
	}
	if ((dumps = malloc(log_len / 2 + 1)) == NULL ||
	    (origin = calloc(log_len / 2 + 1, sizeof(*origin))) == NULL)
		return 1;
	dumps_len = decode_dumps(log, dumps, origin, log_len / 2 + 1,
	    &dump_lines);
	ours = count_prefix(log, "sk-tpm[debug]: ");
	tss = count_prefix(log, "trace:") + count_prefix(log, "debug:");
	printf("log: %zu bytes, %zu sk-tpm debug lines, %zu tpm2-tss "
	    "trace/debug lines, %zu hex-dump lines (%zu bytes)\n", log_len,
	    ours, tss, dump_lines, dumps_len);
	/* The search means something only if both logs were on. */
	if (ours == 0)
		fail("SK_TPM_DEBUG=1 produced no debug line");
	if (tss == 0 || dump_lines == 0)
		fail("TSS2_LOG=all+TRACE produced no trace lines or hex "
		    "dumps");
	hits = log_search("log", (uint8_t *)log, log_len, dumps, origin,
	    dumps_len, all, sizeof(all) / sizeof(all[0]));
	printf("log: %zu hits\n", hits);
	if (hits != 0)
		fail("a PIN or an auth value appears in the debug output");
	free(origin);
	free(dumps);
	free(log);
	free(enroll.kh);
	free(res.kh);
	return failures == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int r;

	if ((argc != 2 || (strcmp(argv[1], "memory") != 0 &&
	    strcmp(argv[1], "log") != 0)) && (argc != 3 ||
	    strcmp(argv[1], "lost") != 0)) {
		fprintf(stderr, "usage: %s memory|log|lost FAULT-TCTI.so\n",
		    argv[0]);
		return 2;
	}
	if (getenv("SK_TPM_TCTI") == NULL) {
		fprintf(stderr, "%s: run me through test/with-swtpm.sh\n",
		    argv[0]);
		return 2;
	}
	/* Presence comes from the PIN; nothing may prompt. */
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("SSH_ASKPASS");
	scan_buf_len = SCAN_CHUNK;
	scan_buf = mmap(NULL, scan_buf_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scan_buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (strcmp(argv[1], "memory") == 0) {
		/* Quiet: the library's output is not under test here. */
		setenv("TSS2_LOG", "all+NONE", 1);
		r = test_memory();
	} else if (strcmp(argv[1], "lost") == 0) {
		setenv("TSS2_LOG", "all+NONE", 1);
		r = test_lost(argv[2]);
	} else
		r = test_log();
	printf("%s: %s\n", argv[1], r == 0 && failures == 0 ? "PASS" :
	    "FAIL");
	return r == 0 && failures == 0 ? 0 : 1;
}
