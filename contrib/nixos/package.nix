# sk-tpm for nixpkgs: callPackage ./package.nix { }
#
# The source is this checkout (lib.cleanSource of the repository root) and
# the version is read from CMakeLists.txt (./version.nix), so nothing here
# needs editing for a release. withTests = true builds the test suite and
# runs the tests that work inside the build sandbox: unit tests, and the
# integration tests against swtpm simulators the fixture starts on
# 127.0.0.1 (the sandbox keeps loopback). The end-to-end tests need a real
# sshd and are left to the NixOS VM test (./test.nix) and the project's CI.
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
  withTests ? false,
}:

stdenv.mkDerivation (finalAttrs: {
  pname = "sk-tpm";
  version = import ./version.nix;

  src = lib.cleanSourceWith {
    src = ../..;
    # Build directories of a developer's checkout stay out of the store.
    filter = path: type: !(lib.hasPrefix "build" (baseNameOf path)) && lib.cleanSourceFilter path type;
  };

  nativeBuildInputs = [
    cmake
    pkg-config
  ];

  buildInputs = [
    tpm2-tss
    openssl
    libcbor
  ] ++ lib.optionals withTests [ cmocka ];

  cmakeFlags = [
    (lib.cmakeBool "BUILD_TESTS" withTests)
    (lib.cmakeBool "BUILD_BENCH" false)
  ];

  doCheck = withTests;
  nativeCheckInputs = [
    swtpm
    tpm2-tools
  ];
  checkPhase = ''
    runHook preCheck
    ctest --output-on-failure -L 'unit|integration'
    runHook postCheck
  '';

  meta = {
    description = "TPM 2.0 chip as an OpenSSH security key (SecurityKeyProvider)";
    longDescription = ''
      libsk-tpm.so makes ecdsa-sk keys inside the TPM for OpenSSH's
      ssh-keygen -w, ssh (SecurityKeyProvider) and ssh-add -S; the sk-tpm
      tool lists, deletes and diagnoses. See sk-tpm(7).
    '';
    # The project has not chosen a license yet; meta.license is left unset
    # until it does.
    platforms = lib.platforms.linux;
    mainProgram = "sk-tpm";
  };
})
