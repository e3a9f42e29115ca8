"""Forms of a school's contact-book settings pages (the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class SettingsForm(forms.Form):
    students_may_request_leave = forms.BooleanField(
        label=_("Students request their own leave"),
        required=False,
        help_text=_(
            "Only for senior high, vocational and complete high schools; elementary and junior "
            "high school leave is always requested by a parent."
        ),
    )
    second_approval_days = forms.IntegerField(
        label=_("Second approval from (school days)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_(
            "Leave of this many school days or more also needs the second approver (1–60); "
            "empty: the homeroom teacher's approval is enough."
        ),
    )
    second_approver = forms.ChoiceField(
        label=_("Second approver"),
        required=False,
        help_text=_(
            "An administrator or teacher of this school, e.g. the director of student affairs "
            "(學務主任); empty: any of the school's administrators."
        ),
    )
    count_in_days = forms.BooleanField(
        label=_("Count absence in days"),
        required=False,
        help_text=_(
            "Elementary schools usually count in days, junior and senior high schools in periods."
        ),
    )
    quiet_start = forms.TimeField(label=_("Quiet hours start"), widget=TIME)
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        widget=TIME,
        help_text=_(
            "The school's default: message notifications wait until the quiet hours end. "
            "Each person may set their own."
        ),
    )

    def __init__(self, *args: Any, teachers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teachers = {str(p.public_id): p for p in teachers}
        self.fields["second_approver"].choices = [("", _("— any administrator —"))] + [
            (str(p.public_id), p.name) for p in teachers
        ]

    def approver(self) -> Any:
        return self.teachers.get(self.cleaned_data.get("second_approver") or "")


class LeaveTypeForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=50)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    code = forms.CharField(
        label=pgettext_lazy("short identifier", "Code"),
        max_length=20,
        help_text=_("Letters, digits, - or _, e.g. sick."),
    )
    needs_attachment = forms.BooleanField(
        label=_("Needs a document"),
        required=False,
        help_text=_("For example a doctor's note or an official letter."),
    )
    needs_reason = forms.BooleanField(label=_("Needs a reason"), required=False, initial=True)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)


class PeriodForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=50)
    name_en = forms.CharField(label=_("Name (English)"), max_length=80, required=False)
    code = forms.CharField(
        label=pgettext_lazy("short identifier", "Code"),
        max_length=20,
        help_text=_("Letters, digits, - or _, e.g. p1. Used in the timetable file."),
    )
    starts = forms.TimeField(label=_("Starts"), required=False, widget=TIME)
    ends = forms.TimeField(label=_("Ends"), required=False, widget=TIME)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: weekday (1–5), period code, subject, teacher (external id or name). "
            "Replaces the class's timetable; nothing is saved if a row is wrong."
        ),
    )


class CopyForm(forms.Form):
    source = forms.ChoiceField(label=_("Copy the timetable of"))

    def __init__(self, *args: Any, classes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {str(c.public_id): c for c in classes}
        self.fields["source"].choices = [(str(c.public_id), str(c)) for c in classes]

    def source_class(self) -> Any:
        return self.classes.get(self.cleaned_data.get("source") or "")
