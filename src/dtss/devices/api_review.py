"""API of the devices module: review."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["devices"])
