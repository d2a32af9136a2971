#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm demo: make an ecdsa-sk SSH key whose private half lives in a TPM,
# then log in with it to a throwaway sshd on 127.0.0.1, showing each step.
#
#   contrib/demo.sh [--real-tpm] [--no-install]
#
# Run it from a checkout, as root or as a user who may sudo. It installs the
# Debian packages it needs (apt-get, only if some are missing), builds
# libsk-tpm.so into ./build, and uses a private TPM simulator (swtpm on a
# free loopback port, state in a temporary directory) so that nothing is
# left on a real TPM. --real-tpm uses the machine's TPM instead (SK_TPM_TCTI,
# or /dev/tpmrm0): the key still lives only in the key file, but the
# wrong-PIN step is skipped there because it would count against the TPM's
# dictionary-attack lockout. Everything the demo starts (swtpm, sshd) is
# stopped and its files removed on exit. Exits non-zero if any step fails.
# SK_TPM_DEMO_BUILD names another build directory than ./build.
# Works with or without a terminal: the PIN is supplied through SSH_ASKPASS.
set -euo pipefail

PIN=123456
WRONG_PIN=999999
STEPS=8
PACKAGES=(build-essential cmake pkg-config libtss2-dev libssl-dev libcbor-dev
    libcmocka-dev swtpm swtpm-tools tpm2-tools openssh-client openssh-server)
SSHD=/usr/sbin/sshd	# sshd re-executes itself: it needs its full path

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
ROOT=$(cd "$(dirname "$SELF")/.." && pwd)
BUILD=${SK_TPM_DEMO_BUILD:-$ROOT/build}	# where to build
LIB=$BUILD/sk/libsk-tpm.so

if [ -t 1 ]; then
	BOLD=$'\e[1m' DIM=$'\e[2m' OFF=$'\e[0m'
else
	BOLD='' DIM='' OFF=''
fi

step() {
	printf '\n%s==> [%s/%s] %s%s\n' "$BOLD" "$1" "$STEPS" "$2" "$OFF"
}

info() {
	printf '    %s\n' "$*"
}

# show [VAR=VALUE...] CMD ARGS...: print a command the way one would type it.
show() {
	local a line='   $'
	for a in "$@"; do
		line+=" $(printf '%q' "$a")"
	done
	printf '%s%s%s\n' "$DIM" "$line" "$OFF"
}

die() {
	printf '\n%sdemo FAILED: %s%s\n' "$BOLD" "$*" "$OFF" >&2
	exit 1
}

# ------------------------------------------------------------------------
# The second half runs with the TPM in place (inside test/with-swtpm.sh when
# using the simulator): enroll, sshd, login, wrong PIN.

