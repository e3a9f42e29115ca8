"""Reads of the learner-group register: disadvantaged groups and the 學習扶助 / 數位學伴
programmes, per county.

Who reads it: county administrators of the county see each member by name (they keep the
register); county staff and the MOE viewer see the counts and the rows under pseudonyms only
(`access.pseudonym`), never a name; everyone else gets a 403 and another county is a 404.
Membership of such a group is sensitive data: every list view is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dtss.analytics.access import pseudonym
from dtss.analytics.identity_selectors import identity_counties, identity_county, placements
from dtss.analytics.models import LearnerGroup
from dtss.core.tenancy import scope_for
from dtss.orgs.models import County

STATUSES = ("current", "upcoming", "ended", "all")


def group_counties(user: Any) -> QuerySet[County]:
    """The counties whose register the user may read (county roles, MOE viewer, superuser)."""
    return identity_counties(user)


def group_county(user: Any, code: str) -> County:
    return identity_county(user, code)


def may_manage(user: Any, county: County) -> bool:
    """Whether the user keeps the county's register (and so sees names)."""
    return scope_for(user).may_administer_county(county.pk)


def group_or_404(user: Any, public_id: Any) -> LearnerGroup:
    """One membership, for a change: 404 outside the user's counties, 403 for a reader."""
    scope = scope_for(user)
    if not (scope.superuser or scope.everything or scope.county_ids):
        raise PermissionDenied
    try:
        group = (
            LearnerGroup.objects.visible_to(user)
            .select_related("county", "person")
            .get(public_id=public_id)
        )
    except (LearnerGroup.DoesNotExist, ValueError, TypeError, Exception) as exc:
        raise Http404 from exc
    if not may_manage(user, group.county):
        raise PermissionDenied
    return group


def _status_q(status: str, today: dt.date) -> Q:
    current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    if status == "current":
        return current
    if status == "upcoming":
        return Q(start_date__gt=today)
    if status == "ended":
        return Q(end_date__lt=today)
    return Q()


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    programme: bool
    current: int
    upcoming: int
    ended: int


def group_counts(*, county: County, today: dt.date) -> list[KindCount]:
    """Per kind: members now, members to come, memberships ended (one query)."""
    rows = {
        r["kind"]: r
        for r in LearnerGroup.objects.filter(county=county)
        .values("kind")
        .annotate(
            current=Count("id", filter=_status_q("current", today)),
            upcoming=Count("id", filter=_status_q("upcoming", today)),
            ended=Count("id", filter=_status_q("ended", today)),
        )
    }
    out = []
    for kind, label in LearnerGroup.Kind.choices:
        r = rows.get(kind, {})
        out.append(
            KindCount(
                kind,
                str(label),
                kind in LearnerGroup.PROGRAMMES,
                r.get("current", 0),
                r.get("upcoming", 0),
                r.get("ended", 0),
            )
        )
    return out


def group_list(
    *, county: County, today: dt.date, kind: str = "", status: str = "current", query: str = ""
) -> QuerySet[LearnerGroup]:
    """The county's memberships, filtered by kind and status; `query` (a name or an exact
    external ID) is for the administrators' view only."""
    qs = LearnerGroup.objects.filter(county=county).select_related("person")
    if kind in LearnerGroup.Kind.values:
        qs = qs.filter(kind=kind)
    qs = qs.filter(_status_q(status if status in STATUSES else "current", today))
    query = query.strip()
    if query:
        qs = qs.filter(Q(person__name__icontains=query) | Q(person__external_id=query))
    return qs.order_by("kind", "-start_date", "id")


@dataclass(frozen=True)
class GroupRow:
    group: LearnerGroup
    who: str  # the name (administrators) or the pseudonym
    external_id: str
    place: str  # school and class (administrators only)


def group_rows(groups: Iterable[LearnerGroup], *, names: bool) -> list[GroupRow]:
    groups = list(groups)
    places = placements([g.person_id for g in groups]) if names else {}
    out = []
    for g in groups:
        if names:
            where = places.get(g.person_id) or []
            place = f"{where[0].school} {where[0].detail}" if where else ""
            out.append(GroupRow(g, g.person.name, g.person.external_id, place))
        else:
            out.append(GroupRow(g, pseudonym(g.person_id), "", ""))
    return out


EXPORT_HEADERS = (
    "external_id",
    "name",
    "kind",
    "kind_label",
    "start_date",
    "end_date",
    "school_and_class",
)


def group_export_rows(
    *, county: County, today: dt.date, kind: str = "", status: str = "all"
) -> Iterator[list[Any]]:
    """The register as rows in the import's columns (plus name and place), in chunks."""
    qs = group_list(county=county, today=today, kind=kind, status=status)
    batch: list[LearnerGroup] = []
    for group in qs.iterator(chunk_size=1000):
        batch.append(group)
        if len(batch) >= 1000:
            yield from _export_batch(batch)
            batch = []
    yield from _export_batch(batch)


def _export_batch(groups: list[LearnerGroup]) -> Iterable[list[Any]]:
    for row in group_rows(groups, names=True):
        g = row.group
        yield [
            row.external_id,
            row.who,
            g.kind,
            g.get_kind_display(),
            g.start_date.isoformat(),
            g.end_date.isoformat() if g.end_date else "",
            row.place,
        ]
