"""Ports for hotline threads and evidence packages: the thread store and the signing key.

Kept apart from `ports` to keep each module short; `ports.UnitOfWork.hotline` is a `HotlineStore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from haechi.domain.hotline import AttachmentRef, Message, MessageDraft, Receipt, Via

if TYPE_CHECKING:  # ports imports this module for `UnitOfWork.hotline`
    from haechi.services.ports import MatchEvent


class HotlineStore(Protocol):
    """Messages, read receipts, and the case-scoped reads evidence packages need.

    Never commits: the unit of work does. Callers check participation before reading a thread.
    """

    def add_message(
        self,
        *,
        case_id: int,
        from_org_id: int,
        author: str,
        draft: MessageDraft,
        via: Via,
        at: float,
        reply_due_at: float | None,
        sender_email: str | None = None,
        attachments: Sequence[AttachmentRef] = (),
    ) -> Message: ...
    def messages(self, case_id: int) -> list[Message]: ...
    def mark_read(self, *, message_ids: Sequence[int], org_id: int, reader: str, at: float) -> int:
        """Record receipts for messages not yet read by `reader`; returns how many were new."""

    def receipts(self, case_id: int) -> list[Receipt]: ...
    def notice_ids_for_case(self, case_id: int) -> list[int]: ...
    def match_events_for(self, content_ids: Sequence[int], *, limit: int) -> list[MatchEvent]:
        """Lookups that hit any of these bank content ids, oldest first."""


class Signer(Protocol):
    """The instance's evidence signing key (Ed25519)."""

    @property
    def key_id(self) -> str:
        """SHA-256 (hex) of the raw public key: names the key in manifests."""

    def sign(self, data: bytes) -> bytes: ...
    def public_key_pem(self) -> bytes: ...
