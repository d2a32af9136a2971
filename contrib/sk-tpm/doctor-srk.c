/*
 * sk-tpm doctor: the storage root key and salted sessions. Without a
 * persistent SRK every signature derives it (or loads a saved copy from
 * $XDG_RUNTIME_DIR/sk-tpm), so the doctor recommends "sk-tpm setup".
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
