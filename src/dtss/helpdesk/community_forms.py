"""Forms of the community pages. The services validate again; the forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.helpdesk.community_services import MAX_BODY, MAX_TITLE
from dtss.helpdesk.models import Category


class ThreadForm(forms.Form):
    county = forms.ChoiceField(label=_("Community"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=Category.choices)
    title = forms.CharField(
        label=pgettext_lazy("discussion", "Subject"),
        max_length=MAX_TITLE,
        help_text=_("The question or problem in a few words."),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What happened, what you tried, which devices or platforms. Do not write students' "
            "or parents' names or personal data here."
        ),
    )

    def __init__(self, *args: Any, counties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counties = {c.code: c for c in counties}
        if len(counties) > 1:
            self.fields["county"].required = True
            self.fields["county"].choices = [("", "—")] + [(c.code, c.name) for c in counties]
        else:
            del self.fields["county"]

    def clean_county(self) -> Any:
        return self.counties.get(self.cleaned_data.get("county") or "")


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
