"""Signed webhooks: the signature scheme, how secrets are derived, and the retry schedule.

Signature. Every delivery carries `X-Haechi-Signature: t=<unix seconds>,v1=<hex>`, where hex is
HMAC-SHA256(secret, f"{t}.{body}") over the exact bytes of the JSON body. A receiver verifies it
with `verify_signature` (or the same few lines in any language): recompute the HMAC over
`t + "." + raw body`, compare in constant time, and refuse a `t` more than 5 minutes from its own
clock — a captured request cannot be replayed later. `X-Haechi-Delivery` is a unique id per
delivery (the same across retries): receivers drop ids they have already processed.

Secrets. A secret is derived, not stored: HMAC-SHA256(server key, "haechi-webhook:<id>:<nonce>"),
where the server key comes from the settings (`HAECHI_WEBHOOK_SECRET_KEY`) and only the random
nonce is in the database. A copy of the database alone therefore yields no secret, and nothing
secret is ever logged. The secret is shown once, when the endpoint is registered or rotated;
rotating draws a new nonce. Changing the server key changes every secret (rotate all endpoints).

Retries. A failed attempt n is retried after `backoff(n)`: 30 s doubling up to 6 h, without jitter
so that tests and operators can predict it; after the last attempt the delivery is marked failed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

SIGNATURE_HEADER = "X-Haechi-Signature"
DELIVERY_HEADER = "X-Haechi-Delivery"
EVENT_HEADER = "X-Haechi-Event"
TOLERANCE_S = 300
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 6 * 3600.0


class Event(StrEnum):
    #: to the platform: a notice addressed to it was sent
    NOTICE_CREATED = "notice.created"
    #: to the sender: the platform acknowledged a notice
    NOTICE_ACKNOWLEDGED = "notice.acknowledged"
    #: to the sender: the platform reported item outcomes
    NOTICE_OUTCOME = "notice.outcome"
    #: to the sender (its supervisor): a notice went unanswered past its act deadline and grace
    NOTICE_ESCALATED = "notice.escalated"
    #: to the platform: a (verified) law-enforcement request reached it
    LE_REQUEST_RECEIVED = "le_request.received"
    #: to the platform: an emergency request (threat to life or safety) — page someone now
    LE_REQUEST_EMERGENCY = "le_request.emergency"
    #: to the police: the platform answered a request
    LE_REQUEST_ANSWERED = "le_request.answered"
    #: to the police: a preservation hold expires soon and may be renewed once
    LE_PRESERVATION_EXPIRING = "le_request.preservation_expiring"
    #: to a case owner: a flagged room pointed its members to another room (issue 8)
    ROOM_MIGRATION = "room.migration"
    #: to a subscriber: hashes from an exchange source wait for review (review mode)
    EXCHANGE_REVIEW = "exchange.review_needed"
    #: to a subscriber: a notify-only source sent hashes (recorded, not matched)
    EXCHANGE_NOTIFY = "exchange.notified"
    #: to a subscriber: a burst from one source went over its flood limit and was quarantined
    EXCHANGE_FLOOD = "exchange.flood_quarantined"
    #: to a case owner: a routing rule with action `notify` matched an item's detector signals
    CASE_ROUTED = "case.routed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: int
    org_id: int
    url: str
    #: events delivered here; empty means every event
    events: frozenset[Event]
    nonce: str
    created_at: float

    def wants(self, event: Event) -> bool:
        return not self.events or event in self.events


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    endpoint_id: int
    event: Event
    #: the exact JSON body, fixed when the event happened so retries sign the same bytes
    payload: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: float
    created_at: float
    last_error: str | None = None
    delivered_at: float | None = None


def derive_secret(key: bytes, endpoint_id: int, nonce: str) -> str:
    digest = hmac.new(key, f"haechi-webhook:{endpoint_id}:{nonce}".encode(), hashlib.sha256)
    return "whsec_" + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: float, tolerance_s: float = TOLERANCE_S
) -> bool:
    """What a receiver does: check the HMAC and refuse stale (replayed) timestamps."""
    parts: dict[str, list[str]] = {}
    for piece in header.split(","):
        key, _, value = piece.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    return float(min(BACKOFF_BASE_S * 2 ** min(max(attempt - 1, 0), 30), BACKOFF_CAP_S))
