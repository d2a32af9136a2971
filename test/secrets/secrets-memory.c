/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_secrets memory and lost (see test_secrets.c): the memory of this
 * process scanned after each entry point returned.
 *
 * memory: unlockable keys first (secrets-unlock.c: through tpm2-abrmd,
 * what they leave in the TPM would starve what follows); after an
 * enrollment with a PIN, a signature with the right and with a wrong PIN,
 * a resident enrollment, and the same for a key bound to a PCR (its PIN
 * goes through a policy session): neither the PIN nor any auth value
 * anywhere; then the owner password case (secrets-owner.c).
 *
 * lost: the connection lost after the TPM acted on Sign, then on
 * CreateLoaded (the fault TCTI): at most the one copy of each auth value
 * that doc/security.md names survives in ESYS's freed memory, and never the
 * PIN.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscan.h"
#include "secret.h"
#include "secrets.h"
#include "sk-api.h"
#include "tpm-pcr-util.h"

int
test_memory(void)
{
	struct round rd;
	const struct secret *const *all = rd.all;
	const size_t nall = ROUND_NSECRETS;
	struct op pcr_enroll = { "", false, APP, FLAG_UP | FLAG_UV, &rd.pin,
	    NULL, 0, 0 };

	round_new(&rd);

	self_check(all, nall);
	test_unlock(&rd);

	op_call_deep(&rd.enroll, NULL);
	expect_rc(&rd.enroll, 0);
	if (rd.enroll.kh == NULL)
		return 1;
	if (scan_memory("after enroll", all, nall) != 0)
		fail("secrets left in memory after sk_enroll");

	op_call_deep(&rd.sign, &rd.enroll);
	expect_rc(&rd.sign, 0);
	if (scan_memory("after sign", all, nall) != 0)
		fail("secrets left in memory after sk_sign");

	op_call_deep(&rd.bad, &rd.enroll);
	expect_rc(&rd.bad, SSH_SK_ERR_PIN_REQUIRED);
	if (scan_memory("after sign with a wrong PIN", all, nall) != 0)
		fail("secrets left in memory after a wrong-PIN sk_sign");

	op_call_deep(&rd.res, NULL);
	expect_rc(&rd.res, 0);
	if (scan_memory("after resident enroll", all, nall) != 0)
		fail("secrets left in memory after a resident sk_enroll");

	/* A key bound to PCR 8 (issue 12): the PIN goes through a policy
	 * session (PolicyAuthValue) instead of an HMAC session. */
	if (tu_pcr_extend(chores_tcti(), 8, 0x16) != 0)
		fail("cannot extend PCR 8");
	setenv("SK_TPM_CONFIG", "/dev/null", 1);
	setenv("SK_TPM_PCRS", "8", 1);
	pcr_enroll.what = "enroll (PIN, bound to PCR 8)";
	op_call_deep(&pcr_enroll, NULL);
	unsetenv("SK_TPM_PCRS");
	expect_rc(&pcr_enroll, 0);
	if (pcr_enroll.kh == NULL)
		return 1;
	if (scan_memory("after a PCR-bound enroll", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound sk_enroll");
	rd.sign.what = "sign (PCR-bound key, right PIN)";
	op_call_deep(&rd.sign, &pcr_enroll);
	expect_rc(&rd.sign, 0);
	if (scan_memory("after a PCR-bound sign", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound sk_sign");
	rd.bad.what = "sign (PCR-bound key, wrong PIN)";
	op_call_deep(&rd.bad, &pcr_enroll);
	expect_rc(&rd.bad, SSH_SK_ERR_PIN_REQUIRED);
	if (scan_memory("after a PCR-bound sign, wrong PIN", all, nall) != 0)
		fail("secrets left in memory after a PCR-bound wrong PIN");

	test_owner(&rd.pin);

	free(rd.enroll.kh);
	free(rd.res.kh);
	free(pcr_enroll.kh);
	return failures == 0 ? 0 : 1;
}

/*
 * The connection lost after the TPM acted on Sign, then on CreateLoaded
 * (the fault TCTI, fault_tcti): ESYS then refuses every command on its
 * context, including the refused ones that overwrite its copies
 * (tpm-session.c), so the copies doc/security.md names survive in its freed
 * memory: the session value (holding the key's auth value) after Sign, the saved
 * CreateLoaded input (holding the new key's auth value) after CreateLoaded.
 * At most one copy of each; never the PIN.
 */
int
test_lost(const char *fault_so)
{
	struct secret pin, auth, lost_auth;
	const struct secret *pins[] = { &pin };
	const struct secret *auths[] = { &auth };
	const struct secret *lost_auths[] = { &lost_auth };
	struct op enroll = { "enroll (PIN, flags 0x05)", false, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op sign = { "sign, answer to Sign lost", true, APP,
	    FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	struct op lost = { "enroll, answer to CreateLoaded lost", false,
	    LOST_APP, FLAG_UP | FLAG_UV, &pin, NULL, 0, 0 };
	char tcti[1024];
	size_t hits;

	secret_new_pin(&pin, "PIN");
	secret_new_auth(&auth, "auth value", APP, &pin);
	secret_new_auth(&lost_auth, "auth value (lost Create)", LOST_APP,
	    &pin);
	op_call_deep(&enroll, NULL);
	expect_rc(&enroll, 0);
	if (enroll.kh == NULL)
		return 1;
	snprintf(tcti, sizeof(tcti), "%s:%s", fault_so,
	    getenv("SK_TPM_TCTI"));
	setenv("SK_TPM_TCTI", tcti, 1);
	setenv("SK_FAULT_MODE", "io-after", 1);

	setenv("SK_FAULT_AT", "Sign:1", 1);
	op_call_deep(&sign, &enroll);
	expect_rc(&sign, SSH_SK_ERR_DEVICE_NOT_FOUND);
	if (scan_memory("after the lost Sign: the PIN", pins, 1) != 0)
		fail("the PIN is in memory after a lost Sign");
	hits = scan_memory("after the lost Sign: the auth value", auths, 1);
	printf("after the lost Sign: %zu cop%s of the auth value (doc/security.md: "
	    "at most one, the session value)\n", hits / 2,
	    hits / 2 == 1 ? "y" : "ies");
	if (hits > 2)
		fail("more copies of the auth value than doc/security.md says");

	setenv("SK_FAULT_AT", "CreateLoaded:1", 1);
	op_call_deep(&lost, NULL);
	expect_rc(&lost, SSH_SK_ERR_DEVICE_NOT_FOUND);
	if (scan_memory("after the lost Create: the PIN", pins, 1) != 0)
		fail("the PIN is in memory after a lost Create");
	hits = scan_memory("after the lost Create: the new auth value",
	    lost_auths, 1);
	printf("after the lost Create: %zu cop%s of the new key's auth value "
	    "(doc/security.md: at most one, the saved CreateLoaded input)\n", hits / 2,
	    hits / 2 == 1 ? "y" : "ies");
	if (hits > 2)
		fail("more copies of the auth value than doc/security.md says");
	free(enroll.kh);
	return failures == 0 ? 0 : 1;
}
