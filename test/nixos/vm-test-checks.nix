# SPDX-License-Identifier: BSD-2-Clause
# The checks of nixos.vm-test (vm-test.sh): the node of
# contrib/nixos/test.nix, as `nix-build contrib/nixos -A vm-test` hands it
# to testers.runNixOSTest, evaluated by ./eval.nix (nixpkgs' lib, the real
# tpm2, ssh and assertions modules, the stand-ins): its configuration must
# pass NixOS's assertions without warnings and give the steps what they
# rely on. Returns the report of ./check.nix, then, after a line "--", the
# steps script and the testScript (vm-test.sh checks their syntax).
{ nixpkgs, src }:

let
  lib = import ./lib.nix nixpkgs;
  pkgs = import ./pkgs.nix { inherit lib; };
  inherit (import ./check.nix { inherit lib; }) check eq has report;

  entry = import (src + "/contrib/nixos/default.nix") { inherit pkgs; };
  test =
    let
      t = entry.vm-test.nixosTest;
    in
    if lib.isFunction t then t { } else if builtins.isPath t then import t { } else t;
  node = import ./eval.nix {
    inherit nixpkgs src;
    modules = [ test.nodes.machine ];
  };
  c = node.system;
  provider = c.security.tpm2.sk.providerPath;
  steps = lib.findFirst (p: p.name == "sk-tpm-vm-steps") null c.environment.systemPackages;
  agent = c.systemd.user.services.ssh-agent;
in
report [
  (eq "vm-test: runNixOSTest of contrib/nixos/test.nix" (toString entry.vm-test.nixosTest) (toString (src + "/contrib/nixos/test.nix")))
  (eq "node: no warnings" c.warnings [ ])
  (check "node: the module is on" c.security.tpm2.sk.enable "security.tpm2.sk.enable is false")
  (check "node: a TPM in the VM" c.virtualisation.tpm.enable "virtualisation.tpm.enable is false")
  (eq "node: alice is in group tss" c.users.groups.tss.members [ "alice" ])
  (check "node: startAgent's ssh-agent runs, allowing the provider" (
    c.programs.ssh.startAgent && lib.hasInfix "-P ${provider} " agent.serviceConfig.ExecStart
  ) "startAgent ${builtins.toJSON c.programs.ssh.startAgent}")
  (check "node: the provider copy is made at boot" (lib.elem "multi-user.target" c.systemd.services.sk-tpm-provider.wantedBy) "sk-tpm-provider.service is not wanted")
  (check "node: the SRK unit is there" (c.systemd.services ? sk-tpm-provision-srk) "no sk-tpm-provision-srk.service")
  (check "node: the steps are installed" (steps != null) "no sk-tpm-vm-steps in environment.systemPackages")
  (has "steps: sk-tpm doctor" steps.text "\nsk-tpm doctor\n")
  (has "steps: enroll through the provider path" steps.text "-w ${provider} ")
  (has "steps: ssh_config names it" steps.text ''grep -qx "securitykeyprovider ${provider}"'')
  (has "steps: startAgent's socket" steps.text ''SSH_AUTH_SOCK="/run/user/$(id -u)/ssh-agent"'')
  (has "steps: ssh-add -S through the provider path" steps.text "ssh-add -S ${provider} ")
  (has "steps: a login through the agent" steps.text "= AGENT-OK")
  (has "testScript: waits for alice's ssh-agent" test.testScript ''machine.wait_for_unit("ssh-agent.service", "alice")'')
  (has "testScript: sk-tpm doctor as alice" test.testScript "su - alice -c 'sk-tpm doctor'")
  (has "testScript: the steps as alice" test.testScript "su - alice -c sk-tpm-vm-steps")
  (check "node: sshd's host key in the TPM" (c.security.tpm2.sk.hostKey.enable && c.services.openssh.enable) "hostKey.enable or services.openssh.enable is false")
  (has "node: sshd_config names the TPM host key" c.services.openssh.extraConfig "HostKey /etc/ssh/ssh_host_ecdsa_sk_key")
  (has "testScript: waits for the host key" test.testScript ''machine.wait_for_unit("sk-tpm-host-key.service")'')
  (has "testScript: sk-tpm list shows it as this TPM's" test.testScript "no-pin  no-touch  .*  this TPM")
  (has "testScript: ssh-keyscan reports it" test.testScript "ssh-keyscan -t ecdsa-sk localhost")
  (has "steps: a login knowing only the TPM host key" steps.text "= HOSTKEY-OK")
]
+ "--\n${steps.text or ""}\n--\n${test.testScript}"
