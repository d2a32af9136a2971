#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# 8 parallel ssh logins through tpm2-abrmd: real ssh, sshd and ssh-sk-helper
# on 127.0.0.1, each login signing with the same TPM key at the same time.
# Every login must succeed, sshd must accept the key every time, the
# library must stay silent, and afterwards the simulator must hold nothing.
#
#   with-swtpm.sh --srk -- bash abrmd.sh bash par-login.sh /abs/libsk-tpm.so
#
# PAR_LOGINS overrides the number of logins (default 8).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015
. "$(dirname "$0")/../e2e/lib.sh" "$@"

: "${DBUS_SESSION_BUS_ADDRESS:?run me through test/fault/abrmd.sh}"
case "$SK_TPM_TCTI" in
tabrmd*) ;;
*) fail "SK_TPM_TCTI=$SK_TPM_TCTI: run me through test/fault/abrmd.sh" ;;
esac
P=${PAR_LOGINS:-8}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

say "enroll through tpm2-abrmd: ssh-keygen -t ecdsa-sk -O no-touch-required"
enroll_ok par -O no-touch-required
tpm_clean "after enrollment"

sshd_start
authorize no-touch-required "$T/par.pub"

say "one login alone, for scale"
t0=$(now)
login_ok single "$T/par.pub" 0x00 "$T/par"
assert_quiet "$ERR" "single login"
single=$(since "$t0")

say "$P logins at once"
mark=$(wc -l <"$SSHD_LOG")
t0=$(now)
pids=()
for i in $(seq "$P"); do
	# Each ssh, its ssh-sk-helper and so the library inherit SK_TPM_TCTI
	# and DBUS_SESSION_BUS_ADDRESS: every signature goes through the
	# broker.
	# lib.sh's run, in a subshell of its own: its RC stays there.
	( run "par$i" ssh "${SSH_OPTS[@]}" -o SecurityKeyProvider="$LIB" \
	      -i "$T/par" -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" \
	      "echo LOGIN-OK-$i"
	  echo "$RC" >"$T/par$i.rc" ) &
	pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p" || true; done
elapsed=$(since "$t0")
sshd_settle "$mark"	# sshd's processes finish their log lines

ok=0
for i in $(seq "$P"); do
	OUT=$T/par$i.out ERR=$T/par$i.err
	[ -s "$T/par$i.rc" ] || fail "login $i: timed out after ${E2E_TIMEOUT}s"
	rc=$(cat "$T/par$i.rc")
	[ "$rc" = 0 ] || fail "login $i: exit status $rc"
	grep -qx "LOGIN-OK-$i" "$OUT" ||
	    fail "login $i: the remote command did not run"
	assert_quiet "$ERR" "login $i"
	ok=$((ok + 1))
done
tail -n +"$((mark + 1))" "$SSHD_LOG" >"$T/par.sshd"
fp=$(re_quote "$(fingerprint "$T/par.pub")")
re="Accepted publickey for $LOGIN_USER from 127\.0\.0\.1 port [0-9]+"
re="$re ssh2: ECDSA-SK $fp"
accepted=$(grep -Ec "$re" "$T/par.sshd" || true)
[ "$accepted" = "$P" ] ||
    fail "sshd accepted the key $accepted times, expected $P"
tpm_clean "after $P parallel logins"

say "parallel logins through tpm2-abrmd: $ok of $P succeeded, sshd" \
    "accepted the TPM key $accepted times, in ${elapsed}s (one login" \
    "alone: ${single}s); 0 handles left"
say PASS
