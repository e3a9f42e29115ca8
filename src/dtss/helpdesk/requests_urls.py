"""URLs of the helpdesk: requests (filled in by its part)."""

from __future__ import annotations

urlpatterns: list = []
