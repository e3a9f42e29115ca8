"""Reports and exports: one organisation's assessment report (PDF, XLSX) and a cycle's table of
assessments (CSV, XLSX).

Two layers:

* builders read through `visible_to(user)` and return plain data (`assessment_report`,
  `cycle_table`), with every label already translated into the active language;
* renderers turn that data into bytes (`render_assessment_pdf`, `render_assessment_xlsx`,
  `render_cycle_csv`, `render_cycle_xlsx`) and touch no database.

The PDF is drawn by WeasyPrint from an HTML template: A4, Noto Sans CJK TC for Chinese, the
stage chart as inline SVG. WeasyPrint may fetch nothing: `LocalOnlyFetcher` refuses every URL
that is not a `data:` URL, so neither a remote server nor a local file is ever read.

Spreadsheet cells never start a formula: text that begins with `=`, `+`, `-`, `@` is written as
text (XLSX) or with a leading apostrophe (CSV), so an evidence title cannot run in Excel.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from dtss.framework.models import (
    Action,
    Assessment,
    Cycle,
    Evidence,
    Goal,
    Item,
    Level,
    Plan,
    Response,
    Stage,
)
from dtss.framework.plan_selectors import is_overdue  # the plans' one rule
from dtss.framework.selectors import assessment_items, indicator_readings, rule_of
from dtss.framework.stages import STAGES, ItemStage, StrategyState

logger = logging.getLogger(__name__)

# 0 = not yet at the development stage, 1 = D, 2 = A, 3 = M (the chart's scale)
STAGE_VALUE: dict[str | None, int] = {None: 0, "D": 1, "A": 2, "M": 3}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- data ------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    title: str
    value: float | None
    unit: str
    achieved: bool | None
    disagreement: str  # "" | "claimed_not_measured" | "measured_not_claimed"

    @property
    def value_text(self) -> str:
        if self.value is None:
            return _("no data")
        if self.unit == "yes/no":
            return _("Yes") if self.value else _("No")
        number = f"{round(self.value, 1):g}"
        if self.unit == "%":
            return f"{number}%"
        return f"{number} {self.unit}".strip()

    @property
    def text(self) -> str:
        out = f"{self.title}: {self.value_text}"
        if self.disagreement == "claimed_not_measured":
            out += " " + _("(marked as implemented, but the measured value is below target)")
        elif self.disagreement == "measured_not_claimed":
            out += " " + _("(the measured value meets the target, but not marked as implemented)")
        return out


@dataclass
class EvidenceRow:
    item_code: str
    strategy_code: str
    title: str
    kind: str
    kind_label: str
    added_at: datetime | None
    added_by: str


@dataclass
class StrategyRow:
    item_code: str
    code: str
    stage: str
    stage_label: str
    text: str
    is_local: bool
    status: str
    status_label: str
    met: bool
    owner: str
    notes: str
    evidence: list[EvidenceRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass
class ItemRow:
    code: str
    title: str
    stage: str | None
    stage_label: str
    stage_value: int  # STAGE_VALUE
    next_stage: str | None
    next_stage_label: str
    next_met: int
    next_needed: int
    next_total: int
    next_share: float  # share of the next stage's strategies already met (1.0 at maturity)
    share_text: str
    next_steps: tuple[str, ...]
    strategies: list[StrategyRow]

    @property
    def next_percent(self) -> int:
        return round(100 * self.next_share)

    @property
    def chart_value(self) -> float:
        """The stage reached plus the share of the next one, for a bar from 0 to 3."""
        return self.stage_value + (self.next_share if self.next_stage else 0)


@dataclass
class ActionRow:
    title: str
    owner: str
    starts_on: date | None
    ends_on: date | None
    budget: Decimal | None
    funding: str
    funding_label: str
    programme: str
    status: str
    status_label: str
    progress: int
    overdue: bool

    @property
    def budget_text(self) -> str:
        return "" if self.budget is None else f"{self.budget:,.0f}"


@dataclass
class GoalRow:
    title: str
    strategy_codes: list[str]
    actions: list[ActionRow]


@dataclass
class PlanRow:
    title: str
    horizon_label: str
    starts_on: date | None
    ends_on: date | None
    cycle_name: str
    goals: list[GoalRow]

    @property
    def budget_total(self) -> Decimal:
        return sum(
            (a.budget for g in self.goals for a in g.actions if a.budget is not None),
            Decimal(0),
        )

    @property
    def budget_text(self) -> str:
        return f"{self.budget_total:,.0f}"

    @property
    def overdue_total(self) -> int:
        return sum(1 for g in self.goals for a in g.actions if a.overdue)


@dataclass
class ReportData:
    assessment: Assessment
    org_name: str
    org_code: str
    county_name: str
    district_name: str
    level: str
    level_label: str
    cycle_name: str
    cycle_opens_on: date
    cycle_deadline: date
    status: str
    status_label: str
    rule_text: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    sampled: bool
    items: list[ItemRow]
    evidence: list[EvidenceRow]
    plans: list[PlanRow]
    generated_at: datetime
    generated_by: str
    language: str

    @property
    def strategies(self) -> list[StrategyRow]:
        return [s for item in self.items for s in item.strategies]

    @property
    def title(self) -> str:
        return _("Self-assessment report: %(org)s, %(cycle)s") % {
            "org": self.org_name,
            "cycle": self.cycle_name,
        }


# --- helpers ---------------------------------------------------------------------------------


def stage_label(stage: str | None) -> str:
    if not stage:
        return _("Not yet at the development stage")
    return str(Stage(stage).label)


def rule_text(cycle: Cycle) -> str:
    """The cycle's stage rule in words."""
    share = Decimal(cycle.rule_share)
    if share >= 1:
        text = _("Every strategy of the stage and of the stages below it is implemented")
    else:
        text = _(
            "%(percent)s%% of the strategies of the stage and the stages below it are implemented"
        ) % {"percent": f"{float(share) * 100:.1f}".rstrip("0").rstrip(".")}
    if cycle.require_evidence:
        text += _(", each with evidence.")
    else:
        text += _("; evidence is not required.")
    return text


