/*
 * sk-tpm verify-attestation KEY.pub ATTEST [--challenge FILE]
 *     [--ek-ca DIR|FILE] [--ak-ca FILE]
 *
 * Checks what ssh-keygen -O write-attestation wrote for a libsk-tpm key,
 * offline, and says plainly which guarantees hold. Exit status:
 *   0  every guarantee below holds, the challenge was checked and the AK
 *      is certified (chains to --ak-ca)
 *   1  a check failed: do not trust this key
 *   2  usage error, or a file could not be read
 *   3  every check made passed, but the AK is unbound (no certificate
 *      checked against --ak-ca) or the challenge was not given: the
 *      evidence is consistent, but a software TPM could have produced it,
 *      or it may be a replay
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "attest-codec.h"
#include "attest-verify.h"
#include "cbor-strict.h"
#include "cli.h"
#include "handle.h"
#include "message.h"

#define CLI_INCOMPLETE	3
#define FILE_MAX	(256 * 1024)

struct report {
	int failed, incomplete;
};

static void
line(const char *tag, const char *fmt, va_list ap)
{
	printf("  %-10s ", tag);
	vprintf(fmt, ap);
	putchar('\n');
}

static void __attribute__((format(printf, 2, 3)))
ok(struct report *rep, const char *fmt, ...)
{
	va_list ap;

	(void)rep;
	va_start(ap, fmt);
	line("ok", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
bad(struct report *rep, const char *fmt, ...)
{
	va_list ap;

	rep->failed++;
	va_start(ap, fmt);
	line("FAILED", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
open_end(struct report *rep, const char *fmt, ...)
{
	va_list ap;

	rep->incomplete++;
	va_start(ap, fmt);
	line("NOT SHOWN", fmt, ap);
	va_end(ap);
}

static int
read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f;
	uint8_t *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* The key's attributes and the PIN policy authData claims. */
static void
check_key(struct report *rep, const struct att_public *k, uint8_t flags)
{
	bool pin = (flags & ATT_FLAG_UV) != 0;

	if (k->name_alg != TPM_ALG_SHA256 || k->curve != TPM_ECC_NIST_P256 ||
	    (k->scheme != TPM_ALG_NULL && (k->scheme != TPM_ALG_ECDSA ||
	    k->scheme_hash != TPM_ALG_SHA256)) ||
	    (k->attributes & ~A_NODA) != KEY_ATTRS || k->auth_policy_len != 0)
		bad(rep, "key attributes 0x%08x: not a non-exportable, "
		    "signing-only ECDSA P-256 key authorised by its auth value "
		    "alone", k->attributes);
	else
		ok(rep, "key: fixedTPM, fixedParent, sensitiveDataOrigin: made "
		    "inside the TPM and never leaves it; ECC P-256, "
		    "signing only (ECDSA-SHA-256 %s), not restricted, no "
		    "policy", k->scheme == TPM_ALG_NULL ? "named at each "
		    "signature" : "fixed in the key");
	if (pin && (k->attributes & A_NODA))
		bad(rep, "PIN: authData claims a PIN but the key is noDA");
	else if (!pin && !(k->attributes & A_NODA))
		bad(rep, "PIN: authData claims no PIN but the key is "
		    "DA-protected");
	else if (pin)
		ok(rep, "PIN: required; the TPM demands the key's auth value "
		    "(derived from the PIN) and throttles guessing with its "
		    "dictionary-attack lockout; the PIN's length and quality "
		    "are not attested");
	else
		ok(rep, "PIN: none; the key is noDA and anyone who can use "
		    "this TPM can use it");
	if (flags & ATT_FLAG_UP)
		ok(rep, "touch: required, enforced by the sk-tpm provider "
		    "(software), not by the TPM");
	else
		ok(rep, "touch: not required");
}

