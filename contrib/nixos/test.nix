# SPDX-License-Identifier: BSD-2-Clause
# NixOS VM test: a VM with a TPM (swtpm, virtualisation.tpm.enable) and the
# module. As alice: sk-tpm doctor; a key enrolled with ssh-keygen through
# the provider path the module names, a login to the VM's sshd through the
# system ssh_config, then one through the ssh-agent that
# programs.ssh.startAgent runs (its -P list is the module's: the provider
# path is admitted, the store path behind /run/current-system is not); a
# resident key fetched back with ssh-keygen -K and removed with sk-tpm
# delete. sshd's host key in the TPM (hostKey.enable): made before sshd,
# shown by sk-tpm list and doctor, reported by ssh-keyscan, and the only
# host key alice's login knows (StrictHostKeyChecking=yes). The project's CI cannot run it (no nixpkgs, no KVM); it evaluates
# this node's configuration instead (test/nixos/vm-test.sh).
#   nix-build contrib/nixos -A vm-test
{ ... }:
{
  name = "sk-tpm";

  nodes.machine =
    { config, pkgs, ... }:
    let
      provider = config.security.tpm2.sk.providerPath;
      steps = pkgs.writeShellScriptBin "sk-tpm-vm-steps" ''
        set -euxo pipefail
        mkdir -p ~/.ssh && chmod 700 ~/.ssh
        sk-tpm doctor
        ssh-keygen -q -t ecdsa-sk -O no-touch-required -w ${provider} \
          -N "" -f ~/.ssh/id_ecdsa_sk </dev/null
        { printf 'no-touch-required '; cat ~/.ssh/id_ecdsa_sk.pub; } >~/.ssh/authorized_keys
        opts="-o StrictHostKeyChecking=no -o BatchMode=yes -o IdentitiesOnly=yes"
        # The provider comes from the system ssh_config the module wrote.
        ssh -G localhost | grep -qx "securitykeyprovider ${provider}"
        test "$(ssh $opts -i ~/.ssh/id_ecdsa_sk alice@localhost echo LOGIN-OK)" = LOGIN-OK
        # Through the agent of programs.ssh.startAgent (a systemd user unit).
        export SSH_AUTH_SOCK="/run/user/$(id -u)/ssh-agent"
        ssh-add -S ${provider} ~/.ssh/id_ecdsa_sk
        ssh-add -l | grep -q ECDSA-SK
        test "$(ssh $opts -i ~/.ssh/id_ecdsa_sk.pub alice@localhost echo AGENT-OK)" = AGENT-OK
        # Its allow-list admits the copy, not the store path (a key added
        # through it would stop working after garbage collection).
        if ssh-add -S /run/current-system/sw/lib/libsk-tpm.so ~/.ssh/id_ecdsa_sk; then
          exit 1
        fi
        ssh-add -D
        # sshd's host key in the TPM is the only one this login knows.
        echo "localhost $(cut -d' ' -f1,2 /etc/ssh/ssh_host_ecdsa_sk_key.pub)" >~/kh-tpm
        test "$(ssh -o UserKnownHostsFile=~/kh-tpm -o StrictHostKeyChecking=yes \
          -o BatchMode=yes -o IdentitiesOnly=yes -i ~/.ssh/id_ecdsa_sk \
          alice@localhost echo HOSTKEY-OK)" = HOSTKEY-OK
        # A resident key, downloaded again and deleted with the tool.
        ssh-keygen -q -t ecdsa-sk -O resident -O no-touch-required \
          -O application=ssh:vm -w ${provider} -N "" -f ~/rk </dev/null
        mkdir ~/dl && cd ~/dl && ssh-keygen -K -w ${provider} -N "" </dev/null
        test "$(cut -d' ' -f2 ~/dl/id_ecdsa_sk_rk_vm.pub)" = "$(cut -d' ' -f2 ~/rk.pub)"
        sk-tpm list | grep -q ssh:vm
        sk-tpm delete --application ssh:vm --yes
        if sk-tpm list | grep -q ssh:vm; then exit 1; fi
      '';
    in
    {
      imports = [ ./module.nix ];
      virtualisation.tpm.enable = true;
      security.tpm2.sk = {
        enable = true;
        users = [ "alice" ];
        provisionSrk = true;
        hostKey.enable = true;
      };
      programs.ssh.startAgent = true;
      services.openssh.enable = true;
      users.users.alice.isNormalUser = true;
      environment.systemPackages = [ steps ];
    };

  testScript = ''
    machine.wait_for_unit("multi-user.target")
    machine.wait_for_unit("sshd.service")
    machine.wait_for_unit("sk-tpm-provision-srk.service")
    machine.wait_for_unit("sk-tpm-provider.service")
    machine.wait_for_unit("sk-tpm-host-key.service")
    machine.succeed("sk-tpm list | grep -E '^host key: /etc/ssh/ssh_host_ecdsa_sk_key  ssh:host  no-pin  no-touch  .*  this TPM$'")
    machine.succeed("sk-tpm doctor | grep 'host key: .* signed a test message'")
    machine.succeed("ssh-keyscan -t ecdsa-sk localhost | grep -F \"$(cut -d' ' -f1,2 /etc/ssh/ssh_host_ecdsa_sk_key.pub)\"")
    machine.succeed("test -f /run/sk-tpm/libsk-tpm.so && test ! -L /run/sk-tpm/libsk-tpm.so")
    # alice's user manager, and with it startAgent's ssh-agent, without a login.
    machine.succeed("loginctl enable-linger alice")
    machine.wait_for_unit("ssh-agent.service", "alice")
    machine.succeed("su - alice -c 'sk-tpm doctor' | grep 'standard ECC P-256 SRK is persistent'")
    machine.succeed("su - alice -c sk-tpm-vm-steps")
  '';
}
