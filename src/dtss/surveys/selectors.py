"""Reads of the surveys app. Results are read only through `run_results`, which applies the
suppression rules of suppression.py, so pages, exports and the API publish the same figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from dtss.core.tenancy import scope_for
from dtss.surveys import suppression
from dtss.surveys.models import (
    TEXT_KINDS,
    Answer,
    BankQuestion,
    Group,
    Invitation,
    Kind,
    Question,
    Questionnaire,
    Run,
    Submission,
)

GAP = 1.0  # a difference of mean agreement (1–5) between groups that is highlighted
AGREE = (4, 5)


def questionnaires(*, user: Any) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.visible_to(user).select_related("county", "school")


def bank(
    *, user: Any, group: str = "", item: str = "", strategy: str = "", text: str = ""
) -> QuerySet[BankQuestion]:
    qs = BankQuestion.objects.visible_to(user).filter(active=True)
    if group:
        qs = qs.filter(group=group)
    if item:
        qs = qs.filter(item=item)
    if text:
        qs = qs.filter(Q(text_zh__icontains=text) | Q(text_en__icontains=text))
    if strategy:
        ids = [b.pk for b in qs if strategy in (b.strategies or [])]
        qs = qs.filter(pk__in=ids)
    return qs


def runs(*, user: Any) -> QuerySet[Run]:
    return Run.objects.visible_to(user).select_related("county", "school")


def may_read_results(user: Any, run: Run) -> bool:
    """Results are for the owner's administrators and, of a school's run, its county's staff;
    teachers, students and parents never read them."""
    scope = scope_for(user)
    if scope.superuser or scope.everything or run.county_id in scope.county_ids:
        return True
    return run.school_id is not None and run.school_id in scope.admin_school_ids


def my_invitations(*, user: Any, now: datetime | None = None) -> list[Invitation]:
    """Named runs waiting for this person (open now), then the ones answered."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    now = now or timezone.now()
    return list(
        Invitation.objects.filter(
            person=person,
            run__status=Run.Status.OPEN,
            run__opens_at__lte=now,
            run__closes_at__gt=now,
        )
        .select_related("run", "part", "part__questionnaire", "about", "school")
        .order_by("answered_at", "run__closes_at", "id")
    )


def run_progress(*, run: Run) -> list[dict[str, Any]]:
    """Per group (and school for a county run): invited/issued, answered, rate. Counts of
    respondents are not results, so they are shown whatever their size."""
    rows = []
    answered = Counter(
        (g, s)
        for g, s in Submission.objects.filter(run=run).values_list("part__group", "school_id")
    )
    if run.mode == Run.Mode.NAMED:
        invited = Counter(
            (g, s) for g, s in run.invitations.values_list("part__group", "school_id")
        )
    else:
        invited = Counter()
        for g, s, issued in run.parts.values_list("group", "codes__school_id", "codes__issued"):
            if issued:
                invited[(g, s)] += issued
        # used one-time codes are kept with uses_left 0; what was issued still counts
    keys = sorted(set(invited) | set(answered), key=lambda k: (k[0], k[1] or 0))
    for key in keys:
        n_inv, n_ans = invited.get(key, 0), answered.get(key, 0)
        rows.append(
            {
                "group": key[0],
                "school_id": key[1],
                "invited": n_inv,
                "answered": n_ans,
                "rate": round(100 * n_ans / n_inv) if n_inv else None,
            }
        )
    return rows


# --- results -----------------------------------------------------------------------------------


@dataclass
class Cell:
    """One question's answers from one respondent group (in the current filter)."""

    group: str
    question: Question
    n: int = 0  # answers (N/A included for the scale)
    shown: bool = False
    mean: float | None = None  # scale: mean of 1–5, N/A excluded; number: mean
    agree: float | None = None  # scale: % agree or strongly agree among non-N/A
    na: int = 0
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)
    texts: list[str] = field(default_factory=list)
    previous_mean: float | None = None

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return round(self.mean - self.previous_mean, 2)


@dataclass
class Row:
    """One statement as asked of each group (SELFIE's side by side), or one question."""

    key: str
    kind: str
    text: str
    strategies: list[str]
    cells: dict[str, Cell]  # group → cell

    @property
    def gap(self) -> float | None:
        means = [c.mean for c in self.cells.values() if c.shown and c.mean is not None]
        if len(means) < 2 or self.kind != Kind.SCALE5:
            return None
        return round(max(means) - min(means), 2)

    @property
    def gap_flag(self) -> bool:
        return self.gap is not None and self.gap >= GAP


@dataclass
class GroupSummary:
    group: str
    label: str
    respondents: int
    shown: bool