def share_text(result: ItemStage) -> str:
    if result.next_stage is None:
        return _("Every stage is met: the item is at maturity.")
    text = ngettext(
        "%(met)d of %(total)d strategy of %(stage)s met",
        "%(met)d of %(total)d strategies of %(stage)s met",
        result.next_total,
    ) % {
        "met": result.next_met,
        "total": result.next_total,
        "stage": Stage(result.next_stage).label,
    }
    if result.next_needed < result.next_total:
        text += " " + _("(%(needed)d needed)") % {"needed": result.next_needed}
    return text


def person_name(user: Any) -> str:
    if user is None:
        return _("system")
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def org_name(assessment: Assessment) -> str:
    if assessment.school_id is None:
        return _("%(county)s (county/city, Table 6)") % {"county": assessment.county.name}
    return str(assessment.school.name)


def local(value: datetime | None) -> datetime | None:
    """An aware datetime in Asia/Taipei (or None)."""
    return timezone.localtime(value) if value is not None else None


# --- builders --------------------------------------------------------------------------------


def _indicators(assessment: Assessment) -> dict[str, list[IndicatorRow]]:
    language = get_language() or ""
    try:
        readings = indicator_readings(assessment=assessment)
    except Exception:  # an indicator of another module must not break the report
        logger.exception("indicator readings failed for assessment %s", assessment.public_id)
        return {}
    return {
        code: [
            IndicatorRow(
                title=r.indicator.title(language),
                value=r.value,
                unit=r.indicator.unit,
                achieved=r.achieved,
                disagreement=r.disagreement,
            )
            for r in rows
        ]
        for code, rows in readings.items()
    }


def _evidence(*, assessment: Assessment, user: Any) -> dict[int, list[EvidenceRow]]:
    """Evidence of the assessment by response id, oldest first, read through visible_to."""
    kinds = dict(Evidence.Kind.choices)
    rows: dict[int, list[EvidenceRow]] = defaultdict(list)
    qs = (
        Evidence.objects.visible_to(user)
        .filter(response__assessment=assessment)
        .select_related("response__strategy__item", "added_by", "added_by__person")
        .order_by("created_at", "id")
    )
    for e in qs:
        rows[e.response_id].append(
            EvidenceRow(
                item_code=e.response.strategy.item.code,
                strategy_code=e.response.strategy.code,
                title=e.title,
                kind=e.kind,
                kind_label=str(kinds.get(e.kind, e.kind)),
                added_at=local(e.created_at),
                added_by=person_name(e.added_by) if e.added_by_id else "",
            )
        )
    return rows


