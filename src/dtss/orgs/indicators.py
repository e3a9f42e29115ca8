"""Indicators computed from the organisation data (the promotion office, L2.D1 and L2.M1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dtss.core.indicators import Indicator, register
from dtss.orgs.models import OfficeGroup, OfficeTask, PromotionOffice


def _roc_year(as_of: date) -> int:
    return as_of.year - 1911 if as_of.month >= 8 else as_of.year - 1912


def office_in_place(county: Any, as_of: date) -> float:
    """1 when the county has its office, at least one group with members and a work plan for
    the academic year of `as_of`; else 0."""
    office = PromotionOffice.objects.filter(county=county).first()
    if office is None:
        return 0.0
    has_group = OfficeGroup.objects.filter(office=office, members__isnull=False).exists()
    has_plan = office.plans.filter(roc_year=_roc_year(as_of)).exists()
    return 1.0 if has_group and has_plan else 0.0


def standard_groups_share(county: Any, as_of: date) -> float:
    """Share of the four groups of L2.M1 (行政推動, 資訊設備, 教學輔導, 督導考核) that exist with
    members, in percent."""
    kinds = set(
        OfficeGroup.objects.filter(county=county, members__isnull=False)
        .exclude(kind=OfficeGroup.Kind.OTHER)
        .values_list("kind", flat=True)
    )
    return 100.0 * len(kinds) / 4


def work_plan_done_share(county: Any, as_of: date) -> float | None:
    """Share of this academic year's office tasks that are done, in percent (None: no tasks)."""
    tasks = OfficeTask.objects.filter(county=county, plan__roc_year=_roc_year(as_of))
    total = tasks.count()
    if not total:
        return None
    return 100.0 * tasks.filter(status=OfficeTask.Status.DONE).count() / total


register(
    Indicator(
        id="orgs.office_in_place",
        level="county",
        strategies=("L2.D1",),
        title_zh="推動辦公室已設置且有工作計畫",
        title_en="Promotion office set up with a work plan",
        compute=office_in_place,
        unit="yes/no",
        achieved_at=1.0,
        description_zh="縣市已登錄數位學習推動辦公室、至少一個有成員的組別，以及本學年度工作計畫。",
        description_en="The county has recorded its office, at least one group with members and a "
        "work plan for this academic year.",
    )
)
register(
    Indicator(
        id="orgs.office_standard_groups",
        level="county",
        strategies=("L2.M1",),
        title_zh="辦公室四組設置比率",
        title_en="Office groups in place (of the four)",
        compute=standard_groups_share,
        unit="%",
        achieved_at=100.0,
        description_zh="行政推動、資訊設備、教學輔導、督導考核四組中已設置且有成員者的比率。",
        description_en=(
            "Share of the administration, IT equipment, teaching guidance and supervision "
            "groups that exist with members."
        ),
    )
)
register(
    Indicator(
        id="orgs.work_plan_done",
        level="county",
        strategies=("L2.D1",),
        title_zh="本學年度工作項目完成率",
        title_en="This year's office tasks done",
        compute=work_plan_done_share,
        unit="%",
        description_zh="本學年度工作計畫中已完成的工作項目比率。",
        description_en="Share of this academic year's work-plan tasks that are done.",
    )
)
