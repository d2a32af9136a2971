/* SPDX-License-Identifier: BSD-2-Clause */
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
 *
 * This file is the command: its options and files, the statement parsed
 * and bound to KEY.pub, and the AK's signature over certInfo. The checks
 * that follow are in attest-key.c and attest-trust.c (attest-checks.h);
 * every line goes to the report (attest-report.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak-key.h"
#include "attest-checks.h"
#include "attest-codec.h"
#include "attest-verify.h"
#include "cbor-strict.h"
#include "cli.h"
#include "handle.h"
#include "message.h"
#include "tpm-attest.h"

#define FILE_MAX	(256 * 1024)

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

static int
verify(const char *key_path, const uint8_t *blob, size_t blob_len,
    const uint8_t *chal, size_t chal_len, bool have_chal, const char *ek_ca,
    const char *ak_ca)
{
	struct av_report rep = { 0, 0 };
	struct att_file f;
	struct att_stmt st;
	struct att_authdata ad;
	struct att_public key, ak;
	struct cbor_rd rd;
	struct kh *kh = NULL;
	const struct kh *this_kh = NULL;
	char app[1024], safe_app[4 * sizeof(app)], safe_path[4 * 1024];
	const char *why;
	const uint8_t *raw;
	uint8_t point[65], hash[32], ak_name[34];
	size_t raw_len;
	int ak_kind;

	if (av_read_pubkey(key_path, point, app, sizeof(app)) != 0) {
		cli_error("%s: not an sk-ecdsa-sha2-nistp256 public key",
		    key_path);
		return CLI_USAGE;
	}
	cli_safe_text(key_path, safe_path, sizeof(safe_path));
	cli_safe_text(app, safe_app, sizeof(safe_app));
	printf("%s: application \"%s\"\n", safe_path, safe_app);
	if (att_file_parse(blob, blob_len, &f, &why) != 0) {
		av_bad(&rep, "attestation: %s", why);
		goto done;
	}
	crd_init(&rd, f.authdata, f.authdata_len);
	if (f.sig_len == 0 || f.authdata_len == 0) {
		av_bad(&rep, "attestation: empty; the TPM could not certify "
		    "the key at enrollment (SK_TPM_DEBUG=1 ssh-keygen shows "
		    "why)");
		goto done;
	}
	if (crd_bytes(&rd, &raw, &raw_len) != 0 || !crd_at_end(&rd) ||
	    att_authdata_parse(raw, raw_len, &ad) != 0 ||
	    att_stmt_decode(f.sig, f.sig_len, &st) != KH_OK ||
	    att_public_parse(st.pub_area, st.pub_area_len, &key) != 0 ||
	    att_public_parse(st.ak_pub, st.ak_pub_len, &ak) != 0) {
		av_bad(&rep, "attestation: malformed (not an sk-tpm statement "
		    "of version %d to %d)", ATT_VERSION, ATT_VERSION_WEBAUTHN);
		goto done;
	}
	/* Version 3 carries x5c itself: the file's certificate must be
	 * its first, so that both readers of the file see one AK
	 * certificate. */
	if (st.x5c_n > 0 ? f.cert_len != st.x5c_len[0] ||
	    memcmp(f.cert, st.x5c[0], f.cert_len) != 0 :
	    st.version == ATT_VERSION_WEBAUTHN && f.cert_len > 0) {
		av_bad(&rep, "attestation: the statement's x5c and the file's "
		    "attestation certificate differ");
		goto done;
	}
	av_ok(&rep, "format: ssh-sk-attest-v01, sk-tpm statement version %d, "
	    "TPM manufacturer 0x%08x firmware 0x%016llx", st.version,
	    st.manufacturer, (unsigned long long)st.firmware);
	if (memcmp(ad.aaguid, att_aaguid, 16) != 0)
		av_bad(&rep, "authData: not made by sk-tpm (AAGUID)");
	if (sha256(app, strlen(app), hash) != 0 ||
	    memcmp(ad.rp_id_hash, hash, 32) != 0)
		av_bad(&rep, "authData: made for another application");
	else if (memcmp(ad.point, point, 65) != 0 ||
	    memcmp(key.point, point, 65) != 0)
		av_bad(&rep, "authData/pubArea: another key than %s", key_path);
	else if (kh_decode(ad.cred_id, ad.cred_id_len, &kh) != KH_OK ||
	    kh->tpm_public_len != st.pub_area_len + 2 ||
	    memcmp(kh->tpm_public + 2, st.pub_area, st.pub_area_len) != 0 ||
	    memcmp(kh->app_hash, hash, 32) != 0)
		av_bad(&rep, "authData: the credential id is not this key's "
		    "handle");
	else {
		av_ok(&rep, "authData and pubArea: this public key, this "
		    "application, this key handle");
		this_kh = kh;
	}
	av_check_key(&rep, &key, ad.flags, this_kh);
	/* Either of sk-tpm's AKs, and the one alg names. */
	if ((ak_kind = ak_kind_of(&ak, true)) < 0) {
		av_bad(&rep, "AK: not a restricted ECDSA P-256 or RSA-2048 "
		    "signing key of the TPM");
		goto done;
	}
	if (ak_cose_alg(ak_kind) != st.alg) {
		av_bad(&rep, "AK: an %s key, but the statement's alg is %d",
		    ak_kind == TPM_AK_RS1 ? "RSA" : "ECC", st.alg);
		goto done;
	}
	ak_name[0] = 0x00;
	ak_name[1] = 0x0b;
	if (sha256(st.ak_pub, st.ak_pub_len, ak_name + 2) != 0 ||
	    ak_verify(&ak, st.alg, st.cert_info, st.cert_info_len, st.sig,
	    st.sig_len) != 0) {
		av_bad(&rep, "signature: the AK's signature over certInfo is "
		    "not valid");
		goto done;
	}
	av_ok(&rep, "signature: the AK (a restricted TPM key, which signs only "
	    "what the TPM itself generated) signed certInfo%s",
	    ak_kind == TPM_AK_RS1 ? " (RS1: RSASSA-PKCS1-v1_5 with SHA-1, "
	    "alg -65535)" : "");
	av_check_cert_info(&rep, &st, raw, raw_len, chal, chal_len, have_chal,
	    ak_name);
	av_check_ek(&rep, &st, ek_ca);
	av_check_ak(&rep, &f, &ak, ak_ca);
done:
	kh_free(&kh);
	return av_verdict(&rep);
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
