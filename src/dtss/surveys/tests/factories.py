"""Helpers for the survey tests: a questionnaire, a run, answers through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dtss.surveys import services
from dtss.surveys.models import Questionnaire, Run

OPTS = [{"value": "yes", "zh": "有", "en": "Yes"}, {"value": "no", "zh": "沒有", "en": "No"}]


def questionnaire(
    world: Any,
    *,
    group: str = "teachers",
    school: str | None = "A-elem",
    pair: str = "S2-voice",
    title: str = "教師問卷",
) -> Questionnaire:
    """Q1 scale (S2.D4, paired), Q2 single, Q3 long text shown only when Q2 = no."""
    admin = world.users["a_admin"]
    qn = services.questionnaire_create(
        actor=admin,
        county=world.counties["A"],
        school=world.schools[school] if school else None,
        title_zh=title,
        group=group,
    )
    section = qn.sections.get()
    services.question_create(
        section=section,
        actor=admin,
        kind="scale5",
        required=True,
        text_zh="學校會聽取我的意見",
        strategies=["S2.D4"],
        pair=pair,
    )
    services.question_create(
        section=section,
        actor=admin,
        kind="single",
        required=True,
        text_zh="家中有網路嗎？",
        options=OPTS,
        strategies=["S1.M1"],
    )
    services.question_create(
        section=section,
        actor=admin,
        kind="long_text",
        required=True,
        text_zh="為什麼沒有？",
        show_if=[{"q": "Q2", "op": "eq", "value": "no"}],
    )
    return qn


def run(
    world: Any,
    parts: dict[str, Questionnaire],
    *,
    mode: str = "anonymous",
    school: str | None = "A-elem",
    opens: datetime | None = None,
    **kw: Any,
) -> Run:
    opens = opens or timezone.now() - timedelta(hours=1)
    r = services.run_create(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        school=world.schools[school] if school else None,
        title="114 學年度數位學習問卷",
        mode=mode,
        opens_at=opens,
        closes_at=opens + timedelta(days=14),
        parts=parts,
        **kw,
    )
    return services.run_open(run=r, actor=world.users["a_admin"])


def answer_with_codes(world: Any, r: Run, group: str, scores: list[int], **kw: Any) -> None:
    codes = services.codes_generate(
        run=r, actor=world.users["a_admin"], group=group, count=len(scores), **kw
    )
    for code, score in zip(codes, scores, strict=True):
        services.submission_anonymous(
            code=code.code,
            answers={
                "Q1": score,
                "Q2": "yes" if score > 2 else "no",
                "Q3": f"理由{score}" if score <= 2 else "",
            },
        )
