/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm host-key: the machine's sshd host key in the TPM. The key is made
 * by OpenSSH's own ssh-keygen through the provider sshd is to use, with no
 * PIN and no touch (sshd signs at every connection, and nobody is there),
 * under the persistent TCG SRK (made here when 0x81000001 is free), into a
 * new file beside the target that is renamed into place only once it is
 * checked; then the two sshd_config lines are printed.
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hostkey.h"
#include "log.h"
#include "tpm-setup.h"

extern char **environ;

#ifndef SK_TPM_PROVIDER_PATH
#define SK_TPM_PROVIDER_PATH "/usr/lib/libsk-tpm.so"
#endif

static void
usage(FILE *f)
{
	fputs(
"usage: sk-tpm host-key [--file PATH] [--provider LIBRARY]\n"
"                       [--application ssh:NAME] [--comment TEXT] [--force]\n"
"                       [--no-setup] [-O OPTION] [--tcti TCTI]\n"
"\n"
"Make sshd's host key in the TPM: an ecdsa-sk key with no PIN and no\n"
"touch, made by ssh-keygen through LIBRARY, at PATH (default\n"
HOST_KEY_DEFAULT ", which needs root) and PATH.pub.\n"
"Then print the two lines sshd_config needs: HostKey and\n"
"SecurityKeyProvider. Unless --no-setup, the standard SRK is first made\n"
"persistent at 0x81000001 when that handle is free (as \"sk-tpm setup\").\n"
"An existing key is never replaced without --force: a new host key is a\n"
"new identity for every client that knew this host.\n"
"\n"
"Options:\n"
"  --file PATH       where the key goes\n"
"  --provider LIB    the provider sshd loads (default:\n"
"                    " SK_TPM_PROVIDER_PATH ")\n"
"  --application A   the key's application (default " HOST_KEY_APPLICATION
")\n"
"  --comment TEXT    the key's comment (default: ssh-keygen's)\n"
"  --force           replace an existing key at PATH\n"
"  --no-setup        leave 0x81000001 alone\n"
"  -O OPTION         ssh-keygen's no-touch-required is accepted;\n"
"                    verify-required and touch-required are refused\n"
"  --tcti TCTI       the TPM to use (overrides SK_TPM_TCTI)\n"
"  --help            this text\n",
	    f);
}

struct hk_args {
	char *path;
	char *provider;
	char *application;
	char *comment;
	int force;
	int setup;
};

/* -O words: ssh-keygen's vocabulary, of which a host key takes one. */
static int
hk_option(const struct cli *cli, const char *opt)
{
	if (strcmp(opt, "no-touch-required") == 0)
		return CLI_OK;
	if (strcmp(opt, "verify-required") == 0) {
		cli_error("a host key cannot have a PIN: sshd signs with it at "
		    "every connection, with nobody there to type one");
		return CLI_USAGE;
	}
	if (strcmp(opt, "touch-required") == 0) {
		cli_error("a host key cannot require a touch: sshd signs with "
		    "it at every connection, with nobody there to touch (and "
		    "sshd clears the requirement of host keys)");
		return CLI_USAGE;
	}
	if (strcmp(opt, "resident") == 0) {
		cli_error("a host key is not resident: sshd reads it from its "
		    "file, and a copy in TPM NV would only take a slot");
		return CLI_USAGE;
	}
	return cli_usage_error(cli, "-O %s is not an option of host keys",
	    opt);
}

