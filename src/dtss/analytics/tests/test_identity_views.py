"""The identity pages: who reads, who maps, another county is a 404, a school role a 403."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtss.analytics.models import ActorLink, StudentWeek
from dtss.analytics.tests.conftest import HOME, stmt
from dtss.core.models import AuditEntry

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)
LIST = reverse("analytics:actors")
READERS = ["a_admin", "a_staff", "moe"]
NO_ROLE_HERE = ["elem_admin", "elem_teacher", "elem_student", "elem_parent", "outsider"]


@pytest.fixture
def actors(learning: Any) -> dict[str, ActorLink]:
    """County A: an unresolved actor and one resolved automatically; county B: unresolved."""
    learning.send([stmt("adl-0042", when=T0), stmt("elem_student", when=T0)])
    learning.send([stmt("b-0001", when=T0)], county="B")
    learning.roll()
    learning.roll("B")
    return {
        "a": ActorLink.objects.get(actor_key=f"account:{HOME}|adl-0042"),
        "a_resolved": ActorLink.objects.get(actor_key=f"account:{HOME}|elem_student"),
        "b": ActorLink.objects.get(actor_key=f"account:{HOME}|b-0001"),
    }


def _detail(link: ActorLink, what: str = "actor_detail") -> str:
    return reverse(f"analytics:{what}", args=[link.public_id])


@pytest.mark.parametrize("name", READERS)
def test_county_roles_and_moe_read_the_list(world: Any, actors: Any, name: str) -> None:
    response = world.client(name).get(LIST, {"county": "10008"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "adl-0042" in html and "b-0001" not in html
    assert ('id="resolve-again"' in html) == (name == "a_admin")
    assert ('id="import-link"' in html) == (name == "a_admin")


@pytest.mark.parametrize("name", NO_ROLE_HERE)
def test_school_roles_students_parents_get_403(world: Any, actors: Any, name: str) -> None:
    client = world.client(name)
    assert client.get(LIST).status_code == 403
    assert client.get(_detail(actors["a"])).status_code == 403
    assert client.get(reverse("analytics:actors_export_csv")).status_code == 403
    assert client.get(reverse("analytics:actors_import")).status_code == 403
    person = world.people["elem_student2"]
    response = client.post(_detail(actors["a"], "actor_map"), {"person": str(person.public_id)})
    assert response.status_code == 403
    assert ActorLink.objects.get(pk=actors["a"].pk).person_id is None


def test_another_county_is_a_404(world: Any, actors: Any) -> None:
    client = world.client("b_admin")
    assert client.get(LIST, {"county": "10008"}).status_code == 404
    assert client.get(LIST).status_code == 200  # their own county
    assert "b-0001" in client.get(LIST).content.decode()
    assert client.get(_detail(actors["a"])).status_code == 404
    person = world.people["elem_student2"]
    assert (
        client.post(_detail(actors["a"], "actor_map"), {"person": str(person.public_id)})
    ).status_code == 404
    assert client.post(_detail(actors["a_resolved"], "actor_unmap")).status_code == 404
    assert client.get(reverse("analytics:actors_export_csv"), {"county": "10008"}).status_code == (
        404
    )
    assert client.get(reverse("analytics:actors_import"), {"county": "10008"}).status_code == 404
    assert client.post(reverse("analytics:actors_resolve"), {"county": "10008"}).status_code == 404
    assert ActorLink.objects.get(pk=actors["a"].pk).person_id is None
    assert ActorLink.objects.get(pk=actors["a_resolved"].pk).person_id is not None
    # and a person of another county cannot be chosen for one's own actor
    own = world.client("a_admin")
    foreign = world.people["b_student"]
    response = own.post(_detail(actors["a"], "actor_map"), {"person": str(foreign.public_id)})
    assert response.status_code == 404
    assert own.get(_detail(actors["a"]) + "?q=b_student").content.decode().count("Choose") == 0


def test_staff_read_but_do_not_map(world: Any, actors: Any) -> None:
    client = world.client("a_staff")
    page = client.get(_detail(actors["a"]), {"q": "elem"})
    assert page.status_code == 200 and 'id="person-q"' not in page.content.decode()
    person = world.people["elem_student2"]
    url = _detail(actors["a"], "actor_map")
    assert client.get(url, {"person": str(person.public_id)}).status_code == 403
    assert client.post(url, {"person": str(person.public_id)}).status_code == 403
    assert client.post(_detail(actors["a_resolved"], "actor_unmap")).status_code == 403
    assert client.post(reverse("analytics:actors_resolve"), {"county": "10008"}).status_code == 403
    assert client.get(reverse("analytics:actors_import")).status_code == 403
    assert world.client("moe").post(url, {"person": str(person.public_id)}).status_code == 403


def test_map_and_unmap_through_the_pages(world: Any, actors: Any) -> None:
    client = world.client("a_admin")
    link = actors["a"]
    search = client.get(_detail(link), {"q": "elem_student2"})
    html = search.content.decode()
    person = world.people["elem_student2"]
    assert str(person.public_id) in html and "南投國小" in html
    confirm = client.get(_detail(link, "actor_map"), {"person": str(person.public_id)})
    assert confirm.status_code == 200 and 'id="confirm-map"' in confirm.content.decode()
    assert ActorLink.objects.get(pk=link.pk).person_id is None  # a GET changes nothing
    done = client.post(_detail(link, "actor_map"), {"person": str(person.public_id)})
    assert done.status_code == 302
    assert ActorLink.objects.get(pk=link.pk).person == person
    assert StudentWeek.objects.filter(person=person).exists()
    assert client.get(_detail(link, "actor_unmap")).status_code == 200
    assert client.post(_detail(link, "actor_unmap")).status_code == 302
    assert ActorLink.objects.get(pk=link.pk).person_id is None
    assert not StudentWeek.objects.filter(person=person).exists()
    assert client.get(_detail(link, "actor_map"), {"person": "not-a-uuid"}).status_code == 404


def test_list_filters_sorting_and_paging(world: Any, learning: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    learning.send([stmt(f"adl-{n:04d}", when=T0) for n in range(5)] + [stmt("elem_student")])
    learning.roll()
    client = world.client("a_admin")
    first = client.get(LIST).content.decode()
    assert first.count('data-actor="') == 2 and "page=2" in first
    third = client.get(LIST, {"page": 3}).content.decode()
    assert third.count('data-actor="') == 1
    resolved = client.get(LIST, {"status": "resolved"}).content.decode()
    assert "elem_student" in resolved and "adl-0000" not in resolved
    found = client.get(LIST, {"q": "adl-0003", "status": "all"}).content.decode()
    assert found.count('data-actor="') == 1
    by_label = client.get(LIST, {"order": "label", "status": "all"}).content.decode()
    assert by_label.index("adl-0000") < by_label.index("adl-0001")
    empty = client.get(LIST, {"q": "zzz"}).content.decode()
    assert 'data-actor="' not in empty and 'class="empty"' in empty
    # nonsense filters fall back to the defaults, never an error
    assert client.get(LIST, {"status": "x", "platform": "x", "order": "x"}).status_code == 200


def test_export_csv_and_xlsx(world: Any, actors: Any) -> None:
    from openpyxl import load_workbook

    client = world.client("a_staff")
    response = client.get(reverse("analytics:actors_export_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("account_name,home_page,actor,platform")
    assert len(lines) == 2 and lines[1].startswith("adl-0042,")
    response = client.get(reverse("analytics:actors_export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "adl-0042"
    assert AuditEntry.objects.filter(action="analytics.actors_export").count() == 2


def test_import_page_maps_and_lists_problems(world: Any, actors: Any) -> None:
    client = world.client("a_admin")
    url = reverse("analytics:actors_import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile(
        "m.csv", b"account_name,external_id\nadl-0042,nobody\n", content_type="text/csv"
    )
    page = client.post(url, {"county": "10008", "file": bad}).content.decode()
    assert 'id="problems"' in page and "nobody" in page
    assert ActorLink.objects.get(pk=actors["a"].pk).person_id is None
    good = SimpleUploadedFile(
        "m.csv", b"account_name,external_id\nadl-0042,elem_student2\n", content_type="text/csv"
    )
    page = client.post(url, {"county": "10008", "file": good}).content.decode()
    assert 'id="import-result"' in page
    assert ActorLink.objects.get(pk=actors["a"].pk).person == world.people["elem_student2"]


def test_resolve_again_through_the_page(world: Any, actors: Any) -> None:
    from dtss.orgs import services as org_services

    kid = org_services.person_create(
        county=world.counties["A"], name="新同學", external_id="adl-0042"
    )
    response = world.client("a_admin").post(reverse("analytics:actors_resolve"))
    assert response.status_code == 302 and "county=10008" in response["Location"]
    assert ActorLink.objects.get(pk=actors["a"].pk).person == kid
    assert world.client("a_admin").get(reverse("analytics:actors_resolve")).status_code == 405
