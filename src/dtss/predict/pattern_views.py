"""The learning-pattern pages (issue 7 item 4).

- `/predict/schools/<uuid>/patterns/`: the patterns of the latest run of the school's county and
  stage group, with what each means, and counts per grade and class.
  Who sees what (`analytics.access`): the school's administrators (and superusers) every grade
  and class with counts and shares; a teacher of the school only their own classes (404 when
  they have none there); the county's staff and MOE viewers counts only, no shares, with counts
  from 1 to K−1 shown as "<K" (and the next smallest count of the row hidden with them when one
  alone could be worked out from the total); anyone else a 404.
- `/predict/classes/<uuid>/patterns/`: one class's students under each pattern (names: the
  teacher's own class, `access.class_or_404`). The same list is the include
  `predict/patterns_class.html` on the class risk page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.analytics import access
from dtss.analytics.school_selectors import K
from dtss.core.tenancy import scope_for
from dtss.orgs.models import School
from dtss.predict import patterns as pat
from dtss.predict.models import STAGE_GROUP, StageGroup, StudentPattern


def suppressed(counts: list[int], k: int = K) -> tuple[list[str], str]:
    """Counts as shown to county staff: 1..k−1 as "<k"; when the hidden counts add up to less
    than k and another count is left, the smallest other non-zero counts are hidden too (so no
    hidden count follows from the total); the total is hidden when nothing else can be."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < k}
    hide_total = False
    while hidden and sum(counts[i] for i in hidden) < k:
        rest = sorted((n, i) for i, n in enumerate(counts) if i not in hidden and n > 0)
        if not rest:
            hide_total = True
            break
        hidden.add(rest[0][1])
    total = sum(counts)
    cells = [
        f"<{k}" if i in hidden and n < k else ("—" if i in hidden else str(n))
        for i, n in enumerate(counts)
    ]
    shown_total = f"<{k}" if 0 < total < k else ("—" if hide_total else str(total))
    return cells, shown_total


def _rows(rows: list[pat.PatternRow], codes: list[str], *, county: bool) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        counts = row.cells(codes)
        total = row.total
        if county:
            cells, shown_total = suppressed(counts)
            shares: list[str] = []
        else:
            cells, shown_total = [str(n) for n in counts], str(total)
            shares = [f"{round(100 * n / total)}%" if total else "—" for n in counts]
        out.append(
            {
                "label": row.label,
                "school_class": row.school_class,
                "cells": list(zip(cells, shares or [""] * len(cells), strict=True)),
                "total": shown_total,
            }
        )
    return out


@never_cache
@require_GET
@login_required
def school_patterns_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        school: School = access.schools_for(request.user).get(public_id=public_id)
    except School.DoesNotExist as exc:
        raise Http404 from exc
    classes = None
    if scope.superuser or school.pk in scope.admin_school_ids:
        mode = "school"
    elif own := list(access.classes_for(request.user).filter(school=school)):
        mode, classes = "teacher", own
    elif scope.everything or school.county_id in scope.county_ids:
        mode = "county"
    else:
        raise Http404
    data = pat.school_patterns(school, classes=classes)
    run = data.run
    legend = pat.legend(run) if run and mode != "teacher" else []
    if run and mode == "teacher":  # the legend counts only the teacher's own students
        legend = [
            {**item, "count": data.totals.counts.get(item["code"], 0)}
            for item in pat.legend(run)
            if data.totals.counts.get(item["code"], 0)
        ]
    if mode == "county":
        for item in legend:
            item["count"] = suppressed([item["count"]])[1]
    present = {code for row in data.classes for code in row.counts}
    codes = [c for c in pat.ORDER if c in present]
    labels = dict(StudentPattern.Pattern.choices)
    stage = STAGE_GROUP.get(school.stage, "")
    return render(
        request,
        "predict/patterns_school.html",
        {
            "school": school,
            "mode": mode,
            "run": run,
            "stage_label": StageGroup(stage).label if stage else "",
            "legend": legend,
            "columns": [(c, labels[c]) for c in codes],
            "grades": _rows(data.grades, codes, county=mode == "county")
            if mode != "teacher"
            else [],
            "classes": _rows(data.classes, codes, county=mode == "county"),
            "totals": _rows([data.totals], codes, county=mode == "county")[0] if run else None,
            "rules": pat.rules_help(),
            "k": K,
            "link_classes": mode != "county",
        },
    )


@never_cache
@require_GET
@login_required
def class_patterns_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = access.class_or_404(request.user, public_id)
    return render(
        request,
        "predict/patterns_class_page.html",
        {"c": school_class, "patterns": pat.class_patterns(school_class)},
    )
