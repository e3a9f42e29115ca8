"""Statements with attachments (multipart/mixed) and signed statements (JWS).

xAPI 1.0.3 Data §2.4.11 and Communication §1.5.2 (attachments), Data §2.6 (signed statements);
2.0.0 §4.1.3 (content types) and §4.2.7 (signatures). The cases follow the conformance suite's
E.Data2.4.11-AttachmentsProperty.js and E.Data2.6-SignedStatements.js.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from dtss.lrs.attachments import split_multipart
from dtss.lrs.models import Attachment, Statement

pytestmark = pytest.mark.django_db

BOUNDARY = "-------314159265358979323846"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
TEXT = b"here is a simple attachment"
TEXT_SHA = hashlib.sha256(TEXT).hexdigest()
BASE = {
    "actor": {"objectType": "Agent", "name": "Sample Agent", "mbox": "mailto:sample@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {"objectType": "Activity", "id": "http://www.example.com/activities/multipart"},
}


def attachment_meta(content: bytes, **extra: Any) -> dict[str, Any]:
    meta = {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }
    meta.update(extra)
    return meta


def with_attachments(*metas: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["attachments"] = list(metas)
    data.update(extra)
    return data


def multipart(
    statement_json: Any,
    parts: list[tuple[dict[str, str], bytes]],
    *,
    first_type: str = "application/json",
    newline: bytes = b"\r\n",
) -> bytes:
    chunks = [
        b"--" + BOUNDARY.encode(),
        newline,
        f"Content-Type: {first_type}".encode(),
        newline,
        newline,
        json.dumps(statement_json).encode(),
    ]
    for headers, content in parts:
        chunks += [newline, b"--" + BOUNDARY.encode(), newline]
        for name, value in headers.items():
            chunks += [f"{name}: {value}".encode(), newline]
        chunks += [newline, content]
    chunks += [newline, b"--" + BOUNDARY.encode() + b"--", newline]
    return b"".join(chunks)


def part(
    content: bytes,
    *,
    sha2: str | None = None,
    encoding: str | None = "binary",
    content_type: str = "text/plain",
) -> tuple[dict[str, str], bytes]:
    headers = {"Content-Type": content_type}
    if encoding is not None:
        headers["Content-Transfer-Encoding"] = encoding
    headers["X-Experience-API-Hash"] = (
        sha2 if sha2 is not None else hashlib.sha256(content).hexdigest()
    )
    return headers, content


def post_multipart(client: Any, body: bytes, *, boundary: str = BOUNDARY) -> Any:
    return client.post(
        "statements", body=body, content_type=f"multipart/mixed; boundary={boundary}"
    )


def assert_rejected(response: Any, field_part: str) -> None:
    assert response.status_code == 400, response.content
    assert field_part in response.json().get("field", ""), response.json()
    assert Statement.objects.count() == 0
    assert Attachment.objects.count() == 0


# --- the multipart parser ----------


def test_parser_accepts_crlf_and_lf_and_keeps_binary() -> None:
    """RFC 2046 §5.1.1 (CRLF) and the suite's .part files (bare LF); content kept byte-exact."""
    content = b"\x00\xff\r\n--not-a-boundary\r\n\x01"
    for newline in (b"\r\n", b"\n"):
        body = multipart({"a": 1}, [part(content)], newline=newline)
        parts = split_multipart(body, BOUNDARY)
        assert len(parts) == 2
        assert json.loads(parts[0][1]) == {"a": 1}
        assert parts[1][1] == content
        assert parts[1][0]["x-experience-api-hash"] == hashlib.sha256(content).hexdigest()


# --- accepted ----------


def test_attachment_with_file_url_as_json(xapi) -> None:
    """Data §2.4.11: an attachment with fileUrl needs no part; application/json is fine."""
    data = with_attachments(attachment_meta(TEXT, fileUrl="http://over.there.com/file.txt"))
    assert xapi.post("statements", json_body=data).status_code == 200
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_multipart_attachments_are_stored_once(xapi, newline: bytes) -> None:
    """Data §2.4.11, Communication §1.5.2: two raw attachments in multipart/mixed are stored
    (one row per store and sha2) and the statement lists their hashes."""
    other = b"here is another simple attachment"
    data = with_attachments(attachment_meta(TEXT), attachment_meta(other))
    response = post_multipart(xapi, multipart(data, [part(TEXT), part(other)], newline=newline))
    assert response.status_code == 200, response.content
    row = Statement.objects.get()
    assert row.attachment_hashes == [TEXT_SHA, hashlib.sha256(other).hexdigest()]
    stored = {a.sha2: bytes(a.content) for a in Attachment.objects.all()}
    assert stored == {TEXT_SHA: TEXT, hashlib.sha256(other).hexdigest(): other}
    # The same content again in another statement is not stored twice.
    assert (
        post_multipart(
            xapi, multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT)])
        ).status_code
        == 200
    )
    assert Attachment.objects.count() == 2


