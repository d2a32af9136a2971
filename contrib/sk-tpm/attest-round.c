/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm attest challenge | activate: the EK round trip that binds the AK
 * to this TPM for a fleet CA (doc/attestation.md), interoperable with
 * tpm2-tools in both directions (the credential file of cred-file.h).
 *
 *   challenge DIR -o CRED -s SECRET (--ek-ca ROOTS | --ek-pub PEM)
 *       [--ak es256|rs1]
 *       The CA's side, no TPM. From what `sk-tpm attest export` wrote in
 *       DIR: the AK (ak.tpmt, or ak-rs1.tpmt with --ak rs1, the RSA AK
 *       of libfido2's attestations; checked to be a restricted signing
 *       key of
 *       the TPM: nothing else is worth certifying; ak.pem and ak.name
 *       must agree with it, attest-ak.c) and an EK certificate
 *       (ek-cert-N.der) chaining to ROOTS, or an EK public key the CA
 *       trusts otherwise. A fresh 32-byte secret, kept in SECRET (mode
 *       0600), sealed in CRED for that EK and the AK's Name; the AK's
 *       public key kept in SECRET.ak.pem, the key to certify once the
 *       secret comes back.
 *   activate CRED [-o OUT] [--ak es256|rs1]
 *       The machine's side: the TPM recovers the secret only if its EK is
 *       that EK and the AK with that Name lives in it. The secret goes to
 *       OUT (mode 0600), or in hex to standard output. The AK is the one
 *       --ak names, else the configured one (attest-which.h).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest-codec.h"
#include "attest-makecred.h"
#include "attest-io.h"
#include "attest-round.h"
#include "attest-verify.h"
#include "attest-which.h"
#include "cli.h"
#include "cred-file.h"
#include "message.h"
#include "tpm-activate.h"
#include "tpm-attest.h"

#define EK_CERTS_MAX	16

/*
 * The EKs sk-tpm seals to and activates with (TCG EK Credential Profile):
 * RSA-2048 and ECC P-256 of the low range, RSA-3072 and ECC P-384 of the
 * high range. --ek-alg names one, as tpm2_createek -G does.
 */
static const struct {
	const char *alg, *kind;
} ek_algs[] = {
	{ "rsa2048", "RSA-2048" },
	{ "rsa3072", "RSA-3072" },
	{ "ecc256", "ECC P-256" },
	{ "ecc384", "ECC P-384" },
};
#define EK_ALGS	(sizeof(ek_algs) / sizeof(ek_algs[0]))

/* A key of a kind we seal to, and of kind want (NULL: any). */
static bool
ek_key_ok(EVP_PKEY *k, const char *want)
{
	const char *kind = mc_ek_kind(k);

	return kind != NULL && (want == NULL || strcmp(kind, want) == 0);
}

/* The first EK certificate of DIR with a usable key that chains to
 * roots (the others in DIR as intermediates); its key. */
static EVP_PKEY *
load_ek_cert(const char *dir, const char *roots, const char *want,
    char *desc, size_t desclen)
{
	STACK_OF(X509) *all = NULL;
	X509_STORE *store = NULL;
	EVP_PKEY *key = NULL;
	const unsigned char *p;
	uint8_t der[4096];
	char path[4096], why[200] = "no EK certificate in the export";
	char prof[160];
	size_t len;
	X509 *x;
	int i, n;

	if ((store = av_load_roots(roots)) == NULL) {
		cli_error("%s: no certificate could be read", roots);
		return NULL;
	}
	if ((all = sk_X509_new_null()) == NULL)
		goto out;
	for (n = 1; n <= EK_CERTS_MAX; n++) {
		snprintf(path, sizeof(path), "%s/ek-cert-%d.der", dir, n);
		if (round_read_small(path, der, sizeof(der), &len) != 0)
			break;
		p = der;
		if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
		    p != der + len) {
			X509_free(x);
			cli_error("%s: not a DER certificate", path);
			goto out;
		}
		if (sk_X509_push(all, x) == 0) {
			X509_free(x);
			goto out;
		}
	}
	for (i = 0; i < sk_X509_num(all) && key == NULL; i++) {
		x = sk_X509_value(all, i);
		if (X509_check_ca(x) != 0 ||
		    !ek_key_ok(X509_get0_pubkey(x), want))
			continue;
		if (av_ek_profile(x, prof, sizeof(prof)) != 0) {
			snprintf(why, sizeof(why), "not an EK certificate: %s",
			    prof);
			continue;
		}
		if (!av_chains(store, x, all, why, sizeof(why)))
			continue;
		if ((key = X509_get_pubkey(x)) != NULL)
			av_describe(x, desc, desclen);
	}
	if (key == NULL && want != NULL)
		cli_error("%s: no %s EK certificate that chains to %s (%s)",
		    dir, want, roots, why);
	else if (key == NULL)
		cli_error("%s: no RSA-2048, RSA-3072, ECC P-256 or ECC P-384 "
		    "EK certificate that chains to %s (%s)", dir, roots, why);