inner() {
	local real=$1 port pid user handle flags usepam=no
	# Global: the EXIT trap uses it after this function has returned.
	W=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-demo.XXXXXX")
	chmod 700 "$W"
	SSHD_PID=
	# shellcheck disable=SC2317  # called through the trap
	cleanup_inner() {
		if [ -n "$SSHD_PID" ]; then
			kill "$SSHD_PID" 2>/dev/null || true
			wait "$SSHD_PID" 2>/dev/null || true
			info "stopped sshd (pid $SSHD_PID)"
		fi
		rm -rf "$W"
		info "removed $W"
	}
	trap 'printf "\n%s==> Cleaning up%s\n" "$BOLD" "$OFF"; cleanup_inner' EXIT
	trap 'exit 130' INT TERM

	# Nothing from the caller's session may steer OpenSSH or the library.
	unset SSH_AUTH_SOCK SSH_AGENT_PID SSH_SK_PROVIDER SSH_SK_HELPER \
	    SK_TPM_PRESENCE DISPLAY WAYLAND_DISPLAY
	if [ "$real" = 1 ]; then
		info "TPM: ${SK_TPM_TCTI:-the kernel resource manager /dev/tpmrm0}"
	else
		info "TPM: private swtpm at ${SK_TPM_TCTI#swtpm:}, state in $SWTPM_STATE"
		info "(the library is pointed at it by SK_TPM_TCTI=$SK_TPM_TCTI)"
	fi

	# The askpass helper answers OpenSSH's PIN prompts with the PIN in
	# $W/pin, says yes to confirmations and ignores notices; every prompt
	# is logged so the demo can show what was asked.
	cat >"$W/askpass" <<EOF
#!/bin/sh
case "\${SSH_ASKPASS_PROMPT:-}" in
none)	echo "notice: \$1" >>"$W/askpass.log"; exit 0 ;;
confirm) echo "confirm: \$1 -> yes" >>"$W/askpass.log"; exit 0 ;;
esac
echo "prompt: \$1 -> \$(cat "$W/pin")" >>"$W/askpass.log"
cat "$W/pin"
EOF
	chmod 700 "$W/askpass"
	printf '%s\n' "$PIN" >"$W/pin"
	: >"$W/askpass.log"
	export SSH_ASKPASS=$W/askpass SSH_ASKPASS_REQUIRE=force

	step 4 "Enroll a TPM-backed ecdsa-sk key with a PIN (-O verify-required)"
	info "PIN used by this demo: $PIN (typed by SSH_ASKPASS=$W/askpass)"
	show SSH_ASKPASS="$W/askpass" SSH_ASKPASS_REQUIRE=force \
	    ssh-keygen -t ecdsa-sk -w "$LIB" -O verify-required -N '' \
	    -C "sk-tpm demo" -f "$W/id_ecdsa_sk"
	timeout 120 ssh-keygen -t ecdsa-sk -w "$LIB" -O verify-required \
	    -N '' -C "sk-tpm demo" -f "$W/id_ecdsa_sk" </dev/null 2>&1 |
	    sed 's/^/    | /'
	[ "${PIPESTATUS[0]}" = 0 ] || die "ssh-keygen could not enroll the key"
	sed 's/^/    askpass /' "$W/askpass.log"
	: >"$W/askpass.log"

	step 5 "What was made"
	show cat "$W/id_ecdsa_sk.pub"
	sed 's/^/    /' "$W/id_ecdsa_sk.pub"
	show ssh-keygen -l -f "$W/id_ecdsa_sk.pub"
	ssh-keygen -l -f "$W/id_ecdsa_sk.pub" | sed 's/^/    /'
	read -r flags handle < <(key_handle_info "$W/id_ecdsa_sk") ||
	    die "could not read the key file"
	info "key file: flags 0x$(printf '%02x' "$flags") (user presence + PIN),"
	info "key handle $handle bytes: the key's TPM2B_PUBLIC and TPM2B_PRIVATE"
	info "(the private half wrapped by this TPM's storage key, useless"
	info "elsewhere), the storage key's name and the key's flags, in CBOR."

	step 6 "Start a throwaway sshd on 127.0.0.1 that demands the PIN"
	user=$(id -un)
	printf 'verify-required %s\n' "$(cat "$W/id_ecdsa_sk.pub")" \
	    >"$W/authorized_keys"
	ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$W/host_key" ||
	    die "could not make a host key"
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		# sshd as root needs its privilege-separation directory, which
		# a container that never booted the service lacks.
		show mkdir -m 0755 /run/sshd
		mkdir -m 0755 /run/sshd
	fi
	# With UsePAM no, sshd treats an account whose password field
	# starts with "!" as locked, even for key logins; let PAM decide.
	if getent shadow "$user" 2>/dev/null | cut -d: -f2 | grep -q '^!' &&
	    [ -f /etc/pam.d/sshd ]; then
		usepam=yes
		info "note: the password of $user is locked (\"!\"), so sshd uses PAM"
	fi
	for _ in $(seq 20); do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		case $port in 2321|2322) continue ;; esac
		! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue
		cat >"$W/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $W/host_key