def _strategy_row(
    r: Response, evidence: list[EvidenceRow], indicators: list[IndicatorRow], rule_met: bool
) -> StrategyRow:
    s = r.strategy
    return StrategyRow(
        item_code=s.item.code,
        code=s.code,
        stage=s.stage,
        stage_label=str(Stage(s.stage).label),
        text=s.text,
        is_local=s.is_local,
        status=r.status,
        status_label=str(r.get_status_display()),
        met=rule_met,
        owner=r.owner.name if r.owner_id else "",
        notes=r.notes,
        evidence=evidence,
        indicators=indicators,
    )


def _plans(*, assessment: Assessment, user: Any, today: date) -> list[PlanRow]:
    """The organisation's plans (the county's own for its Table 6), as the user sees them."""
    plans = Plan.objects.visible_to(user).filter(county_id=assessment.county_id)
    if assessment.school_id is None:
        plans = plans.filter(school__isnull=True)
    else:
        plans = plans.filter(school_id=assessment.school_id)
    plans = list(plans.select_related("cycle").order_by("-created_at", "-id"))
    if not plans:
        return []
    goals = (
        Goal.objects.visible_to(user)
        .filter(plan__in=plans)
        .prefetch_related("strategies")
        .order_by("plan", "order", "id")
    )
    actions = (
        Action.objects.visible_to(user)
        .filter(goal__plan__in=plans)
        .select_related("owner")
        .order_by("goal", "starts_on", "id")
    )
    actions_by_goal: dict[int, list[ActionRow]] = defaultdict(list)
    for a in actions:
        actions_by_goal[a.goal_id].append(
            ActionRow(
                title=a.title,
                owner=a.owner.name if a.owner_id else "",
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                budget=a.budget,
                funding=a.funding,
                funding_label=str(a.get_funding_display()) if a.funding else "",
                programme=a.programme,
                status=a.status,
                status_label=str(a.get_status_display()),
                progress=a.progress,
                overdue=is_overdue(a, today),
            )
        )
    goals_by_plan: dict[int, list[GoalRow]] = defaultdict(list)
    for g in goals:
        goals_by_plan[g.plan_id].append(
            GoalRow(
                title=g.title,
                strategy_codes=sorted(s.code for s in g.strategies.all()),
                actions=actions_by_goal.get(g.pk, []),
            )
        )
    return [
        PlanRow(
            title=p.title,
            horizon_label=str(p.get_horizon_display()),
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            cycle_name=p.cycle.name if p.cycle_id else "",
            goals=goals_by_plan.get(p.pk, []),
        )
        for p in plans
    ]


def _strategy_order(r: Response) -> tuple[int, bool, int, str]:
    """Development, acceleration, maturity; the official strategies before local ones."""
    s = r.strategy
    return (STAGES.index(s.stage), s.county_id is not None, s.order, s.code)


def assessment_report(
    *, assessment: Assessment, user: Any, today: date | None = None
) -> ReportData:
    """Everything the report of one assessment shows. The caller has fetched `assessment`
    through `get_visible_or_404`; evidence and plans are read through `visible_to(user)` too."""
    assessment = (
        Assessment.objects.select_related("cycle", "county", "school", "school__district")
        .filter(pk=assessment.pk)
        .get()
    )
    cycle = assessment.cycle
    today = today or timezone.localdate()
    views = assessment_items(assessment=assessment)
    evidence_by_response = _evidence(assessment=assessment, user=user)
    indicators = _indicators(assessment)
    rule = rule_of(cycle)
    items: list[ItemRow] = []
    for view in views:
        res = view.result
        strategies = [
            _strategy_row(
                r,
                evidence_by_response.get(r.pk, []),
                indicators.get(r.strategy.code, []),
                rule.is_met(
                    StrategyState(
                        code=r.strategy.code,
                        stage=r.strategy.stage,
                        status=r.status,
                        has_evidence=getattr(r, "evidence_total", 0) > 0,
                    )
                ),
            )
            for r in sorted(view.responses, key=_strategy_order)
        ]
        items.append(
            ItemRow(
                code=view.item.code,
                title=view.item.title,
                stage=res.stage,
                stage_label=stage_label(res.stage),
                stage_value=STAGE_VALUE[res.stage],
                next_stage=res.next_stage,
                next_stage_label=stage_label(res.next_stage) if res.next_stage else "",
                next_met=res.next_met,
                next_needed=res.next_needed,
                next_total=res.next_total,
                next_share=res.next_share,
                share_text=share_text(res),
                next_steps=res.next_steps,
                strategies=strategies,
            )
        )
    school = assessment.school
    level = Level.COUNTY if school is None else Level.SCHOOL
    return ReportData(
        assessment=assessment,
        org_name=org_name(assessment),
        org_code=school.code if school else assessment.county.code,
        county_name=assessment.county.name,
        district_name=school.district.name if school else "",
        level=level,
        level_label=str(Level(level).label),
        cycle_name=cycle.name,
        cycle_opens_on=cycle.opens_on,
        cycle_deadline=cycle.deadline,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        rule_text=rule_text(cycle),
        submitted_at=local(assessment.submitted_at),
        accepted_at=local(assessment.accepted_at),
        sampled=assessment.sampled,
        items=items,
        evidence=[e for item in items for s in item.strategies for e in s.evidence],
        plans=_plans(assessment=assessment, user=user, today=today),
        generated_at=timezone.localtime(),
        generated_by=person_name(user),
        language=get_language() or "",
    )