/* certInfo: TPM-generated, Certify, naming this key, the extraData. */
static void
check_cert_info(struct report *rep, const struct att_stmt *st,
    const uint8_t *ad, size_t ad_len, const uint8_t *chal, size_t chal_len,
    bool have_chal, const uint8_t ak_name[34])
{
	struct att_certify c;
	uint8_t name[34], qn[38], want[34], buf[1024 + 32];

	if (att_certify_parse(st->cert_info, st->cert_info_len, &c) != 0 ||
	    c.magic != TPM_GENERATED || c.type != TPM_ST_ATTEST_CERTIFY) {
		bad(rep, "certInfo: not a TPM-generated TPM2_Certify result");
		return;
	}
	name[0] = 0x00;
	name[1] = 0x0b;
	if (sha256(st->pub_area, st->pub_area_len, name + 2) != 0 ||
	    c.name_len != sizeof(name) || memcmp(c.name, name, 34) != 0)
		bad(rep, "certInfo: certifies another object than this key");
	else
		ok(rep, "certInfo: TPM-generated TPM2_Certify of this key");
	/* The signer's qualified name: a primary of the endorsement
	 * hierarchy has nameAlg || H(TPM_RH_ENDORSEMENT || Name). */
	qn[0] = 0x40;
	qn[1] = qn[2] = 0x00;
	qn[3] = 0x0b;
	memcpy(qn + 4, ak_name, 34);
	want[0] = 0x00;
	want[1] = 0x0b;
	if (sha256(qn, sizeof(qn), want + 2) != 0 ||
	    c.signer_len != 34 || memcmp(c.signer, want, 34) != 0)
		bad(rep, "certInfo: the signer is not the AK of the "
		    "endorsement hierarchy");
	if (!have_chal) {
		open_end(rep, "challenge: not checked (no --challenge): the "
		    "attestation may be a replay");
		return;
	}
	if (ad_len > 1024) {
		bad(rep, "authData too long");
		return;
	}
	memcpy(buf, ad, ad_len);
	if (sha256(chal, chal_len, buf + ad_len) != 0 ||
	    sha256(buf, ad_len + 32, want) != 0 || c.extra_len != 32 ||
	    memcmp(c.extra, want, 32) != 0)
		bad(rep, "challenge: extraData is not SHA-256(authData || "
		    "SHA-256(challenge)): another challenge or a replay");
	else
		ok(rep, "challenge: extraData = SHA-256(authData || "
		    "SHA-256(challenge)); made for this challenge");
}

/* Who made the TPM, by its EK certificate and by its own word (which
 * nothing signs): shown, not judged. */
static void
show_manufacturer(const struct att_stmt *st)
{
	char ek[64], tpm[32];

	if (av_ek_manufacturer(st->ek_certs, st->ek_certs_len, ek,
	    sizeof(ek)) != 0 || st->manufacturer == 0)
		return;
	av_manufacturer_text(st->manufacturer, tpm, sizeof(tpm));
	printf("  %-10s manufacturer: %s in the EK certificate, %s as the "
	    "TPM reports it (unsigned): %s\n", "note", ek, tpm,
	    strncasecmp(ek, tpm, 11) == 0 ? "the same" : "they differ");
}

static void
check_ek(struct report *rep, const struct att_stmt *st, const char *ek_ca)
{
	X509_STORE *store = NULL;
	char msg[256] = "";
	int nleaf = 0;

	if (ek_ca != NULL && (store = av_load_roots(ek_ca)) == NULL) {
		bad(rep, "EK: no certificate could be read from %s", ek_ca);
		return;
	}
	if (av_ek_certs(store, st->ek_certs, st->ek_certs_len, &nleaf, msg,
	    sizeof(msg)) != 0 && nleaf > 0)
		bad(rep, "EK certificate: does not chain to --ek-ca: %s", msg);
	else if (nleaf == 0)
		(ek_ca != NULL ? bad : open_end)(rep, "EK certificate: none; "
		    "this TPM had no EK certificate in NV (%s)",
		    msg[0] != '\0' ? msg : "nothing to check the TPM against");
	else if (store == NULL)
		open_end(rep, "EK certificate: %d present, not checked (no "
		    "--ek-ca)", nleaf);
	else
		ok(rep, "EK certificate: %s, chains to --ek-ca", msg);
	show_manufacturer(st);
	X509_STORE_free(store);
}

