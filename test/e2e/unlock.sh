#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Unlock once (doc/unlock.md): a verify-required key enrolled with
# SK_TPM_UNLOCK signs through ssh-agent with one PIN prompt per window,
# and likewise through ssh itself and git commit -S (gpg.format=ssh) via the
# agent. Signatures made with the PIN carry UP|UV (0x05), those made with
# the window's ticket UP only (0x01), so sshd's verify-required refuses
# them. The window closes when TPM time passes its end, when the TPM is
# reset (swtpm killed and started again), restarted or resumed
# (TPM2_Shutdown(STATE), _TPM_Init, TPM2_Startup), and by sk-tpm lock. A
# tampered, truncated, foreign or other key's ticket is refused without a
# dictionary-attack try and answered by a PIN prompt; a wrong PIN counts.
# The ticket directory is 0700 and the ticket 0600. A key bound to a PCR
# checks it with the ticket as with the PIN, before either is used. An unlockable key is
# attested through its policy's Certify branch and sk-tpm verify-attestation
# recomputes its policy and checks its PIN object.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
CLI=${2:-}
need_tools tpm2_readclock tpm2_shutdown tpm2_startup swtpm_ioctl git python3

# Failed authorisations are forgiven only after an hour here, so that the
# lockout counter moves only by what this test does.
timeout "$E2E_TIMEOUT" tpm2_dictionarylockout -s -n 32 -t 3600 -l 3600 ||
    fail "cannot set the dictionary-attack parameters"

export XDG_RUNTIME_DIR=$T/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
TICKETS=$XDG_RUNTIME_DIR/sk-tpm

# da_counter: the TPM's lockout counter (failed authorisations).
da_counter() {
	local v
	v=$(timeout "$E2E_TIMEOUT" tpm2_getcap properties-variable |
	    awk '/TPM2_PT_LOCKOUT_COUNTER/ {print $2; exit}')
	[ -n "$v" ] || fail "no TPM2_PT_LOCKOUT_COUNTER"
	echo $((v))
}

# tpm_time: the TPM's Time in ms (since its last _TPM_Init).
tpm_time() {
	timeout "$E2E_TIMEOUT" tpm2_readclock | awk '$1 == "time:" {print $2; exit}'
}

# secret_prompts: how many PINs askpass was asked for since it was cleared.
secret_prompts() {
	grep -c '^secret' "$ASKPASS_LOG" || true
}

# ticket_of KEY: the ticket file of the key file KEY (its policyRef, handle
# field 10, in hex).
ticket_of() {
	local off len
	read -r off len < <(skkey_field "$1" 10)
	[ "$len" = 16 ] || fail "no 16-byte policyRef in $1"
	printf '%s/%s.ticket\n' "$TICKETS" \
	    "$(skkey "$1" info | awk '$1 == "handle" {print $2}' |
	    cut -c $((2 * off + 1))-$((2 * off + 32)))"
}

set_pin 2580
say "enroll unlockable verify-required keys (SK_TPM_UNLOCK=15m)"
enroll_ok uk "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=15m -O verify-required
enroll_ok uk2 "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=15m -O verify-required
tpm_clean "after enrollment"
[ ! -e "$TICKETS" ] || [ -z "$(ls -A "$TICKETS")" ] ||
    fail "enrollment left a ticket"
UK_TICKET=$(ticket_of "$T/uk")
UK2_TICKET=$(ticket_of "$T/uk2")
[ "$UK_TICKET" != "$UK2_TICKET" ] || fail "two keys share a policyRef"

if [ -n "$CLI" ]; then
	say "an unlockable key is attested through its policy's Certify branch"
	head -c 32 /dev/urandom >"$T/chal"
	enroll_ok uatt "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=1h -O verify-required \
	    -O challenge="$T/chal" -O write-attestation="$T/uatt.att"
	tpm_clean "after the attested enrollment"
	run verify-uatt "$CLI" verify-attestation "$T/uatt.pub" "$T/uatt.att" \
	    --challenge "$T/chal"
	assert_grep "$OUT" 'ok +certInfo: TPM-generated TPM2_Certify of this key' \
	    "the unlockable key was certified"
	assert_grep "$OUT" 'ok +unlockable: only a policy session can use the key.*3600 s.*key handle version 4' \
	    "the verifier recomputed the unlockable key's policy"
	assert_grep "$OUT" 'ok +PIN: required to open an unlock window' \
	    "the verifier found the DA-protected PIN object"
	assert_no_grep "$OUT" 'FAILED' "verify uatt"
fi

