"""Cryptographic digest signal types (md5, sha256): exact matching of byte-identical files.

They catch re-uploads of the very same file cheaply and are what many hotlines and platforms still
exchange. Validation and distance come from the domain's `HexDigestSignal`; this adapter adds the
hashing, which is just hashlib over the raw bytes (no decoding, so no size limits apply here).
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from haechi.domain.signals import HashOutput, HexDigestSignal


class Md5Signal(HexDigestSignal):
    """MD5 of the file's bytes. Broken for collisions, kept because banks are exchanged in it."""

    name: ClassVar[str] = "md5"
    hex_length: ClassVar[int] = 32

    @classmethod
    def hash_bytes(cls, data: bytes) -> HashOutput:
        return HashOutput(value=hashlib.md5(data, usedforsecurity=False).hexdigest())


class Sha256Signal(HexDigestSignal):
    """SHA-256 of the file's bytes."""

    name: ClassVar[str] = "sha256"
    hex_length: ClassVar[int] = 64

    @classmethod
    def hash_bytes(cls, data: bytes) -> HashOutput:
        return HashOutput(value=hashlib.sha256(data).hexdigest())
