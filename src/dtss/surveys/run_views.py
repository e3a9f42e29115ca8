"""Run management pages: the list, creating a run, one run's progress, opening and closing,
access codes and their printable slips (anonymous runs), who answered and reminders (named
runs).

Every page is for staff (403 for students, parents and accounts without a role) and starts
from `selectors.runs` / `get_visible_or_404`: another county's or school's run is a 404 like a
missing one. Writes are for the run owner's administrators (`services.may_manage`; 403 for
staff who may only read); the services decide what the run's state allows.

Anonymity: the code pages show how many codes were issued and how many are still unused,
never which code went to whom (that is not stored) nor which answers a code produced.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from dtss.core.tenancy import Scope, get_visible_or_404, scope_for
from dtss.orgs.models import County, School, SchoolClass
from dtss.surveys import selectors, services
from dtss.surveys.models import AccessCode, Group, Invitation, Run, Submission
from dtss.surveys.run_forms import KIND_LINK, CodesForm, RunCreateForm, part_field_name

# --- helpers -----------------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied
    return scope


def _run(request: HttpRequest, public_id: UUID) -> Run:
    run = get_visible_or_404(Run, request.user, public_id)
    return Run.objects.select_related("county", "school", "previous").get(pk=run.pk)


def _may_manage(user: Any, run: Run) -> bool:
    return services.may_manage(user, county_id=run.county_id, school_id=run.school_id)


def _require_manager(request: HttpRequest, run: Run) -> None:
    if not _may_manage(request.user, run):
        raise PermissionDenied


def _may_see_names(user: Any, run: Run) -> bool:
    """Who was invited and who answered (named runs): the owner's administrators and the
    county's office staff; not teachers, not MOE viewers."""
    scope = scope_for(user)
    return _may_manage(user, run) or run.county_id in scope.county_ids


def status_labels() -> dict[str, str]:
    return {
        Run.Status.DRAFT: pgettext("run status", "Draft"),
        Run.Status.OPEN: pgettext("run status", "Open"),
        Run.Status.CLOSED: pgettext("run status", "Closed"),
    }


def mode_labels() -> dict[str, str]:
    return {
        Run.Mode.ANONYMOUS: pgettext("run mode", "Anonymous"),
        Run.Mode.NAMED: pgettext("run mode", "Named"),
    }


def _phase(run: Run, now: Any) -> str:
    """A note on an open run whose answering window has not started or has passed."""
    if run.status != Run.Status.OPEN:
        return ""
    if now < run.opens_at:
        return _("answering starts at the opening time")
    if now >= run.closes_at:
        return _("past its closing time: closes at the next scheduled task")
    return ""


def _rate(answered: int, invited: int) -> int | None:
    return round(100 * answered / invited) if invited else None


def _response_counts(runs: list[Run]) -> dict[int, tuple[int, int]]:
    """(answered, invited or issued) per run, for a page of runs in three queries: the same
    figures as `selectors.run_progress` summed over groups."""
    ids = [r.pk for r in runs]
    answered = dict(
        Submission.objects.filter(run_id__in=ids)
        .order_by()
        .values_list("run_id")
        .annotate(n=Count("id"))
        .values_list("run_id", "n")
    )
    invited = dict(
        Invitation.objects.filter(run_id__in=ids)
        .order_by()
        .values_list("run_id")
        .annotate(n=Count("id"))
        .values_list("run_id", "n")
    )
    issued = dict(
        AccessCode.objects.filter(part__run_id__in=ids)
        .order_by()
        .values_list("part__run_id")
        .annotate(n=Sum("issued"))
        .values_list("part__run_id", "n")
    )
    out = {}
    for r in runs:
        total = invited.get(r.pk, 0) if r.mode == Run.Mode.NAMED else issued.get(r.pk, 0) or 0
        out[r.pk] = (answered.get(r.pk, 0), total)
    return out


