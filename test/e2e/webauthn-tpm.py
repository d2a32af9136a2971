#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""An independent check of sk-tpm's attestation: python-fido2's WebAuthn
"tpm" attestation verifier (fido2.attestation.tpm.TpmAttestation) on the
statement ssh-keygen -O write-attestation wrote, with the AK certificate
(x5c) of the EK round trip.

usage: webauthn-tpm.py ATTEST CHALLENGE

The ssh-sk-attest-v01 file is taken apart here (sk/codec/attest-codec.h):
its signature field is the statement, and authData is CBOR-wrapped. A
statement of version 3 is WebAuthn's "tpm" attStmt itself and goes to
fido2 as it is (its x5c must be the file's attestation certificate);
versions 1 and 2 (a map of small integer keys, 2..6 being ver, alg
stored negated, sig, certInfo and pubArea) are translated, with the
file's certificate as x5c. The clientDataHash is SHA-256 of the
challenge, as the provider used it.

Exit 0: fido2 accepted it; 1: fido2 refused it (the reason is printed);
2: usage or a malformed file; 77: this fido2 has no TPM verifier.
"""
import hashlib
import struct
import sys


def ssh_strings(buf):
    out, off = [], 0
    while off < len(buf):
        (n,) = struct.unpack_from(">I", buf, off)
        out.append(buf[off + 4:off + 4 + n])
        off += 4 + n
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        import fido2
        from fido2 import cbor
        from fido2.attestation.tpm import TpmAttestation
    except ImportError as e:
        print("webauthn-tpm: python3-fido2 has no TPM attestation "
              "verifier here: %s" % e)
        return 77
    try:
        from fido2.webauthn import AuthenticatorData  # fido2 >= 1.0
    except ImportError:
        from fido2.ctap2 import AuthenticatorData  # fido2 0.9
    version = getattr(fido2, "__version__", None)
    if version is None:  # fido2 2.x dropped __version__
        try:
            from importlib.metadata import version as dist_version
            version = dist_version("fido2")
        except Exception:
            version = "(version unknown)"
    print("webauthn-tpm: python-fido2 %s" % version)
    # fido2 0.9.x (Debian 12) cannot verify any ECC "tpm" statement, from
    # anyone: TpmsEccPoint keeps y as x, and TpmPublicFormat.public_key()
    # calls TpmsEccParms.to_curve(), which does not exist. fido2 1.0
    # fixed both ("Use dataclasses in TPM attestation").
    from fido2.attestation import tpm as fido2_tpm
    if fido2_tpm.TpmsEccPoint(b"x", b"y").x != b"x":
        print("webauthn-tpm: SKIPPED: python-fido2 %s cannot verify any "
              "ECC TPM attestation (TpmsEccPoint stores y as x, and "
              "TpmPublicFormat.public_key calls a missing "
              "TpmsEccParms.to_curve); fido2 1.0 or later is needed"
              % version)
        return 77

    with open(sys.argv[1], "rb") as f:
        blob = f.read()
    with open(sys.argv[2], "rb") as f:
        challenge = f.read()
    # magic, cert, signature, authdata, then uint32 0 and string ""
    # (the reserved flags read as an empty string here)
    parts = ssh_strings(blob)
    if len(parts) != 6 or parts[0] != b"ssh-sk-attest-v01":
        print("webauthn-tpm: not an ssh-sk-attest-v01 file")
        return 2
    cert, sig, authdata = parts[1], parts[2], parts[3]
    try:
        st = cbor.decode(sig)
    except Exception as e:  # fido2's decoder raises builtin errors
        print("webauthn-tpm: the statement is not CBOR: %s" % e)
        return 2
    if not isinstance(st, dict):
        print("webauthn-tpm: the statement is not a CBOR map")
        return 2
    if st.get("sk-tpm") == 3:
        statement = st
        if "x5c" not in st:
            print("webauthn-tpm: no AK certificate (x5c) in the "
                  "attestation")
            return 1
        if st["x5c"][0] != cert:
            print("webauthn-tpm: x5c differs from the attestation "
                  "certificate")
            return 1
        print("webauthn-tpm: sk-tpm statement version 3, WebAuthn's "
              "\"tpm\" attStmt as it stands")
    elif st.get(0) == "sk-tpm-attest" and st.get(1) in (1, 2):
        if not cert:
            print("webauthn-tpm: no AK certificate (x5c) in the "
                  "attestation")
            return 1
        statement = {
            "ver": st[2],
            "alg": -st[3],
            "x5c": [cert],
            "sig": st[4],
            "certInfo": st[5],
            "pubArea": st[6],
        }
        print("webauthn-tpm: sk-tpm statement version %d, translated"
              % st[1])
    else:
        print("webauthn-tpm: not an sk-tpm statement of version 1 to 3")
        return 2
    auth_data = AuthenticatorData(cbor.decode(authdata))
    client_data_hash = hashlib.sha256(challenge).digest()
    try:
        result = TpmAttestation().verify(statement, auth_data,
                                         client_data_hash)
    except Exception as e:  # fido2 raises its own and builtin errors
        print("webauthn-tpm: REFUSED by fido2: %s: %s"
              % (type(e).__name__, e))
        return 1
    print("webauthn-tpm: OK: fido2 accepted the \"tpm\" statement "
          "(attestation type %s, x5c of %d certificate)"
          % (getattr(result.attestation_type, "name",
                     result.attestation_type), len(result.trust_path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
