"""One importer per kind of file: its columns, its checks, and how it saves.

An importer first checks every row and collects every problem (row, column, message); it saves
nothing unless the whole file is clean, and then saves everything in one transaction through the
bulk services of `dtss.orgs.services` (`schools_import_apply`, `classes_import_apply`,
`people_import_apply`: a few queries per 500 rows), so a failure half-way leaves the database as
it was. Saving reports its progress after every batch.

Re-importing a file updates what the previous import created: schools are matched by their MOE
code, classes by school, term, grade and number, people by their external ID within the county.
An empty cell in an optional column keeps the current value.

Order of files for a school: people who are teachers (and administrators) first, then classes
(whose homeroom teachers must exist), then students and parents (whose classes must exist). A
people file may hold every role at once when the classes exist already.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from dtss.core.tenancy import scope_for
from dtss.imports.parsing import ParsedFile, normalise_header
from dtss.orgs import services as org_services
from dtss.orgs.models import (
    County,
    District,
    Enrollment,
    Guardianship,
    Membership,
    Person,
    Role,
    School,
    SchoolClass,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200  # rows between two progress writes
MAX_ERRORS = 5000  # problems kept per job; the rest are counted
CHUNK = 500  # values per IN (…) query

Progress = Callable[[int, int], None]
Problem = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One column of an import file, used to check it and to build its templates."""

    key: str
    zh: str
    en: str  # English source string, shown through gettext
    required: bool = False
    example: str = ""
    allowed: str = ""  # the values accepted, in both languages
    note_zh: str = ""
    note_en: str = ""
    aliases: tuple[str, ...] = ()
    text: bool = False  # a code that keeps leading zeros: formatted as text in XLSX templates

    @property
    def label(self) -> str:
        return gettext(self.en)


def problem(row: int, field: str, msgid: str, /, **params: Any) -> Problem:
    """A problem as stored in `ImportJob.errors`: the message now, and what re-translates it."""
    text = gettext(msgid)
    return {
        "row": row,
        "field": field,
        "message": text % params if params else text,
        "msgid": msgid,
        "params": params,
    }


def problem_text(item: Problem) -> str:
    """The problem's message in the active language."""
    msgid = item.get("msgid")
    if msgid:
        params = item.get("params") or {}
        try:
            text = gettext(msgid)
            return text % params if params else text
        except (KeyError, TypeError, ValueError):
            pass
    return str(item.get("message", ""))


def _chunks[T](values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _choice_map(choices: Iterable[tuple[str, Any]], extra: dict[str, tuple[str, ...]]) -> dict:
    """Accepted spellings → value: the value, its labels in both languages, and `extra`."""
    out: dict[str, str] = {}
    choices = list(choices)
    for value, label in choices:
        out[normalise_header(str(value))] = str(value)
        for language in ("en", "zh-hant"):
            with translation.override(language):
                out.setdefault(normalise_header(str(label)), str(value))
    for value, names in extra.items():
        for name in names:
            out[normalise_header(name)] = value
    return out


STAGE_NAMES = {
    "elementary": ("國小", "國民小學", "小學", "elementary school"),
    "junior": ("國中", "國民中學", "junior high", "junior high school"),
    "senior": ("高中", "高級中學", "普通型高中", "senior high", "senior high school"),
    "vocational": ("高職", "技術型高中", "高級職業學校", "vocational high school"),
    "complete": ("完全中學", "完中", "complete high school"),
    "special": ("特教", "特教學校", "特殊教育學校", "special education school"),
}
OWNERSHIP_NAMES = {"public": ("公立", "公"), "private": ("私立", "私")}
AREA_NAMES = {
    "general": ("一般", "一般地區"),
    "remote": ("偏遠", "偏遠地區", "偏鄉"),
    "very_remote": ("特偏", "特殊偏遠", "特殊偏遠地區"),
    "extremely_remote": ("極偏", "極度偏遠", "極度偏遠地區"),
    "non_mountain_non_city": ("非山非市",),
}
ROLE_NAMES = {
    Role.TEACHER: ("教師", "老師"),
    Role.SCHOOL_ADMIN: ("行政", "行政人員", "學校管理者", "管理者", "admin"),
    Role.STUDENT: ("學生",),
    Role.PARENT: ("家長",),
}
IMPORT_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.STUDENT, Role.PARENT)
STAFF_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN)
TITLE_NAMES = {
    "principal": ("校長",),
    "director": ("主任",),
    "it_head": ("資訊組長",),
    "convener": ("召集人",),
    "other": ("其他",),
}
GENDER_NAMES = {
    "F": ("女", "female", "女性"),
    "M": ("男", "male", "男性"),
    "X": ("其他", "other", "不提供", "不透露"),
}
RELATION_NAMES = {
    "mother": ("母", "母親", "媽媽"),
    "father": ("父", "父親", "爸爸"),
    "guardian": ("監護人",),
    "other": ("其他",),
}
# Grades a class may have at a school of each stage. Elementary and junior schools both allow
# 1–9 because 國民中小學 (combined nine-year schools) are registered under either.
GRADE_RANGE = {
    "elementary": (1, 9),
    "junior": (1, 9),
    "senior": (10, 12),
    "vocational": (10, 12),
    "complete": (7, 12),
    "special": (1, 12),
}


