"""Writes of action plans (短中長程計畫) and good-practice cases (案例).

Every function is keyword-only, atomic, checks who may write (when an actor is given; `actor=None`
is the system: commands and demo data), validates before saving, names the failing field and
leaves an audit entry.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.framework.models import (
    Action,
    Assessment,
    Case,
    Evidence,
    Goal,
    Level,
    Plan,
    Stage,
    Strategy,
)
from dtss.framework.permissions import can_fill
from dtss.framework.plan_selectors import may_edit_scope, plan_owner_choices

UNSET: Any = object()

HORIZON_DAYS = {Plan.Horizon.SHORT: 365, Plan.Horizon.MID: 3 * 365, Plan.Horizon.LONG: 4 * 365}


def _require_editor(actor: Any, *, county_id: int, school_id: int | None) -> None:
    if actor is None:
        return
    if not may_edit_scope(actor, county_id=county_id, school_id=school_id):
        raise PermissionDenied(_("Only the administrators of this school or county may do this."))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Plans --------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    county: Any,
    school: Any = None,
    title: str,
    horizon: str = Plan.Horizon.SHORT,
    starts_on: date | None = None,
    ends_on: date | None = None,
    cycle: Any = None,
    actor: Any,
) -> Plan:
    """A school's plan (`school` set) or the county's own (`school=None`)."""
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school must belong to the county.")})
    if cycle is not None and cycle.county_id != county.pk:
        raise ValidationError({"cycle": _("The cycle must belong to the county.")})
    _require_editor(actor, county_id=county.pk, school_id=school.pk if school else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    plan = Plan(
        county=county,
        school=school,
        title=(title or "").strip(),
        horizon=horizon,
        starts_on=starts_on,
        ends_on=ends_on,
        cycle=cycle,
        created_by=_user(actor),
    )
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="plan.create", obj=plan)
    return plan


def _check_strategies(plan: Plan, strategies: list[Strategy]) -> None:
    level = Level.COUNTY if plan.school_id is None else Level.SCHOOL
    for s in strategies:
        if s.item.level != level:
            msg = (
                _("A school's goal links to school strategies (S1–S5): %(code)s is not one.")
                if level == Level.SCHOOL
                else _("The county's goal links to county strategies (L1–L7): %(code)s is not one.")
            )
            raise ValidationError({"strategies": msg % {"code": s.code}})
        if s.county_id is not None and s.county_id != plan.county_id:
            raise ValidationError(
                {"strategies": _("%(code)s is another county's local strategy.") % {"code": s.code}}
            )


@transaction.atomic
def goal_create(
    *,
    plan: Plan,
    title: str,
    strategies: list[Strategy] | None = None,
    actor: Any,
) -> Goal:
    """A goal linked to strategy IDs of the plan's level (S for schools, L for the county)."""
    _require_editor(actor, county_id=plan.county_id, school_id=plan.school_id)
    strategies = list(strategies or [])
    _check_strategies(plan, strategies)
    last = plan.goals.order_by("-order").values_list("order", flat=True).first()
    goal = Goal(
        county_id=plan.county_id,
        school_id=plan.school_id,
        plan=plan,
        title=(title or "").strip(),
        order=(last or 0) + 1,
    )
    goal.full_clean()
    goal.save()
    goal.strategies.set(strategies)
    audit_record(
        actor=actor,
        action="plan.goal_create",
        obj=goal,
        detail={"plan": str(plan.public_id), "strategies": [s.code for s in strategies]},
    )
    return goal


