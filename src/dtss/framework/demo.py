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

Then the action plans of journey 4 (`demo_plans`): the demo principal's school turns the next
stage's strategies of its accepted self-assessment of the last closed cycle into a plan (three
goals, six actions with owners, dates around today, budgets from 中央/地方/學校/a named
programme), one action of which is overdue; the county has a small plan for its own Table 6
with nothing overdue. Both are written through `plan_services`, with the principal and the
county administrator as actors.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dtss.framework import plan_services, services
from dtss.framework.models import (
    Action,
    Assessment,
    AssessmentEvent,
    Cycle,
    Evidence,
    Item,
    Level,
    Plan,
    Response,
    Stage,
)
from dtss.framework.plan_selectors import plan_owner_choices
from dtss.framework.selectors import assessment_items, compute_stages, current_version

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
    demo_plans(rng, progress)


# --- Action plans (journey 4) -----------------------------------------------------------------

STAGE_ZH = {Stage.DEVELOPMENT: "發展期", Stage.ACCELERATION: "加速期", Stage.MATURITY: "成熟期"}

# Per item: actions (title, success measure) a school would plan for its next steps.
ITEM_ACTIONS: dict[str, list[tuple[str, str]]] = {
    "S1": [
        ("盤點各班平板與無線網路使用情形", "完成全校載具與網路盤點表"),
        ("增設充電車與教室無線基地臺", "每間教室皆可同時 30 臺連線"),
        ("訂定載具借用、保管與維修流程", "流程公告並於校務會議通過"),
    ],
    "S2": [
        ("家長日說明數位學習推動計畫與載具使用規範", "八成以上家長出席並取得說明資料"),
        ("發放教師與家長數位學習意見問卷", "回收率 70% 並彙整成改善建議"),
        ("辦理數位學習成果分享會", "邀請兩所鄰近學校參加"),
    ],
    "S3": [
        ("導入線上請假與電子聯絡簿", "全校班級皆以電子聯絡簿聯繫家長"),
        ("錄製常見電腦問題排除教學影片", "完成 10 支影片並上架校網"),
        ("數位學習核心小組每月檢討會議", "每月會議紀錄上傳"),
    ],
    "S4": [
        ("辦理生成式AI融入教學研習", "全校 90% 教師完成 6 小時研習"),
        ("成立跨領域數位教學社群", "社群每學期聚會 6 次以上"),
        ("社群公開授課與觀議課", "每位社群教師公開授課 1 次"),
    ],
    "S5": [
        ("彙整因材網學習數據於期末教學研究會檢討", "各領域提出一項依數據調整的教學措施"),
        ("建立設備使用與維修回饋表單", "回饋於兩週內處理完畢"),
        ("依學習平臺數據安排學習扶助", "扶助學生名單每月更新"),
    ],
}
FALLBACK_ACTIONS = [
    ("整理數位學習推動成果並分享他校", "完成成果手冊一份"),
    ("檢視校本數位學習計畫並規劃下一循環創新", "校務會議通過修訂版計畫"),
    ("邀請他校教師參加數位教學分享會", "辦理 2 場分享會"),
]

# The six actions of the school's plan: owner (by demo role), days from today for start and
# end, status, progress, budget, funding and programme. Exactly one is overdue: the second,
# still in progress three days after its end date.
SCHOOL_SLOTS: list[dict[str, Any]] = [
    {
        "owner": "ithead",
        "days": (-35, -10),
        "status": Action.Status.DONE,
        "progress": 100,
        "budget": 15000,
        "funding": Action.Funding.SCHOOL,
    },
    {
        "owner": "teacher",
        "days": (-24, -3),
        "status": Action.Status.IN_PROGRESS,
        "progress": 60,
        "budget": 30000,
        "funding": Action.Funding.CENTRAL,
    },
    {
        "owner": "director",
        "days": (-14, 45),
        "status": Action.Status.IN_PROGRESS,
        "progress": 30,
        "budget": 120000,
        "funding": Action.Funding.PROGRAMME,
        "programme": "數位學習精進方案",
    },
    {
        "owner": "principal",
        "days": (14, 90),
        "status": Action.Status.PLANNED,
        "progress": 0,
        "budget": 50000,
        "funding": Action.Funding.LOCAL,
    },
    {
        "owner": "teacher",
        "days": (30, 150),
        "status": Action.Status.PLANNED,
        "progress": 0,
        "budget": 20000,
        "funding": Action.Funding.SCHOOL,
    },
    {
        "owner": "ithead",
        "days": (60, 240),
        "status": Action.Status.PLANNED,
        "progress": 0,
        "budget": 80000,
        "funding": Action.Funding.CENTRAL,
    },
]

