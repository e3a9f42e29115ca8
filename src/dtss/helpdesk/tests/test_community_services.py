"""The community's services: who may write, locked threads, the edit window, answers,
moderation, the shared queue's columns, and the audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dtss.core.models import AuditEntry
from dtss.helpdesk import community_selectors as sel
from dtss.helpdesk import community_services as svc
from dtss.helpdesk.models import Post, Thread
from dtss.helpdesk.tests.factories import at, make_request

NOW = at(2026, 12, 1, 9, 0)


def start(world: Any, user: str = "junior_admin", **values: Any) -> Thread:
    values.setdefault("topic", "platform")
    values.setdefault("title", "因材網學生帳號大量登入失敗")
    values.setdefault("body", "今天早上三個班都登不進去，有學校遇到一樣的情形嗎？")
    values.setdefault("now", NOW)
    return svc.thread_create(user=world.users[user], **values)


def test_a_thread_starts_with_its_first_post(world: Any) -> None:
    thread = start(world)
    assert thread.county == world.counties["A"]
    assert thread.author == world.people["junior_admin"]
    assert thread.author_school == world.schools["A-junior"]
    assert thread.post_count == 1 and thread.last_post_at == NOW and thread.created_at == NOW
    first = thread.posts.get()
    assert first.body.startswith("今天早上") and first.author_school == world.schools["A-junior"]
    assert AuditEntry.objects.filter(action="helpdesk.thread.create").count() == 1
    # the county's office writes as the office (no school)
    office = start(world, "a_staff", title="資訊設備組公告")
    assert office.author_school is None


@pytest.mark.parametrize(
    "user", ["elem_teacher", "elem_student", "elem_parent", "moe", "outsider", "b_teacher"]
)
def test_only_members_start_threads(world: Any, user: str) -> None:
    with pytest.raises(PermissionDenied):
        start(world, user)
    assert not Thread.objects.exists()


def test_a_member_of_another_county_cannot_write_in_this_one(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        start(world, "b_admin", county=world.counties["A"])
    thread = start(world)
    with pytest.raises(PermissionDenied):
        svc.post_create(thread=thread, user=world.users["b_admin"], body="我們也是")
    assert thread.posts.count() == 1


def test_bad_input_names_the_fields_and_changes_nothing(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        start(world, title=" ", topic="nonsense", body="")
    assert set(exc.value.message_dict) == {"title", "topic", "body"}
    assert not Thread.objects.exists()


def test_replies_update_the_thread_and_a_locked_thread_takes_none(world: Any) -> None:
    thread = start(world)
    later = NOW + dt.timedelta(hours=2)
    svc.post_create(thread=thread, user=world.users["elem_admin"], body="我們也是", now=later)
    thread.refresh_from_db()
    assert thread.post_count == 2 and thread.last_post_at == later
    with pytest.raises(PermissionDenied):  # only moderators lock
        svc.thread_lock(thread=thread, user=world.users["junior_admin"])
    svc.thread_lock(thread=thread, user=world.users["a_staff"])
    with pytest.raises(ValidationError) as exc:
        svc.post_create(thread=thread, user=world.users["a_admin"], body="補充")
    assert "body" in exc.value.message_dict
    thread.refresh_from_db()
    assert thread.post_count == 2
    svc.thread_lock(thread=thread, user=world.users["a_admin"], locked=False)
    svc.post_create(thread=thread, user=world.users["a_admin"], body="補充", now=later)
    assert Thread.objects.get(pk=thread.pk).post_count == 3
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"helpdesk.thread.lock", "helpdesk.thread.unlock", "helpdesk.post.create"} <= actions


def test_own_post_is_editable_for_24_hours(world: Any) -> None:
    thread = start(world)
    post = svc.post_create(
        thread=thread, user=world.users["elem_admin"], body="清快取試試", now=NOW
    )
    post = Post.objects.get(pk=post.pk)
    with pytest.raises(PermissionDenied):
        svc.post_edit(post=post, user=world.users["junior_admin"], body="改別人的")
    with pytest.raises(PermissionDenied):
        svc.post_edit(post=post, user=world.users["a_admin"], body="管理者也不行")
    edited = NOW + dt.timedelta(hours=23)
    svc.post_edit(
        post=post, user=world.users["elem_admin"], body="清除瀏覽器快取後再試", now=edited
    )
    post.refresh_from_db()
    assert post.body == "清除瀏覽器快取後再試" and post.edited_at == edited
    too_late = NOW + dt.timedelta(hours=24, minutes=1)
    assert not svc.may_edit_post(world.users["elem_admin"], post, now=too_late)
    with pytest.raises(ValidationError) as exc:
        svc.post_edit(post=post, user=world.users["elem_admin"], body="太晚了", now=too_late)
    assert "body" in exc.value.message_dict
    post.refresh_from_db()
    assert post.body == "清除瀏覽器快取後再試"


def test_the_author_or_a_moderator_marks_one_answer(world: Any) -> None:
    thread = start(world)
    first = thread.posts.get()
    a = svc.post_create(thread=thread, user=world.users["elem_admin"], body="重新登入教育雲")
    b = svc.post_create(thread=thread, user=world.users["a_staff"], body="因材網今天維護")
    with pytest.raises(PermissionDenied):  # a member who is neither
        svc.post_mark_answer(post=a, user=world.users["elem_admin"])
    with pytest.raises(PermissionDenied):  # the MOE viewer reads only
        svc.post_mark_answer(post=a, user=world.users["moe"])
    with pytest.raises(ValidationError):
        svc.post_mark_answer(post=first, user=world.users["junior_admin"])
    svc.post_mark_answer(post=a, user=world.users["junior_admin"])
    assert Thread.objects.get(pk=thread.pk).solved
    svc.post_mark_answer(post=b, user=world.users["a_admin"])  # a moderator changes it
    assert set(thread.posts.filter(helpful=True)) == {b}
    svc.post_mark_answer(post=b, user=world.users["junior_admin"], helpful=False)
    assert not Thread.objects.get(pk=thread.pk).solved
    assert AuditEntry.objects.filter(action="helpdesk.post.answer").count() == 2


def test_pinning_is_for_the_county_office(world: Any) -> None:
    thread = start(world)
    for user in ("junior_admin", "elem_admin", "b_admin", "moe"):
        with pytest.raises(PermissionDenied):
            svc.thread_pin(thread=thread, user=world.users[user])
    svc.thread_pin(thread=thread, user=world.users["a_staff"])
    assert Thread.objects.get(pk=thread.pk).pinned
    assert AuditEntry.objects.filter(action="helpdesk.thread.pin").count() == 1


def test_a_thread_links_a_request_of_its_own_county_only(world: Any) -> None:
    req = make_request(world, "elem_student", now=NOW)
    other = make_request(world, "b_student", now=NOW)
    thread = start(world, request_obj=req, title=req.subject)
    assert thread.request == req and thread.county == world.counties["A"]
    with pytest.raises(ValidationError) as exc:
        start(world, county=world.counties["A"], request_obj=other)
    assert "request" in exc.value.message_dict


def test_thread_list_pins_first_and_searches_posts(world: Any) -> None:
    old = start(world, title="平板無法充電", now=NOW)
    new = start(world, title="Wi-Fi 很慢", now=NOW + dt.timedelta(days=1))
    svc.post_create(
        thread=old,
        user=world.users["elem_admin"],
        body="換一條 USB-C 線就好了",
        now=NOW + dt.timedelta(days=2),
    )
    user = world.users["elem_admin"]
    assert list(sel.thread_list(user=user)) == [old, new]
    assert list(sel.thread_list(user=user, sort="new")) == [new, old]
    svc.thread_pin(thread=new, user=world.users["a_admin"])
    assert sel.thread_list(user=user).first() == new
    assert list(sel.thread_list(user=user, query="usb-c")) == [old]
    assert list(sel.thread_list(user=user, query="Wi-Fi")) == [new]
    assert list(sel.thread_list(user=user, topic="device")) == []
    assert list(sel.thread_list(user=world.users["b_admin"])) == []
    assert len(sel.thread_list(user=world.users["moe"])) == 2


def test_the_shared_queue_carries_no_personal_data(world: Any) -> None:
    req = make_request(
        world, "elem_student", now=NOW, description="我的帳號是 S1234567，生日 0101。"
    )
    make_request(world, "b_student", now=NOW)
    closed = make_request(world, "elem_parent", now=NOW)
    from dtss.helpdesk import services

    services.request_status_set(request_obj=closed, user=world.users["elem_admin"], status="closed")
    rows = sel.shared_queue(user=world.users["junior_admin"], now=NOW + dt.timedelta(days=3))
    assert [r.number for r in rows] == [req.number]
    row = rows[0]
    assert row.school_name == world.schools["A-elem"].name and row.overdue
    values = " ".join(str(v) for v in row.__dict__.values())
    assert "S1234567" not in values and "elem_student" not in values
    assert not hasattr(row, "requester") and not hasattr(row, "description")
    assert [r.number for r in sel.shared_queue(user=world.users["b_admin"])] == [1]
    assert sel.shared_queue(user=world.users["elem_teacher"]) == []
