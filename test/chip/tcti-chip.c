/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libtss2-tcti-chip.so: a test TCTI that makes the TPM behind it (swtpm)
 * answer as a class of real chip does behind the kernel's resource manager
 * (/dev/tpmrm0): commands the chip lacks, its NV limits, its busy answers.
 * The rules come first in the configuration string, up to a ';', and the
 * wrapped TCTI's string follows:
 *
 *   SK_TPM_TCTI=/abs/libtss2-tcti-chip.so:RULES;swtpm:host=127.0.0.1,port=P
 *
 * RULES, comma-separated (test/chip/profiles.sh uses them per chip class):
 *   absent=CC		the chip lacks command CC (a name of tcti-proxy.c's
 *			table or hex): it never reaches the TPM, the kernel's
 *			resource manager answers it with TPM_RC_COMMAND_CODE
 *			in its own layer, 0x000B0143, as tpm2-space.c does for
 *			a command the chip does not list; TPM2_CAP_COMMANDS
 *			leaves it out
 *   prop=PT:VALUE	TPM property PT (hex) reads VALUE (hex or decimal)
 *   nv-buffer-max=N	TPM_PT_NV_BUFFER_MAX reads N; an NV_Read of more
 *			is refused with TPM_RC_VALUE (size, parameter 1), an
 *			NV_Write of more with TPM_RC_SIZE (data, parameter 1),
 *			as the reference implementation checks them
 *   nv-index-max=N	TPM_PT_NV_INDEX_MAX reads N; an NV_DefineSpace of a
 *			larger index is refused with TPM_RC_SIZE (publicInfo,
 *			parameter 2)
 *   warn-once		the first command of each command code on a
 *			connection is answered with a warning without reaching
 *			the TPM: NV_RATE for the NV commands that write,
 *			otherwise RETRY, YIELDED and TESTING in turn
 *
 * SK_CHIP_LOG names a file to which one line per command is appended,
 * "PID NAME RC" (RC the response code the caller got; "chip" after it when
 * this TCTI answered), so tests can count the commands of a flow.
 *
 * Test code only: never installed.
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
#define MAX_RULES	16
#define MAX_SEEN	128

#define CC_NV_UNDEFINE	0x122u
#define CC_NV_DEFINE	0x12au
#define CC_NV_WRITE	0x137u
#define CC_NV_READ	0x14eu
#define CC_GETCAP	0x17au
#define CAP_COMMANDS	0x2u
#define CAP_PROPERTIES	0x6u
#define PT_NV_INDEX_MAX	0x117u
#define PT_NV_BUFFER_MAX 0x12cu

#define RC_RM_COMMAND_CODE 0x000b0143u	/* TSS2_RESMGR_TPM_RC_LAYER | 0x143 */
#define RC_VALUE_P1	0x1c4u		/* TPM_RC_VALUE + RC_P + RC_1 */
#define RC_SIZE_P1	0x1d5u		/* TPM_RC_SIZE + RC_P + RC_1 */
#define RC_SIZE_P2	0x2d5u		/* TPM_RC_SIZE + RC_P + RC_2 */
#define RC_NV_RATE	0x920u
static const uint32_t busy[] = { 0x922u, 0x908u, 0x90au };	/* RETRY,
							 * YIELDED, TESTING */

struct chip {
	struct tcti_proxy proxy;	/* first: what callers see */
	uint32_t absent[MAX_RULES];
	size_t nabsent;
	struct { uint32_t pt, value; } prop[MAX_RULES];
	size_t nprop;
	uint32_t nv_buffer_max, nv_index_max;	/* 0: as the TPM says */
	bool warn_once;
	uint32_t seen[MAX_SEEN];	/* command codes warned about */
	size_t nseen;
	unsigned turn;
	bool synth, rewrite;		/* what receive does */
	uint32_t synth_rc, last_cc;
	char log_path[512];
};