@dataclass
class Results:
    run: Run
    k: int
    groups: list[GroupSummary]
    rows: list[Row]
    school_id: int | None = None
    class_id: int | None = None
    blocked: bool = False  # the filter would let a small group be recovered: nothing shown
    previous: Run | None = None

    @property
    def suppressed_groups(self) -> list[GroupSummary]:
        return [g for g in self.groups if not g.shown]


def _submissions(run: Run, school_id: int | None, class_id: int | None) -> QuerySet[Submission]:
    qs = Submission.objects.filter(run=run)
    if school_id:
        qs = qs.filter(school_id=school_id)
    if class_id:
        qs = qs.filter(school_class_id=class_id)
    return qs


def _group_counts(qs: QuerySet[Submission]) -> dict[str, int]:
    return dict(
        qs.values_list("part__group").annotate(n=Count("id")).values_list("part__group", "n")
    )


def run_results(
    *,
    run: Run,
    school_id: int | None = None,
    class_id: int | None = None,
    language: str | None = None,
    with_previous: bool = True,
) -> Results:
    """The published results of a run, optionally for one school (county runs) or one class.

    Every figure passes suppression: a group with fewer respondents than the run's minimum is
    hidden; a filtered view (a school, a class) is one cell of a partition — the run's
    respondents by school, a school's by class (pupils without a class are a cell too) — and
    is shown only when that partition's suppression (suppression.suppressed_cells) leaves it
    published, so that no combination of published views can be subtracted to reveal a small
    group; and a question answered by fewer than the minimum is hidden."""
    from dtss.orgs.models import SchoolClass

    language = language or get_language() or ""
    k = max(run.min_group_size, 5)
    if class_id and not school_id:
        school_id = (
            SchoolClass.objects.filter(pk=class_id).values_list("school_id", flat=True).first()
        )
        if school_id is None:
            class_id = -1  # no such class: nothing matches
    filtered = _group_counts(_submissions(run, school_id, class_id))
    by_school: dict[str, dict[Any, int]] = defaultdict(dict)
    by_class: dict[str, dict[Any, int]] = defaultdict(dict)
    if school_id:
        for group, key, n in (
            Submission.objects.filter(run=run)
            .values_list("part__group", "school_id")
            .annotate(n=Count("id"))
            .values_list("part__group", "school_id", "n")
        ):
            by_school[group][key] = n
    if class_id:
        for group, key, n in (
            Submission.objects.filter(run=run, school_id=school_id)
            .values_list("part__group", "school_class_id")
            .annotate(n=Count("id"))
            .values_list("part__group", "school_class_id", "n")
        ):
            by_class[group][key] = n
    parts = list(run.parts.select_related("questionnaire").order_by("id"))
    labels = dict(Group.choices)
    groups = []
    for part in parts:
        n = filtered.get(part.group, 0)
        shown = n >= k
        if shown and school_id:
            shown = school_id not in suppression.suppressed_cells(by_school[part.group], k)
        if shown and class_id:
            shown = class_id not in suppression.suppressed_cells(by_class[part.group], k)
        groups.append(GroupSummary(part.group, str(labels.get(part.group, part.group)), n, shown))
    shown_groups = {g.group for g in groups if g.shown}
    blocked = bool(
        (school_id or class_id) and not shown_groups and any(g.respondents for g in groups)
    )

    questions = {
        part.group: list(
            part.questionnaire.questions.select_related("section").order_by(
                "section__order", "section_id", "order", "id"
            )
        )
        for part in parts
    }
    answers: dict[int, list[Any]] = defaultdict(list)
    group_of_question = {q.pk: g for g, qs in questions.items() for q in qs}
    if shown_groups:
        qs = Answer.objects.filter(
            submission__in=_submissions(run, school_id, class_id),
            submission__part__group__in=shown_groups,
        ).values_list("question_id", "value", "submission__part__group")
        for question_id, value, group in qs:
            if group_of_question.get(question_id) == group:
                answers[question_id].append(value)

    previous = run.previous if with_previous else None
    previous_means: dict[tuple[str, str], float | None] = {}
    if previous is not None:
        before = run_results(run=previous, language=language, with_previous=False)
        for row in before.rows:
            for g, c in row.cells.items():
                if c.shown:
                    previous_means[(row.key, g)] = c.mean

    rows: dict[str, Row] = {}
    for part in parts:
        for q in questions[part.group]:
            key = q.pair or f"{part.group}:{q.code}"
            row = rows.get(key)
            if row is None:
                row = rows[key] = Row(
                    key=key,
                    kind=q.kind,
                    text=q.text(language),
                    strategies=list(q.strategies),
                    cells={},
                )
            else:
                row.strategies = list(dict.fromkeys(row.strategies + list(q.strategies)))
            cell = _cell(
                part.group, q, answers.get(q.pk, []), k, part.group in shown_groups, language
            )
            cell.previous_mean = previous_means.get((key, part.group))
            row.cells[part.group] = cell
    return Results(
        run=run,
        k=k,
        groups=groups,
        rows=list(rows.values()),
        school_id=school_id,
        class_id=class_id,
        blocked=blocked,
        previous=previous,
    )


