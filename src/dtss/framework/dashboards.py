"""Reads of the cycle pages and the dashboards. Every query starts from `visible_to(user)`.

The dashboards read `Assessment.stages` (item code → "D"/"A"/"M"/None, kept up to date by the
services) and never recompute stages from responses: the county heatmap is one query for the
cycle's assessments joined with their schools, plus one for the stages of earlier cycles
("not moved for two cycles") and the indicator readings beside the self-ratings
(`selectors.disagreements`: two queries plus each indicator's own).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dtss.core import indicators as indicator_registry
from dtss.core.tenancy import scope_for
from dtss.framework import selectors
from dtss.framework.models import Assessment, Cycle, Item, Level, Stage
from dtss.orgs.models import County, School

logger = logging.getLogger(__name__)

STAGE_KEYS = ("none", "D", "A", "M")
STAGE_RANK = {"none": 0, "D": 1, "A": 2, "M": 3}
OPEN_STATUSES = (Assessment.Status.DRAFT, Assessment.Status.CHANGES)
DONE_STATUSES = (Assessment.Status.SUBMITTED, Assessment.Status.ACCEPTED)

# Size bands of the heatmap filter: (value, lower bound, upper bound or None).
SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("lt100", 0, 100),
    ("100-499", 100, 500),
    ("500-999", 500, 1000),
    ("1000+", 1000, None),
)


def size_band_choices() -> list[tuple[str, str]]:
    return [
        ("lt100", _("Fewer than 100 students")),
        ("100-499", _("100–499 students")),
        ("500-999", _("500–999 students")),
        ("1000+", _("1,000 students or more")),
    ]


def stage_key(stage: Any) -> str:
    return stage if stage in ("D", "A", "M") else "none"


@dataclass(frozen=True)
class StageLabel:
    key: str
    short: str
    long: str


def stage_labels() -> dict[str, StageLabel]:
    """Labels in the active language: a short one inside heatmap cells, a long one for the
    legend, titles and screen readers."""
    return {
        "none": StageLabel(
            "none", pgettext("stage, short", "None"), _("Not yet at the development stage")
        ),
        "D": StageLabel("D", pgettext("stage, short", "Dev."), str(Stage.DEVELOPMENT.label)),
        "A": StageLabel("A", pgettext("stage, short", "Acc."), str(Stage.ACCELERATION.label)),
        "M": StageLabel("M", pgettext("stage, short", "Mat."), str(Stage.MATURITY.label)),
    }


def status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Assessment.Status.choices}


def items_of(*, version_id: int, level: str) -> list[Item]:
    return list(Item.objects.filter(version_id=version_id, level=level).order_by("order"))


def stages_of(assessment: Assessment) -> dict[str, str | None]:
    """The stages to show for an assessment: the frozen snapshot once accepted, else the live
    stages the services keep up to date."""
    if assessment.status == Assessment.Status.ACCEPTED:
        items = (assessment.snapshot or {}).get("items")
        if items:
            return {row.get("item"): row.get("stage") for row in items}
    return dict(assessment.stages or {})


# --- cycles -------------------------------------------------------------------------------------


@dataclass
class Progress:
    total: int = 0
    draft: int = 0
    changes: int = 0
    submitted: int = 0
    accepted: int = 0
    overdue: int = 0
    county_status: str = ""  # status of the county's own (Table 6) assessment, if any

    @property
    def county_status_label(self) -> str:
        return str(Assessment.Status(self.county_status).label) if self.county_status else ""

    @property
    def done(self) -> int:
        return self.submitted + self.accepted

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def accepted_percent(self) -> int:
        return round(100 * self.accepted / self.total) if self.total else 0


def cycle_list(*, user: Any, today: date | None = None) -> list[tuple[Cycle, Progress]]:
    """The cycles the user can see with the progress of the assessments the user can see (a
    school sees its own, the county all of its schools)."""
    today = today or timezone.localdate()
    cycles = list(Cycle.objects.visible_to(user).select_related("county", "term"))
    progress = {c.pk: Progress() for c in cycles}
    visible = Assessment.objects.visible_to(user).filter(cycle__in=[c.pk for c in cycles])
    for cycle_id, status in visible.filter(school__isnull=True).values_list("cycle_id", "status"):
        progress[cycle_id].county_status = status
    rows = (
        visible.filter(school__isnull=False)
        .values("cycle_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    deadlines = {c.pk: c.deadline for c in cycles}
    for row in rows:
        p = progress[row["cycle_id"]]
        n = row["n"]
        p.total += n
        if row["status"] == Assessment.Status.DRAFT:
            p.draft += n
        elif row["status"] == Assessment.Status.CHANGES:
            p.changes += n
        elif row["status"] == Assessment.Status.SUBMITTED:
            p.submitted += n
        elif row["status"] == Assessment.Status.ACCEPTED:
            p.accepted += n
        if row["status"] in OPEN_STATUSES and deadlines[row["cycle_id"]] < today:
            p.overdue += n
    return [(c, progress[c.pk]) for c in cycles]


@dataclass
class StatusRow:
    assessment: Assessment
    cells: list[tuple[str, StageLabel]]
    overdue: bool


def cycle_status_rows(
    *, user: Any, cycle: Cycle, status: str = "", today: date | None = None
) -> list[StatusRow]:
    """Per-organisation status of a cycle: the county's own assessment first, then schools."""
    today = today or timezone.localdate()
    qs = (
        Assessment.objects.visible_to(user)
        .filter(cycle=cycle)
        .select_related("school", "school__district")
        .defer("snapshot")
        .order_by(F("school__code").asc(nulls_first=True), "id")
    )
    if status:
        qs = qs.filter(status=status) if status in Assessment.Status.values else qs.none()
    labels = stage_labels()
    school_items = [i.code for i in items_of(version_id=cycle.version_id, level=Level.SCHOOL)]
    county_items = [i.code for i in items_of(version_id=cycle.version_id, level=Level.COUNTY)]
    out = []
    for a in qs:
        codes = county_items if a.school_id is None else school_items
        stages = a.stages or {}
        cells = [(code, labels[stage_key(stages.get(code))]) for code in codes]
        out.append(
            StatusRow(
                assessment=a,
                cells=cells,
                overdue=a.status in OPEN_STATUSES and cycle.deadline < today,
            )
        )
    return out


