"""Large files: saved in a bounded number of queries, with progress in the cache, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dtss.imports.models import ImportJob
from dtss.imports.progress import cache_key, saving_read, saving_write
from dtss.imports.services import import_job_create, import_job_run
from dtss.imports.tests.helpers import PEOPLE_HEADER, counts, csv_bytes, run, upload
from dtss.orgs import services as org_services
from dtss.orgs.models import (
    AcademicTerm,
    Enrollment,
    Guardianship,
    Membership,
    Person,
    Role,
    SchoolClass,
)

STUDENTS = 600
SEATS = 25  # 24 classes of 25


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def classes(world: Any) -> list[SchoolClass]:
    """Classes 1-1 … 4-6 of A-elem in 114-1 (class 5-1 of the world is left alone)."""
    school = world.schools["A-elem"]
    term = AcademicTerm.objects.get(roc_year=114, semester=1)
    return [
        org_services.class_create(school=school, term=term, grade=grade, number=number)
        for grade in range(1, 5)
        for number in range(1, 7)
    ]


def _row(**values: Any) -> list[str]:
    return [str(values.get(key, "")) for key in PEOPLE_HEADER]


def people_rows(classes: list[SchoolClass], *, again: bool = False) -> list[list[str]]:
    """10 teachers, 600 students, one parent for each; `again`: 10 % renamed, neighbouring
    seats swapped, relations changed."""
    rows = [_row(external_id=f"T{i:03d}", name=f"老師{i}", role="教師") for i in range(10)]
    for i in range(STUDENTS):
        school_class = classes[i // SEATS]
        seat = i % SEATS + 1
        if again:  # 1↔2, 3↔4 … (seat 25 stays)
            seat = seat + 1 if seat % 2 and seat < SEATS else seat - 1 if seat % 2 == 0 else seat
        rows.append(
            _row(
                external_id=f"S{i:04d}",
                name=f"學生{i}" + ("改" if again and i % 10 == 0 else ""),
                role="學生",
                roc_year=114,
                semester=1,
                grade=school_class.grade,
                class_number=school_class.number,
                seat_number=seat,
            )
        )
    for i in range(STUDENTS):
        rows.append(
            _row(
                external_id=f"P{i:04d}",
                name=f"家長{i}",
                role="家長",
                child_external_id=f"S{i:04d}",
                relation="監護人" if again else "母親",
            )
        )
    return rows


def import_people(world: Any, rows: list[list[str]], **kwargs: Any) -> ImportJob:
    school = world.schools["A-elem"]
    job = import_job_create(
        user=world.users["elem_admin"],
        kind="people",
        uploaded_file=upload("people.csv", csv_bytes(PEOPLE_HEADER, rows)),
        county=school.county,
        school=school,
        enqueue=False,
    )
    return import_job_run(job=job, **kwargs)


def test_large_import_and_reimport_in_few_queries(world: Any, classes: list[SchoolClass]) -> None:
    rows = people_rows(classes)
    total = len(rows)  # 1,210
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        job = import_people(world, rows)
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    # The old save (services with full_clean, row by row) took ~40 queries a row: ~50,000 here.
    # Now: a few look-ups per 500 rows plus a few writes per batch, whatever the file's size.
    assert len(queries) < total / 10, len(queries)
    after = counts()
    assert after["Person"] == before["Person"] + total
    assert after["Membership"] == before["Membership"] + total
    assert after["Enrollment"] == before["Enrollment"] + STUDENTS
    assert after["Guardianship"] == before["Guardianship"] + STUDENTS
    assert (job.summary["created"], job.summary["updated"]) == (total, 0)
    details = dict(job.summary["details"])
    assert details == {
        "roles added": total,
        "students seated in new classes": STUDENTS,
        "parent–child links added": STUDENTS,
    }
    first = Enrollment.objects.get(student__external_id="S0000")
    assert (first.school_class, first.seat_number) == (classes[0], 1)
    parent = Person.objects.get(external_id="P0599")
    link = Guardianship.objects.get(parent=parent)
    assert (link.child.external_id, link.relation) == ("S0599", "mother")
    assert Membership.objects.filter(
        person=parent, role=Role.PARENT, school=world.schools["A-elem"]
    ).exists()
    assert parent.created_at is not None and parent.public_id is not None

    # Re-import: renamed students, every pair of neighbours swaps seats, relations change.
    with CaptureQueriesContext(connection) as queries:
        again = import_people(world, people_rows(classes, again=True))
    assert again.status == ImportJob.Status.DONE, again.errors[:5]
    assert len(queries) < total / 10, len(queries)
    assert counts() == after  # updated, not duplicated
    assert (again.summary["created"], again.summary["updated"]) == (0, total)
    assert dict(again.summary["details"]) == {
        "roles added": 0,
        "students seated in new classes": 0,
        "parent–child links added": 0,
    }
    assert Person.objects.get(external_id="S0010").name == "學生10改"
    assert Person.objects.get(external_id="S0011").name == "學生11"
    seats = dict(
        Enrollment.objects.filter(school_class=classes[0]).values_list(
            "student__external_id", "seat_number"
        )
    )
    assert (seats["S0000"], seats["S0001"], seats["S0024"]) == (2, 1, 25)
    assert set(
        Guardianship.objects.filter(parent__external_id__startswith="P").values_list(
            "relation", flat=True
        )
    ) == {"guardian"}
    renamed = Person.objects.get(external_id="S0010")
    assert renamed.updated_at > renamed.created_at


def test_progress_is_written_to_the_cache_while_saving(
    world: Any, classes: list[SchoolClass], monkeypatch: Any
) -> None:
    monkeypatch.setattr(org_services, "IMPORT_BATCH", 250)
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    rows = people_rows(classes)
    seen: list[tuple[int, int, Any, dict[str, Any], str]] = []
    job_ids: list[int] = []

    def spy(done: int, total: int) -> None:
        # Called inside the import's transaction, after each batch.
        job = ImportJob.objects.get(pk=job_ids[0])
        status = json.loads(client.get(reverse("imports:status", args=[job.public_id])).content)
        page = client.get(reverse("imports:detail", args=[job.public_id])).content.decode()
        seen.append((done, total, saving_read(job_id=job.pk), status, page))

    school = world.schools["A-elem"]
    job = import_job_create(
        user=world.users["elem_admin"],
        kind="people",
        uploaded_file=upload("people.csv", csv_bytes(PEOPLE_HEADER, rows)),
        county=school.county,
        school=school,
        enqueue=False,
    )
    job_ids.append(job.pk)
    job = import_job_run(job=job, save_progress=spy)
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    total = len(rows)
    assert [s[0] for s in seen] == [250, 500, 750, 1000, total]
    for done, _total, cached, status, page in seen:
        assert cached is not None and (cached.done, cached.total) == (done, total)
        assert status["status"] == "saving" and status["phase"] == "saving"
        assert status["saved_rows"] == done
        assert status["percent"] == done * 100 // total
        assert status["progress_text"] == f"Saved {done} of {total} rows"
        assert f"Saved {done} of {total} rows" in page
        assert f'style="width:{done * 100 // total}%"' in page
    # Finished: the entry is gone and the job row is authoritative.
    assert saving_read(job_id=job.pk) is None
    status = json.loads(client.get(reverse("imports:status", args=[job.public_id])).content)
    assert (status["status"], status["percent"], status["saved_rows"]) == ("done", 100, None)


def test_status_reads_the_cache_only_while_saving(world: Any) -> None:
    school = world.schools["A-elem"]
    job = import_job_create(
        user=world.users["elem_admin"],
        kind="classes",
        uploaded_file=upload("c.csv", b"roc_year,semester,grade,number\r\n114,1,5,3\r\n"),
        county=school.county,
        school=school,
        enqueue=False,
    )
    client = world.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    url = reverse("imports:status", args=[job.public_id])
    ImportJob.objects.filter(pk=job.pk).update(
        status="saving", total_rows=1200, processed_rows=1200
    )
    data = json.loads(client.get(url).content)  # saving, nothing in the cache yet
    assert (data["percent"], data["progress_text"]) == (0, "Saving…")
    saving_write(job_id=job.pk, done=300, total=1200)
    data = json.loads(client.get(url).content)
    assert (data["percent"], data["saved_rows"]) == (25, 300)
    assert data["progress_text"] == "Saved 300 of 1200 rows"
    page = client.get(reverse("imports:detail", args=[job.public_id])).content.decode()
    assert 'style="width:25%"' in page and "Saved 300 of 1200 rows" in page
    # A stale entry never overrides a finished job.
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    data = json.loads(client.get(url).content)
    assert (data["percent"], data["saved_rows"]) == (100, None)
    assert data["progress_text"] == "Checked 1200 of 1200 rows"
    assert cache_key(job.pk).endswith(f":{job.pk}:saving")


def test_integrity_error_mid_save_rolls_everything_back(
    world: Any, classes: list[SchoolClass], monkeypatch: Any
) -> None:
    """The database's constraints are the last line of defence: a row that appears between the
    check and the save (here: written by the progress callback into the same transaction)
    makes a later batch fail, and the whole file is rolled back."""
    monkeypatch.setattr(org_services, "IMPORT_BATCH", 200)
    batches: list[int] = []

    def intruder(done: int, total: int) -> None:
        batches.append(done)
        if len(batches) == 3:  # 600 rows saved; the parents come in the last batches
            Person.objects.create(county=world.counties["A"], name="搶先", external_id="P0599")

    before = counts()
    job = import_people(world, people_rows(classes), save_progress=intruder)
    assert batches == [200, 400, 600, 800, 1000, 1200]  # the last batch failed
    assert job.status == ImportJob.Status.FAILED
    assert len(job.errors) == 1 and job.errors[0]["row"] == 0
    assert job.errors[0]["message"].startswith("The database refused the rows (")
    assert "nothing was saved" in job.errors[0]["message"]
    assert counts() == before
    assert not Person.objects.filter(external_id__in=["T000", "S0000", "P0599"]).exists()


def test_integrity_error_is_reported_not_raised(world: Any, monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("UNIQUE constraint failed: orgs_person.external_id")

    monkeypatch.setattr(Person.objects, "bulk_create", refuse)
    rows = [_row(external_id="T900", name="新老師", role="teacher")]
    before = counts()
    job = run(
        "people",
        "p.csv",
        csv_bytes(PEOPLE_HEADER, rows),
        county=world.counties["A"],
        school=world.schools["A-elem"],
    )
    assert job.status == ImportJob.Status.FAILED
    assert "UNIQUE constraint failed" in job.errors[0]["message"]
    assert counts() == before


def test_student_moving_to_another_term_keeps_the_seat_of_this_term(world: Any) -> None:
    """A seat is free only when its holder moves within the same term."""
    school = world.schools["A-elem"]
    term2 = org_services.term_get_or_create(roc_year=114, semester=2)
    org_services.class_create(school=school, term=term2, grade=5, number=1)
    rows = [
        _row(
            external_id="elem_student",
            name="elem_student",
            role="student",
            roc_year=114,
            semester=2,
            grade=5,
            class_number=1,
            seat_number=1,
        ),
        _row(
            external_id="S999",
            name="新生",
            role="student",
            roc_year=114,
            semester=1,
            grade=5,
            class_number=1,
            seat_number=1,
        ),
    ]
    before = counts()
    job = run(
        "people", "p.csv", csv_bytes(PEOPLE_HEADER, rows), county=school.county, school=school
    )
    assert job.status == ImportJob.Status.FAILED
    assert [(p["row"], p["field"]) for p in job.errors] == [(3, "seat_number")]
    assert counts() == before
