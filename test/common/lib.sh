# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2015,SC2034
# The one shell library of the test scripts: messages and assertions, a
# private work directory, command runs without a terminal, daemons stopped
# on exit, free ports on 127.0.0.1, and the daemons the tests start:
# swtpm, dbus-daemon with tpm2-abrmd, and sshd (set up for the OpenSSH
# that is installed: 9.2 or 10.x paths and defaults). Sourced by
# test/with-swtpm.sh, test/fault/abrmd.sh, test/e2e/lib.sh and
# test/cli/lib.sh (which every end-to-end, command-line and fault shell
# test sources); it only defines functions and variables:
#
#	. "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
#
# TEST_NAME prefixes messages (default: the script's name); TEST_TIMEOUT
# bounds each command (default 60 s).

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_TIMEOUT=${TEST_TIMEOUT:-60}

# --- messages and assertions ----------------------------------------------

say() {
	printf '[%s] %s\n' "$TEST_NAME" "$*"
}

# fail MSG: print MSG, the output of the last command run (OUT, ERR) and
# the end of the sshd log if there is one, then exit 1.
fail() {
	local f
	printf '[%s] FAIL: %s\n' "$TEST_NAME" "$*" >&2
	for f in "${OUT:-}" "${ERR:-}"; do
		[ -n "$f" ] && [ -s "$f" ] || continue
		printf -- '--- %s\n' "$(basename "$f")" >&2
		sed 's/^/    /' "$f" >&2
	done
	if [ -n "${SSHD_LOG:-}" ] && [ -s "$SSHD_LOG" ]; then
		printf -- '--- sshd log (last 40 lines)\n' >&2
		tail -n 40 "$SSHD_LOG" | sed 's/^/    /' >&2
	fi
	exit 1
}

# need_tools TOOL...: exit 77 (ctest: skipped) naming the first missing one.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "$0: $tool is not installed" >&2; exit 77; }
	done
}

# assert_grep FILE ERE WHAT / assert_no_grep FILE ERE WHAT
assert_grep() {
	grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in $(basename "$1")"
}

assert_no_grep() {
	! grep -Eq -- "$2" "$1" || fail "$3: unexpected line matching /$2/ in $(basename "$1")"
}

# re_quote TEXT: TEXT as an ERE matching itself (base64 fingerprints hold
# '+' and '/').
re_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# flip_byte FILE OFFSET: invert every bit of the byte at OFFSET in place.
# Writing a fixed value instead changes nothing when the byte already holds
# it (one time in 256), which made a "refused: altered" test pass its
# altered file to the TPM unaltered.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || fail "flip_byte: no byte at $2 in $1"
	# shellcheck disable=SC2059	# the format is the byte
	printf "\\$(printf %03o $((b ^ 0xff)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fingerprint KEY.pub: SHA256:... as ssh-keygen -l prints it.
fingerprint() {
	ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'
}

# --- work directory, commands, daemons --------------------------------------

DAEMONS=()

# daemons_stop: TERM every pid in DAEMONS, wait up to 5 s for each, then
# KILL what is left.
daemons_stop() {
	local p
	for p in "${DAEMONS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${DAEMONS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
}

# test_workdir KIND KEEP: make the private directory $T
# (sk-tpm-KIND.XXXXXX) with $HOME inside it, so that ssh and ssh-keygen
# never read or write the real ~/.ssh; on exit stop DAEMONS and remove $T
# unless KEEP is 1.
test_workdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-$1.XXXXXX")
	chmod 700 "$T"
	TEST_KEEP=$2
	export HOME=$T/home
	mkdir -m 700 "$HOME"
	trap test_cleanup EXIT
	trap 'exit 1' INT TERM
}

# shellcheck disable=SC2317	# called by the trap
test_cleanup() {
	daemons_stop
	if [ "${TEST_KEEP:-0}" = 1 ]; then
		echo "[$TEST_NAME] kept $T" >&2
	else
		rm -rf "$T"
	fi
}

