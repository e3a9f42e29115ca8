"""The intervention log: who may add, edit and delete, validation naming the field and changing
nothing, and the audit trail; through the services and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.predict import intervention_services as svc
from dtss.predict.models import Intervention
from dtss.predict.tests.test_views import en, risk_world, url_student  # noqa: F401

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def add(w: Any, user: str = "elem_teacher", name: str = "elem_student", **kw: Any) -> Intervention:
    fields = {"date": today(), "kind": "talk", "note": "談過", **kw}
    return svc.intervention_add(person=w.people[name], actor=w.users[user], **fields)


def test_add_belongs_to_the_current_class_and_is_audited(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    iv = add(w)
    assert iv.school_class == w.classes["A-elem 5-1"] and iv.school == w.schools["A-elem"]
    assert iv.created_by == w.users["elem_teacher"] and iv.note == "談過"
    entry = AuditEntry.objects.get(action="predict.intervention_add")
    assert entry.object_id == str(iv.public_id) and entry.school_id == iv.school_id
    assert add(w, "elem_admin").created_by == w.users["elem_admin"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": "tomorrow"}, "date"),
        ({"date": None}, "date"),
        ({"kind": "magic"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    risk_world: Any,  # noqa: F811
    fields: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as exc:
        add(risk_world, **fields)
    assert set(exc.value.message_dict) == {field}
    assert not Intervention.objects.exists() and not AuditEntry.objects.exists()


def test_dates_in_the_future_or_long_ago_are_refused(risk_world: Any) -> None:  # noqa: F811
    for day in (today() + dt.timedelta(days=1), today() - dt.timedelta(days=800)):
        with pytest.raises(ValidationError) as exc:
            add(risk_world, date=day)
        assert "date" in exc.value.message_dict
    assert not Intervention.objects.exists()


def test_who_may_add(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    for user in ("a_admin", "a_staff", "junior_teacher", "b_admin", "elem_student", "elem_parent"):
        with pytest.raises(PermissionDenied):
            add(w, user)
    with pytest.raises(PermissionDenied):
        add(w, "elem_teacher", "p52")  # a student of another class
    assert not Intervention.objects.exists()


def test_author_or_school_admin_may_change(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    iv = add(w)
    assert svc.may_change(w.users["elem_teacher"], iv)
    assert svc.may_change(w.users["elem_admin"], iv)
    for user in ("a_admin", "junior_admin", "b_admin", "elem_student"):
        assert not svc.may_change(w.users[user], iv), user
    by_admin = add(w, "elem_admin")
    assert not svc.may_change(w.users["elem_teacher"], by_admin)  # not the author
    with pytest.raises(PermissionDenied):
        svc.intervention_update(intervention=by_admin, actor=w.users["elem_teacher"], note="x")
    with pytest.raises(PermissionDenied):
        svc.intervention_delete(intervention=by_admin, actor=w.users["elem_teacher"])
    svc.intervention_update(
        intervention=iv, actor=w.users["elem_teacher"], kind="parent", note="打電話"
    )
    iv.refresh_from_db()
    assert (iv.kind, iv.note) == ("parent", "打電話")
    entry = AuditEntry.objects.get(action="predict.intervention_update")
    assert entry.detail["changed"] == ["kind", "note"]
    with pytest.raises(ValidationError) as exc:
        svc.intervention_update(intervention=iv, actor=w.users["elem_teacher"], kind="zzz")
    assert set(exc.value.message_dict) == {"kind"}
    iv.refresh_from_db()
    assert iv.kind == "parent"
    svc.intervention_delete(intervention=by_admin, actor=w.users["elem_admin"])
    assert not Intervention.objects.filter(pk=by_admin.pk).exists()
    assert AuditEntry.objects.filter(action="predict.intervention_delete").count() == 1


def test_add_edit_delete_through_the_pages(risk_world: Any) -> None:  # noqa: F811
    w = risk_world
    client = en(w, "elem_teacher")
    url = url_student(w, "elem_student")
    r = client.post(url, {"date": "2099-01-01", "kind": "talk", "note": ""})
    assert r.status_code == 400 and 'id="form-errors"' in r.content.decode()
    assert "The date cannot be in the future." in r.content.decode()
    r = client.post(url, {"date": today().isoformat(), "kind": "nope"})
    assert r.status_code == 400 and not Intervention.objects.exists()
    r = client.post(url, {"date": today().isoformat(), "kind": "remedial", "note": "補救"})
    assert r.status_code == 302
    iv = Intervention.objects.get()
    assert iv.kind == "remedial"
    html = client.get(url).content.decode()
    assert f'data-intervention="{iv.pk}"' in html and "補救" in html
    edit = f"/predict/interventions/{iv.public_id}/edit/"
    assert client.get(edit).status_code == 200
    r = client.post(edit, {"date": today().isoformat(), "kind": "remedial", "note": "x" * 2001})
    assert r.status_code == 400
    iv.refresh_from_db()
    assert iv.note == "補救"
    r = client.post(edit, {"date": today().isoformat(), "kind": "peer", "note": "同儕"})
    assert r.status_code == 302
    iv.refresh_from_db()
    assert iv.kind == "peer"
    # others: a teacher of another class 404, county staff 404 (pseudonymous), the school
    # admin may; a teacher who is not the author 403
    assert w.client("junior_teacher").get(edit).status_code == 404
    assert w.client("a_admin").get(edit).status_code == 404
    assert w.client("elem_student").get(edit).status_code == 404
    by_admin = add(w, "elem_admin")
    assert client.get(f"/predict/interventions/{by_admin.public_id}/edit/").status_code == 403
    assert client.post(f"/predict/interventions/{by_admin.public_id}/delete/").status_code == 403
    # county staff may not add
    assert (
        w.client("a_staff").post(url, {"date": today().isoformat(), "kind": "talk"}).status_code
        == 403
    )
    delete = f"/predict/interventions/{iv.public_id}/delete/"
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert list(Intervention.objects.all()) == [by_admin]
    assert (
        w.client("elem_admin")
        .post(f"/predict/interventions/{by_admin.public_id}/delete/")
        .status_code
        == 302
    )
    assert not Intervention.objects.exists()
