"""The teacher's class view: figures from real rollups, the flags, sorting, exports, access.

Statements go into county A's LRS through the LRS service and are rolled up (the `learning`
fixture); the pages read only the rollups. Dates are fixed: the views are asked for a custom
period (2025-10-06 to 2025-11-02, four weeks of the world's term 114-1) so nothing depends on
the day the tests run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from dtss.analytics import class_selectors as sel
from dtss.analytics.class_views import ClassFilterForm
from dtss.analytics.models import Platform
from dtss.analytics.tests.conftest import stmt
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

START, END = dt.date(2025, 10, 6), dt.date(2025, 11, 2)  # Monday .. Sunday, 28 days
PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}
UTC = dt.UTC


def at(day: dt.date, hour: int = 1) -> dt.datetime:
    """09:00 in Taipei on that day (01:00 UTC)."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def enrol(world: Any, name: str, seat: int, class_key: str = "A-elem 5-1") -> Any:
    school_class = world.classes[class_key]
    person = org_services.person_create(county=school_class.county, name=name, external_id=name)
    org_services.enrollment_create(student=person, school_class=school_class, seat_number=seat)
    world.people[name] = person
    return person


def answers(name: str, day: dt.date, n: int, correct: int, subject: str = "math") -> list[dict]:
    return [
        stmt(name, verb="answered", success=i < correct, seconds=30, when=at(day), subject=subject)
        for i in range(n)
    ]


def _url(world: Any, name: str = "class_detail", key: str = "A-elem 5-1") -> str:
    return reverse(f"analytics:{name}", args=[world.classes[key].public_id])


@pytest.fixture
def class_data(learning: Any, world: Any) -> Any:
    """5-1 with four students:
    - elem_student (seat 1): active on 3 days, the last in the final week; 25 answers, 10
      correct (40%: struggling); a video of 20 minutes with a passed quiz (score 0.9);
    - elem_student2 (seat 2): active once, on 10-10, before the final week (gone quiet);
    - quiet_kid (seat 3): no records at all;
    - early_bird (seat 4): a record made on 2025-09-08, before the period, and on 10-28.
    """
    enrol(world, "quiet_kid", 3)
    enrol(world, "early_bird", 4)
    s = []
    s += answers("elem_student", dt.date(2025, 10, 20), 15, 6)
    s += answers("elem_student", dt.date(2025, 10, 29), 10, 4)
    s.append(stmt("elem_student", seconds=1200, when=at(dt.date(2025, 10, 8))))
    s.append(
        stmt("elem_student", verb="passed", scaled=0.9, seconds=0, when=at(dt.date(2025, 10, 8)))
    )
    s.append(stmt("elem_student2", seconds=900, when=at(dt.date(2025, 10, 10)), subject="english"))
    s.append(stmt("early_bird", seconds=300, when=at(dt.date(2025, 9, 8))))
    s.append(stmt("early_bird", seconds=600, when=at(dt.date(2025, 10, 28)), subject="science"))
    learning.send(s)
    learning.roll()
    return world


def _period() -> sel.Period:
    return sel.Period("custom", START, END)


# --------------------------------------------------------------------------- content


