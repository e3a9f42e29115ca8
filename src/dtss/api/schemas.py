"""Schemas shared by every router: error bodies and small references to other objects."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class Message(Schema):
    """The body of 401, 403 and 404 responses."""

    detail: str = Field(description="What went wrong, in words.")


class FieldError(Schema):
    field: str | None = Field(
        description="The field the message is about (a body, query or path parameter name, "
        "dotted for nested fields); null when the error concerns the whole request."
    )
    message: str = Field(description="What is wrong with the field.")
    location: str | None = Field(
        None, description="Where the field was sent: body, query or path (null if unknown)."
    )


class ValidationErrorOut(Schema):
    """The body of 422 responses: every failing field, at once. Nothing was changed."""

    detail: list[FieldError] = Field(description="One entry per problem.")


ERROR_SCHEMAS: dict[int, type[Schema]] = {
    401: Message,
    403: Message,
    404: Message,
    409: ValidationErrorOut,
    422: ValidationErrorOut,
}


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The response map of an operation: its success schema(s), 401 always, and the given
    error codes (403, 404, 422 …) with the shared error schemas."""
    out: dict[int, Any] = dict(ok)
    for code in (401, *errors):
        out[code] = ERROR_SCHEMAS[code]
    return out
