"""Forms of the self-assessment pages. They check the shape of the input; the services check
the rules (editable, owner of the county, evidence type and size) again before saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.framework.models import Evidence, Item, Response
from dtss.framework.services import EVIDENCE_TYPES, MAX_EVIDENCE_BYTES

NOTES_MAX = 10000

# The first bytes of the types whose content is easy to check: a renamed file is refused.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
ACCEPT = ",".join(sorted(EVIDENCE_TYPES)) + ",image/*"


def extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


class ResponseForm(forms.Form):
    """One strategy's status, owner and notes. Bound with `partial=True`, only the fields
    present in the data are validated and saved (the autosave sends one field at a time)."""

    status = forms.ChoiceField(label=_("Status"), choices=Response.Status.choices)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label="—", to_field_name="public_id"
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, owners: QuerySet[Any], partial: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        if partial and self.is_bound:
            for name in list(self.fields):
                if name not in self.data:
                    del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.fields:
            raise ValidationError(_("Nothing to save: send a status, an owner or notes."))
        return cleaned


class EvidenceForm(forms.Form):
    """One piece of evidence: a file, or a link, or a text."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, images, Office documents, text or video; at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500)
    text = forms.CharField(
        label=_("Text"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "Title"),
        required=False,
        max_length=200,
        help_text=_("Optional; the file name, link or first words are used otherwise."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        ext = extension(upload.name or "")
        if ext not in EVIDENCE_TYPES:
            raise ValidationError(
                _(
                    "“%(name)s” is not an accepted type: PDF, images, Office documents, text or "
                    "video only."
                ),
                params={"name": upload.name},
            )
        if upload.size > MAX_EVIDENCE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        signatures = SIGNATURES.get(ext)
        if signatures:
            head = upload.read(16)
            upload.seek(0)
            if not any(head.startswith(sig) for sig in signatures):
                raise ValidationError(
                    _("“%(name)s” does not look like a %(type)s file."),
                    params={"name": upload.name, "type": ext[1:].upper()},
                )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [k for k in ("file", "url", "text") if cleaned.get(k)]
        if not given and not self.errors:
            raise ValidationError(_("Choose a file, or give a link or a text."))
        if len(given) > 1:
            raise ValidationError(
                _("Give one piece of evidence at a time: a file, a link or a text.")
            )
        return cleaned

    @property
    def kind(self) -> str:
        if self.cleaned_data.get("file"):
            return Evidence.Kind.FILE
        if self.cleaned_data.get("url"):
            return Evidence.Kind.LINK
        return Evidence.Kind.TEXT


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the county"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    ACTIONS = [
        ("comment", _("Comment")),
        ("request_changes", _("Ask for changes")),
        ("accept", _("Accept")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    item = forms.ModelChoiceField(
        label=_("Item"),
        queryset=Item.objects.none(),
        required=False,
        empty_label="—",
        to_field_name="code",
    )
    note = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: QuerySet[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.title}"  # type: ignore[attr-defined]
