"""Builds bulk scanning (issue 6): the scan service, the media source and the chosen engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from haechi.adapters.scale import owner
from haechi.adapters.scale.fsspec_source import FsspecSource
from haechi.adapters.scale.local_engine import LocalEngine
from haechi.adapters.scale.ray_engine import RayEngine, RayOptions
from haechi.config import Settings
from haechi.domain.errors import InvalidInput
from haechi.domain.signals import SignalRegistry
from haechi.services.matching import Matcher
from haechi.services.ports import UnitOfWorkFactory
from haechi.services.ports_scan import MediaSource, ScanEngine
from haechi.services.scan import ScanService


def build_scans(
    settings: Settings, uow: UnitOfWorkFactory, registry: SignalRegistry, matcher: Matcher
) -> ScanService:
    return ScanService(
        uow_factory=uow,
        registry=registry,
        matcher=matcher,
        max_file_bytes=settings.scan_max_file_bytes,
        owner=owner.this_process(),
        owner_alive=owner.owner_alive,
    )


def scan_engine(settings: Settings, name: str, *, workers: int | None = None) -> ScanEngine:
    """`local` (threads in this process) or `ray` (Ray Data; needs `haechi[scale]`)."""
    if name not in ("local", "ray"):
        raise InvalidInput(f"no scan engine {name!r}: choose local or ray")
    if name == "ray":
        return RayEngine(
            RayOptions(
                address=settings.ray_address,
                num_cpus=settings.ray_num_cpus,
                object_store_bytes=settings.ray_object_store_bytes,
            )
        )
    return LocalEngine(workers=workers or settings.scan_workers)


def media_source(url: str, storage_options: Mapping[str, Any] | None = None) -> MediaSource:
    """A directory (path or file://) or a bucket (s3://bucket/prefix ...) through fsspec."""
    return FsspecSource(url, storage_options)
