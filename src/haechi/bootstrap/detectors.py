"""Builds the detectors (issue 7) and the services that run them and apply routing rules.

`build_registry` registers the built-in detectors named in `HAECHI_DETECTORS_ENABLED` and every
operator model in `HAECHI_DETECTOR_ONNX_MODELS`. A detector whose optional package is missing
(`pip install 'haechi[detectors]'`) is recorded as unavailable, with the reason, and the service
starts without it. Other features add their own detectors to `DetectionBundle.registry` (e.g.
victim face matching) before the first job runs; `register_jobs` hooks the job kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from haechi.adapters.detectors.video_frames import FfmpegFrameSampler
from haechi.adapters.hashers.decode import DecodeLimits
from haechi.bootstrap.parts import video_limits
from haechi.config import Settings
from haechi.services.detection import JOB_KIND, DetectionService
from haechi.services.detection_bundle import DetectionBundle
from haechi.services.detector_registry import DetectorRegistry
from haechi.services.jobs import JobService
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_cases import BlobStore
from haechi.services.routing import ROUTE_JOB, RoutingService

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'haechi[detectors]'"
BUILTIN = ("nudity", "provenance")

__all__ = ["BUILTIN", "DetectionBundle", "build_detection", "build_registry"]


def _limits(settings: Settings) -> DecodeLimits:
    return DecodeLimits(max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)


def _nudity(registry: DetectorRegistry, settings: Settings) -> None:
    from haechi.adapters.detectors.nudity import NudityDetector

    registry.register(NudityDetector(limits=_limits(settings), threads=settings.detector_threads))


def _provenance(registry: DetectorRegistry, settings: Settings) -> None:
    from haechi.adapters.detectors.provenance import ProvenanceDetector

    try:
        from haechi.adapters.detectors.c2pa_manifest import read_manifest, reader_version
    except ImportError as e:
        log.warning("c2pa-python missing (%s): provenance reads metadata traces only", e)
        registry.register(ProvenanceDetector(manifest_reader=None))
        return
    registry.register(
        ProvenanceDetector(manifest_reader=read_manifest, reader_version=reader_version())
    )


_BUILDERS: dict[str, Callable[[DetectorRegistry, Settings], None]] = {
    "nudity": _nudity,
    "provenance": _provenance,
}


def _onnx_models(registry: DetectorRegistry, settings: Settings) -> None:
    for path in settings.detector_onnx_models:
        try:
            from haechi.adapters.detectors.onnx_config import load_config
            from haechi.adapters.detectors.onnx_model import OnnxDetector
        except ImportError as e:
            registry.unavailable(path.stem, f"{e} ({INSTALL_HINT})")
            continue
        # a wrong model description is an operator's error: refuse to start, naming the field
        config = load_config(path)
        registry.register(
            OnnxDetector(config, limits=_limits(settings), threads=settings.detector_threads)
        )


def build_registry(settings: Settings) -> DetectorRegistry:
    registry = DetectorRegistry()
    for name in settings.detectors_enabled:
        builder = _BUILDERS.get(name)
        if builder is None:
            raise ValueError(
                f"HAECHI_DETECTORS_ENABLED: unknown detector {name!r} (built-ins: {BUILTIN})"
            )
        try:
            builder(registry, settings)
        except ImportError as e:
            registry.unavailable(name, f"{e} ({INSTALL_HINT})")
    _onnx_models(registry, settings)
    return registry


def build_detection(
    settings: Settings, uow: UnitOfWorkFactory, blobs: BlobStore, jobs: JobService
) -> DetectionBundle:
    """The detection services, with the `detect.items` job registered on `jobs`."""
    registry = build_registry(settings)
    service = DetectionService(
        uow_factory=uow,
        blobs=blobs,
        detectors=registry,
        wake=jobs.wake,
        batch_size=settings.detection_batch_size,
        frames=FfmpegFrameSampler(
            video_limits(settings), max_frames=settings.detector_video_max_frames
        ),
    )
    routing = RoutingService(uow_factory=uow, wake=jobs.wake)
    jobs.register(JOB_KIND, service.run_job)
    jobs.register(ROUTE_JOB, routing.run_job)
    return DetectionBundle(registry=registry, service=service, routing=routing)
