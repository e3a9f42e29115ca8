"""Learning patterns (issue 7 item 4): students' weekly activity clustered into a few patterns a
teacher can read — steady, mostly at weekends, fading, picking up, in bursts, light use, not
active — per county and school stage group.

`patterns_run` builds, for every student enrolled in the term holding `last_week` at an active
school of the county whose stage belongs to the stage group, a profile over the `weeks` weeks
ending with `last_week` (Mondays, `last_week` included), from the analytics rollups, with a
bounded number of queries (none per student):

- ``minutes``: mean weekly minutes (clustered as ``log1p``);
- ``active_share``: share of the weeks with at least one active day;
- ``weekend_share``: share of the span's minutes on Saturdays and Sundays (from StudentDay);
- ``trend``: the least-squares slope of weekly minutes times (weeks − 1), relative to the mean:
  the fitted change over the span as a share of the mean (−1: the fitted line falls by the mean
  weekly minutes from the first to the last week), clipped to ±TREND_CLIP;
- ``cv``: burstiness, the coefficient of variation of weekly minutes.

A student without an active day in the span is "inactive" and is not clustered. The others are
standardised and clustered with k-means (k from K_MIN to K_MAX, chosen by the silhouette on a
fixed sample; fixed n_init and random_state: the same data give the same run). Each cluster is
then NAMED from its centre in original units by the rules below (first match wins), so every
name means what it says; several clusters may get the same name. With fewer than
MIN_CLUSTERED active students there is nothing to cluster: each is named by the same rules from
their own profile (card ``method`` "rules").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from dtss.analytics.models import StudentDay, StudentWeek
from dtss.orgs.models import County, Enrollment, School, SchoolClass
from dtss.predict.models import STAGE_GROUP, PatternRun, StageGroup, StudentPattern

# --------------------------------------------------------------------------- the rules

WEEKEND_SHARE = 0.6  # centre's weekend share ≥ this → "weekend"
FADING_TREND = -0.8  # centre's trend ≤ this → "fading"
RISING_TREND = 0.8  # centre's trend ≥ this → "rising"
BURSTY_CV = 1.0  # centre's coefficient of variation ≥ this → "bursty"
LIGHT_MINUTES = 30.0  # centre's mean weekly minutes < this → "light"
TREND_CLIP = 2.0

K_MIN, K_MAX = 3, 6
N_INIT = 10
RANDOM_STATE = 0
SILHOUETTE_SAMPLE = 2000
CHOOSE_K_SAMPLE = 5000  # k is chosen on a fixed sample of this many; the final fit uses all
MIN_CLUSTERED = 20
MIN_WEEKS, MAX_WEEKS = 2, 52  # as `dtss model patterns --weeks`
BATCH = 2000

FEATURES = ["minutes", "active_share", "weekend_share", "trend", "cv"]
# Display order of the patterns (also the order of the class include's groups).
ORDER = ["steady", "rising", "weekend", "bursty", "light", "fading", "inactive"]


def rules() -> dict[str, float]:
    return {
        "weekend_share_min": WEEKEND_SHARE,
        "fading_trend_max": FADING_TREND,
        "rising_trend_min": RISING_TREND,
        "bursty_cv_min": BURSTY_CV,
        "light_minutes_max": LIGHT_MINUTES,
    }


def name_for(centre: dict[str, float]) -> str:
    """The pattern a profile (a cluster's centre, or one student's) stands for."""
    if centre["weekend_share"] >= WEEKEND_SHARE:
        return StudentPattern.Pattern.WEEKEND
    if centre["trend"] <= FADING_TREND:
        return StudentPattern.Pattern.FADING
    if centre["trend"] >= RISING_TREND:
        return StudentPattern.Pattern.RISING
    if centre["cv"] >= BURSTY_CV:
        return StudentPattern.Pattern.BURSTY
    if centre["minutes"] < LIGHT_MINUTES:
        return StudentPattern.Pattern.LIGHT
    return StudentPattern.Pattern.STEADY


# --------------------------------------------------------------------------- profiles


def profile(minutes: np.ndarray, active_days: np.ndarray, weekend_minutes: float) -> dict:
    """One student's features from their weekly minutes and active days over the span."""
    w = len(minutes)
    mean = float(minutes.mean())
    total = float(minutes.sum())
    if mean > 0:
        x = np.arange(w, dtype=float) - (w - 1) / 2
        slope = float((x * minutes).sum() / (x * x).sum())
        trend = float(np.clip(slope * (w - 1) / mean, -TREND_CLIP, TREND_CLIP))
        cv = float(minutes.std() / mean)
    else:
        trend, cv = 0.0, 0.0
    return {
        "minutes": round(mean, 2),
        "active_share": round(float((active_days > 0).mean()), 4),
        "weekend_share": round(min(weekend_minutes / total, 1.0), 4) if total > 0 else 0.0,
        "trend": round(trend, 4),
        "cv": round(cv, 4),
        "weekly": [round(float(m), 1) for m in minutes],
    }


