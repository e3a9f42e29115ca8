"""JSON API of the overview pages: the school view, the county view and the programme view.

The same figures as the pages (and their files), from the same selectors, with the same
suppression: a hidden row carries `hidden: true` and null figures. Who may call what is the
pages' rule (`overview_views`): 403 for a role that may never see the view, 404 for a school or
county outside the caller's scope. A bad period or parameter is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from dtss.analytics import county_selectors as county_sel
from dtss.analytics import programme_selectors as prog_sel
from dtss.analytics import school_selectors as school_sel
from dtss.api.access import require_county_level, require_staff
from dtss.api.schemas import responses
from dtss.core.services import audit_record

SchoolId = Annotated[UUID, Path(description="The school's id (its public_id).")]
CountyCode = Annotated[str, Path(description="The county's MOI code.")]
Programme = Annotated[str, Path(description="learning_support or digital_companion.")]


class PeriodQuery(Schema):
    period: str = Field("term", description='"term" (default), "4w" or "custom".')
    term: str = Field("", description='With "term": e.g. "114-1"; default the current term.')
    start: str = Field("", description='With "custom": the first day, YYYY-MM-DD.')
    end: str = Field("", description='With "custom": the last day, YYYY-MM-DD.')


class ProgrammeQuery(PeriodQuery):
    weeks: int = Field(4, ge=1, le=12, description="Weeks before and after each start (N).")


class PeriodOut(Schema):
    kind: str = Field(description='"term", "4w" or "custom".')
    start: str = Field(description="The Monday of the first week.")
    end: str = Field(description="The Sunday of the last week.")
    weeks: int = Field(description="Number of weeks.")
    term: str | None = Field(description='The term the enrolled counts come from, e.g. "114-1".')


class RowOut(Schema):
    key: str = Field(description="The row's key: a week, grade, class id, school id, code …")
    label: str = Field(description="What the row describes, in the request's language.")
    hidden: bool = Field(description="Suppressed (fewer than k students, or to protect one).")
    enrolled: int | None = Field(description="Students enrolled (not a learning figure).")
    active: int | None = Field(description="Active students (n of the suppression rule).")
    active_share: float | None = Field(description="Weekly active share of the enrolled (%).")
    minutes_per_active: float | None = Field(description="Minutes per active student per week.")
    minutes: float | None = Field(description="Total minutes.")
    correct_rate: float | None = Field(description="Correct answers of all answers (%).")
    mean_score: float | None = Field(description="Mean scaled score (%).")
    change: float | None = Field(description="Active share vs the previous period (points).")
    url: str = Field(description="The page this row drills down to, if the caller may open it.")


class SchoolOverviewOut(Schema):
    school: str = Field(description="The school's id.")
    name: str = Field(description="The school's name.")
    period: PeriodOut = Field(description="The period the figures cover.")
    k: int = Field(description="The minimum group size.")
    suppressed_for_you: bool = Field(description="False when you see the students by name.")
    total: RowOut = Field(description="The whole school.")
    weekly: list[RowOut] = Field(description="Per week of the period.")
    grades: list[RowOut] = Field(description="Per grade.")
    classes: list[RowOut] = Field(description="Per class.")
    subjects: list[RowOut] = Field(description="Per subject.")
    platforms: list[RowOut] = Field(description="Per platform.")


class CountyOverviewOut(Schema):
    county: str = Field(description="The county's MOI code.")
    name: str = Field(description="The county's name.")
    period: PeriodOut = Field(description="The period the figures cover.")
    k: int = Field(description="The minimum group size.")
    total: RowOut = Field(description="The whole county.")
    weekly: list[RowOut] = Field(description="Per week of the period.")
    schools: list[RowOut] = Field(description="Per school.")
    districts: list[RowOut] = Field(description="Per district.")
    stages: list[RowOut] = Field(description="Per school stage.")
    areas: list[RowOut] = Field(description="Per remote-area category.")
    groups: list[RowOut] = Field(description="Per learner group (e.g. disadvantaged groups).")
    terms: list[RowOut] = Field(description="The trend across the latest terms.")


class LineOut(Schema):
    metric: str = Field(description='"minutes", "active_share" or "correct_rate".')
    p_before: float | None = Field(None, description="Participants, the N weeks before.")
    p_after: float | None = Field(None, description="Participants, the N weeks after.")
    p_change: float | None = Field(None, description="Participants, after minus before.")
    c_before: float | None = Field(None, description="Comparison group, the N weeks before.")
    c_after: float | None = Field(None, description="Comparison group, the N weeks after.")
    c_change: float | None = Field(None, description="Comparison group, after minus before.")
    did: float | None = Field(None, description="Difference in differences.")


class DidRowOut(Schema):
    key: str = Field(description="The row's key: all, or a grade.")
    label: str = Field(description="What the row describes, in the request's language.")
    hidden: bool = Field(description="Suppressed (fewer than k participants, or to protect one).")
    participants: int | None = Field(description="Participants counted (null when hidden).")
    comparison_students: int | None = Field(description="Comparison students (null: hidden).")
    lines: list[LineOut] = Field(description="One line per measure.")


class ParticipantOut(Schema):
    pseudonym: str = Field(description="The participant's pseudonymous id.")
    grade: int | None = Field(description="Grade when they started (null: unknown).")
    start_date: str = Field(description="The day they started, YYYY-MM-DD.")
    minutes_before: float | None = Field(description="Minutes per week before.")
    minutes_after: float | None = Field(description="Minutes per week after.")
    weeks_active_before: int = Field(description="Weeks active before.")
    weeks_active_after: int = Field(description="Weeks active after.")
    correct_rate_before: float | None = Field(description="Correct rate before (%).")
    correct_rate_after: float | None = Field(description="Correct rate after (%).")


class ProgrammeOut(Schema):
    county: str = Field(description="The county's MOI code.")
    programme: str = Field(description="learning_support or digital_companion.")
    weeks: int = Field(description="Weeks before and after each start (N).")
    period: PeriodOut = Field(description="The period in which participants started.")
    k: int = Field(description="The minimum group size.")
    too_recent: int = Field(description="Participants whose N weeks after are not over yet.")
    no_class: int = Field(description="Participants in no class when they started.")
    rows: list[DidRowOut] = Field(description="All participants, then per grade.")
    participants: list[ParticipantOut] | None = Field(
        description="Pseudonymous, for the county's own staff only (null for others)."
    )


def _period(query: PeriodQuery) -> school_sel.Period:
    period, errors = school_sel.period_from_query(query.dict(), today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    return period


def _period_out(p: school_sel.Period) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "weeks": p.n_weeks,
        "term": school_sel.term_code(p.term) if p.term else None,
    }


def _row(r: school_sel.Row) -> dict[str, Any]:
    key = r.key.isoformat() if hasattr(r.key, "isoformat") else str(r.key)
    return {
        "key": key,
        "label": r.label,
        "hidden": r.hidden,
        "enrolled": r.enrolled,
        "active": r.shown_active,
        "active_share": r.active_share,
        "minutes_per_active": r.minutes_per_active,
        "minutes": r.minutes,
        "correct_rate": r.correct_rate,
        "mean_score": r.mean_score,
        "change": None if r.hidden else r.change,
        "url": r.url,
    }


def build_router() -> Router:
    """A router with the three endpoints (the API mounts `router`; tests mount their own)."""
    router = Router(tags=["learning analytics"])

    @router.get(
        "/analytics/schools/{public_id}/overview",
        response=responses({200: SchoolOverviewOut}, 403, 404, 422),
        summary="A school's learning data",
        description="Usage and results by week, grade, class, subject and platform (S5.D2).",
    )
    def school_overview(
        request: HttpRequest, public_id: SchoolId, query: Query[PeriodQuery]
    ) -> Any:
        require_staff(request)
        school = school_sel.school_or_404(request.user, public_id)
        period = _period(query)
        o = school_sel.school_overview(school=school, period=period, user=request.user)
        return {
            "school": str(school.public_id),
            "name": school.name,
            "period": _period_out(period),
            "k": o.k,
            "suppressed_for_you": not o.names_visible,
            "total": _row(o.total),
            **{
                name: [_row(r) for r in getattr(o, name)]
                for name in ("weekly", "grades", "classes", "subjects", "platforms")
            },
        }

    @router.get(
        "/analytics/counties/{code}/overview",
        response=responses({200: CountyOverviewOut}, 403, 404, 422),
        summary="A county's learning data",
        description="Adoption and outcomes by school, district, stage, area, learner group, term "
        "and week (L6.M2). Aggregates only.",
    )
    def county_overview(request: HttpRequest, code: CountyCode, query: Query[PeriodQuery]) -> Any:
        require_county_level(request)
        county = county_sel.county_or_404(request.user, code)
        period = _period(query)
        o = county_sel.county_overview(county=county, period=period, today=timezone.localdate())
        return {
            "county": county.code,
            "name": county.name,
            "period": _period_out(period),
            "k": school_sel.K,
            "total": _row(o.total),
            **{
                name: [_row(r) for r in getattr(o, name)]
                for name in ("weekly", "schools", "districts", "stages", "areas", "groups", "terms")
            },
        }

    @router.get(
        "/analytics/counties/{code}/programmes/{programme}",
        response=responses({200: ProgrammeOut}, 403, 404, 422),
        summary="A programme before and after",
        description="學習扶助 (learning_support) or 數位學伴 (digital_companion): participants' N "
        "weeks before and after their start against non-participants of the same grades in the "
        "same weeks (L6.A3).",
    )
    def programme(
        request: HttpRequest, code: CountyCode, programme: Programme, query: Query[ProgrammeQuery]
    ) -> Any:
        scope = require_county_level(request)
        county = county_sel.county_or_404(request.user, code)
        if programme not in prog_sel.PROGRAMMES:
            raise ValidationError({"programme": "learning_support or digital_companion"})
        period = _period(query)
        v = prog_sel.programme_view(
            county=county,
            kind=programme,
            period=period,
            weeks=query.weeks,
            today=timezone.localdate(),
        )
        participants = None
        if scope.superuser or county.pk in scope.county_ids:
            _headers, rows = v.participant_table()
            participants = [
                dict(
                    zip(
                        [
                            "pseudonym",
                            "grade",
                            "start_date",
                            "minutes_before",
                            "minutes_after",
                            "weeks_active_before",
                            "weeks_active_after",
                            "correct_rate_before",
                            "correct_rate_after",
                        ],
                        row,
                        strict=True,
                    )
                )
                for row in rows
            ]
            if participants:
                audit_record(
                    actor=request.user,
                    action="analytics.programme.participants",
                    obj=county,
                    request=request,
                    detail={"programme": programme, "shown": len(participants), "via": "api"},
                )
        return {
            "county": county.code,
            "programme": programme,
            "weeks": v.weeks,
            "period": _period_out(period),
            "k": v.k,
            "too_recent": v.too_recent,
            "no_class": v.no_class,
            "rows": [
                {
                    "key": str(r.key),
                    "label": r.label,
                    "hidden": r.hidden,
                    "participants": None if r.hidden else r.active,
                    "comparison_students": None if r.hidden else r.comparison_size,
                    "lines": [
                        {k: x for k, x in line.items() if k != "label"} for line in r.lines()
                    ],
                }
                for r in v.rows
            ],
            "participants": participants,
        }

    return router


router = build_router()
