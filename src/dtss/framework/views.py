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
            "can_add_local": bool(scope.admin_county_ids),
            "all_items": [item for item, _s in framework_tree(version=version)],
        },
    )


@login_required
def local_strategy_add(request: HttpRequest) -> HttpResponse:
    """County administrators add a local strategy to an item (marked local)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from dtss.framework.models import Item
    from dtss.framework.services import strategy_local_add
    from dtss.orgs.models import County

    scope = scope_for(request.user)
    if request.method != "POST" or not scope.admin_county_ids:
        raise PermissionDenied
    county = County.objects.get(pk=min(scope.admin_county_ids))
    item = Item.objects.filter(version=current_version(), code=request.POST.get("item", "")).first()
    if item is None:
        messages.error(request, _("Choose an item."))
        return redirect("framework:browse")
    try:
        strategy = strategy_local_add(
            county=county,
            item=item,
            stage=request.POST.get("stage", ""),
            text_zh=request.POST.get("text_zh", ""),
            text_en=request.POST.get("text_en", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("framework:browse")
    messages.success(request, _("Local strategy %(code)s added.") % {"code": strategy.code})
    return redirect(f"{request.build_absolute_uri('/framework/')}#{item.code}")
