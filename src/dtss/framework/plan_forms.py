"""Forms of the plan and case pages. They check the shape of the input; the services check the
rules (who may write, strategy level, owner, dates, budget) again before saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.framework.models import Action, Case, Plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    org = forms.ChoiceField(label=_("For"), help_text=_("A school, or the county's own plan."))
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200)
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Plan.Horizon.choices)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DATE)

    def __init__(self, *args: Any, orgs: list[tuple[str, str, Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {value: (county, school) for value, _label, county, school in orgs}
        field = self.fields["org"]
        field.choices = [(value, label) for value, label, *_rest in orgs]  # type: ignore[attr-defined]
        if len(orgs) == 1:
            field.initial = orgs[0][0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return data


class StrategyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = obj.text
        return f"{obj.code} {text[:60]}{'…' if len(text) > 60 else ''}"


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    strategies = StrategyChoiceField(
        label=_("Strategies"),
        queryset=None,
        required=False,
        to_field_name="code",
        help_text=_("The strategy IDs this goal works towards."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, strategies: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategies"].queryset = strategies  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Goal"), queryset=None, to_field_name="public_id", empty_label=None
    )
    title = forms.CharField(label=pgettext_lazy("plan", "Action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label="—", to_field_name="public_id"
    )
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DATE)
    budget = forms.DecimalField(
        label=_("Budget (NT$)"),
        required=False,
        decimal_places=0,
        max_digits=12,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    funding = forms.ChoiceField(
        label=_("Funding source"), required=False, choices=[("", "—"), *Action.Funding.choices]
    )
    programme = forms.CharField(
        label=_("Programme"),
        required=False,
        max_length=200,
        help_text=_("e.g. 生生用平板 or 數位學習精進方案"),
    )
    success_measure = forms.CharField(label=_("Success measure"), required=False, max_length=300)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "5"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Action.Status.choices, initial=Action.Status.PLANNED
    )

    def __init__(
        self, *args: Any, goals: QuerySet[Any] | None, owners: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if goals is None:
            del self.fields["goal"]
        else:
            self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ActionProgressForm(forms.Form):
    """The quick edit in the plan's table: status and progress."""

    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), required=False)


class CaseForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done, with whom, and what changed."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=Case._meta.get_field("tags").help_text,
    )
    subject = forms.CharField(
        label=_("Subject/domain"),
        required=False,
        max_length=60,
        help_text=_("e.g. 數學, 英語, 自然科學, 跨領域"),
    )
