"""Forms of the knowledge-base pages. The services validate again (and name the same fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.helpdesk.models import Article, Category, Platform


class ArticleForm(forms.Form):
    where = forms.ChoiceField(
        label=_("Whose article"),
        help_text=_("The county's article, or your school's own addition."),
    )
    title_zh = forms.CharField(label=_("Subject (Chinese)"), max_length=200)
    body_zh = forms.CharField(
        label=_("Text (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "kb-body"}),
        help_text=_(
            "Markdown: ## heading, - list, **bold**, [link](https://…). Insert an uploaded "
            "picture or video with ![caption](media:…) — the button beside each file does it."
        ),
    )
    title_en = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Text (English)"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "kb-body"}),
        required=False,
        help_text=_("Optional. Without it, English readers see the Chinese text."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *Category.choices],
        required=False,
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices, required=False)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=200,
        required=False,
        help_text=_("Comma separated, e.g. 平板, 充電, 教育雲帳號."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Article.Visibility.choices,
        initial=Article.Visibility.SIGNED_IN,
        help_text=_(
            "Public articles can be read on the county's public help page without signing in."
        ),
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str, Any, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.targets = {key: (county, school) for key, _label, county, school in targets}
        self.fields["where"].choices = [(key, label) for key, label, _c, _s in targets]
        if len(targets) == 1:
            self.fields["where"].initial = targets[0][0]

    def target(self) -> tuple[Any, Any]:
        """(county, school) of the chosen place."""
        return self.targets[self.cleaned_data["where"]]

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name, "")
            for name in (
                "title_zh",
                "body_zh",
                "title_en",
                "body_en",
                "category",
                "platform",
                "tags",
                "visibility",
            )
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MediaForm(forms.Form):
    files = MultipleFileField(
        label=_("Pictures, videos or files"),
        help_text=_(
            "Images (PNG, JPEG, GIF, WebP) up to 10 MB; videos (MP4, WebM) up to 200 MB; "
            "files (PDF, Office, text, ZIP) up to 20 MB; at most 10 at a time."
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
