/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: the dictionary-attack lockout that guards keys with a
 * PIN. In lockout such keys cannot be used; wrong tries counted but not
 * yet forgiven are a warning; either way the line says how the TPM
 * recovers. Whether the lockout hierarchy has a password (lockoutAuthSet)
 * decides who can end a lockout sooner: anyone when it is empty, else only
 * its holder, which on a dual-boot machine is Windows.
 */
#include <stdio.h>

#include "doctor-checks.h"
#include "tpm.h"

void
check_lockout(struct doctor *d, struct tpm *tpm)
{
	struct tpm_da_state da;
	char err[512], recover[128];

	if (tpm_read_da_state(tpm, &da) != 0) {
		report(d, FAIL, "dictionary attack: %s", library_error(err,
		    sizeof(err), "cannot read the lockout state"));
		return;
	}
	if (da.interval > 0)
		snprintf(recover, sizeof(recover), "one failure is forgiven "
		    "every %u s", da.interval);
	else
		snprintf(recover, sizeof(recover), "failures are never "
		    "forgiven by time (interval 0)");
	if (da.lockout_auth_set)
		report(d, INFO, "lockout password: set (lockoutAuthSet): only "
		    "its holder can end a lockout early or clear the TPM; on "
		    "a dual-boot machine Windows keeps it, and a wrong one "
		    "locks the lockout hierarchy for %u s", da.recovery);
	else
		report(d, INFO, "lockout password: empty: anyone who may use "
		    "the TPM can end a lockout (tpm2_dictionarylockout -c)");
	if (da.in_lockout && da.lockout_auth_set)
		report(d, FAIL, "dictionary attack: in lockout (lockout "
		    "counter %u, max tries %u): keys with a PIN cannot be "
		    "used; %s; the lockout password is set, so only its "
		    "holder can end it sooner: from Windows on a dual-boot "
		    "machine, or tpm2_dictionarylockout -c -p PASSWORD (do "
		    "not guess: a wrong one locks that out for %u s)",
		    da.counter, da.max_tries, recover, da.recovery);
	else if (da.in_lockout)
		report(d, FAIL, "dictionary attack: in lockout (lockout "
		    "counter %u, max tries %u): keys with a PIN cannot be "
		    "used; %s, or anyone can end it now with "
		    "tpm2_dictionarylockout -c (the lockout password is "
		    "empty)", da.counter, da.max_tries, recover);
	else if (da.counter > 0)
		report(d, WARN, "dictionary attack: lockout counter %u, max "
		    "tries %u, interval %u s, recovery %u s: %u wrong "
		    "authorizations counted; %s", da.counter, da.max_tries,
		    da.interval, da.recovery, da.counter, recover);
	else
		report(d, OK, "dictionary attack: not in lockout; lockout "
		    "counter %u, max tries %u, interval %u s, recovery %u s",
		    da.counter, da.max_tries, da.interval, da.recovery);
}
