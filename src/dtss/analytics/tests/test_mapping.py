"""File mappings and imports: a platform's export (CSV/XLSX) becomes statements of the DTSS
profile, checked row by row and stored all or nothing; the same file imported again stores
nothing new; the imported records reach the rollups under the platform."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dtss.analytics import mapping as mp
from dtss.analytics import profile
from dtss.analytics.models import FileMapping, Platform, StudentDay
from dtss.analytics.platform_services import (
    MappingImportError,
    mapping_create,
    mapping_import,
    mapping_update,
    platform_create,
    platform_credential_issue,
    platform_deactivate,
)
from dtss.core.models import AuditEntry
from dtss.lrs.models.statements import Statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in English (the UI default is Traditional Chinese)."""
    with translation.override("en"):
        yield


HOME = "https://adl.edu.tw"
SPEC: dict[str, Any] = {
    "actor_column": "學生帳號",
    "verb_column": "動作",
    "verb_values": {"觀看": "experienced", "作答": "answered", "完成": "completed"},
    "activity_column": "活動代碼",
    "activity_name_column": "活動名稱",
    "activity_kind": "exercise",
    "subject_column": "科目",
    "score_column": "分數",
    "success_column": "答對",
    "duration_column": "秒數",
    "timestamp_column": "時間",
    "grade_column": "年級",
    "node_column": "節點",
    "domain_column": "學習表現",
}
HEADER = "學生帳號,動作,活動代碼,活動名稱,科目,分數,答對,秒數,時間,年級,節點,學習表現"
GOOD_ROWS = [
    "elem_student,觀看,math-video-1,分數影片,數學,,,300,2026-10-05 09:30,5,5-n-03,n-III-6",
    "elem_student,作答,math-q-1,第1題,數學,0.8,是,45,2026/10/05 09:40:10,五年級,,",
    "elem_student2,完成,eng-unit-1,,英文,85%,,120,2026-10-05T10:00:00+08:00,5,,",
]


def csv_bytes(rows: list[str], header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def platform(world: Any) -> Platform:
    return platform_create(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        name="因材網",
        kind="adl",
        account_home_page=HOME,
        purpose="學習支持",
        data_fields="帳號、活動、結果",
        legal_basis="個資法第 15 條",
    )


@pytest.fixture
def fmap(world: Any, platform: Platform) -> FileMapping:
    return mapping_create(
        actor=world.users["a_admin"], platform=platform, name="練習紀錄", spec=SPEC
    )


def stored(county: Any) -> list[dict[str, Any]]:
    rows = Statement.objects.filter(store=county.pk).order_by("id")
    return [json.loads(s.payload) for s in rows]


def run_import(world: Any, fmap: FileMapping, content: bytes, name: str = "export.csv") -> Any:
    return mapping_import(
        actor=world.users["a_admin"], mapping=fmap, filename=name, content=content
    )


# --------------------------------------------------------------------------- the spec


def test_spec_is_cleaned_and_stored(fmap: FileMapping) -> None:
    assert fmap.spec["actor_column"] == "學生帳號"
    assert fmap.spec["score_kind"] == "scaled"
    assert fmap.spec["success_values"] == mp.DEFAULT_TRUE
    assert AuditEntry.objects.filter(action="analytics.mapping_create").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actor_column": ""}, "actor_column"),
        ({"activity_column": ""}, "activity_column"),
        ({"verb": "experienced"}, "verb"),  # both a column and a fixed verb
        ({"verb_column": "", "verb_values": {}}, "verb_column"),
        ({"verb_values": {"看": "watched"}}, "verb_values"),
        ({"subject_values": {"數": "maths"}}, "subject_values"),
        ({"subject": "math"}, "subject"),  # both a column and a fixed subject
        ({"activity_kind": "podcast"}, "activity_kind"),
        ({"activity_base": "not an iri"}, "activity_base"),
        ({"score_kind": "raw"}, "score_max"),
        ({"score_kind": "stars"}, "score_kind"),
        ({"start_column": "開始"}, "duration_column"),
        ({"end_column": "結束"}, "start_column"),
        ({"timestamp_column": ""}, "timestamp_column"),
        ({"success_values": ["是", ""]}, "success_values"),
        ({"colour_column": "顏色"}, "colour_column"),
        ({"score_max": "many"}, "score_max"),
    ],
    ids=[
        "no-actor",
        "no-activity",
        "verb-twice",
        "no-verb",
        "unknown-verb-code",
        "unknown-subject-code",
        "subject-twice",
        "unknown-kind",
        "bad-base",
        "raw-without-max",
        "bad-score-kind",
        "duration-and-start",
        "end-without-start",
        "no-time",
        "empty-true-value",
        "unknown-setting",
        "max-not-number",
    ],
)
def test_bad_spec_names_the_setting(
    world: Any, platform: Platform, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        mapping_create(
            actor=world.users["a_admin"], platform=platform, name="x", spec={**SPEC, **change}
        )
    assert field in exc.value.message_dict
    assert not FileMapping.objects.exists()


def test_duplicate_mapping_name_is_refused(world: Any, fmap: FileMapping) -> None:
    with pytest.raises(ValidationError) as exc:
        mapping_create(actor=None, platform=fmap.platform, name=" 練習紀錄 ", spec=SPEC)
    assert "name" in exc.value.message_dict


# --------------------------------------------------------------------------- one row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05 09:30", "2026-10-05T09:30:00+08:00"),
        ("2026/10/05 09:30:15", "2026-10-05T09:30:15+08:00"),
        ("2026/1/5 9:05", "2026-01-05T09:05:00+08:00"),
        ("2026-10-05T01:30:00Z", "2026-10-05T01:30:00+00:00"),
        ("2026-10-05T09:30:00.250+08:00", "2026-10-05T09:30:00.250000+08:00"),
        ("2026/10/05 下午 02:10:00", "2026-10-05T14:10:00+08:00"),
        ("2026/10/05 12:10 AM", "2026-10-05T00:10:00+08:00"),
        ("2026-10-05", "2026-10-05T00:00:00+08:00"),
    ],
    ids=["dash", "slash", "short", "utc", "fraction", "afternoon", "midnight-am", "date"],
)
def test_time_formats(text: str, expected: str) -> None:
    assert mp.parse_time(text).isoformat() == expected


