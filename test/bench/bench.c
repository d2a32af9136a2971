/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm-bench: what libsk-tpm.so costs on the TPM, measured through the
 * entry points OpenSSH calls.
 *
 *   sk-tpm-bench PROVIDER.so [N]	benchmark, N signatures per case (50)
 *   sk-tpm-bench -c CAPTURE...		count the TPM commands in captures
 *
 * The TPM is the one SK_TPM_TCTI names (default device:/dev/tpmrm0),
 * normally a simulator started by test/with-swtpm.sh. The provider is
 * loaded the way ssh-sk-helper loads it (dlopen RTLD_NOW, version check,
 * dlsym of each entry point) and driven with the calls ssh-keygen and ssh
 * make, including their first PIN-less call for a PIN key. Keys are made
 * with no-touch (flags 0) or with a PIN, and SK_TPM_PRESENCE=assume is set,
 * so nothing ever prompts.
 *
 * TPM commands are counted by running one operation at a time through
 * tpm2-tss's pcap TCTI ("pcap:" + SK_TPM_TCTI, a fresh TCTI_PCAP_FILE each
 * time) and reading the capture back; times are taken separately over the
 * plain TCTI so the capture's file writes do not inflate them. On a
 * simulator the persistent SRK is evicted for the second scenario and put
 * back afterwards; on anything else only the scenario the TPM is already in
 * is measured, because a real TPM's SRK belongs to its owner.
 *
 * Speed never fails the run. A provider error does (exit status 1).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sk-api.h"
#include "sk-test-util.h"

#include "benchsrk.h"
#include "pcapcount.h"

#define DEFAULT_RUNS	50
#define MAX_RUNS	100000
#define ENROLL_RUNS	5
#define BENCH_PIN	"123456"
#define APPLICATION	"ssh:"
/* About what ssh asks to be signed for a login: the session identifier
 * and the SSH_MSG_USERAUTH_REQUEST with the public key. */
#define SIGN_DATA_LEN	256
/* The target for a signature with a persistent SRK. */
#define TARGET_SIGN_COMMANDS	5

typedef uint32_t (*api_version_fn)(void);
typedef int (*enroll_fn)(uint32_t, const uint8_t *, size_t, const char *,
    uint8_t, const char *, struct sk_option **,
    struct sk_enroll_response **);
typedef int (*sign_fn)(uint32_t, const uint8_t *, size_t, const char *,
    const uint8_t *, size_t, uint8_t, const char *, struct sk_option **,
    struct sk_sign_response **);

struct provider {
	void		*dl;
	uint32_t	 version;
	enroll_fn	 enroll;
	sign_fn		 sign;
};

struct key {
	uint8_t		*handle;
	size_t		 len;
	uint8_t		 flags;		/* as the key file would record them */
};

enum op_kind { OP_ENROLL, OP_SIGN };

struct op {
	const char	*label;
	enum op_kind	 kind;
	uint8_t		 flags;		/* enrollment flags */
	const char	*pin;
	struct key	*key;		/* enrollment: result; signing: input */
	int		 want;		/* expected provider return code */
};

enum {
	OP_ENROLL_PLAIN,
	OP_ENROLL_PROBE,
	OP_ENROLL_PIN,
	OP_SIGN_PLAIN,
	OP_SIGN_PROBE,
	OP_SIGN_PIN,
	NOPS
};

struct timing {
	size_t		n;
	double		median;		/* milliseconds */
	double		p90;
};

struct scenario {
	const char	*title;
	bool		 srk;		/* persistent SRK present */
	bool		 ran;
	bool		 srk_changed;	/* the provider touched 0x81000001 */
	struct pcap_count cmds[NOPS];
	struct timing	 sign_plain;
	struct timing	 sign_pin;
	struct timing	 enroll_plain;
};

struct bench {
	struct provider	 p;
	char		*tcti;		/* plain TCTI */
	char		*pcap_tcti;	/* "pcap:" + tcti */
	char		 capdir[PATH_MAX];
	char		 capfile[PATH_MAX];
	unsigned int	 capseq;
	enum pcap_format format;	/* what the pcap TCTI wrote */
	size_t		 runs;
};

