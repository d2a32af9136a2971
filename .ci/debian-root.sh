#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run the test suite inside a Debian root made with debootstrap, so that one
# Debian 12 machine also proves newer stacks (OpenSSH 10, tpm2-tss 4.x,
# libcbor 0.10, OpenSSL 3.5):
#
#   .ci/debian-root.sh SUITE [STEP...]	(SUITE: trixie, sid, bookworm, ...)
#   .ci/debian-root.sh SUITE -- CMD [ARG...]
#
# STEPs are those of .ci/run (default: all sanitized valgrind); after "--",
# CMD runs in the copy of the checkout instead (a developer's shortcut: one
# test, a shell, a build of one's own). Needs root
# (debootstrap, chroot, mounts). The root is made from the same archive as
# the host's apt sources (SK_TPM_CI_MIRROR overrides) with the packages
# .ci/packages names, then kept under SK_TPM_CI_ROOTS (default
# /var/cache/sk-tpm-ci) and reused by the next run on this machine while it
# is younger than a week and was made from the same package list; a root is
# built in a temporary directory and renamed into place only when complete,
# under a lock, so an interrupted run never leaves half a root behind. A
# reused root is brought up to date with apt-get upgrade.
#
# The checkout (its committed files and working-tree changes, not build
# directories) is copied into the root, and the steps run there in a
# private mount namespace (proc, sys, dev, tmpfs on /tmp and /run), so no
# mount outlives the run. The last line is the root's summary: suite,
# OpenSSH, tpm2-tss, libcbor, OpenSSL, compiler versions and the result.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
suite=${1:?usage: .ci/debian-root.sh SUITE [STEP...]}
shift
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(all sanitized valgrind)

[ "$(id -u)" = 0 ] || { echo "debian-root: must run as root" >&2; exit 1; }
for tool in debootstrap unshare chroot flock; do
	command -v "$tool" >/dev/null ||
	    { echo "debian-root: $tool is missing (apt-get install debootstrap util-linux)" >&2; exit 1; }
done

