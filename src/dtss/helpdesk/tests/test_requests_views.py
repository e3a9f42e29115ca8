"""The help-request pages: asking for help (with and without knowledge-base suggestions), my
requests, one request for its requester and its handlers, live updates, attachments, and who
gets a 404 or 403. Assertions use data (names, numbers, ids, URLs), not translated labels."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, JsonResponse
from django.urls import include, path, reverse

from dtss.core.models import AuditEntry
from dtss.devices.tests.factories import make_device
from dtss.helpdesk import services
from dtss.helpdesk.models import HelpRequest, RequestAttachment, RequestMessage
from dtss.helpdesk.tests.factories import at, make_request, office_groups
from dtss.orgs import services as org_services

pytestmark = pytest.mark.django_db

NEW = "/helpdesk/new/"
NOW = at(2026, 12, 1, 9, 0)  # a Tuesday, 09:00 in Taipei
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def detail(req: HelpRequest) -> str:
    return reverse("helpdesk:request_detail", args=[req.public_id])


def updates(req: HelpRequest, after: Any = None) -> str:
    url = reverse("helpdesk:request_updates", args=[req.public_id])
    return f"{url}?after={after}" if after else url


def form_data(**values: Any) -> dict[str, Any]:
    data = {
        "category": "platform",
        "platform": "adl",
        "subject": "因材網登入不了",
        "description": "輸入帳號密碼後一直轉圈圈。",
    }
    data.update(values)
    return data


# --------------------------------------------------------------------------- URL confs


def _fake_suggest(request: Any) -> JsonResponse:
    return JsonResponse({"items": []})


def _fake_draft(request: Any, public_id: Any) -> HttpResponse:
    return HttpResponse("draft")


def _urlconf(*, with_kb: bool) -> ModuleType:
    """The project's URLs with the helpdesk reduced to this part (and, with_kb, stand-ins for
    the knowledge base's suggest and draft-from-request endpoints), whatever the knowledge
    base's own part has built so far."""
    from dtss import urls as project
    from dtss.helpdesk import requests_urls

    extra = (
        [
            path("kb/suggest/", _fake_suggest, name="kb_suggest"),
            path("kb/from/<uuid:public_id>/", _fake_draft, name="article_from_request"),
        ]
        if with_kb
        else []
    )
    helpdesk = ([*requests_urls.urlpatterns, *extra], "helpdesk")
    others = [p for p in project.urlpatterns if getattr(p, "namespace", None) != "helpdesk"]
    conf = ModuleType(f"helpdesk_test_urls_{'kb' if with_kb else 'nokb'}")
    conf.urlpatterns = [path("helpdesk/", include(helpdesk)), *others]  # type: ignore[attr-defined]
    return conf


# --------------------------------------------------------------------------- asking for help


def test_create_without_the_suggestions_endpoint(world, settings) -> None:
    settings.ROOT_URLCONF = _urlconf(with_kb=False)
    client = world.client("junior_teacher")
    page = client.get(NEW + "?from=/devices/loans/%3Fstate%3Dactive")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="kb-suggest"' in html and "data-url=" not in html
    assert "suggest.js" not in html
    assert 'value="/devices/loans/?state=active"' in html  # the page it came from, kept
    r = client.post(NEW, form_data(page_url="/devices/loans/?state=active"))
    req = HelpRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == detail(req)
    assert req.page_url == "/devices/loans/?state=active"
    assert req.requester == world.people["junior_teacher"]
    assert req.school == world.schools["A-junior"]


def test_create_with_the_suggestions_endpoint(world, settings) -> None:
    settings.ROOT_URLCONF = _urlconf(with_kb=True)
    client = world.client("elem_student")
    html = client.get(NEW).content.decode()
    assert 'data-url="/helpdesk/kb/suggest/"' in html
    assert "helpdesk/requests/suggest.js" in html
    assert 'aria-live="polite"' in html
    r = client.post(NEW, form_data())
    assert r.status_code == 302
    assert HelpRequest.objects.get().requester == world.people["elem_student"]


