#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Lay out a Debian source tree for dpkg-buildpackage:
#
#   contrib/debian/prepare.sh DEST
#
# copies the checkout (committed and untracked files git does not ignore,
# or, without git, everything but build directories) to DEST, which must
# not exist, puts contrib/debian there as debian/, and writes
# debian/changelog for the version in CMakeLists.txt's project() line,
# dated by the last commit (or now). Then: cd DEST && dpkg-buildpackage
# -us -uc -b. The checkout itself is not changed.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest=${1:?usage: prepare.sh DEST}
[ ! -e "$dest" ] || { echo "prepare.sh: $dest exists" >&2; exit 1; }

version=$(sed -n 's/^project(sk-tpm VERSION \([0-9][0-9.]*\)[ )].*/\1/p' \
    "$src/CMakeLists.txt")
[ -n "$version" ] || { echo "prepare.sh: no version in CMakeLists.txt" >&2; exit 1; }

mkdir -p "$dest"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
	    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf -) | tar -xf - -C "$dest"
	date=$(git -C "$src" log -1 --format=%aD 2>/dev/null || true)
else
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . |
	    tar -xf - -C "$dest"
	date=
fi
[ -n "$date" ] || date=$(date -R)

cp -a "$src/contrib/debian" "$dest/debian"
# This script and the notes on it are not part of the packaging.
rm -f "$dest/debian/prepare.sh" "$dest/debian/README.md"
maint=$(sed -n 's/^Maintainer: //p' "$dest/debian/control")
cat >"$dest/debian/changelog" <<EOC
sk-tpm ($version-1) unstable; urgency=medium

  * Upstream release $version; see /usr/share/doc/sk-tpm/changelog.gz.

 -- $maint  $date
EOC
echo "$dest: sk-tpm $version-1"
