"""The knowledge-base API: search, one article (markdown and safe HTML), writes by editors
only, suggestions, drafting from a request, and tenancy for every operation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dtss.helpdesk import services
from dtss.helpdesk.models import Article
from dtss.helpdesk.tests.factories import make_article, make_request

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk"


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(API + path, json.dumps(body), content_type="application/json")


def patch(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.patch(API + path, json.dumps(body), content_type="application/json")


def test_search_and_read_over_api(world: Any) -> None:
    adl = make_article(
        world, title_zh="因材網無法登入", body_zh="# 步驟\n\n<script>x()</script>清除快取"
    )
    make_article(world, title_zh="平板充電充不進去", body_zh="換插座。")
    draft = make_article(world, title_zh="因材網草稿", status="draft")
    teacher = world.client("elem_teacher")
    data = teacher.get(API + "/articles", {"q": "因材網登不進去"}).json()
    assert data["items"][0]["public_id"] == str(adl.public_id)
    assert str(draft.public_id) not in {i["public_id"] for i in data["items"]}
    assert teacher.get(API + "/articles", {"status": "draft"}).json()["count"] == 0
    one = teacher.get(f"{API}/articles/{adl.public_id}").json()
    assert one["body_zh"].startswith("# 步驟")
    assert "<h2>步驟</h2>" in one["html_zh"] and "<script" not in one["html_zh"]
    assert one["editable"] is False and one["source_request"] is None
    assert teacher.get(f"{API}/articles/{draft.public_id}").status_code == 404
    assert world.client("b_teacher").get(f"{API}/articles/{adl.public_id}").status_code == 404
    assert world.client("b_teacher").get(API + "/articles").json()["count"] == 0
    assert Client().get(API + "/articles").status_code == 401
    # editors see their drafts
    admin = world.client("a_admin")
    assert admin.get(API + "/articles", {"status": "draft"}).json()["count"] == 1
    # reading over the API is not counted
    adl.refresh_from_db()
    assert adl.view_count == 0


def test_suggest_over_api(world: Any) -> None:
    adl = make_article(world, title_zh="因材網無法登入", body_zh="清除快取後重新登入因材網。")
    client = world.client("elem_parent")
    items = client.get(API + "/articles/suggest", {"q": "因材網登不進去"}).json()["items"]
    assert items[0]["title"] == "因材網無法登入"
    assert items[0]["url"].endswith(f"/helpdesk/kb/a/{adl.public_id}/")
    assert client.get(API + "/articles/suggest", {"q": "因"}).json() == {"items": []}
    assert Client().get(API + "/articles/suggest", {"q": "因材網"}).status_code == 401


def test_write_over_api(world: Any) -> None:
    admin = world.client("a_admin")
    response = post(
        admin,
        "/articles",
        {
            "title_zh": "教育雲密碼",
            "body_zh": "按忘記密碼。",
            "tags": "密碼",
            "visibility": "public",
        },
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["status"] == "draft" and out["county"] == "10008" and out["school"] is None
    article = Article.objects.get(public_id=out["public_id"])
    assert article.grams.filter(gram="密碼").exists()
    response = patch(admin, f"/articles/{article.public_id}", {"title_en": "Password"})
    assert response.status_code == 200 and response.json()["title_en"] == "Password"
    response = post(admin, f"/articles/{article.public_id}/status", {"status": "published"})
    assert response.json()["status"] == "published" and response.json()["published_at"]
    # a school administrator writes the school's addition
    elem_admin = world.client("elem_admin")
    response = post(
        elem_admin,
        "/articles",
        {"title_zh": "本校", "body_zh": "內容", "school": str(world.schools["A-elem"].public_id)},
    )
    assert response.status_code == 201 and response.json()["school"] == str(
        world.schools["A-elem"].public_id
    )


def test_bad_input_and_forbidden_writes_change_nothing(world: Any) -> None:
    article = make_article(world)
    admin = world.client("a_admin")
    response = post(admin, "/articles", {"title_zh": " ", "body_zh": "", "tags": "x" * 201})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert {"title_zh", "body_zh", "tags"} <= fields
    response = post(admin, "/articles", {"title_zh": "a", "body_zh": "b", "category": "nope"})
    assert response.status_code == 422
    # a school of another county, or one the user does not administer: 422 naming it
    elem_admin = world.client("elem_admin")
    for school in ("A-junior", "B-elem"):
        response = post(
            elem_admin,
            "/articles",
            {"title_zh": "a", "body_zh": "b", "school": str(world.schools[school].public_id)},
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "school"
    # a school administrator cannot write a county article
    response = post(elem_admin, "/articles", {"title_zh": "a", "body_zh": "b"})
    assert response.status_code == 422
    for name in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
        assert (
            post(world.client(name), "/articles", {"title_zh": "a", "body_zh": "b"}).status_code
            == 403
        )
    assert Article.objects.count() == 1
    path = f"/articles/{article.public_id}"
    assert patch(elem_admin, path, {"title_zh": "改"}).status_code == 403
    assert patch(world.client("elem_teacher"), path, {"title_zh": "改"}).status_code == 403
    assert patch(world.client("b_admin"), path, {"title_zh": "改"}).status_code == 404
    assert (
        post(world.client("b_admin"), path + "/status", {"status": "archived"}).status_code == 404
    )
    assert post(elem_admin, path + "/status", {"status": "archived"}).status_code == 403
    assert post(admin, path + "/status", {"status": "deleted"}).status_code == 422
    assert patch(admin, path, {"title_zh": ""}).status_code == 422
    article.refresh_from_db()
    assert (article.title_zh, article.status) == ("因材網無法登入怎麼辦", "published")


def test_article_draft_from_request_over_api(world: Any) -> None:
    req = make_request(world, "elem_teacher", description="elem_teacher 的平板不能登入")
    admin = world.users["elem_admin"]
    path = f"/requests/{req.public_id}/article-draft"
    response = post(world.client("elem_admin"), path, {})
    assert response.status_code == 422  # still open
    services.request_reply(request_obj=req, user=admin, body="請重新設定密碼。")
    services.request_status_set(request_obj=req, user=admin, status="closed")
    assert post(world.client("elem_teacher"), path, {}).status_code == 403
    assert post(world.client("b_admin"), path, {}).status_code == 404
    assert post(world.client("junior_admin"), path, {}).status_code == 404
    assert not Article.objects.exists()
    response = post(world.client("elem_admin"), path, {})
    assert response.status_code == 201
    out = response.json()
    assert out["status"] == "draft" and out["source_request"] == str(req.public_id)
    assert "elem_teacher" not in out["body_zh"] and "請重新設定密碼" in out["body_zh"]
