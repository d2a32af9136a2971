#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every .nix file under DIR must parse (nix-instantiate --parse: syntax
# only; test/nixos evaluates the package, module and VM test against
# nixpkgs' lib). version.nix needs nothing but the tree and is evaluated:
# it must give VERSION, the CMake project version.
#
#   nix-parse.sh DIR VERSION
set -euo pipefail
dir=$1 version=$2
command -v nix-instantiate >/dev/null || {
	echo "nix-parse: nix-instantiate is not installed (apt-get install nix-bin)" >&2
	exit 77; }
# An evaluation-only store in a private state directory: no daemon, no
# /nix write access, works as any user.
state=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-nix.XXXXXX")
trap 'rm -rf "$state"' EXIT
nixi() {
	NIX_STATE_DIR=$state/state NIX_LOG_DIR=$state/log \
	    NIX_CONF_DIR=$state/conf nix-instantiate --store dummy:// "$@" \
	    2> >(grep -v "build-users-group" >&2)
}
mapfile -t files < <(find "$dir" -name '*.nix' -type f | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || { echo "nix-parse: no .nix files in $dir" >&2; exit 1; }
status=0
for f in "${files[@]}"; do
	if nixi --parse "$f" >/dev/null; then
		echo "parses: $f"
	else
		echo "FAIL: $f does not parse" >&2
		status=1
	fi
done
got=$(nixi --eval --strict "$dir/version.nix")
if [ "$got" = "\"$version\"" ]; then
	echo "evaluated: version.nix = $got"
else
	echo "FAIL: version.nix gives $got, CMakeLists.txt says $version" >&2
	status=1
fi
exit "$status"