class Importer:
    kind: ClassVar[str]
    needs_school: ClassVar[bool]
    columns: ClassVar[tuple[Column, ...]]
    # model field names in service errors → column keys
    field_columns: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        *,
        county: County,
        school: School | None = None,
        actor: Any = None,
        progress: Progress | None = None,
    ) -> None:
        if self.needs_school and school is None:
            raise ValueError(f"A {self.kind} import needs a school.")
        self.county = county
        self.school = school
        self.actor = actor
        self.progress = progress
        self.errors: list[Problem] = []
        self.hidden_errors = 0
        self.current_row = 0
        self.header: set[str] = set()
        self._row_errors = 0

    # --- columns ------------------------------------------------------------------------

    @classmethod
    def aliases(cls) -> dict[str, str]:
        out: dict[str, str] = {}
        for column in cls.columns:
            for name in (column.key, column.zh, column.en, *column.aliases):
                out.setdefault(normalise_header(name), column.key)
        return out

    @classmethod
    def column(cls, key: str) -> Column:
        return next(c for c in cls.columns if c.key == key)

    # --- problems -----------------------------------------------------------------------

    def add(self, row: int, field: str, msgid: str, /, **params: Any) -> None:
        self._row_errors += 1
        if len(self.errors) >= MAX_ERRORS:
            self.hidden_errors += 1
            return
        self.errors.append(problem(row, field, msgid, **params))

    def here(self, field: str, msgid: str, /, **params: Any) -> None:
        self.add(self.current_row, field, msgid, **params)

    # --- cell readers: None means blank (or wrong, with a problem recorded) --------------

    def text(
        self, values: dict[str, str], key: str, *, max_length: int, required: bool = False
    ) -> str | None:
        value = values.get(key, "").strip()
        if not value:
            if required:
                self.here(key, gettext_noop("%(column)s is required."), column=key)
            return None
        if len(value) > max_length:
            self.here(
                key,
                gettext_noop("At most %(max)s characters are allowed; this has %(length)s."),
                max=max_length,
                length=len(value),
            )
            return None
        return value

    def integer(
        self,
        values: dict[str, str],
        key: str,
        *,
        low: int,
        high: int,
        required: bool = False,
    ) -> int | None:
        raw = values.get(key, "").strip()
        if not raw:
            if required:
                self.here(key, gettext_noop("%(column)s is required."), column=key)
            return None
        try:
            number = int(raw.replace(",", ""))
        except ValueError:
            self.here(key, gettext_noop("“%(value)s” is not a whole number."), value=raw)
            return None
        if not low <= number <= high:
            self.here(
                key,
                gettext_noop("%(value)s is outside the range %(low)s–%(high)s."),
                value=number,
                low=low,
                high=high,
            )
            return None
        return number

    def choice(
        self, values: dict[str, str], key: str, mapping: dict[str, str], *, required: bool = False
    ) -> str | None:
        raw = values.get(key, "").strip()
        if not raw:
            if required:
                self.here(key, gettext_noop("%(column)s is required."), column=key)
            return None
        value = mapping.get(normalise_header(raw))
        if value is None:
            self.here(
                key,
                gettext_noop("“%(value)s” is not one of the allowed values: %(allowed)s."),
                value=raw,
                allowed=self.column(key).allowed,
            )
        return value

    # --- the run ------------------------------------------------------------------------

    def validate(self, parsed: ParsedFile) -> list[Problem]:
        """Check the header and every row; return every problem found (empty when clean)."""
        header_row = parsed.header_row
        for name in parsed.unknown_columns:
            self.add(
                header_row,
                name,
                gettext_noop("Unknown column “%(column)s”. Use the column names of the template."),
                column=name,
            )
        for key in parsed.duplicate_columns:
            self.add(
                header_row, key, gettext_noop("The column %(column)s appears twice."), column=key
            )
        missing = [c.key for c in self.columns if c.required and c.key not in parsed.header]
        for key in missing:
            self.add(
                header_row,
                key,
                gettext_noop("The required column %(column)s is missing."),
                column=key,
            )
        if not parsed.rows:
            self.add(header_row, "", gettext_noop("The file has no rows below its header."))
        if missing or not parsed.rows:
            return self.errors
        self.header = set(parsed.header)
        self.prepare(parsed.rows)
        total = len(parsed.rows)
        for index, (number, values) in enumerate(parsed.rows, 1):
            self.current_row = number
            self._row_errors = 0
            self.check_row(values)
            if self.progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                self.progress(index, total)
        self.current_row = 0
        self.check_file()
        if self.hidden_errors:
            self.errors.append(
                problem(
                    0,
                    "",
                    gettext_noop("… and %(count)s more problems not listed."),
                    count=self.hidden_errors,
                )
            )
        self.errors.sort(key=lambda p: p["row"])
        return self.errors

    @property
    def row_ok(self) -> bool:
        return self._row_errors == 0

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """Load what the checks need from the database, a few queries for the whole file."""

    def check_row(self, values: dict[str, str]) -> None:
        raise NotImplementedError

    def check_file(self) -> None:
        """Checks across rows that can run only once every row has been read."""

    def apply(self, progress: Progress | None = None) -> dict[str, Any]:
        """Save every checked row in one transaction; any exception rolls everything back.
        `progress(saved, total)` is called after each batch of rows (inside the transaction:
        it must not write to the database)."""
        with transaction.atomic():
            return self.save(progress)

    def save(self, progress: Progress | None) -> dict[str, Any]:
        raise NotImplementedError

    def failure(self, exc: BaseException) -> list[Problem]:
        """The problems to report when saving failed (at the row the error names, if any)."""
        row = getattr(exc, "row", self.current_row)
        if isinstance(exc, IntegrityError):
            return [
                problem(
                    row,
                    "",
                    gettext_noop(
                        "The database refused the rows (%(error)s); nothing was saved. "
                        "Another import or a change made at the same time may conflict with "
                        "this file: check it and upload it again."
                    ),
                    error=str(exc)[:300],
                )
            ]
        if isinstance(exc, ValidationError):
            out: list[Problem] = []
            if hasattr(exc, "error_dict"):
                for name, messages in exc.message_dict.items():
                    field = self.field_columns.get(name, name if name != "__all__" else "")
                    for message in messages:
                        out.append({"row": row, "field": field, "message": message})
            else:
                out = [{"row": row, "field": "", "message": m} for m in exc.messages]
            return out
        return [
            problem(
                row,
                "",
                gettext_noop(
                    "Saving stopped with an unexpected error (%(error)s); nothing was saved."
                ),
                error=f"{type(exc).__name__}: {str(exc)[:300]}",
            )
        ]

    # --- helpers ------------------------------------------------------------------------

    def grade_range(self) -> tuple[int, int]:
        stage = self.school.stage if self.school is not None else ""
        return GRADE_RANGE.get(stage, (1, 12))

    def grade(self, values: dict[str, str], key: str, *, required: bool) -> int | None:
        value = self.integer(values, key, low=1, high=12, required=required)
        if value is None:
            return None
        low, high = self.grade_range()
        if not low <= value <= high:
            self.here(
                key,
                gettext_noop(
                    "Grade %(grade)s is outside %(low)s–%(high)s for this school's stage."
                ),
                grade=value,
                low=low,
                high=high,
            )
            return None
        return value


