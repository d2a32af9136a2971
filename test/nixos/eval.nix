# SPDX-License-Identifier: BSD-2-Clause
# Evaluate contrib/nixos/module.nix as NixOS would: nixpkgs' own
# lib.evalModules with the real security/tpm2.nix, programs/ssh.nix and
# misc/assertions.nix from NIXPKGS, the stand-ins of ./stand-ins.nix for
# the rest of NixOS, ./pkgs.nix for pkgs, and the configuration modules
# given: MODULES after the sk-tpm module in the module list, FIRST before
# it (the order decides the order of merged `lines`, such as
# programs.ssh.extraConfig: later modules' definitions come first). Returns the evaluation and `system`, which stands for NixOS's
# nixos/modules/system/activation/top-level.nix: it throws
# "Failed assertions:" with every failed assertion's message, as that
# module does, and otherwise is the config.
#
#   import ./eval.nix { nixpkgs = /path; src = /checkout; modules = [ ... ]; }
{
  nixpkgs,
  src,
  modules,
  first ? [ ],
  # Overlays for pkgs: [ (import (src + "/contrib/nixos/overlay.nix")) ].
  overlays ? [ ],
}:

let
  lib = import ./lib.nix nixpkgs;
  pkgs = import ./pkgs.nix { inherit lib overlays; };
  eval = lib.evalModules {
    modules = first ++ [
      (src + "/contrib/nixos/module.nix")
      (nixpkgs + "/nixos/modules/security/tpm2.nix")
      (nixpkgs + "/nixos/modules/programs/ssh.nix")
      (nixpkgs + "/nixos/modules/misc/assertions.nix")
      ./stand-ins.nix
      { _module.args.pkgs = pkgs; }
    ]
    ++ modules;
  };
  failed = map (a: a.message) (lib.filter (a: !a.assertion) eval.config.assertions);
in
{
  inherit lib pkgs eval;
  inherit (eval) config options;
  system =
    if failed != [ ] then
      throw "\nFailed assertions:\n${lib.concatMapStrings (m: "- ${m}\n") failed}"
    else
      eval.config;
}
