from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from dtss.accounts.models import User
from dtss.conftest import World
from dtss.orgs.models import Enrollment, Guardianship, Membership, Person, PromotionOffice


def _add(world: World, user: str, school: str, **data: object) -> object:
    url = reverse("orgs:person_add", args=[world.schools[school].public_id])
    return world.client(user).post(url, data)


def test_school_admin_adds_teacher_student_and_parent(world: World) -> None:
    response = _add(
        world, "elem_admin", "A-elem", name="王老師", role="teacher", external_id="T900"
    )
    assert response.status_code == 302
    teacher = Person.objects.get(external_id="T900")
    assert Membership.objects.filter(
        person=teacher, role="teacher", school=world.schools["A-elem"]
    ).exists()
    klass = world.classes["A-elem 5-1"]
    _add(
        world,
        "elem_admin",
        "A-elem",
        name="陳小明",
        role="student",
        external_id="S900",
        school_class=klass.pk,
        seat_number=9,
    )
    student = Person.objects.get(external_id="S900")
    assert Enrollment.objects.filter(student=student, school_class=klass, seat_number=9).exists()
    _add(
        world,
        "elem_admin",
        "A-elem",
        name="陳媽媽",
        role="parent",
        child_external_id="S900",
        relation="mother",
    )
    parent = Person.objects.get(name="陳媽媽")
    assert Guardianship.objects.filter(parent=parent, child=student).exists()
    assert Membership.objects.filter(
        person=parent, role="parent", school=world.schools["A-elem"]
    ).exists()


def test_bad_person_input_names_the_field_and_changes_nothing(world: World) -> None:
    before = Person.objects.count()
    klass = world.classes["A-elem 5-1"]
    # Seat 1 is taken by elem_student.
    response = _add(
        world,
        "elem_admin",
        "A-elem",
        name="重複座號",
        role="student",
        school_class=klass.pk,
        seat_number=1,
    )
    assert response.status_code == 200
    assert "seat_number" in response.context["form"].errors
    # A class of another school is not a choice.
    response = _add(
        world,
        "elem_admin",
        "A-elem",
        name="別校班級",
        role="student",
        school_class=world.classes["A-junior 7-1"].pk,
        seat_number=5,
    )
    assert "school_class" in response.context["form"].errors
    # A parent whose child is not at this school.
    response = _add(
        world, "elem_admin", "A-elem", name="家長", role="parent", child_external_id="b_student"
    )
    assert "child_external_id" in response.context["form"].errors
    assert Person.objects.count() == before


def test_only_administrators_of_the_school_add_people(world: World) -> None:
    for user in ("elem_teacher", "junior_admin", "b_admin", "moe", "elem_parent"):
        assert _add(world, user, "A-elem", name="x", role="teacher").status_code == 404
    assert _add(world, "a_admin", "A-elem", name="縣府新增", role="teacher").status_code == 302


def test_invite_creates_login_and_sends_link(world: World) -> None:
    teacher = Person.objects.create(county=world.counties["A"], name="新老師")
    Membership.objects.create(
        person=teacher, county=world.counties["A"], school=world.schools["A-elem"], role="teacher"
    )
    url = reverse("orgs:person_invite", args=[teacher.public_id])
    assert (
        world.client("junior_admin").post(url, {"username": "x", "email": "x@e.org"}).status_code
        == 404
    )
    response = world.client("elem_admin").post(
        url, {"username": "new.teacher", "email": "new@example.org"}
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.teacher")
    assert user.person == teacher and not user.has_usable_password()
    assert len(mail.outbox) == 1 and "new.teacher" in mail.outbox[0].body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link
    client = Client()
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "first-password-of-mine-3", "new_password2": "first-password-of-mine-3"},
    )
    user.refresh_from_db()
    assert user.check_password("first-password-of-mine-3")
    # A second account for the same person is refused.
    response = world.client("elem_admin").post(url, {"username": "again", "email": "a@e.org"})
    assert response.status_code == 200 and response.context["form"].errors