def test_put_with_multipart(xapi) -> None:
    """Communication §2.1.1 with Data §2.4.11: PUT accepts multipart/mixed too."""
    sid = str(uuid.uuid4())
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT)])
    response = xapi.put(
        "statements",
        params={"statementId": sid},
        body=body,
        content_type=f"multipart/mixed; boundary={BOUNDARY}",
    )
    assert response.status_code == 204, response.content
    assert Statement.objects.get().attachment_hashes == [TEXT_SHA]


def test_batch_with_shared_attachment(xapi) -> None:
    """Data §2.4.11: one part may serve several statements of the batch."""
    meta = attachment_meta(TEXT)
    body = multipart([with_attachments(meta), with_attachments(meta)], [part(TEXT)])
    assert post_multipart(xapi, body).status_code == 200
    assert Statement.objects.count() == 2 and Attachment.objects.count() == 1


def test_attachment_stores_are_separate(xapi, xapi_b) -> None:
    """Tenancy: the same attachment in county B is B's own row."""
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT)])
    post_multipart(xapi, body)
    post_multipart(xapi_b, body)
    assert sorted(Attachment.objects.values_list("store", flat=True)) == sorted(
        [xapi.credential.county_id, xapi_b.credential.county_id]
    )


# --- rejected ----------


def test_missing_part_is_400(xapi) -> None:
    """Data §2.4.11, Communication §1.5.1.s1.b2: an attachment without fileUrl needs a part."""
    data = with_attachments(
        attachment_meta(TEXT, fileUrl="http://over.there.com/file.txt"),
        attachment_meta(b"other content"),
    )
    assert_rejected(xapi.post("statements", json_body=data), "statement.attachments[1].sha2")
    body = multipart(data, [part(TEXT)])
    assert_rejected(post_multipart(xapi, body), "statement.attachments[1].sha2")


def test_extra_part_is_400(xapi) -> None:
    """Communication §1.5.2.s2.b2.b3: every part's hash is a sha2 of the statements."""
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT), part(b"extra")])
    assert_rejected(post_multipart(xapi, body), "X-Experience-API-Hash")


def test_hash_mismatch_is_400(xapi) -> None:
    """Communication §1.5.2: X-Experience-API-Hash is the SHA-2 of the part's content."""
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(b"tampered", sha2=TEXT_SHA)])
    assert_rejected(post_multipart(xapi, body), "X-Experience-API-Hash")


def test_missing_hash_header_is_400(xapi) -> None:
    """Communication §1.5.2.s2.b2.b3: every attachment part has X-Experience-API-Hash."""
    headers, content = part(TEXT)
    del headers["X-Experience-API-Hash"]
    body = multipart(with_attachments(attachment_meta(TEXT)), [(headers, content)])
    assert_rejected(post_multipart(xapi, body), "X-Experience-API-Hash")


def test_transfer_encoding_must_be_binary(xapi) -> None:
    """Data §2.4.11: Content-Transfer-Encoding: binary on every attachment part."""
    for encoding in (None, "base64"):
        body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT, encoding=encoding)])
        assert_rejected(post_multipart(xapi, body), "Content-Transfer-Encoding")


def test_first_part_must_be_json(xapi) -> None:
    """Communication §1.5.2.s2.b2.b1: the first part is application/json."""
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT)], first_type="text/plain")
    assert_rejected(post_multipart(xapi, body), "Content-Type")


def test_missing_or_wrong_boundary_is_400(xapi) -> None:
    """Data §2.4.11, RFC 1341: the boundary parameter is required and must delimit the body."""
    body = multipart(with_attachments(attachment_meta(TEXT)), [part(TEXT)])
    response = xapi.post("statements", body=body, content_type="multipart/mixed;")
    assert_rejected(response, "Content-Type")
    assert_rejected(post_multipart(xapi, body, boundary="other"), "Content-Type")
    truncated = body[: body.rindex(b"--" + BOUNDARY.encode() + b"--")]
    assert_rejected(post_multipart(xapi, truncated), "Content-Type")


def test_statements_split_into_parts_is_400(xapi) -> None:
    """Communication §1.5.2.s2.b2.b1: all statements are in the first part."""
    body = multipart(
        with_attachments(attachment_meta(TEXT)),
        [({"Content-Type": "application/json"}, json.dumps(BASE).encode()), part(TEXT)],
    )
    assert_rejected(post_multipart(xapi, body), "X-Experience-API-Hash")


# --- signed statements (Data §2.6) ----------