COUNTY_ACTIONS: list[dict[str, Any]] = [
    {
        "title": "召開數位學習推動會議，檢視縣市自評結果",
        "measure": "會議決議列管並公告各校",
        "owner": "county.admin",
        "days": (-40, -20),
        "status": Action.Status.DONE,
        "progress": 100,
        "budget": None,
        "funding": "",
    },
    {
        "title": "辦理分區校長數位學習領導工作坊",
        "measure": "全縣 80% 校長參加",
        "owner": "county.review",
        "days": (-10, 60),
        "status": Action.Status.IN_PROGRESS,
        "progress": 40,
        "budget": 180000,
        "funding": Action.Funding.CENTRAL,
    },
    {
        "title": "盤點偏遠學校載具與網路需求並編列補助",
        "measure": "完成需求清單並納入下年度預算",
        "owner": "county.it",
        "days": (20, 120),
        "status": Action.Status.PLANNED,
        "progress": 0,
        "budget": 600000,
        "funding": Action.Funding.LOCAL,
    },
]


def _next_steps(assessment: Assessment, limit: int) -> list[tuple[Item, str, list[Any]]]:
    """The items with next steps, least advanced first (then in item order), at most `limit`,
    given back in item order: (item, next stage, its unmet strategies)."""
    rank = {None: 0, **{s: i + 1 for i, s in enumerate(STAGES)}}
    views = [v for v in assessment_items(assessment=assessment) if v.result.next_steps]
    views.sort(key=lambda v: (rank.get(v.result.stage, 0), v.item.order))
    out = []
    for view in sorted(views[:limit], key=lambda v: v.item.order):
        codes = set(view.result.next_steps)
        strategies = [r.strategy for r in view.responses if r.strategy.code in codes]
        out.append((view.item, view.result.next_stage or Stage.DEVELOPMENT, strategies))
    return out


def _results(*, county: Any, school: Any) -> Assessment | None:
    """The assessment a plan answers: the latest one of a closed cycle that was accepted (or
    at least submitted), else the latest of any. The current cycle is still open, and the
    plan has been running since before it."""
    qs = (
        Assessment.objects.filter(county=county, school=school)
        .select_related("cycle", "county", "school")
        .order_by("-cycle__opens_on", "-cycle_id")
    )
    done = qs.filter(status__in=[Assessment.Status.ACCEPTED, Assessment.Status.SUBMITTED])
    return done.filter(cycle__status=Cycle.Status.CLOSED).first() or done.first() or qs.first()


def _goal_title(item: Item, stage: str) -> str:
    return f"{item.code} {item.title_zh}：達到{STAGE_ZH.get(stage, stage)}"


