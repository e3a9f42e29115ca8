"""Features and labels of the risk model, computed with numpy from the analytics rollups.

The rows of a county × stage group are loaded once (`cube_load`: one query, streamed) into a
students × weeks × channels array; features for a cut-off (a Monday) then come from array
slices, for every student at once. The no-leakage rule: features for cut-off C read only the
weeks before C (`values[:, :c]`), labels only the weeks in [C, C + horizon).

Later modules add features by appending to `FEATURE_PROVIDERS` a callable
`(county, person_ids: ndarray, cutoff: date) -> dict[str, ndarray]` returning one float array
(aligned with `person_ids`, NaN where unknown) per feature name; it must use only what was known
before `cutoff`. A version records its feature names, and scoring asks the same providers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q

from dtss.analytics.models import MEASURES, StudentDay, StudentWeek
from dtss.predict.models import STAGE_GROUP

log = logging.getLogger(__name__)

CHANNELS: tuple[str, ...] = (*MEASURES, "active_days")
CH = {name: i for i, name in enumerate(CHANNELS)}
HISTORY_WEEKS = 12  # the most weeks any feature looks back (weeks since last activity is capped)
MIN_ACTIVE_WEEKS = 3  # of the last 8: fewer → "not enough data"
CHUNK = 50_000

# The built-in features, in the model's order (see README.md for their meaning).
BASE_FEATURES: tuple[str, ...] = (
    "minutes_last_week",
    "minutes_recent3",
    "minutes_prior3",
    "activity_change",
    "active_days_3w",
    "active_weeks_8w",
    "regularity_cv",
    "correct_rate_4w",
    "correct_rate_prior4w",
    "correct_rate_change",
    "correct_rate_8w",
    "answered_4w",
    "mean_score_4w",
    "completions_per_active_week",
    "weeks_since_active",
    "correct_rate_vs_class",
    "minutes_vs_class",
)
TARGET_FEATURE = "target_recent"  # the target's own metric over the last 4 weeks (subject/platform)

Provider = Callable[[Any, np.ndarray, dt.date], dict[str, np.ndarray]]
FEATURE_PROVIDERS: list[Provider] = []

METRICS = ("correct_rate", "mean_score", "completions")
DEFAULT_TARGET: dict[str, Any] = {
    "metric": "correct_rate",
    "threshold": 0.6,
    "horizon_weeks": 4,
    "min_answers": 5,
    "subject": "",
    "platform_id": 0,
}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def target_clean(target: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults completed with `target`; a bad value is a ValueError naming the key."""
    out = dict(DEFAULT_TARGET)
    for key, value in (target or {}).items():
        if key not in DEFAULT_TARGET:
            raise ValueError(f"target: unknown key {key!r}")
        if value is not None:
            out[key] = value
    if out["metric"] not in METRICS:
        raise ValueError(f"metric: must be one of {', '.join(METRICS)}")
    try:
        out["threshold"] = float(out["threshold"])
        out["horizon_weeks"] = int(out["horizon_weeks"])
        out["min_answers"] = int(out["min_answers"])
        out["platform_id"] = int(out["platform_id"] or 0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"target: a number is expected ({exc})") from exc
    if out["metric"] != "completions" and not 0 < out["threshold"] <= 1:
        raise ValueError("threshold: must be above 0 and at most 1 for a rate or score")
    if out["metric"] == "completions" and out["threshold"] <= 0:
        raise ValueError("threshold: must be above 0")
    if not 1 <= out["horizon_weeks"] <= 26:
        raise ValueError("horizon_weeks: must be 1 to 26")
    if not 1 <= out["min_answers"] <= 1000:
        raise ValueError("min_answers: must be 1 to 1000")
    out["subject"] = str(out["subject"] or "")
    return out


def feature_names(target: dict[str, Any]) -> list[str]:
    names = list(BASE_FEATURES)
    if target.get("subject") or target.get("platform_id"):
        names.append(TARGET_FEATURE)
    return names


def school_stages(stage: str) -> list[str]:
    return [school_stage for school_stage, group in STAGE_GROUP.items() if group == stage]


@dataclass
class Cube:
    """Weekly rollups of a set of students: values[p, w, channel], week w = first_week + 7w."""

    person_ids: np.ndarray
    first_week: dt.date
    values: np.ndarray
    classes: np.ndarray  # [p, w] class id of the row (0: none)
    schools: np.ndarray  # [p, w] school id of the row (0: none)
    target_values: np.ndarray | None = None  # [p, w, channel] of the target's subject/platform
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def weeks(self) -> int:
        return self.values.shape[1]

    def index(self, week: dt.date) -> int:
        return (week - self.first_week).days // 7

    def week(self, index: int) -> dt.date:
        return self.first_week + dt.timedelta(weeks=index)

    def target_source(self) -> np.ndarray:
        return self.values if self.target_values is None else self.target_values


