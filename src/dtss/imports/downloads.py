"""The downloadable template of each kind: a CSV with the header row, or an XLSX whose first
sheet has the header row (each cell with a comment in both languages) and a second sheet
「說明 Help」 that lists every column, whether it is required, its allowed values and an example.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dtss.imports.importers import IMPORTERS, Column, Importer

HELP_SHEET = "說明 Help"


def template_csv(kind: str) -> bytes:
    importer = IMPORTERS[kind]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.key for c in importer.columns])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")  # BOM: Excel reads UTF-8


def _comment(column: Column) -> str:
    required = "必填 required" if column.required else "選填 optional"
    lines = [f"{column.zh} / {column.en}", required]
    if column.note_zh or column.note_en:
        lines.append(" / ".join(n for n in (column.note_zh, column.note_en) if n))
    if column.allowed:
        lines.append(f"允許值 allowed: {column.allowed}")
    if column.example:
        lines.append(f"範例 example: {column.example}")
    return "\n".join(lines)


def template_xlsx(kind: str) -> bytes:
    importer: type[Importer] = IMPORTERS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF2F7")
    for index, column in enumerate(importer.columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.key)
        cell.font = bold
        cell.fill = fill
        comment = Comment(_comment(column), "DTSS")
        comment.width, comment.height = 320, 140
        cell.comment = comment
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = max(12, len(column.key) + 4)
        if column.text:
            dimension.number_format = "@"  # typed codes keep their leading zeros
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    headings = [
        "欄位 column",
        "中文名稱",
        "English",
        "必填 required",
        "允許值 allowed values",
        "說明 notes",
        "範例 example",
    ]
    help_sheet.append(headings)
    for cell in help_sheet[1]:
        cell.font = bold
        cell.fill = fill
    for column in importer.columns:
        notes = " / ".join(n for n in (column.note_zh, column.note_en) if n)
        help_sheet.append(
            [
                column.key,
                column.zh,
                column.en,
                "是 yes" if column.required else "否 no",
                column.allowed,
                notes,
                column.example,
            ]
        )
    for index, width in enumerate((22, 16, 32, 14, 48, 40, 24), 1):
        help_sheet.column_dimensions[get_column_letter(index)].width = width
    help_sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
