/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test TCTIs in front of another TCTI: the shared part (see tcti-proxy.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_tctildr.h>

#include "tcti-proxy.h"

#define PROXY_MAGIC	0x534b2d70726f7879ULL	/* "SK-proxy" */

struct tcti_proxy *
tcti_proxy_cast(TSS2_TCTI_CONTEXT *ctx, const struct tcti_proxy_kind *k)
{
	struct tcti_proxy *p = (struct tcti_proxy *)ctx;

	if (p == NULL || p->common.v1.magic != PROXY_MAGIC ||
	    (k != NULL && p->kind != k))
		return NULL;
	return p;
}

uint32_t
tcti_proxy_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
tcti_proxy_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
tcti_proxy_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const struct {
	const char *name;
	uint32_t cc;
} cc_names[] = {
	{ "NV_UndefineSpace", 0x122 },
	{ "NV_DefineSpace", 0x12a },
	{ "CreatePrimary", 0x131 },
	{ "NV_Write", 0x137 },
	{ "DictionaryAttackLockReset", 0x139 },
	{ "Certify", 0x148 },
	{ "NV_Read", 0x14e },
	{ "Create", 0x153 },
	{ "Load", 0x157 },
	{ "Sign", 0x15d },
	{ "ContextLoad", 0x161 },
	{ "ContextSave", 0x162 },
	{ "FlushContext", 0x165 },
	{ "NV_ReadPublic", 0x169 },
	{ "ReadPublic", 0x173 },
	{ "StartAuthSession", 0x176 },
	{ "GetCapability", 0x17a },
	{ "ReadClock", 0x181 },
	{ "CreateLoaded", 0x191 },
};

const char *
tcti_proxy_cc_name(uint32_t cc, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(cc_names) / sizeof(cc_names[0]); i++)
		if (cc_names[i].cc == cc)
			return cc_names[i].name;
	snprintf(buf, len, "0x%03" PRIx32, cc);
	return buf;
}

int
tcti_proxy_cc_parse(const char *s, size_t len, uint32_t *cc)
{
	char buf[64], *end;
	unsigned long v;
	size_t i;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (i = 0; i < sizeof(cc_names) / sizeof(cc_names[0]); i++) {
		if (strcmp(cc_names[i].name, buf) == 0) {
			*cc = cc_names[i].cc;
			return 0;
		}
	}
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
		return -1;
	*cc = (uint32_t)v;
	return 0;
}

uint16_t
tcti_proxy_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
proxy_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	struct tcti_proxy *p = tcti_proxy_cast(ctx, NULL);

	if (p == NULL)
		return;
	if (p->child != NULL)
		Tss2_TctiLdr_Finalize(&p->child);
	p->common.v1.magic = 0;
}

static TSS2_RC
proxy_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	struct tcti_proxy *p = tcti_proxy_cast(ctx, NULL);

	if (p == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	return Tss2_Tcti_Cancel(p->child);
}

static TSS2_RC
proxy_get_poll_handles(TSS2_TCTI_CONTEXT *ctx, TSS2_TCTI_POLL_HANDLE *handles,
    size_t *num)
{
	struct tcti_proxy *p = tcti_proxy_cast(ctx, NULL);

	if (p == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	return Tss2_Tcti_GetPollHandles(p->child, handles, num);
}

static TSS2_RC
proxy_set_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t locality)
{
	struct tcti_proxy *p = tcti_proxy_cast(ctx, NULL);

	if (p == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	return Tss2_Tcti_SetLocality(p->child, locality);
}

static TSS2_RC
proxy_make_sticky(TSS2_TCTI_CONTEXT *ctx, TPM2_HANDLE *handle, uint8_t sticky)
{
	struct tcti_proxy *p = tcti_proxy_cast(ctx, NULL);

	if (p == NULL)
		return TSS2_TCTI_RC_BAD_CONTEXT;
	return Tss2_Tcti_MakeSticky(p->child, handle, sticky);
}

TSS2_RC
tcti_proxy_check(TSS2_TCTI_CONTEXT *ctx, size_t *size, size_t need,
    const char *conf, int *query)
{
	*query = 0;
	if (size == NULL)
		return TSS2_TCTI_RC_BAD_VALUE;
	if (ctx == NULL) {
		*size = need;
		*query = 1;
		return TSS2_RC_SUCCESS;
	}
	if (*size < need)
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	if (conf == NULL || *conf == '\0')
		return TSS2_TCTI_RC_BAD_VALUE;
	return TSS2_RC_SUCCESS;
}

TSS2_RC
tcti_proxy_open(struct tcti_proxy *p, const struct tcti_proxy_kind *k,
    const char *conf)
{
	TSS2_RC rc;

	p->child = NULL;
	rc = Tss2_TctiLdr_Initialize(conf, &p->child);
	if (rc != TSS2_RC_SUCCESS)
		return rc;
	p->kind = k;
	p->common.v1.magic = PROXY_MAGIC;
	p->common.v1.version = 2;
	p->common.v1.transmit = k->transmit;
	p->common.v1.receive = k->receive;
	p->common.v1.finalize = proxy_finalize;
	p->common.v1.cancel = proxy_cancel;
	p->common.v1.getPollHandles = proxy_get_poll_handles;
	p->common.v1.setLocality = proxy_set_locality;
	p->common.makeSticky = proxy_make_sticky;
	return TSS2_RC_SUCCESS;
}