def _rows_to_arrays(rows: Any, width: int) -> np.ndarray:
    chunks: list[np.ndarray] = []
    buf: list[tuple] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= CHUNK:
            chunks.append(np.array(buf, dtype=np.float64))
            buf = []
    if buf:
        chunks.append(np.array(buf, dtype=np.float64))
    if not chunks:
        return np.zeros((0, width))
    return np.concatenate(chunks)


def _week_rows(qs: Any) -> Any:
    for person, klass, school, week, *rest in qs.iterator(chunk_size=5000):
        yield (person, klass or 0, school or 0, week.toordinal(), *rest)


def cube_load(
    *,
    county: Any,
    stage: str | None = None,
    first_week: dt.date,
    end_week: dt.date,
    person_ids: np.ndarray | None = None,
    person_query: Any = None,
    target: dict[str, Any] | None = None,
) -> Cube:
    """The StudentWeek rows of weeks first_week ≤ week < end_week (both Mondays) of the county's
    schools of `stage`, or of the students `person_ids` (sorted; `person_query`, a values()
    queryset of them, filters in the database so that no long IN list is sent)."""
    qs = StudentWeek.objects.filter(county=county, week__gte=first_week, week__lt=end_week)
    if person_query is not None:
        qs = qs.filter(person_id__in=person_query)
    elif person_ids is not None:
        qs = qs.filter(person_id__in=[int(p) for p in person_ids])
    elif stage:
        qs = qs.filter(school__stage__in=school_stages(stage))
    cols = ("person_id", "school_class_id", "school_id", "week", *CHANNELS)
    data = _rows_to_arrays(_week_rows(qs.values_list(*cols)), len(cols))
    n_weeks = max(0, (end_week - first_week).days // 7)
    if person_ids is not None:
        pids = np.unique(np.asarray(person_ids, dtype=np.int64))
    else:
        pids = np.unique(data[:, 0].astype(np.int64))
    values = np.zeros((len(pids), n_weeks, len(CHANNELS)))
    classes = np.zeros((len(pids), n_weeks), dtype=np.int64)
    schools = np.zeros((len(pids), n_weeks), dtype=np.int64)
    if len(data) and len(pids):
        p = np.searchsorted(pids, data[:, 0].astype(np.int64))
        keep = (p < len(pids)) & (pids[np.minimum(p, len(pids) - 1)] == data[:, 0])
        w = ((data[:, 3].astype(np.int64) - first_week.toordinal()) // 7).astype(np.int64)
        p, w, data = p[keep], w[keep], data[keep]
        values[p, w, :] = data[:, 4:]
        classes[p, w] = data[:, 1].astype(np.int64)
        schools[p, w] = data[:, 2].astype(np.int64)
    cube = Cube(pids, first_week, values, classes, schools)
    t = target_clean(target) if target is not None else None
    if t and (t["subject"] or t["platform_id"]):
        cube.target_values = _target_days(cube, county=county, target=t)
    return cube


def _target_days(cube: Cube, *, county: Any, target: dict[str, Any]) -> np.ndarray:
    """The target's subject/platform measures per student × week, from StudentDay."""
    end = cube.week(cube.weeks)
    qs = StudentDay.objects.filter(
        county=county, day__gte=cube.first_week, day__lt=end, person__isnull=False
    )
    if target["subject"]:
        qs = qs.filter(subject=target["subject"])
    if target["platform_id"]:
        qs = qs.filter(platform_id=target["platform_id"])
    out = np.zeros_like(cube.values)
    rows = (
        (person, day.toordinal(), *rest, 1 if (rest[0] or rest[1]) else 0)
        for person, day, *rest in qs.values_list("person_id", "day", *MEASURES).iterator(
            chunk_size=5000
        )
    )
    data = _rows_to_arrays(rows, 2 + len(CHANNELS))
    if len(data):
        pid = data[:, 0].astype(np.int64)
        p = np.searchsorted(cube.person_ids, pid)
        keep = (p < len(cube.person_ids)) & (
            cube.person_ids[np.minimum(p, len(cube.person_ids) - 1)] == pid
        )
        w = (data[:, 1].astype(np.int64) - cube.first_week.toordinal()) // 7
        np.add.at(out, (p[keep], w[keep]), data[keep, 2:])
    return out


# ----------------------------------------------------------------------------- features


def _window(values: np.ndarray, c: int, back: int, length: int) -> np.ndarray:
    """values[:, c-back : c-back+length] with weeks before the cube's start as zeros."""
    start, stop = c - back, c - back + length
    lo = max(start, 0)
    part = values[:, lo:stop]
    if lo > start:
        pad = np.zeros((values.shape[0], lo - start, *values.shape[2:]))
        part = np.concatenate([pad, part], axis=1)
    return part


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _class_median(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Per student: the median of `values` (NaN ignored) among the students of their class."""
    out = np.full(values.shape, np.nan)
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    bounds = np.flatnonzero(np.diff(sorted_classes)) + 1
    for group in np.split(order, bounds):
        if not len(group) or classes[group[0]] == 0:
            continue
        vals = values[group]
        if np.isfinite(vals).any():
            out[group] = np.nanmedian(vals)
    return out


def latest_id(ids: np.ndarray, c: int) -> np.ndarray:
    """Per student: the last non-zero id of `ids` [p, w] in the weeks before index c."""
    cls = _window(ids[:, : max(c, 0)], c, HISTORY_WEEKS, HISTORY_WEEKS)
    has = cls > 0
    pick = HISTORY_WEEKS - 1 - np.argmax(has[:, ::-1], axis=1)
    return np.where(has.any(axis=1), cls[np.arange(len(cls)), pick], 0).astype(np.int64)


@dataclass
class FeatureSet:
    names: list[str]
    matrix: np.ndarray  # [p, feature]
    sufficient: np.ndarray  # bool [p]: enough data to score
    classes: np.ndarray  # class id each student was counted in (0: none)
    recent_target: np.ndarray  # the target metric over the last 4 weeks (the baseline)


def metric_of(window: np.ndarray, metric: str) -> np.ndarray:
    """The target metric over a window [p, weeks, channel]: a rate, a mean or a weekly mean."""
    total = window.sum(axis=1)
    if metric == "correct_rate":
        return _ratio(total[:, CH["correct"]], total[:, CH["answered"]])
    if metric == "mean_score":
        return _ratio(total[:, CH["score_sum"]], total[:, CH["score_n"]])
    return total[:, CH["completions"]] / max(window.shape[1], 1)


def features_at(
    cube: Cube,
    cutoff: dt.date,
    *,
    target: dict[str, Any],
    names: list[str] | None = None,
    classes: np.ndarray | None = None,
    county: Any = None,
) -> FeatureSet:
    """Every student's features for `cutoff`, from the weeks before it only. `classes`
    (aligned with cube.person_ids) overrides the class the class medians are taken in."""
    c = cube.index(cutoff)
    v = cube.values[:, : max(c, 0)]  # nothing at or after the cut-off is visible below
    minutes = v[:, :, CH["seconds"]] / 60.0
    last = _window(minutes, c, 1, 1)[:, 0]
    recent3 = _window(minutes, c, 3, 3).mean(axis=1)
    prior3 = _window(minutes, c, 6, 3).mean(axis=1)
    w3 = _window(v, c, 3, 3)
    w4 = _window(v, c, 4, 4)
    w4p = _window(v, c, 8, 4)
    w8 = _window(v, c, 8, 8)
    active = (w8[:, :, CH["active_days"]] > 0) | (w8[:, :, CH["events"]] > 0)
    active_weeks = active.sum(axis=1).astype(float)
    m8 = _window(minutes, c, 8, 8)
    mean8 = m8.mean(axis=1)
    cv = _ratio(m8.std(axis=1), mean8)
    cr4 = metric_of(w4, "correct_rate")
    cr4p = metric_of(w4p, "correct_rate")
    t4 = w4.sum(axis=1)
    t8 = w8.sum(axis=1)
    h = _window(v, c, HISTORY_WEEKS, HISTORY_WEEKS)
    h_active = (h[:, :, CH["active_days"]] > 0) | (h[:, :, CH["events"]] > 0)
    any_active = h_active.any(axis=1)
    last_active = HISTORY_WEEKS - 1 - np.argmax(h_active[:, ::-1], axis=1)
    since = np.where(any_active, HISTORY_WEEKS - 1 - last_active, HISTORY_WEEKS).astype(float)
    if classes is None:
        classes = latest_id(cube.classes, c)
    cols: dict[str, np.ndarray] = {
        "minutes_last_week": last,
        "minutes_recent3": recent3,
        "minutes_prior3": prior3,
        "activity_change": _ratio(recent3 - prior3, prior3),
        "active_days_3w": w3[:, :, CH["active_days"]].sum(axis=1),
        "active_weeks_8w": active_weeks,
        "regularity_cv": cv,
        "correct_rate_4w": cr4,
        "correct_rate_prior4w": cr4p,
        "correct_rate_change": cr4 - cr4p,
        # the eight weeks' answers pooled: a steadier estimate than either four weeks alone
        "correct_rate_8w": metric_of(w8, "correct_rate"),
        "answered_4w": t4[:, CH["answered"]],
        "mean_score_4w": _ratio(t4[:, CH["score_sum"]], t4[:, CH["score_n"]]),
        "completions_per_active_week": _ratio(t8[:, CH["completions"]], active_weeks),
        "weeks_since_active": since,
    }
    src = cube.target_source()
    tw4 = _window(src[:, : max(c, 0)], c, 4, 4)
    recent_target = metric_of(tw4, target["metric"])
    cols[TARGET_FEATURE] = recent_target
    names = names or feature_names(target)
    sufficient = active_weeks >= MIN_ACTIVE_WEEKS
    if target["metric"] == "correct_rate":
        tw8 = _window(src[:, : max(c, 0)], c, 8, 8)
        sufficient &= tw8[:, :, CH["answered"]].sum(axis=1) >= target["min_answers"]
    # class medians among the students with enough data (the others' zeros would drag them)
    masked_cr = np.where(sufficient, cr4, np.nan)
    masked_min = np.where(sufficient, recent3, np.nan)
    cols["correct_rate_vs_class"] = cr4 - _class_median(masked_cr, classes)
    cols["minutes_vs_class"] = recent3 - _class_median(masked_min, classes)
    extra = [n for n in names if n not in cols]
    if extra:
        cols.update(_provided(county, cube.person_ids, cutoff, extra))
    matrix = np.column_stack([cols[n] for n in names]) if names else np.zeros((len(v), 0))
    return FeatureSet(names, matrix.astype(np.float64), sufficient, classes, recent_target)


def _provided(county: Any, person_ids: np.ndarray, cutoff: dt.date, wanted: list[str]) -> dict:
    out: dict[str, np.ndarray] = {}
    for provider in FEATURE_PROVIDERS:
        for name, values in provider(county, person_ids, cutoff).items():
            if name in wanted:
                out[name] = np.asarray(values, dtype=np.float64)
    for name in wanted:
        if name not in out:
            log.warning("feature %s: no provider gives it; scored as unknown", name)
            out[name] = np.full(len(person_ids), np.nan)
    return out


def provided_names(county: Any, cutoff: dt.date) -> list[str]:
    """The names the registered providers give (asked with no students)."""
    names: list[str] = []
    for provider in FEATURE_PROVIDERS:
        names += [n for n in provider(county, np.zeros(0, dtype=np.int64), cutoff) if n]
    return names


def labels_at(cube: Cube, cutoff: dt.date, *, target: dict[str, Any]) -> np.ndarray:
    """1.0 when the target metric over [cutoff, cutoff + horizon) is below the threshold, 0.0
    when not, NaN when there is no label (too few answers or scores in the horizon).

    A student who stops altogether — no activity at all in the horizon — while their class goes
    on (at least half of it active in the horizon) has not reached the level either: 1.0. When
    the class is quiet (a holiday), there is no label."""
    c = cube.index(cutoff)
    h = target["horizon_weeks"]
    window = cube.target_source()[:, c : c + h]
    if window.shape[1] < h:
        return np.full(len(cube.person_ids), np.nan)
    value = metric_of(window, target["metric"])
    total = window.sum(axis=1)
    y = np.where(value < target["threshold"], 1.0, 0.0)
    count = {"correct_rate": "answered", "mean_score": "score_n"}.get(target["metric"])
    if count is None:
        return y
    enough = total[:, CH[count]] >= target["min_answers"]
    y[~enough] = np.nan
    everything = cube.values[:, c : c + h].sum(axis=1)
    stopped = (everything[:, CH["events"]] == 0) & (everything[:, CH["active_days"]] == 0)
    classes = latest_id(cube.classes, c)
    for klass in np.unique(classes[stopped]):
        if klass == 0:
            continue
        members = classes == klass
        if (~stopped[members]).mean() >= 0.5:
            y[members & stopped] = 1.0
    return y


def disadvantaged_at(county: Any, person_ids: np.ndarray, cutoff: dt.date) -> np.ndarray:
    """True for students in any analytics learner group valid at the cut-off."""
    from dtss.analytics.models import LearnerGroup

    ids = set(
        LearnerGroup.objects.filter(county=county, start_date__lte=cutoff)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=cutoff))
        .values_list("person_id", flat=True)
    )
    return np.array([int(p) in ids for p in person_ids], dtype=bool)
