# NixOS VM test: a VM with a TPM (swtpm, virtualisation.tpm.enable) and the
# module; alice enrolls a key with ssh-keygen and logs in to the VM's sshd
# through the system ssh_config, then through ssh-agent; a resident key is
# fetched back with ssh-keygen -K and removed with sk-tpm delete.
#   nix-build contrib/nixos -A vm-test
{ ... }:
{
  name = "sk-tpm";

  nodes.machine =
    { config, pkgs, ... }:
    let
      provider = "${config.security.tpm2.sk.package}/lib/libsk-tpm.so";
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
        # Through an agent that allows the provider, as startAgent's would.
        eval "$(ssh-agent -P ${provider})"
        ssh-add -S ${provider} ~/.ssh/id_ecdsa_sk
        test "$(ssh $opts -i ~/.ssh/id_ecdsa_sk.pub alice@localhost echo AGENT-OK)" = AGENT-OK
        ssh-agent -k
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
      };
      services.openssh.enable = true;
      users.users.alice.isNormalUser = true;
      environment.systemPackages = [ steps ];
    };

  testScript = ''
    machine.wait_for_unit("multi-user.target")
    machine.wait_for_unit("sshd.service")
    machine.wait_for_unit("sk-tpm-provision-srk.service")
    machine.succeed("su - alice -c 'sk-tpm doctor' | grep 'standard ECC P-256 SRK is persistent'")
    machine.succeed("su - alice -c sk-tpm-vm-steps")
  '';
}
