"""Signal types and content types as plugins, the way python-threatexchange models them.

A *signal type* is a kind of hash (pdq, md5, sha256 ...). It knows how to validate a hash string,
how far apart two hashes are, and which distance counts as a match by default. Hashing itself lives
in adapters (it needs image libraries); a signal type that can hash bytes also implements
`BytesHasher`. A *content type* (photo, video ...) names the signal types that apply to it.

Every plugin declares its `name` explicitly: names are part of the wire format and must never change
because a class was renamed.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from haechi.domain.errors import InvalidInput, InvalidSignal


@dataclass(frozen=True, slots=True)
class HashOutput:
    """A computed hash, with the hasher's own quality estimate where it has one (PDQ: 0-100)."""

    value: str
    quality: int | None = None


#: names of PDQ's 8 dihedral variants (rotations and flips), in the order pdqhash computes them
DIHEDRAL_ORDER: tuple[str, ...] = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)


class SignalType(ABC):
    """A kind of hash. Subclasses set the class variables and implement `validate`/`distance`."""

    name: ClassVar[str]
    #: distance at or below which two hashes match, unless a bank overrides it
    default_threshold: ClassVar[int] = 0
    #: largest threshold a bank may configure (the index is built to serve up to this exactly)
    max_threshold: ClassVar[int] = 0
    #: quality below which a computed hash is reported as unreliable rather than matched silently
    min_quality: ClassVar[int | None] = None
    #: hashing is slow (video): computed in a background job, never inside a request
    deferred: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def validate(cls, value: str) -> str:
        """Return the canonical form of `value` or raise InvalidSignal."""

    @classmethod
    @abstractmethod
    def distance(cls, a: str, b: str) -> int:
        """Distance between two canonical hashes (0 means identical)."""

    @classmethod
    def matches(cls, a: str, b: str, threshold: int | None = None) -> bool:
        limit = cls.default_threshold if threshold is None else threshold
        return cls.distance(a, b) <= limit


@runtime_checkable
class BytesHasher(Protocol):
    """Capability: compute this signal from the raw bytes of a file."""

    @classmethod
    def hash_bytes(cls, data: bytes) -> HashOutput: ...


class HexDigestSignal(SignalType):
    """Exact-match cryptographic digests written as lowercase hex of a fixed length."""

    hex_length: ClassVar[int]

    @classmethod
    def validate(cls, value: str) -> str:
        if not isinstance(value, str):
            raise InvalidSignal(f"{cls.name} hash must be a string")
        canonical = value.strip().lower()
        if len(canonical) != cls.hex_length or not _HEX.fullmatch(canonical):
            raise InvalidSignal(f"{cls.name} hash must be {cls.hex_length} hexadecimal characters")
        return canonical

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return 0 if cls.validate(a) == cls.validate(b) else 1


_HEX = re.compile(r"[0-9a-f]+")


def hamming_hex(a: str, b: str) -> int:
    """Hamming distance between two equal-length hex strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


class ContentType(ABC):
    """A kind of content (photo, video ...). Declares which signal types apply to it."""

    name: ClassVar[str]
    signal_types: ClassVar[tuple[str, ...]]
    #: MIME type prefixes that identify this content type when a URL says what it serves
    mime_prefixes: ClassVar[tuple[str, ...]] = ()


class SignalRegistry:
    """The set of enabled signal and content types, built once in bootstrap."""

    def __init__(
        self, signal_types: list[type[SignalType]], content_types: list[type[ContentType]]
    ) -> None:
        self._signals = {st.name: st for st in signal_types}
        self._contents = {ct.name: ct for ct in content_types}
        if len(self._signals) != len(signal_types) or len(self._contents) != len(content_types):
            raise ValueError("duplicate plugin name")

    @property
    def signal_types(self) -> dict[str, type[SignalType]]:
        return dict(self._signals)

    @property
    def content_types(self) -> dict[str, type[ContentType]]:
        return dict(self._contents)

    def signal_type(self, name: str) -> type[SignalType]:
        try:
            return self._signals[name]
        except KeyError:
            raise InvalidInput(f"No such SignalType '{name}'") from None

    def content_type(self, name: str) -> type[ContentType]:
        try:
            return self._contents[name]
        except KeyError:
            raise InvalidInput(f"no such content_type: '{name}'") from None

    def content_type_for_mime(self, mime: str) -> type[ContentType] | None:
        lowered = mime.lower()
        for ct in self._contents.values():
            if any(lowered.startswith(p) for p in ct.mime_prefixes):
                return ct
        return None

    def hashers_for(self, content_type: str) -> dict[str, type[SignalType]]:
        ct = self.content_type(content_type)
        return {n: self._signals[n] for n in ct.signal_types if n in self._signals}
