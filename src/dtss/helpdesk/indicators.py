"""Indicators of the helpdesk (DESIGN.md rule 4), registered with the framework when the app is
ready.

County level (Table 6):
- `helpdesk.county_first_response_hours` (L7.M2, an online real-time question-response system):
  the median time to the first response, in working hours on each request's calendar, of the
  requests raised in the 90 days up to `as_of` and answered by then. Lower is better.
- `helpdesk.county_first_response_within_target` (L7.M2): of those requests whose first response
  is decided by `as_of` (given, or overdue), the share answered within the category's target.
  Achieved at 80 %.
- `helpdesk.county_school_coverage` (L7.M2): of the county's active schools, the share with at
  least one request raised in the 90 days and answered by `as_of` — the system is used and
  answered across the county, not in a few schools.
- `helpdesk.county_articles` (L7.M2): published knowledge-base articles (the county's and its
  schools') by `as_of`.
- `helpdesk.community_members` (L2.D2, a county community of system administrators and IT
  heads): distinct people (the county's office and the schools' administrators) who posted in
  the county's community in the 90 days up to `as_of`.
- `helpdesk.community_school_share` (L2.D2): of the county's active schools, the share with an
  administrator (principal, director, IT head) who posted in those 90 days.

School level (Table 7):
- `helpdesk.school_video_articles` (S3.A1, "record repair work and common problems as teaching
  videos"): the school's own published knowledge-base articles that carry a video. Achieved at 1.

None where nothing is measured: no request raised in the window (response figures), no post in
the county's community ever (community figures), no published article of the school's own
(videos). `as_of` is honoured through the rows' dates (raised, answered, published, posted);
an article's status, a school's being active and a person's administrator role are read as
they are now.

Every value is computed for many orgs at once (`compute_many`) from a few queries shared by
the indicators of one reading (`memoized`): a county dashboard costs the same whatever the
number of schools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dtss.core.indicators import Indicator, memoized, register

WINDOW_DAYS = 90


def _ids(orgs: Sequence[Any]) -> tuple[int, ...]:
    return tuple(sorted(o.pk for o in orgs))


def _one(many: Any) -> Any:
    return lambda org, as_of: many([org], as_of).get(org.pk)


def _bounds(as_of: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(window start, end of as_of, the moment the figures are read at: the end of as_of, or
    now if as_of is today)."""
    from dtss.helpdesk.report_selectors import end_of, start_of

    start = start_of(as_of - dt.timedelta(days=WINDOW_DAYS - 1))
    end = end_of(as_of)
    return start, end, min(end, timezone.now())


def _active_schools(ids: tuple[int, ...]) -> dict[int, set[int]]:
    """{county id: its active schools' ids}."""
    from dtss.orgs.models import School

    def run() -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for county_id, pk in School.objects.filter(county_id__in=ids, active=True).values_list(
            "county_id", "pk"
        ):
            out.setdefault(county_id, set()).add(pk)
        return out

    return memoized(("helpdesk.active_schools", ids), run)


# --------------------------------------------------------------------------- responses


