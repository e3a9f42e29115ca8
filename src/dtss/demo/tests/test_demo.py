from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from dtss.accounts.models import User
from dtss.core.tenancy import scope_for
from dtss.demo.county import DEMO_PASSWORD, demo_accounts, demo_load
from dtss.orgs.models import Enrollment, Guardianship, Person, School, SchoolClass


def test_the_demo_county(db: Any) -> None:
    """One generation of the demo county (about a minute) and every check on it: each module's
    own demo checks are called from here rather than generating it again."""
    from dtss.devices.tests.demo_checks import devices_walk_journey_8
    from dtss.helpdesk.tests.demo_checks import check_helpdesk_demo
    from dtss.homeschool.tests.demo_checks import check_homeschool_demo

    assert demo_load(seed=114, progress=lambda _msg: None) is True
    demo_is_a_plausible_county()
    demo_runs_once()
    every_demo_account_logs_in_and_sees_only_its_scope()
    demo_parent_has_two_children_at_two_schools()
    devices_walk_journey_8()
    check_helpdesk_demo()
    check_homeschool_demo()


def demo_is_a_plausible_county() -> None:
    nantou = School.objects.filter(county__code="10008")
    assert nantou.count() == 25
    assert set(nantou.values_list("stage", flat=True)) == set(School.Stage.values)
    assert {"general", "remote", "very_remote", "extremely_remote"} <= set(
        nantou.values_list("area", flat=True)
    )
    students = Enrollment.objects.filter(county__code="10008").count()
    assert 5000 <= students <= 8000
    assert SchoolClass.objects.count() > 200
    # Every class has a homeroom teacher; every student at least one parent.
    assert not SchoolClass.objects.filter(homeroom_teacher__isnull=True).exists()
    orphans = Enrollment.objects.exclude(student__guardian_links__isnull=False)
    assert not orphans.exists()
    # School sizes are the real enrolment.
    school = nantou.get(code="084601")
    assert school.student_count == Enrollment.objects.filter(school=school).count()
    # Names are Chinese names, not placeholders.
    assert all("\u4e00" <= p.name[0] <= "\u9fff" for p in Person.objects.all()[:500])


def demo_runs_once() -> None:
    assert demo_load(seed=114, progress=lambda _msg: None) is False


def every_demo_account_logs_in_and_sees_only_its_scope() -> None:
    for _label, username in demo_accounts():
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get(reverse("core:home")).status_code == 200, username
    scope = scope_for(User.objects.get(username="county.admin"))
    assert School.objects.visible_to(User.objects.get(username="county.admin")).count() == 25
    assert School.objects.visible_to(User.objects.get(username="yilan.admin")).count() == 3
    assert School.objects.visible_to(User.objects.get(username="principal")).count() == 1
    assert School.objects.visible_to(User.objects.get(username="moe")).count() == 28
    assert scope.admin_county_ids


def demo_parent_has_two_children_at_two_schools() -> None:
    parent = User.objects.get(username="parent")
    links = Guardianship.objects.filter(parent=parent.person)
    schools = {e.school_id for e in Enrollment.objects.filter(student__in=[g.child for g in links])}
    assert links.count() == 2 and len(schools) == 2
    teacher = User.objects.get(username="teacher")
    student = User.objects.get(username="student")
    homeroom = SchoolClass.objects.get(homeroom_teacher=teacher.person)
    assert Enrollment.objects.filter(school_class=homeroom, student=student.person).exists()
    # The parent's younger child sits in the demo teacher's class too (journeys 5 and 6).
    assert Enrollment.objects.filter(
        school_class=homeroom, student__in=[g.child for g in links]
    ).exists()