# --- schools ---------------------------------------------------------------------------------

STAGE_ALLOWED = (
    "elementary/國小, junior/國中, senior/高中, vocational/高職, complete/完全中學, special/特教"
)


class SchoolImporter(Importer):
    kind = "schools"
    needs_school = False
    columns = (
        Column(
            "code",
            "學校代碼",
            gettext_noop("MOE school code"),
            True,
            "083601",
            note_zh="教育部六碼學校代碼",
            note_en="The six-digit MOE code",
            aliases=("代碼", "school code"),
            text=True,
        ),
        Column(
            "name_zh",
            "學校名稱",
            gettext_noop("School name (Chinese)"),
            True,
            "縣立南投國小",
            aliases=("校名", "中文校名"),
        ),
        Column(
            "name_en",
            "英文校名",
            gettext_noop("School name (English)"),
            False,
            "Nantou Elementary School",
        ),
        Column(
            "district_code",
            "行政區代碼",
            gettext_noop("District code"),
            True,
            "1000801",
            aliases=("鄉鎮市區代碼",),
            text=True,
        ),
        Column(
            "district_name",
            "行政區名稱",
            gettext_noop("District name"),
            False,
            "南投市",
            note_zh="行政區尚未建立時必填",
            note_en="Required when the district is new",
            aliases=("鄉鎮市區",),
        ),
        Column(
            "stage",
            "學制",
            gettext_noop("Stage"),
            True,
            "國小",
            allowed=STAGE_ALLOWED,
            aliases=("學校類別",),
        ),
        Column(
            "ownership",
            "公私立",
            gettext_noop("Public/private"),
            False,
            "公立",
            allowed="public/公立, private/私立",
            note_zh="空白為公立",
            note_en="Blank means public",
        ),
        Column(
            "area",
            "地區屬性",
            gettext_noop("Area category"),
            False,
            "一般",
            allowed="general/一般, remote/偏遠, very_remote/特偏, extremely_remote/極偏, "
            "non_mountain_non_city/非山非市",
        ),
        Column(
            "student_count", "學生數", gettext_noop("Students"), False, "320", aliases=("學生人數",)
        ),
        Column("address", "地址", gettext_noop("Address"), False, "南投縣南投市彰南路一段1號"),
        Column("phone", "電話", gettext_noop("Phone"), False, "049-2222222", text=True),
    )
    field_columns = {"district": "district_code"}

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        self.stages = _choice_map(School.Stage.choices, STAGE_NAMES)
        self.ownerships = _choice_map(School.Ownership.choices, OWNERSHIP_NAMES)
        self.areas = _choice_map(School.Area.choices, AREA_NAMES)
        codes = {values.get("code", "").strip() for _n, values in rows} - {""}
        self.existing: dict[str, School] = {}
        for batch in _chunks(sorted(codes)):
            self.existing.update({s.code: s for s in School.objects.filter(code__in=batch)})
        self.districts = {d.code: d for d in District.objects.filter(county=self.county)}
        self.new_districts: dict[str, tuple[str, int]] = {}
        self.seen: dict[str, int] = {}
        self.items: list[dict[str, Any]] = []

    def check_row(self, values: dict[str, str]) -> None:
        row = self.current_row
        code = self.text(values, "code", max_length=64, required=True)
        if code is not None:
            if not (len(code) == 6 and code.isdigit()):
                self.here("code", gettext_noop("The MOE school code has six digits."))
            elif code in self.seen:
                self.here(
                    "code",
                    gettext_noop("The school code %(code)s is also on row %(row)s."),
                    code=code,
                    row=self.seen[code],
                )
            else:
                self.seen[code] = row
                existing = self.existing.get(code)
                if existing is not None and existing.county_id != self.county.pk:
                    self.here(
                        "code",
                        gettext_noop(
                            "The school code %(code)s belongs to a school of another county."
                        ),
                        code=code,
                    )
        name_zh = self.text(values, "name_zh", max_length=100, required=True)
        name_en = self.text(values, "name_en", max_length=150)
        district_code = self.text(values, "district_code", max_length=16, required=True)
        district_name = self.text(values, "district_name", max_length=100)
        if district_code is not None and district_code not in self.districts:
            if district_name is None:
                if not values.get("district_name", "").strip():
                    self.here(
                        "district_code",
                        gettext_noop(
                            "Unknown district code “%(code)s”. Give its district_name to create it."
                        ),
                        code=district_code,
                    )
            else:
                first = self.new_districts.setdefault(district_code, (district_name, row))
                if first[0] != district_name:
                    self.here(
                        "district_name",
                        gettext_noop(
                            "District %(code)s is named “%(name)s” on row %(row)s; use one name."
                        ),
                        code=district_code,
                        name=first[0],
                        row=first[1],
                    )
        stage = self.choice(values, "stage", self.stages, required=True)
        ownership = self.choice(values, "ownership", self.ownerships)
        area = self.choice(values, "area", self.areas)
        student_count = self.integer(values, "student_count", low=0, high=100_000)
        address = self.text(values, "address", max_length=200)
        phone = self.text(values, "phone", max_length=40)
        if self.row_ok:
            self.items.append(
                {
                    "row": row,
                    "code": code,
                    "district_code": district_code,
                    "district_name": district_name,
                    "fields": {
                        "name_zh": name_zh,
                        "name_en": name_en,
                        "stage": stage,
                        "ownership": ownership,
                        "area": area,
                        "student_count": student_count,
                        "address": address,
                        "phone": phone,
                    },
                }
            )

    def save(self, progress: Progress | None) -> dict[str, Any]:
        rows = [
            org_services.SchoolImportRow(
                row=item["row"],
                code=item["code"],
                district_code=item["district_code"],
                district_name=item["district_name"],
                **item["fields"],
            )
            for item in self.items
        ]
        counts = org_services.schools_import_apply(county=self.county, rows=rows, progress=progress)
        return {
            "rows": counts.rows,
            "created": counts.created,
            "updated": counts.updated,
            "details": [[gettext_noop("districts created"), counts.districts]],
        }