def test_report_from_real_rollups(class_data: Any) -> None:
    world = class_data
    report = sel.class_report(school_class=world.classes["A-elem 5-1"], period=_period())
    rows = {r.name: r for r in report.rows}
    assert [r.seat for r in report.rows] == [1, 2, 3, 4]

    one = rows["elem_student"].sums
    assert (one.active_days, one.events, one.answered, one.correct) == (3, 27, 25, 10)
    assert one.minutes == 32.5  # 25 × 30 s + 1200 s
    assert one.completions == 1 and one.mean_score == 90.0
    assert one.correct_rate == 40.0
    assert rows["elem_student"].last_active == dt.date(2025, 10, 29)

    assert rows["elem_student2"].sums.minutes == 15.0
    assert rows["quiet_kid"].has_data is False and rows["quiet_kid"].last_active is None
    assert rows["early_bird"].sums.minutes == 10.0  # the record of 09-08 is outside

    assert (report.enrolled, report.active) == (4, 3)
    assert report.median_minutes == 12.5  # of 0, 10, 15, 32.5
    assert report.class_correct_rate == 40.0
    assert report.minutes_spread.low == 0 and report.minutes_spread.high == 32.5
    assert report.rate_spread.n == 1

    # The weekly trend: 8 Mondays to the week of the period's end; minutes from StudentWeek.
    assert report.weeks[-1] == dt.date(2025, 10, 27) and len(report.weeks) == 8
    by_week = {w.week: w for w in report.class_weeks}
    assert by_week[dt.date(2025, 10, 6)].minutes == 35.0  # 20 + 15
    assert by_week[dt.date(2025, 10, 6)].active == 2
    assert by_week[dt.date(2025, 10, 27)].active == 2  # elem_student, early_bird
    assert by_week[dt.date(2025, 9, 8)].minutes == 5.0  # early_bird, before the period
    assert rows["early_bird"].weekly[0] == 5.0


def test_the_page_shows_rows_flags_and_summary(class_data: Any) -> None:
    world = class_data
    r = world.client("elem_teacher").get(_url(world), PERIOD)
    assert r.status_code == 200
    html = r.content.decode()
    report = r.context["r"]
    assert report.period == _period()
    assert [row.name for row in report.rows] == [
        "elem_student",
        "elem_student2",
        "quiet_kid",
        "early_bird",
    ]
    assert 'data-flags="gone_quiet"' in html  # elem_student2's row
    flags = {row.name: row.flags for row in report.rows}
    assert flags == {
        "elem_student": ["struggling"],
        "elem_student2": ["gone_quiet"],
        "quiet_kid": ["low_activity"],
        "early_bird": [],
    }
    assert 'id="active-count">3 <small>/ 4</small>' in html
    assert (
        reverse("analytics:student_detail", args=[world.people["elem_student"].public_id]) in html
    )
    # the definitions are on the page, with the dates they apply to
    assert "2025-09-29" in html and "2025-10-26" in html and "2025-10-27" in html


def test_filters_by_platform_and_subject(class_data: Any, learning: Any, world: Any) -> None:
    adl = Platform.objects.create(
        county=world.counties["A"],
        name="因材網",
        kind="adl",
        account_home_page="https://adl.edu.tw",
    )
    junyi = Platform.objects.create(
        county=world.counties["A"],
        name="均一",
        kind="junyi",
        account_home_page="https://junyiacademy.org",
    )
    # A record on Junyi in the final week: on Junyi, elem_student2 is not quiet but active.
    learning.send(
        [
            stmt(
                "elem_student2",
                seconds=120,
                when=at(dt.date(2025, 11, 1)),
                home="https://junyiacademy.org",
                subject="english",
            )
        ]
    )
    learning.roll()
    client = world.client("elem_teacher")
    rows = {r.name: r for r in client.get(_url(world), PERIOD).context["r"].rows}
    assert rows["elem_student2"].flags == []  # active in the final week, somewhere
    # The earlier records were stored before the platforms were registered: "other sources".
    r = client.get(_url(world), {**PERIOD, "platform": str(junyi.pk)})
    rows = {row.name: row for row in r.context["r"].rows}
    assert rows["elem_student2"].sums.minutes == 2.0
    assert rows["elem_student"].has_data is False
    assert "均一" in r.content.decode()
    r = client.get(_url(world), {**PERIOD, "platform": "0"})
    rows = {row.name: row for row in r.context["r"].rows}
    assert rows["elem_student2"].gone_quiet  # among the other sources, quiet
    assert rows["elem_student"].sums.events == 27
    r = client.get(_url(world), {**PERIOD, "subject": "english"})
    rows = {row.name: row for row in r.context["r"].rows}
    assert rows["elem_student2"].sums.minutes == 17.0
    assert rows["elem_student"].has_data is False
    assert rows["elem_student2"].weekly[-1] == 2.0  # the trend is filtered too (StudentDay)
    assert adl.pk != junyi.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "start": "2025-10-10"}, "end"),
        ({"period": "custom", "start": "2025-10-10", "end": "2025-10-01"}, "end"),
        ({"period": "custom", "start": "2024-01-01", "end": "2025-10-01"}, "end"),
        ({"period": "custom", "start": "yesterday", "end": "2025-10-01"}, "start"),
        ({"period": "fortnight"}, "period"),
        ({"platform": "999999"}, "platform"),
        ({"subject": "alchemy"}, "subject"),
        ({"sort": "shoe_size"}, "sort"),
    ],
    ids=[
        "no-end",
        "reversed",
        "too-long",
        "bad-date",
        "bad-period",
        "bad-platform",
        "bad-subject",
        "bad-sort",
    ],
)
def test_bad_filters_are_named_and_the_default_is_shown(
    class_data: Any, params: dict[str, str], field: str
) -> None:
    world = class_data
    client = world.client("elem_teacher")
    r = client.get(_url(world), params)
    assert r.status_code == 200
    assert field in r.context["form"].errors
    assert r.context["r"].period.key == "28d"
    assert 'id="filter-errors"' in r.content.decode()
    r = client.get(_url(world, "class_export_csv"), params)
    assert r.status_code == 400
    with translation.override("zh-hant"):
        label = str(ClassFilterForm.base_fields[field].label or field)
    assert r.content.decode().startswith(label + ":")  # plain text naming the field
    assert not AuditEntry.objects.filter(action="analytics.class_export").exists()


