"""Configuration services: working hours, calendar days (one, a range, a CSV import, delete) and
service targets — validation naming the field, nothing changed on bad input, only the county's
office, an audit line for each change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dtss.core.models import AuditEntry
from dtss.helpdesk import admin_selectors as sel
from dtss.helpdesk import admin_services as svc
from dtss.helpdesk.admin_forms import parse_duration
from dtss.helpdesk.models import CalendarDay, HelpdeskSettings, ServiceTarget
from dtss.helpdesk.tests.factories import office_groups

pytestmark = pytest.mark.django_db


def errors(exc: pytest.ExceptionInfo) -> set[str]:
    return set(exc.value.message_dict)


# --------------------------------------------------------------------------- settings


def test_settings_are_saved_and_audited(world) -> None:
    county = world.counties["A"]
    row = svc.settings_update(
        county=county,
        user=world.users["a_staff"],
        work_days=["1", "2", "3", "4", "5", "6"],
        work_start=dt.time(7, 30),
        work_end=dt.time(16, 30),
        auto_close_days=5,
    )
    assert (row.work_days, row.work_start, row.auto_close_days) == ("123456", dt.time(7, 30), 5)
    assert AuditEntry.objects.filter(action="helpdesk.settings.update", county=county).exists()
    # again: the same row is updated
    svc.settings_update(
        county=county,
        user=world.users["a_admin"],
        work_days="12345",
        work_start=dt.time(8),
        work_end=dt.time(17),
        auto_close_days=7,
    )
    assert HelpdeskSettings.objects.get(county=county).work_days == "12345"


def test_bad_settings_name_every_field_and_change_nothing(world) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.settings_update(
            county=world.counties["A"],
            user=world.users["a_admin"],
            work_days=[],
            work_start=dt.time(17),
            work_end=dt.time(8),
            auto_close_days=0,
        )
    assert errors(exc) == {"work_days", "work_end", "auto_close_days"}
    with pytest.raises(ValidationError) as exc:
        svc.settings_update(
            county=world.counties["A"],
            user=world.users["a_admin"],
            work_days="1238",
            work_start=dt.time(8),
            work_end=dt.time(17),
            auto_close_days=91,
        )
    assert errors(exc) == {"work_days", "auto_close_days"}
    assert not HelpdeskSettings.objects.exists()


@pytest.mark.parametrize("who", ["b_admin", "elem_admin", "junior_admin", "elem_teacher", "moe"])
def test_only_the_countys_office_changes_settings(world, who) -> None:
    with pytest.raises(PermissionDenied):
        svc.settings_update(
            county=world.counties["A"],
            user=world.users[who],
            work_days="12345",
            work_start=dt.time(8),
            work_end=dt.time(17),
            auto_close_days=7,
        )
    assert not HelpdeskSettings.objects.exists()


# --------------------------------------------------------------------------- calendar


def test_a_day_for_the_county_and_one_for_a_school(world) -> None:
    county, elem = world.counties["A"], world.schools["A-elem"]
    user = world.users["a_admin"]
    day = svc.calendar_day_add(county=county, user=user, date=dt.date(2027, 2, 5), name="春節")
    assert (day.school, day.kind) == (None, "closed")
    school_day = svc.calendar_day_add(
        county=county, user=user, date=dt.date(2027, 2, 5), name="補課", kind="working", school=elem
    )
    assert school_day.school == elem
    with pytest.raises(ValidationError) as exc:
        svc.calendar_day_add(county=county, user=user, date=dt.date(2027, 2, 5), name="重複")
    assert errors(exc) == {"date"}
    with pytest.raises(ValidationError) as exc:
        svc.calendar_day_add(
            county=county,
            user=user,
            date=dt.date(2027, 2, 6),
            name=" ",
            kind="holiday",
            school=world.schools["B-elem"],
        )
    assert errors(exc) == {"name", "kind", "school"}
    assert CalendarDay.objects.count() == 2
    assert AuditEntry.objects.filter(action="helpdesk.calendar.add").count() == 2


def test_a_range_includes_weekends_and_skips_days_already_there(world) -> None:
    county, user = world.counties["A"], world.users["a_admin"]
    svc.calendar_day_add(county=county, user=user, date=dt.date(2027, 1, 25), name="已存在")
    result = svc.calendar_range_add(
        county=county,
        user=user,
        start=dt.date(2027, 1, 21),
        end=dt.date(2027, 2, 10),
        name="寒假",
    )
    assert len(result.created) == 20 and result.skipped == [dt.date(2027, 1, 25)]
    assert CalendarDay.objects.filter(name="寒假", date=dt.date(2027, 1, 23)).exists()  # Sat
    assert CalendarDay.objects.get(date=dt.date(2027, 1, 25)).name == "已存在"
    with pytest.raises(ValidationError) as exc:
        svc.calendar_range_add(
            county=county, user=user, start=dt.date(2027, 3, 2), end=dt.date(2027, 3, 1), name="x"
        )
    assert errors(exc) == {"end"}
    with pytest.raises(ValidationError) as exc:
        svc.calendar_range_add(
            county=county, user=user, start=dt.date(2027, 1, 1), end=dt.date(2028, 6, 1), name="x"
        )
    assert errors(exc) == {"end"}
    assert CalendarDay.objects.count() == 21


def test_deleting_a_day(world) -> None:
    county = world.counties["A"]
    day = svc.calendar_day_add(
        county=county, user=world.users["a_admin"], date=dt.date(2027, 4, 4), name="兒童節"
    )
    with pytest.raises(PermissionDenied):
        svc.calendar_day_delete(day=day, user=world.users["b_admin"])
    svc.calendar_day_delete(day=day, user=world.users["a_staff"])
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="helpdesk.calendar.delete").exists()


def test_importing_a_year_of_days(world) -> None:
    county = world.counties["A"]
    svc.calendar_day_add(
        county=county, user=world.users["a_admin"], date=dt.date(2027, 2, 5), name="舊名"
    )
    data = (
        "日期,名稱,類別,學校代碼\n"
        "2027-02-05,春節,放假,\n"
        "115/02/20,補行上班,補班,\n"
        "2027/3/1,校慶補假,closed,083601\n"
        "20270404,兒童節,,\n"
    ).encode()
    result = svc.calendar_import_csv(county=county, user=world.users["a_admin"], data=data)
    assert result.ok and (result.created, result.updated) == (3, 1)
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 5)).name == "春節"
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 20)).kind == "working"
    assert CalendarDay.objects.get(date=dt.date(2027, 3, 1)).school == world.schools["A-elem"]
    # the same file again changes nothing
    again = svc.calendar_import_csv(county=county, user=world.users["a_admin"], data=data)
    assert (again.created, again.updated) == (0, 0)


def test_an_import_is_all_or_nothing_and_lists_every_bad_row(world) -> None:
    county = world.counties["A"]
    data = (
        "date,name,kind,school\n"
        "2027-02-05,春節,closed,\n"
        "2027-02-30,不存在的日子,closed,\n"
        "2027-02-06,,sometimes,\n"
        "2027-02-07,別縣的學校,closed,024601\n"
        "2027-02-05,春節又一次,closed,\n"
    ).encode("cp950")
    result = svc.calendar_import_csv(county=county, user=world.users["a_admin"], data=data)
    assert not result.ok
    assert [(e["row"], e["field"]) for e in result.errors] == [
        (3, "date"),
        (4, "name"),
        (4, "kind"),
        (5, "school"),
        (6, "date"),
    ]
    assert not CalendarDay.objects.exists()
    bad_header = svc.calendar_import_csv(
        county=county, user=world.users["a_admin"], data=b"date,colour\n2027-01-01,red\n"
    )
    assert [(e["row"], e["field"]) for e in bad_header.errors] == [(1, "colour"), (1, "name")]
    with pytest.raises(ValidationError) as exc:
        svc.calendar_import_csv(county=county, user=world.users["a_admin"], data=b"\n\n")
    assert errors(exc) == {"file"}
    with pytest.raises(PermissionDenied):
        svc.calendar_import_csv(
            county=county, user=world.users["elem_admin"], data=b"2027-01-01,x,closed\n"
        )
    assert not CalendarDay.objects.exists()


def test_the_template_imports_as_it_is(world) -> None:
    result = svc.calendar_import_csv(
        county=world.counties["A"], user=world.users["a_admin"], data=svc.import_template()
    )
    assert result.ok and result.created == 2


# --------------------------------------------------------------------------- targets


def test_a_target_per_category(world) -> None:
    groups = office_groups(world)
    county = world.counties["A"]
    row = svc.target_set(
        county=county,
        user=world.users["a_admin"],
        category="network",
        first_response_minutes=30,
        resolution_minutes=240,
        escalate_when="always",
        escalate_to=groups["equipment"],
    )
    assert (row.first_response_minutes, row.escalate_to) == (30, groups["equipment"])
    svc.target_set(
        county=county,
        user=world.users["a_staff"],
        category="network",
        first_response_minutes=60,
        resolution_minutes=60,
        escalate_when="never",
    )
    row = ServiceTarget.objects.get(county=county, category="network")
    assert (row.first_response_minutes, row.escalate_when, row.escalate_to) == (60, "never", None)
    assert AuditEntry.objects.filter(action="helpdesk.target.set").count() == 2
    assert svc.target_reset(county=county, user=world.users["a_admin"], category="network")
    assert not ServiceTarget.objects.exists()


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"first_response_minutes": 0, "resolution_minutes": 60}, {"first_response_minutes"}),
        ({"first_response_minutes": 120, "resolution_minutes": 60}, {"resolution_minutes"}),
        (
            {"first_response_minutes": 1.5, "resolution_minutes": "x"},
            {
                "first_response_minutes",
                "resolution_minutes",
            },
        ),
        ({"category": "printer"}, {"category"}),
        ({"escalate_when": "sometimes"}, {"escalate_when"}),
        ({"escalate_when": "breach", "escalate_to": None}, {"escalate_to"}),
        ({"escalate_to": "B"}, {"escalate_to"}),
        ({"first_response_minutes": 60, "resolution_minutes": 70_000}, {"resolution_minutes"}),
    ],
)
def test_bad_targets_name_the_field_and_change_nothing(world, values, fields) -> None:
    groups = office_groups(world)
    if values.get("escalate_to") == "B":
        values["escalate_to"] = office_groups(world, "B")["equipment"]
    args = {
        "category": "device",
        "first_response_minutes": 60,
        "resolution_minutes": 600,
        "escalate_when": "breach",
        "escalate_to": groups["equipment"],
        **values,
    }
    with pytest.raises(ValidationError) as exc:
        svc.target_set(county=world.counties["A"], user=world.users["a_admin"], **args)
    assert errors(exc) == fields
    assert not ServiceTarget.objects.exists()


def test_several_targets_are_all_or_nothing_with_the_category_in_each_error(world) -> None:
    groups = office_groups(world)
    items = [
        svc.TargetInput("device", 60, 600, "breach", groups["equipment"]),
        svc.TargetInput("teaching", 600, 60, "breach", groups["teaching"]),
    ]
    with pytest.raises(ValidationError) as exc:
        svc.targets_set(county=world.counties["A"], user=world.users["a_admin"], items=items)
    assert errors(exc) == {"teaching.resolution_minutes"}
    assert not ServiceTarget.objects.exists()
    with pytest.raises(PermissionDenied):
        svc.targets_set(county=world.counties["A"], user=world.users["b_admin"], items=items[:1])


def test_the_targets_table_shows_the_defaults_where_nothing_is_set(world) -> None:
    groups = office_groups(world)
    county = world.counties["A"]
    svc.target_set(
        county=county,
        user=world.users["a_admin"],
        category="device",
        first_response_minutes=90,
        resolution_minutes=900,
        escalate_when="always",
        escalate_to=groups["teaching"],
    )
    rows = {r.category: r for r in sel.target_rows(county=county)}
    assert len(rows) == 6
    assert rows["device"].first_response_hours == "1.5" and not rows["device"].is_default
    assert rows["teaching"].is_default and rows["teaching"].escalate_to == groups["teaching"]
    assert rows["account"].escalate_to == groups["equipment"]
    assert (rows["account"].first_response_minutes, rows["account"].escalate_when) == (
        120,
        "breach",
    )


def test_hours_as_people_write_them() -> None:
    assert parse_duration("4") == 240
    assert parse_duration("1.5") == 90
    assert parse_duration("2 小時") == 120
    assert parse_duration("90 min") == 90
    assert parse_duration("45分鐘") == 45
    assert parse_duration("0.25h") == 15
    assert parse_duration("four") is None
    assert parse_duration("") is None
