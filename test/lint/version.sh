#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The version is written once, in CMakeLists.txt (project VERSION). Check
# that what shows a version takes it from there: sk-tpm --version, the
# library (its SK_TPM_DEBUG line), CHANGELOG.md's newest entry, the Debian
# changelog that contrib/debian/prepare.sh writes. (The Nix expression's
# version is evaluated by nix-parse.sh.)
#
#   version.sh SOURCE-DIR VERSION SK-TPM-BINARY LIBSK-TPM.SO
set -euo pipefail
src=$1 version=$2 tool=$3 lib=$4
fail() { echo "FAIL: $*" >&2; exit 1; }

got=$("$tool" --version)
[ "$got" = "sk-tpm $version" ] || fail "sk-tpm --version says '$got'"
echo "ok: sk-tpm --version: $got"

# The library names its version in its first SK_TPM_DEBUG line; ask it
# through the real ssh-keygen, with a TPM address where nothing listens (the
# enrollment then fails, after the line).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if command -v ssh-keygen >/dev/null; then
	HOME=$tmp SK_TPM_DEBUG=1 SK_TPM_TCTI=swtpm:host=127.0.0.1,port=1 \
	    setsid -w timeout 60 ssh-keygen -q -t ecdsa-sk -O no-touch-required \
	    -w "$lib" -N '' -f "$tmp/key" </dev/null >"$tmp/out" 2>&1 || true
	grep -q "^sk-tpm\[debug\]: libsk-tpm $version; " "$tmp/out" || {
		cat "$tmp/out" >&2
		fail "the library did not report version $version"
	}
	echo "ok: $(grep -o "libsk-tpm $version" "$tmp/out" | head -n 1) (SK_TPM_DEBUG)"
else
	echo "version: ssh-keygen is not installed" >&2
	exit 77
fi

top=$(grep -m1 -E '^## ' "$src/CHANGELOG.md" | awk '{print $2}')
[ "$top" = "$version" ] || fail "CHANGELOG.md's newest entry is '$top'"
echo "ok: CHANGELOG.md: $top"

command -v dpkg-parsechangelog >/dev/null || {
	echo "version: dpkg-parsechangelog is missing (apt-get install dpkg-dev)" >&2
	exit 77; }
bash "$src/contrib/debian/prepare.sh" "$tmp/tree" >/dev/null
deb=$(dpkg-parsechangelog -l "$tmp/tree/debian/changelog" -S Version)
[ "${deb%-*}" = "$version" ] || fail "debian/changelog says $deb"
echo "ok: debian/changelog: $deb"
