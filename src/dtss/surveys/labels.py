"""Display labels of the agreement scale in both languages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override


def scale_labels(language: str = "") -> dict[int, str]:
    with override(language or None):
        return {
            5: _("Strongly agree"),
            4: _("Agree"),
            3: _("Neutral"),
            2: _("Disagree"),
            1: _("Strongly disagree"),
            0: _("Not applicable / don't know"),
        }