# --------------------------------------------------------------------------- flags


@pytest.fixture
def edge_class(learning: Any, world: Any) -> Any:
    """Students at the edges of the flag definitions, period ending 2025-11-02 (E).

    recent window: 10-27 .. 11-02; the 28 days before: 09-29 .. 10-26.
    """
    cases = {
        "last_e7": [dt.date(2025, 10, 26)],  # last record E-7: gone quiet
        "last_e34": [dt.date(2025, 9, 29)],  # E-34: gone quiet
        "last_e35": [dt.date(2025, 9, 28)],  # E-35: too long ago, not "gone quiet"
        "last_e6": [dt.date(2025, 10, 27)],  # E-6: still active
        "both": [dt.date(2025, 10, 1), dt.date(2025, 11, 2)],
    }
    statements = []
    for seat, (name, days) in enumerate(cases.items(), start=3):
        enrol(world, name, seat)
        statements += [stmt(name, seconds=600, when=at(d)) for d in days]
    # struggling: 20 answers at 55% → yes; 19 answers at 0% → no; 20 at exactly 60% → no
    statements += answers("elem_student", dt.date(2025, 10, 30), 20, 11)
    statements += answers("elem_student2", dt.date(2025, 10, 30), 19, 0)
    enrol(world, "sixty", 8)
    statements += answers("sixty", dt.date(2025, 10, 30), 20, 12)
    learning.send(statements)
    learning.roll()
    return world


def test_flag_definitions_at_their_edges(edge_class: Any) -> None:
    world = edge_class
    report = sel.class_report(school_class=world.classes["A-elem 5-1"], period=_period())
    rows = {r.name: r for r in report.rows}
    assert rows["last_e7"].gone_quiet and rows["last_e34"].gone_quiet
    assert not rows["last_e35"].gone_quiet and not rows["last_e6"].gone_quiet
    assert not rows["both"].gone_quiet
    assert rows["elem_student"].struggling  # 11/20 = 55%
    assert not rows["elem_student2"].struggling  # 19 answers only
    assert not rows["sixty"].struggling  # 60% is not below 60%
    # minutes in the period: 10 each for last_e7, last_e6, both (11-02 only), sixty and
    # elem_student, 9.5 for elem_student2, 0 for last_e34 and last_e35 (before 10-06)
    # → median 10, a quarter of it 2.5
    assert report.median_minutes == 10.0
    low = {r.name for r in report.rows if r.low_activity}
    assert low == {"last_e34", "last_e35"}
    assert report.flag_counts == {"gone_quiet": 2, "low_activity": 2, "struggling": 1}