@pytest.fixture(scope="module")
def signer() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DTSS test signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(
    payload: bytes,
    key: rsa.RSAPrivateKey,
    *,
    alg: str = "RS256",
    cert: x509.Certificate | None = None,
) -> bytes:
    header: dict[str, Any] = {"alg": alg}
    if cert is not None:
        header["x5c"] = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload)}"
    digest = {
        "RS256": hashes.SHA256(),
        "RS384": hashes.SHA384(),
        "RS512": hashes.SHA512(),
        "HS256": hashes.SHA256(),
    }[alg]
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), digest)
    return f"{signing_input}.{b64url(signature)}".encode()


def signed_body(
    statement: dict[str, Any], token: bytes, *, content_type: str = "application/octet-stream"
) -> bytes:
    data = copy.deepcopy(statement)
    data["attachments"] = [attachment_meta(token, usageType=SIGNATURE, contentType=content_type)]
    return multipart(data, [part(token, content_type=content_type)])


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_signed_statement_is_accepted(xapi, signer, alg: str) -> None:
    """Data §2.6.s4.b1: a JWS (RS256/384/512) of the statement, verified with x5c."""
    key, cert = signer
    data = {**copy.deepcopy(BASE), "id": str(uuid.uuid4())}
    token = jws(json.dumps(data).encode(), key, alg=alg, cert=cert)
    response = post_multipart(xapi, signed_body(data, token))
    assert response.status_code == 200, response.content
    assert Attachment.objects.get().content == token


def test_signed_statement_without_x5c_is_accepted(xapi, signer) -> None:
    """Data §2.6 (suite case 'Signed statement with RS256'): without x5c the LRS cannot check
    the key, but the JWS and its payload are checked."""
    key, _ = signer
    data = copy.deepcopy(BASE)
    response = post_multipart(xapi, signed_body(data, jws(json.dumps(data).encode(), key)))
    assert response.status_code == 200, response.content


def test_signature_with_bad_content_type_is_400(xapi, signer) -> None:
    """Data §2.6.s4.b1: the signature attachment is application/octet-stream."""
    key, _ = signer
    token = jws(json.dumps(BASE).encode(), key)
    body = signed_body(BASE, token, content_type="text/plain; charset=ascii")
    assert_rejected(post_multipart(xapi, body), "statement.attachments[0].contentType")


def test_signature_with_bad_algorithm_is_400(xapi, signer) -> None:
    """Data §2.6.s4.b4: only RS256, RS384 and RS512."""
    key, _ = signer
    token = jws(json.dumps(BASE).encode(), key, alg="HS256")
    assert_rejected(post_multipart(xapi, signed_body(BASE, token)), "statement.attachments[0]")


def test_signature_with_broken_json_is_400(xapi, signer) -> None:
    """Data §2.6.s4.b3: the payload is a JSON serialisation of the statement."""
    key, _ = signer
    token = jws(json.dumps(BASE).replace('"', "'", 1).encode(), key)
    assert_rejected(post_multipart(xapi, signed_body(BASE, token)), "statement.attachments[0]")


def test_signature_of_another_statement_is_400(xapi, signer) -> None:
    """Data §2.6.s4.b2: the signed statement matches the original statement."""
    key, cert = signer
    other = copy.deepcopy(BASE)
    other["verb"]["id"] = "http://adlnet.gov/expapi/verbs/failed"
    token = jws(json.dumps(other).encode(), key, cert=cert)
    assert_rejected(post_multipart(xapi, signed_body(BASE, token)), "statement.attachments[0]")


def test_signature_not_matching_x5c_is_400(xapi, signer) -> None:
    """Data §2.6.s4.b5: with x5c, the signature verifies with its first certificate."""
    _, cert = signer
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jws(json.dumps(BASE).encode(), stranger, cert=cert)
    assert_rejected(post_multipart(xapi, signed_body(BASE, token)), "statement.attachments[0]")


def test_signature_that_is_not_a_jws_is_400(xapi) -> None:
    """Data §2.6: the signature is a compact JWS."""
    assert_rejected(
        post_multipart(xapi, signed_body(BASE, b"not a jws")), "statement.attachments[0]"
    )


def test_signed_statement_2_0_0(xapi2, signer) -> None:
    """2.0.0 §4.2.7: the same rules in 2.0.0."""
    key, cert = signer
    data = {**copy.deepcopy(BASE), "timestamp": "2024-05-01T08:30:00Z"}
    token = jws(json.dumps(data).encode(), key, alg="RS512", cert=cert)
    assert post_multipart(xapi2, signed_body(data, token)).status_code == 200


def test_parser_ignores_longer_boundary_lookalikes() -> None:
    """RFC 2046 §5.1.1: a line starting with the boundary followed by other characters is
    content, not a delimiter."""
    content = b"line\r\n--" + BOUNDARY.encode() + b"-and-more\r\nend"
    parts = split_multipart(multipart({"a": 1}, [part(content)]), BOUNDARY)
    assert len(parts) == 2 and parts[1][1] == content