def _cell(
    group: str, q: Question, values: list[Any], k: int, group_shown: bool, language: str
) -> Cell:
    values = [v for v in values if v is not None and v != "" and v != []]
    cell = Cell(group=group, question=q, n=len(values))
    cell.shown = group_shown and cell.n >= k
    if not cell.shown:
        return cell
    if q.kind == Kind.SCALE5:
        scored = [int(v) for v in values if int(v) > 0]
        cell.na = cell.n - len(scored)
        if scored:
            cell.mean = round(sum(scored) / len(scored), 2)
            cell.agree = round(100 * sum(1 for v in scored if v in AGREE) / len(scored), 1)
        from dtss.surveys.labels import scale_labels

        labels = scale_labels(language)
        counts = Counter(int(v) for v in values)
        cell.counts = [(str(i), labels[i], counts.get(i, 0)) for i in (5, 4, 3, 2, 1, 0)]
    elif q.kind in (Kind.SINGLE, Kind.MULTIPLE):
        counts = Counter()
        for v in values:
            for x in v if isinstance(v, list) else [v]:
                counts[str(x)] += 1
        cell.counts = [
            (
                str(o["value"]),
                q.option_label(str(o["value"]), language),
                counts.get(str(o["value"]), 0),
            )
            for o in q.options
        ]
    elif q.kind == Kind.NUMBER:
        nums = [float(v) for v in values]
        cell.mean = round(sum(nums) / len(nums), 2)
    elif q.kind in TEXT_KINDS:
        # sorted, so that their order says nothing about who answered when
        cell.texts = sorted(str(v) for v in values)
    elif q.kind == Kind.DATE:
        counts = Counter(str(v) for v in values)
        cell.counts = [(d, d, n) for d, n in sorted(counts.items())]
    return cell


def school_breakdown(*, run: Run, language: str | None = None) -> list[dict[str, Any]]:
    """County runs: per school and group, respondents and mean agreement over all scale
    questions — with the small schools suppressed together (rule 2 of suppression.py)."""
    k = max(run.min_group_size, 5)
    per: dict[str, dict[int, int]] = defaultdict(dict)
    for group, school_id, n in (
        Submission.objects.filter(run=run)
        .values_list("part__group", "school_id")
        .annotate(n=Count("id"))
        .values_list("part__group", "school_id", "n")
    ):
        if school_id is not None:
            per[group][school_id] = n
    hidden = {group: suppression.suppressed_cells(counts, k) for group, counts in per.items()}
    means: dict[tuple[str, int], list[int]] = defaultdict(list)
    for group, school_id, value in Answer.objects.filter(
        submission__run=run, question__kind=Kind.SCALE5
    ).values_list("submission__part__group", "submission__school_id", "value"):
        if value and school_id is not None and school_id not in hidden.get(group, set()):
            means[(group, school_id)].append(int(value))
    from dtss.orgs.models import School

    schools = {s.pk: s for s in School.objects.filter(pk__in={s for c in per.values() for s in c})}
    out = []
    for school_id in sorted(schools, key=lambda i: schools[i].code):
        row: dict[str, Any] = {"school": schools[school_id], "groups": {}}
        for group, counts in per.items():
            n = counts.get(school_id, 0)
            shown = n > 0 and school_id not in hidden[group]
            vals = means.get((group, school_id), [])
            row["groups"][group] = {
                "respondents": n,
                "shown": shown,
                "mean": round(sum(vals) / len(vals), 2) if shown and vals else None,
            }
        out.append(row)
    return out


def named_answers(*, run: Run) -> list[tuple[Invitation, dict[str, Any]]]:
    """Named runs only (forms): each invitation with its answers by question code — what a
    form is for (e.g. who will join the trip). Never for anonymous runs."""
    if run.mode != Run.Mode.NAMED:
        raise ValueError("an anonymous run has no named answers")
    invitations = list(
        run.invitations.select_related("person", "about", "school_class", "part").order_by(
            "school_id", "school_class_id", "person__name", "id"
        )
    )
    by_invitation: dict[int, dict[str, Any]] = defaultdict(dict)
    for inv_id, code, value in Answer.objects.filter(submission__run=run).values_list(
        "submission__invitation_id", "question__code", "value"
    ):
        by_invitation[inv_id][code] = value
    return [(inv, by_invitation.get(inv.pk, {})) for inv in invitations]
