"""Demo data of the learning record store (journey 7), registered in `DEMO_EXTENSIONS`.

南投縣 gives two platforms their credentials — 因材網 (statements, state and profiles) and 酷英網
(statements only) — created by the county's administrator, and 因材網 has sent three weeks of
learning records for the fifth grade of the demo elementary school (南投國小): on school days each
pupil watches videos, answers exercises and completes knowledge nodes in mathematics, Chinese and
science. Pupils differ in how active and how accurate they are; a few fade over the last week (the
material the analytics and the predictive model of the later issues work on). 酷英網 has sent
English practice for one class.

Everything goes through the services: `credential_create`, then `statements_store` in batches of
100, exactly as the platforms' requests would. The secrets are not kept (the administrator makes
new credentials on the credentials page to try the LRS). A county that already has credentials
is skipped, so running the demo again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Credential
from dtss.lrs.statement_services import statements_store

Progress = Callable[[str], None]

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "experienced": ("看過", "experienced"),
    "answered": ("作答", "answered"),
    "completed": ("完成", "completed"),
}
HOME_PAGE = "https://adl.edu.tw"  # the pupils' 因材網 accounts
ACTIVITY_BASE = "https://adl.edu.tw/xapi/activities/"
EXT = "https://dtss.tw/xapi/extensions/"  # subject and grade (the DTSS xAPI profile)
SUBJECTS = {
    "math": ("數學", "Mathematics", ["分數的加減", "小數的乘法", "長方體與正方體", "因數與倍數"]),
    "chinese": ("國語", "Chinese", ["成語運用", "修辭：譬喻", "閱讀理解：說明文"]),
    "science": ("自然", "Science", ["植物的構造", "水溶液的性質", "力與運動"]),
    "english": ("英語", "English", ["Daily Phrases", "Phonics", "Reading"]),
}
ADL_SUBJECTS = ["math", "chinese", "science"]  # 因材網's subjects here; 酷英網 sends English


def _days(today: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = today - dt.timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def _statement(
    rng: random.Random,
    *,
    person: Any,
    verb: str,
    subject: str,
    node: int,
    kind: str,
    when: dt.datetime,
    registration: str,
    grade: int,
    platform: str,
    correct_rate: float,
) -> dict[str, Any]:
    zh_subject, en_subject, topics = SUBJECTS[subject]
    topic = topics[node % len(topics)]
    activity_id = f"{ACTIVITY_BASE}{subject}/{kind}/{node:04d}"
    kind_zh = {"video": "影片", "exercise": "練習題", "node": "知識節點", "practice": "練習"}[kind]
    statement: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {
            "objectType": "Agent",
            "name": person.name,
            "account": {"homePage": HOME_PAGE, "name": person.external_id},
        },
        "verb": {
            "id": ADL + verb,
            "display": {"zh-TW": VERBS[verb][0], "en-US": VERBS[verb][1]},
        },
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {
                "name": {
                    "zh-TW": f"{zh_subject}：{topic}（{kind_zh}）",
                    "en-US": f"{en_subject} {node}",
                },
                "type": "http://adlnet.gov/expapi/activities/"
                + (
                    "media" if kind == "video" else "assessment" if kind == "exercise" else "lesson"
                ),
            },
        },
        "context": {
            "registration": registration,
            "platform": platform,
            "language": "zh-TW",
            "contextActivities": {
                "grouping": [{"objectType": "Activity", "id": f"{ACTIVITY_BASE}{subject}"}]
            },
            "extensions": {EXT + "subject": subject, EXT + "grade": grade},
        },
        "timestamp": when.isoformat(),
    }
    if verb == "answered":
        success = rng.random() < correct_rate
        statement["result"] = {
            "success": success,
            "score": {
                "scaled": 1.0 if success else 0.0,
                "raw": 1 if success else 0,
                "min": 0,
                "max": 1,
            },
            "duration": f"PT{rng.randint(20, 150)}S",
        }
    elif verb == "experienced":
        statement["result"] = {"duration": f"PT{rng.randint(3, 12)}M{rng.randint(0, 59)}S"}
    else:
        statement["result"] = {"completion": True, "success": correct_rate > 0.55}
    return statement


def _store(credential: Credential, issued_authority: dict[str, Any], batch: list[dict]) -> None:
    for start in range(0, len(batch), 100):
        statements_store(
            store=credential.county_id or 0,
            credential_id=credential.id,
            authority=issued_authority,
            statements=batch[start : start + 100],
            version="1.0.3",
        )


def demo_lrs(rng: random.Random, progress: Progress) -> None:
    from dtss.accounts.models import User
    from dtss.orgs.models import County, Enrollment, School

    county = County.objects.get(code="10008")
    if Credential.objects.filter(county=county).exists():
        return
    progress("Learning records from 因材網 and 酷英網 …")
    admin = User.objects.filter(username="county.admin").first()
    adl = credential_create(
        name="因材網 AI 學習平臺",
        platform="因材網",
        county=county,
        scopes=["statements/write", "state", "profile"],
        actor=admin,
    ).credential
    cool_english = credential_create(
        name="酷英網", platform="酷英網", county=county, scopes=["statements/write"], actor=admin
    ).credential

    school = School.objects.get(code="084601")
    enrollments = list(
        Enrollment.objects.filter(school=school, school_class__grade=5)
        .select_related("student", "school_class")
        .order_by("school_class__number", "seat_number")
    )
    today = timezone.localdate()
    days = _days(today, 15)
    tz = timezone.get_current_timezone()
    rows: list[dict[str, Any]] = []
    english: list[dict[str, Any]] = []
    for enrollment in enrollments:
        person = enrollment.student
        activity = rng.uniform(0.4, 1.0)
        correct_rate = rng.uniform(0.45, 0.92)
        fading = rng.random() < 0.15
        registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for index, day in enumerate(days):
            level = activity * (0.25 if fading and index >= len(days) - 5 else 1.0)
            if rng.random() > level:
                continue
            start = dt.datetime.combine(day, dt.time(rng.choice([8, 10, 13, 15, 19]), 0), tz)
            minute = rng.randint(0, 40)
            for _ in range(rng.randint(1, 3)):
                subject = rng.choice(ADL_SUBJECTS)
                node = rng.randint(1, 40)
                common = {
                    "person": person,
                    "subject": subject,
                    "node": node,
                    "registration": registration,
                    "grade": 5,
                    "platform": "因材網",
                    "correct_rate": correct_rate,
                }
                when = start + dt.timedelta(minutes=minute)
                rows.append(_statement(rng, verb="experienced", kind="video", when=when, **common))
                for q in range(rng.randint(2, 5)):
                    rows.append(
                        _statement(
                            rng,
                            verb="answered",
                            kind="exercise",
                            when=when + dt.timedelta(minutes=8 + 2 * q),
                            **common,
                        )
                    )
                if rng.random() < 0.6:
                    rows.append(
                        _statement(
                            rng,
                            verb="completed",
                            kind="node",
                            when=when + dt.timedelta(minutes=20),
                            **common,
                        )
                    )
                minute += 25
            if enrollment.school_class.number == 1 and rng.random() < 0.5:
                english.append(
                    _statement(
                        rng,
                        person=person,
                        verb="answered",
                        subject="english",
                        node=rng.randint(1, 30),
                        kind="practice",
                        when=start + dt.timedelta(hours=2),
                        registration=registration,
                        grade=5,
                        platform="酷英網",
                        correct_rate=correct_rate,
                    )
                )
    rows.sort(key=lambda s: s["timestamp"])
    _store(adl, adl.authority, rows)
    _store(cool_english, cool_english.authority, english)
