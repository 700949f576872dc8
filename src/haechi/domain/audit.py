"""The tamper-evident audit chain: each entry carries the SHA-256 of the one before it.

`entry_hash` is computed over a canonical JSON form of the entry's fields plus the previous hash, so
changing any byte of any entry, removing one, or reordering them breaks every hash after it, and
`verify_chain` says where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What happened, before it is chained."""

    actor: str
    action: str
    resource_type: str
    resource_id: str
    org_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: float
    actor: str
    org_id: int | None
    action: str
    resource_type: str
    resource_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def entry_hash(*, seq: int, at: float, record: AuditRecord, prev_hash: str) -> str:
    body = {
        "seq": seq,
        "at": repr(float(at)),
        "actor": record.actor,
        "org_id": record.org_id,
        "action": record.action,
        "resource_type": record.resource_type,
        "resource_id": record.resource_id,
        "detail": record.detail,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def recompute(entry: AuditEntry) -> str:
    record = AuditRecord(
        actor=entry.actor,
        action=entry.action,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        org_id=entry.org_id,
        detail=entry.detail,
    )
    return entry_hash(seq=entry.seq, at=entry.at, record=record, prev_hash=entry.prev_hash)


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_chain(entries: Iterable[AuditEntry], *, start_hash: str = GENESIS) -> ChainReport:
    """Check order, linkage and every hash; report the first entry where the chain breaks."""
    prev, expected_seq, count = start_hash, None, 0
    for entry in entries:
        count += 1
        if expected_seq is not None and entry.seq != expected_seq:
            return ChainReport(count, False, entry.seq, f"expected entry {expected_seq} next")
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq, "does not link to the entry before it")
        if recompute(entry) != entry.hash:
            return ChainReport(count, False, entry.seq, "content does not match its hash")
        prev, expected_seq = entry.hash, entry.seq + 1
    return ChainReport(count, True)
