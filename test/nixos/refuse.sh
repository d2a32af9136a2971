#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Configurations of the sk-tpm module that NixOS must refuse, each with the
# message the user gets: an option of the wrong type (the module system's
# "is not of type" naming the option) or an assertion of the module
# ("Failed assertions:"). The evaluation is that of outputs.nix, which
# forces everything the module sets.
#
#   refuse.sh SOURCE-DIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# refused NAME MODULE ERE: evaluating MODULE (a Nix expression) with the
# module enabled fails, and its error matches ERE.
refused() {
	local name=$1 module=$2 ere=$3 rc=0
	nix_eval "import $(nix_path "$HERE/outputs.nix") { $NIX_ARGS modules = [
	    { security.tpm2.sk.enable = true; } ($module) ]; }" \
	    >"$NIXTMP/out" 2>"$NIXTMP/err" || rc=$?
	if [ "$rc" = 0 ]; then
		sed 's/^/    | /' "$NIXTMP/out" >&2
		fail "$name: accepted, should be refused"
	fi
	# One line: the messages wrap and quote differently across Nix versions.
	tr '\n' ' ' <"$NIXTMP/err" | tr -s ' ' >"$NIXTMP/err1"
	grep -Eq -- "$ere" "$NIXTMP/err1" || {
		sed 's/^/    | /' "$NIXTMP/err" >&2
		fail "$name: refused, but the message does not match /$ere/"
	}
	say "$name: refused: $(grep -Eo -- "$ere" "$NIXTMP/err1" | head -n 1)"
}

refused enable-not-bool '{ security.tpm2.sk.enable = "yes"; }' \
    "security\.tpm2\.sk\.enable.{1,3} is not of type .boolean"
refused users-not-list '{ security.tpm2.sk.users = "alice"; }' \
    "security\.tpm2\.sk\.users.{1,3} is not of type .list of"
refused package-not-package '{ security.tpm2.sk.package = "/tmp/libsk-tpm.so"; }' \
    "security\.tpm2\.sk\.package.{1,3} is not of type .package"

# Users for the TPM group, but no such group.
refused users-no-group \
    '{ security.tpm2.sk.users = [ "alice" ]; security.tpm2.tssGroup = null; }' \
    "Failed assertions: - security\.tpm2\.sk\.users lists alice, but security\.tpm2\.tssGroup is null"

# hosts: a non-empty list of ssh_config Host patterns on one line (a
# string is split at blanks). An empty Host line makes ssh refuse the whole
# system ssh_config; a newline would inject ssh_config lines.
hosts_ere="security\\.tpm2\\.sk\\.hosts.{0,30} is not of type .(non-empty list of )?ssh_config Host pattern"
refused hosts-empty '{ security.tpm2.sk.hosts = ""; }' "$hosts_ere"
refused hosts-blank '{ security.tpm2.sk.hosts = "  "; }' "$hosts_ere"
refused hosts-empty-list '{ security.tpm2.sk.hosts = [ ]; }' "$hosts_ere"
refused hosts-newline \
    '{ security.tpm2.sk.hosts = "*.example.org\n  ProxyCommand sh -c evil"; }' \
    "$hosts_ere"
refused hosts-blank-pattern '{ security.tpm2.sk.hosts = [ "a.example.org b" ]; }' \
    "$hosts_ere"
refused hosts-quote '{ security.tpm2.sk.hosts = [ "\"a" ]; }' "$hosts_ere"

say PASS
