/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parallel signatures through the real libsk-tpm.so: fork() P processes
 * that each sign N times (optionally after enrolling a key of their own)
 * and verify every signature with OpenSSL, all started at once.
 *
 *   par-sign [-p PROCS] [-n SIGNS] [-e] [-t SECONDS] [-m all-ok|clean]
 *            [-l LEFTOVER-TCTI] [-k KEEP-TCTI] [-L LABEL]
 *
 * SK_TPM_TCTI is what the library uses (a resource manager such as
 * tabrmd:bus_type=session, or the simulator directly). -l names the
 * simulator itself, to count what is left loaded in it afterwards
 * (default: SK_TPM_TCTI_DIRECT, which abrmd.sh sets, else SK_TPM_TCTI).
 *
 * Every call must end as a verified signature or as a clean error (an
 * SSH_SK_ERR_* with exactly one "sk-tpm:" line on stderr and nothing
 * else); a crash, a bad signature or a call still running after -t
 * seconds (alarm() per call, then SIGKILL from here) fails the run.
 *
 * The bound is per call, and by default one that a slow machine cannot
 * exceed without a real hang. Without a resource manager the processes
 * queue for the simulator's one connection: swtpm listens with a backlog
 * of 1, so the kernel drops the other processes' SYNs and their connect()
 * inside tpm2-tss retries with exponential backoff (1, 2, 4, ... s) until
 * it gives up after tcp_syn_retries retransmissions (127 s with Linux's
 * default of 6). A bound per process (120 s for 11 calls, as before) raced
 * that backoff on a loaded machine; the default bound is now the kernel's
 * own give-up time plus the library's TPM time-out for the commands. -m all-ok
 * additionally demands that every call succeeds and nothing is left in the
 * TPM. -m clean accepts clean errors and reports them as figures; with -k
 * anything left in the TPM after every process has ended fails it too.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sk-test-util.h"
#include "sk-api.h"
#include "tpm-util.h"

#define APP		"ssh:"
#define MAX_PROCS	64
#define MAX_MSGS	16
/* The library's bound on one TPM response (SK_TPM_TIMEOUT's default), and
 * at most how many responses one call waits for. */
#define TPM_TIMEOUT_S	10
#define CALL_RESPONSES	8

struct tally {
	int ok, clean, bad;
	int nmsg;
	char msg[MAX_MSGS][160];
	int msg_count[MAX_MSGS];
};

static void
note(struct tally *t, const char *line)
{
	char one[160];
	int i;

	snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
	for (i = 0; i < t->nmsg; i++) {
		if (strcmp(t->msg[i], one) == 0) {
			t->msg_count[i]++;
			return;
		}
	}
	if (t->nmsg < MAX_MSGS) {
		snprintf(t->msg[t->nmsg], sizeof(t->msg[0]), "%s", one);
		t->msg_count[t->nmsg++] = 1;
	}
}

/* A failure is clean if the library said why in one line and returned a
 * code OpenSSH understands. */
static void
classify(struct tally *t, int r, const char *err)
{
	if ((r == SSH_SK_ERR_GENERAL || r == SSH_SK_ERR_DEVICE_NOT_FOUND) &&
	    stu_count_lines(err) == 1 && stu_count_sk_lines(err) == 1) {
		t->clean++;
		note(t, err);
	} else {
		t->bad++;
		fprintf(stderr, "par-sign[%ld]: unclean result %d: \"%s\"\n",
		    (long)getpid(), r, err);
	}
}

/*
 * The longest a connect() to 127.0.0.1 can block before it fails: the
 * initial SYN and tcp_syn_retries retransmissions, the timeout doubling
 * from 1 s up to TCP_RTO_MAX (120 s).
 */
static int
connect_give_up_s(void)
{
	FILE *f;
	int retries = 6, total = 0, rto = 1, i;

	if ((f = fopen("/proc/sys/net/ipv4/tcp_syn_retries", "r")) != NULL) {
		if (fscanf(f, "%d", &retries) != 1 || retries < 1 ||
		    retries > 127)
			retries = 6;
		fclose(f);
	}
	for (i = 0; i <= retries; i++) {
		total += rto;
		rto = rto * 2 > 120 ? 120 : rto * 2;
	}
	return total;
}

static int
enroll(struct sk_enroll_response **e, char *err, size_t errlen)
{
	uint8_t challenge[32] = { 3 };
	int r;

	*e = NULL;
	if (stu_capture_start() != 0)
		return SSH_SK_ERR_GENERAL;
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, e);
	snprintf(err, errlen, "%s", stu_capture_stop());
	return r;
}

