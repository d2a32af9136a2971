/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm-bench-latency: modelled TPM time of libsk-tpm.so's operations.
 * Every TPM command goes through the latency TCTI (tcti-latency.c), either
 * in this process (SK_TPM_TCTI names it) or in front of tpm2-abrmd's TPM
 * connection; the TCTI appends one line per command to SK_LATENCY_LOG,
 * and this program sums the lines of each operation by the model.
 *
 *   sk-tpm-bench-latency ours N	the provider's operations, N runs each
 *   sk-tpm-bench-latency mark		print where the log ends now
 *   sk-tpm-bench-latency row MARK IMPL OP [RUNS]
 *					sum the lines after MARK as one row
 *   sk-tpm-bench-latency table FILE	print the rows in FILE as a table
 *
 * Rows go to standard output as tab-separated lines (latency-log.h);
 * SK_LATENCY_CONFIG names the column ("direct, persistent SRK"). An
 * operation that reached no TPM command fails the run: the measurement is
 * broken, not fast. Speed never fails it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "latency-log.h"
#include "latency-table.h"
#include "sk-api.h"
#include "sk-test-util.h"

#define BENCH_PIN	"123456"
#define APPLICATION	"ssh:"
#define SIGN_DATA_LEN	256	/* about what ssh signs for a login */
#define RESIDENT_MAX	8

static const char *log_path, *config;

struct key {
	uint8_t	*handle;
	size_t	 len;
	uint8_t	 flags;
};

static int
enroll(uint8_t flags, const char *pin, const char *user, struct key *k)
{
	static char name[] = "user";
	char value[32];
	struct sk_option opt = { name, value, 0 }, *opts[] = { &opt, NULL };
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32];
	int rc;

	if (getrandom(challenge, sizeof(challenge), 0) !=
	    (ssize_t)sizeof(challenge))
		memset(challenge, 7, sizeof(challenge));
	snprintf(value, sizeof(value), "%s", user != NULL ? user : "");
	rc = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APPLICATION, flags, pin, user != NULL ? opts : NULL, &e);
	if (rc == 0 && k != NULL) {
		free(k->handle);
		k->handle = e->key_handle;
		k->len = e->key_handle_len;
		k->flags = e->flags;
		e->key_handle = NULL;
	}
	stu_free_enroll(e);
	return rc;
}

static int
sign(const struct key *k, const char *pin)
{
	struct sk_sign_response *s = NULL;
	uint8_t data[SIGN_DATA_LEN];
	int rc;

	if (getrandom(data, sizeof(data), 0) != (ssize_t)sizeof(data))
		memset(data, 9, sizeof(data));
	rc = sk_sign(SSH_SK_ECDSA, data, sizeof(data), APPLICATION,
	    k->handle, k->len, k->flags, pin, NULL, &s);
	if (rc == 0 && (s == NULL || s->sig_r == NULL || s->sig_s == NULL))
		rc = SSH_SK_ERR_GENERAL;
	stu_free_sign(s);
	return rc;
}

enum op {
	ENROLL_PLAIN, ENROLL_PIN, ENROLL_RESIDENT, SIGN_PLAIN, SIGN_PIN,
	LOAD_RESIDENT, ENROLL_UNLOCK, SIGN_UNLOCK_PIN, SIGN_UNLOCK_TICKET
};

struct ctx {
	struct key	plain, pinned, unlock;
	size_t		residents;
	char		tickets[4096];	/* $XDG_RUNTIME_DIR/sk-tpm */
};

/* Close the unlock window, as sk-tpm lock does: remove the tickets (with
 * all, every file of the directory). */
static void
remove_files(const struct ctx *c, bool all)
{
	char path[sizeof(c->tickets) + 258];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(c->tickets)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if ((all && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) ||
		    strstr(e->d_name, ".ticket") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", c->tickets,
			    e->d_name);
			(void)unlink(path);
		}
	closedir(d);
}

/* ssh and ssh-agent: a first call without the PIN, then with it when
 * the provider asks for it. */
static int
sign_as_ssh(const struct key *k)
{
	int rc;

	if ((rc = sign(k, NULL)) != SSH_SK_ERR_PIN_REQUIRED)
		return rc;
	return sign(k, BENCH_PIN);
}

