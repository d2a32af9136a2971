/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test-side PCR chores for the PCR-binding tests (issue 12), independent
 * of the library: reset and extend PCRs, compute a policy with a TPM trial
 * session, try to use a key past its policy, reboot the simulator.
 */
#ifndef TEST_TPM_PCR_UTIL_H
#define TEST_TPM_PCR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PCR_Reset (a PCR resettable from locality 0: 16 or 23). */
int tu_pcr_reset(const char *tcti, unsigned pcr);
/* PCR_Extend of the SHA-256 bank with 32 bytes of value byte. */
int tu_pcr_extend(const char *tcti, unsigned pcr, uint8_t byte);
/* The same from another locality (the swtpm TCTI sends it on the control
 * channel): PCRs 17-22 are extended from localities 1-4 only, by a
 * dynamic launch. */
int tu_pcr_extend_at(const char *tcti, unsigned pcr, uint8_t byte,
    uint8_t locality);
/* The digest a trial session reaches after PolicyPCR over the current
 * values of the PCRs in mask (the TPM reads them) and, if auth_value,
 * PolicyAuthValue. */
int tu_policy_trial(const char *tcti, uint32_t mask, bool auth_value,
    uint8_t out[32]);
/* Load a key (marshalled TPM2B_PUBLIC and TPM2B_PRIVATE) under the SRK at
 * 0x81000001 and sign with its auth value through an unsalted HMAC
 * session (hmac) or a password session; the TPM's response code, or
 * 0xffffffff if the test could not get that far. */
uint32_t tu_sign_with_auth(const char *tcti, const uint8_t *pub,
    size_t pub_len, const uint8_t *priv, size_t priv_len,
    const uint8_t auth[32], bool hmac);
/* Power-cycle the first simulator of with-swtpm.sh (swtpm_ioctl -i on its
 * control port, after an orderly
 * tpm2_shutdown -c; then tpm2_startup -c): PCRs back to their boot values. */
int tu_reboot(void);

#endif
