"""Reads of class forms: the forms of the classes a user writes for, and per form who was
asked (a parent: about which child), who answered when, who was reminded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from dtss.homeschool.selectors import writable_classes


def forms_for(*, user: Any, status: str = "", query: str = "") -> QuerySet[Any]:
    """Named runs limited to classes the user writes for, open first, then newest; each with
    `n_invited`, `n_answered`."""
    from dtss.surveys.models import Run

    classes = writable_classes(user=user)
    qs = (
        Run.objects.visible_to(user)
        .filter(mode=Run.Mode.NAMED, classes__in=classes)
        .distinct()
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_answered=Count(
                "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
            ),
            open_first=Case(
                When(status=Run.Status.OPEN, then=Value(0)),
                When(status=Run.Status.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .select_related("school")
        .prefetch_related("classes", "parts")
        .order_by("open_first", "-opens_at", "-id")
    )
    if status in Run.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(title__icontains=query)
    return qs


def rate(invited: int, answered: int) -> int | None:
    return round(100 * answered / invited) if invited else None


@dataclass
class TrackRow:
    invitation: Any
    person: Any
    about: Any
    school_class: Any
    answered_at: Any
    reminded_at: Any
    reminders: int


def tracking(*, run: Any, status: str = "") -> list[TrackRow]:
    """Every invitation of the form: person, child (for parents), class, answered when,
    reminded when and how often. `status`: "answered" or "pending" filters."""
    qs = run.invitations.select_related("person", "about", "school_class").order_by(
        "answered_at", "about__name", "person__name", "id"
    )
    if status == "answered":
        qs = qs.filter(answered_at__isnull=False)
    elif status == "pending":
        qs = qs.filter(answered_at__isnull=True)
    return [
        TrackRow(
            invitation=i,
            person=i.person,
            about=i.about,
            school_class=i.school_class,
            answered_at=i.answered_at,
            reminded_at=i.reminded_at,
            reminders=i.reminders,
        )
        for i in qs
    ]


def summary(*, run: Any) -> dict[str, Any]:
    inv = run.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
    )
    return {
        "invited": inv["invited"],
        "answered": inv["answered"],
        "pending": inv["invited"] - inv["answered"],
        "rate": rate(inv["invited"], inv["answered"]),
    }


def form_group(run: Any) -> str:
    part = run.parts.first()
    return part.group if part else ""


def _shown(question: Any, value: Any, language: str) -> str:
    """An answer as a person reads it: a choice's label, several joined, else the value."""
    if value is None or value == "":
        return ""
    labels = {
        str(o.get("value")): (o.get("en") if language == "en" else None) or o.get("zh") or ""
        for o in (question.options or [])
    }
    values = value if isinstance(value, list) else [value]
    return "、".join(labels.get(str(v)) or str(v) for v in values)


def answers(*, run: Any, language: str) -> tuple[list[Any], dict[int, list[str]]]:
    """The form's questions (every part's, in order) and each invitation's answers as text, in
    the questions' order — what the homeroom teacher sent the form for (who joins the trip,
    who agrees). Invitations without an answer map to nothing."""
    from dtss.surveys.models import Question
    from dtss.surveys.selectors import named_answers

    questions = list(
        Question.objects.filter(questionnaire__run_parts__run=run)
        .exclude(kind="file")
        .distinct()
        .order_by("questionnaire_id", "section__order", "order", "id")
    )
    by_code = {q.code: q for q in questions}
    out: dict[int, list[str]] = {}
    for invitation, values in named_answers(run=run):
        if values:
            out[invitation.pk] = [
                _shown(by_code[q.code], values.get(q.code), language) for q in questions
            ]
    return questions, out
