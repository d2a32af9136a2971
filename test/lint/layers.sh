#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The library's house (doc/architecture.md): every arrow between its files
# points down the layers, and none goes round in a circle.
#
#   layers.sh SK-DIR ARCHIVE-OR-OBJECT...
#
# Includes, from the sources: a file in sk/X/ includes our headers by bare
# name ("handle.h", never "../codec/handle.h") and only from its own folder
# or one below it:
#   sk/ (provider, flows)  sk/attest/ sk/resident/ sk/tpm/ sk/codec/ sk/base/
#   sk/attest/             sk/tpm/ sk/codec/ sk/base/
#   sk/resident/           sk/tpm/ sk/codec/ sk/base/
#   sk/tpm/                sk/codec/ sk/base/
#   sk/codec/              sk/base/
#   sk/base/               -
# and no chain of includes comes back to where it started. Calls, from the
# built objects (nm): no chain of calls between files comes back to the file
# it started from (a function calling itself or its own file's is no
# circle). The compiler already refuses a header outside a layer's reach;
# this names the offending line, and sees what the include path cannot:
# a relative path, a circle within one folder, a circle of calls.
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: layers.sh SK-DIR ARCHIVE-OR-OBJECT..." >&2
	exit 2
fi
sk=$1
shift
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

below() {
	case $1 in
	sk) echo "sk attest resident tpm codec base" ;;
	attest) echo "attest tpm codec base" ;;
	resident) echo "resident tpm codec base" ;;
	tpm) echo "tpm codec base" ;;
	codec) echo "codec base" ;;
	base) echo "base" ;;
	esac
}

# Where each of our headers lives.
declare -A home
for h in "$sk"/*.h "$sk"/*/*.h; do
	name=${h##*/}
	dir=${h%/*}
	folder=${dir#"$sk"}
	folder=${folder#/}
	[ -n "${home[$name]:-}" ] && bad "two headers named $name"
	home[$name]=${folder:-sk}
done

edges=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-layers.XXXXXX")
trap 'rm -f "$edges"' EXIT
for f in "$sk"/*.[ch] "$sk"/*/*.[ch]; do
	dir=${f%/*}
	folder=${dir#"$sk"}
	folder=${folder#/}
	folder=${folder:-sk}
	rel=${f#"$sk"/}
	allowed=" $(below "$folder") "
	while IFS=: read -r line inc; do
		name=$(sed -E 's/^#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/' \
		    <<<"$inc")
		case $name in
		*/*) bad "sk/$rel:$line: includes \"$name\" by a path; name" \
		    "the header alone, its layer's folder is on the include path"
			continue ;;
		esac
		to=${home[$name]:-}
		[ -n "$to" ] || continue	# not ours
		case $allowed in
		*" $to "*) ;;
		*) bad "sk/$rel:$line: includes $name of sk/$to/, which" \
		    "sk/$folder/ may not (see doc/architecture.md)" ;;
		esac
		if [ "$to" = sk ]; then
			echo "sk/$rel sk/$name"
		else
			echo "sk/$rel sk/$to/$name"
		fi >>"$edges"
	done < <(grep -nE '^#[[:space:]]*include[[:space:]]*"' "$f" || true)
done
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
	bad "an include circle: $(tr '\n' ' ' <"$edges.err")"
fi
rm -f "$edges.err"
echo "includes: $(sort -u "$edges" | wc -l) arrows between our files"

# Calls: object -> object that defines a symbol it refers to.
obj() { sed -E 's/^(.*\.a:)?([^:]*):.*/\2/; s#.*/##; s/\.o$//'; }
defs=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-defs.XXXXXX")
uses=$(mktemp "${TMPDIR:-/tmp}/sk-tpm-uses.XXXXXX")
trap 'rm -f "$edges" "$defs" "$uses"' EXIT
nm -A --defined-only "$@" |
    awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3, $1 }' |
    while read -r sym where; do echo "$sym $(obj <<<"$where")"; done |
    LC_ALL=C sort -k1,1 >"$defs"
nm -A -u "$@" | awk 'NF == 3 && $2 == "U" { print $3, $1 }' |
    while read -r sym where; do echo "$sym $(obj <<<"$where")"; done |
    LC_ALL=C sort -k1,1 >"$uses"
dup=$(awk '{ print $1 }' "$defs" | uniq -d)
[ -z "$dup" ] || bad "defined in more than one file: $dup"
LC_ALL=C join "$uses" "$defs" | awk '$2 != $3 { print $2, $3 }' |
    LC_ALL=C sort -u >"$edges"
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
	bad "a call circle: $(tr '\n' ' ' <"$edges.err")"
fi
rm -f "$edges.err"
echo "calls: $(wc -l <"$edges") arrows between $(wc -l < <(awk \
    '{ print $2 }' "$defs" | sort -u)) files"
[ "$fail" = 0 ] || exit 1
echo "ok: no arrow up, no circle"
