"""Reports and exports: the files are opened and their content checked (pypdf, openpyxl, csv),
the permission matrix over the world's roles, and the audit entry of every download.

Journey 1 ends with "exports the county report as PDF for the bureau head"; journeys 2–4 give
the content: stages, strategies with notes and owners, evidence, the plan with an overdue
action.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.framework import plan_services, reports, services
from dtss.framework.models import Assessment, Cycle, Response, Stage, Strategy

ALL = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
]
NOT_STAFF = {"elem_student", "elem_student2", "b_student", "elem_parent", "b_parent", "outsider"}

ELEM_EVIDENCE = "校務會議紀錄 113-08"
ELEM_LINK = "數位學習計畫書"
ELEM_NOTE = "每週三校務會議盤點設備"
ELEM_PLAN = "南投國小數位學習三年計畫"
ELEM_ACTION = "採購學生平板 60 台"
JUNIOR_PLAN = "南投國中精進計畫"
B_EVIDENCE = "宜蘭國小設備清冊"
COUNTY_EVIDENCE = "縣市數位學習推動計畫"


def expect(ok: set[str]) -> dict[str, int]:
    """200 for `ok`, 403 for students, parents and accounts without a role (reports are for
    staff), 404 for every other staff member: another school's or county's data."""
    return {u: 200 if u in ok else 403 if u in NOT_STAFF else 404 for u in ALL}


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Setup:
    world: World
    cycle_a: Cycle
    cycle_b: Cycle
    assessments: dict[str, Assessment]

    def response(self, key: str, code: str) -> Response:
        return Response.objects.get(assessment=self.assessments[key], strategy__code=code)

    def client(self, user: str, language: str = "en") -> Client:
        client = self.world.client(user)
        client.cookies["dtss_language"] = language
        return client


def _mark(s: Setup, key: str, user: str, codes: list[str], title: str, notes: str = "") -> None:
    actor = s.world.users[user]
    for code in codes:
        r = s.response(key, code)
        services.response_update(response=r, actor=actor, status="implemented", notes=notes)
        services.evidence_add(response=r, actor=actor, kind="text", title=title, text=title)


@pytest.fixture
def setup(world: World, settings: Any, tmp_path: Any) -> Setup:
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    a, b = world.counties["A"], world.counties["B"]
    cycle_a = services.cycle_open(
        county=a,
        name="114學年度第1學期",
        opens_on=today - timedelta(days=10),
        deadline=today + timedelta(days=30),
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
        actor=world.users["a_admin"],
    )
    cycle_b = services.cycle_open(
        county=b,
        name="114學年度第1學期",
        opens_on=today - timedelta(days=10),
        deadline=today + timedelta(days=30),
        schools=[world.schools["B-elem"]],
        actor=world.users["b_admin"],
    )
    s = Setup(
        world,
        cycle_a,
        cycle_b,
        {
            "elem": cycle_a.assessments.get(school=world.schools["A-elem"]),
            "junior": cycle_a.assessments.get(school=world.schools["A-junior"]),
            "county": cycle_a.assessments.get(school__isnull=True),
            "b": cycle_b.assessments.get(school=world.schools["B-elem"]),
        },
    )
    # A-elem: S1 at development (both D strategies, with evidence), a note and an owner
    _mark(s, "elem", "elem_admin", ["S1.D1", "S1.D2"], ELEM_EVIDENCE, notes=ELEM_NOTE)
    services.response_update(
        response=s.response("elem", "S1.D1"),
        actor=world.users["elem_admin"],
        owner=world.people["elem_teacher"],
        set_owner=True,
    )
    services.evidence_add(
        response=s.response("elem", "S1.A1"),
        actor=world.users["elem_admin"],
        kind="link",
        title=ELEM_LINK,
        url="https://example.org/plan.pdf",
    )
    # A-junior: S2 at development
    s2_d = list(
        Strategy.objects.filter(item__code="S2", stage="D", county__isnull=True).values_list(
            "code", flat=True
        )
    )
    _mark(s, "junior", "junior_admin", s2_d, "國中家長日簡報")
    # B-elem: S1 at development (must never show in county A's files)
    _mark(s, "b", "b_admin", ["S1.D1", "S1.D2"], B_EVIDENCE)
    # the county's own Table 6
    _mark(s, "county", "a_admin", ["L1.D1"], COUNTY_EVIDENCE)
    # plans: A-elem's with an overdue action, A-junior's (not in A-elem's report)
    plan = plan_services.plan_create(
        county=a, school=world.schools["A-elem"], title=ELEM_PLAN, actor=world.users["elem_admin"]
    )
    goal = plan_services.goal_create(
        plan=plan,
        title="提升載具使用",
        strategies=[Strategy.objects.get(code="S1.A1", county__isnull=True)],
        actor=world.users["elem_admin"],
    )
    plan_services.action_create(
        goal=goal,
        title=ELEM_ACTION,
        owner=world.people["elem_admin"],
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=7),
        budget=1200000,
        funding="central",
        actor=world.users["elem_admin"],
    )
    plan_services.plan_create(
        county=a,
        school=world.schools["A-junior"],
        title=JUNIOR_PLAN,
        actor=world.users["junior_admin"],
    )
    return s


def _url(name: str, key: str) -> Callable[[Setup], str]:
    return lambda s: reverse(f"framework:{name}", args=[s.assessments[key].public_id])


def _cycle_url(name: str, key: str) -> Callable[[Setup], str]:
    return lambda s: reverse(f"framework:{name}", args=[getattr(s, key).public_id])


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _squash(text: str) -> str:
    """Without whitespace: long strategy texts wrap across lines in the PDF."""
    return re.sub(r"\s+", "", text)


def _xlsx(body: bytes) -> Any:
    assert body.startswith(b"PK")
    return load_workbook(io.BytesIO(body))


def _rows_after_header(ws: Any, first: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The header row (the row whose first cell is `first`) and the rows below it."""
    rows = list(ws.iter_rows(values_only=True))
    i = next(i for i, row in enumerate(rows) if row and row[0] == first)
    return list(rows[i]), [r for r in rows[i + 1 :] if any(v is not None for v in r)]


