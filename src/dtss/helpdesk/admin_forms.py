"""Forms of the helpdesk's configuration and report pages. They only read and check the input;
the services (`admin_services.py`) validate again and save."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.helpdesk.admin_selectors import TargetRow, hours_text
from dtss.helpdesk.models import CalendarDay, ServiceTarget
from dtss.helpdesk.report_selectors import DEFAULT_DAYS, MAX_DAYS

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


def kind_choices() -> list[tuple[str, Any]]:
    """The two kinds of calendar day, in words that fit a calendar."""
    return [
        (CalendarDay.Kind.CLOSED, pgettext_lazy("calendar day", "Day off")),
        (CalendarDay.Kind.WORKING, pgettext_lazy("calendar day", "Make-up working day")),
    ]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class SettingsForm(forms.Form):
    work_days = forms.MultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day.")},
    )
    work_start = forms.TimeField(label=_("Working hours start"), widget=TimeInput(format="%H:%M"))
    work_end = forms.TimeField(label=_("Working hours end"), widget=TimeInput(format="%H:%M"))
    auto_close_days = forms.IntegerField(
        label=_("Close resolved requests after (days)"),
        min_value=1,
        max_value=90,
        help_text=_("A resolved request its requester does not reopen is closed after this."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            self.add_error("work_end", _("The working day must end after it starts."))
        return data


_MINUTES_RE = re.compile(r"^\s*(\d+)\s*(?:m|min|mins|minutes?|分|分鐘)\s*$", re.IGNORECASE)
_HOURS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?|小時)?\s*$", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Working hours as people write them → minutes: "4", "1.5", "2 小時", or minutes with a
    unit: "90 min", "45 分鐘". None when unreadable."""
    value = (text or "").strip().replace("，", ".").replace(",", ".")
    match = _MINUTES_RE.match(value)
    if match:
        return int(match.group(1))
    match = _HOURS_RE.match(value)
    if not match:
        return None
    try:
        hours = Decimal(match.group(1))
    except InvalidOperation:
        return None
    return int((hours * 60).to_integral_value())


class DurationField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        minutes = parse_duration(text)
        if minutes is None:
            raise forms.ValidationError(
                _("Write working hours, e.g. 4 or 1.5, or minutes, e.g. 90 min.")
            )
        return minutes


class TargetsForm(forms.Form):
    """One row per category: first response and resolution (working hours), when to escalate
    and to which group of the county's office."""

    def __init__(self, *args: Any, rows: list[TargetRow], groups: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.groups = {str(g.public_id): g for g in groups}
        group_choices = [("", _("— none —")), *((str(g.public_id), g.name) for g in groups)]
        for row in rows:
            c = row.category
            self.fields[f"{c}-first"] = DurationField(
                label=_("First response within (working hours)"),
                initial=hours_text(row.first_response_minutes),
            )
            self.fields[f"{c}-resolution"] = DurationField(
                label=_("Resolution within (working hours)"),
                initial=hours_text(row.resolution_minutes),
            )
            self.fields[f"{c}-escalate_when"] = forms.ChoiceField(
                label=_("Escalate"),
                choices=ServiceTarget.Escalate.choices,
                initial=row.escalate_when,
            )
            self.fields[f"{c}-escalate_to"] = forms.ChoiceField(
                label=_("Escalate to"),
                choices=group_choices,
                required=False,
                initial=str(row.escalate_to.public_id) if row.escalate_to else "",
            )

    def table(self) -> list[dict[str, Any]]:
        """The rows with their bound fields, for the template."""
        return [
            {
                "row": row,
                "first": self[f"{row.category}-first"],
                "resolution": self[f"{row.category}-resolution"],
                "escalate_when": self[f"{row.category}-escalate_when"],
                "escalate_to": self[f"{row.category}-escalate_to"],
            }
            for row in self.rows
        ]

    def error_list(self) -> list[dict[str, str]]:
        """Every error with the category and field it belongs to (the summary above the
        table)."""
        out = []
        for row in self.rows:
            for part in ("first", "resolution", "escalate_when", "escalate_to"):
                bound = self[f"{row.category}-{part}"]
                out += [
                    {"id": bound.id_for_label, "where": f"{row.label} · {bound.label}", "text": e}
                    for e in bound.errors
                ]
        out += [{"id": "", "where": "", "text": e} for e in self.non_field_errors()]
        return out

    def changed_items(self) -> list[dict[str, Any]]:
        """The categories whose values differ from what is in force (the county's own or the
        defaults): only those are saved, so a county keeps following the defaults where it
        changed nothing."""
        out = []
        for row in self.rows:
            c = row.category
            group = self.groups.get(self.cleaned_data.get(f"{c}-escalate_to") or "")
            values = {
                "category": c,
                "first_response_minutes": self.cleaned_data[f"{c}-first"],
                "resolution_minutes": self.cleaned_data[f"{c}-resolution"],
                "escalate_when": self.cleaned_data[f"{c}-escalate_when"],
                "escalate_to": group,
            }
            current = (
                row.first_response_minutes,
                row.resolution_minutes,
                row.escalate_when,
                row.escalate_to.pk if row.escalate_to else None,
            )
            new = (
                values["first_response_minutes"],
                values["resolution_minutes"],
                values["escalate_when"],
                group.pk if group else None,
            )
            if current != new:
                out.append(values)
        return out


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    name = forms.CharField(
        label=pgettext_lazy("calendar day", "Name of the day"),
        max_length=100,
        help_text=_("For example 春節, 颱風停班 or 校慶補假."),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("calendar day", "Kind of day"), choices=[])
    school = forms.ChoiceField(label=_("For"), required=False, choices=[])

    def __init__(self, *args: Any, schools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = {str(s.public_id): s for s in schools}
        self.fields["kind"].choices = kind_choices()
        self.fields["school"].choices = [
            ("", _("The whole county")),
            *((str(s.public_id), f"{s.code} {s.name}") for s in schools),
        ]

    def school_obj(self) -> Any:
        return self.schools.get(self.cleaned_data.get("school") or "")


class RangeForm(DayForm):
    end = forms.DateField(label=_("Last day"), widget=DateInput)

    field_order = ["date", "end", "name", "kind", "school"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("First day")
        self.fields["name"].help_text = _("For example 寒假 or 颱風停班; weekends inside are fine.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: date, name, kind (closed or working), school (the MOE code; empty for "
            "the whole county)."
        ),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        if not (f.name or "").lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return f


class CalendarFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    where = forms.ChoiceField(label=_("For"), required=False, choices=[])
    kind = forms.ChoiceField(
        label=pgettext_lazy("calendar day", "Kind of day"), required=False, choices=[]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("date", _("Date, earliest first")),
            ("-date", _("Date, latest first")),
            ("name", pgettext_lazy("calendar day", "Name of the day")),
        ],
    )

    def __init__(self, *args: Any, schools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = [
            ("", _("The county and every school")),
            ("county", _("The whole county only")),
            *((str(s.public_id), f"{s.code} {s.name}") for s in schools),
        ]
        self.fields["kind"].choices = [("", _("Every kind")), *kind_choices()]


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From date"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To date"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end cannot be before the start."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", _("At most three years at once."))
        return data

    def period_bounds(self, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """(start, end) chosen, defaults filled in; None when the form is invalid."""
        if not self.is_valid():
            return None
        end = self.cleaned_data.get("end") or today
        start = self.cleaned_data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            return None
        if (end - start).days + 1 > MAX_DAYS:
            return None
        return start, end