@pytest.mark.parametrize(
    "bad",
    [
        "https://evil.example/phish",
        "//evil.example/x",
        "javascript:alert(1)",
        "/\\evil.example",
        "relative/path",
    ],
)
def test_only_a_same_site_path_is_kept_as_the_page(world, bad) -> None:
    client = world.client("elem_teacher")
    page = client.get(NEW, {"from": bad})
    assert "evil" not in page.content.decode().split('name="page_url"')[1].split(">")[0]
    client.post(NEW, form_data(page_url=bad))
    assert HelpRequest.objects.get().page_url == ""


def test_a_parent_with_children_at_two_schools_chooses_the_school(world) -> None:
    junior_child = world.people["elem_student2"]
    org_services.enrollment_create(
        student=junior_child, school_class=world.classes["A-junior 7-1"], seat_number=9
    )
    org_services.guardianship_create(
        parent=world.people["elem_parent"], child=junior_child, relation="mother"
    )
    client = world.client("elem_parent")
    html = client.get(NEW).content.decode()
    assert 'name="school"' in html
    assert str(world.schools["A-elem"].public_id) in html
    assert str(world.schools["A-junior"].public_id) in html
    assert str(world.schools["B-elem"].public_id) not in html
    r = client.post(NEW, form_data())  # no school chosen
    assert r.status_code == 200 and "school" in r.context["form"].errors
    assert HelpRequest.objects.count() == 0
    r = client.post(NEW, form_data(school=str(world.schools["B-elem"].public_id)))
    assert "school" in r.context["form"].errors and HelpRequest.objects.count() == 0
    r = client.post(NEW, form_data(school=str(world.schools["A-junior"].public_id)))
    req = HelpRequest.objects.get()
    assert req.school == world.schools["A-junior"]
    # routed to A-junior's IT head, and the page says so
    page = world.client("elem_parent").get(r["Location"]).content.decode()
    assert req.assignee == world.people["junior_admin"]
    assert 'id="assignee">junior_admin<' in page


def test_a_parent_with_one_school_is_not_asked(world) -> None:
    html = world.client("elem_parent").get(NEW).content.decode()
    assert 'name="school"' not in html


def test_routing_shows_the_it_head_to_the_requester(world) -> None:
    client = world.client("junior_teacher")
    r = client.post(NEW, form_data())
    page = client.get(r["Location"]).content.decode()
    assert 'id="assignee">junior_admin<' in page
    req = HelpRequest.objects.get()
    assert [m.event for m in req.messages.all()] == ["created", "assigned"]
    assert "junior_admin" in page  # the "routed to" line of the conversation


def test_bad_input_names_the_field_and_changes_nothing(world) -> None:
    client = world.client("elem_teacher")
    r = client.post(NEW, form_data(subject="", description="", category="nope"))
    assert r.status_code == 200
    assert {"subject", "description", "category"} <= set(r.context["form"].errors)
    assert 'id="form-errors"' in r.content.decode()
    r = client.post(NEW, form_data(asset_tag="NO-SUCH-TAG"))
    assert "asset_tag" in r.context["form"].errors
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    r = client.post(NEW, {**form_data(), "attachments": [exe]})
    assert "attachments" in r.context["form"].errors
    assert HelpRequest.objects.count() == 0 and RequestAttachment.objects.count() == 0


def test_priority_only_for_handlers(world) -> None:
    assert 'name="priority"' not in world.client("elem_teacher").get(NEW).content.decode()
    client = world.client("elem_admin")
    assert 'name="priority"' in client.get(NEW).content.decode()
    client.post(NEW, form_data(priority="urgent"))
    assert HelpRequest.objects.get().priority == "urgent"
    world.client("elem_teacher").post(NEW, form_data(priority="urgent"))
    assert HelpRequest.objects.get(requester=world.people["elem_teacher"]).priority == "normal"


