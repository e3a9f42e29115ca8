"""Pages of action plans (短中長程計畫) and good-practice cases (案例).

Every view starts from `visible_to` / `get_visible_or_404`: another school's or county's plan is
a 404, the same as a missing one. Students, parents and accounts without a staff role get 403.
Published cases are read by the staff of every county; only the owner scope writes
(`plan_selectors.can_edit`, 403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.framework import plan_selectors as selectors
from dtss.framework import plan_services as services
from dtss.framework.models import Action, Assessment, Case, Evidence, Goal, Plan
from dtss.framework.permissions import can_fill
from dtss.framework.plan_forms import (
    ActionForm,
    ActionProgressForm,
    CaseForm,
    GoalForm,
    PlanForm,
)
from dtss.orgs.models import School

PLAN_PAGE = "framework/plans/plan_detail.html"


def _staff_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: on the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def plan_url(plan: Plan) -> str:
    return reverse("framework:plan_detail", args=[plan.public_id])


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Plans --------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    today = timezone.localdate()
    params = {k: request.GET.get(k, "").strip() for k in ("q", "school", "horizon", "overdue")}
    qs = selectors.plan_list(
        user=request.user,
        today=today,
        q=params["q"],
        school=params["school"],
        horizon=params["horizon"],
        overdue=params["overdue"] == "1",
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    funding = selectors.budget_by_funding(plan_ids=[p.pk for p in page.object_list])
    for plan in page.object_list:
        plan.funding = funding.get(plan.pk, [])
        plan.budget_shown = selectors.money(sum(f.total for f in plan.funding))
    schools = School.objects.filter(
        pk__in=Plan.objects.visible_to(request.user).values("school_id")
    ).order_by("code")
    return render(
        request,
        "framework/plans/plan_list.html",
        {
            "page": page,
            "params": params,
            "schools": schools,
            "horizons": Plan.Horizon.choices,
            "overdue_total": selectors.plan_overdue_total(user=request.user, today=today),
            "can_create": bool(selectors.plan_org_choices(user=request.user)),
            "querystring": _querystring(request),
            "today": today,
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    orgs = selectors.plan_org_choices(user=request.user)
    if not orgs:
        raise PermissionDenied
    form = PlanForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        county, school = form.orgs[form.cleaned_data["org"]]
        try:
            plan = services.plan_create(
                county=county,
                school=school,
                title=form.cleaned_data["title"],
                horizon=form.cleaned_data["horizon"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Plan created. Add its goals and actions."))
            return redirect("framework:plan_detail", public_id=plan.public_id)
    return render(request, "framework/plans/plan_form.html", {"form": form})


def _render_plan(
    request: HttpRequest,
    plan: Plan,
    *,
    goal_form: GoalForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    view = selectors.plan_detail(plan=plan, today=today)
    editable = selectors.can_edit(request.user, plan)
    context: dict[str, Any] = {
        "plan": plan,
        "view": view,
        "today": today,
        "can_edit": editable,
        "statuses": Action.Status.choices,
    }
    if editable:
        context["goal_form"] = goal_form or GoalForm(
            strategies=selectors.plan_strategy_choices(plan=plan)
        )
        context["action_form"] = action_form or ActionForm(
            goals=plan.goals.order_by("order", "id"),
            owners=selectors.plan_owner_choices(plan=plan),
            initial={"starts_on": plan.starts_on, "ends_on": plan.ends_on},
        )
    return render(request, PLAN_PAGE, context, status=status)


@login_required
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    _staff_only(request)
    plan = get_visible_or_404(Plan, request.user, public_id)
    return _render_plan(request, plan)


def _editable_plan(request: HttpRequest, public_id: str) -> Plan:
    _staff_only(request)
    plan = get_visible_or_404(Plan, request.user, public_id)
    if not selectors.can_edit(request.user, plan):
        raise PermissionDenied
    return plan


@login_required
@require_POST
def goal_add(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = _editable_plan(request, public_id)
    form = GoalForm(request.POST, strategies=selectors.plan_strategy_choices(plan=plan))
    if form.is_valid():
        try:
            services.goal_create(
                plan=plan,
                title=form.cleaned_data["title"],
                strategies=list(form.cleaned_data["strategies"]),
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Goal added."))
            return redirect("framework:plan_detail", public_id=plan.public_id)
    return _render_plan(request, plan, goal_form=form, status=400)


def _action_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "owner": data.get("owner"),
        "starts_on": data.get("starts_on"),
        "ends_on": data.get("ends_on"),
        "budget": data.get("budget"),
        "funding": data.get("funding") or "",
        "programme": data.get("programme") or "",
        "success_measure": data.get("success_measure") or "",
        "progress": data.get("progress") or 0,
        "status": data["status"],
    }


@login_required
@require_POST
def action_add(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = _editable_plan(request, public_id)
    form = ActionForm(
        request.POST, goals=plan.goals.all(), owners=selectors.plan_owner_choices(plan=plan)
    )
    if form.is_valid():
        try:
            services.action_create(
                goal=form.cleaned_data["goal"],
                **_action_fields(form.cleaned_data),
                actor=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Action added."))
            return redirect("framework:plan_detail", public_id=plan.public_id)
    return _render_plan(request, plan, action_form=form, status=400)


def _editable_action(request: HttpRequest, public_id: str) -> Action:
    _staff_only(request)
    action = get_visible_or_404(Action, request.user, public_id)
    if not selectors.can_edit(request.user, action):
        raise PermissionDenied
    return action


@login_required
def action_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _editable_action(request, public_id)
    plan = action.goal.plan
    initial = {
        "title": action.title,
        "owner": action.owner.public_id if action.owner else None,
        "starts_on": action.starts_on,
        "ends_on": action.ends_on,
        "budget": action.budget,
        "funding": action.funding,
        "programme": action.programme,
        "success_measure": action.success_measure,
        "progress": action.progress,
        "status": action.status,
    }
    form = ActionForm(
        request.POST or None,
        initial=initial,
        goals=None,
        owners=selectors.plan_owner_choices(plan=plan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action, actor=request.user, **_action_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{plan_url(plan)}#action-{action.public_id}")
    return render(
        request,
        "framework/plans/action_form.html",
        {"form": form, "action": action, "plan": plan},
        status=400 if form.errors else 200,
    )


def _editable_goal(request: HttpRequest, public_id: str) -> Goal:
    _staff_only(request)
    goal = get_visible_or_404(Goal, request.user, public_id)
    if not selectors.can_edit(request.user, goal):
        raise PermissionDenied
    return goal


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: what deleting the goal deletes (its actions, counted and listed); POST: delete.
    The form posts the number of actions the page showed; the service refuses when the goal
    has more by then, and the page is shown again with the new list."""
    goal = _editable_goal(request, public_id)
    plan = goal.plan
    error = ""
    if request.method == "POST":
        try:
            confirmed = int(request.POST.get("actions", "0"))
        except ValueError:
            confirmed = 0
        try:
            deleted = services.goal_delete(goal=goal, actor=request.user, confirm_actions=confirmed)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if deleted:
                messages.success(
                    request, _("Goal deleted with its actions (%(n)s).") % {"n": deleted}
                )
            else:
                messages.success(request, _("Goal deleted."))
            return redirect(plan_url(plan))
    actions = list(selectors.goal_actions(goal=goal))
    return render(
        request,
        "framework/plans/goal_delete.html",
        {
            "goal": goal,
            "plan": plan,
            "actions": actions,
            "strategies": goal.strategies.select_related("item").order_by(
                "item__order", "stage", "order"
            ),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: the action that will be deleted; POST: delete it."""
    action = _editable_action(request, public_id)
    goal = action.goal
    plan = goal.plan
    if request.method == "POST":
        services.action_delete(action=action, actor=request.user)
        messages.success(request, _("Action deleted."))
        return redirect(f"{plan_url(plan)}#goal-{goal.public_id}")
    action.budget_shown = selectors.money(action.budget)  # type: ignore[attr-defined]
    return render(
        request,
        "framework/plans/action_delete.html",
        {"action": action, "goal": goal, "plan": plan},
    )


@login_required
@require_POST
def action_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The quick status/progress edit from the plan's table."""
    action = _editable_action(request, public_id)
    plan = action.goal.plan
    form = ActionProgressForm(request.POST)
    if form.is_valid():
        try:
            services.action_update(
                action=action,
                actor=request.user,
                status=form.cleaned_data["status"],
                progress=(
                    action.progress
                    if form.cleaned_data["progress"] is None
                    else form.cleaned_data["progress"]
                ),
            )
        except ValidationError as exc:
            for errors in (
                exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
            ):
                for e in errors:
                    messages.error(request, f"{action.title}: {e}")
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a status and a progress from 0 to 100."))
    return redirect(f"{plan_url(plan)}#action-{action.public_id}")


@login_required
def plan_timeline(request: HttpRequest, public_id: str) -> HttpResponse:
    _staff_only(request)
    plan = get_visible_or_404(Plan, request.user, public_id)
    timeline = selectors.plan_timeline(plan=plan, today=timezone.localdate())
    return render(
        request, "framework/plans/plan_timeline.html", {"plan": plan, "timeline": timeline}
    )


@login_required
@require_POST
def plan_from_assessment(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Make a plan from the next steps" on an assessment page."""
    _staff_only(request)
    assessment = get_visible_or_404(Assessment, request.user, public_id)
    if not selectors.may_edit_scope(
        request.user, county_id=assessment.county_id, school_id=assessment.school_id
    ):
        raise PermissionDenied
    try:
        plan = services.plan_from_next_steps(assessment=assessment, actor=request.user)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        back = request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(
            back, {request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("framework:plan_list")
    messages.success(
        request,
        _(
            "Plan made from the next steps: one goal per item. Now add "
            "actions, owners, dates and budgets."
        ),
    )
    return redirect("framework:plan_detail", public_id=plan.public_id)


# --- Cases --------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    params = {
        k: request.GET.get(k, "").strip() for k in ("q", "item", "stage", "school_stage", "subject")
    }
    qs = selectors.case_search(user=request.user, **params)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "framework/cases/case_list.html",
        {
            "page": page,
            "params": params,
            "querystring": _querystring(request),
            **selectors.case_filter_choices(user=request.user),
        },
    )


def _case_evidence(request: HttpRequest, case: Case) -> tuple[Evidence | None, bool]:
    """The evidence behind a case, and whether the reader may open its file (only inside the
    evidence's own scope; a link or text is shown to every reader of the case)."""
    if case.evidence_id is None:
        return None, False
    evidence = case.evidence
    visible = Evidence.objects.visible_to(request.user).filter(pk=case.evidence_id).exists()
    return evidence, visible


@login_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    _staff_only(request)
    case = get_visible_or_404(Case, request.user, public_id)
    evidence, evidence_visible = _case_evidence(request, case)
    return render(
        request,
        "framework/cases/case_detail.html",
        {
            "case": case,
            "evidence": evidence,
            "evidence_visible": evidence_visible,
            "can_edit": selectors.can_edit(request.user, case),
        },
    )


def _editable_case(request: HttpRequest, public_id: str) -> Case:
    _staff_only(request)
    case = get_visible_or_404(Case, request.user, public_id)
    if not selectors.can_edit(request.user, case):
        raise PermissionDenied
    return case


@login_required
def case_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _editable_case(request, public_id)
    form = CaseForm(
        request.POST or None,
        initial={
            "title": case.title,
            "summary": case.summary,
            "tags": case.tags,
            "subject": case.subject,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("framework:case_detail", public_id=case.public_id)
    return render(
        request,
        "framework/cases/case_form.html",
        {"form": form, "case": case, "evidence": case.evidence},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def case_unpublish(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _editable_case(request, public_id)
    services.case_unpublish(case=case, actor=request.user)
    messages.success(
        request, _("The case is no longer published. The evidence stays with the assessment.")
    )
    return redirect("framework:case_list")


@login_required
def evidence_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    _staff_only(request)
    evidence = get_visible_or_404(Evidence, request.user, public_id)
    response = evidence.response
    if not can_fill(request.user, response.assessment):
        raise PermissionDenied
    existing = selectors.cases_of_evidence(evidence=evidence).first()
    if existing is not None:
        messages.info(request, _("This evidence is already published as a case."))
        return redirect("framework:case_detail", public_id=existing.public_id)
    form = CaseForm(request.POST or None, initial={"title": evidence.title})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_publish(evidence=evidence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, _("Published. Staff of every school and county can now find this case.")
            )
            return redirect("framework:case_detail", public_id=case.public_id)
    return render(
        request,
        "framework/cases/case_form.html",
        {
            "form": form,
            "evidence": evidence,
            "strategy": response.strategy,
            "assessment": response.assessment,
        },
        status=400 if form.errors else 200,
    )
