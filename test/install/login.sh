#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Log in through an installed sk-tpm, the way its user would: the library at
# its installed path, the installed ssh_config snippet once its line is
# uncommented, ssh-agent with its default provider allow-list, the
# installed systemd user unit's ssh-agent command line, and the installed
# sk-tpm tool on a resident credential. Used by the staged install test
# (test/install/staged.sh) and the Debian package test (test/package/run.sh).
#
#   with-swtpm.sh -- login.sh LIB TOOL SNIPPET UNIT VERSION [DESTDIR]
#
# LIB, TOOL, SNIPPET, UNIT: the installed files (under DESTDIR, if given).
# With DESTDIR, paths written inside the installed files (which name the
# final location) are looked up under DESTDIR, and the agent with the
# default allow-list is skipped (it accepts /usr/lib*/ and /usr/local/lib*/
# only, which a staging directory is not); the unit's agent, which names
# the library with -P, is run instead.
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LIB=$1 TOOL=$2 SNIPPET=$3 UNIT=$4 VERSION=$5 DESTDIR=${6:-}
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$LIB"

# final PATH -> where the file is now (DESTDIR prepended).
staged() {
	printf '%s%s\n' "$DESTDIR" "$1"
}

say "installed files: $LIB, $TOOL, $SNIPPET, $UNIT"
run version "$TOOL" --version
expect_ok "sk-tpm --version"
[ "$(cat "$OUT")" = "sk-tpm $VERSION" ] ||
    fail "sk-tpm --version says '$(cat "$OUT")', expected $VERSION"

say "enroll through the installed library"
enroll_ok nt -O no-touch-required
enroll_ok up SK_TPM_PRESENCE=assume
tpm_clean "after enrollment"
sshd_start

say "login naming the installed library"
authorize no-touch-required "$T/nt.pub"
login_ok direct "$T/nt.pub" 0x00 "$T/nt"

say "login through the installed ssh_config snippet"
# Inert as installed: no uncommented SecurityKeyProvider line.
assert_no_grep "$SNIPPET" '^[[:space:]]*SecurityKeyProvider' \
    "the installed snippet must be inert"
provider=$(sed -n 's/^#[[:space:]]*SecurityKeyProvider[[:space:]]*//p' "$SNIPPET")
[ "$(staged "$provider")" = "$LIB" ] ||
    fail "the snippet names $provider, not the installed library"
# What a user does to turn it on: remove the "#". Here in a copy.
sed 's/^#\([[:space:]]*SecurityKeyProvider[[:space:]]\)/\1/' "$SNIPPET" |
    sed "s#SecurityKeyProvider .*#SecurityKeyProvider $LIB#" >"$T/snippet.conf"
cat >"$T/ssh_config" <<EOC
StrictHostKeyChecking no
UserKnownHostsFile /dev/null
GlobalKnownHostsFile /dev/null
IdentitiesOnly yes
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel ERROR
Include $T/snippet.conf
EOC
run ssh-G ssh -G -F "$T/ssh_config" -p "$SSHD_PORT" 127.0.0.1
expect_ok "ssh -G"
assert_grep "$OUT" "^securitykeyprovider $(re_quote "$LIB")\$" \
    "ssh takes the provider from the snippet"
run snippet-login ssh -F "$T/ssh_config" -i "$T/nt" -p "$SSHD_PORT" \
    "$LOGIN_USER@127.0.0.1" 'echo LOGIN-OK'
expect_ok "login through the snippet"
grep -qx LOGIN-OK "$OUT" || fail "login through the snippet: no LOGIN-OK"
assert_quiet "$ERR" "login through the snippet"

# agent_run NAME ARGS...: ssh-agent -D ARGS on $T/NAME.sock (or the socket
# ARGS name with -a), in the environment of the current shell plus the
# TCTI; sets AGENT_SOCK.
agent_run() {
	local name=$1 pid
	shift
	setsid env SK_TPM_TCTI="$SK_TPM_TCTI" "$@" \
	    </dev/null >"$T/$name.agent.out" 2>"$T/$name.agent.err" &
	pid=$!
	DAEMONS+=("$pid")
	await socket_or_dead "$AGENT_SOCK" "$pid" || true
	if [ -S "$AGENT_SOCK" ]; then
		say "ssh-agent $name (pid $pid)"
		return 0
	fi
	OUT=$T/$name.agent.out ERR=$T/$name.agent.err
	fail "ssh-agent $name did not start"
}

# agent_login NAME: ssh-add -S the library and the key nt, log in with it.
agent_login() {
	local name=$1
	run "add-$name" env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -S "$LIB" "$T/nt"
	expect_ok "ssh-add -S $LIB ($name)"
	login_ok "login-$name" "$T/nt.pub" 0x00 "$T/nt.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
	assert_quiet "$T/$name.agent.err" "agent $name signing"
}

if [ -z "$DESTDIR" ]; then
	say "login through ssh-agent with its default allow-list"
	AGENT_SOCK=$T/default.sock
	agent_run default ssh-agent -D -a "$AGENT_SOCK"
	agent_login default
fi

say "login through the installed systemd user unit's ssh-agent"
# The unit's ExecStart, as systemd would run it: %t is $XDG_RUNTIME_DIR,
# RuntimeDirectory= makes %t/sk-tpm-agent; the TCTI is this test's
# simulator, as `systemctl --user edit` would set it.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
[ -n "$exec_start" ] || fail "$UNIT has no ExecStart"
grep -q '^RuntimeDirectory=sk-tpm-agent$' "$UNIT" ||
    fail "$UNIT: RuntimeDirectory=sk-tpm-agent expected"
mkdir -m 700 "$T/runtime" "$T/runtime/sk-tpm-agent"
read -r -a argv <<<"${exec_start//%t/$T/runtime}"
for i in "${!argv[@]}"; do
	case "${argv[$i]}" in
	/*) [ -e "${argv[$i]}" ] || [ ! -e "$(staged "${argv[$i]}")" ] ||
		argv[i]=$(staged "${argv[$i]}") ;;
	esac
done
say "  ExecStart: ${argv[*]}"
AGENT_SOCK=$T/runtime/sk-tpm-agent/socket
# The unit names /usr/bin/ssh-agent itself, so the agent finds its helper
# only through SSH_SK_HELPER: the suite's recording wrapper of the real
# helper (which, in the sanitized run, preloads the sanitizer runtimes the
# instrumented library needs).
agent_run unit env "${HELPER_ENV[@]}" "${argv[@]}"
agent_login unit

say "the installed sk-tpm tool on a resident credential"
enroll_ok rk -O resident -O no-touch-required -O application=ssh:installed \
    -O user=tester
[ "$(nv_records)" = 1 ] || fail "expected one resident record"
download dl
expect_ok "ssh-keygen -K"
[ "$(pubkey "$DL/id_ecdsa_sk_rk_installed_tester.pub")" = "$(pubkey "$T/rk.pub")" ] ||
    fail "ssh-keygen -K returned another key"
run list "$TOOL" list
expect_ok "sk-tpm list"
assert_grep "$OUT" 'ssh:installed' "sk-tpm list shows the credential"
run delete "$TOOL" delete --application ssh:installed --user tester --yes
expect_ok "sk-tpm delete"
[ "$(nv_records)" = 0 ] || fail "sk-tpm delete left the record"
tpm_clean "at the end"

say PASS
