"""Forms of the leave pages. Choices come from the student's school (its active leave types
and periods); the services validate again and their errors land on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dtss.homeschool.services import FILE_TYPES, MAX_FILES

ACCEPT = ",".join(sorted(FILE_TYPES))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check their number, size and kind."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class LeaveForm(forms.Form):
    leave_type = forms.ChoiceField(label=_("Leave type"))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Last day"), widget=DateInput(), help_text=_("The same day for one day.")
    )
    whole_day = forms.TypedChoiceField(
        label=_("Which periods"),
        choices=[("1", _("The whole day")), ("0", _("Only the periods chosen below"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    periods = forms.MultipleChoiceField(
        label=_("Periods"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Including morning study (早自習) and the assembly (升旗)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=_("Documents"))

    def __init__(self, *args: Any, leave_types: list[Any], periods: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.type_objects = {str(t.public_id): t for t in leave_types}
        self.period_objects = {str(p.public_id): p for p in periods}
        self.fields["leave_type"].choices = [("", "—")] + [
            (k, t.name) for k, t in self.type_objects.items()
        ]
        self.fields["periods"].choices = [(k, p.name) for k, p in self.period_objects.items()]
        self.fields["files"].help_text = gettext(
            "For example a doctor's note: at most %(n)d files (PDF, photos, documents) of up "
            "to 10 MB each."
        ) % {"n": MAX_FILES}
        needs = [t.name for t in leave_types if t.needs_attachment]
        if needs:
            self.fields["files"].help_text += " " + gettext("Needed for: %(types)s.") % {
                "types": "、".join(needs)
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("whole_day") is False and not data.get("periods"):
            self.add_error("periods", gettext("Choose at least one period, or the whole day."))
        return data

    def chosen_type(self) -> Any:
        return self.type_objects.get(self.cleaned_data.get("leave_type") or "")

    def chosen_periods(self) -> list[Any]:
        if self.cleaned_data.get("whole_day"):
            return []
        return [self.period_objects[k] for k in self.cleaned_data.get("periods") or []]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline; the family sees it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", gettext("Say why the leave is declined."))
        return data
