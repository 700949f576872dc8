"""haechi's own hashers, run inside a connector process so that media never leaves it.

The CLI builds the hashing service (`bootstrap.local_hashing`, no database) and hands it here; the
connector sees only this small interface. Videos get vPDQ as well when asked (slow: seconds per
minute of video, on the connector's own CPU), besides MD5 and SHA-256.
"""

from __future__ import annotations

from haechi.services.hashing import HashingService


class ServiceHasher:
    def __init__(self, hashing: HashingService, *, video_vpdq: bool = True) -> None:
        self._hashing = hashing
        self._video_vpdq = video_vpdq

    def hash(self, data: bytes, content_type: str) -> dict[str, str]:
        """Hashes by signal type; raises haechi's InvalidInput / UnsupportedMedia on bad files."""
        deferred = self._video_vpdq and content_type == "video"
        result = self._hashing.hash_bytes(data, content_type=content_type, deferred=deferred)
        return result.values()
