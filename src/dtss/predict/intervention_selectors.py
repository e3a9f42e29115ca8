"""Reads of the teacher's risk pages (issue 7, item 3): a class ranked by risk with reasons, one
student's risk history, weekly trend and intervention log, and the charts' geometry.

Who sees what is `analytics.access` (the callers check it): a class for its homeroom teacher
and the school's administrators; one student for them by name, for county staff under a
pseudonym. Scores come from the engine (`model_selectors`): the enabled version of the class's
county and stage, its latest cut-off. The trend is read from the analytics rollups
(`StudentWeek`, by its (person, week) key), so a page costs a few small queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from dtss.analytics.class_selectors import class_roster, week_of
from dtss.analytics.metrics import minutes, rate
from dtss.analytics.models import StudentWeek
from dtss.orgs.models import Enrollment, Person, SchoolClass
from dtss.predict.models import STAGE_GROUP, Intervention, ModelVersion, RiskScore

CLASS_WEEKS = 12  # the small trend beside each student of the class list
TERM_MAX_WEEKS = 26  # the student page's trend: the term so far, at most this many weeks
FALLBACK_WEEKS = 20  # when no term covers today
REASONS_SHOWN = 3
BANDS = ("high", "medium", "low")


def stage_of(school_class: SchoolClass) -> str:
    """The model's stage group of a class's school."""
    return STAGE_GROUP.get(school_class.school.stage, "elementary")


def describe(reason: dict[str, Any]) -> str:
    """A reason in plain language (the engine's `reasons.describe`)."""
    from dtss.predict import reasons

    try:
        return reasons.describe(reason, get_language())
    except Exception:
        return str(reason.get("code", "")) if isinstance(reason, dict) else ""


def reason_texts(score: RiskScore, n: int = REASONS_SHOWN) -> list[str]:
    texts = [describe(r) for r in (score.reasons or [])[:n] if isinstance(r, dict)]
    return [t for t in texts if t]


def target_words(version: ModelVersion | None) -> dict[str, Any]:
    """What a version predicts, as the template's parameters (it words them)."""
    target = (version.target if version else None) or {}
    threshold = target.get("threshold")
    number = isinstance(threshold, (int, float)) and not isinstance(threshold, bool)
    return {
        "percent": round(threshold * 100) if number else None,
        "metric": target.get("metric", ""),
        "threshold": target.get("threshold"),
        "horizon_weeks": target.get("horizon_weeks"),
        "min_answers": target.get("min_answers"),
        "subject": target.get("subject", ""),
    }


# --------------------------------------------------------------------------- charts


@dataclass
class Marker:
    x: float
    day: dt.date
    label: str
    pk: int


@dataclass
class Trend:
    """A weekly chart: minutes as bars (left scale), correct rate as a line (0–100 %), and
    the interventions as vertical markers at their dates."""

    width: int
    height: int
    top: int
    bottom: int
    weeks: list[dt.date]
    minutes: list[float]
    rates: list[float | None]
    bars: list[tuple[float, float, float, float, float]]  # x, y, w, h, minutes
    rate_points: str  # polyline of the weeks with a rate (consecutive runs joined)
    rate_dots: list[tuple[float, float, float]]  # x, y, rate
    markers: list[Marker]
    peak: float

    @property
    def rows(self) -> list[tuple[dt.date, float, float | None]]:
        return list(zip(self.weeks, self.minutes, self.rates, strict=True))

    @property
    def empty(self) -> bool:
        """No learning records in any of the weeks shown."""
        return not any(self.minutes) and all(r is None for r in self.rates)


def trend(
    *,
    weeks: list[dt.date],
    values: dict[dt.date, tuple[float, float | None]],
    interventions: list[Intervention],
    width: int = 300,
    height: int = 80,
    pad: int = 4,
) -> Trend:
    """Geometry of the trend chart over `weeks` (Mondays): `values` maps a week to (minutes,
    correct rate or None); interventions inside the span become markers at their day."""
    n = max(len(weeks), 1)
    inner_w = width - 2 * pad
    top, bottom = pad, height - pad
    inner_h = bottom - top
    slot = inner_w / n
    mins = [values.get(w, (0.0, None))[0] for w in weeks]
    rates = [values.get(w, (0.0, None))[1] for w in weeks]
    peak = max(mins) if mins else 0.0
    bars = []
    dots = []
    for i, (m, r) in enumerate(zip(mins, rates, strict=True)):
        h = inner_h * m / peak if peak else 0.0
        bars.append(
            (
                round(pad + i * slot + 1, 1),
                round(bottom - h, 1),
                round(max(slot - 2, 1), 1),
                round(h, 1),
                m,
            )
        )
        if r is not None:
            dots.append((round(pad + (i + 0.5) * slot, 1), round(bottom - inner_h * r / 100, 1), r))
    points = " ".join(f"{x},{y}" for x, y, _r in dots)
    markers = []
    if weeks:
        first, end = weeks[0], weeks[-1] + dt.timedelta(days=6)
        for iv in interventions:
            if first <= iv.date <= end:
                x = pad + ((iv.date - first).days + 0.5) / 7 * slot
                markers.append(Marker(round(x, 1), iv.date, iv.get_kind_display(), iv.pk))
    return Trend(width, height, top, bottom, weeks, mins, rates, bars, points, dots, markers, peak)


def week_values(
    person_ids: list[int], first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, tuple[float, float | None]]]:
    """(minutes, correct rate) per person per week from the rollups."""
    out: dict[int, dict[dt.date, tuple[float, float | None]]] = defaultdict(dict)
    if not person_ids:
        return out
    rows = StudentWeek.objects.filter(
        person_id__in=person_ids, week__range=(first, last)
    ).values_list("person_id", "week", "seconds", "answered", "correct")
    for pid, week, seconds, answered, correct in rows:
        out[pid][week] = (minutes(float(seconds)), rate(correct, answered))
    return out


