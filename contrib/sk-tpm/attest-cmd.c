/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest export DIR [--ak es256|rs1] | install-cert CERT: this
 * machine's side of the EK round trip that binds an AK to the TPM for a
 * fleet CA (doc/attestation.md); challenge and activate are in
 * attest-round.c.
 *
 * export writes into DIR (which must exist), for the AK --ak names, else
 * the configured one (attest-which.h):
 *   ek-cert-N.der   the EK certificates found in NV
 *   ak.pem          the AK public key (SubjectPublicKeyInfo)
 *   ak.tpmt         the AK's TPMT_PUBLIC
 *   ak.name         the AK's Name in hex, for tpm2_makecredential -n
 * with ak-rs1 for ak in the three names for the RS1 AK.
 *
 * install-cert takes the AK from the certificate's key: an ECC one is
 * for the ES256 AK, an RSA one for the RS1 AK (attest-cert.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ak-key.h"
#include "attest-cert.h"
#include "attest-codec.h"
#include "attest-io.h"
#include "attest-verify.h"
#include "attest-which.h"
#include "cli.h"
#include "message.h"
#include "tpm-attest.h"

static int
write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = export_open(path)) == NULL)
		return -1;
	ok = fwrite(buf, 1, len, f) == len;
	if (fclose(f) != 0 || !ok) {
		cli_error("%s: cannot write", path);
		return -1;
	}
	return 0;
}

/* The public key as a PEM file. */
static int
write_pem(const struct att_public *ak, const char *path)
{
	EVP_PKEY *pkey;
	FILE *f;
	int ok = 0;

	if ((pkey = ak_public_key(ak)) == NULL)
		return -1;
	if ((f = export_open(path)) == NULL) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	ok = PEM_write_PUBKEY(f, pkey) == 1;
	ok = fclose(f) == 0 && ok;
	EVP_PKEY_free(pkey);
	if (!ok)
		cli_error("%s: cannot write", path);
	return ok ? 0 : -1;
}

static int
export(struct cli *cli, const char *dir, int kind)
{
	struct tpm *tpm = NULL;
	struct att_public ak;
	uint8_t *pub = NULL, *ek = NULL, name[34];
	const uint32_t *skipped;
	const unsigned char *p, *start;
	const char *prefix = attest_ak_prefix(kind);
	char hex[69], path[4096], file[32];
	size_t pub_len = 0, ek_len = 0, i;
	X509 *x;
	struct tpm_ek_read how;
	int n = 0, r;

	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		return r;
	r = CLI_FAIL;
	if (tpm_ak_public(tpm, kind, &pub, &pub_len) != 0 ||
	    tpm_ek_certs(tpm, &ek, &ek_len, &how) != 0) {
		r = cli_fail("cannot read the AK or the EK certificates");
		goto out;
	}
	name[0] = 0x00;
	name[1] = 0x0b;
	if (att_public_parse(pub, pub_len, &ak) != 0 ||
	    sha256(pub, pub_len, name + 2) != 0)
		goto out;
	for (i = 0; i < sizeof(name); i++)
		snprintf(hex + 2 * i, 3, "%02x", name[i]);
	snprintf(path, sizeof(path), "%s/%s.pem", dir, prefix);
	snprintf(file, sizeof(file), "%s.tpmt", prefix);
	if (write_file(dir, file, pub, pub_len) != 0)
		goto out;
	snprintf(file, sizeof(file), "%s.name", prefix);
	if (write_file(dir, file, hex, strlen(hex)) != 0 ||
	    write_pem(&ak, path) != 0)
		goto out;
	for (p = ek; p != NULL && p < ek + ek_len; ) {
		start = p;
		if ((x = d2i_X509(NULL, &p, (long)(ek + ek_len - p))) ==
		    NULL) {
			cli_error("unreadable EK certificate bytes in NV");
			goto out;
		}
		X509_free(x);
		snprintf(file, sizeof(file), "ek-cert-%d.der", ++n);
		if (write_file(dir, file, start, (size_t)(p - start)) != 0)
			goto out;
	}
	for (i = 0; i < tpm_ek_skipped(tpm, &skipped); i++)
		cli_error("warning: NV index 0x%08x skipped: not defined by "
		    "the platform (TPMA_NV_PLATFORMCREATE clear), so anyone "
		    "with the owner's authorization may have planted it",
		    skipped[i]);
	printf("AK name %s\n%s%d EK certificate%s written to %s\n", hex,
	    kind == TPM_AK_RS1 ? "the RS1 AK (RSA-2048, RSASSA-SHA-1): "
	    "ak-rs1.tpmt, ak-rs1.pem, ak-rs1.name\n" : "", n,
	    n == 1 ? "" : "s", dir);
	if (how.unread > 0)
		printf("%d EK certificate ind%s could not be read (%s)\n",
		    how.unread, how.unread == 1 ? "ex" : "ices", how.why);
	else if (n == 0)
		printf("this TPM has no EK certificate in NV: a CA cannot "
		    "tell it from a software TPM\n");
	r = CLI_OK;
out:
	free(pub);
	free(ek);
	tpm_close(&tpm);
	return r;
}

