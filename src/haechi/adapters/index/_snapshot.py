"""Index snapshots on disk without pickle: plain arrays in an .npz, or JSON, with a format header.

Snapshots may come from another machine or an old release, so loading trusts nothing: numpy reads
them with `allow_pickle=False`, the header names the format and version, and every failure to
read or to match what was expected surfaces as one `IndexSnapshotError` saying what is wrong.
Writes go to a temporary file that replaces the target only when complete.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.lib.npyio import NpzFile
from numpy.typing import NDArray

_HEADER = "header"


class IndexSnapshotError(ValueError):
    """A snapshot file is missing, truncated, of another format or version, or inconsistent."""


def write_arrays(path: str | os.PathLike[str], *, header: Mapping[str, Any], **arrays: Any) -> None:
    """Write `arrays` and a JSON `header` as one .npz file at exactly `path`."""
    raw = np.frombuffer(json.dumps(dict(header)).encode(), dtype=np.uint8)
    payload: dict[str, Any] = {_HEADER: raw, **arrays}
    with _atomic(path) as out:
        np.savez(out, allow_pickle=False, **payload)


def read_arrays(
    path: str | os.PathLike[str],
    *,
    kind: str,
    version: int,
    columns: Mapping[str, tuple[type[np.generic], tuple[int, ...]]],
) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Header and arrays of an .npz snapshot written by `write_arrays`.

    `columns` maps each array's name to its dtype and row shape; every array must hold
    `header["count"]` rows.
    """
    try:
        with Path(path).open("rb") as raw:
            npz = np.load(raw, allow_pickle=False)
            if not isinstance(npz, NpzFile):
                raise IndexSnapshotError(f"{path}: not an .npz {kind} snapshot")
            missing = {_HEADER, *columns} - set(npz.files)
            if missing:
                raise IndexSnapshotError(f"{path}: snapshot lacks {sorted(missing)}")
            header = json.loads(npz[_HEADER].tobytes().decode())
            _check_header(path, header, kind=kind, version=version)
            arrays = {name: npz[name] for name in columns}
    except IndexSnapshotError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise IndexSnapshotError(f"{path}: not a readable {kind} snapshot ({exc})") from exc
    count = header.get("count")
    for name, (dtype, row_shape) in columns.items():
        found = arrays[name]
        if type(count) is not int or found.dtype != dtype or found.shape != (count, *row_shape):
            raise IndexSnapshotError(
                f"{path}: {name} is {found.dtype}{found.shape}, expected {count} rows of "
                f"{np.dtype(dtype)}{row_shape}"
            )
    return header, arrays


def write_json(path: str | os.PathLike[str], payload: Mapping[str, Any]) -> None:
    with _atomic(path) as out:
        out.write(json.dumps(dict(payload), separators=(",", ":")).encode())


def read_json(path: str | os.PathLike[str], *, kind: str, version: int) -> dict[str, Any]:
    try:
        payload = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise IndexSnapshotError(f"{path}: not a readable {kind} snapshot ({exc})") from exc
    _check_header(path, payload, kind=kind, version=version)
    return payload  # type: ignore[no-any-return]


def _check_header(path: str | os.PathLike[str], header: Any, *, kind: str, version: int) -> None:
    if not isinstance(header, dict) or header.get("format") != kind:
        raise IndexSnapshotError(f"{path}: not a {kind} snapshot")
    if header.get("version") != version:
        raise IndexSnapshotError(
            f"{path}: {kind} snapshot version {header.get('version')!r}, expected {version}"
        )


@contextmanager
def _atomic(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
