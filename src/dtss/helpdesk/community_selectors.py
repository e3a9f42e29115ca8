"""Reads of the county's community (L2.D2): the thread list, a thread's posts, and the shared
queue.

Threads and posts start from `visible_to(user)` (the members of the county's community; the
MOE viewer reads every county's). The shared queue is the one read that goes beyond what
`HelpRequest.visible_to` gives a school's administrator: every member sees every *open* request
of their county — but only as `SharedRow`s, built from a fixed list of columns: number, school,
category, platform, subject, status, age, the escalated group and whether it is late. The
requester, the description, the messages and the attachments are never read here (students'
and parents' data stay with the school); the request itself opens only for its handlers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dtss.core.tenancy import scope_for
from dtss.helpdesk import access
from dtss.helpdesk.models import Category, HelpRequest, Platform, Post, Thread
from dtss.helpdesk.selectors import overdue_q

THREAD_SORTS = ("last", "new")
THREAD_STATES = ("solved", "unsolved")
QUEUE_SORTS = ("oldest", "newest")

# The only columns of a request the shared queue ever reads.
SHARED_FIELDS = (
    "public_id",
    "number",
    "county_id",
    "school_id",
    "school__name_zh",
    "school__name_en",
    "category",
    "platform",
    "subject",
    "status",
    "created_at",
    "escalated_to__name",
)


def sort_labels() -> dict[str, str]:
    return {"last": _("Latest post"), "new": _("Newest discussion")}


def state_labels() -> dict[str, str]:
    return {"": _("All"), "unsolved": _("Not solved yet"), "solved": _("Solved")}


def queue_sort_labels() -> dict[str, str]:
    return {"oldest": _("Oldest first"), "newest": _("Newest first")}


# --------------------------------------------------------------------------- who reads


def may_read(user: Any) -> bool:
    """Members of a county's community, and the MOE viewer (read only)."""
    scope = scope_for(user)
    return scope.superuser or scope.everything or access.in_community(user)


def may_read_queue(user: Any) -> bool:
    """The shared queue: members only. Its subjects are often about a student, so the MOE
    viewer, who reads the discussions, does not read it (as it reads no request)."""
    scope = scope_for(user)
    return scope.superuser or access.in_community(user)