@pytest.mark.parametrize(
    "text", ["2026-13-01 10:00", "05/10/2026 10:00", "yesterday", "2026-10-05 25:00"]
)
def test_bad_times(text: str) -> None:
    with pytest.raises(mp._Bad):
        mp.parse_time(text)


def test_durations_and_grades() -> None:
    assert mp.parse_seconds("1,200", "seconds") == 1200
    assert mp.parse_seconds("2.5", "minutes") == 150
    assert mp.parse_seconds("1:02:03", "minutes") == 3723
    assert mp.iso_duration(90.126) == "PT90.13S"
    assert mp.iso_duration(60) == "PT60S"
    assert [mp.parse_grade(g) for g in ("5", "五年級", "國中7年級", "十二", "G3")] == [
        5,
        5,
        7,
        12,
        3,
    ]
    with pytest.raises(mp._Bad):
        mp.parse_seconds("-5", "seconds")
    with pytest.raises(mp._Bad):
        mp.parse_grade("13")


def test_one_row_becomes_a_profile_statement(platform: Platform) -> None:
    converter = mp.Converter(platform=platform, spec=mp.spec_load(mp.spec_clean(SPEC)))
    parsed = mp.file_read(filename="x.csv", content=csv_bytes(GOOD_ROWS))
    number, values = parsed.rows[1]
    statement, problems = converter.row(number, values)
    assert problems == [] and statement is not None
    assert converter.validate(number, statement) == []
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": "elem_student"},
    }
    assert statement["verb"]["id"] == profile.ADL_VERBS + "answered"
    assert statement["object"]["id"] == HOME + "/activities/math-q-1"
    assert statement["object"]["definition"] == {
        "name": {"zh-TW": "第1題"},
        "type": profile.ACTIVITY_TYPES + "exercise",
    }
    assert statement["result"] == {
        "score": {"scaled": 0.8},
        "success": True,
        "duration": "PT45S",
    }
    assert statement["timestamp"] == "2026-10-05T09:40:10+08:00"
    extensions = statement["context"]["extensions"]
    assert extensions[profile.EXT_SUBJECT] == "math" and extensions[profile.EXT_GRADE] == 5
    # the id depends only on the platform and the row
    again, _ = converter.row(number, dict(values))
    assert again is not None and again["id"] == statement["id"]
    other = dict(values, **{"秒數": "46"})
    assert converter.row(number, other)[0]["id"] != statement["id"]  # type: ignore[index]


