/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the storage root key and salted sessions. Without a
 * persistent SRK every signature derives it (or loads a saved copy from
 * $XDG_RUNTIME_DIR/sk-tpm), so the doctor recommends "sk-tpm setup". A key
 * at 0x81000001 is said whose it is (tpm-srk-kind.c tells them by Name):
 * sk-tpm's, systemd's, an RSA SRK (probably Windows'), or another's.
 */
#include <stdbool.h>

#include "doctor-checks.h"
#include "tpm-info.h"

void
check_srk(struct doctor *d, struct tpm *tpm)
{
	enum tpm_srk_state state;
	char err[512];

	if (tpm_srk_state(tpm, &state) != 0) {
		report(d, FAIL, "SRK: %s", library_error(err, sizeof(err),
		    "cannot look at 0x81000001"));
		return;
	}
	switch (state) {
	case TPM_SRK_STANDARD:
		report(d, OK, "SRK: the standard ECC P-256 SRK is persistent "
		    "at 0x81000001");
		break;
	case TPM_SRK_SYSTEMD:
		report(d, OK, "SRK: 0x81000001 holds systemd's SRK "
		    "(systemd-tpm2-setup, systemd 255 or later; its Name "
		    "differs from sk-tpm's standard SRK: an empty unique "
		    "field); sk-tpm makes new keys under it, and keys made "
		    "under its own SRK keep working");
		break;
	case TPM_SRK_UNCHECKED:
		report(d, INFO, "SRK: 0x81000001 holds a key of the standard "
		    "SRK's shape; whose it is was not checked (the owner "
		    "hierarchy has a password); sk-tpm makes new keys under "
		    "it");
		break;
	case TPM_SRK_ECC_OTHER:
		report(d, WARN, "SRK: 0x81000001 holds an ECC P-256 storage "
		    "key that is neither sk-tpm's standard SRK nor systemd's "
		    "(another seed or template); sk-tpm makes new keys under "
		    "it");
		break;
	case TPM_SRK_RSA:
		report(d, WARN, "SRK: 0x81000001 holds an RSA SRK, probably "
		    "Windows' (dual boot); sk-tpm leaves it alone and derives "
		    "its own ECC P-256 SRK (2 extra TPM commands per "
		    "signature, or a saved copy); \"sk-tpm setup\" cannot "
		    "change that without removing Windows' key");
		break;
	case TPM_SRK_OTHER:
		report(d, WARN, "SRK: 0x81000001 holds another key than the "
		    "standard ECC P-256 SRK; sk-tpm leaves it alone and "
		    "derives its own (2 extra TPM commands per signature)");
		break;
	default:
		report(d, WARN, "SRK: no persistent SRK at 0x81000001: each "
		    "signature derives it (about 150 ms on a discrete TPM) "
		    "or loads a saved copy; run \"sk-tpm setup\" to make "
		    "it persistent");
		break;
	}
}

void
check_crypto(struct doctor *d, struct tpm *tpm)
{
	char err[512];
	bool has, persistent;

	if (tpm_has_p256(tpm, &has) != 0)
		report(d, FAIL, "ECC NIST P-256: %s", library_error(err,
		    sizeof(err), "cannot list the ECC curves"));
	else if (has)
		report(d, OK, "ECC NIST P-256: supported");
	else
		report(d, FAIL, "ECC NIST P-256: not supported; ecdsa-sk keys "
		    "cannot be made on this TPM");

	if (tpm_salted_session_check(tpm, &persistent) != 0)
		report(d, FAIL, "salted session: %s", library_error(err,
		    sizeof(err), "cannot start one"));
	else
		report(d, OK, "salted session: an HMAC session salted to the "
		    "%s SRK started and was flushed", persistent ?
		    "persistent" : "derived");
}