out:
	sk_X509_pop_free(all, X509_free);
	X509_STORE_free(store);
	return key;
}

static EVP_PKEY *
load_ek_pub(const char *path, const char *want, char *desc, size_t desclen)
{
	EVP_PKEY *key = NULL;
	FILE *f;

	if ((f = fopen(path, "r")) != NULL) {
		key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!ek_key_ok(key, want)) {
		cli_error("%s: not a PEM %s public key", path, want != NULL ?
		    want : "RSA-2048, RSA-3072, ECC P-256 or ECC P-384");
		EVP_PKEY_free(key);
		return NULL;
	}
	snprintf(desc, desclen, "%s-%d from %s",
	    EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? "RSA" : "ECC",
	    EVP_PKEY_get_bits(key), path);
	return key;
}

static int
challenge(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		{ "secret", required_argument, NULL, 's' },
		{ "ek-ca", required_argument, NULL, 'e' },
		{ "ek-pub", required_argument, NULL, 'p' },
		{ "ek-alg", required_argument, NULL, 'a' },
		ATTEST_AK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *secret_path = NULL, *ek_ca = NULL;
	const char *ek_pub = NULL, *want = NULL;
	uint8_t name[MC_NAME_LEN], tpmt[ROUND_TPMT_MAX], secret[32];
	uint8_t id[CRED_ID_MAX];
	uint8_t enc[CRED_SECRET_MAX], file[CRED_FILE_MAX];
	struct cred_file cf;
	EVP_PKEY *ek = NULL;
	char desc[256], hex[2 * MC_NAME_LEN + 1], ak_path[4096];
	size_t i, file_len, tpmt_len;
	int ch, r, kind = TPM_AK_ES256;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":ho:s:", opts, NULL)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'k') {
			if ((kind = attest_ak_parse(optarg)) < 0)
				return cli_usage_error(cli, "--ak: es256 or "
				    "rs1");
		} else if (ch == 's')
			secret_path = optarg;
		else if (ch == 'e')
			ek_ca = optarg;
		else if (ch == 'p')
			ek_pub = optarg;
		else if (ch == 'a') {
			want = NULL;
			for (i = 0; i < EK_ALGS; i++)
				if (strcmp(optarg, ek_algs[i].alg) == 0)
					want = ek_algs[i].kind;
			if (want == NULL)
				return cli_usage_error(cli, "--ek-alg: one of "
				    "rsa2048, rsa3072, ecc256, ecc384");
		} else if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			printf("usage: sk-tpm attest challenge DIR -o CRED "
			    "-s SECRET (--ek-ca ROOTS | --ek-pub PEM)\n"
			    "       [--ek-alg rsa2048|rsa3072|ecc256|ecc384] "
			    "[--ak es256|rs1]\n");
			return CLI_OK;
		} else if (r != 0)
			return r;
	}
	if (argc - optind != 1 || out == NULL || secret_path == NULL)
		return cli_usage_error(cli, "give DIR, -o CRED and -s SECRET");
	if ((ek_ca == NULL) == (ek_pub == NULL))
		return cli_usage_error(cli, "give --ek-ca ROOTS (to check the "
		    "EK certificate) or --ek-pub PEM (an EK you trust)");
	r = CLI_FAIL;
	memset(&cf, 0, sizeof(cf));
	if (round_load_ak(argv[optind], kind, name, tpmt, &tpmt_len) != 0)
		goto out;
	if ((size_t)snprintf(ak_path, sizeof(ak_path), "%s.ak.pem",
	    secret_path) >= sizeof(ak_path)) {
		cli_error("%s: path too long", secret_path);
		goto out;
	}
	ek = ek_ca != NULL ? load_ek_cert(argv[optind], ek_ca, want, desc,
	    sizeof(desc)) : load_ek_pub(ek_pub, want, desc, sizeof(desc));
	if (ek == NULL)
		goto out;
	if (RAND_bytes(secret, sizeof(secret)) != 1 ||
	    mc_make(ek, name, secret, sizeof(secret), id, &cf.id_len, enc,
	    &cf.secret_len) != 0) {
		cli_error("cannot make the credential");
		goto out;
	}
	cf.id = id;
	cf.secret = enc;
	if ((file_len = cred_file_build(&cf, file)) == 0 ||
	    round_write_private(secret_path, secret, sizeof(secret)) != 0 ||
	    round_keep_ak(tpmt, tpmt_len, ak_path) != 0 ||
	    round_write_private(out, file, file_len) != 0)
		goto out;
	for (i = 0; i < sizeof(name); i++)
		snprintf(hex + 2 * i, 3, "%02x", name[i]);
	printf("credential for AK %s\n%ssealed to the EK %s\nsecret kept in "
	    "%s; send %s to the machine (sk-tpm attest activate%s)\n"
	    "AK public key kept in %s: once the secret comes back, certify "
	    "that key, not the machine's %s.pem\n", hex,
	    kind == TPM_AK_RS1 ? "the RS1 AK (RSA-2048, RSASSA-SHA-1)\n" : "",
	    desc, secret_path, out, kind == TPM_AK_RS1 ? " --ak rs1" : "",
	    ak_path, attest_ak_prefix(kind));
	r = CLI_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(ek);
	return r;
}

