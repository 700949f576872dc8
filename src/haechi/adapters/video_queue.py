"""Uploaded videos waiting for their hashing job, on the local disk (one file per upload).

Unlike the content-addressed blob store, every upload gets its own random key, so two uploads of
the same video (to two banks) never share a file that the first job to finish would delete.
Files are private (0600), written to a temporary name and renamed; keys are checked to be 64 hex
characters before they touch a path.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from haechi.adapters.blobs import write_private
from haechi.domain.errors import NotFound

_KEY = re.compile(r"[0-9a-f]{64}")


class LocalVideoQueue:
    def __init__(self, root: Path) -> None:
        self._root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise NotFound("no such queued video")
        return self._root / key

    def put(self, data: bytes) -> tuple[str, bool]:
        key = secrets.token_hex(32)
        write_private(self._path(key), data)
        return key, True

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("no such queued video") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
