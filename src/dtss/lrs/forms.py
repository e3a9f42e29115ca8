"""Forms of the LRS administration: a new credential, the statement filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.core.tenancy import scope_for
from dtss.lrs.models import Credential, Scope
from dtss.orgs.models import County

PLATFORM_SUGGESTIONS = ["因材網", "酷課雲", "均一", "Google Classroom", "酷英網"]
DEFAULT_SCOPES = [Scope.STATEMENTS_WRITE, Scope.STATE, Scope.PROFILE]
NATIONAL = "national"

SCOPE_HELP = {
    Scope.STATEMENTS_WRITE: _("Send learning records (statements)."),
    Scope.STATEMENTS_READ: _("Read every statement of the county, whoever sent it."),
    Scope.STATEMENTS_READ_MINE: _("Read only the statements this credential sent."),
    Scope.STATE: _("Keep and read state documents (where a learner left off)."),
    Scope.DEFINE: _("Define activities and agents (their names and descriptions)."),
    Scope.PROFILE: _("Keep and read activity and agent profile documents."),
    Scope.ALL_READ: _("Read everything of the county, change nothing."),
    Scope.ALL: _("Everything above. Give it only to a platform you fully trust."),
}


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: County) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.name}"


class ScopeWidget(forms.CheckboxSelectMultiple):
    option_template_name = "lrs/_scope_option.html"

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["help"] = SCOPE_HELP.get(option["value"], "")
        return option


class CredentialForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who uses it, e.g. “因材網 for Nantou County”."),
    )
    platform = forms.CharField(
        label=_("Platform"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "platform-suggestions", "autocomplete": "off"}),
        help_text=_("The learning platform that will send records; choose or type."),
    )
    county = forms.ChoiceField(
        label=_("County/city"),
        help_text=_("The records it sends belong to this county; only its staff read them."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=Scope.choices,
        widget=ScopeWidget,
        initial=DEFAULT_SCOPES,
        help_text=_("What the platform may do. Most platforms only send records."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        counties = County.objects.visible_to(user, write=True).order_by("code")
        if not scope.superuser:
            counties = counties.filter(pk__in=scope.admin_county_ids)
        self.counties = {str(c.pk): c for c in counties}
        choices: list[tuple[str, str]] = [
            (k, f"{c.code} {c.name}") for k, c in self.counties.items()
        ]
        if scope.superuser:
            choices.insert(0, (NATIONAL, str(_("National (no county; read by MOE staff only)"))))
        self.fields["county"].choices = choices  # type: ignore[attr-defined]
        if len(self.counties) == 1 and not scope.superuser:
            self.fields["county"].initial = next(iter(self.counties))
        self.platform_suggestions = PLATFORM_SUGGESTIONS

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the credential a name."))
        return name

    def clean_county(self) -> County | None:
        value = self.cleaned_data["county"]
        if value == NATIONAL:
            return None
        return self.counties[value]  # the choices hold only administrable counties


class StatementFilterForm(forms.Form):
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Credential.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label=_("All platforms"),
    )
    verb = forms.CharField(
        label=_("Verb"),
        required=False,
        max_length=500,
        help_text=_("The end of the verb's IRI (e.g. completed) or the whole IRI."),
    )
    since = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    actor = forms.CharField(
        label=_("Learner"),
        required=False,
        max_length=200,
        help_text=_("Part of the learner's account, e-mail address or identifier."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["platform"]
        field.queryset = Credential.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.name} ({c.platform})" if c.platform and c.platform != c.name else c.name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
