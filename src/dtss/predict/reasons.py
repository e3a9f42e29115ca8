"""Why a student was flagged, in plain language.

For each reason (a group of features telling one thing, e.g. "activity fell"), the student's
values are replaced by the median of their class (the stage's median when the class has too few
students with data) and the model predicts again; the drop in the probability is the reason's
effect. Reasons with an effect above `MIN_EFFECT` are kept, the largest first, at most three.
Each is stored as {"code", "value", "reference", "effect"}; `describe` renders it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _

from dtss.predict.features import TARGET_FEATURE

MIN_EFFECT = 0.02
MAX_REASONS = 3
MIN_CLASS = 5  # students with data a class needs for its own median

# reason code → its features; the first is the value and reference shown
REASONS: dict[str, tuple[str, ...]] = {
    "activity_drop": ("activity_change", "minutes_prior3"),
    "low_activity": ("minutes_recent3", "minutes_vs_class", "active_days_3w", "answered_4w"),
    "inactive_recently": ("weeks_since_active", "minutes_last_week"),
    "few_active_weeks": ("active_weeks_8w",),
    "irregular": ("regularity_cv",),
    "correct_rate_low": ("correct_rate_4w", "correct_rate_vs_class", "correct_rate_8w"),
    "correct_rate_drop": ("correct_rate_change", "correct_rate_prior4w"),
    "low_score": ("mean_score_4w",),
    "few_completions": ("completions_per_active_week",),
    "target_low": (TARGET_FEATURE,),
}


def references(matrix: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Per student and feature: the median of their class (stage median for small classes)."""
    stage = np.array([np.nanmedian(col) if np.isfinite(col).any() else np.nan for col in matrix.T])
    out = np.tile(stage, (len(matrix), 1))
    for klass in np.unique(classes):
        if klass == 0:
            continue
        m = classes == klass
        if m.sum() < MIN_CLASS:
            continue
        block = matrix[m]
        for j in range(matrix.shape[1]):
            col = block[:, j]
            if np.isfinite(col).any():
                out[m, j] = np.nanmedian(col)
    return out


def reasons_compute(
    model: Any, names: list[str], matrix: np.ndarray, refs: np.ndarray, proba: np.ndarray
) -> list[list[dict[str, Any]]]:
    """The top reasons of each student (rows of `matrix`, with their predicted `proba`)."""
    index = {n: i for i, n in enumerate(names)}
    groups = [
        (code, [index[f] for f in feats if f in index])
        for code, feats in REASONS.items()
        if feats[0] in index
    ]
    groups += [(n, [i]) for n, i in index.items() if not any(n in f for f in REASONS.values())]
    if not len(matrix):
        return []
    effects = np.zeros((len(matrix), len(groups)))
    for g, (_code, cols) in enumerate(groups):
        changed = matrix.copy()
        changed[:, cols] = refs[:, cols]
        effects[:, g] = proba - model.predict_proba(changed)[:, 1]
    out: list[list[dict[str, Any]]] = []
    for i in range(len(matrix)):
        order = np.argsort(-effects[i], kind="stable")
        row = []
        for g in order:
            if effects[i, g] <= MIN_EFFECT or len(row) == MAX_REASONS:
                break
            code, cols = groups[g]
            if not np.isfinite(matrix[i, cols[0]]):
                continue  # e.g. no scores at all: nothing a teacher can read; the next reason
            row.append(
                {
                    "code": code,
                    "value": _num(matrix[i, cols[0]]),
                    "reference": _num(refs[i, cols[0]]),
                    "effect": round(float(effects[i, g]), 3),
                }
            )
        out.append(row)
    return out


def _below(v: Any, ref: Any) -> bool:
    """Whether `v` is below `ref` as shown (rounded to whole percents)."""
    return v is not None and ref is not None and round(float(v) * 100) < round(float(ref) * 100)


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def _pct(x: Any) -> str:
    return "—" if x is None else f"{round(float(x) * 100)}%"


def _n(x: Any, digits: int = 0) -> str:
    if x is None:
        return "—"
    return f"{float(x):.{digits}f}"


def describe(reason: dict[str, Any], language: str | None = None) -> str:
    """One reason in plain language, in `language` (default: the active language)."""
    if language:
        with translation.override(language):
            return _describe(reason)
    return _describe(reason)


def _describe(reason: dict[str, Any]) -> str:
    code = reason.get("code", "")
    v, ref = reason.get("value"), reason.get("reference")
    if code == "activity_drop":
        if v is not None and v < 0:
            return _("Activity fell %(pct)s over the last three weeks") % {"pct": _pct(-v)}
        return _("Activity changed by %(pct)s over the last three weeks") % {"pct": _pct(v)}
    if code == "low_activity":
        return _("%(minutes)s minutes a week in the last three weeks; class median %(ref)s") % {
            "minutes": _n(v),
            "ref": _n(ref),
        }
    if code == "inactive_recently":
        if v is not None and v < 1:  # active last week, but little
            return _("Little learning activity last week")
        return _("No learning activity for %(weeks)s weeks") % {"weeks": _n(v)}
    if code == "few_active_weeks":
        return _("Active in only %(weeks)s of the last 8 weeks") % {"weeks": _n(v)}
    if code == "irregular":
        return _("Irregular weekly activity (weekly time varies by %(pct)s around its mean)") % {
            "pct": _pct(v)
        }
    if code == "correct_rate_low":
        if _below(v, ref):
            return _("Correct rate %(value)s, below the class median of %(ref)s") % {
                "value": _pct(v),
                "ref": _pct(ref),
            }
        # the model weighed the eight weeks' rate or the class comparison: no "below" claim
        return _("Correct rate %(value)s (class median %(ref)s)") % {
            "value": _pct(v),
            "ref": _pct(ref),
        }
    if code == "correct_rate_drop":
        if v is not None and v < 0:
            return _(
                "Correct rate fell by %(points)s percentage points from the four weeks before"
            ) % {"points": _n(-v * 100)}
        return _(
            "Correct rate changed by %(points)s percentage points from the four weeks before"
        ) % {"points": _n((v or 0) * 100)}
    if code == "low_score":
        return _("Mean score %(value)s, class median %(ref)s") % {
            "value": _pct(v),
            "ref": _pct(ref),
        }
    if code == "few_completions":
        return _("%(value)s activities completed per active week; class median %(ref)s") % {
            "value": _n(v, 1),
            "ref": _n(ref, 1),
        }
    if code == "target_low":
        from dtss.analytics.profile import subject_name

        language = (translation.get_language() or "zh-hant").lower()
        subject = reason.get("subject") or ""
        label = subject_name(subject, language) if subject else _("Target platform")
        if reason.get("metric") == "completions":
            return _("%(subject)s: %(value)s activities completed a week; class median %(ref)s") % {
                "subject": label,
                "value": _n(v, 1),
                "ref": _n(ref, 1),
            }
        if _below(v, ref):
            return _("%(subject)s result %(value)s, below the class median of %(ref)s") % {
                "subject": label,
                "value": _pct(v),
                "ref": _pct(ref),
            }
        return _("%(subject)s result %(value)s (class median %(ref)s)") % {
            "subject": label,
            "value": _pct(v),
            "ref": _pct(ref),
        }
    return _("%(feature)s is %(value)s (class median %(ref)s)") % {
        "feature": code,
        "value": _n(v, 2),
        "ref": _n(ref, 2),
    }