def test_low_activity_needs_a_median_above_zero(world: Any) -> None:
    report = sel.class_report(school_class=world.classes["A-elem 5-1"], period=_period())
    assert report.median_minutes == 0
    assert not any(r.low_activity or r.gone_quiet or r.struggling for r in report.rows)
    assert report.active == 0 and all(not r.has_data for r in report.rows)


def test_spread_quartiles() -> None:
    s = sel.spread([0, 10, 20, 30, 40])
    assert (s.n, s.low, s.q1, s.median, s.q3, s.high) == (5, 0, 10, 20, 30, 40)
    assert sel.spread([]).n == 0
    one = sel.spread([7.25])
    assert (one.n, one.median) == (1, 7.2) or (one.n, one.median) == (1, 7.3)


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("7d", dt.date(2025, 11, 24), dt.date(2025, 11, 30)),
        ("28d", dt.date(2025, 11, 3), dt.date(2025, 11, 30)),
        ("term", dt.date(2025, 8, 1), dt.date(2025, 11, 30)),
    ],
    ids=["7d", "28d", "term"],
)
def test_periods_end_today_within_the_term(
    world: Any, key: str, start: dt.date, end: dt.date
) -> None:
    c = world.classes["A-elem 5-1"]
    p = sel.period_for(school_class=c, today=dt.date(2025, 11, 30), key=key)
    assert (p.start, p.end) == (start, end)


def test_periods_of_a_finished_term_end_on_its_last_day(world: Any) -> None:
    c = world.classes["A-elem 5-1"]  # 114-1 ends 2026-01-31
    p = sel.period_for(school_class=c, today=dt.date(2026, 11, 30))
    assert (p.start, p.end) == (dt.date(2026, 1, 4), dt.date(2026, 1, 31))


