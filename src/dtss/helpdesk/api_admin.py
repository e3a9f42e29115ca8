"""API of the helpdesk: admin."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["helpdesk"])
