#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of unlockable keys, key handle format version 4
# (issue 21), which later versions must keep signing with: uv, enrolled
# with SK_TPM_UNLOCK=15m and -O verify-required (PIN 2468), beside the
# files test_fixtures wants from every fixture: nt (no PIN) and rk, resident
# for ssh:fixture and user fixture (no PIN). Run with a build of the
# version to be preserved:
#
#   with-swtpm.sh -- make-unlock-fixture.sh LIB OUT-DIR
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-unlock-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"

set_pin 2468
for k in nt uv rk; do
	case $k in
	nt) set -- -O no-touch-required ;;
	uv) set -- "${ASKPASS_ENV[@]}" SK_TPM_UNLOCK=15m -O verify-required ;;
	rk) set -- -O resident -O no-touch-required \
	    -O application=ssh:fixture -O user=fixture ;;
	esac
	enroll_ok "$k" "$@"
done
tpm_clean "after enrollment"
[ "$(nv_records)" = 1 ] || fail "expected one resident record"

mkdir -p "$out/tpm"
: >"$out/keys.txt"
for k in nt uv rk; do
	cp "$T/$k" "$T/$k.pub" "$out/"
	app=$(skkey "$T/$k" info | sed -n 's/^application //p')
	flags=$(skkey "$T/$k" info | sed -n 's/^flags //p')
	handle=$(skkey "$T/$k" info | sed -n 's/^handle //p')
	# The handle's format version: key 1 after the magic.
	case $k:$handle in
	uv:ae0066736b2d74706d0104*) ;;
	uv:*) fail "uv: not a version 4 handle" ;;
	esac
	point=$(awk '{print $2}' "$T/$k.pub" | base64 -d | perl -e '
		binmode STDIN; local $/; my $b = <STDIN>; my $p = 0;
		my @s; for (1..3) { my $n = unpack("N", substr($b, $p, 4));
		push @s, substr($b, $p + 4, $n); $p += 4 + $n; }
		print unpack("H*", $s[2]), "\n";')
	echo "$k $flags $app $handle $point" >>"$out/keys.txt"
done
timeout 30 tpm2_shutdown
cp "$SWTPM_STATE/tpm2-00.permall" "$out/tpm/"
{
	echo "sk-tpm $(sed -n 's/^project(sk-tpm VERSION \([0-9.]*\).*/\1/p' "$here/../../CMakeLists.txt") (key handle version 4 for uv, unlockable)"
	swtpm --version 2>&1 | head -n 1
	ssh -V 2>&1
	echo "made $(date -u +%Y-%m-%d) by test/upgrade/make-unlock-fixture.sh"
} >"$out/VERSION"
say "fixture written to $out: $(dir_files "$out")"
