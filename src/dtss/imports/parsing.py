"""Read an uploaded CSV or XLSX file into a header and rows of text.

CSV may be UTF-8 (with or without the BOM Excel writes) or Big5/cp950, which Excel on a
Traditional Chinese Windows still writes by default. XLSX is read from its first sheet.
Header cells are matched to column keys through aliases (the key itself, its Chinese and English
labels), so `學校代碼` and `code` both name the school code column. Row numbers are spreadsheet
row numbers: the header is row 1 when it is on the first line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

MAX_ROWS = 100_000
CSV_ENCODINGS = ("utf-8-sig", "cp950", "big5hkscs")


class ParseError(Exception):
    """The file cannot be read at all. `msgid` is an untranslated message, `params` its values."""

    def __init__(self, msgid: str, /, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


@dataclass
class ParsedFile:
    header: list[str]  # the column keys found, in file order
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, {key: text})
    header_row: int = 1
    unknown_columns: list[str] = field(default_factory=list)  # header cells matching no key
    duplicate_columns: list[str] = field(default_factory=list)
    encoding: str = ""


def normalise_header(text: str) -> str:
    """`  Code * ` → `code`; 學校代碼 stays 學校代碼."""
    text = text.replace("\ufeff", "").strip().rstrip("*＊").strip()
    return " ".join(text.split()).casefold()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed: 12.0 → "12", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_file(*, filename: str, content: bytes, aliases: dict[str, str]) -> ParsedFile:
    """Read the file by its extension. `aliases` maps normalised header text to a column key."""
    name = filename.lower()
    if name.endswith(".csv"):
        lines = _csv_rows(content)
        encoding = lines.encoding
    elif name.endswith(".xlsx"):
        lines = _xlsx_rows(content)
        encoding = ""
    else:
        raise ParseError(gettext_noop("Only .csv and .xlsx files can be imported."))
    parsed = _to_rows(lines, aliases)
    parsed.encoding = encoding
    return parsed


class _Lines:
    def __init__(self, rows: Iterable[tuple[int, list[str]]], encoding: str = "") -> None:
        self.rows = rows
        self.encoding = encoding

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return iter(self.rows)


def _decode(content: bytes) -> tuple[str, str]:
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ParseError(
        gettext_noop("The file is neither UTF-8 nor Big5 text. Save it again as CSV UTF-8.")
    )


def _csv_rows(content: bytes) -> _Lines:
    if b"\x00" in content[:4096]:
        raise ParseError(
            gettext_noop("The file is neither UTF-8 nor Big5 text. Save it again as CSV UTF-8.")
        )
    text, encoding = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = ","
    if first.count("\t") > first.count(",") and first.count("\t") > 0:
        delimiter = "\t"
    elif first.count(";") > first.count(",") and first.count(";") > 0:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            # One record is one spreadsheet row, even when a quoted cell holds a line break.
            for number, values in enumerate(reader, 1):
                yield number, [v.strip() for v in values]
        except csv.Error as exc:
            raise ParseError(
                gettext_noop("The CSV file is malformed near line %(line)s: %(error)s"),
                line=reader.line_num,
                error=str(exc),
            ) from exc

    return _Lines(rows(), encoding)


def _xlsx_rows(content: bytes) -> _Lines:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ParseError(
            gettext_noop("The file is not a readable Excel workbook (.xlsx).")
        ) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            if not workbook.worksheets:
                return
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
                yield number, [cell_text(v) for v in values]
        except ParseError:
            raise
        except Exception as exc:
            raise ParseError(
                gettext_noop("The file is not a readable Excel workbook (.xlsx).")
            ) from exc
        finally:
            workbook.close()

    return _Lines(rows())


def _to_rows(lines: _Lines, aliases: dict[str, str]) -> ParsedFile:
    iterator = iter(lines)
    header_row = 0
    raw_header: list[str] = []
    for number, values in iterator:
        if any(values):
            header_row, raw_header = number, values
            break
    if not raw_header:
        raise ParseError(gettext_noop("The file is empty: it has no header row."))
    keys: list[str | None] = []
    header: list[str] = []
    unknown: list[str] = []
    duplicates: list[str] = []
    for cell in raw_header:
        norm = normalise_header(cell)
        if not norm:
            keys.append(None)  # an unnamed column is ignored
            continue
        key = aliases.get(norm)
        if key is None:
            unknown.append(cell.strip())
            keys.append(None)
        elif key in header:
            duplicates.append(key)
            keys.append(None)
        else:
            header.append(key)
            keys.append(key)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in iterator:
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ParseError(
                gettext_noop("The file has more than %(max)s rows; split it into smaller files."),
                max=MAX_ROWS,
            )
        row = {key: "" for key in header}
        for key, value in zip(keys, values, strict=False):
            if key is not None:
                row[key] = value
        rows.append((number, row))
    return ParsedFile(
        header=header,
        rows=rows,
        header_row=header_row,
        unknown_columns=unknown,
        duplicate_columns=duplicates,
    )
