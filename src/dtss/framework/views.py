"""The framework itself: Tables 6 and 7, browsable by anyone signed in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dtss.core.tenancy import scope_for
from dtss.framework.models import Level, Stage
from dtss.framework.selectors import current_version, framework_tree


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    scope = scope_for(request.user)
    county_id = min(scope.county_ids) if scope.county_ids else None
    version = current_version()
    tree = framework_tree(version=version, county_id=county_id, level=level)
    q = request.GET.get("q", "").strip()
    if q:
        ql = q.lower()
        tree = [
            (
                item,
                [
                    s
                    for s in strategies
                    if ql in s.text_zh.lower() or ql in s.text_en.lower() or ql in s.code.lower()
                ],
            )
            for item, strategies in tree
        ]
        tree = [(item, strategies) for item, strategies in tree if strategies]
    return render(
        request,
        "framework/browse.html",
        {
            "version": version,
            "tree": tree,
            "level": level,
            "levels": Level.choices,
            "q": q,
            "stages": Stage.choices,
        },
    )
