#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Make the upgrade fixture of this version: a TPM (swtpm state directory)
# holding a resident record, and key files made in it by the real
# ssh-keygen through this build's libsk-tpm.so. Run once per release and
# commit the result; test/upgrade/ then proves that every later version
# still signs with these handles and reads this record.
#
#   with-swtpm.sh -- make-fixture.sh LIB OUT-DIR
#
# OUT-DIR (must not exist) receives:
#   tpm/tpm2-00.permall   the simulator's state after an orderly shutdown
#   nt, nt.pub            ecdsa-sk key, -O no-touch-required
#   uv, uv.pub            ecdsa-sk key, -O verify-required, PIN 2468
#   rk, rk.pub            resident: -O resident -O no-touch-required
#                         -O application=ssh:fixture -O user=fixture
#   keys.txt              one line per key: name flags application handle
#                         point (hex): what the C test feeds to sk_sign and
#                         checks with OpenSSL
#   VERSION               the sk-tpm version, swtpm and OpenSSH that made it
# shellcheck disable=SC2015
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$2
[ ! -e "$out" ] || { echo "make-fixture: $out exists" >&2; exit 2; }
# shellcheck source=../e2e/lib.sh
. "$here/../e2e/lib.sh" "$1"

enroll_ok nt -O no-touch-required
set_pin 2468
enroll_ok uv "${ASKPASS_ENV[@]}" -O verify-required
enroll_ok rk -O resident -O no-touch-required -O application=ssh:fixture \
    -O user=fixture
tpm_clean "after enrollment"
[ "$(nv_records)" = 1 ] || fail "expected one resident record"

mkdir -p "$out/tpm"
: >"$out/keys.txt"
for k in nt uv rk; do
	cp "$T/$k" "$T/$k.pub" "$out/"
	app=$(skkey "$T/$k" info | sed -n 's/^application //p')
	flags=$(skkey "$T/$k" info | sed -n 's/^flags //p')
	handle=$(skkey "$T/$k" info | sed -n 's/^handle //p')
	# The public point: the third string of the .pub blob (type, curve, Q).
	point=$(awk '{print $2}' "$T/$k.pub" | base64 -d | perl -e '
		binmode STDIN; local $/; my $b = <STDIN>; my $p = 0;
		my @s; for (1..3) { my $n = unpack("N", substr($b, $p, 4));
		push @s, substr($b, $p + 4, $n); $p += 4 + $n; }
		print unpack("H*", $s[2]), "\n";')
	echo "$k $flags $app $handle $point" >>"$out/keys.txt"
done
# An orderly shutdown, so the state file holds everything; then the copy.
timeout 30 tpm2_shutdown
cp "$SWTPM_STATE/tpm2-00.permall" "$out/tpm/"
{
	echo "sk-tpm $(sed -n 's/^project(sk-tpm VERSION \([0-9.]*\).*/\1/p' "$here/../../CMakeLists.txt")"
	swtpm --version 2>&1 | head -n 1
	ssh -V 2>&1
	echo "made $(date -u +%Y-%m-%d) by test/upgrade/make-fixture.sh"
} >"$out/VERSION"
say "fixture written to $out: $(dir_files "$out")"
