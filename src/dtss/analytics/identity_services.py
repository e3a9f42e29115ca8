"""Writes of the identity pages: mapping statement actors to people, and back.

Every mapping moves the actor's records: `actor_map` and `actor_unmap` call
`rollups.actor_reattribute` in the same transaction as the change of the link, so the rollups
(StudentDay → StudentWeek → SchoolWeek) never disagree with the link. Each change is audited.

`actors_import` maps many actors from a CSV/XLSX file (account name, external ID): every row is
checked first and nothing changes unless every row is good (DESIGN.md rule 5).
`actors_resolve` runs the automatic resolution again for the unresolved actors of a county
(after people were imported, or after a platform's identity scheme changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.analytics.identity_selectors import account_parts
from dtss.analytics.models import ActorLink, Platform
from dtss.analytics.rollups import actor_reattribute, resolve_person
from dtss.core.services import audit_record
from dtss.orgs.models import County, Person

MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


# --------------------------------------------------------------------------- one actor


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def actor_map(*, actor: Any, link: ActorLink, person: Person, request: Any = None) -> ActorLink:
    """Map `link` to `person` (of the same county) by hand, and move its records to them."""
    if person.county_id != link.county_id:
        raise ValidationError({"person": _("The person must belong to the actor's county/city.")})
    link = ActorLink.objects.select_for_update().get(pk=link.pk)
    previous = link.person_id
    _set_person(link, person_id=person.pk, method=ActorLink.Method.MANUAL, actor=actor)
    audit_record(
        actor=actor,
        action="analytics.actor_map",
        obj=link,
        request=request,
        detail={
            "person": str(person.public_id),
            "previous_person_id": previous,
            "records": link.statements,
        },
    )
    return link


@transaction.atomic
def actor_unmap(*, actor: Any, link: ActorLink, request: Any = None) -> ActorLink:
    """Make `link` unresolved again; its records belong to nobody until it is mapped."""
    link = ActorLink.objects.select_for_update().get(pk=link.pk)
    previous = link.person_id
    _set_person(link, person_id=None, method=ActorLink.Method.UNRESOLVED, actor=actor)
    audit_record(
        actor=actor,
        action="analytics.actor_unmap",
        obj=link,
        request=request,
        detail={"previous_person_id": previous, "records": link.statements},
    )
    return link


def _set_person(link: ActorLink, *, person_id: int | None, method: str, actor: Any) -> None:
    """Change the link and re-attribute its records (inside the caller's transaction)."""
    link.person_id = person_id
    link.method = method
    link.resolved_by = _user_or_none(actor)
    link.resolved_at = timezone.now() if person_id else None
    link.save(update_fields=["person", "method", "resolved_by", "resolved_at", "updated_at"])
    actor_reattribute(link=link, person_id=person_id)


# --------------------------------------------------------------------------- automatic again


@dataclass
class ResolveResult:
    checked: int = 0
    resolved: int = 0


def actors_resolve(
    *, actor: Any, county: County, platform_id: int | None = None, request: Any = None
) -> ResolveResult:
    """Try the automatic resolution (external ID, OpenID sub, email, by the platform's identity
    scheme) again for the county's unresolved actors; those that resolve get their records.

    Each actor is its own transaction: a long run never holds the county's rollups for long,
    and running it again simply continues."""
    result = ResolveResult()
    schemes = dict(Platform.objects.filter(county=county).values_list("id", "identity_scheme"))
    links = ActorLink.objects.filter(county=county, person__isnull=True)
    if platform_id is not None:
        links = links.filter(platform_id=platform_id)
    for pk, key, link_platform in links.order_by("id").values_list(
        "pk", "actor_key", "platform_id"
    ):
        result.checked += 1
        home, _name = account_parts(key)
        person_id, method = resolve_person(
            county_id=county.pk,
            actor_key=key,
            home_page=home,
            scheme=schemes.get(link_platform) if link_platform else None,
        )
        if person_id is None:
            continue
        with transaction.atomic():
            link = ActorLink.objects.select_for_update().get(pk=pk)
            if link.person_id is not None:  # mapped meanwhile by someone else
                continue
            _set_person(link, person_id=person_id, method=method, actor=actor)
        result.resolved += 1
    audit_record(
        actor=actor,
        action="analytics.actors_resolve",
        county=county,
        request=request,
        detail={"platform_id": platform_id, "checked": result.checked, "resolved": result.resolved},
    )
    return result


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: its row (None: the whole file), column and message."""

    row: int | None
    field: str
    message: str


class ImportRejected(Exception):
    """The file was refused and nothing changed; `problems` lists every failing row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems[:5]))
        self.problems = problems


