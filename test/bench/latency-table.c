/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The latency benchmark's table: one column per configuration (how the
 * TPM is reached, whether the SRK is persistent), one line per operation,
 * each cell the modelled milliseconds of TPM time and the number of TPM
 * commands; then, for every cell, what the milliseconds were spent on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latency-table.h"

#define MAX_COLS	8
#define MAX_LINES	32
#define MAX_ROWS	(MAX_COLS * MAX_LINES)
#define SEQ_MAX_COMMANDS 80	/* longer sequences: the breakdown only */

struct row {
	char	*config, *impl, *op, *ms, *cmds, *breakdown, *seq;
	char	*buf;
};

static size_t
find(char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return n;
}

/* Split a "row\t..." line in place; 0 on success. */
static int
parse(char *line, struct row *r)
{
	char **f[] = { &r->config, &r->impl, &r->op, &r->ms, &r->cmds,
	    &r->breakdown, &r->seq };
	char *p, *tab;
	size_t i;

	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "row\t", 4) != 0)
		return -1;
	p = line + 4;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		*f[i] = p;
		tab = strchr(p, '\t');
		if (tab == NULL && i + 1 < sizeof(f) / sizeof(f[0]))
			return -1;
		if (tab != NULL) {
			*tab = '\0';
			p = tab + 1;
		}
	}
	return 0;
}

static void
header(char **cols, size_t ncols)
{
	char part[64];
	const char *comma;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		printf("  %-44s", "");
		for (i = 0; i < ncols; i++) {
			comma = strstr(cols[i], ", ");
			if (comma == NULL)
				snprintf(part, sizeof(part), "%s",
				    k == 0 ? cols[i] : "");
			else if (k == 0)
				snprintf(part, sizeof(part), "%.*s",
				    (int)(comma - cols[i]), cols[i]);
			else
				snprintf(part, sizeof(part), "%s", comma + 2);
			printf(" %20s", part);
		}
		printf("\n");
	}
}

int
latency_table(const char *path)
{
	struct row rows[MAX_ROWS];
	char *cols[MAX_COLS], *lines[MAX_LINES], key[256], cell[64], *line;
	char *tab;
	size_t nrows = 0, ncols = 0, nlines = 0, i, j, k, cap = 0;
	FILE *f;
	int r = -1;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	line = NULL;
	while (getline(&line, &cap, f) > 0) {
		if (nrows == MAX_ROWS)
			break;
		if (parse(line, &rows[nrows]) != 0)
			continue;
		rows[nrows].buf = line;
		line = NULL;
		cap = 0;
		if (find(cols, ncols, rows[nrows].config) == ncols &&
		    ncols < MAX_COLS)
			cols[ncols++] = rows[nrows].config;
		snprintf(key, sizeof(key), "%s\t%s", rows[nrows].impl,
		    rows[nrows].op);
		if (find(lines, nlines, key) == nlines && nlines < MAX_LINES &&
		    (lines[nlines] = strdup(key)) != NULL)
			nlines++;
		nrows++;
	}
	free(line);
	fclose(f);
	if (nrows == 0) {
		fprintf(stderr, "latency: %s holds no rows\n", path);
		goto out;
	}
	printf("\nModelled TPM time per operation, ms (TPM commands), "
	    "laptop-class discrete TPM\n\n");
	header(cols, ncols);
	for (j = 0; j < nlines; j++) {
		tab = strchr(lines[j], '\t');
		printf("  %-12.*s%-32.32s", (int)(tab - lines[j]), lines[j],
		    tab + 1);
		for (i = 0; i < ncols; i++) {
			snprintf(cell, sizeof(cell), "-");
			for (k = 0; k < nrows; k++) {
				snprintf(key, sizeof(key), "%s\t%s",
				    rows[k].impl, rows[k].op);
				if (strcmp(key, lines[j]) == 0 &&
				    strcmp(rows[k].config, cols[i]) == 0)
					snprintf(cell, sizeof(cell),
					    "%s (%s)", rows[k].ms,
					    rows[k].cmds);
			}
			printf(" %20s", cell);
		}
		printf("\n");
	}
	printf("\nWhere the time goes (command count x modelled ms each; "
	    "the order of one run)\n");
	for (i = 0; i < ncols; i++) {
		printf("\n  %s\n", cols[i]);
		for (k = 0; k < nrows; k++) {
			if (strcmp(rows[k].config, cols[i]) != 0)
				continue;
			printf("    %s, %s: %s ms, %s commands\n",
			    rows[k].impl, rows[k].op, rows[k].ms,
			    rows[k].cmds);
			printf("      %s\n", rows[k].breakdown);
			if (atof(rows[k].cmds) <= SEQ_MAX_COMMANDS)
				printf("      order: %s\n", rows[k].seq);
		}
	}
	r = 0;
out:
	for (j = 0; j < nlines; j++)
		free(lines[j]);
	for (k = 0; k < nrows; k++)
		free(rows[k].buf);
	return r;
}
