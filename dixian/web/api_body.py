"""Reading a JSON body after the access checks (the API routers' shared helper)."""

from __future__ import annotations

import json

import pydantic
from ninja import Schema
from ninja.errors import HttpError


def read_body(request, schema: type[Schema], what: str, *, files: bool = False):
    """The JSON body, read only after permission and scope have been checked: someone
    outside the region learns nothing from the validation of what they sent (ninja would
    validate a body parameter before the view runs). With ``files``, a ``multipart/form-data``
    request (a body with files) may carry the same JSON in its form field ``data``."""
    try:
        if files and is_multipart(request):
            return schema.model_validate(json.loads(request.POST.get("data") or "null") or {})
        return schema.model_validate(json.loads(request.body or b"null") or {})
    except (ValueError, pydantic.ValidationError) as exc:
        raise HttpError(400, f"send {what} as JSON: {exc}") from None


def is_multipart(request) -> bool:
    return (request.content_type or "").startswith("multipart/form-data")


def documented(schema: type[Schema], *, files: str = "") -> dict:
    """``openapi_extra`` that documents the body the view reads itself; with ``files`` (what
    the multipart file fields are), also as ``multipart/form-data``: the JSON in the field
    ``data`` and the files beside it."""
    content = {"application/json": {"schema": schema.model_json_schema()}}
    if files:
        content["multipart/form-data"] = {"schema": {
            "type": "object", "required": ["data"], "description": files,
            "properties": {"data": {"type": "string", "description": "the JSON body"},
                           "files": {"type": "array",
                                     "items": {"type": "string", "format": "binary"}}},
            "additionalProperties": {"type": "string", "format": "binary"}}}
    return {"requestBody": {"content": content, "required": True}}