PidFile $W/sshd.pid
AuthorizedKeysFile $W/authorized_keys
AuthorizedPrincipalsFile none
StrictModes no
UsePAM $usepam
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PrintMotd no
LogLevel VERBOSE
EOF
		: >"$W/sshd.log"
		"$SSHD" -t -f "$W/sshd_config" || die "sshd rejects its configuration"
		"$SSHD" -D -f "$W/sshd_config" -E "$W/sshd.log" </dev/null &
		pid=$!
		for _ in $(seq 100); do
			grep -q "Server listening on 127.0.0.1 port $port" \
			    "$W/sshd.log" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if grep -q "Server listening on 127.0.0.1 port $port" \
		    "$W/sshd.log"; then
			SSHD_PID=$pid
			break
		fi
		kill "$pid" 2>/dev/null || true	# lost a race for the port
		wait "$pid" 2>/dev/null || true
	done
	[ -n "$SSHD_PID" ] || { tail -n 5 "$W/sshd.log" >&2; die "sshd did not start"; }
	show "$SSHD" -D -f "$W/sshd_config" -E "$W/sshd.log"
	info "sshd (pid $SSHD_PID) listens on 127.0.0.1:$port; authorized_keys:"
	sed 's/^/      /' "$W/authorized_keys"
	printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$W/host_key.pub")" \
	    >"$W/known_hosts"

	SSH=(ssh -F /dev/null -n -p "$port" -i "$W/id_ecdsa_sk"
	    -o SecurityKeyProvider="$LIB" -o IdentitiesOnly=yes
	    -o IdentityAgent=none -o UserKnownHostsFile="$W/known_hosts"
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
	    -o PreferredAuthentications=publickey -o PasswordAuthentication=no
	    -o KbdInteractiveAuthentication=no -o ConnectTimeout=30
	    -o LogLevel=ERROR "$user@127.0.0.1")
	# Expanded by the remote shell, hence the single quotes.
	# shellcheck disable=SC2016
	REMOTE='echo "hello from $(uname -n) via a TPM-backed key"'

	step 7 "Log in with the TPM-backed key (right PIN)"
	show SSH_ASKPASS="$W/askpass" SSH_ASKPASS_REQUIRE=force "${SSH[@]}" "$REMOTE"
	if ! timeout 120 "${SSH[@]}" "$REMOTE" >"$W/login.out" 2>"$W/login.err"; then
		sed 's/^/    ssh: /' "$W/login.err" >&2
		tail -n 10 "$W/sshd.log" | sed 's/^/    sshd: /' >&2
		die "the login with the right PIN failed"
	fi
	sed 's/^/    askpass /' "$W/askpass.log"
	: >"$W/askpass.log"
	sed 's/^/    remote output: /' "$W/login.out"
	grep -q '^hello from .* via a TPM-backed key$' "$W/login.out" ||
	    die "the remote command did not run"
	grep 'Accepted publickey' "$W/sshd.log" | sed 's/^/    sshd: /'

	step 8 "A wrong PIN is refused by the TPM"
	if [ "$real" = 1 ]; then
		info "skipped with --real-tpm: a wrong PIN counts against the"
		info "TPM's dictionary-attack lockout."
		return 0
	fi
	printf '%s\n' "$WRONG_PIN" >"$W/pin"
	info "the askpass helper now answers $WRONG_PIN"
	show SSH_ASKPASS="$W/askpass" SSH_ASKPASS_REQUIRE=force "${SSH[@]}" "$REMOTE"
	if timeout 120 "${SSH[@]}" "$REMOTE" >"$W/wrong.out" 2>"$W/wrong.err"; then
		die "the login with a wrong PIN succeeded"
	fi
	sed 's/^/    askpass /' "$W/askpass.log"
	sed 's/^/    ssh said: /' "$W/wrong.err"
	grep -q '^sk-tpm: wrong PIN' "$W/wrong.err" ||
	    die "the library did not explain the refusal"
	info "refused as expected: the TPM itself checked the PIN-derived auth"
	info "value and counted the failure towards its lockout."
}

