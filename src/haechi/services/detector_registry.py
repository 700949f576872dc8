"""The detectors this instance runs, registered once at start-up by bootstrap.

Built-in detectors (nudity, provenance, the operator's ONNX model) and feature detectors (victim
face matching) register here through the same call. A detector that cannot be built — its optional
package is not installed, its model file is missing — is recorded as unavailable with the reason,
so the service still starts and operators see why a signal is absent instead of guessing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping

from haechi.services.ports_detectors import Detector

log = logging.getLogger(__name__)

__all__ = ["DetectorRegistry"]


class DetectorRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detectors: dict[str, Detector] = {}
        self._unavailable: dict[str, str] = {}

    def register(self, detector: Detector) -> None:
        """Add a detector; names are unique (a second one of the same name is a wiring bug)."""
        with self._lock:
            if detector.name in self._detectors:
                raise ValueError(f"a detector named '{detector.name}' is already registered")
            self._detectors[detector.name] = detector
            self._unavailable.pop(detector.name, None)
        log.info("detector %s %s registered", detector.name, detector.version)

    def unavailable(self, name: str, reason: str) -> None:
        """Record that a detector was not registered, and why (logged and shown to operators)."""
        with self._lock:
            if name not in self._detectors:
                self._unavailable[name] = reason
        log.warning("detector %s not available: %s", name, reason)

    def get(self, name: str) -> Detector | None:
        return self._detectors.get(name)

    def all(self) -> tuple[Detector, ...]:
        with self._lock:
            return tuple(self._detectors.values())

    def for_kind(self, content_type: str) -> tuple[Detector, ...]:
        return tuple(d for d in self.all() if content_type in d.input_kinds)

    @property
    def missing(self) -> Mapping[str, str]:
        """Detector name → why it is not running."""
        with self._lock:
            return dict(self._unavailable)

    def __iter__(self) -> Iterator[Detector]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._detectors)
