#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# contrib/nixos/package.nix in nixpkgs' form, evaluated against the
# stand-in stdenv of pkgs.nix (which honours finalAttrs, doCheck,
# checkInputs, strictDeps and meta as nixpkgs' does): the checks of
# package-checks.nix, then its source, really added to the test's store by
# nixpkgs' lib.fileset: the files the build needs and nothing else, and in
# a git repository only the tracked ones (a copy of the checkout made a
# repository here, with untracked files and a build directory beside them),
# so that editing contrib/nixos does not change the package's source.
#
#   package.sh SOURCE-DIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
command -v git >/dev/null || fail "git is not installed (apt-get install git)"

out=$(nix_eval "import $(nix_path "$HERE/package-checks.nix") { $NIX_ARGS }") ||
    fail "package-checks.nix did not evaluate"
report_check "package" "$out"

# source TREE: the store path of package.nix's src when called from TREE;
# FILES: its files, one a line, relative.
source_of() {
	local expr
	expr="let lib = import $(nix_path "$HERE/lib.nix") $(nix_path "$NIXPKGS");
	    pkgs = import $(nix_path "$HERE/pkgs.nix") { inherit lib; };
	    in \"\${(pkgs.callPackage ($(nix_path "$1") + \"/contrib/nixos/package.nix\") { }).drvAttrs.src}\""
	SOURCE=$(nix_eval "$expr") || fail "$1: package.nix's src did not evaluate"
	(cd "$NIXTMP/store$SOURCE" && find . -type f | sed 's|^\./||' | sort) \
	    >"$NIXTMP/files" || fail "$SOURCE is not in the test's store"
}
# present FILE...: each FILE is in the source.
present() {
	local f
	for f; do
		grep -qx -- "$f" "$NIXTMP/files" || fail "src lacks $f"
	done
}
# absent ERE: no file of the source matches ERE.
absent() {
	if grep -E -- "$1" "$NIXTMP/files" >"$NIXTMP/bad"; then
		sed 's/^/    /' "$NIXTMP/bad" >&2
		fail "src has files matching /$1/"
	fi
}

# The checkout as it is (a clone, a worktree or a tarball).
source_of "$SRC"
present CMakeLists.txt LICENSE sk/CMakeLists.txt contrib/CMakeLists.txt \
    contrib/sk-tpm/CMakeLists.txt contrib/man/sk-tpm.7 test/CMakeLists.txt
absent '^(contrib/nixos|contrib/debian|doc|\.ci|build[^/]*)/|^README\.md$'
say "the checkout's source: $(wc -l <"$NIXTMP/files") files, no contrib/nixos, doc or build directory"

# A git repository: a copy of the checkout's files, committed, then an
# untracked file, a build directory, and an edit of the module.
repo=$NIXTMP/repo
mkdir "$repo"
(cd "$SRC" && tar -cf - --exclude='./build*' --exclude=./.git .) | tar -xf - -C "$repo"
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m copy
source_of "$repo"
clean=$SOURCE
echo 'int junk;' >"$repo/sk/untracked.c"
mkdir "$repo/build" && echo junk >"$repo/build/CMakeCache.txt"
echo '# edited' >>"$repo/contrib/nixos/module.nix"
echo '# edited' >>"$repo/CMakeLists.txt"
source_of "$repo"
present CMakeLists.txt sk/CMakeLists.txt
absent '^sk/untracked\.c$|^build/'
grep -q '^# edited$' "$NIXTMP/store$SOURCE/CMakeLists.txt" ||
    fail "an edit of a tracked file is not in the source"
say "git: untracked files and build/ stay out, an edit of a tracked file is in"
git -C "$repo" checkout -q -- CMakeLists.txt
source_of "$repo"
[ "$SOURCE" = "$clean" ] ||
    fail "editing contrib/nixos changed the source ($clean, then $SOURCE)"
say "git: editing contrib/nixos/module.nix leaves the source as it was: $SOURCE"
say PASS
