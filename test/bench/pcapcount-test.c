/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit test of the capture reader the benchmark relies on: captures built
 * here byte by byte in each layout it claims to read, the counts they must
 * give, and malformed inputs that must be refused without reading out of
 * bounds (every prefix of a valid capture, and single-byte corruptions).
 * The real pcap TCTI output is checked by the bench-pcap test.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tss2/tss2_tpm2_types.h>

#include "pcapcount.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		failures++;						\
	}								\
} while (0)

struct buf {
	uint8_t		d[4096];
	size_t		len;
	bool		big;		/* byte order of the file */
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->d))
		abort();
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void
put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put16be(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void
put32be(struct buf *b, uint32_t v)
{
	put16be(b, (uint16_t)(v >> 16));
	put16be(b, (uint16_t)v);
}

/* A field in the file's own byte order. */
static void
put32f(struct buf *b, uint32_t v)
{
	int i;

	if (b->big)
		put32be(b, v);
	else
		for (i = 0; i < 4; i++)
			put8(b, (uint8_t)(v >> (8 * i)));
}

static void
put16f(struct buf *b, uint16_t v)
{
	if (b->big)
		put16be(b, v);
	else {
		put8(b, (uint8_t)v);
		put8(b, (uint8_t)(v >> 8));
	}
}

/* A TPM command or response header followed by body zero bytes. */
static size_t
tpm_msg(uint8_t *out, uint16_t tag, uint32_t code, size_t body)
{
	struct buf m = { .len = 0 };

	put16be(&m, tag);
	put32be(&m, (uint32_t)(10 + body));
	put32be(&m, code);
	while (body-- > 0)
		put8(&m, 0xa5);
	memcpy(out, m.d, m.len);
	return m.len;
}

/* IPv4 + TCP around a payload, as the pcap TCTI writes it. */
static size_t
ip_tcp(uint8_t *out, const uint8_t *payload, size_t n, bool to_tpm)
{
	struct buf p = { .len = 0 };

	put8(&p, 0x45);
	put8(&p, 0);
	put16be(&p, (uint16_t)(40 + n));
	put32be(&p, 0x40000000);
	put8(&p, 255);
	put8(&p, 6);
	put16be(&p, 0);
	put32be(&p, 0x0a000001);
	put32be(&p, 0x0a000002);
	put16be(&p, to_tpm ? 50000 : 2321);
	put16be(&p, to_tpm ? 2321 : 50000);
	put32be(&p, 1);
	put32be(&p, 2);
	put16be(&p, 5 << 12 | 0x10);
	put16be(&p, 0xffff);
	put32be(&p, 0);
	put(&p, payload, n);
	memcpy(out, p.d, p.len);
	return p.len;
}

static void
ng_section(struct buf *b, uint16_t linktype)
{
	put32f(b, 0x0a0d0d0a);
	put32f(b, 28);
	put32f(b, 0x1a2b3c4d);
	put16f(b, 1);
	put16f(b, 0);
	put32f(b, 0xffffffff);
	put32f(b, 0xffffffff);
	put32f(b, 28);
	put32f(b, 1);
	put32f(b, 20);
	put16f(b, linktype);
	put16f(b, 0);
	put32f(b, 0);
	put32f(b, 20);
}

static void
ng_packet(struct buf *b, const uint8_t *pkt, size_t n)
{
	size_t pad = (4 - n % 4) % 4;
	/* header, packet, padding, end-of-options, trailing length */
	uint32_t blen = (uint32_t)(28 + n + pad + 4 + 4);

	put32f(b, 6);
	put32f(b, blen);
	put32f(b, 0);
	put32f(b, 0);
	put32f(b, 0);
	put32f(b, (uint32_t)n);
	put32f(b, (uint32_t)n);
	put(b, pkt, n);
	while (pad-- > 0)
		put8(b, 0);
	put32f(b, 0);		/* opt_endofopt */
	put32f(b, blen);
}

static void
ng_tpm(struct buf *b, uint16_t tag, uint32_t code, size_t body, bool to_tpm)
{
	uint8_t msg[512], pkt[600];
	size_t n;

	n = tpm_msg(msg, tag, code, body);
	n = ip_tcp(pkt, msg, n, to_tpm);
	ng_packet(b, pkt, n);
}

/* Two sessions: GetRandom, then Load (refused), Sign (retried once) and
 * FlushContext. */
static void
build_ng(struct buf *b, bool big)
{
	memset(b, 0, sizeof(*b));
	b->big = big;
	ng_section(b, 228);
	ng_tpm(b, 0x8001, TPM2_CC_GetRandom, 2, true);
	ng_tpm(b, 0x8001, 0, 12, false);
	ng_section(b, 228);
	ng_tpm(b, 0x8002, TPM2_CC_Load, 100, true);
	ng_tpm(b, 0x8001, 0x9a2, 0, false);
	/* A Sign the TPM asks to have sent again, and the second send. */
	ng_tpm(b, 0x8002, TPM2_CC_Sign, 80, true);
	ng_tpm(b, 0x8001, TPM2_RC_RETRY, 0, false);
	ng_tpm(b, 0x8002, TPM2_CC_Sign, 80, true);
	ng_tpm(b, 0x8002, 0, 70, false);
	ng_tpm(b, 0x8001, TPM2_CC_FlushContext, 4, true);
	ng_tpm(b, 0x8001, 0, 0, false);
}

static void
test_pcapng(bool big)
{
	struct pcap_count c;
	struct buf b;
	char err[128], codes[256];

	build_ng(&b, big);
	CHECK(pcap_count_buf(b.d, b.len, &c, err, sizeof(err)) == 0);
	CHECK(c.format == PCAP_FMT_PCAPNG);
	CHECK(c.sections == 2);
	CHECK(c.commands == 4);
	CHECK(c.retries == 1);
	CHECK(c.retry_cc == TPM2_CC_Sign);
	CHECK(c.retry_rc == TPM2_RC_RETRY);
	CHECK(c.responses == 5);
	CHECK(c.failed == 1);
	CHECK(c.fail_cc == TPM2_CC_Load);
	CHECK(c.fail_rc == 0x9a2);
	CHECK(c.junk == 0);
	pcap_count_codes(&c, codes, sizeof(codes));
	CHECK(strcmp(codes, "GetRandom 1, Load 1, Sign 1, FlushContext 1") ==
	    0);
}

/* Classic pcap over Ethernet; one command split in two segments and two
 * commands sharing one segment, as a real socket capture may show. */
static void
test_pcap_ethernet(void)
{
	uint8_t msg[256], pkt[600], frame[700];
	struct pcap_count c;
	struct buf b = { .len = 0 };
	size_t n, m, k, split;
	char err[128], codes[256];

	b.big = true;
	put32f(&b, 0xa1b2c3d4);
	put16f(&b, 2);
	put16f(&b, 4);
	put32f(&b, 0);
	put32f(&b, 0);
	put32f(&b, 65535);
	put32f(&b, 1);

	n = tpm_msg(msg, 0x8002, TPM2_CC_Sign, 60);
	split = 7;		/* inside the header */
	for (k = 0; k < 2; k++) {
		const uint8_t *part = k == 0 ? msg : msg + split;
		size_t plen = k == 0 ? split : n - split;

		m = ip_tcp(pkt, part, plen, true);
		memset(frame, 0, 14);
		frame[12] = 0x08;
		memcpy(frame + 14, pkt, m);
		put32f(&b, 0);
		put32f(&b, 0);
		put32f(&b, (uint32_t)(m + 14));
		put32f(&b, (uint32_t)(m + 14));
		put(&b, frame, m + 14);
	}
	n = tpm_msg(msg, 0x8001, TPM2_CC_ReadClock, 0);
	n += tpm_msg(msg + n, 0x8001, TPM2_CC_ReadClock, 0);
	m = ip_tcp(pkt, msg, n, true);
	memset(frame, 0, 14);
	frame[12] = 0x08;
	memcpy(frame + 14, pkt, m);
	put32f(&b, 0);
	put32f(&b, 0);
	put32f(&b, (uint32_t)(m + 14));
	put32f(&b, (uint32_t)(m + 14));
	put(&b, frame, m + 14);

	CHECK(pcap_count_buf(b.d, b.len, &c, err, sizeof(err)) == 0);
	CHECK(c.format == PCAP_FMT_PCAP);
	CHECK(c.commands == 3);
	CHECK(c.responses == 0);
	pcap_count_codes(&c, codes, sizeof(codes));
	CHECK(strcmp(codes, "Sign 1, ReadClock 2") == 0);
}

static void
test_rejections(void)
{
	struct pcap_count c;
	struct buf b, t;
	char err[128];
	size_t i;
	int r, accepted = 0;

	CHECK(pcap_count_buf((const uint8_t *)"", 0, &c, err, sizeof(err)) ==
	    -1);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(pcap_count_buf((const uint8_t *)"hello, world", 12, &c, err,
	    sizeof(err)) == -1);

	build_ng(&b, false);
	/* Every proper prefix that cuts a block must be refused. */
	for (i = 1; i < b.len; i++) {
		r = pcap_count_buf(b.d, i, &c, err, sizeof(err));
		if (r == 0)
			accepted++;
	}
	/* Only cuts at block boundaries parse: after each of the two section
	 * headers and two interface blocks and after the first nine of the
	 * ten packets. */
	CHECK(accepted == 2 + 2 + 9);

	/* A block whose trailer disagrees with its header. */
	t = b;
	t.d[t.len - 1] ^= 0x01;
	CHECK(pcap_count_buf(t.d, t.len, &c, err, sizeof(err)) == -1);

	/* A packet longer than its block. */
	t = b;
	t.d[28 + 20 + 20] = 0xff;
	CHECK(pcap_count_buf(t.d, t.len, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "overruns") != NULL);

	/* A packet block before any section header. */
	CHECK(pcap_count_buf(b.d + 48, b.len - 48, &c, err, sizeof(err)) ==
	    -1);

	/* Flip each byte in turn: must never crash (run under ASan in the
	 * sanitizer build); the result itself does not matter. */
	for (i = 0; i < b.len; i++) {
		t = b;
		t.d[i] ^= 0xff;
		(void)pcap_count_buf(t.d, t.len, &c, err, sizeof(err));
	}
}

static void
test_names(void)
{
	CHECK(strcmp(tpm_cc_name(TPM2_CC_StartAuthSession),
	    "StartAuthSession") == 0);
	CHECK(strcmp(tpm_cc_name(0x176), "StartAuthSession") == 0);
	CHECK(tpm_cc_name(0x12345) == NULL);
}

int
main(void)
{
	test_pcapng(false);
	test_pcapng(true);
	test_pcap_ethernet();
	test_rejections();
	test_names();
	if (failures > 0) {
		fprintf(stderr, "pcapcount-test: %d checks failed\n", failures);
		return 1;
	}
	printf("pcapcount-test: all checks passed\n");
	return 0;
}