static int
hk_parse(struct cli *cli, int argc, char **argv, struct hk_args *a)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "provider", required_argument, NULL, 'p' },
		{ "application", required_argument, NULL, 'a' },
		{ "comment", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'F' },
		{ "no-setup", no_argument, NULL, 'N' },
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static char provider[] = SK_TPM_PROVIDER_PATH;
	static char application[] = HOST_KEY_APPLICATION;
	static char path[] = HOST_KEY_DEFAULT;
	int ch, r;

	memset(a, 0, sizeof(*a));
	a->provider = provider;
	a->application = application;
	a->setup = 1;
	while ((ch = getopt_long(argc, argv, "+:hO:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': a->path = optarg; continue;
		case 'p': a->provider = optarg; continue;
		case 'a': a->application = optarg; continue;
		case 'c': a->comment = optarg; continue;
		case 'F': a->force = 1; continue;
		case 'N': a->setup = 0; continue;
		case 'O':
			if ((r = hk_option(cli, optarg)) != CLI_OK)
				return r;
			continue;
		default:
			break;
		}
		if ((r = cli_option(cli, ch, argv)) != 0)
			return r;
	}
	if ((r = cli_no_operands(cli, argc, argv)) != CLI_OK)
		return r;
	if (a->provider[0] != '/')
		return cli_usage_error(cli, "--provider needs an absolute path "
		    "(sshd and ssh-keygen refuse relative ones)");
	if (strncmp(a->application, "ssh:", 4) != 0)
		return cli_usage_error(cli, "--application must start with "
		    "\"ssh:\" (ssh-keygen refuses others)");
	if (a->path == NULL) {
		if (geteuid() != 0) {
			cli_error("making %s needs root (sshd reads its host "
			    "keys as root); or give --file", HOST_KEY_DEFAULT);
			return CLI_FAIL;
		}
		a->path = path;
	}
	return CLI_OK;
}

/* Refuse what would make a key sshd cannot use, before the TPM is asked. */
static int
hk_preflight(const struct hk_args *a)
{
	struct stat st;
	char *pub = NULL;
	int exists;

	if (getenv("SK_TPM_PCRS") != NULL && getenv("SK_TPM_PCRS")[0]) {
		cli_error("SK_TPM_PCRS is set: a host key bound to PCRs stops "
		    "serving after a firmware or boot change; unset it");
		return CLI_FAIL;
	}
	if (stat(a->provider, &st) != 0) {
		cli_error("the provider %s: %s", a->provider, strerror(errno));
		return CLI_FAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error("the provider %s is not a regular file",
		    a->provider);
		return CLI_FAIL;
	}
	if (asprintf(&pub, "%s.pub", a->path) == -1) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	exists = lstat(a->path, &st) == 0 || lstat(pub, &st) == 0;
	free(pub);
	if (exists && !a->force) {
		cli_error("%s exists; a new host key is a new identity for "
		    "every client that knew this host: --force replaces it",
		    a->path);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* The SRK made persistent when 0x81000001 is free; a failure is told and
 * the key is made under the derived SRK, which is the same key. */
static int
hk_setup(const struct cli *cli)
{
	enum tpm_setup_result result;
	uint8_t name[KH_NAME_LEN];
	struct tpm *tpm = NULL;
	int r;

	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		return r;
	log_reset();
	if (tpm_setup_srk(tpm, &result, name) != 0) {
		fprintf(stderr, "sk-tpm: note: the SRK stays derived (%s); "
		    "sshd derives it at every connection\n",
		    log_last_error() != NULL ? log_last_error() :
		    "cannot make it persistent");
		log_reset();
	} else if (result == TPM_SETUP_MADE) {
		fprintf(stderr, "sk-tpm: made the standard SRK persistent at "
		    "0x81000001\n");
	}
	tpm_close(&tpm);
	return CLI_OK;
}

/* ssh-keygen -t ecdsa-sk through the provider, into tmp; its own errors
 * (and the library's line) go to our stderr. */
static int
hk_keygen(const struct cli *cli, const struct hk_args *a, char *tmp)
{
	posix_spawn_file_actions_t fa;
	char *app = NULL;
	char *argv[20];
	pid_t pid;
	int n = 0, status, r = CLI_FAIL, err;

	if (cli->tcti != NULL && setenv("SK_TPM_TCTI", cli->tcti, 1) != 0) {
		cli_error("cannot pass the TCTI on: %s", strerror(errno));
		return CLI_FAIL;
	}
	if (asprintf(&app, "application=%s", a->application) == -1) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	argv[n++] = (char *)"ssh-keygen";
	argv[n++] = (char *)"-q";
	argv[n++] = (char *)"-t";
	argv[n++] = (char *)"ecdsa-sk";
	argv[n++] = (char *)"-w";
	argv[n++] = a->provider;
	argv[n++] = (char *)"-O";
	argv[n++] = (char *)"no-touch-required";
	argv[n++] = (char *)"-O";
	argv[n++] = app;
	argv[n++] = (char *)"-N";
	argv[n++] = (char *)"";
	if (a->comment != NULL) {
		argv[n++] = (char *)"-C";
		argv[n++] = a->comment;
	}
	argv[n++] = (char *)"-f";
	argv[n++] = tmp;
	argv[n] = NULL;
	/* Nothing to answer: no PIN, no overwrite question (tmp is new). */
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0) != 0) {
		cli_error("cannot prepare ssh-keygen");
		goto out_app;
	}
	fflush(stdout);
	fflush(stderr);
	if ((err = posix_spawnp(&pid, "ssh-keygen", &fa, NULL, argv,
	    environ)) != 0) {
		cli_error("cannot run ssh-keygen: %s", strerror(err));
		goto out;
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			cli_error("waiting for ssh-keygen: %s",
			    strerror(errno));
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_error("ssh-keygen could not make the key (see above); "
		    "nothing was written to %s", a->path);
		goto out;
	}
	r = CLI_OK;
out:
	posix_spawn_file_actions_destroy(&fa);
out_app:
	free(app);
	return r;
}

