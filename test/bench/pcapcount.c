/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small, bounds-checked reader for pcap and pcapng captures that counts
 * the TPM 2.0 commands in them. See pcapcount.h for what is recognised.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tss2/tss2_tpm2_types.h>

#include "pcapcount.h"

/* The TCP port tpm2-tss's pcap TCTI gives the TPM side (Wireshark's). */
#define TPM_TCP_PORT		2321

#define PCAPNG_SHB		0x0a0d0d0aU
#define PCAPNG_IDB		0x00000001U
#define PCAPNG_PB		0x00000002U	/* obsolete packet block */
#define PCAPNG_SPB		0x00000003U
#define PCAPNG_EPB		0x00000006U
#define PCAPNG_BOM		0x1a2b3c4dU
#define PCAPNG_MAX_IF		16

#define PCAP_MAGIC_US		0xa1b2c3d4U
#define PCAP_MAGIC_NS		0xa1b23c4dU

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101
#define LINKTYPE_IPV4		228
#define LINKTYPE_IPV6		229

/* tag, size, command or response code */
#define TPM_HEADER_LEN		10
#define TPM_MAX_MESSAGE		(1U << 20)

/* Keep the capture file size sane: one enrollment is a few kilobytes. */
#define MAX_CAPTURE		(64U * 1024 * 1024)

/* Reassembles one direction of the TPM byte stream. */
struct stream {
	uint8_t		hdr[TPM_HEADER_LEN];
	size_t		hlen;
	uint32_t	skip;		/* body bytes still to come */
};

struct parser {
	struct pcap_count *out;
	struct stream	cmd;
	struct stream	rsp;
	/* Commands still waiting for their response, oldest first. */
	uint32_t	pending[PCAP_COUNT_MAX_PENDING];
	size_t		npending;
	char		*err;
	size_t		errlen;
};

static const struct {
	uint32_t	cc;
	const char	*name;
} cc_names[] = {
#define CC(x)	{ TPM2_CC_##x, #x }
	CC(NV_UndefineSpaceSpecial), CC(EvictControl), CC(HierarchyControl),
	CC(NV_UndefineSpace), CC(ChangeEPS), CC(ChangePPS), CC(Clear),
	CC(ClearControl), CC(ClockSet), CC(HierarchyChangeAuth),
	CC(NV_DefineSpace), CC(PCR_Allocate), CC(PCR_SetAuthPolicy),
	CC(PP_Commands), CC(SetPrimaryPolicy), CC(FieldUpgradeStart),
	CC(ClockRateAdjust), CC(CreatePrimary), CC(NV_GlobalWriteLock),
	CC(GetCommandAuditDigest), CC(NV_Increment), CC(NV_SetBits),
	CC(NV_Extend), CC(NV_Write), CC(NV_WriteLock),
	CC(DictionaryAttackLockReset), CC(DictionaryAttackParameters),
	CC(NV_ChangeAuth), CC(PCR_Event), CC(PCR_Reset), CC(SequenceComplete),
	CC(SetAlgorithmSet), CC(SetCommandCodeAuditStatus),
	CC(FieldUpgradeData), CC(IncrementalSelfTest), CC(SelfTest),
	CC(Startup), CC(Shutdown), CC(StirRandom), CC(ActivateCredential),
	CC(Certify), CC(PolicyNV), CC(CertifyCreation), CC(Duplicate),
	CC(GetTime), CC(GetSessionAuditDigest), CC(NV_Read), CC(NV_ReadLock),
	CC(ObjectChangeAuth), CC(PolicySecret), CC(Rewrap), CC(Create),
	CC(ECDH_ZGen), CC(HMAC), CC(Import), CC(Load), CC(Quote),
	CC(RSA_Decrypt), CC(HMAC_Start), CC(SequenceUpdate), CC(Sign),
	CC(Unseal), CC(PolicySigned), CC(ContextLoad), CC(ContextSave),
	CC(ECDH_KeyGen), CC(EncryptDecrypt), CC(FlushContext),
	CC(LoadExternal), CC(MakeCredential), CC(NV_ReadPublic),
	CC(PolicyAuthorize), CC(PolicyAuthValue), CC(PolicyCommandCode),
	CC(PolicyCounterTimer), CC(PolicyCpHash), CC(PolicyLocality),
	CC(PolicyNameHash), CC(PolicyOR), CC(PolicyTicket), CC(ReadPublic),
	CC(RSA_Encrypt), CC(StartAuthSession), CC(VerifySignature),
	CC(ECC_Parameters), CC(FirmwareRead), CC(GetCapability),
	CC(GetRandom), CC(GetTestResult), CC(Hash), CC(PCR_Read),
	CC(PolicyPCR), CC(PolicyRestart), CC(ReadClock), CC(PCR_Extend),
	CC(PCR_SetAuthValue), CC(NV_Certify), CC(EventSequenceComplete),
	CC(HashSequenceStart), CC(PolicyPhysicalPresence),
	CC(PolicyDuplicationSelect), CC(PolicyGetDigest), CC(TestParms),
	CC(Commit), CC(PolicyPassword), CC(ZGen_2Phase), CC(EC_Ephemeral),
	CC(PolicyNvWritten), CC(PolicyTemplate), CC(CreateLoaded),
	CC(PolicyAuthorizeNV), CC(EncryptDecrypt2), CC(AC_GetCapability),
	CC(AC_Send), CC(Policy_AC_SendSelect), CC(CertifyX509),
	CC(ACT_SetTimeout),
#undef CC
};

