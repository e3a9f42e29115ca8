"""Training and evaluation of one model version: examples, time-based split, gradient boosting,
calibration, the baseline, the evaluation report (the model card) and the gate.

Examples are (student, cut-off) pairs over every usable Monday: at least 4 weeks of history
before it, and its horizon complete before today. The latest cut-offs holding ~30 % of the
examples test; of the earlier ones, those whose horizon would reach into the first test cut-off
are dropped (their labels would overlap the test weeks), the latest holding ~20 % of the rest
calibrate, the others fit.

Two candidates are fitted on the fit cut-offs: gradient boosting (many examples, interactions)
and a regularised logistic regression on standardised features (steadier on the few hundred
examples of one term). The one with the higher AUC on the calibration cut-offs is calibrated
there and tested; the test cut-offs choose nothing. The stored model is exactly the one that was
evaluated (no refit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import sklearn
from django.conf import settings
from django.db.models import Min
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from dtss.analytics.models import StudentWeek
from dtss.predict import features as F

MIN_HISTORY_WEEKS = 4
TEST_SHARE = 0.3
CALIBRATE_SHARE = 0.2
# Isotonic calibration is a step function: it ties students the model told apart, which costs
# ranking (AUC) unless the calibration set is large; below this, sigmoid keeps the order.
ISOTONIC_MIN = 20_000
SMALL = 20_000  # fit examples below which training uses one thread
MIN_GROUP = 10  # breakdown groups with fewer examples report n only
MODEL_PARAMS: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.06,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "random_state": 0,
}
LOGISTIC_PARAMS: dict[str, Any] = {"C": 0.3, "max_iter": 1000}


def candidates() -> dict[str, Any]:
    """The estimators a version chooses from (by AUC on its calibration cut-offs)."""
    return {
        "HistGradientBoostingClassifier": HistGradientBoostingClassifier(**MODEL_PARAMS),
        "LogisticRegression": Pipeline(
            [
                # a feature no student has (e.g. a provider with no data yet) is dropped
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(**LOGISTIC_PARAMS)),
            ]
        ),
    }


CANDIDATE_PARAMS = {
    "HistGradientBoostingClassifier": MODEL_PARAMS,
    "LogisticRegression": {**LOGISTIC_PARAMS, "imputation": "median", "scaling": "standard"},
}


def setting(name: str) -> Any:
    defaults = {
        "PREDICT_MIN_AUC": 0.70,
        "PREDICT_MIN_AUC_GAIN": 0.02,
        "PREDICT_MIN_POSITIVES": 20,
        "PREDICT_MIN_NEGATIVES": 20,
        "PREDICT_FLAGGED_SHARE": 0.2,
    }
    return getattr(settings, name, defaults[name])


@dataclass
class Examples:
    X: np.ndarray
    y: np.ndarray
    cutoff: np.ndarray  # index into `cutoffs`
    person: np.ndarray
    school: np.ndarray
    baseline: np.ndarray  # the target metric over the last 4 weeks
    disadvantaged: np.ndarray
    cutoffs: list[dt.date]
    names: list[str]


def examples_build(*, county: Any, stage: str, target: dict[str, Any], today: dt.date) -> Examples:
    """Every labelled (student, cut-off) pair with enough data, from the rollups."""
    first = StudentWeek.objects.filter(
        county=county, school__stage__in=F.school_stages(stage)
    ).aggregate(m=Min("week"))["m"]
    if first is None:
        raise ValueError(f"stage: no learning data for {stage} schools of this county")
    first = F.monday(first)
    end = F.monday(today)
    h = target["horizon_weeks"]
    cutoffs = []
    c = first + dt.timedelta(weeks=MIN_HISTORY_WEEKS)
    while c + dt.timedelta(weeks=h) <= end:
        cutoffs.append(c)
        c += dt.timedelta(weeks=1)
    if len(cutoffs) < 3:
        raise ValueError(
            f"horizon_weeks: only {len(cutoffs)} usable cut-offs between {first} and {end}; "
            "at least 3 are needed (more weeks of data, or a shorter horizon)"
        )
    cube = F.cube_load(county=county, stage=stage, first_week=first, end_week=end, target=target)
    names = F.feature_names(target) + F.provided_names(county, cutoffs[-1])
    parts: dict[str, list[np.ndarray]] = {k: [] for k in Examples.__dataclass_fields__}
    for i, cutoff in enumerate(cutoffs):
        fs = F.features_at(cube, cutoff, target=target, names=names, county=county)
        y = F.labels_at(cube, cutoff, target=target)
        keep = fs.sufficient & np.isfinite(y)
        if not keep.any():
            continue
        pids = cube.person_ids[keep]
        parts["X"].append(fs.matrix[keep])
        parts["y"].append(y[keep])
        parts["cutoff"].append(np.full(keep.sum(), i))
        parts["person"].append(pids)
        parts["school"].append(F.latest_id(cube.schools, cube.index(cutoff))[keep])
        parts["baseline"].append(fs.recent_target[keep])
        parts["disadvantaged"].append(F.disadvantaged_at(county, pids, cutoff))
    if not parts["X"]:
        raise ValueError("stage: no student has enough data and a label at any cut-off")
    arrays = {k: np.concatenate(v) for k, v in parts.items() if k not in ("cutoffs", "names")}
    return Examples(**arrays, cutoffs=cutoffs, names=names)


def _latest_holding(counts: list[int], indexes: list[int], share: float) -> int:
    """How many of the latest `indexes` hold at least `share` of their examples (≥ 1)."""
    total = sum(counts[i] for i in indexes)
    held, k = 0, 0
    for i in reversed(indexes):
        if k >= 1 and held >= share * total:
            break
        held += counts[i]
        k += 1
    return k


def split_cutoffs(
    n: int, horizon: int, counts: list[int] | None = None
) -> tuple[list[int], list[int], list[int]]:
    """Cut-off indexes (fit, calibrate, test), oldest first; a ValueError when too few.

    The shares are of examples, not of cut-offs (`counts[i]`: the examples of cut-off i; all 1
    when not given): a term's early weeks hold few students with enough history, so splitting
    by cut-offs would leave the model little to fit on."""
    counts = counts if counts is not None else [1] * n
    n_test = _latest_holding(counts, list(range(n)), TEST_SHARE)
    first_test = n - n_test
    # drop the cut-offs whose horizon reaches into the first test cut-off's weeks
    earlier = [i for i in range(first_test) if i + horizon <= first_test]
    n_cal = _latest_holding(counts, earlier, CALIBRATE_SHARE) if earlier else 1
    if len(earlier) - n_cal < 1:
        raise ValueError(
            f"horizon_weeks: {n} usable cut-offs leave nothing to fit on after keeping the "
            f"{horizon}-week horizon apart from the test weeks; more weeks of data are needed"
        )
    return earlier[:-n_cal], earlier[-n_cal:], list(range(first_test, n))


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    if len(y) == 0 or y.min() == y.max():
        return None
    return float(roc_auc_score(y, p))


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _group_metrics(y: np.ndarray, p: np.ndarray, high: float) -> dict[str, Any]:
    n = len(y)
    out: dict[str, Any] = {"n": int(n)}
    if n < MIN_GROUP:
        return out
    flagged = p >= high
    tp = float((flagged & (y == 1)).sum())
    out.update(
        positives=int(y.sum()),
        auc=_r(_auc(y, p)),
        precision=_r(tp / flagged.sum()) if flagged.any() else None,
        recall=_r(tp / y.sum()) if y.sum() else None,
        flagged_share=_r(flagged.mean()),
        mean_predicted=_r(p.mean()),
        observed_rate=_r(y.mean()),
    )
    return out


def _calibration_bins(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    bins = []
    idx = np.minimum((p * 10).astype(int), 9)
    for b in range(10):
        m = idx == b
        bins.append(
            {
                "low": b / 10,
                "high": (b + 1) / 10,
                "n": int(m.sum()),
                "mean_predicted": _r(p[m].mean()) if m.any() else None,
                "observed": _r(y[m].mean()) if m.any() else None,
            }
        )
    return bins


def _baseline_risk(ex: Examples, metric: str, fill: float) -> np.ndarray:
    b = np.where(np.isfinite(ex.baseline), ex.baseline, fill)
    return -b  # a lower recent value of the target metric = a higher risk


@dataclass
class Trained:
    model: Any
    card: dict[str, Any]
    train_cutoffs: list[str]
    test_cutoffs: list[str]
    names: list[str]


def train(
    *,
    county: Any,
    stage: str,
    target: dict[str, Any],
    today: dt.date,
) -> Trained:
    """Build the examples, fit, calibrate and evaluate."""
    started = time.perf_counter()
    ex = examples_build(county=county, stage=stage, target=target, today=today)
    counts = np.bincount(ex.cutoff, minlength=len(ex.cutoffs)).tolist()
    fit_i, cal_i, test_i = split_cutoffs(len(ex.cutoffs), target["horizon_weeks"], counts)
    fit = np.isin(ex.cutoff, fit_i)
    cal = np.isin(ex.cutoff, cal_i)
    test = np.isin(ex.cutoff, test_i)
    if ex.y[fit].min(initial=1) == ex.y[fit].max(initial=0):
        raise ValueError("threshold: every training example has the same label; change it")
    # OpenMP threads cost more than they give on small sets (and on a busy machine)
    limits = threadpool_limits(limits=1 if fit.sum() < SMALL else None)
    try:
        return _fit_evaluate(ex, fit, cal, test, fit_i, cal_i, test_i, target, today, started)
    finally:
        limits.restore_original_limits()


def _fit_evaluate(
    ex: Examples,
    fit: np.ndarray,
    cal: np.ndarray,
    test: np.ndarray,
    fit_i: list[int],
    cal_i: list[int],
    test_i: list[int],
    target: dict[str, Any],
    today: dt.date,
    started: float,
) -> Trained:
    can_calibrate = bool(cal.any() and ex.y[cal].min() != ex.y[cal].max())
    chosen, fitted, chosen_auc = "", None, -1.0
    tried: dict[str, float | None] = {}
    for name, estimator in candidates().items():
        estimator.fit(ex.X[fit], ex.y[fit])
        cal_auc = (
            _auc(ex.y[cal], estimator.predict_proba(ex.X[cal])[:, 1]) if can_calibrate else None
        )
        tried[name] = _r(cal_auc)
        if fitted is None or (cal_auc is not None and cal_auc > chosen_auc):
            chosen, fitted, chosen_auc = name, estimator, cal_auc if cal_auc is not None else -1.0
    method = "none"
    model: Any = fitted
    if can_calibrate:
        method = "isotonic" if cal.sum() >= ISOTONIC_MIN else "sigmoid"
        model = CalibratedClassifierCV(FrozenEstimator(fitted), method=method)
        model.fit(ex.X[cal], ex.y[cal])
    p = model.predict_proba(ex.X[test])[:, 1]
    y = ex.y[test]
    fill = float(np.nanmedian(ex.baseline[fit])) if np.isfinite(ex.baseline[fit]).any() else 0
    base = _baseline_risk(ex, target["metric"], fill)[test]
    share = float(setting("PREDICT_FLAGGED_SHARE"))
    high = float(np.quantile(p, 1 - share)) if len(p) else 1.0
    medium = float(np.quantile(p, max(0.0, 1 - 2 * share))) if len(p) else 1.0
    overall = _group_metrics(y, p, high)
    auc = _auc(y, p)
    base_auc = _auc(y, base)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    checks = [
        {"code": "auc", "value": _r(auc), "required": setting("PREDICT_MIN_AUC")},
        {
            "code": "auc_gain",
            "value": _r(auc - base_auc) if auc is not None and base_auc is not None else None,
            "required": setting("PREDICT_MIN_AUC_GAIN"),
        },
        {"code": "positives", "value": positives, "required": setting("PREDICT_MIN_POSITIVES")},
        {"code": "negatives", "value": negatives, "required": setting("PREDICT_MIN_NEGATIVES")},
    ]
    for check in checks:
        check["ok"] = check["value"] is not None and check["value"] >= check["required"]
    card: dict[str, Any] = {
        "schema": 1,
        "target": target,
        "features": ex.names,
        "cutoffs": {
            "fit": [str(ex.cutoffs[fit_i[0]]), str(ex.cutoffs[fit_i[-1]])],
            "calibrate": [str(ex.cutoffs[cal_i[0]]), str(ex.cutoffs[cal_i[-1]])],
            "test": [str(ex.cutoffs[test_i[0]]), str(ex.cutoffs[test_i[-1]])],
        },
        "n": {"fit": int(fit.sum()), "calibrate": int(cal.sum()), "test": int(test.sum())},
        "students": {"test": len(np.unique(ex.person[test]))},
        "positives_rate": {
            k: _r(ex.y[m].mean()) if m.any() else None
            for k, m in (("fit", fit), ("calibrate", cal), ("test", test))
        },
        "test_positives": positives,
        "test_negatives": negatives,
        "auc": _r(auc),
        "baseline": "the target metric over the last 4 weeks alone",
        "baseline_auc": _r(base_auc),
        "brier": _r(brier_score_loss(y, p)) if len(y) else None,
        "flagged_share": share,
        "high_threshold": _r(high, 6),
        "medium_threshold": _r(medium, 6),
        "precision": overall.get("precision"),
        "recall": overall.get("recall"),
        "calibration_method": method,
        "calibration": _calibration_bins(y, p),
        "breakdown": _breakdown(ex, test, y, p, high),
        "gate": {"passed": all(c["ok"] for c in checks), "checks": checks},
        "model": {"estimator": chosen, **CANDIDATE_PARAMS[chosen]},
        "candidates": tried,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "trained_on": str(today),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    return Trained(
        model=model,
        card=card,
        train_cutoffs=[str(ex.cutoffs[i]) for i in fit_i + cal_i],
        test_cutoffs=[str(ex.cutoffs[i]) for i in test_i],
        names=ex.names,
    )


def _breakdown(
    ex: Examples, test: np.ndarray, y: np.ndarray, p: np.ndarray, high: float
) -> dict[str, list[dict[str, Any]]]:
    from dtss.orgs.models import Person, School

    people = ex.person[test]
    schools = ex.school[test]
    gender = dict(
        Person.objects.filter(pk__in=[int(x) for x in np.unique(people)]).values_list(
            "pk", "gender"
        )
    )
    stage = dict(
        School.objects.filter(pk__in=[int(x) for x in np.unique(schools)]).values_list(
            "pk", "stage"
        )
    )
    keys = {
        "stage": np.array([stage.get(int(s), "unknown") for s in schools], dtype=object),
        "gender": np.array([gender.get(int(x)) or "unknown" for x in people], dtype=object),
        "disadvantaged": np.where(ex.disadvantaged[test], "yes", "no").astype(object),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for dim, values in keys.items():
        rows = []
        for group in sorted(set(values.tolist())):
            m = values == group
            rows.append({"group": group, **_group_metrics(y[m], p[m], high)})
        out[dim] = rows
    return out


# ----------------------------------------------------------------------------- artifacts


def artifact_dump(model: Any, names: list[str]) -> tuple[bytes, str]:
    buf = io.BytesIO()
    joblib.dump({"model": model, "features": names}, buf, compress=3)
    data = buf.getvalue()
    return data, hashlib.sha256(data).hexdigest()


class ArtifactError(Exception):
    pass


_CACHE: dict[tuple[int, str], Any] = {}


def artifact_load(version: Any) -> Any:
    """The fitted model of a version, after checking its SHA-256 (a mismatch is an error)."""
    data = bytes(version.artifact)
    if hashlib.sha256(data).hexdigest() != version.sha256:
        raise ArtifactError(
            f"model version {version.county.code}:{version.stage}:{version.number} "
            f"({version.public_id}): the stored model does not match its SHA-256; retrain it"
        )
    key = (version.pk, version.sha256)
    if key in _CACHE:
        return _CACHE[key]
    loaded = joblib.load(io.BytesIO(data))
    _CACHE.clear()
    _CACHE[key] = loaded["model"]
    return loaded["model"]
