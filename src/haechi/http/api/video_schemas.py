"""JSON shapes of video matches (vPDQ): both percentages and the matched time ranges."""

from __future__ import annotations

from pydantic import BaseModel, Field

from haechi.domain.video import TimeRange, VideoMatch


class TimeRangePublic(BaseModel):
    start: float = Field(description="seconds from the start of the video")
    end: float

    @classmethod
    def of(cls, r: TimeRange) -> TimeRangePublic:
        return cls(start=r.start, end=r.end)


class VideoMatchPublic(BaseModel):
    query_match_percent: float = Field(
        description="share of the query video's frames found in the banked video"
    )
    indexed_match_percent: float = Field(
        description="share of the banked video's frames found in the query video"
    )
    query_ranges: list[TimeRangePublic] = Field(description="where the query matches")
    indexed_ranges: list[TimeRangePublic] = Field(description="where the banked video matches")
    query_frames: int = Field(description="unique usable frames of the query compared")
    indexed_frames: int = Field(description="unique usable frames of the banked video compared")

    @classmethod
    def of(cls, m: VideoMatch | None) -> VideoMatchPublic | None:
        if m is None:
            return None
        return cls(
            query_match_percent=m.query_match_percent,
            indexed_match_percent=m.indexed_match_percent,
            query_ranges=[TimeRangePublic.of(r) for r in m.query_ranges],
            indexed_ranges=[TimeRangePublic.of(r) for r in m.indexed_ranges],
            query_frames=m.query_frames,
            indexed_frames=m.indexed_frames,
        )


class BankedVideoPublic(BaseModel):
    content_id: int
    bank: str
    signals: dict[str, str] = Field(description="exact digests now; vpdq once the job is done")
    job_id: int = Field(description="the video.hash job computing vPDQ")
    status: str = "hashing"