sshd_start
authorize "" "$T/uk.pub"

say "ssh directly: the PIN once, then the window"
: >"$ASKPASS_LOG"
login_ok ssh-1 "$T/uk.pub" 0x05 "$T/uk" "${ASKPASS_ENV[@]}"
assert_quiet "$ERR" "first login"
[ "$(secret_prompts)" = 1 ] || fail "first login: expected one PIN prompt"
[ -f "$UK_TICKET" ] || fail "no ticket after the PIN login"
[ "$(stat -c %a "$TICKETS")" = 700 ] || fail "ticket directory is not 0700"
[ "$(stat -c %a "$UK_TICKET")" = 600 ] || fail "ticket file is not 0600"
[ "$(stat -c %u "$UK_TICKET")" = "$(id -u)" ] || fail "ticket file not ours"
login_ok ssh-2 "$T/uk.pub" 0x01 "$T/uk" "${ASKPASS_ENV[@]}" SK_TPM_PRESENCE=assume
login_ok ssh-3 "$T/uk.pub" 0x01 "$T/uk" "${ASKPASS_ENV[@]}" SK_TPM_PRESENCE=assume
assert_quiet "$ERR" "login with the ticket"
[ "$(secret_prompts)" = 1 ] || fail "the window asked for the PIN again"
tpm_clean "after ticket logins"

say "the ticket carries no UV: sshd's verify-required refuses it"
authorize verify-required "$T/uk.pub"
: >"$ASKPASS_LOG"
login_refused ssh-uv "$T/uk" SK_TPM_PRESENCE=assume
assert_grep "$T/ssh-uv.sshd" 'user verification requirement not met|verify-required' \
    "sshd refused the signature for lack of UV"
authorize "" "$T/uk.pub"
tpm_clean "after the UV refusal"

say "ssh-agent: one PIN prompt for several signatures"
rm -f "$UK_TICKET"
agent_start unlock "${ASKPASS_ENV[@]}" SK_TPM_PRESENCE=assume \
    XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"
run add env SSH_AUTH_SOCK="$AGENT_SOCK" ssh-add -S "$LIB" "$T/uk"
expect_ok "ssh-add -S uk"
mkdir "$T/pub"
cp "$T/uk.pub" "$T/pub/"
: >"$ASKPASS_LOG"
login_ok agent-1 "$T/pub/uk.pub" 0x05 "$T/pub/uk.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
login_ok agent-2 "$T/pub/uk.pub" 0x01 "$T/pub/uk.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
login_ok agent-3 "$T/pub/uk.pub" 0x01 "$T/pub/uk.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
[ "$(secret_prompts)" = 1 ] ||
    fail "the agent asked for the PIN $(secret_prompts) times, expected once"
assert_quiet "$T/unlock.agent.err" "agent signing"
tpm_clean "after agent logins"

say "git commit -S through the agent, inside the window"
G=$T/repo
git init -q "$G"
printf '%s %s\n' "e2e@example.org" "$(cat "$T/uk.pub")" >"$T/allowed"
gitc() {
	run "git-$1" env -C "$G" SSH_AUTH_SOCK="$AGENT_SOCK" HOME="$T" \
	    GIT_CONFIG_NOSYSTEM=1 git -c user.name=e2e \
	    -c user.email=e2e@example.org -c gpg.format=ssh \
	    -c user.signingkey="$T/pub/uk.pub" \
	    -c gpg.ssh.allowedSignersFile="$T/allowed" "${@:2}"
}
for i in 1 2; do
	echo "$i" >"$G/f"
	gitc "add-$i" add f
	gitc "commit-$i" commit -q -S -m "signed $i"
	expect_ok "git commit -S ($i)"
	gitc "verify-$i" verify-commit HEAD
	expect_ok "git verify-commit ($i)"
	assert_grep "$ERR" 'Good "git" signature' "git verified commit $i"
done
[ "$(secret_prompts)" = 1 ] || fail "git commits asked for the PIN"

say "sk-tpm list shows the open window; sk-tpm lock closes it"
if [ -n "$CLI" ]; then
	run list "$CLI" list
	expect_ok "sk-tpm list"
	assert_grep "$OUT" "$(basename "$UK_TICKET" .ticket).*open until" \
	    "list shows the open window"
	run lock "$CLI" lock
	expect_ok "sk-tpm lock"
	[ ! -e "$UK_TICKET" ] || fail "sk-tpm lock left the ticket"
	: >"$ASKPASS_LOG"
	login_ok agent-lock "$T/pub/uk.pub" 0x05 "$T/pub/uk.pub" SSH_AUTH_SOCK="$AGENT_SOCK"
	[ "$(secret_prompts)" = 1 ] || fail "no PIN prompt after sk-tpm lock"
