#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# cmake --install with DESTDIR into a staging directory: exactly the
# library, the tool, the two manual pages and the two example files are
# installed, where GNUInstallDirs puts them; then log in through the staged
# files (login.sh).
#
#   with-swtpm.sh -- staged.sh BUILD-DIR PREFIX LIBDIR BINDIR MANDIR DOCDIR VERSION
#
# (the CMAKE_INSTALL_* values of BUILD-DIR; LIBDIR etc. relative to PREFIX).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 prefix=$2 libdir=$3 bindir=$4 mandir=$5 docdir=$6 version=$7

stage=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
echo "[staged] DESTDIR=$stage cmake --install $build"
DESTDIR=$stage cmake --install "$build" >"$stage.log" 2>&1 || {
	cat "$stage.log" >&2; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"

want=$(printf '%s\n' \
    "$prefix/$libdir/libsk-tpm.so" \
    "$prefix/$bindir/sk-tpm" \
    "$prefix/$mandir/man1/sk-tpm.1" \
    "$prefix/$mandir/man7/sk-tpm.7" \
    "$prefix/$docdir/examples/sk-tpm.conf" \
    "$prefix/$docdir/examples/sk-tpm-agent.service" | LC_ALL=C sort)
got=$(cd "$stage" && find . -type f -o -type l | sed 's/^\.//' | LC_ALL=C sort)
if [ "$got" != "$want" ]; then
	echo "[staged] FAIL: installed files differ from the expected set:" >&2
	diff <(echo "$want") <(echo "$got") >&2 || true
	exit 1
fi
echo "[staged] installed exactly:"
sed 's/^/    /' <<<"$got"

# ssh-agent's default allow-list accepts /usr/lib*/ and /usr/local/lib*/:
# the default prefix must put the library there.
case "$prefix/$libdir/" in
/usr/lib*/*|/usr/local/lib*/*) ;;
/usr/local/*|/usr/*)
	echo "[staged] FAIL: $prefix/$libdir is outside ssh-agent's default allow-list" >&2
	exit 1 ;;
*) echo "[staged] note: prefix $prefix is not a system one" ;;
esac
[ -z "$(readelf -d "$stage$prefix/$libdir/libsk-tpm.so" | grep -E 'R(UN)?PATH')" ] || {
	echo "[staged] FAIL: the installed library carries an RPATH" >&2; exit 1; }

bash "$here/login.sh" "$stage$prefix/$libdir/libsk-tpm.so" \
    "$stage$prefix/$bindir/sk-tpm" \
    "$stage$prefix/$docdir/examples/sk-tpm.conf" \
    "$stage$prefix/$docdir/examples/sk-tpm-agent.service" \
    "$version" "$stage"
