"""Forms of the announcement pages. The owner is chosen from what the user may announce to
(`announce_selectors.owners`); the services validate again and name the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.homeschool.announce_services import BODY_MAX, TITLE_MAX


class AnnouncementForm(forms.Form):
    owner = forms.ChoiceField(
        label=_("From"), help_text=_("The county, school or class the announcement is from.")
    )
    title = forms.CharField(
        label=pgettext_lazy("announcement", "Title"), max_length=TITLE_MAX, required=False
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    to_staff = forms.BooleanField(label=_("To school staff"), required=False)
    to_students = forms.BooleanField(label=_("To students"), required=False)
    to_parents = forms.BooleanField(label=_("To parents"), required=False)
    urgent = forms.BooleanField(
        label=_("Urgent"),
        required=False,
        help_text=_("Notified at once, even in quiet hours. Use it for what cannot wait."),
    )
    pinned = forms.BooleanField(label=_("Pinned to the top"), required=False)
    expires_on = forms.DateField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: shown until it is taken down."),
    )

    def __init__(self, *args: Any, owners: list[tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", "—"), *owners]
