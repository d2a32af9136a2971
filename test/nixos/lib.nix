# SPDX-License-Identifier: BSD-2-Clause
# nixpkgs' lib from the folder NIXPKGS (a path), as the tests evaluate it.
# On Nix 2.14 and later this is plain `import NIXPKGS/lib`. Older Nix
# (Debian 12 has 2.8) lacks builtins.readFileType, which lib.fileset and
# lib.filesystem.pathType call; there every file of lib is imported with a
# `builtins` that adds it, computed from builtins.readDir of the parent
# directory, which reports the same four types (regular, directory,
# symlink, unknown). Nothing else is changed. nixpkgs itself needs Nix 2.18
# (lib/minfeatures.nix), so this stand-in only lets the old Nix of CI's
# Debian 12 evaluate the same code; Debian 13's Nix 2.26 uses the real one.
nixpkgs:
let
  fileType =
    p:
    if toString p == "/" then
      "directory"
    else
      (builtins.readDir (dirOf p)).${baseNameOf p};
  withFileType = builtins // {
    readFileType = fileType;
  };
  importWith = p: scopedImport {
    builtins = withFileType;
    import = importWith;
  } p;
in
if builtins ? readFileType then
  import (nixpkgs + "/lib")
else
  importWith (nixpkgs + "/lib")
