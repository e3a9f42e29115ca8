"""Demo data of the assessment cycles (registered in `DEMO_EXTENSIONS` by the app config).

南投縣 gets three cycles: the two terms before the current one, accepted (with frozen
snapshots, a sample drawn for verification), and the current term's cycle, open, partly
submitted (a few accepted, two with changes requested on S2, the rest drafts at various points).
Bigger and urban schools are further along, remote schools mixed; three schools have not moved
for two cycles. The county's own Table 6 is filled in every cycle. 宜蘭縣 gets the current
term's cycle too, so the MOE comparison has two counties.

Responses are written in bulk (one UPDATE per status), evidence as text or link items (no
files), then each assessment's stages are computed once; submissions and acceptances go through
the services so events, snapshots and the audit log are real. Deterministic from the rng.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dtss.framework import services
from dtss.framework.models import (
    Assessment,
    AssessmentEvent,
    Cycle,
    Evidence,
    Item,
    Level,
    Response,
)
from dtss.framework.selectors import compute_stages, current_version

STAGES = ("D", "A", "M")
THRESHOLDS = (0.3, 0.55, 0.8)  # level → stage: below 0.3 none, then D, A, M

Progress = Callable[[str], None]


def term_numbers(today: date) -> tuple[int, int]:
    if today.month >= 8:
        return today.year - 1911, 1
    if today.month == 1:
        return today.year - 1912, 1
    return today.year - 1912, 2


def previous_term(year: int, semester: int) -> tuple[int, int]:
    return (year - 1, 2) if semester == 1 else (year, 1)


def term_start(year: int, semester: int) -> date:
    return date(year + 1911, 8, 1) if semester == 1 else date(year + 1912, 2, 1)


def stage_for(level: float) -> str | None:
    reached = None
    for stage, threshold in zip(STAGES, THRESHOLDS, strict=True):
        if level >= threshold:
            reached = stage
    return reached


@dataclass
class OrgPlan:
    """How far one organisation gets: a base level per item, a growth per cycle."""

    levels: dict[str, float]
    growth: float
    stuck: bool = False

    def target(self, code: str, cycle_index: int) -> str | None:
        growth = 0 if self.stuck else self.growth * cycle_index
        return stage_for(self.levels[code] + growth)


def _school_plan(rng: random.Random, school: Any, codes: list[str], stuck: bool) -> OrgPlan:
    size = min(1.0, school.student_count / 900)
    if school.area == "general":
        base = 0.32 + 0.28 * size
    elif school.area == "non_mountain_non_city":
        base = 0.28 + 0.2 * size
    else:  # remote schools: mixed, some well ahead with small classes and devices per pupil
        base = rng.uniform(0.12, 0.6)
    item_bias = {"S1": 0.08, "S2": 0.03, "S3": -0.04, "S4": 0.0, "S5": -0.08}
    levels = {c: base + item_bias.get(c, 0) + rng.gauss(0, 0.1) for c in codes}
    return OrgPlan(levels=levels, growth=rng.uniform(0.06, 0.16), stuck=stuck)


TEXT_EVIDENCE = [
    "校務會議紀錄摘要：{item}相關議題已列入討論並決議執行。",
    "成果說明：本學期辦理{item}相關工作，照片與簽到表存於學校雲端。",
    "實施計畫與執行紀錄（{item}）。",
    "教師社群會議紀錄：討論{item}之推動方式與分工。",
]


def _fill(
    rng: random.Random,
    assessments: dict[int, Assessment],
    targets: dict[int, dict[str, str | None]],
    actor: Any,
) -> None:
    """Set every response's status for its assessment's target stage per item, with evidence
    for the met ones: stages up to the target met, the next one partly, the rest barely."""
    rows = (
        Response.objects.filter(assessment_id__in=list(assessments))
        .order_by("assessment_id", "strategy__item__order", "strategy__stage", "strategy__order")
        .values_list(
            "pk",
            "assessment_id",
            "strategy__stage",
            "strategy__item__code",
            "strategy__item__title_zh",
            "strategy__code",
        )
    )
    by_status: dict[str, list[int]] = defaultdict(list)
    evidence: list[Evidence] = []
    next_stage_rows: dict[tuple[int, str], list[int]] = defaultdict(list)
    met_next: dict[tuple[int, str], int] = defaultdict(int)
    for pk, assessment_id, stage, item_code, item_title, strategy_code in rows:
        a = assessments[assessment_id]
        target = targets[assessment_id].get(item_code, "none")
        if target == "none":  # an item the organisation has not worked on yet
            by_status["not_started"].append(pk)
            continue
        reached = STAGES.index(target) if target else -1
        level = STAGES.index(stage)
        met = False
        if level <= reached:
            status = "embedded" if level < reached and rng.random() < 0.6 else "implemented"
            met = True
        elif level == reached + 1:
            next_stage_rows[(assessment_id, item_code)].append(pk)
            roll = rng.random()
            if roll < 0.35:
                status, met = "implemented", True
                met_next[(assessment_id, item_code)] += 1
            elif roll < 0.7:
                status = "in_progress"
            else:
                status = "planned"
        else:
            status = "planned" if rng.random() < 0.25 else "not_started"
        by_status[status].append(pk)
        if met:
            evidence.append(_evidence(rng, a, pk, item_title, strategy_code, actor))
    # The next stage must stay unreached: at least one of its strategies is not met.
    for key, pks in next_stage_rows.items():
        if pks and met_next[key] >= len(pks):
            pk = pks[-1]
            by_status["implemented"].remove(pk)
            by_status["in_progress"].append(pk)
            evidence = [e for e in evidence if e.response_id != pk]
    for status, pks in by_status.items():
        for start in range(0, len(pks), 500):
            Response.objects.filter(pk__in=pks[start : start + 500]).update(status=status)
    Evidence.objects.bulk_create(evidence, batch_size=1000)


def _evidence(
    rng: random.Random, a: Assessment, response_id: int, item_title: str, code: str, actor: Any
) -> Evidence:
    who = a.school.code if a.school_id else a.county.code
    if rng.random() < 0.3:
        return Evidence(
            county_id=a.county_id,
            school_id=a.school_id,
            response_id=response_id,
            kind=Evidence.Kind.LINK,
            title=f"{code} 成果網頁",
            url=f"https://{who}.demo.dtss.invalid/evidence/{code.lower()}",
            added_by=actor,
        )
    text = rng.choice(TEXT_EVIDENCE).format(item=item_title)
    return Evidence(
        county_id=a.county_id,
        school_id=a.school_id,
        response_id=response_id,
        kind=Evidence.Kind.TEXT,
        title=f"{code} {text[:40]}",
        text=text,
        added_by=actor,
    )


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _refresh_stages(assessments: list[Assessment]) -> None:
    for a in assessments:
        a.stages = compute_stages(assessment=a)
    Assessment.objects.bulk_update(assessments, ["stages"], batch_size=500)


def _backdate(cycle: Cycle, rng: random.Random) -> None:
    """Put the submissions and acceptances of a past cycle inside its own dates."""
    assessments = list(cycle.assessments.all())
    times: dict[int, dict[str, datetime]] = {}
    for a in assessments:
        submitted = _aware(cycle.deadline - timedelta(days=rng.randint(0, 20)), rng.randint(8, 17))
        accepted = _aware(cycle.deadline + timedelta(days=rng.randint(3, 25)), rng.randint(8, 17))
        times[a.pk] = {"submit": submitted, "accept": accepted}
        if a.submitted_at:
            a.submitted_at = submitted
        if a.accepted_at:
            a.accepted_at = accepted
            if a.snapshot:
                a.snapshot["accepted_at"] = accepted.isoformat()
        a.updated_at = a.accepted_at or a.submitted_at or _aware(cycle.opens_on, 9)
    Assessment.objects.bulk_update(
        assessments, ["submitted_at", "accepted_at", "snapshot", "updated_at"], batch_size=500
    )
    events = list(AssessmentEvent.objects.filter(assessment__cycle=cycle))
    for e in events:
        t = times[e.assessment_id]
        e.at = t["accept"] if e.action in ("accept", "sample") else t["submit"]
    AssessmentEvent.objects.bulk_update(events, ["at"], batch_size=500)


def _user(username: str) -> Any:
    from dtss.accounts.models import User

    return User.objects.filter(username=username).first()


def demo_cycles(rng: random.Random, progress: Progress) -> None:
    from dtss.demo.county import DEMO_COUNTY_CODE, SECOND_COUNTY_CODE
    from dtss.orgs import services as org_services
    from dtss.orgs.models import County, School

    progress("Creating assessment cycles and self-assessments …")
    county = County.objects.get(code=DEMO_COUNTY_CODE)
    admin, reviewer = _user("county.admin"), _user("county.review")
    version = current_version()
    school_codes = list(
        Item.objects.filter(version=version, level=Level.SCHOOL)
        .order_by("order")
        .values_list("code", flat=True)
    )
    county_codes = list(
        Item.objects.filter(version=version, level=Level.COUNTY)
        .order_by("order")
        .values_list("code", flat=True)
    )
    schools = list(School.objects.filter(county=county, active=True).order_by("code"))
    stuck_ids = {s.pk for s in rng.sample(schools, min(3, len(schools)))}
    plans = {s.pk: _school_plan(rng, s, school_codes, s.pk in stuck_ids) for s in schools}
    county_plan = OrgPlan(levels={c: 0.42 + rng.gauss(0, 0.1) for c in county_codes}, growth=0.13)

    today = timezone.localdate()
    current = term_numbers(today)
    terms = [previous_term(*previous_term(*current)), previous_term(*current), current]
    cycles = []
    for index, (year, semester) in enumerate(terms):
        term = org_services.term_get_or_create(roc_year=year, semester=semester)
        if index < 2:
            opens_on = term_start(year, semester) + timedelta(days=45)
            deadline = opens_on + timedelta(days=42)
        else:
            opens_on = min(today - timedelta(days=21), today)
            deadline = today + timedelta(days=14)
        cycle = services.cycle_open(
            county=county,
            name=f"{year}學年度第{semester}學期",
            opens_on=opens_on,
            deadline=deadline,
            schools=schools,
            include_county=True,
            term=term,
            actor=admin,
        )
        cycles.append(cycle)
        assessments = {
            a.pk: a for a in cycle.assessments.select_related("cycle", "school", "county")
        }
        last = index == 2
        # Who is where in the current cycle: the stuck schools and about 40 % more have
        # submitted; of those, two accepted and two asked for changes; the rest are drafts.
        order = [a for a in assessments.values() if a.school_id]
        rng.shuffle(order)
        submitted = [a for a in order if a.school_id in stuck_ids]
        submitted += [a for a in order if a.school_id not in stuck_ids][
            : max(0, round(0.45 * len(order)) - len(submitted))
        ]
        submitted_ids = {a.pk for a in submitted}
        targets: dict[int, dict[str, str | None]] = {}
        for a in assessments.values():
            if a.school_id is None:
                targets[a.pk] = {c: county_plan.target(c, index) for c in county_codes}
                if last:  # the county is filling its own Table 6: four items done so far
                    for c in county_codes[4:]:
                        targets[a.pk][c] = "none"
                continue
            plan = plans[a.school_id]
            targets[a.pk] = {c: plan.target(c, index) for c in school_codes}
            if last and a.pk not in submitted_ids:
                done = rng.randint(0, len(school_codes))  # a draft: some items worked on
                for c in school_codes[done:]:
                    targets[a.pk][c] = "none"
        _fill(rng, assessments, targets, admin)
        _refresh_stages(list(assessments.values()))

        county_assessment = next(a for a in assessments.values() if a.school_id is None)
        if not last:
            services.assessment_submit(assessment=county_assessment, actor=admin)
            for a in order:
                services.assessment_submit(assessment=a, actor=None)
                services.assessment_accept(assessment=a, actor=reviewer)
            services.cycle_draw_sample(
                cycle=cycle, size=3, actor=reviewer, seed=rng.randrange(1 << 30)
            )
        else:
            for a in submitted:
                services.assessment_submit(assessment=a, actor=None)
            items = {i.code: i for i in Item.objects.filter(version=version)}
            for a in submitted[-4:-2]:
                services.assessment_request_changes(
                    assessment=a,
                    actor=reviewer,
                    item=items.get("S2"),
                    note="S2 的佐證請補上家長說明會的簽到表與會議紀錄。",
                )
            for a in submitted[-2:]:
                services.assessment_accept(assessment=a, actor=reviewer)
    for cycle in cycles[:2]:
        _backdate(cycle, rng)
        services.cycle_close(cycle=cycle, actor=admin)

    # The second county: its current cycle, so the MOE comparison has two counties.
    yilan = County.objects.get(code=SECOND_COUNTY_CODE)
    yilan_schools = list(School.objects.filter(county=yilan, active=True).order_by("code"))
    year, semester = current
    cycle = services.cycle_open(
        county=yilan,
        name=f"{year}學年度第{semester}學期",
        opens_on=today - timedelta(days=14),
        deadline=today + timedelta(days=21),
        schools=yilan_schools,
        include_county=True,
        term=org_services.term_get_or_create(roc_year=year, semester=semester),
        actor=_user("yilan.admin"),
    )
    assessments = {a.pk: a for a in cycle.assessments.select_related("cycle", "school", "county")}
    yilan_plan = OrgPlan(levels={c: 0.5 + rng.gauss(0, 0.15) for c in county_codes}, growth=0)
    targets = {}
    for a in assessments.values():
        if a.school_id is None:
            targets[a.pk] = {c: yilan_plan.target(c, 0) for c in county_codes}
        else:
            plan = _school_plan(rng, a.school, school_codes, False)
            targets[a.pk] = {c: plan.target(c, 0) for c in school_codes}
    _fill(rng, assessments, targets, _user("yilan.admin"))
    _refresh_stages(list(assessments.values()))
    yilan_own = next(a for a in assessments.values() if a.school_id is None)
    services.assessment_submit(assessment=yilan_own, actor=_user("yilan.admin"))
    progress(
        f"Assessment cycles: {len(cycles)} for {county.name_zh} ({len(schools)} schools each), "
        f"1 for {yilan.name_zh}."
    )
