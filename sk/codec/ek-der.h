/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The certificates in one EK certificate NV index, as chips store them:
 * a DER certificate, often followed by padding up to the index's size
 * (0xff or 0x00); several DER certificates one after the other (a chain
 * index, or an index holding more than one); or a certificate behind the
 * 5-byte header of the TCG PC Client Specific Implementation
 * Specification for TPM 1.2, section 7.3.2 (tag 0x1001, type 0 "full
 * certificate", a big-endian 16-bit size), which some TPM 2.0 chips kept
 * (go-attestation issue 38, HIRS issue 23). Pure bytes in, offsets out:
 * the bytes come from NV that anybody with the platform hierarchy wrote.
 */
#ifndef SK_EK_DER_H
#define SK_EK_DER_H

#include <stddef.h>
#include <stdint.h>

#define EK_DER_MAX	8	/* certificates taken from one index */

struct ek_der {
	size_t n;			/* certificates found */
	size_t off[EK_DER_MAX], len[EK_DER_MAX];
	int wrapped;			/* behind the 0x1001 header */
};

/*
 * The DER SEQUENCEs at the start of the len bytes at p (after the header,
 * if there is one): each whole, in the shortest or long length form of at
 * most 3 length bytes, one after the other until the bytes end or what
 * follows is not a SEQUENCE that fits (padding). Their contents are not
 * checked here: the verifier parses them as X.509. 0, or -1 if not even
 * one SEQUENCE is there.
 */
int ek_der_split(const uint8_t *p, size_t len, struct ek_der *);

#endif /* SK_EK_DER_H */
