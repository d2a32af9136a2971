/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_secrets log (see test_secrets.c): an enrollment with a PIN, a
 * signature with the right and with a wrong PIN and a resident enrollment
 * under SK_TPM_DEBUG=1 and TSS2_LOG=all+TRACE, their stderr captured: no
 * PIN and no auth value in any line, raw, as hex or inside tpm2-tss's hex
 * dumps (logscan.h), and both logs must have been on.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logscan.h"
#include "secret.h"
#include "secrets.h"
#include "sk-api.h"

int
test_log(void)
{
	struct round rd;
	uint8_t *dumps;
	size_t *origin;
	size_t log_len, dumps_len, dump_lines, ours, tss, hits;
	FILE *capture, *copy;
	char *log;
	const char *keep;
	int saved;

	round_new(&rd);
	log_self_check(&rd.pin, &rd.auth);

	/* Before the first tss2 call: each module reads TSS2_LOG once. */
	setenv("SK_TPM_DEBUG", "1", 1);
	setenv("TSS2_LOG", "all+TRACE", 1);
	fflush(stderr);
	if ((capture = tmpfile()) == NULL || (saved = dup(2)) < 0 ||
	    dup2(fileno(capture), 2) < 0) {
		perror("capturing stderr");
		return 1;
	}
	op_call(&rd.enroll, NULL);
	if (rd.enroll.kh != NULL) {
		op_call(&rd.sign, &rd.enroll);
		op_call(&rd.bad, &rd.enroll);
	}
	op_call(&rd.res, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	expect_rc(&rd.enroll, 0);
	if (rd.enroll.kh == NULL)
		return 1;
	expect_rc(&rd.sign, 0);
	expect_rc(&rd.bad, SSH_SK_ERR_PIN_REQUIRED);
	expect_rc(&rd.res, 0);

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
	    dumps_len, rd.all, ROUND_NSECRETS);
	printf("log: %zu hits\n", hits);
	if (hits != 0)
		fail("a PIN or an auth value appears in the debug output");
	free(origin);
	free(dumps);
	free(log);
	free(rd.enroll.kh);
	free(rd.res.kh);
	return failures == 0 ? 0 : 1;
}
