"""The notification settings form (a person's own)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Also send notifications by email"), required=False)
    quiet_enabled = forms.BooleanField(
        label=_("Quiet hours"),
        required=False,
        help_text=_("Notifications of messages wait until the quiet hours end."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