# The mirror the host's apt uses (deb822 or one-line sources), else Debian's.
mirror=${SK_TPM_CI_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/debian.sources \
	    /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null |
	    grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security |
	    head -n 1 | tr -d ' ' || true)
	mirror=${mirror:-http://deb.debian.org/debian}
fi

cache=${SK_TPM_CI_ROOTS:-/var/cache/sk-tpm-ci}
mkdir -p "$cache"
root=$cache/$suite
# What the root was made from: a change of package list makes a new root.
want="suite=$suite mirror=$mirror packages=$(sha256sum "$here/packages" | cut -c1-16)"

exec 9>"$cache/$suite.lock"
flock 9

t0=$(date +%s)
fresh=0
if [ -f "$root/.sk-tpm-root" ] && [ "$(cat "$root/.sk-tpm-root")" = "$want" ] &&
    [ -n "$(find "$root/.sk-tpm-root" -mtime -7)" ]; then
	echo "==> $suite: reusing the root in $root"
else
	echo "==> $suite: debootstrap from $mirror (about 2 minutes)"
	rm -rf "$root" "$root.new"
	debootstrap --variant=minbase --include=ca-certificates "$suite" \
	    "$root.new" "$mirror" >"$cache/$suite.debootstrap.log" 2>&1 || {
		tail -n 20 "$cache/$suite.debootstrap.log" >&2
		echo "debian-root: debootstrap of $suite failed" >&2
		exit 1
	}
	printf 'deb %s %s main\n' "$mirror" "$suite" >"$root.new/etc/apt/sources.list"
	# The archive may be a frozen snapshot (as on CI machines): unstable's
	# Release file then carries a Valid-Until in the past. Signatures are
	# still checked; only the expiry is not.
	echo 'Acquire::Check-Valid-Until "false";' \
	    >"$root.new/etc/apt/apt.conf.d/99sk-tpm-ci"
	fresh=1
fi
target=$root
[ "$fresh" = 1 ] && target=$root.new

# Everything below runs in a mount namespace of its own: the mounts vanish
# with it, whatever happens. Without the lock's descriptor: a daemon that a
# test leaves behind (a swtpm whose test was killed) would otherwise hold
# the lock after this script has exited and block every later run.
inside() {
	local r=$1
	shift
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
		mount -t tmpfs -o mode=0755 tmpfs "$r/run"
		mkdir -p "$r/run/sshd"
		cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		    HOME=/root LANG=C.UTF-8 CI=true TERM=dumb "$@"
	' sh "$r" "$@" 9>&-
}

# Packages: the same list as the host (.ci/packages); apt-get upgrade keeps a
# reused root current.
mapfile -t packages < <(grep -vE '^\s*(#|$)' "$here/packages")
echo "==> $suite: apt-get install (${#packages[@]} packages)"
inside "$target" /bin/sh -c "
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null &&
	apt-get -y -q upgrade >/dev/null &&
	apt-get install -y -q --no-install-recommends ${packages[*]} >/dev/null
" || { echo "debian-root: apt-get in the $suite root failed" >&2; exit 1; }
if [ "$fresh" = 1 ]; then
	echo "$want" >"$target/.sk-tpm-root"
	mv "$target" "$root"
	target=$root
fi
t1=$(date +%s)

# The checkout, fresh each run: tracked and untracked files that git does not
# ignore (so build directories stay behind).
rm -rf "$root/src"
mkdir -p "$root/src"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -xf - -C "$root/src"
cp -a "$src/.git" "$root/src/.git" 2>/dev/null || true
# The NixOS evaluation (test/nixos) reads nixpkgs' lib from shared/nixpkgs
# beside the checkout: a copy goes beside /src when the host has one
# (SK_TPM_NIXPKGS or ../shared/nixpkgs), else those tests say SKIPPED.
rm -rf "$root/shared"
nixpkgs=${SK_TPM_NIXPKGS:-$(dirname "$src")/shared/nixpkgs}
if [ -f "$nixpkgs/lib/default.nix" ]; then
	mkdir -p "$root/shared/nixpkgs"
	(cd "$nixpkgs" && tar -cf - .) | tar -xf - -C "$root/shared/nixpkgs"
else
	echo "==> $suite: no nixpkgs lib at $nixpkgs: the NixOS evaluation will be skipped"
fi

status=0
if [ "${steps[0]}" = -- ]; then
	echo "==> $suite: ${steps[*]:1} inside the root"
	inside "$root" /bin/bash -c 'cd /src && SK_TPM_CI_IN_ROOT=1 "$@"' \
	    bash "${steps[@]:1}" || status=$?
	exit "$status"
fi
echo "==> $suite: .ci/run ${steps[*]} inside the root"
inside "$root" /bin/bash -c 'cd /src && SK_TPM_CI_IN_ROOT=1 bash .ci/run "$@"' \
    bash "${steps[@]}" || status=$?

versions=$(inside "$root" /bin/sh -c '
	ssh -V 2>&1 | cut -d, -f1
	echo "tpm2-tss $(pkg-config --modversion tss2-esys)"
	echo "libcbor $(pkg-config --modversion libcbor)"
	echo "OpenSSL $(pkg-config --modversion libcrypto)"
	gcc -dumpfullversion | sed "s/^/gcc /"
	clang --version | head -n 1 | grep -oE "[0-9]+\.[0-9.]+" | head -n 1 | sed "s/^/clang /"
	. /etc/os-release; echo "$PRETTY_NAME"
' | paste -sd ',' | sed 's/,/, /g')
t2=$(date +%s)
if [ "$status" = 0 ]; then
	echo "==> root $suite ($versions): passed (${steps[*]}); setup $((t1 - t0))s, tests $((t2 - t1))s"
else
	echo "==> root $suite ($versions): FAILED (${steps[*]}, status $status); setup $((t1 - t0))s, tests $((t2 - t1))s" >&2
fi
exit "$status"