static void
check_ak(struct report *rep, const struct att_file *f,
    const uint8_t ak_point[65], const char *ak_ca)
{
	X509_STORE *store;
	char msg[256];

	if (ak_ca == NULL) {
		open_end(rep, "AK: unbound%s: nothing here ties the AK to this "
		    "TPM's EK, so a software TPM could have signed; bind it "
		    "once with the EK round trip and pass --ak-ca",
		    f->cert_len > 0 ? " (a certificate is present, but no "
		    "--ak-ca to check it)" : "");
		return;
	}
	if (f->cert_len == 0) {
		bad(rep, "AK: no AK certificate in the attestation");
		return;
	}
	if ((store = av_load_roots(ak_ca)) == NULL) {
		bad(rep, "AK: no certificate could be read from %s", ak_ca);
		return;
	}
	if (av_ak_cert(store, f->cert, f->cert_len, ak_point, msg,
	    sizeof(msg)) != 0)
		bad(rep, "AK: %s", msg);
	else
		ok(rep, "AK: certified (%s), chains to --ak-ca", msg);
	X509_STORE_free(store);
}

static int
verify(const char *key_path, const uint8_t *blob, size_t blob_len,
    const uint8_t *chal, size_t chal_len, bool have_chal, const char *ek_ca,
    const char *ak_ca)
{
	struct report rep = { 0, 0 };
	struct att_file f;
	struct att_stmt st;
	struct att_authdata ad;
	struct att_public key, ak;
	struct cbor_rd rd;
	struct kh *kh = NULL;
	char app[1024];
	const char *why;
	const uint8_t *raw;
	uint8_t point[65], hash[32], ak_name[34];
	size_t raw_len;

	if (av_read_pubkey(key_path, point, app, sizeof(app)) != 0) {
		cli_error("%s: not an sk-ecdsa-sha2-nistp256 public key",
		    key_path);
		return CLI_USAGE;
	}
	printf("%s: application \"%s\"\n", key_path, app);
	if (att_file_parse(blob, blob_len, &f, &why) != 0) {
		bad(&rep, "attestation: %s", why);
		goto done;
	}
	crd_init(&rd, f.authdata, f.authdata_len);
	if (f.sig_len == 0 || f.authdata_len == 0) {
		bad(&rep, "attestation: empty; the TPM could not certify the "
		    "key at enrollment (SK_TPM_DEBUG=1 ssh-keygen shows why)");
		goto done;
	}
	if (crd_bytes(&rd, &raw, &raw_len) != 0 || !crd_at_end(&rd) ||
	    att_authdata_parse(raw, raw_len, &ad) != 0 ||
	    att_stmt_decode(f.sig, f.sig_len, &st) != KH_OK ||
	    att_public_parse(st.pub_area, st.pub_area_len, &key) != 0 ||
	    att_public_parse(st.ak_pub, st.ak_pub_len, &ak) != 0) {
		bad(&rep, "attestation: malformed (not an sk-tpm statement "
		    "version %d)", ATT_VERSION);
		goto done;
	}
	ok(&rep, "format: ssh-sk-attest-v01, sk-tpm statement version %d, "
	    "TPM manufacturer 0x%08x firmware 0x%016llx", ATT_VERSION,
	    st.manufacturer, (unsigned long long)st.firmware);
	if (memcmp(ad.aaguid, att_aaguid, 16) != 0)
		bad(&rep, "authData: not made by sk-tpm (AAGUID)");
	if (sha256(app, strlen(app), hash) != 0 ||
	    memcmp(ad.rp_id_hash, hash, 32) != 0)
		bad(&rep, "authData: made for another application");
	else if (memcmp(ad.point, point, 65) != 0 ||
	    memcmp(key.point, point, 65) != 0)
		bad(&rep, "authData/pubArea: another key than %s", key_path);
	else if (kh_decode(ad.cred_id, ad.cred_id_len, &kh) != KH_OK ||
	    kh->tpm_public_len != st.pub_area_len + 2 ||
	    memcmp(kh->tpm_public + 2, st.pub_area, st.pub_area_len) != 0 ||
	    memcmp(kh->app_hash, hash, 32) != 0)
		bad(&rep, "authData: the credential id is not this key's "
		    "handle");
	else
		ok(&rep, "authData and pubArea: this public key, this "
		    "application, this key handle");
	check_key(&rep, &key, ad.flags);
	if ((ak.attributes & ~A_NODA) != AK_ATTRS ||
	    ak.curve != TPM_ECC_NIST_P256 || ak.scheme != TPM_ALG_ECDSA ||
	    ak.name_alg != TPM_ALG_SHA256) {
		bad(&rep, "AK: not a restricted ECDSA P-256 signing key of "
		    "the TPM");
		goto done;
	}
	ak_name[0] = 0x00;
	ak_name[1] = 0x0b;
	if (sha256(st.ak_pub, st.ak_pub_len, ak_name + 2) != 0 ||
	    av_verify_es256(ak.point, st.cert_info, st.cert_info_len, st.sig,
	    st.sig_len) != 0) {
		bad(&rep, "signature: the AK's signature over certInfo is "
		    "not valid");
		goto done;
	}
	ok(&rep, "signature: the AK (a restricted TPM key, which signs only "
	    "what the TPM itself generated) signed certInfo");
	check_cert_info(&rep, &st, raw, raw_len, chal, chal_len, have_chal,
	    ak_name);
	check_ek(&rep, &st, ek_ca);
	check_ak(&rep, &f, ak.point, ak_ca);
done:
	kh_free(&kh);
	if (rep.failed > 0) {
		printf("result: REFUSED (%d check%s failed)\n", rep.failed,
		    rep.failed == 1 ? "" : "s");
		return CLI_FAIL;
	}
	if (rep.incomplete > 0) {
		printf("result: CONSISTENT BUT NOT PROVEN (%d guarantee%s not "
		    "shown)\n", rep.incomplete, rep.incomplete == 1 ? "" : "s");
		return CLI_INCOMPLETE;
	}
	printf("result: OK (a key inside a genuine TPM, as stated)\n");
	return CLI_OK;
}

