"""The /analytics/ hub sends each person where they belong, with a chooser for several places."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dtss.accounts.models import User
from dtss.analytics.tests.test_school_view import english  # noqa: F401  (autouse fixture)
from dtss.orgs import services as org_services
from dtss.orgs.models import Role

HUB = "/analytics/"


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("elem_teacher", "/analytics/classes/"),
        ("b_teacher", "/analytics/classes/"),
        ("elem_student", "/analytics/me/"),
        ("elem_parent", "/analytics/me/"),
        ("b_parent", "/analytics/me/"),
    ],
)
def test_one_place_is_a_redirect(world: Any, user: str, target: str) -> None:
    response = world.client(user).get(HUB)
    assert response.status_code == 302 and response["Location"] == target


def test_school_administrator_goes_to_the_school(world: Any) -> None:
    response = world.client("elem_admin").get(HUB)
    assert response.status_code == 302
    assert response["Location"] == f"/analytics/schools/{world.schools['A-elem'].public_id}/"


@pytest.mark.parametrize(("user", "county"), [("a_staff", "A"), ("a_admin", "A"), ("b_admin", "B")])
def test_county_staff_go_to_their_county(world: Any, user: str, county: str) -> None:
    response = world.client(user).get(HUB)
    assert response.status_code == 302
    assert response["Location"] == f"/analytics/counties/{world.counties[county].code}/"


def test_moe_chooses_a_county(world: Any) -> None:
    response = world.client("moe").get(HUB)
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("A", "B"):
        assert f'href="/analytics/counties/{world.counties[key].code}/"' in html


def test_several_roles_get_a_chooser(world: Any) -> None:
    """An administrator of A-elem who also teaches at A-junior and is a parent."""
    person = world.people["elem_admin"]
    org_services.membership_create(
        person=person, role=Role.TEACHER, school=world.schools["A-junior"]
    )
    org_services.guardianship_create(
        parent=person, child=world.people["elem_student2"], relation="father"
    )
    user = User.objects.get(username="elem_admin")
    client = Client()
    client.force_login(user)
    response = client.get(HUB)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/analytics/schools/{world.schools["A-elem"].public_id}/"' in html
    assert 'href="/analytics/classes/"' in html
    assert 'href="/analytics/me/"' in html
    assert "/analytics/counties/" not in html
    assert f"/analytics/schools/{world.schools['A-junior'].public_id}/" not in html


def test_no_role_no_learning_data(world: Any) -> None:
    response = world.client("outsider").get(HUB)
    assert response.status_code == 403
    assert "no learning data" in response.content.decode()


def test_anonymous_must_sign_in(world: Any) -> None:
    response = Client().get(HUB)
    assert response.status_code == 302 and "/login" in response["Location"]
