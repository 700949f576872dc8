"""Tables for video (vPDQ) frame hashes (issue 6).

A vPDQ hash holds one PDQ hash per sampled frame: tens of kilobytes for a long video, more than
`content_signal.value` (indexed, 1024 characters) can hold. The full serialized hash lives here,
one row per content item and signal type, and `content_signal` keeps a fixed-length fingerprint
(`sha256:<hex>` of the value) so duplicate checks and the change feed work as for any signal.
`reported_video_hash` does the same for reported videos: a case item's signals hold the
fingerprint, the whole vPDQ (computed by the `video.report_item` job) is kept here, keyed by that
fingerprint, so a confirmed item is banked with its vPDQ.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from haechi.adapters.sql.tables import Base, BigId


class VideoHashRow(Base):
    __tablename__ = "video_hash"

    content_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("bank_content.id", ondelete="CASCADE"), primary_key=True
    )
    signal_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the canonical serialized hash (threatexchange's JSON list of "pdq,quality,seconds")
    value: Mapped[str] = mapped_column(Text)
    frame_count: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class ReportedVideoHashRow(Base):
    """The whole vPDQ hash of a reported video, keyed by the fingerprint its case item holds."""

    __tablename__ = "reported_video_hash"

    signal_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: `sha256:<hex>` of `value`, as in `case_item.signals` and `case_item_signal.value`
    fingerprint: Mapped[str] = mapped_column(String(71), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    frame_count: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
