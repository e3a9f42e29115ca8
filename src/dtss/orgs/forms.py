from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.orgs.models import OfficeGroup, OfficeTask, School


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "name_zh",
            "name_en",
            "stage",
            "ownership",
            "area",
            "student_count",
            "address",
            "phone",
            "active",
        ]


class OfficeGroupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OfficeGroup.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    duties = forms.CharField(
        label=_("Duties"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class OfficeMemberForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=OfficeGroup.objects.none())
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args, groups=None, people=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class OfficeTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=OfficeGroup.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, groups=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=OfficeTask.Status.choices)
