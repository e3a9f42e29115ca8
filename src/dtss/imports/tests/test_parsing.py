from __future__ import annotations

import io

import openpyxl
import pytest

from dtss.imports.importers import PersonImporter, SchoolImporter
from dtss.imports.parsing import ParseError, parse_file

ALIASES = SchoolImporter.aliases()


def test_utf8_csv_with_bom_and_chinese_headers() -> None:
    content = (
        "\ufeff學校代碼,學校名稱,District code,學制 *\n"
        "083602,新興國小,A1,國小\n\n083603,中興國小,A1,國小\n"
    )
    parsed = parse_file(filename="s.CSV", content=content.encode(), aliases=ALIASES)
    assert parsed.header == ["code", "name_zh", "district_code", "stage"]
    # The blank line 3 is skipped but row numbers stay spreadsheet row numbers.
    assert [n for n, _ in parsed.rows] == [2, 4]
    assert parsed.rows[0][1]["code"] == "083602"
    assert parsed.encoding == "utf-8-sig"


def test_utf8_without_bom() -> None:
    parsed = parse_file(
        filename="s.csv", content="code,name_zh\n083602,新興\n".encode(), aliases=ALIASES
    )
    assert parsed.rows == [(2, {"code": "083602", "name_zh": "新興"})]


def test_big5_csv() -> None:
    content = "學校代碼,學校名稱,行政區代碼,學制\n083602,南投縣立新興國小,A1,國小\n".encode("cp950")
    parsed = parse_file(filename="s.csv", content=content, aliases=ALIASES)
    assert parsed.encoding == "cp950"
    assert parsed.rows[0][1]["name_zh"] == "南投縣立新興國小"


def test_quoted_line_break_is_one_row() -> None:
    content = b'code,address\n083602,"line 1\nline 2"\n083603,x\n'
    parsed = parse_file(filename="s.csv", content=content, aliases=ALIASES)
    assert [n for n, _ in parsed.rows] == [2, 3]


def test_unknown_and_duplicate_columns_are_reported() -> None:
    parsed = parse_file(filename="s.csv", content=b"code,colour,code\n1,2,3\n", aliases=ALIASES)
    assert parsed.unknown_columns == ["colour"]
    assert parsed.duplicate_columns == ["code"]


def test_xlsx_first_sheet_numbers_and_row_numbers() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "姓名", "座號"])
    sheet.append(["S1", "王小明", 3])
    sheet.append([None, None, None])
    sheet.append(["S2", "李小華", 4.0])
    workbook.create_sheet("other").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_file(
        filename="p.xlsx", content=buffer.getvalue(), aliases=PersonImporter.aliases()
    )
    assert parsed.header == ["external_id", "name", "seat_number"]
    assert parsed.rows == [
        (2, {"external_id": "S1", "name": "王小明", "seat_number": "3"}),
        (4, {"external_id": "S2", "name": "李小華", "seat_number": "4"}),
    ]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("s.xlsx", b"this is not a zip file"),
        ("s.csv", b"\xff\xfe\x00c\x00o\x00d\x00e"),  # UTF-16: not UTF-8 nor Big5
        ("s.csv", b""),
        ("s.txt", b"code\n1\n"),
    ],
)
def test_unreadable_files(filename: str, content: bytes) -> None:
    with pytest.raises(ParseError):
        parse_file(filename=filename, content=content, aliases=ALIASES)
