"""Reads of the identity pages: the county's statement actors and the people they may be.

Who may read them: county administrators and county staff of the county, the MOE viewer and
superusers (every county). School roles, students, parents and accounts without a role get a
403; another county (for a county role) is a 404, like a missing county.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from dtss.analytics.models import ActorLink, Platform
from dtss.core.tenancy import Scope, scope_for
from dtss.orgs.models import County, Enrollment, Membership, Person

STATUSES = ("unresolved", "resolved", "all")
ORDERS = {
    "records": ("-statements", "id"),
    "label": ("label", "id"),
    "last_seen": ("-last_seen", "id"),
    "first_seen": ("-first_seen", "id"),
}
SEARCH_LIMIT = 20


# --------------------------------------------------------------------------- access


def identity_scope(user: Any) -> Scope:
    """The user's scope when they may read actors at all (else PermissionDenied: 403)."""
    scope = scope_for(user)
    if not (scope.superuser or scope.everything or scope.county_ids):
        raise PermissionDenied
    return scope


def identity_counties(user: Any) -> QuerySet[County]:
    """The counties whose actors the user may read."""
    scope = identity_scope(user)
    if scope.superuser or scope.everything:
        return County.objects.order_by("code")
    return County.objects.filter(pk__in=scope.county_ids).order_by("code")


def identity_county(user: Any, code: str) -> County:
    """The county named by `code` (the first one the user may read when empty); 404 outside."""
    counties = identity_counties(user)
    county = counties.filter(code=code).first() if code else counties.first()
    if county is None:
        raise Http404
    return county


def may_map(user: Any, county: County) -> bool:
    """Whether the user may map, unmap and import mappings in this county."""
    return scope_for(user).may_administer_county(county.pk)


def actor_or_404(user: Any, public_id: Any, *, write: bool = False) -> ActorLink:
    """One actor the user may read (write: map); another county's is a 404."""
    identity_scope(user)
    try:
        return (
            ActorLink.objects.visible_to(user, write=write)
            .select_related("county", "person", "resolved_by")
            .get(public_id=public_id)
        )
    except (ActorLink.DoesNotExist, ValueError, TypeError, Exception) as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- lists


def platform_names(county: County) -> dict[int, str]:
    """{platform id: name} of the county's platforms (0 is "no registered platform")."""
    return dict(Platform.objects.filter(county=county).values_list("id", "name"))


@dataclass(frozen=True)
class ActorCounts:
    total: int
    resolved: int
    unresolved: int
    unresolved_records: int


def actor_counts(*, county: County) -> ActorCounts:
    row = ActorLink.objects.filter(county=county).aggregate(
        total=Count("id"),
        resolved=Count("id", filter=Q(person__isnull=False)),
        unresolved_records=Sum("statements", filter=Q(person__isnull=True)),
    )
    total, resolved = row["total"] or 0, row["resolved"] or 0
    return ActorCounts(total, resolved, total - resolved, row["unresolved_records"] or 0)


def actor_list(
    *,
    county: County,
    status: str = "unresolved",
    platform_id: int | None = None,
    query: str = "",
    order: str = "records",
) -> QuerySet[ActorLink]:
    """The county's actors, filtered: `status` unresolved/resolved/all, a platform (0: none
    registered), a search in the label (account name, home page or email)."""
    qs = ActorLink.objects.filter(county=county).select_related("person")
    if status == "unresolved":
        qs = qs.filter(person__isnull=True)
    elif status == "resolved":
        qs = qs.filter(person__isnull=False)
    if platform_id is not None:
        qs = qs.filter(platform_id=platform_id)
    query = query.strip()
    if query:
        qs = qs.filter(label__icontains=query)
    return qs.order_by(*ORDERS.get(order, ORDERS["records"]))


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Placement:
    """Where a person is, for an administrator choosing among namesakes."""

    school: str
    detail: str  # "5年01班 (114學年度第1學期)" or a role


def placements(person_ids: Iterable[int]) -> dict[int, list[Placement]]:
    """{person id: where they are}: their classes (latest term first), else their roles."""
    ids = list(set(person_ids))
    out: dict[int, list[Placement]] = defaultdict(list)
    if not ids:
        return out
    enrollments = (
        Enrollment.objects.filter(student_id__in=ids)
        .select_related("school", "school_class", "school_class__term")
        .order_by("-school_class__term__start_date", "id")
    )
    for e in enrollments:
        out[e.student_id].append(
            Placement(
                e.school.name_zh,
                f"{e.school_class} ({e.school_class.term}) · {e.seat_number:02d}",
            )
        )
    members = (
        Membership.objects.filter(person_id__in=ids)
        .exclude(person_id__in=list(out))
        .select_related("school", "county")
        .order_by("id")
    )
    for m in members:
        where = m.school.name_zh if m.school_id else (m.county.name_zh if m.county_id else "")
        out[m.person_id].append(Placement(where, m.get_role_display()))
    return out


def people_search(
    *, county: County, query: str, students_only: bool = False, limit: int = SEARCH_LIMIT
) -> list[Person]:
    """People of the county whose name contains `query` or whose external ID or OpenID sub is
    exactly `query`; at most `limit`, students (with a class) first."""
    query = query.strip()
    if not query:
        return []
    qs = Person.objects.filter(county=county).filter(
        Q(name__icontains=query) | Q(external_id=query) | Q(openid_sub=query)
    )
    if students_only:
        qs = qs.filter(Exists(Enrollment.objects.filter(student_id=OuterRef("pk"))))
    return list(qs.order_by("name", "id")[:limit])


def person_in_county(*, county: County, public_id: Any) -> Person:
    """A person of the county by public id; 404 for anyone else (or a malformed id)."""
    try:
        return Person.objects.get(county=county, public_id=public_id)
    except (Person.DoesNotExist, ValueError, TypeError, Exception) as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- export


EXPORT_HEADERS = (
    "account_name",
    "home_page",
    "actor",
    "platform",
    "records",
    "first_seen",
    "last_seen",
    "external_id",
)


def account_parts(actor_key: str) -> tuple[str, str]:
    """(home page, account name) of an account actor; ("", "") for any other."""
    if not actor_key.startswith("account:") or "|" not in actor_key:
        return "", ""
    home, name = actor_key.removeprefix("account:").split("|", 1)
    return home, name


def unresolved_export_rows(*, county: County, platform_id: int | None = None) -> Iterable[list]:
    """Rows of the unresolved-actor export, ready to fill in: the `external_id` column is
    empty, so that the file comes back through the mapping import."""
    names = platform_names(county)
    qs = ActorLink.objects.filter(county=county, person__isnull=True)
    if platform_id is not None:
        qs = qs.filter(platform_id=platform_id)
    rows = qs.order_by("-statements", "id").values_list(
        "actor_key", "label", "platform_id", "statements", "first_seen", "last_seen"
    )
    for key, label, pid, statements, first, last in rows.iterator(chunk_size=2000):
        home, name = account_parts(key)
        if not name and key.startswith("mbox:"):
            name = key.removeprefix("mbox:")
        yield [
            name,
            home,
            label,
            names.get(pid, ""),
            statements,
            _local(first),
            _local(last),
            "",
        ]


def _local(moment: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