@dataclass
class CycleRow:
    assessment: Assessment
    school_code: str
    school_name: str
    district: str
    school_stage: str  # label of the school's stage (國小, 國中 …)
    area: str
    status: str
    status_label: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    sampled: bool
    stages: dict[str, str | None]  # item code -> "D" | "A" | "M" | None


@dataclass
class CycleTable:
    cycle: Cycle
    item_codes: list[str]
    rows: list[CycleRow]
    generated_at: datetime
    generated_by: str

    @property
    def headers(self) -> list[str]:
        return [
            _("School code"),
            _("School"),
            _("District"),
            _("School stage"),
            _("Area category"),
            _("Status"),
            _("Submitted at"),
            _("Accepted at"),
            _("Sampled for verification"),
            *self.item_codes,
        ]

    def values(self, row: CycleRow) -> list[Any]:
        """One row as cell values; stages as their labels, an empty cell for none yet."""
        return [
            row.school_code,
            row.school_name,
            row.district,
            row.school_stage,
            row.area,
            row.status_label,
            row.submitted_at,
            row.accepted_at,
            _("Yes") if row.sampled else _("No"),
            *(
                stage_label(row.stages.get(code)) if row.stages.get(code) else ""
                for code in self.item_codes
            ),
        ]


def cycle_table(*, cycle: Cycle, user: Any) -> CycleTable:
    """One row per school assessment of the cycle that the user can see (county staff: every
    school of the cycle; a school's staff: their own school), by school code. The county's own
    assessment (Table 6) has its own report and is not a row here."""
    from dtss.orgs.models import School

    stage_labels = dict(School.Stage.choices)
    area_labels = dict(School.Area.choices)
    qs = (
        Assessment.objects.visible_to(user)
        .filter(cycle=cycle, school__isnull=False)
        .select_related("school", "school__district")
        .order_by("school__code", "id")
    )
    item_codes = list(
        Item.objects.filter(version_id=cycle.version_id, level=Level.SCHOOL)
        .order_by("order")
        .values_list("code", flat=True)
    )
    rows = [
        CycleRow(
            assessment=a,
            school_code=a.school.code,
            school_name=a.school.name,
            district=a.school.district.name,
            school_stage=str(stage_labels.get(a.school.stage, a.school.stage)),
            area=str(area_labels.get(a.school.area, a.school.area)),
            status=a.status,
            status_label=str(a.get_status_display()),
            submitted_at=local(a.submitted_at),
            accepted_at=local(a.accepted_at),
            sampled=a.sampled,
            stages={code: (a.stages or {}).get(code) for code in item_codes},
        )
        for a in qs
    ]
    return CycleTable(
        cycle=cycle,
        item_codes=item_codes,
        rows=rows,
        generated_at=timezone.localtime(),
        generated_by=person_name(user),
    )


# --- renderers: PDF --------------------------------------------------------------------------


