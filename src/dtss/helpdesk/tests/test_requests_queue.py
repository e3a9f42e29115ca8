"""The handlers' queue and its CSV export: who may use it, filters, search, sort, overdue,
counts by status, paging."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine

from dtss.core.models import AuditEntry
from dtss.helpdesk import services
from dtss.helpdesk.tests.factories import at, make_request, office_groups

pytestmark = pytest.mark.django_db

QUEUE = "/helpdesk/queue/"
EXPORT = "/helpdesk/queue/export.csv"
NOW = at(2026, 12, 1, 9, 0)  # a Tuesday


def numbers(response) -> list[int]:
    return [r.number for r in response.context["rows"]]


def export_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture
def requests(world):
    """A-elem: #1 platform (student), #2 device (parent, urgent), #3 account (teacher,
    resolved); A-junior: #4 (teacher, to its IT head); B: one of its own."""
    with time_machine.travel(NOW, tick=False):
        a = make_request(world, "elem_student", subject="因材網登入不了")
        b = make_request(
            world,
            "elem_parent",
            category="device",
            platform="",
            subject="平板螢幕破了",
            description="摔到地上",
        )
        services.request_priority_set(
            request_obj=b, user=world.users["elem_admin"], priority="urgent"
        )
        c = make_request(
            world, "elem_teacher", category="account", platform="", subject="教育雲密碼"
        )
        services.request_status_set(
            request_obj=c, user=world.users["elem_admin"], status="resolved"
        )
        d = make_request(world, "junior_teacher", subject="酷課雲看不到影片", platform="cooc")
        e = make_request(world, "b_teacher", subject="宜蘭的問題")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_who_may_use_the_queue(world, requests) -> None:
    for who in ("elem_teacher", "elem_student", "elem_parent", "outsider", "moe"):
        assert world.client(who).get(QUEUE).status_code == 403, who
        assert world.client(who).get(EXPORT).status_code == 403, who
    with time_machine.travel(NOW, tick=False):
        assert numbers(world.client("elem_admin").get(QUEUE)) == [1, 2]  # open ones of A-elem
        assert numbers(world.client("junior_admin").get(QUEUE)) == [4]
        # the county's office (administrators and staff) sees the county's; not B's
        assert sorted(numbers(world.client("a_staff").get(QUEUE))) == [1, 2, 4]
        assert sorted(numbers(world.client("a_admin").get(QUEUE))) == [1, 2, 4]
        b_rows = world.client("b_admin").get(QUEUE).context["rows"]
        assert [r.pk for r in b_rows] == [requests["e"].pk]


def test_filters_search_counts_and_sort(world, requests) -> None:
    client = world.client("a_admin")
    with time_machine.travel(NOW, tick=False):
        r = client.get(QUEUE, {"status": "all"})
        assert sorted(numbers(r)) == [1, 2, 3, 4]
        counts = {key: n for key, _label, n in r.context["tabs"]}
        assert counts["active"] == 3 and counts["resolved"] == 1 and counts["all"] == 4
        assert numbers(client.get(QUEUE, {"status": "resolved"})) == [3]
        assert numbers(client.get(QUEUE, {"category": "device"})) == [2]
        assert numbers(client.get(QUEUE, {"platform": "cooc"})) == [4]
        junior = world.schools["A-junior"].public_id
        assert numbers(client.get(QUEUE, {"school": str(junior)})) == [4]
        assert numbers(client.get(QUEUE, {"q": "螢幕"})) == [2]  # subject
        assert numbers(client.get(QUEUE, {"q": "摔到"})) == [2]  # description
        assert numbers(client.get(QUEUE, {"q": "#4"})) == [4]  # number
        assert numbers(client.get(QUEUE, {"q": "elem_student"})) == [1]  # requester
        assert numbers(client.get(QUEUE, {"q": "宜蘭"})) == []  # B's is not here
        assert numbers(client.get(QUEUE, {"sort": "priority"}))[0] == 2
        assert numbers(client.get(QUEUE, {"sort": "created"})) == [4, 2, 1]
        # device (#2) is due in 4 h like the platform ones; the number breaks the tie
        assert numbers(client.get(QUEUE, {"sort": "due"})) == [1, 2, 4]
        # bad values fall back to the defaults instead of failing
        assert numbers(client.get(QUEUE, {"status": "zzz", "sort": "zzz"})) == [1, 2, 4]
        html = client.get(QUEUE, {"q": "nothing-matches-this"}).content.decode()
        assert 'id="queue-empty"' in html


