"""API of the helpdesk: kb."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["helpdesk"])
