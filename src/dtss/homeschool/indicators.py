"""Indicators of the parent–teacher–student platform (DESIGN.md rule 4), registered with the
framework when the app is ready (`apps.py` imports this module).

County level (Table 6, L7.M1 — a parent–teacher–student platform with the forms school life
needs, as an interactive electronic contact book), over the 30 days up to `as_of`:
- `homeschool.county_sign_rate`: contact-book signatures / (entries × students of the class).
- `homeschool.county_school_usage`: of the county's active schools, the share with a published
  contact-book entry.
- `homeschool.county_leave_online`: leave requested online by parents or students, of all
  leave requests made (withdrawn ones left out).

School level (Table 7, item S2 — communication with parents and students):
- `homeschool.school_sign_rate` (S2.M4, a communication platform): as above, the school's.
- `homeschool.school_reply_hours` (S2.M4, S2.D4 — listening to parents): the median time from
  a parent's message to the teacher's next message in the conversation, hours. Lower is better.
- `homeschool.school_read_rate` (S2.D3, made known through many channels): reads / audience of
  the school's and its classes' announcements published in the window.

None where nothing is measured (no entry, no leave request, no parent's message, no
announcement in the window). The figures are those of the reports (`report_selectors`): one
report per county, shared by every indicator of one reading (`memoized`), so a dashboard over
hundreds of schools costs the same few queries per county.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dtss.core.indicators import Indicator, memoized, register

WINDOW_DAYS = 30


def _ids(orgs: Sequence[Any]) -> tuple[int, ...]:
    return tuple(sorted(o.pk for o in orgs))


def _one(many: Any) -> Any:
    return lambda org, as_of: many([org], as_of).get(org.pk)


def county_report(county_id: int, as_of: dt.date) -> Any:
    """The county's report (a row per school) over the window ending on `as_of`."""
    from dtss.homeschool.report_selectors import report_build
    from dtss.orgs.models import County

    def run() -> Any:
        county = County.objects.get(pk=county_id)
        start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
        return report_build(county=county, start=start, end=as_of)

    return memoized(("homeschool.county_report", county_id, as_of), run)


def _active_schools(county_id: int) -> set[int]:
    from dtss.orgs.models import School

    return memoized(
        ("homeschool.active_schools", county_id),
        lambda: set(
            School.objects.filter(county_id=county_id, active=True).values_list("pk", flat=True)
        ),
    )


# --------------------------------------------------------------------------- county level


def county_sign_rate_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return {pk: county_report(pk, as_of).total.sign_rate for pk in _ids(orgs)}


def county_school_usage_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.homeschool.report_selectors import share

    out: dict[int, float | None] = {}
    for pk in _ids(orgs):
        active = _active_schools(pk)
        using = {r.key for r in county_report(pk, as_of).rows if r.entries} & active
        out[pk] = share(len(using), len(active))
    return out


def county_leave_online_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    return {pk: county_report(pk, as_of).total.online_share for pk in _ids(orgs)}


# --------------------------------------------------------------------------- school level


def _school_rows(orgs: Sequence[Any], as_of: dt.date) -> dict[int, Any]:
    """{school pk: its row of its county's report}. The schools' counties in one query: the
    dashboard passes schools with only their ids loaded."""
    from dtss.orgs.models import School

    ids = _ids(orgs)
    counties = memoized(
        ("homeschool.counties_of", ids),
        lambda: sorted(set(School.objects.filter(pk__in=ids).values_list("county_id", flat=True))),
    )
    rows: dict[int, Any] = {}
    for county_id in counties:
        for row in county_report(county_id, as_of).rows:
            rows[row.key] = row
    return rows


def school_sign_rate_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _school_rows(orgs, as_of)
    return {o.pk: rows[o.pk].sign_rate if o.pk in rows else None for o in orgs}


def school_reply_hours_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _school_rows(orgs, as_of)
    return {o.pk: rows[o.pk].median_reply_hours if o.pk in rows else None for o in orgs}


def school_read_rate_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _school_rows(orgs, as_of)
    return {o.pk: rows[o.pk].read_rate if o.pk in rows else None for o in orgs}


# --------------------------------------------------------------------------- registration


def _register(
    id: str,
    level: str,
    strategies: tuple[str, ...],
    many: Any,
    title_zh: str,
    title_en: str,
    description_zh: str,
    description_en: str,
    **kw: Any,
) -> None:
    register(
        Indicator(
            id=id,
            level=level,  # type: ignore[arg-type]
            strategies=strategies,
            title_zh=title_zh,
            title_en=title_en,
            compute=_one(many),
            compute_many=many,
            description_zh=description_zh,
            description_en=description_en,
            **kw,
        )
    )


_register(
    "homeschool.county_sign_rate",
    "county",
    ("L7.M1",),
    county_sign_rate_many,
    "電子聯絡簿家長簽名率",
    "Contact-book sign rate",
    "近 30 天各班發布的電子聯絡簿中，家長已簽名的比率（簽名數 ÷ 聯絡簿篇數 × 班級學生數）。",
    "Of the contact-book entries published in the last 30 days: the share signed by a parent "
    "(signatures ÷ entries × the class's students).",
    unit="%",
    achieved_at=80.0,
)
_register(
    "homeschool.county_school_usage",
    "county",
    ("L7.M1",),
    county_school_usage_many,
    "使用電子聯絡簿的學校比率",
    "Schools using the contact book",
    "縣市內的學校中，近 30 天至少發布一篇電子聯絡簿者的比率。",
    "Of the county's schools: those that published at least one contact-book entry in the "
    "last 30 days.",
    unit="%",
    achieved_at=80.0,
)
_register(
    "homeschool.county_leave_online",
    "county",
    ("L7.M1",),
    county_leave_online_many,
    "線上請假比率",
    "Leave requested online",
    "近 30 天提出的請假（不含撤回）中，由家長或學生線上申請者的比率（其餘為學校代登紙本假單）。",
    "Of the leave requests made in the last 30 days (withdrawn ones left out): the share "
    "requested online by a parent or student (the rest are paper forms entered by the school).",
    unit="%",
    achieved_at=50.0,
)
_register(
    "homeschool.school_sign_rate",
    "school",
    ("S2.M4",),
    school_sign_rate_many,
    "電子聯絡簿家長簽名率",
    "Contact-book sign rate",
    "近 30 天本校各班發布的電子聯絡簿中，家長已簽名的比率。",
    "Of the school's contact-book entries published in the last 30 days: the share signed by "
    "a parent.",
    unit="%",
    achieved_at=80.0,
)
_register(
    "homeschool.school_reply_hours",
    "school",
    ("S2.M4", "S2.D4"),
    school_reply_hours_many,
    "教師回覆家長訊息時間中位數（小時）",
    "Median teacher reply to parents (hours)",
    "近 30 天家長傳給老師的訊息，到老師在同一對話中下一次回覆所經過的時數之中位數。",
    "Of the parents' messages to teachers in the last 30 days: the median time to the "
    "teacher's next message in the conversation, in hours.",
    unit="hours",
    achieved_at=24.0,
    higher_is_better=False,
)
_register(
    "homeschool.school_read_rate",
    "school",
    ("S2.D3",),
    school_read_rate_many,
    "學校公告閱讀率",
    "Announcement read rate",
    "近 30 天本校與各班發布的公告，對象（教職員、學生、家長）中已讀者的比率。",
    "Of the announcements the school and its classes published in the last 30 days: the share "
    "of their audience (staff, students, parents) who read them.",
    unit="%",
    achieved_at=70.0,
)
