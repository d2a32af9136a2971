/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the TPM says about itself, for `sk-tpm doctor`: identity, firmware,
 * commands, capacities, P-256 and salted sessions (tpm-info.c), whose SRK
 * is at 0x81000001 (tpm-srk-kind.c) and how many more records fit in NV
 * (tpm-nv-room.c). Only those files know ESYS; the caller sees plain
 * numbers. tpm_fw_weak_ecdsa() is a pure function (no TPM), unit-tested on
 * its own.
 */
#ifndef SK_TPM_INFO_H
#define SK_TPM_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tpm;

/* TPM2_PT_MANUFACTURER values (TCG Vendor ID Registry). */
#define TPM_MANUFACTURER_INTEL	0x494e5443u	/* "INTC" */
#define TPM_MANUFACTURER_STM	0x53544d20u	/* "STM " */
#define TPM_MANUFACTURER_IBM	0x49424d00u	/* "IBM", the simulator */

struct tpm_info {
	uint32_t family;		/* TPM2_PT_FAMILY_INDICATOR, "2.0" */
	uint32_t level;			/* TPM2_PT_LEVEL */
	uint32_t revision;		/* TPM2_PT_REVISION: 164 = 1.64 */
	uint32_t year;			/* TPM2_PT_YEAR of the spec */
	uint32_t day_of_year;		/* TPM2_PT_DAY_OF_YEAR */
	uint32_t manufacturer;		/* TPM2_PT_MANUFACTURER */
	uint32_t vendor[4];		/* TPM2_PT_VENDOR_STRING_1..4 */
	uint32_t fw1;			/* TPM2_PT_FIRMWARE_VERSION_1 */
	uint32_t fw2;			/* TPM2_PT_FIRMWARE_VERSION_2 */
	uint32_t nv_index_max;		/* TPM2_PT_NV_INDEX_MAX */
	uint32_t nv_buffer_max;		/* TPM2_PT_NV_BUFFER_MAX */
	uint32_t hr_nv_index;		/* TPM2_PT_HR_NV_INDEX */
	uint32_t hr_persistent;		/* TPM2_PT_HR_PERSISTENT */
	uint32_t hr_persistent_avail;	/* TPM2_PT_HR_PERSISTENT_AVAIL */
};

/* The fixed and variable properties above: a few GetCapability
 * commands. */
int tpm_info_read(struct tpm *, struct tpm_info *);

/* The four characters packed in a property (big-endian, as the TPM
 * sends them): NULs dropped, trailing spaces trimmed, anything
 * unprintable shown as '?'. */
void tpm_info_chars(uint32_t value, char out[5]);
/* The vendor string from the four TPM2_PT_VENDOR_STRING_* values. */
void tpm_info_vendor(const struct tpm_info *, char out[17]);

/* What lives at the persistent SRK handle 0x81000001 (tpm-srk-kind.c):
 * an ECC key of the SRK's shape is told by its Name, which both known
 * templates are derived to compare with. */
enum tpm_srk_state {
	TPM_SRK_ABSENT,		/* nothing: each operation derives it */
	TPM_SRK_STANDARD,	/* the TCG ECC P-256 SRK sk-tpm derives */
	TPM_SRK_SYSTEMD,	/* systemd's (>= 255): the TCG template with
				 * an empty unique field, another key */
	TPM_SRK_UNCHECKED,	/* of the SRK's shape; the owner hierarchy
				 * has a password, so no Name was compared */
	TPM_SRK_ECC_OTHER,	/* of the SRK's shape, but neither Name */
	TPM_SRK_RSA,		/* an RSA storage key: probably Windows' */
	TPM_SRK_OTHER,		/* another key; we leave it alone */
};
int tpm_srk_state(struct tpm *, enum tpm_srk_state *);

/* How many more records of len bytes fit in NV (tpm-nv-room.c): empty
 * indices of that size are defined in free sk-tpm slots until NV_SPACE or
 * cap of them, then all removed again. */
struct tpm_nv_room {
	unsigned fit;		/* defined before the stop */
	bool full;		/* stopped by NV_SPACE (else by cap) */
	bool slots;		/* stopped for want of free sk-tpm slots */
	bool owner_auth;	/* the owner hierarchy has a password: fit
				 * is 0 and says nothing */
};
int tpm_nv_room(struct tpm *, size_t len, unsigned cap,
    struct tpm_nv_room *);

/* Whether the TPM implements TPM2_CreateLoaded (TPM2_CAP_COMMANDS), which
 * chips before specification revision 1.38 lack. */
int tpm_has_create_loaded(struct tpm *, bool *);

/* Whether TPM2_CAP_ECC_CURVES lists NIST P-256. */
int tpm_has_p256(struct tpm *, bool *);

/* Start a salted HMAC session to the SRK, as every authorised command of
 * the library does, and flush it again. *persistent tells which SRK it
 * was salted to. 0 on success, else an error is recorded (log.h). */
int tpm_salted_session_check(struct tpm *, bool *persistent);

/*
 * Firmware known to make ECDSA nonces leak through timing (TPM-FAIL,
 * 2019): Intel PTT (CVE-2019-11090, INTEL-SA-00241) and STMicro ST33
 * (CVE-2019-16863). Pure function: the TPM2_PT_MANUFACTURER and
 * TPM2_PT_FIRMWARE_VERSION_1/2 values in, a verdict out; *advisory (when
 * not NULL) receives a one-line reference with the fixed versions, or
 * NULL for TPM_FW_NOT_KNOWN_WEAK.
 */
enum tpm_fw_verdict {
	TPM_FW_NOT_KNOWN_WEAK,	/* not on our list */
	TPM_FW_MAYBE_WEAK,	/* a version line older than the vendor's fix;
				 * the advisory decides (Intel) */
	TPM_FW_WEAK,		/* a version the vendor lists as affected */
};
enum tpm_fw_verdict tpm_fw_weak_ecdsa(uint32_t manufacturer, uint32_t fw1,
    uint32_t fw2, const char **advisory);

#endif /* SK_TPM_INFO_H */
