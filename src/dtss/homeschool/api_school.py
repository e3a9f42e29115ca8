"""API of the homeschool: school."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["homeschool"])
