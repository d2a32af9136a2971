# SPDX-License-Identifier: BSD-2-Clause
# nixpkgs overlay: adds pkgs.sk-tpm.
#   nixpkgs.overlays = [ (import /path/to/sk-tpm/contrib/nixos/overlay.nix) ];
final: prev: {
  sk-tpm = final.callPackage ./package.nix { };
}
