"""Forms of the class-forms pages (the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUP_CHOICES = [("parents", _("Parents (one answer per child)")), ("students", _("Students"))]


class SendForm(forms.Form):
    questionnaire = forms.ChoiceField(
        label=_("Questionnaire"),
        help_text=_(
            "The school's and the county's questionnaires; forms (named, e.g. 調查表) first. "
            "Write a new one in the surveys' questionnaire builder."
        ),
    )
    group = forms.ChoiceField(label=_("Send to"), choices=GROUP_CHOICES, initial="parents")
    title = forms.CharField(label=pgettext_lazy("form", "Title"), max_length=200)
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: Any, questionnaires: list[Any], language: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.by_id = {str(q.public_id): q for q in questionnaires}
        self.fields["questionnaire"].choices = [("", "—")] + [
            (
                str(q.public_id),
                f"{q.title(language)} · {q.get_purpose_display()}",
            )
            for q in questionnaires
        ]

    def chosen(self) -> Any:
        return self.by_id.get(self.cleaned_data.get("questionnaire") or "")
