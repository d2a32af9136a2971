#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm doctor's look at /dev/tpmrm0 when no SK_TPM_TCTI is set: owner,
# group and mode, whether the user can open it, membership of group tss,
# and the advice when access is denied. /dev is not touched: the tool is
# a test build (SK_TPM_DOCTOR_TEST) that examines the file named by
# SK_TPM_DOCTOR_TPMRM instead. The TPM itself is not reached through that
# file (the library still opens the real /dev/tpmrm0), so only the device
# lines are checked here.
#
# As root the checks run as user nobody (setpriv), with and without group
# tss; as another user, only what file modes allow (root ignores modes).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# A world-readable place for the stand-in and a copy of the tool, so that
# nobody can reach both whatever the build directory's permissions.
D=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-dev.XXXXXX")
trap 'rm -rf "$D"; cli_cleanup' EXIT
chmod 755 "$D"
cp "$SK" "$D/sk-tpm"
chmod 755 "$D/sk-tpm"
FAKE=$D/tpmrm0
FAKE_RE=$(re_quote "$FAKE")

# doctor_as NAME [setpriv args...]: the doctor without SK_TPM_TCTI looking
# at $FAKE, as the given user (setpriv) or as ourselves.
doctor_as() {
	local name=$1
	shift
	if [ $# -gt 0 ]; then
		run "$name" setpriv "$@" -- env -u SK_TPM_TCTI \
		    SK_TPM_DOCTOR_TPMRM="$FAKE" "$D/sk-tpm" doctor
	else
		run "$name" env -u SK_TPM_TCTI SK_TPM_DOCTOR_TPMRM="$FAKE" \
		    "$D/sk-tpm" doctor
	fi
	assert_grep "$OUT" "^\[info\] TPM: no SK_TPM_TCTI: trying $FAKE_RE, then tpm2-abrmd" \
	    "$name: the default path"
	# The stand-in is no TPM; whether a real one answers is the host's
	# business. A denied device fails the doctor unless tpm2-abrmd
	# served instead.
	if grep -q '^\[ok\]   TPM: reached through tabrmd$' "$OUT"; then
		DENIED_TAG='\[warn\]'
	else
		DENIED_TAG='\[FAIL\]'
	fi
}

# A denied device is a problem: status 1 (unless tpm2-abrmd served).
expect_denied_status() {
	if [ "$DENIED_TAG" = '\[FAIL\]' ]; then
		[ "$RC" = 1 ] || fail "a denied device must fail the doctor (status $RC)"
		grep -q '^sk-tpm: ' "$ERR" || fail "no 'sk-tpm:' line on stderr"
	fi
}

say "absent"
doctor_as absent
assert_grep "$OUT" "^\[info\] $FAKE_RE: absent" "a missing device is named"

: >"$FAKE"
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "$0: setpriv is not installed" >&2; exit 77; }
	getent group tss >/dev/null || { echo "$0: there is no group tss" >&2; exit 77; }
	nogroup=$(id -gn nobody)
	chown root:tss "$FAKE"
	chmod 0660 "$FAKE"

	say "root:tss 0660, user nobody outside group tss"
	doctor_as denied --reuid=nobody --regid="$nogroup" --clear-groups
	expect_denied_status
	assert_grep "$OUT" "^\[info\] $FAKE_RE: present, owner root, group tss, mode 0660\$" \
	    "owner, group and mode"
	assert_grep "$OUT" "^$DENIED_TAG $FAKE_RE: permission denied for nobody; add yourself to group tss \(sudo usermod -aG tss nobody\), then log in again\$" \
	    "the advice names group tss"
	assert_grep "$OUT" '^\[info\] group tss: nobody is not a member$' "group membership"

	say "root:tss 0660, user nobody in group tss"
	doctor_as allowed --reuid=nobody --regid="$nogroup" --groups=tss
	assert_grep "$OUT" "^\[ok\]   $FAKE_RE: nobody can open it\$" "nobody opens it"
	assert_grep "$OUT" '^\[ok\]   group tss: nobody is a member$' "group membership"
	assert_no_grep "$OUT" 'permission denied' "no advice when access works"

	say "root:tss 0600: the group may not use it either"
	chmod 0600 "$FAKE"
	doctor_as udev --reuid=nobody --regid="$nogroup" --groups=tss
	expect_denied_status
	assert_grep "$OUT" "^$DENIED_TAG $FAKE_RE: permission denied for nobody, and its group may not use it either; install the tpm2-tss udev rules" \
	    "the advice points at the udev rules"

	say "root"
	doctor_as root
	assert_grep "$OUT" "^\[ok\]   $FAKE_RE: root can open it\$" "root opens it"
	assert_grep "$OUT" '^\[(ok|info)\] +group tss: root ' "root and group tss"
else
	me=$(id -un)
	chmod 0600 "$FAKE"
	say "0600, our own"
	doctor_as own
	assert_grep "$OUT" "^\[ok\]   $FAKE_RE: $(re_quote "$me") can open it\$" "we open our own device"

	say "0000"
	chmod 0000 "$FAKE"
	doctor_as denied
	expect_denied_status
	assert_grep "$OUT" "^$DENIED_TAG $FAKE_RE: permission denied for $(re_quote "$me"), and its group may not use it either" \
	    "the advice for a device nobody may use"
fi

say PASS
