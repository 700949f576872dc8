"""Ports for bulk scans (issue 6): the run/file store, the media store scanned, and the engine.

The engine runs one picklable `BatchProcessor` over the pending files (in-process, or on a Ray
cluster) and hands each finished batch back to the driver, which matches and records it. Engines
never touch the database: only the driver does, one transaction per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from haechi.domain.scans import FileOutcome, FileRef, ScanHit, ScannedFile, ScanRun


class ScanStore(Protocol):
    """Scan runs and their per-file results. Never commits: the unit of work does."""

    def create_run(self, *, source: str, engine: str, requester: str | None, at: float) -> int: ...
    def get_run(self, run_id: int) -> ScanRun | None: ...
    def unfinished_run(self, source: str) -> ScanRun | None:
        """The latest run of `source` that has not finished, if any."""

    def list_runs(self, *, limit: int) -> list[ScanRun]: ...
    def finished_keys(self, run_id: int) -> set[str]:
        """`path_key` of every file this run has finished."""

    def begin(
        self, run_id: int, *, engine: str, owner: str, files_total: int, resumed: bool, at: float
    ) -> None:
        """Mark a (re)start: the engine and process now working it, the listing's size, and
        one more resume."""

    def record(
        self,
        run_id: int,
        results: Sequence[tuple[FileOutcome, list[ScanHit]]],
        *,
        busy_s: float,
        at: float,
    ) -> int:
        """Store finished files and update the run's counters; returns how many of them had
        already been finished (each counts as rescanned)."""

    def finish(self, run_id: int, *, at: float) -> None: ...
    def files(
        self, run_id: int, *, matched_only: bool, failed_only: bool, limit: int
    ) -> list[ScannedFile]: ...


class MediaSource(Protocol):
    """A media store: a directory tree, an S3-compatible bucket ... Must pickle (Ray ships it)."""

    @property
    def url(self) -> str:
        """Where it is, as given (no credentials): identifies the store across runs."""

    def list_files(self) -> Iterator[FileRef]: ...
    def read(self, path: str, *, max_bytes: int) -> bytes:
        """The file's bytes; MediaTooLarge past `max_bytes`, FetchFailed when unreadable."""


#: hashes one batch of files; runs wherever the engine puts it, so it must pickle
BatchProcessor = Callable[[list[FileRef]], list[FileOutcome]]


class ScanEngine(Protocol):
    @property
    def name(self) -> str: ...

    def run(
        self,
        files: Sequence[FileRef],
        process: BatchProcessor,
        *,
        batch_size: int,
        on_batch: Callable[[list[FileOutcome]], None],
    ) -> None:
        """Process every file, calling `on_batch` in this process as batches finish."""
