/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test-side access to the simulator, independent of the library: count
 * what is left loaded, reset the lockout, add or remove the persistent SRK.
 */
#ifndef TEST_TPM_UTIL_H
#define TEST_TPM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Handles of one kind currently in the TPM (TPM2_HR_TRANSIENT,
 * TPM2_HR_HMAC_SESSION, TPM2_HR_POLICY_SESSION, TPM2_HR_PERSISTENT). */
int tu_count_handles(const char *tcti, uint32_t first);
/* Transient objects plus loaded and saved sessions. */
int tu_count_leftovers(const char *tcti);
int tu_da_reset(const char *tcti);
int tu_da_counter(const char *tcti);
/* Persist the TCG standard SRK at 0x81000001 / remove it. */
int tu_srk_persist(const char *tcti);
int tu_srk_evict(const char *tcti);
/* Change the owner hierarchy's password from old to new ("" for none). */
int tu_owner_auth(const char *tcti, const char *old, const char *new_auth);

/* sk-tpm's NV range: remove every index / read the first one / define one
 * with the given contents (as a copy from elsewhere would be). */
int tu_nv_clear(const char *tcti);
int tu_nv_read_first(const char *tcti, uint8_t **buf, size_t *len);
/* tpm-nv-fill.c: fill NV with indices at 0x01500000 and up until the TPM
 * is full, then free at least leave_free bytes of them again. */
int tu_nv_fill(const char *tcti, size_t leave_free);
int tu_nv_write(const char *tcti, uint32_t index, const uint8_t *buf,
    size_t len);

#endif
