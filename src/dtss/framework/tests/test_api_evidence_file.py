"""Downloading evidence files through the API: GET /api/v1/evidence/{id}/file.

Whoever may read the assessment gets the file itself (as an attachment under its original
name, its own media type, never sniffed); another school's or county's user gets the same 404
as for a missing id; link and text evidence have no file, which the 404 says.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dtss.conftest import World
from dtss.framework import plan_services, services
from dtss.framework.models import Cycle, Evidence
from dtss.framework.tests.test_api import BASE, _call, _client, _cycle, _elem, _response

PDF = b"%PDF-1.4\n% evidence\n" + bytes(range(256))
NAME = "會議紀錄.pdf"
NAME_5987 = "filename*=utf-8''%E6%9C%83%E8%AD%B0%E7%B4%80%E9%8C%84.pdf"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cycle(world: World, media: Path) -> Cycle:
    return _cycle(world)


def _add(cycle: Cycle, world: World, kind: str = "file", **kwargs: Any) -> Evidence:
    if kind == "file":
        kwargs.setdefault("file", SimpleUploadedFile(NAME, PDF))
    return services.evidence_add(
        response=_response(_elem(cycle, world), "S1.D1"),
        actor=world.users["elem_admin"],
        kind=kind,
        **kwargs,
    )


def _path(evidence: Evidence | str) -> str:
    public_id = evidence if isinstance(evidence, str) else evidence.public_id
    return f"/evidence/{public_id}/file"


def _body(response: Any) -> bytes:
    """The streamed file; reading it to the end closes it (as the test client wraps it)."""
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", ["elem_admin", "elem_teacher", "a_admin", "a_staff", "moe"])
def test_the_schools_users_and_the_countys_reviewers_download_the_file(
    world: World, cycle: Cycle, name: str
) -> None:
    evidence = _add(cycle, world)
    out = _call(_client(world, name), "GET", _path(evidence))
    assert out.status_code == 200
    assert _body(out) == PDF
    assert out["Content-Type"] == "application/pdf"
    assert out["Content-Disposition"] == f"attachment; {NAME_5987}"  # a PDF too: no inline
    assert out["X-Content-Type-Options"] == "nosniff"
    assert out["Cache-Control"] == "private, no-store"
    assert out["Content-Length"] == str(len(PDF))


def test_the_evidence_lists_carry_the_file_url(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world)
    link = _add(cycle, world, kind="link", url="https://example.org/plan")
    a = _elem(cycle, world)
    listed = _call(
        _client(world, "elem_teacher"), "GET", f"/assessments/{a.public_id}/responses?item=S1"
    ).json()
    d1 = next(r for r in listed["items"] if r["strategy"]["code"] == "S1.D1")
    urls = {e["public_id"]: e["file_url"] for e in d1["evidence"]}
    assert urls == {str(evidence.public_id): BASE + _path(evidence), str(link.public_id): None}
    # What the list says is where the file is.
    out = _client(world, "elem_teacher").get(urls[str(evidence.public_id)])
    assert out.status_code == 200 and _body(out) == PDF


def test_an_uploaded_file_answers_with_its_file_url(world: World, cycle: Cycle) -> None:
    r = _response(_elem(cycle, world), "S1.D1")
    client = _client(world, "elem_admin")
    added = client.post(
        f"{BASE}/responses/{r.public_id}/evidence", {"file": SimpleUploadedFile("plan.pdf", PDF)}
    )
    assert added.status_code == 201, added.content
    out = client.get(added.json()["file_url"])
    assert out.status_code == 200 and _body(out) == PDF
    assert out["Content-Disposition"] == 'attachment; filename="plan.pdf"'


def test_the_title_names_the_file_when_it_keeps_the_extension(world: World, cycle: Cycle) -> None:
    titled = _add(cycle, world, title="家長日簡報.pdf")
    # a title without the extension: the file's own name
    untitled = _add(cycle, world, title="家長日簡報", file=SimpleUploadedFile("紀錄.pdf", PDF))
    client = _client(world, "elem_admin")
    out = _call(client, "GET", _path(titled))
    assert _body(out) == PDF and out["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%AE%B6%E9%95%B7%E6%97%A5%E7%B0%A1%E5%A0%B1.pdf"
    )
    out = _call(client, "GET", _path(untitled))
    assert _body(out) == PDF
    assert out["Content-Disposition"] == "attachment; filename*=utf-8''%E7%B4%80%E9%8C%84.pdf"


def test_an_office_document_keeps_its_media_type(world: World, cycle: Cycle) -> None:
    doc = b"PK\x03\x04 not really a document"
    evidence = _add(cycle, world, file=SimpleUploadedFile("計畫 書.docx", doc))
    out = _call(_client(world, "a_staff"), "GET", _path(evidence))
    assert out.status_code == 200 and _body(out) == doc
    assert out["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert out["Content-Disposition"].startswith("attachment; filename*=utf-8''")


def test_outsiders_get_the_same_404_as_for_a_missing_id(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world)
    missing = _path(str(uuid.UUID(int=5)))
    # another school of the county, another county's school and county office
    for name in ("junior_admin", "junior_teacher", "b_admin", "b_teacher"):
        client = _client(world, name)
        out, gone = _call(client, "GET", _path(evidence)), _call(client, "GET", missing)
        assert out.status_code == gone.status_code == 404, name
        assert out.json() == gone.json() == {"detail": "Not Found"}
        assert PDF not in out.content
    # students, parents and people with no role may not use the assessment API at all
    for name in ("elem_student", "elem_parent", "outsider"):
        assert _call(_client(world, name), "GET", _path(evidence)).status_code == 403, name


def test_no_token_or_a_bad_token_is_401(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world)
    for client in (
        Client(),
        Client(headers={"authorization": "Bearer dtss_not-a-real-token"}),
    ):
        out = _call(client, "GET", _path(evidence))
        assert out.status_code == 401
        assert out.json() == {"detail": "Unauthorized"}


def test_a_browser_session_may_download_too(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world)
    out = _call(world.client("elem_teacher"), "GET", _path(evidence))
    assert out.status_code == 200 and _body(out) == PDF
    other = _call(world.client("b_admin"), "GET", _path(evidence))
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("kind", "kwargs", "label"),
    [("link", {"url": "https://example.org/plan"}, "Link"), ("text", {"text": "紀錄"}, "Text")],
)
def test_link_and_text_evidence_have_no_file(
    world: World, cycle: Cycle, kind: str, kwargs: dict[str, Any], label: str
) -> None:
    evidence = _add(cycle, world, kind=kind, **kwargs)
    client = _client(world, "elem_admin")
    client.cookies["dtss_language"] = "en"
    out = _call(client, "GET", _path(evidence))
    assert out.status_code == 404
    assert out["Content-Type"].startswith("application/json")
    assert out.json() == {
        "detail": f"There is no file to download: this evidence is of the kind “{label}”."
    }
    # ... but outside the scope it is the plain 404, which says nothing about the evidence
    assert _call(_client(world, "b_admin"), "GET", _path(evidence)).json() == {
        "detail": "Not Found"
    }


def test_the_reason_is_in_the_readers_language(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world, kind="link", url="https://example.org/plan")
    out = _call(_client(world, "elem_admin"), "GET", _path(evidence))  # zh-Hant by default
    assert out.status_code == 404 and "連結" in out.json()["detail"]


def test_a_file_gone_from_storage_is_404(world: World, cycle: Cycle) -> None:
    evidence = _add(cycle, world)
    Path(evidence.file.path).unlink()
    out = _call(_client(world, "elem_admin"), "GET", _path(evidence))
    assert out.status_code == 404 and out.json() == {"detail": "Not Found"}


def test_a_published_case_links_the_file_only_inside_its_school_or_county(
    world: World, cycle: Cycle
) -> None:
    evidence = _add(cycle, world)
    case = plan_services.case_publish(evidence=evidence, title="會議", summary="做法", actor=None)
    own = _call(_client(world, "elem_teacher"), "GET", f"/cases/{case.public_id}").json()
    assert own["evidence"]["file_url"] == BASE + _path(evidence)
    other = _call(_client(world, "b_teacher"), "GET", f"/cases/{case.public_id}").json()
    assert other["evidence"]["kind"] == "file" and other["evidence"]["file_url"] is None
    assert _call(_client(world, "b_teacher"), "GET", _path(evidence)).status_code == 404
