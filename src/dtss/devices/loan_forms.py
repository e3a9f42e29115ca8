"""Forms of the loan and equity pages. Choices are limited to one school's devices and
people; the services validate again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.devices.models import LoanRequest, StudentSupport

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _PublicIdChoice(forms.ChoiceField):
    """A choice of objects by public id, from a queryset given at runtime."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objects: dict[str, Any] = {}

    def set_queryset(self, items: Any, label: Any = str, blank: str = "") -> None:
        self.objects = {str(o.public_id): o for o in items}
        choices = [(k, label(o)) for k, o in self.objects.items()]
        self.choices = ([("", blank)] if blank else []) + choices

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.objects.get(value) if value else None


def device_label(d: Any) -> str:
    return f"{d.asset_tag} · {d.get_kind_display()} {d.model_name}".strip()


class LoanForm(forms.Form):
    device = _PublicIdChoice(label=_("Device"), help_text=_("Devices in stock that can go home."))
    student = _PublicIdChoice(label=_("Student"))
    due_on = forms.DateField(
        label=_("Expected return"),
        widget=DATE,
        help_text=_("Usually the end of the semester or school year."),
    )
    accessories = forms.CharField(
        label=_("Accessories"), max_length=200, required=False, help_text=_("Charger, case …")
    )
    condition_out = forms.CharField(label=_("Condition when lent"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, devices: Any, students: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].set_queryset(devices, device_label, "—")
        self.fields["student"].set_queryset(students, lambda p: p.name, "—")


class AssignmentForm(forms.Form):
    device = _PublicIdChoice(label=_("Device"))
    person = _PublicIdChoice(label=_("Person"), required=False)
    school_class = _PublicIdChoice(
        label=_("or a classroom"), required=False, help_text=_("For a display or a class set.")
    )
    due_on = forms.DateField(label=_("Until"), widget=DATE, required=False)
    accessories = forms.CharField(label=_("Accessories"), max_length=200, required=False)
    condition_out = forms.CharField(label=_("Condition"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, devices: Any, people: Any, classes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].set_queryset(devices, device_label, "—")
        self.fields["person"].set_queryset(people, lambda p: p.name, "—")
        self.fields["school_class"].set_queryset(classes, str, "—")


class SignForm(forms.Form):
    signed_name = forms.CharField(
        label=_("Your full name"),
        max_length=100,
        help_text=_("Type your name as the school has it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(
        label=_("I have read and agree to the borrowing agreement above."), required=False
    )


class PaperSignForm(forms.Form):
    signed_name = forms.CharField(
        label=_("Name on the paper form"),
        max_length=100,
        help_text=_("The parent or guardian who signed; keep the paper in the school's file."),
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE, required=False)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The family sees this, e.g. the yearly check or the end of the school year."),
    )
    return_by = forms.DateField(label=_("Return by"), widget=DATE)


class ReturnForm(forms.Form):
    condition_in = forms.CharField(
        label=_("Condition when returned"), max_length=200, required=False
    )
    send_for_repair = forms.BooleanField(label=_("Damaged: send for repair"), required=False)


class LoanerForm(forms.Form):
    loaner = _PublicIdChoice(label=_("Loaner"))
    due_on = forms.DateField(label=_("Expected back from repair"), widget=DATE, required=False)
    accessories = forms.CharField(label=_("Accessories"), max_length=200, required=False)
    note = forms.CharField(
        label=_("What is wrong with the own device"), max_length=300, required=False
    )

    def __init__(self, *args: Any, devices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaner"].set_queryset(devices, device_label, "—")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LoanRequestForm(forms.Form):
    student = _PublicIdChoice(label=_("Student"))
    need = forms.ChoiceField(label=_("What is needed"), choices=LoanRequest.Need.choices)
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: no computer at home, siblings share one phone."),
    )

    def __init__(self, *args: Any, students: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].set_queryset(students, lambda p: p.name)
        if len(self.fields["student"].objects) == 1:
            self.fields["student"].initial = next(iter(self.fields["student"].objects))


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=300)


ACCESS_CHOICES = StudentSupport.Access.choices


class SupportForm(forms.Form):
    low_income = forms.BooleanField(label=_("Low-income household"), required=False)
    middle_low_income = forms.BooleanField(label=_("Middle-low-income household"), required=False)
    disability = forms.BooleanField(label=_("Disability"), required=False)
    indigenous = forms.BooleanField(label=_("Indigenous"), required=False)
    remote = forms.BooleanField(label=_("Remote area"), required=False)
    other = forms.BooleanField(label=_("Other need"), required=False)
    other_note = forms.CharField(label=_("Other need: details"), max_length=200, required=False)
    device_at_home = forms.ChoiceField(
        label=_("Device for learning at home"), choices=ACCESS_CHOICES, required=False
    )
    internet_at_home = forms.ChoiceField(
        label=_("Internet at home"), choices=ACCESS_CHOICES, required=False
    )


class HomeAccessForm(forms.Form):
    device_at_home = forms.ChoiceField(
        label=_("Device for learning at home"),
        choices=ACCESS_CHOICES,
        required=False,
        help_text=_("A computer or tablet the child can use for schoolwork."),
    )
    internet_at_home = forms.ChoiceField(
        label=_("Internet at home"), choices=ACCESS_CHOICES, required=False
    )


class SupportImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns: external_id (or class and seat), low_income, middle_low_income, "
            "disability, indigenous, remote, other (Y/N), device_at_home, internet_at_home "
            "(yes/shared/no)."
        ),
    )