static void
usage(FILE *out)
{
	fputs("usage: sk-tpm verify-attestation KEY.pub ATTEST "
	    "[--challenge FILE]\n"
	    "           [--ek-ca DIR|FILE] [--ak-ca FILE]\n"
	    "Exit 0: all guarantees hold, AK certified; 1: a check failed;\n"
	    "2: usage; 3: consistent, but AK unbound or challenge not given.\n",
	    out);
}

int
cmd_verify_attestation(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "challenge", required_argument, NULL, 'c' },
		{ "ek-ca", required_argument, NULL, 'e' },
		{ "ak-ca", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *chal_path = NULL, *ek_ca = NULL, *ak_ca = NULL;
	uint8_t *blob = NULL, *chal = NULL;
	size_t blob_len = 0, chal_len = 0;
	int ch, r;

	/* Options may follow the operands, as in the synopsis. */
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (ch == 'c')
			chal_path = optarg;
		else if (ch == 'e')
			ek_ca = optarg;
		else if (ch == 'a')
			ak_ca = optarg;
		else if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			usage(stdout);
			return CLI_OK;
		} else if (r != 0)
			return r;
	}
	if (argc - optind != 2)
		return cli_usage_error(cli, "give KEY.pub and ATTEST");
	r = CLI_USAGE;
	if (read_all(argv[optind + 1], &blob, &blob_len) != 0) {
		cli_error("%s: cannot read", argv[optind + 1]);
		goto out;
	}
	if (chal_path != NULL && read_all(chal_path, &chal, &chal_len) != 0) {
		cli_error("%s: cannot read", chal_path);
		goto out;
	}
	r = verify(argv[optind], blob, blob_len, chal, chal_len,
	    chal_path != NULL, ek_ca, ak_ca);
out:
	free(blob);
	free(chal);
	return r;
}
