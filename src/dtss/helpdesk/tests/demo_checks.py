"""The demo county carries the helpdesk (issue 9) without typing data in first. Called by the
demo's own test (dtss/demo/tests/test_demo.py), which generates the demo county once for every
module."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import NoReverseMatch, reverse

from dtss.accounts.models import User
from dtss.helpdesk import community_selectors, search
from dtss.helpdesk.models import (
    Article,
    ArticleReadDay,
    CalendarDay,
    CannedReply,
    HelpdeskSettings,
    HelpRequest,
    RequestMessage,
    ServiceTarget,
    Thread,
)
from dtss.orgs.models import County


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of another part not mounted yet
        return None


def check_helpdesk_demo() -> None:
    county = County.objects.get(code="10008")
    ithead = User.objects.get(username="ithead")
    student = User.objects.get(username="student")
    parent = User.objects.get(username="parent")

    # settings, calendar, targets
    settings_row = HelpdeskSettings.objects.get(county=county)
    assert settings_row.work_days == "12345"
    assert (settings_row.work_start, settings_row.work_end) == (dt.time(8), dt.time(17))
    national = CalendarDay.objects.get(county=county, school=None, date=dt.date(2026, 10, 9))
    assert national.kind == "closed" and "國慶日" in national.name
    assert CalendarDay.objects.filter(
        county=county, school=None, date=dt.date(2026, 2, 17), name__contains="春節"
    ).exists()
    assert CalendarDay.objects.filter(county=county, school__isnull=False).exists()  # 校慶補假
    targets = {t.category: t for t in ServiceTarget.objects.filter(county=county)}
    assert set(targets) == {"device", "account", "platform", "network", "teaching", "other"}
    assert targets["device"].escalate_to.name == "資訊設備組"
    assert targets["teaching"].escalate_to.name == "教學輔導組"

    # the knowledge base: searching 因材網 finds the login article first
    published = Article.objects.filter(county=county, status="published")
    assert 12 <= published.count() <= 16
    hits = search.article_search(published, "因材網 登入")
    assert hits and "因材網" in hits[0][0].title_zh
    assert published.filter(visibility="public").exists()
    assert published.filter(visibility="signed_in").exists()
    assert published.filter(school__isnull=False).exists()
    assert published.exclude(title_en="").count() >= published.count() // 2
    assert ArticleReadDay.objects.filter(article__county=county).count() > 100
    assert CannedReply.objects.filter(county=county, school=None).exists()
    assert CannedReply.objects.filter(county=county, school__isnull=False).exists()

    # requests: every state, every timer set, some late and escalated, rated, noted
    requests = HelpRequest.objects.filter(county=county)
    assert requests.count() >= 30
    assert {"new", "open", "waiting", "resolved", "closed"} <= set(
        requests.values_list("status", flat=True)
    )
    assert not requests.filter(first_response_due__isnull=True).exists()
    assert not requests.filter(resolution_due__isnull=True).exists()
    assert requests.filter(first_response_breached_at__isnull=False).exists()
    assert requests.filter(escalated_to__name="資訊設備組").exists()
    assert requests.filter(escalated_to__name="教學輔導組").exists()
    assert requests.filter(rating__isnull=False).count() >= 5
    assert RequestMessage.objects.filter(county=county, kind="note").exists()
    assert len(set(requests.values_list("school_id", flat=True))) >= 8
    oldest = requests.order_by("created_at").first()
    assert oldest is not None and oldest.created_at < requests.order_by("-created_at")[0].created_at
    # the messages carry the replayed times, not the time the demo was generated
    assert RequestMessage.objects.filter(county=county).dates("created_at", "day").count() > 10

    # the demo student's open request about 因材網, answered by the IT head
    mine = HelpRequest.objects.get(requester=student.person, platform="adl")
    assert mine.is_open and mine.first_responded_at is not None
    assert RequestMessage.objects.filter(request=mine, kind="reply", author=ithead.person).exists()
    # the demo parent's request about the borrowed tablet, with the device
    tablet = HelpRequest.objects.get(requester=parent.person, category="device")
    assert tablet.is_open and tablet.device is not None

    # the community
    threads = Thread.objects.filter(county=county)
    assert 5 <= threads.count() <= 8
    assert threads.filter(pinned=True).exists() and threads.filter(locked=True).exists()
    assert threads.filter(solved=True, posts__helpful=True).exists()
    linked = threads.get(request__isnull=False)
    shared = community_selectors.shared_queue(user=ithead)
    assert len({r.school_id for r in shared}) > 1  # other schools' open requests too
    assert all(r.status in HelpRequest.OPEN_STATUSES for r in shared)

    # the pages open for their people; the shared queue shows no requester's words
    client = _client("ithead")
    page = client.get(reverse("helpdesk:shared_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.subject in html and mine.description not in html
    assert student.person.name not in html
    assert client.get(reverse("helpdesk:community")).status_code == 200
    assert client.get(reverse("helpdesk:thread_detail", args=[linked.public_id])).status_code == 200
    assert _client("county.it").get(reverse("helpdesk:community")).status_code == 200
    assert _client("student").get(reverse("helpdesk:community")).status_code == 403
    for username, name, args in (
        ("student", "helpdesk:request_mine", ()),
        ("student", "helpdesk:request_detail", (mine.public_id,)),
        ("parent", "helpdesk:request_detail", (tablet.public_id,)),
        ("ithead", "helpdesk:queue", ()),
        ("ithead", "helpdesk:request_detail", (mine.public_id,)),
        ("county.it", "helpdesk:queue", ()),
        ("student", "helpdesk:kb_list", ()),
        ("county.admin", "helpdesk:settings", ()),
    ):
        url = _url(name, *args)
        if url is not None:
            assert _client(username).get(url).status_code == 200, (username, name)