static TSS2_RC chip_transmit(TSS2_TCTI_CONTEXT *, size_t, const uint8_t *);
static TSS2_RC chip_receive(TSS2_TCTI_CONTEXT *, size_t *, uint8_t *,
    int32_t);

static const struct tcti_proxy_kind chip_kind = {
	"chip", chip_transmit, chip_receive
};

static void
log_cmd(const struct chip *c, uint32_t rc, bool ours)
{
	char line[128], nb[16];
	int fd, n;

	if (c->log_path[0] == '\0')
		return;
	n = snprintf(line, sizeof(line), "%ld %s 0x%08" PRIx32 "%s\n",
	    (long)getpid(), tcti_proxy_cc_name(c->last_cc, nb, sizeof(nb)),
	    rc, ours ? " chip" : "");
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	if ((fd = open(c->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return;
	if (write(fd, line, (size_t)n) != n)
		(void)0;
	close(fd);
}

/* Where a command's parameters start: after the header, its handles and,
 * with sessions, the authorization area; 0 if the command is too short. */
static size_t
params_at(const uint8_t *cmd, size_t size, unsigned nhandles)
{
	size_t off = HEADER_LEN + 4 * (size_t)nhandles;

	if (tcti_proxy_be16(cmd) == 0x8002) {	/* TPM_ST_SESSIONS */
		if (size < off + 4)
			return 0;
		off += 4 + tcti_proxy_be32(cmd + off);
	}
	return off <= size ? off : 0;
}

/* The response code this TCTI answers cmd with, or 0 to pass it on. */
static uint32_t
chip_verdict(struct chip *c, const uint8_t *cmd, size_t size)
{
	uint32_t cc = c->last_cc;
	size_t i, p;

	for (i = 0; i < c->nabsent; i++)
		if (c->absent[i] == cc)
			return RC_RM_COMMAND_CODE;
	if (c->warn_once && c->nseen < MAX_SEEN) {
		for (i = 0; i < c->nseen && c->seen[i] != cc; i++)
			;
		if (i == c->nseen) {
			c->seen[c->nseen++] = cc;
			if (cc == CC_NV_DEFINE || cc == CC_NV_WRITE ||
			    cc == CC_NV_UNDEFINE)
				return RC_NV_RATE;
			return busy[c->turn++ % 3];
		}
	}
	if (c->nv_buffer_max != 0 && cc == CC_NV_READ &&
	    (p = params_at(cmd, size, 2)) != 0 && p + 2 <= size &&
	    tcti_proxy_be16(cmd + p) > c->nv_buffer_max)
		return RC_VALUE_P1;
	if (c->nv_buffer_max != 0 && cc == CC_NV_WRITE &&
	    (p = params_at(cmd, size, 2)) != 0 && p + 2 <= size &&
	    tcti_proxy_be16(cmd + p) > c->nv_buffer_max)
		return RC_SIZE_P1;
	if (c->nv_index_max != 0 && cc == CC_NV_DEFINE &&
	    (p = params_at(cmd, size, 1)) != 0 && p + 2 <= size) {
		/* auth (a TPM2B, its size in clear even when encrypted),
		 * then publicInfo: size, nvIndex, nameAlg, attributes,
		 * authPolicy (a TPM2B), dataSize */
		p += 2 + (size_t)tcti_proxy_be16(cmd + p);
		p += 2 + 4 + 2 + 4;
		if (p + 2 <= size)
			p += 2 + (size_t)tcti_proxy_be16(cmd + p);
		if (p + 2 <= size && tcti_proxy_be16(cmd + p) > c->nv_index_max)
			return RC_SIZE_P2;
	}
	return 0;
}

static TSS2_RC
chip_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct chip *c = (struct chip *)tcti_proxy_cast(ctx, &chip_kind);

	if (c == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (cmd == NULL || size < HEADER_LEN)
		return TSS2_TCTI_RC_BAD_VALUE;
	if (c->synth || c->rewrite)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	c->last_cc = tcti_proxy_be32(cmd + 6);
	if ((c->synth_rc = chip_verdict(c, cmd, size)) != 0) {
		c->synth = true;
		return TSS2_RC_SUCCESS;
	}
	c->rewrite = true;
	return Tss2_Tcti_Transmit(c->proxy.child, size, cmd);
}

/* A GetCapability answer without sessions as the chip would give it:
 * properties overridden, absent commands left out. Returns the new size. */
static size_t
rewrite_getcap(const struct chip *c, uint8_t *r, size_t size)
{
	size_t off = HEADER_LEN + 1, i, k, n, kept = 0;
	uint32_t cap, pt, cca;

	if (tcti_proxy_be16(r) != 0x8001 || size < off + 8 ||
	    tcti_proxy_be32(r + 6) != 0)
		return size;
	cap = tcti_proxy_be32(r + off);
	n = tcti_proxy_be32(r + off + 4);
	off += 8;
	if (cap == CAP_PROPERTIES && size >= off + 8 * n) {
		for (i = 0; i < n; i++) {
			pt = tcti_proxy_be32(r + off + 8 * i);
			for (k = 0; k < c->nprop; k++)
				if (c->prop[k].pt == pt)
					tcti_proxy_put_be32(r + off + 8 * i + 4,
					    c->prop[k].value);
		}
		return size;
	}
	if (cap != CAP_COMMANDS || size < off + 4 * n)
		return size;
	for (i = 0; i < n; i++) {
		cca = tcti_proxy_be32(r + off + 4 * i);
		for (k = 0; k < c->nabsent && c->absent[k] != (cca & 0xffffu);
		    k++)
			;
		if (k < c->nabsent)
			continue;
		memmove(r + off + 4 * kept, r + off + 4 * i, 4);
		kept++;
	}
	memmove(r + off + 4 * kept, r + off + 4 * n, size - off - 4 * n);
	size -= 4 * (n - kept);
	tcti_proxy_put_be32(r + off - 4, (uint32_t)kept);
	tcti_proxy_put_be32(r + 2, (uint32_t)size);
	return size;
}

static TSS2_RC
chip_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp,
    int32_t timeout)
{
	struct chip *c = (struct chip *)tcti_proxy_cast(ctx, &chip_kind);
	TSS2_RC rc;

	if (c == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	if (size == NULL)
		return TSS2_TCTI_RC_BAD_REFERENCE;
	if (c->synth) {
		if (resp == NULL || *size < HEADER_LEN) {
			rc = resp == NULL ? TSS2_RC_SUCCESS :
			    TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
			*size = HEADER_LEN;
			return rc;
		}
		tcti_proxy_put_be16(resp, 0x8001);	/* TPM_ST_NO_SESSIONS */
		tcti_proxy_put_be32(resp + 2, HEADER_LEN);
		tcti_proxy_put_be32(resp + 6, c->synth_rc);
		*size = HEADER_LEN;
		c->synth = false;
		log_cmd(c, c->synth_rc, true);
		return TSS2_RC_SUCCESS;
	}
	if (!c->rewrite)
		return TSS2_TCTI_RC_BAD_SEQUENCE;
	rc = Tss2_Tcti_Receive(c->proxy.child, size, resp, timeout);
	if (resp == NULL || rc == TSS2_TCTI_RC_TRY_AGAIN ||
	    rc == TSS2_TCTI_RC_INSUFFICIENT_BUFFER)
		return rc;	/* the response is still to come */
	c->rewrite = false;
	if (rc != TSS2_RC_SUCCESS || *size < HEADER_LEN)
		return rc;
	if (c->last_cc == CC_GETCAP)
		*size = rewrite_getcap(c, resp, *size);
	log_cmd(c, tcti_proxy_be32(resp + 6), false);
	return rc;
}

static int
parse_num(const char *s, size_t len, uint32_t *v)
{
	char buf[32], *end;
	unsigned long n;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoul(buf, &end, 0);
	if (errno != 0 || *end != '\0' || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int
add_prop(struct chip *c, uint32_t pt, uint32_t value)
{
	if (c->nprop == MAX_RULES)
		return -1;
	c->prop[c->nprop].pt = pt;
	c->prop[c->nprop++].value = value;
	return 0;
}

/* One rule, len bytes at s. */
static int
parse_rule(struct chip *c, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len), *v, *colon;
	size_t klen = eq != NULL ? (size_t)(eq - s) : len, vlen;
	uint32_t a, b;

	v = eq != NULL ? eq + 1 : s + len;
	vlen = (size_t)(s + len - v);
	if (klen == 9 && strncmp(s, "warn-once", 9) == 0 && eq == NULL) {
		c->warn_once = true;
		return 0;
	}
	if (eq == NULL)
		return -1;
	if (klen == 6 && strncmp(s, "absent", 6) == 0) {
		if (c->nabsent == MAX_RULES ||
		    tcti_proxy_cc_parse(v, vlen, &a) != 0)
			return -1;
		c->absent[c->nabsent++] = a;
		return 0;
	}
	if (klen == 4 && strncmp(s, "prop", 4) == 0) {
		if ((colon = memchr(v, ':', vlen)) == NULL ||
		    parse_num(v, (size_t)(colon - v), &a) != 0 ||
		    parse_num(colon + 1, (size_t)(v + vlen - colon - 1),
		    &b) != 0)
			return -1;
		return add_prop(c, a, b);
	}
	if (parse_num(v, vlen, &a) != 0 || a == 0 || a > 0xffff)
		return -1;
	if (klen == 13 && strncmp(s, "nv-buffer-max", 13) == 0) {
		c->nv_buffer_max = a;
		return add_prop(c, PT_NV_BUFFER_MAX, a);
	}
	if (klen == 12 && strncmp(s, "nv-index-max", 12) == 0) {
		c->nv_index_max = a;
		return add_prop(c, PT_NV_INDEX_MAX, a);
	}
	return -1;
}

/* "RULES;CHILD": the rules into c; *child points at CHILD. */
static int
parse_conf(struct chip *c, const char *conf, const char **child)
{
	const char *semi = strchr(conf, ';'), *p, *comma;

	if (semi == NULL)
		return -1;
	*child = semi + 1;
	for (p = conf; p < semi; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(semi - p))) == NULL)
			comma = semi;
		if (comma > p && parse_rule(c, p, (size_t)(comma - p)) != 0)
			return -1;
	}
	return 0;
}

static TSS2_RC
chip_init(TSS2_TCTI_CONTEXT *ctx, size_t *size, const char *conf)
{
	struct chip *c = (struct chip *)ctx;
	const char *child, *log;
	TSS2_RC rc;
	int query;

	rc = tcti_proxy_check(ctx, size, sizeof(*c), conf, &query);
	if (rc != TSS2_RC_SUCCESS || query)
		return rc;
	memset(c, 0, sizeof(*c));
	if (parse_conf(c, conf, &child) != 0 || *child == '\0') {
		fprintf(stderr, "tcti-chip: malformed configuration \"%s\" "
		    "(RULES;TCTI)\n", conf);
		return TSS2_TCTI_RC_BAD_VALUE;
	}
	if ((log = getenv("SK_CHIP_LOG")) != NULL &&
	    strlen(log) < sizeof(c->log_path))
		memcpy(c->log_path, log, strlen(log) + 1);
	return tcti_proxy_open(&c->proxy, &chip_kind, child);
}

static const TSS2_TCTI_INFO chip_info = {
	.version = 2,
	.name = "chip",
	.description = "sk-tpm test TCTI: a TPM answering as a chip class",
	.config_help = "RULES;TCTI, e.g. absent=CreateLoaded,"
	    "nv-buffer-max=768;swtpm:host=127.0.0.1,port=2321",
	.init = chip_init,
};

const TSS2_TCTI_INFO *Tss2_Tcti_Info(void);

__attribute__((visibility("default"))) const TSS2_TCTI_INFO *
Tss2_Tcti_Info(void)
{
	return &chip_info;
}
