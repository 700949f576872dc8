"""Hostile and broken media for the fuzz tests, built from benign scikit-image photos.

Seeds are small, valid images in every accepted format; the fuzz strategies cut, flip and splice
them, wrap them in other formats (polyglots) and give them odd EXIF blocks.
"""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

from PIL import Image

from tests.fixtures import images

EXIF_ORIENTATION = 0x0112
EXIF_DESCRIPTION = 0x010E
SEED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")


@cache
def small_photo() -> Image.Image:
    return images.load("astronaut").resize((48, 40))


@cache
def seed(fmt: str) -> bytes:
    out = io.BytesIO()
    small_photo().save(out, format=fmt)
    return out.getvalue()


def with_exif(orientation: object, description: str = "", fmt: str = "JPEG") -> bytes:
    """A valid picture whose EXIF holds any orientation value (0, 9, 65535, text) and text."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    if description:
        exif[EXIF_DESCRIPTION] = description
    out = io.BytesIO()
    small_photo().save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_raw_app1(payload: bytes) -> bytes:
    """A JPEG whose APP1 (EXIF) segment holds `payload` as is: truncated or lying IFDs."""
    jpeg = seed("JPEG")
    body = b"Exif\x00\x00" + payload[:65_000]
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + segment + jpeg[2:]


def zip_bytes(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def polyglots() -> dict[str, bytes]:
    """Files that are two things at once; each must be hashed as an image or refused cleanly."""
    jpeg, png = seed("JPEG"), seed("PNG")
    html = b"<html><script>alert(1)</script></html>"
    return {
        "jpeg then zip": jpeg + zip_bytes("x.html", html),
        "zip then jpeg": zip_bytes("a.txt", b"a") + jpeg,
        "zip holding a jpeg": zip_bytes("a.jpg", jpeg),
        "html then png": html + png,
        "png then html": png + html,
        "gif header then html": b"GIF89a" + html,
        "pdf header then jpeg": b"%PDF-1.7\n" + jpeg,
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "html in exif": with_exif(1, "<html><script>alert(1)</script></html>"),
        "exif lying about its IFD offset": jpeg_with_raw_app1(b"MM\x00\x2a\xff\xff\xff\xf0"),
        "exif with 65535 entries": jpeg_with_raw_app1(b"II\x2a\x00\x08\x00\x00\x00\xff\xff"),
        "huge exif": jpeg_with_raw_app1(b"II\x2a\x00\x08\x00\x00\x00" + b"\x00" * 64_000),
        "png claiming 100000x100000": images.png_claiming_size(100_000, 100_000),
        "png claiming 65535x1": images.png_claiming_size(65_535, 1),
        "gif claiming 65535x65535": images.gif_claiming_size(65_535, 65_535),
    }
