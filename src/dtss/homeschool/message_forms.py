"""Forms of the message pages: start a conversation (choose a child and a teacher, or a
student and a parent, from what access allows) and send a message. There is no form to edit or
delete a message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.homeschool.message_services import BODY_MAX


class StartForm(forms.Form):
    """One choice: "<student public id>:<person public id>" (the teacher for a parent, the
    parent for a teacher)."""

    pair = forms.ChoiceField(label=_("With"))

    def __init__(self, *args: Any, choices: list[dict[str, Any]], **kw: Any):
        super().__init__(*args, **kw)
        self.pairs: dict[str, tuple[Any, Any, str]] = {}
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for item in choices:
            student, opts = item["student"], []
            for person, label in item["options"]:
                key = f"{student.public_id}:{person.public_id}"
                self.pairs[key] = (student, person, item["role"])
                opts.append((key, f"{person.name} ({label})" if label != person.name else label))
            if opts:
                groups.append((f"{student.name} · {item['school_class']}", opts))
        self.fields["pair"].choices = [("", "—"), *groups]

    def clean_pair(self) -> tuple[Any, Any, str]:
        return self.pairs[self.cleaned_data["pair"]]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Messages are kept as a record: they cannot be changed or deleted."),
    )
    urgent = forms.BooleanField(
        label=_("Urgent: notify at once, even in quiet hours"), required=False
    )

    def __init__(self, *args: Any, teacher: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        if not teacher:
            del self.fields["urgent"]
