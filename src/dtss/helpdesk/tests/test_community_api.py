"""The community API: threads, posts, answers, moderation and the shared queue, with the same
permissions as the pages (403 for other roles and the MOE viewer's writes, 404 across counties,
422 for bad input and locked threads)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from dtss.helpdesk import community_services as svc
from dtss.helpdesk.models import Post, Thread
from dtss.helpdesk.tests.factories import make_request

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk"
NON_MEMBERS = ["elem_teacher", "b_teacher", "elem_student", "elem_parent", "outsider"]


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(API + path, json.dumps(body), content_type="application/json")


def patch(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.patch(API + path, json.dumps(body), content_type="application/json")


def start(world: Any, user: str = "junior_admin", **values: Any) -> Thread:
    values.setdefault("topic", "platform")
    values.setdefault("title", "因材網學生帳號大量登入失敗")
    values.setdefault("body", "今天早上三個班都登不進去。")
    return svc.thread_create(user=world.users[user], **values)


def test_thread_lifecycle(world: Any) -> None:
    junior = world.client("junior_admin")
    r = post(junior, "/threads", {"topic": "device", "title": "平板無法充電", "body": "換線也不行"})
    assert r.status_code == 201, r.content
    body = r.json()
    tid = body["public_id"]
    assert body["county"] == "10008" and body["post_count"] == 1
    assert body["author_school"] == world.schools["A-junior"].name
    assert body["posts"][0]["editable"] is True
    elem = world.client("elem_admin")
    r = post(elem, f"/threads/{tid}/posts", {"body": "試試原廠充電器"})
    assert r.status_code == 201 and r.json()["author_school"] == world.schools["A-elem"].name
    pid = r.json()["public_id"]
    r = patch(elem, f"/posts/{pid}", {"body": "試試原廠 20W 充電器"})
    assert r.status_code == 200 and r.json()["edited_at"]
    assert patch(junior, f"/posts/{pid}", {"body": "x"}).status_code == 403
    assert post(elem, f"/posts/{pid}/answer", {}).status_code == 403  # not the author
    r = post(junior, f"/posts/{pid}/answer", {"helpful": True})
    assert r.status_code == 200 and r.json()["helpful"] is True
    detail = junior.get(f"{API}/threads/{tid}").json()
    assert detail["solved"] is True and len(detail["posts"]) == 2
    listing = junior.get(f"{API}/threads", {"q": "20W"}).json()
    assert listing["count"] == 1 and listing["items"][0]["public_id"] == tid
    assert junior.get(f"{API}/threads", {"topic": "network"}).json()["count"] == 0
    assert junior.get(f"{API}/threads", {"state": "unsolved"}).json()["count"] == 0


def test_bad_input_is_422_and_changes_nothing(world: Any) -> None:
    junior = world.client("junior_admin")
    r = post(junior, "/threads", {"topic": "device", "title": " ", "body": " "})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} == {"title", "body"}
    r = post(junior, "/threads", {"topic": "nonsense", "title": "x", "body": "y"})
    assert r.status_code == 422
    r = post(junior, "/threads", {"topic": "device", "title": "x", "body": "y", "county": "10002"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "county"
    other = make_request(world, "b_student")
    r = post(
        junior,
        "/threads",
        {"topic": "device", "title": "x", "body": "y", "request": str(other.public_id)},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "request"
    assert not Thread.objects.exists()


@pytest.mark.parametrize("user", NON_MEMBERS)
def test_other_roles_get_403(world: Any, user: str) -> None:
    thread = start(world)
    first = thread.posts.get()
    client = world.client(user)
    assert client.get(f"{API}/threads").status_code == 403
    assert client.get(f"{API}/threads/{thread.public_id}").status_code == 403
    assert client.get(f"{API}/shared-queue").status_code == 403
    assert (
        post(client, "/threads", {"topic": "device", "title": "x", "body": "y"}).status_code == 403
    )
    assert post(client, f"/threads/{thread.public_id}/posts", {"body": "x"}).status_code == 403
    assert post(client, f"/threads/{thread.public_id}/pin", {}).status_code == 403
    assert post(client, f"/threads/{thread.public_id}/lock", {}).status_code == 403
    assert post(client, f"/posts/{first.public_id}/answer", {}).status_code == 403
    assert patch(client, f"/posts/{first.public_id}", {"body": "x"}).status_code == 403
    assert Thread.objects.get().post_count == 1 and Post.objects.count() == 1


def test_anonymous_is_401(world: Any, client: Any) -> None:
    assert client.get(f"{API}/threads").status_code == 401
    assert client.get(f"{API}/shared-queue").status_code == 401


def test_another_county_is_404(world: Any) -> None:
    thread = start(world)
    first = thread.posts.get()
    b = world.client("b_admin")
    assert b.get(f"{API}/threads").json()["count"] == 0
    assert b.get(f"{API}/threads/{thread.public_id}").status_code == 404
    assert post(b, f"/threads/{thread.public_id}/posts", {"body": "x"}).status_code == 404
    assert post(b, f"/threads/{thread.public_id}/pin", {}).status_code == 404
    assert post(b, f"/threads/{thread.public_id}/lock", {}).status_code == 404
    assert post(b, f"/posts/{first.public_id}/answer", {}).status_code == 404
    assert patch(b, f"/posts/{first.public_id}", {"body": "x"}).status_code == 404
    thread.refresh_from_db()
    assert thread.post_count == 1 and not thread.pinned and not thread.locked


def test_moe_viewer_reads_and_gets_403_on_writes(world: Any) -> None:
    thread = start(world)
    reply = svc.post_create(thread=thread, user=world.users["elem_admin"], body="試試")
    moe = world.client("moe")
    assert moe.get(f"{API}/threads").json()["count"] == 1
    detail = moe.get(f"{API}/threads/{thread.public_id}").json()
    assert detail["may_reply"] is False and detail["may_moderate"] is False
    assert moe.get(f"{API}/shared-queue").status_code == 403  # requests are not the MOE's to read
    assert post(moe, "/threads", {"topic": "device", "title": "x", "body": "y"}).status_code == 403
    assert post(moe, f"/threads/{thread.public_id}/posts", {"body": "x"}).status_code == 403
    assert post(moe, f"/threads/{thread.public_id}/pin", {}).status_code == 403
    assert post(moe, f"/threads/{thread.public_id}/lock", {}).status_code == 403
    assert post(moe, f"/posts/{reply.public_id}/answer", {}).status_code == 403
    thread.refresh_from_db()
    assert thread.post_count == 2 and not thread.pinned and not thread.solved


def test_moderation_and_locked_threads(world: Any) -> None:
    thread = start(world)
    tid = thread.public_id
    junior = world.client("junior_admin")
    assert post(junior, f"/threads/{tid}/pin", {}).status_code == 403
    office = world.client("a_staff")
    r = post(office, f"/threads/{tid}/pin", {"pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] is True
    r = post(office, f"/threads/{tid}/lock", {"locked": True})
    assert r.status_code == 200 and r.json()["locked"] is True
    r = post(junior, f"/threads/{tid}/posts", {"body": "還能回嗎"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    first = thread.posts.get()
    assert patch(junior, f"/posts/{first.public_id}", {"body": "改"}).status_code == 422
    assert Thread.objects.get().post_count == 1
    assert post(office, f"/threads/{tid}/lock", {"locked": False}).json()["locked"] is False


def test_edit_window_over_the_api(world: Any) -> None:
    thread = start(world)
    first = thread.posts.get()
    Post.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    junior = world.client("junior_admin")
    assert junior.get(f"{API}/threads/{thread.public_id}").json()["posts"][0]["editable"] is False
    r = patch(junior, f"/posts/{first.public_id}", {"body": "太晚了"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    assert Post.objects.get(pk=first.pk).edited_at is None


def test_shared_queue_never_exposes_the_requester_or_the_description(world: Any) -> None:
    secret = "我的帳號是 S1234567，密碼是生日"
    req = make_request(world, "elem_student", subject="因材網登入不了", description=secret)
    make_request(world, "junior_teacher", subject="投影機沒畫面", category="device", platform="")
    make_request(world, "b_student", subject="宜蘭的平板壞了")
    junior = world.client("junior_admin")
    r = junior.get(f"{API}/shared-queue")
    assert r.status_code == 200
    text = r.content.decode()
    assert "S1234567" not in text and world.people["elem_student"].name not in text
    assert "description" not in text and "requester" not in text
    body = r.json()
    assert body["count"] == 2 and "宜蘭的平板壞了" not in text
    first = body["items"][0]
    assert first["number"] == req.number and first["school"] == world.schools["A-elem"].name
    assert set(first) == {
        "public_id",
        "number",
        "school",
        "category",
        "platform",
        "subject",
        "status",
        "created_at",
        "age_hours",
        "escalated_to",
        "overdue",
    }
    assert junior.get(f"{API}/shared-queue", {"category": "device"}).json()["count"] == 1
    assert junior.get(f"{API}/shared-queue", {"platform": "adl"}).json()["count"] == 1
    school = world.schools["A-junior"].public_id
    assert junior.get(f"{API}/shared-queue", {"school": str(school)}).json()["count"] == 1
    b_school = world.schools["B-elem"].public_id
    assert junior.get(f"{API}/shared-queue", {"school": str(b_school)}).status_code == 404
    # the community discusses it: a thread linked to the request, its number shown
    r = post(
        junior,
        "/threads",
        {
            "topic": "platform",
            "title": "因材網登入不了",
            "body": "大家有遇到嗎？",
            "request": str(req.public_id),
        },
    )
    assert r.status_code == 201 and r.json()["request_number"] == req.number
    assert "S1234567" not in r.content.decode()
