#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Keys in a running ssh-agent across a NixOS rebuild and garbage
# collection, modelled with the real ssh-agent, sshd and our library: two
# "store paths" of sk-tpm (generations A and B), a "system" whose
# sw/lib/libsk-tpm.so is a symlink into A behind a "current-system"
# symlink, and the copy at a fixed path that the module's
# sk-tpm-provider.service makes (contrib/nixos/install-provider.sh, run
# here as the service runs it). One agent allows both kinds of path (the
# fixed one, and a pattern admitting every store path of sk-tpm, as an
# allow-list through /run/current-system/sw/lib would need); one key is
# added through the current-system symlink, one through the fixed copy.
# Then the rebuild (current-system now points to B, the service copies B)
# and the garbage collection (A removed):
# - the key added through the symlink stops working: ssh-agent stored the
#   resolved path (A) when the key was added, and its ssh-sk-helper can no
#   longer load it;
# - the key added through the fixed copy still signs, now with B;
# - an agent with the module's own allow-list (the fixed path only)
#   refuses, at ssh-add time, a provider given through the symlink.
#
#   with-swtpm.sh -- agent-rebuild.sh /abs/libsk-tpm.so INSTALL-PROVIDER-SH
# shellcheck source=../e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh" "$1"
install_provider=${2:?usage: agent-rebuild.sh LIB INSTALL-PROVIDER-SH}

store=$T/store
A=$store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-sk-tpm-0.2.0
B=$store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-sk-tpm-0.2.0
current=$T/run/current-system
stable=$T/run/sk-tpm/libsk-tpm.so

# generation NAME PACKAGE: a system whose sw/lib links to PACKAGE's library.
generation() {
	mkdir -p "$store/$1-system/sw/lib"
	ln -sfn "$2/lib/libsk-tpm.so" "$store/$1-system/sw/lib/libsk-tpm.so"
}
# switch NAME PACKAGE: make NAME current, and run the provider service.
switch() {
	ln -sfn "$store/$1-system" "$current.new"
	mv -T "$current.new" "$current"
	run "install-$1" bash "$install_provider" "$2/lib/libsk-tpm.so" "$stable"
	expect_ok "install-provider.sh (generation $1)"
	cmp -s "$stable" "$2/lib/libsk-tpm.so" || fail "$stable is not a copy of $2's library"
	[ ! -L "$stable" ] || fail "$stable is a symlink"
}

mkdir -p "$A/lib" "$B/lib" "$T/run"
cp "$LIB" "$A/lib/libsk-tpm.so"
cp "$LIB" "$B/lib/libsk-tpm.so"
generation A "$A"
generation B "$B"
switch A "$A"
say "generation A: $current/sw/lib/libsk-tpm.so -> $(realpath "$current/sw/lib/libsk-tpm.so")"

enroll_ok viasym -O no-touch-required
enroll_ok viafix -O no-touch-required
mkdir "$T/pub"
cp "$T/viasym.pub" "$T/viafix.pub" "$T/pub/"
sshd_start

# agent NAME ALLOW-LIST: ssh-agent -D on $T/NAME.sock; sets AGENT_SOCK.
agent() {
	local pid
	AGENT_SOCK=$T/$1.sock
	setsid ssh-agent -D -a "$AGENT_SOCK" -P "$2" \
	    </dev/null >"$T/$1.agent.out" 2>"$T/$1.agent.err" &
	pid=$!
	DAEMONS+=("$pid")
	for _ in $(seq 100); do
		[ -S "$AGENT_SOCK" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "ssh-agent $1 did not start"
}

agent both "$stable,$store/*-sk-tpm-*/lib/libsk-tpm.so"
BOTH=$AGENT_SOCK
run add-viasym env SSH_AUTH_SOCK="$BOTH" ssh-add -S "$current/sw/lib/libsk-tpm.so" "$T/viasym"
expect_ok "ssh-add -S through the current-system symlink"
run add-viafix env SSH_AUTH_SOCK="$BOTH" ssh-add -S "$stable" "$T/viafix"
expect_ok "ssh-add -S through the fixed copy"
# Only the agent can sign from here on.
mkdir "$T/keep"
mv "$T/viasym" "$T/viafix" "$T/keep/"

authorize no-touch-required "$T/pub/viasym.pub"
login_ok before-viasym "$T/pub/viasym.pub" 0x00 "$T/pub/viasym.pub" SSH_AUTH_SOCK="$BOTH"
authorize no-touch-required "$T/pub/viafix.pub"
login_ok before-viafix "$T/pub/viafix.pub" 0x00 "$T/pub/viafix.pub" SSH_AUTH_SOCK="$BOTH"

say "rebuild: generation B becomes current; garbage collection removes A"
switch B "$B"
rm -rf "$A" "$store/A-system"

say "the key added through the symlink: the agent kept A's path, which is gone"
authorize no-touch-required "$T/pub/viasym.pub"
: >"$T/both.agent.err"
login_refused after-viasym "$T/pub/viasym.pub" SSH_AUTH_SOCK="$BOTH"
assert_grep "$ERR" 'agent refused operation' "ssh saw the agent refuse"
assert_grep "$T/both.agent.err" "$(re_quote "$A/lib/libsk-tpm.so")" \
    "the agent's helper names the collected store path"
say "  agent: $(head -n 1 "$T/both.agent.err")"
run list env SSH_AUTH_SOCK="$BOTH" ssh-add -l
assert_grep "$OUT" "$(re_quote "$(fingerprint "$T/pub/viasym.pub")")" \
    "the agent still lists the key it can no longer use"

say "the key added through the fixed copy: signs, with B"
authorize no-touch-required "$T/pub/viafix.pub"
: >"$T/both.agent.err"
login_ok after-viafix "$T/pub/viafix.pub" 0x00 "$T/pub/viafix.pub" SSH_AUTH_SOCK="$BOTH"
assert_quiet "$T/both.agent.err" "agent signing through the fixed copy"

say "the module's allow-list (the fixed path only) refuses the symlink at once"
agent module "$stable"
run add-sym-module env SSH_AUTH_SOCK="$AGENT_SOCK" \
    ssh-add -S "$current/sw/lib/libsk-tpm.so" "$T/keep/viasym"
expect_fail "ssh-add -S through the symlink, module's allow-list"
assert_grep "$T/module.agent.err" "Refusing add key: provider $(re_quote "$B/lib/libsk-tpm.so") not allowed" \
    "the agent names the store path it refused"
say "  agent: $(grep 'Refusing add key' "$T/module.agent.err")"

say PASS
