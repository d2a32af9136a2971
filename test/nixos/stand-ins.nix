# SPDX-License-Identifier: BSD-2-Clause
# Stand-ins for the NixOS options that contrib/nixos/module.nix, test.nix's
# node and the three real nixpkgs modules evaluated with them
# (security/tpm2.nix, programs/ssh.nix, misc/assertions.nix) read or
# define, but whose declaring modules are not in the nixpkgs folder of this
# evaluation: users, systemd, environment, services, networking,
# virtualisation, meta. Each is declared here under its real name with the
# real type and default (nixpkgs' nixos/modules/config/users-groups.nix,
# system/boot/systemd.nix and systemd-unit-options.nix, config/system-path.nix,
# system/etc/etc.nix, config/shells-environment.nix, services/hardware/udev.nix,
# services/system/dbus.nix, services/networking/ssh/sshd.nix,
# services/x11/xserver.nix, tasks/network-interfaces.nix,
# virtualisation/qemu-vm.nix, misc/meta.nix), trimmed to the sub-options these
# modules use, so that a typo or a wrong type is refused as NixOS would. Only
# users.users and users.groups do more than hold values: they carry the
# real module's behaviour the sk-tpm module depends on (a group's members
# include every user naming it in extraGroups; an account needs exactly one
# of isNormalUser and isSystemUser and an existing primary group, checked
# as assertions). Nothing is built: pkgs is ./pkgs.nix.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib) mkOption types;

  # systemd-unit-options.nix: unit names in dependency lists.
  unitName = types.strMatching "[a-zA-Z0-9@%:_.\\-]+[.](service|socket|device|mount|automount|swap|target|path|timer|scope|slice)";
  unitList = mkOption {
    type = types.listOf unitName;
    default = [ ];
  };
  # systemd-unit-options.nix: values of [Unit]/[Service] settings.
  unitOption =
    let
      atom = types.oneOf [
        types.bool
        types.int
        types.str
        types.path
        types.package
      ];
    in
    types.either atom (types.listOf atom);

  unit = types.submodule {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      description = mkOption {
        type = types.singleLineStr;
        default = "";
      };
      documentation = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
      requires = unitList;
      wants = unitList;
      after = unitList;
      before = unitList;
      bindsTo = unitList;
      partOf = unitList;
      conflicts = unitList;
      wantedBy = unitList;
      requiredBy = unitList;
      unitConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
      };
      serviceConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
      };
      environment = mkOption {
        type = types.attrsOf (
          types.nullOr (
            types.oneOf [
              types.str
              types.path
              types.package
            ]
          )
        );
        default = { };
      };
      path = mkOption {
        type = types.listOf (
          types.oneOf [
            types.package
            types.str
          ]
        );
        default = [ ];
      };
      script = mkOption {
        type = types.lines;
        default = "";
      };
      restartTriggers = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
      };
    };
  };

  userOpts =
    { name, config, ... }:
    {
      options = {
        enable = mkOption {
          type = types.bool;
          default = true;
        };
        name = mkOption { type = types.passwdEntry types.str; };
        uid = mkOption {
          type = types.nullOr types.int;
          default = null;
        };
        isSystemUser = mkOption {
          type = types.bool;
          default = false;
        };
        isNormalUser = mkOption {
          type = types.bool;
          default = false;
        };
        group = mkOption {
          type = types.str;
          default = "";
        };
        extraGroups = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
      };
      config = lib.mkMerge [
        { name = lib.mkDefault name; }
        (lib.mkIf config.isNormalUser {
          group = lib.mkDefault "users";
          isSystemUser = lib.mkDefault false;
        })
      ];
    };

  groupOpts =
    { name, config, ... }:
    {
      options = {
        name = mkOption { type = types.passwdEntry types.str; };
        gid = mkOption {
          type = types.nullOr types.int;
          default = null;
        };
        members = mkOption {
          type = types.listOf (types.passwdEntry types.str);
          default = [ ];
        };
      };
      config = {
        name = lib.mkDefault name;
        # As in users-groups.nix: users naming the group in extraGroups.
        members = lib.mapAttrsToList (_: u: u.name) (
          lib.filterAttrs (_: u: u.enable && lib.elem config.name u.extraGroups) users.users
        );
      };
    };

  users = config.users;
  groupNames = lib.mapAttrsToList (_: g: g.name) users.groups;
