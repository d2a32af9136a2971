/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libtss2-tcti-fault.so: a TCTI for fault tests. It wraps another TCTI,
 * loaded with tctildr from the rest of its configuration string, passes
 * every command through and makes one chosen command fail:
 *
 *   SK_TPM_TCTI=/abs/path/libtss2-tcti-fault.so:swtpm:host=127.0.0.1,port=P
 *
 * tctildr splits its string at the first ':', opens the part before it as a
 * shared object (a path works as well as a short name) and hands the rest,
 * here "swtpm:host=...", to this TCTI's init.
 *
 * The fault is configured by the environment, read each time the TCTI is
 * initialised, so every call into the library starts counting afresh:
 *
 *   SK_FAULT_AT=CC:N	the Nth command (from 1) whose command code is CC:
 *			a hex code (0x15d) or a name from tcti-proxy.c's table
 *			(Sign); "any" matches every command
 *   SK_FAULT_TIMES	how many matching commands fail from the Nth on
 *			(default 1; 0 = all of them, ESYS's resubmissions too)
 *   SK_FAULT_MODE	what happens to them:
 *	io		the command never reaches the TPM; transmit fails as
 *			on a lost connection
 *	io-after	the TPM executes the command, its response is lost,
 *			receive fails
 *	rc:HEX		the command never reaches the TPM; the caller gets a
 *			10-byte TPM response with that response code (e.g.
 *			rc:0x922, TPM_RC_RETRY)
 *	kill		runs SK_FAULT_KILL_CMD (sh -c), then forwards the
 *			command
 *   SK_FAULT_FLUSH_RC=HEX	once the fault has struck, every later
 *			FlushContext is answered with this response code
 *			without reaching the TPM
 *   SK_FAULT_LOG	a file to which one line per command is appended:
 *			"PID NAME ok RC", "PID NAME fault MODE-OR-RC",
 *			"PID NAME dropped RC" or "PID NAME error TCTI-RC";
 *			appends are atomic, so processes may share the file
 *
 * Test code only: it is never installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tss2/tss2_tcti.h>

#include "tcti-proxy.h"

#define HEADER_LEN	TCTI_PROXY_HEADER_LEN

enum fault_mode {
	MODE_NONE,
	MODE_IO,
	MODE_IO_AFTER,
	MODE_RC,
	MODE_KILL,
};

enum pending {
	PENDING_NONE,
	PENDING_CHILD,		/* the child TCTI holds the response */
	PENDING_SYNTH,		/* answer with fault->rc */
	PENDING_DROP,		/* read the child's response, then fail */
};

struct fault {
	struct tcti_proxy proxy;	/* first: what callers see */
	bool any;			/* match every command code */
	uint32_t cc;
	unsigned long nth, times;	/* times 0: without end */
	unsigned long seen;		/* matching commands so far */
	enum fault_mode mode;
	uint32_t rc;
	char kill_cmd[512];
	char log_path[512];
	enum pending pending;
	uint32_t last_cc;
	uint32_t flush_rc;		/* SK_FAULT_FLUSH_RC, 0: none */
	bool struck;			/* the fault has happened */
};

static int
parse_cc(const char *s, size_t len, bool *any, uint32_t *cc)
{
	*any = len == 3 && strncmp(s, "any", 3) == 0;
	if (*any)
		return 0;
	return tcti_proxy_cc_parse(s, len, cc);
}

static void
log_line(const struct fault *f, const char *what, const char *detail)
{
	char line[256], nb[16];
	int fd, n;

	if (f->log_path[0] == '\0')
		return;
	n = snprintf(line, sizeof(line), "%ld %s %s %s\n", (long)getpid(),
	    tcti_proxy_cc_name(f->last_cc, nb, sizeof(nb)), what, detail);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	if ((fd = open(f->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return;
	/* One write per line: O_APPEND keeps parallel writers apart. */
	if (write(fd, line, (size_t)n) != n)
		(void)0;
	close(fd);
}

static void
log_rc(const struct fault *f, const char *what, uint32_t rc)
{
	char detail[16];

	snprintf(detail, sizeof(detail), "0x%08" PRIx32, rc);
	log_line(f, what, detail);
}

static TSS2_RC fault_transmit(TSS2_TCTI_CONTEXT *, size_t, const uint8_t *);
static TSS2_RC fault_receive(TSS2_TCTI_CONTEXT *, size_t *, uint8_t *,
    int32_t);

static const struct tcti_proxy_kind fault_kind = {
	"fault", fault_transmit, fault_receive
};

static struct fault *
fault_cast(TSS2_TCTI_CONTEXT *ctx)
{
	return (struct fault *)tcti_proxy_cast(ctx, &fault_kind);
}

/* Does this command get the fault? Counts matching commands. */
static bool
fault_due(struct fault *f, uint32_t cc)
{
	if (f->mode == MODE_NONE || (!f->any && cc != f->cc))
		return false;
	f->seen++;
	if (f->seen < f->nth)
		return false;
	return f->times == 0 || f->seen - f->nth < f->times;
}

static TSS2_RC
fault_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct fault *f = fault_cast(ctx);
	TSS2_RC rc;
	int status;

	if (f == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (cmd == NULL || size < HEADER_LEN)
		return TSS2_TCTI_RC_BAD_VALUE;
	if (f->pending != PENDING_NONE)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	f->last_cc = tcti_proxy_be32(cmd + 6);
	if (f->struck && f->flush_rc != 0 && f->last_cc == 0x165) {
		log_rc(f, "fault", f->flush_rc);
		f->rc = f->flush_rc;
		f->pending = PENDING_SYNTH;
		return TSS2_RC_SUCCESS;
	}
	if (fault_due(f, f->last_cc)) {
		f->struck = true;
		switch (f->mode) {
		case MODE_IO:
			log_line(f, "fault", "io");
			return TSS2_TCTI_RC_IO_ERROR;
		case MODE_RC:
			log_rc(f, "fault", f->rc);
			f->pending = PENDING_SYNTH;
			return TSS2_RC_SUCCESS;
		case MODE_IO_AFTER:
			log_line(f, "fault", "io-after");
			f->pending = PENDING_DROP;
			break;
		case MODE_KILL:
			log_line(f, "fault", "kill");
			status = system(f->kill_cmd);
			if (status != 0)
				log_line(f, "kill-command-failed", f->kill_cmd);
			break;
		case MODE_NONE:
			break;
		}
	}
	rc = Tss2_Tcti_Transmit(f->proxy.child, size, cmd);
	if (rc != TSS2_RC_SUCCESS) {
		f->pending = PENDING_NONE;
		log_rc(f, "error", rc);
		return rc;
	}
	if (f->pending == PENDING_NONE)
		f->pending = PENDING_CHILD;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC
synth_response(struct fault *f, size_t *size, uint8_t *resp)
{
	if (resp == NULL) {
		*size = HEADER_LEN;
		return TSS2_RC_SUCCESS;
	}
	if (*size < HEADER_LEN) {
		*size = HEADER_LEN;
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	}
	resp[0] = 0x80;		/* TPM2_ST_NO_SESSIONS */
	resp[1] = 0x01;
	tcti_proxy_put_be32(resp + 2, HEADER_LEN);
	tcti_proxy_put_be32(resp + 6, f->rc);
	*size = HEADER_LEN;
	f->pending = PENDING_NONE;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC
fault_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp,
    int32_t timeout)
{
	struct fault *f = fault_cast(ctx);
	uint8_t drop[4096];
	size_t drop_len = sizeof(drop);
	TSS2_RC rc;

	if (f == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (size == NULL)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	switch (f->pending) {
	case PENDING_NONE:
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	case PENDING_SYNTH:
		return synth_response(f, size, resp);
	case PENDING_DROP:
		/* Let the TPM finish, then lose what it said. */
		rc = Tss2_Tcti_Receive(f->proxy.child, &drop_len, drop,
		    timeout);
		if (rc == TSS2_RC_SUCCESS && drop_len >= HEADER_LEN)
			log_rc(f, "dropped", tcti_proxy_be32(drop + 6));
		f->pending = PENDING_NONE;
		return TSS2_TCTI_RC_IO_ERROR;
	case PENDING_CHILD:
		break;
	}
	rc = Tss2_Tcti_Receive(f->proxy.child, size, resp, timeout);
	if (resp == NULL || rc == TSS2_TCTI_RC_TRY_AGAIN ||
	    rc == TSS2_TCTI_RC_INSUFFICIENT_BUFFER)
		return rc;	/* the response is still to come */
	f->pending = PENDING_NONE;
	if (rc != TSS2_RC_SUCCESS)
		log_rc(f, "error", rc);
	else if (*size >= HEADER_LEN)
		log_rc(f, "ok", tcti_proxy_be32(resp + 6));
	return rc;
}

/* SK_FAULT_* into f; -1 on a malformed setting. */
static int
read_env(struct fault *f)
{
	const char *at = getenv("SK_FAULT_AT"), *mode = getenv("SK_FAULT_MODE");
	const char *times = getenv("SK_FAULT_TIMES"), *v, *colon;
	char *end;

	f->mode = MODE_NONE;
	f->nth = 1;
	f->times = 1;
	if ((v = getenv("SK_FAULT_LOG")) != NULL &&
	    strlen(v) < sizeof(f->log_path))
		memcpy(f->log_path, v, strlen(v) + 1);
	if ((v = getenv("SK_FAULT_FLUSH_RC")) != NULL && *v != '\0') {
		errno = 0;
		f->flush_rc = (uint32_t)strtoul(v, &end, 16);
		if (errno != 0 || *end != '\0' || f->flush_rc == 0)
			return -1;
	}
	if (at == NULL || *at == '\0' || mode == NULL || *mode == '\0')
		return 0;
	if ((colon = strchr(at, ':')) == NULL)
		colon = at + strlen(at);
	if (parse_cc(at, (size_t)(colon - at), &f->any, &f->cc) != 0)
		return -1;
	if (*colon == ':') {
		errno = 0;
		f->nth = strtoul(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || f->nth == 0)
			return -1;
	}
	if (times != NULL && *times != '\0') {
		errno = 0;
		f->times = strtoul(times, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	}
	if (strcmp(mode, "io") == 0)
		f->mode = MODE_IO;
	else if (strcmp(mode, "io-after") == 0)
		f->mode = MODE_IO_AFTER;
	else if (strcmp(mode, "kill") == 0) {
		v = getenv("SK_FAULT_KILL_CMD");
		if (v == NULL || *v == '\0' || strlen(v) >= sizeof(f->kill_cmd))
			return -1;
		memcpy(f->kill_cmd, v, strlen(v) + 1);
		f->mode = MODE_KILL;
	} else if (strncmp(mode, "rc:", 3) == 0) {
		errno = 0;
		v = mode + 3;
		f->rc = (uint32_t)strtoul(v, &end, 16);
		if (errno != 0 || *end != '\0' || end == v || f->rc == 0)
			return -1;
		f->mode = MODE_RC;
	} else
		return -1;
	return 0;
}

static TSS2_RC
fault_init(TSS2_TCTI_CONTEXT *ctx, size_t *size, const char *conf)
{
	struct fault *f = (struct fault *)ctx;
	TSS2_RC rc;
	int query;

	rc = tcti_proxy_check(ctx, size, sizeof(*f), conf, &query);
	if (rc != TSS2_RC_SUCCESS || query)
		return rc;
	memset(f, 0, sizeof(*f));
	if (read_env(f) != 0) {
		fprintf(stderr, "tcti-fault: malformed SK_FAULT_AT, "
		    "SK_FAULT_TIMES, SK_FAULT_MODE or SK_FAULT_KILL_CMD\n");
		return TSS2_TCTI_RC_BAD_VALUE;
	}
	return tcti_proxy_open(&f->proxy, &fault_kind, conf);
}

static const TSS2_TCTI_INFO fault_info = {
	.version = 2,
	.name = "fault",
	.description = "sk-tpm test TCTI: wraps a TCTI and injects faults",
	.config_help = "the configuration string of the TCTI to wrap, e.g. "
	    "swtpm:host=127.0.0.1,port=2321",
	.init = fault_init,
};

const TSS2_TCTI_INFO *Tss2_Tcti_Info(void);

__attribute__((visibility("default"))) const TSS2_TCTI_INFO *
Tss2_Tcti_Info(void)
{
	return &fault_info;
}
