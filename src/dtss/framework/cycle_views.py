"""Pages of the assessment cycles and the dashboards.

Cycles: the list with progress, opening one (county administrators), a cycle's per-school
status with sampling and closing. Dashboards: the county dashboard (heatmap of schools × items,
distribution, schools that have not moved, the county's own Table 6 profile), a school's profile
with its trend, and the MOE comparison of counties. Every query starts from `visible_to`.
"""

from __future__ import annotations

import csv
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dtss.core.tenancy import Scope, get_visible_or_404, scope_for
from dtss.framework import dashboards, services
from dtss.framework.models import Assessment, Cycle, Response
from dtss.orgs.models import AcademicTerm, County, District, School

_ZERO = uuid.UUID(int=0)


def _staff_only(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.is_staff_level:
        raise PermissionDenied
    return scope


def _url_maker(name: str) -> Any:
    """A fast `reverse(name, args=[public_id])` for long tables: reverse once, then fill in."""
    template = reverse(name, args=[_ZERO])
    return lambda public_id: template.replace(str(_ZERO), str(public_id))


def term_numbers(today: date) -> tuple[int, int]:
    """ROC academic year and semester of a date: semester 1 is August to January."""
    if today.month >= 8:
        return today.year - 1911, 1
    if today.month == 1:
        return today.year - 1912, 1
    return today.year - 1912, 2


def default_cycle_name(today: date) -> str:
    year, semester = term_numbers(today)
    return f"{year}學年度第{semester}學期"


# --- the cycle list -----------------------------------------------------------------------------


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    scope = _staff_only(request)
    today = timezone.localdate()
    rows = dashboards.cycle_list(user=request.user, today=today)
    can_open = scope.superuser or bool(scope.admin_county_ids)
    return render(
        request,
        "framework/cycles/list.html",
        {
            "rows": rows,
            "today": today,
            "can_open": can_open,
            "is_county_level": scope.is_county_level,
            "status_labels": dashboards.status_labels(),
        },
    )


# --- opening a cycle ----------------------------------------------------------------------------

RULE_ALL, RULE_TWO_THIRDS, RULE_CUSTOM = "all", "two_thirds", "custom"
TWO_THIRDS = Decimal("0.667")  # the model's convention for two-thirds (3 decimal places)
SCHOOLS_ALL, SCHOOLS_FILTER, SCHOOLS_LIST, SCHOOLS_NONE = "all", "filter", "list", "none"


class CycleOpenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    term = forms.ModelChoiceField(
        queryset=AcademicTerm.objects.order_by("-roc_year", "-semester"),
        required=False,
        label=gettext_lazy("Academic term"),
        empty_label=gettext_lazy("(none)"),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("Stage rule"),
        widget=forms.RadioSelect,
        choices=[
            (RULE_ALL, gettext_lazy("Every strategy of the stage and below (default)")),
            (RULE_TWO_THIRDS, gettext_lazy("Two-thirds of the strategies")),
            (RULE_CUSTOM, gettext_lazy("Another share")),
        ],
    )
    custom_share = forms.DecimalField(
        label=gettext_lazy("Share (0.5–1)"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("1"),
        max_digits=4,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "0.5", "max": "1"}),
    )
    require_evidence = forms.BooleanField(
        label=gettext_lazy("A strategy counts only with evidence"), required=False
    )
    include_county = forms.BooleanField(
        label=gettext_lazy("Include the county's own assessment (Table 6)"), required=False
    )
    schools_mode = forms.ChoiceField(
        label=gettext_lazy("Schools (Table 7)"),
        widget=forms.RadioSelect,
        choices=[
            (SCHOOLS_ALL, gettext_lazy("All schools of the county")),
            (SCHOOLS_FILTER, gettext_lazy("Schools matching a filter")),
            (SCHOOLS_LIST, gettext_lazy("Schools chosen from the list")),
            (SCHOOLS_NONE, gettext_lazy("No schools (the county's own assessment only)")),
        ],
    )
    districts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Districts"),
        queryset=District.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    school_stages = forms.MultipleChoiceField(
        label=gettext_lazy("School stages"),
        choices=School.Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.MultipleChoiceField(
        label=gettext_lazy("Area categories"),
        choices=School.Area.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    schools = forms.MultipleChoiceField(
        label=gettext_lazy("Schools"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("%(value)s is not an active school of this county.")
        },
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        self.county_schools = list(
            School.objects.filter(county=county, active=True)
            .select_related("district")
            .order_by("district__code", "code")
        )
        self.fields["districts"].queryset = District.objects.filter(county=county).order_by("code")
        self.fields["schools"].choices = [
            (str(s.public_id), f"{s.code} {s.name}") for s in self.county_schools
        ]
        self.chosen_schools: list[School] = []

    def selected_school_ids(self) -> set[str]:
        value = self["schools"].value() or []
        return {str(v) for v in value}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rule") != RULE_CUSTOM:
            self.errors.pop("custom_share", None)  # an unused field does not stop the form
        opens_on, deadline = data.get("opens_on"), data.get("deadline")
        if opens_on and deadline and deadline < opens_on:
            self.add_error("deadline", _("The deadline must be on or after the opening day."))
        if data.get("rule") == RULE_CUSTOM and data.get("custom_share") is None:
            self.add_error("custom_share", _("Give the share, between 0.5 and 1."))
        name = (data.get("name") or "").strip()
        if name and Cycle.objects.filter(county=self.county, name=name).exists():
            self.add_error("name", _("This county has a cycle of that name already."))
        mode = data.get("schools_mode")
        schools = self.county_schools
        if mode == SCHOOLS_FILTER:
            districts = {d.pk for d in data.get("districts") or []}
            stages = set(data.get("school_stages") or [])
            areas = set(data.get("areas") or [])
            if not (districts or stages or areas):
                self.add_error(
                    "schools", _("Choose at least one district, school stage or area category.")
                )
            schools = [
                s
                for s in schools
                if (not districts or s.district_id in districts)
                and (not stages or s.stage in stages)
                and (not areas or s.area in areas)
            ]
            if (districts or stages or areas) and not schools:
                self.add_error("schools", _("No school of the county matches this filter."))
        elif mode == SCHOOLS_LIST:
            chosen = set(data.get("schools") or [])
            schools = [s for s in schools if str(s.public_id) in chosen]
        elif mode == SCHOOLS_NONE:
            schools = []
        self.chosen_schools = schools
        if (
            mode in (SCHOOLS_LIST, SCHOOLS_NONE)
            and not schools
            and not data.get("include_county")
            and "schools" not in self.errors
        ):
            self.add_error("schools", _("Choose the county itself, schools, or both."))
        return data

    def rule_share(self) -> Decimal:
        rule = self.cleaned_data["rule"]
        if rule == RULE_TWO_THIRDS:
            return TWO_THIRDS
        if rule == RULE_CUSTOM:
            return self.cleaned_data["custom_share"]
        return Decimal("1")


_SERVICE_FIELDS = {"rule_share": "custom_share", "require_evidence": "require_evidence"}


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = _SERVICE_FIELDS.get(name, name)
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _admin_counties(scope: Scope) -> Any:
    if scope.superuser:
        return County.objects.order_by("code")
    return County.objects.filter(pk__in=scope.admin_county_ids).order_by("code")


@login_required
def cycle_new(request: HttpRequest) -> HttpResponse:
    """Open a cycle: county administrators only (their own county)."""
    scope = scope_for(request.user)
    counties = _admin_counties(scope)
    if not scope.superuser and not scope.admin_county_ids:
        raise PermissionDenied
    code = (request.POST.get("county") or request.GET.get("county") or "").strip()
    county = counties.filter(code=code).first() if code else counties.first()
    if county is None:
        raise Http404
    today = timezone.localdate()
    year, semester = term_numbers(today)
    initial = {
        "name": default_cycle_name(today),
        "term": AcademicTerm.objects.filter(roc_year=year, semester=semester).first(),
        "opens_on": today,
        "deadline": today + timedelta(days=28),
        "rule": RULE_ALL,
        "require_evidence": True,
        "include_county": True,
        "schools_mode": SCHOOLS_ALL,
    }
    form = CycleOpenForm(
        request.POST if request.method == "POST" else None, county=county, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                county=county,
                name=data["name"],
                opens_on=data["opens_on"],
                deadline=data["deadline"],
                schools=form.chosen_schools,
                include_county=data["include_county"],
                rule_share=form.rule_share(),
                require_evidence=data["require_evidence"],
                term=data["term"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Cycle %(name)s opened for %(n)d schools.")
                % {"name": cycle.name, "n": len(form.chosen_schools)},
            )
            return redirect("framework:cycle_detail", public_id=cycle.public_id)
    errors = [
        (form.fields[name].label if name != NON_FIELD_ERRORS else "", name, list(msgs))
        for name, msgs in form.errors.items()
    ]
    return render(
        request,
        "framework/cycles/new.html",
        {
            "form": form,
            "county": county,
            "counties": counties if counties.count() > 1 else None,
            "errors": errors,
            "selected_schools": form.selected_school_ids(),
        },
        status=400 if form.errors else 200,
    )


# --- one cycle ----------------------------------------------------------------------------------


@login_required
def cycle_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scope = _staff_only(request)
    cycle = get_visible_or_404(Cycle, request.user, public_id)
    status = request.GET.get("status", "")
    today = timezone.localdate()
    rows = dashboards.cycle_status_rows(user=request.user, cycle=cycle, status=status, today=today)
    own_county = scope.superuser or cycle.county_id in scope.county_ids
    county_level = own_county or scope.everything  # MOE viewers read every county
    schools = [r for r in rows if r.assessment.school_id is not None]
    counts = {value: 0 for value in Assessment.Status.values}
    for r in schools:
        counts[r.assessment.status] += 1
    assessment_url = _url_maker("framework:assessment_detail")
    profile_url = _url_maker("framework:school_profile")
    return render(
        request,
        "framework/cycles/detail.html",
        {
            "cycle": cycle,
            "rows": [
                (
                    r,
                    assessment_url(r.assessment.public_id),
                    profile_url(r.assessment.school.public_id) if r.assessment.school_id else "",
                )
                for r in rows
            ],
            "school_items": [c for c, _label in schools[0].cells] if schools else [],
            "counts": counts,
            "overdue": sum(1 for r in schools if r.overdue),
            "school_total": len(schools),
            "status": status,
            "statuses": Assessment.Status.choices,
            "status_labels": dashboards.status_labels(),
            "can_sample": own_county and cycle.status == Cycle.Status.OPEN,
            "can_close": scope.may_administer_county(cycle.county_id)
            and cycle.status == Cycle.Status.OPEN,
            "county_level": county_level,
            "sampled": sum(1 for r in schools if r.assessment.sampled),
            "labels": dashboards.stage_labels(),
            "county_assessment": next(
                (r.assessment for r in rows if r.assessment.school_id is None), None
            ),
        },
    )


@login_required
@require_POST
def cycle_sample(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Draw schools of the cycle for verification: the county's administrators and staff."""
    scope = _staff_only(request)
    cycle = get_visible_or_404(Cycle, request.user, public_id)
    if not (scope.superuser or cycle.county_id in scope.county_ids):
        raise PermissionDenied
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        messages.error(request, _("Number of schools to draw: give a whole number."))
        return redirect("framework:cycle_detail", public_id=cycle.public_id)
    try:
        drawn = services.cycle_draw_sample(cycle=cycle, size=size, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if drawn:
            messages.success(
                request,
                _("Drawn for verification: %(schools)s")
                % {"schools": "、".join(str(a.school.name) for a in drawn)},
            )
        else:
            messages.error(request, _("Every school of this cycle has already been drawn."))
    return redirect("framework:cycle_detail", public_id=cycle.public_id)


@login_required
@require_POST
def cycle_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Close the cycle: the county's administrators only."""
    cycle = get_visible_or_404(Cycle, request.user, public_id, write=True)
    try:
        services.cycle_close(cycle=cycle, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The cycle is closed."))
    return redirect("framework:cycle_detail", public_id=cycle.public_id)


# --- the county dashboard -----------------------------------------------------------------------


def _county_level_only(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.is_county_level:
        raise PermissionDenied
    return scope


def _choice(value: str, allowed: Any) -> str:
    return value if value in allowed else ""


def _query(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return query.urlencode()


@login_required
def county_dashboard(request: HttpRequest) -> HttpResponse:
    scope = _county_level_only(request)
    counties = dashboards.dashboard_counties(user=request.user)
    code = request.GET.get("county", "").strip()
    county = counties.filter(code=code).first() if code else counties.first()
    if code and county is None:
        raise Http404
    ctx: dict[str, Any] = {
        "county": county,
        "counties": list(counties)
        if (scope.everything or scope.superuser or len(scope.county_ids) > 1)
        else None,
        "can_open": county is not None and scope.may_administer_county(county.pk),
    }
    if county is None:
        return render(request, "framework/dashboard/county.html", ctx)
    cycles = list(dashboards.dashboard_cycles(user=request.user, county=county))
    cycle_id = request.GET.get("cycle", "").strip()
    if cycle_id:
        cycle = next((c for c in cycles if str(c.public_id) == cycle_id), None)
        if cycle is None:
            raise Http404
    else:
        cycle = cycles[0] if cycles else None
    ctx.update(cycles=cycles, cycle=cycle)
    if cycle is None:
        return render(request, "framework/dashboard/county.html", ctx)
    districts = list(District.objects.visible_to(request.user).filter(county=county))
    filters = dashboards.Filters(
        district=_choice(request.GET.get("district", ""), {str(d.public_id) for d in districts}),
        stage=_choice(request.GET.get("stage", ""), School.Stage.values),
        size=_choice(request.GET.get("size", ""), {b[0] for b in dashboards.SIZE_BANDS}),
        area=_choice(request.GET.get("area", ""), School.Area.values),
        sort=request.GET.get("sort", "code").strip() or "code",
    )
    data = dashboards.county_dashboard(user=request.user, cycle=cycle, filters=filters)
    codes = [i.code for i in data.items]
    if request.GET.get("format") == "csv":
        return _dashboard_csv(data, codes)
    labels = dashboards.stage_labels()
    status_labels = dashboards.status_labels()
    profile_url = _url_maker("framework:school_profile")
    assessment_url = _url_maker("framework:assessment_detail")
    # The cells are the bulk of the page (schools × items): each stage's cell is built once
    # per item, and each row only fills in its assessment's id. A cell opens that item of the
    # school's assessment.
    item_url = reverse("framework:assessment_item", args=[_ZERO, "ITEM"])
    cell_html = {
        (code, k): format_html(
            '<td class="st st-{}"><a href="{}" title="{}">{}<span class="sr-only"> {}</span>'
            "</a></td>",
            k,
            item_url.replace("ITEM", code),
            f"{code}: {label.long}",
            label.short,
            label.long,
        )
        for code in codes
        for k, label in labels.items()
    }
    zero = str(_ZERO)
    rows = [
        (
            r,
            mark_safe(  # noqa: S308 (built escaped)
                "".join(cell_html[(c, k)] for c, k in zip(codes, r.keys, strict=True)).replace(
                    zero, str(r.assessment_public_id)
                )
            ),
            profile_url(r.school.public_id),
            assessment_url(r.assessment_public_id),
            status_labels[r.status],
        )
        for r in data.rows
    ]
    current = filters.sort
    columns = [
        ("code", _("Code")),
        ("name", _("School")),
        ("district", _("District")),
        ("students", _("Students")),
    ]
    columns += [(c, c) for c in codes] + [("total", _("Sum")), ("status", _("Status"))]
    sort_links = {}
    for key, _label in columns:
        descending_first = key in codes or key == "total"
        if current == key:
            target = f"-{key}"
            state = "descending" if descending_first else "ascending"
        elif current == f"-{key}":
            target = key
            state = "ascending" if descending_first else "descending"
        else:
            target, state = key, "none"
        sort_links[key] = (f"?{_query(request, sort=target)}", state)
    ctx.update(
        data=data,
        rows=rows,
        labels=labels,
        legend=[labels[k] for k in dashboards.STAGE_KEYS],
        distribution=[
            (d, [(labels[k], n, pct) for k, n, pct in d.parts]) for d in data.distribution
        ],
        filters=filters,
        districts=districts,
        stages=School.Stage.choices,
        areas=School.Area.choices,
        sizes=dashboards.size_band_choices(),
        sort_links=sort_links,
        codes=codes,
        csv_query=_query(request, format="csv"),
        filtered=any((filters.district, filters.stage, filters.size, filters.area)),
        filters_kept=[
            (name, value)
            for name, value in (
                ("district", filters.district),
                ("stage", filters.stage),
                ("size", filters.size),
                ("area", filters.area),
                ("sort", "" if filters.sort == "code" else filters.sort),
            )
            if value
        ],
        overdue=[
            (
                o,
                reverse("framework:plan_list")
                + "?"
                + urlencode(
                    {"school": str(o.school.public_id) if o.school else "county", "overdue": "1"}
                ),
            )
            for o in data.overdue
        ],
        county_cells=list(
            zip(data.county_items, [labels[k] for k in data.county_keys], strict=True)
        ),
        not_moved=[
            (n, [labels[k] for k in n.keys], profile_url(n.school.public_id))
            for n in data.not_moved
        ],
        county_assessment_url=(
            assessment_url(data.county_assessment.public_id) if data.county_assessment else ""
        ),
        status_counts=[
            (value, label, data.status_counts.get(value, 0))
            for value, label in Assessment.Status.choices
        ],
        disagreements=_disagreement_rows(data),
    )
    return render(request, "framework/dashboard/county.html", ctx)


def _disagreement_rows(data: dashboards.CountyDashboard) -> list[dict[str, Any]] | None:
    """The "indicators vs self-rating" panel: one row per strategy and indicator that disagree,
    linking to the item page of that assessment."""
    if data.disagreements is None:
        return None
    language = get_language() or ""
    statuses = dict(Response.Status.choices)
    rows = []
    for d in data.disagreements:
        a, r = d.assessment, d.reading
        org = a.school if a.school_id is not None else a.county
        rows.append(
            {
                "org": org,
                "is_county": a.school_id is None,
                "code": d.code,
                "url": reverse(
                    "framework:assessment_item", args=[a.public_id, d.code.split(".")[0]]
                ),
                "indicator": r.indicator.title(language),
                "value": r.value,
                "unit": r.indicator.unit,
                "status": statuses.get(r.status, "—"),
                "kind": r.disagreement,
            }
        )
    return rows


def _dashboard_csv(data: dashboards.CountyDashboard, codes: list[str]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"dashboard-{data.county.code}-{data.cycle.name}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            "cycle",
            "school_code",
            "school",
            "district",
            "school_stage",
            "area",
            "students",
            "status",
            "sampled",
            *codes,
        ]
    )
    for r in data.rows:
        s = r.school
        writer.writerow(
            [
                data.cycle.name,
                s.code,
                s.name_zh,
                s.district.name_zh,
                s.stage,
                s.area,
                s.student_count,
                r.status,
                "yes" if r.sampled else "",
                *[k if k != "none" else "" for k in r.keys],
            ]
        )
    return response


# --- a school's profile -------------------------------------------------------------------------


@login_required
def school_profile(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Stage per item and the trend across cycles: the school's staff and its county."""
    scope = _staff_only(request)
    school = get_visible_or_404(School, request.user, public_id)
    profile = dashboards.school_profile(user=request.user, school=school)
    labels = dashboards.stage_labels()
    assessment_url = _url_maker("framework:assessment_detail")
    columns = [
        (a, provisional, assessment_url(a.public_id))
        for a, provisional in zip(profile.assessments, profile.provisional, strict=True)
    ]
    items = [(t, labels[t.current], [labels[k] for k in t.keys]) for t in profile.items]
    return render(
        request,
        "framework/dashboard/school.html",
        {
            "school": school,
            "profile": profile,
            "columns": columns,
            "items": items,
            "labels": labels,
            "legend": [labels[k] for k in dashboards.STAGE_KEYS],
            "county_level": scope.superuser
            or scope.everything
            or school.county_id in scope.county_ids,
            "svg": {"w": dashboards.SVG_W, "h": dashboards.SVG_H},
            "status_labels": dashboards.status_labels(),
        },
    )


# --- the MOE view -------------------------------------------------------------------------------


@login_required
def county_comparison(request: HttpRequest) -> HttpResponse:
    """Counties' own Table 6 profiles side by side: MOE viewers and superusers only."""
    scope = scope_for(request.user)
    if not (scope.everything or scope.superuser):
        raise PermissionDenied
    items, profiles, distribution = dashboards.county_comparison(user=request.user)
    labels = dashboards.stage_labels()
    assessment_url = _url_maker("framework:assessment_detail")
    return render(
        request,
        "framework/dashboard/counties.html",
        {
            "items": items,
            "profiles": [
                (p, [labels[k] for k in p.keys], assessment_url(p.assessment.public_id))
                for p in profiles
            ],
            "distribution": distribution,
            "labels": labels,
            "legend": [labels[k] for k in dashboards.STAGE_KEYS],
            "status_labels": dashboards.status_labels(),
        },
    )