static int
provider_load(const char *path, struct provider *p)
{
	api_version_fn version;

	memset(p, 0, sizeof(*p));
	if ((p->dl = dlopen(path, RTLD_NOW)) == NULL) {
		fprintf(stderr, "sk-tpm-bench: dlopen %s: %s\n", path,
		    dlerror());
		return -1;
	}
	*(void **)&version = dlsym(p->dl, "sk_api_version");
	*(void **)&p->enroll = dlsym(p->dl, "sk_enroll");
	*(void **)&p->sign = dlsym(p->dl, "sk_sign");
	if (version == NULL || p->enroll == NULL || p->sign == NULL ||
	    dlsym(p->dl, "sk_load_resident_keys") == NULL) {
		fprintf(stderr, "sk-tpm-bench: %s lacks the provider entry "
		    "points\n", path);
		return -1;
	}
	p->version = version();
	if ((p->version & SSH_SK_VERSION_MAJOR_MASK) != SSH_SK_VERSION_MAJOR) {
		fprintf(stderr, "sk-tpm-bench: %s implements API 0x%08x, not "
		    "0x%08x\n", path, p->version, SSH_SK_VERSION_MAJOR);
		return -1;
	}
	return 0;
}

static void
fill_random(uint8_t *buf, size_t len)
{
	ssize_t n;
	size_t i;

	/* Any bytes do; random ones keep the TPM from seeing a pattern. */
	n = getrandom(buf, len, 0);
	if (n < 0 || (size_t)n != len)
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(i * 131 + 7);
}

static int
run_op(struct bench *b, const struct op *op)
{
	struct sk_enroll_response *er = NULL;
	struct sk_sign_response *sr = NULL;
	uint8_t challenge[32], data[SIGN_DATA_LEN];
	int rc;

	if (op->kind == OP_ENROLL) {
		fill_random(challenge, sizeof(challenge));
		rc = b->p.enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
		    APPLICATION, op->flags, op->pin, NULL, &er);
		if (rc == 0 && (er == NULL || er->key_handle == NULL ||
		    er->key_handle_len == 0)) {
			fprintf(stderr, "sk-tpm-bench: sk_enroll succeeded "
			    "without a key handle\n");
			rc = SSH_SK_ERR_GENERAL;
		}
		if (rc == 0 && op->key != NULL) {
			free(op->key->handle);
			op->key->handle = er->key_handle;
			op->key->len = er->key_handle_len;
			op->key->flags = er->flags;
			er->key_handle = NULL;
		}
		stu_free_enroll(er);
		return rc;
	}
	fill_random(data, sizeof(data));
	rc = b->p.sign(SSH_SK_ECDSA, data, sizeof(data), APPLICATION,
	    op->key->handle, op->key->len, op->key->flags, op->pin, NULL, &sr);
	if (rc == 0 && (sr == NULL || sr->sig_r == NULL ||
	    sr->sig_s == NULL)) {
		fprintf(stderr, "sk-tpm-bench: sk_sign succeeded without a "
		    "signature\n");
		rc = SSH_SK_ERR_GENERAL;
	}
	stu_free_sign(sr);
	return rc;
}

static int
check_rc(const struct scenario *s, const struct op *op, int rc)
{
	if (rc == op->want)
		return 0;
	fprintf(stderr, "sk-tpm-bench: %s, %s: the provider returned %d, "
	    "expected %d\n", s->title, op->label, rc, op->want);
	return -1;
}

/* One operation through the pcap TCTI; its commands go to *c. */
static int
count_op(struct bench *b, const struct scenario *s, const struct op *op,
    struct pcap_count *c)
{
	struct stat st;
	char err[256];
	int n, rc, r = -1;