def span(last: dt.date, n: int) -> list[dt.date]:
    last = week_of(last)
    return [last - dt.timedelta(weeks=n - 1 - i) for i in range(n)]


# --------------------------------------------------------------------------- the class


@dataclass
class RiskRow:
    score: RiskScore | None
    person: Person
    seat: int
    reasons: list[str]
    trend: Trend
    interventions: list[Intervention]

    @property
    def band(self) -> str:
        return self.score.band if self.score else "unscored"

    @property
    def percent(self) -> int | None:
        if self.score is None or self.score.probability is None:
            return None
        return round(self.score.probability * 100)

    @property
    def rank(self) -> int | None:
        return self.score.rank if self.score else None

    @property
    def last_intervention(self) -> Intervention | None:
        return self.interventions[0] if self.interventions else None


@dataclass
class ClassRisk:
    school_class: SchoolClass
    stage: str
    version: ModelVersion | None
    as_of: dt.date | None
    ranked: list[RiskRow]
    insufficient: list[RiskRow]
    counts: dict[str, int] = field(default_factory=dict)
    band: str = ""  # the filter
    enrolled: int = 0

    @property
    def shown(self) -> list[RiskRow]:
        if not self.band:
            return self.ranked
        return [r for r in self.ranked if r.band == self.band]


def class_interventions(school_class: SchoolClass, person_ids: list[int]) -> QuerySet:
    return (
        Intervention.objects.filter(person_id__in=person_ids, school_id=school_class.school_id)
        .select_related("created_by", "created_by__person")
        .order_by("-date", "-id")
    )


def class_risk(
    *, school_class: SchoolClass, today: dt.date, band: str = "", with_trends: bool = True
) -> ClassRisk:
    """The class's students ranked by the enabled version's latest scores; students with too
    little data (or not scored) apart, never ranked."""
    from dtss.predict import model_selectors

    stage = stage_of(school_class)
    version = model_selectors.enabled_version(school_class.county, stage)
    roster = class_roster(school_class)
    seats = {e.student_id: e.seat_number for e in roster}
    people = {e.student_id: e.student for e in roster}
    scores: list[RiskScore] = []
    if version is not None:
        scores = [
            s
            for s in model_selectors.latest_scores(school_class)
            if s.person_id in seats and s.version_id == version.pk
        ]
    as_of = scores[0].as_of if scores else None
    ids = list(seats)
    weeks = span(as_of or today, CLASS_WEEKS)
    values = week_values(ids, weeks[0], weeks[-1]) if with_trends else {}
    logs: dict[int, list[Intervention]] = defaultdict(list)
    for iv in class_interventions(school_class, ids):
        logs[iv.person_id].append(iv)

    def make(pid: int, score: RiskScore | None) -> RiskRow:
        return RiskRow(
            score=score,
            person=people[pid],
            seat=seats[pid],
            reasons=reason_texts(score) if score and score.band in BANDS else [],
            trend=trend(weeks=weeks, values=values.get(pid, {}), interventions=logs[pid]),
            interventions=logs[pid],
        )

    by_person = {s.person_id: s for s in scores}
    ranked = [make(s.person_id, s) for s in scores if s.band in BANDS and s.probability is not None]
    ranked.sort(key=lambda r: (r.rank or 10**6, -(r.score.probability or 0), r.seat))
    insufficient = [
        make(pid, by_person.get(pid))
        for pid in sorted(seats, key=lambda p: seats[p])
        if pid not in {r.person.pk for r in ranked}
    ]
    counts = {b: sum(1 for r in ranked if r.band == b) for b in BANDS}
    counts["insufficient"] = len(insufficient)
    return ClassRisk(
        school_class=school_class,
        stage=stage,
        version=version,
        as_of=as_of,
        ranked=ranked,
        insufficient=insufficient if version is not None and scores else [],
        counts=counts,
        band=band if band in BANDS else "",
        enrolled=len(roster),
    )


