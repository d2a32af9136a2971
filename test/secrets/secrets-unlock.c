/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_secrets memory, unlockable keys (doc/unlock.md): the PIN object's
 * auth value is the key's usual PIN-derived one, given to PolicySecret in
 * a salted session. After the enrollment, a signature with the PIN (which
 * stores a ticket), one without (through the ticket) and one with a wrong
 * PIN: neither the PIN nor any auth value anywhere in memory.
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

void
test_unlock(struct round *rd)
{
	const struct secret *const *all = rd->all;
	struct op enroll = { "enroll (PIN, unlockable)", false, APP,
	    FLAG_UP | FLAG_UV, &rd->pin, NULL, 0, 0 };
	struct op pin = { "sign (unlockable, right PIN)", true, APP,
	    FLAG_UP | FLAG_UV, &rd->pin, NULL, 0, 0 };
	struct op ticket = { "sign (unlockable, in the window)", true, APP,
	    FLAG_UP | FLAG_UV, NULL, NULL, 0, 0 };
	struct op bad = { "sign (unlockable, wrong PIN)", true, APP,
	    FLAG_UP | FLAG_UV, &rd->wrong, NULL, 0, 0 };
	char dir[] = "/tmp/sk-tpm-secrets.XXXXXX", cmd[64];

	if (mkdtemp(dir) == NULL) {
		fail("mkdtemp: cannot make a runtime directory");
		return;
	}
	setenv("XDG_RUNTIME_DIR", dir, 1);
	setenv("SK_TPM_CONFIG", "/dev/null", 1);
	setenv("SK_TPM_UNLOCK", "15m", 1);
	op_call_deep(&enroll, NULL);
	expect_rc(&enroll, 0);
	if (enroll.kh == NULL)
		goto out;
	if (scan_memory("after an unlockable enroll", all, ROUND_NSECRETS))
		fail("secrets left in memory after an unlockable sk_enroll");
	op_call_deep(&ticket, &enroll);
	expect_rc(&ticket, SSH_SK_ERR_PIN_REQUIRED);
	op_call_deep(&pin, &enroll);
	expect_rc(&pin, 0);
	if (scan_memory("after an unlockable sign", all, ROUND_NSECRETS))
		fail("secrets left in memory after an unlockable sk_sign");
	/* No PIN typed: presence is asked as for any key, here assumed. */
	setenv("SK_TPM_PRESENCE", "assume", 1);
	op_call_deep(&ticket, &enroll);
	unsetenv("SK_TPM_PRESENCE");
	expect_rc(&ticket, 0);
	if (scan_memory("after a window sign", all, ROUND_NSECRETS))
		fail("secrets left in memory after a window sk_sign");
	op_call_deep(&bad, &enroll);
	expect_rc(&bad, SSH_SK_ERR_PIN_REQUIRED);
	if (scan_memory("after an unlockable wrong PIN", all, ROUND_NSECRETS))
		fail("secrets left in memory after an unlockable wrong PIN");
out:
	unsetenv("SK_TPM_UNLOCK");
	unsetenv("SK_TPM_CONFIG");
	unsetenv("SK_TPM_PRESENCE");
	unsetenv("XDG_RUNTIME_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fail("cannot remove %s", dir);
	free(enroll.kh);
}
