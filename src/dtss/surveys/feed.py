"""The feed into the framework: a closed run becomes evidence on the strategies its questions
are tagged with (DESIGN.md rule 4, journey 12).

`run_to_evidence` reads the run's published results through `selectors.run_results` (so a
suppressed group never counts) and, for every strategy with published results (a group shown,
a question answered by at least the minimum), adds one evidence item to the response of that
strategy in the owner's current editable assessment: the school's for a school run, the
county's own (Table 6) for a county run. The assessment is the one of the county's open cycle
(the latest opened, when there are several); a submitted or accepted one, or none, is skipped
and logged. Strategies that the owner's assessment does not have (an L-strategy on a school
run) are skipped too.

The item links to the results page (kind "link", `settings.SITE_URL` + the path), or, without
a site address, is a text item naming the path. Its title reads
「問卷結果：<run title>（n=…）— 平均同意度：學校行政 4.60、教師 2.90」: n is the number of
respondents of the groups whose results on that strategy are published. Evidence is stored
once in Chinese (the owner's working language). The results path holds the run's public id,
which is how a second call finds what the first one added and adds nothing.

`run_closed` is what `services.run_close` calls: the feed in a savepoint, and any failure
logged, never failing the close.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from dtss.surveys import selectors
from dtss.surveys.models import Kind, Run

logger = logging.getLogger(__name__)

GROUP_ZH = {
    "leaders": "學校行政",
    "teachers": "教師",
    "students": "學生",
    "parents": "家長",
    "county_staff": "縣市推動辦公室",
    "others": "其他",
}
TITLE_MAX = 200


def results_path(run: Run) -> str:
    return reverse("surveys:run_results", args=[run.public_id])


def results_url(run: Run) -> str:
    """The absolute address of the results page, or "" when the site has no address."""
    site = (getattr(settings, "SITE_URL", "") or "").strip().rstrip("/")
    return site + results_path(run) if site else ""


def editable_assessment(run: Run) -> Any:
    """The owner's assessment in the county's open cycle, if it may still be changed."""
    from dtss.framework.models import Assessment, Cycle
    from dtss.framework.services import _require_editable

    assessment = (
        Assessment.objects.filter(
            county_id=run.county_id, school_id=run.school_id, cycle__status=Cycle.Status.OPEN
        )
        .select_related("cycle")
        .order_by("-cycle__opens_on", "-cycle_id")
        .first()
    )
    if assessment is None:
        return None
    try:
        _require_editable(assessment)
    except ValidationError:
        return None
    return assessment


def _summary(cells: list[Any], respondents: dict[str, int], hidden: list[str], k: int) -> str:
    """One line: mean agreement (1–5) per group over the strategy's scale questions."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    order: list[str] = []
    for cell in cells:
        if cell.group not in order:
            order.append(cell.group)
        if cell.question.kind == Kind.SCALE5 and cell.mean is not None:
            scored = cell.n - cell.na
            sums[cell.group][0] += cell.mean * scored
            sums[cell.group][1] += scored
    means = [f"{GROUP_ZH.get(g, g)} {sums[g][0] / sums[g][1]:.2f}" for g in order if sums[g][1] > 0]
    if means:
        text = "平均同意度（1–5）：" + "、".join(means)
    else:
        text = "已公開結果：" + "、".join(
            f"{GROUP_ZH.get(g, g)} {respondents.get(g, 0)} 人" for g in order
        )
    if hidden:
        text += "；" + "、".join(GROUP_ZH.get(g, g) for g in hidden) + f"未達 {k} 人，不公開"
    return text


def _clip(text: str, limit: int = TITLE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_to_evidence(*, run: Run, actor: Any) -> list[Any]:
    """Add the run's published results as evidence (see the module docstring). Returns the
    evidence items added (none when there is nothing to add or it was added before)."""
    from dtss.framework import services as framework_services
    from dtss.framework.models import Evidence, Response

    results = selectors.run_results(run=run, language="zh-hant", with_previous=False)
    shown_groups = {g.group: g.respondents for g in results.groups if g.shown}
    if not shown_groups:
        logger.info("survey run %s: no group has published results, no evidence", run.public_id)
        return []
    hidden = {g.group for g in results.groups if not g.shown and g.respondents}
    cells_by_code: dict[str, list[Any]] = defaultdict(list)
    hidden_by_code: dict[str, list[str]] = defaultdict(list)
    for row in results.rows:
        for cell in row.cells.values():
            for code in cell.question.strategies or []:
                if cell.shown and cell.group in shown_groups:
                    cells_by_code[code].append(cell)
                elif cell.group in hidden and cell.group not in hidden_by_code[code]:
                    hidden_by_code[code].append(cell.group)
    if not cells_by_code:
        return []
    assessment = editable_assessment(run)
    if assessment is None:
        logger.info(
            "survey run %s: the owner has no editable assessment in an open cycle, no evidence",
            run.public_id,
        )
        return []
    responses = {
        r.strategy.code: r
        for r in Response.objects.filter(
            assessment=assessment, strategy__code__in=list(cells_by_code)
        ).select_related("strategy", "assessment", "assessment__cycle")
    }
    url = results_url(run)
    path = results_path(run)
    marker = str(run.public_id)
    added = []
    for code in sorted(cells_by_code):
        response = responses.get(code)
        if response is None:
            logger.info("survey run %s: %s is not in the assessment, skipped", marker, code)
            continue
        if (
            Evidence.objects.filter(response=response)
            .filter(Q(url__contains=marker) | Q(text__contains=marker))
            .exists()
        ):
            continue  # added before
        cells = cells_by_code[code]
        groups = list(dict.fromkeys(c.group for c in cells))
        n = sum(shown_groups[g] for g in groups)
        title = _clip(
            f"問卷結果：{run.title}（n={n}）— "
            + _summary(cells, shown_groups, hidden_by_code[code], results.k)
        )
        if url:
            evidence = framework_services.evidence_add(
                response=response, actor=actor, kind=Evidence.Kind.LINK, title=title, url=url
            )
        else:
            evidence = framework_services.evidence_add(
                response=response,
                actor=actor,
                kind=Evidence.Kind.TEXT,
                title=title,
                text=f"{title}\n結果頁：{path}",
            )
        added.append(evidence)
    return added


def run_closed(*, run: Run, actor: Any) -> list[Any]:
    """Called by `services.run_close`: the feed in its own savepoint; a failure is logged and
    rolled back alone, and the run stays closed."""
    try:
        with transaction.atomic():
            return run_to_evidence(run=run, actor=actor)
    except Exception:
        logger.exception("survey run %s: adding its results as evidence failed", run.public_id)
        return []
