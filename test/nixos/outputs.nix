# SPDX-License-Identifier: BSD-2-Clause
# What a configuration produces that the sk-tpm module touches, as one
# JSON string: evaluating it forces every definition and type check
# involved (and the assertions, through `system`), so an evaluation of it
# either succeeds or stops with NixOS's own error message.
{ nixpkgs, src, modules }:
let
  e = import ./eval.nix { inherit nixpkgs src modules; };
  c = e.system;
in
builtins.toJSON {
  sshConfig = c.environment.etc."ssh/ssh_config".text;
  groups = builtins.mapAttrs (_: g: g.members) c.users.groups;
  users = builtins.attrNames c.users.users;
  packages = map toString c.environment.systemPackages;
  services = builtins.mapAttrs (_: s: s.serviceConfig // { inherit (s) after wantedBy; }) c.systemd.services;
  userServices = builtins.mapAttrs (_: s: s.serviceConfig) c.systemd.user.services;
  udev = c.services.udev.extraRules;
  inherit (c) warnings;
}
