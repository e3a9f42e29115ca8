"""The survey engine through its services: building, running, answering, anonymity,
suppression, named forms and reminders, permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dtss.conftest import World
from dtss.surveys import selectors, services
from dtss.surveys.models import AccessCode, Answer, BankQuestion, Run, Submission
from dtss.surveys.tests.factories import answer_with_codes, questionnaire, run


def test_the_bank_is_loaded_with_every_group_and_item(db: Any) -> None:
    bank = BankQuestion.objects.filter(county__isnull=True)
    assert bank.count() >= 150
    assert set(bank.values_list("group", flat=True)) == {
        "leaders",
        "teachers",
        "students",
        "parents",
    }
    assert bank.filter(group="students", primary=True).exists()
    items = set(bank.values_list("item", flat=True))
    assert {"S1", "S2", "S3", "S4", "S5", "L1", "L7"} <= items
    tagged = {c for s in bank.values_list("strategies", flat=True) for c in s}
    assert {"S2.D4", "S2.A4", "S2.M6", "S4.A2", "L4.M3", "L5.A1", "L7.M1"} <= tagged


def test_questionnaire_from_bank_has_a_section_per_item(world: World) -> None:
    qn = services.questionnaire_from_bank(
        actor=world.users["elem_admin"],
        county=world.counties["A"],
        school=world.schools["A-elem"],
        group="students",
        items=["S1", "S2"],
        title_zh="學生問卷",
        primary=True,
    )
    sections = list(qn.sections.order_by("order"))
    assert [s.title_zh[:2] for s in sections] == ["S1", "S2"]
    assert all(q.bank.primary for q in qn.questions.all())
    assert qn.questions.filter(pair__gt="").exists()


def test_anonymous_answers_store_no_identity(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    answer_with_codes(world, r, "teachers", [5, 4, 4, 2, 1, 3])
    subs = list(Submission.objects.filter(run=r))
    assert len(subs) == 6
    for s in subs:
        assert s.invitation_id is None and s.submitted_at is None
    # No field of a submission or an access code can hold a person, a user or a time.
    for model in (Submission, AccessCode):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"person", "user", "created_at", "updated_at", "respondent"}
    assert {f.name for f in Answer._meta.get_fields()} == {
        "id",
        "submission",
        "question",
        "value",
        "file",
    }
    # Codes are used once.
    code = services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=1)[
        0
    ]
    services.submission_anonymous(code=code.code, answers={"Q1": 3, "Q2": "yes"})
    with pytest.raises(ValidationError) as err:
        services.submission_anonymous(code=code.code, answers={"Q1": 3, "Q2": "yes"})
    assert "code" in err.value.message_dict


def test_bad_answers_change_nothing(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    code = services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=1)[
        0
    ]
    with pytest.raises(ValidationError) as err:
        services.submission_anonymous(code=code.code, answers={"Q1": 9, "Q2": "no"})
    assert set(err.value.message_dict) == {"Q1", "Q3"}  # Q3 is required once Q2 is "no"
    code.refresh_from_db()
    assert code.uses_left == 1 and not Submission.objects.exists()


def test_codes_stop_working_when_the_run_closes(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    code = services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=1)[
        0
    ]
    services.run_close(run=r, actor=world.users["a_admin"])
    with pytest.raises(ValidationError):
        services.submission_anonymous(code=code.code, answers={"Q1": 3, "Q2": "yes"})


def test_class_link_is_good_for_the_number_issued(world: World) -> None:
    qn = questionnaire(world, group="students")
    r = run(world, {"students": qn})
    klass = world.classes["A-elem 5-1"]
    link = services.codes_generate(
        run=r,
        actor=world.users["a_admin"],
        group="students",
        school_class=klass,
        count=2,
        reusable=True,
    )
    assert len(link) == 1 and link[0].uses_left == 2
    for _ in range(2):
        s = services.submission_anonymous(code=link[0].code, answers={"Q1": 4, "Q2": "yes"})
        assert s.school_class_id == klass.pk
    with pytest.raises(ValidationError):
        services.submission_anonymous(code=link[0].code, answers={"Q1": 4, "Q2": "yes"})


def test_results_suppress_small_groups(world: World) -> None:
    teachers = questionnaire(world)
    leaders = questionnaire(world, group="leaders", title="行政問卷")
    r = run(world, {"teachers": teachers, "leaders": leaders})
    answer_with_codes(world, r, "teachers", [5, 5, 4, 4, 2, 1])
    answer_with_codes(world, r, "leaders", [5, 5, 5, 5])  # four: below 5
    res = selectors.run_results(run=r, language="zh-hant")
    groups = {g.group: g for g in res.groups}
    assert groups["teachers"].shown and not groups["leaders"].shown
    row = next(row for row in res.rows if row.key == "S2-voice")
    t, lead = row.cells["teachers"], row.cells["leaders"]
    assert t.shown and t.mean == pytest.approx(3.5) and t.agree == pytest.approx(66.7)
    assert not lead.shown and lead.mean is None and lead.counts == [] and lead.texts == []
    assert row.gap is None  # nothing to compare with a suppressed group
    why = next(
        row for row in res.rows if row.key.endswith(":Q3") and row.key.startswith("teachers")
    )
    assert why.cells["teachers"].texts == []  # two answers: below the minimum


def test_results_compare_groups_and_flag_gaps(world: World) -> None:
    teachers = questionnaire(world)
    leaders = questionnaire(world, group="leaders", title="行政問卷")
    r = run(world, {"teachers": teachers, "leaders": leaders})
    answer_with_codes(world, r, "teachers", [2, 2, 3, 2, 1])
    answer_with_codes(world, r, "leaders", [5, 5, 4, 5, 5])
    row = next(row for row in selectors.run_results(run=r).rows if row.key == "S2-voice")
    assert row.cells["leaders"].mean == 4.8 and row.cells["teachers"].mean == 2.0
    assert row.gap == 2.8 and row.gap_flag


def test_min_group_size_only_goes_up(world: World) -> None:
    qn = questionnaire(world)
    with pytest.raises(ValidationError) as err:
        run(world, {"teachers": qn}, min_group_size=3)
    assert "min_group_size" in err.value.message_dict
    r = run(world, {"teachers": qn}, min_group_size=8)
    answer_with_codes(world, r, "teachers", [4] * 6)
    assert not selectors.run_results(run=r).groups[0].shown


def test_a_class_filter_cannot_reveal_the_rest_of_the_school(world: World) -> None:
    students = questionnaire(world, group="students")
    r = run(world, {"students": students})
    klass = world.classes["A-elem 5-1"]
    answer_with_codes(world, r, "students", [4] * 7, school_class=klass)
    answer_with_codes(world, r, "students", [1] * 3)  # codes for the school, no class
    whole = selectors.run_results(run=r)
    assert whole.groups[0].shown and whole.groups[0].respondents == 10
    # 7 of 10: publishing the class would reveal the other 3 by subtraction.
    only_class = selectors.run_results(run=r, class_id=klass.pk)
    assert only_class.blocked and not only_class.groups[0].shown
    row = next(row for row in only_class.rows if row.key == "S2-voice")
    assert not row.cells["students"].shown and row.cells["students"].mean is None


def test_previous_run_shows_the_change(world: World) -> None:
    qn = questionnaire(world)
    first = run(world, {"teachers": qn})
    answer_with_codes(world, first, "teachers", [2, 2, 2, 2, 2])
    services.run_close(run=first, actor=world.users["a_admin"])
    second = run(world, {"teachers": qn}, previous=first)
    answer_with_codes(world, second, "teachers", [4, 4, 4, 4, 3])
    row = next(row for row in selectors.run_results(run=second).rows if row.key == "S2-voice")
    assert row.cells["teachers"].previous_mean == 2.0 and row.cells["teachers"].change == 1.8


def test_locked_questionnaire_cannot_change(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    answer_with_codes(world, r, "teachers", [4])
    with pytest.raises(ValidationError):
        services.question_update(
            question=qn.questions.first(), actor=world.users["a_admin"], text_zh="改題目"
        )
    copy = services.questionnaire_copy(questionnaire=qn, actor=world.users["a_admin"])
    assert copy.questions.count() == 3 and copy.questions.get(code="Q3").show_if


def test_skip_logic_must_point_backwards(world: World) -> None:
    qn = questionnaire(world)
    section = qn.sections.get()
    with pytest.raises(ValidationError) as err:
        services.question_create(
            section=section,
            actor=world.users["a_admin"],
            kind="scale5",
            text_zh="x",
            show_if=[{"q": "Q9", "op": "answered"}],
        )
    assert "show_if" in err.value.message_dict
    assert qn.questions.count() == 3
    with pytest.raises(ValidationError):
        services.question_delete(question=qn.questions.get(code="Q2"), actor=world.users["a_admin"])


def test_named_run_invites_answers_and_reminds(world: World, settings: Any) -> None:
    settings.SITE_URL = "https://dtss.example.org"
    qn = questionnaire(world, group="parents", pair="", title="戶外教學調查表")
    r = run(world, {"parents": qn}, mode="named")
    invitations = list(r.invitations.select_related("person", "about"))
    assert [(i.person.name, i.about.name) for i in invitations] == [
        (world.people["elem_parent"].name, world.people["elem_student"].name)
    ]
    inv = invitations[0]
    with pytest.raises(PermissionDenied):
        services.submission_named(
            invitation=inv, user=world.users["elem_teacher"], answers={"Q1": 3}
        )
    mail.outbox.clear()
    counts = services.invitations_remind(run=r, actor=world.users["a_admin"])
    assert counts["sent"] == 1 and mail.outbox[0].to == [world.people["elem_parent"].email]
    assert "https://dtss.example.org/" in mail.outbox[0].body
    # not twice within a day
    assert services.invitations_remind(run=r, actor=world.users["a_admin"])["skipped"] == 1
    services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers={"Q1": 4, "Q2": "yes"}
    )
    services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers={"Q1": 2, "Q2": "yes"}
    )  # changed while open
    inv.refresh_from_db()
    assert inv.answered_at is not None
    assert dict(
        Answer.objects.filter(submission__invitation=inv).values_list("question__code", "value")
    ) == {"Q1": 2, "Q2": "yes"}
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=2)
    assert services.invitations_remind(run=r, actor=None, now=later)["sent"] == 0
    assert selectors.named_answers(run=r)[0][1] == {"Q1": 2, "Q2": "yes"}


def test_reminder_command_reaches_runs_closing_soon(world: World) -> None:
    qn = questionnaire(world, group="teachers", pair="")
    r = run(world, {"teachers": qn}, mode="named", opens=timezone.now() - timedelta(days=13))
    assert r.invitations.count() == 1
    mail.outbox.clear()
    assert services.runs_remind_due()["sent"] == 1
    assert services.runs_close_due(now=r.closes_at + timedelta(minutes=1)) == 1
    r.refresh_from_db()
    assert r.status == Run.Status.CLOSED


@pytest.mark.parametrize(
    "user", ["b_admin", "elem_teacher", "junior_admin", "elem_parent", "outsider"]
)
def test_only_the_owners_administrators_manage(world: World, user: str) -> None:
    with pytest.raises(PermissionDenied):
        services.questionnaire_create(
            actor=world.users[user],
            county=world.counties["A"],
            school=world.schools["A-elem"],
            title_zh="x",
        )


def test_visibility_of_runs_and_results(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    for user, sees in [
        ("a_admin", True),
        ("elem_admin", True),
        ("b_admin", False),
        ("junior_admin", False),
    ]:
        assert selectors.runs(user=world.users[user]).filter(pk=r.pk).exists() is sees, user
    assert selectors.may_read_results(world.users["elem_admin"], r)
    assert selectors.may_read_results(world.users["a_staff"], r)
    for user in ("elem_teacher", "elem_parent", "b_admin", "junior_admin"):
        assert not selectors.may_read_results(world.users[user], r), user


def test_two_published_classes_cannot_be_subtracted_from_the_school(world: World) -> None:
    from dtss.orgs import services as org_services

    students = questionnaire(world, group="students")
    r = run(world, {"students": students})
    one = world.classes["A-elem 5-1"]
    two = org_services.class_create(
        school=world.schools["A-elem"], term=one.term, grade=5, number=2
    )
    answer_with_codes(world, r, "students", [4] * 6, school_class=one)
    answer_with_codes(world, r, "students", [4] * 7, school_class=two)
    answer_with_codes(world, r, "students", [1] * 2)  # two pupils with a school code only
    assert selectors.run_results(run=r).groups[0].shown  # 15 in all
    # Each class alone leaves ≥ 5 outside it, but school − 5-1 − 5-2 = the 2 others:
    # at most one of the classes may be published.
    shown = [selectors.run_results(run=r, class_id=c.pk).groups[0].shown for c in (one, two)]
    assert shown == [False, True]
