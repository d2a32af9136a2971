# Entry points for nix-build from a checkout:
#   nix-build contrib/nixos -A sk-tpm          the package
#   nix-build contrib/nixos -A sk-tpm-tested   the package, tests run (swtpm)
#   nix-build contrib/nixos -A vm-test         the NixOS VM test (./test.nix)
{
  pkgs ? import <nixpkgs> { },
}:
{
  sk-tpm = pkgs.callPackage ./package.nix { };
  sk-tpm-tested = pkgs.callPackage ./package.nix { withTests = true; };
  vm-test = pkgs.testers.runNixOSTest ./test.nix;
}
