"""AES-GCM sealing of face templates: bound to the enrolment, tamper-evident, key rotation, and
the development key file's permissions."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from haechi.adapters.faces.cipher import AesGcmTemplateCipher, file_key, key_id_of, parse_key
from haechi.domain.errors import InvalidInput
from haechi.services.ports_faces import SealedTemplate

PLAIN = bytes(range(256)) * 2
AAD = b"haechi/face-template/v1/enrolment:1"


def test_seal_and_open_with_the_enrolment_bound() -> None:
    cipher = AesGcmTemplateCipher(os.urandom(32))
    sealed = cipher.seal(PLAIN, aad=AAD)
    assert PLAIN not in sealed.ciphertext and len(sealed.nonce) == 12
    assert cipher.open(sealed, aad=AAD) == PLAIN
    assert cipher.seal(PLAIN, aad=AAD).nonce != sealed.nonce
    with pytest.raises(ValueError, match="authenticate"):
        cipher.open(sealed, aad=b"haechi/face-template/v1/enrolment:2")
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(ValueError, match="authenticate"):
        cipher.open(SealedTemplate(flipped, sealed.nonce, sealed.key_id), aad=AAD)


def test_rotation_keeps_old_templates_readable_until_resealed() -> None:
    old, new = os.urandom(32), os.urandom(32)
    sealed = AesGcmTemplateCipher(old).seal(PLAIN, aad=AAD)
    with pytest.raises(ValueError, match="unknown key"):
        AesGcmTemplateCipher(new).open(sealed, aad=AAD)
    rotated = AesGcmTemplateCipher(new, previous=[old])
    assert rotated.open(sealed, aad=AAD) == PLAIN
    assert rotated.seal(PLAIN, aad=AAD).key_id == key_id_of(new) != sealed.key_id


def test_keys_parse_from_base64_of_32_bytes() -> None:
    key = os.urandom(32)
    assert parse_key(base64.b64encode(key).decode()) == key
    assert parse_key(base64.urlsafe_b64encode(key).decode()) == key
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(InvalidInput, match="face template key"):
            parse_key(bad)


def test_the_development_key_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "var" / "face.key"
    cipher = AesGcmTemplateCipher(lambda: file_key(path))
    assert not path.exists()  # created on first use only
    sealed = cipher.seal(PLAIN, aad=AAD)
    assert path.stat().st_mode & 0o777 == 0o600
    assert AesGcmTemplateCipher(file_key(path)).open(sealed, aad=AAD) == PLAIN
    path.chmod(0o644)
    with pytest.raises(InvalidInput, match="readable by others"):
        file_key(path)
