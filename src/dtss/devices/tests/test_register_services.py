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


def test_a_reserved_device_cannot_be_moved_or_retired(world: Any) -> None:
    from datetime import date, timedelta

    from dtss.devices import loan_services

    d = make_device(world)
    loan_services.loan_create(
        device=d,
        student=world.people["elem_student"],
        due_on=date.today() + timedelta(days=90),
        actor=world.users["elem_admin"],
    )
    d.refresh_from_db()
    assert d.holder_id is None  # waiting for the agreement: reserved, not yet lent
    with pytest.raises(ValidationError):
        services.device_transfer(device=d, school=world.schools["A-junior"])
    with pytest.raises(ValidationError):
        services.device_set_status(device=d, status="retired")


def test_the_moe_viewer_reads_no_support_record(world: Any) -> None:
    from dtss.devices import equity_services
    from dtss.devices.models import StudentSupport

    equity_services.support_set(
        student=world.people["elem_student"], low_income=True, actor=world.users["elem_admin"]
    )
    assert StudentSupport.objects.visible_to(world.users["elem_admin"]).count() == 1
    assert StudentSupport.objects.visible_to(world.users["moe"]).count() == 0
    assert Device.objects.visible_to(world.users["moe"]).count() == 0  # nothing, but may read
    make_device(world)
    assert Device.objects.visible_to(world.users["moe"]).count() == 1
