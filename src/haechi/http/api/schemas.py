"""Pydantic schemas of haechi's own API (`/api/v1`), layered XCreate / XUpdate / XPublic."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from haechi.domain.banks import Bank, BankContent
from haechi.http.api.video_schemas import VideoMatchPublic


class BankCreate(BaseModel):
    name: str = Field(description="UPPER_WITH_UNDERSCORE")
    matching_enabled_ratio: float = 1.0
    thresholds: dict[str, int] = Field(default_factory=dict, description="per signal type")
    description: str | None = None


class BankUpdate(BaseModel):
    name: str | None = None
    matching_enabled_ratio: float | None = None
    enabled: bool | None = None
    thresholds: dict[str, int] | None = None
    description: str | None = None


class BankPublic(BaseModel):
    name: str
    matching_enabled_ratio: float
    enabled: bool
    thresholds: dict[str, int]
    description: str | None

    @classmethod
    def of(cls, bank: Bank) -> BankPublic:
        return cls(
            name=bank.name,
            matching_enabled_ratio=bank.matching_enabled_ratio,
            enabled=bank.enabled,
            thresholds=bank.thresholds,
            description=bank.description,
        )


class ContentCreate(BaseModel):
    signals: dict[str, str]
    note: str | None = None
    metadata: dict[str, Any] | None = None


class ContentUpdate(BaseModel):
    disable_until_ts: int | None = Field(None, description="0 disabled, 1 enabled, or a time")
    note: str | None = None
    withdrawn: bool | None = Field(None, description="true withdraws the item for good")


class ContentPublic(BaseModel):
    id: int
    bank: str
    signals: dict[str, str]
    enabled: bool
    disable_until_ts: int
    withdrawn: bool
    note: str | None
    metadata: dict[str, Any] | None
    created_at: float
    updated_at: float

    @classmethod
    def of(cls, c: BankContent, now: float) -> ContentPublic:
        return cls(
            id=c.id,
            bank=c.bank_name,
            signals=c.signals,
            enabled=c.enabled_at(now),
            disable_until_ts=c.disable_until_ts,
            withdrawn=c.withdrawn,
            note=c.note,
            metadata=c.metadata,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class ContentPage(BaseModel):
    items: list[ContentPublic]
    total: int
    next_after: int | None = Field(description="pass as `after` for the next page; null at end")


class ImportResult(BaseModel):
    rows: int
    added: int
    skipped_duplicates: int


class HashPublic(BaseModel):
    value: str
    quality: int | None = None


class HashResponse(BaseModel):
    content_type: str
    hashes: dict[str, HashPublic]
    low_quality: list[str] = Field(description="signals below their quality floor: unreliable")


class MatchPublic(BaseModel):
    bank: str
    content_id: int
    distance: int
    transform: str | None = None
    #: vpdq matches: both percentages and the matched time ranges
    video: VideoMatchPublic | None = None


class LookupRequest(BaseModel):
    signal_type: str
    signal: str
    banks: list[str] | None = None


class LookupResponse(BaseModel):
    matches: dict[str, list[MatchPublic]]
    hashes: dict[str, HashPublic] = Field(default_factory=dict)
    low_quality: list[str] = Field(default_factory=list)


class MatchEventPublic(BaseModel):
    at: float
    route: str
    signal_type: str
    query_value: str
    bank: str
    content_id: int
    distance: int
    transform: str | None = Field(None, description="dihedral variant that matched, if any")
