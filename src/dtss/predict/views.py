"""The pages of the AI data model (issue 7): the teacher's at-risk students with reasons, trend
and intervention log (item 3), and the county's model versions with their model cards (item 2).

Who sees what (`analytics.access`):
- /predict/classes/…: a class for its homeroom teacher and the school's administrators;
- /predict/students/…: one student for those staff by name, for county staff under a pseudonym
  (no name, school, class or notes); students and parents get a 404 (risk flags are for
  teachers); every staff or county view is audited (`predict.student_view`);
- /predict/models/…: county staff (and the MOE viewer) read versions and cards; the county
  administrator trains, enables and retires (POST, audited by the engine's services).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics import access
from dtss.analytics.class_views import CSV, XLSX, download, filename, render_csv, render_xlsx
from dtss.analytics.student_selectors import is_student
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.orgs.models import County, Person, SchoolClass
from dtss.predict import intervention_selectors as sel
from dtss.predict import intervention_services as svc
from dtss.predict.forms import BandFilterForm, InterventionForm, TrainForm
from dtss.predict.models import Intervention, ModelVersion, RiskScore, StageGroup


def _today() -> dt.date:
    return timezone.localdate()


def band_labels() -> dict[str, str]:
    return {
        "high": str(RiskScore.Band.HIGH.label),
        "medium": str(RiskScore.Band.MEDIUM.label),
        "low": str(RiskScore.Band.LOW.label),
        "insufficient": str(RiskScore.Band.INSUFFICIENT.label),
        "unscored": _("Not scored yet"),
    }


def _patterns(school_class: SchoolClass) -> tuple[bool, list[Any]]:
    """The class's learning patterns (the patterns helper's module), when it is installed."""
    try:
        from dtss.predict import patterns
    except ImportError:
        return False, []
    return True, list(patterns.class_patterns(school_class))


# --------------------------------------------------------------------------- classes


@login_required
@require_GET
def class_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied
    classes = access.classes_for(request.user).order_by(
        "-term__roc_year", "-term__semester", "school__name_zh", "grade", "number"
    )
    page = Paginator(classes, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "predict/class_list.html",
        {
            "page": page,
            "lines": sel.class_lines(list(page.object_list)),
            "bands": band_labels(),
            "county_level": scope.is_county_level,
            "querystring": "",
        },
    )


@login_required
@require_GET
def class_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = access.class_or_404(request.user, public_id)
    form = BandFilterForm(request.GET or None)
    band = form.cleaned_data.get("band", "") if form.is_valid() else ""
    risk = sel.class_risk(school_class=school_class, today=_today(), band=band)
    has_patterns, patterns = _patterns(school_class)
    scope = scope_for(request.user)
    return render(
        request,
        "predict/class_detail.html",
        {
            "c": school_class,
            "risk": risk,
            "form": form,
            "bands": band_labels(),
            "band_counts": [(b, band_labels()[b], risk.counts.get(b, 0)) for b in sel.BANDS],
            "target": sel.target_words(risk.version),
            "stage_label": StageGroup(risk.stage).label,
            "card_link": risk.version is not None and scope.is_county_level,
            "has_patterns": has_patterns,
            "patterns": patterns,
            "export_query": f"?band={risk.band}" if risk.band else "",
        },
    )


def _export_rows(risk: sel.ClassRisk) -> tuple[list[str], list[list[Any]]]:
    labels = band_labels()
    headers = [
        _("Rank"),
        _("Seat"),
        pgettext("person", "Name"),
        _("Risk"),
        _("Probability (%)"),
        _("Main reasons"),
        _("Last intervention"),
        _("As of"),
    ]
    rows = []
    for r in [*risk.shown, *([] if risk.band else risk.insufficient)]:
        last = r.last_intervention
        rows.append(
            [
                r.rank,
                r.seat,
                r.person.name,
                labels.get(r.band, r.band),
                r.percent,
                "; ".join(r.reasons),
                f"{last.date.isoformat()} {last.get_kind_display()}" if last else "",
                risk.as_of,
            ]
        )
    return headers, rows


def _class_export(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    school_class = access.class_or_404(request.user, public_id)
    form = BandFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[n].label if n in form.fields else n}: " + " ".join(e)
            for n, e in form.errors.items()
        )
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    band = form.cleaned_data.get("band", "") if form.is_valid() else ""
    risk = sel.class_risk(school_class=school_class, today=_today(), band=band, with_trends=False)
    headers, rows = _export_rows(risk)
    base = filename(
        school_class.school.name,
        str(school_class),
        _("at-risk"),
        risk.as_of.isoformat() if risk.as_of else "",
    )
    if fmt == "csv":
        body, content_type = render_csv(headers, rows), CSV
    else:
        title = [
            f"{school_class.school.name} {school_class} ({school_class.term})",
            _("Scores as of %(day)s, model version %(n)s")
            % {
                "day": risk.as_of.isoformat() if risk.as_of else "—",
                "n": risk.version.number if risk.version else "—",
            },
        ]
        body, content_type = render_xlsx(title, headers, rows, _("At-risk students")), XLSX
    audit_record(
        actor=request.user,
        action="predict.class_export",
        obj=school_class,
        request=request,
        detail={"format": fmt, "rows": len(rows), "band": band},
    )
    return download(body, content_type, f"{base}.{fmt}")


@never_cache
@login_required
@require_GET
def class_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _class_export(request, public_id, "csv")


@never_cache
@login_required
@require_GET
def class_export_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _class_export(request, public_id, "xlsx")


# --------------------------------------------------------------------------- one student


def student_or_404(user: Any, public_id: Any) -> tuple[Person, str]:
    """The student and how the user sees them ("staff" by name, "county" pseudonymous);
    a 404 for everyone else, students and parents included."""
    person = Person.objects.filter(public_id=public_id).first()
    how = access.student_access(user, person) if person is not None else None
    if person is None or how not in ("staff", "county") or not is_student(person):
        raise Http404
    return person, how


def audit_student_view(request: HttpRequest, person: Person, how: str, **detail: Any) -> None:
    access.audit_student_view(request, person, how, action="predict.student_view", **detail)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def student_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person, how = student_or_404(request.user, public_id)
    form = InterventionForm(initial={"date": _today()})
    if request.method == "POST":
        if how != "staff":
            raise PermissionDenied
        form = InterventionForm(request.POST)
        if form.is_valid():
            try:
                svc.intervention_add(
                    person=person,
                    actor=request.user,
                    request=request,
                    **{k: form.cleaned_data[k] for k in ("date", "kind", "note")},
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The intervention was added to the log."))
                return redirect(reverse("predict:student_detail", args=[person.public_id]))
    risk = sel.student_risk(person=person, today=_today())
    audit_student_view(request, person, how)
    page = Paginator(risk.interventions, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    may_change = {iv.pk for iv in page.object_list if svc.may_change(request.user, iv)}
    return render(
        request,
        "predict/student_detail.html",
        {
            "person": person,
            "how": how,
            "display_name": access.pseudonym(person.pk) if how == "county" else person.name,
            "risk": risk,
            "bands": band_labels(),
            "form": form if how == "staff" else None,
            "page": page,
            "may_change": may_change,
            "querystring": "",
            "today": _today(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _intervention(request: HttpRequest, public_id: UUID) -> Intervention:
    intervention = get_visible_or_404(Intervention, request.user, public_id)
    _person, how = student_or_404(request.user, intervention.person.public_id)
    if how != "staff":
        raise Http404
    if not svc.may_change(request.user, intervention):
        raise PermissionDenied
    return intervention


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    intervention = _intervention(request, public_id)
    form = InterventionForm(
        request.POST if request.method == "POST" else None,
        initial={"date": intervention.date, "kind": intervention.kind, "note": intervention.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.intervention_update(
                intervention=intervention, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The entry was changed."))
            return redirect(reverse("predict:student_detail", args=[intervention.person.public_id]))
    return render(
        request,
        "predict/intervention_form.html",
        {"iv": intervention, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def intervention_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    intervention = _intervention(request, public_id)
    if request.method == "POST":
        person_id = intervention.person.public_id
        svc.intervention_delete(intervention=intervention, actor=request.user, request=request)
        messages.success(request, _("The entry was deleted."))
        return redirect(reverse("predict:student_detail", args=[person_id]))
    return render(request, "predict/intervention_delete.html", {"iv": intervention})


# --------------------------------------------------------------------------- model versions


def _county_level(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    if not scope.is_county_level:
        raise PermissionDenied
    return scope


def admin_counties(user: Any) -> list[County]:
    scope = scope_for(user)
    qs = (
        County.objects.all()
        if scope.superuser
        else County.objects.filter(pk__in=scope.admin_county_ids)
    )
    return list(qs.order_by("code"))


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    _county_level(request)
    groups: dict[tuple[str, str], list[ModelVersion]] = {}
    for v in sel.versions_for(request.user):
        groups.setdefault((v.county.name, v.stage), []).append(v)
    counties = admin_counties(request.user)
    return render(
        request,
        "predict/model_list.html",
        {
            "groups": [
                {"county": county, "stage": StageGroup(stage).label, "versions": versions}
                for (county, stage), versions in groups.items()
            ],
            "train_form": TrainForm(counties=counties) if counties else None,
        },
    )


@login_required
@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    _county_level(request)
    counties = admin_counties(request.user)
    if not counties:
        raise PermissionDenied
    form = TrainForm(request.POST, counties=counties)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("predict:model_list")
    from dtss.predict import tasks

    county, stage = form.cleaned_data["county"], form.cleaned_data["stage"]
    try:
        tasks.version_train_enqueue(county=county, stage=stage, target=None, actor=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("predict:model_list")
    audit_record(
        actor=request.user,
        action="predict.version_train_request",
        county=county,
        request=request,
        detail={"stage": stage},
    )
    messages.success(
        request,
        _(
            "Training of a new %(stage)s version for %(county)s has started in the background. "
            "It takes a few minutes; reload this page to see it."
        )
        % {"stage": StageGroup(stage).label, "county": county.name},
    )
    return redirect("predict:model_list")


FAIRNESS_GAP = 0.1


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def card_context(version: ModelVersion) -> dict[str, Any]:
    """The card's sections for the template (keys documented by the engine in training.py and
    predict/README.md), read defensively: a missing or malformed key shows "—"."""
    card = version.card if isinstance(version.card, dict) else {}
    overall = {"auc": _num(card.get("auc")), "recall": _num(card.get("recall"))}
    groups = []
    warnings = []
    breakdown = card.get("breakdown") if isinstance(card.get("breakdown"), dict) else {}
    for dimension in ("stage", "gender", "disadvantaged"):
        rows = breakdown.get(dimension)
        if not isinstance(rows, list):
            continue
        out = []
        for r in rows:
            if not isinstance(r, dict):
                continue
            flags = []
            for key in ("auc", "recall"):
                a, b = _num(r.get(key)), overall[key]
                if a is not None and b is not None and abs(a - b) > FAIRNESS_GAP:
                    flags.append(key)
                    warnings.append(
                        {
                            "dimension": dimension,
                            "group": r.get("group"),
                            "key": key,
                            "value": a,
                            "overall": b,
                        }
                    )
            out.append({"group": str(r.get("group", "")), "m": r, "flags": flags})
        groups.append({"dimension": dimension, "rows": out})
    calibration = card.get("calibration") if isinstance(card.get("calibration"), list) else []
    bins = [b for b in calibration if isinstance(b, dict)]
    gate = card.get("gate") if isinstance(card.get("gate"), dict) else {}
    checks = [c for c in gate.get("checks", []) if isinstance(c, dict)] if gate else []
    auc, base = _num(card.get("auc")), _num(card.get("baseline_auc"))
    return {
        "card": card,
        "auc_gain": round(auc - base, 4) if auc is not None and base is not None else None,
        "cutoffs": card.get("cutoffs") if isinstance(card.get("cutoffs"), dict) else {},
        "counts": card.get("n") if isinstance(card.get("n"), dict) else {},
        "calibration": bins,
        "plot": reliability_plot(bins),
        "fairness": groups,
        "fairness_warnings": warnings,
        "gate": gate,
        "checks": checks,
        "gap": FAIRNESS_GAP,
        "features": [str(f) for f in card.get("features", []) if isinstance(f, str)]
        if isinstance(card.get("features"), list)
        else [],
    }


def reliability_plot(bins: list[dict[str, Any]], size: int = 240, pad: int = 28) -> dict[str, Any]:
    """Geometry of the reliability diagram: mean predicted (x) against observed (y), 0–1."""
    inner = size - 2 * pad
    points = []
    for b in bins:
        p, o = _num(b.get("mean_predicted")), _num(b.get("observed"))
        if p is not None and o is not None:
            points.append(
                (round(pad + inner * p, 1), round(pad + inner * (1 - o), 1), p, o, b.get("n"))
            )
    return {
        "size": size,
        "pad": pad,
        "far": size - pad,
        "mid": size / 2,
        "points": points,
        "line": " ".join(f"{x},{y}" for x, y, *_rest in points),
    }


@login_required
@require_GET
def model_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scope = _county_level(request)
    version = get_visible_or_404(ModelVersion, request.user, public_id)
    return render(
        request,
        "predict/model_detail.html",
        {
            "v": version,
            "stage_label": StageGroup(version.stage).label,
            "target": sel.target_words(version),
            "may_admin": scope.may_administer_county(version.county_id),
            **card_context(version),
        },
    )


def _version_action(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    scope = _county_level(request)
    version = get_visible_or_404(ModelVersion, request.user, public_id)
    if not scope.may_administer_county(version.county_id):
        raise PermissionDenied
    from dtss.predict import model_services

    try:
        if action == "enable":
            model_services.version_enable(version=version, actor=request.user, request=request)
            messages.success(request, _("This version is now in use for scoring."))
        else:
            model_services.version_retire(version=version, actor=request.user, request=request)
            messages.success(request, _("This version was retired."))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    return redirect("predict:model_detail", public_id=version.public_id)


@login_required
@require_POST
def model_enable(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _version_action(request, public_id, "enable")


@login_required
@require_POST
def model_retire(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _version_action(request, public_id, "retire")
