#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The system ssh_config that programs.ssh (nixpkgs' real ssh.nix) writes
# with the sk-tpm module, checked by the real ssh: `ssh -G -F FILE HOST`
# must accept the whole file and resolve, for several hosts, the provider
# and the user's own settings as intended.
#
#   ssh-config.sh SOURCE-DIR
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
command -v ssh >/dev/null || { echo "SKIPPED: ssh is not installed" >&2; exit 77; }

# config NAME MODULE: evaluate the configuration MODULE (a Nix expression)
# with an enabled module and write its /etc/ssh/ssh_config to
# $NIXTMP/NAME.conf; PROVIDER is the provider path the module names.
config() {
	local name=$1 module=$2 e
	e="(import $(nix_path "$HERE/eval.nix") { $NIX_ARGS modules = [
	    { security.tpm2.sk.enable = true; } ($module) ]; })"
	nix_eval "$e.system.environment.etc.\"ssh/ssh_config\".text" \
	    >"$NIXTMP/$name.conf" || fail "$name: the configuration did not evaluate"
	PROVIDER=$(nix_eval "$e.config.security.tpm2.sk.providerPath or \"\${$e.config.security.tpm2.sk.package}/lib/libsk-tpm.so\"")
	CONF=$name
}

# expect HOST KEY VALUE: ssh -G for HOST accepts the file and gives KEY
# (lower case, as ssh -G prints it) the value VALUE.
expect() {
	local host=$1 key=$2 value=$3 out rc=0
	out=$(ssh -G -F "$NIXTMP/$CONF.conf" "$host" </dev/null 2>"$NIXTMP/ssh.err") || rc=$?
	if [ "$rc" != 0 ]; then
		sed 's/^/    /' "$NIXTMP/ssh.err" >&2
		sed 's/^/    | /' "$NIXTMP/$CONF.conf" >&2
		fail "$CONF: ssh -G $host refuses the ssh_config (status $rc)"
	fi
	grep -qix -- "$key $value" <<<"$out" || {
		sed 's/^/    | /' "$NIXTMP/$CONF.conf" >&2
		fail "$CONF: ssh -G $host: want \"$key $value\", got \"$(grep -i "^$key " <<<"$out")\""
	}
	say "$CONF: ssh -G $host: $key $value"
}

config default '{ }'
for host in localhost server.example.org 192.0.2.7; do
	expect "$host" securitykeyprovider "$PROVIDER"
done

config own-lines '{ programs.ssh.extraConfig = "ServerAliveInterval 42"; }'
for host in localhost server.example.org; do
	expect "$host" securitykeyprovider "$PROVIDER"
	expect "$host" serveraliveinterval 42
done

config off '{ security.tpm2.sk.sshConfig = false; }'
expect localhost securitykeyprovider internal

say PASS
