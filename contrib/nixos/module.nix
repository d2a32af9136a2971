# SPDX-License-Identifier: BSD-2-Clause
# NixOS module: the TPM 2.0 chip as an OpenSSH security key (sk-tpm).
#
#   imports = [ /path/to/sk-tpm/contrib/nixos/module.nix ];
#   security.tpm2.sk.enable = true;
#   security.tpm2.sk.users = [ "alice" ];
#
# It installs sk-tpm, turns on security.tpm2 (whose udev rules give group
# tss /dev/tpmrm0) and adds the users to that group, names the provider in
# the system ssh_config, allows it in the ssh-agent that
# programs.ssh.startAgent runs, and can persist the standard storage root
# key at boot. ./README.md says what each setting does and how to check it.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.security.tpm2.sk;
  tpm = config.security.tpm2;
  provider = "${cfg.package}/lib/libsk-tpm.so";

  # One ssh_config(5) Host pattern: no blank (patterns are separated by
  # blanks), no quote and no "#" (ssh_config would read them as quoting and
  # a comment). "!" negates, "*" and "?" are wildcards.
  hostPattern = lib.types.strMatching "[^[:space:]\"#]+" // {
    description = "ssh_config Host pattern (no blanks, quotes or #)";
  };
  # A string of patterns on one line, split at blanks, is also accepted (the
  # type of this option before it became a list).
  splitBlanks = s: lib.filter (w: lib.isString w && w != "") (builtins.split "[[:space:]]+" s);

  # Without the overlay, pkgs has no sk-tpm: the default is then built from
  # this checkout.
  pkgsWithSkTpm =
    if pkgs ? sk-tpm then pkgs else pkgs // { sk-tpm = pkgs.callPackage ./package.nix { }; };

  provisionSrk = pkgs.writeShellApplication {
    name = "sk-tpm-provision-srk";
    runtimeInputs = [
      pkgs.tpm2-tools
      pkgs.coreutils
      pkgs.gnugrep
    ];
    text = builtins.readFile ./provision-srk.sh;
  };

  opt = name: "{option}`security.tpm2.sk.${name}`";
in
{
  imports = [
    (lib.mkRenamedOptionModule
      [ "security" "tpm2" "sk" "sshConfig" ]
      [ "security" "tpm2" "sk" "enableSshConfig" ]
    )
    (lib.mkRenamedOptionModule [ "security" "tpm2" "sk" "agent" ] [ "security" "tpm2" "sk" "enableAgent" ])
  ];

  options.security.tpm2.sk = {
    enable = lib.mkEnableOption ''
      sk-tpm: the TPM 2.0 chip as an OpenSSH security key, for `ecdsa-sk`
      keys whose private half never leaves the TPM
    '';

    package = lib.mkPackageOption pkgsWithSkTpm "sk-tpm" {
      extraDescription = ''
        Without `pkgs.sk-tpm` (the overlay in {file}`overlay.nix` adds it),
        the default is {file}`package.nix` of this checkout.
      '';
    };

    users = lib.mkOption {
      type = lib.types.listOf (lib.types.passwdEntry lib.types.str);
      default = [ ];
      example = [ "alice" ];
      description = ''
        Users made members of the group {option}`security.tpm2.tssGroup`,
        which may open {file}`/dev/tpmrm0` and so make and use TPM keys. No
        account is created for them. Others need the group some other way.
      '';
    };

    enableSshConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Whether to name the provider in the system ssh_config
        ({option}`programs.ssh.extraConfig`), as `SecurityKeyProvider` for
        the hosts of ${opt "hosts"}. ssh has one provider for all
        security keys: the keys of a USB FIDO token then need
        `ssh -o SecurityKeyProvider=internal` for those hosts.
      '';
    };

    hosts = lib.mkOption {
      type =
        lib.types.coercedTo lib.types.singleLineStr splitBlanks (lib.types.nonEmptyListOf hostPattern)
        // {
          description = "non-empty list of ssh_config Host patterns (no blanks, quotes or #), or one line of them";
        };
      default = [ "*" ];
      example = [
        "*.example.org"
        "!legacy.example.org"
      ];
      description = ''
        The ssh_config `Host` patterns of the hosts ssh uses the TPM
        provider for (a list, or one line of them separated by blanks);
        other hosts keep ssh's built-in provider. Used when
        ${opt "enableSshConfig"} is set.
      '';
    };

    enableAgent = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Whether to allow the provider in the ssh-agent that
        {option}`programs.ssh.startAgent` runs: ssh-agent loads only the
        providers its `-P` list admits, which is
        {option}`programs.ssh.agentPKCS11Whitelist`. It is set at default
        priority; a value of your own takes precedence.
      '';
    };

    provisionSrk = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Whether to persist, at boot, the TCG standard ECC P-256 storage root
        key at handle 0x81000001 if that handle is free (two TPM commands
        less per signature). Needs the TPM owner hierarchy without a
        password. Machines without a TPM skip it.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.users == [ ] || tpm.tssGroup != null;
        message = ''
          security.tpm2.sk.users lists ${lib.concatStringsSep ", " cfg.users}, but
          security.tpm2.tssGroup is null: there is no group that may open
          /dev/tpmrm0 to add them to. Set security.tpm2.tssGroup (its default
          is "tss"), or empty security.tpm2.sk.users and grant access yourself.
        '';
      }
    ];
    warnings =
      lib.optional (cfg.users != [ ] && !(tpm.enable && tpm.applyUdevRules))
        "security.tpm2.sk.users are made members of group ${toString tpm.tssGroup}, but security.tpm2.enable or security.tpm2.applyUdevRules is false: without their udev rules /dev/tpmrm0 stays root's, and the users cannot use the TPM.";

    security.tpm2.enable = lib.mkDefault true;

    environment.systemPackages = [ cfg.package ];

    # As members of the group (nixpkgs' hardware/openrazer.nix does the
    # same): users.users.<name>.extraGroups would declare the accounts.
    users.groups = lib.optionalAttrs (tpm.tssGroup != null && cfg.users != [ ]) {
      ${tpm.tssGroup}.members = cfg.users;
    };

    # After the other lines of extraConfig (mkAfter), so that a setting of
    # the user's, provider included, comes first and wins for every host;
    # and closed with "Host *", so that lines after it (another module's
    # mkAfter) still apply to every host.
    programs.ssh.extraConfig = lib.mkIf cfg.enableSshConfig (
      lib.mkAfter ''
        # sk-tpm (security.tpm2.sk): ecdsa-sk keys of these hosts are in the TPM
        Host ${lib.concatStringsSep " " cfg.hosts}
          SecurityKeyProvider ${provider}
        # end of sk-tpm's block: what follows applies to every host
        Host *
      ''
    );

    programs.ssh.agentPKCS11Whitelist = lib.mkIf cfg.enableAgent (lib.mkDefault provider);

    systemd.services.sk-tpm-provision-srk = lib.mkIf cfg.provisionSrk {
      description = "Persist the standard TPM storage root key for sk-tpm";
      wantedBy = [ "multi-user.target" ];
      # tpm2.target is reached once the kernel has the TPM (when the
      # firmware announced one); without a TPM the unit is skipped instead
      # of waiting for a device that never comes.
      after = [ "tpm2.target" ];
      unitConfig.ConditionPathExists = "/dev/tpmrm0";
      environment.TPM2TOOLS_TCTI = "device:/dev/tpmrm0";
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = lib.getExe provisionSrk;
      };
    };
  };
}