def _responses(ids: tuple[int, ...], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """{county id: {"raised", "hours": [...], "met", "missed", "schools": {answered school ids}}}
    over the requests raised in the window."""
    from dtss.helpdesk.models import HelpRequest
    from dtss.helpdesk.report_selectors import (
        MET,
        MISSED,
        CalendarBook,
        first_response_outcome,
    )

    def run() -> dict[int, dict[str, Any]]:
        start, end, now = _bounds(as_of)
        rows = list(
            HelpRequest.objects.filter(
                county_id__in=ids, created_at__gte=start, created_at__lt=end
            ).values_list(
                "county_id",
                "school_id",
                "created_at",
                "first_responded_at",
                "first_response_due",
                "first_response_breached_at",
                "resolved_at",
            )
        )
        out: dict[int, dict[str, Any]] = {}
        if not rows:
            return out
        book = CalendarBook(ids, timezone.localdate(start), as_of)
        for county_id, school_id, created, responded, due, breached, resolved in rows:
            agg = out.setdefault(
                county_id, {"raised": 0, "hours": [], MET: 0, MISSED: 0, "schools": set()}
            )
            agg["raised"] += 1
            answered = responded is not None and responded <= now
            if answered:
                agg["hours"].append(book.hours(county_id, school_id, created, responded))
                if school_id:
                    agg["schools"].add(school_id)
            outcome = first_response_outcome(
                responded_at=responded, due=due, breached_at=breached, resolved_at=resolved, now=now
            )
            if outcome in (MET, MISSED):
                agg[outcome] += 1
        return out

    return memoized(("helpdesk.responses", ids, as_of), run)


def first_response_hours_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.helpdesk.report_selectors import median

    rows = _responses(_ids(orgs), as_of)
    return {pk: median(rows[pk]["hours"]) if pk in rows else None for pk in _ids(orgs)}


def within_target_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.helpdesk.report_selectors import MET, MISSED, share

    rows = _responses(_ids(orgs), as_of)
    return {
        pk: share(r[MET], r[MET] + r[MISSED]) if (r := rows.get(pk)) else None for pk in _ids(orgs)
    }


def school_coverage_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.helpdesk.report_selectors import share

    ids = _ids(orgs)
    rows = _responses(ids, as_of)
    if not rows:
        return dict.fromkeys(ids)
    schools = _active_schools(ids)
    return {
        pk: share(len(r["schools"] & schools.get(pk, set())), len(schools.get(pk, ())))
        if (r := rows.get(pk))
        else None
        for pk in ids
    }


# --------------------------------------------------------------------------- knowledge base


def articles_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.helpdesk.models import Article
    from dtss.helpdesk.report_selectors import end_of

    ids = _ids(orgs)
    counts = dict(
        Article.objects.filter(
            county_id__in=ids,
            status=Article.Status.PUBLISHED,
            published_at__lt=end_of(as_of),
        )
        .values("county_id")
        .annotate(n=Count("id"))
        .values_list("county_id", "n")
    )
    return {pk: float(counts.get(pk, 0)) for pk in ids}


def video_articles_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    """The school's own published articles with a video (None: no published article of its
    own)."""
    from dtss.helpdesk.models import Article, ArticleMedia
    from dtss.helpdesk.report_selectors import end_of

    ids = _ids(orgs)
    end = end_of(as_of)
    video = Exists(
        ArticleMedia.objects.filter(
            article_id=OuterRef("pk"), kind=ArticleMedia.Kind.VIDEO, created_at__lt=end
        )
    )
    rows = {
        school_id: (n, with_video)
        for school_id, n, with_video in Article.objects.filter(
            school_id__in=ids, status=Article.Status.PUBLISHED, published_at__lt=end
        )
        .values("school_id")
        .annotate(n=Count("id"), with_video=Count("id", filter=Q(video)))
        .values_list("school_id", "n", "with_video")
    }
    return {pk: float(rows[pk][1]) if pk in rows else None for pk in ids}


# --------------------------------------------------------------------------- community


def _community(ids: tuple[int, ...], as_of: dt.date) -> dict[int, dict[str, int]]:
    """{county id: {"members": distinct posters in the window, "schools": active schools with
    an administrator who posted}} for the counties whose community has any post by as_of."""
    from dtss.helpdesk.models import Post
    from dtss.orgs.models import Membership, Role

    def run() -> dict[int, dict[str, int]]:
        start, end, _now = _bounds(as_of)
        out = {
            county_id: {"members": members, "schools": 0}
            for county_id, members in Post.objects.filter(county_id__in=ids, created_at__lt=end)
            .values("county_id")
            .annotate(
                members=Count("author_id", distinct=True, filter=Q(created_at__gte=start)),
            )
            .values_list("county_id", "members")
        }
        if not out:
            return out
        posted = Post.objects.filter(
            author_id=OuterRef("person_id"),
            county_id=OuterRef("school__county_id"),
            created_at__gte=start,
            created_at__lt=end,
        )
        for county_id, n in (
            Membership.objects.filter(
                role=Role.SCHOOL_ADMIN, school__county_id__in=list(out), school__active=True
            )
            .filter(Exists(posted))
            .values("school__county_id")
            .annotate(n=Count("school_id", distinct=True))
            .values_list("school__county_id", "n")
        ):
            out[county_id]["schools"] = n
        return out

    return memoized(("helpdesk.community", ids, as_of), run)


def community_members_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    rows = _community(_ids(orgs), as_of)
    return {pk: float(rows[pk]["members"]) if pk in rows else None for pk in _ids(orgs)}


def community_school_share_many(orgs: Sequence[Any], as_of: dt.date) -> dict[int, float | None]:
    from dtss.helpdesk.report_selectors import share

    ids = _ids(orgs)
    rows = _community(ids, as_of)
    if not rows:
        return dict.fromkeys(ids)
    schools = _active_schools(ids)
    return {
        pk: share(rows[pk]["schools"], len(schools.get(pk, ()))) if pk in rows else None
        for pk in ids
    }


# --------------------------------------------------------------------------- registration


def _register(
    id: str,
    level: str,
    strategies: tuple[str, ...],
    many: Any,
    title_zh: str,
    title_en: str,
    description_zh: str,
    description_en: str,
    **kw: Any,
) -> None:
    register(
        Indicator(
            id=id,
            level=level,  # type: ignore[arg-type]
            strategies=strategies,
            title_zh=title_zh,
            title_en=title_en,
            compute=_one(many),
            compute_many=many,
            description_zh=description_zh,
            description_en=description_en,
            **kw,
        )
    )


_register(
    "helpdesk.county_first_response_hours",
    "county",
    ("L7.M2",),
    first_response_hours_many,
    "求助首次回應時間中位數（工作時數）",
    "Median first response to help requests (working hours)",
    "近 90 天提出且已回應的求助案件，自提出到首次回應所經過的工作時數（只計上班時間，"
    "扣除停班日）之中位數。",
    "Of the help requests raised in the last 90 days and answered: the median time to the "
    "first response, counted in working hours (office hours on working days only).",
    unit="hours",
    higher_is_better=False,
)
_register(
    "helpdesk.county_first_response_within_target",
    "county",
    ("L7.M2",),
    within_target_many,
    "求助首次回應達標率",
    "Help requests answered within the target",
    "近 90 天提出的求助案件中（已回應或已逾時者），在該類別服務目標時間內首次回應的比率。",
    "Of the help requests raised in the last 90 days whose first response is answered or "
    "overdue: the share answered within its category's target.",
    unit="%",
    achieved_at=80.0,
)
_register(
    "helpdesk.county_school_coverage",
    "county",
    ("L7.M2",),
    school_coverage_many,
    "有求助獲得回應的學校比率",
    "Schools with a help request answered",
    "縣市內的學校中，近 90 天至少有一件求助案件提出並獲得回應者的比率。",
    "Of the county's schools: those with at least one help request raised in the last 90 "
    "days and answered.",
    unit="%",
)
_register(
    "helpdesk.county_articles",
    "county",
    ("L7.M2",),
    articles_many,
    "知識庫已發布文章數",
    "Published knowledge-base articles",
    "縣市與各校在知識庫已發布的文章數（常見問題與操作說明）。",
    "Articles published in the knowledge base by the county and its schools (common problems "
    "and how-tos).",
    unit="count",
)
_register(
    "helpdesk.community_members",
    "county",
    ("L2.D2",),
    community_members_many,
    "數位教學社群近 90 天參與人數",
    "Community members who posted in the last 90 days",
    "近 90 天在縣市社群（數推辦與各校行政、資訊組長）發文或回覆的不重複人數。",
    "Distinct people (the county's office and the schools' administrators and IT heads) who "
    "posted in the county's community in the last 90 days.",
    unit="count",
)
_register(
    "helpdesk.community_school_share",
    "county",
    ("L2.D2",),
    community_school_share_many,
    "學校參與數位教學社群比率",
    "Schools taking part in the community",
    "縣市內的學校中，近 90 天有校長、主任或資訊組長在縣市社群發文或回覆者的比率。",
    "Of the county's schools: those whose principal, a director or the IT head posted in the "
    "county's community in the last 90 days.",
    unit="%",
)
_register(
    "helpdesk.school_video_articles",
    "school",
    ("S3.A1",),
    video_articles_many,
    "學校錄製教學影片的知識庫文章數",
    "School knowledge-base articles with a video",
    "學校自行發布、附有影片的知識庫文章數（例如維修電腦與常見問題的教學影片）。",
    "The school's own published knowledge-base articles that carry a video (e.g. repair work "
    "and common problems recorded as teaching videos).",
    unit="count",
    achieved_at=1.0,
)