def test_devices_a_student_may_pick_and_staff_type_an_asset_tag(world) -> None:
    from dtss.devices import loan_services

    mine = make_device(world, serial="SN-MINE")
    other = make_device(world, serial="SN-OTHER")
    loan_services.assignment_create(device=mine, person=world.people["elem_student"])
    html = world.client("elem_student").get(NEW + f"?device={mine.public_id}").content.decode()
    assert f'<option value="{mine.public_id}" selected>' in html
    assert str(other.public_id) not in html
    # a parent sees the child's device, another family nothing
    assert str(mine.public_id) in world.client("elem_parent").get(NEW).content.decode()
    assert str(mine.public_id) not in world.client("b_parent").get(NEW).content.decode()
    r = world.client("elem_student").post(NEW, form_data(device=str(other.public_id)))
    assert "device" in r.context["form"].errors and HelpRequest.objects.count() == 0
    world.client("elem_student").post(NEW, form_data(device=str(mine.public_id)))
    assert HelpRequest.objects.get().device == mine
    # staff: the asset tag, preselected from ?device=
    client = world.client("elem_teacher")
    html = client.get(NEW + f"?device={other.public_id}").content.decode()
    assert f'value="{other.asset_tag}"' in html and 'name="device"' not in html
    client.post(NEW, form_data(asset_tag=other.asset_tag.lower()))
    assert HelpRequest.objects.get(requester=world.people["elem_teacher"]).device == other
    # B's teacher cannot name A's device
    r = world.client("b_teacher").post(NEW, form_data(asset_tag=other.asset_tag))
    assert "asset_tag" in r.context["form"].errors


