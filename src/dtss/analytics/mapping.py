"""File mappings: how a platform's export (CSV/XLSX) becomes xAPI statements of the DTSS profile.

A platform that cannot send statements exports a table instead: one row per learning event.
A `FileMapping.spec` (the `MappingSpec` below, stored as JSON) says which column holds the
actor's account name, the verb, the activity, the result, the duration, the time and the subject;
`Converter.row` turns one row into one statement. Reading a file (`file_read`), checking every
row (`file_check`) and producing the statements to store (`file_statements`) are separate, so
an import can check the whole file before it stores anything (DESIGN.md rule 5).

Rules every conversion follows:
- the actor is `{"account": {"homePage": platform.account_home_page, "name": <column>}}`, so
  the rollups resolve it by the platform's identity scheme (external id, OpenID sub or a
  mapping an administrator makes);
- times without a zone are Asia/Taipei; ISO 8601, "YYYY-MM-DD HH:MM[:SS]" and
  "YYYY/MM/DD HH:MM[:SS]" (with 上午/下午 or AM/PM) are read;
- the statement id is a UUID 5 of the platform and the row's content, so importing the same
  file again stores nothing twice (the LRS keeps a statement id once);
- each statement is checked with the LRS's own validator before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from dtss.analytics import profile
from dtss.imports.parsing import ParsedFile, ParseError, normalise_header, parse_file
from dtss.lrs import xapi

TAIPEI = ZoneInfo("Asia/Taipei")
NAMESPACE = uuid.UUID("6f1c2f0e-3b7a-5d4e-9a61-2c8d0b7e4a15")  # DTSS file imports
XAPI_VERSION = "1.0.3"
LANGUAGE = "zh-TW"
PREVIEW_ROWS = 10
MAX_PROBLEMS = 500  # listed; all are counted
DEFAULT_TRUE = ["1", "true", "yes", "y", "t", "o", "v", "是", "對", "正確", "通過", "完成"]
MAX_COLUMN = 200
PROGRESS_EVERY = 1000  # rows between two progress reports of a long file

# --------------------------------------------------------------------------- the spec


class MappingSpec(BaseModel):
    """Which column of the export holds which part of the statement (column names as in the
    file's header row, compared without case and surrounding spaces)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    actor_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the student's account name."
    )
    verb_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with what the student did."
    )
    verb_values: dict[str, str] = Field(
        default_factory=dict,
        description="The verb column's values → DTSS verb codes (e.g. 觀看 → experienced). "
        "Values that are already verb codes or their Chinese names need no entry.",
    )
    verb: str = Field("", description="A fixed verb code for every row (instead of a column).")
    activity_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the activity's id."
    )
    activity_base: str = Field(
        "",
        max_length=500,
        description="IRI put before activity ids that are not IRIs already (default: the "
        "platform's account home page + /activities/).",
    )
    activity_kind: str = Field("", description="A fixed activity type code (video, exercise …).")
    activity_name_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the activity's name (optional)."
    )
    subject_column: str = Field("", max_length=MAX_COLUMN, description="Column with the subject.")
    subject_values: dict[str, str] = Field(
        default_factory=dict,
        description="The subject column's values → subject codes, where the profile's Chinese "
        "names and aliases do not already cover them.",
    )
    subject: str = Field("", description="A fixed subject code for every row.")
    score_column: str = Field("", max_length=MAX_COLUMN, description="Column with the score.")
    score_kind: Literal["scaled", "percent", "raw"] = Field(
        "scaled",
        description="scaled: 0–1; percent: 0–100; raw: points out of a maximum.",
    )
    score_max_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the maximum points (raw scores)."
    )
    score_max: float | None = Field(None, description="Fixed maximum points (raw scores).")
    score_min: float = Field(0, description="Minimum points (raw scores).")
    success_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column saying whether the answer was correct."
    )
    success_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TRUE),
        description="Values of the success column that mean yes (others mean no).",
    )
    completion_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column saying whether the activity was finished."
    )
    completion_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TRUE),
        description="Values of the completion column that mean yes (others mean no).",
    )
    duration_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the time spent."
    )
    duration_unit: Literal["seconds", "minutes"] = Field(
        "seconds", description="Unit of the duration column."
    )
    start_column: str = Field("", max_length=MAX_COLUMN, description="Column with the start time.")
    end_column: str = Field("", max_length=MAX_COLUMN, description="Column with the end time.")
    timestamp_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with when it happened."
    )
    grade_column: str = Field("", max_length=MAX_COLUMN, description="Column with the grade.")
    node_column: str = Field(
        "", max_length=MAX_COLUMN, description="Column with the knowledge node id."
    )
    domain_column: str = Field(
        "",
        max_length=MAX_COLUMN,
        description="Column with the 108 curriculum learning-performance code.",
    )