	n = snprintf(b->capfile, sizeof(b->capfile), "%s/op-%u.pcap",
	    b->capdir, b->capseq++);
	if (n < 0 || (size_t)n >= sizeof(b->capfile)) {
		fprintf(stderr, "sk-tpm-bench: capture path too long\n");
		b->capfile[0] = '\0';
		goto out;
	}
	if (setenv("TCTI_PCAP_FILE", b->capfile, 1) != 0 ||
	    setenv("SK_TPM_TCTI", b->pcap_tcti, 1) != 0) {
		perror("sk-tpm-bench: setenv");
		goto out;
	}
	rc = run_op(b, op);
	if (check_rc(s, op, rc) != 0)
		goto out;
	memset(c, 0, sizeof(*c));
	/* No file or an empty one: the provider never opened the TPM. */
	if (stat(b->capfile, &st) != 0 || st.st_size == 0) {
		r = 0;
		goto out;
	}
	if (pcap_count_file(b->capfile, c, err, sizeof(err)) != 0) {
		fprintf(stderr, "sk-tpm-bench: reading %s: %s\n", b->capfile,
		    err);
		goto out;
	}
	b->format = c->format;
	r = 0;
out:
	setenv("SK_TPM_TCTI", b->tcti, 1);
	unsetenv("TCTI_PCAP_FILE");
	if (b->capfile[0] != '\0')
		unlink(b->capfile);
	return r;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
summarize(double *ms, size_t n, struct timing *t)
{
	size_t rank;

	qsort(ms, n, sizeof(*ms), cmp_double);
	t->n = n;
	t->median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
	/* Nearest rank: the smallest value with 90% at or below it. */
	rank = (n * 9 + 9) / 10;
	t->p90 = ms[rank > 0 ? rank - 1 : 0];
}

/*
 * n timed rounds of the nops operations, interleaved so that a burst of
 * load on the machine hits all of them alike, after one untimed warm-up
 * round (which loads the TCTI modules).
 */
static int
time_ops(struct bench *b, const struct scenario *s, const struct op **ops,
    struct timing **t, size_t nops, size_t n)
{
	double *ms = NULL, t0;
	size_t i, k;
	int r = -1;

