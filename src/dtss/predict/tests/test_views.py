"""The risk pages (issue 7, item 3) and the model pages (item 2) through the test client.

Model versions and scores are made directly (`risk_world`), so these tests do not depend on
training; one end-to-end test trains and scores with the engine. Assertions read ids, data
attributes and English text (the tests run in English where they read words).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dtss.analytics.class_selectors import week_of
from dtss.analytics.models import StudentWeek
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services
from dtss.predict.models import Intervention, ModelVersion, RiskScore

pytestmark = pytest.mark.django_db


def card(**over: Any) -> dict[str, Any]:
    """A model card with every section (the keys of training.py, schema 1)."""
    base: dict[str, Any] = {
        "schema": 1,
        "features": ["minutes_3w", "correct_rate_4w"],
        "cutoffs": {
            "fit": ["2025-09-08", "2025-10-20"],
            "calibrate": ["2025-10-27", "2025-11-03"],
            "test": ["2025-11-10", "2025-11-24"],
        },
        "n": {"fit": 900, "calibrate": 200, "test": 300},
        "students": {"test": 150},
        "test_positives": 60,
        "test_negatives": 240,
        "auc": 0.81,
        "baseline": "the target metric over the last 4 weeks alone",
        "baseline_auc": 0.7,
        "brier": 0.12,
        "flagged_share": 0.2,
        "precision": 0.55,
        "recall": 0.62,
        "calibration_method": "isotonic",
        "calibration": [
            {"low": 0.0, "high": 0.1, "n": 100, "mean_predicted": 0.05, "observed": 0.04},
            {"low": 0.5, "high": 0.6, "n": 20, "mean_predicted": 0.55, "observed": 0.5},
        ],
        "breakdown": {
            "stage": [{"group": "elementary", "n": 300, "auc": 0.8, "recall": 0.6}],
            "gender": [
                {"group": "F", "n": 150, "auc": 0.84, "recall": 0.65},
                {"group": "M", "n": 150, "auc": 0.78, "recall": 0.58},
            ],
            "disadvantaged": [
                {"group": "yes", "n": 40, "auc": 0.66, "recall": 0.6},  # 0.15 below: warned
                {"group": "no", "n": 260, "auc": 0.82, "recall": 0.62},
            ],
        },
        "gate": {
            "passed": True,
            "checks": [
                {"code": "auc", "value": 0.81, "required": 0.65, "ok": True},
                {"code": "auc_gain", "value": 0.11, "required": 0.02, "ok": True},
            ],
        },
        "model": {"estimator": "HistGradientBoostingClassifier"},
        "sklearn_version": "1.9.1",
    }
    base.update(over)
    return base


def make_version(
    county: Any, stage: str = "elementary", *, number: int = 1, status: str = "enabled", **kw: Any
) -> ModelVersion:
    return ModelVersion.objects.create(
        county=county,
        stage=stage,
        number=number,
        status=status,
        passed=kw.pop("passed", True),
        target={"metric": "correct_rate", "threshold": 0.6, "horizon_weeks": 4},
        card=kw.pop("card", card()),
        artifact=b"",
        sha256="0" * 64,
        **kw,
    )


def score(
    version: ModelVersion,
    person: Any,
    school_class: Any,
    *,
    as_of: dt.date,
    probability: float | None,
    band: str,
    rank: int | None,
    reasons: list[dict[str, Any]] | None = None,
) -> RiskScore:
    return RiskScore.objects.create(
        county_id=school_class.county_id,
        school_id=school_class.school_id,
        school_class=school_class,
        person=person,
        version=version,
        as_of=as_of,
        probability=probability,
        band=band,
        rank=rank,
        reasons=reasons or [],
    )


def as_of() -> dt.date:
    return week_of(timezone.localdate())


@pytest.fixture
def risk_world(world: Any) -> Any:
    """County A's elementary model v1 enabled, with the latest scores of A-elem 5-1:
    elem_student2 rank 1 high (activity fell 60%), elem_student rank 2 low, kid3 (seat 3)
    not enough data; an older score of elem_student. A second class 5-2 of A-elem (another
    teacher) and county B's version of its own, with b_student scored. elem_student's weeks
    in the rollups (minutes and answers)."""
    c51 = world.classes["A-elem 5-1"]
    kid = org_services.person_create(county=c51.county, name="林小三", external_id="kid3")
    org_services.enrollment_create(student=kid, school_class=c51, seat_number=3)
    world.people["kid3"] = kid
    other = org_services.person_create(county=c51.county, name="other_teacher")
    org_services.membership_create(person=other, role="teacher", school=c51.school)
    c52 = org_services.class_create(
        school=c51.school, term=c51.term, grade=5, number=2, homeroom_teacher=other
    )
    pupil = org_services.person_create(county=c51.county, name="王五二", external_id="p52")
    org_services.enrollment_create(student=pupil, school_class=c52, seat_number=1)
    world.classes["A-elem 5-2"] = c52
    world.people["p52"] = pupil

    va = make_version(world.counties["A"], created_by=world.users["a_admin"])
    day = as_of()
    p = world.people
    score(
        va, p["elem_student2"], c51, as_of=day, probability=0.81, band="high", rank=1,
        reasons=[{"code": "activity_drop", "value": -0.6}],
    )  # fmt: skip
    score(
        va, p["elem_student"], c51, as_of=day, probability=0.12, band="low", rank=2,
        reasons=[{"code": "correct_rate_low", "value": 0.45, "reference": 0.7}],
    )  # fmt: skip
    score(va, kid, c51, as_of=day, probability=None, band="insufficient", rank=None)
    score(
        va, p["elem_student"], c51, as_of=day - dt.timedelta(weeks=1), probability=0.3,
        band="medium", rank=2,
    )  # fmt: skip
    score(va, pupil, c52, as_of=day, probability=0.5, band="medium", rank=1)
    vb = make_version(world.counties["B"])
    c32 = world.classes["B-elem 3-2"]
    score(vb, p["b_student"], c32, as_of=day, probability=0.7, band="high", rank=1)
    for i in range(4):
        StudentWeek.objects.create(
            county=c51.county,
            person=p["elem_student"],
            school=c51.school,
            school_class=c51,
            week=day - dt.timedelta(weeks=i + 1),
            seconds=600 * (i + 1),
            events=5,
            answered=10,
            correct=4 + i,
            active_days=2,
        )
    world.versions = {"A": va, "B": vb}
    return world


def en(world: Any, name: str) -> Client:
    client = world.client(name)
    client.cookies["dtss_language"] = "en"
    return client


def url_class(world: Any, key: str = "A-elem 5-1") -> str:
    return f"/predict/classes/{world.classes[key].public_id}/"


def url_student(world: Any, name: str) -> str:
    return f"/predict/students/{world.people[name].public_id}/"


# --------------------------------------------------------------------------- classes


def test_teacher_sees_the_class_ranked_with_reasons_and_not_enough_data(risk_world: Any) -> None:
    w = risk_world
    r = en(w, "elem_teacher").get(url_class(w))
    assert r.status_code == 200
    html = r.content.decode()
    rows = r.context["risk"].ranked
    assert [row.person.pk for row in rows] == [
        w.people["elem_student2"].pk,
        w.people["elem_student"].pk,
    ]
    assert 'data-rank="1" data-seat="2"' in html
    assert "Activity fell 60% over the last three weeks" in html
    assert "Correct rate 45%, below the class median of 70%" in html
    assert "81%" in html
    # kid3 apart, never ranked and without a probability
    insufficient = r.context["risk"].insufficient
    assert [row.person.pk for row in insufficient] == [w.people["kid3"].pk]
    assert 'id="insufficient"' in html
    assert f'data-person="{w.people["kid3"].public_id}" data-band="insufficient"' in html
    assert r.context["risk"].counts == {"high": 1, "medium": 0, "low": 1, "insufficient": 1}
    # the trend of elem_student: 12 weekly bars, a correct-rate line
    trend = rows[1].trend
    assert len(trend.weeks) == 12 and trend.peak == 40.0
    assert trend.rates[-2] == 40.0 and trend.rates[-5] == 70.0  # 4 of 10, 7 of 10 answers
    assert trend.rates[-1] is None  # the cut-off week itself: no answers yet
    # teachers get the target in words, not the model card
    assert "correct rate over the next 4 weeks will stay below 60%" in html
    assert 'id="card-link"' not in html


def test_band_filter_and_bad_band(risk_world: Any) -> None:
    w = risk_world
    client = en(w, "elem_teacher")
    r = client.get(url_class(w) + "?band=high")
    assert [row.band for row in r.context["risk"].shown] == ["high"]
    assert 'id="insufficient"' not in r.content.decode()
    r = client.get(url_class(w) + "?band=nonsense")
    assert r.status_code == 200 and len(r.context["risk"].shown) == 2
    r = client.get(url_class(w) + "?band=medium")
    assert 'id="no-ranked"' in r.content.decode()


CLASS_ACCESS = [
    ("elem_teacher", "A-elem 5-1", 200),
    ("elem_admin", "A-elem 5-1", 200),
    ("elem_admin", "A-elem 5-2", 200),
    ("elem_teacher", "A-elem 5-2", 404),  # another class of the same school
    ("junior_teacher", "A-elem 5-1", 404),  # another school
    ("b_teacher", "A-elem 5-1", 404),  # another county
    ("b_teacher", "B-elem 3-2", 200),
    ("a_admin", "A-elem 5-1", 404),  # county staff: pseudonymous pages only
    ("elem_student", "A-elem 5-1", 404),
    ("elem_parent", "A-elem 5-1", 404),
    ("outsider", "A-elem 5-1", 404),
]


def test_who_sees_a_class(risk_world: Any) -> None:
    w = risk_world
    for user, key, status in CLASS_ACCESS:
        client = w.client(user)
        assert client.get(url_class(w, key)).status_code == status, (user, key)
        assert client.get(url_class(w, key) + "export.csv").status_code == status, (user, key)
        assert client.get(url_class(w, key) + "export.xlsx").status_code == status, (user, key)


def test_class_list(risk_world: Any) -> None:
    w = risk_world
    r = en(w, "elem_teacher").get("/predict/classes/")
    assert r.status_code == 200
    lines = r.context["lines"]
    assert [line.school_class for line in lines] == [w.classes["A-elem 5-1"]]
    assert lines[0].counts["high"] == 1 and lines[0].counts["insufficient"] == 1
    r = en(w, "elem_admin").get("/predict/classes/")
    assert {line.school_class for line in r.context["lines"]} == {
        w.classes["A-elem 5-1"],
        w.classes["A-elem 5-2"],
    }
    r = en(w, "a_staff").get("/predict/classes/")
    assert r.status_code == 200 and 'id="no-classes"' in r.content.decode()
    for user in ("elem_student", "elem_parent", "outsider"):
        assert w.client(user).get("/predict/classes/").status_code == 403


def test_empty_states(world: Any) -> None:
    client = en(world, "elem_teacher")
    url = url_class(world)
    html = client.get(url).content.decode()
    assert 'id="no-model"' in html
    assert 'data-state="no-model"' in client.get("/predict/classes/").content.decode()
    make_version(world.counties["A"])
    html = client.get(url).content.decode()
    assert 'id="no-scores"' in html and 'id="no-model"' not in html
    # a junior-high model does not serve the elementary school
    make_version(world.counties["A"], "junior")
    assert 'id="no-scores"' in client.get(url).content.decode()


def test_county_staff_see_the_card_link_when_they_run_a_school(risk_world: Any) -> None:
    """Superusers see every class and are county level: the page links the model card."""
    from dtss.accounts.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    html = client.get(url_class(risk_world)).content.decode()
    assert 'id="card-link"' in html


def test_exports_csv_and_xlsx_audited(risk_world: Any) -> None:
    w = risk_world
    client = en(w, "elem_teacher")
    r = client.get(url_class(w) + "export.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("Rank,Seat,Name,Risk,Probability (%)")
    assert lines[1].startswith("1,2,elem_student2,High risk,81,Activity fell 60%")
    assert lines[3].startswith(",3,林小三,Not enough data,,")
    assert len(lines) == 4
    r = client.get(url_class(w) + "export.xlsx?band=high")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for c in ws[4]]
    assert values[:3] == ["Rank", "Seat", "Name"]
    assert [c.value for c in ws[5]][:3] == [1, 2, "elem_student2"]
    assert ws.max_row == 5  # only the high band
    actions = AuditEntry.objects.filter(action="predict.class_export")
    assert sorted(e.detail["format"] for e in actions) == ["csv", "xlsx"]
    assert client.get(url_class(w) + "export.csv?band=bad").status_code == 400


# --------------------------------------------------------------------------- one student


STUDENT_ACCESS = [
    ("elem_teacher", "elem_student", 200, "staff"),
    ("elem_admin", "elem_student", 200, "staff"),
    ("a_admin", "elem_student", 200, "county"),
    ("a_staff", "elem_student", 200, "county"),
    ("elem_teacher", "p52", 404, ""),  # another class of the school
    ("junior_teacher", "elem_student", 404, ""),
    ("b_admin", "elem_student", 404, ""),
    ("b_teacher", "elem_student", 404, ""),
    ("elem_student", "elem_student", 404, ""),  # the student themselves
    ("elem_parent", "elem_student", 404, ""),
    ("outsider", "elem_student", 404, ""),
    ("elem_teacher", "elem_teacher", 404, ""),  # not a student
]


def test_who_sees_a_student(risk_world: Any) -> None:
    w = risk_world
    for user, name, status, how in STUDENT_ACCESS:
        before = AuditEntry.objects.filter(action="predict.student_view").count()
        r = w.client(user).get(url_student(w, name))
        assert r.status_code == status, (user, name)
        after = AuditEntry.objects.filter(action="predict.student_view")
        if status == 200:
            assert after.count() == before + 1
            entry = after.latest("at")
            assert entry.detail["access"] == how and entry.actor == w.users[user]
            assert entry.object_id == str(w.people[name].public_id)
        else:
            assert after.count() == before, (user, name)


def test_student_page_history_trend_reasons_log(risk_world: Any) -> None:
    w = risk_world
    person = w.people["elem_student"]
    teacher = w.users["elem_teacher"]
    iv = Intervention.objects.create(
        county=person.county,
        school=w.schools["A-elem"],
        school_class=w.classes["A-elem 5-1"],
        person=person,
        date=as_of() - dt.timedelta(weeks=2),
        kind="talk",
        note="談過了，週三再看",
        created_by=teacher,
    )
    r = en(w, "elem_teacher").get(url_student(w, "elem_student"))
    html = r.content.decode()
    risk = r.context["risk"]
    assert [s.as_of for s in risk.scores] == [as_of() - dt.timedelta(weeks=1), as_of()]
    assert 'data-band="low"' in html and "12%" in html
    assert "Correct rate 45%, below the class median of 70%" in html
    assert f'data-intervention="{iv.pk}" data-date="{iv.date:%Y-%m-%d}"' in html
    assert [m.pk for m in risk.trend.markers] == [iv.pk]
    assert "談過了" in html and 'id="add-intervention"' in html
    assert f"/predict/interventions/{iv.public_id}/edit/" in html
    # county staff: pseudonym, no name, no notes, no form, but the marker
    r = en(w, "a_staff").get(url_student(w, "elem_student"))
    html = r.content.decode()
    assert 'id="pseudonymous"' in html and r.context["display_name"].startswith("S-")
    assert "elem_student" not in html.replace(str(person.public_id), "")
    assert "談過了" not in html and 'id="add-intervention"' not in html
    assert f'data-intervention="{iv.pk}"' in html


def test_student_without_score(world: Any) -> None:
    html = en(world, "elem_teacher").get(url_student(world, "elem_student")).content.decode()
    assert 'id="no-score"' in html and 'id="no-interventions"' in html


def test_insufficient_student_shows_no_probability(risk_world: Any) -> None:
    html = en(risk_world, "elem_teacher").get(url_student(risk_world, "kid3")).content.decode()
    assert 'data-band="insufficient"' in html and 'id="risk-percent"' not in html


# --------------------------------------------------------------------------- model pages


def test_model_list_and_card_for_county_staff(risk_world: Any) -> None:
    w = risk_world
    make_version(w.counties["A"], number=2, status="trained", passed=False)
    r = en(w, "a_staff").get("/predict/models/")
    assert r.status_code == 200
    html = r.content.decode()
    va = w.versions["A"]
    assert f'data-version="{va.public_id}" data-status="enabled" data-passed="1"' in html
    assert str(w.versions["B"].public_id) not in html
    assert 'id="train-form"' not in html  # county staff do not train
    assert 'id="train-form"' in en(w, "a_admin").get("/predict/models/").content.decode()
    r = en(w, "a_staff").get(f"/predict/models/{va.public_id}/")
    html = r.content.decode()
    for section in (
        "card-target",
        "card-data",
        "card-metrics",
        "card-calibration",
        "calibration-table",
        "card-fairness",
        "card-gate",
        "gate-checks",
    ):
        assert f'id="{section}"' in html, section
    assert 'id="fairness-warning"' in html
    assert 'data-group="disadvantaged:yes"' in html
    assert 'data-group="gender:F"' not in html  # within 0.1
    assert 'id="auc-gain">0.11<' in html
    assert "<circle" in html  # the reliability plot
    assert 'id="enable"' not in html and 'id="retire"' not in html  # not an admin


def test_card_renders_defensively(world: Any) -> None:
    v = make_version(world.counties["A"], card={"auc": "oops", "breakdown": [1], "gate": 3})
    r = en(world, "a_admin").get(f"/predict/models/{v.public_id}/")
    assert r.status_code == 200 and 'id="fairness-warning"' not in r.content.decode()


CARD_ACCESS = [
    ("a_admin", "A", 200),
    ("a_staff", "A", 200),
    ("moe", "A", 200),
    ("b_admin", "A", 404),
    ("elem_admin", "A", 403),
    ("elem_teacher", "A", 403),
    ("elem_student", "A", 403),
    ("outsider", "A", 403),
]


def test_who_reads_model_cards(risk_world: Any) -> None:
    for user, county, status in CARD_ACCESS:
        client = risk_world.client(user)
        v = risk_world.versions[county]
        assert client.get(f"/predict/models/{v.public_id}/").status_code == status, user
        list_status = 403 if status == 403 else 200
        assert client.get("/predict/models/").status_code == list_status, user


def test_enable_refused_when_not_passed_and_retire(risk_world: Any) -> None:
    w = risk_world
    failed = make_version(w.counties["A"], number=2, status="trained", passed=False)
    client = en(w, "a_admin")
    html = client.get(f"/predict/models/{failed.public_id}/").content.decode()
    assert 'id="enable-refused"' in html and 'id="enable"' not in html
    r = client.post(f"/predict/models/{failed.public_id}/enable/", follow=True)
    failed.refresh_from_db()
    assert failed.status == "trained"
    assert w.versions["A"].__class__.objects.get(pk=w.versions["A"].pk).status == "enabled"
    assert any(m.level_tag == "error" for m in r.context["messages"])
    # others may not
    for user in ("a_staff", "b_admin", "elem_admin"):
        status = w.client(user).post(f"/predict/models/{failed.public_id}/retire/").status_code
        assert status in (403, 404)
    failed.refresh_from_db()
    assert failed.status == "trained"
    client.post(f"/predict/models/{failed.public_id}/retire/")
    failed.refresh_from_db()
    assert failed.status == "retired"


def test_enable_a_passed_version_retires_the_previous(risk_world: Any) -> None:
    w = risk_world
    new = make_version(w.counties["A"], number=2, status="trained", passed=True)
    r = w.client("a_admin").post(f"/predict/models/{new.public_id}/enable/")
    assert r.status_code == 302
    new.refresh_from_db()
    w.versions["A"].refresh_from_db()
    assert new.status == "enabled" and w.versions["A"].status == "retired"
    assert w.client("a_admin").get(f"/predict/models/{new.public_id}/enable/").status_code == 405


def test_train_form_validation_and_permission(risk_world: Any) -> None:
    w = risk_world
    a = w.counties["A"]
    r = en(w, "a_admin").post(
        "/predict/models/train/", {"county": a.pk, "stage": "nope"}, follow=True
    )
    assert any("School stage" in str(m) for m in r.context["messages"])
    r = en(w, "a_admin").post(
        "/predict/models/train/", {"county": w.counties["B"].pk, "stage": "junior"}, follow=True
    )
    assert any("County/city" in str(m) for m in r.context["messages"])
    assert (
        w.client("a_staff").post("/predict/models/train/", {"stage": "junior"}).status_code == 403
    )
    assert ModelVersion.objects.count() == 2


def test_navigation_entries(risk_world: Any) -> None:
    w = risk_world
    nav = dict((str(label), href) for href, label in en(w, "elem_teacher").get("/").context["nav"])
    assert nav.get("At-risk students") == "/predict/classes/"
    assert "Prediction models" not in nav
    nav = dict((str(label), href) for href, label in en(w, "a_staff").get("/").context["nav"])
    assert nav.get("Prediction models") == "/predict/models/"
    assert "At-risk students" not in nav
    nav = dict((str(label), href) for href, label in en(w, "elem_student").get("/").context["nav"])
    assert "At-risk students" not in nav and "Prediction models" not in nav


def test_analytics_class_page_links_the_risk_page(risk_world: Any) -> None:
    w = risk_world
    c = w.classes["A-elem 5-1"]
    html = w.client("elem_teacher").get(f"/analytics/classes/{c.public_id}/").content.decode()
    assert f'href="/predict/classes/{c.public_id}/" id="risk-link"' in html


def test_end_to_end_train_enable_score_and_read(world: Any) -> None:
    """The engine trains on generated data, the county admin enables the version on its card,
    the engine scores, and the school admin reads a class ranked with reasons."""
    from dtss.predict import model_services
    from dtss.predict.tests.synthetic import synth_build

    synth = synth_build(world, classes=4, per_class=50, weeks=20)
    version = model_services.version_train(
        county=world.counties["A"], stage="elementary", today=synth.today
    )
    assert version.passed, version.card.get("gate")
    admin = en(world, "a_admin")
    html = admin.get(f"/predict/models/{version.public_id}/").content.decode()
    assert 'id="enable"' in html and 'id="gate-passed"' in html
    assert admin.post(f"/predict/models/{version.public_id}/enable/").status_code == 302
    version.refresh_from_db()
    assert version.status == "enabled"
    assert model_services.scores_compute(
        county=world.counties["A"], stage="elementary", as_of=synth.today
    )
    klass = synth.classes[0]
    r = en(world, "elem_admin").get(f"/predict/classes/{klass.public_id}/")
    risk = r.context["risk"]
    assert risk.version == version and risk.ranked
    assert [row.rank for row in risk.ranked] == list(range(1, len(risk.ranked) + 1))
    assert any(row.reasons for row in risk.ranked)
    assert risk.insufficient  # the sparse students: apart, never ranked
    assert all(row.percent is None for row in risk.insufficient)
