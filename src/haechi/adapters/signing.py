"""The instance's Ed25519 evidence-signing key, on disk, and offline signature checks.

The key is generated on first use and written as unencrypted PKCS#8 PEM with 0600 permissions,
created exclusively so two processes starting at once cannot overwrite each other's key; a key
file readable by others is refused. Verification needs only the public key (PEM), never the
database: `haechi evidence verify` runs on any machine.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from haechi.domain.errors import InvalidInput


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


class FileKeySigner:
    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._key: Ed25519PrivateKey | None = None

    def _private(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = self._load() if self._path.exists() else self._create()
        return self._key

    def _create(self) -> Ed25519PrivateKey:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self._load()
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key

    def _load(self) -> Ed25519PrivateKey:
        if stat.S_IMODE(self._path.stat().st_mode) & 0o077:
            raise InvalidInput(f"{self._path}: signing key must not be readable by others (0600)")
        key = serialization.load_pem_private_key(self._path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"{self._path}: not an Ed25519 private key")
        return key

    @property
    def key_id(self) -> str:
        return key_id_of(self._private().public_key())

    def sign(self, data: bytes) -> bytes:
        return self._private().sign(data)

    def public_key_pem(self) -> bytes:
        return (
            self._private()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


class PublicKey:
    """An Ed25519 public key from PEM, for checking packages offline."""

    def __init__(self, pem: bytes) -> None:
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError:
            raise InvalidInput("not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InvalidInput("not an Ed25519 public key")
        self._key = key
        self.key_id = key_id_of(key)

    def check(self, data: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True
