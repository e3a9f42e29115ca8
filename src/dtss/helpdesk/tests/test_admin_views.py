"""The configuration pages (`/helpdesk/admin/`): working hours and service targets, the calendar
(one day, a range, CSV import, delete, the due preview), and who may see and change them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.helpdesk.models import CalendarDay, HelpdeskSettings, ServiceTarget
from dtss.helpdesk.tests.factories import office_groups

pytestmark = pytest.mark.django_db

SETTINGS = reverse("helpdesk:settings")
CALENDAR = reverse("helpdesk:calendar")
A, B = "10008", "10002"
NOT_CONFIG = [
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "elem_student",
    "elem_parent",
    "outsider",
]


def get(world: Any, who: str, url: str, **params: Any) -> Any:
    return world.client(who).get(url, params)


def settings_post(**values: Any) -> dict[str, Any]:
    data = {
        "action": "settings",
        "work_days": ["1", "2", "3", "4", "5"],
        "work_start": "08:00",
        "work_end": "17:00",
        "auto_close_days": "7",
    }
    data.update(values)
    return data


def targets_post(world: Any, **changes: str) -> dict[str, Any]:
    """The targets form as shown (defaults), with some fields changed."""
    from dtss.helpdesk import admin_selectors as sel
    from dtss.helpdesk.admin_forms import TargetsForm

    county = world.counties["A"]
    groups = sel.office_groups(county=county)
    form = TargetsForm(rows=sel.target_rows(county=county, groups=groups), groups=groups)
    data = {"action": "targets"}
    for name, field in form.fields.items():
        data[name] = field.initial or ""
    data.update(changes)
    return data


# --------------------------------------------------------------------------- settings


def test_the_countys_office_sees_its_settings_with_the_defaults(world) -> None:
    office_groups(world)
    for who in ("a_admin", "a_staff"):
        r = get(world, who, SETTINGS)
        assert r.status_code == 200
        assert r.context["county"] == world.counties["A"] and r.context["may_edit"]
    table = r.context["target_table"]
    assert [t["row"].category for t in table][:2] == ["device", "account"]
    assert all(t["row"].is_default for t in table)
    assert table[0]["first"].value() == "4"  # 240 minutes, shown in hours
    body = r.content.decode()
    assert 'id="how-clocks-work"' in body and "資訊設備組" in body


def test_saving_working_hours(world) -> None:
    client = world.client("a_admin")
    r = client.post(
        SETTINGS,
        settings_post(work_days=["1", "2", "3", "4", "5", "6"], work_start="07:30"),
    )
    assert r.status_code == 302 and r["Location"].endswith(f"?county={A}")
    row = HelpdeskSettings.objects.get(county=world.counties["A"])
    assert (row.work_days, row.work_start) == ("123456", dt.time(7, 30))


def test_bad_working_hours_are_shown_and_nothing_is_saved(world) -> None:
    r = world.client("a_admin").post(
        SETTINGS, settings_post(work_days=[], work_end="07:00", auto_close_days="0")
    )
    assert r.status_code == 400
    assert set(r.context["settings_form"].errors) == {"work_days", "work_end", "auto_close_days"}
    assert 'role="alert"' in r.content.decode()
    assert not HelpdeskSettings.objects.exists()


def test_saving_targets_stores_minutes_for_changed_categories_only(world) -> None:
    groups = office_groups(world)
    r = world.client("a_admin").post(
        SETTINGS,
        targets_post(
            world,
            **{
                "device-first": "1.5",
                "device-resolution": "600 min",
                "device-escalate_when": "always",
                "device-escalate_to": str(groups["teaching"].public_id),
            },
        ),
    )
    assert r.status_code == 302, r.context and r.context["targets_form"].errors
    row = ServiceTarget.objects.get()
    assert (row.category, row.first_response_minutes, row.resolution_minutes) == (
        "device",
        90,
        600,
    )
    assert (row.escalate_when, row.escalate_to) == ("always", groups["teaching"])
    page = get(world, "a_admin", SETTINGS)
    assert not page.context["target_table"][0]["row"].is_default
    # back to the defaults
    r = world.client("a_admin").post(SETTINGS, {"action": "reset", "category": "device"})
    assert r.status_code == 302 and not ServiceTarget.objects.exists()


def test_bad_targets_are_shown_per_category_and_nothing_is_saved(world) -> None:
    groups = office_groups(world)
    other = office_groups(world, "B")["equipment"]
    r = world.client("a_admin").post(
        SETTINGS,
        targets_post(
            world,
            **{
                "device-first": "5",
                "device-resolution": "2",
                "account-first": "soon",
                "network-escalate_to": str(other.public_id),
                "platform-first": "0",
                "teaching-escalate_to": "",
            },
        ),
    )
    assert r.status_code == 400
    form = r.context["targets_form"]
    assert {"account-first", "network-escalate_to"} <= set(form.errors)
    assert not ServiceTarget.objects.exists()
    r = world.client("a_admin").post(
        SETTINGS,
        targets_post(world, **{"device-first": "5", "device-resolution": "2"}),
    )
    assert r.status_code == 400
    assert set(r.context["targets_form"].errors) == {"device-resolution"}
    r = world.client("a_admin").post(
        SETTINGS,
        targets_post(world, **{"platform-first": "0", "teaching-escalate_to": ""}),
    )
    assert set(r.context["targets_form"].errors) == {"platform-first", "teaching-escalate_to"}
    assert not ServiceTarget.objects.exists()
    assert groups  # the county's groups were offered


@pytest.mark.parametrize("who", NOT_CONFIG)
def test_others_may_not_open_the_settings(world, who) -> None:
    assert get(world, who, SETTINGS).status_code == 403
    assert world.client(who).post(SETTINGS, settings_post()).status_code == 403
    assert get(world, who, CALENDAR).status_code == 403
    assert not HelpdeskSettings.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    assert Client().get(SETTINGS).status_code == 302


def test_another_countys_office_gets_404_and_changes_nothing(world) -> None:
    assert get(world, "b_admin", SETTINGS).context["county"] == world.counties["B"]
    assert get(world, "b_admin", SETTINGS, county=A).status_code == 404
    c = world.client("b_admin")
    assert c.post(f"{SETTINGS}?county={A}", settings_post()).status_code == 404
    assert c.post(f"{CALENDAR}?county={A}", {"action": "day"}).status_code == 404
    assert get(world, "b_admin", CALENDAR, county=A).status_code == 404
    assert not HelpdeskSettings.objects.filter(county=world.counties["A"]).exists()


def test_the_moe_viewer_chooses_a_county_and_only_reads(world) -> None:
    r = get(world, "moe", SETTINGS)
    assert r.status_code == 200 and "county-choices" in r.content.decode()
    r = get(world, "moe", SETTINGS, county=A)
    assert r.status_code == 200 and not r.context["may_edit"]
    assert 'id="read-only"' in r.content.decode()
    assert world.client("moe").post(f"{SETTINGS}?county={A}", settings_post()).status_code == 403
    assert get(world, "moe", CALENDAR, county=B).status_code == 200
    assert get(world, "moe", SETTINGS, county="99999").status_code == 404
    assert not HelpdeskSettings.objects.exists()


# --------------------------------------------------------------------------- calendar


def test_the_calendar_lists_the_years_days_and_previews_deadlines(world) -> None:
    county = world.counties["A"]
    CalendarDay.objects.create(county=county, date=dt.date(2027, 2, 5), name="春節")
    CalendarDay.objects.create(
        county=county, school=world.schools["A-elem"], date=dt.date(2027, 3, 1), name="校慶補假"
    )
    CalendarDay.objects.create(county=world.counties["B"], date=dt.date(2027, 2, 6), name="宜蘭")
    r = get(world, "a_admin", CALENDAR, year=2027)
    assert r.status_code == 200
    assert [d.name for d in r.context["rows"]] == ["春節", "校慶補假"]
    assert len(r.context["preview"]) == 6
    body = r.content.decode()
    assert 'id="preview-table"' in body and "宜蘭" not in body
    r = get(world, "a_admin", CALENDAR, year=2027, where="county")
    assert [d.name for d in r.context["rows"]] == ["春節"]
    r = get(world, "a_admin", CALENDAR, year=2027, q="校慶", sort="-date")
    assert [d.name for d in r.context["rows"]] == ["校慶補假"]
    r = get(world, "a_admin", CALENDAR, year=2030)
    assert 'id="no-days"' in r.content.decode()


def test_adding_a_day_a_range_and_deleting(world) -> None:
    c = world.client("a_admin")
    r = c.post(
        CALENDAR,
        {
            "action": "day",
            "day-date": "2027-04-04",
            "day-name": "兒童節",
            "day-kind": "closed",
            "day-school": "",
        },
    )
    assert r.status_code == 302 and "year=2027" in r["Location"]
    r = c.post(
        CALENDAR,
        {
            "action": "range",
            "range-date": "2027-01-21",
            "range-end": "2027-01-27",
            "range-name": "寒假",
            "range-kind": "closed",
            "range-school": str(world.schools["A-elem"].public_id),
        },
    )
    assert r.status_code == 302
    assert CalendarDay.objects.filter(school=world.schools["A-elem"], name="寒假").count() == 7
    # the same day twice: an error naming the date, nothing added
    r = c.post(
        CALENDAR,
        {"action": "day", "day-date": "2027-04-04", "day-name": "再一次", "day-kind": "closed"},
    )
    assert r.status_code == 400 and "date" in r.context["day_form"].errors
    r = c.post(
        CALENDAR,
        {
            "action": "range",
            "range-date": "2027-02-10",
            "range-end": "2027-02-01",
            "range-name": "x",
            "range-kind": "closed",
        },
    )
    assert r.status_code == 400 and "end" in r.context["range_form"].errors
    assert CalendarDay.objects.count() == 8
    day = CalendarDay.objects.get(name="兒童節")
    url = reverse("helpdesk:calendar_delete", args=[day.public_id])
    assert world.client("b_admin").post(url).status_code == 404
    assert world.client("moe").post(url).status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    assert c.post(url).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_a_schools_administrator_cannot_delete_its_schools_day(world) -> None:
    day = CalendarDay.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        date=dt.date(2027, 3, 1),
        name="校慶補假",
    )
    url = reverse("helpdesk:calendar_delete", args=[day.public_id])
    assert world.client("elem_admin").post(url).status_code == 403
    assert world.client("junior_admin").post(url).status_code == 404
    assert world.client("elem_teacher").post(url).status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_importing_a_csv_file_on_the_page(world) -> None:
    c = world.client("a_admin")
    template = c.get(reverse("helpdesk:calendar_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    good = SimpleUploadedFile("days.csv", template.content, content_type="text/csv")
    r = c.post(CALENDAR, {"action": "import", "import-file": good})
    assert r.status_code == 302 and CalendarDay.objects.count() == 2
    bad = SimpleUploadedFile(
        "days.csv", b"date,name,kind\n2027-13-01,x,closed\n2027-05-01,,\n", content_type="text/csv"
    )
    r = c.post(CALENDAR, {"action": "import", "import-file": bad})
    assert r.status_code == 400
    assert [(e["row"], e["field"]) for e in r.context["import_errors"]] == [
        (2, "date"),
        (3, "name"),
    ]
    assert 'id="import-errors"' in r.content.decode()
    assert CalendarDay.objects.count() == 2
    assert AuditEntry.objects.filter(action="helpdesk.calendar.import").count() == 1


def test_the_calendar_export_is_the_import_format(world) -> None:
    county = world.counties["A"]
    CalendarDay.objects.create(county=county, date=dt.date(2027, 2, 5), name="春節")
    CalendarDay.objects.create(county=world.counties["B"], date=dt.date(2027, 2, 6), name="宜蘭")
    r = get(world, "a_admin", reverse("helpdesk:calendar_export"), year=2027)
    text = r.content.decode("utf-8-sig")
    assert text.splitlines() == ["date,name,kind,school", "2027-02-05,春節,closed,"]
    assert get(world, "b_admin", reverse("helpdesk:calendar_export"), county=A).status_code == 404
    assert get(world, "elem_admin", reverse("helpdesk:calendar_export")).status_code == 403
    assert get(world, "elem_teacher", reverse("helpdesk:calendar_template")).status_code == 403


def test_the_pages_fit_a_phone(world) -> None:
    """No fixed widths wider than a phone in the pages' own styles."""
    body = get(world, "a_admin", SETTINGS).content.decode()
    assert 'class="table-wrap"' in body
    body = get(world, "a_admin", CALENDAR).content.decode()
    assert 'class="table-wrap"' in body or 'id="no-days"' in body
