"""Run management pages: the list, creating, one run, opening/closing, access codes and their
slips, who answered and reminders, the scheduled command.

The permission matrix reads as a table: (URL, user) → expected status. 404 means "does not
exist for you": another county's or school's run looks exactly like a missing one. 403: the
user may see the run but not do this (view-only staff), or is not staff at all.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.orgs import services as org_services
from dtss.orgs.models import Role
from dtss.surveys import services
from dtss.surveys.models import AccessCode, Invitation, Run, RunPart
from dtss.surveys.tests.factories import answer_with_codes, questionnaire, run

ALL = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "elem_student",
    "elem_parent",
    "outsider",
]
NOT_STAFF = {"elem_student", "elem_parent", "outsider"}
MANAGERS = {"a_admin", "elem_admin"}
READERS = {"moe", "a_staff", "elem_teacher"}  # see the run, may not act on it
OUTSIDE = {"b_admin", "junior_admin"}  # another county, another school: 404


def expect(ok: set[str], *, ok_status: int = 200) -> dict[str, int]:
    return {u: ok_status if u in ok else 404 if u in OUTSIDE else 403 for u in ALL}


def _draft(world: World, mode: str = "anonymous", group: str = "teachers", **kw: Any) -> Run:
    qn = questionnaire(world, group=group)
    now = timezone.now()
    return services.run_create(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        school=world.schools["A-elem"],
        title=kw.pop("title", "教師問卷 114-1"),
        mode=mode,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        parts={group: qn},
        **kw,
    )


def _snapshot(r: Run) -> tuple[Any, ...]:
    r.refresh_from_db()
    return (
        r.status,
        AccessCode.objects.filter(part__run=r).count(),
        Invitation.objects.filter(run=r).count(),
        sorted(Invitation.objects.filter(run=r).values_list("reminders", flat=True)),
    )


# --- the list ------------------------------------------------------------------------------------


def test_run_list_by_role(world: World) -> None:
    r = _draft(world, title="南投國小教師問卷")
    for user, status, sees in [
        ("a_admin", 200, True),
        ("a_staff", 200, True),
        ("moe", 200, True),
        ("elem_admin", 200, True),
        ("elem_teacher", 200, True),
        ("b_admin", 200, False),
        ("junior_admin", 200, False),
        ("elem_student", 403, False),
        ("elem_parent", 403, False),
        ("outsider", 403, False),
    ]:
        response = world.client(user).get(reverse("surveys:run_list"))
        assert response.status_code == status, user
        assert (str(r.public_id) in response.content.decode()) is sees, user


def test_run_list_shows_status_mode_and_counts(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world)})
    answer_with_codes(world, r, "teachers", [4, 4, 5])
    services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=2)
    body = world.client("elem_admin").get(reverse("surveys:run_list")).content.decode()
    row = body[body.index(f'data-run="{r.public_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="open"' in row and "mode-anonymous" in row
    assert 'data-answers="3"' in row and "60%" in row  # 3 of 5 issued


def test_run_list_filters_search_and_pages(world: World, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    a = _draft(world, title="教師問卷 A")
    b = _draft(world, title="家長調查表", mode="named", group="parents")
    c = _draft(world, title="教師問卷 C")
    services.run_open(run=c, actor=world.users["a_admin"])
    client = world.client("a_admin")

    def ids(query: str) -> set[str]:
        body = client.get(reverse("surveys:run_list") + query).content.decode()
        return {str(x.public_id) for x in (a, b, c) if str(x.public_id) in body}

    assert ids("?status=open") == {str(c.public_id)}
    assert ids("?mode=named") == {str(b.public_id)}
    assert ids("?q=教師") == {str(a.public_id), str(c.public_id)}
    assert len(ids("")) == 2 and len(ids("?page=2")) == 1
    assert ids("?status=bogus&page=2") == ids("?page=2")
    assert "empty" in client.get(reverse("surveys:run_list") + "?q=沒有這個").content.decode()


def test_empty_list_invites_managers_to_create(world: World) -> None:
    body = world.client("elem_admin").get(reverse("surveys:run_list")).content.decode()
    assert 'class="empty"' in body and reverse("surveys:run_new") in body
    body = world.client("elem_teacher").get(reverse("surveys:run_list")).content.decode()
    assert 'class="empty"' in body and reverse("surveys:run_new") not in body


# --- creating ------------------------------------------------------------------------------------


def _form(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner": f"school:{world.schools['A-elem'].public_id}",
        "title": "114學年度數位學習問卷",
        "mode": "anonymous",
        "opens_at": "2025-09-01T08:00",
        "closes_at": "2025-09-15T17:00",
        "min_group_size": "5",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_school_admin_creates_a_school_run(world: World) -> None:
    teachers = questionnaire(world)
    students = questionnaire(world, group="students", title="學生問卷")
    earlier = _draft(world, title="去年的問卷")
    klass = world.classes["A-elem 5-1"]
    client = world.client("elem_admin")
    page = client.get(reverse("surveys:run_new")).content.decode()
    assert "part_teachers" in page and "part_county_staff" not in page
    assert str(klass.public_id) in page  # classes of the school
    response = client.post(
        reverse("surveys:run_new"),
        _form(
            world,
            part_teachers=str(teachers.public_id),
            part_students=str(students.public_id),
            classes=[str(klass.public_id)],
            min_group_size="8",
            previous=str(earlier.public_id),
        ),
    )
    r = Run.objects.get(title="114學年度數位學習問卷")
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:run_detail", args=[r.public_id])
    assert (r.status, r.mode, r.school, r.min_group_size, r.previous) == (
        "draft",
        "anonymous",
        world.schools["A-elem"],
        8,
        earlier,
    )
    assert dict(r.parts.values_list("group", "questionnaire_id")) == {
        "teachers": teachers.pk,
        "students": students.pk,
    }
    assert list(r.classes.all()) == [klass]
    # the times are Taiwan time
    assert timezone.localtime(r.opens_at).strftime("%Y-%m-%d %H:%M %z") == "2025-09-01 08:00 +0800"


def test_county_admin_creates_a_county_run_for_some_schools(world: World) -> None:
    qn = questionnaire(world, school=None, title="縣教師問卷")
    client = world.client("a_admin")
    page = client.get(reverse("surveys:run_new")).content.decode()
    assert world.schools["A-junior"].name_zh in page and world.schools["B-elem"].name_zh not in page
    response = client.post(
        reverse("surveys:run_new"),
        _form(
            world,
            owner="county:10008",
            mode="named",
            part_teachers=str(qn.public_id),
            schools_mode="list",
            schools=[str(world.schools["A-junior"].public_id)],
        ),
    )
    assert response.status_code == 302
    r = Run.objects.get()
    assert r.school is None and r.mode == "named"
    assert list(r.schools.all()) == [world.schools["A-junior"]]


def test_county_run_for_all_schools(world: World) -> None:
    qn = questionnaire(world, school=None)
    world.client("a_admin").post(
        reverse("surveys:run_new"),
        _form(world, owner="county:10008", part_teachers=str(qn.public_id), schools_mode="all"),
    )
    assert set(Run.objects.get().schools.all()) == {
        world.schools["A-elem"],
        world.schools["A-junior"],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_at": "2025-08-01T08:00"}, "closes_at"),
        ({"min_group_size": "3"}, "min_group_size"),
        ({"part_teachers": None}, "parts"),
        ({"title": ""}, "title"),
        ({"mode": "secret"}, "mode"),
        ({"opens_at": "明天"}, "opens_at"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    qn = questionnaire(world)
    data = _form(world, part_teachers=str(qn.public_id))
    data.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            data.pop(k)
    response = world.client("elem_admin").post(reverse("surveys:run_new"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'href="#f-{field}"' in body
    assert f'id="f-{field}"' in body
    assert not Run.objects.exists()
    assert 'value="114學年度數位學習問卷"' in body or field == "title"  # typed values kept


def test_anonymous_run_with_a_file_question_is_refused_on_the_parts(world: World) -> None:
    qn = questionnaire(world)
    services.question_create(
        section=qn.sections.get(), actor=world.users["a_admin"], kind="file", text_zh="上傳"
    )
    response = world.client("elem_admin").post(
        reverse("surveys:run_new"), _form(world, part_teachers=str(qn.public_id))
    )
    assert response.status_code == 400 and 'href="#f-parts"' in response.content.decode()
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("a_staff", 403),
        ("elem_teacher", 403),
        ("moe", 403),
        ("elem_student", 403),
        ("elem_parent", 403),
        ("outsider", 403),
    ],
)
def test_only_administrators_create_runs(world: World, user: str, status: int) -> None:
    qn = questionnaire(world)
    client = world.client(user)
    assert client.get(reverse("surveys:run_new")).status_code == status
    response = client.post(
        reverse("surveys:run_new"), _form(world, part_teachers=str(qn.public_id))
    )
    assert response.status_code == status
    assert not Run.objects.exists()


@pytest.mark.parametrize("user", ["b_admin", "junior_admin"])
def test_another_owner_cannot_be_slipped_in(world: World, user: str) -> None:
    qn = questionnaire(world)
    for owner in (f"school:{world.schools['A-elem'].public_id}", "county:10008"):
        response = world.client(user).post(
            reverse("surveys:run_new"), _form(world, owner=owner, part_teachers=str(qn.public_id))
        )
        assert response.status_code == 404
    assert not Run.objects.exists()


def test_questionnaires_of_another_owner_are_not_offered(world: World) -> None:
    mine = questionnaire(world, title="國小問卷")
    other = questionnaire(world, school="A-junior", title="國中問卷")
    page = world.client("elem_admin").get(reverse("surveys:run_new")).content.decode()
    assert str(mine.public_id) in page and str(other.public_id) not in page
    response = world.client("elem_admin").post(
        reverse("surveys:run_new"), _form(world, part_teachers=str(other.public_id))
    )
    assert response.status_code == 400 and not Run.objects.exists()


# --- one run: the permission matrix --------------------------------------------------------------


def _urls(r: Run) -> list[tuple[str, str, dict[str, Any], dict[str, int]]]:
    pid = r.public_id
    actions = expect(MANAGERS, ok_status=302)
    return [
        ("get", reverse("surveys:run_detail", args=[pid]), {}, expect(MANAGERS | READERS)),
        ("post", reverse("surveys:run_open", args=[pid]), {}, actions),
        ("post", reverse("surveys:run_close", args=[pid]), {}, actions),
        ("post", reverse("surveys:run_remind", args=[pid]), {}, actions),
        ("post", reverse("surveys:run_invite", args=[pid]), {"group": "teachers"}, actions),
    ]


@pytest.mark.parametrize("user", ALL)
def test_named_run_urls_check_access(world: World, user: str) -> None:
    r = _draft(world, mode="named")
    before = _snapshot(r)
    client = world.client(user)
    for method, url, data, statuses in _urls(r):
        if method == "post" and statuses[user] == 302:
            continue  # the managers' actions are tested below; here: that others change nothing
        response = getattr(client, method)(url, data)
        assert response.status_code == statuses[user], (user, url)
    assert _snapshot(r) == before


@pytest.mark.parametrize("user", ALL)
def test_anonymous_run_urls_check_access(world: World, user: str) -> None:
    r = _draft(world)
    services.run_open(run=r, actor=world.users["a_admin"])
    services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=3)
    before = _snapshot(r)
    pid = r.public_id
    client = world.client(user)
    ok = 200 if user in MANAGERS else 404 if user in OUTSIDE else 403
    codes = reverse("surveys:run_codes", args=[pid])
    slips = reverse("surveys:run_slips", args=[pid]) + "?group=teachers&kind=codes"
    assert client.get(codes).status_code == ok, user
    assert client.get(slips).status_code == ok, user
    if user not in MANAGERS:
        response = client.post(codes, {"group": "teachers", "kind": "codes", "count": "4"})
        assert response.status_code == ok
        assert client.post(reverse("surveys:run_close", args=[pid])).status_code == ok
        assert _snapshot(r) == before
        body = client.get(reverse("surveys:run_detail", args=[pid])).content.decode()
        assert AccessCode.objects.filter(part__run=r).first().code not in body


def test_missing_run_is_a_404(world: World) -> None:
    client = world.client("a_admin")
    assert client.get("/surveys/runs/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- one run: what managers do -------------------------------------------------------------------


def test_detail_shows_parts_progress_and_results_link(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world)})
    answer_with_codes(world, r, "teachers", [4, 5])
    body = world.client("elem_admin").get(reverse("surveys:run_detail", args=[r.public_id]))
    text = body.content.decode()
    assert 'data-run-status="open"' in text and 'data-run-mode="anonymous"' in text
    row = text[text.index('data-group="teachers"') :]
    assert "data-invited>2<" in row and "data-answered>2<" in row
    assert reverse("surveys:run_results", args=[r.public_id]) in text
    assert 'data-codes-issued="2"' in text
    # a teacher sees the progress, neither the codes nor the results
    text = world.client("elem_teacher").get(reverse("surveys:run_detail", args=[r.public_id]))
    text = text.content.decode()
    assert "data-invited>2<" in text
    assert "data-codes-issued" not in text and "data-action" not in text
    assert reverse("surveys:run_results", args=[r.public_id]) not in text


def test_county_run_progress_per_school(world: World) -> None:
    qn = questionnaire(world, school=None)
    r = run(
        world,
        {"teachers": qn},
        school=None,
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
    )
    answer_with_codes(world, r, "teachers", [3, 3, 3], school=world.schools["A-elem"])
    answer_with_codes(world, r, "teachers", [4], school=world.schools["A-junior"])
    text = world.client("a_staff").get(reverse("surveys:run_detail", args=[r.public_id]))
    text = text.content.decode()
    assert "data-answered>4<" in text
    elem = text[text.index(f'data-school="{world.schools["A-elem"].code}"') :]
    assert "<td>3</td><td>3</td><td>100%</td>" in elem[: elem.index("</tr>")]


def test_open_and_close(world: World) -> None:
    r = _draft(world, mode="named")
    client = world.client("elem_admin")
    detail = reverse("surveys:run_detail", args=[r.public_id])
    assert 'data-action="open"' in client.get(detail).content.decode()
    response = client.post(reverse("surveys:run_open", args=[r.public_id]))
    assert response.status_code == 302 and response["Location"] == detail
    r.refresh_from_db()
    assert r.status == "open" and r.invitations.count() == 1  # elem_teacher
    text = client.get(detail).content.decode()
    assert 'data-action="close"' in text and 'data-action="open"' not in text
    # opening twice: a message, nothing changes
    client.post(reverse("surveys:run_open", args=[r.public_id]))
    response = client.post(reverse("surveys:run_close", args=[r.public_id]), follow=True)
    r.refresh_from_db()
    assert r.status == "closed" and r.closed_at is not None
    assert 'data-action="close"' not in response.content.decode()


def test_generate_codes_print_slips(world: World) -> None:
    r = run(world, {"students": questionnaire(world, group="students")})
    klass = world.classes["A-elem 5-1"]
    client = world.client("elem_admin")
    codes_url = reverse("surveys:run_codes", args=[r.public_id])
    page = client.get(codes_url).content.decode()
    assert str(klass.public_id) in page
    # count defaults to the number of people: two pupils in 5-1
    response = client.post(
        codes_url, {"group": "students", "school_class": str(klass.public_id), "kind": "codes"}
    )
    assert response.status_code == 302
    made = list(AccessCode.objects.filter(part__run=r, reusable=False))
    assert len(made) == 2 and all(c.school_class == klass and c.uses_left == 1 for c in made)
    # a class link good for 30 answers
    client.post(
        codes_url,
        {"group": "students", "school_class": str(klass.public_id), "kind": "link", "count": "30"},
    )
    link = AccessCode.objects.get(part__run=r, reusable=True)
    assert link.uses_left == 30
    page = client.get(codes_url).content.decode()
    assert page.count('data-link="slips"') == 2
    # one code is used: the slips list the unused one only
    services.submission_anonymous(code=made[0].code, answers={"Q1": 4, "Q2": "yes"})
    slips = client.get(
        reverse("surveys:run_slips", args=[r.public_id])
        + f"?group=students&school=&class={klass.public_id}&kind=codes"
    )
    text = slips.content.decode()
    assert slips.status_code == 200
    assert text.count("data-slip") == 1
    code = made[1].code
    assert f"{code[:4]} {code[4:]}" in text
    assert f"http://testserver/surveys/a/{code}/" in text
    assert "http://testserver/surveys/code/" in text
    assert made[0].code not in text
    assert "@page" not in text  # the print rules are in slips.css
    for name in ("elem_student", "elem_student2"):  # never who got which code
        assert world.people[name].name not in text
    link_page = client.get(
        reverse("surveys:run_slips", args=[r.public_id])
        + f"?group=students&class={klass.public_id}&kind=link"
    ).content.decode()
    assert link.code in link_page and link_page.count("data-slip") == 1


def test_code_errors_are_shown_and_nothing_is_made(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world)})
    client = world.client("elem_admin")
    url = reverse("surveys:run_codes", args=[r.public_id])
    response = client.post(url, {"group": "teachers", "kind": "link"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    response = client.post(url, {"group": "teachers", "kind": "codes", "count": "5000"})
    assert response.status_code == 400
    response = client.post(url, {"group": "parents", "kind": "codes", "count": "3"})
    assert response.status_code == 400
    assert not AccessCode.objects.exists()


def test_codes_of_a_closed_run_cannot_be_generated(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world)})
    services.run_close(run=r, actor=world.users["a_admin"])
    response = world.client("elem_admin").post(
        reverse("surveys:run_codes", args=[r.public_id]),
        {"group": "teachers", "kind": "codes", "count": "3"},
    )
    assert response.status_code == 400 and not AccessCode.objects.exists()


def test_county_run_codes_per_school(world: World) -> None:
    qn = questionnaire(world, school=None)
    r = run(
        world,
        {"teachers": qn},
        school=None,
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
    )
    client = world.client("a_admin")
    url = reverse("surveys:run_codes", args=[r.public_id])
    junior = world.schools["A-junior"]
    response = client.post(url, {"group": "teachers", "kind": "codes", "count": "3"})
    assert response.status_code == 400  # which school?
    response = client.post(
        url + f"?school={junior.public_id}",
        {"school": str(junior.public_id), "group": "teachers", "kind": "codes", "count": "3"},
    )
    assert response.status_code == 302
    assert set(AccessCode.objects.values_list("school_id", flat=True)) == {junior.pk}
    b_school = world.schools["B-elem"].public_id
    assert client.get(url + f"?school={b_school}").status_code == 404


def test_codes_pages_are_for_anonymous_runs_only(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world)}, mode="named")
    client = world.client("elem_admin")
    assert client.get(reverse("surveys:run_codes", args=[r.public_id])).status_code == 404
    assert client.get(reverse("surveys:run_slips", args=[r.public_id])).status_code == 404


# --- named runs: who answered, reminders, inviting the rest --------------------------------------


def _named_parents(world: World) -> Run:
    return run(world, {"parents": questionnaire(world, group="parents", pair="")}, mode="named")


def test_who_answered_and_who_has_not(world: World) -> None:
    r = run(world, {"students": questionnaire(world, group="students", pair="")}, mode="named")
    inv = r.invitations.get(person=world.people["elem_student"])
    services.submission_named(
        invitation=inv, user=world.users["elem_student"], answers={"Q1": 3, "Q2": "yes"}
    )
    client = world.client("elem_admin")
    url = reverse("surveys:run_detail", args=[r.public_id])
    text = client.get(url).content.decode()
    assert 'data-respondent-totals="1/2"' in text
    assert f'data-person="{world.people["elem_student"].name}" data-answered="yes"' in text
    assert f'data-person="{world.people["elem_student2"].name}" data-answered="no"' in text
    assert "5年01班" in text
    only_not = client.get(url + "?answered=no").content.decode()
    assert 'data-answered="yes"' not in only_not and 'data-answered="no"' in only_not
    # county staff see the names too; a teacher and the MOE only the counts
    assert 'data-person="' in world.client("a_staff").get(url).content.decode()
    for user in ("elem_teacher", "moe"):
        assert 'data-person="' not in world.client(user).get(url).content.decode(), user


def test_parent_rows_show_the_child(world: World) -> None:
    r = _named_parents(world)
    text = world.client("elem_admin").get(reverse("surveys:run_detail", args=[r.public_id]))
    row = text.content.decode()
    row = row[row.index(f'data-person="{world.people["elem_parent"].name}"') :]
    assert world.people["elem_student"].name in row[: row.index("</tr>")]


def test_send_reminders_counts_people_without_email(world: World) -> None:
    r = run(world, {"students": questionnaire(world, group="students", pair="")}, mode="named")
    student2 = world.people["elem_student2"]
    student2.email = ""
    student2.save()
    mail.outbox.clear()
    client = world.client("elem_admin")
    response = client.post(reverse("surveys:run_remind", args=[r.public_id]), follow=True)
    text = response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.people["elem_student"].email]
    assert "Reminders sent: 1" in text or "已寄出提醒：1" in text or ": 1" in text
    inv = r.invitations.get(person=world.people["elem_student"])
    assert inv.reminders == 1
    assert 'badge warn">' in text  # "no email" next to elem_student2
    # at once again: nobody is reminded twice within a day
    client.post(reverse("surveys:run_remind", args=[r.public_id]))
    assert len(mail.outbox) == 1


def test_reminders_refused_for_a_closed_run(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world, pair="")}, mode="named")
    services.run_close(run=r, actor=world.users["a_admin"])
    mail.outbox.clear()
    world.client("elem_admin").post(reverse("surveys:run_remind", args=[r.public_id]))
    assert not mail.outbox and r.invitations.get().reminders == 0


def test_invite_the_rest_of_the_group(world: World) -> None:
    r = run(world, {"teachers": questionnaire(world, pair="")}, mode="named")
    assert r.invitations.count() == 1
    newcomer = org_services.person_create(county=world.counties["A"], name="新老師")
    org_services.membership_create(
        person=newcomer, role=Role.TEACHER, school=world.schools["A-elem"]
    )
    client = world.client("elem_admin")
    response = client.post(reverse("surveys:run_invite", args=[r.public_id]), {"group": "teachers"})
    assert response.status_code == 302
    assert set(r.invitations.values_list("person__name", flat=True)) == {
        world.people["elem_teacher"].name,
        "新老師",
    }
    client.post(reverse("surveys:run_invite", args=[r.public_id]), {"group": "teachers"})
    assert r.invitations.count() == 2
    client.post(reverse("surveys:run_invite", args=[r.public_id]), {"group": "parents"})
    assert r.invitations.count() == 2


# --- the scheduled command -----------------------------------------------------------------------


def test_survey_tasks_command_closes_and_reminds(world: World) -> None:
    qn = questionnaire(world, pair="")
    soon = run(world, {"teachers": qn}, mode="named", opens=timezone.now() - timedelta(days=13))
    past = run(world, {"teachers": qn}, opens=timezone.now() - timedelta(days=20))
    mail.outbox.clear()
    out = StringIO()
    call_command("survey_tasks", stdout=out)
    text = out.getvalue()
    assert "Closed 1 survey run(s)" in text
    assert "1 sent" in text and "0 without an email address" in text
    past.refresh_from_db()
    soon.refresh_from_db()
    assert past.status == "closed" and soon.status == "open"
    assert len(mail.outbox) == 1
    out = StringIO()
    call_command("survey_tasks", "--no-reminders", stdout=out)
    assert "Closed 0" in out.getvalue() and "Reminders" not in out.getvalue()


# --- navigation and the home page ----------------------------------------------------------------


@pytest.mark.parametrize("user", ["elem_parent", "elem_student", "elem_teacher", "outsider"])
def test_my_surveys_in_the_navigation(world: World, user: str) -> None:
    body = world.client(user).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("surveys:my_surveys")}"' in body


def test_home_shows_surveys_waiting(world: World) -> None:
    r = _named_parents(world)
    inv = r.invitations.get()
    url = reverse("surveys:answer_invitation", args=[inv.public_id])
    body = world.client("elem_parent").get(reverse("core:home")).content.decode()
    assert 'aria-labelledby="h-surveys-waiting"' in body and url in body
    assert world.people["elem_student"].name in body
    assert "h-surveys-waiting" not in Client().get("/", follow=True).content.decode()
    services.submission_named(
        invitation=inv, user=world.users["elem_parent"], answers={"Q1": 3, "Q2": "yes"}
    )
    body = world.client("elem_parent").get(reverse("core:home")).content.decode()
    assert "h-surveys-waiting" not in body
    assert "h-surveys-waiting" not in world.client("elem_teacher").get("/").content.decode()


def test_parts_are_listed(world: World) -> None:
    r = _draft(world)
    assert RunPart.objects.filter(run=r).count() == 1
    text = world.client("a_staff").get(reverse("surveys:run_detail", args=[r.public_id]))
    assert "教師問卷" in text.content.decode()