def test_assigned_and_escalated_to_my_group(world, requests) -> None:
    groups = office_groups(world)
    head = world.users["junior_admin"]
    services.request_escalate(
        request_obj=requests["d"], user=head, group=groups["equipment"], reason="換機"
    )
    services.request_assign(
        request_obj=requests["a"], user=world.users["elem_admin"], assignee=world.people["a_staff"]
    )
    staff = world.client("a_staff")  # a member of 資訊設備組
    with time_machine.travel(NOW, tick=False):
        r = staff.get(QUEUE)
        assert r.context["in_group"] is True
        assert 'name="group"' in r.content.decode()
        assert numbers(staff.get(QUEUE, {"group": "mine"})) == [4]
        assert numbers(staff.get(QUEUE, {"assigned": "me"})) == [1]
        assert numbers(world.client("elem_admin").get(QUEUE, {"assigned": "none"})) == [2]
        assert numbers(world.client("junior_admin").get(QUEUE, {"assigned": "me"})) == [4]
        # a_admin is not in a group: no such filter on the page
        assert 'name="group"' not in world.client("a_admin").get(QUEUE).content.decode()


def test_overdue_rows_are_flagged_and_filtered(world, requests) -> None:
    client = world.client("elem_admin")
    services.request_reply(
        request_obj=requests["a"], user=world.users["elem_admin"], body="處理中",
        now=at(2026, 12, 1, 10, 0),
    )  # fmt: skip
    # Tuesday 14:00: the 4-hour first response of #2 is past due; #1 was answered in time
    with time_machine.travel(at(2026, 12, 1, 14, 0), tick=False):
        r = client.get(QUEUE)
        flags = {row.number: row.overdue for row in r.context["rows"]}
        assert flags == {1: False, 2: True}
        assert numbers(client.get(QUEUE, {"overdue": "1"})) == [2]
        html = r.content.decode()
        assert 'data-number="2" data-status="new" class="hd-overdue" data-overdue="1"' in html
    # Thursday 10:00: #1 is past its resolution (2 working days) too
    with time_machine.travel(at(2026, 12, 3, 10, 0), tick=False):
        assert sorted(numbers(client.get(QUEUE, {"overdue": "1"}))) == [1, 2]


def test_paging_keeps_the_filters(world, settings) -> None:
    settings.PAGE_SIZE = 2
    for i in range(5):
        make_request(world, "elem_teacher", subject=f"問題 {i}")
    client = world.client("elem_admin")
    r = client.get(QUEUE, {"sort": "created"})
    assert r.context["page"].paginator.count == 5 and numbers(r) == [5, 4]
    assert "sort=created&amp;page=2" in r.content.decode()
    assert numbers(client.get(QUEUE, {"sort": "created", "page": 3})) == [1]


def test_csv_export_with_the_same_filters(world, requests) -> None:
    services.request_rate(request_obj=requests["c"], user=world.users["elem_teacher"], rating=4)
    client = world.client("a_admin")
    with time_machine.travel(NOW, tick=False):
        r = client.get(EXPORT, {"status": "all", "school": str(world.schools["A-elem"].public_id)})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["Content-Disposition"].startswith("attachment")
    rows = export_rows(r)
    assert len(rows[0]) == 16
    body = {int(row[0]): row for row in rows[1:]}
    assert set(body) == {1, 2, 3}
    assert body[2][4] == "平板螢幕破了" and body[3][-1] == "4"
    assert all("摔到地上" not in cell for row in rows for cell in row)  # no descriptions
    assert AuditEntry.objects.filter(action="helpdesk.queue.export").count() == 1
    with time_machine.travel(NOW, tick=False):
        rows = export_rows(client.get(EXPORT, {"q": "螢幕"}))
    assert [int(row[0]) for row in rows[1:]] == [2]
    # B's administrator exports only B's
    rows = export_rows(world.client("b_admin").get(EXPORT, {"status": "all"}))
    assert [row[4] for row in rows[1:]] == ["宜蘭的問題"]
