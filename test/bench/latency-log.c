/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Summing the latency TCTI's log (see latency-log.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "latency-log.h"

#define SETTLE_QUIET_MS	300	/* no new line for this long: done */
#define SETTLE_MAX_MS	5000

off_t
latency_log_mark(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return st.st_size;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
settle(const char *path)
{
	off_t last = latency_log_mark(path), now;
	long waited = 0, quiet = 0;

	while (quiet < SETTLE_QUIET_MS && waited < SETTLE_MAX_MS) {
		sleep_ms(50);
		waited += 50;
		now = latency_log_mark(path);
		quiet = now == last ? quiet + 50 : 0;
		last = now;
	}
}

static void
seq_append(struct latency_sum *s, const char *name, unsigned ms)
{
	size_t used = strlen(s->seq);
	int n;

	if (used + 4 >= sizeof(s->seq))
		return;
	n = snprintf(s->seq + used, sizeof(s->seq) - used, "%s%s %u",
	    used > 0 ? ", " : "", name, ms);
	if (n < 0 || (size_t)n >= sizeof(s->seq) - used)
		snprintf(s->seq + sizeof(s->seq) - 5, 5, " ...");
}

static int
add_name(struct latency_sum *s, const char *name, unsigned unit, size_t n,
    int modelled)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].name, name) == 0 &&
		    s->names[i].unit == unit)
			break;
	if (i == s->nnames) {
		if (s->nnames == LATENCY_MAX_NAMES)
			return -1;
		snprintf(s->names[i].name, sizeof(s->names[i].name), "%s",
		    name);
		s->names[i].unit = unit;
		s->names[i].modelled = modelled;
		s->nnames++;
	}
	s->names[i].n += n;
	s->names[i].ms += (unsigned long)unit * n;
	return 0;
}

int
latency_log_sum(const char *path, off_t mark, struct latency_sum *out)
{
	char line[256], name[40];
	unsigned ms, sess, rc;
	long pid;
	int modelled, r = -1;
	FILE *f;

	memset(out, 0, sizeof(*out));
	settle(path);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "latency: %s: %s (no TPM command was "
		    "accounted)\n", path, strerror(errno));
		return -1;
	}
	if (fseeko(f, mark, SEEK_SET) != 0) {
		fprintf(stderr, "latency: %s: seek: %s\n", path,
		    strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%ld %39s %u %u %d %x", &pid, name, &ms,
		    &sess, &modelled, &rc) != 6) {
			fprintf(stderr, "latency: %s: bad line: %s", path,
			    line);
			goto out;
		}
		/* Answered RETRY, YIELDED or TESTING: sent again, not
		 * counted twice (shown in the sequence, charged 0). */
		if (rc != 0x922 && rc != 0x908 && rc != 0x90a) {
			out->commands++;
			out->failed += rc != 0;
		}
		out->ms += ms;
		out->unmodelled += modelled == 0;
		if (add_name(out, name, ms, 1, modelled) != 0) {
			fprintf(stderr, "latency: too many command kinds\n");
			goto out;
		}
		seq_append(out, name, ms);
	}
	r = 0;
out:
	fclose(f);
	return r;
}

void
latency_sum_add(struct latency_sum *a, const struct latency_sum *b)
{
	size_t i;

	a->commands += b->commands;
	a->ms += b->ms;
	a->unmodelled += b->unmodelled;
	a->failed += b->failed;
	for (i = 0; i < b->nnames; i++)
		(void)add_name(a, b->names[i].name, b->names[i].unit,
		    b->names[i].n, b->names[i].modelled);
}

char *
latency_breakdown(const struct latency_sum *s, size_t runs, char *buf,
    size_t len)
{
	size_t i, used = 0;
	double n;
	int k;

	buf[0] = '\0';
	for (i = 0; i < s->nnames && used < len; i++) {
		n = (double)s->names[i].n / (double)runs;
		k = snprintf(buf + used, len - used, "%s%s%s %.3gx%u",
		    i > 0 ? ", " : "", s->names[i].name,
		    s->names[i].modelled ? "" : "(not modelled)", n,
		    s->names[i].unit);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (s->failed > 0 && used < len)
		snprintf(buf + used, len - used, "; %zu answered with an "
		    "error code", s->failed);
	return buf;
}

void
latency_row(FILE *f, const char *config, const char *impl, const char *op,
    const struct latency_sum *s, size_t runs, const struct latency_sum *last)
{
	char bd[2048];

	fprintf(f, "row\t%s\t%s\t%s\t%.0f\t%.1f\t%s\t%s\n", config, impl, op,
	    (double)s->ms / (double)runs, (double)s->commands / (double)runs,
	    latency_breakdown(s, runs, bd, sizeof(bd)), last->seq);
	fflush(f);
}
