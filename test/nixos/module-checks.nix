# SPDX-License-Identifier: BSD-2-Clause
# The checks of nixos.module (module.sh): configurations of
# contrib/nixos/module.nix evaluated by ./eval.nix, and what each must
# produce. Returns the report of ./check.nix.
{ nixpkgs, src }:

let
  evalWith = modules: import ./eval.nix { inherit nixpkgs src modules; };
  lib = import ./lib.nix nixpkgs;
  inherit (import ./check.nix { inherit lib; }) check eq has hasNot report;

  alice = {
    users.users.alice.isNormalUser = true;
  };
  basic = evalWith [
    alice
    {
      security.tpm2.sk = {
        enable = true;
        users = [ "alice" ];
      };
      programs.ssh.startAgent = true;
    }
  ];
  c = basic.system;
  sk = c.security.tpm2.sk;
  # The provider at its fixed path, never a store path (which a running
  # ssh-agent would remember until garbage collection removes it).
  lib' = "/run/sk-tpm/libsk-tpm.so";
  storeLib = "${sk.package}/lib/libsk-tpm.so";
  providerUnit = c.systemd.services.sk-tpm-provider;
  installApp = basic.pkgs.writeShellApplication {
    name = "sk-tpm-install-provider";
    runtimeInputs = [ basic.pkgs.coreutils ];
    text = builtins.readFile (src + "/contrib/nixos/install-provider.sh");
  };

  # A user's own ssh-agent allow-list: whether the module warns that it does
  # not admit the provider.
  allowWarns =
    list:
    lib.any (lib.hasInfix "does not admit the sk-tpm provider /run/sk-tpm/libsk-tpm.so") (on {
      programs.ssh.startAgent = true;
      programs.ssh.agentPKCS11Whitelist = list;
    }).config.warnings;
  sshConfig = c.environment.etc."ssh/ssh_config".text;
  agentStart = c.systemd.user.services.ssh-agent.serviceConfig.ExecStart;

  # evaluates EXPR: whether forcing it (deeply) succeeds; errors that are
  # not `throw`s (a missing attribute) still stop the test, with a trace.
  evaluates = x: (builtins.tryEval (builtins.deepSeq x true)).success;
  on = extra: evalWith [ { security.tpm2.sk.enable = true; } extra ];

  # The package option, as mkPackageOption declares it.
  pkgOpt = basic.options.security.tpm2.sk.package;
  withOverlay = import ./eval.nix {
    inherit nixpkgs src;
    modules = [ { security.tpm2.sk.enable = true; } ];
    overlays = [ (import (src + "/contrib/nixos/overlay.nix")) ];
  };

  # security.tpm2.enable is only a default: the user may turn it off.
  tpmOff = on { security.tpm2.enable = false; };

  # A user the configuration does not declare: made a member of the group,
  # no account is created (which would fail users-groups.nix's checks).
  undeclared = on { security.tpm2.sk.users = [ "bob" ]; };

  # The old option names still work, with a warning.
  renamed = on {
    security.tpm2.sk.sshConfig = false;
    security.tpm2.sk.agent = false;
  };
  renamedSk = renamed.config.security.tpm2.sk;

  # Option descriptions name other options with {option} markup.
  skOptions = lib.collect lib.isOption basic.options.security.tpm2.sk;
  unmarked =
    o:
    let
      d = o.description or "";
      text = if lib.isString d then d else d.text or "";
      bare = lib.concatStrings (
        lib.filter lib.isString (builtins.split "\\{option}`[^`]*`" text)
      );
    in
    lib.hasInfix "security.tpm2." bare || lib.hasInfix "programs.ssh." bare;
  badDescriptions = map (o: lib.showOption o.loc) (lib.filter unmarked skOptions);

  # The SRK unit.
  srk = (on { security.tpm2.sk.provisionSrk = true; }).system.systemd.services.sk-tpm-provision-srk;
  srkApp = basic.pkgs.writeShellApplication {
    name = "sk-tpm-provision-srk";
    runtimeInputs = with basic.pkgs; [
      tpm2-tools
      coreutils
      gnugrep
    ];
    text = builtins.readFile (src + "/contrib/nixos/provision-srk.sh");
  };
  # sshd's host key in the TPM.
  hk = on {
    security.tpm2.sk.hostKey.enable = true;
    services.openssh.enable = true;
  };
  hkc = hk.system;
  hkUnit = hkc.systemd.services.sk-tpm-host-key;
  hkPath = "/etc/ssh/ssh_host_ecdsa_sk_key";
  hkOther = (on {
    security.tpm2.sk.hostKey = {
      enable = true;
      path = "/var/lib/ssh/tpm_host_key";
    };
    services.openssh.enable = true;
  }).system;
  hkNoSshd = on { security.tpm2.sk.hostKey.enable = true; };
