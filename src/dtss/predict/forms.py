"""Forms of the risk pages: an intervention log entry, the class list's band filter, and the
county administrator's "train a new version"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.predict.intervention_services import NOTE_MAX
from dtss.predict.models import Intervention, StageGroup


class InterventionForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("What was done"), choices=Intervention.Kind.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was agreed, what to look for next. Kept with the student's log."),
    )


class BandFilterForm(forms.Form):
    band = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Every band")),
            ("high", _("High risk")),
            ("medium", _("Some risk")),
            ("low", _("Low risk")),
        ],
    )


class TrainForm(forms.Form):
    county = forms.ChoiceField(label=_("County/city"))
    stage = forms.ChoiceField(label=_("School stage"), choices=StageGroup.choices)

    def __init__(self, *args: Any, counties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counties = {str(c.pk): c for c in counties}
        self.fields["county"].choices = [(str(c.pk), c.name) for c in counties]
        if len(counties) == 1:
            self.fields["county"].initial = str(counties[0].pk)
            self.fields["county"].widget = forms.HiddenInput()

    def clean_county(self) -> Any:
        value = self.cleaned_data["county"]
        return self.counties[value]
