"""Writes of the register pages beyond `services.py`: registering a family-owned device (BYOD).

Keyword-only, atomic, validating before saving (DESIGN.md rule 2).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.devices import services
from dtss.devices.models import Device
from dtss.orgs.models import Membership, Role


@transaction.atomic
def byod_register(
    *,
    school: Any,
    student: Any,
    actor: Any = None,
    request: Any = None,
    **values: Any,
) -> Device:
    """Register a device the student's family owns: it belongs to the school's register (so
    that it can be supported and counted), is owned by and held by the student, and is
    `assigned`. No assignment row is opened: the family, not the school, lends it."""
    if not Membership.objects.filter(person=student, school=school, role=Role.STUDENT).exists():
        raise ValidationError({"student": _("This person is not a student of the school.")})
    device = services.device_create(
        county=school.county, school=school, actor=actor, request=request, **values
    )
    device.byod = True
    device.owner = student
    device.save(update_fields=["byod", "owner", "updated_at"])
    services.holder_set(device=device, person=student, status=Device.Status.ASSIGNED)
    audit_record(
        actor=actor,
        action="device.byod",
        obj=device,
        request=request,
        detail={"student": str(student.public_id)},
    )
    return device
