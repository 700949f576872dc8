"""Request and response shapes of the exchange API (publisher feed, grants, sources, review)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from haechi.domain.federation import FeedOp
from haechi.services.federation_publish import FeedPage, GrantView
from haechi.services.ports_federation import FeedbackStat, ImportRecord, Source


class FeedbackItem(BaseModel):
    id: str = Field(max_length=64, description="the feed item id the verdict is about")
    verdict: str = Field(description="confirmed, false_positive, blocked or not_blocked")


class FeedbackIn(BaseModel):
    items: list[FeedbackItem] = Field(min_length=1, max_length=1000)


class GrantIn(BaseModel):
    org: str = Field(description="the subscribing organisation's name")
    bank: str
    regions: list[str] | None = Field(None, description="ISO 3166 codes; empty: everywhere")


class SourceIn(BaseModel):
    name: str
    kind: str = "haechi"
    url: str = ""
    bank: str
    trust_mode: str = "review"
    poll_interval_s: float = 300.0
    token: str | None = Field(None, description="stored sealed; never shown again")
    token_env: str | None = Field(None, description="or the variable holding the token")
    flood_per_hour: int | None = None
    public_key_pem: str | None = None
    config: dict[str, Any] | None = None


class SourceUpdate(BaseModel):
    trust_mode: str | None = None
    enabled: bool | None = None
    flood_per_hour: int | None = None
    poll_interval_s: float | None = None


class DecideIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=1000)
    approve: bool


class VerdictIn(BaseModel):
    verdict: str


def feed_public(page: FeedPage, since: str | None) -> dict[str, Any]:
    return {
        "since": since or "",
        "items": [
            {
                "id": str(entry.content_id),
                "op": entry.op.value,
                "bank": bank,
                "signals": entry.signals if entry.op is FeedOp.ADD else {},
                "regions": list(entry.regions),
                "confirmed_at": entry.at,
                "checkpoint": f"hx1.{entry.seq}",
            }
            for entry, bank in page.entries
        ],
        "checkpoint": page.checkpoint,
        "more": page.more,
    }


def grant_public(view: GrantView) -> dict[str, Any]:
    g = view.grant
    return {"id": g.id, "org": view.org_name, "bank": view.bank_name, "regions": list(g.regions)}


def source_public(s: Source) -> dict[str, Any]:
    return {
        "name": s.name,
        "kind": s.kind.value,
        "url": s.url,
        "trust_mode": s.trust_mode.value,
        "poll_interval_s": s.poll_interval_s,
        "token": "env:" + s.token_env if s.token_env else ("sealed" if s.token_sealed else None),
        "flood_per_hour": s.flood_per_hour,
        "signed": s.public_key_pem is not None,
        "enabled": s.enabled,
        "checkpoint": s.checkpoint,
        "next_poll_at": s.next_poll_at,
        "last_polled_at": s.last_polled_at,
        "last_error": s.last_error,
    }


def import_public(r: ImportRecord, source: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": source,
        "remote_id": r.remote_id,
        "content_id": r.content_id,
        "state": r.state.value,
        "quarantined": r.quarantined,
        "signals": r.signals,
        "received_at": r.received_at,
        "decided_at": r.decided_at,
        "decided_by": r.decided_by,
    }


def stat_public(stat: FeedbackStat, bank: str) -> dict[str, Any]:
    c = stat.counts
    return {
        "id": str(stat.content_id),
        "bank": bank,
        "signals": stat.signals,
        "confirmed": c.confirmed,
        "false_positive": c.false_positive,
        "blocked": c.blocked,
        "not_blocked": c.not_blocked,
        "total": c.total,
        "misfire_rate": c.misfire_rate,
    }
