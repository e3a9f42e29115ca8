"""The surveys' demo data (journey 12): built with the demo county, deterministic, once."""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Count
from django.test import Client
from django.urls import reverse

from dtss.accounts.models import User
from dtss.framework.models import Evidence
from dtss.surveys import selectors
from dtss.surveys.demo import DISAGREE, demo_surveys
from dtss.surveys.models import Invitation, Run, Submission


def test_the_extension_does_nothing_without_the_demo_county(db: Any) -> None:
    demo_surveys(random.Random(114), lambda _m: None)
    assert not Run.objects.exists()


def test_demo_school_runs_its_questionnaires(db: Any) -> None:
    from dtss.demo.county import demo_load

    assert demo_load(seed=114, progress=lambda _m: None)
    principal = User.objects.get(username="principal")
    runs = list(selectors.runs(user=principal).order_by("opens_at"))
    assert len(runs) == 3
    before, current, form = runs
    assert {r.school_id for r in runs} == {principal.person.memberships.get().school_id}
    assert (before.status, current.status, form.status) == ("closed", "closed", "open")
    assert current.previous == before and form.mode == Run.Mode.NAMED

    # This semester: four groups; the parents' four answers are suppressed.
    res = selectors.run_results(run=current, language="zh-hant")
    groups = {g.group: (g.respondents, g.shown) for g in res.groups}
    assert groups["leaders"] == (6, True) and groups["parents"] == (4, False)
    assert groups["teachers"][1] and groups["students"][1]
    assert [g.group for g in res.suppressed_groups] == ["parents"]
    assert all(
        not c.shown and c.mean is None and not c.texts
        for row in res.rows
        for g, c in row.cells.items()
        if g == "parents"
    )
    # Leaders and teachers disagree clearly where the demo says they do …
    rows = {row.key: row for row in res.rows}
    for key in DISAGREE:
        row = rows[key]
        assert row.gap_flag, key
        assert row.cells["leaders"].mean > row.cells["teachers"].mean + 1, key
    # … the change since last semester is there, and free texts of the teachers.
    assert any(c.change is not None for row in res.rows for c in row.cells.values())
    assert any(row.cells["teachers"].texts for row in res.rows if "teachers" in row.cells)
    # A class filter on the class where three pupils answered is refused.
    small = (
        Submission.objects.filter(run=current, part__group="students")
        .values("school_class")
        .order_by()
        .annotate(n=Count("id"))
    )
    three = next(s["school_class"] for s in small if s["n"] == 3)
    assert selectors.run_results(run=current, class_id=three).blocked

    # The run became evidence in the school's self-assessment, on the tagged strategies.
    path = reverse("surveys:run_results", args=[current.public_id])
    evidence = Evidence.objects.filter(url__endswith=path).select_related("response__strategy")
    codes = {e.response.strategy.code for e in evidence}
    assert {"S2.D4", "S2.A4", "S4.D1"} <= codes and all(c.startswith("S") for c in codes)
    assert all(e.school_id == current.school_id for e in evidence)
    assert all(e.title.startswith(f"問卷結果：{current.title}") for e in evidence)
    assert not Evidence.objects.filter(
        url__contains=str(before.public_id)
    ).exists()  # last semester's run closed while the assessment was submitted

    # The named form: some parents answered, others (the demo parent among them) are pending.
    invitations = Invitation.objects.filter(run=form)
    answered = invitations.filter(answered_at__isnull=False).count()
    assert 0 < answered < invitations.count()
    parent = User.objects.get(username="parent")
    assert invitations.filter(person=parent.person, answered_at__isnull=True).exists()

    # The principal reads the results page; the demo teacher does not.
    client = Client()
    client.force_login(principal)
    response = client.get(path)
    assert response.status_code == 200
    assert response.context["r"].gaps and response.context["r"].suppressed
    client.force_login(User.objects.get(username="teacher"))
    assert client.get(path).status_code == 403

    # Again: nothing new.
    counts = (Run.objects.count(), Submission.objects.count(), Evidence.objects.count())
    assert demo_load(seed=114, progress=lambda _m: None) is False
    demo_surveys(random.Random(114), lambda _m: None)
    assert (Run.objects.count(), Submission.objects.count(), Evidence.objects.count()) == counts