def read_table(
    *, filename: str, content: bytes, aliases: dict[str, str], required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV (UTF-8 or Big5) or XLSX file, by column key; ImportRejected when the
    file cannot be read, is too big, or lacks a required column."""
    from dtss.imports.parsing import ParseError, parse_file

    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRejected(
            [Problem(None, "", _("The file is larger than 5 MB; split it into smaller files."))]
        )
    try:
        parsed = parse_file(filename=filename, content=content, aliases=aliases)
    except ParseError as exc:
        raise ImportRejected([Problem(None, "", _(exc.msgid) % exc.params)]) from exc
    missing = [key for key in required if key not in parsed.header]
    if missing:
        raise ImportRejected(
            [
                Problem(None, key, _("The column %(column)s is missing.") % {"column": key})
                for key in missing
            ]
        )
    if not parsed.rows:
        raise ImportRejected([Problem(None, "", _("The file has no rows below its header."))])
    if len(parsed.rows) > MAX_IMPORT_ROWS:
        raise ImportRejected(
            [
                Problem(
                    None,
                    "",
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": MAX_IMPORT_ROWS},
                )
            ]
        )
    return parsed.rows


ACTOR_ALIASES = {
    "account_name": "account_name",
    "account name": "account_name",
    "account": "account_name",
    "帳號": "account_name",
    "平臺帳號": "account_name",
    "平台帳號": "account_name",
    "external_id": "external_id",
    "external id": "external_id",
    "外部代碼": "external_id",
    "學號": "external_id",
    "身分代碼": "external_id",
    "home_page": "home_page",
    "home page": "home_page",
    "homepage": "home_page",
    "帳號網址": "home_page",
}


@dataclass
class ImportResult:
    rows: int = 0
    mapped: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows without an external ID (left as they are)
    problems: list[Problem] = field(default_factory=list)


def _home_pages(county: County, platform: Platform | None) -> list[str]:
    """The account home pages the county's actors are likely to have."""
    if platform is not None:
        homes = [platform.account_home_page] if platform.account_home_page else []
    else:
        homes = [
            h
            for h in Platform.objects.filter(county=county).values_list(
                "account_home_page", flat=True
            )
            if h
        ]
    out: list[str] = []
    for home in homes:
        for variant in (home, home.rstrip("/"), home.rstrip("/") + "/"):
            if variant not in out:
                out.append(variant)
    return out


def _find_actors(
    county: County, platform: Platform | None, wanted: dict[int, tuple[str, str]]
) -> dict[int, list[ActorLink]]:
    """{row: the actors matching its (account name, home page)}: exact keys where the home page
    is known, else any account actor of the county (or of the platform) with that name."""
    base = ActorLink.objects.filter(county=county)
    homes = _home_pages(county, platform)
    loose_base = base
    if platform is not None:
        # the platform's home page names its actors exactly (even those seen before it was
        # registered); without one, its actors are those first seen through it
        loose_base = base.none() if homes else base.filter(platform_id=platform.pk)
    keys_of: dict[int, list[str]] = {}
    for row, (name, home) in wanted.items():
        if name.startswith("mailto:"):
            keys_of[row] = [f"mbox:{name}"]
        elif home:
            keys_of[row] = [f"account:{home}|{name}"]
        else:
            keys_of[row] = [f"account:{h}|{name}" for h in homes]
    all_keys = sorted({k for keys in keys_of.values() for k in keys})
    by_key: dict[str, ActorLink] = {}
    for start in range(0, len(all_keys), 500):
        for link in base.filter(actor_key__in=all_keys[start : start + 500]):
            by_key[link.actor_key] = link
    found: dict[int, list[ActorLink]] = {}
    for row, keys in keys_of.items():
        found[row] = list({by_key[k].pk: by_key[k] for k in keys if k in by_key}.values())
    # Account names whose home page is unknown: any account actor with that name.
    loose = [
        row
        for row, (name, home) in wanted.items()
        if not found[row] and not home and not name.startswith("mailto:")
    ]
    for start in range(0, len(loose), 100):
        chunk = loose[start : start + 100]
        q = Q(pk__in=[])
        for row in chunk:
            q |= Q(actor_key__startswith="account:", actor_key__endswith="|" + wanted[row][0])
        links = list(loose_base.filter(q))
        for row in chunk:
            suffix = "|" + wanted[row][0]
            found[row] = [
                link
                for link in links
                if account_parts(link.actor_key)[1] == wanted[row][0]
                and link.actor_key.endswith(suffix)
            ]
    return found


def actors_import(
    *,
    actor: Any,
    county: County,
    filename: str,
    content: bytes,
    platform: Platform | None = None,
    request: Any = None,
) -> ImportResult:
    """Map the actors listed in a file (columns account_name and external_id, optionally
    home_page) to the people of the county with those external IDs; all or nothing.

    Rows with an empty external ID are skipped (the unresolved-actor export comes back with
    only some rows filled in). Raises ImportRejected, changing nothing, when any row is bad."""
    if platform is not None and platform.county_id != county.pk:
        raise ImportRejected([Problem(None, "platform", _("Choose a platform of this county."))])
    rows = read_table(
        filename=filename,
        content=content,
        aliases=ACTOR_ALIASES,
        required=("account_name", "external_id"),
    )
    result = ImportResult(rows=len(rows))
    problems: list[Problem] = []
    wanted: dict[int, tuple[str, str]] = {}
    external: dict[int, str] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        name = row.get("account_name", "").strip()
        ext = row.get("external_id", "").strip()
        home = row.get("home_page", "").strip()
        if not ext:
            result.skipped += 1
            continue
        if not name:
            problems.append(Problem(number, "account_name", _("The account name is empty.")))
            continue
        if (name, home) in seen:
            problems.append(
                Problem(
                    number,
                    "account_name",
                    _("This account is already on row %(row)s.") % {"row": seen[(name, home)]},
                )
            )
            continue
        seen[(name, home)] = number
        wanted[number] = (name, home)
        external[number] = ext
    people = {}
    ext_values = sorted(set(external.values()))
    for start in range(0, len(ext_values), 500):
        people.update(
            {
                p.external_id: p
                for p in Person.objects.filter(
                    county=county, external_id__in=ext_values[start : start + 500]
                )
            }
        )
    found = _find_actors(county, platform, wanted)
    plan: list[tuple[ActorLink, Person]] = []
    claimed: dict[int, int] = {}
    for number in wanted:
        person = people.get(external[number])
        links = found.get(number, [])
        if person is None:
            problems.append(
                Problem(
                    number,
                    "external_id",
                    _("No person of this county/city has the external ID %(id)s.")
                    % {"id": external[number]},
                )
            )
        if not links:
            problems.append(
                Problem(
                    number,
                    "account_name",
                    _("No learning-record actor of this county/city has the account %(name)s.")
                    % {"name": wanted[number][0]},
                )
            )
        elif len(links) > 1:
            problems.append(
                Problem(
                    number,
                    "account_name",
                    _(
                        "%(count)s actors have the account %(name)s (on different platforms): "
                        "add a home_page column or choose the platform."
                    )
                    % {"count": len(links), "name": wanted[number][0]},
                )
            )
        elif links[0].pk in claimed:
            problems.append(
                Problem(
                    number,
                    "account_name",
                    _("This actor is already on row %(row)s.") % {"row": claimed[links[0].pk]},
                )
            )
        elif person is not None:
            claimed[links[0].pk] = number
            plan.append((links[0], person))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.field)))
    with transaction.atomic():
        for link, person in plan:
            locked = ActorLink.objects.select_for_update().get(pk=link.pk)
            if locked.person_id == person.pk:
                result.unchanged += 1
                continue
            _set_person(locked, person_id=person.pk, method=ActorLink.Method.MANUAL, actor=actor)
            result.mapped += 1
        audit_record(
            actor=actor,
            action="analytics.actors_import",
            county=county,
            request=request,
            detail={
                "file": filename[:200],
                "rows": result.rows,
                "mapped": result.mapped,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            },
        )
    return result
