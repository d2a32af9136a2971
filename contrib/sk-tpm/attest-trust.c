/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm verify-attestation: who vouches for the TPM. The EK certificates
 * against the manufacturers' roots a relying party names (--ek-ca), the
 * manufacturer they name beside the one the TPM reports, and the AK
 * certificate against the CA that certified the AK (--ak-ca). Without
 * those roots the guarantee is not shown, and the report says so.
 */
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "attest-checks.h"
#include "attest-codec.h"
#include "attest-verify.h"
#include "cli.h"

/* Who made the TPM, by its EK certificate and by its own word (which
 * nothing signs): shown, not judged. */
static void
show_manufacturer(struct av_report *rep, const struct att_stmt *st)
{
	char ek[4 * 64 + 1], tpm[32];

	if (av_ek_manufacturer(st->ek_certs, st->ek_certs_len, ek,
	    sizeof(ek)) != 0 || st->manufacturer == 0)
		return;
	av_manufacturer_text(st->manufacturer, tpm, sizeof(tpm));
	av_note(rep, "manufacturer: %s in the EK certificate, %s as the TPM "
	    "reports it (unsigned): %s", ek, tpm,
	    strncasecmp(ek, tpm, 11) == 0 ? "the same" : "they differ");
}

void
av_check_ek(struct av_report *rep, const struct att_stmt *st, const char *ek_ca)
{
	X509_STORE *store = NULL;
	char msg[256] = "", raw[ATT_EK_UNREAD_MAX + 1] = "";
	char unread[4 * ATT_EK_UNREAD_MAX + 1] = "";
	int nleaf = 0;

	/* Why the TPM's EK indices could not all be read (its text). */
	if (st->ek_unread_len > 0 && st->ek_unread_len < sizeof(raw)) {
		memcpy(raw, st->ek_unread, st->ek_unread_len);
		cli_safe_text(raw, unread, sizeof(unread));
	}
	/* Left out by default (SK_TPM_ATTEST_EK): the certificate names the
	 * TPM. Nothing is lost: in an attestation it proves nothing the AK
	 * certificate does not (a forger can copy one), and the fleet CA
	 * checked the EK in the round trip before certifying the AK. */
	if (st->ek_certs_len == 0 && unread[0] == '\0') {
		av_note(rep, "EK certificate: not included (kept private unless "
		    "the machine sets SK_TPM_ATTEST_EK=1, or none in NV); the "
		    "AK certificate vouches for the TPM");
		return;
	}
	if (ek_ca != NULL && (store = av_load_roots(ek_ca)) == NULL) {
		av_bad(rep, "EK: no certificate could be read from %s", ek_ca);
		return;
	}
	if (av_ek_certs(store, st->ek_certs, st->ek_certs_len, &nleaf, msg,
	    sizeof(msg)) != 0 && nleaf > 0)
		av_bad(rep, "EK certificate: %s%s", strncmp(msg, "not an EK",
		    9) == 0 ? "" : "does not chain to --ek-ca: ", msg);
	else if (nleaf == 0 && unread[0] != '\0')
		(ek_ca != NULL ? av_bad : av_open_end)(rep, "EK certificate: "
		    "none read; this TPM had EK certificate indices in NV "
		    "that could not be read (%s)", unread);
	else if (nleaf == 0)
		(ek_ca != NULL ? av_bad : av_open_end)(rep, "EK certificate: "
		    "none; this TPM had no EK certificate in NV (%s)",
		    msg[0] != '\0' ? msg : "nothing to check the TPM against");
	else if (store == NULL)
		av_open_end(rep, "EK certificate: %d present, not checked (no "
		    "--ek-ca)", nleaf);
	else
		av_ok(rep, "EK certificate: %s, chains to --ek-ca", msg);
	if (nleaf > 0 && unread[0] != '\0')
		av_note(rep, "EK certificate: more indices in NV could not be "
		    "read (%s)", unread);
	show_manufacturer(rep, st);
	X509_STORE_free(store);
}

void
av_check_ak(struct av_report *rep, const struct att_file *f,
    const struct att_public *ak, const char *ak_ca)
{
	X509_STORE *store;
	char msg[256];

	if (ak_ca == NULL) {
		av_open_end(rep, "AK: unbound%s: nothing here ties the AK to "
		    "this TPM's EK, so a software TPM could have signed; bind "
		    "it once with the EK round trip and pass --ak-ca",
		    f->cert_len > 0 ? " (a certificate is present, but no "
		    "--ak-ca to check it)" : "");
		return;
	}
	if (f->cert_len == 0) {
		av_bad(rep, "AK: no AK certificate in the attestation");
		return;
	}
	if ((store = av_load_roots(ak_ca)) == NULL) {
		av_bad(rep, "AK: no certificate could be read from %s", ak_ca);
		return;
	}
	if (av_ak_cert(store, f->cert, f->cert_len, ak, msg,
	    sizeof(msg)) != 0)
		av_bad(rep, "AK: %s", msg);
	else
		av_ok(rep, "AK: certified (%s), chains to --ak-ca", msg);
	X509_STORE_free(store);
}
