"""Shared test fixtures: a small world of two counties with people in every role.

`world` builds, through the real services:
  county A (南投縣 10008): district A1; schools A-elem (國小) and A-junior (國中)
  county B (宜蘭縣 10002): district B1; school B-elem
and one user per role, named after where they work:
  moe, a_admin, a_staff, b_admin, elem_admin (A-elem principal), junior_admin,
  elem_teacher (homeroom of A-elem class 5-1), junior_teacher, b_teacher,
  elem_student, elem_student2, b_student, elem_parent (parent of elem_student),
  b_parent, outsider (an account with no role).
Every tenancy test asks: does X see their own scope, and get a 404 outside it?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from dtss.accounts.models import User
from dtss.orgs import services as org_services
from dtss.orgs.models import County, Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fast_tests(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = True
    settings.ANALYTICS_AUTO_ROLLUP = False  # tests roll up explicitly (or turn it on)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The demo county's learning records: a tenth of the classes (always the demo accounts'),
    # the current term only. The full demo (two terms, every class) is `dtss demo`'s.
    settings.DEMO_LEARNING_SHARE = 0.1
    settings.DEMO_LEARNING_TERMS = 1
    # Per-process caches of the LRS must not carry rows of one test's database into the next.
    from dtss.lrs.http import auth_cache_clear
    from dtss.lrs.statement_services import merged_definitions_forget

    auth_cache_clear()
    merged_definitions_forget()


@dataclass
class World:
    counties: dict[str, Any] = field(default_factory=dict)
    schools: dict[str, Any] = field(default_factory=dict)
    classes: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


def _user(world: World, name: str, county: Any, person_name: str) -> Any:
    person = org_services.person_create(
        county=county, name=person_name, external_id=name, email=f"{name}@example.org"
    )
    user = User.objects.create_user(
        username=name, password=PASSWORD, email=f"{name}@example.org", person=person
    )
    world.people[name] = person
    world.users[name] = user
    return person


@pytest.fixture
def world(db: Any) -> World:
    w = World()
    a = County.objects.get(code="10008")
    b = County.objects.get(code="10002")
    w.counties = {"A": a, "B": b}
    da = org_services.district_create(county=a, code="A1", name_zh="南投市", name_en="Nantou City")
    db_ = org_services.district_create(county=b, code="B1", name_zh="宜蘭市", name_en="Yilan City")
    w.schools["A-elem"] = org_services.school_create(
        district=da, code="083601", name_zh="南投國小", stage="elementary", student_count=300
    )
    w.schools["A-junior"] = org_services.school_create(
        district=da, code="083501", name_zh="南投國中", stage="junior", student_count=500
    )
    w.schools["B-elem"] = org_services.school_create(
        district=db_, code="024601", name_zh="宜蘭國小", stage="elementary", student_count=200
    )
    term = org_services.term_get_or_create(roc_year=114, semester=1)

    moe = _user(w, "moe", a, "部端檢視者")
    org_services.membership_create(person=moe, role=Role.MOE_VIEWER)
    for name, county, role in [
        ("a_admin", a, Role.COUNTY_ADMIN),
        ("a_staff", a, Role.COUNTY_STAFF),
        ("b_admin", b, Role.COUNTY_ADMIN),
    ]:
        p = _user(w, name, county, name)
        org_services.membership_create(person=p, role=role, county=county)
    for name, school_key, role, title in [
        ("elem_admin", "A-elem", Role.SCHOOL_ADMIN, "principal"),
        ("junior_admin", "A-junior", Role.SCHOOL_ADMIN, "it_head"),
        ("elem_teacher", "A-elem", Role.TEACHER, ""),
        ("junior_teacher", "A-junior", Role.TEACHER, ""),
        ("b_teacher", "B-elem", Role.TEACHER, ""),
    ]:
        school = w.schools[school_key]
        p = _user(w, name, school.county, name)
        org_services.membership_create(person=p, role=role, school=school, title=title)

    w.classes["A-elem 5-1"] = org_services.class_create(
        school=w.schools["A-elem"],
        term=term,
        grade=5,
        number=1,
        homeroom_teacher=w.people["elem_teacher"],
    )
    w.classes["A-junior 7-1"] = org_services.class_create(
        school=w.schools["A-junior"],
        term=term,
        grade=7,
        number=1,
        homeroom_teacher=w.people["junior_teacher"],
    )
    w.classes["B-elem 3-2"] = org_services.class_create(
        school=w.schools["B-elem"],
        term=term,
        grade=3,
        number=2,
        homeroom_teacher=w.people["b_teacher"],
    )
    for name, class_key, seat in [
        ("elem_student", "A-elem 5-1", 1),
        ("elem_student2", "A-elem 5-1", 2),
        ("b_student", "B-elem 3-2", 1),
    ]:
        school_class = w.classes[class_key]
        p = _user(w, name, school_class.county, name)
        org_services.enrollment_create(student=p, school_class=school_class, seat_number=seat)
    for parent, child in [("elem_parent", "elem_student"), ("b_parent", "b_student")]:
        p = _user(w, parent, w.people[child].county, parent)
        org_services.guardianship_create(parent=p, child=w.people[child], relation="mother")
    _user(w, "outsider", a, "outsider")
    return w
