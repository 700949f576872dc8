"""SQL storage of webhook endpoints and the delivery outbox.

Deliveries are written in the same transaction as the event that caused them (an outbox), so a
notice is never committed without its webhook, nor a webhook sent for a rolled-back notice.
Workers take a due delivery with a conditional update (`claim`), so two workers never send it
twice at the same time.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from haechi.adapters.sql.tables_notices import WebhookDeliveryRow, WebhookEndpointRow
from haechi.domain.webhooks import Delivery, DeliveryStatus, Event, WebhookEndpoint


def _endpoint(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        org_id=row.org_id,
        url=row.url,
        events=frozenset(Event(e) for e in row.events),
        nonce=row.secret_nonce,
        created_at=row.created_at,
    )


def _delivery(row: WebhookDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event=Event(row.event),
        payload=row.payload,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


class SqlWebhookStore:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add_endpoint(
        self, *, org_id: int, url: str, events: frozenset[Event], nonce: str, at: float
    ) -> WebhookEndpoint:
        row = WebhookEndpointRow(
            org_id=org_id,
            url=url,
            events=sorted(e.value for e in events),
            secret_nonce=nonce,
            created_at=at,
        )
        self._s.add(row)
        self._s.flush()
        return _endpoint(row)

    def endpoints(self, org_id: int) -> list[WebhookEndpoint]:
        stmt = (
            select(WebhookEndpointRow)
            .where(WebhookEndpointRow.org_id == org_id)
            .order_by(WebhookEndpointRow.id)
        )
        return [_endpoint(r) for r in self._s.scalars(stmt)]

    def get_endpoint(self, endpoint_id: int) -> WebhookEndpoint | None:
        row = self._s.get(WebhookEndpointRow, endpoint_id)
        return None if row is None else _endpoint(row)

    def set_nonce(self, endpoint_id: int, nonce: str) -> None:
        row = self._s.get(WebhookEndpointRow, endpoint_id)
        if row is not None:
            row.secret_nonce = nonce
            self._s.flush()

    def delete_endpoint(self, endpoint_id: int) -> None:
        self._s.execute(
            delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == endpoint_id)
        )
        self._s.execute(delete(WebhookEndpointRow).where(WebhookEndpointRow.id == endpoint_id))

    def add_delivery(self, *, endpoint_id: int, event: Event, payload: str, at: float) -> int:
        row = WebhookDeliveryRow(
            endpoint_id=endpoint_id,
            event=event.value,
            payload=payload,
            attempts=0,
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=at,
            created_at=at,
        )
        self._s.add(row)
        self._s.flush()
        return row.id

    def due(self, now: float, limit: int) -> list[Delivery]:
        stmt = (
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.status == DeliveryStatus.PENDING.value)
            .where(WebhookDeliveryRow.next_attempt_at <= now)
            .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
            .limit(limit)
        )
        return [_delivery(r) for r in self._s.scalars(stmt)]

    def claim(self, delivery_id: int, *, seen_next: float, lease_until: float) -> bool:
        result = self._s.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery_id)
            .where(WebhookDeliveryRow.status == DeliveryStatus.PENDING.value)
            .where(WebhookDeliveryRow.next_attempt_at == seen_next)
            .values(next_attempt_at=lease_until)
        )
        return bool(getattr(result, "rowcount", 0))

    def save_delivery(self, delivery: Delivery) -> None:
        self._s.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery.id)
            .values(
                status=delivery.status.value,
                attempts=delivery.attempts,
                next_attempt_at=delivery.next_attempt_at,
                last_error=delivery.last_error,
                delivered_at=delivery.delivered_at,
            )
        )

    def deliveries(self, endpoint_id: int, *, limit: int) -> list[Delivery]:
        stmt = (
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.endpoint_id == endpoint_id)
            .order_by(WebhookDeliveryRow.id.desc())
            .limit(limit)
        )
        return [_delivery(r) for r in self._s.scalars(stmt)]