	if ((ms = calloc(n * nops, sizeof(*ms))) == NULL) {
		perror("sk-tpm-bench: calloc");
		goto out;
	}
	for (k = 0; k < nops; k++)
		if (check_rc(s, ops[k], run_op(b, ops[k])) != 0)
			goto out;
	for (i = 0; i < n; i++)
		for (k = 0; k < nops; k++) {
			t0 = now_ms();
			if (check_rc(s, ops[k], run_op(b, ops[k])) != 0)
				goto out;
			ms[k * n + i] = now_ms() - t0;
		}
	for (k = 0; k < nops; k++)
		summarize(ms + k * n, n, t[k]);
	r = 0;
out:
	free(ms);
	return r;
}

static int
scenario_run(struct bench *b, struct scenario *s)
{
	struct key plain = { NULL, 0, 0 }, pinned = { NULL, 0, 0 };
	const uint8_t uvup = SSH_SK_USER_PRESENCE_REQD |
	    SSH_SK_USER_VERIFICATION_REQD;
	/*
	 * The calls ssh-keygen and ssh make: ssh-keygen's first enrollment
	 * call never carries a PIN, ssh's first signature call neither; the
	 * provider answers "PIN required" and they retry with one.
	 */
	const struct op ops[NOPS] = {
		[OP_ENROLL_PLAIN] = { "enrollment, no-PIN key (no-touch)",
		    OP_ENROLL, 0, NULL, &plain, 0 },
		[OP_ENROLL_PROBE] = { "enrollment, PIN key: 1st call, no PIN",
		    OP_ENROLL, uvup, NULL, NULL, SSH_SK_ERR_PIN_REQUIRED },
		[OP_ENROLL_PIN] = { "enrollment, PIN key: call with PIN",
		    OP_ENROLL, uvup, BENCH_PIN, &pinned, 0 },
		[OP_SIGN_PLAIN] = { "signature, no-PIN key",
		    OP_SIGN, 0, NULL, &plain, 0 },
		[OP_SIGN_PROBE] = { "signature, PIN key: 1st call, no PIN",
		    OP_SIGN, 0, NULL, &pinned, SSH_SK_ERR_PIN_REQUIRED },
		[OP_SIGN_PIN] = { "signature, PIN key: call with PIN",
		    OP_SIGN, 0, BENCH_PIN, &pinned, 0 },
	};
	const struct op enroll_timed = { "enrollment, no-PIN key (timed)",
	    OP_ENROLL, 0, NULL, NULL, 0 };
	const struct op *timed[2];
	struct timing *results[2];
	size_t i;
	int present, r = -1;

	fprintf(stderr, "sk-tpm-bench: %s: counting TPM commands\n",
	    s->title);
	for (i = 0; i < NOPS; i++)
		if (count_op(b, s, &ops[i], &s->cmds[i]) != 0)
			goto out;
	fprintf(stderr, "sk-tpm-bench: %s: timing %zu signatures per key, "
	    "interleaved\n", s->title, b->runs);
	timed[0] = &ops[OP_SIGN_PLAIN];
	timed[1] = &ops[OP_SIGN_PIN];
	results[0] = &s->sign_plain;
	results[1] = &s->sign_pin;
	if (time_ops(b, s, timed, results, 2, b->runs) != 0)
		goto out;
	timed[0] = &enroll_timed;
	results[0] = &s->enroll_plain;
	if (time_ops(b, s, timed, results, 1, ENROLL_RUNS) != 0)
		goto out;
	if ((present = bench_srk_present(b->tcti)) < 0)
		goto out;
	s->srk_changed = (present == 1) != s->srk;
	s->ran = true;
	r = 0;
out:
	free(plain.handle);
	free(pinned.handle);
	return r;
}

static int
set_srk(const char *tcti, bool want)
{
	int present;

	if ((want ? bench_srk_persist(tcti) : bench_srk_evict(tcti)) != 0)
		return -1;
	if ((present = bench_srk_present(tcti)) < 0)
		return -1;
	if ((present == 1) != want) {
		fprintf(stderr, "sk-tpm-bench: the SRK at 0x81000001 did not "
		    "%s\n", want ? "appear" : "go away");
		return -1;
	}
	return 0;
}

/* Simulators only: evicting a real TPM's SRK is the owner's decision. */
static bool
is_simulator(const char *tcti)
{
	return strncmp(tcti, "swtpm", 5) == 0 ||
	    strncmp(tcti, "mssim", 5) == 0;
}

static void
row(const char *label, const char *a, const char *b)
{
	printf("  %-40s %18s %18s\n", label, a, b);
}

static void
cell_count(char *buf, size_t len, const struct scenario *s, int op)
{
	const struct pcap_count *c = &s->cmds[op];

	if (!s->ran)
		snprintf(buf, len, "-");
	else if (c->retries > 0)
		snprintf(buf, len, "%zu (+%zu resent)", c->commands,
		    c->retries);
	else
		snprintf(buf, len, "%zu", c->commands);
}

static void
cell_time(char *buf, size_t len, const struct scenario *s,
    const struct timing *t, bool p90)
{
	if (!s->ran)
		snprintf(buf, len, "-");
	else if (p90)
		snprintf(buf, len, "%.1f / %.1f", t->median, t->p90);
	else
		snprintf(buf, len, "%.1f", t->median);
}

static void
report(const struct bench *b, const char *path, const struct scenario *sc)
{
	static const char *labels[NOPS] = {
		"enrollment, no-PIN key",
		"enrollment, PIN key: 1st call (no PIN)",
		"enrollment, PIN key: call with PIN",
		"signature, no-PIN key",
		"signature, PIN key: 1st call (no PIN)",
		"signature, PIN key: call with PIN",
	};
	struct rusage ru;
	char x[64], y[64], codes[512];
	const char *name;
	size_t i, j;
	int k;

	printf("\nsk-tpm-bench\n");
	printf("  provider  %s (API 0x%08x)\n", path, b->p.version);
	printf("  TPM       %s\n", b->tcti);
	printf("  counting  pcap TCTI, one capture per call (%s)\n",
	    b->format == PCAP_FMT_PCAPNG ? "pcapng" :
	    b->format == PCAP_FMT_PCAP ? "pcap" : "no capture written");
	printf("  timing    plain TCTI, in one process, %zu signatures per "
	    "key (interleaved) after a warm-up\n\n", b->runs);

	row("", sc[0].title, sc[1].title);
	printf("  TPM commands per call\n");
	for (k = 0; k < NOPS; k++) {
		cell_count(x, sizeof(x), &sc[0], k);
		cell_count(y, sizeof(y), &sc[1], k);
		row(labels[k], x, y);
	}
	printf("  Wall time per call, ms\n");
	cell_time(x, sizeof(x), &sc[0], &sc[0].sign_plain, true);
	cell_time(y, sizeof(y), &sc[1], &sc[1].sign_plain, true);
	row("signature, no-PIN key: median / p90", x, y);
	cell_time(x, sizeof(x), &sc[0], &sc[0].sign_pin, true);
	cell_time(y, sizeof(y), &sc[1], &sc[1].sign_pin, true);
	row("signature, PIN key: median / p90", x, y);
	cell_time(x, sizeof(x), &sc[0], &sc[0].enroll_plain, false);
	cell_time(y, sizeof(y), &sc[1], &sc[1].enroll_plain, false);
	snprintf(codes, sizeof(codes), "enrollment, no-PIN key: median of %d",
	    ENROLL_RUNS);
	row(codes, x, y);

	printf("\n  TPM commands by command code\n");
	for (i = 0; i < 2; i++) {
		if (!sc[i].ran)
			continue;
		printf("  %s\n", sc[i].title);
		for (k = 0; k < NOPS; k++) {
			pcap_count_codes(&sc[i].cmds[k], codes, sizeof(codes));
			printf("    %-38s %s\n", labels[k],
			    sc[i].cmds[k].commands > 0 ? codes : "(none)");
		}
	}

	printf("\n");
	for (i = 0; i < 2; i++) {
		if (!sc[i].ran) {
			printf("  note: %s not measured: the TPM is not a "
			    "simulator, so its persistent SRK was left as it "
			    "is\n", sc[i].title);
			continue;
		}
		if (sc[i].srk_changed)
			printf("  note: %s: the provider changed the "
			    "persistent SRK at 0x81000001\n", sc[i].title);
		for (k = 0; k < NOPS; k++) {
			const struct pcap_count *c = &sc[i].cmds[k];

			if (c->retries > 0) {
				name = tpm_cc_name(c->retry_cc);
				printf("  note: %s, %s: the TPM answered "
				    "%s with 0x%03x (retry) and ESYS sent it "
				    "again\n", sc[i].title, labels[k],
				    name != NULL ? name : "?", c->retry_rc);
			}
			if (c->failed == 0)
				continue;
			name = tpm_cc_name(c->fail_cc);
			printf("  note: %s, %s: %zu TPM command%s failed, "
			    "first %s -> 0x%08x\n", sc[i].title, labels[k],
			    c->failed, c->failed == 1 ? "" : "s",
			    name != NULL ? name : "?", c->fail_rc);
		}
	}
	if (sc[0].ran) {
		j = sc[0].cmds[OP_SIGN_PLAIN].commands;
		printf("  target: a signature with a persistent SRK in <= %d "
		    "TPM commands: %s (%zu)\n", TARGET_SIGN_COMMANDS,
		    j <= TARGET_SIGN_COMMANDS ? "met" : "NOT met", j);
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("  peak RSS of this process (getrusage): %.1f MiB\n",
		    (double)ru.ru_maxrss / 1024);
}

static int
count_files(int n, char **paths)
{
	struct pcap_count c;
	char err[256], codes[512];
	int i, r = 0;

	if (n == 0) {
		fprintf(stderr, "usage: sk-tpm-bench -c CAPTURE...\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (pcap_count_file(paths[i], &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "sk-tpm-bench: %s: %s\n", paths[i],
			    err);
			r = 1;
			continue;
		}
		printf("%s: %s, %zu sessions, %zu commands, %zu resent, "
		    "%zu responses, %zu failed: %s\n", paths[i],
		    c.format == PCAP_FMT_PCAPNG ? "pcapng" : "pcap",
		    c.sections, c.commands, c.retries, c.responses, c.failed,
		    pcap_count_codes(&c, codes, sizeof(codes)));
		if (c.failed > 0)
			printf("%s: first failure: %s -> 0x%08x\n", paths[i],
			    tpm_cc_name(c.fail_cc) != NULL ?
			    tpm_cc_name(c.fail_cc) : "?", c.fail_rc);
		if (c.junk > 0)
			printf("%s: %zu segments were not TPM messages\n",
			    paths[i], c.junk);
	}
	return r;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sk-tpm-bench PROVIDER.so [N]   (N signatures per case, "
	    "default %d)\n"
	    "       sk-tpm-bench -c CAPTURE...     (count TPM commands)\n"
	    "The TPM is SK_TPM_TCTI (e.g. swtpm:host=127.0.0.1,port=P).\n",
	    DEFAULT_RUNS);
}

int
main(int argc, char **argv)
{
	struct scenario sc[2] = {
		{ .title = "persistent SRK", .srk = true },
		{ .title = "no persistent SRK", .srk = false },
	};
	struct bench b;
	const char *env;
	char *end;
	unsigned long n;
	bool simulator, moved = false;
	int initial = -1, r = 1;

	memset(&b, 0, sizeof(b));
	if (argc >= 2 && strcmp(argv[1], "-c") == 0)
		return count_files(argc - 2, argv + 2);
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		usage();
		return 2;
	}
	b.runs = DEFAULT_RUNS;
	if (argc == 3) {
		errno = 0;
		n = strtoul(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > MAX_RUNS) {
			fprintf(stderr, "sk-tpm-bench: N must be 1..%d\n",
			    MAX_RUNS);
			return 2;
		}
		b.runs = n;
	}
	env = getenv("SK_TPM_TCTI");
	if (env == NULL || *env == '\0')
		env = "device:/dev/tpmrm0";
	if (strncmp(env, "pcap:", 5) == 0) {
		fprintf(stderr, "sk-tpm-bench: give the plain TCTI in "
		    "SK_TPM_TCTI; the benchmark adds pcap: itself\n");
		return 2;
	}
	/* The copy in the environment is replaced while capturing. */
	if ((b.tcti = strdup(env)) == NULL ||
	    asprintf(&b.pcap_tcti, "pcap:%s", b.tcti) < 0) {
		perror("sk-tpm-bench");
		return 1;
	}
	/* No prompt may block a run: keys without presence needs, and for
	 * the UP keys the provider's non-interactive switch. */
	setenv("SK_TPM_PRESENCE", "assume", 1);
	setenv("SK_TPM_TCTI", b.tcti, 1);

