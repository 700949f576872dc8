"""The operator's ONNX model slot, checked end to end with tiny models built in the test: each
preprocessing step of the documented contract changes the score in a way we can predict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from haechi.adapters.detectors.onnx_config import ConfigError, load_config, parse_config
from haechi.adapters.detectors.onnx_model import OnnxDetector
from haechi.services.ports_detectors import MediaInput
from tests.fixtures import images, onnx_models


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (32, 32)) -> MediaInput:
    return MediaInput("photo", images.encode(Image.new("RGB", size, colour)), "")


def _detector(model: Path, **config: Any) -> OnnxDetector:
    raw = {"name": "test_model", "model_path": str(model), "input_size": [8, 8]} | config
    return OnnxDetector(parse_config(raw))


def _value(detector: OnnxDetector, media: MediaInput) -> float:
    (score,) = detector.score(media)
    return score.value


def test_scale_mean_and_std(tmp_path: Path) -> None:
    model = onnx_models.brightness(tmp_path / "b.onnx")
    plain = _detector(model)
    assert _value(plain, _png((255, 255, 255))) == pytest.approx(1.0)
    assert _value(plain, _png((0, 0, 0))) == pytest.approx(0.0)
    assert _value(plain, _png((51, 51, 51))) == pytest.approx(0.2, abs=1e-5)
    centred = _detector(model, mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
    assert _value(centred, _png((0, 0, 0))) == pytest.approx(-1.0)
    raw_pixels = _detector(model, scale=1)
    assert _value(raw_pixels, _png((255, 255, 255))) == pytest.approx(255.0)


def test_colour_order(tmp_path: Path) -> None:
    model = onnx_models.first_channel(tmp_path / "c.onnx")
    rgb, bgr = _detector(model, color_order="RGB"), _detector(model, color_order="BGR")
    assert (_value(rgb, _png((255, 0, 0))), _value(bgr, _png((255, 0, 0)))) == (1.0, 0.0)
    assert (_value(rgb, _png((0, 0, 255))), _value(bgr, _png((0, 0, 255)))) == (0.0, 1.0)


def test_layout(tmp_path: Path) -> None:
    nhwc = onnx_models.first_channel(tmp_path / "nhwc.onnx", layout="NHWC")
    assert _value(_detector(nhwc, layout="NHWC"), _png((255, 0, 0))) == 1.0
    with pytest.raises(ConfigError, match="NCHW"):
        _detector(nhwc, layout="NCHW")


def test_input_size_must_match_the_model(tmp_path: Path) -> None:
    model = onnx_models.brightness(tmp_path / "b.onnx", size=8)
    with pytest.raises(ConfigError, match="input"):
        _detector(model, input_size=[16, 16])


def test_resize_modes(tmp_path: Path) -> None:
    model = onnx_models.brightness(tmp_path / "b.onnx", size=8)
    wide = Image.new("RGB", (300, 100), (0, 0, 0))
    wide.paste((255, 255, 255), (100, 0, 200, 100))  # a white square in the middle third
    media = MediaInput("photo", images.encode(wide), "")
    assert _value(_detector(model, resize="stretch"), media) == pytest.approx(1 / 3, abs=0.05)
    assert _value(_detector(model, resize="center_crop"), media) == pytest.approx(1.0, abs=0.05)


def test_output_index_label_and_activation(tmp_path: Path) -> None:
    model = onnx_models.two_outputs(tmp_path / "two.onnx")
    white = _png((255, 255, 255))
    assert _value(_detector(model, output_index=0), white) == pytest.approx(0.25)
    assert _value(_detector(model, output_index=1, label_index=1), white) == pytest.approx(1.0)
    assert _value(_detector(model, output_index=1, label_index=0), white) == pytest.approx(0.0)
    soft = _detector(model, output_index=1, label_index=1, activation="softmax")
    assert _value(soft, white) == pytest.approx(0.7311, abs=1e-3)  # e / (1 + e)
    with pytest.raises(ConfigError, match="outputs"):
        _detector(model, output_index=2)
    with pytest.raises(ConfigError, match="label_index"):
        _detector(model, output_index=1, label_index=5).score(white)


def test_batches_and_fixed_batch_models(tmp_path: Path) -> None:
    dynamic = _detector(onnx_models.brightness(tmp_path / "d.onnx"), signal="brightness")
    colours = [(255, 255, 255), (0, 0, 0), (102, 102, 102)]
    batch = dynamic.score_batch([_png(c) for c in colours])
    assert [s[0].value for s in batch] == pytest.approx([1.0, 0.0, 0.4], abs=1e-5)
    assert batch[0][0].name == "brightness"
    fixed = _detector(onnx_models.brightness(tmp_path / "f.onnx", batch=1))
    assert [s[0].value for s in fixed.score_batch([_png(c) for c in colours])] == pytest.approx(
        [1.0, 0.0, 0.4], abs=1e-5
    )


def test_version_names_the_model_file(tmp_path: Path) -> None:
    detector = _detector(onnx_models.brightness(tmp_path / "b.onnx"), version="in-house-3")
    assert detector.name == "test_model"
    assert detector.version.startswith("in-house-3 (sha256 ")
    assert detector.input_kinds == frozenset({"photo", "video_frames"})  # the default


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"layout": "CHW"}, "layout"),
        ({"std": [1, 0, 1]}, "std"),
        ({"mean": [0.5]}, "mean"),
        ({"input_size": [0, 8]}, "input_size"),
        ({"name": "Bad Name"}, "name"),
        ({"colour_order": "RGB"}, "unknown fields"),
        ({"input_kinds": ["video"]}, "input_kinds"),
        ({"input_kinds": []}, "input_kinds"),
        ({"label_index": -1}, "label_index"),
        ({"model_path": ""}, "model_path"),
    ],
)
def test_config_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    raw = {"name": "m", "model_path": "m.onnx", "input_size": [8, 8]} | change
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    onnx_models.brightness(tmp_path / "b.onnx")
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"name": "b", "model_path": "b.onnx", "input_size": [8, 8]}))
    assert load_config(path).model_path == tmp_path / "b.onnx"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match=r"model\.json"):
        load_config(path)
    missing = parse_config(
        {"name": "x", "model_path": "nope.onnx", "input_size": [8, 8]}, base=tmp_path
    )
    with pytest.raises(ConfigError, match="no file"):
        OnnxDetector(missing)
