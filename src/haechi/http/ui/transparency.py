"""Web UI for transparency reports: pick an organisation and a period, read the report on the page,
download it as CSV, PDF or JSON.

The same rules as `GET /api/v1/transparency` apply (domain.transparency.check_may_report): an
organisation's admins, analysts and auditors see their own organisation's report, a regulator's
admins and analysts any organisation's. The form's days are UTC and both ends are included (the
API's `to` is the day after the last); the page opens on the last calendar month. Opening the page
makes no report: one is made (and audited) only when the form is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from haechi.domain.errors import Forbidden, InvalidInput, NotFound, NotReady
from haechi.domain.tenancy import OrgKind, Permission, Principal, Role
from haechi.domain.transparency import Period, check_may_report
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.errors import status_for
from haechi.http.ui.shell import NavEntry, UiPrincipalDep, nav_entry, render
from haechi.services.transparency import TransparencyService

router = APIRouter(prefix="/ui/transparency", include_in_schema=False)
#: the files offered under the report, in the order most people want them
DOWNLOADS = ("csv", "pdf", "json")
_ANY_ORG_ROLES = frozenset({Role.ADMIN, Role.ANALYST})


def may_report(principal: Principal) -> bool:
    """Whether the person may make their own organisation's report (and so see the page)."""
    try:
        check_may_report(principal, principal.org_id)
    except Forbidden:
        return False
    return True


def may_choose_org(principal: Principal) -> bool:
    return principal.org_kind is OrgKind.REGULATOR and bool(principal.roles & _ANY_ORG_ROLES)


nav_entry(
    NavEntry(
        "Transparency",
        "/ui/transparency",
        Permission.CASES_READ,
        "transparency reports for a period: figures, charts, CSV and PDF",
        visible=may_report,
    )
)


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the calendar month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


@dataclass(frozen=True, slots=True)
class Choice:
    """What the form asked for, as typed (shown back unchanged when it is wrong)."""

    org: str
    first: str
    last: str

    def period(self) -> Period:
        try:
            end = date.fromisoformat(self.last) + timedelta(days=1)
        except ValueError:
            raise InvalidInput("the first and last day must be dates written YYYY-MM-DD") from None
        return Period.parse(self.first, end.isoformat())

    def query(self, fmt: str) -> str:
        return urlencode({"org": self.org, "first": self.first, "last": self.last, "format": fmt})


def _service(services: AppServices) -> TransparencyService:
    if services.transparency is None:
        raise NotReady("transparency reports are not configured on this server")
    return services.transparency


def _org_names(services: AppServices, principal: Principal) -> tuple[str, list[str]]:
    """The caller's own organisation's name and the names they may choose from."""
    orgs = services.auth.orgs()
    own = next((o.name for o in orgs if o.id == principal.org_id), "")
    if may_choose_org(principal):
        return own, sorted((o.name for o in orgs), key=str.casefold)
    return own, [own]


def _choice(
    services: AppServices,
    principal: Principal,
    org: str | None,
    first: str | None,
    last: str | None,
) -> tuple[Choice, list[str], str | None]:
    """The form's values (defaults filled in), the organisations offered, and the org to report on
    (None: the caller's own)."""
    own, names = _org_names(services, principal)
    start, end = last_month(datetime.now(UTC).date())
    choice = Choice(org or own, first or start.isoformat(), last or end.isoformat())
    target = None if choice.org == own else choice.org
    if target is not None and not may_choose_org(principal):
        raise Forbidden("transparency reports of other organisations are a regulator's")
    return choice, names, target


@router.get("")
def transparency_page(
    request: Request,
    services: ServicesDep,
    principal: UiPrincipalDep,
    org: Annotated[str | None, Query(max_length=200)] = None,
    first: Annotated[str | None, Query(max_length=20)] = None,
    last: Annotated[str | None, Query(max_length=20)] = None,
    fmt: Annotated[str, Query(alias="format", max_length=10)] = "html",
) -> Response:
    if not may_report(principal):
        raise Forbidden("transparency reports need an admin, analyst or auditor")
    choice, names, target = _choice(services, principal, org, first, last)
    asked = first is not None or last is not None
    if asked and fmt != "html":
        return _download(services, principal, choice, target, fmt)
    report, error, status = None, None, 200
    if asked:
        try:
            rendered = _service(services).render(
                principal, org=target, period=choice.period(), fmt="html"
            )
            report = rendered.data.decode()
        except (InvalidInput, NotFound, NotReady) as e:
            error, status = e.message, status_for(e)
    page = render(
        request, services, "transparency.html", principal,
        choice=choice, orgs=names, report=report, error=error, downloads=DOWNLOADS,
        can_choose=may_choose_org(principal),
    )  # fmt: skip
    page.status_code = status
    return page


def _slug(name: str) -> str:
    """An organisation's name fit for a file name (ASCII: header values are Latin-1)."""
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    return "-".join(part for part in kept.split("-") if part) or "org"


def _download(
    services: AppServices, principal: Principal, choice: Choice, target: str | None, fmt: str
) -> Response:
    rendered = _service(services).render(principal, org=target, period=choice.period(), fmt=fmt)
    filename = rendered.filename.replace("transparency-", f"transparency-{_slug(choice.org)}-", 1)
    return Response(
        rendered.data,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