# --- the assessment report as PDF -------------------------------------------------------------


def test_pdf_report_holds_the_school_items_strategies_evidence_and_plan(setup: Setup) -> None:
    url = _url("assessment_report_pdf", "elem")(setup)
    response = setup.client("elem_admin").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "083601" in response["Content-Disposition"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title.startswith("Self-assessment report")
    text = _pdf_text(response.content)
    flat = _squash(text)
    assert "南投國小" in text and "114學年度第1學期" in text
    for code in ("S1", "S2", "S3", "S4", "S5", "S1.D1", "S1.M1", "S5.D1"):
        assert code in text
    with translation.override("en"):
        s1_d1 = Strategy.objects.get(code="S1.D1", county__isnull=True).text
    assert _squash(s1_d1) in flat
    for needle in (ELEM_NOTE, ELEM_EVIDENCE, ELEM_LINK, ELEM_PLAN, ELEM_ACTION):
        assert _squash(needle) in flat, needle
    assert "Development" in text  # S1's stage
    assert "Overdue" in text
    assert "1,200,000" in text
    assert "elem_teacher" in text  # S1.D1's owner
    # nothing of another school
    for needle in (JUNIOR_PLAN, B_EVIDENCE, "國中家長日簡報"):
        assert _squash(needle) not in flat, needle


def test_pdf_in_chinese_embeds_a_cjk_font(setup: Setup) -> None:
    response = setup.client("a_staff", language="zh-hant").get(
        _url("assessment_report_pdf", "elem")(setup)
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NotoSansCJKTC" in f.replace("-", "") for f in fonts), fonts
    with translation.override("zh-hant"):
        s1_d1 = Strategy.objects.get(code="S1.D1", county__isnull=True).text
    assert _squash(s1_d1) in _squash(_pdf_text(response.content))


def test_county_report_pdf_for_the_bureau_head(setup: Setup) -> None:
    """Journey 1: the county's own Table 6 report, L1–L7."""
    response = setup.client("a_staff").get(_url("assessment_report_pdf", "county")(setup))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "Table 6" in text
    for code in ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L1.D1"):
        assert code in text
    assert COUNTY_EVIDENCE in text
    # the indicator beside L2.D1, from the organisation data
    assert _squash("Promotion office set up with a work plan: No") in _squash(text)
    assert "S1.D1" not in text and ELEM_PLAN not in text


def test_user_text_is_escaped_in_the_pdf(setup: Setup) -> None:
    services.evidence_add(
        response=setup.response("elem", "S2.D1"),
        actor=setup.world.users["elem_admin"],
        kind="text",
        title='<img src="http://example.org/x.png"><b>粗體</b>',
        text="x",
    )
    text = _pdf_text(
        setup.client("elem_admin").get(_url("assessment_report_pdf", "elem")(setup)).content
    )
    assert '<img src="http://example.org/x.png"><b>粗體</b>' in text


def test_the_pdf_fetcher_reads_data_urls_only() -> None:
    fetcher = reports.pdf_fetcher()
    for url in ("http://example.org/x.png", "https://example.org/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher(url)
    png = "data:text/plain;base64,aGVsbG8="
    assert fetcher(png).read() == b"hello"


# --- the assessment report as XLSX ------------------------------------------------------------


def test_xlsx_report_has_stages_with_a_chart_strategies_evidence_and_plan(setup: Setup) -> None:
    response = setup.client("elem_admin").get(_url("assessment_report_xlsx", "elem")(setup))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    wb = _xlsx(response.content)
    assert wb.sheetnames == ["Stages", "Strategies", "Evidence", "Plan"]

    ws = wb["Stages"]
    assert "南投國小" in ws["A1"].value
    header, rows = _rows_after_header(ws, "Item")
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert list(by_code) == ["S1", "S2", "S3", "S4", "S5"]
    assert by_code["S1"]["Stage"] == "Development" and by_code["S1"]["Stage (0–3)"] == 1
    assert all(by_code[c]["Stage (0–3)"] == 0 for c in ("S2", "S3", "S4", "S5"))
    assert by_code["S1"]["Next stage"] == "Acceleration"
    assert by_code["S2"]["Share toward the next stage"] == 0
    assert len(ws._charts) == 1
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        chart = z.read(charts[0]).decode()
    assert len(charts) == 1 and "<barChart>" in chart and '<barDir val="bar"' in chart

    header, rows = _rows_after_header(wb["Strategies"], "Item")
    strategies = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    assert len(strategies) == 45
    assert strategies["S1.D1"]["Status"] == "Implemented"
    assert strategies["S1.D1"]["Notes"] == ELEM_NOTE
    assert strategies["S1.D1"]["Owner"] == "elem_teacher"
    assert strategies["S1.D1"]["Evidence"] == 1
    assert strategies["S1.D1"]["Meets the rule"] == "Yes"
    assert strategies["S1.A1"]["Meets the rule"] == "No"  # evidence but not implemented
    codes = [r[1] for r in rows if r[0] == "S1"]
    assert codes.index("S1.D2") < codes.index("S1.A1") < codes.index("S1.M1")

    header, rows = _rows_after_header(wb["Evidence"], "Item")
    titles = sorted((r[1], r[2], r[3]) for r in rows)
    assert titles == [
        ("S1.A1", ELEM_LINK, "Link"),
        ("S1.D1", ELEM_EVIDENCE, "Text"),
        ("S1.D2", ELEM_EVIDENCE, "Text"),
    ]

    header, rows = _rows_after_header(wb["Plan"], "Plan")
    plan = [dict(zip(header, r, strict=True)) for r in rows]
    assert [p["Plan"] for p in plan] == [ELEM_PLAN]
    assert plan[0]["Action"] == ELEM_ACTION and plan[0]["Budget (NT$)"] == 1200000
    assert plan[0]["Funding source"] == "Central government"
    assert plan[0]["Overdue"] == "Overdue" and plan[0]["Strategies"] == "S1.A1"


def test_spreadsheet_text_never_becomes_a_formula(setup: Setup) -> None:
    services.response_update(
        response=setup.response("elem", "S3.D1"),
        actor=setup.world.users["elem_admin"],
        notes='=HYPERLINK("http://evil.example","click")',
    )
    body = setup.client("elem_admin").get(_url("assessment_report_xlsx", "elem")(setup)).content
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s for s in sheets)
    header, rows = _rows_after_header(_xlsx(body)["Strategies"], "Item")
    notes = {r[1]: r[header.index("Notes")] for r in rows}
    assert notes["S3.D1"] == '=HYPERLINK("http://evil.example","click")'
    assert reports.csv_safe("=1+1") == "'=1+1" and reports.csv_safe("南投") == "南投"


# --- the cycle table ------------------------------------------------------------------------


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_cycle_csv_has_exactly_the_county_schools_with_their_stages(setup: Setup) -> None:
    response = setup.client("a_staff").get(_cycle_url("cycle_export_csv", "cycle_a")(setup))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response.content)
    schools = setup.world.schools
    assert [r["School code"] for r in rows] == [schools["A-junior"].code, schools["A-elem"].code]
    assert schools["B-elem"].code not in response.content.decode("utf-8-sig")
    by_code = {r["School code"]: r for r in rows}
    elem, junior = by_code[schools["A-elem"].code], by_code[schools["A-junior"].code]
    assert elem["School"] == "南投國小" and elem["District"] == "Nantou City"
    assert (elem["S1"], elem["S2"], elem["S5"]) == ("Development", "", "")
    assert (junior["S1"], junior["S2"]) == ("", "Development")
    assert elem["Status"] == "Draft" and elem["Sampled for verification"] == "No"
    assert list(rows[0])[-5:] == ["S1", "S2", "S3", "S4", "S5"]


def test_cycle_xlsx_has_the_table_and_a_summary_chart(setup: Setup) -> None:
    setup.assessments["elem"].refresh_from_db()
    services.assessment_submit(
        assessment=setup.assessments["elem"], actor=setup.world.users["elem_admin"]
    )
    response = setup.client("a_admin").get(_cycle_url("cycle_export_xlsx", "cycle_a")(setup))
    assert response.status_code == 200
    wb = _xlsx(response.content)
    assert wb.sheetnames == ["Assessments", "Summary"]
    header, rows = _rows_after_header(wb["Assessments"], "School code")
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    schools = setup.world.schools
    assert set(table) == {schools["A-elem"].code, schools["A-junior"].code}
    elem = table[schools["A-elem"].code]
    assert elem["S1"] == "Development" and elem["S2"] is None
    assert elem["Status"] == "Submitted" and elem["Submitted at"] is not None
    assert table[schools["A-junior"].code]["S2"] == "Development"
    summary = wb["Summary"]
    header, rows = _rows_after_header(summary, "Item")
    counts = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert counts["S1"]["Development"] == 1 and counts["S1"][reports.stage_label(None)] == 1
    assert counts["S2"]["Development"] == 1 and counts["S3"][reports.stage_label(None)] == 2
    assert len(summary._charts) == 1


def test_school_staff_export_only_their_own_row(setup: Setup) -> None:
    for user, key in (("elem_teacher", "A-elem"), ("junior_admin", "A-junior")):
        response = setup.client(user).get(_cycle_url("cycle_export_csv", "cycle_a")(setup))
        assert response.status_code == 200
        assert [r["School code"] for r in _csv_rows(response.content)] == [
            setup.world.schools[key].code
        ]


def test_cycle_table_matches_the_stored_stages(setup: Setup) -> None:
    table = reports.cycle_table(cycle=setup.cycle_a, user=setup.world.users["moe"])
    assert table.item_codes == ["S1", "S2", "S3", "S4", "S5"]
    for row in table.rows:
        assert row.stages == {c: row.assessment.stages.get(c) for c in table.item_codes}
    b = reports.cycle_table(cycle=setup.cycle_b, user=setup.world.users["a_admin"])
    assert b.rows == []  # the builder filters by visibility on its own too


def test_report_data_share_toward_the_next_stage(setup: Setup) -> None:
    with translation.override("en"):
        data = reports.assessment_report(
            assessment=setup.assessments["elem"], user=setup.world.users["elem_admin"]
        )
    s1 = next(i for i in data.items if i.code == "S1")
    assert (s1.stage, s1.stage_value, s1.next_stage) == ("D", 1, "A")
    assert (s1.next_met, s1.next_total) == (0, 3) and s1.next_share == 0
    assert s1.share_text == "0 of 3 strategies of Acceleration met"
    assert s1.stage_label == str(Stage.DEVELOPMENT.label)
    assert [p.title for p in data.plans] == [ELEM_PLAN]
    assert data.plans[0].overdue_total == 1
    assert data.generated_by == "elem_admin"


def test_accepted_assessment_and_rule_in_words(setup: Setup) -> None:
    elem = setup.assessments["elem"]
    services.assessment_submit(assessment=elem, actor=setup.world.users["elem_admin"])
    services.assessment_accept(assessment=elem, actor=setup.world.users["a_staff"])
    with translation.override("en"):
        data = reports.assessment_report(assessment=elem, user=setup.world.users["a_staff"])
        assert data.status_label == "Accepted" and data.accepted_at is not None
        assert next(i for i in data.items if i.code == "S1").stage == "D"
        assert data.rule_text == (
            "Every strategy of the stage and of the stages below it is implemented, "
            "each with evidence."
        )
        loose = Cycle(rule_share=Decimal("0.667"), require_evidence=False)
        assert reports.rule_text(loose) == (
            "66.7% of the strategies of the stage and the stages below it are implemented; "
            "evidence is not required."
        )
    body = setup.client("a_staff").get(_url("assessment_report_xlsx", "elem")(setup)).content
    assert "Accepted" in _xlsx(body)["Stages"]["A2"].value


# --- who may download -------------------------------------------------------------------------

ELEM = {"moe", "a_admin", "a_staff", "elem_admin", "elem_teacher"}
B_ELEM = {"moe", "b_admin", "b_teacher"}
COUNTY_A = {"moe", "a_admin", "a_staff"}
CYCLE_A = COUNTY_A | {"elem_admin", "elem_teacher", "junior_admin", "junior_teacher"}
CYCLE_B = {"moe", "b_admin", "b_teacher"}

URLS: dict[str, tuple[Callable[[Setup], str], dict[str, int]]] = {
    "pdf A-elem": (_url("assessment_report_pdf", "elem"), expect(ELEM)),
    "xlsx A-elem": (_url("assessment_report_xlsx", "elem"), expect(ELEM)),
    "pdf B-elem": (_url("assessment_report_pdf", "b"), expect(B_ELEM)),
    "xlsx B-elem": (_url("assessment_report_xlsx", "b"), expect(B_ELEM)),
    "pdf county A": (_url("assessment_report_pdf", "county"), expect(COUNTY_A)),
    "xlsx county A": (_url("assessment_report_xlsx", "county"), expect(COUNTY_A)),
    "csv cycle A": (_cycle_url("cycle_export_csv", "cycle_a"), expect(CYCLE_A)),
    "xlsx cycle A": (_cycle_url("cycle_export_xlsx", "cycle_a"), expect(CYCLE_A)),
    "csv cycle B": (_cycle_url("cycle_export_csv", "cycle_b"), expect(CYCLE_B)),
    "xlsx cycle B": (_cycle_url("cycle_export_xlsx", "cycle_b"), expect(CYCLE_B)),
}


@pytest.mark.parametrize("name", list(URLS))
def test_download_access(setup: Setup, name: str) -> None:
    """Every user of the world on one URL (one setup per URL: the data takes a while)."""
    url, table = URLS[name][0](setup), URLS[name][1]
    wrong = []
    for user, status in table.items():
        before = AuditEntry.objects.filter(action="report.export").count()
        response = setup.client(user).get(url)
        exported = AuditEntry.objects.filter(action="report.export").count() - before
        if response.status_code != status or exported != (1 if status == 200 else 0):
            wrong.append(f"{user}: {response.status_code} (expected {status}), audited {exported}")
    assert not wrong, f"{name}: " + "; ".join(wrong)


def test_anonymous_is_sent_to_login_unknown_ids_are_404_and_posts_405(setup: Setup) -> None:
    for make_url, _table in URLS.values():
        url = make_url(setup)
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
        missing = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "00000000-0000-4000-8000-000000000000", url)
        assert missing != url
        assert setup.client("moe").get(missing).status_code == 404, missing
        assert setup.client("moe").post(url).status_code == 405, url


def test_every_export_is_audited(setup: Setup) -> None:
    client = setup.client("a_staff")
    client.get(_url("assessment_report_pdf", "county")(setup))
    client.get(_cycle_url("cycle_export_csv", "cycle_a")(setup))
    entries = list(
        AuditEntry.objects.filter(action="report.export")
        .order_by("at", "id")
        .values_list("actor__username", "object_type", "object_id", "county_id", "detail")
    )
    assert [e[:4] for e in entries] == [
        (
            "a_staff",
            "framework.assessment",
            str(setup.assessments["county"].public_id),
            setup.world.counties["A"].pk,
        ),
        ("a_staff", "framework.cycle", str(setup.cycle_a.public_id), setup.world.counties["A"].pk),
    ]
    assert entries[0][4]["format"] == "pdf"
    assert entries[1][4] == {"format": "csv", "rows": 2}
