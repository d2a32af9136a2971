#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Resident enrollments at the same time through tpm2-abrmd: real ssh-keygen
# (and its ssh-sk-helper) enrolling -O resident keys in parallel, some for
# the same (application, user) pair, some for pairs of their own, and then
# parallel overwrites of one pair. After every phase the records in NV must
# be exactly the expected set:
#   - every enrollment of a pair of its own succeeded and its record holds
#     its key (none lost to a slot another process took at the same time);
#   - a pair enrolled by several processes at once has exactly one record,
#     holding the key of one of the enrollments that reported success
#     (at least one did); the others failed cleanly and wrote no key file;
#   - the same after parallel overwrites ("y" to ssh-keygen's question);
#   - no unwritten, undecodable or foreign index, nothing left loaded.
#
#   with-swtpm.sh --srk -- bash abrmd.sh bash par-resident.sh /abs/libsk-tpm.so
#
# PAR_RESIDENT (processes per group, default 4) and PAR_ROUNDS (default 3).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh disable=SC2015
. "$(dirname "$0")/../e2e/lib.sh" "$@"

: "${DBUS_SESSION_BUS_ADDRESS:?run me through test/fault/abrmd.sh}"
case "$SK_TPM_TCTI" in
tabrmd*) ;;
*) fail "SK_TPM_TCTI=$SK_TPM_TCTI: run me through test/fault/abrmd.sh" ;;
esac
K=${PAR_RESIDENT:-4}
ROUNDS=${PAR_ROUNDS:-3}
RES=(-O resident -O no-touch-required -O application=ssh:par)
printf 'n\n' >"$T/answer-n"
printf 'y\n' >"$T/answer-y"

# Users whose record must exist, and the key file each must hold.
declare -A WANT=()
# The same-pair groups: USER -> the names of its enrollments.
declare -A GROUP=()

# start NAME USER ANSWER: one ssh-keygen enrollment in the background.
pids=()
start() {
	local name=$1 user=$2 answer=$3
	( RUN_STDIN=$T/answer-$answer run "enroll-$name" ssh-keygen \
	      -t ecdsa-sk -w "$LIB" -N '' -C "par-$name" -f "$T/$name" \
	      "${RES[@]}" -O user="$user"
	  echo "$RC" >"$T/$name.rc" ) &
	pids+=("$!")
}

wait_all() {
	local p
	for p in "${pids[@]}"; do wait "$p" || true; done
	pids=()
}

# ok NAME: whether enrollment NAME succeeded (and wrote its key files).
ok() {
	[ -s "$T/$1.rc" ] || fail "enrollment $1: timed out"
	[ "$(cat "$T/$1.rc")" = 0 ] || return 1
	[ -s "$T/$1" ] && [ -s "$T/$1.pub" ] ||
	    fail "enrollment $1 succeeded but wrote no key files"
	return 0
}

# check WHAT: NV holds exactly the records of WANT and GROUP.
check() {
	local what=$1 user name got want n winners
	tpm_clean "$what"
	n=$(( ${#WANT[@]} + ${#GROUP[@]} ))
	[ "$(nv_records)" = "$n" ] ||
	    fail "$what: NV holds $(nv_records) records, expected $n"
	download "dl-$what"
	expect_ok "ssh-keygen -K $what"
	[ "$(grep -c '^Saved ECDSA-SK key' "$OUT")" = "$n" ] ||
	    fail "$what: ssh-keygen -K saved $(grep -c '^Saved ECDSA-SK key' "$OUT") keys, expected $n"
	want=$(for user in "${!WANT[@]}" "${!GROUP[@]}"; do
		printf 'id_ecdsa_sk_rk_par_%s\nid_ecdsa_sk_rk_par_%s.pub\n' "$user" "$user"
	    done | LC_ALL=C sort | paste -sd' ' -)
	got=$(dir_files "$DL")
	[ "$got" = "$want" ] || fail "$what: ssh-keygen -K wrote '$got', expected '$want'"
	for user in "${!WANT[@]}"; do
		[ "$(pubkey "$DL/id_ecdsa_sk_rk_par_$user.pub")" = \
		    "$(pubkey "$T/${WANT[$user]}.pub")" ] ||
		    fail "$what: the record for $user holds another key"
	done
	for user in "${!GROUP[@]}"; do
		winners=0
		for name in ${GROUP[$user]}; do
			ok "$name" || continue
			[ "$(pubkey "$DL/id_ecdsa_sk_rk_par_$user.pub")" = \
			    "$(pubkey "$T/$name.pub")" ] &&
			    winners=$((winners + 1))
		done
		[ "$winners" = 1 ] || fail "$what: the record for $user holds" \
		    "the key of $winners successful enrollments, expected 1"
	done
	tpm_clean "after ssh-keygen -K $what"
}

# report NAME...: how many of the enrollments succeeded.
report() {
	local name n=0 f=0
	for name in "$@"; do
		if ok "$name"; then
			n=$((n + 1))
		else
			f=$((f + 1))
			[ ! -e "$T/$name" ] || fail "failed enrollment $name left a key file"
			# Lost to a concurrent enrollment of the pair: told
			# that the credential exists (ssh-keygen's question,
			# answered "n"), or, already forcing, one clear line.
			grep -q "already exists" "$T/enroll-$name.out" ||
			    fail "failed enrollment $name: no 'already exists'"
			grep -q 'Key enrollment failed: bad permissions' \
			    "$T/enroll-$name.err" ||
			    grep -Eq '^sk-tpm: a concurrent enrollment of the same application and user replaced this one' \
			    "$T/enroll-$name.err" ||
			    fail "failed enrollment $name: $(cat "$T/enroll-$name.err")"
			[ "$(grep -c '^sk-tpm:' "$T/enroll-$name.err")" -le 1 ] ||
			    fail "failed enrollment $name: more than one line"
		fi
	done
	echo "$n ok, $f failed"
}

for r in $(seq "$ROUNDS"); do
	say "round $r: $K enrollments of (ssh:par, s$r) and $K of pairs" \
	    "of their own, all at once"
	same=() own=()
	for i in $(seq "$K"); do
		start "s$r-$i" "s$r" n
		same+=("s$r-$i")
		start "d$r-$i" "d$r-$i" n
		own+=("d$r-$i")
	done
	wait_all
	for name in "${own[@]}"; do
		ok "$name" || fail "enrollment $name of a pair of its own failed:
$(cat "$T/enroll-$name.err")"
		WANT[${name}]=$name
	done
	GROUP[s$r]="${same[*]}"
	say "  same pair: $(report "${same[@]}"); own pairs: $(report "${own[@]}")"
	check "round$r-new"

	say "round $r: $K overwrites of (ssh:par, s$r) and $K new pairs at once"
	same=() own=()
	for i in $(seq "$K"); do
		start "o$r-$i" "s$r" y
		same+=("o$r-$i")
		start "e$r-$i" "e$r-$i" n
		own+=("e$r-$i")
	done
	wait_all
	for name in "${own[@]}"; do
		ok "$name" || fail "enrollment $name of a pair of its own failed:
$(cat "$T/enroll-$name.err")"
		WANT[${name}]=$name
	done
	GROUP[s$r]="${same[*]}"
	say "  overwrites: $(report "${same[@]}"); own pairs: $(report "${own[@]}")"
	check "round$r-overwrite"
done

say "parallel resident enrollments through tpm2-abrmd: $ROUNDS rounds of" \
    "$((4 * K)) enrollments, NV holds exactly the expected" \
    "$(( ${#WANT[@]} + ${#GROUP[@]} )) records"
say PASS
