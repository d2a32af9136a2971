# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash disable=SC2034
# Shared by the NixOS evaluation tests (test/nixos/*.sh): where nixpkgs' lib
# and modules are, a private Nix state and store, and how to evaluate.
#
#	. "$(dirname "$0")/lib.sh" SOURCE-DIR	# the checkout
#
# nixpkgs cannot be fetched by CI: the tests use the folder shared/nixpkgs
# beside the checkout (SOURCE-DIR/../shared/nixpkgs: nixpkgs' lib and the
# three real modules, see its README), or the folder SK_TPM_NIXPKGS names.
# Without it a test prints SKIPPED and exits 77, which ctest reports as
# skipped (test/run-all.sh accepts exactly that skip, and says so). Nix runs
# without a daemon: state, configuration and store live in a temporary
# directory ($NIXTMP), removed on exit; the store is a local one there
# (paths a module interpolates, a source tree, are really added to it).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 SOURCE-DIR" >&2; exit 2; }
SRC=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_NAME=${TEST_NAME:-nixos.$(basename "$0" .sh)}

say() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }
fail() { printf '[%s] FAIL: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }

# nixpkgs_find: set NIXPKGS, or skip (exit 77) when there is none.
nixpkgs_find() {
	local dir
	if [ -n "${SK_TPM_NIXPKGS:-}" ]; then
		dir=$SK_TPM_NIXPKGS
		[ -f "$dir/lib/default.nix" ] ||
		    fail "SK_TPM_NIXPKGS=$dir holds no lib/default.nix"
	else
		dir=$(dirname "$SRC")
		dir=${dir%/}/shared/nixpkgs
		if [ ! -f "$dir/lib/default.nix" ]; then
			echo "SKIPPED: no nixpkgs lib at $dir (the folder" \
			    "shared/nixpkgs beside the checkout, or set" \
			    "SK_TPM_NIXPKGS): contrib/nixos was NOT evaluated" >&2
			exit 77
		fi
	fi
	for f in nixos/modules/security/tpm2.nix \
	    nixos/modules/programs/ssh.nix nixos/modules/misc/assertions.nix; do
		[ -f "$dir/$f" ] || fail "$dir has lib/ but not $f"
	done
	NIXPKGS=$(cd "$dir" && pwd)
}

nixpkgs_find
command -v nix >/dev/null || {
	echo "SKIPPED: nix is not installed (apt-get install nix-bin)" >&2
	exit 77; }

NIXTMP=$(mktemp -d "${TMPDIR:-/tmp}/sk-tpm-nixos.XXXXXX")
# shellcheck disable=SC2317	# called by the trap
nix_cleanup() {
	# A local store's files are read-only, as in /nix/store.
	chmod -R u+w "$NIXTMP" 2>/dev/null || true
	rm -rf "$NIXTMP"
}
trap nix_cleanup EXIT
mkdir -p "$NIXTMP/conf" "$NIXTMP/cache"
cat >"$NIXTMP/conf/nix.conf" <<EOC
experimental-features = nix-command
build-users-group =
substituters =
EOC
export NIX_STATE_DIR=$NIXTMP/state NIX_LOG_DIR=$NIXTMP/log \
    NIX_CONF_DIR=$NIXTMP/conf XDG_CACHE_HOME=$NIXTMP/cache
unset NIX_PATH NIX_REMOTE
NIX_VERSION=$(nix --version | awk '{print $NF}')

# nix_str TEXT: TEXT as a Nix string literal.
nix_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//\$/\\\$}
	printf '"%s"' "$s"
}

# nix_path DIR: an absolute path as a Nix path value.
nix_path() {
	printf '(/. + %s)' "$(nix_str "$1")"
}

# The argument set of eval.nix and check files: the checkout, nixpkgs, this
# folder.
NIX_ARGS="nixpkgs = $(nix_path "$NIXPKGS"); src = $(nix_path "$SRC");"

# nix_eval EXPR: print the string EXPR evaluates to (nix eval --raw), its
# diagnostics on stderr; exit status is Nix's.
nix_eval() {
	nix eval --impure --raw --store "$NIXTMP/store" --expr "$1"
}

# report_check NAME TEXT: TEXT is a report of "ok ..." and "FAIL ..." lines
# (check.nix); print it, and fail unless it has no FAIL line and at least
# one ok line.
report_check() {
	printf '%s\n' "$2" | sed "s/^/[$TEST_NAME] /"
	if grep -q '^FAIL' <<<"$2"; then
		fail "$1: $(grep -c '^FAIL' <<<"$2") check(s) failed"
	fi
	grep -q '^ok' <<<"$2" || fail "$1: the report has no checks"
}

say "nixpkgs at $NIXPKGS; Nix $NIX_VERSION"
