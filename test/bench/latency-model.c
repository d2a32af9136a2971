/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The latency model: modelled milliseconds of TPM execution time per TPM
 * 2.0 command, for laptop-class discrete TPMs (Infineon SLB9670/SLB9672,
 * ST33, Nuvoton NPCT7xx) on SPI. Sources:
 *
 *  - wolfTPM's published benchmark tables (wolfTPM README, "TPM2
 *    Benchmarks" for the SLB9670, SLB9672, ST33 and NPCT750): ECDSA P-256
 *    sign, ECC create, primary creation and session start;
 *  - a Linux kernel mailing-list trace of an SLB9670 behind the kernel's
 *    resource manager (/dev/tpmrm0), which shows the context save and load
 *    around every command and their durations;
 *  - Moghimi et al., "TPM-FAIL: TPM meets Timing and Lattice Attacks"
 *    (USENIX Security 2020), which timed ECDSA signing on STMicro, Infineon,
 *    Nuvoton and Intel PTT parts: about 45 ms on the discrete chips and
 *    150-250 ms on the firmware TPM.
 *
 * Figures are rounded, typical values. The least certain are Load,
 * ContextSave/ContextLoad and the NV writes. Commands the sources do not
 * cover but that do no public-key work and no NV write cost what the cheap
 * commands cost (3 ms); they are marked "assumed" below. A command missing
 * from the table is charged DEFAULT_MS and reported as not modelled.
 *
 * A command with an HMAC or policy session in its authorization area costs
 * LATENCY_SESSION_MS more (the HMAC over the command and response, and the
 * session's nonce update); a password authorization (TPM_RS_PW) does not.
 * StartAuthSession costs 80 ms when it is salted (tpmKey is a key: the TPM
 * does an ECDH or RSA decryption) and 3 ms when not. CreatePrimary and
 * Create of an RSA key take seconds on these parts (prime generation); the
 * model charges RSA_KEYGEN_MS.
 *
 * A command the TPM answers with TPM_RC_RETRY, _YIELDED or _TESTING was
 * not executed and is sent again by ESYS; it is charged nothing. swtpm
 * answers an ECDSA Sign with TPM_RC_RETRY now and then (libtpms draws a
 * new nonce), which a real TPM does internally, within its Sign time.
 */
#include <stdio.h>
#include <string.h>

#include "latency-model.h"
#include "tcti-proxy.h"

#define DEFAULT_MS		3
#define RSA_KEYGEN_MS		2000
#define SALTED_SESSION_MS	80
#define TPM_ST_SESSIONS		0x8002
#define TPM_RH_NULL		0x40000007
#define TPM_ALG_RSA		0x0001

struct cc_cost {
	uint32_t	 cc;
	const char	*name;
	unsigned	 ms;
	unsigned	 handles;	/* handles before the auth area */
};

static const struct cc_cost table[] = {
	/* Public-key work. */
	{ 0x15d, "Sign",			45, 1 },	/* ECDSA */
	{ 0x131, "CreatePrimary",		150, 1 },	/* ECC */
	{ 0x153, "Create",			120, 1 },	/* ECC */
	{ 0x191, "CreateLoaded",		120, 1 },	/* as Create */
	{ 0x157, "Load",			40, 1 },	/* ECC key */
	/* An ECDSA signature by the attestation key, as Sign. */
	{ 0x148, "Certify",			45, 2 },
	/* Unsalted; salted: SALTED_SESSION_MS. */
	{ 0x176, "StartAuthSession",		3, 2 },
	/* What a resource manager adds around every command. */
	{ 0x161, "ContextLoad",			35, 0 },
	{ 0x162, "ContextSave",			15, 1 },
	{ 0x165, "FlushContext",		3, 0 },
	/* Cheap reads. */
	{ 0x181, "ReadClock",			3, 0 },
	{ 0x17a, "GetCapability",		3, 0 },
	{ 0x173, "ReadPublic",			3, 1 },
	{ 0x169, "NV_ReadPublic",		3, 1 },
	{ 0x14e, "NV_Read",			3, 2 },
	{ 0x17e, "PCR_Read",			3, 0 },
	/* NV writes. */
	{ 0x12a, "NV_DefineSpace",		30, 1 },
	{ 0x137, "NV_Write",			30, 2 },
	{ 0x122, "NV_UndefineSpace",		30, 2 }, /* assumed */
	{ 0x120, "EvictControl",		30, 2 },	/* assumed */
	{ 0x134, "NV_Increment",		30, 2 },	/* assumed */
	{ 0x129, "HierarchyChangeAuth",	30, 1 },	/* assumed */
	{ 0x150, "ObjectChangeAuth",		3, 2 },	/* assumed */
	/* No public-key work, no NV write: assumed like the cheap reads. */
	{ 0x17b, "GetRandom",			3, 0 },
	{ 0x18a, "TestParms",			3, 0 },
	{ 0x139, "DictionaryAttackLockReset",	3, 1 },
	{ 0x13a, "DictionaryAttackParameters",	3, 1 },
	{ 0x16b, "PolicyAuthValue",		3, 1 },
	{ 0x18c, "PolicyPassword",		3, 1 },
	{ 0x16c, "PolicyCommandCode",		3, 1 },
	{ 0x189, "PolicyGetDigest",		3, 1 },
	{ 0x180, "PolicyRestart",		3, 1 },
	{ 0x151, "PolicySecret",		3, 2 },
	{ 0x172, "PolicyTicket",		3, 1 },
	{ 0x17f, "PolicyPCR",			3, 1 },
	{ 0x171, "PolicyOR",			3, 1 },
	{ 0x17d, "Hash",			3, 0 },
	{ 0x186, "HashSequenceStart",		3, 0 },
	{ 0x15c, "SequenceUpdate",		3, 1 },
	{ 0x13e, "SequenceComplete",		3, 1 },
	{ 0x164, "EncryptDecrypt",		3, 1 },
	{ 0x193, "EncryptDecrypt2",		3, 1 },
	{ 0x15e, "Unseal",			3, 1 },
	{ 0x177, "VerifySignature",		3, 1 },
	{ 0x144, "Startup",			3, 0 },
};

static const struct cc_cost *
lookup(uint32_t cc)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].cc == cc)
			return &table[i];
	return NULL;
}

