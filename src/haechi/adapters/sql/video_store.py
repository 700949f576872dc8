"""SQL store for videos (issue 6): full vPDQ hashes beside their `content_signal` fingerprint.

`content_signal.value` is an indexed 1024-character column; a vPDQ hash is a JSON list of frame
hashes, often far longer. Long values are kept whole in `video_hash` and the signal row holds
`sha256:<hex>` of the value; `fill_long_values` puts the whole value back when content is read,
so every caller sees the real signal. A reported video's vPDQ is kept the same way in
`reported_video_hash`, keyed by the fingerprint its case item holds (`keep_item_hash`), and
`item_values` puts it back when a confirmed item is banked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables import BankContentRow, ChangeRow, ContentSignalRow
from haechi.adapters.sql.tables_cases import CaseItemRow, CaseItemSignalRow
from haechi.adapters.sql.tables_video import ReportedVideoHashRow, VideoHashRow
from haechi.domain.banks import BankContent
from haechi.domain.errors import NotFound
from haechi.domain.video import fingerprint, parse_vpdq

#: longest value `content_signal.value` holds (longer ones are stored here)
SIGNAL_COLUMN_CHARS = 1024


def stored_value(value: str) -> str:
    """What `content_signal.value` holds for a signal value."""
    return value if len(value) <= SIGNAL_COLUMN_CHARS else fingerprint(value)


class SqlVideoStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def save_long(self, content_id: int, signals: Mapping[str, str]) -> None:
        """Keep the whole value of each signal too long for `content_signal` (replacing any)."""
        now = time.time()
        for signal_type, value in signals.items():
            if len(value) <= SIGNAL_COLUMN_CHARS:
                continue
            frames = parse_vpdq(value)
            row = self._session.get(VideoHashRow, (content_id, signal_type))
            if row is None:
                row = VideoHashRow(content_id=content_id, signal_type=signal_type)
                self._session.add(row)
            row.value = value
            row.frame_count = len(frames)
            row.duration_s = max((f.timestamp for f in frames), default=0.0)
            row.created_at = now
        self._session.flush()

    def attach_signal(
        self, content_id: int, signal_type: str, value: str, quality: int | None
    ) -> None:
        """Add (or replace) one signal of existing content, as a change the matchers replay."""
        content = self._session.get(BankContentRow, content_id)
        if content is None:
            raise NotFound(f"content '{content_id}' not found")
        self._session.execute(
            delete(ContentSignalRow).where(
                ContentSignalRow.content_id == content_id,
                ContentSignalRow.signal_type == signal_type,
            )
        )
        self._session.add(
            ContentSignalRow(
                content_id=content_id,
                signal_type=signal_type,
                value=stored_value(value),
                quality=quality,
            )
        )
        self.save_long(content_id, {signal_type: value})
        content.updated_at = time.time()
        self._session.add(ChangeRow(at=time.time(), bank_id=None, content_id=content_id))
        self._session.flush()

    def long_values(self, content_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        if not content_ids:
            return {}
        stmt = select(VideoHashRow).where(VideoHashRow.content_id.in_(list(content_ids)))
        out: dict[int, dict[str, str]] = {}
        for row in self._session.scalars(stmt):
            out.setdefault(row.content_id, {})[row.signal_type] = row.value
        return out

    def delete_for(self, content_ids: Sequence[int]) -> None:
        if content_ids:
            self._session.execute(
                delete(VideoHashRow).where(VideoHashRow.content_id.in_(list(content_ids)))
            )

    def keep_item_hash(self, item_id: int, signal_type: str, value: str) -> str:
        """Add (or replace) a signal of a case item; a long value is kept whole beside it."""
        item = self._session.get(CaseItemRow, item_id)
        if item is None:
            raise NotFound(f"case item '{item_id}' not found")
        stored = stored_value(value)
        if (
            stored != value
            and self._session.get(ReportedVideoHashRow, (signal_type, stored)) is None
        ):
            frames = parse_vpdq(value)
            self._session.add(
                ReportedVideoHashRow(
                    signal_type=signal_type,
                    fingerprint=stored,
                    value=value,
                    frame_count=len(frames),
                    duration_s=max((f.timestamp for f in frames), default=0.0),
                    created_at=time.time(),
                )
            )
        item.signals = {**(item.signals or {}), signal_type: stored}
        self._session.execute(
            delete(CaseItemSignalRow).where(
                CaseItemSignalRow.item_id == item_id, CaseItemSignalRow.signal_type == signal_type
            )
        )
        self._session.add(CaseItemSignalRow(item_id=item_id, signal_type=signal_type, value=stored))
        self._session.flush()
        return stored

    def item_values(self, signals: Mapping[str, str]) -> dict[str, str]:
        """A case item's signals with each fingerprint replaced by the whole value it stands
        for; a fingerprint whose value is not kept is left out (it cannot be matched)."""
        out: dict[str, str] = {}
        for signal_type, value in signals.items():
            if not _is_fp(value):
                out[signal_type] = value
                continue
            row = self._session.get(ReportedVideoHashRow, (signal_type, value))
            if row is not None:
                out[signal_type] = row.value
        return out

    def fill_long_values(self, contents: Sequence[BankContent]) -> list[BankContent]:
        """Replace fingerprints by the whole values they stand for (one query for the batch)."""
        ids = [c.id for c in contents if any(_is_fp(v) for v in c.signals.values())]
        found = self.long_values(ids)
        for content in contents:
            for signal_type, value in found.get(content.id, {}).items():
                if content.signals.get(signal_type) == fingerprint(value):
                    content.signals[signal_type] = value
        return list(contents)


def _is_fp(value: str) -> bool:
    return value.startswith("sha256:")
