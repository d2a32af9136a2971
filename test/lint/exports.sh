#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# libsk-tpm.so exports exactly OpenSSH's four entry points (sk/libsk-tpm.map
# and -fvisibility=hidden on every layer): nothing of the layers behind
# them may leak into the dynamic symbol table, where it could clash with a
# symbol of the process that loads the provider.
#
#   exports.sh LIBSK-TPM.SO
set -euo pipefail
lib=$1
want=$(printf '%s\n' sk_api_version sk_enroll sk_load_resident_keys sk_sign)
got=$(nm -D --defined-only "$lib" | awk '{ print $NF }' | LC_ALL=C sort)
if [ "$got" != "$want" ]; then
	echo "FAIL: $lib exports other symbols than the four sk_*:" >&2
	diff <(echo "$want") <(echo "$got") >&2 || true
	exit 1
fi
echo "ok: $lib exports exactly:" $got
