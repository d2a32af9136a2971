/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plumbing shared by the test TCTIs that sit in front of another TCTI
 * (test/fault/tcti-fault.c, test/bench/tcti-latency.c). Such a TCTI is a
 * shared object that tctildr loads by path from a string like
 *
 *   /abs/path/libtss2-tcti-NAME.so:swtpm:host=127.0.0.1,port=P
 *
 * tctildr splits at the first ':' and hands the rest ("swtpm:...") to the
 * module's init, which loads that TCTI, again with tctildr, as its child.
 * This file does the loading, the context's bookkeeping and every call that
 * is passed through unchanged; each module supplies transmit and receive.
 *
 * Test code only: never installed.
 */
#ifndef SK_TEST_TCTI_PROXY_H
#define SK_TEST_TCTI_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_tcti.h>

/* A command or response header: tag, size, command or response code. */
#define TCTI_PROXY_HEADER_LEN	10

struct tcti_proxy_kind {
	const char		*name;		/* for messages */
	TSS2_TCTI_TRANSMIT_FCN	 transmit;
	TSS2_TCTI_RECEIVE_FCN	 receive;
};

/* The first member of every proxy's context. */
struct tcti_proxy {
	TSS2_TCTI_CONTEXT_COMMON_V2	 common;	/* callers see this */
	const struct tcti_proxy_kind	*kind;
	TSS2_TCTI_CONTEXT		*child;
};

/*
 * The first half of a module's init: answers the size query (ctx NULL:
 * *size = need, returns TSS2_RC_SUCCESS and sets *query) and checks the
 * arguments. The wrapped TCTI must be named: tpm2-tss's default search
 * would end at a simulator on port 2321 that may be anybody's.
 */
TSS2_RC	tcti_proxy_check(TSS2_TCTI_CONTEXT *ctx, size_t *size,
	    size_t need, const char *conf, int *query);

/* The second half: loads the child from conf and fills in p->common. */
TSS2_RC	tcti_proxy_open(struct tcti_proxy *p,
	    const struct tcti_proxy_kind *k, const char *conf);

/* ctx as a proxy of kind k, or NULL if it is not one (or finalized). */
struct tcti_proxy *tcti_proxy_cast(TSS2_TCTI_CONTEXT *ctx,
	    const struct tcti_proxy_kind *k);

uint32_t tcti_proxy_be32(const uint8_t *p);
void	tcti_proxy_put_be32(uint8_t *p, uint32_t v);
void	tcti_proxy_put_be16(uint8_t *p, uint16_t v);

/* The name of command code cc (NV_Write, Sign, ...), else its hex in buf. */
const char *tcti_proxy_cc_name(uint32_t cc, char *buf, size_t len);
/* The command code named by the len bytes at s: a name of that table or a
 * hex code ("0x15d"); -1 if neither. */
int	tcti_proxy_cc_parse(const char *s, size_t len, uint32_t *cc);
uint16_t tcti_proxy_be16(const uint8_t *p);

#endif /* SK_TEST_TCTI_PROXY_H */