/* One child's work, each call bounded by alarm(call_s); the tally goes
 * to fd as raw bytes. */
static void
child(int id, int signs, int do_enroll, const struct sk_enroll_response *key,
    int call_s, int out_fd)
{
	struct sk_enroll_response *own = NULL;
	struct sk_sign_response *s = NULL;
	struct tally t;
	char data[64], err[4096];
	int i, r;

	memset(&t, 0, sizeof(t));
	if (do_enroll) {
		alarm((unsigned)call_s);
		r = enroll(&own, err, sizeof(err));
		if (r == 0)
			key = own;
		else {
			/* No key of its own: count its signatures as not
			 * attempted but the failure itself as a result. */
			classify(&t, r, err);
			signs = 0;
		}
	}
	for (i = 0; i < signs; i++) {
		snprintf(data, sizeof(data), "process %d signature %d", id, i);
		if (stu_capture_start() != 0)
			_exit(3);
		alarm((unsigned)call_s);
		r = sk_sign(SSH_SK_ECDSA, (const uint8_t *)data, strlen(data),
		    APP, key->key_handle, key->key_handle_len, 0, NULL, NULL,
		    &s);
		snprintf(err, sizeof(err), "%s", stu_capture_stop());
		if (r == 0) {
			if (err[0] == '\0' && stu_verify(key->public_key,
			    key->public_key_len, s, APP,
			    (const uint8_t *)data, strlen(data)) == 1)
				t.ok++;
			else {
				t.bad++;
				fprintf(stderr, "par-sign[%d]: signature %d "
				    "does not verify or was not silent\n", id,
				    i);
			}
		} else
			classify(&t, r, err);
		stu_free_sign(s);
		s = NULL;
	}
	alarm(0);
	stu_free_enroll(own);
	if (write(out_fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		_exit(3);
	_exit(t.bad == 0 ? 0 : 1);
}

/*
 * The shared key, enrolled in a process of its own: the tabrmd TCTI runs
 * GLib's D-Bus machinery with a worker thread, which a fork() does not
 * carry over, so this process must not touch the TPM before it forks the
 * signers (ssh-sk-helper is exec'ed afresh and never has this problem).
 */
static int
enroll_shared(struct sk_enroll_response **out)
{
	struct sk_enroll_response *e = NULL;
	char err[4096];
	uint32_t len = 0;
	int fd[2], status, r = -1;
	pid_t pid;

	*out = NULL;
	if (pipe(fd) != 0 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		if (enroll(&e, err, sizeof(err)) != 0) {
			fprintf(stderr, "par-sign: enrollment failed: %s", err);
			_exit(1);
		}
		len = (uint32_t)e->key_handle_len;
		if (e->public_key_len != 65 ||
		    write(fd[1], e->public_key, 65) != 65 ||
		    write(fd[1], &len, sizeof(len)) != sizeof(len) ||
		    write(fd[1], e->key_handle, len) != (ssize_t)len)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->public_key = malloc(65)) == NULL)
		goto out;
	e->public_key_len = 65;
	if (read(fd[0], e->public_key, 65) != 65 ||
	    read(fd[0], &len, sizeof(len)) != sizeof(len) || len == 0 ||
	    len > 65536 || (e->key_handle = malloc(len)) == NULL ||
	    read(fd[0], e->key_handle, len) != (ssize_t)len)
		goto out;
	e->key_handle_len = len;
	*out = e;
	e = NULL;
	r = 0;
out:
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		r = -1;
	stu_free_enroll(e);
	if (r != 0) {
		stu_free_enroll(*out);
		*out = NULL;
	}
	return r;
}

static void
usage(void)
{
	fprintf(stderr, "usage: par-sign [-p PROCS] [-n SIGNS] [-e] "
	    "[-t SECONDS] [-m all-ok|clean] [-l LEFTOVER-TCTI] [-k] "
	    "[-L LABEL]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sk_enroll_response *key = NULL;
	struct tally sum, t;
	pid_t pids[MAX_PROCS];
	int fds[MAX_PROCS], go[2];
	const char *tcti, *leftover_tcti = NULL, *label = "parallel";
	int procs = 8, signs = 10, do_enroll = 0, timeout = 0, all_ok = 0;
	int keep_clean = 0, crashed = 0, hung = 0, running, status, i, j, c;
	int left, fail = 0, pfd[2];
	double t0, elapsed, deadline;

	while ((c = getopt(argc, argv, "p:n:et:m:l:kL:")) != -1) {
		switch (c) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 'n':
			signs = atoi(optarg);
			break;
		case 'e':
			do_enroll = 1;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'm':
			if (strcmp(optarg, "all-ok") == 0)
				all_ok = 1;
			else if (strcmp(optarg, "clean") != 0)
				usage();
			break;
		case 'l':
			leftover_tcti = optarg;
			break;
		case 'k':
			keep_clean = 1;
			break;
		case 'L':
			label = optarg;
			break;
		default:
			usage();
		}
	}
	if (procs < 1 || procs > MAX_PROCS || signs < 0 || timeout < 0)
		usage();
	if (timeout == 0)
		timeout = connect_give_up_s() + CALL_RESPONSES * TPM_TIMEOUT_S;
	/* The parent's backstop: every call of a process at its bound. */
	deadline = (double)(signs + do_enroll) * timeout + 10;
	setvbuf(stdout, NULL, _IONBF, 0);
	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "par-sign: SK_TPM_TCTI is not set\n");
		return 2;
	}
	if (leftover_tcti == NULL)
		leftover_tcti = getenv("SK_TPM_TCTI_DIRECT");
	if (leftover_tcti == NULL)
		leftover_tcti = tcti;

	/* The shared key, made before any signer starts. */
	if (enroll_shared(&key) != 0)
		return 1;
	if (pipe(go) != 0)
		return 2;
	for (i = 0; i < procs; i++) {
		if (pipe(pfd) != 0)
			return 2;
		if ((pids[i] = fork()) == -1)
			return 2;
		if (pids[i] == 0) {
			close(pfd[0]);
			close(go[1]);
			/* Start together: wait until the parent closes the
			 * pipe. */
			if (read(go[0], &c, 1) < 0)
				_exit(3);
			close(go[0]);
			/* A hang ends in the call's alarm, as a signal the
			 * parent sees. */
			child(i, signs, do_enroll, key, timeout, pfd[1]);
		}
		close(pfd[1]);
		fds[i] = pfd[0];
	}
	close(go[0]);
	t0 = stu_now();
	close(go[1]);

	/* Wait, bounded: a process past the deadline is killed. */
	running = procs;
	while (running > 0) {
		for (i = 0; i < procs; i++) {
			if (pids[i] <= 0)
				continue;
			if (waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			running--;
			if (WIFSIGNALED(status)) {
				if (WTERMSIG(status) == SIGALRM ||
				    WTERMSIG(status) == SIGKILL)
					hung++;
				else
					crashed++;
				fprintf(stderr, "par-sign: process %d ended by "
				    "signal %d\n", i, WTERMSIG(status));
			}
			pids[i] = 0;
		}
		if (running > 0 && stu_now() - t0 > deadline) {
			for (i = 0; i < procs; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
		}
		if (running > 0)
			usleep(10000);
	}
	elapsed = stu_now() - t0;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < procs; i++) {
		if (read(fds[i], &t, sizeof(t)) == (ssize_t)sizeof(t)) {
			sum.ok += t.ok;
			sum.clean += t.clean;
			sum.bad += t.bad;
			for (j = 0; j < t.nmsg; j++) {
				for (c = 0; c < t.msg_count[j]; c++)
					note(&sum, t.msg[j]);
			}
		}
		close(fds[i]);
	}
	left = tu_count_leftovers(leftover_tcti);

	printf("%s: %d processes x %d signatures%s in %.1f s: %d verified, "
	    "%d clean errors, %d bad, %d crashed, %d hung; %d handles left "
	    "in the TPM\n", label, procs, signs,
	    do_enroll ? " (each after its own enrollment)" : "", elapsed,
	    sum.ok, sum.clean, sum.bad, crashed, hung, left);
	for (j = 0; j < sum.nmsg; j++)
		printf("%s:   %d x %s\n", label, sum.msg_count[j], sum.msg[j]);

	if (sum.bad != 0 || crashed != 0 || hung != 0 || left < 0)
		fail = 1;
	if (all_ok && (sum.ok != procs * signs || sum.clean != 0 || left != 0))
		fail = 1;
	if (keep_clean && left != 0)
		fail = 1;
	/* Every attempted call is accounted for. */
	if (!do_enroll && sum.ok + sum.clean + sum.bad != procs * signs &&
	    crashed == 0 && hung == 0)
		fail = 1;
	stu_free_enroll(key);
	printf("%s: %s\n", label, fail ? "FAIL" : "PASS");
	return fail;
}
