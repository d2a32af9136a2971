/* SPDX-License-Identifier: BSD-2-Clause */
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
	/* 0x81000001 holds another key, left alone: */
	TPM_SETUP_SYSTEMD,	/* systemd's SRK (>= 255, the TCG template
				 * with an empty unique field); sk-tpm makes
				 * new keys under it */
	TPM_SETUP_ECC_OTHER,	/* an ECC P-256 key of the SRK's shape that
				 * is neither sk-tpm's SRK nor systemd's
				 * (another seed or template); sk-tpm makes
				 * new keys under it */
	TPM_SETUP_RSA,		/* an RSA storage key: probably Windows'
				 * SRK; sk-tpm derives its own */
	TPM_SETUP_FOREIGN,	/* a key that is no SRK; sk-tpm derives its
				 * own */
};

/* Persist the standard SRK at 0x81000001 if nothing is there, with the
 * owner password of tpm_set_owner_auth (only ever inside a salted
 * session, and forgotten again). 0 with *result and the Name of what
 * 0x81000001 holds (another key is left alone and said what it is); an
 * error (recorded) when the owner password is missing or wrong. */
int tpm_setup_srk(struct tpm *, enum tpm_setup_result *result,
    uint8_t name[KH_NAME_LEN]);

#endif /* SK_TPM_SETUP_H */