/* The new key is what was asked for, and this TPM's. */
static int
hk_check(const struct cli *cli, const char *tmp)
{
	struct sshkey_sk k;
	struct tpm *tpm = NULL;
	const char *why = NULL;
	char reason[256];
	int r = CLI_FAIL, ours;

	if (host_key_read(tmp, &k, reason, sizeof(reason)) != HOST_KEY_OK ||
	    !k.have_private) {
		cli_error("ssh-keygen wrote a key sk-tpm cannot read back: %s",
		    reason);
		goto out;
	}
	if (k.flags != 0) {
		cli_error("ssh-keygen wrote flags 0x%02x, not 0x00 (no PIN, "
		    "no touch)", k.flags);
		goto out;
	}
	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		goto out;
	r = CLI_FAIL;
	if ((ours = host_key_is_ours(tpm, &k, &why)) < 0) {
		cli_fail("cannot read the SRK's Name");
		goto out;
	}
	if (ours == 0) {
		cli_error("the new key is not this TPM's: %s", why);
		goto out;
	}
	r = CLI_OK;
out:
	tpm_close(&tpm);
	host_key_free(&k);
	return r;
}

int
cmd_host_key(struct cli *cli, int argc, char **argv)
{
	struct hk_args a;
	char *tmp = NULL, *tmp_pub = NULL, *pub = NULL;
	int r;

	if ((r = hk_parse(cli, argc, argv, &a)) == CLI_HELP) {
		usage(stdout);
		return CLI_OK;
	}
	if (r != CLI_OK)
		return r;
	if ((r = hk_preflight(&a)) != CLI_OK)
		return r;
	if (asprintf(&tmp, "%s.new-%ld", a.path, (long)getpid()) == -1 ||
	    asprintf(&tmp_pub, "%s.pub", tmp) == -1 ||
	    asprintf(&pub, "%s.pub", a.path) == -1) {
		cli_error("out of memory");
		r = CLI_FAIL;
		goto out;
	}
	(void)unlink(tmp);
	(void)unlink(tmp_pub);
	if (a.setup && (r = hk_setup(cli)) != CLI_OK)
		goto out;
	if ((r = hk_keygen(cli, &a, tmp)) != CLI_OK ||
	    (r = hk_check(cli, tmp)) != CLI_OK)
		goto out;
	if (rename(tmp_pub, pub) != 0 || rename(tmp, a.path) != 0) {
		cli_error("cannot move the new key to %s: %s", a.path,
		    strerror(errno));
		r = CLI_FAIL;
		goto out;
	}
	printf("HostKey %s\nSecurityKeyProvider %s\n", a.path, a.provider);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write the sshd_config lines");
		r = CLI_FAIL;
	} else if (strcmp(a.path, HOST_KEY_DEFAULT) == 0) {
		/* sshd falls back on its default keys only without any
		 * HostKey line: this one would silently drop them. */
		fprintf(stderr, "sk-tpm: note: once sshd_config names a "
		    "HostKey, sshd loads no default host key; keep the others "
		    "with HostKey lines of their own (\"sshd -T | grep "
		    "hostkey\" shows what it loads)\n");
	}
out:
	if (tmp != NULL)
		(void)unlink(tmp);
	if (tmp_pub != NULL)
		(void)unlink(tmp_pub);
	free(tmp);
	free(tmp_pub);
	free(pub);
	return r;
}