# --- classes ---------------------------------------------------------------------------------


class ClassImporter(Importer):
    kind = "classes"
    needs_school = True
    columns = (
        Column("roc_year", "學年度", gettext_noop("Academic year (ROC)"), True, "114"),
        Column("semester", "學期", gettext_noop("Semester"), True, "1", allowed="1, 2"),
        Column(
            "grade",
            "年級",
            gettext_noop("Grade"),
            True,
            "5",
            allowed="1–12 (國小 1–6, 國中 7–9, 高中職 10–12)",
        ),
        Column(
            "number",
            "班序",
            gettext_noop("Class number"),
            True,
            "1",
            aliases=("班級", "班號", "班"),
        ),
        Column(
            "name", "班級名稱", gettext_noop("Class name"), False, "五年一班", aliases=("班名",)
        ),
        Column(
            "homeroom_teacher_id",
            "導師編號",
            gettext_noop("Homeroom teacher's external ID"),
            False,
            "T0001",
            note_zh="須為本校已匯入之教師",
            note_en="A teacher of this school, imported already",
            aliases=("導師", "導師代號", "homeroom teacher"),
            text=True,
        ),
    )
    field_columns = {"homeroom_teacher": "homeroom_teacher_id"}

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        assert self.school is not None
        ids = {values.get("homeroom_teacher_id", "").strip() for _n, values in rows} - {""}
        self.teachers: dict[str, Person] = {}
        for batch in _chunks(sorted(ids)):
            staff = Membership.objects.filter(school=self.school, role__in=STAFF_ROLES).values(
                "person_id"
            )
            self.teachers.update(
                {
                    p.external_id: p
                    for p in Person.objects.filter(
                        county=self.county, external_id__in=batch, pk__in=staff
                    )
                }
            )
        self.seen: dict[tuple[int, int, int, int], int] = {}
        self.items: list[dict[str, Any]] = []

    def check_row(self, values: dict[str, str]) -> None:
        row = self.current_row
        roc_year = self.integer(values, "roc_year", low=90, high=200, required=True)
        semester = self.integer(values, "semester", low=1, high=2, required=True)
        grade = self.grade(values, "grade", required=True)
        number = self.integer(values, "number", low=1, high=99, required=True)
        name = self.text(values, "name", max_length=50)
        teacher_id = self.text(values, "homeroom_teacher_id", max_length=64)
        teacher = None
        if teacher_id is not None:
            teacher = self.teachers.get(teacher_id)
            if teacher is None:
                self.here(
                    "homeroom_teacher_id",
                    gettext_noop(
                        "No teacher with the external ID “%(value)s” at this school. "
                        "Import the teachers first."
                    ),
                    value=teacher_id,
                )
        if None not in (roc_year, semester, grade, number):
            key = (roc_year, semester, grade, number)
            if key in self.seen:
                self.here(
                    "number",
                    gettext_noop("Class %(grade)s-%(number)s of this term is also on row %(row)s."),
                    grade=grade,
                    number=number,
                    row=self.seen[key],
                )
            else:
                self.seen[key] = row
        if self.row_ok:
            self.items.append(
                {
                    "row": row,
                    "roc_year": roc_year,
                    "semester": semester,
                    "grade": grade,
                    "number": number,
                    "name": name,
                    "teacher": teacher,
                }
            )

    def save(self, progress: Progress | None) -> dict[str, Any]:
        assert self.school is not None
        rows = [
            org_services.ClassImportRow(
                row=item["row"],
                roc_year=item["roc_year"],
                semester=item["semester"],
                grade=item["grade"],
                number=item["number"],
                name=item["name"],
                homeroom_teacher=item["teacher"],
            )
            for item in self.items
        ]
        counts = org_services.classes_import_apply(school=self.school, rows=rows, progress=progress)
        return {
            "rows": counts.rows,
            "created": counts.created,
            "updated": counts.updated,
            "details": [],
        }