def test_raw_scores_and_start_end_times(platform: Platform) -> None:
    spec = mp.spec_load(
        mp.spec_clean(
            {
                "actor_column": "id",
                "verb": "passed",
                "activity_column": "quiz",
                "activity_base": "https://quiz.example.org/q/",
                "subject": "english",
                "score_column": "points",
                "score_kind": "raw",
                "score_max_column": "out of",
                "start_column": "start",
                "end_column": "end",
                "completion_column": "done",
                "completion_values": ["Y"],
            }
        )
    )
    converter = mp.Converter(platform=platform, spec=spec)
    values = {
        "id": "s1",
        "quiz": "unit 3",
        "points": "17",
        "out of": "20",
        "start": "2026-10-05 09:00",
        "end": "2026-10-05 09:12:30",
        "done": "y",
    }
    statement, problems = converter.row(2, values)
    assert problems == [] and statement is not None
    assert statement["object"]["id"] == "https://quiz.example.org/q/unit%203"
    assert statement["result"]["score"] == {"scaled": 0.85, "raw": 17.0, "min": 0.0, "max": 20.0}
    assert statement["result"]["duration"] == "PT750S"
    assert statement["result"]["completion"] is True
    assert statement["timestamp"] == "2026-10-05T09:00:00+08:00"
    assert statement["context"]["extensions"] == {profile.EXT_SUBJECT: "english"}
    _, problems = converter.row(3, {**values, "points": "21"})
    assert [(p.row, p.column) for p in problems] == [(3, "points")]
    _, problems = converter.row(4, {**values, "end": "2026-10-05 08:00"})
    assert [(p.row, p.column) for p in problems] == [(4, "end")]


# --------------------------------------------------------------------------- good files


def test_good_csv_lands_in_the_store_and_the_rollups(
    world: Any, platform: Platform, fmap: FileMapping, learning: Any
) -> None:
    outcome = run_import(world, fmap, csv_bytes(GOOD_ROWS))
    assert (outcome.rows, outcome.statements, outcome.new, outcome.duplicates) == (3, 3, 3, 0)
    statements = stored(world.counties["A"])
    assert len(statements) == 3
    first, second, third = statements
    assert first["actor"]["account"] == {"homePage": HOME, "name": "elem_student"}
    assert first["verb"]["id"] == profile.ADL_VERBS + "experienced"
    assert first["result"] == {"duration": "PT300S"}
    assert first["timestamp"] == "2026-10-05T09:30:00+08:00"
    assert first["context"]["extensions"][profile.EXT_NODE] == "5-n-03"
    assert first["context"]["extensions"][profile.EXT_DOMAIN] == "n-III-6"
    assert first["authority"]["account"] == {
        "homePage": "https://dtss.tw/platforms",
        "name": str(platform.public_id),
    }
    assert second["result"]["success"] is True
    assert third["result"]["score"]["scaled"] == 0.85
    assert third["verb"]["id"] == profile.ADL_VERBS + "completed"
    entry = AuditEntry.objects.get(action="analytics.mapping_import")
    assert entry.detail["new"] == 3 and entry.detail["platform"] == str(platform.public_id)

    learning.roll()
    days = {
        (d.person_id, d.subject): d
        for d in StudentDay.objects.filter(county=world.counties["A"], platform_id=platform.pk)
    }
    student, student2 = world.people["elem_student"], world.people["elem_student2"]
    math = days[(student.pk, "math")]
    assert math.day == dt.date(2026, 10, 5)
    assert (math.events, math.seconds, math.answered, math.correct) == (2, 345, 1, 1)
    assert math.school_class == world.classes["A-elem 5-1"]
    english = days[(student2.pk, "english")]
    assert (english.completions, english.score_n) == (1, 1)
    assert round(english.score_sum, 4) == 0.85


