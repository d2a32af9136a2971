/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The presence question (sk/presence.c) against real programs: an askpass
 * script run by the library, and a pseudo-terminal that is the
 * controlling terminal of a child. No TPM is involved.
 *
 *  - an askpass counts as yes only as OpenSSH's ask_permission() counts
 *    it: exit 0 and an empty first line or "yes"; one that prints a PIN
 *    is no;
 *  - the askpass inherits no descriptor beyond 0-2;
 *  - an askpass that never answers is killed and reaped at the bound;
 *  - the application is shown without terminal escapes, in the dialog
 *    and on the terminal;
 *  - on the terminal, what was typed before the question is discarded.
 *
 * The tests run in a child that has left the caller's session, so that a
 * terminal ctest was started from plays no part.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "presence.h"

#define HOSTILE_APP	"ssh:\x1b]2;owned\x07\x1b[2J\r\nAllow? yes"
#define HOSTILE_SHOWN	\
    "ssh:\\x1b]2;owned\\x07\\x1b[2J\\x0d\\x0aAllow? yes"
/* A hang bound, not a speed test. */
#define BOUND_S		20.0
/*
 * How long the library waits for an askpass that does answer at once. Only
 * a hang reaches it; a loaded machine may take seconds to start the
 * askpass's shell and its commands, and a shorter bound would then turn
 * "yes" into "not confirmed" (the library's own default is 60 s).
 */
#define ANSWER_MS	60000

