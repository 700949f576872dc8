"""Webhook endpoints of the caller's organisation (organisation admins): register, list, rotate
the secret, delete, and see recent deliveries. Secrets are returned only by register and rotate;
see `haechi.domain.webhooks` for how receivers verify signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from haechi.http.api.notice_schemas import (
    DeliveryPublic,
    WebhookCreate,
    WebhookPublic,
    WebhookSecret,
)
from haechi.http.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("", status_code=201, summary="Register an endpoint; its secret is shown once")
def register(services: ServicesDep, principal: PrincipalDep, body: WebhookCreate) -> WebhookSecret:
    endpoint, secret = services.webhooks.register(
        principal, url=body.url, events=[e.value for e in body.events]
    )
    return WebhookSecret(endpoint=WebhookPublic.of(endpoint), secret=secret)


@router.get("", summary="Your organisation's endpoints")
def list_endpoints(services: ServicesDep, principal: PrincipalDep) -> list[WebhookPublic]:
    return [WebhookPublic.of(e) for e in services.webhooks.endpoints(principal)]


@router.post("/{endpoint_id}/rotate", summary="New secret; the old one stops working at once")
def rotate(services: ServicesDep, principal: PrincipalDep, endpoint_id: int) -> WebhookSecret:
    endpoint, secret = services.webhooks.rotate(principal, endpoint_id)
    return WebhookSecret(endpoint=WebhookPublic.of(endpoint), secret=secret)


@router.delete("/{endpoint_id}", status_code=204, summary="Delete an endpoint and its deliveries")
def delete(services: ServicesDep, principal: PrincipalDep, endpoint_id: int) -> None:
    services.webhooks.delete(principal, endpoint_id)


@router.get("/{endpoint_id}/deliveries", summary="Recent deliveries, newest first")
def deliveries(
    services: ServicesDep,
    principal: PrincipalDep,
    endpoint_id: int,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[DeliveryPublic]:
    found = services.webhooks.deliveries(principal, endpoint_id, limit)
    return [DeliveryPublic.of(d) for d in found]
