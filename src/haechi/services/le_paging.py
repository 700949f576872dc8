"""What the outside world hears of a law-enforcement request: webhook summaries and pages.

Summaries are thin — ids, type, status and due times, never the named accounts or the records
supplied — so a receiver fetches the request with its token, and that read is audited. The e-mail
page for an emergency says the same and links to the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from haechi.domain.errors import HaechiError
from haechi.domain.le_requests import RequestType
from haechi.domain.le_responses import LeRequest
from haechi.domain.tenancy import Role
from haechi.domain.webhooks import Event
from haechi.services.audit import record
from haechi.services.ports import UnitOfWork, UnitOfWorkFactory
from haechi.services.ports_le import Mailer
from haechi.services.webhooks import enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Mail:
    request_id: int
    to: tuple[str, ...]
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Page:
    """What to do once the transaction committed: wake the webhook loop, send an e-mail."""

    queued: int
    mail: Mail | None


def summary(request: LeRequest) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "type": request.type.value,
        "status": request.status.value,
        "urgency": request.urgency.value,
        "police": request.police_org,
        "platform": request.platform_org,
        "targets": len(request.targets),
        "submitted_at": request.submitted_at,
        "received_at": request.received_at,
        "due_at": request.due_at,
        "closed_at": request.closed_at,
        "url": f"/api/v1/le-requests/{request.id}",
    }


def _utc(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def page_for(request: LeRequest, recipients: list[str]) -> Mail:
    subject = f"[haechi] EMERGENCY law-enforcement request #{request.id} from {request.police_org}"
    body = "\n".join(
        [
            "An emergency disclosure request (threat to life or safety) reached "
            f"{request.platform_org}.",
            f"Request #{request.id}: {len(request.targets)} target(s), due {_utc(request.due_at)}.",
            f"Agency: {request.agency}. Officer: {request.officer} ({request.officer_email}).",
            "Open it in haechi (sign in): /ui/le-requests/" + str(request.id),
            "Answering needs your attestation that you reviewed the emergency basis.",
        ]
    )
    return Mail(request.id, tuple(sorted(set(recipients))), subject, body)


def deliver(uow: UnitOfWork, request: LeRequest, now: float) -> Page:
    """The platform hears of a request it can now see; an emergency also pages its agents."""
    data = summary(request)
    to = request.platform_org_id
    queued = enqueue(uow, org_id=to, event=Event.LE_REQUEST_RECEIVED, data=data, at=now)
    if request.type is not RequestType.EMERGENCY:
        return Page(queued, None)
    queued += enqueue(uow, org_id=to, event=Event.LE_REQUEST_EMERGENCY, data=data, at=now)
    agents = [
        u.email for u in uow.tenancy.list_users(to) if u.active and Role.PLATFORM_AGENT in u.roles
    ]
    return Page(queued, page_for(request, agents))


class Dispatcher:
    """Runs after a commit: wakes the webhook loop and sends the e-mail page, auditing it."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        mailer: Mailer,
        on_enqueue: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._mailer = mailer
        self._on_enqueue = on_enqueue

    def after(self, page: Page | None) -> None:
        if page is None:
            return
        if page.queued and self._on_enqueue is not None:
            self._on_enqueue()
        mail = page.mail
        if mail is None or not mail.to:
            return
        try:
            self._mailer.send(to=mail.to, subject=mail.subject, body=mail.body)
            outcome = "le_request.paged"
        except (HaechiError, OSError) as e:
            log.warning("emergency page by e-mail failed: %s", e)
            outcome = "le_request.page_failed"
        with self._uow() as uow:
            record(uow, None, outcome, "le_request", mail.request_id, recipients=len(mail.to))
