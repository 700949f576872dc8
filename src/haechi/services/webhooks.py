"""Webhook endpoints and signed delivery: platforms hear of new notices, senders of outcomes.

Use cases put events in the outbox with `enqueue` inside their own unit of work; `deliver_due`
(run by the `haechi webhooks deliver` loop, or the server's background thread) sends what is due,
signed as `haechi.domain.webhooks` describes, and retries failures with backoff. Payloads are
thin — ids, counts and due times, never the listed hashes or URLs — so a receiver fetches the
notice itself with its token, and that read is audited like any other.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from haechi.domain.audit import AuditRecord
from haechi.domain.errors import HaechiError, InvalidInput, NotFound
from haechi.domain.tenancy import Permission, Principal
from haechi.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    Delivery,
    DeliveryStatus,
    Event,
    WebhookEndpoint,
    backoff,
    derive_secret,
    sign,
)
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory

MAX_ENDPOINTS = 10


class WebhookSender(Protocol):
    """Posts bytes to a receiver through the SSRF guard. Raises HaechiError on refusal or
    transport failure; returns the HTTP status otherwise (redirects are not followed)."""

    def check(self, url: str) -> None: ...
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int: ...


def enqueue(
    uow: UnitOfWork, *, org_id: int, event: Event, data: Mapping[str, Any], at: float
) -> int:
    """Queue `event` for every endpoint of `org_id` that wants it; returns how many."""
    body = json.dumps(
        {"event": event.value, "occurred_at": at, "data": dict(data)},
        sort_keys=True,
        separators=(",", ":"),
    )
    queued = 0
    for endpoint in uow.webhooks.endpoints(org_id):
        if endpoint.wants(event):
            uow.webhooks.add_delivery(endpoint_id=endpoint.id, event=event, payload=body, at=at)
            queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


class WebhookService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        sender: WebhookSender,
        key: bytes,
        now: Callable[[], float] = time.time,
        max_attempts: int = 12,
        require_https: bool = False,
        lease_s: float = 120.0,
    ) -> None:
        self._uow = uow_factory
        self._sender = sender
        self._key = key
        self._now = now
        self._max_attempts = max_attempts
        self._require_https = require_https
        self._lease_s = lease_s

    # -- endpoints (organisation admins) -----------------------------------------------------------
    def register(
        self, principal: Principal, *, url: str, events: list[str]
    ) -> tuple[WebhookEndpoint, str]:
        """A new endpoint for the caller's organisation and its secret (shown only now)."""
        principal.require(Permission.ORG_ADMIN)
        url, wanted = self._check_url(url), _events(events)
        with self._uow() as uow:
            if len(uow.webhooks.endpoints(principal.org_id)) >= MAX_ENDPOINTS:
                raise InvalidInput(f"at most {MAX_ENDPOINTS} webhook endpoints per organisation")
            endpoint = uow.webhooks.add_endpoint(
                org_id=principal.org_id,
                url=url,
                events=wanted,
                nonce=secrets.token_hex(16),
                at=self._now(),
            )
            record(uow, principal, "webhook.register", "webhook_endpoint", endpoint.id, url=url)
        return endpoint, self._secret(endpoint)

    def endpoints(self, principal: Principal) -> list[WebhookEndpoint]:
        principal.require(Permission.ORG_ADMIN)
        with self._uow() as uow:
            found = uow.webhooks.endpoints(principal.org_id)
            record(uow, principal, "webhook.list", "webhook_endpoint", "-", count=len(found))
        return found

    def rotate(self, principal: Principal, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
        """Draw a new nonce: the old secret stops working at once."""
        with self._uow() as uow:
            self._own(uow, principal, endpoint_id)
            uow.webhooks.set_nonce(endpoint_id, secrets.token_hex(16))
            record(uow, principal, "webhook.rotate", "webhook_endpoint", endpoint_id)
            endpoint = uow.webhooks.get_endpoint(endpoint_id)
        assert endpoint is not None
        return endpoint, self._secret(endpoint)

    def delete(self, principal: Principal, endpoint_id: int) -> None:
        with self._uow() as uow:
            self._own(uow, principal, endpoint_id)
            uow.webhooks.delete_endpoint(endpoint_id)
            record(uow, principal, "webhook.delete", "webhook_endpoint", endpoint_id)

    def deliveries(self, principal: Principal, endpoint_id: int, limit: int = 50) -> list[Delivery]:
        with self._uow() as uow:
            self._own(uow, principal, endpoint_id)
            found = uow.webhooks.deliveries(endpoint_id, limit=min(max(limit, 1), 500))
            record(uow, principal, "webhook.deliveries", "webhook_endpoint", endpoint_id)
        return found

    def _own(self, uow: UnitOfWork, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
        principal.require(Permission.ORG_ADMIN)
        endpoint = uow.webhooks.get_endpoint(endpoint_id)
        if endpoint is None or endpoint.org_id != principal.org_id:
            raise NotFound(f"webhook endpoint {endpoint_id} not found")
        return endpoint

    def _check_url(self, url: str) -> str:
        url = url.strip()
        scheme = urlsplit(url).scheme
        if len(url) > 2048 or scheme not in ("http", "https"):
            raise InvalidInput("a webhook URL is an http(s) URL of at most 2048 characters")
        if self._require_https and scheme != "https":
            raise InvalidInput("webhook URLs must use https")
        self._sender.check(url)
        return url

    def _secret(self, endpoint: WebhookEndpoint) -> str:
        return derive_secret(self._key, endpoint.id, endpoint.nonce)

    # -- delivery (background) ----------------------------------------------------------------
    def deliver_due(self, limit: int = 50) -> DeliveryRun:
        """Send every due delivery (up to `limit`); safe to run in several workers at once."""
        claimed = self._claim(limit)
        counts = {s: 0 for s in DeliveryStatus}
        for delivery, endpoint in claimed:
            outcome = self._attempt(delivery, endpoint)
            counts[outcome.status] += 1
            with self._uow() as uow:
                uow.webhooks.save_delivery(outcome)
                if outcome.status is not DeliveryStatus.PENDING:
                    entry = AuditRecord(
                        actor="system:webhooks",
                        action=f"webhook.{outcome.status}",
                        resource_type="webhook_delivery",
                        resource_id=str(outcome.id),
                        org_id=endpoint.org_id if endpoint else None,
                        detail={"event": outcome.event.value, "attempts": outcome.attempts},
                    )
                    uow.audit.append(entry)
        return DeliveryRun(
            counts[DeliveryStatus.DELIVERED],
            counts[DeliveryStatus.PENDING],
            counts[DeliveryStatus.FAILED],
        )

    def _claim(self, limit: int) -> list[tuple[Delivery, WebhookEndpoint | None]]:
        now = self._now()
        with self._uow() as uow:
            taken = []
            for d in uow.webhooks.due(now, limit):
                lease = now + self._lease_s
                if uow.webhooks.claim(d.id, seen_next=d.next_attempt_at, lease_until=lease):
                    taken.append((d, uow.webhooks.get_endpoint(d.endpoint_id)))
        return taken

    def _attempt(self, delivery: Delivery, endpoint: WebhookEndpoint | None) -> Delivery:
        attempts = delivery.attempts + 1
        error = self._post(delivery, endpoint) if endpoint else "endpoint was deleted"
        now = self._now()
        if error is None:
            return replace(
                delivery,
                status=DeliveryStatus.DELIVERED,
                attempts=attempts,
                delivered_at=now,
                last_error=None,
            )
        give_up = attempts >= self._max_attempts or endpoint is None
        return replace(
            delivery,
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=error[:500],
        )

    def _post(self, delivery: Delivery, endpoint: WebhookEndpoint) -> str | None:
        """None when the receiver took it (2xx); otherwise what went wrong (never the secret)."""
        body = delivery.payload.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secret(endpoint), int(self._now()), body),
            DELIVERY_HEADER: str(delivery.id),
            EVENT_HEADER: delivery.event.value,
        }
        try:
            status = self._sender.post(endpoint.url, body, headers)
        except HaechiError as e:
            return e.message
        return None if 200 <= status < 300 else f"receiver answered HTTP {status}"


def _events(values: list[str]) -> frozenset[Event]:
    try:
        return frozenset(Event(v) for v in values)
    except ValueError:
        raise InvalidInput(f"events must be among {[e.value for e in Event]}") from None
