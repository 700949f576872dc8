"""Publisher-side queries of the federation store: grants, the publication log, feedback."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from haechi.adapters.sql import federation_rows as rows
from haechi.adapters.sql.tables_federation import (
    ExchangeCursorRow,
    ExchangeFeedbackRow,
    ExchangeGrantRow,
    ExchangeLogRow,
    ExchangePublishedRow,
)
from haechi.domain.errors import Conflict
from haechi.domain.federation import FeedbackCounts, FeedOp, Verdict
from haechi.services.ports_federation import FeedbackStat, FeedEntry, Grant, Published


class PublisherQueries:
    _s: Session

    # -- grants ---------------------------------------------------------------------------------
    def add_grant(self, *, org_id: int, bank_id: int, regions: tuple[str, ...], at: float) -> Grant:
        row = ExchangeGrantRow(org_id=org_id, bank_id=bank_id, regions=list(regions), created_at=at)
        self._s.add(row)
        try:
            self._s.flush()
        except IntegrityError:
            raise Conflict("this organisation already has a grant on this bank") from None
        return rows.grant(row)

    def delete_grant(self, grant_id: int) -> bool:
        row = self._s.get(ExchangeGrantRow, grant_id)
        if row is None:
            return False
        self._s.delete(row)
        return True

    def grants(self, *, org_id: int | None = None, bank_id: int | None = None) -> list[Grant]:
        stmt = select(ExchangeGrantRow).order_by(ExchangeGrantRow.id)
        if org_id is not None:
            stmt = stmt.where(ExchangeGrantRow.org_id == org_id)
        if bank_id is not None:
            stmt = stmt.where(ExchangeGrantRow.bank_id == bank_id)
        return [rows.grant(r) for r in self._s.scalars(stmt)]

    # -- publication log ------------------------------------------------------------------------
    def publish_cursor(self) -> tuple[int, dict[int, float]]:
        row = self._s.scalar(select(ExchangeCursorRow).with_for_update())
        if row is None:
            row = ExchangeCursorRow(id=1, seq=0, gaps={})
            self._s.add(row)
            self._s.flush()
        return row.seq, {int(seq): float(at) for seq, at in (row.gaps or {}).items()}

    def set_publish_cursor(self, seq: int, gaps: Mapping[int, float]) -> None:
        stored = {str(n): at for n, at in sorted(gaps.items())}  # JSON object keys are strings
        self._s.execute(update(ExchangeCursorRow).values(seq=seq, gaps=stored))

    def published(self, content_ids: Sequence[int]) -> dict[int, Published]:
        if not content_ids:
            return {}
        stmt = select(ExchangePublishedRow).where(
            ExchangePublishedRow.content_id.in_(list(content_ids))
        )
        return {r.content_id: rows.published(r) for r in self._s.scalars(stmt)}

    def published_active_in_bank(self, bank_id: int) -> list[Published]:
        stmt = select(ExchangePublishedRow).where(
            ExchangePublishedRow.bank_id == bank_id, ExchangePublishedRow.active.is_(True)
        )
        return [rows.published(r) for r in self._s.scalars(stmt)]

    def append_log(self, op: FeedOp, item: Published, *, at: float) -> int:
        log = ExchangeLogRow(
            op=op.value,
            content_id=item.content_id,
            bank_id=item.bank_id,
            signals=dict(item.signals),
            regions=list(item.regions),
            at=at,
        )
        self._s.add(log)
        state = self._s.get(ExchangePublishedRow, item.content_id)
        if state is None:
            state = ExchangePublishedRow(content_id=item.content_id)
            self._s.add(state)
        state.bank_id = item.bank_id
        state.active = op is FeedOp.ADD
        state.signals = dict(item.signals)
        state.regions = list(item.regions)
        self._s.flush()
        return log.seq

    def log_page(self, *, bank_ids: Sequence[int], after_seq: int, limit: int) -> list[FeedEntry]:
        if not bank_ids:
            return []
        stmt = (
            select(ExchangeLogRow)
            .where(ExchangeLogRow.seq > after_seq, ExchangeLogRow.bank_id.in_(list(bank_ids)))
            .order_by(ExchangeLogRow.seq)
            .limit(limit)
        )
        return [rows.entry(r) for r in self._s.scalars(stmt)]

    def log_head(self) -> int:
        return int(self._s.scalar(select(func.max(ExchangeLogRow.seq))) or 0)

    # -- feedback received ----------------------------------------------------------------------
    def set_feedback(self, *, org_id: int, content_id: int, verdict: Verdict, at: float) -> None:
        row = self._s.scalar(
            select(ExchangeFeedbackRow).where(
                ExchangeFeedbackRow.org_id == org_id, ExchangeFeedbackRow.content_id == content_id
            )
        )
        if row is None:
            row = ExchangeFeedbackRow(org_id=org_id, content_id=content_id)
            self._s.add(row)
        row.verdict = verdict.value
        row.at = at
        self._s.flush()

    def feedback_stats(self, bank_ids: Sequence[int], *, limit: int) -> list[FeedbackStat]:
        stmt = (
            select(ExchangeFeedbackRow.content_id, ExchangeFeedbackRow.verdict, func.count())
            .join(
                ExchangePublishedRow,
                ExchangePublishedRow.content_id == ExchangeFeedbackRow.content_id,
            )
            .where(ExchangePublishedRow.bank_id.in_(list(bank_ids)))
            .group_by(ExchangeFeedbackRow.content_id, ExchangeFeedbackRow.verdict)
        )
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for content_id, verdict, n in self._s.execute(stmt).all():
            counts[int(content_id)][str(verdict)] = int(n)
        ranked = sorted(counts, key=lambda c: (-counts[c].get("false_positive", 0), c))[:limit]
        states = self.published(ranked)
        return [
            FeedbackStat(
                content_id=cid,
                bank_id=states[cid].bank_id,
                signals=states[cid].signals,
                counts=FeedbackCounts(**counts[cid]),
            )
            for cid in ranked
        ]
