#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sshd's host key in the TPM, with the real sshd of this system: a key made
# by "sk-tpm host-key" and the two sshd_config lines it prints, beside an
# ordinary ed25519 host key. A client whose known_hosts holds only the TPM
# key logs in with StrictHostKeyChecking=yes (and one holding another TPM
# key is refused), ssh-keyscan reports it, and UpdateHostKeys teaches it to
# a client that knew only the ed25519 key. Then the TPM is made
# unreachable, and later cleared: sshd keeps serving the ed25519 key, a
# client that knows both keys still logs in, and every connection that
# needed the TPM key leaves exactly one sk-tpm line on sshd's stderr.
# Arguments: libsk-tpm.so, the sk-tpm tool.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
SK=${2:?usage: hostkey.sh LIBRARY SK-TPM}
need_tools ssh-keyscan tpm2_clear

SK_ALG=sk-ecdsa-sha2-nistp256@openssh.com
# sshd signs through ssh-sk-helper too (under the sanitizers, their
# wrapper: lib.sh's SK_HELPER_REAL).
SSHD_ENV=("SSH_SK_HELPER=$SK_HELPER_REAL")

say "sk-tpm host-key makes the key and prints the sshd_config lines"
run host-key "$SK" host-key --file "$T/hk" --provider "$LIB" \
    --comment e2e-hostkey
