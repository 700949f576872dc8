"""Hashing use case: turn uploaded or fetched bytes into signals for a content type.

Hashing never stores the media: bytes are hashed in memory and dropped. Callers that hold the media
elsewhere (a victim's own device) can skip this entirely and submit hashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from haechi.domain.errors import InvalidInput, MediaTooLarge, UnsupportedMedia
from haechi.domain.signals import HashOutput, SignalRegistry, SignalType
from haechi.services.ports import UrlFetcher


@dataclass(frozen=True, slots=True)
class HashResult:
    content_type: str
    hashes: dict[str, HashOutput]
    #: signal types whose quality is below their `min_quality`: reported, not silently matched
    low_quality: list[str] = field(default_factory=list)
    #: PDQ of the 8 rotations/flips (original first), when asked for
    dihedral: list[HashOutput] = field(default_factory=list)

    def values(self) -> dict[str, str]:
        return {name: out.value for name, out in self.hashes.items()}


class HashingService:
    def __init__(
        self, *, registry: SignalRegistry, fetcher: UrlFetcher, max_upload_bytes: int
    ) -> None:
        self._registry = registry
        self._fetcher = fetcher
        self._max_upload_bytes = max_upload_bytes

    def select_signal_types(
        self, content_type: str, requested: str | None
    ) -> dict[str, type[SignalType]]:
        """HMA's `types=` parameter: a comma-separated subset of the content type's signals."""
        available = self._registry.hashers_for(content_type)
        if requested is None:
            return available
        chosen: dict[str, type[SignalType]] = {}
        for raw in requested.split(","):
            name = raw.strip()
            if not name:
                continue
            if name not in available:
                raise InvalidInput(f"signal type '{name}' doesn't exist or is disabled")
            chosen[name] = available[name]
        if not chosen:
            raise InvalidInput("empty signal type selection")
        return chosen

    def hash_bytes(
        self,
        data: bytes,
        *,
        content_type: str,
        types: str | None = None,
        dihedral: bool = False,
        deferred: bool = False,
    ) -> HashResult:
        """Hash `data`; slow (`deferred`) signal types such as vpdq only when `deferred` is set
        (a background job or the CLI), never for a request."""
        if len(data) > self._max_upload_bytes:
            raise MediaTooLarge(f"upload exceeds {self._max_upload_bytes} bytes")
        if not data:
            raise UnsupportedMedia("empty file")
        selected = self.select_signal_types(content_type, types)
        if not deferred:
            slow = [k for k, st in selected.items() if st.deferred]
            if slow and len(slow) == len(selected):
                raise InvalidInput(
                    f"{', '.join(slow)} is computed in a background job, not in a request: add "
                    "the video to a bank (POST /api/v1/banks/<name>/videos), or hash it locally "
                    "(haechi hash -t video --vpdq) and look the hash up"
                )
            selected = {k: st for k, st in selected.items() if not st.deferred}
        result = self._hash_with(data, content_type, selected.values())
        pdq = selected.get("pdq")
        dihedral_hasher = getattr(pdq, "hash_dihedral", None)
        if dihedral and dihedral_hasher is not None:
            result.dihedral.extend(dihedral_hasher(data))
        return result

    def hash_url(
        self,
        url: str,
        *,
        content_type: str | None = None,
        types: str | None = None,
        dihedral: bool = False,
    ) -> HashResult:
        content_type, data = self.fetch(url, content_type=content_type)
        return self.hash_bytes(data, content_type=content_type, types=types, dihedral=dihedral)

    def fetch(self, url: str, *, content_type: str | None = None) -> tuple[str, bytes]:
        """(content type name, bytes) of the media at `url` (SSRF-guarded, size-limited)."""
        fetched = self._fetcher.fetch(url)
        if content_type is None:
            ct = self._registry.content_type_for_mime(fetched.content_type)
            if ct is None:
                raise InvalidInput(
                    f"unsupported url ContentType: '{fetched.content_type}', if you know the "
                    "expected type, provide it with the content_type query param"
                )
            content_type = ct.name
        return content_type, fetched.data

    def _hash_with(
        self, data: bytes, content_type: str, signal_types: Iterable[type[SignalType]]
    ) -> HashResult:
        hashes: dict[str, HashOutput] = {}
        low: list[str] = []
        for st in signal_types:
            hasher = getattr(st, "hash_bytes", None)
            if hasher is None:
                continue
            out: HashOutput = hasher(data)
            hashes[st.name] = out
            floor = st.min_quality
            if floor is not None and out.quality is not None and out.quality < floor:
                low.append(st.name)
        return HashResult(content_type=content_type, hashes=hashes, low_quality=low)
