"""The imports API: POST/GET /device-imports, GET /device-imports/{id}, and tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from dtss.devices.models import Device, DeviceImport
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.imports_helpers import run_import, sample, upload

URL = "/api/v1/device-imports"


def post(world: Any, user: str, **data: Any) -> Any:
    payload = {
        "source": "jamf",
        "school": str(world.schools["A-elem"].public_id),
        "file": upload("jamf.csv", sample("jamf.csv")),
        **data,
    }
    return world.client(user).post(URL, payload)


def test_post_runs_and_get_reports(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(world, "elem_admin", update_only="true")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["update_only"] is True
    detail = world.client("elem_admin").get(f"{URL}/{body['public_id']}").json()
    assert detail["status"] == "done" and detail["percent"] == 100
    report = detail["report"]
    assert (report["updated"], report["created"], report["not_in_register"]) == (1, 0, 2)
    assert {r["serial"] for r in report["not_in_register_rows"]} == {"DMPXK1AAAA02", "C02ZK1BBBB03"}
    listing = world.client("elem_admin").get(URL).json()
    assert listing["count"] == 1 and listing["items"][0]["school_code"] == "083601"


def test_failed_import_report_names_rows(world: Any) -> None:
    content = sample("intune.csv").replace(b"11/2/2025 3:30:00 PM", b"31/31/2025")
    job = run_import(world, source="intune", content=content)
    detail = world.client("elem_admin").get(f"{URL}/{job.public_id}").json()
    assert detail["status"] == "failed"
    assert [(e["row"], e["field"]) for e in detail["report"]["errors"]] == [(3, "Last check-in")]


def test_bad_input_is_422(world: Any) -> None:
    response = post(world, "elem_admin", source="snipeit")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "source"
    response = post(world, "elem_admin", file=upload("x.pdf", b"%PDF"))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "file"
    # a school outside the caller's scope is the same 422 as a missing one
    for school in (world.schools["A-junior"].public_id, world.schools["B-elem"].public_id):
        response = post(world, "elem_admin", school=str(school))
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == "school"
    assert DeviceImport.objects.count() == 0


@pytest.mark.parametrize("name", ["elem_teacher", "elem_student", "elem_parent", "moe", "outsider"])
def test_roles_that_never_import_get_403(world: Any, name: str) -> None:
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    client = world.client(name)
    assert post(world, name).status_code == 403
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{job.public_id}").status_code == 403
    assert DeviceImport.objects.count() == 1


def test_other_schools_and_counties_get_404_and_empty_lists(world: Any) -> None:
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    for name in ("b_admin", "junior_admin"):
        client = world.client(name)
        assert client.get(f"{URL}/{job.public_id}").status_code == 404
        assert client.get(URL).json()["count"] == 0
    assert world.client("a_staff").get(f"{URL}/{job.public_id}").status_code == 200
    assert world.client("a_admin").get(URL).json()["count"] == 1


def test_county_office_imports_update_only_without_a_school(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_device(world, "A-junior", serial="5CD1234X01", kind="chromebook")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            world,
            "a_admin",
            source="google",
            school="",
            update_only="true",
            file=upload("g.csv", sample("google_chromebooks.csv")),
        )
    assert response.status_code == 202, response.content
    detail = world.client("a_admin").get(f"{URL}/{response.json()['public_id']}").json()
    assert detail["status"] == "done" and detail["report"]["updated"] == 1
    assert Device.objects.get(serial="5CD1234X01").mdm_source == "google"


def test_anonymous_is_401(client: Any, world: Any) -> None:
    assert client.get(URL).status_code == 401
