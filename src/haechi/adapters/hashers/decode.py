"""Safe image decoding: every image haechi hashes enters through here.

Uploads are untrusted. Before any pixel is decoded this module checks the byte count and the size
the header declares, so a decompression bomb is refused without allocating its pixels; it accepts
only a short list of formats; and it maps every way Pillow fails on bad input to `UnsupportedMedia`
or `MediaTooLarge`. Pillow's own bomb guard never reaches callers: its `DecompressionBombError`
becomes `MediaTooLarge`, and its warnings about files (bomb, corrupt metadata), raised while
headers and metadata are parsed, are swallowed because our limits decide. Images come out the way
a viewer shows them: first frame of an animation, EXIF orientation applied.

`decode_luma_blocks` is the fast lane for perceptual hashing: it returns luma averaged over square
blocks, letting libjpeg decode JPEGs at 1/2, 1/4 or 1/8 scale (DCT scaling) instead of at full size.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from haechi.domain.errors import HaechiError, MediaTooLarge, UnsupportedMedia

#: formats worth the attack surface: what phones, browsers and messengers send (MPO comes as JPEG)
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")

_EXIF_ORIENTATION = 0x0112
#: EXIF orientation -> the transpose that shows the stored pixels upright (as ImageOps does)
_TRANSPOSES: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
#: the same transposes for arrays: (swap axes, then reverse rows, reverse columns)
_ARRAY_STEPS: dict[int, tuple[bool, bool, bool]] = {
    1: (False, False, False),
    2: (False, False, True),
    3: (False, True, True),
    4: (False, True, False),
    5: (True, False, False),
    6: (True, False, True),
    7: (True, True, True),
    8: (True, True, False),
}
_DRAFTABLE = frozenset({"JPEG", "MPO"})
_PASSTHROUGH_WARNINGS = (DeprecationWarning, PendingDeprecationWarning)
#: `warnings.catch_warnings` swaps process-global state (until Python 3.14), so it is serialised
_WARNINGS_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Largest input accepted: encoded size in bytes and decoded size in pixels.

    Pillow refuses anything over 2 x `PIL.Image.MAX_IMAGE_PIXELS` (about 179 megapixels) by itself,
    so `max_pixels` above that has no effect.
    """

    max_bytes: int = 50_000_000
    max_pixels: int = 50_000_000

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("decode limits must be positive")


DEFAULT_LIMITS = DecodeLimits()


@dataclass(frozen=True, slots=True)
class BlockAxis:
    """How one axis of a block-averaged image maps onto the full-resolution image."""

    #: full-resolution pixels along this axis
    length: int
    #: each sample is the mean of `scale` full-resolution pixels (the last block may be partial)
    scale: int
    #: blocks are counted from the far end, so the partial block (if any) comes first
    reversed: bool = False

    def edges(self) -> npt.NDArray[np.int64]:
        """Block boundaries in full-resolution coordinates: len(samples) + 1 increasing values."""
        edges = np.minimum(np.arange(0, self.length + self.scale, self.scale), self.length)
        edges = np.unique(edges)
        return (self.length - edges[::-1]) if self.reversed else edges


@dataclass(frozen=True, slots=True)
class LumaBlocks:
    """Luma (0-255, float32) averaged over blocks, upright, with how the blocks map to pixels."""

    pixels: npt.NDArray[np.float32]
    rows: BlockAxis
    cols: BlockAxis


def decode_image(
    data: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS, mode: str = "RGB"
) -> Image.Image:
    """Decode the first frame at full size, upright, converted to `mode`."""
    with _opened(data, limits) as image, _errors_mapped():
        image.load()
        step = _TRANSPOSES[_orientation(image)]
        upright = image if step is None else image.transpose(step)
        return _convert(upright, mode)