static int
run_once(struct ctx *c, enum op op)
{
	const uint8_t uv = SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_USER_VERIFICATION_REQD;
	struct sk_resident_key **rks = NULL;
	size_t nrks = 0;
	char user[32];
	int rc;

	switch (op) {
	case ENROLL_PLAIN:
		return enroll(0, NULL, NULL, &c->plain);
	case ENROLL_PIN:
		/* ssh-keygen: a first call without a PIN, then with it. */
		rc = enroll(uv, NULL, NULL, NULL);
		if (rc != SSH_SK_ERR_PIN_REQUIRED)
			return rc == 0 ? SSH_SK_ERR_GENERAL : rc;
		return enroll(uv, BENCH_PIN, NULL, &c->pinned);
	case ENROLL_RESIDENT:
		/* A new record each time, next to those made before. */
		snprintf(user, sizeof(user), "bench%02zu", c->residents);
		if ((rc = enroll(SSH_SK_RESIDENT_KEY, NULL, user, NULL)) == 0)
			c->residents++;
		return rc;
	case SIGN_PLAIN:
		return sign(&c->plain, NULL);
	case SIGN_PIN:
		/* ssh asks for the PIN before it signs with a UV key. */
		return sign(&c->pinned, BENCH_PIN);
	case LOAD_RESIDENT:
		rc = sk_load_resident_keys(NULL, NULL, &rks, &nrks);
		stu_free_resident(rks, nrks);
		if (rc == 0 && nrks != c->residents) {
			fprintf(stderr, "sk-tpm-bench-latency: -K found %zu "
			    "records, expected %zu\n", nrks, c->residents);
			rc = SSH_SK_ERR_GENERAL;
		}
		return rc;
	case ENROLL_UNLOCK:
		setenv("SK_TPM_UNLOCK", "15m", 1);
		rc = enroll(uv, NULL, NULL, NULL);
		if (rc == SSH_SK_ERR_PIN_REQUIRED)
			rc = enroll(uv, BENCH_PIN, NULL, &c->unlock);
		else if (rc == 0)
			rc = SSH_SK_ERR_GENERAL;
		unsetenv("SK_TPM_UNLOCK");
		return rc;
	case SIGN_UNLOCK_PIN:
		/* The window closed: the PIN opens it again. */
		remove_files(c, false);
		return sign_as_ssh(&c->unlock);
	case SIGN_UNLOCK_TICKET:
		/* Inside the window: the first call signs. */
		return sign(&c->unlock, NULL);
	}
	return SSH_SK_ERR_GENERAL;
}

/* runs runs of op, summed into one row. */
static int
measure(struct ctx *c, enum op op, const char *label, size_t runs)
{
	struct latency_sum total, one;
	size_t i;
	off_t mark;
	int rc;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < runs; i++) {
		mark = latency_log_mark(log_path);
		if ((rc = run_once(c, op)) != 0) {
			fprintf(stderr, "sk-tpm-bench-latency: %s: the "
			    "provider returned %d\n", label, rc);
			return -1;
		}
		if (latency_log_sum(log_path, mark, &one) != 0)
			return -1;
		if (one.commands == 0) {
			fprintf(stderr, "sk-tpm-bench-latency: %s: no TPM "
			    "command was accounted: the latency TCTI is not "
			    "in the path\n", label);
			return -1;
		}
		latency_sum_add(&total, &one);
	}
	latency_row(stdout, config, "sk-tpm", label, &total, runs, &one);
	return 0;
}

/*
 * An unlockable key (SK_TPM_UNLOCK): its first signature of a window, as
 * ssh makes it (a call without the PIN, then with it), and the signatures
 * inside the window. Tickets need a runtime directory: without
 * XDG_RUNTIME_DIR these rows get a private one, which also lets the
 * library keep its saved SRK context for them.
 */
static int
unlock_rows(struct ctx *c, size_t runs)
{
	char tmp[] = "/tmp/sk-tpm-bench.XXXXXX";
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	bool own = xdg == NULL || *xdg == '\0';
	int r = -1;

	if (own) {
		if (mkdtemp(tmp) == NULL) {
			perror("sk-tpm-bench-latency: mkdtemp");
			return -1;
		}
		setenv("XDG_RUNTIME_DIR", tmp, 1);
		xdg = tmp;
	}
	snprintf(c->tickets, sizeof(c->tickets), "%s/sk-tpm", xdg);
	if (measure(c, ENROLL_UNLOCK, "enrollment, unlockable key",
	    runs) != 0 ||
	    measure(c, SIGN_UNLOCK_PIN, "signature, unlockable, PIN",
	    runs) != 0 ||
	    measure(c, SIGN_UNLOCK_TICKET, "signature, unlockable, ticket",
	    runs) != 0)
		goto out;
	r = 0;
out:
	if (own) {
		remove_files(c, true);
		(void)rmdir(c->tickets);
		(void)rmdir(tmp);
		unsetenv("XDG_RUNTIME_DIR");
	}
	return r;
}

