"""Org tree and people API. (Filled out by the API work; every query starts from visible_to.)"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["organisations"])
