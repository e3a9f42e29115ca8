"""Reading a small uploaded CSV file (a calendar, a timetable) into rows of stripped cells.
The people/school/class imports have their own, fuller reader (`dtss.imports.parsing`)."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def rows_from_csv(data: bytes) -> list[list[str]]:
    """UTF-8 (with or without a byte-order mark), else Big5 (cp950, as Excel in Taiwan saves
    it). Bad bytes or a broken file: a ValidationError on the field `file`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp950")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": _("Save the file as UTF-8 CSV.")}) from exc
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ValidationError({"file": _("This is not a readable CSV file.")}) from exc