COLUMN_FIELDS = (
    "actor_column",
    "verb_column",
    "activity_column",
    "activity_name_column",
    "subject_column",
    "score_column",
    "score_max_column",
    "success_column",
    "completion_column",
    "duration_column",
    "start_column",
    "end_column",
    "timestamp_column",
    "grade_column",
    "node_column",
    "domain_column",
)


def _is_iri(value: str) -> bool:
    return "://" in value or value.startswith(("urn:", "tag:"))


def _semantic_problems(spec: MappingSpec) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        out.setdefault(name, []).append(message)

    if not spec.actor_column:
        add("actor_column", _("Name the column with the student's account name."))
    if not spec.activity_column:
        add("activity_column", _("Name the column with the activity."))
    if spec.verb_column and spec.verb:
        add("verb", _("Give either a verb column or a fixed verb, not both."))
    elif not spec.verb_column and not spec.verb:
        add("verb_column", _("Name the column with what the student did, or choose a fixed verb."))
    if spec.verb and spec.verb not in profile.VERB_BY_CODE:
        add("verb", _("%(value)s is not a verb of the DTSS profile.") % {"value": spec.verb})
    for key, code in spec.verb_values.items():
        if code not in profile.VERB_BY_CODE:
            add(
                "verb_values",
                _("%(key)s → %(code)s: %(code)s is not a verb of the DTSS profile.")
                % {"key": key, "code": code},
            )
    if spec.activity_base and not (
        _is_iri(spec.activity_base) and re.fullmatch(r"[^\s<>\"{}|\\^`]+", spec.activity_base)
    ):
        add("activity_base", _("Give an absolute IRI such as https://example.org/activities/."))
    if spec.activity_kind and spec.activity_kind not in profile.ACTIVITY_KIND_BY_CODE:
        add(
            "activity_kind",
            _("%(value)s is not an activity type of the DTSS profile.")
            % {"value": spec.activity_kind},
        )
    if spec.subject_column and spec.subject:
        add("subject", _("Give either a subject column or a fixed subject, not both."))
    if spec.subject and spec.subject not in profile.SUBJECTS:
        add("subject", _("%(value)s is not a subject code.") % {"value": spec.subject})
    for key, code in spec.subject_values.items():
        if code not in profile.SUBJECTS:
            add(
                "subject_values",
                _("%(key)s → %(code)s: %(code)s is not a subject code.")
                % {"key": key, "code": code},
            )
    if spec.score_kind == "raw" and spec.score_column:
        if not spec.score_max_column and spec.score_max is None:
            add("score_max", _("Raw scores need a maximum: a column or a fixed number."))
        if spec.score_max is not None and spec.score_max <= spec.score_min:
            add("score_max", _("The maximum must be greater than the minimum."))
    if spec.duration_column and (spec.start_column or spec.end_column):
        add(
            "duration_column",
            _("Give either a duration column or start and end time columns, not both."),
        )
    if spec.end_column and not spec.start_column:
        add("start_column", _("An end time column needs a start time column."))
    if not spec.timestamp_column and not spec.start_column:
        add("timestamp_column", _("Name the column with when it happened (or a start time)."))
    for name in ("success_values", "completion_values"):
        if any(not v for v in getattr(spec, name)):
            add(name, _("Empty values cannot mean yes."))
    return out


