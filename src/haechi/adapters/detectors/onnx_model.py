"""The operator's own ONNX image model (a face-swap or AI-image detector) as a haechi detector.

No offline face-swap detector ships on PyPI, so haechi does not pretend to have one: an operator
who has a model (trained in-house, or licensed) describes it in a JSON file (`onnx_config`) and
this adapter feeds it exactly what it expects. The preprocessing contract, in order:

1. decode the picture (EXIF orientation applied, first frame), convert to 8-bit RGB;
2. resize to `input_size` — `stretch` (ignore aspect ratio) or `center_crop` (scale the short side
   to fit, then cut the centre), bilinear;
3. reorder channels to `color_order`;
4. `x = (pixel * scale - mean[c]) / std[c]` in float32;
5. lay out as `NCHW` or `NHWC` and stack a batch on axis 0;
6. read output `output_index`, flatten each row, take element `label_index`, then apply
   `activation` (`softmax` over the row, `sigmoid`, or `none`).

The model file is checked (its input rank and static sizes against the config) when the detector
is built, and its SHA-256 becomes part of the version shown beside every score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from PIL import Image

from haechi.adapters.detectors.onnx_config import ConfigError, OnnxModelConfig
from haechi.adapters.hashers.decode import DEFAULT_LIMITS, DecodeLimits, decode_image
from haechi.services.ports_detectors import DetectorScore, MediaInput, Signals

__all__ = ["OnnxDetector", "preprocess"]

Array = npt.NDArray[np.float32]


def _resized(image: Image.Image, size: tuple[int, int], mode: str) -> Image.Image:
    width, height = size
    if mode == "stretch":
        return image.resize((width, height), Image.Resampling.BILINEAR)
    scale = max(width / image.width, height / image.height)
    scaled = image.resize(
        (max(width, round(image.width * scale)), max(height, round(image.height * scale))),
        Image.Resampling.BILINEAR,
    )
    left, top = (scaled.width - width) // 2, (scaled.height - height) // 2
    return scaled.crop((left, top, left + width, top + height))


def preprocess(image: Image.Image, config: OnnxModelConfig) -> Array:
    """One picture as the model's input tensor without the batch axis (steps 2-5 above)."""
    pixels = np.asarray(_resized(image.convert("RGB"), config.input_size, config.resize))
    if config.color_order == "BGR":
        pixels = pixels[:, :, ::-1]
    mean = np.asarray(config.mean, dtype=np.float32)
    std = np.asarray(config.std, dtype=np.float32)
    x = (pixels.astype(np.float32) * np.float32(config.scale) - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1) if config.layout == "NCHW" else x)


def _activate(rows: npt.NDArray[np.float64], config: OnnxModelConfig) -> npt.NDArray[np.float64]:
    if config.activation == "softmax":
        shifted = np.exp(rows - rows.max(axis=1, keepdims=True))
        rows = shifted / shifted.sum(axis=1, keepdims=True)
    picked = rows[:, config.label_index]
    if config.activation == "sigmoid":
        picked = 1.0 / (1.0 + np.exp(-picked))
    return picked


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class OnnxDetector:
    """Scores photos (and, with `video_frames`, sampled video frames) with the configured
    model; one signal named `config.signal`."""

    def __init__(
        self,
        config: OnnxModelConfig,
        *,
        limits: DecodeLimits = DEFAULT_LIMITS,
        threads: int | None = None,
    ) -> None:
        if not config.model_path.is_file():
            raise ConfigError(f"model_path: no file at {config.model_path}")
        self._config = config
        self._limits = limits
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(config.model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self._check_shapes()
        sha = _sha256(str(config.model_path))
        self.name = config.name
        self.version = f"{config.version or 'onnx'} (sha256 {sha[:12]})"
        self.input_kinds = config.input_kinds

    def _check_shapes(self) -> None:
        shape = list(self._session.get_inputs()[0].shape)
        width, height = self._config.input_size
        expected = [3, height, width] if self._config.layout == "NCHW" else [height, width, 3]
        if len(shape) != 4:
            raise ConfigError(
                f"the model's input has rank {len(shape)}, expected 4 ({self._config.layout})"
            )
        for got, want in zip(shape[1:], expected, strict=True):
            if isinstance(got, int) and got != want:
                layout = self._config.layout
                raise ConfigError(
                    f"the model's input is {shape}, the config says {layout} {expected}"
                )
        outputs = self._session.get_outputs()
        if self._config.output_index >= len(outputs):
            raise ConfigError(f"output_index: the model has {len(outputs)} outputs")
        if isinstance(shape[0], int) and shape[0] == 1 and self._config.batch:
            self._config = replace(self._config, batch=False)

    def score(self, media: MediaInput) -> Signals:
        return self.score_batch([media])[0]

    def score_batch(self, media: Sequence[MediaInput]) -> list[Signals]:
        if not media:
            return []
        tensors = [
            preprocess(decode_image(m.data, limits=self._limits), self._config) for m in media
        ]
        if self._config.batch:
            values = self._run(np.stack(tensors))
        else:
            values = np.concatenate([self._run(t[np.newaxis]) for t in tensors])
        detail = {"model": self._config.name}
        return [(DetectorScore(self._config.signal, round(float(v), 6), detail),) for v in values]

    def _run(self, batch: Array) -> npt.NDArray[np.float64]:
        names = [o.name for o in self._session.get_outputs()]
        out = self._session.run([names[self._config.output_index]], {self._input: batch})[0]
        rows = np.asarray(out, dtype=np.float64).reshape(batch.shape[0], -1)
        if self._config.label_index >= rows.shape[1]:
            raise ConfigError(f"label_index: the output has {rows.shape[1]} values per image")
        return _activate(rows, self._config)
