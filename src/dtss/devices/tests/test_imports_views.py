"""The import pages: upload, progress, report, list, templates, and who may see what."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dtss.devices.models import Device, DeviceImport
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.imports_helpers import run_import, sample, upload


def english(world: Any, name: str) -> Client:
    client = world.client(name)
    client.cookies["dtss_language"] = "en"
    return client


def post_file(client: Client, world: Any, **data: Any) -> Any:
    payload = {
        "source": "jamf",
        "school": str(world.schools["A-elem"].public_id),
        "default_kind": "tablet",
        "file": upload("jamf.csv", sample("jamf.csv")),
        **data,
    }
    return client.post(reverse("devices:import_create"), payload)


@pytest.mark.parametrize(
    "name", ["elem_teacher", "elem_student", "elem_parent", "outsider", "moe", "b_teacher"]
)
def test_roles_that_never_import_get_403(world: Any, name: str) -> None:
    client = world.client(name)
    assert client.get(reverse("devices:import_list")).status_code == 403
    assert client.get(reverse("devices:import_create")).status_code == 403
    assert client.get(reverse("devices:import_template", args=["register"])).status_code == 403
    assert post_file(client, world).status_code == 403
    assert DeviceImport.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client, world: Any) -> None:
    response = client.get(reverse("devices:import_list"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_upload_runs_the_import_and_shows_the_report(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    client = english(world, "elem_admin")
    assert client.get(reverse("devices:import_create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, world)
    job = DeviceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:import_detail", args=[job.public_id])
    assert job.status == "done" and job.file.name.startswith("device-imports/")
    page = client.get(response["Location"]).content.decode()
    assert "2 devices created" in page and "1 device updated" in page
    status = client.get(reverse("devices:import_status", args=[job.public_id])).json()
    assert status["status"] == "done" and status["active"] is False
    assert status["total_rows"] == 3 and status["progress_percent"] == 100


def test_a_failed_import_lists_every_row_and_field(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = english(world, "elem_admin")
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, world, file=upload("g.csv", sample("google_chromebooks.csv")))
    job = DeviceImport.objects.get()
    assert job.status == "failed"
    page = client.get(reverse("devices:import_detail", args=[job.public_id])).content.decode()
    assert "Nothing was saved" in page and "looks like a Google Admin export" in page
    assert Device.objects.count() == 0


def test_the_form_refuses_other_files_and_schools(world: Any) -> None:
    client = english(world, "elem_admin")
    response = post_file(client, world, file=upload("export.pdf", b"%PDF"))
    assert response.status_code == 200 and ".csv and .xlsx" in response.content.decode()
    response = post_file(client, world, school=str(world.schools["A-junior"].public_id))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = post_file(client, world, school="")
    assert response.status_code == 200
    assert DeviceImport.objects.count() == 0


def test_progress_while_queued(world: Any) -> None:
    from dtss.devices.import_services import device_import_create

    job = device_import_create(
        user=world.users["elem_admin"],
        source="jamf",
        uploaded_file=upload("jamf.csv", sample("jamf.csv")),
        county=world.counties["A"],
        school=world.schools["A-elem"],
        enqueue=False,
    )
    client = english(world, "elem_admin")
    page = client.get(reverse("devices:import_detail", args=[job.public_id])).content.decode()
    assert "Waiting for the background worker" in page and "devices/imports/progress" in page
    status = client.get(reverse("devices:import_status", args=[job.public_id])).json()
    assert status["active"] is True and status["progress_phase"] == "queued"


def test_other_tenants_get_404(world: Any) -> None:
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    for name in ("b_admin", "junior_admin"):
        client = world.client(name)
        assert client.get(reverse("devices:import_detail", args=[job.public_id])).status_code == 404
        assert client.get(reverse("devices:import_status", args=[job.public_id])).status_code == 404
    for name in ("elem_admin", "a_admin", "a_staff"):
        client = world.client(name)
        assert client.get(reverse("devices:import_detail", args=[job.public_id])).status_code == 200


def test_lists_are_scoped_and_filtered(world: Any) -> None:
    mine = run_import(world, source="jamf", content=sample("jamf.csv"))
    theirs = run_import(
        world,
        source="jamf",
        content=sample("jamf.csv"),
        user="b_admin",
        school="B-elem",
        county="B",
    )
    page = world.client("elem_admin").get(reverse("devices:import_list")).content.decode()
    assert str(mine.public_id) in page and str(theirs.public_id) not in page
    page = world.client("b_admin").get(reverse("devices:import_list")).content.decode()
    assert str(theirs.public_id) in page and str(mine.public_id) not in page
    page = world.client("junior_admin").get(reverse("devices:import_list")).content.decode()
    assert (
        str(mine.public_id) not in page
        and "No device imports yet"
        in english(world, "junior_admin").get(reverse("devices:import_list")).content.decode()
    )
    client = world.client("a_admin")
    assert str(mine.public_id) in client.get(reverse("devices:import_list")).content.decode()
    filtered = client.get(reverse("devices:import_list") + "?source=google").content.decode()
    assert str(mine.public_id) not in filtered


def test_templates_have_a_header_and_an_example(world: Any) -> None:
    client = world.client("elem_admin")
    response = client.get(reverse("devices:import_template", args=["register", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["asset_tag", "serial", "kind"] and rows[1][2] == "tablet"
    response = client.get(reverse("devices:import_template", args=["register"]) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "asset_tag" and sheet.cell(2, 10).value == "113/08/01"
    response = client.get(reverse("devices:import_template", args=["google", "csv"]))
    assert response.content.decode("utf-8-sig").startswith("serialNumber,model")


def test_a_downloaded_template_imports(world: Any) -> None:
    client = world.client("elem_admin")
    body = client.get(reverse("devices:import_template", args=["register", "xlsx"])).content
    job = run_import(world, source="register", content=body, filename="register.xlsx")
    assert job.status == "done", job.report["errors"]
    assert Device.objects.get().asset_tag == "083601-T-0001"