def _errors_from(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _flat(exc: ValidationError) -> str:
    return " ".join(m for msgs in _errors_from(exc).values() for m in msgs)


# --- the list ----------------------------------------------------------------------------------


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    scope = _staff_only(request)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "mode")}
    qs = selectors.runs(user=request.user)
    if params["q"]:
        qs = qs.filter(title__icontains=params["q"])
    if params["status"] in Run.Status.values:
        qs = qs.filter(status=params["status"])
    else:
        params["status"] = ""
    if params["mode"] in Run.Mode.values:
        qs = qs.filter(mode=params["mode"])
    else:
        params["mode"] = ""
    page = Paginator(qs.order_by("-opens_at", "-id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    runs = list(page.object_list)
    counts = _response_counts(runs)
    now = timezone.now()
    rows = [
        {
            "run": r,
            "answered": counts[r.pk][0],
            "invited": counts[r.pk][1],
            "rate": _rate(*counts[r.pk]),
            "phase": _phase(r, now),
        }
        for r in runs
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/run/list.html",
        {
            "page": page,
            "rows": rows,
            "params": params,
            "filtered": any(params.values()),
            "statuses": [(v, status_labels()[v]) for v in Run.Status.values],
            "modes": [(v, mode_labels()[v]) for v in Run.Mode.values],
            "status_labels": status_labels(),
            "mode_labels": mode_labels(),
            "can_create": scope.can_administer,
            "querystring": query.urlencode(),
        },
    )


# --- creating a run ----------------------------------------------------------------------------


def _owners(scope: Scope) -> list[tuple[str, str, County, School | None]]:
    """(key, label, county, school) of every owner the user may create a run for."""
    out: list[tuple[str, str, County, School | None]] = []
    counties = (
        County.objects.order_by("code")
        if scope.superuser
        else County.objects.filter(pk__in=scope.admin_county_ids).order_by("code")
    )
    for c in counties:
        out.append((f"county:{c.code}", c.name, c, None))
    for s in (
        School.objects.filter(pk__in=scope.admin_school_ids)
        .select_related("county")
        .order_by("code")
    ):
        out.append((f"school:{s.public_id}", f"{s.name} ({s.county.name})", s.county, s))
    return out


# Where a service error goes on the page: (form field, anchor of the field on the page).
_SERVICE_FIELDS = {
    "title": "title",
    "mode": "mode",
    "opens_at": "opens_at",
    "closes_at": "closes_at",
    "min_group_size": "min_group_size",
    "schools": "schools",
    "classes": "classes",
    "previous": "previous",
}


@login_required
def run_new(request: HttpRequest) -> HttpResponse:
    """Create a run (a draft): the administrators of a county or a school, for their own."""
    scope = scope_for(request.user)
    if not scope.can_administer:
        raise PermissionDenied
    owners = _owners(scope)
    key = (request.POST.get("owner") or request.GET.get("owner") or "").strip()
    owner = next((o for o in owners if o[0] == key), None) if key else next(iter(owners), None)
    if owner is None:
        raise Http404
    _key, owner_label, county, school = owner
    initial = {"mode": Run.Mode.ANONYMOUS, "schools_mode": "all", **RunCreateForm.initial_times()}
    form = RunCreateForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        county=county,
        school=school,
        initial=initial,
    )
    part_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.run_create(
                actor=request.user,
                county=county,
                school=school,
                title=data["title"],
                mode=data["mode"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                parts=form.parts(),
                schools=form.chosen_schools,
                classes=form.chosen_classes,
                min_group_size=data["min_group_size"],
                previous=data.get("previous"),
            )
        except ValidationError as exc:
            for name, msgs in _errors_from(exc).items():
                field = _SERVICE_FIELDS.get(name)
                for m in msgs:
                    if name == "parts":
                        part_errors.append(m)
                    else:
                        form.add_error(field if field in form.fields else None, m)
        else:
            messages.success(
                request,
                _("The run %(title)s was created as a draft. Check it, then open it.")
                % {"title": run.title},
            )
            return redirect("surveys:run_detail", public_id=run.public_id)
    errors = [
        (form.fields[name].label if name in form.fields else "", name, list(msgs))
        for name, msgs in form.errors.items()
    ] + [(_("Questionnaires"), "parts", [m]) for m in part_errors]
    return render(
        request,
        "surveys/run/new.html",
        {
            "form": form,
            "owner_key": owner[0],
            "owner_label": owner_label,
            "owners": owners if len(owners) > 1 else None,
            "county": county,
            "school": school,
            "errors": errors,
            "part_errors": part_errors,
            "selected_schools": form.selected_school_ids(),
            "has_questionnaires": form.fields[part_field_name(form.groups[0][0])].queryset.exists(),
        },
        status=400 if errors else 200,
    )


# --- one run -----------------------------------------------------------------------------------


def _progress(run: Run, parts: list[Any]) -> list[dict[str, Any]]:
    """Per group: invited (named) or issued (anonymous), answered, rate; and per school for a
    county run."""
    rows = selectors.run_progress(run=run)
    school_ids = {r["school_id"] for r in rows if r["school_id"]}
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids)}
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_group[r["group"]].append(r)
    labels = dict(Group.choices)
    out = []
    for part in parts:
        group_rows = by_group.get(part.group, [])
        invited = sum(r["invited"] for r in group_rows)
        answered = sum(r["answered"] for r in group_rows)
        out.append(
            {
                "group": part.group,
                "label": labels.get(part.group, part.group),
                "questionnaire": part.questionnaire,
                "invited": invited,
                "answered": answered,
                "rate": _rate(answered, invited),
                "schools": sorted(
                    (
                        {
                            "school": schools.get(r["school_id"]),
                            "invited": r["invited"],
                            "answered": r["answered"],
                            "rate": r["rate"],
                        }
                        for r in group_rows
                        if r["school_id"]
                    ),
                    key=lambda x: x["school"].code if x["school"] else "",
                ),
            }
        )
    return out