	snprintf(b.capdir, sizeof(b.capdir), "%s/sk-tpm-bench.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(b.capdir) == NULL) {
		perror("sk-tpm-bench: mkdtemp");
		b.capdir[0] = '\0';
		goto out;
	}
	if (provider_load(argv[1], &b.p) != 0)
		goto out;
	if ((initial = bench_srk_present(b.tcti)) < 0)
		goto out;
	simulator = is_simulator(b.tcti);

	/* First the scenario the TPM is in, then (simulators) the other. */
	if (scenario_run(&b, &sc[initial ? 0 : 1]) != 0)
		goto out;
	if (simulator) {
		fprintf(stderr, "sk-tpm-bench: %s the SRK at 0x81000001\n",
		    initial ? "evicting" : "persisting");
		if (set_srk(b.tcti, !initial) != 0)
			goto out;
		moved = true;
		if (scenario_run(&b, &sc[initial ? 1 : 0]) != 0)
			goto out;
	}
	report(&b, argv[1], sc);
	r = 0;
out:
	if (moved && set_srk(b.tcti, initial == 1) != 0)
		r = 1;
	if (b.capdir[0] != '\0')
		rmdir(b.capdir);
	if (b.p.dl != NULL)
		dlclose(b.p.dl);
	free(b.pcap_tcti);
	free(b.tcti);
	if (r != 0)
		fprintf(stderr, "sk-tpm-bench: failed\n");
	return r;
}
