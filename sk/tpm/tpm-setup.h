/*
 * sk-tpm setup: the TCG standard ECC P-256 SRK made persistent at
 * 0x81000001 (tpm-setup.c), as systemd's tpm2-setup does, so that no
 * signature has to derive it.
 */
#ifndef SK_TPM_SETUP_H
#define SK_TPM_SETUP_H

#include <stdint.h>

#include "handle.h"

struct tpm;

enum tpm_setup_result {
	TPM_SETUP_MADE,		/* persisted now */
	TPM_SETUP_PRESENT,	/* 0x81000001 already holds it (Name
				 * compared with the derived SRK's) */
	TPM_SETUP_PRESENT_UNCHECKED,	/* a key of the standard template is
				 * there; the owner hierarchy has a password
				 * and none was given, so the SRK could not
				 * be derived to compare Names */
};

/* Persist the standard SRK at 0x81000001 if nothing is there, with the
 * owner password of tpm_set_owner_auth (only ever inside a salted
 * session, and forgotten again). 0 with *result and the SRK's Name; an
 * error (recorded) when 0x81000001 holds another key, which is left
 * alone, or when the owner password is missing or wrong. */
int tpm_setup_srk(struct tpm *, enum tpm_setup_result *result,
    uint8_t name[KH_NAME_LEN]);

#endif /* SK_TPM_SETUP_H */
