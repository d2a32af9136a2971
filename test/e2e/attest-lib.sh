# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# What the attestation tests share, sourced after lib.sh: a test CA made
# with openssl, AK certificates in WebAuthn's profile (or one deviation),
# the TCG attributes of an EK certificate, a certificate spliced into an
# attestation, and a DER blob of ASN.1 from openssl asn1parse -genconf.

# ca_make DIR NAME [SUBJECT]: a self-signed P-256 CA, DIR/NAME.pem and
# DIR/NAME.key (SUBJECT's values are UTF-8).
ca_make() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/$2.key" -out "$1/$2.pem" -utf8 -subj "${3:-/CN=$2}" \
	    -days 2 >/dev/null 2>&1 || fail "CA $2"
}

# asn1_der CONF OUT: the DER openssl asn1parse -genconf makes of CONF (its
# lines on stdin); OUT's bytes in hex on stdout.
asn1_der() {
	cat >"$1"
	openssl asn1parse -genconf "$1" -noout -out "$2" >/dev/null ||
	    fail "asn1parse -genconf $1"
	od -An -v -tx1 "$2" | tr -d ' \n'
}

# tpm_san_hex MANUF MODEL VERSION: the DER of a subjectAltName with one
# directoryName holding the TCG TPM attributes (2.23.133.2.1-3), in hex.
# Each value is UTF-8 text, line breaks and control characters included.
tpm_san_hex() {
	local nl=$'\n'
	local v1=UTF8:${1//$nl/\\n} v2=UTF8:${2//$nl/\\n} v3=UTF8:${3//$nl/\\n}
	printf '%s\n' 'asn1=SEQUENCE:gn' '[gn]' 'd=EXPLICIT:4C,SEQUENCE:name' \
	    '[name]' 'r1=SET:rdn1' 'r2=SET:rdn2' 'r3=SET:rdn3' \
	    '[rdn1]' 'a=SEQUENCE:atv1' '[rdn2]' 'a=SEQUENCE:atv2' \
	    '[rdn3]' 'a=SEQUENCE:atv3' \
	    '[atv1]' 'o=OID:2.23.133.2.1' "v=$v1" \
	    '[atv2]' 'o=OID:2.23.133.2.2' "v=$v2" \
	    '[atv3]' 'o=OID:2.23.133.2.3' "v=$v3" |
	    asn1_der "$T/san-$$.cnf" "$T/san-$$.der"
}

# ek_tpm_attrs EKCERT.der: MANUF, MODEL and VERSION from the TCG
# attributes in the certificate's subjectAltName.
ek_tpm_attrs() {
	local san
	san=$(openssl x509 -inform der -in "$1" -noout -ext subjectAltName |
	    grep -o 'DirName:.*') || fail "no SAN in $1"
	# OpenSSL 3.0 prints the TCG attributes by OID, 3.5 by their names.
	MANUF=$(printf '%s\n' "$san" | tr '/' '\n' |
	    sed -n -e 's/^2.23.133.2.1=//p' -e 's/^tcg-at-tpmManufacturer=//p')
	MODEL=$(printf '%s\n' "$san" | tr '/' '\n' |
	    sed -n -e 's/^2.23.133.2.2=//p' -e 's/^tcg-at-tpmModel=//p')
	VERSION=$(printf '%s\n' "$san" | tr '/' '\n' |
	    sed -n -e 's/^2.23.133.2.3=//p' -e 's/^tcg-at-tpmVersion=//p')
	[ -n "$MANUF" ] && [ -n "$MODEL" ] && [ -n "$VERSION" ] ||
	    fail "EK certificate SAN without manufacturer, model, version: $san"
}

# issue_ak PUB.pem OUT.der [subject|no-eku|ca|no-san|san-not-critical]:
# an AK certificate from the CA $CA/ca.pem for the key PUB.pem in
# WebAuthn's profile (empty subject, critical SAN directoryName with the
# TPM's attributes MANUF, MODEL, VERSION, EKU tcg-kp-AIKCertificate,
# CA:FALSE), or with one deviation.
issue_ak() {
	local subj=/ bc='critical,CA:FALSE' eku=2.23.133.8.3 crit='critical,'
	local hex
	case "${3:-}" in
	subject) subj=/CN=sk-tpm-ak ;;
	no-eku) eku=clientAuth ;;
	ca) bc='critical,CA:TRUE' ;;
	san-not-critical) crit= ;;
	esac
	hex=$(tpm_san_hex "$MANUF" "$MODEL" "$VERSION")
	{
		printf '%s\n' "basicConstraints=$bc" \
		    'keyUsage=critical,digitalSignature' "extendedKeyUsage=$eku"
		[ "${3:-}" = no-san ] || printf '2.5.29.17=%sDER:%s\n' "$crit" "$hex"
	} >"$CA/ak.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$CA/dummy.key" -out "$CA/dummy.csr" -subj "$subj" \
	    >/dev/null 2>&1 || fail "CSR"
	openssl x509 -req -in "$CA/dummy.csr" -force_pubkey "$1" -CA "$CA/ca.pem" \
	    -CAkey "$CA/ca.key" -CAcreateserial -extfile "$CA/ak.ext" -days 2 \
	    -outform der -out "$2" >/dev/null 2>&1 || fail "issue $2"
}

