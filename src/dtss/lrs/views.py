"""Pages of the LRS administration under /lrs/: credentials, the statement browser, statistics.

Credentials: county administrators manage their county's (superusers every one, and national
ones); MOE viewers read all of them; everyone else gets a 403, and another county's credential
is a 404 like a missing one. Statements and statistics: county staff read their county's store,
MOE viewers and superusers every store; read-only. The secret of a new credential is shown
once, in the response to the form that created it, and is never stored.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dtss.core.tenancy import Scope, get_visible_or_404, scope_for
from dtss.lrs import admin_selectors as sel
from dtss.lrs.admin_services import statements_export_audit, statements_jsonl
from dtss.lrs.credential_services import credential_create, credential_revoke
from dtss.lrs.forms import CredentialForm, StatementFilterForm
from dtss.lrs.models import Credential

STATS_DAYS = 30


def endpoint_url() -> str:
    return settings.SITE_URL.rstrip("/") + "/xapi/"


def _may_read_credentials(scope: Scope) -> Scope:
    if not (scope.superuser or scope.everything or scope.admin_county_ids):
        raise PermissionDenied
    return scope


def _may_manage_credentials(scope: Scope) -> Scope:
    if not (scope.superuser or scope.admin_county_ids):
        raise PermissionDenied
    return scope


def _may_read_statements(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.is_county_level:
        raise PermissionDenied
    return scope


def _query_without_page(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in ("page", "after", *names):
        query.pop(name, None)
    return query.urlencode()


# --- credentials -----------------------------------------------------------------------------


@login_required
@require_GET
def credential_list(request: HttpRequest) -> HttpResponse:
    scope = _may_read_credentials(scope_for(request.user))
    manage = scope.superuser or bool(scope.admin_county_ids)
    query = request.GET.get("q", "")
    qs = sel.credential_list(user=request.user, query=query, write=manage)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    traffic = sel.credential_traffic(credential_ids=[c.pk for c in page.object_list])
    rows = [(c, traffic.get(c.pk, sel.Traffic())) for c in page.object_list]
    return render(
        request,
        "lrs/credential_list.html",
        {
            "page": page,
            "rows": rows,
            "q": query,
            "manage": manage,
            "querystring": _query_without_page(request),
            "endpoint": endpoint_url(),
            "recent_days": sel.RECENT_DAYS,
        },
    )


def _curl_example(key: str, secret: str) -> str:
    statement = {
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://example.org", "name": "s1"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/completed",
            "display": {"en-US": "completed"},
        },
        "object": {"objectType": "Activity", "id": "https://example.org/activities/lesson-1"},
    }
    return " \\\n  ".join(
        [
            f"curl -u {shlex.quote(key + ':' + secret)}",
            "-H 'X-Experience-API-Version: 1.0.3'",
            "-H 'Content-Type: application/json'",
            f"-d {shlex.quote(json.dumps(statement, ensure_ascii=False))}",
            shlex.quote(endpoint_url() + "statements"),
        ]
    )


@login_required
def credential_create_view(request: HttpRequest) -> HttpResponse:
    _may_manage_credentials(scope_for(request.user))
    if request.method == "POST":
        form = CredentialForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = credential_create(
                    name=data["name"],
                    county=data["county"],
                    scopes=data["scopes"],
                    platform=data["platform"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # The secret is in this response only: never stored, never shown again.
                response = render(
                    request,
                    "lrs/credential_created.html",
                    {
                        "credential": issued.credential,
                        "secret": issued.secret,
                        "endpoint": endpoint_url(),
                        "curl": _curl_example(issued.credential.key, issued.secret),
                    },
                )
                response["Cache-Control"] = "no-store"
                return response
    else:
        form = CredentialForm(user=request.user)
    return render(request, "lrs/credential_form.html", {"form": form})


@login_required
def credential_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = get_visible_or_404(Credential, request.user, public_id, write=True)
    if request.method == "POST":
        credential_revoke(credential=credential, actor=request.user, request=request)
        messages.success(
            request,
            _("%(name)s was revoked: the platform can no longer send or read records with it.")
            % {"name": credential.name},
        )
        return redirect("lrs:credentials")
    return render(request, "lrs/credential_revoke.html", {"credential": credential})


# --- statements ------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[StatementFilterForm, Any]:
    form = StatementFilterForm(request.GET or None, user=request.user)
    qs = sel.statements_visible(user=request.user)
    flt = sel.StatementFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = sel.StatementFilter(
            credential=data.get("platform"),
            verb=data.get("verb") or "",
            since=data.get("since"),
            until=data.get("until"),
            actor=data.get("actor") or "",
        )
    elif form.is_bound:
        qs = qs.none()
    return form, sel.statements_filter(qs, flt)


@login_required
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    _may_read_statements(request)
    form, qs = _filtered(request)
    statements, after = sel.statements_page(
        qs, after=request.GET.get("after", ""), size=settings.PAGE_SIZE
    )
    rows = [sel.statement_row(s) for s in statements]
    filters = _query_without_page(request)
    any_statement = bool(rows) or sel.statements_visible(user=request.user).exists()
    return render(
        request,
        "lrs/statement_list.html",
        {
            "form": form,
            "rows": rows,
            "after": after,
            "first_page": bool(request.GET.get("after")),
            "filters": filters,
            "any_statement": any_statement,
            "manage": scope_for(request.user).can_administer,
        },
    )


@login_required
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_read_statements(request)
    statement = (
        sel.statements_visible(user=request.user).select_related("credential").filter(pk=pk).first()
    )
    if statement is None:
        raise Http404
    try:
        pretty = json.dumps(json.loads(statement.payload), ensure_ascii=False, indent=2)
    except ValueError:
        pretty = statement.payload
    return render(
        request,
        "lrs/statement_detail.html",
        {"row": sel.statement_row(statement), "statement": statement, "pretty": pretty},
    )


@login_required
@require_GET
def statement_export(request: HttpRequest) -> StreamingHttpResponse:
    _may_read_statements(request)
    _form, qs = _filtered(request)
    statements_export_audit(
        actor=request.user,
        request=request,
        detail={"filters": {k: v for k, v in request.GET.items() if v}},
    )
    response = StreamingHttpResponse(
        statements_jsonl(qs), content_type="application/x-ndjson; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="dtss-xapi-statements-{stamp}.jsonl"'
    return response


# --- statistics ------------------------------------------------------------------------------


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    _may_read_statements(request)
    counts = sel.stats_per_platform_day(stores=sel.stores_for_user(request.user), days=STATS_DAYS)
    platforms, rows = sel.stats_table(counts)
    totals = [sum(r[1][i] for r in rows) for i in range(len(platforms))]
    return render(
        request,
        "lrs/stats.html",
        {
            "platforms": platforms,
            "rows": rows,
            "totals": totals,
            "grand_total": sum(totals),
            "days": STATS_DAYS,
        },
    )
