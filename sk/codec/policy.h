/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCR binding (issue 12): which PCRs a key is bound to, and the policy
 * digest the TPM will demand for it. Pure code, no TPM: the selection
 * parser and the digest are unit-tested and checked against a TPM trial
 * session in the integration tests.
 *
 * Only the SHA-256 bank and PCRs 0..23 (PC Client platforms) are
 * supported. A selection is a bit mask, bit i for PCR i; expected values
 * are 32 bytes per selected PCR, in ascending PCR order, as TPM2_PCR_Read
 * returns them and as TPM2_PolicyPCR hashes them.
 */
#ifndef SK_POLICY_H
#define SK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_PCR_COUNT	24
#define POLICY_PCR_ALL		0x00ffffffu
#define POLICY_DIGEST_LEN	32
#define POLICY_VALUES_MAX	(POLICY_PCR_COUNT * POLICY_DIGEST_LEN)

/* TPM_CC values hashed into a policy digest (TPM 2.0 part 2). */
#define POLICY_CC_PCR		0x0000017fu
#define POLICY_CC_AUTH_VALUE	0x0000016bu
#define POLICY_ALG_SHA256	0x000bu

/*
 * Parse a selection: "none" (mask 0), or PCR numbers separated by commas,
 * optionally after "sha256:", e.g. "7", "7,14", "sha256:7". Spaces around
 * numbers are allowed. Returns 0, or -1 with a reason in err.
 */
int policy_parse_pcrs(const char *s, uint32_t *mask, char *err, size_t errlen);

/* How many PCRs a mask selects. */
unsigned policy_pcr_count(uint32_t mask);

/* "7,14" into buf (always terminated). */
void policy_format_pcrs(uint32_t mask, char *buf, size_t len);

/* The 3-byte pcrSelect bitmap of a TPMS_PCR_SELECTION. */
void policy_pcr_select(uint32_t mask, uint8_t out[3]);

/*
 * The digest of a policy session after TPM2_PolicyPCR(mask, values) and,
 * if auth_value, TPM2_PolicyAuthValue, starting from all zeros. values_len
 * must be 32 times the number of PCRs. Returns 0 or -1.
 */
int policy_digest(uint32_t mask, const uint8_t *values, size_t values_len,
    bool auth_value, uint8_t out[POLICY_DIGEST_LEN]);

/* SHA-256 over the values: the pcrDigest argument of TPM2_PolicyPCR. */
int policy_pcr_digest(const uint8_t *values, size_t values_len,
    uint8_t out[POLICY_DIGEST_LEN]);

/*
 * PCRs whose binding guards nothing or changes on its own (TCG PC Client
 * Platform Firmware Profile, 3.3.4, and PC Client PTP, PCR attributes):
 * 16 (debug) and 23 (application support) can be reset by any program
 * from locality 0 (TPM2_PCR_Reset) and then extended to any value, so
 * binding to them is refused; 17-22 belong to a dynamic launch (DRTM,
 * Intel TXT or AMD SKINIT): all ones until one happens, reset by each
 * launch and measured by what it launches, so binding to them is warned
 * about.
 */
#define POLICY_PCR_RESETTABLE	((1u << 16) | (1u << 23))
#define POLICY_PCR_DRTM		(0x3fu << 17)

/* Refused PCRs of mask as text into err ("PCR 16 and 23 can be reset..."),
 * -1 if there are any, else 0. */
int policy_pcrs_refused(uint32_t mask, char *err, size_t errlen);

/* The warning for a binding to DRTM PCRs, or NULL when mask has none. */
const char *policy_pcrs_warning(uint32_t mask);

/* Whether a PCR value may be bound to: neither all zeros (never extended,
 * e.g. no measured boot) nor all ones (a resettable or unused PCR). */
bool policy_value_usable(const uint8_t value[POLICY_DIGEST_LEN]);

#endif /* SK_POLICY_H */
