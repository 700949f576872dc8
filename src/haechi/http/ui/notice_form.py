"""Web UI form for sending a takedown notice (regulators and trusted flaggers).

Items are pasted one per line into four boxes — hashes (`pdq:<hex>`), URLs, message links,
rooms/channels — because that is how analysts hold them: as lists from a case. A custom SLA in the
form is elapsed hours; other rules (end of business day in a zone, …) are available over the API.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from haechi.domain.cases import ItemStatus
from haechi.domain.errors import Forbidden, InvalidInput, NotFound
from haechi.domain.notices import ItemKind, NewItem, NoticeDraft
from haechi.domain.sla import NAMED, Deadline, Rule, SlaPolicy, resolve_policy
from haechi.domain.tenancy import Principal
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.notices import can_send
from haechi.http.ui.shell import CsrfDep, UiPrincipalDep, render

router = APIRouter(prefix="/ui/notices", include_in_schema=False)
POLICIES = [*NAMED, "custom"]


class NoticeForm(BaseModel):
    platform: str = ""
    policy: str = "kcsc_24h"
    legal_ground: str = ""
    hashes: str = ""
    urls: str = ""
    links: str = ""
    rooms: str = ""
    case_id: str = ""
    note: str = ""
    ack_hours: str = "1"
    act_hours: str = "24"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def items_of(form: NoticeForm) -> tuple[NewItem, ...]:
    items = []
    for line in _lines(form.hashes):
        parts = re.split(r"[:\s]+", line, maxsplit=1)
        if len(parts) != 2 or not parts[1]:
            raise InvalidInput(
                f"write hashes as signal_type:value, e.g. pdq:<64 hex> ({line[:40]})"
            )
        items.append(NewItem(ItemKind.HASH, parts[1], parts[0].lower()))
    items += [NewItem(ItemKind.URL, v) for v in _lines(form.urls)]
    items += [NewItem(ItemKind.MESSAGE_LINK, v) for v in _lines(form.links)]
    items += [NewItem(ItemKind.ROOM, v) for v in _lines(form.rooms)]
    return tuple(items)


def policy_of(form: NoticeForm, zone: str) -> SlaPolicy:
    if form.policy != "custom":
        return resolve_policy(form.policy)
    try:
        ack, act = float(form.ack_hours), float(form.act_hours)
    except ValueError:
        raise InvalidInput("custom SLA: hours must be numbers") from None
    return SlaPolicy(
        "custom",
        ack=Deadline(Rule.ELAPSED, seconds=round(ack * 3600)),
        act=Deadline(Rule.ELAPSED, seconds=round(act * 3600)),
        zone=zone,
    )


def draft_of(form: NoticeForm, zone: str, case_id: int | None = None) -> NoticeDraft:
    return NoticeDraft(
        platform=form.platform,
        legal_ground=form.legal_ground,
        policy=policy_of(form, zone),
        items=items_of(form),
        case_id=case_id,
        note=form.note or None,
    )


def case_id_of(services: AppServices, principal: Principal, number: str) -> int | None:
    """The case an analyst names by its number (HC-…), as shown everywhere in the UI."""
    number = number.strip()
    if not number:
        return None
    try:
        return services.review.case(principal, number).case.id
    except NotFound:
        raise InvalidInput(f"no case {number} that you can see") from None


def prefilled(services: AppServices, principal: Principal, number: str) -> NoticeForm:
    """A notice form listing a case's confirmed items: hashes, URLs and message links."""
    view = services.review.case(principal, number)
    confirmed = [i for i in view.items if i.status is ItemStatus.CONFIRMED_ILLEGAL]
    return NoticeForm(
        case_id=view.case.number,
        hashes="\n".join(f"{k}:{v}" for i in confirmed for k, v in sorted(i.signals.items())),
        urls="\n".join(i.url for i in confirmed if i.url),
        links="\n".join(i.chat_link for i in confirmed if i.chat_link),
    )


def _page(
    request: Request,
    services: AppServices,
    principal: Principal,
    form: NoticeForm,
    error: str | None = None,
) -> HTMLResponse:
    if not can_send(principal):
        raise Forbidden("only regulators and trusted flaggers send takedown notices")
    page = render(
        request,
        services,
        "notices_new.html",
        principal,
        form=form,
        platforms=services.notices.platforms(principal),
        policies=POLICIES,
        error=error,
    )
    page.status_code = 400 if error else 200
    return page


@router.get("/new")
def new_notice(
    request: Request, services: ServicesDep, principal: UiPrincipalDep, case: str | None = None
) -> HTMLResponse:
    form = prefilled(services, principal, case) if case else NoticeForm()
    return _page(request, services, principal, form)


@router.post("/new")
def send_notice(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    _csrf: CsrfDep,
    form: Annotated[NoticeForm, Form()],
) -> Response:
    zone = next((o.timezone for o in services.auth.orgs() if o.id == principal.org_id), "UTC")
    try:
        case_id = case_id_of(services, principal, form.case_id)
        notice = services.notices.send(principal, draft_of(form, zone, case_id))
    except InvalidInput as e:
        return _page(request, services, principal, form, error=e.message)
    return RedirectResponse(f"/ui/notices/{notice.id}", status_code=303)