# run NAME CMD...: run CMD without a controlling terminal (setsid) and
# under `timeout`, so that a prompt nobody answers fails the test instead
# of hanging it; its output goes to $T/NAME.out and $T/NAME.err (also in
# $OUT and $ERR) and its exit status to $RC. Fails only on a time-out. Its
# stdin is /dev/null, or the file named by RUN_STDIN (`RUN_STDIN=f run
# ...`).
run() {
	local name=$1
	shift
	OUT=$T/$name.out
	ERR=$T/$name.err
	RC=0
	setsid -w timeout "$TEST_TIMEOUT" "$@" <"${RUN_STDIN:-/dev/null}" \
	    >"$OUT" 2>"$ERR" || RC=$?
	[ "$RC" != 124 ] || fail "$name: timed out after ${TEST_TIMEOUT}s: $*"
}

# await CMD...: run CMD every 0.1 s until it succeeds, for at most
# TEST_TIMEOUT seconds; status 1 if it never does. Readiness is waited for
# by time, not by a count of tries: on a loaded machine fifty tries of
# "sleep 0.1" take what they take, and a daemon may need longer to start.
await() {
	local deadline=$((SECONDS + TEST_TIMEOUT))
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# listening_or_dead PID PORT: PID has ended, or somebody listens on PORT
# (either ends swtpm_start's wait; port_held_by then says whose it is).
listening_or_dead() {
	! kill -0 "$1" 2>/dev/null || ! port_free "$2"
}

# socket_or_dead SOCKET PID: SOCKET exists, or PID (which is to make it)
# has ended.
socket_or_dead() {
	[ -S "$1" ] || ! kill -0 "$2" 2>/dev/null
}

# --- ports -------------------------------------------------------------------

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port [N]: print a port P on 127.0.0.1 such that nobody listens on
# P..P+N-1 (N defaults to 1), never 2321 or 2322, where other people's
# simulators live. Returns 1 after 100 tries, with a message. P is below
# the kernel's ephemeral range (ip_local_port_range): the tests' clients
# open thousands of connections, and a client's local port (or its
# TIME_WAIT) on P would make the server's bind fail with "Address already
# in use".
free_port() {
	local n=${1:-1} p i ok lo=32768 span
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
		lo=32768
	span=$(( lo - 10000 - n ))
	[ "$span" -gt 1000 ] || span=20000
	for _ in $(seq 100); do
		p=$(( 10000 + (RANDOM * 32768 + RANDOM) % span ))
		[ "$p" != 2321 ] && [ "$p" != 2322 ] || continue
		ok=1
		for ((i = 0; i < n; i++)); do
			port_free $((p + i)) || { ok=0; break; }
		done
		if [ "$ok" = 1 ]; then
			echo "$p"
			return 0
		fi
	done
	echo "$0: no free port found on 127.0.0.1" >&2
	return 1
}

# port_held_by PORT PID: PID holds the socket listening on 127.0.0.1:PORT
# (its inode in /proc/net/tcp, state 0A, is among PID's descriptors). A
# port seen busy after starting a server is not proof that the server got
# it: another test may have bound it between free_port and the server's
# bind, and the server then died of EADDRINUSE.
port_held_by() {
	local hex inode
	hex=$(printf '%04X' "$1")
	inode=$(awk -v a="0100007F:$hex" '$2 == a && $4 == "0A" { print $10; exit }' \
	    /proc/net/tcp 2>/dev/null)
	[ -n "$inode" ] && [ "$inode" != 0 ] || return 1
	find "/proc/$2/fd" -lname "socket:\[$inode\]" 2>/dev/null | grep -q .
}

# closed_port: a port P on 127.0.0.1 nobody listens on, nor on P+1 (a
# swtpm TCTI there finds neither its server nor its control port). It is
# taken from 5000-9998, below free_port's range, so that no server of
# another test started meanwhile can be given it (a free port chosen now
# and expected to stay closed raced free_port's callers).
closed_port() {
	local p
	for _ in $(seq 100); do
		p=$(( 5000 + RANDOM % 4998 ))
		port_free "$p" && port_free $((p + 1)) && { echo "$p"; return 0; }
	done
	echo "$0: no closed port found on 127.0.0.1" >&2
	return 1
}

# --- swtpm ---------------------------------------------------------------

# swtpm_start DIR: start a swtpm with state in DIR on a free port P (its
# control port P+1) of 127.0.0.1, logging to DIR/swtpm.log; print
# "PORT PID" once it listens. The caller stops it.
swtpm_start() {
	local dir=$1 port pid
	mkdir -p "$dir"
	for _ in $(seq 30); do
		port=$(free_port 2) || continue
		swtpm socket --tpm2 --tpmstate dir="$dir" \
			--server type=tcp,port="$port",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear \
			--log file="$dir/swtpm.log" >/dev/null 2>&1 &
		pid=$!
		await listening_or_dead "$pid" "$port" || true
		if [ -n "$pid" ] && port_held_by "$port" "$pid" &&
		    port_held_by $((port + 1)) "$pid"; then
			echo "$port $pid"
			return 0
		fi
		# Someone else took the port (or swtpm failed): try another.
		[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	done
	echo "$0: could not start swtpm" >&2
	return 1
}

# --- tpm2-abrmd --------------------------------------------------------------

# abrmd_start DIR SWTPM-PORT: a private D-Bus session bus (socket DIR/bus;
# dbus-daemon's session policy lets anyone on it own a name) and
# tpm2-abrmd on it in front of the swtpm at SWTPM-PORT, logs in DIR/*.log,
# both added to DAEMONS. Exports DBUS_SESSION_BUS_ADDRESS; sets ABRMD_PID
# and ABRMD_TCTI (tabrmd:bus_type=session). ABRMD_TCTI_WRAPPER, when set,
# is the path of a TCTI module of ours that the broker reaches swtpm
# through (the latency model's). Returns 1, with a
# message, if either does not come up.
abrmd_start() {
	local dir=$1 port=$2
	dbus-daemon --session --nofork --nopidfile --address="unix:path=$dir/bus" \
		</dev/null >"$dir/dbus.log" 2>&1 &
	DAEMONS+=("$!")
	await test -S "$dir/bus" || true
	[ -S "$dir/bus" ] || { echo "$0: dbus-daemon did not start" >&2; return 1; }
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"

	# --flush-all starts the broker from an empty TPM; --allow-root because
	# CI runs as root.
	tpm2-abrmd --session --allow-root --flush-all --logger=stdout \
		--tcti="${ABRMD_TCTI_WRAPPER:+$ABRMD_TCTI_WRAPPER:}swtpm:host=127.0.0.1,port=$port" \
		</dev/null >"$dir/abrmd.log" 2>&1 &
	ABRMD_PID=$!
	DAEMONS+=("$ABRMD_PID")
	ABRMD_TCTI=tabrmd:bus_type=session
	for _ in $(seq 100); do
		if TSS2_LOG=all+NONE timeout 10 tpm2_getcap -T "$ABRMD_TCTI" \
		    properties-fixed >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$ABRMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "$0: tpm2-abrmd did not come up" >&2
	return 1
}

# --- sshd ----------------------------------------------------------------

SSHD=/usr/sbin/sshd	# sshd re-executes itself, so it needs its full path
AUTH_KEYS=
SSHD_LOG=
SSHD_PORT=
SSHD_PID=
# What a test may add to sshd_start's sshd: lines for its configuration
# (SSHD_EXTRA_CONFIG, e.g. a second HostKey), assignments for its
# environment (SSHD_ENV, an array of VAR=VALUE, which its ssh-sk-helper
# inherits), the file its stderr goes to (SSHD_STDERR: a provider's error
# line lands there, not in the -E log), and SSHD_KEEP_HOST_KEY=1 to keep
# the ed25519 host key of the previous start (a restart with the same
# identity).
SSHD_EXTRA_CONFIG=
SSHD_ENV=()
SSHD_STDERR=
SSHD_KEEP_HOST_KEY=0

# sshd_probe: what this sshd does with a configuration that names only a
# host key, as `sshd -T` prints it (lower-case keywords), in SSHD_DEFAULTS;
# exit 77 unless sshd is installed and complete. OpenSSH 9.8 split sshd
# into a listener that executes sshd-session for every connection (and
# 10.0 added sshd-auth); Debian keeps them in /usr/lib/openssh, other
# systems elsewhere. Their paths are what sshd -T reports (SshdSessionPath,
# SshdAuthPath), not guessed; an older sshd reports neither. Needs $T.
sshd_probe() {
	local key path
	[ -x "$SSHD" ] || { echo "$0: $SSHD is not installed" >&2; exit 77; }
	[ -s "$T/ssh_host_ed25519_key" ] ||
	    ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$T/ssh_host_ed25519_key" ||
	    fail "could not make an sshd host key"
	printf 'HostKey %s\n' "$T/ssh_host_ed25519_key" >"$T/sshd_probe_config"
	SSHD_DEFAULTS=$("$SSHD" -T -f "$T/sshd_probe_config") ||
	    fail "sshd -T fails on a configuration with only a host key"
	for key in sshdsessionpath sshdauthpath; do
		path=$(sshd_default "$key")
		[ -z "$path" ] || [ -x "$path" ] || {
			echo "$0: $SSHD needs $path, which is missing" >&2
			exit 77
		}
	done
}

# sshd_default KEYWORD: its value in SSHD_DEFAULTS (see sshd_probe), or
# nothing if this sshd does not know it. Keywords match in any case: sshd
# -T prints them in lower case up to OpenSSH 10.0, as spelt in
# sshd_config (PerSourcePenalties) from 10.6 on.
sshd_default() {
	awk -v k="$1" 'tolower($1) == tolower(k) { $1 = ""; sub(/^ /, ""); print; exit }' \
	    <<<"$SSHD_DEFAULTS"
}

# sshd_up_or_dead PID: the sshd PID has logged that it listens, or has
# ended (sshd_start's wait).
sshd_up_or_dead() {
	grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" "$SSHD_LOG" ||
	    ! kill -0 "$1" 2>/dev/null
}

# sshd_start: sshd on a free port of 127.0.0.1 with a fresh host key, public
# keys only (authorized_keys: $AUTH_KEYS, see authorize), DEBUG1 logging to
# $SSHD_LOG; sets SSHD_PORT and adds sshd to DAEMONS. Needs $T.
# OpenSSH 9.8 and later penalise a source address whose logins fail
# (PerSourcePenalties, on by default): after the deliberate failures of a
# test, sshd would drop its next connections before any key reached the
# library. Where this sshd knows the option (sshd -T lists it), it is off.
sshd_start() {
	local cfg=$T/sshd_config pid extra=
	[ "$SSHD_KEEP_HOST_KEY" = 1 ] ||
	    rm -f "$T/ssh_host_ed25519_key" "$T/ssh_host_ed25519_key.pub"
	sshd_probe
	AUTH_KEYS=${AUTH_KEYS:-$T/authorized_keys}
	: >"$AUTH_KEYS"
	# sshd run as root insists on its privilege-separation directory; a
	# fresh container may lack it (the Debian package creates it at boot).
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd
	fi
	if [ "$(id -u)" = 0 ] && getent shadow root | cut -d: -f2 | grep -q '^!'; then
		say "note: root's password field starts with '!': with UsePAM no, sshd treats the account as locked"
	fi
	if [ -n "$(sshd_default persourcepenalties)" ]; then
		extra="PerSourcePenalties no"
	fi
	# SetEnv SHLVL=1 below: the login user's shell startup files are not
	# under test. bash reads ~/.bashrc for a command sshd hands it only
	# as a top-level shell (SHLVL unset or 0); on a machine whose root runs
	# "pyenv init" there, eight logins at once raced in pyenv's rehash and
	# wrote to the ssh client's stderr, which the tests require quiet.
	for _ in $(seq 10); do
		SSHD_PORT=$(free_port) || fail "no free port found"
		SSHD_LOG=$T/sshd.log
		: >"$SSHD_LOG"
		cat >"$cfg" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $T/ssh_host_ed25519_key
AuthorizedKeysFile $AUTH_KEYS
AuthorizedPrincipalsFile none
StrictModes no
UsePAM no
PidFile $T/sshd.pid
LogLevel DEBUG1
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
GSSAPIAuthentication no
X11Forwarding no
PrintMotd no
Banner none
MaxStartups 20
SetEnv SHLVL=1
$extra
$SSHD_EXTRA_CONFIG
EOF
		"$SSHD" -t -f "$cfg" || fail "sshd rejects its configuration"
		if [ -n "$extra" ]; then
			"$SSHD" -T -f "$cfg" | grep -qix 'persourcepenalties no' ||
			    fail "sshd did not take '$extra'"
		fi
		if [ -n "$SSHD_STDERR" ]; then
			env "${SSHD_ENV[@]}" "$SSHD" -D -f "$cfg" -E "$SSHD_LOG" \
			    </dev/null 2>>"$SSHD_STDERR" &
		else
			env "${SSHD_ENV[@]}" "$SSHD" -D -f "$cfg" -E "$SSHD_LOG" \
			    </dev/null &
		fi
		pid=$!
		DAEMONS+=("$pid")
		await sshd_up_or_dead "$pid" || true
		if sshd_up_or_dead "$pid" && kill -0 "$pid" 2>/dev/null; then
			say "sshd (pid $pid) listening on 127.0.0.1:$SSHD_PORT${extra:+ ($extra)}"
			SSHD_PID=$pid
			return 0
		fi
		# Lost a race for the port, or worse; show why and retry.
		kill "$pid" 2>/dev/null || true
		tail -n 5 "$SSHD_LOG" >&2
	done
	fail "could not start sshd"
}

# sshd_stop: stop the sshd of the last sshd_start and wait until it has
# gone, so that the next sshd_start may take over its host keys.
sshd_stop() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null || true
	await eval '! kill -0 "$SSHD_PID" 2>/dev/null' ||
	    fail "sshd (pid $SSHD_PID) did not stop"
	SSHD_PID=
}

# sshd_settle MARK: wait until sshd has logged the end of every connection
# whose start ("Connection from 127.0.0.1 port P on ...") is in $SSHD_LOG
# after line MARK. The log is written by several sshd processes (listener,
# monitor, the pre-authentication child through the monitor) that go on
# after ssh has exited; reading it at once, or after a fixed sleep, raced
# them on a loaded machine. The bound is TEST_TIMEOUT; ssh only exits after
# sshd's banner, which comes after the "Connection from" line.
sshd_settle() {
	local mark=$1 ports p left deadline=$((SECONDS + TEST_TIMEOUT))
	ports=$(tail -n +"$((mark + 1))" "$SSHD_LOG" |
	    sed -n 's/^Connection from 127\.0\.0\.1 port \([0-9]*\) on .*/\1/p')
	while :; do
		left=
		for p in $ports; do
			tail -n +"$((mark + 1))" "$SSHD_LOG" | grep -Eq \
			    "(Connection closed by|Disconnected from|Received disconnect from|Connection reset by|Disconnecting|Timeout before authentication for|Unable to negotiate with|banner exchange: Connection from) .*127\.0\.0\.1 port $p\b" ||
			    left="$left $p"
		done
		[ -n "$left" ] || return 0
		[ "$SECONDS" -lt "$deadline" ] ||
		    fail "sshd logged no end of the connections from port(s)$left within ${TEST_TIMEOUT}s"
		sleep 0.1
	done
}

# authorize OPTIONS KEY.pub: replace authorized_keys by one line for the key
# ("" for no options). sshd reads the file on every connection.
authorize() {
	if [ -n "$1" ]; then
		printf '%s %s\n' "$1" "$(cat "$2")" >"$AUTH_KEYS"
	else
		cat "$2" >"$AUTH_KEYS"
	fi
}

# --- OpenSSH's own files -------------------------------------------------------

# openssh_file NAME: the path of an OpenSSH helper or test file (ssh-sk-helper,
# sk-dummy.so) as the installed packages place it: where dpkg says the
# package that ships it put it, else the directories where distributions
# keep OpenSSH's private programs. Prints nothing if it is not found.
openssh_file() {
	local name=$1 f
	if command -v dpkg-query >/dev/null; then
		f=$(dpkg-query -L openssh-client openssh-tests 2>/dev/null |
		    grep -E "/$name\$" | head -n 1 || true)
		[ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return 0; }
	fi
	for f in /usr/lib/openssh/"$name" /usr/libexec/openssh/"$name" \
	    /usr/libexec/"$name" /usr/lib/openssh/regress/misc/sk-dummy/"$name" \
	    /usr/lib/openssh/regress/"$name"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 0
}

# --- the simulator -------------------------------------------------------------

# tpm_clean WHEN: nothing the library loaded or started may remain in the
# simulator: no transient objects, no loaded or saved sessions.
tpm_clean() {
	local what left
	for what in handles-transient handles-loaded-session handles-saved-session; do
		left=$(timeout "$TEST_TIMEOUT" tpm2_getcap "$what") ||
		    fail "tpm2_getcap $what failed"
		[ -z "$left" ] || fail "$1: the TPM still holds $what:
$left"
	done
}
