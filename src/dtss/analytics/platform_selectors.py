"""Reads of the platform register: who sees which platforms, their record counts, mappings,
and the DTSS xAPI profile's tables (one source for the profile page, its JSON and the docs).

Who may do what:
- county administrators manage their county's platforms (superusers every one);
- county staff read their county's, MOE viewers every county's;
- everyone else (school roles, students, parents, accounts without a role) gets a 403;
  another county's platform is a 404, the same as a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dtss.analytics import profile
from dtss.analytics.models import ActorLink, FileMapping, MappingImport, Platform, SchoolWeekPart
from dtss.core.models import AuditEntry
from dtss.core.tenancy import Scope, scope_for
from dtss.lrs.admin_selectors import credential_traffic
from dtss.orgs.models import County

TREND_WEEKS = 8


def may_read(user: Any) -> Scope:
    """The scope of a user who may read the register; 403 for anyone else."""
    scope = scope_for(user)
    if not scope.is_county_level:
        raise PermissionDenied
    return scope


def may_manage(scope: Scope) -> bool:
    return scope.superuser or bool(scope.admin_county_ids)


def counties_managed(user: Any) -> QuerySet[County]:
    """The counties whose platforms the user may register."""
    return County.objects.visible_to(user, write=True).order_by("code")


def platform_list(
    *, user: Any, query: str = "", status: str = "", sort: str = "name"
) -> QuerySet[Platform]:
    """The platforms the user may read, filtered by text (name, kind label, home page) and
    status ("active", "inactive" or "" for both)."""
    may_read(user)
    qs = (
        Platform.objects.visible_to(user)
        .select_related("county", "credential")
        .annotate(mapping_count=Count("mappings"))
    )
    query = query.strip()
    if query:
        kinds = [k for k, label in Platform.Kind.choices if query.lower() in str(label).lower()]
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(account_home_page__icontains=query)
            | Q(kind__in=kinds)
            | Q(purpose__icontains=query)
        )
    if status == "active":
        qs = qs.filter(active=True)
    elif status == "inactive":
        qs = qs.filter(active=False)
    order = {
        "name": ["county__code", "name"],
        "-name": ["county__code", "-name"],
        "kind": ["kind", "name"],
        "retention": ["retention_days", "name"],
        "-retention": ["-retention_days", "name"],
        "created": ["created_at", "id"],
        "-created": ["-created_at", "-id"],
    }.get(sort, ["county__code", "name"])
    return qs.order_by(*order)


def platform_get(*, user: Any, public_id: Any, write: bool = False) -> Platform:
    """One platform: 404 when missing or another county's; with `write`, 403 when the user may
    read it but not change it."""
    may_read(user)
    base = Platform.objects.select_related("county", "credential", "created_by")
    try:
        if write:
            found = base.visible_to(user, write=True).filter(public_id=public_id).first()
            if found is not None:
                return found
            if base.visible_to(user).filter(public_id=public_id).exists():
                raise PermissionDenied
            raise Http404
        return base.visible_to(user).get(public_id=public_id)
    except (Platform.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def may_change(user: Any, platform: Platform) -> bool:
    return scope_for(user).may_administer_county(platform.county_id)


def mappings_of(*, platform: Platform) -> QuerySet[FileMapping]:
    return FileMapping.objects.filter(platform=platform).order_by("name", "id")


def mapping_get(*, platform: Platform, public_id: Any) -> FileMapping:
    """A mapping of this (already scoped) platform; 404 otherwise."""
    try:
        return FileMapping.objects.select_related("platform").get(
            platform=platform, public_id=public_id
        )
    except (FileMapping.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- file imports


def imports_of(*, platform: Platform) -> QuerySet[MappingImport]:
    """The platform's file imports, newest first (previews not imported are left out). Never
    loads the files (the manager defers them)."""
    return (
        MappingImport.objects.filter(platform=platform)
        .exclude(status=MappingImport.Status.PREVIEWED)
        .select_related("mapping", "created_by")
        .order_by("-created_at", "-id")
    )


def import_get(*, platform: Platform, public_id: Any) -> MappingImport:
    """An import of this (already scoped) platform; 404 otherwise (another platform's, another
    county's, a malformed id)."""
    try:
        return MappingImport.objects.select_related("platform", "mapping", "created_by").get(
            platform=platform, public_id=public_id
        )
    except (MappingImport.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class ImportProgress:
    phase: str  # previewed, queued, running, stalled, finished
    done: int  # rows checked
    total: int
    percent: int


def import_progress(*, job: MappingImport) -> ImportProgress:
    """How far an import has got. While it runs the rows checked come from the shared cache
    (its row cannot be written during the import's transaction); otherwise the row counts."""
    from dtss.analytics.platform_services import import_progress_read, import_stalled

    total = job.rows
    if job.status == MappingImport.Status.PREVIEWED:
        return ImportProgress("previewed", 0, total, 0)
    if job.status == MappingImport.Status.QUEUED:
        return ImportProgress("queued", 0, total, 0)
    if job.status == MappingImport.Status.RUNNING:
        if import_stalled(job):
            return ImportProgress("stalled", 0, total, 0)
        read = import_progress_read(job_id=job.pk)
        done, total = read if read is not None else (0, total)
        percent = min(99, int(done * 100 / total)) if total else 0
        return ImportProgress("running", done, total, percent)
    return ImportProgress("finished", total, total, 100)


# --------------------------------------------------------------------------- record counts


@dataclass
class WeekFigures:
    week: dt.date
    events: int = 0
    minutes: float = 0.0
    completions: int = 0


@dataclass
class PlatformCounts:
    actors: int = 0
    resolved: int = 0
    unresolved: int = 0
    records: int = 0  # rolled-up records (ActorLink.statements)
    last_seen: dt.datetime | None = None
    last_stored: dt.datetime | None = None  # by the platform's credential
    recent: int = 0  # stored by its credential in the last 7 days
    weeks: list[WeekFigures] = field(default_factory=list)

    @property
    def max_events(self) -> int:
        return max((w.events for w in self.weeks), default=0)


def platform_counts(*, platform: Platform, today: dt.date | None = None) -> PlatformCounts:
    """What the county has received from the platform: its actors (resolved to DTSS people or
    not) and their records from the rollups, the last eight weeks by week (resolved students'
    records, from SchoolWeekPart), and its credential's traffic. A handful of queries on
    indexed columns, bounded by county and week."""
    out = PlatformCounts()
    agg = ActorLink.objects.filter(county_id=platform.county_id, platform_id=platform.pk).aggregate(
        actors=Count("id"),
        resolved=Count("id", filter=Q(person__isnull=False)),
        records=Sum("statements"),
        last=Max("last_seen"),
    )
    out.actors = agg["actors"] or 0
    out.resolved = agg["resolved"] or 0
    out.unresolved = out.actors - out.resolved
    out.records = agg["records"] or 0
    out.last_seen = agg["last"]
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=TREND_WEEKS - 1)
    rows = (
        SchoolWeekPart.objects.filter(
            county_id=platform.county_id, week__gte=first, platform_id=platform.pk
        )
        .values("week")
        .annotate(events=Sum("events"), seconds=Sum("seconds"), completions=Sum("completions"))
        .order_by()
    )
    by_week = {r["week"]: r for r in rows}
    for i in range(TREND_WEEKS):
        week = first + dt.timedelta(weeks=i)
        r = by_week.get(week) or {}
        out.weeks.append(
            WeekFigures(
                week=week,
                events=r.get("events") or 0,
                minutes=round((r.get("seconds") or 0) / 60, 1),
                completions=r.get("completions") or 0,
            )
        )
    if platform.credential_id:
        traffic = credential_traffic(credential_ids=[platform.credential_id]).get(
            platform.credential_id
        )
        if traffic is not None:
            out.last_stored = traffic.last_stored
            out.recent = traffic.recent
    return out


# --------------------------------------------------------------------------- history


def platform_history(*, user: Any, platform: Platform, limit: int = 10) -> list[AuditEntry]:
    """The latest audit entries of the platform and of its mappings and imports (a file import
    names the platform in its detail; a queued or failed import is its own object)."""
    key = str(platform.public_id)
    q = Q(object_id=key) | Q(
        action__startswith="analytics.mapping_",
        county_id=platform.county_id,
        detail__platform=key,
    )
    return list(AuditEntry.objects.visible_to(user).filter(q).order_by("-at", "-id")[:limit])


# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class ExtensionRow:
    iri: str
    zh: str
    en: str
    where: str
    value: str


EXTENSIONS: tuple[ExtensionRow, ...] = (
    ExtensionRow(
        profile.EXT_SUBJECT,
        "科目／領域",
        "subject",
        "context.extensions (or object.definition.extensions)",
        "a subject code (table below); Chinese names and common aliases are read too",
    ),
    ExtensionRow(
        profile.EXT_GRADE,
        "年級",
        "grade",
        "context.extensions",
        "an integer 1–12",
    ),
    ExtensionRow(
        profile.EXT_NODE,
        "知識節點",
        "knowledge node",
        "context.extensions",
        "the platform's knowledge node id (e.g. 因材網 節點)",
    ),
    ExtensionRow(
        profile.EXT_DOMAIN,
        "108 課綱學習表現",
        "108 curriculum domain",
        "context.extensions",
        "a 108 curriculum learning-performance code, e.g. n-III-6",
    ),
)


def profile_tables() -> dict[str, Any]:
    """The profile's tables, straight from profile.py."""
    return {
        "verbs": profile.VERBS,
        "activity_types": profile.ACTIVITY_KINDS,
        "extensions": EXTENSIONS,
        "subjects": [(code, zh, en) for code, (zh, en) in profile.SUBJECTS.items()],
        "aliases": sorted(profile.SUBJECT_ALIASES.items(), key=lambda i: (i[1], i[0])),
    }


def profile_document() -> dict[str, Any]:
    """A machine-readable form of the profile (JSON-LD flavoured, after the xAPI Profiles
    specification's concept types)."""
    concepts: list[dict[str, Any]] = []
    for v in profile.VERBS:
        concepts.append(
            {
                "id": v.iri,
                "type": "Verb",
                "code": v.code,
                "prefLabel": {"zh-TW": v.zh, "en": v.en},
                "definition": {"en": v.meaning},
            }
        )
    for k in profile.ACTIVITY_KINDS:
        concepts.append(
            {
                "id": k.iri,
                "type": "ActivityType",
                "code": k.code,
                "prefLabel": {"zh-TW": k.zh, "en": k.en},
                "definition": {"en": k.meaning},
            }
        )
    for e in EXTENSIONS:
        concepts.append(
            {
                "id": e.iri,
                "type": "ContextExtension",
                "prefLabel": {"zh-TW": e.zh, "en": e.en},
                "definition": {"en": f"{e.value}; in {e.where}"},
            }
        )
    return {
        "@context": "https://w3id.org/xapi/profiles/context",
        "id": "https://dtss.tw/xapi/profile",
        "type": "Profile",
        "prefLabel": {"zh-TW": "DTSS xAPI 學習紀錄規範", "en": "DTSS xAPI profile"},
        "definition": {
            "en": "What DTSS reads from learning platforms' xAPI statements (docs/xapi-profile.md)."
        },
        "conformsTo": "https://w3id.org/xapi/profiles#1.0",
        "concepts": concepts,
        "subjects": [
            {"code": c, "zh-TW": zh, "en": en} for c, (zh, en) in profile.SUBJECTS.items()
        ],
        "subjectAliases": dict(profile.SUBJECT_ALIASES),
    }


def profile_markdown() -> str:
    """The tables of docs/xapi-profile.md between its "generated" markers (a test holds the
    document to this, so it never drifts from profile.py)."""
    t = profile_tables()
    lines = ["### Verbs", "", "| code | IRI | 中文 | English | meaning |", "|---|---|---|---|---|"]
    lines += [f"| `{v.code}` | `{v.iri}` | {v.zh} | {v.en} | {v.meaning} |" for v in t["verbs"]]
    lines += ["", "### Activity types", "", "| code | IRI | 中文 | English | meaning |"]
    lines += ["|---|---|---|---|---|"]
    lines += [
        f"| `{k.code}` | `{k.iri}` | {k.zh} | {k.en} | {k.meaning} |" for k in t["activity_types"]
    ]
    lines += ["", "### Extensions", "", "| IRI | 中文 | English | where | value |"]
    lines += ["|---|---|---|---|---|"]
    lines += [f"| `{e.iri}` | {e.zh} | {e.en} | {e.where} | {e.value} |" for e in t["extensions"]]
    lines += ["", "### Subjects", "", "| code | 中文 | English |", "|---|---|---|"]
    lines += [f"| `{code}` | {zh} | {en} |" for code, zh, en in t["subjects"]]
    lines += ["", "### Subject aliases read", "", "| value | code |", "|---|---|"]
    lines += [f"| {alias} | `{code}` |" for alias, code in t["aliases"]]
    return "\n".join(lines) + "\n"
