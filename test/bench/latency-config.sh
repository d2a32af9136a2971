#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# One configuration of the latency benchmark (see latency.sh, which runs
# this under test/with-swtpm.sh and, for MODE abrmd, test/fault/abrmd.sh):
#
#   latency-config.sh LIB DRIVER TCTI-MODULE N MODE ROWS
#
# MODE direct: the clients reach swtpm through the latency TCTI; MODE
# abrmd: through tpm2-abrmd, which has the TCTI in front of swtpm. Appends
# rows (latency-log.h) to ROWS: our provider's operations (DRIVER ours N),
# one real ssh login with a no-PIN and with a PIN key of ours, and one with
# a tpm2-pkcs11 key (ssh -I). SK_LATENCY_LOG and SK_LATENCY_CONFIG come
# from latency.sh.
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh" "$@"

[ $# = 6 ] || fail "usage: latency-config.sh LIB DRIVER MODULE N MODE ROWS"
DRIVER=$2 MODULE=$3 N=$4 MODE=$5 ROWS=$6
: "${SK_LATENCY_LOG:?run me through latency.sh}"
: "${SK_LATENCY_CONFIG:?run me through latency.sh}"
P11LIB=
for f in /usr/lib/*/pkcs11/libtpm2_pkcs11.so /usr/lib/pkcs11/libtpm2_pkcs11.so; do
	[ -f "$f" ] && { P11LIB=$f; break; }
done
[ -n "$P11LIB" ] || { echo "latency-config.sh: libtpm2_pkcs11.so is not installed (Debian: libtpm2-pkcs11-1)" >&2; exit 77; }

HERE=$(cd "$(dirname "$0")" && pwd)
DIRECT_TCTI=$SK_TPM_TCTI
case "$MODE" in
direct)
	# Everything the library and tpm2-pkcs11 send is charged; the tools
	# that set up keys and check the TPM talk to swtpm unseen.
	export SK_TPM_TCTI="$MODULE:$SK_TPM_TCTI"
	P11_TCTI=$SK_TPM_TCTI ;;
abrmd)
	# One client of swtpm at a time: the broker. The TCTI inside it
	# charges every command, setup included; rows only count the lines
	# written during their operation.
	export TPM2TOOLS_TCTI=$SK_TPM_TCTI
	P11_TCTI=$SK_TPM_TCTI ;;
*) fail "MODE must be direct or abrmd" ;;
esac

# SK_LATENCY_SRK_CACHE=1: the library keeps the derived SRK's saved context
# in a runtime directory of this run, as on a desktop with
# XDG_RUNTIME_DIR (the operations' first signature fills it).
if [ "${SK_LATENCY_SRK_CACHE:-}" = 1 ]; then
	mkdir -m 700 "$T/run"
	export XDG_RUNTIME_DIR=$T/run
fi

# row IMPL OP MARK: sum the log from MARK as one row.
row() {
	"$DRIVER" row "$3" "$1" "$2" >>"$ROWS" ||
	    fail "$1, $2: the measurement failed"
}

say "$SK_LATENCY_CONFIG: the provider's operations, $N run(s) each"
"$DRIVER" ours "$N" >>"$ROWS" || fail "sk-tpm-bench-latency ours failed"

sshd_start

say "ssh login with a no-PIN key of ours"
enroll_ok plain -O no-touch-required
authorize no-touch-required "$T/plain.pub"
mark=$("$DRIVER" mark)
login_ok login-plain "$T/plain.pub" 0x00 "$T/plain"
row sk-tpm "ssh login, no-PIN key" "$mark"

say "ssh login with a PIN key of ours"
set_pin 123456
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
authorize verify-required "$T/uv.pub"
mark=$("$DRIVER" mark)
login_ok login-pin "$T/uv.pub" 0x05 "$T/uv" "${ASKPASS_ENV[@]}"
row sk-tpm "ssh login, PIN key" "$mark"

if [ -n "${XDG_RUNTIME_DIR:-}" ]; then
	say "$SK_LATENCY_CONFIG: done (tpm2-pkcs11 has no SRK cache to measure)"
	exit 0
fi

say "ssh login with a tpm2-pkcs11 key (ssh -I $P11LIB)"
store=$T/pkcs11-store
mkdir -m 700 "$store"
# tpm2_ptool needs a resource manager: in MODE direct, one of its own for
# the setup only, without the latency TCTI (setup is not measured).
setup=(bash "$HERE/latency-p11.sh" "$store")
[ "$MODE" = direct ] && setup=(env SK_TPM_TCTI="$DIRECT_TCTI"
    bash "$HERE/../fault/abrmd.sh" "${setup[@]}")
run ptool "${setup[@]}"
expect_ok "tpm2_ptool: token and key"
P11_ENV=(TPM2_PKCS11_STORE="$store" TPM2_PKCS11_TCTI="$P11_TCTI"
    TSS2_LOG=all+NONE)
run p11-pub env "${P11_ENV[@]}" ssh-keygen -D "$P11LIB"
expect_ok "ssh-keygen -D libtpm2_pkcs11.so"
grep '^ecdsa-sha2-nistp256 ' "$OUT" >"$T/p11.pub" ||
    fail "ssh-keygen -D: no ECDSA key from the token"
cat "$T/p11.pub" >"$AUTH_KEYS"
mark=$("$DRIVER" mark)
LOG_MARK=$(wc -l <"$SSHD_LOG")
run login-p11 env "${P11_ENV[@]}" "${ASKPASS_ENV[@]}" ssh "${SSH_OPTS[@]}" \
    -I "$P11LIB" -i "$T/p11.pub" -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" 'echo LOGIN-OK'
expect_ok "ssh -I login"
grep -qx LOGIN-OK "$OUT" || fail "ssh -I login: the remote command did not run"
tail -n +"$((LOG_MARK + 1))" "$SSHD_LOG" >"$T/login-p11.sshd"
assert_grep "$T/login-p11.sshd" "Accepted publickey for $LOGIN_USER .* ECDSA " \
    "ssh -I login: sshd accepted the token's key"
row tpm2-pkcs11 "ssh login (ssh -I), PIN" "$mark"
say "$SK_LATENCY_CONFIG: done"
