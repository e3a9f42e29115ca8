"""Signed statements (xAPI 1.0.3 Data §2.6, 2.0.0 §4.2.7 "Signed Statements").

A signature is an attachment (usageType http://adlnet.gov/expapi/attachments/signature,
contentType application/octet-stream) whose content is a JWS in compact serialisation, signed
with RS256, RS384 or RS512, whose payload is the original statement. The LRS checks that the
JWS parses, that its algorithm is one of those three, that the signature verifies with the
public key of the first certificate of an `x5c` header when there is one, and that the payload
is a statement that matches the statement it signs (ignoring the properties the LRS may set
and the attachments, which hold the signature itself).

The compact JWS is small enough to verify directly with `cryptography` (RSASSA-PKCS1-v1_5).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from dtss.lrs.http import XapiError

ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _bad(message: str, field: str) -> XapiError:
    return XapiError(400, message, field=field)


def verify_signature(jws: bytes, statement: dict[str, Any], *, field: str) -> dict[str, Any]:
    """Check a JWS signature of `statement` and return its payload, or a 400 naming `field`."""
    from dtss.lrs.statement_services import statements_match

    try:
        text = jws.decode("ascii").strip()
    except UnicodeDecodeError:
        raise _bad(f"{field}: the signature is not a compact JWS.", field) from None
    segments = text.split(".")
    if len(segments) != 3:
        raise _bad(f"{field}: the signature is not a compact JWS (three segments).", field)
    header_b64, payload_b64, signature_b64 = segments
    try:
        header = json.loads(_b64url(header_b64))
        payload_bytes = _b64url(payload_b64)
        signature = _b64url(signature_b64)
    except (binascii.Error, ValueError):
        raise _bad(f"{field}: the JWS header or a segment is malformed.", field) from None
    if not isinstance(header, dict):
        raise _bad(f"{field}: the JWS header is not a JSON object.", field)
    alg = header.get("alg")
    digest = ALGORITHMS.get(alg) if isinstance(alg, str) else None
    if digest is None:
        raise _bad(
            f"{field}: the JWS algorithm {alg!r} is not allowed (RS256, RS384 or RS512).",
            field,
        )
    chain = header.get("x5c")
    if chain is not None:
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise _bad(f"{field}: the JWS x5c header is not a list of certificates.", field)
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        except (binascii.Error, ValueError):
            raise _bad(f"{field}: the first x5c certificate cannot be read.", field) from None
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise _bad(f"{field}: the x5c certificate does not hold an RSA key.", field)
        signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
        try:
            key.verify(signature, signing_input, padding.PKCS1v15(), digest())
        except InvalidSignature:
            raise _bad(
                f"{field}: the signature does not verify with the x5c certificate.", field
            ) from None
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad(f"{field}: the JWS payload is not a JSON statement.", field) from None
    if not isinstance(payload, dict):
        raise _bad(f"{field}: the JWS payload is not a JSON statement.", field)
    signed_id, given_id = payload.get("id"), statement.get("id")
    if signed_id and given_id and str(signed_id).lower() != str(given_id).lower():
        raise _bad(f"{field}: the signed statement has another id than the statement.", field)
    if not statements_match(payload, statement):
        raise _bad(f"{field}: the signed statement does not match the statement.", field)
    return payload