# --------------------------------------------------------------------------- sorting


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("seat", ["elem_student", "elem_student2", "quiet_kid", "early_bird"]),
        ("-seat", ["early_bird", "quiet_kid", "elem_student2", "elem_student"]),
        ("-minutes", ["elem_student", "elem_student2", "early_bird", "quiet_kid"]),
        ("minutes", ["quiet_kid", "early_bird", "elem_student2", "elem_student"]),
        ("name", ["early_bird", "elem_student", "elem_student2", "quiet_kid"]),
        # students without a correct rate (or last activity) come last in both directions
        ("correct_rate", ["elem_student", "elem_student2", "quiet_kid", "early_bird"]),
        ("-last_active", ["elem_student", "early_bird", "elem_student2", "quiet_kid"]),
        ("last_active", ["elem_student2", "early_bird", "elem_student", "quiet_kid"]),
        ("-flags", ["elem_student", "elem_student2", "quiet_kid", "early_bird"]),
        ("-events", ["elem_student", "elem_student2", "early_bird", "quiet_kid"]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_sorting_on_the_server(class_data: Any, sort: str, order: list[str]) -> None:
    world = class_data
    r = world.client("elem_teacher").get(_url(world), {**PERIOD, "sort": sort})
    assert [row.name for row in r.context["r"].rows] == order


def test_sort_links_keep_the_filters_and_toggle(class_data: Any) -> None:
    world = class_data
    r = world.client("elem_teacher").get(_url(world), {**PERIOD, "sort": "-minutes"})
    html = r.content.decode()
    minutes_col = next(c for c in r.context["columns"] if c["key"] == "minutes")
    assert minutes_col["state"] == "descending" and minutes_col["href"].endswith("sort=minutes")
    assert "start=2025-10-06" in minutes_col["href"]
    other = next(c for c in r.context["columns"] if c["key"] == "active_days")
    assert other["href"].endswith("sort=-active_days") and other["state"] == "none"
    assert 'aria-sort="descending"' in html


# --------------------------------------------------------------------------- exports


def test_csv_export_has_the_table(class_data: Any) -> None:
    world = class_data
    r = world.client("elem_teacher").get(
        _url(world, "class_export_csv"), {**PERIOD, "sort": "-minutes"}
    )
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert len(header) == 10 + 8 + 1  # ten figures, eight weeks, the flags
    assert [b[1] for b in body] == ["elem_student", "elem_student2", "early_bird", "quiet_kid"]
    first = body[0]
    assert first[:10] == [
        "1",
        "elem_student",
        "3",
        "32.5",
        "27",
        "1",
        "25",
        "40.0",
        "90.0",
        "2025-10-29",
    ]
    assert first[-1] != ""  # struggling
    quiet = body[3]
    assert quiet[2:4] == ["0", "0.0"] and quiet[7] == "" and quiet[9] == ""
    entry = AuditEntry.objects.get(action="analytics.class_export")
    assert entry.detail["format"] == "csv" and entry.detail["rows"] == 4
    assert entry.school == world.schools["A-elem"]


def test_xlsx_export_has_the_same_table(class_data: Any) -> None:
    from openpyxl import load_workbook

    world = class_data
    r = world.client("elem_admin").get(_url(world, "class_export_xlsx"), PERIOD)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "座號" or row[0] == "Seat")
    header, body = values[header_at], values[header_at + 1 :]
    assert len(header) == 19
    assert [b[1] for b in body] == ["elem_student", "elem_student2", "quiet_kid", "early_bird"]
    assert body[0][:9] == [1, "elem_student", 3, 32.5, 27, 1, 25, 40.0, 90.0]
    assert body[0][9].date() == dt.date(2025, 10, 29)
    assert body[2][7] is None  # no correct rate for the student without records
    assert "2025-10-06" in values[1][0]  # the period line


# --------------------------------------------------------------------------- access


CLASS_ACCESS = [
    ("elem_teacher", "A-elem 5-1", 200),
    ("elem_admin", "A-elem 5-1", 200),
    ("elem_teacher", "A-junior 7-1", 404),
    ("elem_teacher", "B-elem 3-2", 404),
    ("junior_teacher", "A-elem 5-1", 404),
    ("junior_admin", "A-elem 5-1", 404),
    ("a_staff", "A-elem 5-1", 404),  # county staff use the pseudonymous county views
    ("a_admin", "A-elem 5-1", 404),
    ("b_admin", "A-elem 5-1", 404),
    ("b_teacher", "A-elem 5-1", 404),
    ("elem_student", "A-elem 5-1", 404),
    ("elem_parent", "A-elem 5-1", 404),
    ("outsider", "A-elem 5-1", 404),
    ("b_teacher", "B-elem 3-2", 200),
]


@pytest.mark.parametrize(
    ("user", "class_key", "status"), CLASS_ACCESS, ids=[f"{u}-{c}" for u, c, _s in CLASS_ACCESS]
)
@pytest.mark.parametrize("page", ["class_detail", "class_export_csv", "class_export_xlsx"])
def test_who_sees_a_class(world: Any, user: str, class_key: str, status: int, page: str) -> None:
    r = world.client(user).get(_url(world, page, class_key))
    assert r.status_code == status


def test_a_missing_class_is_404(world: Any) -> None:
    r = world.client("elem_teacher").get(
        reverse("analytics:class_detail", args=["00000000-0000-4000-8000-000000000000"])
    )
    assert r.status_code == 404


def test_anonymous_users_are_sent_to_log_in(world: Any) -> None:
    from django.test import Client

    r = Client().get(_url(world))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# --------------------------------------------------------------------------- my classes


