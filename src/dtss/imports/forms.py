from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtss.imports.models import ImportJob
from dtss.imports.services import MAX_FILE_BYTES
from dtss.orgs.models import County, School


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.name}"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.Kind.choices)
    county = forms.ModelChoiceField(
        label=_("County/city"),
        queryset=County.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("For schools."),
    )
    school = SchoolChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=_("For classes and people."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or Big5) or XLSX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = School.objects.visible_to(user, write=True).select_related("county")
        self.fields["school"].queryset = schools.order_by("county__code", "code")  # type: ignore[attr-defined]
        counties = County.objects.visible_to(user, write=True).order_by("code")
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        # Most administrators have one school or one county: choose it for them.
        if len(schools) == 1 and not self.initial.get("school"):
            self.initial["school"] = schools[0].public_id
        if len(counties) == 1 and not self.initial.get("county"):
            self.initial["county"] = counties[0].code
        self.counties = list(counties[:2])
        if not self.counties:
            # Only a county administrator imports schools.
            del self.fields["county"]
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in ImportJob.Kind.choices if c[0] != ImportJob.Kind.SCHOOLS
            ]
        elif len(self.counties) == 1:
            self.fields["county"].widget = forms.HiddenInput()
            self.fields["county"].initial = self.counties[0].code

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
        if uploaded.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB; split it into smaller files.")
            )
        return uploaded

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ImportJob.Kind.SCHOOLS:
            county = data.get("county")
            if county is None and len(self.counties) == 1:
                county = self.counties[0]
            if county is None:
                self.add_error("county", _("Choose the county/city to import schools into."))
            data["target_county"] = county
            data["school"] = None
        elif kind:
            school = data.get("school")
            if school is None:
                if "school" not in self.errors:
                    self.add_error("school", _("Choose the school to import into."))
            else:
                data["target_county"] = school.county
        return data