static int
install_cert(struct cli *cli, const char *file)
{
	struct tpm *tpm = NULL;
	uint8_t *pub = NULL;
	unsigned char *der = NULL;
	size_t pub_len = 0;
	char path[4096], manufacturer[64], why[160];
	X509 *x = NULL;
	FILE *f;
	int len, r, kind;

	if ((f = fopen(file, "rb")) == NULL) {
		cli_error("%s: cannot read", file);
		return CLI_USAGE;
	}
	if ((x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		rewind(f);
		x = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	if (x == NULL || (len = i2d_X509(x, &der)) <= 0) {
		cli_error("%s: not an X.509 certificate", file);
		X509_free(x);
		return CLI_FAIL;
	}
	/* Which AK: the certificate's key says. */
	kind = X509_get0_pubkey(x) != NULL &&
	    EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_RSA ?
	    TPM_AK_RS1 : TPM_AK_ES256;
	if (av_ak_profile(x, manufacturer, sizeof(manufacturer), why,
	    sizeof(why)) != 0)
		cli_error("warning: %s is not in WebAuthn's AK certificate "
		    "profile (section 8.3.1); WebAuthn verifiers will refuse "
		    "it: %s", file, why);
	X509_free(x);
	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		goto out;
	r = CLI_FAIL;
	if (tpm_ak_public(tpm, kind, &pub, &pub_len) != 0) {
		r = cli_fail("cannot derive the AK");
		goto out;
	}
	if (!ak_cert_matches(der, (size_t)len, pub, pub_len)) {
		cli_error("%s certifies another key than this TPM's AK (its "
		    "%s AK)", file, kind == TPM_AK_RS1 ? "RS1" : "ES256");
		goto out;
	}
	if (ak_cert_install(kind, der, (size_t)len) != 0) {
		r = cli_fail("cannot install the certificate");
		goto out;
	}
	if (ak_cert_user_path(kind, path, sizeof(path)) == 0)
		printf("installed %s%s\n", path, kind == TPM_AK_RS1 ?
		    " (the RS1 AK's certificate)" : "");
	r = CLI_OK;
out:
	OPENSSL_free(der);
	free(pub);
	tpm_close(&tpm);
	return r;
}

static int
export_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		ATTEST_AK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	int ch, r, kind = -2;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (ch == 'k') {
			if ((kind = attest_ak_parse(optarg)) < 0)
				return cli_usage_error(cli, "--ak: es256 or "
				    "rs1");
		} else if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			printf("usage: sk-tpm attest export DIR "
			    "[--ak es256|rs1]\n");
			return CLI_OK;
		} else if (r != 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "give export DIR");
	if (kind == -2 && (kind = attest_ak_configured()) < 0)
		return CLI_USAGE;
	return export(cli, argv[optind], kind);
}

int
cmd_attest(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int ch, r;

	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			printf("usage: sk-tpm attest export DIR "
			    "[--ak es256|rs1]\n"
			    "       sk-tpm attest challenge DIR -o CRED "
			    "-s SECRET (--ek-ca ROOTS | --ek-pub PEM)\n"
			    "           [--ak es256|rs1]\n"
			    "       sk-tpm attest activate CRED [-o SECRET] "
			    "[--ak es256|rs1]\n"
			    "       sk-tpm attest install-cert CERT\n");
			return CLI_OK;
		} else if (r != 0)
			return r;
	}
	if (argc - optind >= 1 && strcmp(argv[optind], "export") == 0)
		return export_cmd(cli, argc - optind, argv + optind);
	if (argc - optind == 2 && strcmp(argv[optind], "install-cert") == 0)
		return install_cert(cli, argv[optind + 1]);
	if (argc - optind >= 1 && (strcmp(argv[optind], "challenge") == 0 ||
	    strcmp(argv[optind], "activate") == 0))
		return cmd_attest_round(cli, argv[optind], argc - optind,
		    argv + optind);
	return cli_usage_error(cli, "give export DIR, challenge DIR ..., "
	    "activate CRED or install-cert CERT");
}
