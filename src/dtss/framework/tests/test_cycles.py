"""Assessment cycles: opening one (who may, what is stored, bad input), the list and a cycle's
page by role, sampling and closing, and the deadline reminders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.framework import services
from dtss.framework.models import Assessment, Cycle

ALL = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
]
NOT_STAFF = {"elem_student", "elem_student2", "b_student", "elem_parent", "b_parent", "outsider"}
TODAY = date(2026, 9, 1)


def open_cycle(
    world: World,
    *,
    schools: list[str] | None = None,
    name: str = "114學年度第1學期",
    deadline: date | None = None,
    county: str = "A",
    **kwargs: Any,
) -> Cycle:
    keys = ["A-elem", "A-junior"] if schools is None else schools
    return services.cycle_open(
        county=world.counties[county],
        name=name,
        opens_on=TODAY,
        deadline=deadline or TODAY + timedelta(days=30),
        schools=[world.schools[k] for k in keys],
        actor=world.users["a_admin"],
        **kwargs,
    )


def english(world: World, user: str) -> Any:
    """A client that reads the pages in English (the language switch's cookie)."""
    client = world.client(user)
    client.cookies["dtss_language"] = "en"
    return client


def form_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "county": "10008",
        "name": "114學年度第1學期",
        "opens_on": "2026-09-01",
        "deadline": "2026-10-15",
        "rule": "all",
        "custom_share": "",
        "require_evidence": "on",
        "include_county": "on",
        "schools_mode": "all",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- opening a cycle ----------------------------------------------------------------------------


def test_open_for_all_schools(world: World) -> None:
    response = world.client("a_admin").post(reverse("framework:cycle_new"), form_data())
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("framework:cycle_detail", args=[cycle.public_id])
    assert cycle.county == world.counties["A"]
    assert cycle.deadline == date(2026, 10, 15) and cycle.rule_share == Decimal("1")
    assert cycle.require_evidence
    orgs = set(cycle.assessments.values_list("school__code", flat=True))
    assert orgs == {None, "083601", "083501"}  # the county's own, and both schools of county A
    assert AuditEntry.objects.filter(action="cycle.open", object_id=str(cycle.public_id)).exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"schools_mode": "filter", "school_stages": ["junior"]}, {"083501"}),
        ({"schools_mode": "filter", "districts": ["<A1>"]}, {"083601", "083501"}),
        (
            {"schools_mode": "filter", "areas": ["general"], "school_stages": ["elementary"]},
            {"083601"},
        ),
        ({"schools_mode": "list", "schools": ["<A-elem>"]}, {"083601"}),
        ({"schools_mode": "none"}, set()),
    ],
)
def test_open_for_a_subset(world: World, changes: dict[str, Any], expected: set[str]) -> None:
    district = world.schools["A-elem"].district
    subst = {"<A1>": str(district.public_id), "<A-elem>": str(world.schools["A-elem"].public_id)}
    changes = {
        k: [subst.get(x, x) for x in v] if isinstance(v, list) else v for k, v in changes.items()
    }
    response = world.client("a_admin").post(reverse("framework:cycle_new"), form_data(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = Cycle.objects.get()
    schools = set(
        cycle.assessments.filter(school__isnull=False).values_list("school__code", flat=True)
    )
    assert schools == expected
    assert cycle.assessments.filter(school__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("changes", "share"),
    [
        ({"rule": "two_thirds"}, Decimal("0.667")),
        ({"rule": "custom", "custom_share": "0.75"}, Decimal("0.75")),
        ({"rule": "all", "custom_share": "7"}, Decimal("1")),  # an unused share is ignored
    ],
)
def test_rule_is_stored(world: World, changes: dict[str, Any], share: Decimal) -> None:
    world.client("a_admin").post(reverse("framework:cycle_new"), form_data(**changes))
    assert Cycle.objects.get().rule_share == share


def test_without_evidence_and_without_county(world: World) -> None:
    data = form_data(require_evidence=None, include_county=None)
    world.client("a_admin").post(reverse("framework:cycle_new"), data)
    cycle = Cycle.objects.get()
    assert not cycle.require_evidence
    assert not cycle.assessments.filter(school__isnull=True).exists()


@pytest.mark.parametrize(
    ("changes", "field", "label"),
    [
        ({"deadline": "2026-08-31"}, "deadline", "Deadline"),
        ({"schools_mode": "none", "include_county": None}, "schools", "Schools"),
        ({"schools_mode": "list", "schools": [], "include_county": None}, "schools", "Schools"),
        ({"schools_mode": "list", "schools": ["<B-elem>"]}, "schools", "Schools"),
        ({"schools_mode": "filter"}, "schools", "Schools"),
        ({"schools_mode": "filter", "school_stages": ["senior"]}, "schools", "Schools"),
        ({"rule": "custom", "custom_share": "0.3"}, "custom_share", "Share"),
        ({"rule": "custom", "custom_share": ""}, "custom_share", "Share"),
        ({"name": ""}, "name", "Name"),
        ({"opens_on": "not a date"}, "opens_on", "Opens on"),
        ({"name": "<taken>"}, "name", "Name"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(
    world: World, changes: dict[str, Any], field: str, label: str
) -> None:
    open_cycle(world, county="B", schools=["B-elem"], name="taken-in-B")
    taken = open_cycle(world, schools=[], name="已使用")
    before = (Cycle.objects.count(), Assessment.objects.count())
    subst = {"<B-elem>": str(world.schools["B-elem"].public_id), "<taken>": taken.name}
    changes = {
        k: [subst.get(x, x) for x in v] if isinstance(v, list) else subst.get(v, v)
        for k, v in changes.items()
    }
    response = english(world, "a_admin").post(reverse("framework:cycle_new"), form_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    body = response.content.decode()
    assert 'class="error-summary"' in body and f'href="#f-{field}">{label}' in body
    assert (Cycle.objects.count(), Assessment.objects.count()) == before


def test_the_same_name_in_another_county_is_fine(world: World) -> None:
    open_cycle(world, county="B", schools=["B-elem"])
    response = world.client("a_admin").post(reverse("framework:cycle_new"), form_data())
    assert response.status_code == 302
    assert Cycle.objects.filter(name="114學年度第1學期").count() == 2


def test_form_defaults_to_the_current_term(world: World) -> None:
    from django.utils import timezone

    from dtss.framework.cycle_views import default_cycle_name, term_numbers

    response = world.client("a_admin").get(reverse("framework:cycle_new"))
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == default_cycle_name(timezone.localdate())
    assert term_numbers(date(2026, 9, 1)) == (115, 1)
    assert term_numbers(date(2027, 1, 10)) == (115, 1)
    assert term_numbers(date(2027, 3, 1)) == (115, 2)
    assert default_cycle_name(date(2026, 8, 1)) == "115學年度第1學期"


NEW_PAGE = {u: 403 for u in ALL} | {"a_admin": 200, "b_admin": 200}


@pytest.mark.parametrize(("user", "status"), NEW_PAGE.items())
def test_only_county_admins_open_cycles(world: World, user: str, status: int) -> None:
    client = world.client(user)
    assert client.get(reverse("framework:cycle_new")).status_code == status
    response = client.post(reverse("framework:cycle_new"), form_data())
    # county B's administrator may open cycles, but not for county A: a 404
    expected = {"a_admin": 302, "b_admin": 404}.get(user, 403)
    assert response.status_code == expected
    assert Cycle.objects.count() == (1 if user == "a_admin" else 0)


def test_other_county_admin_cannot_slip_in_a_school(world: World) -> None:
    data = form_data(
        county="10002", schools_mode="list", schools=[str(world.schools["A-elem"].public_id)]
    )
    response = world.client("b_admin").post(reverse("framework:cycle_new"), data)
    assert response.status_code == 400
    assert "schools" in response.context["form"].errors
    assert not Cycle.objects.exists()


def test_superuser_chooses_the_county(world: World) -> None:
    from dtss.accounts.models import User

    root = User.objects.create_superuser(username="root", password="x", email="r@example.org")
    from django.test import Client

    client = Client()
    client.force_login(root)
    page = client.get(reverse("framework:cycle_new") + "?county=10002")
    assert page.status_code == 200 and "宜蘭國小" in page.content.decode()
    client.post(reverse("framework:cycle_new"), form_data(county="10002"))
    assert Cycle.objects.get().county == world.counties["B"]


# --- the list and one cycle ---------------------------------------------------------------------


def test_cycle_list_by_role(world: World) -> None:
    a = open_cycle(world, schools=["A-elem"], name="A 的週期")
    b = open_cycle(world, county="B", schools=["B-elem"], name="B 的週期")
    url = reverse("framework:cycle_list")
    seen = {
        "a_admin": {a},
        "a_staff": {a},
        "b_admin": {b},
        "elem_admin": {a},
        "elem_teacher": {a},
        "junior_admin": set(),
        "junior_teacher": set(),
        "b_teacher": {b},
        "moe": {a, b},
    }
    for user, cycles in seen.items():
        response = world.client(user).get(url)
        assert response.status_code == 200
        assert {c for c, _p in response.context["rows"]} == cycles, user
    for user in NOT_STAFF:
        assert world.client(user).get(url).status_code == 403


def test_cycle_list_progress(world: World) -> None:
    cycle = open_cycle(world, deadline=TODAY + timedelta(days=1))
    elem = cycle.assessments.get(school=world.schools["A-elem"])
    services.assessment_submit(assessment=elem, actor=world.users["elem_admin"])
    from dtss.framework.dashboards import cycle_list

    [(_c, p)] = cycle_list(user=world.users["a_admin"], today=TODAY + timedelta(days=5))
    assert (p.total, p.submitted, p.draft, p.overdue, p.county_status) == (2, 1, 1, 1, "draft")
    [(_c, p)] = cycle_list(user=world.users["elem_admin"], today=TODAY)
    assert (p.total, p.submitted, p.overdue) == (1, 1, 0)  # a school sees only its own


DETAIL = (
    {u: 404 for u in ALL}
    | {u: 403 for u in NOT_STAFF}
    | {
        "moe": 200,
        "a_admin": 200,
        "a_staff": 200,
        "elem_admin": 200,
        "elem_teacher": 200,
    }
)


@pytest.mark.parametrize(("user", "status"), DETAIL.items())
def test_cycle_page_access(world: World, user: str, status: int) -> None:
    cycle = open_cycle(world, schools=["A-elem"])
    response = world.client(user).get(reverse("framework:cycle_detail", args=[cycle.public_id]))
    assert response.status_code == status


def test_cycle_page_shows_each_school_with_a_link(world: World) -> None:
    cycle = open_cycle(world)
    body = (
        world.client("a_admin")
        .get(reverse("framework:cycle_detail", args=[cycle.public_id]))
        .content.decode()
    )
    for a in cycle.assessments.all():
        assert str(a.public_id) in body
    assert "南投國小" in body and "南投國中" in body
    # a school sees its own row only
    body = (
        english(world, "elem_admin")
        .get(reverse("framework:cycle_detail", args=[cycle.public_id]))
        .content.decode()
    )
    assert "南投國小" in body and "南投國中" not in body
    assert "Draw a sample" not in body and "Close the cycle" not in body


def test_status_filter_on_cycle_page(world: World) -> None:
    cycle = open_cycle(world)
    services.assessment_submit(
        assessment=cycle.assessments.get(school=world.schools["A-junior"]), actor=None
    )
    url = reverse("framework:cycle_detail", args=[cycle.public_id]) + "?status=submitted"
    body = world.client("a_admin").get(url).content.decode()
    assert "南投國中" in body and "南投國小" not in body


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("a_staff", 302),
        ("a_admin", 302),
        ("b_admin", 404),
        ("elem_admin", 403),
        ("elem_student", 403),
        ("junior_teacher", 403),
        ("b_teacher", 404),
    ],
)
def test_draw_sample(world: World, user: str, status: int) -> None:
    cycle = open_cycle(world)
    url = reverse("framework:cycle_sample", args=[cycle.public_id])
    assert world.client(user).post(url, {"size": "1"}).status_code == status
    drawn = cycle.assessments.filter(sampled=True).count()
    assert drawn == (1 if status == 302 else 0)


def test_draw_sample_bad_size_changes_nothing(world: World) -> None:
    cycle = open_cycle(world)
    url = reverse("framework:cycle_sample", args=[cycle.public_id])
    client = world.client("a_staff")
    for size in ("0", "x"):
        response = client.post(url, {"size": size}, follow=True)
        assert response.status_code == 200
        assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not cycle.assessments.filter(sampled=True).exists()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("a_admin", 302),
        ("a_staff", 404),
        ("b_admin", 404),
        ("elem_admin", 404),
        ("moe", 404),
        ("outsider", 404),
    ],
)
def test_close_cycle(world: World, user: str, status: int) -> None:
    cycle = open_cycle(world)
    url = reverse("framework:cycle_close", args=[cycle.public_id])
    assert world.client(user).post(url).status_code == status
    cycle.refresh_from_db()
    assert cycle.status == ("closed" if status == 302 else "open")
    assert world.client(user).get(url).status_code in (405, 404, 302)


def test_closing_twice_is_refused(world: World) -> None:
    cycle = open_cycle(world)
    services.cycle_close(cycle=cycle, actor=world.users["a_admin"])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.cycle_close(cycle=cycle, actor=world.users["a_admin"])


# --- reminders ----------------------------------------------------------------------------------


def _reminder_setup(world: World) -> Cycle:
    deadline = TODAY + timedelta(days=7)
    cycle = open_cycle(world, deadline=deadline)
    junior = cycle.assessments.get(school=world.schools["A-junior"])
    services.assessment_submit(assessment=junior, actor=world.users["junior_admin"])
    mail.outbox.clear()
    return cycle


def test_reminders_only_to_schools_not_submitted_and_once_a_day(world: World) -> None:
    _reminder_setup(world)
    result = services.cycle_reminders_send(today=TODAY)
    assert result["reminded"] == 1
    assert [m.to for m in mail.outbox] == [["elem_admin@example.org"]]
    assert "114學年度第1學期" in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action="cycle.reminder")
    assert entry.school == world.schools["A-elem"] and entry.detail["days"] == 7
    # a second run the same day sends nothing
    again = services.cycle_reminders_send(today=TODAY)
    assert again["already"] == 1 and again["reminded"] == 0
    assert len(mail.outbox) == 1


def test_reminders_only_seven_three_and_one_days_before(world: World) -> None:
    cycle = _reminder_setup(world)
    sent_on = []
    for offset in range(10, -2, -1):  # from 10 days before the deadline to a day after
        day = cycle.deadline - timedelta(days=offset)
        if services.cycle_reminders_send(today=day)["reminded"]:
            sent_on.append(offset)
    assert sent_on == [7, 3, 1]
    assert len(mail.outbox) == 3
    assert AuditEntry.objects.filter(action="cycle.reminder").count() == 3


def test_reminders_include_changes_requested_and_skip_closed_cycles(world: World) -> None:
    cycle = _reminder_setup(world)
    junior = cycle.assessments.get(school=world.schools["A-junior"])
    services.assessment_request_changes(
        assessment=junior, actor=world.users["a_staff"], item=None, note="請補佐證"
    )
    services.cycle_reminders_send(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "elem_admin@example.org",
        "junior_admin@example.org",
    ]
    mail.outbox.clear()
    services.cycle_close(cycle=cycle, actor=world.users["a_admin"])
    assert services.cycle_reminders_send(today=cycle.deadline - timedelta(days=3))["due"] == 0
    assert mail.outbox == []


def test_reminders_use_the_account_email_when_the_person_has_none(world: World) -> None:
    _reminder_setup(world)
    person = world.people["elem_admin"]
    person.email = ""
    person.save(update_fields=["email"])
    user = world.users["elem_admin"]
    user.email = "principal@school.example.org"
    user.save(update_fields=["email"])
    services.cycle_reminders_send(today=TODAY)
    assert [m.to for m in mail.outbox] == [["principal@school.example.org"]]


def test_reminder_task_and_command(world: World) -> None:
    from io import StringIO

    from dtss.framework.cycle_tasks import cycle_send_reminders

    cycle = _reminder_setup(world)
    result = cycle_send_reminders.enqueue(today=TODAY.isoformat())  # immediate backend in tests
    assert result.return_value["reminded"] == 1
    out = StringIO()
    call_command(
        "cycle_reminders", "--date", (cycle.deadline - timedelta(days=3)).isoformat(), stdout=out
    )
    assert "1 assessments reminded" in out.getvalue()
    call_command(
        "cycle_reminders", "--date", (cycle.deadline - timedelta(days=3)).isoformat(), stdout=out
    )
    assert len(mail.outbox) == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("cycle_reminders", "--date", "yesterday")


def test_moe_reads_a_cycle_but_cannot_act_on_it(world: World) -> None:
    cycle = open_cycle(world)
    response = english(world, "moe").get(reverse("framework:cycle_detail", args=[cycle.public_id]))
    assert response.status_code == 200
    assert response.context["county_level"] and not response.context["can_sample"]
    assert not response.context["can_close"]
    body = response.content.decode()
    assert "Dashboard of this cycle" in body and "Draw a sample" not in body