# --- people ----------------------------------------------------------------------------------


class PersonImporter(Importer):
    kind = "people"
    needs_school = True
    columns = (
        Column(
            "external_id",
            "編號",
            gettext_noop("External ID"),
            True,
            "S1140001",
            note_zh="學號或教職員編號，全縣市不重複",
            note_en="Student or staff number, unique in the county",
            aliases=("學號", "教職員編號", "人員編號", "id"),
            text=True,
        ),
        Column("name", "姓名", gettext_noop("Name"), True, "王小明"),
        Column(
            "role",
            "身分",
            gettext_noop("Role"),
            True,
            "學生",
            allowed="teacher/教師, school_admin/行政, student/學生, parent/家長",
            aliases=("角色",),
        ),
        Column(
            "title",
            "職稱",
            gettext_noop("Title"),
            False,
            "",
            allowed="principal/校長, director/主任, it_head/資訊組長, convener/召集人, other/其他",
            note_zh="僅教師與行政人員",
            note_en="Teachers and administrators only",
        ),
        Column("gender", "性別", gettext_noop("Gender"), False, "男", allowed="F/女, M/男, X/其他"),
        Column(
            "email",
            "電子郵件",
            gettext_noop("Email"),
            False,
            "",
            aliases=("email", "e-mail", "電郵", "信箱"),
        ),
        Column("phone", "電話", gettext_noop("Phone"), False, "", text=True),
        Column(
            "roc_year",
            "學年度",
            gettext_noop("Academic year (ROC)"),
            False,
            "114",
            note_zh="學生必填",
            note_en="Required for students",
        ),
        Column(
            "semester",
            "學期",
            gettext_noop("Semester"),
            False,
            "1",
            allowed="1, 2",
            note_zh="學生必填",
            note_en="Required for students",
        ),
        Column(
            "grade",
            "年級",
            gettext_noop("Grade"),
            False,
            "5",
            note_zh="學生必填",
            note_en="Required for students",
        ),
        Column(
            "class_number",
            "班序",
            gettext_noop("Class number"),
            False,
            "1",
            note_zh="學生必填；班級須已匯入",
            note_en="Required for students; the class must exist",
            aliases=("班級", "班號", "班"),
        ),
        Column(
            "seat_number",
            "座號",
            gettext_noop("Seat number"),
            False,
            "1",
            note_zh="學生必填",
            note_en="Required for students",
        ),
        Column(
            "child_external_id",
            "子女編號",
            gettext_noop("Child's external ID"),
            False,
            "",
            note_zh="家長必填：子女的學號",
            note_en="Required for parents: the child's ID",
            aliases=("子女學號", "學生學號"),
            text=True,
        ),
        Column(
            "relation",
            "關係",
            gettext_noop("Relation"),
            False,
            "",
            allowed="mother/母親, father/父親, guardian/監護人, other/其他",
            note_zh="家長適用，空白為監護人",
            note_en="Parents; blank means guardian",
            aliases=("稱謂",),
        ),
    )
    field_columns = {
        "seat_number": "seat_number",
        "school_class": "class_number",
        "child": "child_external_id",
        "parent": "external_id",
    }

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        assert self.school is not None
        self.roles = _choice_map([(r.value, r.label) for r in IMPORT_ROLES], ROLE_NAMES)
        titles = [(v, label) for v, label in Membership.Title.choices if v]
        self.titles = _choice_map(titles, TITLE_NAMES)
        self.genders = _choice_map(Person.Gender.choices, GENDER_NAMES)
        self.relations = _choice_map(Guardianship.Relation.choices, RELATION_NAMES)
        ids = set()
        for _n, values in rows:
            ids.add(values.get("external_id", "").strip())
            ids.add(values.get("child_external_id", "").strip())
        ids.discard("")
        self.persons: dict[str, Person] = {}
        for batch in _chunks(sorted(ids)):
            self.persons.update(
                {
                    p.external_id: p
                    for p in Person.objects.filter(county=self.county, external_id__in=batch)
                }
            )
        self.person_schools: dict[int, set[tuple[str, int | None]]] = {}
        for batch in _chunks(sorted(p.pk for p in self.persons.values())):
            for person_id, role, school_id in Membership.objects.filter(
                person_id__in=batch
            ).values_list("person_id", "role", "school_id"):
                self.person_schools.setdefault(person_id, set()).add((role, school_id))
        self.classes = {
            (c.term.roc_year, c.term.semester, c.grade, c.number): c
            for c in SchoolClass.objects.filter(school=self.school).select_related("term")
        }
        self.seat_holders: dict[tuple[int, int], int] = dict(
            ((class_id, seat), student_id)
            for class_id, seat, student_id in Enrollment.objects.filter(
                school=self.school
            ).values_list("school_class_id", "seat_number", "student_id")
        )
        actor_scope = scope_for(self.actor) if self.actor is not None else None
        self.may_cross_school = actor_scope is None or actor_scope.may_administer_county(
            self.county.pk
        )
        self.names: dict[str, tuple[str, int]] = {}
        self.keys: dict[tuple[str, str, str], int] = {}
        self.file_students: dict[str, int] = {}
        self.seats: dict[tuple[int, int], int] = {}
        self.placements: dict[str, tuple[SchoolClass, int]] = {}
        self.pending_children: list[tuple[int, str, str]] = []
        self.items: list[dict[str, Any]] = []

    def _foreign(self, person: Person) -> bool:
        """A person known only at other schools: only the county office may take them on."""
        held = self.person_schools.get(person.pk, set())
        assert self.school is not None
        return bool(held) and not any(school_id == self.school.pk for _r, school_id in held)

    def check_row(self, values: dict[str, str]) -> None:
        row = self.current_row
        external_id = self.text(values, "external_id", max_length=64, required=True)
        name = self.text(values, "name", max_length=100, required=True)
        role = self.choice(values, "role", self.roles, required=True)
        title = self.choice(values, "title", self.titles)
        gender = self.choice(values, "gender", self.genders)
        email = self.text(values, "email", max_length=254)
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                self.here(
                    "email", gettext_noop("“%(value)s” is not a valid email address."), value=email
                )
                email = None
        phone = self.text(values, "phone", max_length=40)
        if title is not None and role is not None and role not in STAFF_ROLES:
            self.here("title", gettext_noop("Only teachers and administrators have a title."))
        if external_id is not None:
            existing = self.persons.get(external_id)
            if existing is not None and not self.may_cross_school and self._foreign(existing):
                self.here(
                    "external_id",
                    gettext_noop(
                        "The external ID “%(value)s” belongs to a person of another school; "
                        "ask the county office to import them."
                    ),
                    value=external_id,
                )
            if name is not None:
                first = self.names.setdefault(external_id, (name, row))
                if first[0] != name:
                    self.here(
                        "name",
                        gettext_noop("The same external ID is named “%(name)s” on row %(row)s."),
                        name=first[0],
                        row=first[1],
                    )
        item: dict[str, Any] = {
            "row": row,
            "external_id": external_id,
            "role": role,
            "person": {"name": name, "gender": gender, "email": email, "phone": phone},
            "title": title,
        }
        if role == Role.STUDENT:
            self._check_student(values, item)
        elif role == Role.PARENT:
            self._check_parent(values, item)
        elif role in STAFF_ROLES and external_id is not None:
            self._once(
                (external_id, role, ""),
                "role",
                gettext_noop("This person has this role on row %(row)s already."),
            )
        if self.row_ok:
            self.items.append(item)

    def _once(self, key: tuple[str, str, str], field: str, msgid: str) -> bool:
        if key in self.keys:
            self.here(field, msgid, row=self.keys[key])
            return False
        self.keys[key] = self.current_row
        return True

    def _check_student(self, values: dict[str, str], item: dict[str, Any]) -> None:
        row = self.current_row
        roc_year = self.integer(values, "roc_year", low=90, high=200, required=True)
        semester = self.integer(values, "semester", low=1, high=2, required=True)
        grade = self.grade(values, "grade", required=True)
        number = self.integer(values, "class_number", low=1, high=99, required=True)
        seat = self.integer(values, "seat_number", low=1, high=99, required=True)
        external_id = item["external_id"]
        if external_id is not None and self._once(
            (external_id, Role.STUDENT, ""),
            "external_id",
            gettext_noop("This student is also on row %(row)s."),
        ):
            self.file_students[external_id] = row
        if None in (roc_year, semester, grade, number):
            return
        school_class = self.classes.get((roc_year, semester, grade, number))
        if school_class is None:
            self.here(
                "class_number",
                gettext_noop(
                    "Class %(grade)s-%(number)s of %(year)s semester %(semester)s does not exist "
                    "at this school. Import the classes first."
                ),
                grade=grade,
                number=number,
                year=roc_year,
                semester=semester,
            )
            return
        if seat is None:
            return
        first = self.seats.setdefault((school_class.pk, seat), row)
        if first != row:
            self.here(
                "seat_number",
                gettext_noop(
                    "Seat %(seat)s of class %(grade)s-%(number)s is also given on row %(row)s."
                ),
                seat=seat,
                grade=grade,
                number=number,
                row=first,
            )
            return
        item["school_class"] = school_class
        item["seat_number"] = seat
        if external_id is not None:
            self.placements[external_id] = (school_class, seat)

    def _check_parent(self, values: dict[str, str], item: dict[str, Any]) -> None:
        child_id = self.text(values, "child_external_id", max_length=64, required=True)
        relation = self.choice(values, "relation", self.relations)
        item["relation"] = relation or Guardianship.Relation.GUARDIAN
        item["child_external_id"] = child_id
        external_id = item["external_id"]
        if child_id is None or external_id is None:
            return
        if child_id == external_id:
            self.here("child_external_id", gettext_noop("A person cannot be their own parent."))
            return
        if self._once(
            (external_id, Role.PARENT, child_id),
            "child_external_id",
            gettext_noop("This parent and child are also on row %(row)s."),
        ):
            self.pending_children.append((self.current_row, child_id, external_id))

    def check_file(self) -> None:
        assert self.school is not None
        school_id = self.school.pk
        for row, child_id, _parent_id in self.pending_children:
            if child_id in self.file_students:
                continue
            child = self.persons.get(child_id)
            if child is not None and (Role.STUDENT, school_id) in self.person_schools.get(
                child.pk, set()
            ):
                continue
            self.add(
                row,
                "child_external_id",
                gettext_noop(
                    "No student with the external ID “%(value)s” at this school, in this file "
                    "or imported before."
                ),
                value=child_id,
            )
        # A seat taken in the database by a student this file does not move elsewhere.
        external_of = {p.pk: ext for ext, p in self.persons.items()}
        holders_outside = {
            student_id for student_id in self.seat_holders.values() if student_id not in external_of
        }
        outside_ids: dict[int, str] = {}
        for batch in _chunks(sorted(holders_outside)):
            outside_ids.update(Person.objects.filter(pk__in=batch).values_list("pk", "external_id"))
        for item in self.items:
            if item["role"] != Role.STUDENT or "school_class" not in item:
                continue
            school_class, seat = item["school_class"], item["seat_number"]
            holder = self.seat_holders.get((school_class.pk, seat))
            if holder is None:
                continue
            holder_ext = external_of.get(holder)
            if holder_ext == item["external_id"]:
                continue
            if holder_ext is not None and holder_ext in self.placements:
                moved_to = self.placements[holder_ext]
                # moved within the term (a seat in another term leaves this one taken)
                if moved_to[0].term_id == school_class.term_id and moved_to != (
                    school_class,
                    seat,
                ):
                    continue
            self.add(
                item["row"],
                "seat_number",
                gettext_noop(
                    "Seat %(seat)s of this class is taken by the student “%(other)s”; include "
                    "that student in this file with another seat."
                ),
                seat=seat,
                other=holder_ext or outside_ids.get(holder, "") or "?",
            )

    def save(self, progress: Progress | None) -> dict[str, Any]:
        assert self.school is not None
        rows = [
            org_services.PersonImportRow(
                row=item["row"],
                external_id=item["external_id"],
                role=item["role"],
                title=item["title"],
                school_class=item.get("school_class"),
                seat_number=item.get("seat_number"),
                child_external_id=item.get("child_external_id") or "",
                relation=item.get("relation") or Guardianship.Relation.GUARDIAN,
                **item["person"],
            )
            for item in self.items
        ]
        counts = org_services.people_import_apply(school=self.school, rows=rows, progress=progress)
        return {
            "rows": counts.rows,
            "created": counts.created,
            "updated": counts.updated,
            "details": [
                [gettext_noop("roles added"), counts.memberships],
                [gettext_noop("students seated in new classes"), counts.enrollments],
                [gettext_noop("parent–child links added"), counts.guardianships],
            ],
        }


IMPORTERS: dict[str, type[Importer]] = {
    SchoolImporter.kind: SchoolImporter,
    ClassImporter.kind: ClassImporter,
    PersonImporter.kind: PersonImporter,
}
