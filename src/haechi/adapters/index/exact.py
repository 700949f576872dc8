"""The exact-match index behind the `SignalIndex` port, for digests such as md5 and sha256.

A cryptographic digest matches only itself, so the whole index is two dicts (value -> ids and
id -> value) and every match is at distance 0, whatever `max_distance` allows. It still honours
the port's contract (re-adding an id replaces its value, removals take effect at once, safe
under concurrent queries) so the matcher treats every signal type alike. Snapshots are JSON.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence

from haechi.adapters.index._snapshot import IndexSnapshotError, read_json, write_json
from haechi.domain.errors import InvalidSignal

__all__ = ["ExactIndex", "IndexSnapshotError"]

Match = tuple[int, int]
_FORMAT, _VERSION = "haechi.exact_index", 1


def _as_given(value: str) -> str:
    return value


class ExactIndex:
    """Values (already canonical, or made so by `canonical`) -> content ids, equality only."""

    def __init__(self, *, signal_type: str, canonical: Callable[[str], str] | None = None) -> None:
        self.signal_type = signal_type
        self._canonical = canonical or _as_given
        self._ids_by_value: dict[str, set[int]] = {}
        self._value_by_id: dict[int, str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._value_by_id)

    def add(self, entries: Iterable[tuple[str, int]]) -> None:
        """Index (value, content id) pairs; an id already present gets the new value."""
        checked = [(self._check(value), _content_id(cid)) for value, cid in entries]
        with self._lock:
            for value, content_id in checked:
                self._drop(content_id)
                self._ids_by_value.setdefault(value, set()).add(content_id)
                self._value_by_id[content_id] = value

    def remove(self, content_ids: Iterable[int]) -> None:
        """Stop returning these ids (unknown ids are ignored)."""
        ids = [_content_id(cid) for cid in content_ids]
        with self._lock:
            for content_id in ids:
                self._drop(content_id)

    def query(self, value: str, max_distance: int) -> list[Match]:
        """(content id, 0) for every id indexed under exactly `value`, in id order."""
        if max_distance < 0:
            raise ValueError(f"max_distance must be >= 0, got {max_distance}")
        key = self._check(value)
        with self._lock:
            found = sorted(self._ids_by_value.get(key, ()))
        return [(content_id, 0) for content_id in found]

    def query_many(self, values: Sequence[str], max_distance: int) -> list[list[Match]]:
        return [self.query(value, max_distance) for value in values]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write every entry to `path` as JSON with a format header."""
        with self._lock:
            entries = sorted(self._value_by_id.items())
        write_json(
            path,
            {
                "format": _FORMAT,
                "version": _VERSION,
                "signal_type": self.signal_type,
                "entries": [[value, content_id] for content_id, value in entries],
            },
        )

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, canonical: Callable[[str], str] | None = None
    ) -> ExactIndex:
        """An index holding the entries of a snapshot written by `save`."""
        payload = read_json(path, kind=_FORMAT, version=_VERSION)
        signal_type, entries = payload.get("signal_type"), payload.get("entries")
        if not isinstance(signal_type, str) or not isinstance(entries, list):
            raise IndexSnapshotError(f"{path}: snapshot lacks signal_type or entries")
        pairs: list[tuple[str, int]] = []
        for entry in entries:
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and isinstance(entry[0], str)
                and type(entry[1]) is int
            ):
                raise IndexSnapshotError(f"{path}: malformed entry {entry!r:.80}")
            pairs.append((entry[0], entry[1]))
        index = cls(signal_type=signal_type, canonical=canonical)
        try:
            index.add(pairs)
        except InvalidSignal as exc:
            raise IndexSnapshotError(f"{path}: {exc.message}") from exc
        return index

    def _check(self, value: str) -> str:
        if not isinstance(value, str) or not value:
            raise InvalidSignal(f"{self.signal_type} value must be a non-empty string")
        return self._canonical(value)

    def _drop(self, content_id: int) -> None:
        old = self._value_by_id.pop(content_id, None)
        if old is None:
            return
        ids = self._ids_by_value[old]
        ids.discard(content_id)
        if not ids:
            del self._ids_by_value[old]


def _content_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"content id must be an integer, got {type(value).__name__}")
    return value
