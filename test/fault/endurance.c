/*
 * Endurance: many consecutive signatures in one process through the real
 * libsk-tpm.so, each verified with OpenSSL. Afterwards the TPM must hold no
 * transient object and no session, and the process's memory must not grow
 * once it has warmed up.
 *
 *   endurance [SIGNS [WARMUP [BOUND-KIB]]]	(defaults 1000 100 512)
 *
 * Memory is taken after WARMUP signatures, half way and at the end. VmRSS
 * (what the kernel sees) must grow by less than BOUND-KIB from WARMUP to
 * the end. The bytes malloc counts as in use (mallinfo2) rise for a few
 * hundred signatures while its caches fill (seen: about 80 KB, then flat),
 * so they are compared from half way to the end, where a leak of even 16
 * bytes per signature would show. Run through test/with-swtpm.sh.
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

int
main(int argc, char **argv)
{
	struct sk_enroll_response *e = NULL;
	struct sk_sign_response *s = NULL;
	uint8_t challenge[32] = { 9 };
	char data[64];
	const char *tcti;
	long signs = 1000, warmup = 100, bound_kib = 512;
	long rss_warm = -1, rss_end, i;
	size_t heap_warm = 0, heap_mid = 0, heap_end;
	double t0, secs;
	int r, left, fail = 0;

	if (argc > 1)
		signs = atol(argv[1]);
	if (argc > 2)
		warmup = atol(argv[2]);
	if (argc > 3)
		bound_kib = atol(argv[3]);
	if (signs < 1 || warmup < 1 || warmup >= signs || bound_kib < 1) {
		fprintf(stderr, "usage: endurance [SIGNS [WARMUP "
		    "[BOUND-KIB]]]\n");
		return 2;
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
		if (i == warmup) {
			rss_warm = stu_rss_kib();
			heap_warm = stu_heap_bytes();
		}
		if (i == signs / 2)
			heap_mid = stu_heap_bytes();
	}
	secs = stu_now() - t0;
	rss_end = stu_rss_kib();
	heap_end = stu_heap_bytes();
	left = tu_count_leftovers(tcti);
	stu_free_enroll(e);
	if (fail)
		return 1;

	printf("endurance: %ld signatures, %d handles left, RSS %ld KiB -> "
	    "%ld KiB (after %ld and %ld signatures), malloc in use %zu -> "
	    "%zu -> %zu bytes (after %ld, %ld, %ld), %.1f s (%.1f ms "
	    "each)\n", signs, left, rss_warm, rss_end, warmup, signs,
	    heap_warm, heap_mid, heap_end, warmup, signs / 2, signs, secs,
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
