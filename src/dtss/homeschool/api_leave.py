"""API of the homeschool: leave."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["homeschool"])