def test_my_classes_lists_only_the_users_classes(class_data: Any) -> None:
    world = class_data
    html = world.client("elem_teacher").get(reverse("analytics:class_list")).content.decode()
    assert str(world.classes["A-elem 5-1"].public_id) in html
    assert str(world.classes["A-junior 7-1"].public_id) not in html
    assert str(world.classes["B-elem 3-2"].public_id) not in html
    r = world.client("elem_admin").get(reverse("analytics:class_list"))
    assert [line.school_class for line in r.context["lines"]] == [world.classes["A-elem 5-1"]]
    assert r.context["lines"][0].enrolled == 4


def test_my_classes_summary_counts_the_last_seven_days(learning: Any, world: Any) -> None:
    # The world's term (114-1) has ended by 2026-11: the line covers its last seven days.
    lines = sel.class_lines(
        classes=list(sel.class_list(user=world.users["elem_teacher"])),
        today=dt.date(2025, 10, 12),
    )
    assert (lines[0].enrolled, lines[0].active, lines[0].minutes) == (2, 0, 0)
    learning.send(
        [
            stmt("elem_student", seconds=600, when=at(dt.date(2025, 10, 6))),
            stmt("elem_student2", seconds=600, when=at(dt.date(2025, 10, 5))),  # 8 days before
        ]
    )
    learning.roll()
    lines = sel.class_lines(
        classes=list(sel.class_list(user=world.users["elem_teacher"])),
        today=dt.date(2025, 10, 12),
    )
    assert (lines[0].active, lines[0].minutes, lines[0].current) == (1, 10.0, True)
    assert lines[0].gone_quiet == 1  # elem_student2: active 10-05, not since
    later = sel.class_lines(
        classes=list(sel.class_list(user=world.users["elem_teacher"])),
        today=dt.date(2026, 11, 30),
    )
    assert later[0].end == dt.date(2026, 1, 31) and not later[0].current


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("elem_teacher", 200),
        ("elem_admin", 200),
        ("a_staff", 200),
        ("junior_teacher", 200),
        ("elem_student", 403),
        ("elem_parent", 403),
        ("outsider", 403),
    ],
    ids=lambda v: str(v),
)
def test_who_may_open_my_classes(world: Any, user: str, status: int) -> None:
    assert world.client(user).get(reverse("analytics:class_list")).status_code == status


@pytest.mark.parametrize("user", ["a_staff", "b_admin", "moe", "junior_admin"])
def test_my_classes_of_others_are_not_listed(world: Any, user: str) -> None:
    r = world.client(user).get(reverse("analytics:class_list"))
    html = r.content.decode()
    assert str(world.classes["A-elem 5-1"].public_id) not in html
    if user == "junior_admin":
        assert [line.school_class for line in r.context["lines"]] == [world.classes["A-junior 7-1"]]
    else:
        assert 'id="no-classes"' in html and not r.context["lines"]


def test_exports_never_start_a_formula(learning: Any, world: Any) -> None:
    from openpyxl import load_workbook

    enrol(world, '=HYPERLINK("http://x")', 7)
    client = world.client("elem_teacher")
    text = client.get(_url(world, "class_export_csv"), PERIOD).content.decode("utf-8")
    assert "'=HYPERLINK" in text
    ws = load_workbook(
        io.BytesIO(client.get(_url(world, "class_export_xlsx"), PERIOD).content)
    ).active
    cells = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_page_costs_the_same_queries_for_more_students(
    class_data: Any, django_assert_max_num_queries: Any
) -> None:
    """The class view's queries do not grow with the number of students."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = class_data
    client = world.client("elem_teacher")
    client.get(_url(world), PERIOD)  # warm the session and scope
    with CaptureQueriesContext(connection) as before:
        client.get(_url(world), PERIOD)
    for seat in range(10, 20):
        enrol(world, f"more_{seat}", seat)
    with CaptureQueriesContext(connection) as after:
        r = client.get(_url(world), PERIOD)
    assert len(r.context["r"].rows) == 14
    assert len(after.captured_queries) == len(before.captured_queries)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(_url(world), PERIOD)
