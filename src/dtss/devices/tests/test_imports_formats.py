"""The file formats: headers, values, timestamps and detecting a file of the wrong format."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dtss.devices import import_formats as fmt
from dtss.devices.tests.imports_helpers import csv_bytes, sample, xlsx_bytes
from dtss.imports.parsing import ParseError

TPE = ZoneInfo("Asia/Taipei")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-03T00:15:00.000Z", dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)),
        ("2025-11-03T08:15:00+08:00", dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)),
        ("2025-11-03 08:15:00", dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)),
        ("11/3/2025 8:15:00 AM", dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)),
        ("11/3/2025 8:15:00 pm", dt.datetime(2025, 11, 3, 20, 15, tzinfo=TPE)),
        ("2025/11/03 08:15", dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)),
        ("Never", None),
        ("", None),
    ],
)
def test_timestamps(text: str, expected: dt.datetime | None) -> None:
    assert fmt.parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "13/45/2025 8:00", "2025-02-30 10:00:00"])
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-08-01", dt.date(2024, 8, 1)),
        ("2024/8/1", dt.date(2024, 8, 1)),
        ("113/08/01", dt.date(2024, 8, 1)),
        ("99.12.31", dt.date(2010, 12, 31)),
        ("2024-08-01T00:00:00", dt.date(2024, 8, 1)),
    ],
)
def test_dates(text: str, expected: dt.date) -> None:
    assert fmt.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-13-01", "113/02/30", "08/01", "soon"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_date(text)


def test_kinds_in_both_languages() -> None:
    assert fmt.parse_kind("Tablet") == "tablet"
    assert fmt.parse_kind("平板") == "tablet"
    assert fmt.parse_kind("筆電") == "laptop"
    assert fmt.parse_kind("chromebook") == "chromebook"
    with pytest.raises(ValueError):
        fmt.parse_kind("toaster")


def test_headers_tolerate_bom_case_and_extra_columns() -> None:
    content = csv_bytes(
        ["SERIAL NUMBER", " udid ", "Model", "last check-in", "Extra"],
        [["abc1", "U1", "iPad Air", "2025-11-03 08:15:00", "x"]],
        bom=True,
    )
    parsed = fmt.read(source="jamf", filename="j.csv", content=content)
    row = parsed.rows[0]
    assert row.number == 2 and row.values["serial"] == "abc1" and row.values["mdm_id"] == "U1"
    assert fmt.clean_mdm_row(row, fmt.JAMF_FORMAT) == []
    assert row.data["os"] == "" and row.data["model_name"] == "iPad Air"


def test_mdm_xlsx_with_datetime_cells() -> None:
    content = xlsx_bytes(
        ["serialNumber", "model", "lastSync", "deviceId"],
        [["5CD1", "Chromebook", dt.datetime(2025, 11, 3, 8, 15), "d1"]],
    )
    parsed = fmt.read(source="google", filename="g.xlsx", content=content)
    row = parsed.rows[0]
    assert fmt.clean_mdm_row(row, fmt.GOOGLE_FORMAT) == []
    assert row.data["last_contact"] == dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)


@pytest.mark.parametrize(
    ("source", "file", "found"),
    [
        ("jamf", "google_chromebooks.csv", "Google Admin export"),
        ("intune", "jamf.csv", "Jamf School export"),
        ("google", "intune.csv", "Microsoft Intune export"),
        ("register", "jamf.csv", "Jamf School export"),
    ],
)
def test_wrong_format_is_named(source: str, file: str, found: str) -> None:
    with pytest.raises(ParseError) as exc:
        fmt.read(source=source, filename=file, content=sample(file))
    assert found in str(exc.value)


def test_register_file_as_mdm_is_named() -> None:
    header, example = fmt.template_rows("register")
    with pytest.raises(ParseError) as exc:
        fmt.read(source="google", filename="r.csv", content=csv_bytes(header, [example]))
    assert "DTSS register file" in str(exc.value)


def test_missing_required_column() -> None:
    with pytest.raises(ParseError) as exc:
        fmt.read(
            source="jamf", filename="x.csv", content=csv_bytes(["Name", "Model"], [["a", "b"]])
        )
    assert "Serial Number" in str(exc.value)


def test_kind_inference() -> None:
    assert fmt.infer_kind("google", {}, "tablet") == "chromebook"
    assert fmt.infer_kind("jamf", {"model_name": "iPad Pro"}, "other") == "tablet"
    assert fmt.infer_kind("jamf", {"model_name": "Apple TV"}, "other") == "other"
    assert fmt.infer_kind("intune", {"os_name": "Windows"}, "tablet") == "laptop"
    assert fmt.infer_kind("intune", {"os_name": "Android"}, "tablet") == "tablet"
