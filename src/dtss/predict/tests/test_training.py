"""Training, evaluation (the model card), the gate, versions and scoring on generated data
with a known ground truth (tests/synthetic.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dtss.core.models import AuditEntry
from dtss.predict import model_selectors, model_services, training
from dtss.predict.models import ModelVersion, RiskScore
from dtss.predict.reasons import describe
from dtss.predict.tests.synthetic import synth_build

CARD_KEYS = {
    "schema",
    "target",
    "features",
    "cutoffs",
    "n",
    "students",
    "positives_rate",
    "test_positives",
    "test_negatives",
    "auc",
    "baseline",
    "baseline_auc",
    "brier",
    "flagged_share",
    "high_threshold",
    "medium_threshold",
    "precision",
    "recall",
    "calibration_method",
    "calibration",
    "breakdown",
    "gate",
    "model",
    "candidates",
    "sklearn_version",
    "numpy_version",
    "trained_on",
    "training_seconds",
}
GROUP_KEYS = {
    "group",
    "n",
    "positives",
    "auc",
    "precision",
    "recall",
    "flagged_share",
    "mean_predicted",
    "observed_rate",
}
ACTIVITY = {"activity_drop", "low_activity", "inactive_recently", "few_active_weeks"}


def _train(world: Any, synth: Any, **kw: Any) -> ModelVersion:
    return model_services.version_train(
        county=world.counties["A"], stage="elementary", today=synth.today, **kw
    )


def test_model_beats_the_baseline_and_the_card_is_complete(world: Any) -> None:
    synth = synth_build(world)
    v = _train(world, synth, actor=world.users["a_admin"])
    card = v.card
    assert set(card) == CARD_KEYS
    assert card["auc"] >= card["baseline_auc"] + 0.05, (card["auc"], card["baseline_auc"])
    assert card["auc"] >= 0.8
    assert v.passed and card["gate"]["passed"]
    assert [c["code"] for c in card["gate"]["checks"]] == [
        "auc",
        "auc_gain",
        "positives",
        "negatives",
    ]
    assert v.number == 1 and v.status == ModelVersion.Status.TRAINED
    assert v.features == card["features"] and "activity_change" in v.features
    # time-based: every fit/calibration cut-off's horizon ends before the first test cut-off
    first_test = dt.date.fromisoformat(v.test_cutoffs[0])
    assert all(
        dt.date.fromisoformat(c) + dt.timedelta(weeks=4) <= first_test for c in v.train_cutoffs
    )
    assert card["n"]["fit"] > 0 and card["n"]["calibrate"] > 0 and card["n"]["test"] > 0
    assert len(card["calibration"]) == 10
    assert sum(b["n"] for b in card["calibration"]) == card["n"]["test"]
    # the fairness breakdown: by stage, gender and disadvantaged status, each group complete
    bd = card["breakdown"]
    assert set(bd) == {"stage", "gender", "disadvantaged"}
    assert [r["group"] for r in bd["stage"]] == ["elementary"]
    assert {r["group"] for r in bd["gender"]} == {"F", "M"}
    assert {r["group"] for r in bd["disadvantaged"]} == {"no", "yes"}
    for rows in bd.values():
        assert sum(r["n"] for r in rows) == card["n"]["test"]
        for r in rows:
            assert set(r) == GROUP_KEYS
    # the candidate with the higher AUC on the calibration cut-offs is the one kept
    tried = card["candidates"]
    assert set(tried) == {"HistGradientBoostingClassifier", "LogisticRegression"}
    assert card["model"]["estimator"] == max(tried, key=lambda k: tried[k])
    assert AuditEntry.objects.filter(action="predict.version_train").count() == 1
    # the second version of the same county × stage is number 2
    assert _train(world, synth).number == 2


@pytest.mark.parametrize(
    ("reason", "en", "zh"),
    [
        (
            {"code": "activity_drop", "value": -0.6, "reference": 0.0},
            "Activity fell 60% over the last three weeks",
            "活動量在最近三週下降 60%",
        ),
        (
            {"code": "inactive_recently", "value": 2.0, "reference": 0.0},
            "No learning activity for 2 weeks",
            "已 2 週沒有學習活動",
        ),
        (
            {"code": "correct_rate_low", "value": 0.42, "reference": 0.7},
            "Correct rate 42%, below the class median of 70%",
            "答對率 42%，低於班級中位數 70%",
        ),
        (
            {"code": "inactive_recently", "value": 0.0, "reference": 0.0},
            "Little learning activity last week",
            "上週學習活動很少",
        ),
        (
            {"code": "correct_rate_low", "value": 1.0, "reference": 1.0},
            "Correct rate 100% (class median 100%)",
            "答對率 100%（班級中位數 100%）",
        ),
        (
            {"code": "correct_rate_drop", "value": 0.05, "reference": 0.7},
            "Correct rate changed by 5 percentage points from the four weeks before",
            "答對率較前四週變化 5 個百分點",
        ),
    ],
    ids=[
        "activity_drop",
        "inactive_recently",
        "active_but_little",
        "correct_rate_low",
        "correct_rate_not_below",
        "correct_rate_rose",
    ],
)
def test_reasons_read_in_plain_language_in_both_languages(
    reason: dict[str, Any], en: str, zh: str
) -> None:
    assert describe(reason, "en") == en
    assert describe(reason, "zh-hant") == zh


def test_gate_refuses_a_model_of_noise(world: Any) -> None:
    synth = synth_build(world, noise=True, classes=4)
    v = _train(world, synth)
    assert not v.passed
    failed = {c["code"] for c in v.card["gate"]["checks"] if not c["ok"]}
    assert "auc" in failed
    with pytest.raises(ValidationError) as exc:
        model_services.version_enable(version=v, actor=world.users["a_admin"])
    assert "version" in exc.value.message_dict
    v.refresh_from_db()
    assert v.status == ModelVersion.Status.TRAINED


def test_train_errors_name_the_field(world: Any) -> None:
    county = world.counties["A"]
    with pytest.raises(ValidationError) as exc:
        model_services.version_train(county=county, stage="college")
    assert "stage" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        model_services.version_train(county=county, stage="junior", target={"metric": "iq"})
    assert "metric" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        model_services.version_train(county=county, stage="junior", target={"threshold": 3})
    assert "threshold" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # no learning data at all
        model_services.version_train(county=county, stage="junior")
    assert "stage" in exc.value.message_dict
    assert not ModelVersion.objects.exists()


def test_versions_scores_reasons_and_the_artifact(world: Any) -> None:
    synth = synth_build(world)
    admin = world.users["a_admin"]
    county = world.counties["A"]
    v1 = _train(world, synth)
    v1 = model_services.version_enable(version=v1, actor=admin)
    assert model_selectors.enabled_version(county, "elementary") == v1
    # one enabled per county × stage: enabling another retires the first; the DB holds it too
    v2 = ModelVersion.objects.create(
        county=county,
        stage="elementary",
        number=9,
        passed=True,
        card=v1.card,
        features=v1.features,
        target=v1.target,
        artifact=bytes(v1.artifact),
        sha256=v1.sha256,
    )
    model_services.version_enable(version=v2, actor=admin)
    v1.refresh_from_db()
    assert v1.status == ModelVersion.Status.RETIRED
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=v1.pk).update(status=ModelVersion.Status.ENABLED)
    model_services.version_retire(version=v2, actor=admin)
    assert model_selectors.enabled_version(county, "elementary") is None
    assert model_services.scores_compute(county=county, stage="elementary") == 0
    model_services.version_enable(version=v1, actor=admin)
    assert AuditEntry.objects.filter(action="predict.version_enable").count() == 3

    as_of = synth.first_week + dt.timedelta(weeks=16)
    n = model_services.scores_compute(county=county, stage="elementary", as_of=as_of)
    enrolled = len(synth.people) + 2  # and elem_student(2) of the world, with no data
    assert n == enrolled
    scores = {s.person_id: s for s in RiskScore.objects.filter(version=v1, as_of=as_of)}
    assert len(scores) == enrolled
    # too little data: "not enough data", never a probability or a rank
    for pid in [*synth.sparse, world.people["elem_student"].pk]:
        assert scores[pid].band == RiskScore.Band.INSUFFICIENT
        assert scores[pid].probability is None and scores[pid].rank is None
    bands = {s.band for s in scores.values()}
    assert {"high", "medium", "low", "insufficient"} <= bands
    # ranks: 1..n within each class, by probability
    for klass in synth.classes:
        ranked = model_selectors.latest_scores(klass)
        probs = [s.probability for s in ranked if s.rank]
        assert [s.rank for s in ranked if s.rank] == list(range(1, len(probs) + 1))
        assert probs == sorted(probs, reverse=True)
        assert all(s.rank is None for s in ranked[len(probs) :])
    # reasons name the true driver: a student who faded 1-2 weeks before the cut-off (activity
    # down, results not yet) is flagged for their activity
    recent = [p for p, f in synth.fade_week.items() if f in (14, 15)]
    flagged = [scores[p] for p in recent if scores[p].band in ("high", "medium")]
    assert len(flagged) >= 3
    for s in flagged:
        assert s.reasons and ACTIVITY & {r["code"] for r in s.reasons}, s.reasons
        assert set(s.reasons[0]) >= {"code", "value", "reference", "effect"}
        assert describe(s.reasons[0], "en")
    for s in flagged:  # the reasons read in both languages
        assert describe(s.reasons[0], "en") != describe(s.reasons[0], "zh-hant")
    # re-scoring the same as_of replaces the rows
    model_services.scores_compute(county=county, stage="elementary", as_of=as_of)
    assert RiskScore.objects.filter(version=v1, as_of=as_of).count() == enrolled
    model_services.scores_compute(county=county, stage="elementary", as_of=synth.today)
    history = model_selectors.student_scores(synth.people[5])
    assert [s.as_of for s in history] == [as_of, synth.today]
    # the artifact: a changed byte is refused, naming the version
    data = bytearray(v1.artifact)
    data[-1] ^= 1
    ModelVersion.objects.filter(pk=v1.pk).update(artifact=bytes(data))
    v1.refresh_from_db()
    with pytest.raises(training.ArtifactError, match=r"10008:elementary:1"):
        training.artifact_load(v1)


def test_split_is_by_share_of_examples_and_keeps_the_horizon_apart() -> None:
    from dtss.predict.training import split_cutoffs

    # a term: few students with enough history early on, many later
    counts = [5, 10, 20, 40, 80, 100, 100, 100, 100, 100, 100, 100]
    fit, cal, test = split_cutoffs(len(counts), 2, counts)
    assert test == [9, 10, 11]  # 300 of 855 examples: ≥ 30 %, the fewest latest cut-offs
    assert cal == [7]  # 100 of 455; cut-off 8 dropped: its horizon reaches the first test week
    assert fit == [0, 1, 2, 3, 4, 5, 6]
    assert sum(counts[i] for i in fit) > sum(counts[i] for i in test) / 2
    # without counts: shares of cut-offs
    fit, cal, test = split_cutoffs(10, 1)
    assert test == [7, 8, 9] and cal == [5, 6] and fit == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="horizon_weeks"):
        split_cutoffs(3, 4)


def test_a_reason_with_no_value_is_skipped_for_the_next() -> None:
    """A student with no scores: replacing the missing mean score moves the prediction most,
    but "mean score —" tells a teacher nothing, so the next reason is shown instead."""
    import numpy as np

    from dtss.predict.reasons import reasons_compute

    class Model:
        def predict_proba(self, x: Any) -> Any:
            p = 0.1 + 0.6 * np.isnan(x[:, 0]) + 0.2 * (x[:, 1] < 10)
            return np.column_stack([1 - p, p])

    names = ["mean_score_4w", "minutes_recent3"]
    matrix = np.array([[np.nan, 2.0]])
    refs = np.array([[0.9, 30.0]])
    (row,) = reasons_compute(Model(), names, matrix, refs, np.array([0.9]))
    assert [r["code"] for r in row] == ["low_activity"]
    assert row[0]["value"] == 2.0 and row[0]["reference"] == 30.0
