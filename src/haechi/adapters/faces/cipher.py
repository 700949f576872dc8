"""AES-256-GCM for face templates at rest, and where its key comes from.

Each template is sealed under a fresh 96-bit random nonce with the enrolment id as associated
data, so a ciphertext copied onto another enrolment's row does not open. The key id (first 16 hex
digits of SHA-256 of the key) is stored with each row; earlier keys can be kept for decryption
while `haechi faces rekey` re-seals every template under the current key (docs/face-matching.md).

Keys: production takes HAECHI_FACE_TEMPLATE_KEY (base64 of 32 bytes) and refuses to start without
it (config.py). Elsewhere, without that setting, a key file is generated under var/ (0600, created
exclusively, refused when readable by others), like the evidence-signing key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from haechi.domain.errors import InvalidInput
from haechi.services.ports_faces import SealedTemplate

KEY_BYTES = 32
NONCE_BYTES = 12


def parse_key(text: str) -> bytes:
    """A base64 (standard or URL-safe) key of exactly 32 bytes."""
    try:
        key = base64.b64decode(text.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("face template key must be base64") from None
    if len(key) != KEY_BYTES:
        raise InvalidInput(f"face template key must be {KEY_BYTES} bytes (base64 of 32 bytes)")
    return key


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"haechi-face-template-key:" + key).hexdigest()[:16]


def file_key(path: Path) -> bytes:
    """The key in `path`, created (0600, exclusively) on first use."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return file_key(path)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(key).decode() + "\n")
        return key
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise InvalidInput(f"{path}: face template key must not be readable by others (0600)")
    return parse_key(path.read_text())


class AesGcmTemplateCipher:
    """`key` is the key itself, or a function giving it on first use (a key file is then only
    created when a template is first sealed or opened)."""

    def __init__(self, key: bytes | Callable[[], bytes], *, previous: Iterable[bytes] = ()) -> None:
        self._source = key
        self._previous = tuple(previous)
        self._keys: dict[str, AESGCM] | None = None
        self._key_id = ""

    def _ready(self) -> dict[str, AESGCM]:
        if self._keys is None:
            key = self._source if isinstance(self._source, bytes) else self._source()
            if len(key) != KEY_BYTES:
                raise ValueError("AES-256-GCM needs a 32-byte key")
            keys = {key_id_of(k): AESGCM(k) for k in self._previous}
            self._key_id = key_id_of(key)
            keys[self._key_id] = AESGCM(key)
            self._keys = keys
        return self._keys

    @property
    def key_id(self) -> str:
        self._ready()
        return self._key_id

    def seal(self, plaintext: bytes, *, aad: bytes) -> SealedTemplate:
        current = self._ready()[self._key_id]
        nonce = os.urandom(NONCE_BYTES)
        return SealedTemplate(current.encrypt(nonce, plaintext, aad), nonce, self._key_id)

    def open(self, sealed: SealedTemplate, *, aad: bytes) -> bytes:
        aead = self._ready().get(sealed.key_id)
        if aead is None:
            raise ValueError(f"face template sealed under unknown key {sealed.key_id}")
        try:
            return aead.decrypt(sealed.nonce, sealed.ciphertext, aad)
        except InvalidTag:
            raise ValueError("face template does not authenticate (altered or moved)") from None
