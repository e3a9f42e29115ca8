"""The prediction API's content (the tenancy matrix in dtss/api/tests covers who gets what):
ranked risks with reasons, not-enough-data apart, the pseudonymous county view, the
intervention log's writes with 422 naming the field, and the audit of student reads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dtss.accounts.services import api_token_create
from dtss.core.models import AuditEntry
from dtss.predict.models import Intervention
from dtss.predict.tests.test_views import risk_world  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/v1/predict"


def api(world: Any, name: str) -> Client:
    _token, key = api_token_create(user=world.users[name], name="t")
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


def test_class_risks_ranked_with_reasons(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    r = api(w, "elem_teacher").get(f"{BASE}/classes/{w.classes['A-elem 5-1'].public_id}/risks")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 1
    assert [(x["rank"], x["name"], x["band"]) for x in body["ranked"]] == [
        (1, "elem_student2", "high"),
        (2, "elem_student", "low"),
    ]
    assert body["ranked"][0]["probability"] == 0.81
    assert body["ranked"][0]["reasons"][0]["code"] == "activity_drop"
    assert "60%" in body["ranked"][0]["reasons"][0]["text"]
    assert [(x["name"], x["band"], x["probability"], x["rank"]) for x in body["insufficient"]] == [
        ("林小三", "insufficient", None, None)
    ]


def test_student_risks_staff_and_county(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    url = f"{BASE}/students/{w.people['elem_student'].public_id}/risks"
    body = api(w, "elem_teacher").get(url).json()
    assert body["name"] == "elem_student" and body["pseudonym"] is None
    assert [s["band"] for s in body["scores"]] == ["medium", "low"]
    body = api(w, "a_staff").get(url).json()
    assert body["name"] is None and body["pseudonym"].startswith("S-")
    assert "elem_student" not in json.dumps(body)
    entries = AuditEntry.objects.filter(action="predict.student_view")
    assert [(e.detail["access"], e.detail["via"]) for e in entries.order_by("id")] == [
        ("staff", "api"),
        ("county", "api"),
    ]


def test_intervention_writes_and_422(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    client = api(w, "elem_teacher")
    url = f"{BASE}/students/{w.people['elem_student'].public_id}/interventions"
    today = timezone.localdate().isoformat()
    r = client.post(
        url, {"date": "2999-01-01", "kind": "zzz", "note": ""}, content_type="application/json"
    )
    assert r.status_code == 422
    fields = {tuple(d["loc"])[-1] if isinstance(d.get("loc"), list) else d.get("field")
              for d in r.json()["detail"]}  # fmt: skip
    assert {"date", "kind"} <= fields, r.json()
    assert not Intervention.objects.exists()
    r = client.post(
        url, {"date": today, "kind": "talk", "note": "談過"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["note"] == "談過" and created["may_change"] is True
    assert created["recorded_by"] == "elem_teacher"
    listing = api(w, "a_staff").get(url).json()
    assert listing["count"] == 1 and listing["items"][0]["note"] is None
    assert listing["items"][0]["recorded_by"] is None
    iv_url = f"{BASE}/interventions/{created['public_id']}"
    r = client.patch(iv_url, {"note": "x" * 2001}, content_type="application/json")
    assert r.status_code == 422
    assert Intervention.objects.get().note == "談過"
    r = client.patch(iv_url, {"kind": "parent"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["kind"] == "parent"
    assert api(w, "elem_admin").delete(iv_url).status_code == 204
    assert not Intervention.objects.exists()


def test_models_for_county_staff(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    body = api(w, "a_staff").get(f"{BASE}/models").json()
    assert [(v["county"], v["number"], v["status"]) for v in body["items"]] == [
        (w.counties["A"].code, 1, "enabled")
    ]
    detail = api(w, "a_staff").get(f"{BASE}/models/{w.versions['A'].public_id}").json()
    assert detail["card"]["auc"] == 0.81 and detail["target"]["metric"] == "correct_rate"
