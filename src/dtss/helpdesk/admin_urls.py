"""URLs of the helpdesk: admin (filled in by its part)."""

from __future__ import annotations

urlpatterns: list = []