fi

# reopen: a PIN login that opens uk's window again (WINDOW optional).
reopen() {
	rm -f "$UK_TICKET"
	: >"$ASKPASS_LOG"
	login_ok "$1" "$T/uk.pub" 0x05 "$T/uk" "${ASKPASS_ENV[@]}" "${@:2}"
	[ -f "$UK_TICKET" ] || fail "$1: no ticket"
}
# closed NAME: the next login asks for the PIN once, and has it.
closed() {
	: >"$ASKPASS_LOG"
	login_ok "$1" "$T/uk.pub" 0x05 "$T/uk" "${ASKPASS_ENV[@]}"
	[ "$(secret_prompts)" = 1 ] || fail "$1: expected a PIN prompt"
	assert_quiet "$ERR" "$1"
}

say "SK_TPM_UNLOCK=off at signing: the PIN signs and opens no window"
rm -f "$UK_TICKET"
: >"$ASKPASS_LOG"
login_ok off-1 "$T/uk.pub" 0x05 "$T/uk" "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=off
[ ! -e "$UK_TICKET" ] || fail "SK_TPM_UNLOCK=off stored a ticket"
closed off-2

say "expiry: a 3 s window ends when TPM time passes it"
reopen open-short SK_TPM_UNLOCK=3s
now=$(date +%s)
start=$(tpm_time)
# A 3 s window (the end the ticket file keeps for display says so). No
# login inside it is tried here: a loaded machine could take longer than
# 3 s for one; windows that are open are shown above with 15 minutes.
end=$(od -An -tu8 --endian=big -j 59 -N 8 "$UK_TICKET" | tr -d ' ')
[ "$end" -le $((now + 3)) ] && [ "$end" -ge $((now - 60)) ] ||
    fail "the ticket's window is not 3 s (end $end, now $now)"
# The TPM counts the window from the policy session's start, which is
# before $start: wait, bounded, on the TPM's own time (swtpm's follows the
# host clock) until it is past.
for _ in $(seq 300); do
	[ "$(tpm_time)" -gt $((start + 4000)) ] && break
	sleep 0.1
done
[ "$(tpm_time)" -gt $((start + 4000)) ] || fail "TPM time did not advance"
[ -f "$UK_TICKET" ] || fail "the expired ticket went before it was tried"
closed after-expiry
tpm_clean "after expiry"

say "a TPM reset (simulator killed and started again) closes the window"
reopen open-reset
bash "$SWTPM_RESTART"
# Killed without TPM2_Shutdown, the simulator loses the Clock it had not
# yet saved to NV, which the signature counter follows.
LAST_COUNTER=0
closed after-reset

say "a TPM restart (Shutdown(STATE), _TPM_Init, Startup(CLEAR)) closes it"
reopen open-restart
tpm2_shutdown
swtpm_ioctl --tcp 127.0.0.1:$((SWTPM_PORT + 1)) -i
tpm2_startup -c
closed after-restart

say "a resume (Shutdown(STATE), _TPM_Init, Startup(STATE)) closes it"
reopen open-resume
tpm2_shutdown
swtpm_ioctl --tcp 127.0.0.1:$((SWTPM_PORT + 1)) -i
tpm2_startup
closed after-resume
tpm_clean "after the power events"

# refused NAME: with the ticket file as it is now, the login asks for the
# PIN, no DA try is spent on the ticket, and the file is replaced by a
# good one.
refused() {
	local before
	before=$(da_counter)
	closed "$1"
	[ "$(da_counter)" = "$before" ] ||
	    fail "$1: the ticket cost a dictionary-attack try"
}

say "a tampered ticket is refused without a DA try"
python3 - "$UK_TICKET" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-1] ^= 1
open(p, 'wb').write(b)
PY
refused tampered
say "a truncated ticket is refused"
head -c 40 "$UK_TICKET" >"$UK_TICKET.t" && mv "$UK_TICKET.t" "$UK_TICKET"
refused truncated
say "a foreign file is refused"
head -c 150 /dev/urandom >"$UK_TICKET"
refused foreign
say "another key's ticket is refused, even rewritten to name this key"
rm -f "$UK2_TICKET"
authorize "" "$T/uk2.pub"
: >"$ASKPASS_LOG"
login_ok open-uk2 "$T/uk2.pub" 0x05 "$T/uk2" "${ASKPASS_ENV[@]}"
authorize "" "$T/uk.pub"
cp "$UK2_TICKET" "$UK_TICKET"
refused other-key
# The other key's ticket with this key's policyRef and PIN object Name
# (the local check passes, the TPM's HMAC does not).
good=$(od -An -tx1 -v "$UK_TICKET" | tr -d ' \n')
python3 - "$UK2_TICKET" "$UK_TICKET" "$good" <<'PY'
import sys
src, dst, good = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
b = bytearray(open(src, 'rb').read())
b[9:59] = good[9:59]
open(dst, 'wb').write(b)
PY
refused other-key-renamed
tpm_clean "after refused tickets"

