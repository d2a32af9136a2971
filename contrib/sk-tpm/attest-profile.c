/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Certificate profiles for verify-attestation and attest challenge: the AK
 * certificate as WebAuthn section 8.3.1 ("TPM Attestation Statement
 * Certificate Requirements") wants it, an EK certificate as the TCG EK
 * Credential Profile makes one (so that a TLS or code-signing certificate
 * from a vendor CA does not stand in for an EK), and the TPM manufacturer
 * that profile puts in a certificate's subjectAltName.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest-verify.h"
#include "cli.h"

#define OID_TPM_MANUFACTURER	"2.23.133.2.1"
#define OID_TPM_MODEL		"2.23.133.2.2"
#define OID_TPM_VERSION		"2.23.133.2.3"
#define OID_AIK_CERTIFICATE	"2.23.133.8.3"
#define OID_EK_CERTIFICATE	"2.23.133.8.1"

static bool
oid_is(const ASN1_OBJECT *o, const char *want)
{
	char buf[64];

	return OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0 &&
	    strcmp(buf, want) == 0;
}

/* The text of attribute oid in a directoryName of the subjectAltName;
 * 0, or -1 when absent. */
static int
san_attribute(GENERAL_NAMES *gens, const char *oid, char *out, size_t len)
{
	const GENERAL_NAME *g;
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *v;
	int i, j;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DIRNAME)
			continue;
		for (j = 0; j < X509_NAME_entry_count(g->d.directoryName);
		    j++) {
			e = X509_NAME_get_entry(g->d.directoryName, j);
			if (!oid_is(X509_NAME_ENTRY_get_object(e), oid))
				continue;
			v = X509_NAME_ENTRY_get_data(e);
			snprintf(out, len, "%.*s", ASN1_STRING_length(v),
			    (const char *)ASN1_STRING_get0_data(v));
			return 0;
		}
	}
	return -1;
}

/* Whether the extended key usage, if present, has oid: 1 yes, 0 no, -1
 * no such extension. */
static int
eku_has(X509 *x, const char *oid)
{
	EXTENDED_KEY_USAGE *eku;
	int i, found = 0;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) ==
	    NULL)
		return -1;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		found = found || oid_is(sk_ASN1_OBJECT_value(eku, i), oid);
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

int
av_ak_profile(X509 *x, char *manufacturer, size_t mlen, char *why,
    size_t whylen)
{
	GENERAL_NAMES *gens = NULL;
	BASIC_CONSTRAINTS *bc = NULL;
	char model[64], version[64];
	int crit = -1, r = -1;

	if (X509_get_version(x) != X509_VERSION_3) {
		snprintf(why, whylen, "not an X.509 version 3 certificate");
		goto out;
	}
	if (X509_NAME_entry_count(X509_get_subject_name(x)) != 0) {
		snprintf(why, whylen, "its subject is not empty");
		goto out;
	}
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL || san_attribute(gens, OID_TPM_MANUFACTURER,
	    manufacturer, mlen) != 0 || san_attribute(gens, OID_TPM_MODEL,
	    model, sizeof(model)) != 0 || san_attribute(gens,
	    OID_TPM_VERSION, version, sizeof(version)) != 0) {
		snprintf(why, whylen, "no subjectAltName with the TPM "
		    "manufacturer, model and version");
		goto out;
	}
	if (crit != 1) {
		snprintf(why, whylen, "its subjectAltName is not critical "
		    "(the subject is empty)");
		goto out;
	}
	if (eku_has(x, OID_AIK_CERTIFICATE) != 1) {
		snprintf(why, whylen, "its extended key usage lacks "
		    "tcg-kp-AIKCertificate (" OID_AIK_CERTIFICATE ")");
		goto out;
	}
	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	if (bc == NULL || bc->ca) {
		snprintf(why, whylen, "%s", bc == NULL ? "no basicConstraints "
		    "extension (CA:FALSE)" : "it is a CA certificate");
		goto out;
	}
	r = 0;
out:
	GENERAL_NAMES_free(gens);
	BASIC_CONSTRAINTS_free(bc);
	return r;
}

int
av_ek_profile(X509 *x, char *why, size_t whylen)
{
	GENERAL_NAMES *gens;
	EVP_PKEY *k = X509_get0_pubkey(x);
	uint32_t ku;
	char attr[64];
	int eku, tpm_san = 0;

	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)) !=
	    NULL) {
		tpm_san = san_attribute(gens, OID_TPM_MANUFACTURER, attr,
		    sizeof(attr)) == 0 && san_attribute(gens, OID_TPM_MODEL,
		    attr, sizeof(attr)) == 0 && san_attribute(gens,
		    OID_TPM_VERSION, attr, sizeof(attr)) == 0;
		GENERAL_NAMES_free(gens);
	}
	/* An extended key usage limits the key to what it lists (RFC 5280,
	 * 4.2.1.12); without one, the TPM attributes say what it is. */
	if ((eku = eku_has(x, OID_EK_CERTIFICATE)) == 0) {
		snprintf(why, whylen, "its extended key usage lacks "
		    "tcg-kp-EKCertificate (" OID_EK_CERTIFICATE ")");
		return -1;
	}
	if (eku < 0 && !tpm_san) {
		snprintf(why, whylen, "neither tcg-kp-EKCertificate ("
		    OID_EK_CERTIFICATE ") nor the TPM attributes (manufacturer, "
		    "model, version) in its subjectAltName");
		return -1;
	}
	ku = X509_get_key_usage(x);
	if (k != NULL && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) == 0 ||
		    (ku & KU_KEY_ENCIPHERMENT) == 0) {
			snprintf(why, whylen, "an RSA EK certificate without "
			    "keyEncipherment in its key usage");
			return -1;
		}
	} else if (k != NULL && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
		if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) == 0 ||
		    (ku & KU_KEY_AGREEMENT) == 0) {
			snprintf(why, whylen, "an ECC EK certificate without "
			    "keyAgreement in its key usage");
			return -1;
		}
	} else {
		snprintf(why, whylen, "neither an RSA nor an ECC key");
		return -1;
	}
	return 0;
}

int
av_ek_manufacturer(const uint8_t *der, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = der, *end = der + len;
	GENERAL_NAMES *gens;
	X509 *x;
	int r = -1;

	char raw[64];

	while (r != 0 && p < end &&
	    (x = d2i_X509(NULL, &p, end - p)) != NULL) {
		if (X509_check_ca(x) == 0 && (gens = X509_get_ext_d2i(x,
		    NID_subject_alt_name, NULL, NULL)) != NULL) {
			r = san_attribute(gens, OID_TPM_MANUFACTURER, raw,
			    sizeof(raw));
			GENERAL_NAMES_free(gens);
		}
		X509_free(x);
	}
	if (r == 0)
		cli_safe_text(raw, out, outlen);
	return r;
}

void
av_manufacturer_text(uint32_t id, char *out, size_t len)
{
	char ascii[5];
	int i;

	for (i = 0; i < 4; i++) {
		ascii[i] = (char)(id >> (24 - 8 * i));
		if (ascii[i] != '\0' && !isprint((unsigned char)ascii[i]))
			ascii[i] = '?';
	}
	ascii[4] = '\0';
	snprintf(out, len, "id:%08X (\"%s\")", id, ascii);
}
