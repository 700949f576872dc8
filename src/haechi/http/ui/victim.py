"""The public victim pages: hash pictures on the device, report only the hashes, follow or withdraw.

No account is needed. The pictures never reach the server: `victim_hash.html` loads
`static/js/victim.js`, which decodes and hashes each file in the browser (PDQ, MD5, SHA-256) and
posts JSON with hashes alone to `POST /victim/reports` (checked by `victim_report`). The report is
filed through the intake service like any other; the answer is a case number and a PIN, shown once.
With them the status page (plain forms, no script needed) shows progress and withdraws.

Every public route passes the abuse guard first (`services.public_guard`): reports and pictures
per source, and status or withdrawal attempts per source; the reporter service adds its own lock
after five wrong PINs for a case number. Answers never say whether a hash matched a bank or was
already reported (that would let anyone test hashes against the banks), and pages that carry a
PIN are never cached.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from haechi.domain.errors import InvalidInput, NotFound, RateLimited
from haechi.http.api.reports import client_address
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.ui.shell import render
from haechi.http.ui.victim_report import read_report, to_report_input
from haechi.http.ui.victim_text import (
    HELPLINES,
    PLATFORMS,
    TEXT,
    choose_language,
    script_text,
)
from haechi.services.reporter import PublicStatus

router = APIRouter(prefix="/victim", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}

#: status-page errors: (text key, HTTP status)
_ERRORS: list[tuple[type[Exception], str, int]] = [
    (RateLimited, "error_rate", 429),
    (NotFound, "error_not_found", 404),
    (InvalidInput, "error_input", 400),
]


def _page(
    request: Request,
    services: AppServices,
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    page = render(
        request,
        services,
        template,
        None,
        lang=lang,
        here="/victim" if template == "victim_hash.html" else "/victim/status",
        t=TEXT[lang],
        script_text=script_text(lang),
        platforms=PLATFORMS,
        helplines=HELPLINES,
        **context,
    )
    page.status_code = status_code
    page.headers.update(NO_STORE)
    return page


@router.get("", response_class=HTMLResponse)
def hash_page(request: Request, services: ServicesDep, lang: str | None = None) -> HTMLResponse:
    chosen = choose_language(lang, request.headers.get("accept-language"))
    return _page(request, services, "victim_hash.html", chosen)


@router.post("/reports")
async def submit(request: Request, services: ServicesDep) -> JSONResponse:
    """File a victim's report from hashes alone; answers the case number and the PIN, once."""
    report = await read_report(request)
    filed = to_report_input(report, services.registry)
    bulk = services.public_guard.admit_report(client_address(request), len(filed.items))
    filed = replace(filed, bulk_source=bulk)
    receipt = await run_in_threadpool(services.intake.submit, filed)
    body = {"case_number": receipt.case_number, "pin": receipt.pin, "items": len(filed.items)}
    return JSONResponse(body, status_code=201, headers=NO_STORE)


@router.get("/status", response_class=HTMLResponse)
def status_page(
    request: Request,
    services: ServicesDep,
    lang: str | None = None,
    case: str | None = None,
) -> HTMLResponse:
    chosen = choose_language(lang, request.headers.get("accept-language"))
    return _page(request, services, "victim_status.html", chosen, case_number=case or "")


@router.post("/status", response_class=HTMLResponse)
def check_status(
    request: Request,
    services: ServicesDep,
    case_number: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=40)] = "",
    lang: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    return _answer(request, services, case_number, pin, lang, withdraw=False)


@router.post("/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    services: ServicesDep,
    case_number: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=40)] = "",
    lang: Annotated[str | None, Form()] = None,
    confirm: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    if not confirm:
        chosen = choose_language(lang, None)
        status = _lookup(request, services, case_number, pin, withdraw=False)
        if isinstance(status, PublicStatus):
            return _status_page(request, services, chosen, status, pin, error="error_confirm")
        return _failed(request, services, chosen, case_number, status)
    return _answer(request, services, case_number, pin, lang, withdraw=True)


def _answer(
    request: Request,
    services: AppServices,
    case_number: str,
    pin: str,
    lang: str | None,
    *,
    withdraw: bool,
) -> HTMLResponse:
    chosen = choose_language(lang, None)
    status = _lookup(request, services, case_number, pin, withdraw=withdraw)
    if isinstance(status, PublicStatus):
        return _status_page(request, services, chosen, status, pin)
    return _failed(request, services, chosen, case_number, status)


def _lookup(
    request: Request, services: AppServices, case_number: str, pin: str, *, withdraw: bool
) -> PublicStatus | Exception:
    """The report's status (withdrawing it first if asked), or the error to show."""
    try:
        services.public_guard.admit_check(client_address(request))
        if withdraw:
            result: PublicStatus = services.reporter.withdraw(case_number, pin)
        else:
            result = services.reporter.status(case_number, pin)
    except (RateLimited, NotFound, InvalidInput) as e:
        return e
    return result


def _status_page(
    request: Request,
    services: AppServices,
    lang: str,
    status: PublicStatus,
    pin: str,
    error: str | None = None,
) -> HTMLResponse:
    return _page(
        request,
        services,
        "victim_status.html",
        lang,
        status_code=400 if error else 200,
        case_number=status.case_number,
        result=status,
        pin=pin.strip(),
        error=error,
    )


def _failed(
    request: Request, services: AppServices, lang: str, case_number: str, error: Exception
) -> HTMLResponse:
    key, code = next((k, c) for cls, k, c in _ERRORS if isinstance(error, cls))
    return _page(
        request,
        services,
        "victim_status.html",
        lang,
        status_code=code,
        case_number=case_number.strip()[:40],
        error=key,
    )
