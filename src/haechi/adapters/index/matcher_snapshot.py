"""A matcher snapshot in a directory: each index in its own pickle-free file plus a manifest.

A replica that starts from a snapshot reads a few files instead of every row of the database, then
replays the change feed from the snapshot's position. Files of one snapshot share a generation
prefix and the manifest is written last, atomically, so a crash mid-save leaves the previous
snapshot in force; anything unreadable makes `load` answer None (the caller rebuilds from the
database) rather than serve a partial index.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import numpy as np

from haechi.adapters.index._snapshot import IndexSnapshotError, read_arrays, write_arrays
from haechi.adapters.index.exact import ExactIndex
from haechi.adapters.index.pdq_mih import PdqMihIndex
from haechi.adapters.index.vpdq_index import VpdqIndex
from haechi.domain.banks import Bank
from haechi.services.ports import MatcherSnapshot, SignalIndex

log = logging.getLogger(__name__)
_KIND = "haechi-matcher"
_VERSION = 1
_MANIFEST = "manifest.npz"
_COLUMNS: dict[str, tuple[type[np.generic], tuple[int, ...]]] = {
    "ids": (np.int64, ()),
    "bank_ids": (np.int64, ()),
    "disable_until": (np.int64, ()),
    "signal_mask": (np.uint32, ()),
}


class DirectorySnapshotStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, snapshot: MatcherSnapshot) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        generation = secrets.token_hex(4)
        names = sorted(snapshot.indexes)
        files = {}
        for name in names:
            index = snapshot.indexes[name]
            file = f"{generation}-{name}.{_suffix(index)}"
            if not isinstance(index, PdqMihIndex | ExactIndex | VpdqIndex):
                raise TypeError(f"cannot snapshot a {type(index).__name__}")
            index.save(self.directory / file)
            files[name] = file
        entries = sorted(snapshot.entries.items())
        bit = {name: 1 << i for i, name in enumerate(names)}
        write_arrays(
            self.directory / _MANIFEST,
            header={
                "format": _KIND,
                "version": _VERSION,
                "count": len(entries),
                "seq": snapshot.seq,
                "signal_types": names,
                "files": files,
                "banks": [_bank_json(b) for b in snapshot.banks],
            },
            ids=np.array([cid for cid, _ in entries], dtype=np.int64),
            bank_ids=np.array([e[0] for _, e in entries], dtype=np.int64),
            disable_until=np.array([e[1] for _, e in entries], dtype=np.int64),
            signal_mask=np.array([sum(bit[n] for n in e[2]) for _, e in entries], dtype=np.uint32),
        )
        self._remove_other_generations(set(files.values()))

    def load(self) -> MatcherSnapshot | None:
        path = self.directory / _MANIFEST
        if not path.exists():
            return None
        try:
            header, arrays = read_arrays(path, kind=_KIND, version=_VERSION, columns=_COLUMNS)
            names: list[str] = list(header["signal_types"])
            indexes = {name: self._load_index(header["files"][name]) for name in names}
            banks = [Bank(**b) for b in header["banks"]]
        except (IndexSnapshotError, KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring matcher snapshot in %s: %s", self.directory, exc)
            return None
        entries = {
            int(cid): (
                int(bank),
                int(disable),
                tuple(n for i, n in enumerate(names) if mask >> i & 1),
            )
            for cid, bank, disable, mask in zip(
                arrays["ids"],
                arrays["bank_ids"],
                arrays["disable_until"],
                arrays["signal_mask"],
                strict=True,
            )
        }
        return MatcherSnapshot(
            seq=int(header["seq"]), banks=banks, entries=entries, indexes=indexes
        )

    def _load_index(self, file: str) -> SignalIndex:
        if "/" in file or file.startswith("."):
            raise IndexSnapshotError(f"refusing index file name {file!r}")
        path = self.directory / file
        if file.endswith(".vpdq.json"):
            return VpdqIndex.load(path)
        return PdqMihIndex.load(path) if file.endswith(".npz") else ExactIndex.load(path)

    def _remove_other_generations(self, keep: set[str]) -> None:
        for path in self.directory.iterdir():
            if path.name != _MANIFEST and path.name not in keep and "-" in path.name:
                path.unlink(missing_ok=True)


def _suffix(index: SignalIndex) -> str:
    if isinstance(index, PdqMihIndex):
        return "npz"
    return "vpdq.json" if isinstance(index, VpdqIndex) else "json"


def _bank_json(bank: Bank) -> dict[str, object]:
    return {
        "id": bank.id,
        "name": bank.name,
        "matching_enabled_ratio": bank.matching_enabled_ratio,
        "thresholds": dict(bank.thresholds),
        "description": bank.description,
    }
