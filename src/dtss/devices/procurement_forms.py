"""Forms of the needs and procurement pages. They only parse input; the rules are in
`procurement_services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.devices.models import DeviceKind, FundingSource, NeedLine, NeedsCollection
from dtss.orgs.models import School


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CollectionForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("item", "Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What schools should consider, the budget ceiling, whom to ask."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds asked for"),
        choices=DeviceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to ask for every kind."),
    )
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput())
    closes_on = forms.DateField(
        label=_("Closes"),
        widget=DateInput(),
        help_text=_("Schools may submit until the end of this day."),
    )


class NeedLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Item"))
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("For example: 10-inch tablet with keyboard case."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_cost = forms.DecimalField(
        label=_("Estimated unit cost (NT$)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=0,
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=NeedLine.Priority.choices,
        coerce=int,
        initial=NeedLine.Priority.MEDIUM,
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the school needs it: the facts beside this form help."),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the school change?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class PlanForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("item", "Title"), max_length=200)
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (ROC)"), required=False, min_value=100, max_value=300
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 3}))
    collection = forms.ModelChoiceField(
        label=_("From the needs collection"),
        queryset=NeedsCollection.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_(
            "The plan starts with one line per kind: the submitted needs added up, at their "
            "average estimated unit cost, allocated to the schools that asked. Leave empty for "
            "a plan without a collection."
        ),
    )

    def __init__(self, *args: Any, collections: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if collections is None:
            del self.fields["collection"]
        else:
            self.fields["collection"].queryset = collections


class PlanLineForm(forms.Form):
    """A line with one allocation field per school of the county (`alloc_<school code>`)."""

    kind = forms.ChoiceField(label=_("Item"), choices=DeviceKind.choices)
    description = forms.CharField(
        label=_("Specification"),
        max_length=200,
        required=False,
        help_text=_("Becomes the model of the received devices."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_cost = forms.DecimalField(
        label=_("Unit cost (NT$)"), min_value=0, max_digits=12, decimal_places=0
    )
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    programme = forms.CharField(
        label=_("Programme"), max_length=120, required=False, help_text=_("For example 生生用平板.")
    )
    warranty_months = forms.IntegerField(
        label=_("Warranty (months)"), min_value=0, max_value=240, initial=36
    )

    def __init__(
        self, *args: Any, schools: list[School], allocated: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schools = schools
        for school in schools:
            self.fields[f"alloc_{school.code}"] = forms.IntegerField(
                label=school.name,
                min_value=0,
                required=False,
                initial=allocated.get(school.pk, 0),
                widget=forms.NumberInput(attrs={"class": "alloc", "inputmode": "numeric"}),
            )

    def allocation_fields(self) -> list[forms.BoundField]:
        return [self[f"alloc_{s.code}"] for s in self.schools]

    def line_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if not n.startswith("alloc_")]

    def allocations(self) -> dict[School, int]:
        return {s: self.cleaned_data.get(f"alloc_{s.code}") or 0 for s in self.schools}

    def values(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.fields if not n.startswith("alloc_")}


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "One item a line: the serial number, optionally followed by a comma and the asset "
            "tag. Without an asset tag one is made: school code-year-number."
        ),
    )
    file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("Columns: serial number, asset tag (optional); a header row is allowed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("serials") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Paste serial numbers or choose a CSV file."))
        if (data.get("serials") or "").strip() and data.get("file"):
            raise forms.ValidationError(
                _("Either paste serial numbers or choose a file, not both.")
            )
        file = data.get("file")
        if file is not None and file.size > 2 * 1024 * 1024:
            self.add_error("file", _("The file is larger than 2 MB."))
        return data
