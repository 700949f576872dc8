"""Traces of AI image generators left in ordinary metadata: EXIF Software, XMP CreatorTool and
DigitalSourceType, PNG text chunks (Stable Diffusion web UIs write their `parameters`, ComfyUI its
`prompt` and `workflow`), JPEG comments.

These are *traces*, not proof. Messaging apps strip metadata, anyone can delete or write it, and a
tool name says which program last saved the file, not that a person in it was synthesised. A trace
is worth a reviewer's attention; its absence says nothing. Only headers are read: no pixel is
decoded here.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

__all__ = ["Trace", "find_traces"]

#: generator names matched case-insensitively inside metadata values (never inside pixels)
GENERATORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Stable Diffusion", re.compile(r"stable[\s_-]?diffusion|\bsdxl\b|automatic1111", re.I)),
    ("ComfyUI", re.compile(r"comfy\s?ui", re.I)),
    ("Midjourney", re.compile(r"midjourney", re.I)),
    ("DALL-E", re.compile(r"dall[\s·.-]?e", re.I)),
    ("Adobe Firefly", re.compile(r"firefly", re.I)),
    ("Imagen / Gemini", re.compile(r"\bimagen\b|gemini", re.I)),
    ("NovelAI", re.compile(r"novel\s?ai", re.I)),
    ("InvokeAI", re.compile(r"invoke\s?ai", re.I)),
    ("Fooocus", re.compile(r"fooocus", re.I)),
    ("FLUX", re.compile(r"\bflux\.1\b|black forest labs", re.I)),
    ("face swap tool", re.compile(r"faceswap|deepfacelab|roop|facefusion|inswapper", re.I)),
    ('"AI generated" label', re.compile(r"\bai[\s-]generated\b|generated (?:by|with) ai", re.I)),
)
#: IPTC digital source types that declare AI generation (also used in C2PA actions)
AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")
#: PNG text keys that image generators write (their presence alone is a trace)
GENERATOR_PNG_KEYS = frozenset(
    {"parameters", "prompt", "workflow", "sd-metadata", "invokeai_metadata"}
)
_EXIF_SOFTWARE = 0x0131
_EXIF_ARTIST = 0x013B
_EXIF_DESCRIPTION = 0x010E
_MAX_FIELD = 4096


@dataclass(frozen=True, slots=True)
class Trace:
    #: where it was found, e.g. "exif:Software", "png:parameters", "xmp:CreatorTool"
    source: str
    #: what it names, e.g. "Stable Diffusion", or "IPTC trainedAlgorithmicMedia"
    names: tuple[str, ...]
    #: the start of the value (a prompt can be long; kept short for the review page)
    excerpt: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)[:_MAX_FIELD]


def _names(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in GENERATORS if pattern.search(text))


def _fields(image: Image.Image) -> list[tuple[str, str]]:
    """(field, text) pairs worth reading, from the header only."""
    out: list[tuple[str, str]] = []
    exif = image.getexif()
    for tag, label in (
        (_EXIF_SOFTWARE, "Software"),
        (_EXIF_ARTIST, "Artist"),
        (_EXIF_DESCRIPTION, "ImageDescription"),
    ):
        if tag in exif:
            out.append((f"exif:{label}", _text(exif[tag])))
    for key, value in image.info.items():
        if key in {"xmp", "XML:com.adobe.xmp"}:
            out.append(("xmp", _text(value)))
        elif key == "comment":
            out.append(("comment", _text(value)))
        elif isinstance(value, str | bytes) and image.format == "PNG":
            out.append((f"png:{key}", _text(value)))
    return out


def _xmp_traces(text: str) -> list[Trace]:
    found: list[Trace] = []
    tool = re.search(r"CreatorTool(?:=\"|>)([^\"<]{1,200})", text)
    if tool and _names(tool.group(1)):
        found.append(Trace("xmp:CreatorTool", _names(tool.group(1)), tool.group(1)[:120]))
    for source_type in AI_SOURCE_TYPES:
        if re.search(
            rf"DigitalSourceType[^<>]{{0,200}}{source_type}|digitalsourcetype/{source_type}",
            text,
            re.I,
        ):
            found.append(Trace("xmp:DigitalSourceType", (f"IPTC {source_type}",), source_type))
    return found


def find_traces(data: bytes) -> list[Trace]:
    """Generator traces in the file's metadata; [] when there are none or it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                fields = _fields(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return []
    traces: list[Trace] = []
    for name, text in fields:
        if name == "xmp":
            traces.extend(_xmp_traces(text))
            continue
        names = _names(text)
        key = name.removeprefix("png:")
        if name.startswith("png:") and key.lower() in GENERATOR_PNG_KEYS and not names:
            names = (f"generator settings in PNG '{key}' chunk",)
        if names:
            traces.append(Trace(name, names, text[:120]))
    return traces