expect_ok "sk-tpm host-key"
[ "$(cat "$OUT")" = "HostKey $T/hk
SecurityKeyProvider $LIB" ] || fail "host-key printed other sshd_config lines"
HK_FP=$(fingerprint "$T/hk.pub")

# The user logs in with an ordinary key: the host key is under test.
ssh-keygen -q -t ed25519 -N '' -C e2e-user -f "$T/user" ||
    fail "could not make the user key"

SSHD_EXTRA_CONFIG=$(cat "$OUT")
SSHD_STDERR=$T/sshd.stderr
: >"$SSHD_STDERR"
sshd_start
authorize "" "$T/user.pub"

# known_hosts NAME KEY.pub...: a known_hosts file with these host keys for
# the sshd of the last sshd_start.
known_hosts() {
	local name=$1 pub
	shift
	: >"$T/$name"
	for pub in "$@"; do
		printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(pubkey "$pub")" \
		    >>"$T/$name"
	done
}

# sk_lines_after N: how many sk-tpm lines sshd's stderr has after line N.
sk_lines_after() {
	tail -n +"$(($1 + 1))" "$SSHD_STDERR" | grep -c '^sk-tpm: ' || true
}

# sign_failed_after MARK EMARK: sshd's host key signature has failed since
# those lines of its log and stderr: the library's line is on stderr and
# the monitor logged the failure (then it ends the connection without
# the lines sshd_settle waits for).
sign_failed_after() {
	[ "$(sk_lines_after "$2")" -ge 1 ] &&
	    tail -n +"$(($1 + 1))" "$SSHD_LOG" | grep -q 'sign: '
}

# connect NAME KNOWN-HOSTS [ssh options...]: log in as the test user with
# StrictHostKeyChecking=yes and only KNOWN-HOSTS; ssh's debug output in
# $ERR, sshd's lines of this connection in $T/NAME.sshd, sshd's stderr
# lines of it in $T/NAME.stderr. With SIGN_FAILS=1 the connection is one
# whose host key signature fails: it is waited for by that.
connect() {
	local name=$1 kh=$2 mark emark
	shift 2
	mark=$(wc -l <"$SSHD_LOG")
	emark=$(wc -l <"$SSHD_STDERR")
	run "$name" ssh -F /dev/null -o IdentitiesOnly=yes -i "$T/user" \
	    -o BatchMode=yes -o PasswordAuthentication=no \
	    -o KbdInteractiveAuthentication=no -o GlobalKnownHostsFile=/dev/null \
	    -o UserKnownHostsFile="$T/$kh" -o StrictHostKeyChecking=yes \
	    -o ConnectTimeout=20 -v "$@" \
	    -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" \
	    "${REMOTE:-echo LOGIN-OK}"
	if [ "${SIGN_FAILS:-0}" = 1 ]; then
		await sign_failed_after "$mark" "$emark" ||
		    fail "$name: sshd logged no failed host key signature"
	else
		sshd_settle "$mark"
	fi
	tail -n +"$((mark + 1))" "$SSHD_LOG" >"$T/$name.sshd"
	tail -n +"$((emark + 1))" "$SSHD_STDERR" >"$T/$name.stderr"
}

connect_ok() {
	connect "$@"
	expect_ok "login $1"
	grep -qx LOGIN-OK "$OUT" || fail "login $1: the remote command did not run"
}

# used_host_key NAME ALG FP: ssh verified the server with that host key.
used_host_key() {
	assert_grep "$ERR" "Server host key: $1 $(re_quote "$2")\b" \
	    "the server proved $1 $2"
}

say "a client that knows only the TPM host key logs in (StrictHostKeyChecking=yes)"
known_hosts kh-tpm "$T/hk.pub"
connect_ok tpm-only kh-tpm
used_host_key "$SK_ALG" "$HK_FP"
assert_grep "$ERR" "is known and matches the ECDSA-SK host key" \
    "ssh matched the TPM host key in known_hosts"
[ ! -s "$SSHD_STDERR" ] || { ERR=$SSHD_STDERR; fail "sshd's stderr is not empty"; }

say "a client that knows another TPM key under that name is refused"
ssh-keygen -q -t ecdsa-sk -w "$LIB" -O no-touch-required \
    -O application=ssh:host -N '' -f "$T/other" </dev/null ||
    fail "could not make a second TPM key"
known_hosts kh-other "$T/other.pub"
connect other-key kh-other
expect_fail "a login against the wrong host key"
assert_grep "$ERR" "Host key verification failed" "ssh refuses the unknown host key"

say "ssh-keyscan reports the TPM host key"
run keyscan ssh-keyscan -t ecdsa-sk -p "$SSHD_PORT" 127.0.0.1
expect_ok "ssh-keyscan -t ecdsa-sk"
[ "$(awk '!/^#/ {print $2, $3}' "$OUT")" = "$(pubkey "$T/hk.pub")" ] ||
    fail "ssh-keyscan did not report exactly the TPM host key"
run keyscan-all ssh-keyscan -p "$SSHD_PORT" 127.0.0.1
expect_ok "ssh-keyscan"
assert_grep "$OUT" " ssh-ed25519 " "ssh-keyscan reports the ed25519 key"
assert_grep "$OUT" " $SK_ALG " "ssh-keyscan reports the TPM key"

say "UpdateHostKeys: a client that knew only the ed25519 key learns the TPM key"
known_hosts kh-learn "$T/ssh_host_ed25519_key.pub"
# The remote command waits until the client has written what it learnt
# (client and server share this machine), so ssh cannot exit before the
# server's proof of the new key has come back.
REMOTE="for i in \$(seq 300); do grep -q ' $SK_ALG ' '$T/kh-learn' && break; sleep 0.1; done; echo LOGIN-OK" \
    connect_ok learn kh-learn -o UpdateHostKeys=yes
used_host_key ssh-ed25519 "$(fingerprint "$T/ssh_host_ed25519_key.pub")"
grep -qF "$(pubkey "$T/hk.pub")" "$T/kh-learn" ||
    { cat "$T/kh-learn" >&2; fail "known_hosts did not learn the TPM host key"; }
assert_grep "$ERR" "Learned new hostkey: ECDSA-SK $(re_quote "$HK_FP")" \
    "ssh says it learnt the TPM key"
say "  the client learnt it; it now logs in with only that key known"
known_hosts kh-tpm2 "$T/hk.pub"
connect_ok tpm-only-again kh-tpm2
used_host_key "$SK_ALG" "$HK_FP"
tpm_clean "after sshd's signatures"

# outage WHAT: with the TPM out of reach (WHAT says how), sshd still serves
# the ed25519 key; the TPM key's connections fail with one line each.
outage() {
	local what=$1 n mark emark
	say "$what: a client that knows both keys still logs in"
	known_hosts kh-both "$T/ssh_host_ed25519_key.pub" "$T/hk.pub"
	connect_ok "$what-both" kh-both
	used_host_key ssh-ed25519 "$(fingerprint "$T/ssh_host_ed25519_key.pub")"

	say "$what: ssh-keyscan reports the ed25519 key alone"
	mark=$(wc -l <"$SSHD_LOG")
	emark=$(wc -l <"$SSHD_STDERR")
	run "$what-keyscan" ssh-keyscan -p "$SSHD_PORT" 127.0.0.1
	# Its ecdsa-sk connection fails in sshd after ssh-keyscan has gone.
	await sign_failed_after "$mark" "$emark" ||
	    fail "ssh-keyscan's ecdsa-sk connection left no failed signature"
	assert_grep "$OUT" " ssh-ed25519 " "ssh-keyscan still reports the ed25519 key"
	assert_no_grep "$OUT" " $SK_ALG " "ssh-keyscan reports no TPM key"

	say "$what: a client that knows only the TPM key cannot log in; sshd says why, once"
	known_hosts kh-tpm "$T/hk.pub"
	SIGN_FAILS=1 connect "$what-tpm-only" kh-tpm
	expect_fail "login with only the TPM host key known"
	n=$(grep -c '^sk-tpm: ' "$T/$what-tpm-only.stderr" || true)
	[ "$n" = 1 ] || { ERR=$T/$what-tpm-only.stderr
		fail "sshd's stderr holds $n sk-tpm lines for one connection, not 1"; }
	say "  sshd's stderr: $(grep '^sk-tpm: ' "$T/$what-tpm-only.stderr")"
	assert_no_grep "$T/$what-tpm-only.stderr" '(WARNING|ERROR):' \
	    "tpm2-tss logging is silenced under sshd"
	OUTAGE_LINE=$(grep '^sk-tpm: ' "$T/$what-tpm-only.stderr")

	say "$what: the sshd listener is still serving"
	connect_ok "$what-after" kh-both
}

# restart: sshd again with the same host keys (and SSHD_ENV as it is now).
restart() {
	sshd_stop
	SSHD_KEEP_HOST_KEY=1
	sshd_start
	authorize "" "$T/user.pub"
}

SSHD_ENV+=("SK_TPM_TCTI=swtpm:host=127.0.0.1,port=$(closed_port)")
restart
outage unreachable
grep -Eq 'cannot reach the TPM' <<<"$OUTAGE_LINE" ||
    fail "the line does not say the TPM cannot be reached"

say "the TPM is cleared under sshd: its host key is gone for good"
SSHD_ENV=("${SSHD_ENV[@]:0:${#SSHD_ENV[@]}-1}")
timeout "$E2E_TIMEOUT" tpm2_clear -c p || fail "tpm2_clear failed"
restart
outage cleared
grep -Eq 'another TPM|cleared|storage key' <<<"$OUTAGE_LINE" ||
    fail "the line does not say the key belongs to another (or a cleared) TPM"
tpm_clean "after the refused signatures"

say PASS
