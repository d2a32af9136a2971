# NixOS module: the TPM as an OpenSSH security key.
#
#   imports = [ /path/to/sk-tpm/contrib/nixos/module.nix ];
#   security.tpm2.sk.enable = true;
#   security.tpm2.sk.users = [ "alice" ];
#
# It installs sk-tpm, turns on security.tpm2 (udev rules giving group tss
# /dev/tpmrm0), puts "SecurityKeyProvider" into the system ssh_config,
# allows the provider in the ssh-agent that programs.ssh.startAgent runs,
# and can persist the standard storage root key at boot.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.security.tpm2.sk;
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
in
{
  options.security.tpm2.sk = {
    enable = lib.mkEnableOption "sk-tpm, the TPM 2.0 chip as an OpenSSH security key";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.sk-tpm or (pkgs.callPackage ./package.nix { });
      defaultText = lib.literalExpression "pkgs.sk-tpm";
      description = "The sk-tpm package (libsk-tpm.so and the sk-tpm tool).";
    };

    users = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "alice" ];
      description = ''
        Users added to the TPM group (security.tpm2.tssGroup), which may
        use /dev/tpmrm0 and so make and use TPM keys. Others need the
        group some other way.
      '';
    };

    sshConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Put "SecurityKeyProvider" naming libsk-tpm.so into the system
        ssh_config, under the Host pattern of `hosts`. ssh has one provider
        for all sk keys: keys of a USB FIDO token then no longer work for
        those hosts.
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
        other hosts keep ssh's built-in provider.
      '';
    };

    agent = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Allow libsk-tpm.so in the ssh-agent of programs.ssh.startAgent
        (its -P list; store paths are outside ssh-agent's default list).
      '';
    };

    provisionSrk = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        At boot, persist the TCG standard ECC P-256 storage root key at
        0x81000001 if that handle is free (two TPM commands less per
        signature). Needs the TPM owner hierarchy without a password.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    security.tpm2.enable = true;

    environment.systemPackages = [ cfg.package ];

    users.users = lib.genAttrs cfg.users (_: {
      extraGroups = [ config.security.tpm2.tssGroup ];
    });

    # After the other lines of extraConfig (mkAfter), so that a setting of
    # the user's, provider included, comes first and wins for every host;
    # and closed with "Host *", so that lines after it (another module's
    # mkAfter) still apply to every host.
    programs.ssh.extraConfig = lib.mkIf cfg.sshConfig (
      lib.mkAfter ''
        # sk-tpm (security.tpm2.sk): ecdsa-sk keys of these hosts are in the TPM
        Host ${lib.concatStringsSep " " cfg.hosts}
          SecurityKeyProvider ${provider}
        # end of sk-tpm's block: what follows applies to every host
        Host *
      ''
    );

    programs.ssh.agentPKCS11Whitelist = lib.mkIf cfg.agent (lib.mkDefault provider);

    systemd.services.sk-tpm-provision-srk = lib.mkIf cfg.provisionSrk {
      description = "Persist the standard TPM storage root key for sk-tpm";
      wantedBy = [ "multi-user.target" ];
      after = [ "dev-tpmrm0.device" ];
      wants = [ "dev-tpmrm0.device" ];
      path = [
        pkgs.tpm2-tools
        pkgs.coreutils
        pkgs.gnugrep
      ];
      environment.TPM2TOOLS_TCTI = "device:/dev/tpmrm0";
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${pkgs.bash}/bin/bash ${./provision-srk.sh}";
      };
    };
  };
}
