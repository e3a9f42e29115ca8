"""Forms of the help-request pages. Choices are limited to what the user may use (their
schools, their devices, the request's handlers and the county's groups); the services validate
again and their errors land on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dtss.helpdesk.models import Category, HelpRequest, Platform
from dtss.helpdesk.services import MAX_ATTACHMENTS

ACCEPT = "image/*,video/*,.pdf,.txt,.doc,.docx,.xls,.xlsx,.zip"


class _PublicIdChoice(forms.ChoiceField):
    """A choice of objects by public id, from a list given at runtime."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objects: dict[str, Any] = {}

    def set_objects(self, items: Any, label: Any = str, blank: str = "") -> None:
        self.objects = {str(o.public_id): o for o in items}
        choices = [(k, label(o)) for k, o in self.objects.items()]
        self.choices = ([("", blank)] if blank else []) + choices

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.objects.get(value) if value else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check their number, size and kind."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT, "class": "files-input"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _attachments() -> MultipleFileField:
    return MultipleFileField(label=_("Attachments"))


def _attachments_help(form: forms.Form) -> None:
    if "attachments" in form.fields:
        form.fields["attachments"].help_text = gettext(
            "Screenshots, photos or documents: at most %(n)d files of up to 10 MB each."
        ) % {"n": MAX_ATTACHMENTS}


def device_label(d: Any) -> str:
    return f"{d.asset_tag} · {d.get_kind_display()} {d.model_name}".strip()


class RequestForm(forms.Form):
    school = _PublicIdChoice(label=_("School"), help_text=_("The school the request is about."))
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", "—"), *Category.choices]
    )
    platform = forms.ChoiceField(
        label=_("Learning platform"), required=False, choices=Platform.choices
    )
    subject = forms.CharField(
        label=pgettext_lazy("help request", "Subject"),
        max_length=200,
        help_text=_("In a few words, for example: I cannot log in to 因材網."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        help_text=_("What did you try, what happened, and any error message you saw."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    device = _PublicIdChoice(label=_("Device"), required=False)
    asset_tag = forms.CharField(
        label=_("Device asset tag"),
        max_length=40,
        required=False,
        help_text=_("The tag on the device's label, if the problem is with one device."),
    )
    attachments = _attachments()
    priority = forms.ChoiceField(
        label=_("Priority"), choices=HelpRequest.Priority.choices, initial="normal"
    )
    page_url = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        schools: list[Any],
        devices: list[Any] | None,
        priority: bool,
        **kwargs: Any,
    ) -> None:
        """`devices`: the devices to choose from (students, parents), or None for the asset
        tag field (staff); `priority`: whether the user handles requests."""
        super().__init__(*args, **kwargs)
        _attachments_help(self)
        if len(schools) > 1:
            self.fields["school"].set_objects(schools, lambda s: s.name, "—")
        else:
            del self.fields["school"]
        if devices is None:
            del self.fields["device"]
        else:
            del self.fields["asset_tag"]
            if devices:
                self.fields["device"].set_objects(devices, device_label, _("None / not a device"))
            else:
                del self.fields["device"]
        if not priority:
            del self.fields["priority"]
        self.order_fields(
            [
                "school",
                "category",
                "platform",
                "subject",
                "description",
                "device",
                "asset_tag",
                "attachments",
                "priority",
            ]
        )


class ReplyForm(forms.Form):
    canned = _PublicIdChoice(
        label=_("Insert a canned reply"),
        required=False,
        help_text=_("Without JavaScript the chosen text is added when you send."),
    )
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = _attachments()
    internal = forms.BooleanField(label=_("Internal note (only handlers see it)"), required=False)
    status = forms.ChoiceField(label=_("and set the status to"), required=False)

    def __init__(self, *args: Any, handler: bool, canned: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _attachments_help(self)
        if handler:
            self.fields["status"].choices = [("", _("(unchanged)"))] + [
                (k, v) for k, v in HelpRequest.Status.choices if k != "new"
            ]
            self.canned_items = list(canned)
            if self.canned_items:
                self.fields["canned"].set_objects(self.canned_items, lambda c: c.title, "—")
            else:
                del self.fields["canned"]
        else:
            self.canned_items = []
            for name in ("canned", "internal", "status"):
                del self.fields[name]
        # with canned replies, an empty message is fine when one is chosen (see `clean`)
        self.fields["body"].required = not self.canned_items
        self.order_fields(["canned", "body", "attachments", "internal", "status"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("body") or "").strip() and data.get("canned") is None:
            self.add_error("body", gettext("Write a message."))
        return data

    def message_body(self) -> str:
        """The text to send: what was written, plus a canned reply chosen without JS."""
        body = (self.cleaned_data.get("body") or "").strip()
        canned = self.cleaned_data.get("canned")
        if canned is not None:
            body = f"{body}\n\n{canned.body}".strip() if body else canned.body
        return body


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the help?"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 = very satisfied, 1 = not at all."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(k, v) for k, v in HelpRequest.Status.choices if k != "new"],
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=HelpRequest.Priority.choices)


class AssignForm(forms.Form):
    assignee = _PublicIdChoice(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, handlers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].set_objects(handlers, lambda p: p.name, _("No one (the queue)"))


class EscalateForm(forms.Form):
    group = _PublicIdChoice(label=_("Group of the county's office"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].set_objects(groups, lambda g: g.name, "—")


class CannedForm(forms.Form):
    owner = forms.ChoiceField(
        label=_("Whose reply"),
        help_text=_("County-wide replies are kept by the county's office; a school keeps its own."),
    )
    title = forms.CharField(label=_("Name"), max_length=120)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any")), *Category.choices],
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, owners: list[tuple[str, str]] | None, **kwargs: Any) -> None:
        """`owners`: (key, label) to choose from when creating; None when editing."""
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = owners
