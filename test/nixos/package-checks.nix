# SPDX-License-Identifier: BSD-2-Clause
# The checks of nixos.package (package.sh): contrib/nixos/package.nix
# called with ./pkgs.nix, whose stdenv honours finalAttrs, doCheck,
# checkInputs, strictDeps and meta as nixpkgs' does, and what the
# derivation must be. Returns the report of ./check.nix. SRC is the tree
# package.nix is taken from (package.sh also calls it on a git copy).
{ nixpkgs, src }:

let
  lib = import ./lib.nix nixpkgs;
  pkgs = import ./pkgs.nix { inherit lib; };
  inherit (import ./check.nix { inherit lib; }) check eq report;

  p = pkgs.callPackage (src + "/contrib/nixos/package.nix") { };
  # doCheck turned on the three ways nixpkgs users do.
  checkedSet = p.overrideAttrs { doCheck = true; };
  checkedFn = p.overrideAttrs (_: { doCheck = true; });
  checkedFinal = p.overrideAttrs (_final: _prev: { doCheck = true; });

  # nix-build contrib/nixos -A sk-tpm-tested
  entry = import (src + "/contrib/nixos/default.nix") { inherit pkgs; };

  flags = d: d.drvAttrs.cmakeFlags;
  testsOn = d: lib.elem "-DBUILD_TESTS:BOOL=TRUE" (flags d);
  testsOff = d: lib.elem "-DBUILD_TESTS:BOOL=FALSE" (flags d);
  has = x: l: lib.elem x l;
  checked =
    what: d:
    [
      (eq "${what}: doCheck" d.doCheck true)
      (check "${what}: the tests are built (BUILD_TESTS on)" (testsOn d) "cmakeFlags ${toString (flags d)}")
      (check "${what}: cmocka is linked" (has pkgs.cmocka d.linked) "not among the libraries")
      (check "${what}: swtpm and tpm2-tools are on PATH" (has pkgs.swtpm d.onPath && has pkgs.tpm2-tools d.onPath) "not on PATH")
    ];
in
report (
  [
    (eq "name" p.name "sk-tpm-${import (src + "/contrib/nixos/version.nix")}")
    (eq "doCheck: off by default" p.doCheck false)
    (check "off: the tests are not built" (testsOff p) "cmakeFlags ${toString (flags p)}")
    (check "off: cmocka is not an input" (!has pkgs.cmocka p.linked && !has pkgs.cmocka p.drvAttrs.buildInputs) "cmocka is among the inputs")
    (check "off: swtpm is not an input" (!has pkgs.swtpm p.onPath) "swtpm is on PATH")
    (check "cmocka is a checkInput, not a buildInput" (has pkgs.cmocka (p.drvAttrs.checkInputs or [ ])) "checkInputs ${toString (p.drvAttrs.checkInputs or [ ])}")
    (eq "strictDeps" (p.drvAttrs.strictDeps or false) true)
    (check "strictDeps: cmake is not linked, openssl is not on PATH" (!has pkgs.cmake p.linked && !has pkgs.openssl p.onPath) "inputs leak across build and host")
    (check "the example unit names the real ssh-agent" (has "-DSK_TPM_SSH_AGENT:STRING=${pkgs.openssh}/bin/ssh-agent" (flags p)) "cmakeFlags ${toString (flags p)}")

    (eq "meta.license: BSD-2-Clause" (p.meta.license or null) lib.licenses.bsd2)
    (check "meta.homepage" (lib.hasPrefix "https://" (p.meta.homepage or "")) "no https homepage")
    (eq "meta.platforms: linux" p.meta.platforms lib.platforms.linux)
    (eq "meta.mainProgram" p.meta.mainProgram "sk-tpm")
    (check "meta.maintainers" (p.meta ? maintainers) "no maintainers list")

    (eq "passthru.tests: check and version" (lib.attrNames (p.passthru.tests or { })) [ "check" "version" ])
    (eq "passthru.tests.version runs sk-tpm --version" (p.passthru.tests.version.command or null) "sk-tpm --version")
    (eq "passthru.tests.check is the overridden build" (p.passthru.tests.check.outPath or null) checkedSet.outPath)
  ]
  ++ checked "overrideAttrs { doCheck = true; }" checkedSet
  ++ checked "overrideAttrs (prev: ...)" checkedFn
  ++ checked "overrideAttrs (final: prev: ...)" checkedFinal
  ++ checked "passthru.tests.check" (p.passthru.tests.check or p)
  ++ checked "default.nix: sk-tpm-tested" entry.sk-tpm-tested
)
