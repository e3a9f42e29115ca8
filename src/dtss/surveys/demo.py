"""Demo data of the surveys (journey 12), registered in `DEMO_EXTENSIONS` by the app config.

The demo principal's school (南投國小) runs the bank's questionnaires for its leaders, teachers,
pupils (the primary wording at an elementary school) and parents, twice:

* last semester's run, closed (leaders 6, teachers 22, two classes of pupils, 12 parents);
* this semester's run, compared with it and closed today: leaders 6, teachers 24, pupils of
  three classes (one class only 3, so filtering on it is refused) and parents of the demo
  teacher's class, of whom only 4 answered: that group is suppressed. Leaders and teachers
  disagree clearly on being heard (S2-voice), discussing the plan (S2-discuss), time for
  training (S4-time), technical help (S3-tech-help) and maintenance (S1-maintenance).

Closing this semester's run feeds its results into the school's self-assessment as evidence on
the strategies its questions are tagged with (`feed.run_to_evidence`). The assessment has to be
editable for that: when the assessment cycle's demo left it submitted, the county reviewer
first asks for changes on S2 ("add the questionnaire results"), as in journey 3.

And a named form (調查表) to the parents of the demo teacher's class, open now: about 60 %
answered, the rest pending, the demo parent among them (journey 6 answers it).

Everything goes through the services with the principal as actor; the answers are drawn from a
`random.Random` seeded from the demo's rng, so one seed gives the same figures. Skips a school
that already has survey runs, so running the demo again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dtss.surveys import services
from dtss.surveys.models import Group, Kind, Questionnaire, Run

Progress = Callable[[str], None]

STAFF_ITEMS = ["S1", "S2", "S3", "S4", "S5"]
FAMILY_ITEMS = ["S1", "S2", "S3", "S5"]  # the bank asks pupils and parents nothing on S4

BASE = {"leaders": 4.2, "teachers": 3.5, "students": 3.9, "parents": 3.6}
PREVIOUS_BASE = {"leaders": 4.1, "teachers": 3.2, "students": 3.7, "parents": 3.4}
# Statements on which leaders and teachers disagree: (leaders, teachers) mean this semester.
DISAGREE = {
    "S2-voice": (4.7, 2.3),
    "S2-discuss": (4.5, 2.5),
    "S4-time": (4.6, 2.2),
    "S3-tech-help": (4.4, 2.6),
    "S1-maintenance": (4.5, 2.7),
}
TEXT_RATE = {"leaders": 0.3, "teachers": 0.4, "students": 0.25, "parents": 0.5}

TEXTS: dict[tuple[str, str], list[str]] = {
    ("teachers", "S1"): [
        "高年級教室下午常常斷線，希望增加無線基地臺。",
        "充電車不夠，兩個班要輪流用，排課很困難。",
        "平板故障送修要等兩三週，希望有備品可以借。",
        "希望每間教室都有穩定的投影設備。",
    ],
    ("teachers", "S2"): [
        "計畫都是行政先決定好才告訴我們，希望能早一點參與討論。",
        "希望學年會議能保留時間討論數位學習的推動方式。",
        "說明會資料很多，但和我的班級實際狀況關聯不大。",
        "問卷填了很多次，希望能看到結果與後續改變。",
    ],
    ("teachers", "S3"): [
        "電子聯絡簿很好用，但請假還要另外填紙本。",
        "遇到平臺帳號問題時不知道該找誰。",
        "希望資訊組能有固定時段到班協助。",
    ],
    ("teachers", "S4"): [
        "研習多排在週三下午，和社團時間衝突。",
        "希望研習能有實作時間，而不只是聽講。",
        "想參加生成式AI研習，但名額很快就滿了。",
        "社群聚會時間不足，常常只能利用午休。",
    ],
    ("teachers", "S5"): [
        "因材網的數據很多，但不知道怎麼用來調整教學。",
        "希望有人示範如何看學習歷程報表。",
        "期末才看數據太晚了，希望每月有簡單摘要。",
    ],
    ("leaders", "S2"): ["本學期已於校務會議說明計畫。", "將增加家長說明會場次。"],
    ("leaders", "S4"): ["研習安排已盡量配合教師需求。"],
    ("students", "S1"): [
        "平板有時候很慢。",
        "希望平板可以帶回家寫作業。",
        "教室的網路常常連不上。",
        "耳機不夠用。",
    ],
    ("students", "S2"): ["希望老師多用平板上課。", "我喜歡用平板查資料。", "上課用平板很好玩。"],
    ("students", "S3"): [
        "想要多一點數學遊戲。",
        "希望可以用平板做報告。",
        "希望老師可以教我們怎麼找資料。",
    ],
    ("students", "S5"): ["想看到自己哪裡進步了。", "想知道哪一題錯了。", "希望有學習徽章。"],
    ("parents", "S1"): [
        "家裡只有一臺電腦，兄弟姊妹要輪流用。",
        "希望學校能借平板給需要的家庭。",
        "家裡網路不穩定，寫線上作業常常中斷。",
    ],
    ("parents", "S2"): [
        "希望學校多說明孩子用平板的規範。",
        "家長日的說明很清楚，謝謝老師。",
        "希望能知道孩子每天用平板多久。",
    ],
    ("parents", "S3"): ["電子聯絡簿很方便。", "希望請假可以在手機上完成。"],
    ("parents", "S5"): ["希望每週收到孩子學習情形的摘要。", "想知道孩子在因材網的進度。"],
}


class _Respondent:
    """Who answers a named invitation in the demo: the invited person (the service checks
    that the answering user's person is the invited one)."""

    def __init__(self, person: Any) -> None:
        self.person = person


def _user(username: str) -> Any:
    from dtss.accounts.models import User

    return User.objects.filter(username=username).select_related("person").first()


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _scale(rng: random.Random, mean: float) -> int:
    if rng.random() < 0.04:
        return 0  # not applicable / don't know
    return max(1, min(5, round(rng.gauss(mean, 0.75))))


def _answers(
    rng: random.Random,
    questions: list[Any],
    group: str,
    *,
    previous: bool,
) -> dict[str, Any]:
    base = (PREVIOUS_BASE if previous else BASE)[group]
    out: dict[str, Any] = {}
    for q in questions:
        if q.kind == Kind.SCALE5:
            mean = base
            if q.pair in DISAGREE and group in ("leaders", "teachers"):
                mean = DISAGREE[q.pair][0 if group == "leaders" else 1]
                if previous and group == "teachers":
                    mean -= 0.3
            out[q.code] = _scale(rng, mean)
        elif q.kind == Kind.SINGLE:
            values = [o["value"] for o in q.options]
            weights = [len(values) - i for i in range(len(values))]
            out[q.code] = rng.choices(values, weights=weights)[0]
        elif q.kind == Kind.MULTIPLE:
            values = [o["value"] for o in q.options][:-1] or [q.options[0]["value"]]
            out[q.code] = sorted(rng.sample(values, rng.randint(1, min(3, len(values)))))
        elif q.kind == Kind.NUMBER:
            low = int(q.min_value or 0)
            high = min(int(q.max_value or 40), 40)
            out[q.code] = rng.randint(max(low, 2), max(high // 3, low + 3))
        elif q.kind in (Kind.LONG_TEXT, Kind.SHORT_TEXT):
            item = q.bank.item if q.bank_id else ""
            texts = TEXTS.get((group, item))
            if texts and rng.random() < TEXT_RATE[group]:
                out[q.code] = rng.choice(texts)
    return out


def _questions(questionnaire: Questionnaire) -> list[Any]:
    return list(
        questionnaire.questions.select_related("section", "bank").order_by(
            "section__order", "section_id", "order", "id"
        )
    )


def _answer_codes(
    rng: random.Random,
    *,
    run: Run,
    actor: Any,
    group: str,
    questions: list[Any],
    answered: int,
    issued: int,
    start: datetime,
    days: int,
    school_class: Any = None,
    previous: bool,
) -> None:
    """Issue codes (a class link for pupils and parents) and answer `answered` of them."""
    per_class = group in (Group.STUDENTS, Group.PARENTS)
    codes = services.codes_generate(
        run=run,
        actor=actor,
        group=group,
        school_class=school_class if per_class else None,
        count=issued,
        reusable=per_class,
    )
    for i in range(answered):
        code = codes[0] if per_class else codes[i]
        when = start + timedelta(hours=2 + rng.randrange(max(1, days * 24 - 4)))
        services.submission_anonymous(
            code=code.code,
            answers=_answers(rng, questions, group, previous=previous),
            now=when,
        )


def _request_changes_if_submitted(school: Any) -> None:
    """The results can become evidence only in an editable assessment: when the cycles' demo
    left this school's current one submitted, the county reviewer asks for changes on S2."""
    from dtss.framework import services as framework_services
    from dtss.framework.models import Assessment, Cycle, Item
    from dtss.framework.selectors import current_version

    assessment = (
        Assessment.objects.filter(school=school, cycle__status=Cycle.Status.OPEN)
        .select_related("cycle")
        .order_by("-cycle__opens_on", "-id")
        .first()
    )
    reviewer = _user("county.review")
    if assessment is None or assessment.status != Assessment.Status.SUBMITTED or not reviewer:
        return
    framework_services.assessment_request_changes(
        assessment=assessment,
        actor=reviewer,
        item=Item.objects.filter(version=current_version(), code="S2").first(),
        note="S2 請補上本學期教師、學生與家長問卷的結果作為佐證，"
        "並說明行政與教師看法落差較大的題目將如何回應。",
    )


def demo_surveys(rng: random.Random, progress: Progress) -> None:
    from dtss.demo.county import current_term_numbers
    from dtss.framework.demo import previous_term, term_start
    from dtss.orgs.models import Membership, Role, SchoolClass

    principal = _user("principal")
    if principal is None or principal.person_id is None:
        return
    membership = (
        Membership.objects.filter(person_id=principal.person_id, role=Role.SCHOOL_ADMIN)
        .select_related("school", "county")
        .first()
    )
    if membership is None or Run.objects.filter(school=membership.school).exists():
        return
    progress("Creating questionnaires, survey runs and answers …")
    rng = random.Random(rng.randrange(1 << 30))
    school, county = membership.school, membership.county
    primary = school.stage == "elementary"
    now = timezone.now()
    today = timezone.localdate()

    def bank(group: str, items: list[str], zh: str, en: str) -> Questionnaire:
        return services.questionnaire_from_bank(
            actor=principal,
            county=county,
            school=school,
            group=group,
            items=items,
            title_zh=zh,
            title_en=en,
            primary=primary and group == Group.STUDENTS,
        )

    parts = {
        Group.LEADERS: bank(
            Group.LEADERS,
            STAFF_ITEMS,
            "學校行政數位學習問卷",
            "Digital learning questionnaire for school leaders",
        ),
        Group.TEACHERS: bank(
            Group.TEACHERS, STAFF_ITEMS, "教師數位學習問卷", "Digital learning questionnaire"
        ),
        Group.STUDENTS: bank(
            Group.STUDENTS,
            FAMILY_ITEMS,
            "學生數位學習問卷（國小版）" if primary else "學生數位學習問卷",
            "Digital learning questionnaire for pupils",
        ),
        Group.PARENTS: bank(
            Group.PARENTS,
            FAMILY_ITEMS,
            "家長數位學習問卷",
            "Digital learning questionnaire for parents",
        ),
    }
    questions = {group: _questions(qn) for group, qn in parts.items()}

    teacher = _user("teacher")
    classes = list(
        SchoolClass.objects.filter(school=school)
        .order_by("-term__roc_year", "-term__semester", "grade", "number")
        .select_related("term")
    )
    latest = [c for c in classes if c.term_id == classes[0].term_id] if classes else []
    home = next(
        (c for c in latest if teacher is not None and c.homeroom_teacher_id == teacher.person_id),
        latest[0] if latest else None,
    )
    if home is None:
        return
    same_grade = [c for c in latest if c.grade == home.grade and c.pk != home.pk]
    older = [c for c in latest if c.grade == home.grade + 1] or same_grade[1:] or same_grade
    second = same_grade[0] if same_grade else home
    small = older[0] if older else second
    sizes = {c.pk: c.enrollments.count() for c in {home, second, small}}

    # --- last semester's run --------------------------------------------------------------------
    year, semester = current_term_numbers()
    p_year, p_semester = previous_term(year, semester)
    p_open = _aware(term_start(p_year, p_semester) + timedelta(days=80), 8)
    before = services.run_create(
        actor=principal,
        county=county,
        school=school,
        title=f"{p_year}學年度第{p_semester}學期 數位學習問卷（行政、教師、學生、家長）",
        mode=Run.Mode.ANONYMOUS,
        opens_at=p_open,
        closes_at=p_open + timedelta(days=14),
        parts=parts,
    )
    services.run_open(run=before, actor=principal)
    plan = [
        (Group.LEADERS, None, 6, 6),
        (Group.TEACHERS, None, 22, 28),
        (Group.STUDENTS, home, min(19, sizes[home.pk]), sizes[home.pk]),
        (Group.STUDENTS, second, min(18, sizes[second.pk]), sizes[second.pk]),
        (Group.PARENTS, home, min(12, sizes[home.pk]), sizes[home.pk]),
    ]
    for group, klass, answered, issued in plan:
        _answer_codes(
            rng,
            run=before,
            actor=principal,
            group=group,
            questions=questions[group],
            answered=answered,
            issued=issued,
            start=p_open,
            days=13,
            school_class=klass,
            previous=True,
        )
    services.run_close(run=before, actor=principal, now=before.closes_at)

    # --- this semester's run --------------------------------------------------------------------
    c_open = _aware(today - timedelta(days=16), 8)
    current = services.run_create(
        actor=principal,
        county=county,
        school=school,
        title=f"{year}學年度第{semester}學期 數位學習問卷（行政、教師、學生、家長）",
        mode=Run.Mode.ANONYMOUS,
        opens_at=c_open,
        closes_at=c_open + timedelta(days=21),
        parts=parts,
        previous=before,
    )
    services.run_open(run=current, actor=principal)
    plan = [
        (Group.LEADERS, None, 6, 6),
        (Group.TEACHERS, None, 24, 30),
        (Group.STUDENTS, home, min(21, sizes[home.pk]), sizes[home.pk]),
        (Group.STUDENTS, second, min(20, sizes[second.pk]), sizes[second.pk]),
        (Group.STUDENTS, small, 3, sizes[small.pk]),  # the link went out late: 3 answered
        (Group.PARENTS, home, 4, sizes[home.pk]),  # only four parents: suppressed
    ]
    for group, klass, answered, issued in plan:
        _answer_codes(
            rng,
            run=current,
            actor=principal,
            group=group,
            questions=questions[group],
            answered=answered,
            issued=issued,
            start=c_open,
            days=15,
            school_class=klass,
            previous=False,
        )
    _request_changes_if_submitted(school)
    services.run_close(run=current, actor=principal, now=now)

    # --- a named form to the parents of the demo teacher's class --------------------------------
    form = services.questionnaire_create(
        actor=principal,
        county=county,
        school=school,
        title_zh="數位學習體驗營參加意願調查表",
        title_en="Digital learning camp: will your child join?",
        intro_zh="本校將於週六上午辦理數位學習體驗營，請家長於截止日前填寫。",
        intro_en="The school runs a digital learning camp on a Saturday morning; please answer "
        "before the closing date.",
        purpose=Questionnaire.Purpose.FORM,
        group=Group.PARENTS,
    )
    section = form.sections.get()
    yes_no = [
        {"value": "yes", "zh": "同意參加", "en": "Yes, my child will join"},
        {"value": "no", "zh": "不參加", "en": "No"},
    ]
    services.question_create(
        section=section,
        actor=principal,
        kind=Kind.SINGLE,
        required=True,
        text_zh="是否同意貴子弟參加數位學習體驗營？",
        text_en="May your child join the digital learning camp?",
        options=yes_no,
    )
    services.question_create(
        section=section,
        actor=principal,
        kind=Kind.SINGLE,
        required=True,
        text_zh="是否需要向學校借用平板？",
        text_en="Does your child need to borrow a tablet from the school?",
        options=[
            {"value": "yes", "zh": "需要", "en": "Yes"},
            {"value": "no", "zh": "不需要", "en": "No"},
        ],
        show_if=[{"q": "Q1", "op": "eq", "value": "yes"}],
    )
    services.question_create(
        section=section,
        actor=principal,
        kind=Kind.SHORT_TEXT,
        text_zh="其他需要老師知道的事（例如過敏、接送方式）",
        text_en="Anything else the teacher should know (e.g. allergies, pick-up)",
    )
    named = services.run_create(
        actor=principal,
        county=county,
        school=school,
        title=f"數位學習體驗營參加意願調查（{home}）",
        mode=Run.Mode.NAMED,
        opens_at=now - timedelta(days=3),
        closes_at=_aware(today + timedelta(days=9), 17),
        parts={Group.PARENTS: form},
        classes=[home],
    )
    services.run_open(run=named, actor=principal)
    demo_parent = _user("parent")
    notes = ["對花生過敏。", "當天由阿嬤接送。", "", "", "孩子很期待！"]
    for inv in named.invitations.select_related("person").order_by("id"):
        if demo_parent is not None and inv.person_id == demo_parent.person_id:
            continue  # the demo parent answers it herself (journey 6)
        if rng.random() >= 0.6:
            continue
        joins = rng.random() < 0.8
        answers: dict[str, Any] = {"Q1": "yes" if joins else "no"}
        if joins:
            answers["Q2"] = "yes" if rng.random() < 0.3 else "no"
        note = rng.choice(notes)
        if note:
            answers["Q3"] = note
        services.submission_named(
            invitation=inv,
            user=_Respondent(inv.person),
            answers=answers,
            now=now - timedelta(hours=1 + rng.randrange(60)),
        )
    progress(
        f"Surveys: {school.name_zh} has last semester's and this semester's questionnaires "
        f"(closed) and an open named form."
    )
