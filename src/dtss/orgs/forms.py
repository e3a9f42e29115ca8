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


class PersonAddForm(forms.Form):
    """Add one person with a school role (the everyday alternative to an import)."""

    ROLE_CHOICES = [
        ("teacher", _("Teacher")),
        ("school_admin", _("School administrator")),
        ("student", _("Student")),
        ("parent", _("Parent/guardian")),
    ]
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    title = forms.ChoiceField(
        label=_("Title"),
        required=False,
        choices=[
            ("", "—"),
            ("principal", _("Principal")),
            ("director", _("Director")),
            ("it_head", _("IT head")),
            ("other", _("Other")),
        ],
        help_text=_("For school administrators."),
    )
    external_id = forms.CharField(
        label=_("External ID"),
        max_length=64,
        required=False,
        help_text=_("Student or staff number; imports match people by it."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", "—"), ("F", _("Female")), ("M", _("Male")), ("X", _("Other / not stated"))],
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    school_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
        help_text=_("For students."),
    )
    seat_number = forms.IntegerField(
        label=_("Seat number"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("For students."),
    )
    child_external_id = forms.CharField(
        label=_("Child's external ID"),
        max_length=64,
        required=False,
        help_text=_("For parents: the student number of their child at this school."),
    )
    relation = forms.ChoiceField(
        label=_("Relation"),
        required=False,
        choices=[
            ("mother", _("Mother")),
            ("father", _("Father")),
            ("guardian", _("Guardian")),
            ("other", _("Other")),
        ],
    )

    def __init__(self, *args, classes=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        role = data.get("role")
        if role == "student":
            if not data.get("school_class"):
                self.add_error("school_class", _("A student needs a class."))
            if not data.get("seat_number"):
                self.add_error("seat_number", _("A student needs a seat number."))
        if role == "parent" and not data.get("child_external_id"):
            self.add_error("child_external_id", _("A parent needs their child's external ID."))
        return data


class AccountInviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), help_text=_("A link to set the password is sent to this address.")
    )


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    convener = forms.ModelChoiceField(
        label=_("Convener"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
        help_text=_("Usually the head of the education bureau."),
    )
    established_on = forms.DateField(
        label=_("Established on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    mission = forms.CharField(
        label=_("Mission and tasks"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, people=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = people  # type: ignore[attr-defined]


class WorkPlanForm(forms.Form):
    roc_year = forms.IntegerField(label=_("Academic year (ROC)"), min_value=100, max_value=200)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
