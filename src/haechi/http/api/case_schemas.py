"""Pydantic schemas of the report and case API (`/api/v1/reports`, `/api/v1/cases`).

Shapes only: the values themselves are checked by the domain (`domain.reports`, `domain.decisions`)
so the API, the web form and the CLI refuse the same things with the same words.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from haechi.domain.cases import CaseItem, CaseSummary, MatchEvidence, Report
from haechi.domain.decisions import Decision
from haechi.domain.reports import MAX_ITEMS
from haechi.services.reporter import PublicStatus
from haechi.services.reporter_progress import PictureProgress
from haechi.services.review import CaseView


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["hash", "url", "chat_link"] = Field(
        description="files are sent as multipart uploads (field `file`)"
    )
    url: str | None = None
    chat_link: str | None = None
    signals: dict[str, str] = Field(default_factory=dict, description="e.g. {'pdq': '…'}")


class ReportCreate(BaseModel):
    """DSA Art. 16 notice: explanation, exact location, optional contact, good faith."""

    model_config = ConfigDict(extra="forbid")

    reporter_kind: str = Field(description="victim, public, regulator, police, trusted_flagger")
    explanation: str | None = None
    good_faith: StrictBool = False
    channel: str | None = None
    platform: str | None = None
    room: str | None = None
    description: str | None = None
    exact_location: str | None = None
    contact: str | None = None
    recipient: str | None = Field(None, description="organisation to report to (public only)")
    items: list[ItemCreate] = Field(default_factory=list, max_length=MAX_ITEMS)


class MatchPublic(BaseModel):
    bank: str
    content_id: int
    signal_type: str
    distance: int

    @classmethod
    def of(cls, e: MatchEvidence) -> MatchPublic:
        return cls(**e.as_dict())


class ReceiptPublic(BaseModel):
    case_number: str
    pin: str = Field(description="shown once: keep it to check the status or withdraw")
    items: int
    #: only for organisations' tokens (a public reporter learns nothing about banks or cases)
    attached: bool | None = None
    matches: list[list[MatchPublic]] | None = None


class PinBody(BaseModel):
    case_number: str
    pin: str


class PictureProgressPublic(BaseModel):
    """One picture's progress: yes/no answers and a count, never a bank's or platform's name."""

    status: str
    received: bool
    reviewed: bool
    hashes_active: bool
    platforms_matched: int
    removed: bool

    @classmethod
    def of(cls, p: PictureProgress) -> PictureProgressPublic:
        return cls(
            status=p.status.value,
            received=p.received,
            reviewed=p.reviewed,
            hashes_active=p.hashes_active,
            platforms_matched=p.platforms_matched,
            removed=p.removed,
        )


class StatusPublic(BaseModel):
    case_number: str
    status: str
    submitted_at: str
    items: list[str]
    pictures: list[PictureProgressPublic]

    @classmethod
    def of(cls, s: PublicStatus) -> StatusPublic:
        return cls(
            case_number=s.case_number,
            status=s.report_status.value,
            submitted_at=iso(s.submitted_at),
            items=[i.value for i in s.items],
            pictures=[PictureProgressPublic.of(p) for p in s.pictures],
        )


class CaseSummaryPublic(BaseModel):
    number: str
    status: str
    priority: int
    reporter_kinds: list[str]
    items: int
    undecided: int
    matched: bool
    created_at: str

    @classmethod
    def of(cls, s: CaseSummary) -> CaseSummaryPublic:
        return cls(
            number=s.case.number,
            status=s.case.status.value,
            priority=int(s.case.priority),
            reporter_kinds=[k.value for k in s.reporter_kinds],
            items=s.items,
            undecided=s.undecided,
            matched=s.matched,
            created_at=iso(s.case.created_at),
        )


def report_json(r: Report) -> dict[str, Any]:
    f = r.fields
    return {
        "id": r.id,
        "status": r.status.value,
        "reporter_kind": f.reporter_kind.value,
        "channel": f.channel.value,
        "platform": f.platform,
        "room": f.room,
        "description": f.description,
        "explanation": f.explanation,
        "exact_location": f.exact_location,
        "contact": f.contact,
        "good_faith": f.good_faith,
        "created_at": iso(r.created_at),
    }


def item_json(i: CaseItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "report_id": i.report_id,
        "kind": i.kind.value,
        "status": i.status.value,
        "url": i.url,
        "chat_link": i.chat_link,
        "signals": i.signals,
        "has_media": i.media_key is not None,
        "media_type": i.media_type,
        "matches": [e.as_dict() for e in i.evidence],
        "bank_content_id": i.bank_content_id,
    }


class DecisionPublic(BaseModel):
    id: int
    item_id: int
    outcome: str
    actor: str
    bank: str | None
    bank_content_id: int | None
    note: str | None
    statement_of_reasons: dict[str, Any] | None
    created_at: str

    @classmethod
    def of(cls, d: Decision) -> DecisionPublic:
        return cls(
            id=d.id,
            item_id=d.item_id,
            outcome=d.outcome.value,
            actor=d.actor,
            bank=d.bank_name,
            bank_content_id=d.bank_content_id,
            note=d.note,
            statement_of_reasons=d.statement_of_reasons,
            created_at=iso(d.created_at),
        )


class CaseDetail(BaseModel):
    case: CaseSummaryPublic
    shared_with: list[int]
    reports: list[dict[str, Any]]
    items: list[dict[str, Any]]
    decisions: list[DecisionPublic]

    @classmethod
    def of(cls, view: CaseView) -> CaseDetail:
        return cls(
            case=CaseSummaryPublic.of(view.summary()),
            shared_with=sorted(view.case.shared_with),
            reports=[report_json(r) for r in view.reports],
            items=[item_json(i) for i in view.items],
            decisions=[DecisionPublic.of(d) for d in view.decisions],
        )


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["confirm_illegal", "not_illegal", "escalate"]
    bank: str | None = Field(None, description="confirmations only: add the item's hashes here")
    note: str | None = Field(None, description="required unless confirming")
    statement_of_reasons: dict[str, Any] = Field(
        default_factory=dict,
        description="DSA Transparency Database fields; unset ones get haechi's defaults",
    )


class ShareBody(BaseModel):
    org: str