def test_attachments_are_saved_and_served_only_to_who_may_see(world, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = world.client("elem_student")
    shot = SimpleUploadedFile("screen.png", PNG, content_type="image/png")
    doc = SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")
    client.post(NEW, {**form_data(), "attachments": [shot, doc]})
    req = HelpRequest.objects.get()
    files = {a.name: a for a in req.attachments.all()}
    assert set(files) == {"screen.png", "log.txt"}
    png_url = reverse("helpdesk:attachment_download", args=[files["screen.png"].public_id])
    txt_url = reverse("helpdesk:attachment_download", args=[files["log.txt"].public_id])
    assert png_url in client.get(detail(req)).content.decode()
    r = client.get(txt_url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"error 42"
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    r = client.get(png_url)
    assert r["Content-Disposition"].startswith("inline") and r["Content-Type"] == "image/png"
    for who, code in [
        ("elem_admin", 200),
        ("a_staff", 200),
        ("elem_parent", 404),  # a parent sees only the requests they raised themselves
        ("elem_student2", 404),
        ("b_parent", 404),
        ("junior_admin", 404),
        ("b_admin", 404),
        ("elem_teacher", 404),
    ]:
        assert world.client(who).get(txt_url).status_code == code, who


def test_a_note_attachment_is_hidden_from_the_requester(world, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    req = make_request(world, "elem_student")
    secret = SimpleUploadedFile("internal.txt", b"secret", content_type="text/plain")
    services.request_reply(
        request_obj=req, user=world.users["elem_admin"], body="內部附件", internal=True,
        files=[secret],
    )  # fmt: skip
    att = RequestAttachment.objects.get(name="internal.txt")
    url = reverse("helpdesk:attachment_download", args=[att.public_id])
    assert world.client("elem_student").get(url).status_code == 404
    assert world.client("elem_admin").get(url).status_code == 200


# --------------------------------------------------------------------------- my requests


def test_my_requests_lists_only_my_own(world) -> None:
    mine = make_request(world, "elem_student", subject="我的平板壞了")
    theirs = make_request(world, "elem_student2", subject="同學的問題")
    other_family = make_request(world, "b_student", subject="宜蘭的問題")
    html = world.client("elem_student").get("/helpdesk/").content.decode()
    assert str(mine.public_id) in html
    assert str(theirs.public_id) not in html and str(other_family.public_id) not in html
    # the principal handles all three of A-elem … but "my requests" are the ones they raised
    html = world.client("elem_admin").get("/helpdesk/").content.decode()
    assert str(mine.public_id) not in html and 'id="no-requests"' in html
    assert 'id="queue-link"' in html
    html = world.client("elem_parent").get("/helpdesk/").content.decode()
    assert 'id="no-requests"' in html and 'href="/helpdesk/new/"' in html
    assert 'id="queue-link"' not in html


def test_my_requests_status_filter_and_paging(world, settings) -> None:
    settings.PAGE_SIZE = 2
    reqs = [make_request(world, "elem_teacher", subject=f"問題 {i}") for i in range(3)]
    services.request_status_set(
        request_obj=reqs[0], user=world.users["elem_admin"], status="resolved"
    )
    client = world.client("elem_teacher")
    r = client.get("/helpdesk/", {"status": "resolved"})
    assert [x.pk for x in r.context["rows"]] == [reqs[0].pk]
    r = client.get("/helpdesk/", {"status": "active"})
    assert {x.pk for x in r.context["rows"]} == {reqs[1].pk, reqs[2].pk}
    r = client.get("/helpdesk/", {"page": 2})
    assert len(r.context["rows"]) == 1 and r.context["page"].paginator.count == 3


# --------------------------------------------------------------------------- one request


def test_another_family_school_or_county_gets_404_everywhere(world, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    req = make_request(world, "elem_student")
    urls = [detail(req), updates(req)]
    for who in ("elem_student2", "b_parent", "elem_teacher", "junior_admin", "b_admin"):
        client = world.client(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        r = client.post(detail(req), {"action": "reply", "body": "hi"})
        assert r.status_code == 404, who
    assert RequestMessage.objects.filter(request=req, kind="reply").count() == 0
    # elem_parent is the student's parent but did not raise it
    assert world.client("elem_parent").get(detail(req)).status_code == 404
    assert world.client("elem_student").get(detail(req)).status_code == 200
    assert world.client("elem_admin").get(detail(req)).status_code == 200
    assert world.client("a_staff").get(detail(req)).status_code == 200


def test_the_requester_never_sees_internal_notes(world) -> None:
    req = make_request(world, "elem_student")
    principal = world.users["elem_admin"]
    services.request_reply(request_obj=req, user=principal, body="內部：帳號被鎖", internal=True)
    services.request_reply(request_obj=req, user=principal, body="請重新設定密碼。")
    page = world.client("elem_student").get(detail(req)).content.decode()
    assert "請重新設定密碼。" in page and "內部：帳號被鎖" not in page
    assert 'name="internal"' not in page and 'id="clocks"' not in page
    data = world.client("elem_student").get(updates(req)).json()
    assert all("內部" not in i["html"] for i in data["items"])
    assert [i["kind"] for i in data["items"]].count("note") == 0
    assert "請重新設定密碼。" in "".join(i["html"] for i in data["items"])
    # the handler sees the note, marked as one
    page = world.client("elem_admin").get(detail(req)).content.decode()
    assert "內部：帳號被鎖" in page and 'data-kind="note"' in page and "hd-note" in page
    assert 'id="clocks"' in page and 'name="internal"' in page


def test_handler_reply_sets_first_response_and_reaches_the_requesters_updates(world) -> None:
    with time_machine.travel(NOW, tick=False):
        req = make_request(world, "elem_student")
    student = world.client("elem_student")
    first = student.get(updates(req)).json()
    assert first["status"] == "new" and first["items"]
    last = first["last"]
    assert student.get(updates(req, last)).json()["items"] == []
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        r = world.client("elem_admin").post(
            detail(req), {"action": "reply", "body": "請清除快取後再登入。"}
        )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.first_responded_at == NOW + dt.timedelta(minutes=20)
    assert req.status == "open"
    data = student.get(updates(req, last)).json()
    assert [i["kind"] for i in data["items"]] == ["reply"]
    assert "請清除快取後再登入。" in data["items"][0]["html"]
    assert 'id="m-' in data["items"][0]["html"]  # the same partial as the page
    assert data["status"] == "open" and data["status_label"]
    assert data["last"] == data["items"][0]["id"]
    assert student.get(updates(req, "not-a-uuid")).status_code == 400


def test_updates_are_one_cheap_query(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    req = make_request(world, "elem_student")
    msg = req.messages.order_by("id").last()
    client = world.client("elem_student")
    client.get(updates(req, msg.public_id))  # warm up
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(updates(req, msg.public_id)).json()["items"] == []
    sqls = [q["sql"] for q in ctx.captured_queries]
    # session, user, the user's scope, the request, its new messages: one query for those
    assert len(sqls) <= 5, sqls
    assert sum("helpdesk_requestmessage" in q for q in sqls) == 1


def test_requester_reply_reopens_a_resolved_request(world, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    req = make_request(world, "elem_student")
    services.request_status_set(request_obj=req, user=world.users["elem_admin"], status="resolved")
    shot = SimpleUploadedFile("again.png", PNG, content_type="image/png")
    r = world.client("elem_student").post(
        detail(req), {"action": "reply", "body": "還是不行", "attachments": [shot]}
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "open" and req.resolved_at is None
    reply = req.messages.get(kind="reply")
    assert [a.name for a in reply.attachments.all()] == ["again.png"]
    page = world.client("elem_admin").get(detail(req)).content.decode()
    assert "again.png" in page and "還是不行" in page


def test_solved_button_and_rating_only_after_resolved_once_by_the_requester(world) -> None:
    req = make_request(world, "elem_student")
    student = world.client("elem_student")
    page = student.get(detail(req)).content.decode()
    assert 'id="solved-form"' in page and 'id="rate-form"' not in page
    r = student.post(detail(req), {"action": "rate", "rating": "5"})
    assert r.status_code == 200 and "rating" in r.context["rate_form"].errors
    req.refresh_from_db()
    assert req.rating is None
    r = student.post(detail(req), {"action": "solved"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "resolved"
    page = student.get(detail(req)).content.decode()
    assert 'id="rate-form"' in page and 'id="solved-form"' not in page
    # the principal may not rate it
    r = world.client("elem_admin").post(detail(req), {"action": "rate", "rating": "1"})
    assert r.status_code == 403
    r = student.post(detail(req), {"action": "rate", "rating": "9"})
    assert "rating" in r.context["rate_form"].errors
    r = student.post(detail(req), {"action": "rate", "rating": "4", "comment": "很快"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.rating, req.rating_comment, req.status) == (4, "很快", "closed")
    r = student.post(detail(req), {"action": "rate", "rating": "1"})
    assert r.status_code == 200 and "rating" in r.context["rate_form"].errors  # only once
    req.refresh_from_db()
    assert req.rating == 4
    page = student.get(detail(req)).content.decode()
    assert 'id="rate-form"' not in page and 'id="closed-note"' in page


def test_handler_forms_status_priority_assign_escalate(world) -> None:
    groups = office_groups(world)
    req = make_request(world, "elem_student")
    client = world.client("elem_admin")
    page = client.get(detail(req)).content.decode()
    for panel in ("status-panel", "priority-panel", "assign-panel", "escalate-panel"):
        assert f'id="{panel}"' in page
    assert str(groups["equipment"].public_id) in page
    assert client.post(detail(req), {"action": "priority", "priority": "high"}).status_code == 302
    a_staff = world.people["a_staff"]
    r = client.post(detail(req), {"action": "assign", "assignee": str(a_staff.public_id)})
    assert r.status_code == 302
    teacher = world.people["elem_teacher"]  # not a handler: not a choice
    r = client.post(detail(req), {"action": "assign", "assignee": str(teacher.public_id)})
    assert r.status_code == 200 and "assignee" in r.context["assign_form"].errors
    r = client.post(
        detail(req),
        {"action": "escalate", "group": str(groups["equipment"].public_id), "reason": "需要換機"},
    )
    assert r.status_code == 302
    r = client.post(detail(req), {"action": "status", "status": "waiting"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert (req.priority, req.assignee, req.escalated_to, req.status) == (
        "high",
        a_staff,
        groups["equipment"],
        "waiting",
    )
    events = [m.event for m in req.messages.filter(kind="event")]
    assert events[-4:] == ["priority", "assigned", "escalated", "status"]
    # the reason is for handlers; the requester sees the escalation without it
    assert "需要換機" in client.get(detail(req)).content.decode()
    page = world.client("elem_student").get(detail(req)).content.decode()
    assert "需要換機" not in page and groups["equipment"].name in page
    # the requester may not use the handlers' forms
    r = world.client("elem_student").post(detail(req), {"action": "status", "status": "closed"})
    assert r.status_code == 403
    req.refresh_from_db()
    assert req.status == "waiting"
    assert AuditEntry.objects.filter(action="helpdesk.request.escalate").count() == 1


def test_escalating_to_another_countys_group_changes_nothing(world) -> None:
    office_groups(world)
    b_group = office_groups(world, "B")["equipment"]
    req = make_request(world, "elem_student")
    r = world.client("a_admin").post(
        detail(req), {"action": "escalate", "group": str(b_group.public_id)}
    )
    assert r.status_code == 200 and "group" in r.context["escalate_form"].errors
    req.refresh_from_db()
    assert req.escalated_to is None


def test_reply_with_a_canned_reply_without_js_and_a_note(world) -> None:
    from dtss.helpdesk.canned_services import canned_create

    canned = canned_create(
        user=world.users["elem_admin"],
        title="清快取",
        body="請清除瀏覽器快取後再試一次。",
        school=world.schools["A-elem"],
    )
    req = make_request(world, "elem_student")
    client = world.client("elem_admin")
    page = client.get(detail(req)).content.decode()
    assert 'id="canned-data"' in page and str(canned.public_id) in page
    client.post(detail(req), {"action": "reply", "body": "", "canned": str(canned.public_id)})
    client.post(detail(req), {"action": "reply", "body": "先記下", "internal": "on"})
    bodies = list(req.messages.exclude(kind="event").values_list("kind", "body"))
    assert bodies == [("reply", "請清除瀏覽器快取後再試一次。"), ("note", "先記下")]
    r = client.post(detail(req), {"action": "reply", "body": "  "})
    assert r.status_code == 200 and "body" in r.context["reply_form"].errors
    assert req.messages.exclude(kind="event").count() == 2


def test_handler_sees_the_clocks_in_working_time(world) -> None:
    with time_machine.travel(NOW, tick=False):
        req = make_request(world, "elem_student")  # platform: 4 h to answer, 2 days to resolve
    client = world.client("elem_admin")
    with time_machine.travel(at(2026, 12, 1, 11, 0), tick=False):
        r = client.get(detail(req))
    first, resolution = r.context["clocks"]
    assert (first.state, resolution.state) == ("running", "running")
    assert "2" in first.text  # 2 h left
    # Friday 17:00 → the weekend does not count: overdue by working time only
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        r = client.get(detail(req))
    first, resolution = r.context["clocks"]
    assert (first.state, resolution.state) == ("overdue", "overdue")
    with time_machine.travel(at(2026, 12, 7, 9, 0), tick=False):
        services.request_reply(request_obj=req, user=world.users["elem_admin"], body="抱歉晚回")
        services.request_status_set(
            request_obj=req, user=world.users["elem_admin"], status="resolved"
        )
        r = client.get(detail(req))
    first, resolution = r.context["clocks"]
    assert (first.state, resolution.state) == ("missed", "missed")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        quick = make_request(world, "elem_student")
        services.request_reply(request_obj=quick, user=world.users["elem_admin"], body="好")
        r = client.get(detail(quick))
    assert r.context["clocks"][0].state == "met"


def test_handler_sees_device_page_and_draft_button_only_when_resolved(world, settings) -> None:
    settings.ROOT_URLCONF = _urlconf(with_kb=True)
    device = make_device(world)
    req = make_request(world, "elem_teacher", device=device, page_url="/devices/")
    client = world.client("elem_admin")
    page = client.get(detail(req)).content.decode()
    assert reverse("devices:device_detail", args=[device.public_id]) in page
    assert 'id="page-url"' in page and 'href="/devices/"' in page
    draft = f"/helpdesk/kb/from/{req.public_id}/"
    assert draft not in page
    services.request_status_set(request_obj=req, user=world.users["elem_admin"], status="resolved")
    assert draft in client.get(detail(req)).content.decode()
    # the requester sees neither the draft button nor the page it was raised from
    page = world.client("elem_teacher").get(detail(req)).content.decode()
    assert draft not in page and 'id="page-url"' not in page
    settings.ROOT_URLCONF = _urlconf(with_kb=False)
    assert client.get(detail(req)).status_code == 200  # works without the KB's endpoint


def test_events_render_in_both_languages(world) -> None:
    groups = office_groups(world)
    req = make_request(world, "junior_teacher")
    head = world.users["junior_admin"]
    services.request_escalate(request_obj=req, user=head, group=groups["equipment"], reason="r")
    services.request_priority_set(request_obj=req, user=head, priority="urgent")
    services.request_status_set(request_obj=req, user=head, status="resolved")
    services.request_rate(request_obj=req, user=world.users["junior_teacher"], rating=5)
    client = world.client("junior_teacher")
    client.cookies["dtss_language"] = "en"
    en = client.get(detail(req)).content.decode()
    client.cookies["dtss_language"] = "zh-hant"
    zh = client.get(detail(req)).content.decode()
    assert 'lang="en"' in en and 'lang="zh-Hant-TW"' in zh
    for page in (en, zh):
        assert page.count('data-kind="event"') == 6  # created assigned escalated priority…
        assert "junior_admin" in page and groups["equipment"].name in page
    assert "Routed to junior_admin" in en and "5 of 5" in en