/* Does the authorization area hold an HMAC or policy session? */
static int
has_session(const uint8_t *cmd, size_t len, unsigned handles)
{
	size_t off = TCTI_PROXY_HEADER_LEN + 4 * (size_t)handles, end;
	uint32_t h;
	uint16_t n;

	if (tcti_proxy_be16(cmd) != TPM_ST_SESSIONS || off + 4 > len)
		return 0;
	end = off + 4 + tcti_proxy_be32(cmd + off);
	if (end > len)
		return 0;
	off += 4;
	while (off + 4 <= end) {
		h = tcti_proxy_be32(cmd + off);
		if (h >> 24 == 0x02 || h >> 24 == 0x03)
			return 1;
		/* handle, nonce, attributes, hmac */
		off += 4;
		if (off + 2 > end)
			break;
		off += 2 + tcti_proxy_be16(cmd + off) + 1;
		if (off + 2 > end)
			break;
		n = tcti_proxy_be16(cmd + off);
		off += 2 + n;
	}
	return 0;
}

/* The algorithm of the TPM2B_PUBLIC template of Create/CreatePrimary. */
static uint16_t
template_alg(const uint8_t *cmd, size_t len)
{
	/* After the header, the parent handle. */
	size_t off = TCTI_PROXY_HEADER_LEN + 4;

	if (tcti_proxy_be16(cmd) == TPM_ST_SESSIONS) {
		if (off + 4 > len)
			return 0;
		off += 4 + tcti_proxy_be32(cmd + off);
	}
	/* inSensitive (TPM2B), then inPublic: size, type. */
	if (off + 2 > len)
		return 0;
	off += 2 + tcti_proxy_be16(cmd + off);
	if (off + 4 > len)
		return 0;
	return tcti_proxy_be16(cmd + off + 2);
}

void
latency_model_charge(const uint8_t *cmd, size_t len,
    struct latency_charge *out)
{
	const struct cc_cost *c;
	uint32_t cc;

	memset(out, 0, sizeof(*out));
	if (len < TCTI_PROXY_HEADER_LEN) {
		snprintf(out->name, sizeof(out->name), "(short command)");
		out->ms = DEFAULT_MS;
		return;
	}
	cc = tcti_proxy_be32(cmd + 6);
	if ((c = lookup(cc)) == NULL) {
		snprintf(out->name, sizeof(out->name), "0x%03x", cc);
		out->ms = DEFAULT_MS;
		return;
	}
	out->modelled = 1;
	out->ms = c->ms;
	snprintf(out->name, sizeof(out->name), "%s", c->name);
	if (cc == 0x176 && len >= TCTI_PROXY_HEADER_LEN + 4 &&
	    tcti_proxy_be32(cmd + TCTI_PROXY_HEADER_LEN) != TPM_RH_NULL) {
		out->ms = SALTED_SESSION_MS;
		snprintf(out->name, sizeof(out->name), "%s(salted)", c->name);
	}
	if ((cc == 0x131 || cc == 0x153 || cc == 0x191) &&
	    template_alg(cmd, len) == TPM_ALG_RSA) {
		out->ms = RSA_KEYGEN_MS;
		snprintf(out->name, sizeof(out->name), "%s(RSA)", c->name);
	}
	if (has_session(cmd, len, c->handles)) {
		out->session_ms = LATENCY_SESSION_MS;
		out->ms += LATENCY_SESSION_MS;
	}
}

void
latency_model_answered(struct latency_charge *c, uint32_t rc)
{
	size_t len;

	/* Format-zero warnings: RETRY 0x922, YIELDED 0x908, TESTING 0x90a. */
	if (rc != 0x922 && rc != 0x908 && rc != 0x90a)
		return;
	c->ms = 0;
	c->session_ms = 0;
	len = strlen(c->name);
	snprintf(c->name + len, sizeof(c->name) - len, "%s",
	    rc == 0x922 ? "(RETRY)" : rc == 0x908 ? "(YIELDED)" :
	    "(TESTING)");
}
