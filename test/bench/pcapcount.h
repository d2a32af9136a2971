/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Counting TPM 2.0 commands in a capture written by tpm2-tss's pcap TCTI
 * (TCTI string "pcap:<child TCTI>", file named by TCTI_PCAP_FILE).
 *
 * tpm2-tss 3.2 writes pcapng: every TCTI initialisation appends a section
 * header and an IPv4 interface, and every command and response becomes one
 * enhanced packet holding a made-up IPv4/TCP segment between port 50000 (the
 * host) and port 2321 (the TPM). Classic pcap files and Ethernet, raw IP and
 * IPv6 link types are read too, so that a capture taken another way can be
 * counted as well. The direction comes from the TCP ports: a segment to port
 * 2321 carries a command.
 */
#ifndef SK_BENCH_PCAPCOUNT_H
#define SK_BENCH_PCAPCOUNT_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_COUNT_MAX_CODES	32
#define PCAP_COUNT_MAX_PENDING	16

enum pcap_format {
	PCAP_FMT_UNKNOWN = 0,
	PCAP_FMT_PCAP,
	PCAP_FMT_PCAPNG
};

struct pcap_code_count {
	uint32_t	cc;		/* TPM2_CC */
	size_t		n;
};

struct pcap_count {
	enum pcap_format format;
	size_t		sections;	/* pcapng: one per TCTI session */
	size_t		packets;	/* TCP segments to/from the TPM */
	/*
	 * Commands sent to the TPM. A command the TPM answered with
	 * TPM_RC_RETRY, _YIELDED or _TESTING, which ESYS sends again by
	 * itself, is counted once; the extra sends are in retries.
	 */
	size_t		commands;
	size_t		retries;
	uint32_t	retry_cc;	/* the first command sent again */
	uint32_t	retry_rc;	/* and why */
	size_t		responses;	/* TPM -> host */
	size_t		failed;		/* other non-zero response codes */
	uint32_t	fail_cc;	/* command of the first failure */
	uint32_t	fail_rc;	/* and its response code */
	size_t		junk;		/* segments without TPM framing */
	size_t		ncodes;		/* per command code, first seen */
	struct pcap_code_count codes[PCAP_COUNT_MAX_CODES];
};

/*
 * Parse a capture held in memory. Returns 0, or -1 with a reason in err
 * (errlen bytes) when the bytes are not a capture this reader understands.
 * Never reads outside buf[0..len).
 */
int	pcap_count_buf(const uint8_t *buf, size_t len,
	    struct pcap_count *out, char *err, size_t errlen);

/* The same for a file. */
int	pcap_count_file(const char *path, struct pcap_count *out, char *err,
	    size_t errlen);

/* "ReadClock 1, StartAuthSession 1, ..." into buf; returns buf. */
char	*pcap_count_codes(const struct pcap_count *c, char *buf,
	    size_t len);

/* The TPM 2.0 name of a command code, or NULL if unknown. */
const char *tpm_cc_name(uint32_t cc);

#endif /* SK_BENCH_PCAPCOUNT_H */