# --- the county dashboard -----------------------------------------------------------------------


def dashboard_counties(*, user: Any) -> QuerySet[County]:
    """Counties whose dashboard the user may open: their own as county staff; every county
    with a cycle for MOE viewers and superusers."""
    scope = scope_for(user)
    if scope.superuser or scope.everything:
        return County.objects.filter(cycles__isnull=False).distinct().order_by("code")
    return County.objects.filter(pk__in=scope.county_ids).order_by("code")


def dashboard_cycles(*, user: Any, county: County) -> QuerySet[Cycle]:
    return Cycle.objects.visible_to(user).filter(county=county).order_by("-opens_on", "-id")


@dataclass
class Filters:
    district: str = ""  # district public id
    stage: str = ""  # school stage
    size: str = ""  # size band value
    area: str = ""  # area category
    sort: str = "code"

    def apply(self, qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
        if self.district:
            try:
                import uuid

                qs = qs.filter(school__district__public_id=uuid.UUID(self.district))
            except ValueError:
                qs = qs.none()
        if self.stage:
            qs = qs.filter(school__stage=self.stage)
        if self.area:
            qs = qs.filter(school__area=self.area)
        if self.size:
            band = next((b for b in SIZE_BANDS if b[0] == self.size), None)
            if band is None:
                return qs.none()
            qs = qs.filter(school__student_count__gte=band[1])
            if band[2] is not None:
                qs = qs.filter(school__student_count__lt=band[2])
        return qs


@dataclass
class HeatRow:
    assessment_public_id: Any
    school: School
    status: str
    sampled: bool
    keys: list[str]  # stage key per item, in item order

    @property
    def rank_sum(self) -> int:
        return sum(STAGE_RANK[k] for k in self.keys)


@dataclass
class Distribution:
    item: Item
    counts: dict[str, int]
    total: int

    @property
    def parts(self) -> list[tuple[str, int, str]]:
        """(stage key, count, percent as "12.5") for the stacked bar, none first. The percent
        is a string so that no locale formats it for CSS."""
        out = []
        for k in STAGE_KEYS:
            n = self.counts.get(k, 0)
            out.append((k, n, f"{100 * n / self.total:.1f}" if self.total else "0"))
        return out


@dataclass
class NotMoved:
    school: School
    keys: list[str]
    cycles: list[str]


@dataclass
class OverdueRow:
    school: School | None  # None: the county's own plans
    actions: int
    oldest: date


@dataclass
class CountyDashboard:
    county: County
    cycle: Cycle
    items: list[Item]
    rows: list[HeatRow]
    distribution: list[Distribution]
    not_moved: list[NotMoved]
    county_assessment: Assessment | None
    county_items: list[Item]
    county_keys: list[str]
    status_counts: dict[str, int] = field(default_factory=dict)
    overdue: list[OverdueRow] = field(default_factory=list)
    # where a self-rating and the registry's indicators disagree (None: they failed to compute)
    disagreements: list[selectors.Disagreement] | None = field(default_factory=list)
    indicator_total: int = 0  # indicators registered for the county and for schools


SORTS = {"code", "name", "district", "students", "status", "total"}


def _sort_rows(rows: list[HeatRow], sort: str, codes: list[str]) -> list[HeatRow]:
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key in codes:
        i = codes.index(key)
        # Highest stage first by default; "-S1" lists the lowest first.
        return sorted(
            rows, key=lambda r: (STAGE_RANK[r.keys[i]] * (1 if desc else -1), r.school.code)
        )
    if key == "total":
        return sorted(rows, key=lambda r: (r.rank_sum * (1 if desc else -1), r.school.code))
    getters = {
        "code": lambda r: r.school.code,
        "name": lambda r: (r.school.name, r.school.code),
        "district": lambda r: (r.school.district.code, r.school.code),
        "students": lambda r: (r.school.student_count, r.school.code),
        "status": lambda r: (r.status, r.school.code),
    }
    return sorted(rows, key=getters.get(key, getters["code"]), reverse=desc)


def county_dashboard(*, user: Any, cycle: Cycle, filters: Filters) -> CountyDashboard:
    """The heatmap of schools × items for one cycle, the stage distribution per item, the
    schools that have not moved, and the county's own Table 6 profile."""
    items = items_of(version_id=cycle.version_id, level=Level.SCHOOL)
    codes = [i.code for i in items]
    base = Assessment.objects.visible_to(user).filter(county_id=cycle.county_id)
    qs = filters.apply(
        base.filter(cycle=cycle, school__isnull=False)
        .select_related("school", "school__district")
        .only(
            "public_id",
            "status",
            "sampled",
            "stages",
            "school_id",
            "cycle_id",
            "county_id",
            "school__public_id",
            "school__code",
            "school__name_zh",
            "school__name_en",
            "school__stage",
            "school__area",
            "school__student_count",
            "school__district_id",
            "school__district__code",
            "school__district__name_zh",
            "school__district__name_en",
        )
    )
    rows: list[HeatRow] = []
    counts: dict[str, Counter[str]] = {code: Counter() for code in codes}
    status_counts: Counter[str] = Counter()
    shown: list[Assessment] = []
    for a in qs:
        shown.append(a)
        stages = a.stages or {}
        keys = [stage_key(stages.get(code)) for code in codes]
        for code, k in zip(codes, keys, strict=True):
            counts[code][k] += 1
        status_counts[a.status] += 1
        rows.append(HeatRow(a.public_id, a.school, a.status, a.sampled, keys))
    rows = _sort_rows(rows, filters.sort or "code", codes)
    distribution = [Distribution(item, dict(counts[item.code]), len(rows)) for item in items]

    county_items = items_of(version_id=cycle.version_id, level=Level.COUNTY)
    county_assessment = base.filter(cycle=cycle, school__isnull=True).defer("snapshot").first()
    county_stages = county_assessment.stages if county_assessment else {}
    county_keys = [stage_key((county_stages or {}).get(i.code)) for i in county_items]
    if county_assessment is not None:
        county_assessment.county = cycle.county
    disagreements: list[selectors.Disagreement] | None
    try:
        disagreements = selectors.disagreements(
            assessments=([county_assessment] if county_assessment else []) + shown
        )
    except Exception:
        logger.exception("indicator readings failed for the dashboard of cycle %s", cycle.pk)
        disagreements = None
    return CountyDashboard(
        overdue=overdue_plans(
            user=user,
            county=cycle.county,
            schools={r.school.pk: r.school for r in rows},
            today=timezone.localdate(),
        ),
        county=cycle.county,
        cycle=cycle,
        items=items,
        rows=rows,
        distribution=distribution,
        not_moved=schools_not_moved(
            user=user, cycle=cycle, codes=codes, schools={r.school.pk: r.school for r in rows}
        ),
        county_assessment=county_assessment,
        county_items=county_items,
        county_keys=county_keys,
        status_counts=dict(status_counts),
        disagreements=disagreements,
        indicator_total=len(indicator_registry.all_indicators()),
    )


def overdue_plans(
    *, user: Any, county: County, schools: dict[int, School], today: date
) -> list[OverdueRow]:
    """Overdue plan actions of the county itself and of the schools shown: how many, and the
    oldest end date missed. One query."""
    from django.db.models import Min

    from dtss.framework.models import Action
    from dtss.framework.plan_selectors import overdue_q

    rows = (
        Action.objects.visible_to(user)
        .filter(overdue_q(today), county=county)
        .values("school_id")
        .annotate(n=Count("id"), oldest=Min("ends_on"))
        .order_by()
    )
    out = []
    for row in rows:
        school_id = row["school_id"]
        if school_id is not None and school_id not in schools:
            continue
        out.append(OverdueRow(schools.get(school_id), row["n"], row["oldest"]))
    return sorted(
        out, key=lambda o: (o.school is not None, o.oldest, o.school.code if o.school else "")
    )


def schools_not_moved(
    *, user: Any, cycle: Cycle, codes: list[str], schools: dict[int, School], span: int = 3
) -> list[NotMoved]:
    """Schools whose stage on every item stayed the same across the last `span` cycles they
    took part in (submitted or accepted), up to and including `cycle`: "not moved for two
    cycles" when span is 3."""
    if not schools:
        return []
    rows = (
        Assessment.objects.visible_to(user)
        .filter(
            county_id=cycle.county_id,
            school__isnull=False,
            status__in=DONE_STATUSES,
            cycle__opens_on__lte=cycle.opens_on,
        )
        .exclude(cycle__opens_on=cycle.opens_on, cycle_id__gt=cycle.pk)
        .order_by("school_id", "-cycle__opens_on", "-cycle_id")
        .values_list("school_id", "cycle__name", "stages")
    )
    history: dict[int, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for school_id, name, stages in rows:
        if school_id not in schools or len(history[school_id]) >= span:
            continue
        history[school_id].append((name, tuple(stage_key((stages or {}).get(c)) for c in codes)))
    out = []
    for school_id, runs in history.items():
        if len(runs) == span and len({keys for _name, keys in runs}) == 1:
            out.append(
                NotMoved(
                    school=schools[school_id],
                    keys=list(runs[0][1]),
                    cycles=[name for name, _keys in reversed(runs)],
                )
            )
    return sorted(out, key=lambda n: n.school.code)


# --- the school profile -------------------------------------------------------------------------


@dataclass
class TrendItem:
    item: Item
    keys: list[str]  # per cycle, oldest first
    current: str
    svg_points: str
    svg_dots: list[tuple[str, str, str]]

    @property
    def current_percent(self) -> int:
        return round(100 * STAGE_RANK[self.current] / 3)


@dataclass
class SchoolProfile:
    school: School
    assessments: list[Assessment]  # oldest first
    provisional: list[bool]  # per assessment: not accepted yet, live stages
    items: list[TrendItem]
    current: Assessment | None


SVG_W, SVG_H, SVG_PAD = 160, 48, 6


def _svg(keys: list[str]) -> tuple[str, list[tuple[str, str, str]]]:
    n = len(keys)
    step = (SVG_W - 2 * SVG_PAD) / (n - 1) if n > 1 else 0
    dots = []
    for i, k in enumerate(keys):
        x = SVG_PAD + i * step if n > 1 else SVG_W / 2
        y = SVG_H - SVG_PAD - STAGE_RANK[k] * (SVG_H - 2 * SVG_PAD) / 3
        dots.append((f"{x:.1f}", f"{y:.1f}", k))
    return " ".join(f"{x},{y}" for x, y, _k in dots), dots


def school_profile(*, user: Any, school: School) -> SchoolProfile:
    """Stage per item in the latest cycle and the trend across cycles, from accepted snapshots
    where they exist, else the live stages."""
    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(school=school)
        .select_related("cycle")
        .order_by("cycle__opens_on", "cycle_id")
    )
    current = assessments[-1] if assessments else None
    version_id = current.cycle.version_id if current else None
    if version_id is None:
        from dtss.framework.selectors import current_version

        version_id = current_version().pk
    items = items_of(version_id=version_id, level=Level.SCHOOL)
    per_cycle = [stages_of(a) for a in assessments]
    trend = []
    for item in items:
        keys = [stage_key(stages.get(item.code)) for stages in per_cycle]
        points, dots = _svg(keys) if keys else ("", [])
        trend.append(
            TrendItem(
                item=item,
                keys=keys,
                current=keys[-1] if keys else "none",
                svg_points=points,
                svg_dots=dots,
            )
        )
    return SchoolProfile(
        school=school,
        assessments=assessments,
        provisional=[a.status != Assessment.Status.ACCEPTED for a in assessments],
        items=trend,
        current=current,
    )


# --- the MOE view -------------------------------------------------------------------------------


@dataclass
class CountyProfile:
    county: County
    assessment: Assessment
    keys: list[str]


def county_comparison(*, user: Any) -> tuple[list[Item], list[CountyProfile], list[Distribution]]:
    """Every visible county's latest own assessment (Table 6), side by side."""
    from dtss.framework.selectors import current_version

    rows = (
        Assessment.objects.visible_to(user)
        .filter(school__isnull=True)
        .select_related("county", "cycle")
        .order_by("county__code", "-cycle__opens_on", "-cycle_id")
    )
    latest: dict[int, Assessment] = {}
    for a in rows:
        latest.setdefault(a.county_id, a)
    version_id = next(iter(latest.values())).cycle.version_id if latest else current_version().pk
    items = items_of(version_id=version_id, level=Level.COUNTY)
    profiles = []
    counts: dict[str, Counter[str]] = {i.code: Counter() for i in items}
    for a in latest.values():
        stages = stages_of(a)
        keys = [stage_key(stages.get(i.code)) for i in items]
        for i, k in zip(items, keys, strict=True):
            counts[i.code][k] += 1
        profiles.append(CountyProfile(county=a.county, assessment=a, keys=keys))
    distribution = [Distribution(i, dict(counts[i.code]), len(profiles)) for i in items]
    return items, profiles, distribution
