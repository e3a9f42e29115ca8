"""URLs of the helpdesk: community (filled in by its part)."""

from __future__ import annotations

urlpatterns: list = []
