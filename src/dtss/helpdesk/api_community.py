"""API of the helpdesk: community."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["helpdesk"])
