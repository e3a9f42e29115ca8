"""`dtss import`: progress on stdout, every problem on stderr, exit 1 and nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from dtss.cli import main
from dtss.imports.cli import run_import_cli
from dtss.imports.models import ImportJob
from dtss.imports.tests.helpers import (
    CLASS_HEADER,
    SCHOOL_HEADER,
    counts,
    csv_bytes,
    xlsx_bytes,
)
from dtss.orgs.models import School, SchoolClass


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_good_file(world: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "schools.xlsx"
    path.write_bytes(
        xlsx_bytes(
            SCHOOL_HEADER,
            [
                ["083602", "新興國小", "", "A1", "", "國小", "", "", 120, "", ""],
                ["083603", "中興國小", "", "A9", "中興", "國小", "", "", 80, "", ""],
            ],
        )
    )
    code = run_import_cli(kind="schools", path=str(path), county_code="10008", school_code=None)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "validated 2/2 rows" in out
    assert "imported 2 rows: created 2, updated 0 (districts created 1)" in out
    assert err == ""
    assert School.objects.filter(code__in=["083602", "083603"]).count() == 2
    job = ImportJob.objects.get()
    assert job.created_by is None and job.status == "done"


def test_bad_file_prints_every_problem_and_saves_nothing(
    world: Any, tmp_path: Path, capsys: Any
) -> None:
    rows = [["083610", f"第{i}國小", "", "ZZ", "", "國小", "", "", "", "", ""] for i in range(450)]
    rows[5][0] = "12345"  # row 7: five digits
    rows[6][5] = "大學"  # row 8: no such stage
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_bytes(SCHOOL_HEADER, rows))
    before = counts()
    code = run_import_cli(kind="schools", path=str(path), county_code="10008", school_code=None)
    out, err = capsys.readouterr()
    assert code == 1
    assert counts() == before
    assert out.splitlines() == [
        "validated 200/450 rows",
        "validated 400/450 rows",
        "validated 450/450 rows",
    ]
    lines = err.splitlines()
    assert "row 7, code: The MOE school code has six digits." in lines
    assert any(
        line.startswith("row 8, stage: “大學” is not one of the allowed values") for line in lines
    )
    assert (
        "row 2, district_code: Unknown district code “ZZ”. Give its district_name to create it."
        in lines
    )
    assert "row 3, code: The school code 083610 is also on row 2." in lines
    assert lines[-1] == f"{len(lines) - 1} problems in schools.csv; nothing was saved."
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.processed_rows == 450


def test_school_kinds_need_a_school(world: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "classes.csv"
    path.write_bytes(csv_bytes(CLASS_HEADER, [["114", "1", "5", "2", "", "elem_teacher"]]))
    assert (
        run_import_cli(kind="classes", path=str(path), county_code="10008", school_code=None) == 1
    )
    assert "needs --school" in capsys.readouterr().err
    # a school of another county is not found in this one
    assert (
        run_import_cli(kind="classes", path=str(path), county_code="10008", school_code="024601")
        == 1
    )
    assert "no school with the code" in capsys.readouterr().err
    assert (
        run_import_cli(kind="classes", path=str(path), county_code="99999", school_code="083601")
        == 1
    )
    assert "no county" in capsys.readouterr().err
    assert (
        run_import_cli(
            kind="classes",
            path=str(tmp_path / "missing.csv"),
            county_code="10008",
            school_code="083601",
        )
        == 1
    )
    assert "no such file" in capsys.readouterr().err
    assert not ImportJob.objects.exists()


def test_dtss_import_command(world: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "classes.csv"
    path.write_bytes(csv_bytes(CLASS_HEADER, [["114", "1", "5", "2", "", "elem_teacher"]]))
    code = main(["import", "classes", str(path), "--county", "10008", "--school", "083601"])
    assert code == 0, capsys.readouterr().err
    assert SchoolClass.objects.filter(school=world.schools["A-elem"], grade=5, number=2).exists()


def test_unreadable_file(world: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "schools.xlsx"
    path.write_bytes(b"not a workbook")
    assert (
        run_import_cli(kind="schools", path=str(path), county_code="10008", school_code=None) == 1
    )
    assert "file: The file is not a readable Excel workbook (.xlsx)." in capsys.readouterr().err
