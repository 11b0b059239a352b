"""Reading a JSON body after the access checks (the API routers' shared helper)."""

from __future__ import annotations

import json

import pydantic
from ninja import Schema
from ninja.errors import HttpError


def read_body(request, schema: type[Schema], what: str):
    """The JSON body, read only after permission and scope have been checked: someone
    outside the region learns nothing from the validation of what they sent (ninja would
    validate a body parameter before the view runs)."""
    try:
        return schema.model_validate(json.loads(request.body or b"null") or {})
    except (ValueError, pydantic.ValidationError) as exc:
        raise HttpError(400, f"send {what} as JSON: {exc}") from None


def documented(schema: type[Schema]) -> dict:
    """``openapi_extra`` that documents the body the view reads itself."""
    return {"requestBody": {"content": {"application/json": {
        "schema": schema.model_json_schema()}}, "required": True}}
