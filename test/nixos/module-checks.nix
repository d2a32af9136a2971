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
  lib' = "${sk.package}/lib/libsk-tpm.so";
  sshConfig = c.environment.etc."ssh/ssh_config".text;
  agentStart = c.systemd.user.services.ssh-agent.serviceConfig.ExecStart;
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
  (eq "no warnings" c.warnings [ ])
]
