"""An SMTP receiver (aiosmtpd) for the hotline's e-mail bridge.

It binds only to the configured host and port (127.0.0.1 by default: put a real MTA with
SPF/DKIM checks in front of it), refuses recipients outside the hotline domain at RCPT time, and
hands each accepted message to the bridge, answering 550 when the bridge refuses it. aiosmtpd is
an optional dependency: `pip install 'haechi[mail]'`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from haechi.services.hotline_mail import MailOutcome

MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class Bridge(Protocol):
    def accepts_recipient(self, recipient: str) -> bool: ...
    def receive(self, *, envelope_from: str, recipient: str, raw: bytes) -> MailOutcome: ...


class _Handler:
    def __init__(self, bridge: Bridge) -> None:
        self._bridge = bridge

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not self._bridge.accepts_recipient(address):
            return "550 5.1.1 not a hotline address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        refused = []
        for recipient in envelope.rcpt_tos:
            # the bridge writes to the database: keep it off the SMTP event loop
            outcome = await asyncio.to_thread(
                self._bridge.receive,
                envelope_from=str(envelope.mail_from or ""),
                recipient=recipient,
                raw=data,
            )
            if not outcome.accepted:
                refused.append(outcome.reason)
        if refused:
            return f"550 5.7.1 {refused[0]}"
        return "250 OK message accepted"


def mail_receiver(bridge: Bridge, *, host: str, port: int) -> Any:
    """An unstarted aiosmtpd Controller (`.start()` / `.stop()`) bound to host:port only."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError("the e-mail bridge needs aiosmtpd: pip install 'haechi[mail]'") from None
    return Controller(_Handler(bridge), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