const char *
tpm_cc_name(uint32_t cc)
{
	size_t i;

	for (i = 0; i < sizeof(cc_names) / sizeof(cc_names[0]); i++)
		if (cc_names[i].cc == cc)
			return cc_names[i].name;
	return NULL;
}

static int
fail(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->err != NULL && ps->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* A 32- or 16-bit field in the byte order of the current file section. */
static uint32_t
rd32(const uint8_t *p, bool big)
{
	return big ? be32(p) : le32(p);
}

static uint16_t
rd16(const uint8_t *p, bool big)
{
	return big ? be16(p) : (uint16_t)(p[1] << 8 | p[0]);
}

static void
note_command(struct parser *ps, uint32_t cc)
{
	struct pcap_count *c = ps->out;
	size_t i;

	c->commands++;
	for (i = 0; i < c->ncodes; i++)
		if (c->codes[i].cc == cc)
			break;
	if (i == c->ncodes && c->ncodes < PCAP_COUNT_MAX_CODES) {
		c->codes[i].cc = cc;
		c->codes[i].n = 0;
		c->ncodes++;
	}
	if (i < c->ncodes)
		c->codes[i].n++;
	/* A lost response must not shift every later pairing forever. */
	if (ps->npending == PCAP_COUNT_MAX_PENDING) {
		memmove(ps->pending, ps->pending + 1,
		    sizeof(ps->pending) - sizeof(ps->pending[0]));
		ps->npending--;
	}
	ps->pending[ps->npending++] = cc;
}

/* Take one command with code cc back out of the per-code counts. */
static bool
uncount(struct pcap_count *c, uint32_t cc)
{
	size_t i;

	for (i = 0; i < c->ncodes; i++)
		if (c->codes[i].cc == cc && c->codes[i].n > 0) {
			c->codes[i].n--;
			return true;
		}
	return false;
}

static void
note_response(struct parser *ps, uint32_t rc)
{
	struct pcap_count *c = ps->out;
	uint32_t cc = 0;

	c->responses++;
	if (ps->npending > 0) {
		cc = ps->pending[0];
		memmove(ps->pending, ps->pending + 1,
		    (ps->npending - 1) * sizeof(ps->pending[0]));
		ps->npending--;
	}
	if (rc == TPM2_RC_RETRY || rc == TPM2_RC_YIELDED ||
	    rc == TPM2_RC_TESTING) {
		/* The same command comes again: count it once. */
		if (c->retries == 0) {
			c->retry_cc = cc;
			c->retry_rc = rc;
		}
		c->retries++;
		if (cc != 0 && uncount(c, cc))
			c->commands--;
	} else if (rc != TPM2_RC_SUCCESS) {
		if (c->failed == 0) {
			c->fail_cc = cc;
			c->fail_rc = rc;
		}
		c->failed++;
	}
}

/*
 * Feed TCP payload bytes of one direction. The pcap TCTI writes one whole
 * message per segment, but a capture of a real socket may split or join
 * them, so this follows the size field rather than segment boundaries.
 */
static void
stream_feed(struct parser *ps, struct stream *st, const uint8_t *p, size_t n,
    bool command)
{
	uint16_t tag;
	uint32_t size, code;
	size_t k;
	bool tag_ok;

	while (n > 0) {
		if (st->skip > 0) {
			k = st->skip < n ? st->skip : n;
			st->skip -= (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		k = TPM_HEADER_LEN - st->hlen;
		if (k > n)
			k = n;
		memcpy(st->hdr + st->hlen, p, k);
		st->hlen += k;
		p += k;
		n -= k;
		if (st->hlen < TPM_HEADER_LEN)
			break;
		st->hlen = 0;
		tag = be16(st->hdr);
		size = be32(st->hdr + 2);
		code = be32(st->hdr + 6);
		tag_ok = tag == TPM2_ST_NO_SESSIONS ||
		    tag == TPM2_ST_SESSIONS ||
		    (!command && tag == TPM2_ST_RSP_COMMAND);
		if (!tag_ok || size < TPM_HEADER_LEN ||
		    size > TPM_MAX_MESSAGE) {
			/* Not TPM framing: drop this segment, resync on the
			 * next one. */
			ps->out->junk++;
			break;
		}
		st->skip = size - TPM_HEADER_LEN;
		if (command)
			note_command(ps, code);
		else
			note_response(ps, code);
	}
}

static void
tcp_segment(struct parser *ps, const uint8_t *p, size_t n)
{
	uint16_t sport, dport;
	size_t doff;

	if (n < 20)
		return;
	sport = be16(p);
	dport = be16(p + 2);
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < 20 || doff > n || n == doff)
		return;
	if (dport == TPM_TCP_PORT) {
		ps->out->packets++;
		stream_feed(ps, &ps->cmd, p + doff, n - doff, true);
	} else if (sport == TPM_TCP_PORT) {
		ps->out->packets++;
		stream_feed(ps, &ps->rsp, p + doff, n - doff, false);
	}
}

static void
ip_packet(struct parser *ps, const uint8_t *p, size_t n)
{
	size_t ihl, total;

	if (n < 1)
		return;
	switch (p[0] >> 4) {
	case 4:
		if (n < 20)
			return;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		total = be16(p + 2);
		if (ihl < 20 || ihl > n || p[9] != 6)
			return;
		/* Ignore link-layer padding after the IP packet. */
		if (total >= ihl && total < n)
			n = total;
		tcp_segment(ps, p + ihl, n - ihl);
		break;
	case 6:
		if (n < 40 || p[6] != 6)
			return;	/* extension headers are not followed */
		total = 40 + (size_t)be16(p + 4);
		if (total < n)
			n = total;
		tcp_segment(ps, p + 40, n - 40);
		break;
	default:
		break;
	}
}

static int
link_packet(struct parser *ps, uint32_t linktype, const uint8_t *p, size_t n)
{
	uint16_t ethertype;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		if (n < 14)
			return 0;
		ethertype = be16(p + 12);
		if (ethertype == 0x0800 || ethertype == 0x86dd)
			ip_packet(ps, p + 14, n - 14);
		return 0;
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		ip_packet(ps, p, n);
		return 0;
	default:
		return fail(ps, "link type %u is not supported", linktype);
	}
}

static void
new_connection(struct parser *ps)
{
	memset(&ps->cmd, 0, sizeof(ps->cmd));
	memset(&ps->rsp, 0, sizeof(ps->rsp));
	ps->npending = 0;
}

static int
parse_pcapng(struct parser *ps, const uint8_t *buf, size_t len)
{
	uint32_t ifs[PCAPNG_MAX_IF];
	size_t nifs = 0, off = 0, blen, body, bodylen, caplen, ifid;
	uint32_t type, magic;
	bool big = false, in_section = false;

	while (off < len) {
		if (len - off < 12)
			return fail(ps, "truncated block at offset %zu", off);
		/* The section header's type reads the same in both orders. */
		type = le32(buf + off);
		if (type == PCAPNG_SHB) {
			if (len - off < 28)
				return fail(ps, "truncated section header at "
				    "offset %zu", off);
			magic = le32(buf + off + 8);
			if (magic == PCAPNG_BOM)
				big = false;
			else if (be32(buf + off + 8) == PCAPNG_BOM)
				big = true;
			else
				return fail(ps, "bad byte-order magic at "
				    "offset %zu", off);
			in_section = true;
			nifs = 0;
			ps->out->sections++;
			/* Each TCTI session starts a section: a new stream. */
			new_connection(ps);
		} else if (!in_section)
			return fail(ps, "block before the first section "
			    "header");
		type = rd32(buf + off, big);
		blen = rd32(buf + off + 4, big);
		if (blen < 12 || blen % 4 != 0 || blen > len - off)
			return fail(ps, "bad block length %zu at offset %zu",
			    blen, off);
		if (rd32(buf + off + blen - 4, big) != blen)
			return fail(ps, "block length trailer mismatch at "
			    "offset %zu", off);
		body = off + 8;
		bodylen = blen - 12;
		switch (type) {
		case PCAPNG_IDB:
			if (bodylen < 8)
				return fail(ps, "short interface block");
			if (nifs == PCAPNG_MAX_IF)
				return fail(ps, "too many interfaces");
			ifs[nifs++] = rd16(buf + body, big);
			break;
		case PCAPNG_EPB:
		case PCAPNG_PB:
			if (bodylen < 20)
				return fail(ps, "short packet block at offset "
				    "%zu", off);
			ifid = type == PCAPNG_EPB ? rd32(buf + body, big) :
			    rd16(buf + body, big);
			caplen = rd32(buf + body + 12, big);
			if (caplen > bodylen - 20)
				return fail(ps, "packet overruns its block at "
				    "offset %zu", off);
			if (ifid >= nifs)
				return fail(ps, "packet on undeclared "
				    "interface %zu", ifid);
			if (link_packet(ps, ifs[ifid], buf + body + 20,
			    caplen) != 0)
				return -1;
			break;
		case PCAPNG_SPB:
			if (bodylen < 4)
				return fail(ps, "short simple packet block");
			if (nifs == 0)
				return fail(ps, "packet without an interface");
			caplen = rd32(buf + body, big);
			if (caplen > bodylen - 4)
				caplen = bodylen - 4;
			if (link_packet(ps, ifs[0], buf + body + 4,
			    caplen) != 0)
				return -1;
			break;
		default:
			break;	/* statistics, name resolution, custom */
		}
		off += blen;
	}
	return 0;
}

static int
parse_pcap(struct parser *ps, const uint8_t *buf, size_t len)
{
	uint32_t linktype;
	size_t off = 24, caplen;
	bool big;

	if (len < 24)
		return fail(ps, "truncated pcap header");
	big = !(le32(buf) == PCAP_MAGIC_US || le32(buf) == PCAP_MAGIC_NS);
	/* The upper bits may carry FCS information. */
	linktype = rd32(buf + 20, big) & 0x0fffffffU;
	ps->out->sections = 1;
	while (off < len) {
		if (len - off < 16)
			return fail(ps, "truncated record header at offset %zu",
			    off);
		caplen = rd32(buf + off + 8, big);
		if (caplen > len - off - 16)
			return fail(ps, "truncated record at offset %zu", off);
		if (link_packet(ps, linktype, buf + off + 16, caplen) != 0)
			return -1;
		off += 16 + caplen;
	}
	return 0;
}

int
pcap_count_buf(const uint8_t *buf, size_t len, struct pcap_count *out,
    char *err, size_t errlen)
{
	struct parser ps;
	uint32_t m;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.out = out;
	ps.err = err;
	ps.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (len == 0)
		return fail(&ps, "empty capture (nothing was sent to the "
		    "TPM?)");
	if (len < 4)
		return fail(&ps, "capture too short");
	m = le32(buf);
	if (m == PCAPNG_SHB) {
		out->format = PCAP_FMT_PCAPNG;
		return parse_pcapng(&ps, buf, len);
	}
	if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS ||
	    be32(buf) == PCAP_MAGIC_US || be32(buf) == PCAP_MAGIC_NS) {
		out->format = PCAP_FMT_PCAP;
		return parse_pcap(&ps, buf, len);
	}
	return fail(&ps, "neither pcap nor pcapng (first bytes %08x)",
	    be32(buf));
}

int
pcap_count_file(const char *path, struct pcap_count *out, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > MAX_CAPTURE) {
		snprintf(err, errlen, "%s: unexpected size %lld", path,
		    (long long)st.st_size);
		goto out;
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (len > 0 && fread(buf, 1, len, f) != len) {
		snprintf(err, errlen, "%s: short read", path);
		goto out;
	}
	r = pcap_count_buf(buf, len, out, err, errlen);
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return r;
}

char *
pcap_count_codes(const struct pcap_count *c, char *buf, size_t len)
{
	const char *name;
	size_t i, used = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < c->ncodes && used < len; i++) {
		name = tpm_cc_name(c->codes[i].cc);
		if (name != NULL)
			n = snprintf(buf + used, len - used, "%s%s %zu",
			    i > 0 ? ", " : "", name, c->codes[i].n);
		else
			n = snprintf(buf + used, len - used, "%s0x%08x %zu",
			    i > 0 ? ", " : "", c->codes[i].cc, c->codes[i].n);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
