"""API of the devices module: imports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["devices"])