def _matrix(profiles: list[dict]) -> np.ndarray:
    return np.array(
        [
            [
                np.log1p(p["minutes"]),
                p["active_share"],
                p["weekend_share"],
                p["trend"],
                p["cv"],
            ]
            for p in profiles
        ],
        dtype=float,
    )


def _centre(profiles: list[dict]) -> dict[str, float]:
    """A cluster's centre in original units: means of its members' features, with the minutes
    the back-transformed mean of log1p(minutes) (the scale the clustering used)."""
    m = _matrix(profiles)
    mean = m.mean(axis=0)
    return {
        "minutes": round(float(np.expm1(mean[0])), 1),
        "active_share": round(float(mean[1]), 3),
        "weekend_share": round(float(mean[2]), 3),
        "trend": round(float(mean[3]), 3),
        "cv": round(float(mean[4]), 3),
    }


def _cluster(profiles: list[dict]) -> tuple[list[int], int, float | None]:
    """k-means on the standardised features; (labels, k, silhouette)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    x = StandardScaler().fit_transform(_matrix(profiles))
    sample = x
    if len(x) > CHOOSE_K_SAMPLE:
        rng = np.random.default_rng(RANDOM_STATE)
        sample = x[np.sort(rng.choice(len(x), CHOOSE_K_SAMPLE, replace=False))]
    distinct = len(np.unique(np.round(sample, 6), axis=0))
    best: tuple[float, int] | None = None
    for k in range(K_MIN, min(K_MAX, distinct - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit_predict(sample)
        if len(set(labels)) < 2:
            continue
        score = float(
            silhouette_score(
                sample,
                labels,
                sample_size=min(len(sample), SILHOUETTE_SAMPLE),
                random_state=RANDOM_STATE,
            )
        )
        if best is None or score > best[0] + 1e-9:
            best = (score, k)
    if best is None:  # too few distinct profiles for three clusters: one cluster
        return [0] * len(profiles), 1, None
    labels = KMeans(n_clusters=best[1], n_init=N_INIT, random_state=RANDOM_STATE).fit_predict(x)
    return [int(v) for v in labels], best[1], round(best[0], 4)


# --------------------------------------------------------------------------- the run


def _weeks(last_week: dt.date, weeks: int) -> list[dt.date]:
    return [last_week - dt.timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)]


def _validate(*, stage: str, last_week: Any, weeks: Any) -> None:
    errors: dict[str, str] = {}
    if stage not in StageGroup.values:
        errors["stage"] = _("Choose one of: %(values)s.") % {"values": ", ".join(StageGroup.values)}
    if not isinstance(last_week, dt.date) or last_week.weekday() != 0:
        errors["last_week"] = _("The last week must be given by its Monday.")
    if not isinstance(weeks, int) or not MIN_WEEKS <= weeks <= MAX_WEEKS:
        errors["weeks"] = _("Choose between %(low)d and %(high)d weeks.") % {
            "low": MIN_WEEKS,
            "high": MAX_WEEKS,
        }
    if errors:
        raise ValidationError(errors)


def _term_for(day: dt.date) -> Any:
    from dtss.analytics.school_selectors import term_for

    return term_for(day)


def patterns_run(*, county: County, stage: str, last_week: dt.date, weeks: int = 8) -> PatternRun:
    """Cluster the stage group's students of the county and store the run (replacing an
    earlier run of the same county, stage and last week). Bad arguments: ValidationError
    naming the field, nothing changed."""
    _validate(stage=stage, last_week=last_week, weeks=weeks)
    span = _weeks(last_week, weeks)
    first_week = span[0]
    index = {w: i for i, w in enumerate(span)}
    stages = [s for s, group in STAGE_GROUP.items() if group == stage]
    term = _term_for(last_week + dt.timedelta(days=6))

    enrolled = Enrollment.objects.filter(
        county=county, school__stage__in=stages, school__active=True, school_class__term=term
    )
    seats: dict[int, tuple[int, int]] = {}
    for person_id, school_id, class_id in enrolled.order_by("id").values_list(
        "student_id", "school_id", "school_class_id"
    ):
        seats.setdefault(person_id, (school_id, class_id))
    people = sorted(seats)
    row = {pid: i for i, pid in enumerate(people)}
    n = len(people)
    minutes = np.zeros((n, weeks))
    days = np.zeros((n, weeks))
    student_ids = enrolled.values("student_id")
    weekly = StudentWeek.objects.filter(
        county=county, person_id__in=student_ids, week__gte=first_week, week__lte=last_week
    ).values_list("person_id", "week", "seconds", "active_days")
    for person_id, week, seconds, active_days in weekly.iterator(chunk_size=BATCH):
        i = row.get(person_id)
        if i is None or week not in index:
            continue
        minutes[i, index[week]] += seconds / 60
        days[i, index[week]] += active_days
    weekend = np.zeros(n)
    by_day = (
        StudentDay.objects.filter(
            county=county,
            person_id__in=student_ids,
            day__gte=first_week,
            day__lte=last_week + dt.timedelta(days=6),
            day__iso_week_day__gte=6,
        )
        .values("person_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("person_id", "seconds")
    )
    for person_id, seconds in by_day:
        i = row.get(person_id)
        if i is not None:
            weekend[i] = (seconds or 0) / 60

    profiles = [profile(minutes[i], days[i], weekend[i]) for i in range(n)]
    active = [i for i in range(n) if days[i].sum() > 0]
    names: dict[int, str] = dict.fromkeys(range(n), StudentPattern.Pattern.INACTIVE)
    clusters: list[dict[str, Any]] = []
    k, silhouette, method = 0, None, "kmeans"
    if len(active) >= MIN_CLUSTERED:
        labels, k, silhouette = _cluster([profiles[i] for i in active])
        members: dict[int, list[int]] = {}
        for i, label in zip(active, labels, strict=True):
            members.setdefault(label, []).append(i)
        for label in sorted(members):
            centre = _centre([profiles[i] for i in members[label]])
            pattern = name_for(centre)
            clusters.append({"pattern": pattern, "centre": centre, "size": len(members[label])})
            for i in members[label]:
                names[i] = pattern
    else:
        method = "rules"
        for i in active:
            names[i] = name_for(profiles[i])
    counts = Counter(names.values())

    card = {
        "features": FEATURES,
        "method": method,
        "k": k,
        "silhouette": silhouette,
        "clusters": clusters,
        "rules": rules(),
        "weeks": weeks,
        "students": n,
        "inactive": counts.get(StudentPattern.Pattern.INACTIVE, 0),
        "counts": {p: counts.get(p, 0) for p in ORDER},
        "term_id": term.pk if term else None,
    }
    with transaction.atomic():
        PatternRun.objects.filter(county=county, stage=stage, last_week=last_week).delete()
        run = PatternRun.objects.create(
            county=county, stage=stage, first_week=first_week, last_week=last_week, card=card
        )
        StudentPattern.objects.bulk_create(
            [
                StudentPattern(
                    county=county,
                    school_id=seats[pid][0],
                    school_class_id=seats[pid][1],
                    person_id=pid,
                    run=run,
                    pattern=names[i],
                    features=profiles[i],
                )
                for i, pid in enumerate(people)
            ],
            batch_size=BATCH,
        )
    return run


# --------------------------------------------------------------------------- what they mean


def pattern_centres(run: PatternRun) -> dict[str, dict[str, float]]:
    """Per pattern of the run, the size-weighted centre of its clusters (original units)."""
    sums: dict[str, dict[str, float]] = {}
    sizes: Counter[str] = Counter()
    for c in run.card.get("clusters", []):
        s = sums.setdefault(c["pattern"], dict.fromkeys(c["centre"], 0.0))
        for key, value in c["centre"].items():
            s[key] += value * c["size"]
        sizes[c["pattern"]] += c["size"]
    return {p: {k: v / sizes[p] for k, v in s.items()} for p, s in sums.items() if sizes[p]}


def meaning(pattern: str, centre: dict[str, float] | None, weeks: int) -> str:
    """What a pattern means, in plain language, with its centre's figures when there is one."""
    if pattern == StudentPattern.Pattern.INACTIVE:
        return _("No active day on any platform in the %(weeks)d weeks.") % {"weeks": weeks}
    if not centre:
        return general_meaning(pattern)
    m = centre["minutes"]
    values = {
        "minutes": round(m),
        "active": round(centre["active_share"] * 100),
        "weekend": round(centre["weekend_share"] * 100),
        "start": max(round(m * (1 - centre["trend"] / 2)), 0),
        "end": max(round(m * (1 + centre["trend"] / 2)), 0),
        "weeks": weeks,
    }
    texts = {
        "weekend": _(
            "Mostly at weekends: %(weekend)d%% of minutes on Saturday or Sunday, about "
            "%(minutes)d minutes a week."
        ),
        "fading": _(
            "Fading: weekly minutes fell from about %(start)d to about %(end)d over the "
            "%(weeks)d weeks."
        ),
        "rising": _(
            "Picking up: weekly minutes rose from about %(start)d to about %(end)d over the "
            "%(weeks)d weeks."
        ),
        "bursty": _(
            "In bursts: a lot in some weeks and little or nothing in others; active in "
            "%(active)d%% of the weeks, about %(minutes)d minutes a week on average."
        ),
        "light": _(
            "Light use: about %(minutes)d minutes a week, active in %(active)d%% of the weeks."
        ),
        "steady": _(
            "Steady: about %(minutes)d minutes a week, active in %(active)d%% of the weeks."
        ),
    }
    return texts[pattern] % values


