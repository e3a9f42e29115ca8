"""The register's core services: create, edit, status, transfer, history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dtss.devices import services
from dtss.devices.models import Device, DeviceEvent
from dtss.devices.tests.factories import make_device


def test_create_records_history_and_refuses_duplicates(world: Any) -> None:
    d = make_device(world, asset_tag="NT-001", serial="ABC")
    assert list(d.events.values_list("kind", flat=True)) == [DeviceEvent.Kind.CREATED]
    with pytest.raises(ValidationError) as err:
        make_device(world, "A-junior", asset_tag="NT-001", serial="XYZ")
    assert "asset_tag" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        make_device(world, "A-junior", serial="ABC")
    assert "serial" in err.value.message_dict
    # another county may use the same tag and serial
    make_device(world, "B-elem", asset_tag="NT-001", serial="ABC")
    assert Device.objects.count() == 2


def test_school_of_another_county_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        services.device_create(
            county=world.counties["A"], school=world.schools["B-elem"], kind="tablet", asset_tag="X"
        )
    assert "school" in err.value.message_dict
    assert not Device.objects.exists()


def test_update_records_changed_fields(world: Any) -> None:
    d = make_device(world, location="電腦教室")
    services.device_update(device=d, location="圖書館", serial=d.serial)
    event = d.events.first()
    assert event.kind == DeviceEvent.Kind.UPDATED
    assert event.detail["changed"] == {"location": ["電腦教室", "圖書館"]}
    with pytest.raises(ValidationError) as err:
        services.device_update(device=d, status="lost")
    assert "status" in err.value.message_dict


def test_status_changes(world: Any) -> None:
    d = make_device(world)
    services.device_set_status(device=d, status="in_repair", note="螢幕破裂")
    d.refresh_from_db()
    assert d.status == "in_repair"
    services.device_set_status(device=d, status="in_stock")
    d.refresh_from_db()
    assert d.status == "in_stock"
    with pytest.raises(ValidationError):
        services.device_set_status(device=d, status="in_stock")
    with pytest.raises(ValidationError):
        services.device_set_status(device=d, status="on_loan")
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds == ["repair_back", "repair_out", "created"]


def test_transfer(world: Any) -> None:
    d = make_device(world, location="301")
    services.device_transfer(device=d, school=world.schools["A-junior"])
    d.refresh_from_db()
    assert d.school == world.schools["A-junior"] and d.location == ""
    with pytest.raises(ValidationError):
        services.device_transfer(device=d, school=world.schools["B-elem"])