def may_write_any(user: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or bool(access.community_county_ids(user))


def counties(*, user: Any) -> QuerySet[Any]:
    """The counties whose community the user reads."""
    from dtss.orgs.models import County

    scope = scope_for(user)
    if scope.superuser or scope.everything:
        return County.objects.all().order_by("code")
    return County.objects.filter(pk__in=access.community_county_ids(user)).order_by("code")


def writable_counties(*, user: Any) -> QuerySet[Any]:
    """The counties whose community the user may write in."""
    from dtss.orgs.models import County

    if scope_for(user).superuser:
        return County.objects.all().order_by("code")
    return County.objects.filter(pk__in=access.community_county_ids(user)).order_by("code")


# --------------------------------------------------------------------------- threads


def thread_list(
    *,
    user: Any,
    topic: str = "",
    query: str = "",
    state: str = "",
    sort: str = "last",
    county_id: int | None = None,
) -> QuerySet[Thread]:
    """The threads the user reads, pinned first, then by the latest post (or newest)."""
    qs = Thread.objects.visible_to(user)
    if county_id:
        qs = qs.filter(county_id=county_id)
    if topic in Category.values:
        qs = qs.filter(topic=topic)
    if state == "solved":
        qs = qs.filter(solved=True)
    elif state == "unsolved":
        qs = qs.filter(solved=False)
    query = (query or "").strip()
    if query:
        in_posts = Post.objects.visible_to(user).filter(body__icontains=query).values("thread_id")
        qs = qs.filter(Q(title__icontains=query) | Q(pk__in=in_posts))
    newest = "-created_at" if sort == "new" else "-last_post_at"
    order = ["-pinned", newest, "-id"]
    return qs.select_related("author", "author_school", "county").order_by(*order)


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    return thread.posts.select_related("author", "author_school").order_by("created_at", "id")


def _one[M](qs: QuerySet[M], public_id: UUID | str) -> M:
    try:
        return qs.get(public_id=public_id)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc  # a malformed id is as missing as another county's


def thread_get(*, user: Any, public_id: UUID | str) -> Thread:
    """One thread the user reads, or 404."""
    qs = Thread.objects.visible_to(user).select_related(
        "author", "author_school", "county", "request", "request__school"
    )
    return _one(qs, public_id)


def post_get(*, user: Any, public_id: UUID | str) -> Post:
    """One post the user reads, or 404."""
    qs = Post.objects.visible_to(user).select_related("thread", "author", "author_school")
    return _one(qs, public_id)


# --------------------------------------------------------------------------- shared queue


@dataclass(frozen=True)
class SharedRow:
    """What the community sees of an open request — nothing about the person who raised it."""

    public_id: UUID
    number: int
    county_id: int
    school_id: int | None
    school_name: str
    category: str
    category_label: str
    platform: str
    platform_label: str
    subject: str
    status: str
    status_label: str
    created_at: dt.datetime
    escalated_to: str
    overdue: bool

    @property
    def age_days(self) -> int:
        return max(0, (timezone.now() - self.created_at).days)


@dataclass(frozen=True)
class QueueFilters:
    category: str = ""
    platform: str = ""
    school_id: int | None = None
    county_id: int | None = None
    sort: str = "oldest"


def _shared_base(user: Any) -> QuerySet[HelpRequest]:
    """The open requests of the counties whose community the user reads. No other filter
    applies: this queryset is only ever read through `SHARED_FIELDS`."""
    scope = scope_for(user)
    qs = HelpRequest.objects.filter(status__in=HelpRequest.OPEN_STATUSES)
    if scope.superuser:
        return qs
    return qs.filter(county_id__in=access.community_county_ids(user))


def shared_schools(*, user: Any) -> QuerySet[Any]:
    """The schools of the counties in the user's shared queue (for the school filter)."""
    from dtss.orgs.models import School

    if not may_read_queue(user):
        return School.objects.none()
    return (
        School.objects.filter(county__in=counties(user=user))
        .select_related("county")
        .order_by("county__code", "code")
    )


def shared_queue(
    *, user: Any, filters: QueueFilters | None = None, now: dt.datetime | None = None
) -> list[SharedRow]:
    """The county's open requests as the community sees them (see the module's docstring)."""
    if not may_read_queue(user):
        return []
    filters = filters or QueueFilters()
    now = now or timezone.now()
    qs = _shared_base(user)
    if filters.county_id:
        qs = qs.filter(county_id=filters.county_id)
    if filters.category in Category.values:
        qs = qs.filter(category=filters.category)
    if filters.platform and filters.platform in Platform.values:
        qs = qs.filter(platform=filters.platform)
    if filters.school_id:
        qs = qs.filter(school_id=filters.school_id)
    late = set(qs.filter(overdue_q(now)).values_list("pk", flat=True))
    order = ("-created_at", "-id") if filters.sort == "newest" else ("created_at", "id")
    categories = dict(Category.choices)
    platforms = dict(Platform.choices)
    statuses = dict(HelpRequest.Status.choices)
    english = (get_language() or "").startswith("en")
    rows = []
    for r in qs.order_by(*order).values("pk", *SHARED_FIELDS):
        school_name = (r["school__name_en"] if english else "") or r["school__name_zh"] or ""
        rows.append(
            SharedRow(
                public_id=r["public_id"],
                number=r["number"],
                county_id=r["county_id"],
                school_id=r["school_id"],
                school_name=school_name or _("County office"),
                category=r["category"],
                category_label=str(categories.get(r["category"], r["category"])),
                platform=r["platform"],
                platform_label=str(platforms.get(r["platform"], "")) if r["platform"] else "",
                subject=r["subject"],
                status=r["status"],
                status_label=str(statuses.get(r["status"], r["status"])),
                created_at=r["created_at"],
                escalated_to=r["escalated_to__name"] or "",
                overdue=r["pk"] in late,
            )
        )
    return rows


def shared_request(*, user: Any, public_id: UUID | str) -> HelpRequest:
    """An open request of the user's shared queue, to link a new thread to (404 otherwise).
    The caller uses only its id, county, number, category and subject."""
    if not may_read(user):
        raise Http404
    qs = _shared_base(user).only(
        "pk", "public_id", "county", "number", "subject", "category", "school_id"
    )
    return _one(qs, public_id)


def request_link(*, user: Any, request_obj: HelpRequest | None) -> dict[str, Any] | None:
    """How a thread shows its request: the number and status for every reader, and the link
    only for those who handle it."""
    if request_obj is None:
        return None
    handler = access.may_handle_request(user, request_obj)
    url = ""
    if handler:
        from django.urls import NoReverseMatch, reverse

        try:
            url = reverse("helpdesk:request_detail", args=[request_obj.public_id])
        except NoReverseMatch:
            url = ""
    return {
        "number": request_obj.number,
        "status": request_obj.get_status_display(),
        "open": request_obj.is_open,
        "school": request_obj.school.name if request_obj.school_id else _("County office"),
        "url": url,
        "handler": handler,
    }