# same_key A.pem B.pem: the two PEM public keys are one key.
same_key() {
	[ "$(openssl pkey -pubin -in "$1" -outform der 2>/dev/null | od -An -v -tx1)" = \
	    "$(openssl pkey -pubin -in "$2" -outform der 2>/dev/null | od -An -v -tx1)" ]
}

# cert_key CERT.der OUT.pem: the certificate's public key.
cert_key() {
	openssl x509 -inform der -in "$1" -pubkey -noout >"$2" ||
	    fail "public key of $1"
}

# splice_cert ATT DER OUT: the attestation with another certificate, in
# the file's attestation_cert and, when the statement is WebAuthn's (sk-tpm
# statement version 3), in its x5c too
splice_cert() {
	LC_ALL=C perl -0777 -e '
	    sub bstr { my $n = length($_[0]);
		return ($n < 24 ? chr(0x40 + $n) : $n < 256 ? "\x58" . chr($n) :
		    "\x59" . pack("n", $n)) . $_[0] }
	    open(F, "<:raw", $ARGV[0]) or die; $a = <F>; close F;
	    open(F, "<:raw", $ARGV[1]) or die; $c = <F>; close F;
	    ($m, $old, $sig, $rest) = unpack("N/a* N/a* N/a* a*", $a);
	    $m eq "ssh-sk-attest-v01" or die "not an attestation";
	    if (length($old) > 0) {
		$o = "\x63x5c\x81" . bstr($old);
		$i = index($sig, $o);
		substr($sig, $i, length($o)) = "\x63x5c\x81" . bstr($c)
		    if $i >= 0;
	    }
	    open(F, ">:raw", $ARGV[2]) or die;
	    print F pack("N/a* N/a* N/a* a*", $m, $c, $sig, $rest); close F' "$@"
}

# ek_ca_issue OUT.der PUB.pem SUBJECT EXTENSION...: a certificate from the
# simulators' EK CA ($SWTPM_EK_CA_DIR, with-swtpm.sh --ek-cert), or from
# the CA ISSUER_CERT and ISSUER_KEY name, for the key PUB.pem, with these
# extensions (openssl -extfile lines)
ek_ca_issue() {
	local out=$1 pub=$2 subj=$3
	local cert=${ISSUER_CERT:-$SWTPM_EK_CA_DIR/issuercert.pem}
	local key=${ISSUER_KEY:-$SWTPM_EK_CA_DIR/signkey.pem}
	shift 3
	[ -f "$cert" ] && [ -f "$key" ] || fail "no CA at $cert, $key"
	printf '%s\n' "$@" >"$out.ext"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$out.key" \
	    -out "$out.csr" -subj "$subj" >/dev/null 2>&1 || fail "CSR"
	openssl x509 -req -in "$out.csr" -force_pubkey "$pub" \
	    -CA "$cert" -CAkey "$key" -CAcreateserial \
	    -extfile "$out.ext" -days 2 -outform der -out "$out" \
	    >/dev/null 2>&1 || fail "issue $out"
}

# nv_plant TCTI p|o INDEX FILE: define INDEX, FILE's size, through the
# platform (p: TPMA_NV_PLATFORMCREATE, as a manufacturer does) or the
# owner hierarchy (o), and write FILE into it
nv_plant() {
	local attrs='ownerwrite|ownerread|authread|no_da'
	[ "$2" = p ] && attrs='ppwrite|ppread|ownerread|authread|no_da|platformcreate'
	TPM2TOOLS_TCTI=$1 tpm2_nvdefine -C "$2" -s "$(stat -c %s "$4")" \
	    -a "$attrs" "$3" >/dev/null || fail "tpm2_nvdefine $3"
	TPM2TOOLS_TCTI=$1 tpm2_nvwrite -C "$2" -i "$4" "$3" >/dev/null ||
	    fail "tpm2_nvwrite $3"
}

# nv_drop TCTI INDEX...: undefine the platform's indices
nv_drop() {
	local tcti=$1 idx
	shift
	for idx in "$@"; do
		TPM2TOOLS_TCTI=$tcti tpm2_nvundefine -C p "$idx" >/dev/null ||
		    fail "tpm2_nvundefine -C p $idx"
	done
}

# contains FILE PART: FILE holds PART's bytes
contains() {
	LC_ALL=C perl -0777 -e 'open(A, "<:raw", $ARGV[0]) or die;
	    open(B, "<:raw", $ARGV[1]) or die; $a = <A>; $b = <B>;
	    exit(index($a, $b) >= 0 ? 0 : 1)' "$1" "$2"
}
