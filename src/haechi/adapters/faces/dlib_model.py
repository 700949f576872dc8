"""dlib face detection (HOG) and 128-d embeddings (ResNet), from the `faces` extra.

The model files ship inside `face_recognition_models`; they are found by path with
`importlib.util.find_spec` because that package's `__init__` imports pkg_resources. Only the
5-point landmark model is used (it is what the ResNet's face chips are aligned with).

Photos are decoded in memory with the same guarded decoder as hashing (size and pixel limits,
EXIF orientation) and shrunk to at most `MAX_SIDE` pixels. The HOG detector finds faces of about
80 pixels and up, so it looks at images up to 1200 px upsampled twice over (faces from ~40 px) and
images under 320 px four times over (~20 px); larger ones as they are. Nothing is written to disk.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from haechi.adapters.hashers.decode import DEFAULT_LIMITS, DecodeLimits, decode_image
from haechi.services.ports_detectors import DetectorUnavailable
from haechi.services.ports_faces import FoundFace

INSTALL_HINT = "pip install 'haechi[faces]' (dlib-bin and face_recognition_models)"
LANDMARKS = "shape_predictor_5_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"
MAX_SIDE = 1600


def model_dir() -> Path:
    """The folder holding the .dat files; DetectorUnavailable when the extra is missing."""
    if importlib.util.find_spec("dlib") is None:
        raise DetectorUnavailable(f"dlib is not installed: {INSTALL_HINT}")
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise DetectorUnavailable(f"face_recognition_models is not installed: {INSTALL_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in (LANDMARKS, RESNET):
        if not (folder / name).is_file():
            raise DetectorUnavailable(f"model file {name} missing in {folder}: {INSTALL_HINT}")
    return folder


@dataclass(frozen=True, slots=True)
class _Loaded:
    detector: Any
    landmarks: Any
    resnet: Any
    #: dlib's objects are not documented as thread-safe: one call at a time per loaded model
    lock: threading.Lock


@cache
def _load(folder: Path) -> _Loaded:
    """Once per process and folder (about 30 MB of weights; instances share them)."""
    import dlib

    return _Loaded(
        dlib.get_frontal_face_detector(),
        dlib.shape_predictor(str(folder / LANDMARKS)),
        dlib.face_recognition_model_v1(str(folder / RESNET)),
        threading.Lock(),
    )


def _upsample_for(longest: int) -> int:
    if longest < 320:
        return 2
    return 1 if longest <= 1200 else 0


class DlibFaceModel:
    """HOG face detector + 5-point alignment + ResNet embedding, loaded on first use."""

    name = "dlib-resnet"

    def __init__(
        self, *, limits: DecodeLimits = DEFAULT_LIMITS, folder: Path | None = None
    ) -> None:
        self._folder = folder or model_dir()
        self._limits = limits

    @property
    def version(self) -> str:
        import dlib

        return f"dlib-{dlib.__version__}/hog/5pt/resnet_v1"

    def warm_up(self) -> None:
        _load(self._folder)

    def faces(self, image: bytes) -> list[FoundFace]:
        picture = decode_image(image, limits=self._limits, mode="RGB")
        factor = 1.0
        if max(picture.size) > MAX_SIDE:
            factor = max(picture.size) / MAX_SIDE
            size = (round(picture.width / factor), round(picture.height / factor))
            picture = picture.resize(size, Image.Resampling.LANCZOS)
        pixels = np.ascontiguousarray(np.asarray(picture, dtype=np.uint8))
        loaded = _load(self._folder)
        with loaded.lock:
            return _find(loaded, pixels, factor)


def _find(loaded: _Loaded, pixels: np.ndarray[Any, Any], factor: float) -> list[FoundFace]:
    upsample = _upsample_for(max(pixels.shape[:2]))
    boxes, scores, _ = loaded.detector.run(pixels, upsample, 0.0)
    found = []
    for box, score in zip(boxes, scores, strict=True):
        shape = loaded.landmarks(pixels, box)
        vector = loaded.resnet.compute_face_descriptor(pixels, shape, 0)
        found.append(
            FoundFace(
                left=round(box.left() * factor),
                top=round(box.top() * factor),
                width=round(box.width() * factor),
                height=round(box.height() * factor),
                detector_score=float(score),
                embedding=tuple(float(v) for v in vector),
            )
        )
    return found