def demo_plans(rng: random.Random, progress: Progress) -> None:
    """Journey 4's plans: the demo principal's school and the county's own (see the module
    docstring). Skips an organisation that already has a plan; uses no randomness (the rng is
    taken for the extension's signature), so the plans are the same for every seed."""
    from dtss.demo.county import DEMO_COUNTY_CODE
    from dtss.orgs.models import County, Membership, Role

    principal = _user("principal")
    if principal is None or principal.person_id is None:
        return
    membership = (
        Membership.objects.filter(person_id=principal.person_id, role=Role.SCHOOL_ADMIN)
        .select_related("school", "county")
        .first()
    )
    if membership is None:
        return
    progress("Creating action plans …")
    school = membership.school
    today = timezone.localdate()
    made = []

    def staff(title: str) -> Any:
        return (
            Membership.objects.filter(school=school, role=Role.SCHOOL_ADMIN, title=title)
            .select_related("person")
            .order_by("id")
            .first()
        )

    assessment = _results(county=school.county, school=school)
    if assessment is not None and not Plan.objects.filter(school=school).exists():
        owners = {
            "principal": principal.person,
            "ithead": getattr(staff("it_head"), "person", None),
            "director": getattr(staff("director"), "person", None),
            "teacher": getattr(_user("teacher"), "person", None),
        }
        plan = plan_services.plan_create(
            county=school.county,
            school=school,
            title=f"{school.name_zh}數位學習行動計畫（依{assessment.cycle.name}自評結果）",
            horizon=Plan.Horizon.SHORT,
            starts_on=today - timedelta(days=35),
            ends_on=today - timedelta(days=35) + timedelta(days=364),
            cycle=assessment.cycle,
            actor=principal,
        )
        allowed = set(plan_owner_choices(plan=plan).values_list("pk", flat=True))
        owners = {k: p for k, p in owners.items() if p is not None and p.pk in allowed}
        steps = _next_steps(assessment, 3)
        goals = [
            (
                plan_services.goal_create(
                    plan=plan,
                    title=_goal_title(item, stage),
                    strategies=strategies,
                    actor=principal,
                ),
                ITEM_ACTIONS.get(item.code, FALLBACK_ACTIONS),
            )
            for item, stage, strategies in steps
        ] or [
            (
                plan_services.goal_create(
                    plan=plan, title="持續精進並分享數位學習經驗", actor=principal
                ),
                FALLBACK_ACTIONS,
            )
        ]
        per_goal: dict[int, int] = defaultdict(int)
        for index, slot in enumerate(SCHOOL_SLOTS):
            goal, texts = goals[index * len(goals) // len(SCHOOL_SLOTS)]
            title, measure = texts[per_goal[goal.pk] % len(texts)]
            per_goal[goal.pk] += 1
            start, end = slot["days"]
            plan_services.action_create(
                goal=goal,
                title=title,
                success_measure=measure,
                owner=owners.get(slot["owner"]),
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                budget=slot["budget"],
                funding=slot["funding"],
                programme=slot.get("programme", ""),
                progress=slot["progress"],
                status=slot["status"],
                actor=principal,
            )
        made.append(plan)

    county = County.objects.get(code=DEMO_COUNTY_CODE)
    admin = _user("county.admin")
    county_assessment = _results(county=county, school=None)
    if (
        admin is not None
        and county_assessment is not None
        and not Plan.objects.filter(county=county, school__isnull=True).exists()
    ):
        plan = plan_services.plan_create(
            county=county,
            title=f"{county.name_zh}數位學習推動計畫（縣市自評表6，{county_assessment.cycle.name}）",
            horizon=Plan.Horizon.MID,
            starts_on=today - timedelta(days=45),
            ends_on=today - timedelta(days=45) + timedelta(days=3 * 365 - 1),
            cycle=county_assessment.cycle,
            actor=admin,
        )
        steps = _next_steps(county_assessment, 2)
        goals = [
            plan_services.goal_create(
                plan=plan, title=_goal_title(item, stage), strategies=strategies, actor=admin
            )
            for item, stage, strategies in steps
        ] or [plan_services.goal_create(plan=plan, title="持續精進縣市數位學習推動", actor=admin)]
        for index, spec in enumerate(COUNTY_ACTIONS):
            start, end = spec["days"]
            owner = _user(spec["owner"])
            plan_services.action_create(
                goal=goals[index * len(goals) // len(COUNTY_ACTIONS)],
                title=spec["title"],
                success_measure=spec["measure"],
                owner=owner.person if owner else None,
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                budget=spec["budget"],
                funding=spec["funding"],
                progress=spec["progress"],
                status=spec["status"],
                actor=admin,
            )
        made.append(plan)
    if made:
        progress(f"Action plans: {', '.join(p.title for p in made)}.")
