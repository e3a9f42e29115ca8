"""The service-target check (`services.sla_check`) and its deadlines, on a frozen clock: working
hours across evenings, weekends, the county's closed days and make-up Saturdays, a school's own
days; breaches recorded once, escalation by rule, auto-closing; and the `helpdesk sla` command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from dtss.helpdesk import services
from dtss.helpdesk.models import CalendarDay, HelpdeskSettings, HelpRequest, ServiceTarget
from dtss.helpdesk.tests.factories import at, make_request, office_groups

pytestmark = pytest.mark.django_db

THURSDAY = at(2026, 12, 10, 16, 0)


def raise_at(world, when: dt.datetime, user: str = "junior_teacher", **values) -> HelpRequest:
    with time_machine.travel(when, tick=False):
        return make_request(world, user, now=when, **values)


def events(req: HelpRequest) -> list[str]:
    return [m.event for m in req.messages.filter(kind="event")]


def test_first_response_due_over_an_evening_a_closed_day_a_make_up_saturday_and_a_sunday(
    world,
) -> None:
    county = world.counties["A"]
    CalendarDay.objects.create(county=county, date=dt.date(2026, 12, 11), name="颱風停班")
    CalendarDay.objects.create(
        county=county, date=dt.date(2026, 12, 12), kind="working", name="補行上班"
    )
    ServiceTarget.objects.create(
        county=county,
        category="network",
        first_response_minutes=11 * 60,
        resolution_minutes=20 * 60,
        escalate_when="never",
    )
    req = raise_at(world, THURSDAY, category="network", platform="")
    # Thursday 16–17 (1 h), Friday closed, Saturday is a make-up day 08–17 (9 h), Sunday off,
    # Monday 08–09 (1 h)
    assert req.first_response_due == at(2026, 12, 14, 9, 0)
    # 20 h: … Monday 08–17 (9 h) gives 19 h, Tuesday 08–09 the last hour
    assert req.resolution_due == at(2026, 12, 15, 9, 0)


def test_the_countys_own_working_hours_set_the_clock(world) -> None:
    HelpdeskSettings.objects.create(
        county=world.counties["A"], work_days="12345", work_start=dt.time(7, 30)
    )
    req = raise_at(world, at(2026, 12, 11, 6, 0), category="account", platform="")
    assert req.first_response_due == at(2026, 12, 11, 9, 30)  # 2 h from 07:30


def test_a_schools_own_closed_day_moves_only_that_schools_deadline(world) -> None:
    CalendarDay.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        date=dt.date(2026, 12, 14),
        name="校慶補假",
    )
    friday = at(2026, 12, 11, 16, 0)
    junior = raise_at(world, friday, "junior_teacher")  # platform: 4 working hours
    elem = raise_at(world, friday, "elem_teacher")
    assert junior.first_response_due == at(2026, 12, 14, 11, 0)
    assert elem.first_response_due == at(2026, 12, 15, 11, 0)


def test_a_breach_is_recorded_once(world) -> None:
    req = raise_at(world, at(2026, 12, 1, 9, 0))  # due 13:00
    assert services.sla_check(now=at(2026, 12, 1, 12, 59))["first_response"] == 0
    first = services.sla_check(now=at(2026, 12, 1, 13, 1))
    assert first["first_response"] == 1 and first["resolution"] == 0
    req.refresh_from_db()
    assert req.first_response_breached_at == at(2026, 12, 1, 13, 1)
    before = (events(req), req.updated_at, req.escalated_at)
    again = services.sla_check(now=at(2026, 12, 1, 13, 30))
    assert again == {"first_response": 0, "resolution": 0, "escalated": 0, "closed": 0}
    req.refresh_from_db()
    assert (events(req), req.updated_at, req.escalated_at) == before
    assert events(req).count("breach") == 1


def test_a_breach_escalates_to_the_rules_group_with_an_event_line(world) -> None:
    groups = office_groups(world)
    ServiceTarget.objects.create(
        county=world.counties["A"],
        category="platform",
        first_response_minutes=60,
        resolution_minutes=600,
        escalate_when="breach",
        escalate_to=groups["teaching"],
    )
    req = raise_at(world, at(2026, 12, 1, 9, 0))
    assert req.escalated_to is None
    counts = services.sla_check(now=at(2026, 12, 1, 10, 5))
    assert counts == {"first_response": 1, "resolution": 0, "escalated": 1, "closed": 0}
    req.refresh_from_db()
    assert req.escalated_to == groups["teaching"]
    assert req.escalated_at == at(2026, 12, 1, 10, 5)
    line = req.messages.get(event="escalated")
    assert line.detail["group"] == "教學輔導組" and line.detail["reason"]
    assert events(req)[-2:] == ["breach", "escalated"]
    # the resolution breach later does not escalate a second time
    later = services.sla_check(now=at(2026, 12, 3, 9, 0))
    assert later["resolution"] == 1 and later["escalated"] == 0
    assert events(req).count("escalated") == 1


def test_without_a_rule_a_breach_goes_to_the_default_group(world) -> None:
    groups = office_groups(world)
    req = raise_at(world, at(2026, 12, 1, 9, 0))
    services.sla_check(now=at(2026, 12, 1, 13, 1))
    req.refresh_from_db()
    assert req.escalated_to == groups["equipment"]


def test_a_rule_of_only_by_hand_never_escalates(world) -> None:
    groups = office_groups(world)
    ServiceTarget.objects.create(
        county=world.counties["A"],
        category="platform",
        first_response_minutes=60,
        resolution_minutes=600,
        escalate_when="never",
        escalate_to=groups["equipment"],
    )
    req = raise_at(world, at(2026, 12, 1, 9, 0))
    counts = services.sla_check(now=at(2026, 12, 1, 11, 0))
    assert counts["first_response"] == 1 and counts["escalated"] == 0
    req.refresh_from_db()
    assert req.escalated_to is None


def test_an_always_rule_escalates_when_the_request_is_raised(world) -> None:
    groups = office_groups(world)
    ServiceTarget.objects.create(
        county=world.counties["A"],
        category="account",
        first_response_minutes=30,
        resolution_minutes=300,
        escalate_when="always",
        escalate_to=groups["teaching"],
    )
    when = at(2026, 12, 1, 9, 0)
    req = raise_at(world, when, category="account", platform="")
    assert req.escalated_to == groups["teaching"] and req.escalated_at == when
    assert "escalated" in events(req)
    assert services.sla_check(now=at(2026, 12, 1, 9, 40))["escalated"] == 0


def test_a_reply_before_the_deadline_prevents_the_first_response_breach(world) -> None:
    req = raise_at(world, at(2026, 12, 1, 9, 0))
    with time_machine.travel(at(2026, 12, 1, 12, 0), tick=False):
        services.request_reply(
            request_obj=req,
            user=world.users["junior_admin"],
            body="請先清除瀏覽器快取再試一次。",
            now=at(2026, 12, 1, 12, 0),
        )
    counts = services.sla_check(now=at(2026, 12, 1, 16, 0))
    assert counts["first_response"] == 0
    req.refresh_from_db()
    assert req.first_response_breached_at is None and "breach" not in events(req)


def test_resolved_requests_close_after_the_countys_days(world) -> None:
    HelpdeskSettings.objects.create(county=world.counties["A"], auto_close_days=3)
    req = raise_at(world, at(2026, 12, 1, 9, 0))
    resolved = at(2026, 12, 1, 10, 0)
    with time_machine.travel(resolved, tick=False):
        services.request_status_set(
            request_obj=req, user=world.users["junior_admin"], status="resolved", now=resolved
        )
    assert services.sla_check(now=resolved + dt.timedelta(days=2, hours=23))["closed"] == 0
    assert services.sla_check(now=resolved + dt.timedelta(days=3))["closed"] == 1
    req.refresh_from_db()
    assert req.status == "closed" and req.closed_at == resolved + dt.timedelta(days=3)
    last = req.messages.filter(event="status").last()
    assert last.detail == {"status": "closed", "automatic": True}
    assert services.sla_check(now=resolved + dt.timedelta(days=4))["closed"] == 0


def test_another_countys_days_close_after_the_default_week(world) -> None:
    HelpdeskSettings.objects.create(county=world.counties["B"], auto_close_days=1)
    req = raise_at(world, at(2026, 12, 1, 9, 0))  # county A: default 7 days
    services.request_status_set(
        request_obj=req,
        user=world.users["junior_admin"],
        status="resolved",
        now=at(2026, 12, 1, 10, 0),
    )
    assert services.sla_check(now=at(2026, 12, 3, 10, 0))["closed"] == 0
    assert services.sla_check(now=at(2026, 12, 8, 10, 0))["closed"] == 1


# --------------------------------------------------------------------------- the command


def test_the_sla_command_runs_the_check_and_prints_the_counts(world) -> None:
    office_groups(world)
    raise_at(world, at(2026, 12, 1, 9, 0))
    out = StringIO()
    call_command("helpdesk", "sla", "--now", "2026-12-01T14:00:00+08:00", stdout=out)
    assert out.getvalue().split() == [
        "first_response=1",
        "resolution=0",
        "escalated=1",
        "closed=0",
    ]
    out = StringIO()
    call_command("helpdesk", "sla", "--now", "2026-12-01T14:05", stdout=out)  # naive: Taipei
    assert "first_response=0" in out.getvalue()


def test_the_sla_command_can_hand_the_check_to_the_worker(world) -> None:
    out = StringIO()
    call_command("helpdesk", "sla", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued ")


def test_the_sla_command_refuses_a_bad_moment(world) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("helpdesk", "sla", "--now", "yesterday")
    assert exc.value.returncode == 2
