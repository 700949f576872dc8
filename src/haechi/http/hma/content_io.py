"""Reading and writing bank-content JSON the way HMA does (metadata, note, include_* flags)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from haechi.domain.banks import BankContent
from haechi.domain.errors import InvalidInput
from haechi.http.deps import form_text


class ContentMetadata(BaseModel):
    """HMA's BankedContentMetadata: user-supplied, all optional, nothing else accepted."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    content_id: str | None = None
    content_uri: str | None = None
    json_data: dict[str, Any] | None = Field(None, alias="json")


def parse_metadata(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput("metadata should be a json object")
    raw = {k: v for k, v in raw.items() if k != "collab"}
    try:
        model = ContentMetadata(**raw)
    except ValidationError as e:
        raise InvalidInput(f"Invalid metadata: {e}") from None
    dumped = model.model_dump(by_alias=True, exclude_none=True)
    return dumped or None


async def request_metadata_and_note(request: Request) -> tuple[dict[str, Any] | None, Any]:
    """Metadata and note come from a JSON body, or from form fields of a multipart upload."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            raise InvalidInput("request body is not valid JSON") from None
        if not isinstance(data, dict):
            return None, None
        return parse_metadata(data.get("metadata")), data.get("note")
    if ctype.startswith("multipart/form-data"):
        try:
            return await _form_metadata_and_note(request)
        except InvalidInput:
            await (await request.form()).close()  # the upload will not be read: release it
            raise
    return None, None


async def _form_metadata_and_note(request: Request) -> tuple[dict[str, Any] | None, Any]:
    text = await form_text(request, "metadata")
    raw: Any = None
    if text is not None:
        try:
            raw = json.loads(text)
        except ValueError:
            raise InvalidInput("metadata form field must be valid JSON") from None
    return parse_metadata(raw), await form_text(request, "note")


def content_json(
    content: BankContent, bank: dict[str, Any], *, signals: bool, metadata: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": content.id,
        "disable_until_ts": content.disable_until_ts,
        "original_media_uri": content.original_media_uri,
        "bank": bank,
    }
    if signals:
        out["signals"] = dict(content.signals)
    if metadata and content.metadata:
        meta = dict(content.metadata)
        out["metadata"] = {
            "content_id": meta.get("content_id"),
            "content_uri": meta.get("content_uri"),
            "json": meta.get("json"),
            "collab": None,
        }
    if content.note is not None:
        out["note"] = content.note
    return out
