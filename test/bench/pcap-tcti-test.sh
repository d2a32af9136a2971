#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The benchmark's capture reader against what tpm2-tss's pcap TCTI really
# writes: three tpm2-tools runs append three sessions to one capture, one of
# them ending in a TPM error, and `sk-tpm-bench -c` must count exactly those
# commands and pair the error with the command that caused it.
# Run through test/with-swtpm.sh (it exports TPM2TOOLS_TCTI).
#
#   pcap-tcti-test.sh path/to/sk-tpm-bench
set -euo pipefail

bench=${1:?usage: pcap-tcti-test.sh SK-TPM-BENCH}
: "${TPM2TOOLS_TCTI:?run this through test/with-swtpm.sh}"
command -v tpm2_readclock >/dev/null || { echo "tpm2-tools missing" >&2; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-pcap.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export TCTI_PCAP_FILE=$dir/capture.pcap
tcti="pcap:$TPM2TOOLS_TCTI"

TPM2TOOLS_TCTI=$tcti tpm2_getrandom 8 >/dev/null
TPM2TOOLS_TCTI=$tcti tpm2_readclock >/dev/null
# Nothing lives at this handle, so the TPM answers ReadPublic with an error.
if TPM2TOOLS_TCTI=$tcti TSS2_LOG=all+NONE tpm2_readpublic -c 0x81000077 \
    >/dev/null 2>&1; then
	echo "FAIL: tpm2_readpublic of an empty handle succeeded" >&2
	exit 1
fi

# The file must be what the reader was written for: pcapng (0a0d0d0a).
magic=$(od -An -tx1 -N4 "$TCTI_PCAP_FILE" | tr -d ' \n')
[ "$magic" = 0a0d0d0a ] || { echo "FAIL: capture starts with $magic, not pcapng" >&2; exit 1; }

out=$("$bench" -c "$TCTI_PCAP_FILE")
printf '%s\n' "$out"
fail=0
expect() {
	case "$out" in
	*"$1"*) ;;
	*) echo "FAIL: expected \"$1\" in the count" >&2; fail=1 ;;
	esac
}
expect "pcapng, 3 sessions, 4 commands, 0 resent, 4 responses, 1 failed"
expect "GetCapability 1, GetRandom 1, ReadClock 1, ReadPublic 1"
expect "first failure: ReadPublic -> 0x0000018b"

# A truncated capture is refused, not half-counted.
head -c 100 "$TCTI_PCAP_FILE" >"$dir/cut.pcap"
if "$bench" -c "$dir/cut.pcap" >/dev/null 2>&1; then
	echo "FAIL: a truncated capture was accepted" >&2
	fail=1
fi
exit $fail
