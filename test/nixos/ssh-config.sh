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

# config NAME MODULE [WHERE]: evaluate the configuration MODULE (a Nix
# expression) with an enabled module and write its /etc/ssh/ssh_config to
# $NIXTMP/NAME.conf; PROVIDER is the provider path the module names. WHERE
# is "modules" (MODULE after the sk-tpm module in the module list, the
# default) or "first" (before it).
config() {
	local name=$1 module=$2 where=${3:-modules} e
	local on="{ security.tpm2.sk.enable = true; }"
	if [ "$where" = first ]; then
		e="modules = [ $on ]; first = [ ($module) ];"
	else
		e="modules = [ $on ($module) ];"
	fi
	e="(import $(nix_path "$HERE/eval.nix") { $NIX_ARGS $e })"
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

# A narrow pattern: the module's Host block is closed again, so the user's
# own lines (before or after it, mkAfter included) still apply to every
# host, and other hosts keep ssh's built-in provider.
for where in modules first; do
	config "narrow-$where" '{ lib, ... }: {
		security.tpm2.sk.hosts = "*.example.org";
		programs.ssh.extraConfig = lib.mkMerge [ "ServerAliveInterval 42"
		    (lib.mkAfter "ServerAliveCountMax 7") ];
	}' "$where"
	expect server.example.org securitykeyprovider "$PROVIDER"
	expect other.net securitykeyprovider internal
	for host in server.example.org other.net; do
		expect "$host" serveraliveinterval 42
		expect "$host" serveralivecountmax 7
	done
done

config patterns '{ security.tpm2.sk.hosts = [ "*.example.org" "!legacy.example.org" "10.1.*" ]; }'
expect server.example.org securitykeyprovider "$PROVIDER"
expect 10.1.2.3 securitykeyprovider "$PROVIDER"
expect legacy.example.org securitykeyprovider internal
expect other.net securitykeyprovider internal

# The user's own provider line wins, as any earlier ssh_config line does.
for where in modules first; do
	config "own-provider-$where" \
	    '{ programs.ssh.extraConfig = "SecurityKeyProvider internal"; }' "$where"
	expect server.example.org securitykeyprovider internal
done

config off '{ security.tpm2.sk.enableSshConfig = false; }'
expect localhost securitykeyprovider internal
config off-old-name '{ security.tpm2.sk.sshConfig = false; }'
expect localhost securitykeyprovider internal

say PASS