@dataclass
class ClassLine:
    school_class: SchoolClass
    version: ModelVersion | None
    as_of: dt.date | None
    counts: dict[str, int]
    enrolled: int


def class_lines(classes: list[SchoolClass]) -> list[ClassLine]:
    """Per class: the enabled version, its latest cut-off and the students per band."""
    from dtss.predict import model_selectors

    lines = []
    versions: dict[tuple[int, str], ModelVersion | None] = {}
    enrolled = defaultdict(int)
    for cid in Enrollment.objects.filter(school_class__in=classes).values_list(
        "school_class_id", flat=True
    ):
        enrolled[cid] += 1
    for c in classes:
        key = (c.county_id, stage_of(c))
        if key not in versions:
            versions[key] = model_selectors.enabled_version(c.county, key[1])
        version = versions[key]
        scores = model_selectors.latest_scores(c) if version is not None else []
        counts = {b: 0 for b in (*BANDS, "insufficient")}
        for s in scores:
            counts[s.band] = counts.get(s.band, 0) + 1
        lines.append(
            ClassLine(
                school_class=c,
                version=version,
                as_of=scores[0].as_of if scores else None,
                counts=counts,
                enrolled=enrolled[c.pk],
            )
        )
    return lines


# --------------------------------------------------------------------------- one student


@dataclass
class StudentRisk:
    person: Person
    enrollment: Enrollment | None
    scores: list[RiskScore]  # oldest first
    latest: RiskScore | None
    reasons: list[str]
    trend: Trend
    interventions: list[Intervention]

    @property
    def percent(self) -> int | None:
        if self.latest is None or self.latest.probability is None:
            return None
        return round(self.latest.probability * 100)


def student_interventions(person: Person) -> QuerySet:
    return (
        Intervention.objects.filter(person=person)
        .select_related("created_by", "created_by__person", "school_class")
        .order_by("-date", "-id")
    )


def student_risk(*, person: Person, today: dt.date) -> StudentRisk:
    from dtss.analytics.student_selectors import current_enrollment, term_of
    from dtss.predict import model_selectors

    enrollment = current_enrollment(person)
    scores = list(model_selectors.student_scores(person))
    latest = scores[-1] if scores else None
    term = term_of(today)
    if term is not None:
        first = week_of(term.start_date)
        n = min((week_of(today) - first).days // 7 + 1, TERM_MAX_WEEKS)
    else:
        n = FALLBACK_WEEKS
    weeks = span(today, max(n, 4))
    interventions = list(student_interventions(person))
    values = week_values([person.pk], weeks[0], weeks[-1]).get(person.pk, {})
    return StudentRisk(
        person=person,
        enrollment=enrollment,
        scores=scores,
        latest=latest,
        reasons=reason_texts(latest, n=5) if latest and latest.band in BANDS else [],
        trend=trend(
            weeks=weeks, values=values, interventions=interventions, width=640, height=160, pad=8
        ),
        interventions=interventions,
    )


# --------------------------------------------------------------------------- model versions


def versions_for(user: Any) -> QuerySet[ModelVersion]:
    return (
        ModelVersion.objects.visible_to(user)
        .select_related("county", "created_by", "created_by__person", "enabled_by")
        .defer("artifact")
        .order_by("county__code", "stage", "-number")
    )
