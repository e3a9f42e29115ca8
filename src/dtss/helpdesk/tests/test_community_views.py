"""The community's pages: who may open them, the thread list's filters, a thread with its
actions, editing, moderation, and the shared queue that never shows who asked or what they
wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.helpdesk import community_services as svc
from dtss.helpdesk.models import Post, Thread
from dtss.helpdesk.tests.factories import make_request

pytestmark = pytest.mark.django_db

NON_MEMBERS = ["elem_teacher", "junior_teacher", "elem_student", "elem_parent", "outsider"]


def start(world: Any, user: str = "junior_admin", **values: Any) -> Thread:
    values.setdefault("topic", "platform")
    values.setdefault("title", "因材網學生帳號大量登入失敗")
    values.setdefault("body", "今天早上三個班都登不進去。")
    return svc.thread_create(user=world.users[user], **values)


def url(name: str, *args: Any) -> str:
    return reverse(f"helpdesk:{name}", args=args)


def test_members_and_the_moe_viewer_read_the_list(world: Any) -> None:
    thread = start(world)
    for user in ("a_admin", "a_staff", "elem_admin", "junior_admin", "moe"):
        page = world.client(user).get(url("community"))
        assert page.status_code == 200, user
        assert str(thread.public_id) in page.content.decode(), user
    other = world.client("b_admin").get(url("community")).content.decode()
    assert str(thread.public_id) not in other and 'id="no-threads"' in other


@pytest.mark.parametrize("user", NON_MEMBERS)
def test_other_roles_get_403_everywhere(world: Any, user: str) -> None:
    thread = start(world)
    post = thread.posts.get()
    client = world.client(user)
    for path in (
        url("community"),
        url("thread_create"),
        url("shared_queue"),
        url("shared_queue_export"),
        url("thread_detail", thread.public_id),
        url("post_edit", post.public_id),
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        url("thread_detail", thread.public_id),
        url("thread_pin", thread.public_id),
        url("thread_lock", thread.public_id),
        url("post_answer", post.public_id),
    ):
        assert client.post(path, {"body": "x"}).status_code == 403, path
    thread.refresh_from_db()
    assert thread.post_count == 1 and not thread.pinned and not thread.locked


def test_anonymous_is_sent_to_sign_in(world: Any, client: Any) -> None:
    response = client.get(url("community"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_countys_thread_is_404(world: Any) -> None:
    thread = start(world)
    post = thread.posts.get()
    client = world.client("b_admin")
    assert client.get(url("thread_detail", thread.public_id)).status_code == 404
    assert client.post(url("thread_detail", thread.public_id), {"body": "x"}).status_code == 404
    assert client.post(url("thread_pin", thread.public_id)).status_code == 404
    assert client.post(url("thread_lock", thread.public_id)).status_code == 404
    assert client.get(url("post_edit", post.public_id)).status_code == 404
    assert client.post(url("post_answer", post.public_id)).status_code == 404
    thread.refresh_from_db()
    assert thread.post_count == 1 and not thread.pinned


def test_list_filters_sorting_and_search(world: Any) -> None:
    a = start(world, title="平板無法充電", topic="device")
    b = start(world, title="Wi-Fi 很慢", topic="network")
    svc.post_create(thread=a, user=world.users["elem_admin"], body="換一條 USB-C 線")
    client = world.client("elem_admin")

    def ids(**params: str) -> list[str]:
        html = client.get(url("community"), params).content.decode()
        return [t for t in (str(a.public_id), str(b.public_id)) if t in html]

    assert ids(topic="device") == [str(a.public_id)]
    assert ids(q="USB-C") == [str(a.public_id)]
    assert ids(q="wi-fi") == [str(b.public_id)]
    assert ids(state="solved") == []
    assert 'id="no-threads"' in client.get(url("community"), {"state": "solved"}).content.decode()
    html = client.get(url("community"), {"sort": "new"}).content.decode()
    assert html.index(str(b.public_id)) < html.index(str(a.public_id))
    html = client.get(url("community")).content.decode()  # latest post first
    assert html.index(str(a.public_id)) < html.index(str(b.public_id))


def test_start_a_thread_and_reply(world: Any) -> None:
    client = world.client("junior_admin")
    assert client.get(url("thread_create")).status_code == 200
    response = client.post(url("thread_create"), {"topic": "device", "title": "", "body": ""})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert not Thread.objects.exists()
    response = client.post(
        url("thread_create"), {"topic": "device", "title": "投影機無法鏡像", "body": "iPad 連不上"}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("thread_detail", thread.public_id)
    elem = world.client("elem_admin")
    response = elem.post(url("thread_detail", thread.public_id), {"body": "要在同一個網段"})
    assert response.status_code == 302
    page = elem.get(url("thread_detail", thread.public_id)).content.decode()
    assert "要在同一個網段" in page and world.schools["A-elem"].name in page
    assert world.schools["A-junior"].name in page  # each post shows its author's school
    assert Thread.objects.get().post_count == 2


def test_moe_viewer_reads_but_may_not_write(world: Any) -> None:
    thread = start(world)
    post = svc.post_create(thread=thread, user=world.users["elem_admin"], body="試試看")
    moe = world.client("moe")
    page = moe.get(url("thread_detail", thread.public_id))
    assert page.status_code == 200 and 'id="read-only"' in page.content.decode()
    # the shared queue lists requests (often a student's): not the MOE viewer's to read
    assert moe.get(url("shared_queue")).status_code == 403
    assert moe.get(url("shared_queue_export")).status_code == 403
    assert moe.get(url("thread_create")).status_code == 403
    assert (
        moe.post(url("thread_create"), {"topic": "device", "title": "x", "body": "y"}).status_code
        == 403
    )
    assert moe.post(url("thread_detail", thread.public_id), {"body": "x"}).status_code == 403
    assert moe.post(url("thread_pin", thread.public_id)).status_code == 403
    assert moe.post(url("thread_lock", thread.public_id)).status_code == 403
    assert moe.post(url("post_answer", post.public_id)).status_code == 403
    assert moe.get(url("post_edit", post.public_id)).status_code == 403
    thread.refresh_from_db()
    assert thread.post_count == 2 and not thread.pinned and not thread.solved


def test_moderators_pin_and_lock_and_locked_threads_take_no_replies(world: Any) -> None:
    thread = start(world)
    member = world.client("elem_admin")
    page = member.get(url("thread_detail", thread.public_id)).content.decode()
    assert 'id="moderation"' not in page and 'id="reply"' in page
    assert member.post(url("thread_pin", thread.public_id)).status_code == 403
    office = world.client("a_staff")
    assert 'id="moderation"' in office.get(url("thread_detail", thread.public_id)).content.decode()
    assert office.post(url("thread_pin", thread.public_id), {"pinned": "1"}).status_code == 302
    assert office.post(url("thread_lock", thread.public_id), {"locked": "1"}).status_code == 302
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    page = member.get(url("thread_detail", thread.public_id)).content.decode()
    assert 'id="locked-note"' in page and 'id="reply"' not in page
    response = member.post(url("thread_detail", thread.public_id), {"body": "還可以回嗎"})
    assert response.status_code == 200 and 'id="locked-note"' in response.content.decode()
    assert 'class="msg error"' in response.content.decode()
    assert Thread.objects.get().post_count == 1
    office.post(url("thread_lock", thread.public_id), {"locked": "0"})
    assert not Thread.objects.get().locked


def test_edit_own_post_within_24_hours(world: Any) -> None:
    thread = start(world)
    post = svc.post_create(thread=thread, user=world.users["elem_admin"], body="清快取")
    assert world.client("junior_admin").get(url("post_edit", post.public_id)).status_code == 403
    client = world.client("elem_admin")
    page = client.get(url("thread_detail", thread.public_id)).content.decode()
    assert url("post_edit", post.public_id) in page
    assert client.get(url("post_edit", post.public_id)).status_code == 200
    response = client.post(url("post_edit", post.public_id), {"body": "清除瀏覽器快取"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "清除瀏覽器快取" and post.edited_at is not None
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    page = client.get(url("thread_detail", thread.public_id)).content.decode()
    assert url("post_edit", post.public_id) not in page
    page = client.get(url("post_edit", post.public_id)).content.decode()
    assert 'id="not-editable"' in page
    client.post(url("post_edit", post.public_id), {"body": "太晚了"})
    post.refresh_from_db()
    assert post.body == "清除瀏覽器快取"


def test_mark_the_answer(world: Any) -> None:
    thread = start(world)
    reply = svc.post_create(thread=thread, user=world.users["elem_admin"], body="重新登入教育雲")
    other = world.client("elem_admin")
    page = other.get(url("thread_detail", thread.public_id)).content.decode()
    assert url("post_answer", reply.public_id) not in page
    assert other.post(url("post_answer", reply.public_id)).status_code == 403
    author = world.client("junior_admin")
    page = author.get(url("thread_detail", thread.public_id)).content.decode()
    assert url("post_answer", reply.public_id) in page
    assert author.post(url("post_answer", reply.public_id), {"helpful": "1"}).status_code == 302
    thread.refresh_from_db()
    assert thread.solved
    page = author.get(url("thread_detail", thread.public_id)).content.decode()
    assert 'data-answer="1"' in page and 'data-solved="1"' in page


def test_the_shared_queue_never_shows_who_asked_or_what_they_wrote(world: Any) -> None:
    secret = "我的帳號是 S1234567，密碼是生日"
    req = make_request(world, "elem_student", subject="因材網登入不了", description=secret)
    b_req = make_request(world, "b_student", subject="宜蘭的平板壞了")
    student_name = world.people["elem_student"].name
    for user in ("junior_admin", "a_staff", "elem_admin"):
        client = world.client(user)
        html = client.get(url("shared_queue")).content.decode()
        assert "因材網登入不了" in html and f"#{req.number}" in html, user
        assert secret not in html and "S1234567" not in html, user
        assert student_name not in html, user
        csv = client.get(url("shared_queue_export")).content.decode("utf-8-sig")
        assert "因材網登入不了" in csv and "S1234567" not in csv and student_name not in csv
    a_html = world.client("junior_admin").get(url("shared_queue")).content.decode()
    assert "宜蘭的平板壞了" not in a_html
    assert "宜蘭的平板壞了" in world.client("b_admin").get(url("shared_queue")).content.decode()
    assert b_req.county_id != req.county_id


def test_shared_queue_filters(world: Any) -> None:
    make_request(world, "elem_student", subject="因材網登入不了")
    make_request(world, "junior_teacher", subject="投影機沒畫面", category="device", platform="")
    client = world.client("a_admin")
    html = client.get(url("shared_queue"), {"category": "device"}).content.decode()
    assert "投影機沒畫面" in html and "因材網登入不了" not in html
    html = client.get(url("shared_queue"), {"platform": "adl"}).content.decode()
    assert "因材網登入不了" in html and "投影機沒畫面" not in html
    junior = world.schools["A-junior"]
    html = client.get(url("shared_queue"), {"school": str(junior.public_id)}).content.decode()
    assert "投影機沒畫面" in html and "因材網登入不了" not in html
    b_school = world.schools["B-elem"]
    assert client.get(url("shared_queue"), {"school": str(b_school.public_id)}).status_code == 404
    html = client.get(url("shared_queue"), {"category": "network"}).content.decode()
    assert 'id="queue-empty"' in html


def test_discuss_a_request_from_the_shared_queue(world: Any) -> None:
    req = make_request(world, "elem_student", subject="因材網登入不了", description="S1234567")
    junior = world.client("junior_admin")
    html = junior.get(url("shared_queue")).content.decode()
    start_url = f"{url('thread_create')}?request={req.public_id}"
    assert start_url in html
    form = junior.get(start_url).content.decode()
    assert 'value="因材網登入不了"' in form and "S1234567" not in form
    response = junior.post(
        start_url, {"topic": "platform", "title": "因材網登入不了", "body": "大家有遇到嗎？"}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and thread.request == req
    # a member who does not handle it sees the number but no link
    page = junior.get(url("thread_detail", thread.public_id)).content.decode()
    assert f"#{req.number}" in page and "S1234567" not in page
    assert world.people["elem_student"].name not in page
    try:
        request_url = reverse("helpdesk:request_detail", args=[req.public_id])
    except Exception:
        request_url = None
    if request_url:
        assert request_url not in page
        handler = world.client("elem_admin").get(url("thread_detail", thread.public_id))
        assert request_url in handler.content.decode()
    # another county's member cannot start a thread about it
    assert world.client("b_admin").get(start_url).status_code == 404