in
{
  options = {
    users.users = mkOption {
      type = types.attrsOf (types.submodule userOpts);
      default = { };
    };
    users.groups = mkOption {
      type = types.attrsOf (types.submodule groupOpts);
      default = { };
    };

    systemd.package = mkOption {
      type = types.package;
      default = pkgs.systemd;
    };
    systemd.services = mkOption {
      type = types.attrsOf unit;
      default = { };
    };
    systemd.user.services = mkOption {
      type = types.attrsOf unit;
      default = { };
    };
    systemd.tmpfiles.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };

    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    environment.corePackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    environment.etc = mkOption {
      type = types.attrsOf (
        types.submodule {
          options = {
            enable = mkOption {
              type = types.bool;
              default = true;
            };
            text = mkOption {
              type = types.nullOr types.lines;
              default = null;
            };
            source = mkOption { type = types.path; };
          };
        }
      );
      default = { };
    };
    environment.variables = mkOption {
      type = types.attrsOf (
        types.oneOf [
          (types.listOf (
            types.oneOf [
              types.int
              types.str
              types.path
            ]
          ))
          types.int
          types.str
          types.path
        ]
      );
      default = { };
      apply = lib.mapAttrs (_: v: if lib.isList v then lib.concatMapStringsSep ":" toString v else toString v);
    };

    services.udev.extraRules = mkOption {
      type = types.lines;
      default = "";
    };
    services.dbus.packages = mkOption {
      type = types.listOf types.path;
      default = [ ];
    };
    services.xserver.enable = mkOption {
      type = types.bool;
      default = false;
    };
    services.openssh.enable = mkOption {
      type = types.bool;
      default = false;
    };
    services.openssh.extraConfig = mkOption {
      type = types.lines;
      default = "";
    };
    services.openssh.settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf types.anything;
        options.X11Forwarding = mkOption {
          type = types.bool;
          default = false;
        };
      };
      default = { };
    };

    networking.enableIPv6 = mkOption {
      type = types.bool;
      default = true;
    };

    virtualisation.tpm.enable = mkOption {
      type = types.bool;
      default = false;
    };

    meta.doc = mkOption {
      type = types.path;
      internal = true;
    };
    meta.maintainers = mkOption {
      type = types.listOf types.raw;
      internal = true;
      default = [ ];
    };
  };

  config = {
    # The accounts and groups users-groups.nix always defines, that the
    # checks below can see.
    users.users.root = {
      uid = 0;
      group = "root";
    };
    users.users.nobody = {
      uid = 65534;
      isSystemUser = true;
      group = "nogroup";
    };
    users.groups = {
      root.gid = 0;
      wheel.gid = 1;
      users.gid = 100;
      nogroup.gid = 65534;
    };

    # users-groups.nix's assertions about accounts.
    assertions =
      lib.concatLists (
        lib.mapAttrsToList (
          _: u:
          let
            system = u.isSystemUser || (u.uid != null && u.uid < 1000 && !u.isNormalUser);
          in
          [
            {
              assertion = lib.xor system u.isNormalUser;
              message = "Exactly one of users.users.${u.name}.isSystemUser and users.users.${u.name}.isNormalUser must be set.";
            }
            {
              assertion = u.group != "";
              message = "users.users.${u.name}.group is unset.";
            }
          ]
        ) users.users
      )
      ++ [
        {
          assertion = lib.all (u: u.group == "" || lib.elem u.group groupNames) (lib.attrValues users.users);
          message = "The following users have a primary group that is undefined: ${
            toString (
              lib.mapAttrsToList (n: _: n) (
                lib.filterAttrs (_: u: u.group != "" && !lib.elem u.group groupNames) users.users
              )
            )
          }";
        }
      ];
  };
}
