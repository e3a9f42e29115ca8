"""Writes of the learner-group register: add, end and remove a membership, import a file.

A membership is one student in one group (a disadvantaged group, or the 學習扶助 / 數位學伴
programme) from a start date, until an end date (none: still a member). One student's
memberships of one kind never overlap. Every change is audited; an import is all or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from dtss.analytics.identity_services import ImportRejected, Problem, read_table
from dtss.analytics.models import LearnerGroup
from dtss.core.services import audit_record
from dtss.orgs.models import County, Person

# What people write in the kind column besides the code: the Chinese names in use.
KIND_NAMES: dict[str, tuple[str, ...]] = {
    "low_income": ("低收入戶", "中低收入戶", "低收入或中低收入戶", "低收", "中低收"),
    "indigenous": ("原住民", "原住民族", "原住民學生"),
    "new_resident": ("新住民子女", "新住民", "新住民學生"),
    "disability": ("特殊教育需求", "特殊需求", "特教", "身心障礙", "特殊教育學生"),
    "learning_support": ("學習扶助", "學扶", "補救教學"),
    "digital_companion": ("數位學伴", "學伴"),
}


def kind_aliases() -> dict[str, str]:
    """Normalised text → kind code: the codes, the labels in both languages, the usual
    Chinese names."""
    out: dict[str, str] = {}
    for code, label in LearnerGroup.Kind.choices:
        out[code.casefold()] = code
        for language in ("en", "zh-hant"):
            with translation.override(language):
                out[str(label).strip().casefold()] = code
        for name in KIND_NAMES.get(code, ()):
            out[name.casefold()] = code
    return out


_DATE = re.compile(r"^(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_day(text: str) -> dt.date | None:
    """2025-09-01, 2025/9/1 or the ROC year 114/09/01; None for anything else."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year, month, day = (int(v) for v in m.groups())
    if year < 1911:
        year += 1911  # 民國
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _overlapping(
    *, person_id: int, kind: str, start: dt.date, end: dt.date | None, exclude_pk: int | None
) -> LearnerGroup | None:
    qs = LearnerGroup.objects.filter(person_id=person_id, kind=kind).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("start_date").first()