@login_required
def run_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    run = _run(request, public_id)
    manage = _may_manage(request.user, run)
    parts = list(run.parts.select_related("questionnaire").order_by("id"))
    now = timezone.now()
    ctx: dict[str, Any] = {
        "run": run,
        "parts": parts,
        "manage": manage,
        "progress": _progress(run, parts),
        "county_run": run.school_id is None,
        "schools": services.run_schools(run) if run.school_id is None else [],
        "classes": list(run.classes.all()) if run.school_id else [],
        "status_label": status_labels()[run.status],
        "mode_label": mode_labels()[run.mode],
        "phase": _phase(run, now),
        "may_read_results": selectors.may_read_results(request.user, run),
        "is_open_now": run.is_open_at(now),
    }
    if run.mode == Run.Mode.ANONYMOUS and manage:
        codes = AccessCode.objects.filter(part__run=run).aggregate(
            issued=Sum("issued"), left=Sum("uses_left"), links=Count("id", filter=Q(reusable=True))
        )
        ctx["codes"] = {k: v or 0 for k, v in codes.items()}
    if run.mode == Run.Mode.NAMED and _may_see_names(request.user, run):
        ctx.update(_respondents(request, run))
    return render(request, "surveys/run/detail.html", ctx)


def _respondents(request: HttpRequest, run: Run) -> dict[str, Any]:
    """Named runs: everyone invited, who answered and who has not, paged and filtered."""
    answered = request.GET.get("answered", "")
    group = request.GET.get("group", "")
    qs = run.invitations.select_related("person", "about", "school", "school_class", "part")
    totals = qs.aggregate(
        all=Count("id"),
        done=Count("id", filter=Q(answered_at__isnull=False)),
        no_email=Count("id", filter=Q(answered_at__isnull=True, person__email="")),
    )
    if answered == "yes":
        qs = qs.filter(answered_at__isnull=False)
    elif answered == "no":
        qs = qs.filter(answered_at__isnull=True)
    else:
        answered = ""
    if group in Group.values:
        qs = qs.filter(part__group=group)
    else:
        group = ""
    qs = qs.order_by(
        "school__code",
        "school_class__grade",
        "school_class__number",
        "person__name",
        "id",
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "respondents": page,
        "respondent_totals": totals,
        "respondent_filter": {"answered": answered, "group": group},
        "querystring": query.urlencode(),
        "group_labels": dict(Group.choices),
    }


