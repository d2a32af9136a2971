/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Endurance: many consecutive signatures in one process through the real
 * libsk-tpm.so, each verified with OpenSSL. Afterwards the TPM must hold no
 * transient object and no session, and the process's memory must have
 * levelled off: whatever the libraries under us cache, nothing may grow
 * with the number of signatures.
 *
 *   endurance [SIGNS [WARMUP [BOUND-KIB]]]	(defaults 4000 100 512)
 *
 * VmRSS (what the kernel sees) must grow by less than BOUND-KIB from WARMUP
 * signatures to the end. The bytes malloc counts as in use (mallinfo2) are
 * sampled at every tenth of the run and printed. They rise at first while
 * caches fill: malloc's own, OpenSSL's, and with tpm2-tss 4.1, which makes
 * OpenSSL contexts per operation, for about the first thousand signatures
 * (seen on Debian 13: +16 to 30 KB between signature 500 and 1000, then
 * +2 KB between 2000 and 4000). A cache levels off; a leak grows with
 * every signature. So the judgement is on the second half of a run long
 * enough for the caches to fill: less than 16 bytes per signature there,
 * where a leak of even the smallest block malloc hands out (32 bytes of
 * its accounting) at every signature would show twice over. Run through
 * test/with-swtpm.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk-test-util.h"
#include "sk-api.h"
#include "tpm-util.h"

#define APP	"ssh:"

/* Under AddressSanitizer malloc is ASan's: its quarantine holds freed
 * memory back (RSS grows by megabytes) and mallinfo2 reports nothing, so
 * the memory figures mean nothing there; LeakSanitizer checks for leaks at
 * exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_MEASURED	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMORY_MEASURED	0
#endif
#endif
#ifndef MEMORY_MEASURED
#define MEMORY_MEASURED	1
#endif
/* Growth of malloc's bytes in use allowed per signature, second half. */
#define LEAK_BYTES_PER_SIGN	16
/* Heap samples: after every tenth of the run. */
#define SAMPLES	10

int
main(int argc, char **argv)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	uint8_t challenge[32] = { 9 };
	char data[64];
	const char *tcti;
	long signs = 4000, warmup = 100, bound_kib = 512;
	long rss_warm = -1, rss_end, i;
	size_t heap[SAMPLES + 1] = { 0 }, heap_mid, heap_end;
	int k, next = 1;
	double t0, secs;
	int r, left, fail = 0;

	if (argc > 1)
		signs = atol(argv[1]);
	if (argc > 2)
		warmup = atol(argv[2]);
	if (argc > 3)
		bound_kib = atol(argv[3]);
	if (signs < 2 * SAMPLES || warmup < 1 || warmup >= signs ||
	    bound_kib < 1) {
		fprintf(stderr, "usage: endurance [SIGNS [WARMUP "
		    "[BOUND-KIB]]]\n");
		return 2;
	}
	/* Under AddressSanitizer the run only checks that every signature
	 * verifies and nothing is left in the TPM (memory is not judged), and
	 * each signature costs several times as much: 1000 are enough. */
	if (!MEMORY_MEASURED && signs > 1000) {
		warmup = warmup * 1000 / signs;
		signs = 1000;
		if (warmup < 1)
			warmup = 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "endurance: run me through "
		    "test/with-swtpm.sh\n");
		return 2;
	}
	if ((r = sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), APP, 0,
	    NULL, NULL, &e)) != 0) {
		fprintf(stderr, "endurance: enrollment failed: %d\n", r);
		return 1;
	}

	t0 = stu_now();
	for (i = 1; i <= signs; i++) {
		snprintf(data, sizeof(data), "signature %ld", i);
		r = sk_sign(SSH_SK_ECDSA, (const uint8_t *)data, strlen(data),
		    APP, e->key_handle, e->key_handle_len, 0, NULL, NULL, &s);
		if (r != 0 || stu_verify(e->public_key, e->public_key_len, s,
		    APP, (const uint8_t *)data, strlen(data)) != 1) {
			fprintf(stderr, "endurance: signature %ld: %s\n", i,
			    r != 0 ? "failed" : "does not verify");
			stu_free_sign(s);
			fail = 1;
			break;
		}
		stu_free_sign(s);
		s = NULL;
		if (i == warmup)
			rss_warm = stu_rss_kib();
		/* Sample k is taken after k tenths of the run. */
		if (i == signs * next / SAMPLES)
			heap[next++] = stu_heap_bytes();
	}
	secs = stu_now() - t0;
	rss_end = stu_rss_kib();
	heap_mid = heap[SAMPLES / 2];
	heap_end = heap[SAMPLES];
	left = tu_count_leftovers(tcti);
	stu_free_enroll(e);
	if (fail)
		return 1;

	printf("endurance: %ld signatures, %d handles left, RSS %ld KiB -> "
	    "%ld KiB (after %ld and %ld signatures), %.1f s (%.1f ms "
	    "each)\n", signs, left, rss_warm, rss_end, warmup, signs, secs,
	    secs * 1000 / signs);
	if (left != 0) {
		fprintf(stderr, "endurance: %d handles left in the TPM\n",
		    left);
		fail = 1;
	}
	if (!MEMORY_MEASURED) {
		printf("endurance: built with AddressSanitizer: memory growth "
		    "not judged here (LeakSanitizer checks at exit)\n");
		return fail;
	}
	printf("endurance: malloc in use after each tenth of the run:");
	for (k = 1; k <= SAMPLES; k++)
		printf(" %zu", heap[k]);
	printf(" bytes (growth per tenth:");
	for (k = 2; k <= SAMPLES; k++)
		printf(" %+ld", (long)heap[k] - (long)heap[k - 1]);
	printf(")\n");
	if (rss_warm < 0 || rss_end < 0 || rss_end - rss_warm >= bound_kib) {
		fprintf(stderr, "endurance: RSS grew by %ld KiB (bound %ld)\n",
		    rss_end - rss_warm, bound_kib);
		fail = 1;
	}
	if (heap_end > heap_mid && heap_end - heap_mid >=
	    (size_t)(signs - signs / 2) * LEAK_BYTES_PER_SIGN) {
		fprintf(stderr, "endurance: malloc's bytes in use grew by %zu "
		    "over the last %ld signatures\n", heap_end - heap_mid,
		    signs - signs / 2);
		fail = 1;
	}
	return fail;
}
