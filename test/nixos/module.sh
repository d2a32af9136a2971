#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# contrib/nixos/module.nix evaluated with nixpkgs' lib.evalModules, the
# real security/tpm2.nix, programs/ssh.nix and misc/assertions.nix and the
# stand-ins of stand-ins.nix, for the configurations of module-checks.nix:
# what the module sets (group, udev rule, packages, ssh_config, agent
# allow-list, units), its warnings and assertions.
#
#   module.sh SOURCE-DIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

out=$(nix_eval "import $(nix_path "$HERE/module-checks.nix") { $NIX_ARGS }") ||
    fail "module-checks.nix did not evaluate"
report_check "module" "$out"
say PASS