def general_meaning(pattern: str) -> str:
    """The rule a pattern's name stands for, without figures."""
    return {
        "weekend": _("At least %(share)d%% of minutes on Saturday or Sunday.")
        % {"share": round(WEEKEND_SHARE * 100)},
        "fading": _("Weekly minutes falling by at least %(pct)d%% of the average over the span.")
        % {"pct": round(-FADING_TREND * 100)},
        "rising": _("Weekly minutes rising by at least %(pct)d%% of the average over the span.")
        % {"pct": round(RISING_TREND * 100)},
        "bursty": _(
            "Weekly minutes vary more than their average (coefficient of variation %(cv)s or more)."
        )
        % {"cv": f"{BURSTY_CV:g}"},
        "light": _("Fewer than %(minutes)d minutes a week on average, without the above.")
        % {"minutes": round(LIGHT_MINUTES)},
        "steady": _("Regular weekly use of %(minutes)d minutes or more, without the above.")
        % {"minutes": round(LIGHT_MINUTES)},
        "inactive": _("No active day in the span."),
    }[pattern]


def rules_help() -> list[tuple[str, str]]:
    """How patterns are named, in the order the rules are applied (first match wins)."""
    labels = dict(StudentPattern.Pattern.choices)
    order = ["inactive", "weekend", "fading", "rising", "bursty", "light", "steady"]
    return [(str(labels[code]), general_meaning(code)) for code in order]


