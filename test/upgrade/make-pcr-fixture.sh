#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of PCR-bound keys with key handles of format
# version 2 (issue 12), which later versions must keep signing with: every
# enrollment since issue 19 makes version 3. The same files as
# make-fixture.sh (nt, uv with PIN 2468, rk resident for ssh:fixture and
# user fixture), each bound to PCR 8 after PCR 8 was extended once with 32
# bytes of 0xa1 from its reset value, which is what the test extends it
# with again before signing (test/upgrade/CMakeLists.txt). Run with a
# build of the version to be preserved:
#
#   with-swtpm.sh -- make-pcr-fixture.sh LIB OUT-DIR
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-pcr-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"
command -v tpm2_pcrextend >/dev/null || fail "tpm2_pcrextend missing"

tpm2_pcrextend "8:sha256=$(printf 'a1%.0s' $(seq 32))" >/dev/null ||
    fail "tpm2_pcrextend 8"
set_pin 2468
for k in nt uv rk; do
	case $k in
	nt) set -- -O no-touch-required ;;
	uv) set -- "${ASKPASS_ENV[@]}" -O verify-required ;;
	rk) set -- -O resident -O no-touch-required \
	    -O application=ssh:fixture -O user=fixture ;;
	esac
	enroll "$k" SK_TPM_PCRS=8 "$@"
	expect_ok "enroll $k bound to PCR 8"
	assert_one_sk_line "$ERR" "enroll $k" 'bound to PCR 8 \(sha256\)'
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
	case $handle in
	ac0066736b2d74706d0102*) ;;
	*) fail "$k: not a version 2 handle" ;;
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
	echo "sk-tpm $(sed -n 's/^project(sk-tpm VERSION \([0-9.]*\).*/\1/p' "$here/../../CMakeLists.txt") (key handle version 2, bound to PCR 8)"
	swtpm --version 2>&1 | head -n 1
	ssh -V 2>&1
	echo "made $(date -u +%Y-%m-%d) by test/upgrade/make-pcr-fixture.sh"
} >"$out/VERSION"
say "fixture written to $out: $(dir_files "$out")"
