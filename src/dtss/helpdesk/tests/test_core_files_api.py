"""Files over the API: a request's attachments (upload, download) and an article's media
(upload, remove), with the same rules as the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dtss.helpdesk import services
from dtss.helpdesk.models import ArticleMedia, RequestAttachment
from dtss.helpdesk.tests.factories import make_article, make_request

pytestmark = pytest.mark.django_db
API = "/api/v1/helpdesk"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def png(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_a_request_s_files_over_the_api(world: Any) -> None:
    req = make_request(world, "elem_student")
    student = world.client("elem_student")
    r = student.post(f"{API}/requests/{req.public_id}/files", {"files": [png(), png("b.png")]})
    assert r.status_code == 201, r.content
    assert [f["name"] for f in r.json()] == ["screen.png", "b.png"]
    first = RequestAttachment.objects.get(name="screen.png")
    # the requester and the school's administrators download it; nobody else
    for who, code in (
        ("elem_student", 200),
        ("elem_admin", 200),
        ("a_staff", 200),
        ("elem_student2", 404),
        ("elem_teacher", 404),
        ("elem_parent", 404),  # the child's own request is the child's
        ("junior_admin", 404),
        ("b_admin", 404),
        ("moe", 404),
    ):
        got = world.client(who).get(f"{API}/attachments/{first.public_id}")
        assert got.status_code == code, who
        if code == 200:
            assert b"".join(got.streaming_content) == PNG
            assert got["X-Content-Type-Options"] == "nosniff"
    # others may not add files: 404 outside, nothing kept
    for who in ("elem_student2", "b_admin", "elem_teacher"):
        r = world.client(who).post(f"{API}/requests/{req.public_id}/files", {"files": [png()]})
        assert r.status_code == 404, who
    # a handler may; a bad file is a 422 naming `files`, and nothing is kept
    assert (
        world.client("elem_admin")
        .post(f"{API}/requests/{req.public_id}/files", {"files": [png("fix.png")]})
        .status_code
        == 201
    )
    bad = SimpleUploadedFile("run.exe", b"MZ...", content_type="application/x-msdownload")
    r = student.post(f"{API}/requests/{req.public_id}/files", {"files": [png("ok.png"), bad]})
    assert r.status_code == 422 and "files" in r.content.decode()
    assert RequestAttachment.objects.filter(request=req).count() == 3
    # an internal note's file is for handlers only
    services.request_reply(
        request_obj=req,
        user=world.users["elem_admin"],
        body="內部",
        internal=True,
        files=[png("note.png")],
    )
    note_file = RequestAttachment.objects.get(name="note.png")
    assert student.get(f"{API}/attachments/{note_file.public_id}").status_code == 404
    assert (
        world.client("elem_admin").get(f"{API}/attachments/{note_file.public_id}").status_code
        == 200
    )
    # closed: the requester sends no more files
    services.request_status_set(request_obj=req, user=world.users["elem_admin"], status="closed")
    r = student.post(f"{API}/requests/{req.public_id}/files", {"files": [png()]})
    assert r.status_code == 422


def test_an_article_s_media_over_the_api(world: Any) -> None:
    article = make_article(world)
    editor = world.client("a_staff")
    r = editor.post(
        f"{API}/articles/{article.public_id}/media", {"files": [png()], "caption": "步驟一"}
    )
    assert r.status_code == 201, r.content
    media = r.json()["media"]
    assert [(m["kind"], m["caption"]) for m in media] == [("image", "步驟一")]
    one = ArticleMedia.objects.get()
    for who, code in (("elem_teacher", 403), ("elem_admin", 403), ("b_admin", 404)):
        r = world.client(who).post(f"{API}/articles/{article.public_id}/media", {"files": [png()]})
        assert r.status_code == code, who
        assert world.client(who).delete(f"{API}/article-media/{one.public_id}").status_code == code
    fake = SimpleUploadedFile("fake.png", b"not an image", content_type="image/png")
    r = editor.post(f"{API}/articles/{article.public_id}/media", {"files": [png("a.png"), fake]})
    assert r.status_code == 422
    assert ArticleMedia.objects.count() == 1
    assert editor.delete(f"{API}/article-media/{one.public_id}").status_code == 204
    assert not ArticleMedia.objects.exists()
