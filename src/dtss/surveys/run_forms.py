"""Forms of the run pages: creating a run, generating access codes, the code entry box.

Forms only shape input; the rules live in `services` (their errors are put back on the
fields by the views).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dtss.orgs.models import School, SchoolClass
from dtss.surveys import selectors, services
from dtss.surveys.models import MIN_GROUP_SIZE, Group, Questionnaire, Run

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
SCHOOLS_ALL, SCHOOLS_LIST, SCHOOLS_NONE = "all", "list", "none"


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def part_field_name(group: str) -> str:
    return f"part_{group}"


def latest_classes(school: School) -> list[SchoolClass]:
    """The classes of the school's latest term that has classes (what a run reaches)."""
    term_id = (
        SchoolClass.objects.filter(school=school)
        .order_by("-term__roc_year", "-term__semester")
        .values_list("term_id", flat=True)
        .first()
    )
    if term_id is None:
        return []
    return list(SchoolClass.objects.filter(school=school, term_id=term_id))


class RunCreateForm(forms.Form):
    """A new run of one owner (a county, or a school). The questionnaire fields are one per
    respondent group: `part_teachers`, `part_students` …"""

    title = forms.CharField(label=pgettext_lazy("survey run", "Title"), max_length=200)
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"), choices=Run.Mode.choices, widget=forms.RadioSelect
    )
    opens_at = _datetime_field(gettext_lazy("Opens"))
    closes_at = _datetime_field(gettext_lazy("Closes"))
    min_group_size = forms.IntegerField(
        label=gettext_lazy("Minimum group size"),
        min_value=MIN_GROUP_SIZE,
        max_value=1000,
        initial=MIN_GROUP_SIZE,
    )
    schools_mode = forms.ChoiceField(
        label=gettext_lazy("Schools"),
        widget=forms.RadioSelect,
        required=False,
        choices=[
            (SCHOOLS_ALL, gettext_lazy("All schools of the county")),
            (SCHOOLS_LIST, gettext_lazy("Schools chosen from the list")),
            (SCHOOLS_NONE, gettext_lazy("No schools (the county office's own staff only)")),
        ],
    )
    schools = forms.MultipleChoiceField(
        label=gettext_lazy("Schools"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("%(value)s is not an active school of this county.")
        },
    )
    classes = forms.MultipleChoiceField(
        label=gettext_lazy("Classes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("%(value)s is not a class of the school.")},
    )
    previous = forms.ModelChoiceField(
        label=gettext_lazy("Compare with"),
        queryset=Run.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=gettext_lazy("(no earlier run)"),
    )

    def __init__(self, *args: Any, user: Any, county: Any, school: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.county, self.school = county, school
        owned = selectors.questionnaires(user=user).filter(
            county=county, school=school, archived=False
        )
        self.groups = [
            (value, label)
            for value, label in Group.choices
            if school is None or value != Group.COUNTY_STAFF
        ]
        for value, label in self.groups:
            self.fields[part_field_name(value)] = forms.ModelChoiceField(
                label=label,
                queryset=owned,
                to_field_name="public_id",
                required=False,
                empty_label=gettext_lazy("(not asked)"),
            )
            self.fields[part_field_name(value)].label_from_instance = self._questionnaire_label
        self.fields["previous"].queryset = (
            selectors.runs(user=user).filter(county=county, school=school).order_by("-opens_at")
        )
        if school is None:
            self.county_schools = list(
                School.objects.filter(county=county, active=True)
                .select_related("district")
                .order_by("district__code", "code")
            )
            self.fields["schools"].choices = [
                (str(s.public_id), f"{s.code} {s.name}") for s in self.county_schools
            ]
            self.class_choices: list[SchoolClass] = []
            del self.fields["classes"]
        else:
            self.county_schools = []
            self.class_choices = latest_classes(school)
            self.fields["classes"].choices = [
                (str(c.public_id), str(c)) for c in self.class_choices
            ]
            del self.fields["schools"]
            del self.fields["schools_mode"]
        self.chosen_schools: list[School] = []
        self.chosen_classes: list[SchoolClass] = []

    @staticmethod
    def _questionnaire_label(qn: Questionnaire) -> str:
        return f"{qn.title_zh} ({qn.get_group_display()})"

    def part_fields(self) -> list[forms.BoundField]:
        return [self[part_field_name(value)] for value, _label in self.groups]

    def selected_school_ids(self) -> set[str]:
        if "schools" not in self.fields:
            return set()
        return {str(v) for v in self["schools"].value() or []}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.school is None:
            mode = data.get("schools_mode") or SCHOOLS_ALL
            if mode == SCHOOLS_ALL:
                self.chosen_schools = list(self.county_schools)
            elif mode == SCHOOLS_LIST:
                chosen = set(data.get("schools") or [])
                self.chosen_schools = [s for s in self.county_schools if str(s.public_id) in chosen]
                if not self.chosen_schools and "schools" not in self.errors:
                    self.add_error("schools", _("Choose at least one school."))
        else:
            chosen = set(data.get("classes") or [])
            self.chosen_classes = [c for c in self.class_choices if str(c.public_id) in chosen]
        return data

    def parts(self) -> dict[str, Questionnaire]:
        out = {}
        for value, _label in self.groups:
            qn = self.cleaned_data.get(part_field_name(value))
            if qn is not None:
                out[value] = qn
        return out

    @staticmethod
    def initial_times() -> dict[str, Any]:
        now = timezone.localtime()
        opens = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return {"opens_at": opens, "closes_at": opens + timedelta(days=14)}


KIND_CODES, KIND_LINK = "codes", "link"


class CodesForm(forms.Form):
    """One-time access codes, or one reusable class link, for a group at one school (and
    class). The school is chosen on the page first (a county run reaches many); a school
    run's school is its own."""

    group = forms.ChoiceField(label=gettext_lazy("Respondent group"))
    school_class = forms.ChoiceField(label=gettext_lazy("Class"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        widget=forms.RadioSelect,
        initial=KIND_CODES,
        choices=[
            (KIND_CODES, gettext_lazy("One-time codes, one per person (printed on slips)")),
            (KIND_LINK, gettext_lazy("A class link, good for the given number of answers")),
        ],
    )
    count = forms.IntegerField(
        label=gettext_lazy("How many"),
        required=False,
        min_value=1,
        max_value=services.MAX_CODES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, run: Run, school: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        self.school = school
        labels = dict(Group.choices)
        self.fields["group"].choices = [
            (p.group, labels.get(p.group, p.group)) for p in run.parts.order_by("id")
        ]
        self.classes = services.run_current_classes(run, school) if school is not None else []
        self.fields["school_class"].choices = [("", _("(the whole school)"))] + [
            (str(c.public_id), str(c)) for c in self.classes
        ]
        self.chosen_class: SchoolClass | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        class_id = data.get("school_class") or ""
        self.chosen_class = next((c for c in self.classes if str(c.public_id) == class_id), None)
        if data.get("kind") == KIND_LINK and not data.get("count"):
            self.add_error("count", _("Give the number of answers the link is good for."))
        return data


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Access code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "class": "code-input",
            }
        ),
    )
