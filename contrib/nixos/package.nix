# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm for nixpkgs, in nixpkgs' form: callPackage ./package.nix { }
#
# The source is the files of this checkout that the build needs (the
# library, the tool, the manual, the example configuration and the tests),
# only those git tracks when the checkout is a git repository: build
# directories, untracked files and contrib/nixos itself stay out, so editing
# the module does not rebuild the package. The version is read from
# CMakeLists.txt (./version.nix). doCheck is off by default; with
# `overrideAttrs { doCheck = true; }` (passthru.tests.check) the build also
# compiles the tests and runs those that work inside the build sandbox: the
# unit tests (cmocka) and the integration tests against swtpm simulators
# the fixture starts on 127.0.0.1 (the sandbox keeps loopback). The
# end-to-end tests need a real sshd and are left to the NixOS VM test
# (./test.nix) and the project's CI.
{
  lib,
  stdenv,
  cmake,
  pkg-config,
  tpm2-tss,
  openssl,
  libcbor,
  cmocka,
  swtpm,
  tpm2-tools,
  openssh,
  testers,
}:

let
  root = ../..;
  needed = lib.fileset.unions [
    (root + "/CMakeLists.txt")
    (root + "/LICENSE")
    (root + "/sk")
    (root + "/contrib/CMakeLists.txt")
    (root + "/contrib/man")
    (root + "/contrib/ssh_config")
    (root + "/contrib/systemd")
    (root + "/contrib/sk-tpm")
    (root + "/test")
  ];
in
stdenv.mkDerivation (finalAttrs: {
  pname = "sk-tpm";
  version = import ./version.nix;

  src = lib.fileset.toSource {
    inherit root;
    # A clone's .git directory (a worktree's .git file, or none in a
    # release tarball: all the needed files).
    fileset =
      if (builtins.readDir root).".git" or null == "directory" then
        lib.fileset.intersection (lib.fileset.gitTracked root) needed
      else
        needed;
  };

  strictDeps = true;

  nativeBuildInputs = [
    cmake
    pkg-config
  ];

  buildInputs = [
    tpm2-tss
    openssl
    libcbor
  ];

  checkInputs = [ cmocka ];
  nativeCheckInputs = [
    swtpm
    tpm2-tools
  ];

  cmakeFlags = [
    (lib.cmakeBool "BUILD_TESTS" finalAttrs.doCheck)
    (lib.cmakeBool "BUILD_BENCH" false)
    # The example systemd unit names ssh-agent by its path; left at its
    # default /usr/bin/ssh-agent, nixpkgs' cmake hook would turn it into
    # /var/empty/bin/ssh-agent.
    (lib.cmakeFeature "SK_TPM_SSH_AGENT" "${lib.getBin openssh}/bin/ssh-agent")
  ];

  doCheck = false;
  checkPhase = ''
    runHook preCheck
    ctest --output-on-failure -L 'unit|integration'
    runHook postCheck
  '';

  passthru.tests = {
    # The build with its tests run.
    check = finalAttrs.finalPackage.overrideAttrs { doCheck = true; };
    version = testers.testVersion { package = finalAttrs.finalPackage; };
  };

  meta = {
    description = "TPM 2.0 chip as an OpenSSH security key (SecurityKeyProvider)";
    longDescription = ''
      libsk-tpm.so makes ecdsa-sk keys inside the TPM for OpenSSH's
      ssh-keygen -w, ssh (SecurityKeyProvider) and ssh-add -S; the sk-tpm
      tool lists, deletes and diagnoses. See sk-tpm(7).
    '';
    # Assumed: the project's repository once published; correct it here.
    homepage = "https://github.com/sk-tpm/sk-tpm";
    license = lib.licenses.bsd2;
    maintainers = [ ];
    platforms = lib.platforms.linux;
    mainProgram = "sk-tpm";
  };
})
