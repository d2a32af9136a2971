#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# contrib/nixos/test.nix without a VM: its node evaluated as NixOS would
# (vm-test-checks.nix), the steps script it runs as alice checked by
# `bash -n`, and its testScript parsed by Python. What only the VM proves
# (the TPM, sshd, the logins) is left to `nix-build contrib/nixos -A vm-test`.
#
#   vm-test.sh SOURCE-DIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
command -v python3 >/dev/null || fail "python3 is not installed"

out=$(nix_eval "import $(nix_path "$HERE/vm-test-checks.nix") { $NIX_ARGS }") ||
    fail "vm-test-checks.nix did not evaluate"
report_check "vm-test" "$(sed '/^--$/,$d' <<<"$out")"
awk '/^--$/ { n++; next } n == 1' <<<"$out" >"$NIXTMP/steps.sh"
awk '/^--$/ { n++; next } n == 2' <<<"$out" >"$NIXTMP/testScript.py"
[ -s "$NIXTMP/steps.sh" ] || fail "no steps script"
bash -n "$NIXTMP/steps.sh" || fail "the steps script is not valid bash"
say "steps: bash -n accepts $(wc -l <"$NIXTMP/steps.sh") lines"
python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' \
    "$NIXTMP/testScript.py" || fail "the testScript is not valid Python"
say "testScript: Python parses $(grep -c . "$NIXTMP/testScript.py") lines"
say PASS