def legend(run: PatternRun) -> list[dict[str, Any]]:
    """The patterns of a run, in display order: code, label, count, meaning, rule."""
    centres = pattern_centres(run)
    counts = run.card.get("counts", {})
    labels = dict(StudentPattern.Pattern.choices)
    weeks = run.card.get("weeks", 0)
    out = []
    for code in ORDER:
        n = counts.get(code, 0)
        if not n:
            continue
        out.append(
            {
                "code": code,
                "label": str(labels[code]),
                "count": n,
                "meaning": meaning(code, centres.get(code), weeks)
                if run.card.get("method") == "kmeans" or code == "inactive"
                else general_meaning(code),
                "rule": general_meaning(code),
            }
        )
    return out


# --------------------------------------------------------------------------- selectors


def latest_run(county_id: int, stage: str) -> PatternRun | None:
    return (
        PatternRun.objects.filter(county_id=county_id, stage=stage)
        .order_by("-last_week", "-id")
        .first()
    )


def class_patterns(school_class: SchoolClass) -> list[StudentPattern]:
    """The students of a class in the latest run of its county and stage group, grouped by
    pattern (ORDER) then seat; each carries `meaning` (plain language) and `seat`."""
    stage = STAGE_GROUP.get(school_class.school.stage)
    run = latest_run(school_class.county_id, stage) if stage else None
    if run is None:
        return []
    rows = list(
        StudentPattern.objects.filter(run=run, school_class=school_class).select_related(
            "person", "run"
        )
    )
    seats = dict(
        Enrollment.objects.filter(school_class=school_class).values_list(
            "student_id", "seat_number"
        )
    )
    centres = pattern_centres(run)
    weeks = run.card.get("weeks", 0)
    texts = {
        code: meaning(code, centres.get(code), weeks)
        if run.card.get("method") == "kmeans" or code == "inactive"
        else general_meaning(code)
        for code in ORDER
    }
    for sp in rows:
        sp.seat = seats.get(sp.person_id)
        sp.meaning = texts[sp.pattern]
    rows.sort(key=lambda sp: (ORDER.index(sp.pattern), sp.seat or 0, sp.person.name))
    return rows


