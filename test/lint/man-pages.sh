#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every manual page given must be clean for `mandoc -T lint` at warning
# level (style remarks are not failures: mandoc cannot know pages that are
# not installed yet, such as sk-tpm(1) from sk-tpm(7)).
set -euo pipefail
command -v mandoc >/dev/null || {
	echo "man-pages: mandoc is not installed (apt-get install mandoc)" >&2
	exit 77; }
[ $# -gt 0 ] || { echo "man-pages: no pages given" >&2; exit 1; }
status=0
for page in "$@"; do
	if mandoc -T lint -W warning "$page"; then
		echo "ok: $page"
	else
		echo "FAIL: $page" >&2
		status=1
	fi
done
exit "$status"
