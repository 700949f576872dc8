"""A media store read through fsspec: a local directory tree, an S3-compatible bucket, ...

Listing is recursive and sorted; symbolic links are skipped, so a scan never leaves the tree it was
given nor loops. Reads are bounded (a file past the limit is refused before it is held in memory).
The source pickles as its URL and options, so Ray workers rebuild their own client. Credentials
come from the options or the usual environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL ...), and are
never part of the URL that identifies the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from haechi.domain.errors import FetchFailed, InvalidInput, MediaTooLarge
from haechi.domain.scans import FileRef

_LOCAL = frozenset({"file", "local"})


class FsspecSource:
    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        import fsspec

        if urlsplit(url).password is not None or "@" in urlsplit(url).netloc:
            raise InvalidInput("put credentials in the environment, not in the source URL")
        self._given = url
        self._options = dict(storage_options or {})
        try:
            fs, root = fsspec.core.url_to_fs(url, **self._options)
        except ImportError as e:  # s3fs, gcsfs ... are optional
            raise InvalidInput(
                f"cannot open {url}: {e} (pip install 'haechi[scale]' for s3:// buckets)"
            ) from None
        except ValueError as e:
            raise InvalidInput(f"cannot open {url}: {e}") from None
        self._fs = fs
        self._root: str = root
        protocols = {fs.protocol} if isinstance(fs.protocol, str) else set(fs.protocol)
        self._local = bool(protocols & _LOCAL)

    def __reduce__(self) -> tuple[type[FsspecSource], tuple[str, dict[str, Any]]]:
        return (FsspecSource, (self._given, self._options))

    @property
    def url(self) -> str:
        return self._root if self._local else str(self._fs.unstrip_protocol(self._root))

    def list_files(self) -> Iterator[FileRef]:
        try:
            if not self._fs.exists(self._root):
                raise InvalidInput(f"{self.url} does not exist")
            if self._fs.isfile(self._root):
                yield FileRef(self._root, int(self._fs.size(self._root) or 0))
                return
            found: dict[str, dict[str, Any]] = self._fs.find(
                self._root, withdirs=False, detail=True
            )
        except OSError as e:
            raise FetchFailed(f"cannot list {self.url}: {e}") from None
        for path in sorted(found):
            info = found[path]
            if info.get("islink") or info.get("type", "file") != "file":
                continue
            yield FileRef(path, int(info.get("size") or 0))

    def read(self, path: str, *, max_bytes: int) -> bytes:
        try:
            with self._fs.open(path, "rb") as handle:
                data: bytes = handle.read(max_bytes + 1)
        except Exception as e:  # each backend raises its own types (OSError, botocore ...)
            raise FetchFailed(f"cannot read {path} ({type(e).__name__})") from None
        if len(data) > max_bytes:
            raise MediaTooLarge(f"file is larger than {max_bytes} bytes")
        return data