def _check(
    *,
    county: County,
    person: Person,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if person.county_id != county.pk:
        errors["person"] = _("The student must belong to this county/city.")
    if kind not in LearnerGroup.Kind.values:
        errors["kind"] = _("Choose one of the groups.")
    if end is not None and end < start:
        errors["end_date"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    other = _overlapping(
        person_id=person.pk, kind=kind, start=start, end=end, exclude_pk=exclude_pk
    )
    if other is not None:
        raise ValidationError(
            {
                "start_date": _(
                    "This student is already in this group from %(start)s%(until)s; "
                    "periods of one group must not overlap."
                )
                % {
                    "start": other.start_date.isoformat(),
                    "until": f" – {other.end_date.isoformat()}" if other.end_date else "",
                }
            }
        )


@transaction.atomic
def learner_group_add(
    *,
    actor: Any,
    county: County,
    person: Person,
    kind: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    request: Any = None,
) -> LearnerGroup:
    """Record that `person` is in the group `kind` from `start_date` (until `end_date`)."""
    _check(county=county, person=person, kind=kind, start=start_date, end=end_date)
    group = LearnerGroup.objects.create(
        county=county, person=person, kind=kind, start_date=start_date, end_date=end_date
    )
    audit_record(
        actor=actor,
        action="analytics.learner_group_add",
        obj=group,
        request=request,
        detail={"kind": kind, "start": start_date.isoformat(), "end": _iso(end_date)},
    )
    return group


@transaction.atomic
def learner_group_end(
    *, actor: Any, group: LearnerGroup, end_date: dt.date, request: Any = None
) -> LearnerGroup:
    """End a membership on `end_date` (the last day in the group)."""
    group = LearnerGroup.objects.select_for_update().select_related("person").get(pk=group.pk)
    _check(
        county=group.county,
        person=group.person,
        kind=group.kind,
        start=group.start_date,
        end=end_date,
        exclude_pk=group.pk,
    )
    previous = group.end_date
    group.end_date = end_date
    group.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="analytics.learner_group_end",
        obj=group,
        request=request,
        detail={"end": end_date.isoformat(), "previous_end": _iso(previous)},
    )
    return group


@transaction.atomic
def learner_group_remove(*, actor: Any, group: LearnerGroup, request: Any = None) -> None:
    """Delete a membership recorded by mistake (an ended one is ended, not removed)."""
    audit_record(
        actor=actor,
        action="analytics.learner_group_remove",
        obj=group,
        request=request,
        detail={
            "kind": group.kind,
            "start": group.start_date.isoformat(),
            "end": _iso(group.end_date),
            "person_id": group.person_id,
        },
    )
    group.delete()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --------------------------------------------------------------------------- import


GROUP_ALIASES = {
    "external_id": "external_id",
    "external id": "external_id",
    "外部代碼": "external_id",
    "學號": "external_id",
    "身分代碼": "external_id",
    "kind": "kind",
    "group": "kind",
    "類別": "kind",
    "身分別": "kind",
    "群組": "kind",
    "計畫": "kind",
    "start_date": "start_date",
    "start date": "start_date",
    "from": "start_date",
    "開始日期": "start_date",
    "起始日期": "start_date",
    "end_date": "end_date",
    "end date": "end_date",
    "until": "end_date",
    "結束日期": "end_date",
    # columns of the export, read and ignored
    "name": "name",
    "姓名": "name",
    "kind_label": "kind_label",
    "school_and_class": "school_and_class",
}


@dataclass
class GroupImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def learner_groups_import(
    *, actor: Any, county: County, filename: str, content: bytes, request: Any = None
) -> GroupImportResult:
    """Add the memberships listed in a file (external_id, kind, start_date, end_date); a row
    that repeats a recorded membership (same student, group and start) sets its end date.
    All or nothing: ImportRejected lists every bad row and nothing changes."""
    rows = read_table(
        filename=filename,
        content=content,
        aliases=GROUP_ALIASES,
        required=("external_id", "kind", "start_date"),
    )
    result = GroupImportResult(rows=len(rows))
    aliases = kind_aliases()
    problems: list[Problem] = []
    parsed: list[tuple[int, str, str, dt.date, dt.date | None]] = []
    for number, row in rows:
        ext = row.get("external_id", "").strip()
        kind_text = row.get("kind", "").strip()
        kind = aliases.get(kind_text.casefold(), "")
        start = parse_day(row.get("start_date", ""))
        end_text = row.get("end_date", "").strip()
        end = parse_day(end_text) if end_text else None
        bad = False
        if not ext:
            problems.append(Problem(number, "external_id", _("The external ID is empty.")))
            bad = True
        if not kind:
            problems.append(
                Problem(
                    number,
                    "kind",
                    _("%(value)s is not a group; use one of: %(codes)s.")
                    % {
                        "value": kind_text or "(empty)",
                        "codes": ", ".join(LearnerGroup.Kind.values),
                    },
                )
            )
            bad = True
        if start is None:
            problems.append(
                Problem(number, "start_date", _("Write the date as 2025-09-01 (or 114/09/01)."))
            )
            bad = True
        if end_text and end is None:
            problems.append(
                Problem(number, "end_date", _("Write the date as 2025-09-01 (or 114/09/01)."))
            )
            bad = True
        if not bad and start is not None and end is not None and end < start:
            problems.append(
                Problem(number, "end_date", _("The end date is before the start date."))
            )
            bad = True
        if not bad and start is not None:
            parsed.append((number, ext, kind, start, end))
    people: dict[str, Person] = {}
    ext_values = sorted({p[1] for p in parsed})
    for begin in range(0, len(ext_values), 500):
        people.update(
            {
                p.external_id: p
                for p in Person.objects.filter(
                    county=county, external_id__in=ext_values[begin : begin + 500]
                )
            }
        )
    existing: dict[tuple[int, str], list[LearnerGroup]] = {}
    ids = [p.pk for p in people.values()]
    for begin in range(0, len(ids), 500):
        for g in LearnerGroup.objects.filter(county=county, person_id__in=ids[begin : begin + 500]):
            existing.setdefault((g.person_id, g.kind), []).append(g)
    plan: list[tuple[int, Person, str, dt.date, dt.date | None, LearnerGroup | None]] = []
    in_file: dict[tuple[int, str], list[tuple[int, dt.date, dt.date | None]]] = {}
    for number, ext, kind, start, end in parsed:
        person = people.get(ext)
        if person is None:
            problems.append(
                Problem(
                    number,
                    "external_id",
                    _("No person of this county/city has the external ID %(id)s.") % {"id": ext},
                )
            )
            continue
        same = next((g for g in existing.get((person.pk, kind), []) if g.start_date == start), None)
        clash = _clash(existing.get((person.pk, kind), []), start, end, same)
        earlier = next(
            (r for r, s, e in in_file.get((person.pk, kind), []) if _overlap(s, e, start, end)),
            None,
        )
        if clash is not None:
            problems.append(
                Problem(
                    number,
                    "start_date",
                    _(
                        "This student is already in this group from %(start)s%(until)s; "
                        "periods of one group must not overlap."
                    )
                    % {
                        "start": clash.start_date.isoformat(),
                        "until": f" – {clash.end_date.isoformat()}" if clash.end_date else "",
                    },
                )
            )
        elif earlier is not None:
            problems.append(
                Problem(
                    number,
                    "start_date",
                    _("This period overlaps the one on row %(row)s for the same student.")
                    % {"row": earlier},
                )
            )
        else:
            in_file.setdefault((person.pk, kind), []).append((number, start, end))
            plan.append((number, person, kind, start, end, same))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.field)))
    with transaction.atomic():
        for _number, person, kind, start, end, same in plan:
            if same is None:
                LearnerGroup.objects.create(
                    county=county, person=person, kind=kind, start_date=start, end_date=end
                )
                result.created += 1
            elif same.end_date != end:
                same.end_date = end
                same.save(update_fields=["end_date", "updated_at"])
                result.updated += 1
            else:
                result.unchanged += 1
        audit_record(
            actor=actor,
            action="analytics.learner_groups_import",
            county=county,
            request=request,
            detail={
                "file": filename[:200],
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _overlap(s1: dt.date, e1: dt.date | None, s2: dt.date, e2: dt.date | None) -> bool:
    return (e1 is None or e1 >= s2) and (e2 is None or e2 >= s1)


def _clash(
    groups: list[LearnerGroup], start: dt.date, end: dt.date | None, same: LearnerGroup | None
) -> LearnerGroup | None:
    for g in groups:
        if same is not None and g.pk == same.pk:
            continue
        if _overlap(g.start_date, g.end_date, start, end):
            return g
    return None
