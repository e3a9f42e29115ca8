"""URLs of the helpdesk: kb (filled in by its part)."""

from __future__ import annotations

urlpatterns: list = []
