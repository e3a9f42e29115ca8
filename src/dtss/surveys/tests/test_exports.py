"""Results files (CSV, XLSX, PDF) and the named answers files: the same published figures as the
page, suppression everywhere, differencing refused, no formulas, audited downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.surveys import exports, services
from dtss.surveys.models import Group, Run
from dtss.surveys.tests.factories import questionnaire, run
from dtss.surveys.tests.test_results_page import answer, results_url, school_run

EXPORTS = ["run_results_csv", "run_results_xlsx", "run_results_pdf"]


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _workbook(body: bytes) -> Any:
    return load_workbook(io.BytesIO(body))


def _values(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def four_leaders(world: World) -> Run:
    """Teachers (6, mean 1.83) and four leaders who all answered 1 with a free text."""
    return school_run(world, leaders=[1, 1, 1, 1], teachers=[2, 2, 1, 2, 3, 1])


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("elem_admin", 200),
        ("a_staff", 200),
        ("elem_teacher", 403),
        ("elem_parent", 403),
        ("junior_admin", 404),
        ("b_admin", 404),
    ],
)
def test_download_access(
    four_leaders: Run, world: World, name: str, user: str, status: int
) -> None:
    assert world.client(user).get(results_url(four_leaders, name)).status_code == status


def _labels() -> tuple[str, str]:
    with translation.override("zh-hant"):
        return str(Group.LEADERS.label), str(Group.TEACHERS.label)


def test_csv_has_the_published_figures_only(four_leaders: Run, world: World) -> None:
    response = world.client("elem_admin").get(results_url(four_leaders, "run_results_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    lines = rows[1:]
    leaders_label, teachers_label = _labels()
    leaders = [r for r in lines if r[3] == leaders_label]
    teachers = [r for r in lines if r[3] == teachers_label]
    assert leaders and teachers and len(leaders) + len(teachers) == len(lines)
    # Leaders: every figure empty (answers, mean, % agree, N/A, 5…1, distribution, previous,
    # change), the reason in the note.
    for r in leaders:
        assert all(v == "" for v in r[4:17]) and r[-1], r
    scale = next(r for r in teachers if r[5])
    assert scale[5] == "1.83" and scale[4] == "6" and scale[-1] == ""
    body = response.content.decode("utf-8-sig")
    assert "行政意見" not in body
    assert "教師意見" not in body  # free texts are not in the table


def test_xlsx_sheets_and_cells(four_leaders: Run, world: World) -> None:
    response = world.client("elem_admin").get(results_url(four_leaders, "run_results_xlsx"))
    wb = _workbook(response.content)
    assert len(wb.sheetnames) == 3  # results, free texts, respondents
    table, texts, respondents = (wb[name] for name in wb.sheetnames)
    leaders_label, teachers_label = _labels()
    data = [r for r in _values(table) if len(r) > 3 and r[3] in (leaders_label, teachers_label)]
    leaders = [r for r in data if r[3] == leaders_label]
    teachers = [r for r in data if r[3] == teachers_label]
    assert leaders and teachers and all(r[-1] for r in leaders)
    for r in leaders:
        assert all(v is None for v in r[4:17]), r
    assert any(r[5] == pytest.approx(1.83) for r in teachers)
    assert not any(r[5] == 1.0 for r in data)
    text_rows = _values(texts)[1:]
    assert sorted(r[2] for r in text_rows) == [f"教師意見{i}" for i in range(6) if i != 4]
    assert {r[1] for r in text_rows} == {teachers_label}
    people = {r[0]: r for r in _values(respondents) if r and isinstance(r[1], int)}
    assert sorted(r[1] for r in people.values()) == [4, 6]


def test_pdf_has_the_same_figures(four_leaders: Run, world: World) -> None:
    response = world.client("elem_admin").get(results_url(four_leaders, "run_results_pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "1.83" in text and "教師意見0" in text
    assert "行政意見" not in text and "1.00" not in text
    # and the HTML WeasyPrint draws holds no figure of the leaders either
    from dtss.surveys.exports import render_html, results_report

    html = render_html(results_report(run=four_leaders, user=world.users["elem_admin"]))
    assert "1.83" in html and "1.00" not in html and "行政意見" not in html


def test_blocked_class_filter_is_blocked_in_every_file(world: World) -> None:
    r = run(world, {"students": questionnaire(world, group="students")})
    klass = world.classes["A-elem 5-1"]
    answer(world, r, "students", [4] * 7, school_class=klass, why="班級意見")
    answer(world, r, "students", [1] * 3, why="其他意見")
    client = world.client("elem_admin")
    query = f"?class={klass.public_id}"
    rows = _csv_rows(client.get(results_url(r, "run_results_csv", query)).content)
    assert len(rows) == 2 and rows[1][-1] and all(v == "" for v in rows[1][:-1])
    wb = _workbook(client.get(results_url(r, "run_results_xlsx", query)).content)
    cells = [v for row in _values(wb.worksheets[0]) for v in row if v is not None]
    assert not any(isinstance(v, float) for v in cells)
    assert _values(wb.worksheets[1])[1:] == []  # no free texts
    report = exports.results_report(run=r, school_class=klass)
    html = exports.render_html(report)
    assert report.blocked and report.blocked_text in html
    assert "4.00" not in html and "班級意見" not in html
    text = _pdf_text(client.get(results_url(r, "run_results_pdf", query)).content)
    assert "4.00" not in text and "班級意見" not in text
    # without the filter the school's figures are published
    whole = _csv_rows(client.get(results_url(r, "run_results_csv")).content)
    assert any(row[5] == "3.1" for row in whole[1:])


def test_spreadsheet_text_never_becomes_a_formula(world: World) -> None:
    qn = questionnaire(world)
    services.question_update(
        question=qn.questions.get(code="Q1"), actor=world.users["a_admin"], text_zh="=1+1 聽取"
    )
    r = run(world, {"teachers": qn})
    codes = services.codes_generate(run=r, actor=world.users["a_admin"], group="teachers", count=5)
    for code in codes:
        services.submission_anonymous(
            code=code.code, answers={"Q1": 1, "Q2": "no", "Q3": "=HYPERLINK(1)"}
        )
    report = exports.results_report(run=r)
    rows = _csv_rows(exports.render_csv(report))
    assert rows[1][0] == "'=1+1 聽取"
    wb = _workbook(exports.render_xlsx(report))
    for sheet, text in ((0, "=1+1 聽取"), (1, "=HYPERLINK(1)")):
        cell = next(c for row in wb.worksheets[sheet].iter_rows() for c in row if c.value == text)
        assert cell.data_type == "s"


def test_exports_are_audited(four_leaders: Run, world: World) -> None:
    client = world.client("elem_admin")
    for name in EXPORTS:
        client.get(results_url(four_leaders, name))
    entries = AuditEntry.objects.filter(
        action="report.export", object_id=str(four_leaders.public_id)
    )
    assert sorted(e.detail["format"] for e in entries) == ["csv", "pdf", "xlsx"]


# --- named forms: answers by person ---------------------------------------------------------------


def _named(world: World) -> Run:
    qn = questionnaire(world, group="parents", pair="", title="戶外教學調查表")
    r = run(world, {"parents": qn}, mode="named")
    services.submission_named(
        invitation=r.invitations.get(),
        user=world.users["elem_parent"],
        answers={"Q1": 2, "Q2": "no", "Q3": "要接送"},
    )
    return r


def test_named_answers_files_for_managers(world: World) -> None:
    r = _named(world)
    name = world.people["elem_parent"].name
    child = world.people["elem_student"].name
    rows = _csv_rows(world.client("elem_admin").get(results_url(r, "run_answers_csv")).content)
    assert rows[1][1:3] == [name, child]
    assert rows[1][4].startswith("2 ") and rows[1][-1] == "要接送"
    wb = _workbook(world.client("a_admin").get(results_url(r, "run_answers_xlsx")).content)
    assert any(name in row for row in _values(wb.worksheets[0]))
    for user, status in [("a_staff", 403), ("elem_teacher", 403), ("b_admin", 404)]:
        assert world.client(user).get(results_url(r, "run_answers_csv")).status_code == status
    assert AuditEntry.objects.filter(
        action="report.export", detail__what="survey_named_answers"
    ).exists()


def test_anonymous_runs_have_no_answers_files(four_leaders: Run, world: World) -> None:
    for name in ("run_answers_csv", "run_answers_xlsx"):
        assert world.client("elem_admin").get(results_url(four_leaders, name)).status_code == 404
