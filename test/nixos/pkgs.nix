# SPDX-License-Identifier: BSD-2-Clause
# A stand-in for nixpkgs' package set, enough to evaluate contrib/nixos:
# the packages the modules and package.nix name (as derivation-shaped
# values with a store path that nothing builds), the trivial builders they
# call (recording their arguments so that tests can read them), callPackage,
# testers, and a stdenv whose mkDerivation follows nixpkgs' rules where the
# package relies on them:
# - finalAttrs: mkDerivation takes a function of the final attributes,
#   which include finalPackage; overrideAttrs (a set, `prev: {...}` or
#   `final: prev: {...}`) re-applies it, so an override of doCheck reaches
#   every attribute computed from finalAttrs.doCheck;
# - doCheck: checkInputs join buildInputs and nativeCheckInputs join
#   nativeBuildInputs only when doCheck is true (stdenv's make-derivation.nix);
# - strictDeps: without it, buildInputs are also on the build's PATH and
#   nativeBuildInputs also on its library path (stdenv's setup.sh); the
#   result shows both (onPath, linked);
# - meta: only attributes nixpkgs' check-meta.nix knows, each of its type;
#   anything else stops the evaluation, as check-meta does.
# overlays: a list of nixpkgs overlays applied on top (final: prev: {...}).
{
  lib,
  overlays ? [ ],
}:

let
  inherit (lib) types;

  fakeHash = s: builtins.substring 0 32 (builtins.hashString "sha256" s);

  # A derivation-shaped value: the store path is made up from its name and
  # `made` (a string: what went into it), no builder ever runs.
  fake =
    name: extra:
    {
      type = "derivation";
      inherit name;
      pname = name;
      outPath = "${builtins.storeDir}/${fakeHash (name + (extra.made or ""))}-${name}";
      meta = { };
    }
    // extra;

  # nixpkgs' check-meta.nix: the known meta attributes and their types
  # (the subset a package like this one may use).
  metaTypes = {
    description = types.str;
    longDescription = types.str;
    homepage = types.either types.str (types.listOf types.str);
    downloadPage = types.str;
    changelog = types.either types.str (types.listOf types.str);
    license =
      let
        license = types.addCheck types.attrs (l: l ? shortName || l ? spdxId || l ? fullName);
      in
      types.either license (types.listOf license);
    maintainers = types.listOf types.attrs;
    teams = types.listOf types.attrs;
    mainProgram = types.str;
    platforms = types.listOf (types.either types.str types.attrs);
    badPlatforms = types.listOf (types.either types.str types.attrs);
    broken = types.bool;
    position = types.str;
    available = types.bool;
  };
  checkMeta =
    name: meta:
    let
      bad = lib.filter (k: !(metaTypes ? ${k}) || !(metaTypes.${k}.check meta.${k})) (lib.attrNames meta);
    in
    if bad == [ ] then
      meta
    else
      throw "${name}: meta.${lib.head bad} ${
        if metaTypes ? ${lib.head bad} then
          "is not a ${metaTypes.${lib.head bad}.description}"
        else
          "is not a known meta attribute"
      }";

  mkDerivation =
    fnOrAttrs:
    let
      make =
        rattrs:
        let
          args = lib.fix (final: rattrs (final // { finalPackage = pkg; }));
          name = args.name or "${args.pname}-${args.version}";
          doCheck = args.doCheck or false;
          strictDeps = args.strictDeps or false;
          native = args.nativeBuildInputs or [ ] ++ lib.optionals doCheck (args.nativeCheckInputs or [ ]);
          host = args.buildInputs or [ ] ++ lib.optionals doCheck (args.checkInputs or [ ]);
          passthru = args.passthru or { };
          pkg = passthru // {
            type = "derivation";
            inherit name doCheck;
            pname = args.pname or name;
            version = args.version or "";
            outPath = "${builtins.storeDir}/${
              fakeHash (
                builtins.toJSON {
                  inherit name doCheck;
                  cmakeFlags = args.cmakeFlags or [ ];
                }
              )
            }-${name}";
            drvAttrs = args // {
              nativeBuildInputs = native;
              buildInputs = host;
            };
            # What the builder finds on PATH and links against.
            onPath = native ++ lib.optionals (!strictDeps) host;
            linked = host ++ lib.optionals (!strictDeps) native;
            meta = checkMeta name (args.meta or { });
            inherit passthru;
            overrideAttrs = f: make (lib.extends (lib.toExtension f) rattrs);
          };
        in
        pkg;
    in
    make (if lib.isFunction fnOrAttrs then fnOrAttrs else (_: fnOrAttrs));

  base =
    final:
    let
      tool = name: mainProgram: fake name { meta.mainProgram = mainProgram; };
    in
    {
      inherit lib;
      stdenv = {
        inherit mkDerivation;
        hostPlatform.system = "x86_64-linux";
      };
      callPackage =
        fn: args:
        let
          f = if lib.isFunction fn then fn else import fn;
        in
        f (builtins.intersectAttrs (builtins.functionArgs f) final // args);

      bash = tool "bash" "bash";
      runtimeShell = "${final.bash}/bin/bash";
      coreutils = fake "coreutils" { };
      gnugrep = tool "gnugrep" "grep";
      systemd = fake "systemd" { };
      openssh = tool "openssh" "ssh";
      x11_ssh_askpass = fake "x11-ssh-askpass" { };
      xorg.xauth = fake "xauth" { };
      shadow = fake "shadow" { };
      tpm2-tss = fake "tpm2-tss" { };
      tpm2-tools = fake "tpm2-tools" { };
      tpm2-abrmd = fake "tpm2-abrmd" { };
      tpm2-pkcs11 = fake "tpm2-pkcs11" { abrmd = fake "tpm2-pkcs11-abrmd" { }; };
      cmake = fake "cmake" { };
      pkg-config = fake "pkg-config" { };
      openssl = fake "openssl" { };
      libcbor = fake "libcbor" { };
      cmocka = fake "cmocka" { };
      swtpm = fake "swtpm" { };

      formats.json = _: {
        type = types.anything;
        generate = name: value: fake name {
          inherit value;
          made = builtins.toJSON value;
        };
      };
      writeText = name: text: fake name {
        inherit text;
        made = text;
      };
      writeScript = final.writeText;
      writeShellScript = final.writeText;
      writeShellScriptBin = name: text: fake name {
        inherit text;
        made = text;
        meta.mainProgram = name;
      };
      writeShellApplication =
        args@{
          name,
          text,
          runtimeInputs ? [ ],
          ...
        }:
        fake name {
          inherit text runtimeInputs;
          arguments = args;
          # Equal store paths: equal text and runtimeInputs.
          made = builtins.toJSON { inherit text runtimeInputs; };
          meta.mainProgram = name;
        };
      copyPathToStore = p: fake (baseNameOf p) { };

      testers = {
        # The module it was given, for the tests to evaluate its nodes.
        runNixOSTest = test: fake "vm-test-run" { nixosTest = test; };
        testVersion =
          {
            package,
            command ? "${package.meta.mainProgram} --version",
            version ? package.version,
          }:
          fake "${package.name}-test-version" { inherit package command version; };
      };
    };
in
lib.fix (lib.foldl' (f: overlay: lib.extends overlay f) base overlays)