static char dir[] = "/tmp/sk-tpm-presence.XXXXXX";
static char askpass[256];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
slurp(const char *name)
{
	static char buf[8192];
	char path[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
write_askpass(void)
{
	FILE *f;

	snprintf(askpass, sizeof(askpass), "%s/askpass", dir);
	assert_non_null(f = fopen(askpass, "w"));
	fprintf(f, "#!/bin/sh\n"
	    "d='%s'\n"
	    "printf '%%s\\n' \"$1\" >\"$d/prompt\"\n"
	    "printf '%%s\\n' \"$SSH_ASKPASS_PROMPT\" >\"$d/kind\"\n"
	    "'%s' >\"$d/fds\"\n"
	    "echo $$ >\"$d/pid\"\n"
	    "case \"$ASKPASS_MODE\" in\n"
	    "pin)\tprintf '123456\\n'; exit 0 ;;\n"
	    "yes)\techo yes; exit 0 ;;\n"
	    "YES)\tprintf 'YES\\r\\n'; exit 0 ;;\n"
	    "empty)\texit 0 ;;\n"
	    "no)\texit 1 ;;\n"
	    "yes-fail) echo yes; exit 1 ;;\n"
	    "yesno)\techo yesno; exit 0 ;;\n"
	    "hang)\texec sleep 1000 ;;\n"
	    "hang-closed) exec >&-; exec sleep 1000 ;;\n"
	    "esac\n"
	    "exit 3\n", dir, PRESENCE_FDS);
	fclose(f);
	assert_int_equal(chmod(askpass, 0700), 0);
}

static int
ask(const char *mode, const char *app, int timeout_ms, double *secs)
{
	struct sk_config cfg;
	char pid_path[512];
	double t0;
	int r;

	memset(&cfg, 0, sizeof(cfg));
	cfg.askpass = askpass;
	cfg.askpass_usable = true;
	cfg.presence_timeout_ms = timeout_ms;
	setenv("ASKPASS_MODE", mode, 1);
	snprintf(pid_path, sizeof(pid_path), "%s/pid", dir);
	(void)unlink(pid_path);
	log_reset();
	t0 = now_s();
	r = presence_confirm(&cfg, app);
	if (secs != NULL)
		*secs = now_s() - t0;
	return r;
}

static void
test_answers(void **state)
{
	static const struct {
		const char *mode;
		int yes;
	} cases[] = {
		{ "empty", 1 }, { "yes", 1 }, { "YES", 1 },
		{ "no", 0 }, { "yes-fail", 0 }, { "yesno", 0 },
		/* A dialog that asked for a PIN despite the confirm hint. */
		{ "pin", 0 },
	};
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = ask(cases[i].mode, "ssh:", ANSWER_MS, NULL);
		printf("# askpass answering \"%s\": %s\n", cases[i].mode,
		    r == 0 ? "presence" : log_last_error());
		assert_string_equal(slurp("kind"), "confirm\n");
		if (cases[i].yes) {
			assert_int_equal(r, 0);
			assert_null(log_last_error());
		} else {
			assert_int_not_equal(r, 0);
			assert_non_null(strstr(log_last_error(), "declined"));
		}
	}
}

static void
test_no_inherited_fds(void **state)
{
	char marker[512], *line, *target;
	int fd, fdn;

	(void)state;
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	/* Not close-on-exec, as a careless caller's descriptor would be. */
	assert_true((fd = open(marker, O_RDWR | O_CREAT, 0600)) > 2);
	assert_int_equal(ask("yes", "ssh:", ANSWER_MS, NULL), 0);
	close(fd);
	/*
	 * What a command run by the askpass holds (presence-fds.c): beyond
	 * 0-2, at most the shell's descriptor of its script, should a shell
	 * not keep that one to itself.
	 */
	printf("# askpass's descriptors:\n%s", slurp("fds"));
	/* The listing itself is there: its stdout is the fds file. */
	assert_non_null(strstr(slurp("fds"), "1 /"));
	for (line = strtok(slurp("fds"), "\n"); line != NULL;
	    line = strtok(NULL, "\n")) {
		fdn = atoi(line);
		target = strchr(line, ' ');
		assert_non_null(target);
		if (fdn > 2 && strcmp(target + 1, askpass) != 0)
			fail_msg("askpass inherited descriptor %s", line);
	}
}

static void
bounded(const char *mode)
{
	double secs;
	pid_t pid;
	int r;

	r = ask(mode, "ssh:", 1500, &secs);
	pid = (pid_t)atol(slurp("pid"));
	printf("# askpass \"%s\" that never answers: %s after %.1f s\n", mode,
	    log_last_error(), secs);
	assert_int_not_equal(r, 0);
	assert_non_null(strstr(log_last_error(), "not confirmed within"));
	assert_true(secs < BOUND_S);
	/* Killed and reaped: not even a zombie is left. */
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void
test_bounded(void **state)
{
	(void)state;
	bounded("hang");
	bounded("hang-closed");
}

static void
test_sanitized_askpass(void **state)
{
	const char *p;

	(void)state;
	assert_int_equal(ask("yes", HOSTILE_APP, ANSWER_MS, NULL), 0);
	p = slurp("prompt");
	printf("# prompt: %s", p);
	assert_non_null(strstr(p, HOSTILE_SHOWN));
	for (; *p != '\0'; p++)
		if (*p != '\n')
			assert_true(*p >= 0x20 && *p < 0x7f);
}

static void
test_sanitize(void **state)
{
	char out[300], in[1000];

	(void)state;
	presence_sanitize("ssh:a\\b\x7f\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "ssh:a\\x5cb\\x7f\\xc3\\xa9");
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	presence_sanitize(in, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_string_equal(out + strlen(out) - 3, "...");
	presence_sanitize("\x01\x01\x01\x01", out, 10);
	assert_true(strlen(out) < 10);
}

/*
 * On a pseudo-terminal: the child makes it its controlling terminal, waits
 * until what the parent typed ahead (if anything) is queued, and asks. The
 * parent reads the question, then answers. Returns the child's verdict: 0
 * presence, 1 declined, 2 anything else; *shown is what the terminal got.
 */
static int
tty_ask(const char *typed_ahead, const char *answer, char *shown,
    size_t shown_len)
{
	struct sk_config cfg;
	struct pollfd pfd;
	size_t have = 0;
	ssize_t n;
	pid_t pid;
	double t0;
	int master, slave, status;

	assert_true((master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	if (typed_ahead != NULL)
		assert_true(write(master, typed_ahead,
		    strlen(typed_ahead)) > 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if (setsid() == -1 ||
		    (slave = open(ptsname(master), O_RDWR)) == -1 ||
		    ioctl(slave, TIOCSCTTY, 0) == -1)
			_exit(3);
		close(master);
		pfd.fd = slave;
		pfd.events = POLLIN;
		if (typed_ahead != NULL && poll(&pfd, 1, 10000) != 1)
			_exit(4);
		memset(&cfg, 0, sizeof(cfg));
		cfg.presence_timeout_ms = 20000;
		log_reset();
		if (presence_confirm(&cfg, HOSTILE_APP) == 0)
			_exit(0);
		_exit(log_last_error() != NULL &&
		    strstr(log_last_error(), "declined") != NULL ? 1 : 2);
	}
	/* Read until the question is complete. */
	pfd.fd = master;
	pfd.events = POLLIN;
	t0 = now_s();
	shown[0] = '\0';
	while (strstr(shown, "[y/N] ") == NULL && now_s() - t0 < BOUND_S) {
		if (poll(&pfd, 1, 200) != 1)
			continue;
		n = read(master, shown + have, shown_len - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		shown[have] = '\0';
	}
	if (strstr(shown, "[y/N] ") != NULL)
		assert_true(write(master, answer, strlen(answer)) > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(master);
	printf("# terminal (typed ahead %s, answered %s): child status %d\n",
	    typed_ahead != NULL ? "yes" : "nothing",
	    answer[0] == 'y' ? "y" : "n", status);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_tty(void **state)
{
	char shown[4096];
	size_t i;

	(void)state;
	assert_int_equal(tty_ask(NULL, "y\n", shown, sizeof(shown)), 0);
	assert_int_equal(tty_ask(NULL, "n\n", shown, sizeof(shown)), 1);
	/* A "y" typed before the question was asked is no answer to it. */
	assert_int_equal(tty_ask("y\n", "n\n", shown, sizeof(shown)), 1);
	assert_non_null(strstr(shown, HOSTILE_SHOWN));
	for (i = 0; shown[i] != '\0'; i++)
		assert_true(shown[i] != '\x1b' && shown[i] != '\x07');
}

static int
run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_no_inherited_fds),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_sanitized_askpass),
		cmocka_unit_test(test_tty),
	};

	write_askpass();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

int
main(void)
{
	char cmd[512];
	pid_t pid;
	int status, r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (mkdtemp(dir) == NULL)
		return 2;
	unsetenv("SK_TPM_PRESENCE");
	if ((pid = fork()) == -1)
		return 2;
	if (pid == 0) {
		/* No controlling terminal; and a hang fails the test. */
		if (setsid() == -1)
			_exit(2);
		alarm(120);
		_exit(run());
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return 2;
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	if (!WIFEXITED(status))
		fprintf(stderr, "test_presence: killed by signal %d "
		    "(a hang?)\n", WTERMSIG(status));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		r = 1;
	return r;
}