say "bound to PCR 8: both paths check the PCR"
tpm2_pcrextend "8:sha256=$(printf 'b2%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
enroll bk SK_TPM_PCRS=8 SK_TPM_UNLOCK=15m "${ASKPASS_ENV[@]}" -O verify-required
expect_ok "enroll bk"
assert_one_sk_line "$ERR" "enrollment names the binding" 'bound to PCR 8 \(sha256\)'
authorize "" "$T/bk.pub"
: >"$ASKPASS_LOG"
login_ok bk-pin "$T/bk.pub" 0x05 "$T/bk" "${ASKPASS_ENV[@]}"
login_ok bk-ticket "$T/bk.pub" 0x01 "$T/bk" SK_TPM_PRESENCE=assume
[ "$(secret_prompts)" = 1 ] || fail "the bound key asked for the PIN twice"
tpm2_pcrextend "8:sha256=$(printf 'c3%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
before=$(da_counter)
login_refused bk-ticket-changed "$T/bk" SK_TPM_PRESENCE=assume
assert_one_sk_line "$ERR" "ticket, PCR changed" 'platform state changed: PCR 8'
login_refused bk-pin-changed "$T/bk" "${ASKPASS_ENV[@]}"
assert_grep "$ERR" 'sk-tpm: the platform state changed: PCR 8' "PIN, PCR changed"
[ "$(da_counter)" = "$before" ] || fail "a changed PCR cost a DA try"
authorize "" "$T/uk.pub"
tpm_clean "after the bound key"

say "a wrong PIN is refused and counted"
rm -f "$UK_TICKET"
before=$(da_counter)
set_pin 1111
login_refused wrong-pin "$T/uk" "${ASKPASS_ENV[@]}"
[ "$(da_counter)" -gt "$before" ] || fail "the wrong PIN was not counted"
[ ! -e "$UK_TICKET" ] || fail "a wrong PIN opened a window"
set_pin 2580
tpm_clean "after the wrong PIN"

if [ -n "$CLI" ]; then
	say "a resident unlockable key: listed as such, its window named, brought back by -K"
	enroll_ok rk "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=15m -O verify-required \
	    -O resident -O application=ssh:unlock -O user=u21
	authorize "" "$T/rk.pub"
	: >"$ASKPASS_LOG"
	login_ok rk-pin "$T/rk.pub" 0x05 "$T/rk" "${ASKPASS_ENV[@]}"
	run list-rk "$CLI" list
	expect_ok "sk-tpm list"
	assert_grep "$OUT" '^0x01a5c5[0-9a-f]{2}  ssh:unlock  u21  pin  SHA256:.*  unlockable$' \
	    "list marks the resident key unlockable"
	assert_grep "$OUT" '^unlock window: [0-9a-f]{32} open until .*  0x01a5c5[0-9a-f]{2}  ssh:unlock  SHA256:' \
	    "list names the resident key of the window"
	download dl-rk "${ASKPASS_ENV[@]}"
	expect_ok "ssh-keygen -K"
	login_ok rk-downloaded "$T/rk.pub" 0x01 "$DL/id_ecdsa_sk_rk_unlock_u21" \
	    SK_TPM_PRESENCE=assume
	# One PIN for the login, one for ssh-keygen -K; none for the
	# downloaded key's login inside the window.
	[ "$(secret_prompts)" = 2 ] || fail "the resident key's window asked again"
	run lock-rk "$CLI" lock "$T/rk"
	expect_ok "sk-tpm lock rk"
	run list-rk2 "$CLI" list
	assert_no_grep "$OUT" 'ssh:unlock  SHA256' "the window of rk is closed"
	authorize "" "$T/uk.pub"
	tpm_clean "after the resident key"
fi

say "a symbolic link in place of the ticket is not followed"
ln -s "$T/elsewhere" "$UK_TICKET"
closed symlink
[ ! -e "$T/elsewhere" ] || fail "the ticket was written through a link"

say PASS
