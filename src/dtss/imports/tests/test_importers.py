"""Each kind imports from CSV and XLSX, re-imports update, bad files change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dtss.core.models import AuditEntry
from dtss.imports.models import ImportJob
from dtss.imports.tests.helpers import (
    CLASS_HEADER,
    PEOPLE_HEADER,
    SCHOOL_HEADER,
    counts,
    csv_bytes,
    fields,
    run,
    xlsx_bytes,
)
from dtss.orgs import services as org_services
from dtss.orgs.models import (
    AcademicTerm,
    District,
    Enrollment,
    Guardianship,
    Membership,
    Person,
    Role,
    School,
    SchoolClass,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


GOOD_SCHOOLS = [
    ["083602", "南投縣立新興國小", "", "A1", "", "國小", "公立", "一般", "120", "", ""],
    [
        "083503",
        "南投縣立中興國中",
        "Zhongxing JHS",
        "A2",
        "中興",
        "junior",
        "public",
        "偏遠",
        "480",
        "南投縣南投市中興路1號",
        "049-1234567",
    ],
    ["083601", "南投國小", "", "A1", "", "elementary", "", "", "310", "", ""],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_schools_import_and_reimport(world: Any, fmt: str) -> None:
    county = world.counties["A"]
    build = csv_bytes if fmt == "csv" else xlsx_bytes
    content = build(SCHOOL_HEADER, GOOD_SCHOOLS)
    before = counts()
    job = run("schools", f"schools.{fmt}", content, county=county)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.summary["created"] == 2 and job.summary["updated"] == 1
    after = counts()
    assert after["School"] == before["School"] + 2
    assert after["District"] == before["District"] + 1
    new = School.objects.get(code="083503")
    assert (new.stage, new.area, new.student_count, new.district.name_zh) == (
        "junior",
        "remote",
        480,
        "中興",
    )
    assert new.county == county
    assert School.objects.get(code="083601").student_count == 310
    assert School.objects.get(code="083602").stage == "elementary"
    assert job.processed_rows == job.total_rows == 3

    rows = [list(r) for r in GOOD_SCHOOLS]
    rows[0][8] = "125"
    again = run("schools", f"schools.{fmt}", build(SCHOOL_HEADER, rows), county=county)
    assert again.status == ImportJob.Status.DONE
    assert again.summary["created"] == 0 and again.summary["updated"] == 3
    assert counts() == after
    assert School.objects.get(code="083602").student_count == 125


def test_schools_bad_file_lists_every_problem_and_changes_nothing(world: Any) -> None:
    rows = [
        ["08360", "五碼國小", "", "A1", "", "國小", "", "", "", "", ""],
        ["083610", "無區國小", "", "ZZ", "", "國小", "", "", "", "", ""],
        ["083611", "大學", "", "A1", "", "大學", "", "", "", "", ""],
        ["083611", "重複國小", "", "A1", "", "國小", "", "", "", "", ""],
        ["024601", "宜蘭國小", "", "A1", "", "國小", "", "", "", "", ""],
        ["083612", "", "", "A1", "", "國小", "", "", "many", "", ""],
        ["083613", "好國小", "", "A1", "", "國小", "", "", "10", "", ""],
    ]
    before = counts()
    audit_before = AuditEntry.objects.count()
    job = run("schools", "bad.csv", csv_bytes(SCHOOL_HEADER, rows), county=world.counties["A"])
    assert job.status == ImportJob.Status.FAILED
    assert fields(job) == {
        (2, "code"),
        (3, "district_code"),
        (4, "stage"),
        (5, "code"),
        (6, "code"),
        (7, "name_zh"),
        (7, "student_count"),
    }
    messages = {(p["row"], p["field"]): p["message"] for p in job.errors}
    assert messages[(2, "code")] == "The MOE school code has six digits."
    assert "ZZ" in messages[(3, "district_code")]
    assert "also on row 4" in messages[(5, "code")]
    assert counts() == before
    assert not School.objects.filter(code="083613").exists()
    actions = list(
        AuditEntry.objects.order_by("id").values_list("action", flat=True)[audit_before:]
    )
    assert actions == ["import.start", "import.failed"]


def test_missing_required_column_and_unknown_column(world: Any) -> None:
    content = csv_bytes(["code", "name_zh", "colour"], [["083602", "新興國小", "blue"]])
    job = run("schools", "s.csv", content, county=world.counties["A"])
    assert job.status == ImportJob.Status.FAILED
    assert {(1, "colour"), (1, "district_code"), (1, "stage")} <= fields(job)


def test_big5_schools_csv(world: Any) -> None:
    content = csv_bytes(
        ["學校代碼", "學校名稱", "行政區代碼", "學制"],
        [["083602", "南投縣立新興國小", "A1", "國小"]],
        encoding="cp950",
    )
    job = run("schools", "big5.csv", content, county=world.counties["A"])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert School.objects.get(code="083602").name_zh == "南投縣立新興國小"


def test_exception_while_saving_rolls_everything_back(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(org_services, "IMPORT_BATCH", 1)  # one school per batch
    real = School.objects.bulk_create
    calls = {"n": 0}

    def flaky(objs: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(objs, **kwargs)

    monkeypatch.setattr(School.objects, "bulk_create", flaky)
    before = counts()
    job = run(
        "schools", "s.csv", csv_bytes(SCHOOL_HEADER, GOOD_SCHOOLS), county=world.counties["A"]
    )
    assert calls["n"] == 2  # the first school was written, then rolled back
    assert job.status == ImportJob.Status.FAILED
    assert [(p["row"], p["field"]) for p in job.errors] == [(0, "")]
    assert "disk on fire" in job.errors[0]["message"]
    assert counts() == before
    assert not School.objects.filter(code="083602").exists()
    assert School.objects.get(code="083601").student_count == 300


def test_validation_error_while_saving_names_row_and_column(world: Any, monkeypatch: Any) -> None:
    """Every row is still validated (full_clean) when saved; a refusal names its row."""

    def refuse(self: Any, **kwargs: Any) -> Any:
        raise ValidationError({"seat_number": ["Seat refused."]})

    monkeypatch.setattr(Enrollment, "full_clean", refuse)
    before = counts()
    rows = [
        ["T100", "陳老師", "教師", "", "", "", "", "", "", "", "", "", "", ""],
        ["S100", "林小華", "學生", "", "", "", "", "114", "1", "5", "1", "3", "", ""],
    ]
    job = run(
        "people",
        "p.csv",
        csv_bytes(PEOPLE_HEADER, rows),
        county=world.counties["A"],
        school=world.schools["A-elem"],
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 3, "field": "seat_number", "message": "Seat refused."}]
    assert counts() == before


# --- classes ---------------------------------------------------------------------------------


GOOD_CLASSES = [
    ["114", "1", "5", "1", "五年一班", "elem_teacher"],
    ["114", "1", "5", "2", "", ""],
    ["114", "2", "6", "1", "六年一班", "elem_admin"],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_classes_import_and_reimport(world: Any, fmt: str) -> None:
    school = world.schools["A-elem"]
    build = csv_bytes if fmt == "csv" else xlsx_bytes
    rows: list[list[Any]] = [list(r) for r in GOOD_CLASSES]
    if fmt == "xlsx":  # numbers typed as numbers in Excel
        rows = [[int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5]] for r in rows]
    before = counts()
    job = run(
        "classes", f"c.{fmt}", build(CLASS_HEADER, rows), county=world.counties["A"], school=school
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    after = counts()
    assert after["SchoolClass"] == before["SchoolClass"] + 2
    assert after["AcademicTerm"] == before["AcademicTerm"] + 1
    assert (
        world.classes["A-elem 5-1"].__class__.objects.get(pk=world.classes["A-elem 5-1"].pk).name
        == "五年一班"
    )
    six = SchoolClass.objects.get(school=school, term__roc_year=114, term__semester=2, grade=6)
    assert six.homeroom_teacher == world.people["elem_admin"]
    assert (job.summary["created"], job.summary["updated"]) == (2, 1)
    again = run(
        "classes", f"c.{fmt}", build(CLASS_HEADER, rows), county=world.counties["A"], school=school
    )
    assert again.status == ImportJob.Status.DONE
    assert counts() == after


def test_classes_bad_file(world: Any) -> None:
    rows = [
        ["114", "1", "10", "1", "", ""],  # grade out of range for an elementary school
        ["114", "3", "5", "3", "", ""],  # no semester 3
        ["114", "1", "5", "4", "", "junior_teacher"],  # teaches at another school
        ["114", "1", "5", "4", "", ""],  # the same class twice
        ["abc", "1", "5", "5", "", ""],  # not a year
        ["114", "1", "5", "6", "", "nobody"],  # unknown teacher
    ]
    before = counts()
    job = run(
        "classes",
        "c.csv",
        csv_bytes(CLASS_HEADER, rows),
        county=world.counties["A"],
        school=world.schools["A-elem"],
    )
    assert job.status == ImportJob.Status.FAILED
    assert fields(job) == {
        (2, "grade"),
        (3, "semester"),
        (4, "homeroom_teacher_id"),
        (5, "number"),
        (6, "roc_year"),
        (7, "homeroom_teacher_id"),
    }
    grade = next(p for p in job.errors if p["field"] == "grade")
    assert grade["message"] == "Grade 10 is outside 1–9 for this school's stage."
    assert counts() == before


# --- people ----------------------------------------------------------------------------------


def _person_row(**values: str) -> list[str]:
    return [values.get(key, "") for key in PEOPLE_HEADER]


GOOD_PEOPLE = [
    _person_row(
        external_id="T100",
        name="陳老師",
        role="教師",
        title="主任",
        gender="女",
        email="t100@example.org",
    ),
    _person_row(
        external_id="S100",
        name="林小華",
        role="學生",
        gender="男",
        roc_year="114",
        semester="1",
        grade="5",
        class_number="1",
        seat_number="3",
    ),
    _person_row(
        external_id="S101",
        name="黃小美",
        role="student",
        gender="F",
        roc_year="114",
        semester="1",
        grade="5",
        class_number="1",
        seat_number="4",
    ),
    _person_row(
        external_id="P100",
        name="林爸爸",
        role="家長",
        gender="男",
        phone="0912345678",
        child_external_id="S100",
        relation="父親",
    ),
    _person_row(
        external_id="P100",
        name="林爸爸",
        role="parent",
        child_external_id="elem_student",
        relation="father",
    ),
    _person_row(
        external_id="elem_student2",
        name="改名的學生",
        role="學生",
        roc_year="114",
        semester="1",
        grade="5",
        class_number="1",
        seat_number="2",
    ),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_import_and_reimport(world: Any, fmt: str) -> None:
    school = world.schools["A-elem"]
    build = csv_bytes if fmt == "csv" else xlsx_bytes
    content = build(PEOPLE_HEADER, GOOD_PEOPLE)
    before = counts()
    job = run(
        "people",
        f"p.{fmt}",
        content,
        county=world.counties["A"],
        school=school,
        user=world.users["elem_admin"],
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    after = counts()
    assert after["Person"] == before["Person"] + 4
    assert after["Enrollment"] == before["Enrollment"] + 2
    assert after["Guardianship"] == before["Guardianship"] + 2
    assert after["Membership"] == before["Membership"] + 4
    assert (job.summary["created"], job.summary["updated"]) == (4, 1)
    teacher = Person.objects.get(external_id="T100")
    assert teacher.gender == "F" and teacher.email == "t100@example.org"
    assert Membership.objects.get(person=teacher, school=school).title == "director"
    s100 = Enrollment.objects.get(student__external_id="S100")
    assert (s100.school_class, s100.seat_number) == (world.classes["A-elem 5-1"], 3)
    father = Person.objects.get(external_id="P100")
    assert set(
        Guardianship.objects.filter(parent=father).values_list("child__external_id", flat=True)
    ) == {"S100", "elem_student"}
    assert Guardianship.objects.get(parent=father, child__external_id="S100").relation == "father"
    assert Membership.objects.filter(person=father, role=Role.PARENT, school=school).exists()
    assert Person.objects.get(external_id="elem_student2").name == "改名的學生"

    again = run(
        "people",
        f"p.{fmt}",
        content,
        county=world.counties["A"],
        school=school,
        user=world.users["elem_admin"],
    )
    assert again.status == ImportJob.Status.DONE, again.errors
    assert counts() == after
    assert (again.summary["created"], again.summary["updated"]) == (0, 5)


def test_people_swap_seats_and_move_class(world: Any) -> None:
    school = world.schools["A-elem"]
    term = AcademicTerm.objects.get(roc_year=114, semester=1)
    other = org_services.class_create(school=school, term=term, grade=5, number=2)
    rows = [
        _person_row(
            external_id="elem_student",
            name="elem_student",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="1",
            seat_number="2",
        ),
        _person_row(
            external_id="elem_student2",
            name="elem_student2",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="2",
            seat_number="1",
        ),
    ]
    before = counts()
    job = run(
        "people", "p.csv", csv_bytes(PEOPLE_HEADER, rows), county=world.counties["A"], school=school
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert counts() == before
    first = Enrollment.objects.get(student=world.people["elem_student"])
    second = Enrollment.objects.get(student=world.people["elem_student2"])
    assert (first.school_class, first.seat_number) == (world.classes["A-elem 5-1"], 2)
    assert (second.school_class, second.seat_number) == (other, 1)


def test_people_bad_file(world: Any) -> None:
    rows = [
        _person_row(external_id="X1", name="校長甲", role="校長"),
        _person_row(external_id="X2", name="乙", role="teacher", email="not-an-email"),
        _person_row(
            external_id="X3",
            name="丙",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="9",
            seat_number="1",
        ),
        _person_row(
            external_id="X4",
            name="丁",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="1",
            seat_number="5",
        ),
        _person_row(
            external_id="X5",
            name="戊",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="1",
            seat_number="5",
        ),
        _person_row(external_id="X6", name="己", role="parent", child_external_id="NOPE"),
        _person_row(external_id="junior_teacher", name="國中老師", role="teacher"),
        _person_row(
            external_id="X7",
            name="庚",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="1",
            seat_number="1",
        ),
        _person_row(external_id="X8", name="", role="teacher"),
        _person_row(
            external_id="X9",
            name="辛",
            role="student",
            roc_year="114",
            semester="1",
            grade="5",
            class_number="1",
        ),
    ]
    before = counts()
    job = run(
        "people",
        "p.csv",
        csv_bytes(PEOPLE_HEADER, rows),
        county=world.counties["A"],
        school=world.schools["A-elem"],
        user=world.users["elem_admin"],
    )
    assert job.status == ImportJob.Status.FAILED
    assert fields(job) == {
        (2, "role"),
        (3, "email"),
        (4, "class_number"),
        (6, "seat_number"),
        (7, "child_external_id"),
        (8, "external_id"),
        (9, "seat_number"),
        (10, "name"),
        (11, "seat_number"),
    }
    messages = {(p["row"], p["field"]): p["message"] for p in job.errors}
    assert "not a valid email" in messages[(3, "email")]
    assert "elem_student" in messages[(9, "seat_number")]
    assert counts() == before
    assert not Person.objects.filter(external_id="X4").exists()


def test_county_admin_may_take_on_a_person_of_another_school(world: Any) -> None:
    rows = [_person_row(external_id="junior_teacher", name="junior_teacher", role="teacher")]
    job = run(
        "people",
        "p.csv",
        csv_bytes(PEOPLE_HEADER, rows),
        county=world.counties["A"],
        school=world.schools["A-elem"],
        user=world.users["a_admin"],
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Membership.objects.filter(
        person=world.people["junior_teacher"], school=world.schools["A-elem"]
    ).exists()


def test_job_is_run_once(world: Any) -> None:
    job = run(
        "schools", "s.csv", csv_bytes(SCHOOL_HEADER, GOOD_SCHOOLS[:1]), county=world.counties["A"]
    )
    from dtss.imports.services import import_job_run

    assert import_job_run(job=job).status == ImportJob.Status.DONE
    assert District.objects.filter(county=world.counties["A"]).count() == 1
