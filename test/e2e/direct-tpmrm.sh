#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A direct TPM that is named tpmrm0, as `docker run --device
# /dev/tpm0:/dev/tpmrm0` gives one to a container: the library must judge
# the device by what the kernel says it is (its sysfs class), not by its
# name, and keep flushing what each command loaded. Here the direct TPM is
# a pseudo-terminal relayed to swtpm (test/common/pty-relay.py: a character
# device that is no resource manager and keeps nothing per caller, as
# /dev/tpm0), bind-
# mounted onto a file named tpmrm0 in a private mount namespace. Judged by
# its name, the first signature left its objects loaded and the second
# failed with "out of object or session slots"; now every signature works
# and nothing stays loaded, through ssh-keygen -Y sign and ssh logins.
# shellcheck source=lib.sh disable=SC2015
. "$(dirname "$0")/lib.sh" "$@"
need_tools python3 unshare mount mountpoint tpm2_getcap

# Everything below runs in a mount namespace of its own (the bind mount
# must neither need nor touch the machine's /dev).
# In a chroot (as in CI's Debian roots) / is no mount point, and unshare
# cannot make it private ("cannot change root filesystem propagation");
# there the namespace keeps its propagation, which is safe because the
# chroot's own runner (.ci/debian-root.sh) already made every mount of its
# namespace private.
if [ -z "${SK_TPM_E2E_IN_NS:-}" ]; then
	prop=private
	mountpoint -q / || prop=unchanged
	ns=(unshare --mount --propagation "$prop")
	[ "$(id -u)" = 0 ] ||
	    ns=(unshare --map-root-user --mount --propagation "$prop")
	export SK_TPM_E2E_IN_NS=1
	# lib.sh's exit trap would remove $T under us: the child makes its own.
	trap - EXIT
	rm -rf "$T"
	exec "${ns[@]}" bash "$0" "$@"
fi

say "a pseudo-terminal relayed to swtpm, named tpmrm0"
python3 "$(dirname "$0")/../common/pty-relay.py" 127.0.0.1 "$SWTPM_PORT" \
    "$T/pty" 2>"$T/relay.err" &
DAEMONS+=("$!")
relay_up() { [ -s "$T/pty" ]; }
await relay_up || { ERR=$T/relay.err; fail "the relay did not start"; }
pty=$(cat "$T/pty")
mkdir "$T/dev"
: >"$T/dev/tpmrm0"
mount --bind "$pty" "$T/dev/tpmrm0" || fail "cannot bind-mount $pty"
# shellcheck disable=SC2317	# called by the trap
unmount_cleanup() {
	umount "$T/dev/tpmrm0" 2>/dev/null || true
	test_cleanup
}
trap unmount_cleanup EXIT
[ -c "$T/dev/tpmrm0" ] || fail "$T/dev/tpmrm0 is not a character device"
DEV=device:$T/dev/tpmrm0

say "enroll through it"
enroll_ok direct SK_TPM_TCTI="$DEV" SK_TPM_PRESENCE=assume -O no-touch-required
tpm_clean "after enrollment"

echo message >"$T/msg"
say "signature after signature: nothing stays loaded"
printf 'signer %s\n' "$(cat "$T/direct.pub")" >"$T/allowed"
for i in 1 2 3 4; do
	rm -f "$T/msg.sig"
	run "sign-$i" env SSH_SK_PROVIDER="$LIB" SK_TPM_TCTI="$DEV" \
	    SK_TPM_PRESENCE=assume ssh-keygen -Y sign -f "$T/direct" \
	    -n file "$T/msg"
	expect_ok "signature $i"
	RUN_STDIN=$T/msg run "verify-$i" ssh-keygen -Y verify -f "$T/allowed" \
	    -I signer -n file -s "$T/msg.sig"
	expect_ok "ssh-keygen -Y verify of signature $i"
	tpm_clean "after signature $i"
done

say "the library takes it as a direct TPM, not by its name"
rm -f "$T/msg.sig"
run sign-debug env SSH_SK_PROVIDER="$LIB" SK_TPM_TCTI="$DEV" \
    SK_TPM_PRESENCE=assume SK_TPM_DEBUG=1 \
    ssh-keygen -Y sign -f "$T/direct" -n file "$T/msg"
expect_ok "sign with SK_TPM_DEBUG"
# devpts terminals have no sysfs entry; a real /dev/tpm0 has class tpm.
assert_grep "$ERR" "tpmrm0: no /sys/dev/char/[0-9]+:[0-9]+/subsystem; taken as a direct TPM" \
    "the debug line says why it is taken as direct"
assert_no_grep "$ERR" 'a resource manager: it flushes on close' \
    "not taken as a resource manager"
tpm_clean "after the signature with debug lines"

say "ssh logins through it"
sshd_start
authorize no-touch-required "$T/direct.pub"
login_ok login-1 "$T/direct.pub" 0x00 "$T/direct" SK_TPM_TCTI="$DEV"
assert_quiet "$ERR" "login 1"
login_ok login-2 "$T/direct.pub" 0x00 "$T/direct" SK_TPM_TCTI="$DEV"
assert_quiet "$ERR" "login 2"
tpm_clean "after the logins"

say PASS
