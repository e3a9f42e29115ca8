"""Statements with attachments: the multipart/mixed request body (xAPI 1.0.3 Data §2.4.11,
Communication §1.5.2; 2.0.0 §4.1.3 and §4.2.2.4).

The first part is the statement or the array of statements (application/json); every following
part is the raw content of one attachment, named by its `X-Experience-API-Hash` header (the
SHA-2 of the content) and sent with `Content-Transfer-Encoding: binary`. The parser is a small
splitter on the boundary rather than `email.parser`, which decodes, folds and copies the parts
in ways that break binary contents and cost time on large bodies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dtss.lrs.http import XapiError

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
_HASHES = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


@dataclass(frozen=True)
class AttachmentPart:
    """One attachment's content as received in a multipart/mixed body."""

    sha2: str
    content_type: str
    content: bytes


def _parse_headers(block: bytes, *, index: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        raise XapiError(
            400, f"The headers of multipart part {index} are not UTF-8.", field="Content-Type"
        ) from None
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        if line[0] in " \t" and headers:  # folded header line
            last = next(reversed(headers))
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise XapiError(
                400,
                f"Multipart part {index} has a malformed header line {line[:60]!r}.",
                field="Content-Type",
            )
        headers[name.strip().lower()] = value.strip()
    return headers


def _split_head(part: bytes, *, index: int) -> tuple[dict[str, str], bytes]:
    """Headers and content of one part: they are separated by the first empty line."""
    if part.startswith(b"\r\n"):
        return {}, part[2:]
    if part.startswith(b"\n"):
        return {}, part[1:]
    crlf, lf = part.find(b"\r\n\r\n"), part.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        return _parse_headers(part[:crlf], index=index), part[crlf + 4 :]
    if lf >= 0:
        return _parse_headers(part[:lf], index=index), part[lf + 2 :]
    raise XapiError(
        400, f"Multipart part {index} has no blank line after its headers.", field="Content-Type"
    )


def split_multipart(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """The (headers, content) of every part of a multipart body (RFC 2046 §5.1.1), or a 400
    naming Content-Type. Lines may end with CRLF (as the RFC says) or a bare LF."""
    if not boundary:
        raise XapiError(
            400,
            "A multipart/mixed request needs a boundary parameter in its Content-Type.",
            field="Content-Type",
        )
    delimiter = b"--" + boundary.encode("latin-1")
    # Delimiters start a line: at the very start of the body or after a line break.
    positions: list[int] = []
    pos = 0
    while True:
        found = body.find(delimiter, pos)
        if found < 0:
            break
        tail = found + len(delimiter)
        at_line_start = found == 0 or body[found - 1 : found] == b"\n"
        # A delimiter line is the boundary followed by "--", padding or the line end (not by
        # more characters of a longer boundary-like string).
        closing = body[tail : tail + 2] == b"--"
        if at_line_start and (closing or body[tail : tail + 1] in (b"\r", b"\n", b" ", b"\t", b"")):
            positions.append(found)
        pos = found + len(delimiter)
    if not positions:
        raise XapiError(
            400, "The multipart body does not contain its boundary.", field="Content-Type"
        )
    parts: list[tuple[dict[str, str], bytes]] = []
    closed = False
    for n, at in enumerate(positions):
        after = at + len(delimiter)
        if body.startswith(b"--", after):
            closed = True
            break
        line_end = body.find(b"\n", after)
        if line_end < 0 or n + 1 >= len(positions):
            break
        end = positions[n + 1] - 1  # the LF before the next delimiter
        if body[end - 1 : end] == b"\r":
            end -= 1
        parts.append(_split_head(body[line_end + 1 : end], index=len(parts)))
    if not closed:
        raise XapiError(400, "The multipart body has no closing boundary.", field="Content-Type")
    return parts


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def parse_statement_multipart(
    body: bytes, boundary: str
) -> tuple[bytes, dict[str, AttachmentPart]]:
    """The statement part's JSON bytes and the attachment parts by SHA-2 (Data §2.4.11).

    The first part must be application/json; every other part needs an X-Experience-API-Hash
    that matches its content and `Content-Transfer-Encoding: binary`.
    """
    parts = split_multipart(body, boundary)
    if not parts:
        raise XapiError(400, "The multipart body has no parts.", field="Content-Type")
    first_headers, statement_bytes = parts[0]
    if _media_type(first_headers.get("content-type", "")) != "application/json":
        raise XapiError(
            400,
            "The first part of a multipart/mixed statement request must be application/json.",
            field="Content-Type",
        )
    found: dict[str, AttachmentPart] = {}
    for index, (headers, content) in enumerate(parts[1:], start=1):
        sha2 = headers.get("x-experience-api-hash", "").strip().lower()
        if not sha2:
            raise XapiError(
                400,
                f"Multipart part {index} has no X-Experience-API-Hash header.",
                field="X-Experience-API-Hash",
            )
        encoding = headers.get("content-transfer-encoding", "").strip().lower()
        if encoding != "binary":
            raise XapiError(
                400,
                f"Multipart part {index} must be sent with Content-Transfer-Encoding: binary.",
                field="Content-Transfer-Encoding",
            )
        digest = _HASHES.get(len(sha2))
        if digest is None or digest(content).hexdigest() != sha2:
            raise XapiError(
                400,
                f"The X-Experience-API-Hash of multipart part {index} does not match its content.",
                field="X-Experience-API-Hash",
            )
        found[sha2] = AttachmentPart(
            sha2=sha2,
            content_type=headers.get("content-type", "application/octet-stream"),
            content=content,
        )
    return statement_bytes, found