static int
activate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "out", required_argument, NULL, 'o' },
		ATTEST_AK_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct tpm *tpm = NULL;
	struct cred_file cf;
	uint8_t file[CRED_FILE_MAX], secret[TPM_CREDENTIAL_MAX];
	const char *out = NULL, *why;
	size_t len, secret_len = 0, i;
	int ch, kind, r, ak = -2;

	optind = 0;
	while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'k') {
			if ((ak = attest_ak_parse(optarg)) < 0)
				return cli_usage_error(cli, "--ak: es256 or "
				    "rs1");
		} else if ((r = cli_option(cli, ch, argv)) == CLI_HELP) {
			printf("usage: sk-tpm attest activate CRED "
			    "[-o SECRET] [--ak es256|rs1]\n");
			return CLI_OK;
		} else if (r != 0)
			return r;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "give the credential file");
	if (round_read_small(argv[optind], file, sizeof(file), &len) != 0) {
		cli_error("%s: cannot read, or too long for a credential",
		    argv[optind]);
		return CLI_USAGE;
	}
	if (cred_file_parse(file, len, &cf, &why) != 0) {
		cli_error("%s: %s", argv[optind], why);
		return CLI_FAIL;
	}
	switch (cred_ek_kind(&cf)) {
	case CRED_EK_RSA2048:
		kind = TPM_EK_RSA2048;
		break;
	case CRED_EK_P256:
		kind = TPM_EK_P256;
		break;
	case CRED_EK_RSA3072:
		kind = TPM_EK_RSA3072;
		break;
	case CRED_EK_P384:
		kind = TPM_EK_P384;
		break;
	default:
		cli_error("%s: sealed to no EK sk-tpm knows (RSA-2048, "
		    "RSA-3072, ECC P-256, ECC P-384)", argv[optind]);
		return CLI_FAIL;
	}
	if (ak == -2 && (ak = attest_ak_configured()) < 0)
		return CLI_USAGE;
	if ((r = cli_open(cli, &tpm)) != CLI_OK)
		return r;
	r = CLI_FAIL;
	if (tpm_activate(tpm, ak, kind, cf.id, cf.id_len, cf.secret,
	    cf.secret_len, secret, &secret_len) != 0) {
		r = cli_fail("cannot activate the credential");
		goto out;
	}
	if (out != NULL) {
		if (round_write_private(out, secret, secret_len) != 0)
			goto out;
	} else {
		for (i = 0; i < secret_len; i++)
			printf("%02x", secret[i]);
		putchar('\n');
	}
	r = CLI_OK;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	tpm_close(&tpm);
	return r;
}

int
cmd_attest_round(struct cli *cli, const char *sub, int argc, char **argv)
{
	if (strcmp(sub, "challenge") == 0)
		return challenge(cli, argc, argv);
	return activate(cli, argc, argv);
}
