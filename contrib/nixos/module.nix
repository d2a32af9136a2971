# SPDX-License-Identifier: BSD-2-Clause
# NixOS module: the TPM 2.0 chip as an OpenSSH security key (sk-tpm).
#
#   imports = [ /path/to/sk-tpm/contrib/nixos/module.nix ];
#   security.tpm2.sk.enable = true;
#   security.tpm2.sk.users = [ "alice" ];
#
# It installs sk-tpm (and a copy of its provider at a fixed path, for
# ssh-agent), turns on security.tpm2 (whose udev rules give group
# tss /dev/tpmrm0) and adds the users to that group, names the provider in
# the system ssh_config, allows it in the ssh-agent that
# programs.ssh.startAgent runs, and can persist the standard storage root
# key at boot and give sshd a host key in the TPM. ./README.md says what
# each setting does and how to check it.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.security.tpm2.sk;
  tpm = config.security.tpm2;
  # The library as ssh_config and the agent name it: a copy at a fixed
  # path that sk-tpm-provider.service (./install-provider.sh) replaces on
  # every boot and switch. ssh-agent remembers a provider by its realpath(),
  # so a key added through a store path, or a symlink into the store such
  # as /run/current-system/sw/lib/libsk-tpm.so, stops working once that
  # store path is garbage collected; a key added through the copy goes on
  # working with each new build.
  provider = cfg.providerPath;
  storeLibrary = "${cfg.package}/lib/libsk-tpm.so";

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

  installProvider = pkgs.writeShellApplication {
    name = "sk-tpm-install-provider";
    runtimeInputs = [ pkgs.coreutils ];
    text = builtins.readFile ./install-provider.sh;
  };

  # Whether the ssh-agent allow-list LIST (a comma-separated pattern list,
  # or null: ssh-agent's default, which admits only /usr/lib*/* and
  # /usr/local/lib*/*) admits PATH, as ssh-agent's match_pattern_list()
  # decides: "*" and "?" are wildcards, a matching "!" pattern refuses.
  globRegex = lib.concatMapStrings (
    c:
    if c == "*" then
      ".*"
    else if c == "?" then
      "."
    else if lib.elem c (lib.stringToCharacters "\\.[]{}()^$|+") then
      "\\${c}"
    else
      c
  );
  globMatches = p: s: builtins.match (globRegex (lib.stringToCharacters p)) s != null;
  admits =
    list: path:
    let
      pats = lib.splitString "," list;
      neg = map (lib.removePrefix "!") (lib.filter (lib.hasPrefix "!") pats);
      pos = lib.filter (p: !(lib.hasPrefix "!" p)) pats;
    in
    list != null && lib.any (p: globMatches p path) pos && !(lib.any (p: globMatches p path) neg);
  allowList = config.programs.ssh.agentPKCS11Whitelist;

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

    providerPath = lib.mkOption {
      type = lib.types.str;
      default = "/run/sk-tpm/libsk-tpm.so";
      readOnly = true;
      description = ''
        Where the provider is for ssh, ssh-keygen and ssh-add: a copy of
        the library of ${opt "package"}, renewed at boot and on every
        switch (unit `sk-tpm-provider.service`). Keys added to ssh-agent
        with `ssh-add -S` through this path keep working after a rebuild
        and garbage collection; keys added through a store path (or
        {file}`/run/current-system/sw/lib/libsk-tpm.so`, a symlink into
        the store) stop working once that store path is collected.
      '';
    };

    enableAgent = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Whether to allow the provider in the ssh-agent that
        {option}`programs.ssh.startAgent` runs: ssh-agent loads only the
        providers its `-P` list admits, which is
        {option}`programs.ssh.agentPKCS11Whitelist`, set to
        ${opt "providerPath"} at default priority. A value of your own
        takes precedence: add ${opt "providerPath"} to it (patterns are
        separated by commas); there is a warning while it does not admit
        the provider.
      '';
    };

    hostKey = {
      enable = lib.mkEnableOption ''
        sshd's host key in the TPM: an `ecdsa-sk` key with no PIN and no
        touch, made once by `sk-tpm host-key` before sshd starts (unit
        `sk-tpm-host-key.service`, skipped on machines without a TPM), and
        named in {option}`services.openssh` with the provider that signs
        with it. sshd keeps its other host keys
        ({option}`services.openssh.hostKeys`), and serves them alone when
        the TPM cannot sign
      '';
      path = lib.mkOption {
        type = lib.types.strMatching "/[^[:space:]\"#]+";
        default = "/etc/ssh/ssh_host_ecdsa_sk_key";
        description = ''
          Where the host key's file is (and its `.pub` beside it). It is
          made when missing and never replaced: remove it (and restart
          `sk-tpm-host-key.service`) for a new one, which every client that
          knew this host then sees as a changed host key.
        '';
      };
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
      lib.optional
        (
          cfg.enableAgent && config.programs.ssh.startAgent && !(admits allowList provider)
        )
        "security.tpm2.sk.enableAgent is set, but programs.ssh.agentPKCS11Whitelist (${
          if allowList == null then "null: ssh-agent's default" else ''"${allowList}"''
        }) does not admit the sk-tpm provider ${provider}: ssh-add -S will be refused. Add ${provider} to it, separated by a comma."
      ++ lib.optional (cfg.hostKey.enable && !config.services.openssh.enable)
        "security.tpm2.sk.hostKey.enable is set, but services.openssh.enable is not: the TPM host key is made, and no sshd serves it."
      ++ lib.optional (cfg.users != [ ] && !(tpm.enable && tpm.applyUdevRules))
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

    # The copy at providerPath: made at boot, and again on every switch to
    # a configuration with another package (the unit's ExecStart changes,
    # so switch-to-configuration restarts it).
    systemd.services.sk-tpm-provider = {
      description = "Copy the sk-tpm provider to ${provider}";
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${lib.getExe installProvider} ${storeLibrary} ${provider}";
      };
    };

    # sshd's host key: the HostKey line beside those of
    # services.openssh.hostKeys (not among them: sshd.nix would run
    # ssh-keygen -t ecdsa-sk without a provider for a missing file, and
    # sshd would not start without the TPM), and the provider by its store
    # path, which sshd's configuration keeps alive. A HostKey whose file is
    # missing (no TPM) costs sshd one log line, not its other keys.
    services.openssh = lib.mkIf cfg.hostKey.enable {
      extraConfig = ''
        # sk-tpm (security.tpm2.sk.hostKey): the host key in the TPM
        HostKey ${cfg.hostKey.path}
      '';
      settings.SecurityKeyProvider = storeLibrary;
    };

    # Made once, before sshd starts; a failure leaves sshd to its other
    # keys. The standard SRK is made persistent first when 0x81000001 is
    # free (sshd runs as root, without the saved-context cache).
    systemd.services.sk-tpm-host-key = lib.mkIf cfg.hostKey.enable {
      description = "Make sshd's host key in the TPM (sk-tpm)";
      wantedBy = [ "multi-user.target" ];
      before = [ "sshd.service" ];
      # After provisionSrk's unit, when there is one: not both making the
      # SRK persistent at once.
      after = [
        "tpm2.target"
        "sk-tpm-provision-srk.service"
      ];
      unitConfig.ConditionPathExists = [
        "/dev/tpmrm0"
        "!${cfg.hostKey.path}"
      ];
      path = [ config.programs.ssh.package ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${lib.getExe' cfg.package "sk-tpm"} host-key --file ${cfg.hostKey.path} --provider ${storeLibrary}";
      };
    };

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