@login_required
@require_POST
def run_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    run = _run(request, public_id)
    _require_manager(request, run)
    try:
        services.run_open(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _flat(exc))
    else:
        if run.mode == Run.Mode.NAMED:
            n = run.invitations.count()
            messages.success(
                request,
                ngettext(
                    "The run is open: %(n)d person is invited.",
                    "The run is open: %(n)d people are invited.",
                    n,
                )
                % {"n": n},
            )
        else:
            messages.success(
                request, _("The run is open. Generate access codes and hand them out.")
            )
    return redirect("surveys:run_detail", public_id=run.public_id)


@login_required
@require_POST
def run_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    run = _run(request, public_id)
    _require_manager(request, run)
    try:
        services.run_close(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _flat(exc))
    else:
        messages.success(request, _("The run is closed: no more answers are accepted."))
    return redirect("surveys:run_detail", public_id=run.public_id)


@login_required
@require_POST
def run_remind(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Named runs: email everyone who has not answered (not twice within a day)."""
    _staff_only(request)
    run = _run(request, public_id)
    _require_manager(request, run)
    try:
        counts = services.invitations_remind(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _flat(exc))
    else:
        text = (
            _(
                "Reminders sent: %(sent)d. Without an email address (remind them another way): "
                "%(no_email)d. Reminded less than a day ago, not sent again: %(skipped)d."
            )
            % counts
        )
        (messages.success if counts["sent"] else messages.info)(request, text)
    return redirect(reverse("surveys:run_detail", args=[run.public_id]) + "#h-respondents")


@login_required
@require_POST
def run_invite(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Named runs: invite everyone of a group who is not invited yet (e.g. new pupils)."""
    _staff_only(request)
    run = _run(request, public_id)
    _require_manager(request, run)
    group = request.POST.get("group", "")
    try:
        n = services.run_invite(run=run, actor=request.user, group=group)
    except ValidationError as exc:
        messages.error(request, _flat(exc))
    else:
        if n:
            messages.success(
                request,
                ngettext("%(n)d more person invited.", "%(n)d more people invited.", n) % {"n": n},
            )
        else:
            messages.info(request, _("Everyone of this group is invited already."))
    return redirect(reverse("surveys:run_detail", args=[run.public_id]) + "#h-respondents")


# --- access codes (anonymous runs) ----------------------------------------------------------------


def _anonymous_run_for_manager(request: HttpRequest, public_id: UUID) -> Run:
    _staff_only(request)
    run = _run(request, public_id)
    _require_manager(request, run)
    if run.mode != Run.Mode.ANONYMOUS:
        raise Http404
    return run


def _school_choice(run: Run, value: str) -> School | None:
    """The school chosen among the run's (404 for any other); a school run's own school."""
    schools = services.run_schools(run)
    if not value:
        return schools[0] if len(schools) == 1 else None
    school = next((s for s in schools if str(s.public_id) == value), None)
    if school is None:
        raise Http404
    return school


def _code_summary(run: Run) -> list[dict[str, Any]]:
    """Codes issued per group, school, class and kind: how many, how many still unused."""
    rows = list(
        AccessCode.objects.filter(part__run=run)
        .order_by()
        .values("part__group", "school_id", "school_class_id", "reusable")
        .annotate(n=Count("id"), issued=Sum("issued"), left=Sum("uses_left"))
    )
    schools = {s.pk: s for s in School.objects.filter(pk__in={r["school_id"] for r in rows})}
    classes = {
        c.pk: c for c in SchoolClass.objects.filter(pk__in={r["school_class_id"] for r in rows})
    }
    labels = dict(Group.choices)
    out = []
    for r in rows:
        school = schools.get(r["school_id"])
        klass = classes.get(r["school_class_id"])
        query = {
            "group": r["part__group"],
            "school": str(school.public_id) if school else "",
            "class": str(klass.public_id) if klass else "",
            "kind": "link" if r["reusable"] else "codes",
        }
        out.append(
            {
                "group": r["part__group"],
                "group_label": labels.get(r["part__group"], r["part__group"]),
                "school": school,
                "school_class": klass,
                "reusable": r["reusable"],
                "n": r["n"],
                "issued": r["issued"] or 0,
                "left": r["left"] or 0,
                "query": "&".join(f"{k}={v}" for k, v in query.items()),
            }
        )
    out.sort(
        key=lambda x: (
            x["group"],
            x["school"].code if x["school"] else "",
            (x["school_class"].grade, x["school_class"].number) if x["school_class"] else (0, 0),
            x["reusable"],
        )
    )
    return out


@login_required
def run_codes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Anonymous runs: generate one-time codes or a class link; the codes issued so far."""
    run = _anonymous_run_for_manager(request, public_id)
    school = _school_choice(run, (request.POST.get("school") or request.GET.get("school") or ""))
    form = CodesForm(request.POST if request.method == "POST" else None, run=run, school=school)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            reusable = data["kind"] == KIND_LINK
            try:
                made = services.codes_generate(
                    run=run,
                    actor=request.user,
                    group=data["group"],
                    school=school,
                    school_class=form.chosen_class,
                    count=data.get("count") or 0,
                    reusable=reusable,
                )
            except ValidationError as exc:
                for name, msgs in _errors_from(exc).items():
                    for m in msgs:
                        form.add_error(
                            name if name in form.fields and name != "school" else None, m
                        )
            else:
                if reusable:
                    text = _("A class link was made, good for %(n)d answers.") % {
                        "n": made[0].issued if made else 0
                    }
                else:
                    text = ngettext(
                        "%(n)d one-time code was generated.",
                        "%(n)d one-time codes were generated.",
                        len(made),
                    ) % {"n": len(made)}
                messages.success(request, text + " " + _("Print them from the list below."))
                url = reverse("surveys:run_codes", args=[run.public_id])
                if school is not None and run.school_id is None:
                    url += f"?school={school.public_id}"
                return redirect(url)
        status = 400
    return render(
        request,
        "surveys/run/codes.html",
        {
            "run": run,
            "form": form,
            "school": school,
            "county_run": run.school_id is None,
            "run_schools": services.run_schools(run),
            "summary": _code_summary(run),
            "closed": run.status == Run.Status.CLOSED,
        },
        status=status,
    )


def _spaced(code: str) -> str:
    return f"{code[:4]} {code[4:]}" if len(code) > 4 else code


@login_required
def run_slips(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A4 page of slips to cut: one per unused code (or the class link), with the address and
    the code. Which slip goes to whom is never recorded."""
    run = _anonymous_run_for_manager(request, public_id)
    group = request.GET.get("group", "")
    part = run.parts.filter(group=group).select_related("questionnaire").first()
    if part is None:
        raise Http404
    school = (
        None if group == Group.COUNTY_STAFF else _school_choice(run, request.GET.get("school", ""))
    )
    klass = None
    class_id = request.GET.get("class", "")
    if class_id:
        if school is None:
            raise Http404
        klass = next(
            (c for c in services.run_current_classes(run, school) if str(c.public_id) == class_id),
            None,
        )
        if klass is None:
            raise Http404
    reusable = request.GET.get("kind") == "link"
    codes = AccessCode.objects.filter(
        part=part,
        school=school,
        school_class=klass,
        reusable=reusable,
        uses_left__gt=0,
    ).order_by("id")
    entry_url = request.build_absolute_uri(reverse("surveys:code_entry"))
    slips = [
        {
            "code": _spaced(c.code),
            "link": request.build_absolute_uri(reverse("surveys:answer_code", args=[c.code])),
            "uses_left": c.uses_left,
        }
        for c in codes
    ]
    return render(
        request,
        "surveys/run/slips.html",
        {
            "run": run,
            "part": part,
            "group_label": dict(Group.choices).get(group, group),
            "school": school,
            "school_class": klass,
            "reusable": reusable,
            "slips": slips,
            "entry_url": entry_url,
        },
    )
