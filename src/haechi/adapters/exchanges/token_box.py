"""Source tokens sealed at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
`HAECHI_EXCHANGE_SECRET_KEY` setting, so a copy of the database alone yields no token."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from haechi.domain.errors import HaechiError

CONTEXT = b"haechi-exchange-token:v1:"


class FernetTokenBox:
    def __init__(self, secret: str) -> None:
        digest = hashlib.sha256(CONTEXT + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise HaechiError(
                "cannot open a stored source token: was HAECHI_EXCHANGE_SECRET_KEY changed?"
            ) from None
