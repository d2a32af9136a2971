/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm-bench-resident: what resident credentials cost on the TPM.
 *
 *   sk-tpm-bench-resident PROVIDER.so
 *
 * Through the real entry points (linked, as OpenSSH's helper would find
 * them), it stores resident credentials one by one and, at 1, 8 and 16
 * records, counts the TPM commands of one sk_load_resident_keys (what
 * ssh-keygen -K and ssh-add -K cost) and of the last resident enrollment,
 * and prints the size of one record. Commands are counted through
 * tpm2-tss's pcap TCTI as sk-tpm-bench does. Prints figures; fails only
 * when the provider does.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapcount.h"
#include "sk-api.h"
#include "sk-test-util.h"

static const char *tcti;
static char pcap_tcti[512], capdir[] = "/tmp/sk-tpm-bench-rk.XXXXXX";
static unsigned capseq;

/* Point the provider at a fresh capture; returns its path. */
static const char *
capture_begin(char *path, size_t len)
{
	snprintf(path, len, "%s/%u.pcap", capdir, capseq++);
	setenv("TCTI_PCAP_FILE", path, 1);
	setenv("SK_TPM_TCTI", pcap_tcti, 1);
	return path;
}

static int
capture_end(const char *path, struct pcap_count *c)
{
	char err[256];
	int r;

	setenv("SK_TPM_TCTI", tcti, 1);
	unsetenv("TCTI_PCAP_FILE");
	memset(c, 0, sizeof(*c));
	r = pcap_count_file(path, c, err, sizeof(err));
	if (r != 0)
		fprintf(stderr, "sk-tpm-bench-resident: %s: %s\n", path, err);
	unlink(path);
	return r;
}

static int
enroll_one(unsigned i, struct pcap_count *c)
{
	static char name[] = "user", value[32];
	struct sk_option opt = { name, value, 0 }, *opts[] = { &opt, NULL };
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 0 };
	char path[600];
	int r;

	snprintf(value, sizeof(value), "user%02u", i);
	if (c != NULL)
		capture_begin(path, sizeof(path));
	r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), "ssh:",
	    SSH_SK_RESIDENT_KEY, NULL, opts, &e);
	if (c != NULL && capture_end(path, c) != 0)
		r = -1;
	stu_free_enroll(e);
	return r;
}

int
main(int argc, char **argv)
{
	static const unsigned marks[] = { 1, 8, 16 };
	struct sk_resident_key **rks = NULL;
	struct pcap_count enroll_c, load_c;
	char path[600], codes[512];
	size_t nrks = 0, m = 0;
	unsigned i;

	if (argc != 1 || (tcti = getenv("SK_TPM_TCTI")) == NULL) {
		(void)argv;
		fprintf(stderr, "usage: with-swtpm.sh -- "
		    "sk-tpm-bench-resident\n");
		return 2;
	}
	tcti = strdup(tcti);
	snprintf(pcap_tcti, sizeof(pcap_tcti), "pcap:%s", tcti);
	if (mkdtemp(capdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	printf("Resident credentials (persistent SRK: %s)\n",
	    getenv("SK_TPM_BENCH_SRK") != NULL ? getenv("SK_TPM_BENCH_SRK") :
	    "as the TPM has it");
	printf("%-10s %-34s %s\n", "records", "TPM commands: ssh-keygen -K",
	    "resident enrollment (the last one)");
	for (i = 1; i <= marks[sizeof(marks) / sizeof(marks[0]) - 1]; i++) {
		bool mark = i == marks[m];

		if (enroll_one(i, mark ? &enroll_c : NULL) != 0) {
			fprintf(stderr, "sk-tpm-bench-resident: enrollment "
			    "%u failed\n", i);
			return 1;
		}
		if (!mark)
			continue;
		capture_begin(path, sizeof(path));
		if (sk_load_resident_keys(NULL, NULL, &rks, &nrks) != 0 ||
		    capture_end(path, &load_c) != 0 || nrks != i) {
			fprintf(stderr, "sk-tpm-bench-resident: listing %u "
			    "records failed (got %zu)\n", i, nrks);
			return 1;
		}
		stu_free_resident(rks, nrks);
		printf("%-10u %-34zu %zu\n", i, load_c.commands,
		    enroll_c.commands);
		if (i == 1)
			printf("           (-K: %s)\n", pcap_count_codes(&load_c,
			    codes, sizeof(codes)));
		m++;
	}
	rmdir(capdir);
	return 0;
}