@dataclass
class PatternRow:
    """Counts per pattern of a grade or a class."""

    label: str
    grade: int | None
    school_class: SchoolClass | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self, order: list[str]) -> list[int]:
        return [self.counts.get(p, 0) for p in order]


@dataclass
class SchoolPatterns:
    run: PatternRun | None
    grades: list[PatternRow]
    classes: list[PatternRow]
    totals: PatternRow


def school_patterns(
    school: School, run: PatternRun | None = None, classes: list[SchoolClass] | None = None
) -> SchoolPatterns:
    """Counts per pattern per grade and per class of a school in a run (default: the latest of
    its county and stage group). `classes` limits it to those classes (a teacher's)."""
    stage = STAGE_GROUP.get(school.stage)
    if run is None and stage:
        run = latest_run(school.county_id, stage)
    if run is None:
        return SchoolPatterns(None, [], [], PatternRow(_("All"), None))
    qs = StudentPattern.objects.filter(run=run, school=school)
    if classes is not None:
        qs = qs.filter(school_class__in=[c.pk for c in classes])
    raw = list(qs.values("school_class_id", "pattern").annotate(n=Count("id")))
    class_ids = {r["school_class_id"] for r in raw if r["school_class_id"]}
    known = {c.pk: c for c in SchoolClass.objects.filter(pk__in=class_ids)}
    by_class: dict[int | None, PatternRow] = {}
    by_grade: dict[int | None, PatternRow] = {}
    totals = PatternRow(_("All"), None)
    for r in raw:
        c = known.get(r["school_class_id"])
        grade = c.grade if c else None
        row = by_class.setdefault(
            r["school_class_id"],
            PatternRow(str(c) if c else _("Class no longer on record"), grade, c),
        )
        g = by_grade.setdefault(
            grade,
            PatternRow(
                _("Grade %(grade)d") % {"grade": grade} if grade else _("Grade unknown"), grade
            ),
        )
        for target in (row, g, totals):
            target.counts[r["pattern"]] = target.counts.get(r["pattern"], 0) + r["n"]

    def key(row: PatternRow) -> tuple:
        c = row.school_class
        return (row.grade is None, row.grade or 0, c.number if c else 0)

    return SchoolPatterns(
        run,
        sorted(by_grade.values(), key=key),
        sorted(by_class.values(), key=key),
        totals,
    )