def test_county_admin_records_the_office(world: World) -> None:
    url = reverse("orgs:office_create")
    assert world.client("a_staff").get(url).status_code == 404
    assert world.client("elem_admin").get(url).status_code == 404
    response = world.client("a_admin").post(
        url,
        {
            "name": "南投縣數位學習推動辦公室",
            "convener": world.people["a_admin"].pk,
            "established_on": "2024-08-01",
            "mission": "統籌",
        },
    )
    assert response.status_code == 302
    office = PromotionOffice.objects.get(county=world.counties["A"])
    assert office.convener == world.people["a_admin"]
    # A convener from another county is not a choice.
    response = world.client("b_admin").post(
        url, {"name": "宜蘭", "convener": world.people["a_admin"].pk}
    )
    assert response.status_code == 200 and "convener" in response.context["form"].errors
    assert not PromotionOffice.objects.filter(county=world.counties["B"]).exists()


def test_work_plan_added_by_county_admin_only(world: World) -> None:
    from dtss.orgs.services import office_create

    office = office_create(county=world.counties["A"], name="辦公室")
    url = reverse("orgs:office_plan_add")
    assert world.client("a_staff").post(url, {"roc_year": 115, "title": "x"}).status_code == 404
    world.client("a_admin").post(url, {"roc_year": 115, "title": "115 工作計畫"})
    world.client("a_admin").post(url, {"roc_year": "abc", "title": ""})
    assert list(office.plans.values_list("title", flat=True)) == ["115 工作計畫"]


def test_person_page_shows_only_roles_inside_the_viewers_scope(world: World) -> None:
    from dtss.orgs.services import membership_create

    # elem_teacher also administers county B.
    membership_create(
        person=world.people["elem_teacher"], role="county_admin", county=world.counties["B"]
    )
    url = reverse("orgs:person_detail", args=[world.people["elem_teacher"].public_id])
    body = world.client("elem_admin").get(url).content.decode()
    assert "南投國小" in body and "宜蘭縣" not in body
    assert "宜蘭縣" in world.client("b_admin").get(url).content.decode()


def test_county_staff_elsewhere_who_is_a_parent_sees_no_roster(world: World) -> None:
    from dtss.orgs.services import membership_create

    # elem_parent also works in county B's office.
    membership_create(
        person=world.people["elem_parent"], role="county_staff", county=world.counties["B"]
    )
    url = reverse("orgs:class_detail", args=[world.classes["A-elem 5-1"].public_id])
    response = world.client("elem_parent").get(url)
    assert response.status_code == 200
    assert "elem_student2" not in response.content.decode()
    assert not response.context["is_staff"]


def test_login_for_a_person_with_roles_elsewhere_needs_all_their_administrators(
    world: World,
) -> None:
    from dtss.orgs.services import membership_create

    person = Person.objects.create(county=world.counties["A"], name="兩地人員")
    Membership.objects.create(
        person=person, county=world.counties["A"], school=world.schools["A-elem"], role="teacher"
    )
    membership_create(person=person, role="county_admin", county=world.counties["B"])
    url = reverse("orgs:person_invite", args=[person.public_id])
    response = world.client("elem_admin").post(url, {"username": "grab", "email": "x@e.org"})
    assert response.status_code == 403
    assert not User.objects.filter(username="grab").exists()


def test_office_people_must_be_staff_of_the_county(world: World) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    from dtss.orgs.services import office_create, office_group_add_member, office_group_create

    with pytest.raises(ValidationError):
        office_create(county=world.counties["A"], name="x", convener=world.people["b_admin"])
    office = office_create(
        county=world.counties["A"], name="辦公室", convener=world.people["a_admin"]
    )
    group = office_group_create(
        office=office, kind="teaching", name="教學輔導組", lead=world.people["elem_teacher"]
    )
    for outsider in ("elem_student", "elem_parent", "b_teacher"):
        with pytest.raises(ValidationError):
            office_group_add_member(group=group, person=world.people[outsider])
    assert list(group.members.all()) == [world.people["elem_teacher"]]