in
report [
  (eq "security.tpm2 is on" c.security.tpm2.enable true)
  (eq "alice is in group tss" c.users.groups.tss.members [ "alice" ])
  (has "tpm2.nix's udev rule gives group tss /dev/tpmrm0" c.services.udev.extraRules
    ''KERNEL=="tpmrm[0-9]*", TAG+="systemd", MODE="0660", OWNER="root", GROUP="tss"''
  )
  (check "the package is installed" (lib.elem sk.package c.environment.systemPackages) "not in environment.systemPackages")
  (has "the system ssh_config names the provider" sshConfig "SecurityKeyProvider ${lib'}")
  (has "startAgent's ssh-agent allows the provider" agentStart "-P ${lib'} ")
  (eq "providerPath: the fixed path" sk.providerPath lib')
  (hasNot "ssh_config names no store path of sk-tpm" sshConfig storeLib)
  (hasNot "the agent allow-list names no store path of sk-tpm" agentStart storeLib)
  (eq "sk-tpm-provider.service: install-provider.sh copies the package's library to the fixed path" providerUnit.serviceConfig.ExecStart "${lib.getExe installApp} ${storeLib} ${lib'}")
  (eq "sk-tpm-provider.service: a oneshot that stays active, started at boot" [ providerUnit.serviceConfig.Type providerUnit.serviceConfig.RemainAfterExit providerUnit.wantedBy ] [ "oneshot" true [ "multi-user.target" ] ])

  (check "allow-list: a user's own list without the provider warns" (allowWarns "/usr/lib/opensc-pkcs11.so") "no warning")
  (check "allow-list: a user's null (ssh-agent's default list) warns" (allowWarns null) "no warning")
  (check "allow-list: a list refusing the provider with ! warns" (allowWarns "/run/*,!/run/sk-tpm/*") "no warning")
  (check "allow-list: a list naming the provider does not warn" (!allowWarns "/usr/lib/opensc-pkcs11.so,/run/sk-tpm/libsk-tpm.so") "a warning")
  (check "allow-list: a pattern admitting the provider does not warn" (!allowWarns "/usr/lib/*,/run/sk-tpm/*.s?") "a warning")
  (check "allow-list: no warning without startAgent" (!lib.any (lib.hasInfix "does not admit") (on {
    programs.ssh.agentPKCS11Whitelist = "/usr/lib/opensc-pkcs11.so";
  }).config.warnings) "a warning")
  (eq "no warnings" c.warnings [ ])

  (check "package: declared with mkPackageOption" (
    (pkgOpt.defaultText.text or null) == "pkgs.sk-tpm"
    && lib.hasPrefix "The sk-tpm package to use." pkgOpt.description
  ) "defaultText ${builtins.toJSON (pkgOpt.defaultText or null)}, description ${builtins.toJSON pkgOpt.description}")
  (eq "package: pkgs.sk-tpm where the overlay provides it" (toString withOverlay.system.security.tpm2.sk.package)
    (toString withOverlay.pkgs.sk-tpm)
  )
  (eq "package: built from package.nix without the overlay" sk.package.name "sk-tpm-${import (src + "/contrib/nixos/version.nix")}")

  (check "security.tpm2.enable: a default the user can override" (evaluates tpmOff.system.security.tpm2.enable
    && !tpmOff.system.security.tpm2.enable
  ) "security.tpm2.enable = false does not evaluate to false")

  (check "security.tpm2.enable off: a warning for the users" (lib.any (lib.hasInfix "/dev/tpmrm0 stays root's") (on {
    security.tpm2.enable = false;
    security.tpm2.sk.users = [ "bob" ];
  }).config.warnings) "no warning")

  (check "users: an undeclared user passes the account checks" (evaluates undeclared.system.users.groups) "the configuration fails its assertions")
  (eq "users: made members of group tss" (undeclared.config.users.groups.tss.members) [ "bob" ])
  (check "users: no account is created" (!(undeclared.config.users.users ? bob)) "users.users.bob exists")

  (check "renamed: sshConfig is now enableSshConfig" (renamedSk ? enableSshConfig && !renamedSk.enableSshConfig) "no enableSshConfig, or it is not false")
  (check "renamed: agent is now enableAgent" (renamedSk ? enableAgent && !renamedSk.enableAgent) "no enableAgent, or it is not false")
  (check "renamed: a warning names the new option" (lib.any (lib.hasInfix "renamed to `security.tpm2.sk.enableSshConfig'") renamed.config.warnings) "warnings: ${builtins.toJSON renamed.config.warnings}")
  (check "options: enable... names" (lib.all (n: !(lib.elem n [ "sshConfig" "agent" ]) || !(basic.options.security.tpm2.sk.${n}.visible or true) ) (lib.attrNames basic.options.security.tpm2.sk)) "sshConfig/agent are still visible options")

  (eq "descriptions: other options in {option} markup" badDescriptions [ ])

  (check "srk unit: ordered after tpm2.target" (lib.elem "tpm2.target" srk.after) "after = ${builtins.toJSON srk.after}")
  (check "srk unit: does not wait for dev-tpmrm0.device" (!(lib.elem "dev-tpmrm0.device" (srk.after ++ srk.wants ++ srk.requires))) "after/wants/requires name dev-tpmrm0.device")
  (eq "srk unit: skipped without a TPM" (srk.unitConfig.ConditionPathExists or null) "/dev/tpmrm0")
  (eq "srk unit: runs provision-srk.sh as a writeShellApplication with tpm2-tools, coreutils, grep" srk.serviceConfig.ExecStart (lib.getExe srkApp))

  (eq "host key: the unit makes it with sk-tpm host-key through the store path of the provider" hkUnit.serviceConfig.ExecStart "${hkc.security.tpm2.sk.package}/bin/sk-tpm host-key --file ${hkPath} --provider ${storeLib}")
  (eq "host key: a oneshot before sshd, wanted at boot" [ hkUnit.serviceConfig.Type hkUnit.serviceConfig.RemainAfterExit hkUnit.before hkUnit.wantedBy ] [ "oneshot" true [ "sshd.service" ] [ "multi-user.target" ] ])
  (eq "host key: made once, and only with a TPM" hkUnit.unitConfig.ConditionPathExists [ "/dev/tpmrm0" "!${hkPath}" ])
  (check "host key: after tpm2.target" (lib.elem "tpm2.target" hkUnit.after) "after = ${builtins.toJSON hkUnit.after}")
  (check "host key: ssh-keygen on the unit's path" (lib.elem hkc.programs.ssh.package hkUnit.path) "programs.ssh.package not in path")
  (has "host key: sshd_config names it" hkc.services.openssh.extraConfig "\nHostKey ${hkPath}\n")
  (eq "host key: sshd's provider is the store path" hkc.services.openssh.settings.SecurityKeyProvider storeLib)
  (eq "host key: no warnings with sshd on" hkc.warnings [ ])
  (check "host key: a warning without sshd" (lib.any (lib.hasInfix "no sshd serves it") hkNoSshd.config.warnings) "warnings: ${builtins.toJSON hkNoSshd.config.warnings}")
  (check "host key: off by default" (!(c.systemd.services ? sk-tpm-host-key) && !(lib.hasInfix "HostKey" c.services.openssh.extraConfig) && !(c.services.openssh.settings ? SecurityKeyProvider)) "a unit, a HostKey or a SecurityKeyProvider without hostKey.enable")
  (has "host key: another path, in sshd_config" hkOther.services.openssh.extraConfig "\nHostKey /var/lib/ssh/tpm_host_key\n")
  (check "host key: another path, for the unit" (lib.hasInfix "--file /var/lib/ssh/tpm_host_key " hkOther.systemd.services.sk-tpm-host-key.serviceConfig.ExecStart && lib.elem "!/var/lib/ssh/tpm_host_key" hkOther.systemd.services.sk-tpm-host-key.unitConfig.ConditionPathExists) "not the path given")
  (check "host key: a path with a blank is refused" (!evaluates (on { security.tpm2.sk.hostKey = { enable = true; path = "/etc/ssh/a key"; }; }).system.services.openssh.extraConfig) "accepted")
  (check "host key: a relative path is refused" (!evaluates (on { security.tpm2.sk.hostKey = { enable = true; path = "ssh_host_key"; }; }).system.services.openssh.extraConfig) "accepted")
]
