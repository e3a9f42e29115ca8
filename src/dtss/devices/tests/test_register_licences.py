"""Software licences and seats: services (seat limit), pages and who may see and change them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.devices import licence_services as svc
from dtss.devices.models import Licence, LicenceSeat
from dtss.devices.tests.factories import make_device


def _licence(world: Any, school_key: str | None = "A-elem", **values: Any) -> Licence:
    school = world.schools[school_key] if school_key else None
    county = school.county if school else world.counties["A"]
    values.setdefault("name", "Office 365")
    values.setdefault("seats", 2)
    return svc.licence_create(county=county, school=school, **values)


def test_seat_limit_and_uniqueness(world: Any) -> None:
    lic = _licence(world, seats=2)
    d1, d2, d3 = (make_device(world) for _ in range(3))
    svc.seat_assign(licence=lic, device=d1)
    with pytest.raises(ValidationError) as err:
        svc.seat_assign(licence=lic, device=d1)
    assert "device" in err.value.message_dict
    svc.seat_assign(licence=lic, person=world.people["elem_teacher"])
    with pytest.raises(ValidationError) as err:
        svc.seat_assign(licence=lic, device=d3)
    assert "device" in err.value.message_dict
    assert "2" in err.value.message_dict["device"][0]
    assert LicenceSeat.objects.filter(licence=lic).count() == 2
    # the seats cannot be lowered below those in use
    with pytest.raises(ValidationError) as err:
        svc.licence_update(licence=lic, seats=1)
    assert "seats" in err.value.message_dict
    lic.refresh_from_db()
    assert lic.seats == 2
    # a device of another school, or of another county
    with pytest.raises(ValidationError) as err:
        svc.seat_assign(licence=lic, device=make_device(world, "A-junior"))
    assert "device" in err.value.message_dict
    svc.licence_update(licence=lic, seats=5)
    with pytest.raises(ValidationError):
        svc.seat_assign(licence=lic, device=make_device(world, "B-elem"))
    svc.seat_assign(licence=lic, device=d2)
    with pytest.raises(ValidationError):
        svc.seat_assign(licence=lic)
    with pytest.raises(ValidationError):
        svc.seat_assign(licence=lic, device=d3, person=world.people["elem_teacher"])


def test_licence_validation(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        _licence(world, seats=0)
    assert "seats" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _licence(world, starts_on=dt.date(2025, 8, 1), expires_on=dt.date(2025, 1, 1))
    assert "expires_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        svc.licence_create(
            county=world.counties["A"], school=world.schools["B-elem"], name="X", seats=1
        )
    assert "school" in err.value.message_dict
    assert not Licence.objects.exists()


def test_licence_pages(world: Any) -> None:
    client = world.client("elem_admin")
    r = client.get(reverse("devices:licence_list"))
    assert r.status_code == 200 and b'id="no-licences"' in r.content
    r = client.post(
        reverse("devices:licence_create"),
        {"place": str(world.schools["A-elem"].public_id), "name": "GeoGebra", "seats": "0"},
    )
    assert "seats" in r.context["form"].errors and not Licence.objects.exists()
    r = client.post(
        reverse("devices:licence_create"),
        {
            "place": str(world.schools["A-elem"].public_id),
            "name": "GeoGebra",
            "seats": "1",
            "expires_on": "2030-07-31",
        },
    )
    lic = Licence.objects.get()
    assert r.status_code == 302 and lic.school == world.schools["A-elem"]
    assert AuditEntry.objects.filter(action="licence.create").exists()
    d = make_device(world, asset_tag="LIC-DEV")
    add = reverse("devices:licence_seat_add", args=[lic.public_id])
    client.post(add, {"device": "LIC-DEV"})
    r = client.post(add, {"person": "elem_teacher"}, follow=True)
    assert LicenceSeat.objects.filter(licence=lic).count() == 1  # the one seat is taken
    assert any("1" in str(m) for m in r.context["messages"])
    r = client.get(reverse("devices:licence_detail", args=[lic.public_id]))
    assert r.context["used"] == 1 and r.context["seat_form"] is None
    assert b'id="seats-full"' in r.content
    r = client.get(reverse("devices:device_detail", args=[d.public_id]))
    assert [s.licence.name for s in r.context["seats"]] == ["GeoGebra"]
    r = client.get(reverse("devices:licence_list"))
    assert [(x.name, x.used) for x in r.context["page"].object_list] == [("GeoGebra", 1)]
    r = client.post(
        reverse("devices:licence_edit", args=[lic.public_id]), {"name": "GeoGebra", "seats": "0"}
    )
    assert "seats" in r.context["form"].errors
    seat = LicenceSeat.objects.get()
    client.post(reverse("devices:seat_remove", args=[seat.public_id]))
    assert not LicenceSeat.objects.exists()
    assert AuditEntry.objects.filter(action="licence.seat_release").exists()


def test_county_wide_licence(world: Any) -> None:
    lic = _licence(world, None, name="Adobe Express", seats=100)
    # school staff of the county see it read-only; another county does not
    r = world.client("elem_admin").get(reverse("devices:licence_detail", args=[lic.public_id]))
    assert r.status_code == 200 and r.context["may_manage"] is False
    assert (
        world.client("elem_admin")
        .post(reverse("devices:licence_edit", args=[lic.public_id]), {"name": "X", "seats": 1})
        .status_code
        == 403
    )
    assert (
        world.client("b_admin")
        .get(reverse("devices:licence_detail", args=[lic.public_id]))
        .status_code
        == 404
    )
    r = world.client("a_admin").post(
        reverse("devices:licence_edit", args=[lic.public_id]),
        {"name": "Adobe Express", "seats": "120"},
    )
    assert r.status_code == 302
    lic.refresh_from_db()
    assert lic.seats == 120


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("elem_admin", 200, 302),
        ("a_admin", 200, 302),
        ("elem_teacher", 200, 403),
        ("junior_admin", 404, 404),
        ("b_admin", 404, 404),
        ("elem_student", 403, 403),
        ("elem_parent", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_licence_tenancy(world: Any, who: str, read: int, write: int) -> None:
    lic = _licence(world, seats=3, licence_key="KEY-123")
    make_device(world, asset_tag="TEN-1")
    seat = svc.seat_assign(licence=lic, person=world.people["elem_teacher"])
    client = world.client(who)
    r = client.get(reverse("devices:licence_detail", args=[lic.public_id]))
    assert r.status_code == read
    if read == 200:
        assert (b"KEY-123" in r.content) == (write == 302)
    assert (
        client.post(
            reverse("devices:licence_edit", args=[lic.public_id]), {"name": "Hacked", "seats": "9"}
        ).status_code
        == write
    )
    assert (
        client.post(
            reverse("devices:licence_seat_add", args=[lic.public_id]), {"device": "TEN-1"}
        ).status_code
        == write
    )
    assert client.post(reverse("devices:seat_remove", args=[seat.public_id])).status_code == write
    if write != 302:
        lic.refresh_from_db()
        assert lic.name == "Office 365" and LicenceSeat.objects.filter(licence=lic).count() == 1
    list_code = 200 if read == 200 or who in ("junior_admin", "b_admin") else 403
    r = client.get(reverse("devices:licence_list"))
    assert r.status_code == list_code
    if list_code == 200 and read == 404:
        assert list(r.context["page"].object_list) == []
    create = client.get(reverse("devices:licence_create"))
    assert create.status_code == (
        200 if write == 302 or who in ("junior_admin", "b_admin") else 403
    )
