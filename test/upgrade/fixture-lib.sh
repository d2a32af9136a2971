# SPDX-License-Identifier: BSD-2-Clause
# What every make-*fixture.sh writes the same way, sourced after
# ../e2e/lib.sh: the keys nt, uv and rk of $T with their keys.txt lines,
# then the TPM's state after an orderly shutdown and a VERSION file.

# fixture_write OUT NOTE [CHECK]: CHECK K HANDLE, when given, is called for
# each key's handle (hex) and fails the run on one of the wrong format
# version; NOTE (may be empty) goes in parentheses after the version.
fixture_write() {
	local out=$1 note=$2 check=${3:-} k info app flags handle point
	mkdir -p "$out/tpm"
	: >"$out/keys.txt"
	for k in nt uv rk; do
		cp "$T/$k" "$T/$k.pub" "$out/"
		info=$(skkey "$T/$k" info)
		app=$(sed -n 's/^application //p' <<<"$info")
		flags=$(sed -n 's/^flags //p' <<<"$info")
		handle=$(sed -n 's/^handle //p' <<<"$info")
		[ -z "$check" ] || "$check" "$k" "$handle"
		# The public point: the third string of the .pub blob (type,
		# curve, Q).
		point=$(awk '{print $2}' "$T/$k.pub" | base64 -d | perl -e '
			binmode STDIN; local $/; my $b = <STDIN>; my $p = 0;
			my @s; for (1..3) { my $n = unpack("N", substr($b, $p, 4));
			push @s, substr($b, $p + 4, $n); $p += 4 + $n; }
			print unpack("H*", $s[2]), "\n";')
		echo "$k $flags $app $handle $point" >>"$out/keys.txt"
	done
	# An orderly shutdown, so the state file holds everything; then the
	# copy.
	timeout 30 tpm2_shutdown
	cp "$SWTPM_STATE/tpm2-00.permall" "$out/tpm/"
	{
		echo "sk-tpm $(sed -n 's/^project(sk-tpm VERSION \([0-9.]*\).*/\1/p' \
		    "$here/../../CMakeLists.txt")${note:+ ($note)}"
		swtpm --version 2>&1 | head -n 1
		ssh -V 2>&1
		echo "made $(date -u +%Y-%m-%d) by test/upgrade/$(basename "$0")"
	} >"$out/VERSION"
	say "fixture written to $out: $(dir_files "$out")"
}
