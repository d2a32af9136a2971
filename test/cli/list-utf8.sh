#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm list --json writes a non-ASCII application as UTF-8 (each
# character once, not each of its bytes as a code point of its own), so
# that a JSON reader gets the application back as ssh-keygen stored it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
need_tpm

app=$'ssh:\xc3\xa9t\xc3\xa9-\xe2\x82\xac'	# ssh:été-€
enroll utf8 "$app" alice -O no-touch-required
sk list-json list --json
expect_rc "list --json" 0
grep -qF "\"application\":\"$app\"" "$OUT" ||
    fail "list --json does not hold the application as UTF-8"
assert_no_grep "$OUT" '\\u00c3' "list --json escapes UTF-8 bytes one by one"
if command -v jq >/dev/null; then
	[ "$(jq -r '.credentials[0].application' "$OUT")" = "$app" ] ||
	    fail "jq reads another application back"
fi
say PASS
