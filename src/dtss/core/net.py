"""The client's address, for the audit log and the login lockout."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR, or behind a trusted reverse proxy (DTSS_BEHIND_PROXY) the address the
    proxy appended last to X-Forwarded-For — the only entry a client cannot forge."""
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
