#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every file the project wrote says its license in an SPDX line near its
# top (within its first five lines, after a #! or a format's own first
# line), as "SPDX-License-Identifier: BSD-2-Clause" in the file's comment
# syntax. Data and formats that cannot carry a comment are left out, each
# with its reason below.
#
#   spdx.sh SOURCE-DIR
#
# The files are git's tracked ones when SOURCE-DIR is a git checkout, else
# every file under it but build directories (a copy, as in a Debian root).
set -euo pipefail
src=${1:?usage: spdx.sh SOURCE-DIR}
cd "$src"

# Not ours to mark, or unable to hold a comment.
exempt() {
	case "$1" in
	LICENSE) ;;				# the license itself
	contrib/debian/copyright) ;;		# DEP-5: names it in License:
	contrib/debian/source/format) ;;	# one line that dpkg reads whole
	contrib/debian/docs) ;;			# debhelper file list
	test/fixtures/*) ;;			# keys and TPM state of old versions
	test/fuzz/corpus/*) ;;			# raw inputs of the fuzz targets
	*.pub) ;;				# OpenSSH public keys
	*) return 1 ;;
	esac
}

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files)
else
	mapfile -t files < <(find . -path ./.git -prune -o \
	    \( -type d -name 'build*' -prune \) -o -type f -print |
	    sed 's#^\./##' | sort)
fi

missing=0 checked=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	exempt "$f" && continue
	checked=$((checked + 1))
	if ! head -n 5 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'; then
		echo "no SPDX line: $f" >&2
		missing=$((missing + 1))
	fi
done
if [ "$missing" != 0 ]; then
	echo "FAIL: $missing of $checked files lack 'SPDX-License-Identifier: BSD-2-Clause' in their first 5 lines" >&2
	exit 1
fi
grep -q '^BSD 2-Clause License' LICENSE || { echo "FAIL: LICENSE is not the BSD-2-Clause text" >&2; exit 1; }
echo "ok: $checked files carry the SPDX line; LICENSE is BSD-2-Clause"
