"""Uploaded media on the local disk, addressed by SHA-256 (the default blob store).

Files live under `<root>/<first two hex>/<sha256>`, written to a temporary name and renamed, so a
reader never sees half a file. Keys are checked to be 64 hex characters before they touch a path,
so no key can reach outside the root. The store never serves anything itself: the HTTP layer asks
the review service, which checks the caller's rights and audits the read.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from haechi.domain.errors import NotFound

_KEY = re.compile(r"[0-9a-f]{64}")


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (mode 0600) via a temporary name: no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self._root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise NotFound("no such media")
        return self._root / key[:2] / key

    def put(self, data: bytes) -> tuple[str, bool]:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists():
            return key, False
        write_private(path, data)
        return key, True

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("no such media") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
