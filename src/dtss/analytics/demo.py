"""Demo data of the learning analytics (issue 6, item 6), registered in `DEMO_EXTENSIONS`.

南投縣 registers three learning platforms with their governance records — 因材網 and 酷英網 with the
credentials the LRS demo gave them, 均一 with a new one — and the platforms send two terms of
learning records for the students of the county's 25 schools: from the start of the previous
academic term until yesterday, one statement per learning session or exercise set (not per
click). The county holds this term's classes only, so the rollups place last term's records in
this term's class (the statements carry last term's grade). `settings.DEMO_LEARNING_TERMS = 1`
keeps the current term only (the test suite does, with a tenth of the classes).

What makes the records realistic enough for every view to have something true to show:

- Latent parameters per student: engagement (how often they use a platform at home) and
  ability (their scores), around a school and a class effect; disadvantaged students (low income,
  special needs) have less access at home and lower scores on average.
- Classes use platforms in lessons (生生用平板): each class has 0–3 platform lessons a week on fixed
  weekdays, decided by its school's adoption and its teacher; at home students add sessions as
  their engagement says. Remote schools push 因材網 harder; senior high schools use 均一 and 酷英網.
- The calendar: summer holidays before school opens (a little practice), weekends (less),
  national holidays (almost nothing: 中秋節, 教師節, 國慶日, 光復節 … with the observed days),
  the weeks before the mid-term exams (more practice at home).
- Some students disengage: their activity fades and stops one to three weeks before the end, so
  the teacher's "gone quiet" flag has real cases (always two in the demo teacher's class); as
  many stop earlier, at any time (those who stopped last term start again with the new one);
  their results fall while they fade. The demo teacher's class also has one weaker student
  whose practice slips five weeks before the end (the risk model's case to explain).
- Practice shows in results, later: a student's results rise with their recent practice (the
  sessions of the last weeks, weighted by a four-week half-life), so when practice changes the
  correct rate follows weeks later. Some students' engagement turns during the term (about 15 %
  slip, about 10 % pick up): their home sessions fall or rise over three weeks. So the weeks'
  activity tells something about the next weeks' results that the last weeks' results alone do
  not (what the risk model learns).
- Learner groups (through `group_services.learner_group_add`): low income, indigenous (the
  students with indigenous names), new residents' children and special needs for a few percent
  of students; 學習扶助 (low-ability students of grades 2–9) and 數位學伴 (remote schools, grades
  3–9) participants who start in the middle of the term, and whose activity (evening sessions)
  and scores rise after they start.
- A few 均一 (and one 因材網) actors that match no DTSS person — students who registered with a
  personal account or an old student number — for the unresolved-actors page.

Everything goes through the services: `platform_create`, `credential_create`, `statements_store`
in batches of 500 per platform and day (time order, as a platform sends them), then
`rollup_process`. Deterministic for a seed: the generator draws from its own `random.Random`
seeded once from the demo's generator. `settings.DEMO_LEARNING_SHARE` (default 1.0) keeps a
share of the classes (at least one per school, always the demo accounts' classes) so that test
suites building the demo county stay fast.

`dtss demo` runs this extension after the server has started (it is in `DEMO_DEFERRABLE`): the
platforms and learner groups are written in one transaction and each batch of statements in its
own, and a second run after an interruption keeps the platforms and groups and stores the same
statements again (same ids and content: the LRS skips them), so it completes what was missing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dtss.analytics import profile
from dtss.analytics.models import LearnerGroup, Platform
from dtss.analytics.platform_services import platform_create
from dtss.analytics.rollups import rollup_process
from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Credential
from dtss.lrs.statement_services import statements_store

Progress = Callable[[str], None]

STORE_BATCH = 500
ENGAGEMENT = -5.0  # logit of a home session on a school day, before the class's push (0–2.2)
FIRST_GRADES = frozenset({1, 7, 10})  # a stage's first grade
TURN_SHARE = {-1.0: 0.15, 1.0: 0.10}  # share of students whose engagement slips or picks up
SLIP_ABILITY = -2.0  # the ability of the demo class's slipping student
TURN_ENGAGEMENT = 2.0  # change of the home-session logit once the turn is complete
PRACTICE_DECAY = 0.5 ** (1 / 28)  # daily decay of `Learner.mastery` (four-week half-life)
PRACTICE_GAIN = 2.0  # ability logit per unit of log(1 + mastery)
PRACTICE_REF = 1.35  # log(1 + mastery) of a steady session every two weeks (a typical student)
DEMO_COUNTY_CODE = "10008"

# --------------------------------------------------------------------------- the platforms

ADL, JUNYI, COOL = "adl", "junyi", "coolenglish"


@dataclass(frozen=True)
class PlatformSpec:
    kind: str
    name: str
    credential_platform: str  # Credential.platform of its LRS credential
    credential_name: str
    home_page: str
    default_subject: str
    purpose: str
    data_fields: str
    legal_basis: str


LEGAL_BASIS = (
    "個人資料保護法第15條第1款（公務機關於執行法定職務必要範圍內蒐集、處理個人資料）及第16條"
    "（於執行法定職務必要範圍內利用，並與蒐集之特定目的相符）；國民教育法、高級中等教育法、"
    "學生輔導法；教育部「數位學習精進方案」及本府數位學習推動計畫；本府與平臺營運單位簽訂之"
    "學習資料介接與保密協議。"
)

PLATFORM_SPECS: dict[str, PlatformSpec] = {
    ADL: PlatformSpec(
        kind=Platform.Kind.ADL,
        name="因材網",
        credential_platform="因材網",
        credential_name="因材網 AI 學習平臺",
        home_page="https://adl.edu.tw",
        default_subject="",
        purpose=(
            "彙整本縣學生於因材網之學習歷程（觀看教學影片、練習題作答、知識節點完成），供導師掌握"
            "班級學習狀況並及早關懷久未學習之學生，供學校與本府檢視數位學習推動成效、分配學習扶助"
            "與數位學伴資源。縣市層級分析僅使用假名化代碼，不對外提供個別學生資料。"
        ),
        data_fields=(
            "學生帳號（校務系統學號）、年級、科目、知識節點代碼、學習活動（影片、練習題、知識節點）、"
            "作答結果（題組答對比率、是否通過）、學習時間長度、學習時間戳記。"
            "不含姓名、身分證統一編號、聯絡方式及家庭資料。"
        ),
        legal_basis=LEGAL_BASIS,
    ),
    COOL: PlatformSpec(
        kind=Platform.Kind.COOL_ENGLISH,
        name="酷英網",
        credential_platform="酷英網",
        credential_name="酷英網",
        home_page="https://www.coolenglish.edu.tw",
        default_subject="english",
        purpose=(
            "彙整學生於酷英網之英語學習紀錄（聽讀練習、題組作答、單元完成），供英語教師與導師掌握"
            "學生英語自主學習情形，供本府評估雙語教育及英語數位學習資源之使用。"
        ),
        data_fields=(
            "學生帳號（校務系統學號）、年級、學習單元、練習類型（聽力、閱讀、字彙）、題組得分、"
            "是否完成、學習時間長度、學習時間戳記。不含姓名及聯絡方式。"
        ),
        legal_basis=LEGAL_BASIS,
    ),
    JUNYI: PlatformSpec(
        kind=Platform.Kind.JUNYI,
        name="均一教育平台",
        credential_platform="均一",
        credential_name="均一教育平台",
        home_page="https://www.junyiacademy.org",
        default_subject="",
        purpose=(
            "彙整學生於均一教育平台之數學與自然學習紀錄（影片觀看、練習題組、精熟挑戰），與其他"
            "平臺之紀錄合併呈現學生學習樣貌，供教師調整教學、學校與本府評估平臺使用成效。"
        ),
        data_fields=(
            "均一帳號（以教育雲端帳號登入者為校務系統學號；自行註冊之帳號由管理者對應）、年級、"
            "科目、知識點、影片觀看時間、練習題組得分、精熟挑戰結果、學習時間戳記。"
            "不含姓名、電子郵件以外之聯絡方式。"
        ),
        legal_basis=LEGAL_BASIS,
    ),
}


def demo_platforms_create(*, county: Any, actor: Any) -> dict[str, Platform]:
    """The county's three platforms (因材網, 酷英網, 均一), each with its LRS credential: the one
    the LRS demo made when there is one, else a new one. A platform the county already has (an
    interrupted demo run) is kept."""
    out: dict[str, Platform] = {}
    for key, spec in PLATFORM_SPECS.items():
        existing = Platform.objects.filter(county=county, name=spec.name).first()
        if existing is not None:
            out[key] = existing
            continue
        credential = (
            Credential.objects.filter(
                county=county, platform=spec.credential_platform, revoked_at__isnull=True
            )
            .order_by("id")
            .first()
        )
        if credential is None:
            credential = credential_create(
                name=spec.credential_name,
                platform=spec.credential_platform,
                county=county,
                scopes=["statements/write"],
                actor=actor,
            ).credential
        out[key] = platform_create(
            actor=actor,
            county=county,
            name=spec.name,
            kind=spec.kind,
            account_home_page=spec.home_page,
            identity_scheme=Platform.IdentityScheme.EXTERNAL_ID,
            default_subject=spec.default_subject,
            purpose=spec.purpose,
            data_fields=spec.data_fields,
            retention_days=730,
            legal_basis=spec.legal_basis,
            credential=credential,
        )
    return out


# --------------------------------------------------------------------------- the calendar

# Lunar-calendar holidays (approximate public calendar): 春節 (New Year's Day), 端午, 中秋.
_LUNAR = {
    2024: (dt.date(2024, 2, 10), dt.date(2024, 6, 10), dt.date(2024, 9, 17)),
    2025: (dt.date(2025, 1, 29), dt.date(2025, 5, 31), dt.date(2025, 10, 6)),
    2026: (dt.date(2026, 2, 17), dt.date(2026, 6, 19), dt.date(2026, 9, 25)),
    2027: (dt.date(2027, 2, 6), dt.date(2027, 6, 9), dt.date(2027, 9, 15)),
    2028: (dt.date(2028, 1, 26), dt.date(2028, 5, 28), dt.date(2028, 10, 3)),
    2029: (dt.date(2029, 2, 13), dt.date(2029, 6, 16), dt.date(2029, 9, 22)),
    2030: (dt.date(2030, 2, 3), dt.date(2030, 6, 5), dt.date(2030, 9, 12)),
}
_QINGMING = {2024: 4, 2025: 4, 2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5}
_FIXED = [
    ((1, 1), "開國紀念日"),
    ((2, 28), "和平紀念日"),
    ((4, 4), "兒童節"),
    ((5, 1), "勞動節"),
    ((9, 28), "教師節"),
    ((10, 10), "國慶日"),
    ((10, 25), "臺灣光復節"),
    ((12, 25), "行憲紀念日"),
]


def taiwan_holidays(year: int) -> dict[dt.date, str]:
    """The national holidays of a year with their observed days (a Saturday's holiday is taken
    on the Friday before, a Sunday's on the Monday after). Lunar dates are known for 2024–2030."""
    days: dict[dt.date, str] = {}
    for (month, day), name in _FIXED:
        days[dt.date(year, month, day)] = name
    days[dt.date(year, 4, _QINGMING.get(year, 5))] = "清明節"
    if year in _LUNAR:
        new_year, dragon_boat, mid_autumn = _LUNAR[year]
        for offset in range(-1, 4):
            days[new_year + dt.timedelta(days=offset)] = "春節"
        days[dragon_boat] = "端午節"
        days[mid_autumn] = "中秋節"
    observed: dict[dt.date, str] = {}
    for day, name in days.items():
        if name == "春節":
            continue
        if day.weekday() == 5:
            observed[day - dt.timedelta(days=1)] = f"{name}（補假）"
        elif day.weekday() == 6:
            observed[day + dt.timedelta(days=1)] = f"{name}（補假）"
    for day, name in observed.items():
        days.setdefault(day, name)
    return days


def classes_end(term_start: dt.date) -> dt.date:
    """The last school day of a term (approximate): the weekday on or before 20 January for the
    first semester, 30 June for the second."""
    if term_start.month >= 8:
        day = dt.date(term_start.year + 1, 1, 20)
    else:
        day = dt.date(term_start.year, 6, 30)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def classes_start(term_start: dt.date) -> dt.date:
    """The first school day of a term (approximate national school calendar): the weekday on or
    after 30 August for the first semester, 11 February for the second."""
    if term_start.month >= 8:
        day = dt.date(term_start.year, 8, 30)
    else:
        day = dt.date(term_start.year, 2, 11)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class Calendar:
    """What kind of day a date is for a Taiwanese pupil, and how much home practice it sees."""

    def __init__(
        self, first_school_day: dt.date, previous: tuple[dt.date, dt.date] | None = None
    ) -> None:
        """`previous`: the first and last school day of the previous term, when it counts."""
        self.first_school_day = first_school_day
        self.previous = previous
        self.holidays: dict[dt.date, str] = {}
        for year in range(first_school_day.year - 1, first_school_day.year + 2):
            self.holidays.update(taiwan_holidays(year))
        # mid-term exams (段考) in the 8th and 15th weeks: more practice in the days before
        self.exams = [
            first + dt.timedelta(weeks=w, days=3 - first.weekday())
            for first in (first_school_day, *(previous[:1] if previous else ()))
            for w in (7, 14)
        ]

    def in_previous(self, day: dt.date) -> bool:
        """Whether `day` is in the previous term's school weeks."""
        return self.previous is not None and self.previous[0] <= day <= self.previous[1]

    def in_term(self, day: dt.date) -> bool:
        return day >= self.first_school_day or self.in_previous(day)

    def school_day(self, day: dt.date) -> bool:
        return self.in_term(day) and day.weekday() < 5 and day not in self.holidays

    def term_share(self, day: dt.date, end: dt.date) -> float:
        """How far into its term `day` is (0–1; the current term ends at `end`)."""
        first, last = self.previous if self.in_previous(day) else (self.first_school_day, end)
        return min(1.0, max(0.0, (day - first).days / max(1, (last - first).days)))

    def home_factor(self, day: dt.date) -> float:
        if day in self.holidays:
            return 0.04
        if not self.in_term(day):
            return 0.08  # summer or winter holidays: a little practice
        if day.weekday() >= 5:
            return 0.35 if day.weekday() == 6 else 0.25
        factor = 0.7 if day.weekday() == 4 else 1.0
        for exam in self.exams:
            if 0 < (exam - day).days <= 6:
                factor *= 1.5
            elif 0 <= (day - exam).days <= 1:
                factor *= 0.5
        return factor


# --------------------------------------------------------------------------- content

# Topics per subject and grade band (1–2, 3–4, 5–6, 7–9, 10–12), in teaching order.
TOPICS: dict[str, list[list[str]]] = {
    "math": [
        ["10以內的數", "加法和減法", "認識時鐘", "二位數的加減", "長度與比較"],
        ["乘法", "除法", "分數的意義", "周長與面積", "公里與公尺", "小數"],
        ["因數與倍數", "分數的加減", "小數的乘法", "長方體與正方體", "比與比值", "速率"],
        ["一元一次方程式", "二元一次聯立方程式", "比例式", "平面直角坐標", "乘法公式", "畢氏定理"],
        ["三角函數", "指數與對數", "數列與級數", "機率", "向量"],
    ],
    "chinese": [
        ["注音符號", "認識國字", "句子的組成", "看圖說話"],
        ["部首與字形", "成語運用", "段落大意", "記敘文閱讀"],
        ["修辭：譬喻", "閱讀理解：說明文", "成語運用", "議論文初探"],
        ["文言文閱讀", "修辭技巧", "論說文寫作", "古典詩詞"],
        ["古文選讀", "現代散文", "閱讀素養題組"],
    ],
    "science": [
        ["認識植物", "天氣變化"],
        ["植物的身體", "磁鐵的性質", "水的三態", "昆蟲的一生"],
        ["植物的構造", "水溶液的性質", "力與運動", "熱的傳播", "星星的移動"],
        ["細胞與生物", "物質的變化", "力與壓力", "電路與電流", "地球的運動"],
        ["化學反應", "牛頓運動定律", "遺傳與演化", "天氣與氣候"],
    ],
    "english": [
        ["Alphabet", "Colors", "Numbers"],
        ["Phonics", "Daily Phrases", "Animals", "My Family"],
        ["Phonics", "Daily Phrases", "Reading", "Past Tense", "Food and Drinks"],
        ["Grammar: Tenses", "Reading Comprehension", "Listening", "Vocabulary 1200"],
        ["Reading Strategies", "Listening Practice", "Writing", "Vocabulary 7000"],
    ],
    "social": [
        [],
        ["我的家鄉", "社區的生活", "地圖與方位"],
        ["臺灣的地理", "臺灣的歷史", "政府與人民"],
        ["臺灣史", "中國史", "地理：氣候與地形", "公民：權利與義務"],
        ["歷史專題", "地理資訊", "公民與社會"],
    ],
}


def _band(grade: int) -> int:
    return 0 if grade <= 2 else 1 if grade <= 4 else 2 if grade <= 6 else 3 if grade <= 9 else 4


def _subject_mix(kind: str, grade: int) -> list[tuple[str, float]]:
    """Which subjects a platform is used for at a grade, with weights."""
    if kind == COOL:
        return [("english", 1.0)] if grade >= 3 else []
    if kind == JUNYI:
        return [("math", 0.75), ("science", 0.25)] if grade >= 3 else [("math", 1.0)]
    if grade <= 2:
        return [("math", 0.6), ("chinese", 0.4)]
    if grade <= 6:
        return [
            ("math", 0.45),
            ("chinese", 0.25),
            ("science", 0.15),
            ("english", 0.1),
            ("social", 0.05),
        ]
    if grade <= 9:
        return [
            ("math", 0.4),
            ("science", 0.25),
            ("chinese", 0.12),
            ("english", 0.13),
            ("social", 0.1),
        ]
    return [("math", 0.5), ("science", 0.3), ("chinese", 0.2)]


VERB_NAMES = {v.code: (v.zh, v.en) for v in profile.VERBS}
ACTIVITY_TYPE = {k.code: k.iri for k in profile.ACTIVITY_KINDS}
ACTIVITY_ZH = {k.code: k.zh for k in profile.ACTIVITY_KINDS}
PLATFORM_LABEL = {ADL: "因材網", JUNYI: "均一教育平台", COOL: "酷英網"}


# --------------------------------------------------------------------------- the learners


@dataclass
class Learner:
    person_id: int
    external_id: str
    name: str
    school_id: int
    school_code: str
    class_id: int
    grade: int
    seat: int
    engagement: float  # logit of a home session on an ordinary school day
    ability: float  # logit of answering a question right
    drift: float  # change of engagement per week
    fade_from: dt.date | None = None  # no records from this day on (gone quiet) …
    resume_from: dt.date | None = None  # … until this day (a new term), when set
    turn_from: dt.date | None = None  # engagement starts to fall (turn < 0) or rise (turn > 0)
    turn: float = 0.0
    mastery: float = 0.0  # recent practice: sessions, each decaying with a four-week half-life
    groups: dict[str, dt.date] = field(default_factory=dict)  # kind → start date
    lesson_share: float = 0.93  # chance of taking part in a platform lesson

    def turned(self, day: dt.date) -> float:
        """How far the turn has gone on `day`: 0 before it, 1 three weeks after it began."""
        if self.turn_from is None or day < self.turn_from:
            return 0.0
        return min(1.0, (day - self.turn_from).days / 21)

    def home_logit(self, weeks: float, day: dt.date) -> float:
        return self.engagement + self.drift * weeks + TURN_ENGAGEMENT * self.turn * self.turned(day)

    def ability_now(self) -> float:
        """Ability today: the latent ability moved by the recent practice (`mastery`)."""
        return self.ability + PRACTICE_GAIN * (math.log1p(self.mastery) - PRACTICE_REF)


@dataclass
class ClassPlan:
    class_id: int
    platforms: list[str]  # platforms the class uses, most used first
    lessons: list[tuple[int, str, int]]  # (weekday, platform, hour) of in-class lessons
    push: float = 0.5  # how much the class's teachers use and assign the platforms (0–1)


@dataclass(frozen=True)
class LearningPlan:
    """What to generate: the days, the platforms' use and who must show what."""

    start: dt.date  # first day generated
    end: dt.date  # last day generated (yesterday)
    first_school_day: dt.date
    # the previous term's first and last school day, when its records are generated too (from
    # `start`): the students are a grade lower then, and the first grade of a stage has none
    previous_term: tuple[dt.date, dt.date] | None = None
    share: float = 1.0  # share of the classes generated (always ≥ 1 class per school)
    intensity: float = 1.0  # scales the home sessions
    quiet_classes: frozenset[int] = frozenset()  # keen classes with two students gone quiet
    keep_active: frozenset[int] = frozenset()  # person ids never faded (demo accounts)
    must_classes: frozenset[int] = frozenset()  # classes always generated
    unresolved_actors: int = 14
    programme_start: dt.date | None = None  # first start of the programmes (None: mid-period)


@dataclass
class LearningSummary:
    students: int = 0
    classes: int = 0
    statements: int = 0
    per_platform: dict[str, int] = field(default_factory=dict)
    unresolved_actors: int = 0
    gone_quiet: int = 0
    memberships: dict[str, int] = field(default_factory=dict)
    rolled_up: int = 0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _school_profile(rng: random.Random, stage: str, area: str, ownership: str) -> dict[str, Any]:
    """A school's adoption of each platform (0–1), its engagement and ability effects."""
    remote = area in ("remote", "very_remote", "extremely_remote")
    adoption = rng.betavariate(4, 3) if not remote else rng.betavariate(6, 2)
    uses = {ADL: 1.0, JUNYI: 0.0, COOL: 0.0}
    if stage in ("senior", "vocational", "complete"):
        uses[ADL] = 0.35
        uses[JUNYI] = 0.8 if rng.random() < 0.8 else 0.0
        uses[COOL] = 0.9 if rng.random() < 0.8 else 0.0
    else:
        uses[JUNYI] = 0.5 if rng.random() < 0.45 else 0.0
        uses[COOL] = 0.5 if rng.random() < 0.55 else 0.0
    if stage == "special":
        adoption *= 0.5
    if ownership == "private":
        uses[ADL] = 0.3
        uses[JUNYI] = 0.9
    return {
        "adoption": adoption,
        "uses": uses,
        "engagement": rng.gauss(0.0, 0.35) + (0.25 if remote else 0.0),
        "ability": rng.gauss(0.0, 0.3)
        - (0.35 if remote else 0.0)
        - (0.8 if stage == "special" else 0),
    }


def _class_plan(
    rng: random.Random, class_id: int, grade: int, school: dict[str, Any], *, keen: bool = False
) -> ClassPlan:
    """How a class uses the platforms: its teachers' push (0–1) sets the in-class lessons a week
    (0–2) and how much homework is set on the platforms. A keen class (the demo teacher's) has
    two platform lessons a week and sets homework on them."""
    uses = school["uses"]
    available = [k for k in (ADL, JUNYI, COOL) if uses[k] > 0 and _subject_mix(k, grade)]
    weights = [uses[k] * rng.uniform(0.3, 1.0) for k in available]
    order = [k for _, k in sorted(zip(weights, available, strict=True), reverse=True)]
    teacher = rng.betavariate(1.6, 2.0)
    push = min(1.0, school["adoption"] * (0.3 + 1.2 * teacher) * (0.5 if grade <= 2 else 1.0))
    if keen:
        push = max(push, 0.8)
    count = 2 if keen else sum(1 for _ in range(2) if rng.random() < push * 0.5)
    lessons: list[tuple[int, str, int]] = []
    for index, weekday in enumerate(sorted(rng.sample(range(5), count))):
        platform = order[0] if index == 0 or len(order) == 1 else rng.choice(order)
        lessons.append((weekday, platform, rng.choice([8, 9, 10, 11, 13, 14])))
    return ClassPlan(class_id=class_id, platforms=order or [ADL], lessons=lessons, push=push)


def _learners(
    rng: random.Random, county: Any, plan: LearningPlan, progress: Progress
) -> tuple[list[Learner], dict[int, ClassPlan], dict[int, str]]:
    """The students of the generated classes with their latent parameters and class plans."""
    from dtss.orgs.models import Enrollment, School, SchoolClass

    schools = {s.pk: s for s in School.objects.filter(county=county).order_by("code")}
    school_profiles = {
        pk: _school_profile(rng, s.stage, s.area, s.ownership) for pk, s in schools.items()
    }
    classes = list(
        SchoolClass.objects.filter(
            county=county,
            term__start_date__lte=plan.end,
            term__end_date__gte=plan.start,
        )
        .order_by("school__code", "grade", "number")
        .values_list("pk", "school_id", "grade")
    )
    chosen: set[int] = set(plan.must_classes)
    by_school: dict[int, list[int]] = defaultdict(list)
    for pk, school_id, _grade in classes:
        by_school[school_id].append(pk)
    for school_id in sorted(by_school):
        members = by_school[school_id]
        if not chosen.intersection(members):
            chosen.add(rng.choice(members))
    for pk, _school_id, _grade in classes:
        if rng.random() < plan.share:
            chosen.add(pk)
    class_effect: dict[int, tuple[float, float]] = {}
    class_plans: dict[int, ClassPlan] = {}
    for pk, school_id, grade in classes:
        if pk not in chosen:
            continue
        class_plans[pk] = _class_plan(
            rng, pk, grade, school_profiles[school_id], keen=pk in plan.quiet_classes
        )
        class_effect[pk] = (2.2 * class_plans[pk].push, rng.gauss(0.0, 0.25))
    rows = (
        Enrollment.objects.filter(school_class_id__in=chosen)
        .order_by("school__code", "school_class__grade", "school_class__number", "seat_number")
        .values_list(
            "student_id",
            "student__external_id",
            "student__name",
            "school_id",
            "school__code",
            "school_class_id",
            "school_class__grade",
            "seat_number",
        )
    )
    learners: list[Learner] = []
    for pid, ext, name, school_id, code, class_id, grade, seat in rows:
        if not ext:
            continue
        sp = school_profiles[school_id]
        ce, ca = class_effect[class_id]
        learners.append(
            Learner(
                person_id=pid,
                external_id=ext,
                name=name,
                school_id=school_id,
                school_code=code,
                class_id=class_id,
                grade=grade,
                seat=seat,
                engagement=rng.gauss(ENGAGEMENT + sp["engagement"] + ce, 1.3)
                + math.log(plan.intensity),
                ability=rng.gauss(0.55 + sp["ability"] + ca, 0.85),
                drift=rng.gauss(0.0, 0.05),
            )
        )
    areas = {pk: s.area for pk, s in schools.items()}
    progress(f"Learning records: {len(learners)} students in {len(class_plans)} classes …")
    return learners, class_plans, areas


def _fade(rng: random.Random, learners: list[Learner], plan: LearningPlan) -> int:
    """Choose who goes quiet (~6 % of students, and two in each of `plan.quiet_classes`: their
    activity fades and stops 8–24 days before the end; half of the others stop at any time
    from the fifth week on, and those who stopped last term start again with the new one) and
    who is kept active (the demo accounts' children); set everyone's share of platform lessons
    taken part in."""
    span = (plan.end - plan.first_school_day).days
    can_fade = span >= 21
    first = plan.previous_term[0] if plan.previous_term else plan.first_school_day

    def fade_day() -> dt.date:
        return plan.end - dt.timedelta(days=rng.randint(8, min(24, span - 10)))

    def any_day(learner: Learner) -> None:
        days = (plan.end - first).days - 25
        if days < 28 or rng.random() < 0.5:
            learner.fade_from = fade_day()
            return
        learner.fade_from = first + dt.timedelta(days=rng.randint(28, days))
        if learner.fade_from < plan.first_school_day:
            learner.resume_from = plan.first_school_day

    count = 0
    by_class: dict[int, list[Learner]] = defaultdict(list)
    for learner in learners:
        if learner.person_id in plan.keep_active:
            learner.engagement = max(learner.engagement, ENGAGEMENT + 4.0)
        by_class[learner.class_id].append(learner)
        if can_fade and learner.person_id not in plan.keep_active and rng.random() < 0.06:
            any_day(learner)
            count += 1
    for class_id in sorted(plan.quiet_classes) if can_fade else ():
        pool = [
            s
            for s in by_class.get(class_id, [])
            if s.person_id not in plan.keep_active and s.fade_from is None
        ]
        recent = plan.end - dt.timedelta(days=24)
        members = by_class.get(class_id, [])
        already = sum(1 for s in members if s.fade_from and s.fade_from >= recent)
        for learner in rng.sample(pool, max(0, min(len(pool), 2 - already))):
            learner.fade_from = fade_day()
            learner.engagement = max(learner.engagement, ENGAGEMENT + 2.5)  # active until then
            count += 1
        # and one weaker student who slips five weeks before the end: the risk model's case
        # (kept out of the programmes, whose participants' activity rises)
        rest = [s for s in pool if s.fade_from is None and s.turn_from is None]
        if rest and span >= 42:
            slipping = rng.choice(rest)
            slipping.turn, slipping.turn_from = -1.0, plan.end - dt.timedelta(days=35)
            slipping.ability = SLIP_ABILITY  # passing while practising with the class
    turn_days = (plan.end - first).days - 21
    for learner in learners:
        if learner.person_id in plan.keep_active or learner.fade_from or turn_days < 7:
            continue
        if learner.turn_from is not None:  # the quiet class's slipping student
            continue
        draw = rng.random()
        for turn, share in TURN_SHARE.items():
            if draw < share:
                learner.turn = turn
                learner.turn_from = first + dt.timedelta(days=rng.randint(7, turn_days))
                break
            draw -= share
    for learner in learners:  # the least engaged more often miss or skip a platform lesson
        learner.lesson_share = 0.78 + 0.2 * _sigmoid(learner.engagement - ENGAGEMENT - 1.0)
        if learner.class_id in plan.quiet_classes:  # a keen teacher sees that everyone logs in
            learner.lesson_share = 0.97
    return count


# --------------------------------------------------------------------------- learner groups


def _groups_plan(
    rng: random.Random,
    learners: list[Learner],
    areas: dict[int, str],
    plan: LearningPlan,
) -> list[tuple[Learner, str, dt.date]]:
    """Who is in which group from when: a few percent of students in each disadvantaged group;
    programme participants chosen by need, starting mid-period on a school's own Monday."""
    term_start = plan.start
    out: list[tuple[Learner, str, dt.date]] = []
    first = plan.programme_start or _monday(
        plan.first_school_day + (plan.end - plan.first_school_day) / 2 - dt.timedelta(days=7)
    )
    first = max(first, _monday(plan.first_school_day) + dt.timedelta(days=7))
    starts: dict[tuple[int, str], dt.date] = {}

    def school_start(school_id: int, kind: str) -> dt.date:
        key = (school_id, kind)
        if key not in starts:
            starts[key] = first + dt.timedelta(weeks=rng.randint(0, 2))
        return starts[key]

    for s in learners:
        remote = areas.get(s.school_id, "") in ("remote", "very_remote", "extremely_remote")
        if rng.random() < (0.1 if remote else 0.045):
            out.append((s, "low_income", term_start))
            s.engagement -= 0.45
            s.ability -= 0.3
        if "·" in s.name:
            out.append((s, "indigenous", term_start))
        if rng.random() < 0.045:
            out.append((s, "new_resident", term_start))
            s.ability -= 0.1
        if s.school_code == "080901" or rng.random() < 0.02:
            out.append((s, "disability", term_start))
            s.ability -= 0.5
        slipping = s.turn < 0 and s.class_id in plan.quiet_classes  # the demo class's case
        if 2 <= s.grade <= 9 and s.ability < -0.3 and not slipping and rng.random() < 0.45:
            out.append((s, "learning_support", school_start(s.school_id, "learning_support")))
        if remote and 3 <= s.grade <= 9 and rng.random() < 0.35:
            out.append((s, "digital_companion", school_start(s.school_id, "digital_companion")))
    for s, kind, start in out:
        if kind in LearnerGroup.PROGRAMMES:
            s.groups[kind] = start
    return out


def _groups_write(
    rows: list[tuple[Learner, str, dt.date]], *, county: Any, actor: Any
) -> dict[str, int]:
    """Record the memberships through the group register's service."""
    from dtss.analytics.group_services import learner_group_add
    from dtss.orgs.models import Person

    people = Person.objects.in_bulk([s.person_id for s, _k, _d in rows])
    counts: dict[str, int] = defaultdict(int)
    for s, kind, start in rows:
        learner_group_add(
            actor=actor, county=county, person=people[s.person_id], kind=kind, start_date=start
        )
        counts[kind] += 1
    return dict(counts)


# --------------------------------------------------------------------------- statements


class _Writer:
    """Builds statements of the DTSS profile for one platform and keeps them per platform."""

    def __init__(self, rng: random.Random, tz: Any) -> None:
        self.rng = rng
        self.tz = tz
        self.out: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(
        self,
        platform: str,
        *,
        actor: dict[str, Any],
        verb: str,
        kind: str,
        subject: str,
        grade: int,
        topic: int,
        when: dt.datetime,
        result: dict[str, Any],
    ) -> None:
        spec = PLATFORM_SPECS[platform]
        topics = TOPICS[subject][_band(grade)] or TOPICS[subject][2]
        name = topics[topic % len(topics)]
        zh_subject = profile.SUBJECTS[subject][0]
        kind_zh = ACTIVITY_ZH[kind]
        node = f"{subject[:3].upper()}-{grade:02d}-{topic % len(topics) + 1:02d}"
        statement: dict[str, Any] = {
            "id": self.uuid(),
            "actor": actor,
            "verb": {
                "id": profile.ADL_VERBS + verb,
                "display": {"zh-TW": VERB_NAMES[verb][0], "en-US": VERB_NAMES[verb][1]},
            },
            "object": {
                "objectType": "Activity",
                "id": f"{spec.home_page}/xapi/activities/{node.lower()}/{kind}",
                "definition": {
                    "name": {"zh-TW": f"{grade}年級{zh_subject}：{name}（{kind_zh}）"},
                    "type": ACTIVITY_TYPE[kind],
                },
            },
            "result": result,
            "context": {
                "platform": PLATFORM_LABEL[platform],
                "language": "zh-TW",
                "extensions": {
                    profile.EXT_SUBJECT: subject,
                    profile.EXT_GRADE: grade,
                    profile.EXT_NODE: node,
                },
            },
            "timestamp": when.isoformat(timespec="seconds"),
        }
        self.out[platform].append(statement)

    def session(
        self,
        platform: str,
        *,
        actor: dict[str, Any],
        grade: int,
        subject: str,
        topic: int,
        when: dt.datetime,
        p_correct: float,
    ) -> None:
        """One learning session: a video or reading, one to three exercise sets, sometimes a
        completion."""
        rng = self.rng
        common = {"actor": actor, "subject": subject, "grade": grade, "topic": topic}
        watch = 0.45 if platform == ADL else 0.35
        if rng.random() < watch:
            minutes = max(2, int(rng.gauss(8, 3)))
            self.add(
                platform,
                verb="experienced",
                kind="reading" if platform == COOL else "video",
                when=when,
                result={"duration": f"PT{minutes}M{rng.randint(0, 59)}S"},
                **common,
            )
            when += dt.timedelta(minutes=minutes + 1)
        sets = 0  # exercise sets in the session: one mostly, a second and third sometimes
        for chance in (0.85, 0.45, 0.15):
            if rng.random() >= chance:
                break
            sets += 1
        for _ in range(sets):
            n = rng.choice((5, 8, 10))
            k = sum(1 for _ in range(n) if rng.random() < p_correct)
            seconds = int(n * rng.uniform(35, 100))
            self.add(
                platform,
                verb="answered",
                kind="exercise",
                when=when,
                result={
                    "success": k / n >= 0.6,
                    "completion": True,
                    "score": {"scaled": round(k / n, 2), "raw": k, "min": 0, "max": n},
                    "duration": f"PT{seconds}S",
                },
                **common,
            )
            when += dt.timedelta(seconds=seconds + 30)
            if k / n >= 0.8 and rng.random() < 0.35:
                if platform == JUNYI:  # 精熟挑戰
                    score = min(1.0, round(k / n + rng.uniform(-0.1, 0.1), 2))
                    self.add(
                        platform,
                        verb="passed",
                        kind="assessment",
                        when=when,
                        result={
                            "success": True,
                            "score": {"scaled": score},
                            "duration": f"PT{rng.randint(120, 400)}S",
                        },
                        **common,
                    )
                else:
                    self.add(
                        platform,
                        verb="completed",
                        kind="node",
                        when=when,
                        result={"completion": True, "success": True},
                        **common,
                    )


def _pick(rng: random.Random, weights: list[tuple[str, float]]) -> str:
    total = sum(w for _, w in weights)
    x = rng.random() * total
    for value, w in weights:
        x -= w
        if x <= 0:
            return value
    return weights[-1][0]


def _actor(home_page: str, name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


PROGRAMME_BOOST = {"learning_support": 0.8, "digital_companion": 0.6}


def _week_odds(learners: list[Learner], day: dt.date, calendar: Calendar) -> list[float]:
    """Each learner's chance of a home session on an ordinary school day of `day`'s week."""
    weeks = max(0.0, (day - calendar.first_school_day).days / 7)
    return [
        _sigmoid(
            s.home_logit(weeks, day)
            + sum(PROGRAMME_BOOST[k] for k, start in s.groups.items() if day >= start)
        )
        for s in learners
    ]


def _generate_day(
    writer: _Writer,
    day: dt.date,
    learners: list[Learner],
    odds: list[float],
    class_plans: dict[int, ClassPlan],
    calendar: Calendar,
    plan: LearningPlan,
) -> None:
    """One day's sessions of every learner: in-class lessons, programme sessions, home use."""
    rng = writer.rng
    tz = writer.tz
    school_day = calendar.school_day(day)
    home = calendar.home_factor(day)
    progress_share = calendar.term_share(day, plan.end)
    previous = plan.previous_term is not None and day < calendar.first_school_day
    weekday = day.weekday()
    lessons_today: dict[int, list[tuple[str, int]]] = {}
    if school_day:
        for cp in class_plans.values():
            today = [(p, h) for d, p, h in cp.lessons if d == weekday]
            if today:
                lessons_today[cp.class_id] = today
    for index, s in enumerate(learners):
        s.mastery *= PRACTICE_DECAY
        if previous and s.grade in FIRST_GRADES:
            continue  # last term they were not yet at school, or at a school of the stage below
        grade = s.grade - 1 if previous else s.grade
        fading = 1.0
        if s.fade_from is not None and not (s.resume_from and day >= s.resume_from):
            left = (s.fade_from - day).days
            if left <= 0:
                continue
            fading = min(1.0, left / 12)  # activity falls over the last 12 days
        taking_part = s.lesson_share * (0.4 + 0.6 * fading)
        if s.turn < 0:  # a slipping student also skips more of the platform lessons
            taking_part *= 1.0 - 0.35 * s.turned(day)
        lessons = lessons_today.get(s.class_id)
        home_session = rng.random() < odds[index] * home * fading
        if not (lessons or s.groups or home_session):
            continue
        cp = class_plans[s.class_id]
        sessions: list[tuple[str, int]] = []  # (platform, hour)
        for platform, hour in lessons or ():
            # present and logged in; the least engaged often do not get going
            if rng.random() < taking_part:
                sessions.append((platform, hour))
        if school_day:
            for kind, start in s.groups.items():
                if day < start or rng.random() > 0.8 * fading:
                    continue
                if kind == "learning_support" and weekday == 2:
                    sessions.append((ADL, 16))  # 學習扶助: the after-school class on 因材網
                elif kind == "digital_companion" and weekday in (0, 2):
                    sessions.append((ADL, 19))  # 數位學伴: online tutoring in the evening
        if home_session:
            platform = cp.platforms[0] if rng.random() < 0.7 else rng.choice(cp.platforms)
            hour = rng.choice((16, 17, 19, 20, 20, 21)) if school_day else rng.randint(9, 21)
            sessions.append((platform, hour))
            if rng.random() < 0.2:
                sessions.append((rng.choice(cp.platforms), hour + 1))
        if not sessions:
            continue
        growth = 0.35 * progress_share + sum(
            0.04 * (day - start).days / 7 for start in s.groups.values() if day >= start
        )
        ability = s.ability_now() - 1.2 * (1.0 - fading if s.fade_from else 0.0)
        p_correct = _sigmoid(ability + growth + rng.gauss(0, 0.3))
        s.mastery += len(sessions)
        for platform, hour in sessions:
            mix = _subject_mix(platform, grade)
            if not mix:
                continue
            subject = _pick(rng, mix)
            topics = TOPICS[subject][_band(grade)] or TOPICS[subject][2]
            topic = min(len(topics) - 1, int(progress_share * len(topics) + rng.random() - 0.3))
            when = dt.datetime.combine(
                day, dt.time(min(hour, 22), rng.randint(0, 40), rng.randint(0, 59)), tz
            )
            writer.session(
                platform,
                actor=_actor(PLATFORM_SPECS[platform].home_page, s.external_id),
                grade=grade,
                subject=subject,
                topic=max(0, topic),
                when=when,
                p_correct=p_correct,
            )


@dataclass
class _Stranger:
    """A learner whose platform account matches no DTSS person."""

    platform: str
    actor: dict[str, Any]
    grade: int
    active: float
    ability: float


def _strangers(rng: random.Random, count: int) -> list[_Stranger]:
    out: list[_Stranger] = []
    for index in range(count):
        if index == 0:  # an old student number on 因材網 (a pupil who moved schools)
            platform = ADL
            actor = _actor(PLATFORM_SPECS[ADL].home_page, f"0846{rng.randint(10, 99)}0{index}9931")
        elif index % 4 == 3:  # signed in to 均一 with a personal Google account
            platform = JUNYI
            actor = {
                "objectType": "Agent",
                "mbox": f"mailto:student{rng.randint(1000, 9999)}@gmail.com",
            }
        else:  # registered on 均一 with its own account
            platform = JUNYI
            actor = _actor(PLATFORM_SPECS[JUNYI].home_page, f"jy_{rng.getrandbits(32):08x}")
        out.append(
            _Stranger(
                platform, actor, rng.randint(4, 9), rng.uniform(0.15, 0.5), rng.gauss(0.5, 0.8)
            )
        )
    return out


# --------------------------------------------------------------------------- the generator


def learning_generate(
    *,
    county: Any,
    platforms: dict[str, Platform],
    plan: LearningPlan,
    rng: random.Random,
    actor: Any = None,
    progress: Progress = lambda _msg: None,
) -> LearningSummary:
    """Generate, store and roll up the plan's learning records for `county`'s students."""
    tz = timezone.get_current_timezone()
    learners, class_plans, areas = _learners(rng, county, plan, progress)
    summary = LearningSummary(students=len(learners), classes=len(class_plans))
    summary.gone_quiet = _fade(rng, learners, plan)
    memberships = _groups_plan(rng, learners, areas, plan)
    with transaction.atomic():
        if LearnerGroup.objects.filter(county=county).exists():  # an interrupted run wrote them
            summary.memberships = dict(Counter(kind for _s, kind, _d in memberships))
        else:
            summary.memberships = _groups_write(memberships, county=county, actor=actor)
    strangers = _strangers(rng, plan.unresolved_actors)
    summary.unresolved_actors = len(strangers)
    calendar = Calendar(plan.first_school_day, plan.previous_term)
    credentials = {k: p.credential for k, p in platforms.items()}
    counts: dict[str, int] = defaultdict(int)
    day = plan.start
    progress(f"Learning records: {plan.start} – {plan.end} …")
    odds: list[float] = []
    while day <= plan.end:
        if day.weekday() == 0 or not odds:
            odds = _week_odds(learners, day, calendar)
        writer = _Writer(rng, tz)
        _generate_day(writer, day, learners, odds, class_plans, calendar, plan)
        home = calendar.home_factor(day)
        for stranger in strangers:
            if rng.random() < stranger.active * home:
                subject = _pick(rng, _subject_mix(stranger.platform, stranger.grade))
                writer.session(
                    stranger.platform,
                    actor=stranger.actor,
                    grade=stranger.grade,
                    subject=subject,
                    topic=rng.randint(0, 3),
                    when=dt.datetime.combine(day, dt.time(rng.randint(15, 21), 5), tz),
                    p_correct=_sigmoid(stranger.ability),
                )
        for key in sorted(writer.out):
            batch = sorted(writer.out[key], key=lambda s: s["timestamp"])
            counts[key] += len(batch)
            _store(credentials[key], batch)
        if day.day == 1 or day == plan.end:
            progress(f"  … {day}: {sum(counts.values())} records")
        day += dt.timedelta(days=1)
    summary.per_platform = dict(counts)
    summary.statements = sum(counts.values())
    progress(f"Learning records: {summary.statements} stored; rolling up …")
    summary.rolled_up = rollup_process(county_id=county.pk, margin_ms=0)
    return summary


def _store(credential: Credential | None, statements: list[dict[str, Any]]) -> None:
    for start in range(0, len(statements), STORE_BATCH):
        statements_store(
            store=(credential.county_id if credential else None) or 0,
            credential_id=credential.pk if credential else None,
            authority=credential.authority if credential else {},
            statements=statements[start : start + STORE_BATCH],
            version="1.0.3",
        )


# --------------------------------------------------------------------------- the extension


def demo_plan(*, today: dt.date, share: float = 1.0) -> tuple[LearningPlan, Any]:
    """The demo county's plan: the previous term and the current one until yesterday
    (`settings.DEMO_LEARNING_TERMS`, default 2; with 1 the current term only, unless fewer than
    six weeks of school have passed), with the demo accounts' classes always generated, two
    students gone quiet in the demo teacher's class and the demo student and the demo parent's
    children kept active."""
    from dtss.accounts.models import User
    from dtss.orgs.models import AcademicTerm, Enrollment, Guardianship, SchoolClass

    end = today - dt.timedelta(days=1)
    terms = list(AcademicTerm.objects.filter(start_date__lte=end).order_by("-start_date")[:2])
    if not terms:
        raise ValueError("No academic term has started.")
    term = terms[0]
    start = term.start_date
    first_school_day = classes_start(term.start_date)
    previous: tuple[dt.date, dt.date] | None = None
    wanted = int(getattr(settings, "DEMO_LEARNING_TERMS", 2))
    if len(terms) > 1 and (wanted >= 2 or (end - first_school_day).days < 42):
        start = terms[1].start_date
        previous = (classes_start(start), classes_end(start))
    users = {
        u.username: u for u in User.objects.filter(username__in=["teacher", "student", "parent"])
    }
    keep: set[int] = set()
    must: set[int] = set()
    quiet: set[int] = set()
    if "teacher" in users and users["teacher"].person_id:
        homerooms = SchoolClass.objects.filter(
            homeroom_teacher_id=users["teacher"].person_id, term=term
        ).values_list("pk", flat=True)
        quiet.update(homerooms)
        must.update(homerooms)
    if "student" in users and users["student"].person_id:
        keep.add(users["student"].person_id)
    if "parent" in users and users["parent"].person_id:
        keep.update(
            Guardianship.objects.filter(parent_id=users["parent"].person_id).values_list(
                "child_id", flat=True
            )
        )
    must.update(
        Enrollment.objects.filter(student_id__in=keep).values_list("school_class_id", flat=True)
    )
    plan = LearningPlan(
        start=start,
        end=end,
        first_school_day=first_school_day,
        previous_term=previous,
        share=share,
        quiet_classes=frozenset(quiet),
        keep_active=frozenset(keep),
        must_classes=frozenset(must),
    )
    return plan, users


def demo_analytics(rng: random.Random, progress: Progress) -> None:
    """The demo extension: platforms, learner groups and two terms of records for 南投縣."""
    from dtss.accounts.models import User
    from dtss.orgs.models import County

    county = County.objects.get(code=DEMO_COUNTY_CODE)
    own = random.Random(rng.getrandbits(64))  # one draw: later extensions see the same stream
    progress("Learning platforms and two terms of learning records (a few minutes) …")
    admin = User.objects.filter(username="county.admin").first()
    with transaction.atomic():
        platforms = demo_platforms_create(county=county, actor=admin)
    share = float(getattr(settings, "DEMO_LEARNING_SHARE", 1.0))
    plan, _users = demo_plan(today=timezone.localdate(), share=share)
    if plan.end < plan.start:
        return
    summary = learning_generate(
        county=county, platforms=platforms, plan=plan, rng=own, actor=admin, progress=progress
    )
    counts = summary.per_platform
    progress(
        f"Learning records: {summary.statements} from {summary.students} students "
        f"({', '.join(f'{PLATFORM_SPECS[k].name} {v}' for k, v in sorted(counts.items()))}); "
        f"{summary.gone_quiet} gone quiet, {summary.unresolved_actors} unresolved actors, "
        f"{sum(summary.memberships.values())} group memberships."
    )
