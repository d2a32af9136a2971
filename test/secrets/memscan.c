/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The memory scan of test_secrets (see memscan.h).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memscan.h"
#include "secret.h"
#include "secrets.h"

#define SCAN_CHUNK	(1024 * 1024)

/* What one scan looks for: a secret, whole or its first bytes. */
struct pattern {
	const struct secret *s;
	size_t len;
	size_t hits;
};

bool scan_skip_environ;
size_t environ_hits;
/* The scanner's read buffer, skipped by the scan itself. */
static uint8_t *scan_buf;
static size_t scan_buf_len;

extern char **environ;

int
scan_init(void)
{
	scan_buf_len = SCAN_CHUNK;
	scan_buf = mmap(NULL, scan_buf_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scan_buf == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	return 0;
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
				if (!secret_match(scan_buf + i, pats[k].s,
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
size_t
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

void
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