def pdf_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and refuses everything else: no
    network, no local files."""
    from weasyprint.urls import URLFetcher

    class _Fetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                logger.warning("PDF report: refused to fetch %s", url[:100])
                raise ValueError("DTSS reports fetch no URLs")
            return super().fetch(url, headers)

    return _Fetcher()


def _chart(items: list[ItemRow]) -> dict[str, Any]:
    """Geometry of the stage profile drawn as inline SVG: one bar per item from 0 to 3
    (none, D, A, M), the reached stages solid and the share of the next stage lighter."""
    label_w, plot_w, row_h, top = 60, 400, 22, 24
    unit = plot_w / 3
    rows = []
    for i, item in enumerate(items):
        y = top + i * row_h
        solid = item.stage_value * unit
        partial = item.next_share * unit if item.next_stage else 0
        rows.append(
            {
                "code": item.code,
                "y": y,
                "text_y": y + row_h / 2 + 4,
                "solid": round(solid, 1),
                "partial_x": round(label_w + solid, 1),
                "partial": round(partial, 1),
                "label": item.stage_label,
                "value_x": round(label_w + solid + partial + 4, 1),
            }
        )
    grid = [
        {"x": round(label_w + k * unit, 1), "label": stage_label(s) if k else "0"}
        for k, s in enumerate([None, *STAGES])
    ]
    return {
        "width": label_w + plot_w + 60,
        "height": top + len(items) * row_h + 8,
        "label_w": label_w,
        "plot_w": plot_w,
        "row_h": row_h - 6,
        "top": top,
        "bottom": top + len(items) * row_h,
        "rows": rows,
        "grid": grid,
    }


def render_assessment_html(report: ReportData) -> str:
    return render_to_string(
        "framework/reports/assessment.html", {"r": report, "chart": _chart(report.items)}
    )


def render_assessment_pdf(report: ReportData) -> bytes:
    from weasyprint import HTML

    html = render_assessment_html(report)
    return HTML(string=html, url_fetcher=pdf_fetcher(), media_type="print").write_pdf()


# --- renderers: spreadsheets -----------------------------------------------------------------


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell; text is always text (never a formula), dates get a date format."""
    value = _cell_value(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _table(ws: Any, first_row: int, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    for c, h in enumerate(headers, start=1):
        cell = _put(ws, first_row, c, h)
        cell.font = bold
        cell.fill = fill
    for r, values in enumerate(rows, start=first_row + 1):
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if rows:
        from openpyxl.utils import get_column_letter

        last = get_column_letter(len(headers))
        ws.auto_filter.ref = f"A{first_row}:{last}{first_row + len(rows)}"


def _widths(ws: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _save(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _heading(ws: Any, lines: list[str]) -> int:
    """Title lines at the top of a sheet; returns the first free row after one blank row."""
    from openpyxl.styles import Font

    for i, line in enumerate(lines, start=1):
        cell = _put(ws, i, 1, line)
        if i == 1:
            cell.font = Font(bold=True, size=14)
    return len(lines) + 2


def render_assessment_xlsx(report: ReportData) -> bytes:
    """Sheets: Stages (with a bar chart of the stage per item), Strategies, Evidence, Plan."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = _("Stages")
    generated = _("Generated %(at)s by %(by)s") % {
        "at": report.generated_at.strftime("%Y-%m-%d %H:%M"),
        "by": report.generated_by,
    }
    first = _heading(
        ws,
        [
            report.title,
            f"{_('Status')}: {report.status_label} · {_('Stage rule')}: {report.rule_text}",
            f"{_('Stage scale')}: 0 = {stage_label(None)}, 1 = {stage_label('D')}, "
            f"2 = {stage_label('A')}, 3 = {stage_label('M')}",
            generated,
        ],
    )
    _table(
        ws,
        first,
        [
            _("Item"),
            pgettext("item", "Title"),
            pgettext("framework", "Stage"),
            _("Stage (0–3)"),
            _("Next stage"),
            _("Met"),
            _("Needed"),
            _("Strategies of the next stage"),
            _("Share toward the next stage"),
            _("Next steps"),
        ],
        [
            [
                item.code,
                item.title,
                item.stage_label,
                item.stage_value,
                item.next_stage_label,
                item.next_met if item.next_stage else None,
                item.next_needed if item.next_stage else None,
                item.next_total if item.next_stage else None,
                item.next_share,
                ", ".join(item.next_steps),
            ]
            for item in report.items
        ],
    )
    for r in range(first + 1, first + 1 + len(report.items)):
        ws.cell(row=r, column=9).number_format = "0%"
    _widths(ws, [8, 40, 16, 10, 14, 8, 8, 12, 14, 40])
    if report.items:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = _("Stage per item")
        chart.y_axis.title = _("Stage (0–3)")
        chart.x_axis.title = _("Item")
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 3
        chart.y_axis.majorUnit = 1
        chart.legend = None
        last = first + len(report.items)
        chart.add_data(Reference(ws, min_col=4, min_row=first, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        chart.height = max(6, 1.2 * len(report.items) + 3)
        chart.width = 16
        ws.add_chart(chart, f"A{last + 3}")

    ws = wb.create_sheet(_("Strategies"))
    _table(
        ws,
        1,
        [
            _("Item"),
            _("Strategy ID"),
            pgettext("framework", "Stage"),
            _("Strategy"),
            _("Status"),
            _("Meets the rule"),
            _("Owner"),
            _("Notes"),
            _("Evidence"),
            _("Indicators"),
        ],
        [
            [
                s.item_code,
                s.code,
                s.stage_label,
                s.text,
                s.status_label,
                _("Yes") if s.met else _("No"),
                s.owner,
                s.notes,
                len(s.evidence),
                "\n".join(i.text for i in s.indicators),
            ]
            for s in report.strategies
        ],
    )
    _widths(ws, [8, 12, 12, 60, 16, 10, 14, 40, 10, 40])

    ws = wb.create_sheet(_("Evidence"))
    _table(
        ws,
        1,
        [
            _("Item"),
            _("Strategy ID"),
            pgettext("document", "Title"),
            _("Kind"),
            _("Added at"),
            _("Added by"),
        ],
        [
            [e.item_code, e.strategy_code, e.title, e.kind_label, e.added_at, e.added_by]
            for e in report.evidence
        ],
    )
    _widths(ws, [8, 12, 50, 14, 18, 16])

    ws = wb.create_sheet(_("Plan"))
    plan_rows: list[list[Any]] = []
    for p in report.plans:
        for g in p.goals or [GoalRow(title="", strategy_codes=[], actions=[])]:
            actions: list[ActionRow | None] = list(g.actions) or [None]
            for a in actions:
                plan_rows.append(
                    [
                        p.title,
                        p.horizon_label,
                        g.title,
                        ", ".join(g.strategy_codes),
                        a.title if a else "",
                        a.owner if a else "",
                        a.starts_on if a else None,
                        a.ends_on if a else None,
                        a.budget if a else None,
                        a.funding_label if a else "",
                        a.programme if a else "",
                        a.status_label if a else "",
                        (a.progress / 100) if a else None,
                        (_("Overdue") if a.overdue else "") if a else "",
                    ]
                )
    _table(
        ws,
        1,
        [
            _("Plan"),
            _("Horizon"),
            _("Goal"),
            _("Strategies"),
            pgettext("plan", "Action"),
            _("Owner"),
            _("Starts"),
            _("Ends"),
            _("Budget (NT$)"),
            _("Funding source"),
            _("Programme"),
            _("Status"),
            _("Progress"),
            _("Overdue"),
        ],
        plan_rows,
    )
    for r in range(2, 2 + len(plan_rows)):
        ws.cell(row=r, column=9).number_format = "#,##0"
        ws.cell(row=r, column=13).number_format = "0%"
    _widths(ws, [30, 14, 30, 16, 40, 14, 12, 12, 12, 16, 20, 12, 10, 10])
    return _save(wb)


def render_cycle_csv(table: CycleTable) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(
            [
                v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else csv_safe(v)
                for v in table.values(row)
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render_cycle_xlsx(table: CycleTable) -> bytes:
    """Sheet "Assessments" (one row per school) and "Summary" (schools per stage and item,
    with a stacked bar chart)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = _("Assessments")
    _table(ws, 1, table.headers, [table.values(row) for row in table.rows])
    _widths(ws, [10, 24, 14, 14, 16, 14, 17, 17, 10] + [10] * len(table.item_codes))

    ws = wb.create_sheet(_("Summary"))
    first = _heading(
        ws,
        [
            f"{table.cycle.name}: {_('schools per stage')}",
            _("Generated %(at)s by %(by)s")
            % {"at": table.generated_at.strftime("%Y-%m-%d %H:%M"), "by": table.generated_by},
        ],
    )
    levels: list[str | None] = [None, *STAGES]
    counts = [
        [
            code,
            *(sum(1 for row in table.rows if row.stages.get(code) == s) for s in levels),
        ]
        for code in table.item_codes
    ]
    _table(ws, first, [_("Item"), *(stage_label(s) for s in levels)], counts)
    _widths(ws, [10, 18, 14, 14, 14])
    if table.item_codes:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = _("Schools per stage")
        chart.y_axis.title = _("Schools")
        chart.x_axis.title = _("Item")
        last = first + len(table.item_codes)
        chart.add_data(
            Reference(ws, min_col=2, max_col=1 + len(levels), min_row=first, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
        ws.add_chart(chart, f"G{first}")
    return _save(wb)
