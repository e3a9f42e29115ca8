"""The pages: upload, progress, problems, templates, and who may see what."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dtss.imports.models import ImportJob
from dtss.imports.services import import_job_create
from dtss.imports.tests.helpers import (
    CLASS_HEADER,
    PEOPLE_HEADER,
    SCHOOL_HEADER,
    counts,
    csv_bytes,
    upload,
)
from dtss.orgs.models import Person, School


def english(world: Any, name: str) -> Client:
    client = world.client(name)
    client.cookies["dtss_language"] = "en"
    return client


def queued_job(world: Any, *, school_key: str = "A-elem", user: str = "elem_admin") -> ImportJob:
    school = world.schools[school_key]
    return import_job_create(
        user=world.users[user],
        kind="classes",
        uploaded_file=upload("c.csv", csv_bytes(CLASS_HEADER, [["114", "1", "5", "3", "", ""]])),
        county=school.county,
        school=school,
        enqueue=False,
    )


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["elem_teacher", "a_staff", "elem_student", "elem_parent", "outsider", "moe"]
)
def test_non_administrators_get_403(world: Any, name: str) -> None:
    client = world.client(name)
    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:template", args=["people", "csv"])).status_code == 403


def test_anonymous_is_sent_to_login(client: Client, world: Any) -> None:
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_other_tenants_get_404_on_a_job(world: Any) -> None:
    job = queued_job(world)
    for name in ("b_admin", "junior_admin", "elem_teacher"):
        client = world.client(name)
        assert client.get(reverse("imports:detail", args=[job.public_id])).status_code == 404
        assert client.get(reverse("imports:status", args=[job.public_id])).status_code == 404
    for name in ("elem_admin", "a_admin"):
        client = world.client(name)
        assert client.get(reverse("imports:detail", args=[job.public_id])).status_code == 200
        assert client.get(reverse("imports:status", args=[job.public_id])).status_code == 200


def test_job_lists_are_scoped(world: Any) -> None:
    job = queued_job(world)
    other = queued_job(world, school_key="B-elem", user="b_admin")
    page = world.client("elem_admin").get(reverse("imports:list")).content.decode()
    assert str(job.public_id) in page and str(other.public_id) not in page
    page = world.client("b_admin").get(reverse("imports:list")).content.decode()
    assert str(job.public_id) not in page and str(other.public_id) in page
    page = world.client("a_admin").get(reverse("imports:list")).content.decode()
    assert str(job.public_id) in page


def test_school_admin_cannot_import_into_another_school(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = english(world, "elem_admin")
    content = csv_bytes(CLASS_HEADER, [["114", "1", "7", "2", "", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:list"),
            {
                "kind": "classes",
                "school": str(world.schools["A-junior"].public_id),
                "file": upload("c.csv", content),
            },
        )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ImportJob.objects.exists()
    # … nor import schools, which is for the county office.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:list"),
            {
                "kind": "schools",
                "file": upload("s.csv", csv_bytes(SCHOOL_HEADER, [])),
            },
        )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_form_rejects_other_file_types(world: Any) -> None:
    client = english(world, "elem_admin")
    response = client.post(
        reverse("imports:list"),
        {
            "kind": "classes",
            "school": str(world.schools["A-elem"].public_id),
            "file": upload("c.txt", b"roc_year\n114\n"),
        },
    )
    assert "Only .csv and .xlsx files can be imported." in response.content.decode()
    assert not ImportJob.objects.exists()


# --- the flow -------------------------------------------------------------------------------


def test_list_page_preselects_school_and_links_templates(world: Any) -> None:
    school = world.schools["A-elem"]
    response = english(world, "elem_admin").get(
        reverse("imports:list"), {"school": school.public_id}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{school.public_id}" selected' in page
    for kind in ("classes", "people"):
        for fmt in ("csv", "xlsx"):
            assert reverse("imports:template", args=[kind, fmt]) in page
    assert 'value="schools"' not in page  # a school administrator imports no schools


def test_upload_good_file_through_the_page(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = english(world, "elem_admin")
    rows = [["T200", "新老師", "teacher", "", "", "", "", "", "", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:list"),
            {
                "kind": "people",
                "school": str(world.schools["A-elem"].public_id),
                "file": upload("people.csv", csv_bytes(PEOPLE_HEADER, rows)),
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[job.public_id])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.created_by == world.users["elem_admin"]
    assert Person.objects.filter(external_id="T200").exists()
    page = client.get(response["Location"]).content.decode()
    assert "1 rows imported: 1 created, 0 updated." in page
    assert 'style="width:100%"' in page
    assert "progress.js" not in page  # finished: nothing to poll


def test_county_admin_imports_schools_through_the_page(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = csv_bytes(
        SCHOOL_HEADER, [["083602", "新興國小", "", "A1", "", "國小", "", "", "", "", ""]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = english(world, "a_admin").post(
            reverse("imports:list"),
            {
                "kind": "schools",
                "file": upload("s.csv", content),
            },
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.county, job.school, job.status) == (world.counties["A"], None, "done")
    assert School.objects.get(code="083602").county == world.counties["A"]


def test_bad_file_lists_each_problem_in_page_and_json(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = english(world, "elem_admin")
    rows = [
        ["114", "1", "10", "1", "", ""],
        ["114", "3", "5", "3", "", ""],
        ["114", "1", "5", "4", "", "nobody"],
    ]
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:list"),
            {
                "kind": "classes",
                "school": str(world.schools["A-elem"].public_id),
                "file": upload("classes.csv", csv_bytes(CLASS_HEADER, rows)),
            },
        )
    assert counts() == before
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "3 problems were found. Nothing was saved" in page
    assert "<td>2</td><td><code>grade</code>" in page
    assert "<td>3</td><td><code>semester</code>" in page
    assert "<td>4</td><td><code>homeroom_teacher_id</code>" in page
    assert "Grade 10 is outside 1–9 for this school&#x27;s stage." in page
    data = json.loads(client.get(reverse("imports:status", args=[job.public_id])).content)
    assert data["status"] == "failed" and data["active"] is False
    assert [(e["row"], e["field"]) for e in data["errors"]] == [
        (2, "grade"),
        (3, "semester"),
        (4, "homeroom_teacher_id"),
    ]
    assert "nobody" in data["errors"][2]["message"]


def test_queued_job_shows_progress_and_polls(world: Any) -> None:
    job = queued_job(world)
    client = english(world, "elem_admin")
    page = client.get(reverse("imports:detail", args=[job.public_id])).content.decode()
    assert '<div class="progress"' in page and 'style="width:0%"' in page
    assert "/static/imports/progress.js" in page
    assert f'data-status-url="{reverse("imports:status", args=[job.public_id])}"' in page
    data = json.loads(client.get(reverse("imports:status", args=[job.public_id])).content)
    assert data["status"] == "queued" and data["active"] is True and data["percent"] == 0
    ImportJob.objects.filter(pk=job.pk).update(
        status="validating", total_rows=400, processed_rows=200
    )
    data = json.loads(client.get(reverse("imports:status", args=[job.public_id])).content)
    assert (data["percent"], data["processed_rows"], data["total_rows"]) == (50, 200, 400)
    assert data["progress_text"] == "Checked 200 of 400 rows"


def test_progress_script_is_served(world: Any) -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("imports/progress.js")
    assert path is not None
    text = open(path, encoding="utf-8").read()  # noqa: SIM115
    assert "status" in text and "setTimeout" in text and "reload" in text


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header"),
    [("schools", SCHOOL_HEADER), ("classes", CLASS_HEADER), ("people", PEOPLE_HEADER)],
)
def test_templates_download(world: Any, kind: str, header: list[str]) -> None:
    client = world.client("elem_admin")
    response = client.get(reverse("imports:template", args=[kind, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"dtss-{kind}-template.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [header]

    response = client.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    first = workbook.worksheets[0]
    assert [c.value for c in first[1]] == header
    assert first.max_row == 1  # no second header-like row
    assert "必填" in first.cell(row=1, column=1).comment.text
    assert "說明 Help" in workbook.sheetnames
    help_rows = list(workbook["說明 Help"].iter_rows(values_only=True))
    assert [r[0] for r in help_rows[1:]] == header
    assert all(r[3] for r in help_rows[1:])  # required or not, for each column


def test_unknown_template_is_404(world: Any) -> None:
    client = world.client("elem_admin")
    assert client.get("/imports/templates/grades.csv").status_code == 404
    assert client.get("/imports/templates/people.pdf").status_code == 404


def test_filled_in_xlsx_template_imports(world: Any) -> None:
    """The downloaded template, filled in on its first sheet, is a valid import file."""
    from dtss.imports.tests.helpers import run

    content = world.client("a_admin").get(reverse("imports:template", args=["schools", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(content.content))
    workbook.worksheets[0].append(["083602", "新興國小", None, "A1", None, "國小"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run("schools", "filled.xlsx", buffer.getvalue(), county=world.counties["A"])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert School.objects.filter(code="083602").exists()