def test_good_xlsx_with_typed_cells(
    world: Any, platform: Platform, fmap: FileMapping, learning: Any
) -> None:
    header = HEADER.split(",")
    rows = [
        ["elem_student", "作答", "math-q-9", None, "數學", 0.5, "否", 30,
         dt.datetime(2026, 10, 6, 8, 15), 5, None, None],
        [1234, "觀看", "math-video-9", "影片", "數學", None, None, 60.5,
         dt.datetime(2026, 10, 6, 8, 20, 30), None, None, None],
    ]  # fmt: skip
    outcome = run_import(world, fmap, xlsx_bytes(header, rows), "export.xlsx")
    assert outcome.new == 2
    first, second = stored(world.counties["A"])
    assert first["result"] == {"score": {"scaled": 0.5}, "success": False, "duration": "PT30S"}
    assert first["timestamp"] == "2026-10-06T08:15:00+08:00"
    assert second["actor"]["account"]["name"] == "1234"
    assert second["result"]["duration"] == "PT60.5S"
    learning.roll()
    day = StudentDay.objects.get(
        person=world.people["elem_student"], platform_id=platform.pk, subject="math"
    )
    assert (day.answered, day.correct, day.score_n) == (1, 0, 1)
    unresolved = StudentDay.objects.get(person=None, platform_id=platform.pk)
    assert unresolved.seconds == 60  # an account DTSS does not know yet: kept, unresolved


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"], ids=["utf8", "bom", "big5"])
def test_csv_encodings(world: Any, fmap: FileMapping, encoding: str) -> None:
    outcome = run_import(world, fmap, csv_bytes(GOOD_ROWS, encoding=encoding))
    assert outcome.new == 3
    assert stored(world.counties["A"])[0]["object"]["definition"]["name"] == {"zh-TW": "分數影片"}


def test_reimport_stores_nothing_new(world: Any, fmap: FileMapping, learning: Any) -> None:
    content = csv_bytes(GOOD_ROWS)
    assert run_import(world, fmap, content).new == 3
    learning.roll()
    before = list(StudentDay.objects.values_list("events", "seconds").order_by("id"))
    again = run_import(world, fmap, content)
    assert (again.statements, again.new) == (3, 0)
    # a file overlapping the first: only its new row is new
    overlap = run_import(
        world,
        fmap,
        csv_bytes([*GOOD_ROWS[1:], "elem_student2,觀看,v-2,,英文,,,60,2026-10-07 10:00,,,"]),
    )
    assert (overlap.statements, overlap.new) == (3, 1)
    assert Statement.objects.count() == 4
    learning.roll()
    assert list(StudentDay.objects.values_list("events", "seconds").order_by("id"))[:2] == before


def test_repeated_rows_count_once(world: Any, fmap: FileMapping) -> None:
    outcome = run_import(world, fmap, csv_bytes([GOOD_ROWS[0], GOOD_ROWS[0], GOOD_ROWS[1]]))
    assert (outcome.rows, outcome.statements, outcome.duplicates, outcome.new) == (3, 2, 1, 2)


def test_changed_mapping_on_imported_rows_is_refused(world: Any, fmap: FileMapping) -> None:
    content = csv_bytes(GOOD_ROWS)
    run_import(world, fmap, content)
    mapping_update(actor=None, mapping=fmap, spec={**SPEC, "subject_values": {"數學": "science"}})
    fmap.refresh_from_db()
    with pytest.raises(MappingImportError) as exc:
        run_import(
            world,
            fmap,
            csv_bytes([*GOOD_ROWS, "elem_student,觀看,v-9,,數學,,,9,2026-10-08 10:00,,,"]),
        )
    problem = exc.value.conversion.problems[0]
    assert problem.row == 2 and "imported before" in problem.message
    assert Statement.objects.count() == 3  # the new fourth row was not stored either


def test_credential_of_the_platform_is_recorded(
    world: Any, platform: Platform, fmap: FileMapping
) -> None:
    credential = platform_credential_issue(actor=None, platform=platform).credential
    run_import(world, fmap, csv_bytes(GOOD_ROWS[:1]))
    assert Statement.objects.get().credential_id == credential.pk


def test_example_csv_imports_cleanly(world: Any, platform: Platform, fmap: FileMapping) -> None:
    client = world.client("a_staff")
    url = f"/analytics/platforms/{platform.public_id}/mappings/{fmap.public_id}/example.csv"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER
    assert run_import(world, fmap, response.content).new == 2


@pytest.mark.parametrize(
    "spec",
    [
        {"actor_column": "a", "verb": "experienced", "activity_column": "b",
         "duration_column": "m", "duration_unit": "minutes", "start_column": "",
         "timestamp_column": "t", "score_column": "p", "score_kind": "percent"},
        {"actor_column": "a", "verb": "passed", "activity_column": "b", "score_column": "p",
         "score_kind": "raw", "score_max": 50, "start_column": "s", "end_column": "e",
         "completion_column": "c", "completion_values": ["done"]},
    ],
    ids=["minutes-percent", "raw-start-end"],
)  # fmt: skip
def test_example_of_other_mappings_import_cleanly(
    world: Any, platform: Platform, spec: dict[str, Any]
) -> None:
    item = mapping_create(actor=None, platform=platform, name="m", spec=spec)
    columns, rows = mp.example_rows(mp.spec_load(item.spec))
    content = "\n".join(",".join(r) for r in [columns, *rows]).encode()
    assert run_import(world, item, content).new == 2


