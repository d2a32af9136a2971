#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package, end to end, in the current Debian system (CI's
# "package" step: `bash .ci/run package`). INSTALLS AND PURGES THE PACKAGE
# SYSTEM-WIDE: run it as root on a throwaway machine or a Debian root
# (.ci/debian-root.sh), not on a workstation.
#
#   test/package/run.sh [WORK-DIR]	(default: a temporary directory)
#
# 1. contrib/debian/prepare.sh copies the tree and the packaging into
#    WORK-DIR; dpkg-buildpackage -us -uc -b builds sk-tpm_*.deb (its unit
#    tests included).
# 2. lintian on the .changes: fails on any error (E:). Warnings expected
#    and left as they are: initial-upload-closes-no-bugs (no ITP bug: the
#    package is not uploaded to Debian). Overridden, with reasons, in
#    contrib/debian/sk-tpm.lintian-overrides: shared-library-lacks-version
#    and package-name-doesnt-match-sonames (a dlopen()ed provider, not a
#    library to link against).
# 3. apt-get install ./sk-tpm_*.deb (dependencies from shlibs), and checks
#    of what it put where.
# 4. test/install/login.sh against a private swtpm (test/with-swtpm.sh):
#    enroll with ssh-keygen -w /usr/lib/<multiarch>/libsk-tpm.so, log in to
#    a loopback sshd directly, through the uncommented snippet, through
#    ssh-agent with its default allow-list (ssh-add -S), through the
#    installed user unit's agent; sk-tpm list/delete.
# 5. apt-get purge: nothing of the package is left.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "package: must run as root (installs a package)" >&2; exit 1; }
work=${1:-} keep=1 installed=0
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-package.XXXXXX")
	keep=0
fi
purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q sk-tpm >/dev/null
}
cleanup() {
	if [ "$installed" = 1 ]; then purge || true; fi
	if [ "$keep" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(sed -n 's/^project(sk-tpm VERSION \([0-9][0-9.]*\)[ )].*/\1/p' "$src/CMakeLists.txt")
. /etc/os-release
echo "==> package: $PRETTY_NAME, $ma, sk-tpm $version"

if dpkg-query -W -f='${Status}' sk-tpm 2>/dev/null | grep -q 'install ok installed'; then
	echo "package: sk-tpm is already installed; purge it first" >&2
	exit 1
fi

echo "==> package: dpkg-buildpackage -us -uc -b"
bash "$src/contrib/debian/prepare.sh" "$work/sk-tpm"
(cd "$work/sk-tpm" &&
    DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "package: dpkg-buildpackage failed (log: $work/build.log)" >&2
	exit 1
}
deb=$(ls "$work"/sk-tpm_"$version"-*_*.deb)
echo "    built $(basename "$deb")"
grep -E '^[0-9]+/[0-9]+ Test|tests passed' "$work/build.log" | tail -n 1 | sed 's/^/    unit tests at build time: /'

echo "==> package: lintian"
# (lintian notes that it runs as root; that is all.)
lintian --info "$work"/sk-tpm_"$version"-*.changes >"$work/lintian.log" 2>&1 || true
sed 's/^/    /' "$work/lintian.log"
if grep -q '^E: ' "$work/lintian.log"; then
	echo "package: lintian reports errors" >&2
	exit 1
fi
echo "    lintian: $(grep -c '^E: ' "$work/lintian.log" || true) errors, $(grep -c '^W: ' "$work/lintian.log" || true) warnings"

echo "==> package: apt-get install ./$(basename "$deb")"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "$deb" >"$work/install.log" 2>&1 || {
	cat "$work/install.log" >&2; exit 1; }
installed=1

lib=/usr/lib/$ma/libsk-tpm.so
want="/etc/ssh/ssh_config.d/sk-tpm.conf
/usr/bin/sk-tpm
/usr/lib/$ma/libsk-tpm.so
/usr/lib/systemd/user/sk-tpm-agent.service
/usr/share/man/man1/sk-tpm.1.gz
/usr/share/man/man7/sk-tpm.7.gz"
for f in $want; do
	dpkg -L sk-tpm | grep -qx "$f" || { echo "package: $f is not in the package" >&2; exit 1; }
	[ -f "$f" ] || { echo "package: $f is not installed" >&2; exit 1; }
done
dpkg-query -W -f='${Conffiles}\n' sk-tpm | grep -q ' /etc/ssh/ssh_config.d/sk-tpm.conf ' ||
    { echo "package: the snippet is not a conffile" >&2; exit 1; }
echo "    installed: $(echo $want)"
echo "    Depends: $(dpkg-query -W -f='${Depends}' sk-tpm)"
# The snippet is inert: the system ssh still uses its built-in provider.
ssh -G -F /etc/ssh/ssh_config localhost | grep -qx 'securitykeyprovider internal' || {
	echo "package: the installed snippet changes ssh's provider" >&2; exit 1; }
echo "    ssh -G: securitykeyprovider internal (snippet inert)"
# User units are not enabled by the package.
[ ! -e /etc/systemd/user/default.target.wants/sk-tpm-agent.service ] ||
    { echo "package: the user unit was enabled" >&2; exit 1; }

echo "==> package: login through the installed package"
bash "$src/test/with-swtpm.sh" -- bash "$src/test/install/login.sh" \
    "$lib" /usr/bin/sk-tpm /etc/ssh/ssh_config.d/sk-tpm.conf \
    /usr/lib/systemd/user/sk-tpm-agent.service "$version"

echo "==> package: apt-get purge sk-tpm"
purge
installed=0
for f in $want; do
	[ ! -e "$f" ] || { echo "package: $f is left after purge" >&2; exit 1; }
done
echo "==> package: passed ($PRETTY_NAME: built, lintian without errors, installed, logged in, purged)"
