#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sk-tpm's command line without a TPM: --help for the tool and each
# command (exit 0, usage on stdout), --version, and usage errors (exit 2,
# exactly one "sk-tpm: ..." line on stderr, nothing on stdout). SK_TPM_TCTI
# points at a closed port, so any attempt to reach a TPM would fail with
# status 1 and show up here.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

export SK_TPM_TCTI="swtpm:host=127.0.0.1,port=$(closed_port)"

say "--help and help"
sk help-global --help
expect_rc "sk-tpm --help" 0
assert_grep "$OUT" '^usage: sk-tpm \[--tcti TCTI\] COMMAND' "sk-tpm --help"
for cmd in list delete doctor setup host-key; do
	assert_grep "$OUT" "^  $cmd " "sk-tpm --help lists $cmd"
done
assert_empty "$ERR" "sk-tpm --help"
sk help-word help
expect_rc "sk-tpm help" 0
assert_grep "$OUT" '^usage: sk-tpm ' "sk-tpm help"

for cmd in list delete doctor setup host-key; do
	sk "help-$cmd" "$cmd" --help
	expect_rc "sk-tpm $cmd --help" 0
	assert_grep "$OUT" "^usage: sk-tpm $cmd" "sk-tpm $cmd --help"
	assert_empty "$ERR" "sk-tpm $cmd --help"
	sk "help-$cmd-h" "$cmd" -h
	expect_rc "sk-tpm $cmd -h" 0
	assert_grep "$OUT" "^usage: sk-tpm $cmd" "sk-tpm $cmd -h"
	sk "help-word-$cmd" help "$cmd"
	expect_rc "sk-tpm help $cmd" 0
	assert_grep "$OUT" "^usage: sk-tpm $cmd" "sk-tpm help $cmd"
	# A global --tcti does not get in the way of a command's --help.
	sk "help-$cmd-tcti" --tcti device:/nonexistent "$cmd" --help
	expect_rc "sk-tpm --tcti X $cmd --help" 0
	# Nor of "help CMD": the help, not the command against that TPM.
	sk "help-word-$cmd-tcti" --tcti device:/nonexistent help "$cmd"
	expect_rc "sk-tpm --tcti X help $cmd" 0
	assert_grep "$OUT" "^usage: sk-tpm $cmd" "sk-tpm --tcti X help $cmd"
	assert_empty "$ERR" "sk-tpm --tcti X help $cmd"
done
assert_grep "$T/help-delete.out" '--application' "delete --help names --application"
assert_grep "$T/help-delete.out" '--index' "delete --help names --index"
assert_grep "$T/help-delete.out" 'SK_TPM_OWNER_AUTH' "delete --help names SK_TPM_OWNER_AUTH"
assert_grep "$T/help-list.out" '--json' "list --help names --json"

sk version --version
expect_rc "sk-tpm --version" 0
assert_grep "$OUT" '^sk-tpm [0-9]+\.[0-9]+\.[0-9]+$' "sk-tpm --version"

# usage_error NAME ERE ARGS...: exit 2, one line matching ERE, no stdout.
usage_error() {
	local name=$1 re=$2
	shift 2
	sk "$name" "$@"
	expect_rc "sk-tpm $*" 2
	assert_empty "$OUT" "sk-tpm $*"
	assert_one_error "$ERR" "sk-tpm $*" "$re" '--help'
}

say "usage errors"
usage_error no-command 'no command'
usage_error bad-command 'unknown command "frob"' frob
usage_error bad-help-command 'unknown command "frob"' help frob
usage_error bad-global-option 'unknown option --frob' --frob list
usage_error bad-short-option 'unknown option -x' -x list
usage_error tcti-no-arg '--tcti needs an argument' --tcti
usage_error tcti-empty '--tcti needs a TCTI string' --tcti '' list
usage_error list-bad-option 'unknown option --frob' list --frob
usage_error list-operand 'unexpected argument "extra"' list extra
usage_error doctor-operand 'unexpected argument "now"' doctor now
usage_error setup-operand 'unexpected argument "now"' setup now
usage_error delete-nothing 'either --application or --index' delete
usage_error delete-both 'either --application or --index' \
    delete --application ssh:x --index 0x01a5c500
usage_error delete-user-alone '--user goes with --application' \
    delete --user alice --index 0x01a5c500
usage_error delete-app-empty '--application is empty' delete --application ''
usage_error delete-app-no-arg '--application needs an argument' delete --application
usage_error delete-index-bad 'not a hexadecimal NV index' delete --index zz
usage_error delete-index-neg 'not a hexadecimal NV index' delete --index -1
usage_error delete-index-low 'outside the sk-tpm range 0x01a5c500\.\.0x01a5c5ff' \
    delete --index 0x01a5c4ff
usage_error delete-index-high 'outside the sk-tpm range' delete --index 0x01a5c600
usage_error delete-index-other 'outside the sk-tpm range' delete --index 0x81000001
usage_error delete-index-huge 'not a hexadecimal NV index' delete --index 0x1ffffffff

say "the closed port is really closed: a real command fails with status 1"
sk list-closed list
expect_rc "sk-tpm list (closed port)" 1
assert_one_error "$ERR" "sk-tpm list (closed port)" 'cannot reach the TPM'

say PASS
