/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The EK templates of the TCG EK Credential Profile that sk-tpm attest
 * activate derives the EK from, and the policy that authorises each
 * (tpm-internal.h). A primary key is a function of its template, so these
 * must be the manufacturer's bytes exactly: the EK certificate certifies
 * the key of that template, and a CA seals to it.
 *
 * Low range (profile 2.0 on): L-1 RSA-2048 and L-2 ECC P-256, nameAlg
 * SHA-256, AES-128-CFB, unique all zeros of the key's size, userWithAuth
 * clear, authPolicy PolicyA = PolicySecret(TPM_RH_ENDORSEMENT).
 * High range (profile 2.3 on; certificates at 0x01C00012 and up): H-3 ECC
 * P-384 and H-6 RSA-3072, nameAlg SHA-384, AES-256-CFB, unique empty,
 * userWithAuth set as well as adminWithPolicy, authPolicy PolicyB =
 * PolicyOR(PolicyA, PolicyC), PolicyC being PolicyAuthorizeNV of the
 * policy index I-2 (0x01C07F02). The same bytes are in tpm2-tools'
 * tpm2_createek (ATTRS_B and policy_b_sha384 for rsa3072 and ecc384, after
 * profile 2.4 rev. 3), swtpm_setup (its EKs at 0x01C00016 and 0x01C0001C),
 * go-tpm's Template H-3 and H-6 (AuthPolicyB), and tpm2-tss' FAPI
 * profiles P_ECCP384SHA384 and P_RSA3072SHA384 (ek_policy); PolicyB is
 * SHA-384(0...0 || TPM_CC_PolicyOR || PolicyA || PolicyC), which
 * test_ek_template computes from the definitions.
 *
 * How activation authorises the EK (tpm-activate.c): a low-range EK only
 * through its policy, PolicySecret(endorsement) in a SHA-256 policy
 * session. A high-range EK sets userWithAuth, so its empty auth value
 * serves, in an HMAC session: its policy would need a SHA-384 policy
 * session, whose session key ESYS derives with HMAC-SHA-384, which
 * sk-tpm's own ESYS crypto (tpm2-tss 4.x, tpm-crypto.c) does not compute.
 * Either way CreatePrimary has already needed the endorsement hierarchy's
 * auth.
 */
#include <string.h>

#include "tpm-activate.h"
#include "tpm-internal.h"

/* PolicyA = PolicySecret(TPM_RH_ENDORSEMENT), SHA-256. */
static const uint8_t policy_a_sha256[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8,
	0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
	0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64,
	0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

/* PolicyB = PolicyOR(PolicyA, PolicyC), SHA-384: the high-range
 * authPolicy. */
static const uint8_t policy_b_sha384[48] = {
	0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc,
	0x53, 0xd8, 0x82, 0xbc, 0xf5, 0xfd, 0x3a, 0x1a,
	0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3, 0xb4, 0xe4,
	0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca,
	0xcb, 0x47, 0xba, 0x09, 0x69, 0x96, 0x46, 0x15,
	0x0f, 0x9f, 0xc0, 0x00, 0xf3, 0xf8, 0x0e, 0x12,
};

bool
ek_high_range(int kind)
{
	return kind == TPM_EK_RSA3072 || kind == TPM_EK_P384;
}

const char *
ek_kind_name(int kind)
{
	switch (kind) {
	case TPM_EK_RSA2048:
		return "RSA-2048";
	case TPM_EK_P256:
		return "ECC P-256";
	case TPM_EK_RSA3072:
		return "RSA-3072";
	case TPM_EK_P384:
		return "ECC P-384";
	}
	return "unknown";
}

int
ek_template(int kind, TPM2B_PUBLIC *pub)
{
	TPMT_PUBLIC *p = &pub->publicArea;
	TPMT_SYM_DEF_OBJECT aes = {
		.algorithm = TPM2_ALG_AES,
		.keyBits = { .aes = ek_high_range(kind) ? 256 : 128 },
		.mode = { .aes = TPM2_ALG_CFB },
	};

	memset(pub, 0, sizeof(*pub));
	p->nameAlg = ek_high_range(kind) ? TPM2_ALG_SHA384 : TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	if (ek_high_range(kind)) {
		p->objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
		p->authPolicy.size = sizeof(policy_b_sha384);
		memcpy(p->authPolicy.buffer, policy_b_sha384,
		    sizeof(policy_b_sha384));
	} else {
		p->authPolicy.size = sizeof(policy_a_sha256);
		memcpy(p->authPolicy.buffer, policy_a_sha256,
		    sizeof(policy_a_sha256));
	}
	switch (kind) {
	case TPM_EK_RSA2048:
	case TPM_EK_RSA3072:
		p->type = TPM2_ALG_RSA;
		p->parameters.rsaDetail.symmetric = aes;
		p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.rsaDetail.keyBits = kind == TPM_EK_RSA2048 ?
		    2048 : 3072;
		p->parameters.rsaDetail.exponent = 0;
		/* L-1: 256 zero bytes; H-6: empty */
		if (kind == TPM_EK_RSA2048)
			p->unique.rsa.size = 256;
		return 0;
	case TPM_EK_P256:
	case TPM_EK_P384:
		p->type = TPM2_ALG_ECC;
		p->parameters.eccDetail.symmetric = aes;
		p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
		p->parameters.eccDetail.curveID = kind == TPM_EK_P256 ?
		    TPM2_ECC_NIST_P256 : TPM2_ECC_NIST_P384;
		p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		/* L-2: two 32-byte zero coordinates; H-3: empty */
		if (kind == TPM_EK_P256) {
			p->unique.ecc.x.size = 32;
			p->unique.ecc.y.size = 32;
		}
		return 0;
	}
	return -1;
}