def spec_clean(data: dict[str, Any] | MappingSpec) -> dict[str, Any]:
    """The spec as stored, or a ValidationError naming each bad setting."""
    if isinstance(data, MappingSpec):
        spec = data
    else:
        if not isinstance(data, dict):
            raise ValidationError({"spec": _("The mapping must be a JSON object.")})
        try:
            spec = MappingSpec.model_validate(data)
        except PydanticError as exc:
            errors: dict[str, list[str]] = {}
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "spec"
                if error["type"] == "extra_forbidden":
                    message = _("Unknown setting.")
                else:
                    message = str(error["msg"])
                errors.setdefault(name, []).append(message)
            raise ValidationError(errors) from None
    problems = _semantic_problems(spec)
    if problems:
        raise ValidationError(problems)
    return spec.model_dump(mode="json")


def spec_load(data: dict[str, Any]) -> MappingSpec:
    """A stored spec (assumed clean; unknown keys from older versions are dropped)."""
    known = {k: v for k, v in (data or {}).items() if k in MappingSpec.model_fields}
    return MappingSpec.model_validate(known)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row (row None: with the whole file or the mapping)."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class _Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_TIME = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:(?:[Tt]|\s+)(?:(上午|下午|AM|PM|am|pm)\s*)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(上午|下午|AM|PM|am|pm)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def parse_time(text: str) -> dt.datetime:
    """An aware datetime from ISO 8601, "YYYY-MM-DD HH:MM[:SS]" or "YYYY/MM/DD HH:MM[:SS]"
    (optionally with 上午/下午 or AM/PM); no zone means Asia/Taipei; a date alone is midnight."""
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise _Bad(
            _("%(value)s is not a date and time (use e.g. 2026-03-02 09:30 or ISO 8601).")
            % {"value": text}
        )
    year, month, day, ampm1, hour, minute, second, fraction, ampm2, zone = m.groups()
    h = int(hour or 0)
    ampm = (ampm1 or ampm2 or "").upper()
    if ampm:
        if not 1 <= h <= 12:
            raise _Bad(_("%(value)s is not a valid date and time.") % {"value": text})
        pm = ampm in ("PM", "下午")
        h = (h % 12) + (12 if pm else 0)
    tz: dt.tzinfo = TAIPEI
    if zone:
        if zone in ("Z", "z"):
            tz = dt.UTC
        else:
            digits = zone[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
            if minutes >= 24 * 60 or (zone[0] == "-" and minutes == 0):
                raise _Bad(_("%(value)s has an invalid time zone.") % {"value": text})
            tz = dt.timezone(dt.timedelta(minutes=-minutes if zone[0] == "-" else minutes))
    micro = int((fraction + "000000")[:6]) if fraction else 0
    try:
        return dt.datetime(
            int(year), int(month), int(day), h, int(minute or 0), int(second or 0), micro, tz
        )
    except ValueError:
        raise _Bad(_("%(value)s is not a valid date and time.") % {"value": text}) from None


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number(text: str) -> float:
    value = text.strip()
    if _THOUSANDS.fullmatch(value):
        value = value.replace(",", "")
    try:
        number = float(value)
    except ValueError:
        raise _Bad(_("%(value)s is not a number.") % {"value": text}) from None
    if not math.isfinite(number):
        raise _Bad(_("%(value)s is not a number.") % {"value": text})
    return number


def parse_seconds(text: str, unit: str) -> float:
    """Seconds from a number in `unit`, or from "H:MM:SS" / "M:SS"."""
    value = text.strip()
    if ":" in value:
        parts = value.split(":")
        if len(parts) > 3 or not all(p.strip().replace(".", "", 1).isdigit() for p in parts):
            raise _Bad(_("%(value)s is not a duration.") % {"value": text})
        seconds = 0.0
        for part in parts:
            seconds = seconds * 60 + float(part)
        return seconds
    number = parse_number(value)
    if number < 0:
        raise _Bad(_("%(value)s is negative: a duration cannot be.") % {"value": text})
    return number * 60 if unit == "minutes" else number


def iso_duration(seconds: float) -> str:
    text = f"{round(seconds, 2):.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_GRADE = re.compile(
    r"(?:grade\s*|g|國小|國中|高中)?\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*(?:年級|年)?",
    re.I,
)


