"""List paging for every list endpoint: ``limit``/``offset`` with a total ``count``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_type_hints

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

MAX_LIMIT = 500
ITEMS = "The items of this page."
COUNT = "How many items match in total (over all pages)."


def _describe(schema: dict[str, Any]) -> None:
    properties = schema.get("properties", {})
    properties.get("items", {}).setdefault("description", ITEMS)
    properties.get("count", {}).setdefault("description", COUNT)


class Paged(LimitOffsetPagination):
    """``?limit=50&offset=0``; the response is ``{"items": [...], "count": <total>}``."""

    class Input(Schema):
        limit: int = Field(
            settings.PAGE_SIZE,
            ge=1,
            le=MAX_LIMIT,
            description=f"How many items to return (at most {MAX_LIMIT}).",
        )
        offset: int = Field(0, ge=0, description="How many items to skip.")

    class Output(Schema):
        # ninja re-declares `items` with the item schema for each list, which drops the
        # field's description; the page's JSON schema gets both descriptions back here.
        model_config = ConfigDict(json_schema_extra=lambda schema, _cls: _describe(schema))

        items: list[Any] = Field(description=ITEMS)
        count: int = Field(description=COUNT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def paged[F: Callable[..., Any]](func: F) -> F:
    """``@paginate(Paged)`` for a view of a module using ``from __future__ import annotations``.

    ninja reads the view's signature through the pagination wrapper, whose globals are
    ninja's, so string annotations (``UUID``, filter schemas) could not be resolved there. The
    view's annotations are resolved here, in its own module, first.
    """
    func.__annotations__ = get_type_hints(func, include_extras=True)
    return paginate(Paged)(func)
