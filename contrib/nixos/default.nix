# SPDX-License-Identifier: BSD-2-Clause
# Entry points for nix-build from a checkout:
#   nix-build contrib/nixos -A sk-tpm          the package
#   nix-build contrib/nixos -A sk-tpm-tested   the package, tests run (swtpm)
#   nix-build contrib/nixos -A vm-test         the NixOS VM test (./test.nix)
{
  pkgs ? import <nixpkgs> { },
}:
let
  sk-tpm = pkgs.callPackage ./package.nix { };
in
{
  inherit sk-tpm;
  sk-tpm-tested = sk-tpm.tests.check;
  vm-test = pkgs.testers.runNixOSTest ./test.nix;
}