def parse_grade(text: str) -> int:
    m = _GRADE.fullmatch(text.strip())
    grade = 0
    if m:
        token = m.group(1)
        grade = int(token) if token.isdigit() else _ZH_DIGITS.get(token, 0)
    if not 1 <= grade <= 12:
        raise _Bad(_("%(value)s is not a grade from 1 to 12.") % {"value": text})
    return grade


# --------------------------------------------------------------------------- one row


_FIELD_COLUMNS = (
    ("statement.actor", "actor_column"),
    ("statement.verb", "verb_column"),
    ("statement.object.definition.name", "activity_name_column"),
    ("statement.object", "activity_column"),
    ("statement.result.score", "score_column"),
    ("statement.result.success", "success_column"),
    ("statement.result.completion", "completion_column"),
    ("statement.result.duration", "duration_column"),
    ("statement.timestamp", "timestamp_column"),
)


class Converter:
    """Turns rows of one platform's export into statements, by one spec."""

    def __init__(self, *, platform: Any, spec: MappingSpec) -> None:
        self.platform = platform
        self.spec = spec
        self.home = (platform.account_home_page or "").strip()
        self.namespace = uuid.uuid5(NAMESPACE, str(platform.public_id))
        self.base = spec.activity_base or (self.home.rstrip("/") + "/activities/")
        self.keys = {
            name: normalise_header(getattr(spec, name))
            for name in COLUMN_FIELDS
            if getattr(spec, name)
        }
        self.verb_values = {k.strip().casefold(): v for k, v in spec.verb_values.items()}
        for term in profile.VERBS:
            for alias in (term.code, term.iri, term.zh, term.en):
                self.verb_values.setdefault(alias.casefold(), term.code)
        self.subject_values = {k.strip().casefold(): v for k, v in spec.subject_values.items()}
        self.success_true = {v.strip().casefold() for v in spec.success_values}
        self.completion_true = {v.strip().casefold() for v in spec.completion_values}
        kind = profile.ACTIVITY_KIND_BY_CODE.get(spec.activity_kind)
        self.activity_type = kind.iri if kind else ""

    # the columns ----------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(spec field, column name as written) of every column the mapping reads."""
        return [(name, getattr(self.spec, name)) for name in COLUMN_FIELDS if name in self.keys]

    def header_problems(self, parsed: ParsedFile) -> list[Problem]:
        present = set(parsed.header)
        problems = [
            Problem(
                None,
                column,
                _("The file has no column %(column)s (its columns: %(found)s).")
                % {"column": column, "found": ", ".join(parsed.header) or "—"},
            )
            for name, column in self.columns()
            if self.keys[name] not in present
        ]
        for name in parsed.duplicate_columns:
            if name in self.keys.values():
                problems.append(
                    Problem(
                        None,
                        name,
                        _("The column %(column)s appears twice; keep one.") % {"column": name},
                    )
                )
        return problems

    def _cell(self, values: dict[str, str], name: str) -> str:
        key = self.keys.get(name)
        return values.get(key, "").strip() if key else ""

    # one row --------------------------------------------------------------------------------

    def statement_id(self, values: dict[str, str]) -> str:
        content = json.dumps(
            sorted((k, v) for k, v in values.items() if v),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return str(uuid.uuid5(self.namespace, content))

    def row(
        self, number: int, values: dict[str, str]
    ) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The statement of one row, or None and what is wrong with it (every column)."""
        spec = self.spec
        problems: list[Problem] = []

        def bad(name: str, message: str) -> None:
            problems.append(Problem(number, getattr(spec, name, "") or "", message))

        def read(name: str, parse: Any, *args: Any) -> Any:
            text = self._cell(values, name)
            if not text:
                return None
            try:
                return parse(text, *args)
            except _Bad as exc:
                bad(name, exc.message)
                return None

        # actor
        account = self._cell(values, "actor_column")
        if not account:
            bad("actor_column", _("The student's account name is empty."))
        # verb
        verb_code = spec.verb
        if spec.verb_column:
            raw_verb = self._cell(values, "verb_column")
            verb_code = self.verb_values.get(raw_verb.casefold(), "")
            if not raw_verb:
                bad("verb_column", _("The verb is empty."))
            elif not verb_code:
                bad(
                    "verb_column",
                    _("%(value)s is not a known verb value; add it to the verb values.")
                    % {"value": raw_verb},
                )
        # activity
        activity = self._cell(values, "activity_column")
        if not activity:
            bad("activity_column", _("The activity is empty."))
        activity_id = activity if _is_iri(activity) else self.base + quote(activity, safe="/-._~")
        activity_name = self._cell(values, "activity_name_column")
        # subject
        subject = spec.subject
        if spec.subject_column:
            raw_subject = self._cell(values, "subject_column")
            if raw_subject:
                subject = self.subject_values.get(raw_subject.casefold()) or profile.subject_code(
                    raw_subject
                )
                if not subject:
                    bad(
                        "subject_column",
                        _("%(value)s is not a known subject; add it to the subject values.")
                        % {"value": raw_subject},
                    )
        # result
        result: dict[str, Any] = {}
        score = self._score(values, bad)
        if score is not None:
            result["score"] = score
        success = self._cell(values, "success_column")
        if success:
            result["success"] = success.casefold() in self.success_true
        completion = self._cell(values, "completion_column")
        if completion:
            result["completion"] = completion.casefold() in self.completion_true
        seconds = read("duration_column", parse_seconds, spec.duration_unit)
        start = read("start_column", parse_time)
        end = read("end_column", parse_time)
        if start is not None and end is not None:
            if end < start:
                bad("end_column", _("The end time is before the start time."))
            else:
                seconds = (end - start).total_seconds()
        if seconds is not None:
            result["duration"] = iso_duration(seconds)
        # time
        time_field = "timestamp_column" if spec.timestamp_column else "start_column"
        when = read("timestamp_column", parse_time) if spec.timestamp_column else start
        if not self._cell(values, time_field):
            bad(time_field, _("The time is empty."))
        # context
        extensions: dict[str, Any] = {}
        if subject:
            extensions[profile.EXT_SUBJECT] = subject
        grade = read("grade_column", parse_grade)
        if grade is not None:
            extensions[profile.EXT_GRADE] = grade
        node = self._cell(values, "node_column")
        if node:
            extensions[profile.EXT_NODE] = node
        domain = self._cell(values, "domain_column")
        if domain:
            extensions[profile.EXT_DOMAIN] = domain
        if problems:
            return None, problems

        verb = profile.VERB_BY_CODE[verb_code]
        obj: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
        definition: dict[str, Any] = {}
        if activity_name:
            definition["name"] = {LANGUAGE: activity_name}
        if self.activity_type:
            definition["type"] = self.activity_type
        if definition:
            obj["definition"] = definition
        context: dict[str, Any] = {"platform": self.platform.name, "language": LANGUAGE}
        if extensions:
            context["extensions"] = extensions
        statement: dict[str, Any] = {
            "id": self.statement_id(values),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": self.home, "name": account},
            },
            "verb": {"id": verb.iri, "display": {LANGUAGE: verb.zh, "en-US": verb.en}},
            "object": obj,
            "context": context,
            "timestamp": when.isoformat() if when else "",
        }
        if result:
            statement["result"] = result
        return statement, []

    def _score(self, values: dict[str, str], bad: Any) -> dict[str, Any] | None:
        spec = self.spec
        text = self._cell(values, "score_column")
        if not text:
            return None
        percent = text.endswith(("%", "％"))
        try:
            number = parse_number(text.rstrip("%％"))
        except _Bad as exc:
            bad("score_column", exc.message)
            return None
        if spec.score_kind == "raw" and not percent:
            high: float | None = spec.score_max
            if spec.score_max_column:
                max_text = self._cell(values, "score_max_column")
                if not max_text:
                    bad("score_max_column", _("The maximum points are empty."))
                    return None
                try:
                    high = parse_number(max_text)
                except _Bad as exc:
                    bad("score_max_column", exc.message)
                    return None
            low = spec.score_min
            if high is None or high <= low:
                bad("score_max_column", _("The maximum must be greater than the minimum."))
                return None
            if not low <= number <= high:
                bad(
                    "score_column",
                    _("%(value)s is outside %(low)s–%(high)s.")
                    % {"value": text, "low": f"{low:g}", "high": f"{high:g}"},
                )
                return None
            return {
                "scaled": round((number - low) / (high - low), 4),
                "raw": number,
                "min": low,
                "max": high,
            }
        if percent or spec.score_kind == "percent":
            if not 0 <= number <= 100:
                bad("score_column", _("%(value)s is outside 0–100.") % {"value": text})
                return None
            return {"scaled": round(number / 100, 4), "raw": number, "min": 0, "max": 100}
        if not 0 <= number <= 1:
            bad(
                "score_column",
                _("%(value)s is outside 0–1 (choose percent or raw points if it is not a share).")
                % {"value": text},
            )
            return None
        return {"scaled": round(number, 4)}

    def validate(self, number: int, statement: dict[str, Any]) -> list[Problem]:
        """The LRS's own check of a converted statement, as problems of this row."""
        try:
            xapi.validate_statement(statement, version=XAPI_VERSION)
        except xapi.StatementInvalid as exc:
            column = ""
            for prefix, name in _FIELD_COLUMNS:
                if exc.field.startswith(prefix):
                    column = getattr(self.spec, name, "") or ""
                    break
            return [Problem(number, column, exc.message)]
        return []


# --------------------------------------------------------------------------- whole files


def _english() -> bool:
    return (get_language() or "").startswith("en")


class _AllColumns(dict):
    """Aliases for `parse_file` that keep every column under its normalised header."""

    def get(self, key: str, default: Any = None) -> str:  # type: ignore[override]
        return key


def file_read(*, filename: str, content: bytes) -> ParsedFile:
    """Read a CSV (UTF-8 with or without BOM, Big5/cp950) or XLSX file; ParseError if not."""
    return parse_file(filename=filename, content=content, aliases=_AllColumns())


@dataclass
class PreviewRow:
    row: int
    statement: dict[str, Any]

    @property
    def pretty(self) -> str:
        return json.dumps(self.statement, ensure_ascii=False, indent=2)

    @property
    def actor(self) -> str:
        return self.statement["actor"]["account"]["name"]

    @property
    def verb(self) -> profile.Term:
        return profile.VERB_BY_IRI[self.statement["verb"]["id"]]

    @property
    def activity(self) -> str:
        obj = self.statement["object"]
        name = ((obj.get("definition") or {}).get("name") or {}).get(LANGUAGE)
        return f"{name} ({obj['id']})" if name else obj["id"]

    @property
    def verb_label(self) -> str:
        return self.verb.en if _english() else self.verb.zh

    @property
    def subject(self) -> str:
        ext = (self.statement.get("context") or {}).get("extensions") or {}
        return ext.get(profile.EXT_SUBJECT, "")

    @property
    def subject_label(self) -> str:
        code = self.subject
        return profile.subject_name(code, "en" if _english() else "zh") if code else ""

    @property
    def result(self) -> dict[str, Any]:
        return self.statement.get("result") or {}

    @property
    def score_percent(self) -> float | None:
        scaled = (self.result.get("score") or {}).get("scaled")
        return None if scaled is None else round(scaled * 100, 1)

    @property
    def duration_seconds(self) -> float | None:
        text = self.result.get("duration")
        return float(text[2:-1]) if text else None

    @property
    def when(self) -> dt.datetime:
        return xapi.parse_timestamp(self.statement["timestamp"], field="timestamp").astimezone(
            TAIPEI
        )


@dataclass
class Conversion:
    """What a file becomes under a mapping: counts, the first statements and every problem."""

    filename: str
    sha256: str
    rows: int = 0
    statements: int = 0  # distinct (rows repeating an earlier row count once)
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    preview: list[PreviewRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_check(
    *,
    platform: Any,
    spec: MappingSpec,
    filename: str,
    content: bytes,
    preview_rows: int = PREVIEW_ROWS,
    take: Callable[[int, dict[str, Any]], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Conversion, ParsedFile | None]:
    """Convert and validate every row of the file. Returns the conversion (with every problem)
    and the parsed file (None when it could not be read).

    `take`, when given, receives (row number, statement) of each distinct valid row as long as
    no problem has been found: an import stores as it goes, inside a transaction that it rolls
    back when the conversion ends with a problem. `progress`, when given, is called with (rows
    checked, rows in the file) every PROGRESS_EVERY rows and once at the end."""
    conversion = Conversion(filename=filename, sha256=content_sha256(content))
    if not (platform.account_home_page or "").strip():
        conversion.add(
            [
                Problem(
                    None,
                    "",
                    _(
                        "The platform has no account home page; set it on the platform first "
                        "(it becomes the homePage of every imported student account)."
                    ),
                )
            ]
        )
        return conversion, None
    try:
        parsed = file_read(filename=filename, content=content)
    except ParseError as exc:
        conversion.add(
            [Problem(None, "", _(exc.msgid) % exc.params if exc.params else _(exc.msgid))]
        )
        return conversion, None
    conversion.columns = list(parsed.header)
    conversion.encoding = parsed.encoding
    conversion.rows = len(parsed.rows)
    converter = Converter(platform=platform, spec=spec)
    header = converter.header_problems(parsed)
    if header:
        conversion.add(header)
        return conversion, parsed
    if not parsed.rows:
        conversion.add([Problem(None, "", _("The file has a header row but no records."))])
        return conversion, parsed
    seen: set[str] = set()
    total = len(parsed.rows)
    for checked, (number, values) in enumerate(parsed.rows, 1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, total)
        statement, problems = converter.row(number, values)
        if statement is not None:
            problems = converter.validate(number, statement)
        if problems:
            conversion.add(problems)
            continue
        assert statement is not None
        if statement["id"] in seen:
            conversion.duplicates += 1
            continue
        seen.add(statement["id"])
        conversion.statements += 1
        if len(conversion.preview) < preview_rows:
            conversion.preview.append(PreviewRow(number, statement))
        if take is not None and conversion.problem_count == 0:
            take(number, statement)
    if progress is not None:
        progress(total, total)
    return conversion, parsed


# --------------------------------------------------------------------------- example file


def example_rows(spec: MappingSpec) -> tuple[list[str], list[list[str]]]:
    """A header and two rows that this mapping imports without a problem."""
    columns: list[str] = []
    rows: list[list[str]] = [[], []]

    def put(name: str, first: str, second: str) -> None:
        column = getattr(spec, name)
        if column:
            columns.append(column)
            rows[0].append(first)
            rows[1].append(second)

    put("actor_column", "student-001", "student-002")
    if spec.verb_column:
        by_code: dict[str, str] = {}
        for value, code in spec.verb_values.items():
            by_code.setdefault(code, value)
        values = list(by_code.values()) or ["experienced", "answered"]
        put("verb_column", values[0], values[-1] if len(values) > 1 else values[0])
    put("activity_column", "math-g5-video-0001", "math-g5-exercise-0002")
    put("activity_name_column", "分數的加減（影片）", "分數的加減（練習）")
    subject_value = next(iter(spec.subject_values), "數學")
    put("subject_column", subject_value, subject_value)
    if spec.score_kind == "raw":
        if spec.score_max_column or spec.score_max is None:
            put("score_column", "8", "17")
        else:
            span = spec.score_max - spec.score_min
            put(
                "score_column",
                f"{spec.score_min + 0.8 * span:g}",
                f"{spec.score_min + 0.85 * span:g}",
            )
    elif spec.score_kind == "percent":
        put("score_column", "80", "85")
    else:
        put("score_column", "0.8", "0.85")
    put("score_max_column", "10", "20")
    yes = spec.success_values[0] if spec.success_values else "1"
    put("success_column", yes, "0")
    yes = spec.completion_values[0] if spec.completion_values else "1"
    put("completion_column", yes, yes)
    put("duration_column", "300" if spec.duration_unit == "seconds" else "5", "12:30")
    put("start_column", "2026-03-02 09:30:00", "2026/03/02 下午 02:00")
    put("end_column", "2026-03-02 09:35:00", "2026/03/02 下午 02:12")
    put("timestamp_column", "2026-03-02 09:30:00", "2026-03-02T14:00:00+08:00")
    put("grade_column", "5", "五年級")
    put("node_column", "5-n-03-S01", "5-n-03-S02")
    put("domain_column", "n-III-6", "n-III-6")
    return columns, rows
