"""Helpers for the devices tests, on top of the shared `world` fixture (dtss/conftest.py)."""

from __future__ import annotations

from itertools import count
from typing import Any

from dtss.devices import services
from dtss.devices.models import Device

_tags = count(1)


def make_device(world: Any, school_key: str | None = "A-elem", **values: Any) -> Device:
    """A tablet of a school of the world (or of county A's stock when school_key is None)."""
    school = world.schools[school_key] if school_key else None
    county = school.county if school else world.counties["A"]
    n = next(_tags)
    values.setdefault("kind", "tablet")
    values.setdefault("asset_tag", f"T-{n:05d}")
    values.setdefault("serial", f"SN{n:08d}")
    values.setdefault("model_name", "iPad 10")
    return services.device_create(county=county, school=school, **values)