# --------------------------------------------------------------------------- bad files


def test_bad_rows_are_listed_and_nothing_is_stored(world: Any, fmap: FileMapping) -> None:
    rows = [
        GOOD_ROWS[0],
        "elem_student,觀看,v-1,,數學,,,60,2026-13-45 25:00,,,",  # row 3: bad timestamp
        ",觀看,v-2,,數學,,,60,2026-10-05 10:00,,,",  # row 4: no actor
        "elem_student,跳舞,v-3,,數學,,,60,2026-10-05 10:00,,,",  # row 5: unknown verb value
        "elem_student,作答,q-4,,數學,abc,是,60,2026-10-05 10:00,,,",  # row 6: score not a number
        "elem_student,作答,q-5,,天文,0.5,是,60,2026-10-05 10:00,13,,",  # row 7: subject, grade
    ]
    with pytest.raises(MappingImportError) as exc:
        run_import(world, fmap, csv_bytes(rows))
    problems = {(p.row, p.column) for p in exc.value.conversion.problems}
    assert problems == {
        (3, "時間"),
        (4, "學生帳號"),
        (5, "動作"),
        (6, "分數"),
        (7, "科目"),
        (7, "年級"),
    }
    messages = " ".join(p.message for p in exc.value.conversion.problems)
    assert "跳舞" in messages and "abc" in messages and "2026-13-45 25:00" in messages
    assert not Statement.objects.exists()
    assert not AuditEntry.objects.filter(action="analytics.mapping_import").exists()


def test_a_late_bad_row_takes_back_the_batches_already_sent(
    world: Any, fmap: FileMapping, monkeypatch: Any
) -> None:
    monkeypatch.setattr("dtss.analytics.platform_services.IMPORT_BATCH", 2)
    rows = [*GOOD_ROWS, "elem_student,觀看,v-1,,數學,,,60,,,,"]  # row 5: no time
    with pytest.raises(MappingImportError) as exc:
        run_import(world, fmap, csv_bytes(rows))
    assert [(p.row, p.column) for p in exc.value.conversion.problems] == [(5, "時間")]
    assert not Statement.objects.exists()
    monkeypatch.setattr("dtss.analytics.platform_services.IMPORT_BATCH", 2)
    assert run_import(world, fmap, csv_bytes(GOOD_ROWS)).new == 3


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("export.csv", csv_bytes(GOOD_ROWS, header=HEADER.replace("時間", "日期")), "時間"),
        ("export.csv", b"", "empty"),
        ("export.csv", csv_bytes([]), "no records"),
        ("export.txt", csv_bytes(GOOD_ROWS), ".csv"),
        ("export.xlsx", b"PK not really a workbook", "Excel"),
        ("export.csv", b"\xff\xfe\x00a\x00b", "UTF-8"),
    ],
    ids=["missing-column", "empty", "header-only", "extension", "broken-xlsx", "utf16"],
)
def test_bad_files_are_refused(
    world: Any, fmap: FileMapping, name: str, content: bytes, needle: str
) -> None:
    with pytest.raises(MappingImportError) as exc:
        run_import(world, fmap, content, name)
    assert needle in " ".join(p.message for p in exc.value.conversion.problems)
    assert not Statement.objects.exists()


def test_platform_without_home_page_or_deactivated(
    world: Any, platform: Platform, fmap: FileMapping
) -> None:
    Platform.objects.filter(pk=platform.pk).update(account_home_page="")
    with pytest.raises(MappingImportError) as exc:
        run_import(world, fmap, csv_bytes(GOOD_ROWS))
    assert "home page" in exc.value.conversion.problems[0].message
    Platform.objects.filter(pk=platform.pk).update(account_home_page=HOME)
    platform_deactivate(actor=None, platform=platform)
    with pytest.raises(MappingImportError) as exc:
        run_import(world, fmap, csv_bytes(GOOD_ROWS))
    assert "deactivated" in exc.value.conversion.problems[0].message
    assert not Statement.objects.exists()