# key_handle_info FILE: print "FLAGS HANDLE-LENGTH" of an unencrypted
# OpenSSH sk-ecdsa private key file (PROTOCOL.key and PROTOCOL.u2f layout).
key_handle_info() {
	local hex off=15 n	# skip the magic "openssh-key-v1\0"
	hex=$(sed -e '1d' -e '$d' "$1" | tr -d '\n' | base64 -d |
	    od -An -v -tx1 | tr -d ' \n')
	skip_string() {
		n=$((16#${hex:$((off * 2)):8}))
		off=$((off + 4 + n))
	}
	skip_string; skip_string; skip_string	# cipher, KDF, KDF options
	off=$((off + 4))			# number of keys
	skip_string				# public key
	off=$((off + 4 + 8))			# private section length, check words
	skip_string; skip_string		# key type, curve
	skip_string; skip_string		# public point, application
	printf '%d %d\n' "$((16#${hex:$((off * 2)):2}))" \
	    "$((16#${hex:$((off * 2 + 2)):8}))"
}

# ------------------------------------------------------------------------

install_packages() {
	local missing=() p sudo=()
	step 1 "Install what the demo needs (Debian packages)"
	if ! command -v dpkg-query >/dev/null; then
		info "not a Debian system: skipping; needed: ${PACKAGES[*]}"
		return 0
	fi
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ]; then
		info "all installed: ${PACKAGES[*]}"
		return 0
	fi
	info "missing: ${missing[*]}"
	if [ "$NO_INSTALL" = 1 ]; then
		die "--no-install given; install them with: apt-get install ${missing[*]}"
	fi
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null ||
		    die "not root and no sudo; as root run: apt-get install ${missing[*]}"
		sudo=(sudo)
	fi
	show "${sudo[@]}" apt-get update
	"${sudo[@]}" apt-get update -q || die "apt-get update failed"
	show "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    --no-install-recommends "${missing[@]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "${missing[@]}" </dev/null ||
	    die "apt-get install failed"
}

build() {
	local log
	step 2 "Build libsk-tpm.so"
	log=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-demo-build.XXXXXX")
	show cmake -S "$ROOT" -B "$BUILD"
	if ! cmake -S "$ROOT" -B "$BUILD" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		rm -f "$log"
		die "cmake could not configure the build"
	fi
	show cmake --build "$BUILD" -j"$(nproc)"
	if ! cmake --build "$BUILD" -j"$(nproc)" >"$log" 2>&1; then
		grep -E -B2 -A5 'error|Error' "$log" | tail -n 40 >&2
		rm -f "$log"
		die "the build failed"
	fi
	rm -f "$log"
	[ -f "$LIB" ] || die "the build did not produce $LIB"
	info "built $LIB"
}

main() {
	local real=0 arg srk=() testutil status
	NO_INSTALL=0
	for arg in "$@"; do
		case "$arg" in
		--real-tpm) real=1 ;;
		--no-install) NO_INSTALL=1 ;;
		--inner-swtpm) inner 0; return ;;
		-h|--help) sed -n '2,17p' "$SELF" | sed 's/^# \{0,1\}//'; return 0 ;;
		*) die "unknown option $arg (try --help)" ;;
		esac
	done
	if [ ! -f "$ROOT/CMakeLists.txt" ] || [ ! -d "$ROOT/sk" ]; then
		die "run the demo from a sk-tpm checkout (contrib/demo.sh)"
	fi

	install_packages
	build

	if [ "$real" = 1 ]; then
		step 3 "Use this machine's TPM (--real-tpm)"
		if [ -z "${SK_TPM_TCTI:-}" ] &&
		    ! { [ -r /dev/tpmrm0 ] && [ -w /dev/tpmrm0 ]; }; then
			die "/dev/tpmrm0 is missing or not accessible (add yourself to the tss group: sudo usermod -aG tss \$USER, then log in again)"
		fi
		inner 1
		return
	fi

	step 3 "Start a private TPM simulator (swtpm)"
	# The standard SRK is persisted by the test helper the build made; if
	# it is not there the library derives the SRK itself on each use.
	testutil=$(find "$BUILD" -type f -name sk-tpm-testutil -perm -u+x 2>/dev/null | head -n 1)
	if [ -n "$testutil" ]; then
		srk=(--srk)
		export SK_TPM_TESTUTIL=$testutil
		info "with the standard storage key persisted at 0x81000001"
	fi
	show bash "$ROOT/test/with-swtpm.sh" "${srk[@]}" -- "$SELF" --inner-swtpm
	status=0
	bash "$ROOT/test/with-swtpm.sh" "${srk[@]}" -- bash "$SELF" --inner-swtpm ||
	    status=$?
	info "stopped swtpm and removed its state"
	if [ "$status" = 77 ]; then
		die "swtpm or tpm2-tools is missing"
	elif [ "$status" != 0 ]; then
		exit "$status"
	fi
	printf '\n%sDemo complete: the key enrolled with ssh-keygen logged in through ssh, and the TPM refused a wrong PIN.%s\n' \
	    "$BOLD" "$OFF"
}

main "$@"
