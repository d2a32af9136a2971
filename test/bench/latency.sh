#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The latency benchmark: modelled TPM time of libsk-tpm.so and of
# tpm2-pkcs11, each operation's TPM commands charged by the latency model
# (test/bench/latency-model.c) as the latency TCTI sees them.
#
#   latency.sh /abs/libsk-tpm.so /abs/sk-tpm-bench-latency \
#       /abs/libtss2-tcti-latency.so N
#
# Four configurations, each on a fresh simulator (test/with-swtpm.sh):
#   direct        the TCTI between the client and swtpm
#   tpm2-abrmd    tpm2-abrmd in front of swtpm, standing in for the kernel's
#                 /dev/tpmrm0, with the TCTI between abrmd and swtpm, so the
#                 broker's context swaps are charged too
# each with the standard SRK persisted at 0x81000001, without it, and
# without it but with the library's saved context of the derived SRK
# (XDG_RUNTIME_DIR set; "SRK cache"; tpm2-pkcs11 is not measured there).
# In each, latency-config.sh measures our provider (N runs per operation)
# and one real ssh login with our key and with tpm2-pkcs11's.
# Needs SK_TPM_TESTUTIL (for --srk). Prints the table and a per-command
# breakdown; exits 77 if a tool is missing, 1 if a measurement fails, and
# never because of a figure.
set -euo pipefail

[ $# = 4 ] || { echo "usage: latency.sh LIB DRIVER TCTI-MODULE N" >&2; exit 2; }
lib=$1 driver=$2 module=$3 n=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
with_swtpm=$here/../with-swtpm.sh
abrmd=$here/../fault/abrmd.sh

for tool in tpm2_ptool tpm2-abrmd dbus-daemon; do
	command -v "$tool" >/dev/null || {
		echo "latency.sh: $tool is not installed (Debian:" \
		    "libtpm2-pkcs11-tools, tpm2-abrmd, dbus-daemon)" >&2
		exit 77
	}
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-latency.XXXXXX")
trap 'rm -rf "$dir"' EXIT
rows=$dir/rows
: >"$rows"

# run_config MODE SRK LABEL (SRK: srk, none or cache)
run_config() {
	local mode=$1 srk=$2 label=$3 opts=() wrap=()
	export SK_LATENCY_LOG=$dir/$mode-$srk.log SK_LATENCY_CONFIG=$label
	export SK_LATENCY_SRK_CACHE=
	[ "$srk" = cache ] && SK_LATENCY_SRK_CACHE=1
	: >"$SK_LATENCY_LOG"
	[ "$srk" = srk ] && opts=(--srk)
	[ "$mode" = abrmd ] && wrap=(env ABRMD_TCTI_WRAPPER="$module" bash "$abrmd")
	echo "latency.sh: $label" >&2
	bash "$with_swtpm" "${opts[@]}" -- "${wrap[@]}" \
	    bash "$here/latency-config.sh" "$lib" "$driver" "$module" "$n" \
	    "$mode" "$rows" >&2
}

status=0
run_config direct srk "direct, persistent SRK" || status=$?
[ "$status" = 0 ] && { run_config direct none "direct, no persistent SRK" || status=$?; }
[ "$status" = 0 ] && { run_config abrmd srk "tpm2-abrmd, persistent SRK" || status=$?; }
[ "$status" = 0 ] && { run_config abrmd none "tpm2-abrmd, no persistent SRK" || status=$?; }
[ "$status" = 0 ] && { run_config direct cache "direct, SRK cache" || status=$?; }
[ "$status" = 0 ] && { run_config abrmd cache "tpm2-abrmd, SRK cache" || status=$?; }
if [ "$status" != 0 ]; then
	echo "latency.sh: a measurement failed (status $status)" >&2
	exit "$status"
fi

"$driver" table "$rows"
cat <<EOF

Model: per-command execution times of laptop-class discrete TPMs (Infineon
SLB9670/9672, ST33, Nuvoton NPCT7xx), from wolfTPM's benchmark tables, a
kernel-list trace of an SLB9670 and the TPM-FAIL measurements; +18 ms for a
command carrying an HMAC or policy session. Table and sources:
test/bench/latency-model.c. Firmware TPMs (Intel PTT) sign 3-5x slower.
Operations: N = $n runs each (figures per run); logins: one real ssh login.
EOF
