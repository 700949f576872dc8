"""What the victim page may send: hashes and a few words, checked before anything else runs.

The page posts JSON; this module is the only reading of it. Unknown fields are refused (there is
no field an image could travel in), every hash must be a signal type of its content type, and the
body is capped at a few kilobytes, so the server cannot be handed pixels by this route even by a
modified page. A PDQ hash whose reported quality is under the signal type's floor is dropped and
the picture kept with its exact digests: the matching policy says such a hash is not matched.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from haechi.domain.errors import InvalidInput, MediaTooLarge
from haechi.domain.reports import MAX_ITEMS, MAX_SHORT, MAX_URL
from haechi.domain.signals import SignalRegistry
from haechi.http.ui.victim_text import LANGUAGES, TEXT
from haechi.services.intake import ItemInput, ReportInput

#: a full report of MAX_ITEMS pictures is about 5 KB
MAX_BODY_BYTES = 32 * 1024

Hex = Annotated[str, Field(min_length=1, max_length=128)]


class PictureHashes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["photo", "video"]
    signals: dict[Literal["pdq", "md5", "sha256"], Hex] = Field(min_length=1)
    quality: dict[Literal["pdq"], Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=dict)


class VictimReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Literal["ko", "en"] = "ko"
    items: list[PictureHashes] = Field(min_length=1, max_length=MAX_ITEMS)
    platform: Annotated[str, Field(max_length=MAX_SHORT)] | None = None
    location: Annotated[str, Field(max_length=MAX_URL)] | None = None
    confirm: Literal[True]


async def read_report(request: Request) -> VictimReport:
    """The request's JSON body as a `VictimReport`, refusing other media types and large bodies."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        # also keeps other sites' pages out: a cross-site JSON POST needs a CORS preflight
        raise InvalidInput("send the report as application/json")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise MediaTooLarge("a report holds hashes only; this body is far too large")
    try:
        return VictimReport.model_validate_json(bytes(body))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid')}") from None


def to_report_input(report: VictimReport, registry: SignalRegistry) -> ReportInput:
    """The intake service's input: one hash item per picture, from a victim, over the web."""
    items = [ItemInput(kind="hash", signals=_signals(p, registry)) for p in report.items]
    fields = {
        "reporter_kind": "victim",
        "channel": "web",
        "explanation": TEXT[report.lang if report.lang in LANGUAGES else "ko"]["explanation"],
        "good_faith": report.confirm,
        "platform": report.platform,
        "room": report.location,
    }
    return ReportInput(fields=fields, items=items)


def _signals(picture: PictureHashes, registry: SignalRegistry) -> dict[str, str]:
    allowed = registry.hashers_for(picture.content_type)
    signals: dict[str, str] = {}
    for name, value in picture.signals.items():
        if name not in allowed:
            raise InvalidInput(f"a {picture.content_type} has no '{name}' hash here")
        floor = allowed[name].min_quality
        quality = picture.quality.get("pdq") if name == "pdq" else None
        if floor is not None and (quality is None or quality < floor):
            continue  # reported, not silently matched: keep the exact digests only
        signals[name] = value
    if not signals:
        raise InvalidInput("each picture needs an md5 or sha256 hash, or a good-quality PDQ hash")
    return signals


__all__ = ["MAX_BODY_BYTES", "PictureHashes", "VictimReport", "read_report", "to_report_input"]
