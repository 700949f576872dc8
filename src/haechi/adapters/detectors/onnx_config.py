"""The operator's description of an ONNX image model: where it is and how it wants its input.

A JSON file (see docs/detectors.md for the full contract), e.g.::

    {"name": "faceswap_xception", "signal": "face_swap", "model_path": "models/fs.onnx",
     "input_size": [299, 299], "resize": "stretch", "color_order": "RGB", "layout": "NCHW",
     "scale": 0.00392156862745098, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
     "output_index": 0, "label_index": 1, "activation": "softmax"}

Every field is checked when the file is read, so a wrong config stops start-up with a message that
names the field instead of producing quietly wrong scores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "OnnxModelConfig", "load_config", "parse_config"]

_NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")
_CHOICES = {
    "resize": ("stretch", "center_crop"),
    "color_order": ("RGB", "BGR"),
    "layout": ("NCHW", "NHWC"),
    "activation": ("none", "sigmoid", "softmax"),
}
_KNOWN = frozenset(
    {
        "name",
        "signal",
        "version",
        "model_path",
        "input_size",
        "scale",
        "mean",
        "std",
        "output_index",
        "label_index",
        "input_kinds",
        "batch",
        "description",
        *_CHOICES,
    }
)


class ConfigError(ValueError):
    """The model description is wrong; the message names the field."""


@dataclass(frozen=True, slots=True)
class OnnxModelConfig:
    name: str
    signal: str
    model_path: Path
    #: (width, height) the model takes
    input_size: tuple[int, int]
    resize: str = "stretch"
    color_order: str = "RGB"
    layout: str = "NCHW"
    #: pixels (0-255) are multiplied by `scale`, then `(x - mean) / std` per channel
    scale: float = 1 / 255
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    output_index: int = 0
    label_index: int = 0
    activation: str = "none"
    version: str = ""
    #: "photo", and "video_frames" to score videos through their sampled frames
    input_kinds: frozenset[str] = frozenset({"photo", "video_frames"})
    #: the model takes several images per call (a dynamic or >1 batch dimension)
    batch: bool = True
    description: str = ""


def _triple(
    raw: dict[str, Any], key: str, default: tuple[float, float, float]
) -> tuple[float, float, float]:
    value = raw.get(key, list(default))
    if not (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) for v in value)
    ):
        raise ConfigError(f"{key}: three numbers, one per channel in the model's colour order")
    if key == "std" and any(v == 0 for v in value):
        raise ConfigError("std: no channel may be 0")
    return (float(value[0]), float(value[1]), float(value[2]))


def _choice(raw: dict[str, Any], key: str, default: str) -> str:
    value = str(raw.get(key, default))
    if value not in _CHOICES[key]:
        raise ConfigError(f"{key}: one of {list(_CHOICES[key])}, not {value!r}")
    return value


def _size(raw: dict[str, Any]) -> tuple[int, int]:
    size = raw.get("input_size")
    if not (
        isinstance(size, list)
        and len(size) == 2
        and all(isinstance(v, int) and 1 <= v <= 4096 for v in size)
    ):
        raise ConfigError("input_size: [width, height] in pixels, 1 to 4096")
    return (size[0], size[1])


def _index(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{key}: a whole number ≥ 0")
    return value


def _names(raw: dict[str, Any]) -> tuple[str, str]:
    name = str(raw.get("name", ""))
    signal = str(raw.get("signal", name))
    for key, value in (("name", name), ("signal", signal)):
        if not _NAME.fullmatch(value):
            raise ConfigError(
                f"{key}: lower-case letters, digits and _ (up to 48), starting with a letter"
            )
    return name, signal


def parse_config(raw: object, *, base: Path = Path(".")) -> OnnxModelConfig:
    """Check a decoded JSON object; relative model paths are resolved against `base`."""
    if not isinstance(raw, dict):
        raise ConfigError("the model description is a JSON object")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ConfigError(f"unknown fields {unknown} (typo?)")
    name, signal = _names(raw)
    if not raw.get("model_path"):
        raise ConfigError("model_path: the .onnx file")
    path = Path(str(raw["model_path"]))
    kinds = raw.get("input_kinds", ["photo", "video_frames"])
    if not (isinstance(kinds, list) and kinds and set(kinds) <= {"photo", "video_frames"}):
        raise ConfigError(
            'input_kinds: a non-empty list of "photo" and "video_frames" (sampled video frames)'
        )
    scale = raw.get("scale", 1 / 255)
    if not isinstance(scale, int | float) or scale <= 0:
        raise ConfigError("scale: a positive number (1/255 maps pixels to 0..1)")
    return OnnxModelConfig(
        name=name,
        signal=signal,
        model_path=path if path.is_absolute() else base / path,
        input_size=_size(raw),
        resize=_choice(raw, "resize", "stretch"),
        color_order=_choice(raw, "color_order", "RGB"),
        layout=_choice(raw, "layout", "NCHW"),
        scale=float(scale),
        mean=_triple(raw, "mean", (0.0, 0.0, 0.0)),
        std=_triple(raw, "std", (1.0, 1.0, 1.0)),
        output_index=_index(raw, "output_index"),
        label_index=_index(raw, "label_index"),
        activation=_choice(raw, "activation", "none"),
        version=str(raw.get("version", ""))[:64],
        input_kinds=frozenset(kinds),
        batch=bool(raw.get("batch", True)),
        description=str(raw.get("description", ""))[:500],
    )


def load_config(path: Path) -> OnnxModelConfig:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from e
    try:
        return parse_config(raw, base=path.parent)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e
