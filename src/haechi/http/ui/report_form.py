"""The public report form (Korean and English), its receipt, and status/withdrawal by PIN.

No account is needed, and a signed-in session is ignored: the form always files an anonymous
(victim or public) report, so no page can make a moderator's browser file one in her name. Pages
that show a PIN are sent with `Cache-Control: no-store`. Each source shares one budget of
reports, pictures and PIN look-ups with the API and the victim page (`services.public_guard`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from haechi.domain.errors import HaechiError, InvalidInput, MediaTooLarge
from haechi.domain.reports import MAX_ITEMS, RECIPIENT_KINDS
from haechi.http.api.reports import client_address
from haechi.http.context import AppServices
from haechi.http.deps import ServicesDep
from haechi.http.errors import status_for
from haechi.http.ui.shell import render
from haechi.services.intake import ItemInput, ReportInput, Upload

router = APIRouter(prefix="/ui/report", include_in_schema=False)
TEXT_FIELDS: tuple[str, ...] = ("reporter_kind", "platform", "room", "exact_location")
TEXT_FIELDS += ("description", "explanation", "contact", "recipient")
PLATFORMS = ("telegram", "signal", "simplex", "viber", "kakaotalk", "line", "discord", "other")


def _page(
    request: Request, services: AppServices, template: str, code: int = 200, **ctx: Any
) -> HTMLResponse:
    page = render(request, services, template, None, lang="ko", platforms=PLATFORMS, **ctx)
    page.status_code = code
    page.headers["Cache-Control"] = "no-store"
    return page


def _recipients(services: AppServices) -> list[str]:
    return [o.name for o in services.auth.orgs() if o.kind in RECIPIENT_KINDS]


def _lines(form: FormData, name: str) -> list[str]:
    value = form.get(name)
    text = value if isinstance(value, str) else ""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _hash_items(form: FormData) -> list[ItemInput]:
    items = []
    for line in _lines(form, "hashes"):
        signal_type, sep, value = line.partition(":")
        if not sep:
            raise InvalidInput("write each hash as type:value, e.g. pdq:f8f8… or sha256:9f86…")
        items.append(ItemInput(kind="hash", signals={signal_type.strip().lower(): value.strip()}))
    return items


async def _items(form: FormData, max_bytes: int) -> list[ItemInput]:
    items = [ItemInput(kind="url", url=u) for u in _lines(form, "urls")]
    items += [ItemInput(kind="chat_link", chat_link=u) for u in _lines(form, "chat_links")]
    items += _hash_items(form)
    for value in form.getlist("files"):
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        data = await value.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise MediaTooLarge(f"a file exceeds {max_bytes} bytes")
        items.append(ItemInput(kind="file", upload=Upload(data, value.filename)))
    return items


@router.get("")
def form_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return _page(request, services, "report_form.html", values={}, recipients=_recipients(services))


@router.post("")
async def submit(request: Request, services: ServicesDep) -> HTMLResponse:
    form = await request.form(max_files=MAX_ITEMS, max_fields=30)
    values = {k: v for k in TEXT_FIELDS if isinstance(v := form.get(k), str)}
    try:
        fields: dict[str, Any] = {k: v for k, v in values.items() if k != "recipient"}
        fields |= {"channel": "web", "good_faith": form.get("good_faith") == "yes"}
        items = await _items(form, services.web.max_upload_bytes)
        bulk = services.public_guard.admit_report(client_address(request), len(items))
        report = ReportInput(fields, items, values.get("recipient") or None, bulk)
        receipt = await run_in_threadpool(services.intake.submit, report, None)
    except HaechiError as e:
        recipients = await run_in_threadpool(_recipients, services)
        return _page(
            request,
            services,
            "report_form.html",
            status_for(e),
            error=e.message,
            values=values,
            recipients=recipients,
        )
    finally:
        await form.close()
    return _page(request, services, "report_receipt.html", receipt=receipt)


@router.get("/status")
def status_page(request: Request, services: ServicesDep) -> HTMLResponse:
    return _page(request, services, "report_status.html", found=None)


@router.post("/status")
async def status(request: Request, services: ServicesDep) -> HTMLResponse:
    return await _by_pin(request, services, withdraw=False)


@router.post("/withdraw")
async def withdraw(request: Request, services: ServicesDep) -> HTMLResponse:
    return await _by_pin(request, services, withdraw=True)


async def _by_pin(request: Request, services: AppServices, *, withdraw: bool) -> HTMLResponse:
    form = await request.form(max_files=0, max_fields=5)
    number, pin = str(form.get("case_number") or ""), str(form.get("pin") or "")
    action = services.reporter.withdraw if withdraw else services.reporter.status
    try:
        services.public_guard.admit_check(client_address(request))
        found = await run_in_threadpool(action, number, pin)
    except HaechiError as e:
        ctx: dict[str, Any] = {"found": None, "error": e.message, "case_number": number}
        return _page(request, services, "report_status.html", status_for(e), **ctx)
    ctx = {"found": found, "case_number": number, "pin": pin, "withdrawn_now": withdraw}
    return _page(request, services, "report_status.html", **ctx)
