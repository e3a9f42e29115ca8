"""Forms of the platform register: a platform, a file mapping, a file to import."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dtss.analytics import mapping as mp
from dtss.analytics import profile
from dtss.analytics.models import Platform
from dtss.analytics.platform_services import MAX_RETENTION_DAYS, PLATFORM_FIELDS, import_file_limit
from dtss.orgs.models import County


def _english() -> bool:
    return (get_language() or "").startswith("en")


def subject_choices(blank: str) -> list[tuple[str, str]]:
    en = _english()
    return [("", blank)] + [
        (code, f"{en_name if en else zh} ({code})")
        for code, (zh, en_name) in profile.SUBJECTS.items()
    ]


def verb_choices(blank: str) -> list[tuple[str, str]]:
    en = _english()
    return [("", blank)] + [(v.code, f"{v.en if en else v.zh} ({v.code})") for v in profile.VERBS]


def activity_kind_choices(blank: str) -> list[tuple[str, str]]:
    en = _english()
    return [("", blank)] + [
        (k.code, f"{k.en if en else k.zh} ({k.code})") for k in profile.ACTIVITY_KINDS
    ]


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: County) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.name}"


class PlatformForm(forms.Form):
    """A platform's settings and governance record (validated again by the services)."""

    county = CountyChoiceField(label=_("County/city"), queryset=County.objects.none())
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("As the county calls it, e.g. “因材網” or “均一 (南投縣)”."),
    )
    kind = forms.ChoiceField(label=_("Platform"), choices=Platform.Kind.choices)
    account_home_page = forms.URLField(
        label=_("Account home page"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "The homePage of the student accounts in the platform's records, e.g. "
            "https://adl.edu.tw. Needed for file imports."
        ),
    )
    identity_scheme = forms.ChoiceField(
        label=_("How accounts identify students"), choices=Platform.IdentityScheme.choices
    )
    default_subject = forms.ChoiceField(
        label=_("Default subject"),
        required=False,
        help_text=_("For records that name no subject (e.g. a platform for one subject only)."),
    )
    purpose = forms.CharField(
        label=_("Purpose of processing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the county receives these records, e.g. to support students' learning."),
    )
    data_fields = forms.CharField(
        label=_("Data fields received"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which personal data the records carry, e.g. account id, activity, score."),
    )
    retention_days = forms.IntegerField(
        label=_("Retention period (days)"),
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        initial=730,
        help_text=_("Records older than this are deleted by a scheduled task."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. 個人資料保護法 §15-16, the county's agreement with the platform."),
    )

    def __init__(
        self,
        *args: Any,
        counties: list[County] | None = None,
        platform: Platform | None = None,
        **kwargs: Any,
    ) -> None:
        if platform is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(platform, f) for f in PLATFORM_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["default_subject"].choices = subject_choices(str(_("None")))  # type: ignore[attr-defined]
        self.fixed_county = counties[0] if counties and len(counties) == 1 else None
        if platform is not None or not counties or self.fixed_county is not None:
            del self.fields["county"]
        else:
            self.fields["county"].queryset = County.objects.filter(  # type: ignore[attr-defined]
                pk__in=[c.pk for c in counties]
            ).order_by("code")

    def target_county(self) -> County | None:
        """The county a new platform is registered in."""
        return self.fixed_county or self.cleaned_data.get("county")

    def connection_fields(self) -> list[Any]:
        names = (
            "county",
            "name",
            "kind",
            "account_home_page",
            "identity_scheme",
            "default_subject",
        )
        return [self[n] for n in names if n in self.fields and not self[n].is_hidden]

    def governance_fields(self) -> list[Any]:
        return [self[n] for n in ("purpose", "data_fields", "retention_days", "legal_basis")]

    def values(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in PLATFORM_FIELDS}


# --------------------------------------------------------------------------- mappings


_PAIR = re.compile(r"\s*(.+?)\s*(?:=|→|->|,|\t)\s*(\S.*?)\s*")


def parse_pairs(text: str, field_label: str) -> dict[str, str]:
    """Lines of "value = code" → {value: code}; a ValidationError names the bad line."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _PAIR.fullmatch(line)
        if m is None:
            raise ValidationError(
                _("Line %(n)s of %(field)s: write “value = code”.")
                % {"n": number, "field": field_label}
            )
        out[m.group(1)] = m.group(2)
    return out


def pairs_text(pairs: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in pairs.items())


def parse_list(text: str) -> list[str]:
    return [v.strip() for v in re.split(r"[,，\n]", text) if v.strip()]


def _column(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=mp.MAX_COLUMN, help_text=help_text
    )


class MappingForm(forms.Form):
    """A file mapping: the export's column names for each part of a statement."""

    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("E.g. “Video report (monthly export)”."),
    )
    actor_column = _column(
        _("Student account column"),
        _("Required. The account name must match the platform's identity scheme."),
    )
    verb_column = _column(_("Verb column"), _("What the student did; or choose a fixed verb."))
    verb_values = forms.CharField(
        label=_("Verb values"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "觀看 = experienced\n作答 = answered"}
        ),
        help_text=_(
            "One per line: value in the file = verb code. Verb codes and their Chinese names "
            "are understood without a line."
        ),
    )
    verb = forms.ChoiceField(label=_("Fixed verb"), required=False)
    activity_column = _column(_("Activity column"), _("Required. The activity's id or code."))
    activity_base = forms.CharField(
        label=_("Activity IRI prefix"),
        required=False,
        max_length=500,
        help_text=_(
            "Put before ids that are not IRIs already. Default: the account home page + "
            "/activities/."
        ),
    )
    activity_kind = forms.ChoiceField(label=_("Activity type"), required=False)
    activity_name_column = _column(_("Activity name column"))
    subject_column = _column(_("Subject column"))
    subject_values = forms.CharField(
        label=_("Subject values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "數 = math\n英 = english"}),
        help_text=_(
            "One per line: value in the file = subject code, for values the profile does not "
            "know (國語, 數學, 英文 … are known)."
        ),
    )
    subject = forms.ChoiceField(label=_("Fixed subject"), required=False)
    score_column = _column(_("Score column"))
    score_kind = forms.ChoiceField(
        label=_("Score is"),
        choices=[
            ("scaled", _("a share from 0 to 1")),
            ("percent", _("a percentage from 0 to 100")),
            ("raw", _("points out of a maximum")),
        ],
        initial="scaled",
    )
    score_max_column = _column(_("Maximum points column"))
    score_max = forms.FloatField(label=_("Fixed maximum points"), required=False)
    score_min = forms.FloatField(label=_("Minimum points"), required=False, initial=0)
    success_column = _column(_("Correct? column"), _("For answers: whether it was correct."))
    success_values = forms.CharField(
        label=_("Values meaning correct"),
        required=False,
        initial=", ".join(mp.DEFAULT_TRUE),
        help_text=_("Comma-separated; any other value means no."),
    )
    completion_column = _column(_("Completed? column"))
    completion_values = forms.CharField(
        label=_("Values meaning completed"),
        required=False,
        initial=", ".join(mp.DEFAULT_TRUE),
        help_text=_("Comma-separated; any other value means no."),
    )
    duration_column = _column(_("Duration column"), _("A number, or H:MM:SS."))
    duration_unit = forms.ChoiceField(
        label=_("Duration unit"),
        choices=[("seconds", _("seconds")), ("minutes", _("minutes"))],
        initial="seconds",
    )
    start_column = _column(_("Start time column"), _("Instead of a duration column."))
    end_column = _column(_("End time column"))
    timestamp_column = _column(
        _("Time column"),
        _(
            "When it happened: 2026-03-02 09:30, 2026/03/02 09:30:00 or ISO 8601; Taiwan time "
            "unless a zone is given. May be left empty when a start time column is given."
        ),
    )
    grade_column = _column(_("Grade column"))
    node_column = _column(_("Knowledge node column"))
    domain_column = _column(_("108 curriculum code column"))
    spec_json = forms.CharField(
        label=_("Or paste a mapping (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A mapping downloaded from another platform or county; when given, it replaces "
            "the settings above."
        ),
    )

    def __init__(self, *args: Any, spec: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if spec is not None and "initial" not in kwargs:
            initial = dict(spec)
            initial["verb_values"] = pairs_text(spec.get("verb_values") or {})
            initial["subject_values"] = pairs_text(spec.get("subject_values") or {})
            initial["success_values"] = ", ".join(spec.get("success_values") or [])
            initial["completion_values"] = ", ".join(spec.get("completion_values") or [])
            kwargs["initial"] = {**initial, **kwargs.get("extra_initial", {})}
        kwargs.pop("extra_initial", None)
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = verb_choices(str(_("— from the verb column —")))  # type: ignore[attr-defined]
        self.fields["subject"].choices = subject_choices(str(_("— from the subject column —")))  # type: ignore[attr-defined]
        self.fields["activity_kind"].choices = activity_kind_choices(str(_("Not given")))  # type: ignore[attr-defined]
        self.spec: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        raw = (data.get("spec_json") or "").strip()
        if raw:
            try:
                spec = json.loads(raw)
            except ValueError as exc:
                self.add_error("spec_json", _("This is not valid JSON: %(error)s") % {"error": exc})
                return data
            if isinstance(spec, dict) and isinstance(spec.get("spec"), dict):
                spec = spec["spec"]  # a downloaded mapping file: {"name":…, "spec": {…}}
        else:
            try:
                spec = {
                    name: data.get(name) or ""
                    for name in mp.MappingSpec.model_fields
                    if name
                    not in (
                        "verb_values",
                        "subject_values",
                        "success_values",
                        "completion_values",
                        "score_max",
                        "score_min",
                    )
                }
                spec["verb_values"] = parse_pairs(
                    data.get("verb_values") or "", str(self.fields["verb_values"].label)
                )
                spec["subject_values"] = parse_pairs(
                    data.get("subject_values") or "", str(self.fields["subject_values"].label)
                )
            except ValidationError as exc:
                self.add_error(None, exc)
                return data
            spec["success_values"] = parse_list(data.get("success_values") or "")
            spec["completion_values"] = parse_list(data.get("completion_values") or "")
            spec["score_max"] = data.get("score_max")
            spec["score_min"] = data.get("score_min") or 0
            spec["score_kind"] = spec["score_kind"] or "scaled"
            spec["duration_unit"] = spec["duration_unit"] or "seconds"
            if not spec["success_values"]:
                spec["success_values"] = list(mp.DEFAULT_TRUE)
            if not spec["completion_values"]:
                spec["completion_values"] = list(mp.DEFAULT_TRUE)
        try:
            self.spec = mp.spec_clean(spec)
        except ValidationError as exc:
            target = "spec_json" if raw else None
            for name, messages in exc.message_dict.items():
                field = name if (not raw and name in self.fields) else target
                for message in messages:
                    self.add_error(field, message if field or raw else f"{name}: {message}")
        return data


class ImportForm(forms.Form):
    """The file to preview; the preview keeps it on the server for the import."""

    file = forms.FileField(
        label=_("Export file"),
        help_text=_("CSV (UTF-8 or Big5) or XLSX, at most 10 MB or 100,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
        if uploaded.size > import_file_limit():
            raise forms.ValidationError(
                _("The file is larger than 10 MB; split it into smaller files.")
            )
        return uploaded
