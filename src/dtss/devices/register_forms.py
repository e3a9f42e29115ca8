"""Forms of the register pages. They only parse input: the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dtss.devices import register_selectors as sel
from dtss.devices.models import STUDENT_DEVICE_KINDS, Device, DeviceKind, FundingSource, Licence
from dtss.devices.services import EDITABLE_FIELDS, MANUAL_STATUSES

ANY = [("", _("All"))]


def _date_widgets(names: tuple[str, ...]) -> dict[str, Any]:
    return {n: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for n in names}


def place_choices(user: Any) -> list[tuple[str, str]]:
    """Where a device or licence can belong: the managed schools and, for county users, the
    county's own stock ("stock:<county public_id>")."""
    choices: list[tuple[str, str]] = []
    from dtss.orgs.models import County

    for county in County.objects.filter(pk__in=sel.managed_county_ids(user)).order_by("code"):
        choices.append((f"stock:{county.public_id}", str(_("County stock")) + f" · {county.name}"))
    for school in sel.managed_schools(user):
        choices.append((str(school.public_id), school.name))
    return choices


def place_resolve(user: Any, value: str) -> tuple[Any, Any]:
    """(county, school) of a `place_choices` value the user may use; ValidationError if not."""
    from dtss.orgs.models import County

    if value.startswith("stock:"):
        county = (
            County.objects.filter(pk__in=sel.managed_county_ids(user))
            .filter(public_id=value.removeprefix("stock:"))
            .first()
        )
        if county is None:
            raise ValidationError({"school": _("Choose a school you manage.")})
        return county, None
    school = sel.managed_schools(user).filter(public_id=value).first() if value else None
    if school is None:
        raise ValidationError({"school": _("Choose a school you manage.")})
    return school.county, school


class DeviceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search tag, serial, model or holder"), required=False, max_length=100
    )
    school = forms.ChoiceField(label=_("School"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + DeviceKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + Device.Status.choices
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"), required=False, choices=ANY + FundingSource.choices
    )
    programme = forms.CharField(label=_("Programme"), required=False, max_length=120)
    warranty = forms.ChoiceField(
        label=_("Warranty"),
        required=False,
        choices=[*ANY, ("expiring", _("Ends within 90 days")), ("expired", _("Expired"))],
    )
    mdm = forms.ChoiceField(
        label=_("MDM"),
        required=False,
        choices=[*ANY, ("idle", _("No MDM contact for 30 days"))],
    )
    byod = forms.ChoiceField(
        label=_("Ownership"),
        required=False,
        choices=[*ANY, ("yes", _("Own devices (BYOD)")), ("no", _("School devices"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("tag", _("Asset tag")),
            ("-tag", _("Asset tag, descending")),
            ("kind", _("Kind")),
            ("status", _("Status")),
            ("-purchase", _("Newest purchase")),
            ("purchase", _("Oldest purchase")),
            ("warranty", _("Warranty ends first")),
            ("-warranty", _("Warranty ends last")),
            ("mdm", _("Longest without MDM contact")),
            ("-mdm", _("Latest MDM contact")),
        ],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(ANY)
        if sel.sees_county_stock(user):
            choices.append((sel.STOCK, _("County stock")))
        choices += [(str(s.public_id), s.name) for s in sel.readable_schools(user)]
        self.fields["school"].choices = choices

    def filters(self) -> sel.DeviceFilters:
        """The valid filters (an invalid one, e.g. an unknown kind, is left out)."""
        if not self.is_bound:
            return sel.DeviceFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return sel.DeviceFilters(
            **{
                k: (data.get(k) or "")
                for k in sel.DeviceFilters.__dataclass_fields__
                if k != "sort"
            },
            sort=data.get("sort") or "tag",
        )


class DeviceForm(forms.ModelForm):
    """The register fields of a device; the place (school or county stock) when creating."""

    place = forms.ChoiceField(
        label=_("School"),
        help_text=_("Where the device belongs. County stock: devices the county keeps."),
    )

    class Meta:
        model = Device
        fields = EDITABLE_FIELDS
        widgets = {
            **_date_widgets(("purchase_date", "warranty_end")),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["place"].choices = place_choices(user)
            self.order_fields(["place", *EDITABLE_FIELDS])
        else:
            del self.fields["place"]

    def _post_clean(self) -> None:
        """The services validate the device (uniqueness in the county, dates); nothing here."""

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}


class ByodForm(forms.Form):
    school = forms.ChoiceField(label=_("School"))
    student = forms.CharField(
        label=_("Student"),
        max_length=100,
        help_text=_("The student number, or the full name if it is unique in the school."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in STUDENT_DEVICE_KINDS]
    )
    asset_tag = forms.CharField(
        label=_("Asset tag"),
        max_length=40,
        help_text=_("The tag you put on the device, for example BYOD-0001. Unique in the county."),
    )
    serial = forms.CharField(label=_("Serial number"), max_length=80, required=False)
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=80, required=False)
    model_name = forms.CharField(label=_("Model"), max_length=120, required=False)
    os = forms.CharField(label=_("Operating system"), max_length=60, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [
            (str(s.public_id), s.name) for s in sel.managed_schools(user)
        ]
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        school = sel.managed_schools(self.user).filter(public_id=data.get("school") or None)
        school = school.first() if data.get("school") else None
        if school is None:
            if "school" not in self.errors:
                self.add_error("school", _("Choose a school you manage."))
            return data
        data["school_obj"] = school
        text = (data.get("student") or "").strip()
        if text:
            students = sel.students_of_school(school)
            found = list(students.filter(external_id=text)[:2]) or list(
                students.filter(name=text)[:2]
            )
            if not found:
                self.add_error("student", _("No student of the school has this number or name."))
            elif len(found) > 1:
                self.add_error(
                    "student", _("Several students have this name: give the student number.")
                )
            else:
                data["student_obj"] = found[0]
        return data

    def values(self) -> dict[str, Any]:
        names = ("kind", "asset_tag", "serial", "manufacturer", "model_name", "os", "notes")
        return {n: self.cleaned_data.get(n) or "" for n in names}


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (Device.Status.IN_REPAIR, _("Send for repair")),
            (Device.Status.IN_STOCK, _("Back from repair / found")),
            (Device.Status.LOST, _("Report lost")),
            (Device.Status.RETIRED, _("Retire")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_status(self) -> str:
        value = self.cleaned_data["status"]
        if value not in MANUAL_STATUSES:
            raise ValidationError(_("This status follows assignments and loans."))
        return value


class TransferForm(forms.Form):
    target = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(v, label or _("County stock")) for v, label in choices]


class LicenceForm(forms.ModelForm):
    place = forms.ChoiceField(
        label=_("Licence of"),
        help_text=_("A school, or the county for a county-wide licence."),
    )

    class Meta:
        model = Licence
        fields = (
            "name",
            "vendor",
            "seats",
            "starts_on",
            "expires_on",
            "cost",
            "funding_source",
            "licence_key",
            "notes",
        )
        widgets = {
            **_date_widgets(("starts_on", "expires_on")),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            choices = place_choices(user)
            self.fields["place"].choices = [
                (v, label.replace(str(_("County stock")), str(_("County-wide"))))
                for v, label in choices
            ]
            self.order_fields(["place", *self.Meta.fields])
        else:
            del self.fields["place"]

    def _post_clean(self) -> None:
        """The services validate (dates, seats in use)."""

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class SeatForm(forms.Form):
    device = forms.CharField(label=_("Device (asset tag)"), max_length=40, required=False)
    person = forms.CharField(
        label=_("Person (number or full name)"),
        max_length=100,
        required=False,
        help_text=_("Fill in one of the two."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool((data.get("device") or "").strip()) == bool((data.get("person") or "").strip()):
            raise ValidationError(_("Give a device or a person (one of the two)."))
        return data