static int
ours(size_t runs)
{
	struct ctx c;
	int r = -1;

	memset(&c, 0, sizeof(c));
	setenv("SK_TPM_PRESENCE", "assume", 1);
	/* Signatures are measured after a first one, which leaves what a
	 * first signature after boot leaves (the saved SRK context, when
	 * XDG_RUNTIME_DIR is set). */
	if (measure(&c, ENROLL_PLAIN, "enrollment, no-PIN key", runs) != 0 ||
	    measure(&c, ENROLL_PIN, "enrollment, PIN key", runs) != 0 ||
	    run_once(&c, SIGN_PLAIN) != 0 ||
	    measure(&c, SIGN_PLAIN, "signature, no-PIN key", runs) != 0 ||
	    measure(&c, SIGN_PIN, "signature, PIN key", runs) != 0)
		goto out;
	/*
	 * -K with one record; then the resident enrollments that make the
	 * other seven, measured (each reads the records already there), and
	 * -K with eight.
	 */
	if (run_once(&c, ENROLL_RESIDENT) != 0) {
		fprintf(stderr, "sk-tpm-bench-latency: the first resident "
		    "enrollment failed\n");
		goto out;
	}
	if (measure(&c, LOAD_RESIDENT, "ssh-keygen -K, 1 record", runs) != 0 ||
	    measure(&c, ENROLL_RESIDENT, "enrollment, resident no-PIN key",
	    RESIDENT_MAX - 1) != 0 ||
	    measure(&c, LOAD_RESIDENT, "ssh-keygen -K, 8 records", runs) != 0)
		goto out;
	if (unlock_rows(&c, runs) != 0)
		goto out;
	r = 0;
out:
	free(c.plain.handle);
	free(c.pinned.handle);
	free(c.unlock.handle);
	return r;
}

static int
row(const char *mark_s, const char *impl, const char *op, const char *runs_s)
{
	struct latency_sum s;
	unsigned long long mark;
	unsigned long runs = 1;
	char *end;

	errno = 0;
	mark = strtoull(mark_s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 2;
	if (runs_s != NULL) {
		runs = strtoul(runs_s, &end, 10);
		if (errno != 0 || *end != '\0' || runs == 0)
			return 2;
	}
	if (latency_log_sum(log_path, (off_t)mark, &s) != 0)
		return 1;
	if (s.commands == 0) {
		fprintf(stderr, "sk-tpm-bench-latency: %s, %s: no TPM command "
		    "was accounted\n", impl, op);
		return 1;
	}
	latency_row(stdout, config, impl, op, &s, runs, &s);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: sk-tpm-bench-latency ours N | mark | "
	    "row MARK IMPL OP [RUNS] | table FILE\n"
	    "(SK_LATENCY_LOG: the latency TCTI's log; SK_LATENCY_CONFIG: the "
	    "column)\n");
	return 2;
}

int
main(int argc, char **argv)
{
	unsigned long n;
	char *end;

	if (argc == 3 && strcmp(argv[1], "table") == 0)
		return latency_table(argv[2]) == 0 ? 0 : 1;
	log_path = getenv("SK_LATENCY_LOG");
	config = getenv("SK_LATENCY_CONFIG");
	if (log_path == NULL || *log_path == '\0' || config == NULL)
		return usage();
	if (argc == 2 && strcmp(argv[1], "mark") == 0) {
		printf("%lld\n", (long long)latency_log_mark(log_path));
		return 0;
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "row") == 0)
		return row(argv[2], argv[3], argv[4], argc == 6 ? argv[5] :
		    NULL);
	if (argc == 3 && strcmp(argv[1], "ours") == 0) {
		errno = 0;
		n = strtoul(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > 1000)
			return usage();
		return ours(n) == 0 ? 0 : 1;
	}
	return usage();
}