def decode_luma_blocks(
    data: bytes, *, limits: DecodeLimits = DEFAULT_LIMITS, min_side: int = 384
) -> LumaBlocks:
    """Luma averaged over sxs blocks, s the largest of 8, 4, 2, 1 keeping both sides >= `min_side`.

    JPEGs are decoded straight at the reduced scale (DCT scaling); other formats are decoded in
    full and then block-averaged. Either way each sample approximates its block's mean luma.
    """
    with _opened(data, limits) as image, _errors_mapped():
        width, height = image.size
        scale = _block_scale(width, height, min_side)
        decoded_scale = 1
        if image.format in _DRAFTABLE and scale > 1:
            drafted = image.draft("L", (width // scale, height // scale))
            if drafted is not None:
                decoded_scale = round(width / drafted[1][2])
        image.load()
        orientation = _orientation(image)
        luma = _convert(image, "L")
        if scale > decoded_scale:
            luma = luma.reduce(scale // decoded_scale)
        pixels = np.asarray(luma, dtype=np.float32)
    rows = BlockAxis(length=height, scale=scale)
    cols = BlockAxis(length=width, scale=scale)
    return _upright(pixels, rows, cols, orientation)


def _block_scale(width: int, height: int, min_side: int) -> int:
    shortest = min(width, height)
    return next((s for s in (8, 4, 2) if shortest // s >= min_side), 1)


def _orientation(image: Image.Image) -> int:
    with _quiet():
        try:
            value = image.getexif().get(_EXIF_ORIENTATION, 1)
        except Exception:  # a corrupt EXIF block must not make the image unhashable
            return 1
    return value if isinstance(value, int) and value in _TRANSPOSES else 1


def _upright(
    pixels: npt.NDArray[np.float32], rows: BlockAxis, cols: BlockAxis, orientation: int
) -> LumaBlocks:
    swap, reverse_rows, reverse_cols = _ARRAY_STEPS[orientation]
    if swap:
        pixels, rows, cols = pixels.T, cols, rows
    if reverse_rows:
        pixels = pixels[::-1, :]
        rows = BlockAxis(rows.length, rows.scale, reversed=True)
    if reverse_cols:
        pixels = pixels[:, ::-1]
        cols = BlockAxis(cols.length, cols.scale, reversed=True)
    return LumaBlocks(pixels=np.ascontiguousarray(pixels), rows=rows, cols=cols)


def _convert(image: Image.Image, mode: str) -> Image.Image:
    if image.mode == mode:
        return image
    if image.mode == "P" and "transparency" in image.info:
        # Pillow warns when converting palette transparency straight to RGB/L; via RGBA it does
        # not, and dropping alpha afterwards gives the same colours.
        image = image.convert("RGBA")
    if mode == "L" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "RGBX"):
        # CMYK, I;16, F ... are reduced to RGB first, as the PDQ reference does
        image = image.convert("RGB")
    return image.convert(mode)


@contextmanager
def _opened(data: bytes, limits: DecodeLimits) -> Iterator[Image.Image]:
    """Open `data` (header only) and enforce the limits before any pixel is decoded."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnsupportedMedia("image data must be bytes")
    if len(data) == 0:
        raise UnsupportedMedia("empty file: no image data")
    if len(data) > limits.max_bytes:
        raise MediaTooLarge(f"file is {len(data)} bytes; the limit is {limits.max_bytes}")
    with _errors_mapped(), _quiet():
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    with image:
        width, height = image.size
        if width <= 0 or height <= 0:
            raise UnsupportedMedia("image declares an empty size")
        if width * height > limits.max_pixels:
            raise MediaTooLarge(
                f"image is {width}x{height} pixels; the limit is {limits.max_pixels} pixels"
            )
        yield image


@contextmanager
def _errors_mapped() -> Iterator[None]:
    """Turn whatever Pillow raises on hostile or broken input into haechi's errors."""
    try:
        yield
    except HaechiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaTooLarge(f"image is too large to decode safely: {exc}") from None
    except UnidentifiedImageError:
        supported = ", ".join(ALLOWED_FORMATS)
        raise UnsupportedMedia(f"not a supported image (supported: {supported})") from None
    except MemoryError:
        raise MediaTooLarge("image is too large to decode in memory") from None
    except Exception as exc:  # Pillow raises many types on corrupt input; all mean the same here
        raise UnsupportedMedia(f"image is corrupt or truncated ({type(exc).__name__})") from None


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep Pillow's warnings about untrusted files (bomb, corrupt metadata) from reaching callers.

    They concern the file, and our own limits already decide what is too large, so they are
    dropped; deprecation warnings concern our code and are re-issued. Used around parsing headers
    and metadata, where Pillow warns; pixel decoding runs outside it, in parallel.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for entry in caught:
        if issubclass(entry.category, _PASSTHROUGH_WARNINGS):
            warnings.warn_explicit(entry.message, entry.category, entry.filename, entry.lineno)
