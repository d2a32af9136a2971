#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Put a copy of libsk-tpm.so at a fixed path, as a regular file replaced
# in one rename, so that keys held by a running ssh-agent keep working
# after the system is rebuilt and the old store path is garbage collected.
# ssh-agent resolves the path given to `ssh-add -S` with realpath() and
# remembers the result for as long as it holds the key: a symlink into the
# store (such as /run/current-system/sw/lib/libsk-tpm.so) would be
# remembered as the store path behind it. A regular file at a fixed path
# is remembered as itself, and each run of this script swaps the current
# build in under that name (a helper that has the old one open keeps it).
# The NixOS module runs it at boot and on every switch
# (sk-tpm-provider.service); test/nixos/agent-rebuild.sh runs it against
# the real ssh-agent.
#
#   install-provider.sh LIBRARY DESTINATION
set -euo pipefail
[ $# = 2 ] || { echo "usage: install-provider.sh LIBRARY DESTINATION" >&2; exit 2; }
src=$1 dst=$2
[ -f "$src" ] || { echo "install-provider: $src: no such file" >&2; exit 1; }
dir=$(dirname "$dst")
mkdir -p "$dir"
chmod 0755 "$dir"
tmp=$(mktemp "$dir/.$(basename "$dst").XXXXXX")
trap 'rm -f "$tmp"' EXIT
cp -- "$src" "$tmp"
chmod 0444 "$tmp"
mv -f -- "$tmp" "$dst"
trap - EXIT
echo "install-provider: $dst is a copy of $src"