def _check_action(action: Action) -> None:
    """The rules an action keeps, each naming its field."""
    errors: dict[str, str] = {}
    if action.starts_on and action.ends_on and action.ends_on < action.starts_on:
        errors["ends_on"] = _("The end date must not be before the start date.")
    if action.budget is not None and action.budget < 0:
        errors["budget"] = _("The budget cannot be negative.")
    if not 0 <= int(action.progress) <= 100:
        errors["progress"] = _("Progress is a percentage from 0 to 100.")
    if action.status not in Action.Status.values:
        errors["status"] = _("Unknown status.")
    if action.funding and action.funding not in Action.Funding.values:
        errors["funding"] = _("Unknown funding source.")
    if action.budget and not action.funding:
        errors["funding"] = _("Say where the budget comes from.")
    if action.funding == Action.Funding.PROGRAMME and not action.programme.strip():
        errors["programme"] = _("Name the programme that funds this action.")
    if action.owner_id is not None:
        plan = action.goal.plan
        if not plan_owner_choices(plan=plan).filter(pk=action.owner_id).exists():
            errors["owner"] = (
                _("The owner must be an administrator or teacher of this school.")
                if plan.school_id
                else _("The owner must be an administrator or office staff of this county.")
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(
    *,
    goal: Goal,
    title: str,
    owner: Any = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    budget: Decimal | int | None = None,
    funding: str = "",
    programme: str = "",
    success_measure: str = "",
    progress: int = 0,
    status: str = Action.Status.PLANNED,
    actor: Any,
) -> Action:
    _require_editor(actor, county_id=goal.county_id, school_id=goal.school_id)
    action = Action(
        county_id=goal.county_id,
        school_id=goal.school_id,
        goal=goal,
        title=(title or "").strip(),
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=None if budget is None else Decimal(budget),
        funding=funding or "",
        programme=(programme or "").strip(),
        success_measure=(success_measure or "").strip(),
        progress=progress or 0,
        status=status or Action.Status.PLANNED,
    )
    if action.status == Action.Status.DONE:
        action.progress = 100
    _check_action(action)
    action.full_clean()
    action.save()
    audit_record(
        actor=actor,
        action="plan.action_create",
        obj=action,
        detail={"plan": str(goal.plan.public_id)},
    )
    return action


EDITABLE = (
    "title",
    "owner",
    "starts_on",
    "ends_on",
    "budget",
    "funding",
    "programme",
    "success_measure",
    "progress",
    "status",
)


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor: Any,
    title: str = UNSET,
    owner: Any = UNSET,
    starts_on: date | None = UNSET,
    ends_on: date | None = UNSET,
    budget: Decimal | int | None = UNSET,
    funding: str = UNSET,
    programme: str = UNSET,
    success_measure: str = UNSET,
    progress: int = UNSET,
    status: str = UNSET,
) -> Action:
    """Change only the fields given. Marking an action done sets its progress to 100; every
    change is kept in the audit log with the old and new values."""
    _require_editor(actor, county_id=action.county_id, school_id=action.school_id)
    given = {
        "title": title,
        "owner": owner,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "budget": budget,
        "funding": funding,
        "programme": programme,
        "success_measure": success_measure,
        "progress": progress,
        "status": status,
    }
    current = Action.objects.select_for_update().get(pk=action.pk)
    changes: dict[str, list[Any]] = {}
    for name, value in given.items():
        if value is UNSET:
            continue
        if name in ("title", "programme", "success_measure", "funding"):
            value = (value or "").strip()
        if name == "budget" and value is not None:
            value = Decimal(value)
        if name == "progress":
            value = value or 0
        old = getattr(current, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
        setattr(current, name, value)
    if current.status == Action.Status.DONE and current.progress != 100:
        changes.setdefault("progress", [_plain(action.progress), 100])
        current.progress = 100
    _check_action(current)
    current.full_clean()
    if changes:
        current.save()
        audit_record(
            actor=actor, action="plan.action_update", obj=current, detail={"changes": changes}
        )
    for name in EDITABLE:
        setattr(action, name, getattr(current, name))
    action.updated_at = current.updated_at
    return action


def _plain(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(getattr(value, "public_id", value.pk))
    return value


def _action_record(action: Action) -> dict[str, Any]:
    """What a deleted action held, for the audit log (nothing else keeps it)."""
    return {
        "public_id": str(action.public_id),
        "title": action.title,
        **{name: _plain(getattr(action, name)) for name in EDITABLE if name != "title"},
    }


@transaction.atomic
def action_delete(*, action: Action, actor: Any) -> None:
    """Delete an action. The audit entry keeps what it held (owner, dates, budget, progress)."""
    _require_editor(actor, county_id=action.county_id, school_id=action.school_id)
    current = Action.objects.select_for_update().get(pk=action.pk)
    audit_record(
        actor=actor,
        action="plan.action_delete",
        obj=current,
        detail={
            "plan": str(current.goal.plan.public_id),
            "goal": str(current.goal.public_id),
            "action": _action_record(current),
        },
    )
    current.delete()


@transaction.atomic
def goal_delete(*, goal: Goal, actor: Any, confirm_actions: int = 0) -> int:
    """Delete a goal and its link to strategies (the strategies and assessments stay).

    A goal's actions go with it only when the caller confirms how many it agreed to delete:
    the delete is refused while the goal has more actions than `confirm_actions` (none given:
    only a goal without actions is deleted), so an action added after the confirmation page
    was shown is never deleted unseen. Returns the number of actions deleted; one audit entry
    for the goal keeps what every deleted action held."""
    _require_editor(actor, county_id=goal.county_id, school_id=goal.school_id)
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    actions = list(
        Action.objects.select_for_update().filter(goal=current).order_by("starts_on", "id")
    )
    if len(actions) > max(confirm_actions, 0):
        raise ValidationError(
            {
                "confirm_actions": _(
                    "The goal has actions (%(n)s now). Confirm that they are deleted with it."
                )
                % {"n": len(actions)}
            }
        )
    audit_record(
        actor=actor,
        action="plan.goal_delete",
        obj=current,
        detail={
            "plan": str(current.plan.public_id),
            "strategies": sorted(current.strategies.values_list("code", flat=True)),
            "actions": [_action_record(a) for a in actions],
        },
    )
    current.delete()  # the actions and the strategy links cascade
    return len(actions)


@transaction.atomic
def plan_from_next_steps(
    *,
    assessment: Assessment,
    actor: Any,
    title: str = "",
    horizon: str = Plan.Horizon.SHORT,
    today: date | None = None,
) -> Plan:
    """ "Turn the next steps into a plan": one goal per item whose next stage still has unmet
    strategies, linked to exactly those strategies."""
    from dtss.framework.selectors import assessment_items

    _require_editor(actor, county_id=assessment.county_id, school_id=assessment.school_id)
    views = [v for v in assessment_items(assessment=assessment) if v.result.next_steps]
    if not views:
        raise ValidationError(
            _("Every item is already at maturity: there are no next steps to plan.")
        )
    today = today or timezone.localdate()
    org = assessment.school or assessment.county
    plan = plan_create(
        county=assessment.county,
        school=assessment.school,
        title=(title or "").strip()
        or _("%(org)s: next steps after %(cycle)s")
        % {"org": org.name, "cycle": assessment.cycle.name},
        horizon=horizon,
        starts_on=today,
        ends_on=today + timedelta(days=HORIZON_DAYS.get(horizon, 365) - 1),
        cycle=assessment.cycle,
        actor=actor,
    )
    stage_names = dict(Stage.choices)
    for view in views:
        codes = set(view.result.next_steps)
        strategies = [r.strategy for r in view.responses if r.strategy.code in codes]
        goal_create(
            plan=plan,
            title=_("%(item)s %(title)s: reach the %(stage)s stage")
            % {
                "item": view.item.code,
                "title": view.item.title,
                "stage": stage_names[view.result.next_stage or "D"],
            },
            strategies=strategies,
            actor=actor,
        )
    return plan


# --- Cases --------------------------------------------------------------------------------


def _tags(tags: str | list[str]) -> str:
    parts = (
        tags
        if isinstance(tags, list)
        else (tags or "").replace("，", ",").replace("、", ",").split(",")
    )
    seen: list[str] = []
    for t in parts:
        t = t.strip()
        if t and t not in seen:
            seen.append(t)
    return ", ".join(seen)


@transaction.atomic
def case_publish(
    *,
    evidence: Evidence,
    title: str,
    summary: str,
    tags: str | list[str] = "",
    subject: str = "",
    actor: Any,
) -> Case:
    """Publish a piece of evidence as a good-practice case. The item, strategy and stage come
    from the evidence's response; only those who may fill that assessment publish."""
    response = evidence.response
    if actor is not None and not can_fill(actor, response.assessment):
        raise PermissionDenied(_("Only those who fill this assessment may publish its evidence."))
    if Case.objects.filter(evidence=evidence).exists():
        raise ValidationError({"evidence": _("This evidence is already published as a case.")})
    strategy = response.strategy
    case = Case(
        county_id=evidence.county_id,
        school_id=evidence.school_id,
        evidence=evidence,
        item=strategy.item,
        strategy=strategy,
        stage=strategy.stage,
        title=(title or "").strip(),
        summary=(summary or "").strip(),
        tags=_tags(tags),
        subject=(subject or "").strip(),
        published_by=_user(actor),
    )
    case.full_clean()
    case.save()
    audit_record(
        actor=actor,
        action="case.publish",
        obj=case,
        detail={"evidence": str(evidence.public_id), "strategy": strategy.code},
    )
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: Any,
    title: str,
    summary: str,
    tags: str | list[str] = "",
    subject: str = "",
) -> Case:
    _require_editor(actor, county_id=case.county_id, school_id=case.school_id)
    case.title = (title or "").strip()
    case.summary = (summary or "").strip()
    case.tags = _tags(tags)
    case.subject = (subject or "").strip()
    case.full_clean()
    case.save()
    audit_record(actor=actor, action="case.update", obj=case)
    return case


@transaction.atomic
def case_unpublish(*, case: Case, actor: Any) -> None:
    """Take a case down. The evidence it came from stays with the assessment."""
    _require_editor(actor, county_id=case.county_id, school_id=case.school_id)
    audit_record(actor=actor, action="case.unpublish", obj=case)
    case.delete()
