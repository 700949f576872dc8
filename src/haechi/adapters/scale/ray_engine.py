"""The Ray scan engine: the same batch function, run by Ray Data across a cluster's CPUs.

The driver turns the pending files into a Ray dataset of (path, size) rows; `map_batches` runs the
scan's batch function on workers (each reads its files from the store itself, so media bytes never
pass through the driver); results stream back as JSON rows and reach `on_batch` in the driver as
they finish. With no address a private local cluster is started (CPUs and object store as
configured, no dashboard, no usage reporting, bound to loopback) and shut down afterwards; with an
address (`ray://…` or `auto`) the scan joins that cluster and leaves it running. Ray is an optional
extra: `pip install 'haechi[scale]'`.
"""

from __future__ import annotations

import functools
import logging
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from haechi.domain.errors import InvalidInput
from haechi.domain.scans import FileOutcome, FileRef
from haechi.services.ports_scan import BatchProcessor

#: rows per Ray Data block: small enough that every CPU gets work on a few hundred files ...
_ROWS_PER_BLOCK = 16
#: ... and few enough blocks that scheduling them stays cheap on millions
_MAX_BLOCKS = 4096


@dataclass(frozen=True, slots=True)
class RayOptions:
    #: None starts a private local cluster; otherwise `ray.init(address=...)`
    address: str | None = None
    #: CPUs of the private local cluster (None: all of this machine's)
    num_cpus: int | None = None
    #: object store of the private local cluster; batches are small, so it can stay small
    object_store_bytes: int = 256 * 1024 * 1024


class RayEngine:
    def __init__(self, options: RayOptions | None = None) -> None:
        self._options = options or RayOptions()

    @property
    def name(self) -> str:
        return "ray"

    def run(
        self,
        files: Sequence[FileRef],
        process: BatchProcessor,
        *,
        batch_size: int,
        on_batch: Callable[[list[FileOutcome]], None],
    ) -> None:
        if not files:
            return
        ray = _import_ray()
        _quiet_ray_data()
        started = _connect(ray, self._options)
        try:
            _data_context(ray).enable_progress_bars = False  # the CLI draws its own
            rows = [{"path": f.path, "size": f.size} for f in files]
            blocks = min(_MAX_BLOCKS, max(1, -(-len(rows) // min(batch_size, _ROWS_PER_BLOCK))))
            dataset = ray.data.from_items(rows, override_num_blocks=blocks)
            hashed = dataset.map_batches(
                functools.partial(_hash_rows, process=process),
                batch_size=min(batch_size, _ROWS_PER_BLOCK),
                batch_format="numpy",
            )
            for batch in hashed.iter_batches(batch_size=batch_size, batch_format="numpy"):
                on_batch([FileOutcome.from_json(str(raw)) for raw in batch["outcome"]])
        finally:
            if started:
                ray.shutdown()


def _hash_rows(batch: dict[str, Any], *, process: BatchProcessor) -> dict[str, list[str]]:
    """Runs on a Ray worker: rows in, one JSON outcome per row out."""
    refs = [FileRef(str(p), int(s)) for p, s in zip(batch["path"], batch["size"], strict=True)]
    return {"outcome": [o.to_json() for o in process(refs)]}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InvalidInput(
            "the Ray engine needs Ray: pip install 'haechi[scale]' (or use --engine local)"
        ) from None
    return ray


def _connect(ray: Any, options: RayOptions) -> bool:
    """Join or start a cluster; True when this call started one (and must shut it down)."""
    if ray.is_initialized():
        return False
    # no usage statistics leave the machine; must be set before the cluster starts
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    common: dict[str, Any] = {
        "log_to_driver": False,
        "logging_level": logging.WARNING,
        "configure_logging": False,
    }
    if options.address is not None:
        ray.init(address=options.address, **common)
        return True
    ray.init(
        num_cpus=options.num_cpus,
        object_store_memory=options.object_store_bytes,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        **common,
    )
    return True


def _quiet_ray_data() -> None:
    """Ray Data logs every execution at INFO, and once that its bars are off: neither helps a
    scan's operator (its warnings and errors still show, and its own log files keep the rest)."""
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


def _data_context(ray: Any) -> Any:
    # DataContext() assigns every field in __init__, and Ray's own setter warns about the
    # deprecated ones it assigns (DeprecationWarning from ray.data.context): not ours to fix.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\.data\.context")
        return ray.data.DataContext.get_current()
